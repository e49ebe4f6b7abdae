// SFENCE.VMA with ASIDs (Sv39): satp's 16 ASID bits, and every flush the architecture requires
// to take effect: rs1=x0 with the current ASID for non-global pages, rs1=page with the ASID for
// that page, a full flush for global pages, a satp write to another ASID followed by its flush;
// sfence.vma with rs2 is illegal in U and under TVM. (Which stale entries an implementation may
// keep after a flush of another ASID differs between implementations: not printed.)
#include "lib.h"

#define V 1ull
#define R 2ull
#define W 4ull
#define X 8ull
#define G 32ull
#define A 64ull
#define D 128ull

static uint64_t tables[3][512] __attribute__((aligned(4096)));
static uint64_t pages[4][512] __attribute__((aligned(4096)));

#define VA_N 0x40000000ull  // non-global 4 KiB page
#define VA_G 0x40001000ull  // global 4 KiB page

static uint64_t* leaf(uint64_t va) { return &tables[2][(va >> 12) & 511]; }
static void map(uint64_t va, unsigned page, uint64_t flags) {
  *leaf(va) = (((uint64_t)pages[page] >> 12) << 10) | V | R | W | A | D | flags;
  __asm__ volatile("fence rw, rw" ::: "memory");
}
static uint64_t load(uint64_t va) {
  uint64_t v;
  __asm__ volatile("ld %0, 0(%1)" : "=r"(v) : "r"(va) : "memory");
  return v;
}
static uint64_t satp_for(uint64_t asid) { return (8ull << 60) | (asid << 44) | ((uint64_t)tables[0] >> 12); }

// S mode: which page each address reads now.
static void s_show(uint64_t label) {
  puts_((const char*)label);
  puts_(": N=");
  put_hex(load(VA_N));
  puts_(" G=");
  put_hex(load(VA_G));
  putc_('\n');
}

static void s_flush_asid(uint64_t asid) {
  __asm__ volatile("sfence.vma x0, %0" ::"r"(asid) : "memory");
  s_show((uint64_t) "after sfence.vma x0, asid");
}
static void s_flush_page_asid(uint64_t asid) {
  __asm__ volatile("sfence.vma %0, %1" ::"r"(VA_N), "r"(asid) : "memory");
  s_show((uint64_t) "after sfence.vma N, asid");
}
static void s_flush_all(uint64_t unused) {
  (void)unused;
  __asm__ volatile("sfence.vma" ::: "memory");
  s_show((uint64_t) "after sfence.vma");
}
// U-mode code runs through a U alias of the program and must touch no S page: naked.
#define ALIAS 0x100000000ull
__attribute__((naked)) static void u_sfence_asid(uint64_t asid) { __asm__ volatile("sfence.vma x0, a0\n ret"); }
static void try_sfence_asid(uint64_t asid) {
  trap_reset();
  __asm__ volatile("sfence.vma x0, %0" ::"r"(asid) : "memory");
  show_trap("sfence.vma x0, asid");
}

int main(void) {
  pmp_open_all();
  for (int i = 0; i < 4; ++i) pages[i][0] = 0x1111111111111111ull * (i + 1);
  // Root: devices (gigapage 0) and the program (gigapage 2) global; gigapage 1 -> level 1 -> leaves.
  tables[0][0] = (0ull << 10) | V | R | W | A | D | G;
  tables[0][2] = ((0x80000000ull >> 12) << 10) | V | R | W | X | A | D | G;
  tables[0][1] = (((uint64_t)tables[1] >> 12) << 10) | V;
  tables[0][6] = ((0x80000000ull >> 12) << 10) | V | R | X | 16 /* U */ | A | D;  // 0x80000000 + ALIAS
  tables[1][0] = (((uint64_t)tables[2] >> 12) << 10) | V;
  map(VA_N, 0, 0);
  map(VA_G, 1, G);

  CSR_WRITE(satp, satp_for(0xffff));
  show("satp ASID bits", (CSR_READ(satp) >> 44) & 0xffff);
  CSR_WRITE(satp, satp_for(5));
  __asm__ volatile("sfence.vma" ::: "memory");
  run_in_mode(1, s_show, (uint64_t) "ASID 5");

  map(VA_N, 2, 0);
  run_in_mode(1, s_flush_asid, 5);
  map(VA_N, 3, 0);
  run_in_mode(1, s_flush_page_asid, 5);
  map(VA_G, 2, G);
  run_in_mode(1, s_flush_all, 0);

  // Another address space: its own flush after the switch makes its tables' current state seen.
  map(VA_N, 0, 0);
  CSR_WRITE(satp, satp_for(6));
  run_in_mode(1, s_flush_asid, 6);
  show("satp", CSR_READ(satp) == satp_for(6));

  // Illegal in U (always) and in S under TVM; legal in M.
  mode_offset = ALIAS;
  trap_reset();
  run_in_mode(0, u_sfence_asid, 6);
  mode_offset = 0;
  show_trap("U sfence.vma x0, asid");
  CSR_SET(mstatus, MSTATUS_TVM);
  run_in_mode(1, try_sfence_asid, 6);
  CSR_CLEAR(mstatus, MSTATUS_TVM);
  try_sfence_asid(6);
  CSR_WRITE(satp, 0);
  __asm__ volatile("sfence.vma" ::: "memory");
  return 0;
}
