/* SCR_EL3's trap and routing controls (-M virt,secure=on,virtualization=on; entered at EL3):
   SIF (the Secure state executing from the Non-secure PA space: an instruction abort, a
   permission fault, at EL3; SIF may be cached in the TLB, so a TLBI follows each change), TWI
   trapping WFI from Non-secure EL2 and EL1 to EL3 (EC 0x01, ELR at the WFI), HCR_EL2.TWI
   winning for EL1, and an external abort from Non-secure EL1 with SCR_EL3.EA clear taken at
   EL1. (With EA set mimic routes it to EL3 as the Arm ARM's AArch64.Abort does; QEMU 7.2 keeps
   it at EL1, so that case is not compared: docs/arm-system.md.) */
#include "lib.h"

/* Ends at "exit=0" without powering off (a bare program at EL3 has no PSCI). */
#define SCR_NS (1ull << 0)
#define SCR_HCE (1ull << 8)
#define SCR_SIF (1ull << 9)
#define SCR_RW (1ull << 10)
#define SCR_TWI (1ull << 12)
#define HCR_TWI (1ull << 13)
#define SECURE_RAM 0x0e000000ull
/* GiB 3 maps GiB 1 (the RAM) again with NS=1: the same code through the Non-secure PA space. */
#define NS_ALIAS(p) ((uint64_t)(p)-0x40000000ull + 0xc0000000ull)

static volatile uint64_t last_kind, last_esr, last_elr, last_far, last_el, traps;

/* add_one(x) = x + 1, a leaf the test calls through both mappings. */
uint64_t add_one(uint64_t x);
__asm__(
    ".balign 4096\n"
    ".globl add_one\n"
    "add_one:\n"
    "  add x0, x0, #1\n"
    "  ret\n"
    ".balign 4096\n");

static void note(uint64_t kind, uint64_t esr, uint64_t elr, uint64_t far, unsigned el) {
  last_kind = kind, last_esr = esr, last_elr = elr, last_far = far, last_el = el;
  traps++;
}

/* EL3: SMC #0x99 with x0 = 3 sets SCR_EL3 to x1 (the test's service); an instruction abort
   returns to the caller (x30) with x0 = 0; WFx traps and data aborts skip the instruction. */
uint64_t trap_el3(uint64_t kind, uint64_t* frame) {
  uint64_t esr = READ_SYSREG(esr_el3), elr = READ_SYSREG(elr_el3);
  unsigned ec = (unsigned)(esr >> 26);
  if (ec == 0x17 && (esr & 0xffff) == 0x99 && frame[0] == 3) {
    WRITE_SYSREG(scr_el3, frame[1]);
    __asm__ volatile("isb");
    return elr;
  }
  note(kind, esr, elr, READ_SYSREG(far_el3), 3);
  if (ec == 0x20 || ec == 0x21) {
    frame[0] = 0;
    return frame[19];
  }
  if (ec == 0x01 || ec == 0x24 || ec == 0x25) return elr + 4;
  show("unexpected EL3 trap, vector", kind * 0x80);
  show("esr_el3", esr);
  show("elr_el3", elr);
  show("exit", 1);
  for (;;) __asm__ volatile("wfi");
}
uint64_t trap_el2(uint64_t kind, uint64_t* frame) {
  (void)frame;
  uint64_t esr = READ_SYSREG(esr_el2), elr = READ_SYSREG(elr_el2);
  unsigned ec = (unsigned)(esr >> 26);
  if (ec == 0x16) { /* HVC #1/#2 from EL1: set/clear HCR_EL2.TWI */
    uint64_t hcr = READ_SYSREG(hcr_el2);
    WRITE_SYSREG(hcr_el2, (esr & 0xffff) == 1 ? hcr | HCR_TWI : hcr & ~HCR_TWI);
    return elr;
  }
  note(kind, esr, elr, READ_SYSREG(far_el2), 2);
  if (ec == 0x01 || ec == 0x24) return elr + 4;
  show("unexpected EL2 trap, vector", kind * 0x80);
  show("esr_el2", esr);
  show("exit", 1);
  for (;;) __asm__ volatile("wfi");
}
uint64_t trap(uint64_t kind, uint64_t* frame) {
  (void)frame;
  uint64_t esr = READ_SYSREG(esr_el1), elr = READ_SYSREG(elr_el1);
  unsigned ec = (unsigned)(esr >> 26);
  note(kind, esr, elr, READ_SYSREG(far_el1), 1);
  if (ec == 0x25) return elr + 4;
  show("unexpected EL1 trap, vector", kind * 0x80);
  show("esr", esr);
  show("elr", elr);
  show("exit", 1);
  for (;;) __asm__ volatile("wfi");
}

static void report(const char* what, const void* at) {
  puts_(what);
  putc_('\n');
  show("  traps", traps);
  show("  taken to EL", last_el);
  show("  vector", last_kind * 0x80);
  show("  esr", last_esr);
  show("  elr is the instruction", traps && last_elr == (uint64_t)at);
  traps = last_kind = last_esr = last_elr = last_far = last_el = 0;
}

static void set_scr(uint64_t v) {
  register uint64_t x0 __asm__("x0") = 3;
  register uint64_t x1 __asm__("x1") = v;
  __asm__ volatile("smc #0x99" : "+r"(x0), "+r"(x1)::"memory");
}

static uint64_t wfi_at;
#define WFI() __asm__ volatile("adr x9, 1f\n str x9, %0\n 1: wfi" : "=m"(wfi_at)::"x9", "memory")

__attribute__((noreturn)) static void finish(void) {
  show("exit", 0);
  for (;;) __asm__ volatile("wfi");
}

__attribute__((noreturn)) void el1_main(void) {
  show("el1 CurrentEL", READ_SYSREG(currentel) >> 2);
  set_scr(SCR_NS | SCR_RW | SCR_HCE | SCR_TWI);
  WFI();
  report("wfi at Non-secure EL1 with SCR_EL3.TWI", (void*)wfi_at);
  /* HCR_EL2.TWI is checked first (EL2 traps it). */
  __asm__ volatile("hvc #1" ::: "memory");
  WFI();
  report("wfi at EL1 with HCR_EL2.TWI and SCR_EL3.TWI", (void*)wfi_at);
  __asm__ volatile("hvc #2" ::: "memory");
  set_scr(SCR_NS | SCR_RW | SCR_HCE);
  /* An external abort (the Secure RAM from the Non-secure state), SCR_EL3.EA clear. */
  uint64_t at;
  __asm__ volatile("adr %0, 1f\n 1: ldr xzr, [%1]" : "=&r"(at) : "r"(SECURE_RAM) : "memory");
  report("external abort at EL1, SCR_EL3.EA clear", (void*)at);
  finish();
}

__attribute__((noreturn)) void el2_main(void) {
  show("el2 CurrentEL", READ_SYSREG(currentel) >> 2);
  set_scr(SCR_NS | SCR_RW | SCR_HCE | SCR_TWI);
  WFI();
  report("wfi at Non-secure EL2 with SCR_EL3.TWI", (void*)wfi_at);
  set_scr(SCR_NS | SCR_RW | SCR_HCE);
  enter_el1(el1_main);
}

static uint64_t el3_tables[512] __attribute__((aligned(4096)));

int main(void) {
  show("CurrentEL", READ_SYSREG(currentel) >> 2);
  WRITE_SYSREG(vbar_el3, (uint64_t)vectors_el3);
  WRITE_SYSREG(vbar_el2, (uint64_t)vectors_el2);
  /* The EL3 MMU: GiB 0 device, GiB 1 (RAM) Secure, GiB 3 the RAM again through NS=1. */
  el3_tables[0] = 0x0ull | (1ull << 10) | (0 << 2) | 1;
  el3_tables[1] = 0x40000000ull | (1ull << 10) | (1 << 2) | 1;
  el3_tables[3] = 0x40000000ull | (1ull << 10) | (1ull << 5) | (1 << 2) | 1;
  WRITE_SYSREG(mair_el3, 0xff00);
  WRITE_SYSREG(tcr_el3, (1ull << 31) | (1ull << 23) | 25 | (1 << 8) | (1 << 10) | (3 << 12));
  WRITE_SYSREG(ttbr0_el3, (uint64_t)el3_tables);
  __asm__ volatile("dsb sy\n isb");
  WRITE_SYSREG(sctlr_el3, READ_SYSREG(sctlr_el3) | 1);
  __asm__ volatile("isb");
  uint64_t (*secure_fn)(uint64_t) = add_one;
  uint64_t (*ns_fn)(uint64_t) = (uint64_t(*)(uint64_t))NS_ALIAS(add_one);
  show("EL3 call through the Secure mapping", secure_fn(1));
  show("EL3 call through the NS=1 mapping, SIF clear", ns_fn(2));
  report("  no trap", 0);
  WRITE_SYSREG(scr_el3, SCR_RW | SCR_SIF);
  __asm__ volatile("isb\n tlbi alle3\n dsb sy\n isb" ::: "memory");
  show("EL3 call through the NS=1 mapping, SIF set", ns_fn(3));
  show("  far is the function", last_far == NS_ALIAS(add_one));
  report("  instruction abort", (void*)NS_ALIAS(add_one));
  show("EL3 call through the Secure mapping, SIF set", secure_fn(4));
  report("  no trap", 0);
  WRITE_SYSREG(scr_el3, SCR_RW);
  __asm__ volatile("isb\n tlbi alle3\n dsb sy\n isb" ::: "memory");
  show("EL3 call through the NS=1 mapping, SIF clear again", ns_fn(5));
  report("  no trap", 0);
  WRITE_SYSREG(sctlr_el3, READ_SYSREG(sctlr_el3) & ~1ull);
  __asm__ volatile("isb");
  /* WFI at EL3 itself is never trapped (no interrupt is pending: it would sleep), so only the
     lower ELs are checked. Down to Non-secure EL2. */
  WRITE_SYSREG(scr_el3, SCR_NS | SCR_RW | SCR_HCE);
  WRITE_SYSREG(spsr_el3, 0x3c9);
  WRITE_SYSREG(elr_el3, (uint64_t)el2_main);
  __asm__ volatile(
      "mov x0, sp\n"
      "sub x0, x0, #0x2000\n"
      "msr sp_el2, x0\n"
      "eret\n" ::
          : "x0", "memory");
  return 1;
}
