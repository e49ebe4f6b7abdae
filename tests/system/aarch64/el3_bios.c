/* Firmware at EL3 (-M virt,secure=on -bios el3_bios.bin): the reset in the flash at EL3
   (RVBAR_EL3 0), code running from the Secure flash and data in the Secure RAM, SMC at EL3;
   then Non-secure EL1 (code copied to Non-secure RAM) reading the flash and the Secure RAM (an
   external abort each, reported back to EL3 by SMC with ESR/FAR) and the Non-secure RAM. */
#include "lib.h"

#define SCR_NS (1ull << 0)
#define SCR_RW (1ull << 10)
#define NS_RAM 0x40000000ull

static volatile uint64_t smcs, last_esr, last_elr, frame_x[4];

/* Non-secure EL1 code, copied to NS_RAM (position independent): its vector table's
   synchronous entry (current EL, SPx: +0x200) hands ESR_EL1 and FAR_EL1 to EL3 by SMC #0x77
   and returns past the faulting load; the body loads from x1, x2 and x3, then SMC #0x78. */
extern char ns_code[], ns_code_end[], ns_body[];
__asm__(
    ".balign 0x800\n"
    ".globl ns_code\n"
    "ns_code:\n"
    ".skip 0x200\n"
    "  mrs x10, esr_el1\n"
    "  mrs x11, far_el1\n"
    "  smc #0x77\n"
    "  mrs x12, elr_el1\n"
    "  add x12, x12, #4\n"
    "  msr elr_el1, x12\n"
    "  eret\n"
    ".balign 0x800\n"
    ".globl ns_body\n"
    "ns_body:\n"
    "  ldr x4, [x1]\n"
    "  ldr x5, [x2]\n"
    "  ldr x6, [x3]\n"
    "  mov x12, x6\n"
    "  smc #0x78\n"
    "1: b 1b\n"
    ".globl ns_code_end\n"
    "ns_code_end:\n");

__attribute__((noreturn)) static void finish(int status) {
  show("exit", (uint64_t)status);
  for (;;) __asm__ volatile("wfi");
}

uint64_t trap_el3(uint64_t kind, uint64_t* frame) {
  uint64_t esr = READ_SYSREG(esr_el3), elr = READ_SYSREG(elr_el3);
  if ((esr >> 26) != 0x17) {
    show("unexpected EL3 trap, vector", kind * 0x80);
    show("esr_el3", esr);
    show("elr_el3", elr);
    finish(1);
  }
  smcs++;
  last_esr = esr;
  last_elr = elr;
  if ((esr & 0xffff) == 0x77) {
    puts_("abort at Non-secure EL1\n");
    show("  esr_el1", frame[10]);
    show("  far_el1", frame[11]);
  }
  if ((esr & 0xffff) == 0x78) {
    show("Non-secure EL1 read of the Non-secure RAM", frame[12]);
    show("spsr_el3", READ_SYSREG(spsr_el3));
    finish(0);
  }
  return elr;
}

static uint64_t current_el(void) { return READ_SYSREG(currentel) >> 2; }

int main(void) {
  show("CurrentEL", current_el());
  show("running in the flash", (uint64_t)main < 0x04000000);
  show("RVBAR_EL3", READ_SYSREG(rvbar_el3));
  show("SCR_EL3", READ_SYSREG(scr_el3));
  WRITE_SYSREG(vbar_el3, (uint64_t)vectors_el3);
  __asm__ volatile("smc #0x33" ::: "memory");
  show("smc at EL3, esr_el3", last_esr);
  /* Non-secure EL1 at a copy of ns_code in the Non-secure RAM. */
  volatile uint32_t* dst = (volatile uint32_t*)NS_RAM;
  for (const uint32_t* p = (const uint32_t*)ns_code; p < (const uint32_t*)ns_code_end; p++) *dst++ = *p;
  *(volatile uint64_t*)(NS_RAM + 0x1000) = 0xabcd;
  __asm__ volatile("dsb sy\n ic iallu\n dsb sy\n isb" ::: "memory");
  WRITE_SYSREG(vbar_el1, NS_RAM);
  WRITE_SYSREG(sctlr_el1, 0x30d00800); /* MMU off */
  WRITE_SYSREG(scr_el3, SCR_NS | SCR_RW);
  WRITE_SYSREG(spsr_el3, 0x3c5); /* EL1h, DAIF masked */
  WRITE_SYSREG(elr_el3, NS_RAM + (uint64_t)(ns_body - ns_code));
  __asm__ volatile(
      "ldr x0, =0x40010000\n"
      "msr sp_el1, x0\n"
      "mov x1, #0x100\n"      /* the Secure flash */
      "ldr x2, =0x0e000000\n" /* the Secure RAM */
      "ldr x3, =0x40001000\n" /* Non-secure RAM */
      "eret\n" ::
          : "x0", "x1", "x2", "x3", "memory");
  return 1;
}
