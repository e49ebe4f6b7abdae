// Stage-1 translation with the 4K, 16K and 64K granules: an identity map of the UART and RAM
// by blocks, and a test region at VA 0x80000000 whose pages give a readable page, an access flag
// fault, a write permission fault, a translation fault at the last level and one level up; AT
// S1E1R's PAR_EL1 for each. Every fault prints its ESR and FAR.
#include "lib.h"

static volatile uint64_t trap_pc;
static volatile int faulted;

uint64_t trap(uint64_t kind, uint64_t* frame) {
  (void)frame;
  uint64_t esr = READ_SYSREG(esr_el1);
  puts_("  fault vector=");
  puthex(kind * 0x80);
  puts_(" esr=");
  puthex(esr);
  puts_(" far=");
  puthex(READ_SYSREG(far_el1));
  putc_('\n');
  faulted = 1;
  if (kind != 4 || (esr >> 26) != 0x25) exit_with(2);  // only data aborts at EL1 are expected
  return READ_SYSREG(elr_el1) + 4;
}

#define TEST_VA 0x80000000ull
#define MAX_TABLE (64 * 1024)
// Three tables of the largest granule: the start level, an intermediate one (4K), the last level.
static uint64_t tables[3][MAX_TABLE / 8] __attribute__((aligned(MAX_TABLE)));
static uint64_t data_page[MAX_TABLE / 8] __attribute__((aligned(MAX_TABLE)));

enum { kValid = 1, kTable = 3, kPage = 3, kBlock = 1, kAf = 1 << 10, kRo = 1 << 7, kAttrNormal = 1 << 2 };

static uint64_t load(uint64_t va) {
  uint64_t v = 0;
  faulted = 0;
  __asm__ volatile("mov x1, %1\n ldr %0, [x1]" : "+r"(v) : "r"(va) : "x1", "memory");
  return v;
}
static void store(uint64_t va, uint64_t v) {
  faulted = 0;
  __asm__ volatile("mov x1, %0\n str %1, [x1]" ::"r"(va), "r"(v) : "x1", "memory");
}
static uint64_t at_s1e1r(uint64_t va) {
  __asm__ volatile("at s1e1r, %0\n isb" ::"r"(va) : "memory");
  return READ_SYSREG(par_el1);
}

static void mmu_off(void) {
  WRITE_SYSREG(sctlr_el1, READ_SYSREG(sctlr_el1) & ~1ull);
  __asm__ volatile("isb\n tlbi vmalle1\n dsb sy\n isb" ::: "memory");
}

// One granule: `gbits` 12/14/16 with the T0SZ that makes the start level hold blocks.
static void run(unsigned gbits, unsigned t0sz, unsigned tg0, unsigned start_level) {
  unsigned stride = gbits - 3;
  uint64_t entries = 1ull << stride;
  for (int t = 0; t < 3; t++)
    for (uint64_t i = 0; i < entries; i++) tables[t][i] = 0;
  unsigned top_shift = gbits + stride * (3 - start_level);  // what one start-level entry maps
  uint64_t* top = tables[0];
  // The UART's block (device memory, attr 0) and RAM's (normal, attr 1), both identity.
  top[0x09000000ull >> top_shift] = ((0x09000000ull >> top_shift) << top_shift) | kAf | kBlock;
  for (uint64_t a = 0x40000000ull; a < 0x48000000ull; a += 1ull << top_shift)
    top[a >> top_shift] = a | kAf | kAttrNormal | kBlock;
  // The test region: down to the last level through one intermediate table where the start
  // level is 1 (4K).
  uint64_t* last = tables[2];
  if (start_level == 1) {
    top[TEST_VA >> top_shift] = (uint64_t)tables[1] | kTable;
    tables[1][(TEST_VA >> (gbits + stride)) & (entries - 1)] = (uint64_t)last | kTable;
  } else {
    top[TEST_VA >> top_shift] = (uint64_t)last | kTable;
  }
  uint64_t page = 1ull << gbits;
  data_page[0] = 0x1234567890abcdefull;
  last[0] = (uint64_t)data_page | kAf | kAttrNormal | kPage;        // readable, writable
  last[1] = (uint64_t)data_page | kAttrNormal | kPage;              // AF clear
  last[2] = (uint64_t)data_page | kAf | kRo | kAttrNormal | kPage;  // read-only
  // last[3] invalid; the next entry of the level above is invalid too.

  WRITE_SYSREG(mair_el1, 0xff00);  // attr 0 device nGnRnE, attr 1 normal write-back
  // TCR: T0SZ, inner/outer write-back, inner shareable, TG0, EPD1, IPS 40 bits.
  WRITE_SYSREG(tcr_el1, t0sz | (1u << 8) | (1u << 10) | (3u << 12) | ((uint64_t)tg0 << 14) | (1u << 23) | (2ull << 32));
  WRITE_SYSREG(ttbr0_el1, (uint64_t)top);
  __asm__ volatile("dsb sy\n tlbi vmalle1\n dsb sy\n isb" ::: "memory");
  WRITE_SYSREG(sctlr_el1, READ_SYSREG(sctlr_el1) | 1);
  __asm__ volatile("isb" ::: "memory");

  show(" read mapped page", load(TEST_VA));
  store(TEST_VA + 8, 42);
  show(" store then read back", data_page[1]);
  show(" PAR mapped", at_s1e1r(TEST_VA) & ~0xfffull);
  puts_(" read with AF clear\n");
  load(TEST_VA + page);
  show(" PAR AF clear", at_s1e1r(TEST_VA + page));
  show(" read read-only page", load(TEST_VA + 2 * page));
  puts_(" write read-only page\n");
  store(TEST_VA + 2 * page, 1);
  puts_(" read invalid page\n");
  load(TEST_VA + 3 * page);
  show(" PAR invalid", at_s1e1r(TEST_VA + 3 * page));
  uint64_t next_table = start_level == 1 ? 1ull << (gbits + stride) : 1ull << top_shift;
  puts_(" read past the last-level table\n");
  load(TEST_VA + next_table);
  mmu_off();
}

int main(void) {
  uint64_t mmfr0 = READ_SYSREG(id_aa64mmfr0_el1);
  puts_("4K granule\n");
  run(12, 25, 0, 1);
  if (((mmfr0 >> 24) & 15) == 0) {
    puts_("64K granule\n");
    run(16, 22, 1, 2);
  }
  if (((mmfr0 >> 20) & 15) != 0) {
    puts_("16K granule\n");
    run(14, 28, 2, 2);
  }
  return 0;
}
