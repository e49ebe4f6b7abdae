// Shared support of the bare-metal RISC-V tests: output, exit, and the C halves of the trap handlers.
#include "lib.h"

struct TrapRecord last_trap;
void (*m_irq_hook)(uint64_t) = 0;
void (*s_irq_hook)(uint64_t) = 0;
volatile int fetch_fault_ends_mode = 0;

void putc_(char c) {
  // THR at offset 0; the line status register's THRE (bit 5) says it can take a byte.
  while (!(UART0[5] & 0x20)) {
  }
  UART0[0] = (uint8_t)c;
}
void puts_(const char* s) {
  while (*s) putc_(*s++);
}
void put_hex(uint64_t v) {
  puts_("0x");
  int started = 0;
  for (int i = 60; i >= 0; i -= 4) {
    unsigned d = (v >> i) & 15;
    if (d || started || i == 0) {
      putc_("0123456789abcdef"[d]);
      started = 1;
    }
  }
}
void put_dec(uint64_t v) {
  char buf[24];
  int n = 0;
  do {
    buf[n++] = '0' + v % 10;
    v /= 10;
  } while (v);
  while (n) putc_(buf[--n]);
}
void show(const char* name, uint64_t v) {
  puts_(name);
  putc_('=');
  put_hex(v);
  putc_('\n');
}
void test_exit(int code) {
  puts_(code ? "FAIL\n" : "DONE\n");
  volatile uint32_t* test = (volatile uint32_t*)0x100000;
  *test = code ? ((uint32_t)code << 16) | 0x3333 : 0x5555;
  for (;;) __asm__ volatile("wfi");
}
void trap_reset(void) {
  last_trap.count = 0;
  last_trap.cause = last_trap.tval = last_trap.epc = last_trap.mode = last_trap.mpp_or_spp = 0;
}
void show_trap(const char* label) {
  puts_(label);
  if (!last_trap.count) {
    puts_(": no trap\n");
    return;
  }
  puts_(": cause=");
  put_hex(last_trap.cause);
  puts_(" tval=");
  put_hex(last_trap.tval);
  puts_(" in=");
  puts_(last_trap.mode == 3 ? "M" : "S");
  puts_(" from=");
  put_dec(last_trap.mpp_or_spp);
  putc_('\n');
}

static unsigned insn_len(uint64_t epc) {
  if (mode_offset && epc >= mode_offset) epc -= mode_offset;  // a trap from the alias
  // The instruction was fetched from here, so it can be read (tests trap only on readable code,
  // identity mapped or with MPRV off in M).
  uint16_t lo = *(volatile uint16_t*)epc;
  return (lo & 3) == 3 ? 4 : 2;
}

void resume_m(void);

void m_trap(uint64_t* frame) {
  uint64_t cause = CSR_READ(mcause), epc = CSR_READ(mepc);
  if ((int64_t)cause < 0) {
    if (m_irq_hook) m_irq_hook(cause & 63);
    return;
  }
  // ecall with a7 = 0x5a5a from run_in_mode's return stub: back to M.
  if ((cause == 8 || cause == 9) && frame[17] == 0x5a5a) resume_m();
  last_trap.count++;
  last_trap.cause = cause;
  last_trap.tval = CSR_READ(mtval);
  last_trap.epc = epc;
  last_trap.mode = 3;
  last_trap.mpp_or_spp = (CSR_READ(mstatus) >> 11) & 3;
  // An instruction fetch fault cannot be skipped: return to the caller (ra) instead, or
  // abandon run_in_mode when the test says nothing in that mode can run any more.
  if (cause == 1 || cause == 12) {
    if (fetch_fault_ends_mode) resume_m();
    CSR_WRITE(mepc, frame[1]);
    return;
  }
  CSR_WRITE(mepc, epc + insn_len(epc));
}

void s_trap(uint64_t* frame) {
  uint64_t cause = CSR_READ(scause), epc = CSR_READ(sepc);
  if ((int64_t)cause < 0) {
    if (s_irq_hook) s_irq_hook(cause & 63);
    return;
  }
  // run_in_mode's return ecall from U, delegated here: pass it on to M (an S ecall).
  if (cause == 8 && frame[17] == 0x5a5a) __asm__ volatile("li a7, 0x5a5a\n ecall" ::: "a7", "memory");
  last_trap.count++;
  last_trap.cause = cause;
  last_trap.tval = CSR_READ(stval);
  last_trap.epc = epc;
  last_trap.mode = 1;
  last_trap.mpp_or_spp = (CSR_READ(sstatus) >> 8) & 1;
  if (cause == 1 || cause == 12) {
    CSR_WRITE(sepc, frame[1]);
    return;
  }
  CSR_WRITE(sepc, epc + insn_len(epc));
}

void setup_s_trap(void) {
  CSR_WRITE(stvec, (uint64_t)s_trap_entry);
  CSR_WRITE(sscratch, (uint64_t)strap_stack_top);
}

void pmp_open_all(void) {
  CSR_WRITE(pmpaddr15, ~0ull);
  CSR_SET(pmpcfg2, 0x1full << 56);
}
