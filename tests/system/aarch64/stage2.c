/* Stage-2 translation (-M virt,virtualization=on): EL2 maps a 4 GiB IPA space with VTCR_EL2/
   VTTBR_EL2 (4K granule, start level 1) and runs EL1 with its own MMU off (VA = IPA): an IPA
   remapped elsewhere in RAM, a read-only one (the write faults), an unmapped one, and EL1's
   stage-1 tables placed at an unmapped IPA (the walk faults: S1PTW). Every stage-2 fault is
   taken to EL2 and shows ESR_EL2 (EC 0x24/0x20, ISV, S1PTW), FAR_EL2 and HPFAR_EL2. */
#include "lib.h"

#define HCR_VM (1ull << 0)
#define HCR_RW (1ull << 31)
#define S2_AF (1ull << 10)
#define S2_RW (3ull << 6)
#define S2_RO (1ull << 6)
#define S2_NORMAL (0xfull << 2)
#define S2_DEVICE (0x1ull << 2)

static uint64_t s2_l1[512] __attribute__((aligned(4096)));
static uint64_t s2_l2[512] __attribute__((aligned(4096)));
static volatile uint64_t faults;

#define REMAP_PA 0x40400000ull /* a 2 MiB block of RAM seen at IPA 0x80000000 */
#define RO_IPA 0x80000000ull
#define HOLE_IPA 0x80200000ull /* the next 2 MiB: invalid at stage 2 (level 2) */
/* Invalid at stage 2's level 1, like the stage-1 level of the walk that reads it: QEMU 7.2
   reports the stage-1 walk's level for a stage-2 fault on it, the Arm ARM stage 2's. */
#define TABLE_HOLE_IPA 0xc0000000ull

uint64_t trap_el2(uint64_t kind, uint64_t* frame) {
  (void)frame;
  uint64_t esr = READ_SYSREG(esr_el2), elr = READ_SYSREG(elr_el2);
  unsigned ec = (unsigned)(esr >> 26);
  if (ec == 0x16 && (esr & 0xffff) == 2) exit_with(0);
  if (ec == 0x24 || ec == 0x20) {
    faults++;
    show("stage-2 fault, vector", kind * 0x80);
    show("  esr_el2", esr);
    show("  far_el2", READ_SYSREG(far_el2));
    show("  hpfar_el2", READ_SYSREG(hpfar_el2));
    if (ec == 0x20) { /* EL1's stage-1 walk: turn EL1's MMU off again and retry */
      WRITE_SYSREG(sctlr_el1, READ_SYSREG(sctlr_el1) & ~1ull);
      return elr;
    }
    return elr + 4;
  }
  show("unexpected EL2 trap, vector", kind * 0x80);
  show("esr_el2", esr);
  exit_with(1);
}

__attribute__((noreturn)) void el1_main(void) {
  show("el1: IPA 0x80000010 reads", *(volatile uint64_t*)(RO_IPA + 0x10));
  *(volatile uint64_t*)(RO_IPA + 0x10) = 1; /* read-only at stage 2 */
  show("faults", faults);
  (void)*(volatile uint32_t*)(HOLE_IPA + 8); /* unmapped at stage 2 */
  show("faults", faults);
  /* EL1's own MMU with TTBR0_EL1 at an unmapped IPA: the first fetch's walk faults (S1PTW). */
  WRITE_SYSREG(mair_el1, 0xff);
  WRITE_SYSREG(tcr_el1, 25ull | (1ull << 23)); /* T0SZ 25, 4K, EPD1 */
  WRITE_SYSREG(ttbr0_el1, TABLE_HOLE_IPA);
  __asm__ volatile("isb");
  WRITE_SYSREG(sctlr_el1, READ_SYSREG(sctlr_el1) | 1);
  __asm__ volatile("isb");
  show("el1 MMU back off, faults", faults);
  __asm__ volatile("hvc #2" ::: "memory");
  for (;;) {
  }
}

int main(void) {
  psci_smc = 1;
  WRITE_SYSREG(vbar_el2, (uint64_t)vectors_el2);
  *(volatile uint64_t*)(REMAP_PA + 0x10) = 0xfeed;
  /* IPA 0-1 GiB: device (the UART), 1-2 GiB: RAM, both identity; 2-3 GiB: a level-2 table with
     a read-only 2 MiB block of RAM at REMAP_PA and nothing after it. */
  s2_l1[0] = 0x0ull | S2_AF | S2_RW | S2_DEVICE | 1;
  s2_l1[1] = 0x40000000ull | S2_AF | S2_RW | S2_NORMAL | 1;
  s2_l1[2] = (uint64_t)s2_l2 | 3;
  s2_l2[0] = REMAP_PA | S2_AF | S2_RO | S2_NORMAL | 1;
  /* VTCR: T0SZ 32 (4 GiB), SL0 1 (start at level 1), inner/outer WB, inner shareable, PS 32 bits. */
  WRITE_SYSREG(vtcr_el2, (1ull << 31) | 32 | (1 << 6) | (1 << 8) | (1 << 10) | (3 << 12));
  WRITE_SYSREG(vttbr_el2, (uint64_t)s2_l1 | (5ull << 48)); /* VMID 5 */
  __asm__ volatile("dsb sy\n isb");
  show("VTCR_EL2", READ_SYSREG(vtcr_el2));
  WRITE_SYSREG(hcr_el2, HCR_RW | HCR_VM);
  WRITE_SYSREG(vbar_el1, (uint64_t)vectors);
  WRITE_SYSREG(spsr_el2, 0x3c5); /* EL1h, DAIF masked */
  WRITE_SYSREG(elr_el2, (uint64_t)el1_main);
  __asm__ volatile(
      "mov x0, sp\n"
      "msr sp_el1, x0\n"
      "eret\n" ::
          : "x0", "memory");
  return 1;
}
