/* VMID breakpoints (-M virt,virtualization=on, cortex-a57: breakpoints 4 and 5 context-aware):
   EL2 sets VTTBR_EL2.VMID 5 and enters EL1, where an address breakpoint linked (BT 0b0001) to a
   linked context ID breakpoint (BT 0b0011) is taken, and is not when linked to a linked VMID
   breakpoint (BT 0b1001) or a linked VMID and context ID one (BT 0b1011) naming VMID 6, nor
   with unlinked VMID (BT 0b1000) or VMID and context ID (BT 0b1010) breakpoints for VMID 6.
   QEMU 7.2 implements no VMID type (they never match there): the VMID-matching cases, which
   mimic takes as the Arm ARM says, are left out of this compared program (docs/arm-system.md). */
#include "bp_code.h"
#include "lib.h"

#define MDSCR_KDE (1ull << 13)
#define MDSCR_MDE (1ull << 15)
/* Enabled, PMC 0b11 (EL0 and EL1), BAS all. */
#define BCR(bt, lbn) (1ull | (3ull << 1) | (0xfull << 5) | ((uint64_t)(lbn) << 16) | ((uint64_t)(bt) << 20))
#define BVR_VMID(vmid, context) (((uint64_t)(vmid) << 32) | (context))

static volatile uint64_t hits, last_esr, last_elr;

/* A breakpoint hit is noted, the breakpoints disabled, and the instruction run again. */
uint64_t trap(uint64_t kind, uint64_t* frame) {
  (void)frame;
  uint64_t esr = READ_SYSREG(esr_el1), elr = READ_SYSREG(elr_el1);
  unsigned ec = (unsigned)(esr >> 26);
  if (ec == 0x30 || ec == 0x31) {
    hits++;
    last_esr = esr;
    last_elr = elr;
    WRITE_SYSREG(dbgbcr0_el1, 0);
    WRITE_SYSREG(dbgbcr4_el1, 0);
    __asm__ volatile("isb");
    return elr;
  }
  show("unexpected trap, vector", kind * 0x80);
  show("esr", esr);
  exit_with(1);
}

static void report(const char* what, uint64_t result) {
  puts_(what);
  putc_('\n');
  show("  result", result);
  show("  hits", hits);
  show("  esr", last_esr);
  show("  elr is the instruction", hits && last_elr == (uint64_t)target_insn);
  hits = last_esr = last_elr = 0;
}

static void arm_bp(uint64_t bvr4, uint64_t bcr4, uint64_t bcr0) {
  WRITE_SYSREG(dbgbvr4_el1, bvr4);
  WRITE_SYSREG(dbgbcr4_el1, bcr4);
  WRITE_SYSREG(dbgbvr0_el1, (uint64_t)target_insn);
  WRITE_SYSREG(dbgbcr0_el1, bcr0);
  __asm__ volatile("isb");
}

static void el1_main(void) {
  WRITE_SYSREG(oslar_el1, 0);
  WRITE_SYSREG(mdscr_el1, MDSCR_MDE | MDSCR_KDE);
  WRITE_SYSREG(contextidr_el1, 0x42);
  __asm__ volatile("msr daifclr, #8\n isb" ::: "memory");
  uint64_t dfr0 = READ_SYSREG(id_aa64dfr0_el1);
  show("ID_AA64DFR0_EL1.BRPs", (dfr0 >> 12) & 15);
  show("ID_AA64DFR0_EL1.CTX_CMPs", (dfr0 >> 28) & 15);
  arm_bp(0x42, BCR(3, 0), BCR(1, 4));
  report("address linked to context 0x42 (BT 0b0011)", target(1));
  arm_bp(BVR_VMID(6, 0), BCR(9, 0), BCR(1, 4));
  report("address linked to VMID 6 (BT 0b1001), VMID 5", target(2));
  arm_bp(BVR_VMID(6, 0x42), BCR(11, 0), BCR(1, 4));
  report("address linked to VMID 6 and context 0x42 (BT 0b1011), VMID 5", target(3));
  arm_bp(BVR_VMID(6, 0), BCR(8, 0), 0);
  report("unlinked VMID 6 (BT 0b1000), VMID 5", target(4));
  arm_bp(BVR_VMID(6, 0x42), BCR(10, 0), 0);
  report("unlinked VMID 6 and context 0x42 (BT 0b1010), VMID 5", target(5));
  arm_bp(BVR_VMID(5, 0x43), BCR(11, 0), BCR(1, 4));
  report("address linked to VMID 5 and context 0x43 (BT 0b1011), context 0x42", target(6));
  WRITE_SYSREG(dbgbcr0_el1, 0);
  WRITE_SYSREG(dbgbcr4_el1, 0);
  exit_with(0);
}

int main(void) {
  psci_smc = 1;                                         /* QEMU's PSCI conduit with virtualization=on */
  WRITE_SYSREG(vttbr_el2, 5ull << 48);                  /* VMID 5, stage 2 off */
  WRITE_SYSREG(mdcr_el2, READ_SYSREG(mdcr_el2) & 0x1f); /* debug exceptions to EL1 (TDE clear) */
  enter_el1(el1_main);
}
