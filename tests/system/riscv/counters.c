// Counters: cycle/time/instret advance, time follows the ACLINT's mtime, mcounteren/scounteren
// gate S and U access (illegal instruction otherwise), mcycle/minstret and mhpmcounters writable,
// mcountinhibit holds them.
#include "lib.h"

static void spin(void) {
  for (volatile int i = 0; i < 20000; ++i) {
  }
}

// mcountinhibit CY/IR: a counter written while inhibited stays at that value, and counts on from
// it once released. (Inhibiting a running counter freezes it too, architecturally, but QEMU 7.2,
// the reference, lets it run: not compared.)
static void inhibit(void) {
  CSR_WRITE(mcountinhibit, 5);
  CSR_WRITE(mcycle, 1000);
  CSR_WRITE(minstret, 2000);
  spin();
  uint64_t c1 = CSR_READ(mcycle), i1 = CSR_READ(minstret);
  spin();
  show("mcycle held", c1 == 1000 && CSR_READ(mcycle) == 1000);
  show("minstret held", i1 == 2000 && CSR_READ(minstret) == 2000);
  show("cycle held", CSR_READ(cycle) == 1000);
  CSR_WRITE(mcountinhibit, 0);
  spin();
  uint64_t c2 = CSR_READ(mcycle), i2 = CSR_READ(minstret);
  show("mcycle counts on from 1000", c2 > 1000 && c2 < 1000 + 1000000000ull);
  show("minstret counts on from 2000", i2 > 2000 && i2 < 2000 + 1000000000ull);
}

static void read_counters(uint64_t a) {
  (void)a;
  TRY("cycle", "csrr t0, cycle");
  TRY("time", "csrr t0, time");
  TRY("instret", "csrr t0, instret");
  TRY("hpmcounter3", "csrr t0, hpmcounter3");
  TRY("hpmcounter4", "csrr t0, hpmcounter4");
}

int main(void) {
  pmp_open_all();
  uint64_t c0 = CSR_READ(cycle), i0 = CSR_READ(instret), t0 = CSR_READ(time);
  uint64_t m0 = *CLINT_MTIME;
  for (volatile int i = 0; i < 20000; ++i) {
  }
  uint64_t c1 = CSR_READ(cycle), i1 = CSR_READ(instret), t1 = CSR_READ(time);
  uint64_t m1 = *CLINT_MTIME;
  show("cycle advances", c1 > c0);
  show("instret advances", i1 > i0);
  show("time advances", t1 > t0);
  show("time ~ mtime", t0 + 10000000 >= m0 && t0 <= m1 && t1 <= m1 + 10000000);  // within 1 s
  CSR_WRITE(mcycle, 1000000);
  uint64_t mc = CSR_READ(mcycle);
  show("mcycle from 1e6", mc >= 1000000 && mc < 1000000 + 1000000000ull);
  CSR_WRITE(minstret, 5);
  show("minstret from 5", CSR_READ(minstret) >= 5);
  CSR_WRITE(mhpmcounter3, 77);
  show("mhpmcounter3", CSR_READ(mhpmcounter3));
  show("hpmcounter3 in M", CSR_READ(hpmcounter3));
  TRY("csrw cycle", "csrw cycle, zero");
  TRY("csrw time", "csrw time, zero");

  puts_("-- S, mcounteren=0\n");
  run_in_mode(1, read_counters, 0);
  CSR_WRITE(mcounteren, 0x17u);
  puts_("-- S, mcounteren=CY|TM|IR|HPM4\n");
  run_in_mode(1, read_counters, 0);
  puts_("-- U, scounteren=0\n");
  run_in_mode(0, read_counters, 0);
  CSR_WRITE(scounteren, 0x15u);
  puts_("-- U, scounteren=CY|IR|HPM4\n");
  run_in_mode(0, read_counters, 0);
  inhibit();
  return 0;
}
