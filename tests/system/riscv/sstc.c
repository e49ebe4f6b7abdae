// Sstc: stimecmp drives STIP when menvcfg.STCE is set (and S may reach stimecmp only with STCE
// and mcounteren.TM); an S timer interrupt from stimecmp, taken in S.
#include "lib.h"

static volatile unsigned hits;
static void s_irq(uint64_t cause) {
  if (cause == 5) {
    ++hits;
    CSR_WRITE(stimecmp, ~0ull);  // clears STIP
  }
}
static void s_read_stimecmp(uint64_t a) {
  (void)a;
  trap_reset();
  __asm__ volatile("csrr t0, stimecmp" ::: "t0");
  show_trap("S csrr stimecmp");
}
static void s_timer(uint64_t a) {
  (void)a;
  CSR_WRITE(stimecmp, CSR_READ(time) + 2000000);  // 200 ms: no host hiccup reaches it first
  show("stip before", (CSR_READ(sip) >> 5) & 1);
  CSR_SET(sie, 1u << 5);
  CSR_SET(sstatus, MSTATUS_SIE);
  while (!hits) __asm__ volatile("wfi");
  CSR_CLEAR(sstatus, MSTATUS_SIE);
  show("stip after", (CSR_READ(sip) >> 5) & 1);
  // A deadline in the past raises STIP at once.
  CSR_WRITE(stimecmp, 0);
  show("stip stimecmp=0", (CSR_READ(sip) >> 5) & 1);
  CSR_WRITE(stimecmp, ~0ull);
}

int main(void) {
  pmp_open_all();
  setup_s_trap();
  s_irq_hook = s_irq;
  run_in_mode(1, s_read_stimecmp, 0);  // STCE off
  CSR_WRITE(mcounteren, 2);            // TM
  run_in_mode(1, s_read_stimecmp, 0);
  // stimecmp resets to 0 (QEMU): push it out before STCE makes it drive STIP.
  show("stimecmp reset", CSR_READ(stimecmp));
  CSR_WRITE(stimecmp, ~0ull);
  CSR_SET(menvcfg, 1ull << 63);  // STCE
  CSR_WRITE(mcounteren, 0);
  run_in_mode(1, s_read_stimecmp, 0);  // TM off
  CSR_WRITE(mcounteren, 2);
  run_in_mode(1, s_read_stimecmp, 0);
  // With STCE, mip.STIP is not writable by software.
  CSR_SET(mip, 1u << 5);
  show("mip.stip after write", (CSR_READ(mip) >> 5) & 1);
  CSR_WRITE(mideleg, 1u << 5);
  CSR_SET(mie, 1u << 5);
  run_in_mode(1, s_timer, 0);
  show("hits", hits);
  // M sees stimecmp too.
  CSR_WRITE(stimecmp, 0);
  show("M mip.stip", (CSR_READ(mip) >> 5) & 1);
  CSR_CLEAR(menvcfg, 1ull << 63);
  show("STCE off: mip.stip", (CSR_READ(mip) >> 5) & 1);
  return 0;
}
