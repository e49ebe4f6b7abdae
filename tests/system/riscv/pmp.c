// PMP: NAPOT, TOR and NA4 regions with R/W/X, priority by entry number, S/U denied where no
// entry matches, M unchecked by unlocked entries, locked entries binding M and frozen, the
// access-fault causes (1, 5, 7) with mtval, the S-mode page walk's own PTE reads checked, and
// accesses that a region edge inside one page splits (checked as a whole, never cached for the
// page by an earlier access that fitted).
#include "lib.h"

static uint8_t region[4][4096] __attribute__((aligned(4096)));

static uint64_t napot(uint64_t base, uint64_t size) { return (base >> 2) | ((size >> 3) - 1); }
static uint64_t load(uint64_t a) {
  uint64_t v;
  __asm__ volatile("ld %0, 0(%1)" : "=r"(v) : "r"(a) : "memory");
  return v;
}
static void store(uint64_t a, uint64_t v) { __asm__ volatile("sd %0, 0(%1)" ::"r"(v), "r"(a) : "memory"); }
static void try_lw(const char* l, uint64_t a) {
  trap_reset();
  uint64_t v;
  __asm__ volatile("lw %0, 0(%1)" : "=r"(v) : "r"(a) : "memory");
  show_trap(l);
}
static void try_lh(const char* l, uint64_t a) {
  trap_reset();
  uint64_t v;
  __asm__ volatile("lh %0, 0(%1)" : "=r"(v) : "r"(a) : "memory");
  show_trap(l);
}
static void try_sw(const char* l, uint64_t a) {
  trap_reset();
  __asm__ volatile("sw %0, 0(%1)" ::"r"(1), "r"(a) : "memory");
  show_trap(l);
}
static void try_load(const char* l, uint64_t a) {
  trap_reset();
  load(a);
  show_trap(l);
}
static void try_store(const char* l, uint64_t a) {
  trap_reset();
  store(a, 1);
  show_trap(l);
}
static void try_fetch(const char* l, uint64_t a) {
  trap_reset();
  ((void (*)(void))a)();
  show_trap(l);
}

static void s_tests(uint64_t unused) {
  (void)unused;
  uint64_t r0 = (uint64_t)region[0], r1 = (uint64_t)region[1], r2 = (uint64_t)region[2];
  try_load("S load r0 (NAPOT R)", r0);
  try_store("S store r0", r0);
  try_fetch("S fetch r0", r0);
  try_load("S load r1 (TOR none)", r1 + 8);
  try_store("S store r1", r1 + 0xff8);
  try_load("S load r2 (NA4 X)", r2);
  try_fetch("S fetch r2", r2);
  try_load("S load r2+8 (entry 15)", r2 + 8);
  try_store("S store r2+4", r2 + 4);
  // Entry 4 (NA4 at r2+0x2c, nothing allowed) ends inside an 8-byte access at r2+0x28.
  try_lw("S lw r2+0x28 (entry 15)", r2 + 0x28);
  try_load("S ld r2+0x28 (last bytes in entry 4)", r2 + 0x28);
  try_lh("S lh r2+0x2a", r2 + 0x2a);
  try_lh("S lh r2+0x2c (entry 4)", r2 + 0x2c);
  try_sw("S sw r2+0x28", r2 + 0x28);
  try_store("S sd r2+0x28", r2 + 0x28);
  try_load("S ld r2+0x30 (entry 15)", r2 + 0x30);
  try_lw("S lw r2+0x28 again", r2 + 0x28);
  try_load("S ld r2+0x28 again", r2 + 0x28);
}

int main(void) {
  uint64_t r0 = (uint64_t)region[0], r1 = (uint64_t)region[1], r2 = (uint64_t)region[2], r3 = (uint64_t)region[3];
  *(volatile uint32_t*)r0 = 0x00008067;  // ret
  *(volatile uint32_t*)r2 = 0x00008067;
  __asm__ volatile("fence.i");
  // 0: NAPOT r0 (4 KiB) R; 1-2: TOR [r1, r1+4K) nothing; 3: NA4 at r2 X; 4: NA4 at r2+0x2c
  // nothing; 15: everything RWX.
  CSR_WRITE(pmpaddr0, napot(r0, 4096));
  CSR_WRITE(pmpaddr1, r1 >> 2);
  CSR_WRITE(pmpaddr2, (r1 + 4096) >> 2);
  CSR_WRITE(pmpaddr3, r2 >> 2);
  CSR_WRITE(pmpaddr4, (r2 + 0x2c) >> 2);
  CSR_WRITE(pmpcfg0, (0x10ull << 32) | (0x14ull << 24) | (0x08ull << 16) | (0x00ull << 8) | 0x19);
  pmp_open_all();
  show("pmpcfg0", CSR_READ(pmpcfg0));
  show("pmpaddr0", CSR_READ(pmpaddr0));
  show("pmpcfg2", CSR_READ(pmpcfg2));
  run_in_mode(1, s_tests, 0);
  run_in_mode(0, s_tests, 0);
  // M is not bound by unlocked entries.
  try_store("M store r0", r0);
  try_load("M load r1", r1);

  // The S page walk reads PTEs through PMP too: a root table in r1 (no access) faults with an
  // access fault of the access's kind.
  uint64_t* root = (uint64_t*)r3;
  for (int i = 0; i < 512; ++i) root[i] = 0;
  root[2] = ((0x80000000ull >> 12) << 10) | 0xcf;  // gigapage RWX A D
  root[0] = ((0ull >> 12) << 10) | 0xc7;           // devices
  CSR_WRITE(satp, (8ull << 60) | (r3 >> 12));
  __asm__ volatile("sfence.vma");
  puts_("-- S with paging, tables readable\n");
  run_in_mode(1, s_tests, 0);
  // Entry 1 (TOR over r1) now also covers r3: tables unreadable -> every S access faults.
  CSR_WRITE(pmpaddr2, (r3 + 4096) >> 2);
  trap_reset();
  fetch_fault_ends_mode = 1;
  run_in_mode(1, s_tests, 0);
  fetch_fault_ends_mode = 0;
  show_trap("S with unreadable tables");
  CSR_WRITE(satp, 0);
  CSR_WRITE(pmpaddr2, (r1 + 4096) >> 2);
  __asm__ volatile("sfence.vma");

  // Locking: entry 0 locked, R only: M loses write; the entry and its address are frozen.
  CSR_SET(pmpcfg0, 0x80);
  try_store("M store r0 locked", r0);
  try_load("M load r0 locked", r0);
  CSR_CLEAR(pmpcfg0, 0xff);
  show("pmpcfg0 after clear", CSR_READ(pmpcfg0));
  CSR_WRITE(pmpaddr0, 0);
  show("pmpaddr0 after write", CSR_READ(pmpaddr0));
  return 0;
}
