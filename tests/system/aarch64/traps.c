// Exception classes and syndromes, the vector offsets, ERET to EL0 and back, PC alignment,
// external aborts, timer status: every trap prints its vector entry, ESR, FAR (for aborts) and
// the ELR offset from the instruction that raised it.
#include "lib.h"

extern char vectors[];
static volatile uint64_t trap_pc;  // the instruction the current test expects to trap
static volatile int el0_done;

uint64_t trap(uint64_t kind, uint64_t* frame) {
  static int traps;
  if (++traps > 40) {
    puts_("too many traps\n");
    exit_with(1);
  }
  uint64_t esr = READ_SYSREG(esr_el1), elr = READ_SYSREG(elr_el1), far = READ_SYSREG(far_el1);
  unsigned ec = (unsigned)(esr >> 26);
  puts_("trap vector=");
  puthex(kind * 0x80);
  puts_(" esr=");
  puthex(esr);
  if (ec == 0x20 || ec == 0x21 || ec == 0x24 || ec == 0x25 || ec == 0x22) {
    puts_(" far=");
    puthex(far);
  }
  puts_(" elr-insn=");
  puthex(elr - trap_pc);
  puts_(" spsr=");
  puthex(READ_SYSREG(spsr_el1));
  putc_('\n');
  if (ec == 0x15 && (kind == 8)) {  // SVC from EL0: the EL0 test is over; back to EL1 code
    el0_done = 1;
    WRITE_SYSREG(spsr_el1, 0x3c5);  // EL1h, DAIF masked
    return frame[19];               // the saved x30: main's label after its eret
  }
  if (ec == 0x22) return trap_pc + 4;        // PC alignment: resume after the branch
  if (ec == 0x15 || ec == 0x16) return elr;  // preferred return is already past the SVC/HVC
  return elr + 4;
}

// Runs `insn` (after `setup`) with trap_pc = its address, stored before it runs.
#define TRY(setup, insn, ...)                                                                  \
  __asm__ volatile(setup "\n adr x9, 1f\n str x9, [%0]\n 1: " insn "\n 2: nop" ::"r"(&trap_pc) \
                   : "x9", "memory", ##__VA_ARGS__)

static void el0_code(void) __attribute__((naked));
static void el0_code(void) {
  __asm__ volatile(
      "mrs x0, midr_el1\n"  // UNDEFINED at EL0: trap to EL1 from the lower EL
      "svc #0x42\n"
      "b .\n");
}

int main(void) {
  WRITE_SYSREG(vbar_el1, vectors);
  __asm__ volatile("isb");

  puts_("svc\n");
  TRY("", "svc #0x123");
  puts_("brk\n");
  TRY("", "brk #0x7");
  puts_("udf\n");
  TRY("", "udf #0x5");
  puts_("unallocated sysreg\n");
  TRY("", "mrs x0, s3_0_c11_c0_0", "x0");
  puts_("load from a hole in the memory map\n");
  TRY("mov x1, #0x0b000000", "ldr x0, [x1]", "x0", "x1");
  puts_("store to a hole\n");
  TRY("mov x1, #0x0b000000", "str x1, [x1, #8]", "x1");
  puts_("branch to a misaligned pc\n");
  TRY("adr x1, 2f\n add x1, x1, #2", "br x1", "x1");
  puts_("hvc with an unknown function id\n");
  uint64_t r;
  __asm__ volatile("mov x0, #0x1234\n hvc #0\n mov %0, x0" : "=r"(r)::"x0", "x1", "x2", "x3", "memory");
  show("hvc 0x1234 returns", r);
  puts_("smc (not the conduit)\n");
  TRY("mov x0, #0", "smc #0", "x0");
  show("psci version", psci_call(0x84000000, 0, 0, 0));
  show("psci features cpu_on", psci_call(0x8400000a, 0xc4000003, 0, 0));
  show("psci features 0x1234", psci_call(0x8400000a, 0x1234, 0, 0));
  show("psci migrate_info_type", psci_call(0x84000006, 0, 0, 0));
  show("psci affinity_info cpu0", psci_call(0xc4000004, 0, 0, 0));

  puts_("eret to EL0\n");
  static uint64_t el0_stack[64];
  WRITE_SYSREG(sp_el0, (uint64_t)&el0_stack[64]);
  WRITE_SYSREG(elr_el1, (uint64_t)el0_code);
  WRITE_SYSREG(spsr_el1, 0);  // EL0t, interrupts unmasked
  trap_pc = (uint64_t)el0_code;
  __asm__ volatile("adr x30, 1f\n eret\n 1:" ::: "x30", "memory");
  show("back at EL1, CurrentEL", READ_SYSREG(currentel));
  show("el0_done", el0_done);

  puts_("physical timer\n");
  WRITE_SYSREG(cntp_tval_el0, 2000);
  WRITE_SYSREG(cntp_ctl_el0, 3);  // enabled, masked
  show("ctl before", READ_SYSREG(cntp_ctl_el0) & 3);
  while (!(READ_SYSREG(cntp_ctl_el0) & 4)) {
  }
  show("ctl fired", READ_SYSREG(cntp_ctl_el0));
  WRITE_SYSREG(cntp_ctl_el0, 0);
  show("ctl off", READ_SYSREG(cntp_ctl_el0));
  return 0;
}
