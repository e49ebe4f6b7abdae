// Virtual memory in every mode (Sv39, Sv48, Sv57): 4 KiB pages and superpages, the hardware A/D
// update, R/W/X permissions, MXR, SUM, U pages from U and S, MPRV with MPP, reserved PTE
// encodings, misaligned superpages, non-canonical addresses, and the fault causes with stval.
#include "lib.h"

#define V 1ull
#define R 2ull
#define W 4ull
#define X 8ull
#define U 16ull
#define A 64ull
#define D 128ull

static uint64_t pool[48][512] __attribute__((aligned(4096)));
static unsigned npool;
static uint8_t pages[8][4096] __attribute__((aligned(4096)));
static unsigned levels;
static uint64_t* root;

static uint64_t* alloc_table(void) {
  uint64_t* t = pool[npool++];
  for (int i = 0; i < 512; ++i) t[i] = 0;
  return t;
}
// The PTE slot for va at `level`, creating the tables above it.
static uint64_t* slot(uint64_t va, int level) {
  uint64_t* t = root;
  for (int l = (int)levels - 1; l > level; --l) {
    uint64_t* e = &t[(va >> (12 + 9 * l)) & 511];
    if (!(*e & V)) *e = (((uint64_t)alloc_table() >> 12) << 10) | V;
    t = (uint64_t*)((*e >> 10) << 12);
  }
  return &t[(va >> (12 + 9 * level)) & 511];
}
static void map(uint64_t va, uint64_t pa, uint64_t flags, int level) { *slot(va, level) = ((pa >> 12) << 10) | flags; }
static void sfence(void) { __asm__ volatile("sfence.vma" ::: "memory"); }

#define VA_A 0x40000000ull  // RW, A and D clear
#define VA_B 0x40001000ull  // R
#define VA_C 0x40002000ull  // X only
#define VA_D 0x40003000ull  // U RW
#define VA_E 0x40004000ull  // invalid
#define VA_F 0x40005000ull  // W without R (reserved)
#define VA_G 0x40006000ull  // U X: holds a `ret`
#define VA_H 0x40007000ull  // R with PBMT bits (reserved without Svpbmt)
#define VA_SUPER 0x40200000ull
#define VA_MISALIGNED 0x40400000ull
#define VA_SUPER_AD 0x40600000ull  // 2 MiB, A and D clear
#define ALIAS 0x100000000ull       // U-mode alias of the program (gigapage 6 -> 0x80000000)

static uint64_t load(uint64_t va) {
  uint64_t v;
  __asm__ volatile("ld %0, 0(%1)" : "=r"(v) : "r"(va) : "memory");
  return v;
}
static void store(uint64_t va, uint64_t v) { __asm__ volatile("sd %0, 0(%1)" ::"r"(v), "r"(va) : "memory"); }
static void try_load(const char* label, uint64_t va) {
  trap_reset();
  uint64_t v = load(va);
  if (last_trap.count)
    show_trap(label);
  else {
    puts_(label);
    show(": value", v);
  }
}
static void try_store(const char* label, uint64_t va) {
  trap_reset();
  store(va, 0x5a5a5a5a);
  show_trap(label);
}
static void try_fetch(const char* label, uint64_t va) {
  trap_reset();
  ((void (*)(void))va)();
  show_trap(label);
}

static void s_tests(uint64_t top_va) {
  try_load("S load A", VA_A);
  show("pte A after load", *slot(VA_A, 0) & 0xff);
  try_store("S store A", VA_A);
  show("pte A after store", *slot(VA_A, 0) & 0xff);
  try_load("S load B", VA_B);
  try_store("S store B", VA_B);
  try_load("S load C", VA_C);
  try_load("S load D", VA_D);
  try_load("S load E", VA_E);
  try_load("S load F", VA_F);
  try_load("S load H", VA_H);
  try_fetch("S fetch G", VA_G);
  try_fetch("S fetch B", VA_B);
  try_load("S load super", VA_SUPER + 0x1238);
  try_load("S load misaligned super", VA_MISALIGNED);
  try_load("S load super A/D", VA_SUPER_AD + 0x10);
  show("super pte after load", *slot(VA_SUPER_AD, 1) & 0xff);
  try_store("S store super A/D", VA_SUPER_AD + 0x10);
  show("super pte after store", *slot(VA_SUPER_AD, 1) & 0xff);
  try_load("S load top", top_va);
  try_load("S load noncanonical", top_va ^ (1ull << 63));
  CSR_SET(sstatus, MSTATUS_MXR);
  try_load("S+MXR load C", VA_C);
  CSR_CLEAR(sstatus, MSTATUS_MXR);
  CSR_SET(sstatus, MSTATUS_SUM);
  try_load("S+SUM load D", VA_D);
  try_store("S+SUM store D", VA_D);
  try_fetch("S+SUM fetch G", VA_G);
  CSR_CLEAR(sstatus, MSTATUS_SUM);
  // Misaligned loads across pages: both halves, or a fault naming the unmapped page's part.
  try_load("S load across A|B", VA_A + 0xffc);
  try_load("S load across D|E", VA_D + 0xffa);
  // An instruction whose second half is on a page S cannot execute.
  try_fetch("S fetch straddling C|D", VA_C + 0xffe);
  // A PTE changed under the hart: visible after sfence.vma.
  *slot(VA_E, 0) = (((uint64_t)pages[4] >> 12) << 10) | V | R | A;
  sfence();
  try_load("S load E remapped", VA_E);
  *slot(VA_E, 0) = 0;
  sfence();
  // A megapage remapped: sfence.vma of one address inside it drops its other 4 KiB pieces too.
  try_load("S load super+0x5000", VA_SUPER + 0x5000);
  *slot(VA_SUPER, 1) = ((0x80600000ull >> 12) << 10) | V | R | W | A | D;
  __asm__ volatile("sfence.vma %0" ::"r"(VA_SUPER) : "memory");
  try_load("S load super+0x5000 remapped, sfence.vma of super+0", VA_SUPER + 0x5000);
  *slot(VA_SUPER, 1) = ((0x80200000ull >> 12) << 10) | V | R | W | A | D;
  sfence();
}
static void s_entry(uint64_t top_va) { s_tests(top_va); }

// U-mode code runs through the alias; it must not touch the stack (S pages).
__attribute__((naked)) static void u_load(uint64_t va) { __asm__ volatile("ld t0, 0(a0)\n ret"); }
__attribute__((naked)) static void u_fetch(uint64_t va) { __asm__ volatile("jr a0"); }

static void run_mode(unsigned mode, uint64_t top_va) {
  puts_("== satp mode ");
  put_dec(mode);
  putc_('\n');
  npool = 0;
  levels = mode == 8 ? 3 : mode == 9 ? 4 : 5;
  root = alloc_table();
  map(0, 0, V | R | W | A | D, 2);                        // devices
  map(0x80000000, 0x80000000, V | R | W | X | A | D, 2);  // the program
  map(0x80000000 + ALIAS, 0x80000000, V | R | W | X | U | A | D, 2);
  map(VA_A, (uint64_t)pages[0], V | R | W, 0);
  map(VA_B, (uint64_t)pages[1], V | R | A, 0);
  map(VA_C, (uint64_t)pages[2], V | X | A, 0);
  map(VA_D, (uint64_t)pages[3], V | R | W | U | A | D, 0);
  map(VA_F, (uint64_t)pages[5], V | W | A | D, 0);
  map(VA_G, (uint64_t)pages[6], V | X | U | A, 0);
  map(VA_H, (uint64_t)pages[7], V | R | A | (1ull << 61), 0);
  map(VA_SUPER, 0x80200000, V | R | W | A | D, 1);
  map(VA_MISALIGNED, 0x80201000, V | R | A, 1);
  map(VA_SUPER_AD, 0x80400000, V | R | W, 1);
  map(top_va, (uint64_t)pages[4], V | R | A, 0);
  for (int i = 0; i < 8; ++i) *(volatile uint64_t*)pages[i] = 0x1111111111111111ull * (i + 1);
  *(volatile uint32_t*)pages[6] = 0x00008067;  // ret
  *(volatile uint32_t*)pages[1] = 0x00008067;
  *(volatile uint16_t*)(pages[2] + 0xffe) = 0x0013;  // the low half of a 4-byte nop
  __asm__ volatile("fence.i");
  *(volatile uint64_t*)(0x80200000 + 0x1238) = 0xabcdef;
  *(volatile uint64_t*)(0x80200000 + 0x5000) = 0x5151;  // what VA_SUPER + 0x5000 reads, and
  *(volatile uint64_t*)(0x80600000 + 0x5000) = 0x6161;  // after the megapage is moved here
  CSR_WRITE(satp, ((uint64_t)mode << 60) | ((uint64_t)root >> 12));
  sfence();
  run_in_mode(1, s_entry, top_va);
  // U mode through the alias.
  mode_offset = ALIAS;
  trap_reset();
  run_in_mode(0, u_load, VA_D);
  show_trap("U load D");
  run_in_mode(0, u_load, VA_A);
  show_trap("U load A");
  trap_reset();
  run_in_mode(0, u_fetch, VA_G);
  show_trap("U fetch G");
  CSR_SET(mstatus, MSTATUS_MXR);
  trap_reset();
  run_in_mode(0, u_load, VA_G);
  show_trap("U+MXR load G");
  CSR_CLEAR(mstatus, MSTATUS_MXR);
  mode_offset = 0;
  // MPRV: M-mode loads translated as MPP (the faulting one clears MPRV right after itself).
  CSR_CLEAR(mstatus, MSTATUS_MPP);
  CSR_SET(mstatus, 1ull << 11);
  uint64_t v;
  __asm__ volatile("csrs mstatus, %1\n ld %0, 0(%2)\n csrc mstatus, %1"
                   : "=&r"(v)
                   : "r"(MSTATUS_MPRV), "r"(VA_B)
                   : "memory");
  show("M+MPRV(S) load B", v);
  CSR_CLEAR(mstatus, MSTATUS_MPP);
  trap_reset();
  __asm__ volatile("csrs mstatus, %1\n ld %0, 0(%2)\n csrc mstatus, %1"
                   : "=&r"(v)
                   : "r"(MSTATUS_MPRV), "r"(VA_B)
                   : "memory");
  show_trap("M+MPRV(U) load B");
  CSR_WRITE(satp, 0);
  sfence();
}

int main(void) {
  pmp_open_all();
  run_mode(8, 0xffffffc000001000ull);
  run_mode(9, 0xffff800000001000ull);
  run_mode(10, 0xff00000000001000ull);
  return 0;
}
