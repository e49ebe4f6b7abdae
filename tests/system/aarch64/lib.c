#include "lib.h"

#define UART_DR (*(volatile uint32_t*)0x09000000)
#define UART_FR (*(volatile uint32_t*)0x09000018)

void putc_(char c) {
  while (UART_FR & (1u << 5)) {
  }
  UART_DR = (uint32_t)(unsigned char)c;
}
void puts_(const char* s) {
  while (*s) putc_(*s++);
}
void puthex(uint64_t v) {
  puts_("0x");
  for (int i = 60; i >= 0; i -= 4) putc_("0123456789abcdef"[(v >> i) & 15]);
}
void show(const char* name, uint64_t v) {
  puts_(name);
  putc_('=');
  puthex(v);
  putc_('\n');
}
int psci_smc;

uint64_t psci_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3) {
  register uint64_t x0 __asm__("x0") = fn;
  register uint64_t x1 __asm__("x1") = a1;
  register uint64_t x2 __asm__("x2") = a2;
  register uint64_t x3 __asm__("x3") = a3;
  if (psci_smc)
    __asm__ volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)::"memory");
  else
    __asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)::"memory");
  return x0;
}
void exit_with(int status) {
  show("exit", (uint64_t)status);
  psci_call(0x84000008, 0, 0, 0); /* SYSTEM_OFF */
  for (;;) {
  }
}

void enter_el1(void (*entry)(void)) {
  WRITE_SYSREG(hcr_el2, 1ull << 31); /* HCR_EL2.RW: EL1 is AArch64 */
  WRITE_SYSREG(vbar_el1, (uint64_t)vectors);
  WRITE_SYSREG(spsr_el2, 0x3c5); /* EL1h, DAIF masked */
  WRITE_SYSREG(elr_el2, (uint64_t)entry);
  eret_below_stack();
}

void eret_below_stack(void) {
  __asm__ volatile(
      "mov x0, sp\n"
      "sub x0, x0, #0x1000\n"
      "msr sp_el1, x0\n"
      "eret\n" ::
          : "x0", "memory");
  for (;;) {
  }
}

// Programs that expect no exception keep this one: it reports the trap and fails.
__attribute__((weak)) uint64_t trap(uint64_t kind, uint64_t* frame) {
  (void)frame;
  show("unexpected trap, vector", kind * 0x80);
  show("esr", READ_SYSREG(esr_el1));
  show("elr", READ_SYSREG(elr_el1));
  exit_with(1);
}

__attribute__((weak)) uint64_t trap_el2(uint64_t kind, uint64_t* frame) {
  (void)frame;
  show("unexpected EL2 trap, vector", kind * 0x80);
  show("esr_el2", READ_SYSREG(esr_el2));
  show("elr_el2", READ_SYSREG(elr_el2));
  exit_with(1);
}

__attribute__((weak)) uint64_t trap_el3(uint64_t kind, uint64_t* frame) {
  (void)frame;
  show("unexpected EL3 trap, vector", kind * 0x80);
  show("esr_el3", READ_SYSREG(esr_el3));
  show("elr_el3", READ_SYSREG(elr_el3));
  exit_with(1);
}
