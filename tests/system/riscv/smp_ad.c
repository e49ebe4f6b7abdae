// Two harts walk the same page table at once with every A bit clear, so that both set the A bit
// of the same PTE together: the hart whose compare-and-swap loses must walk again from the root
// (a walk that went on from the leaf table read a leaf PTE as a gigapage and faulted). Each round
// hart 0 clears the A bits, both harts sfence.vma and load one word of every page through the
// fresh walks; the M-mode handler counts faults. Run with -smp 2; QEMU is the reference.
#include "lib.h"

#define V 1ull
#define R 2ull
#define W 4ull
#define X 8ull
#define A 64ull
#define D 128ull
#define NPAGES 64
#define ROUNDS 400
#define DATA_VA 0x40000000ull

static uint64_t root[512] __attribute__((aligned(4096)));
static uint64_t l1[512] __attribute__((aligned(4096)));
static uint64_t l0[512] __attribute__((aligned(4096)));
static uint64_t data[NPAGES][512] __attribute__((aligned(4096)));

// Per hart: the M handler's save area (t0, t1) and its fault count; the hart's wrong values.
struct Scratch {
  uint64_t t0, t1, faults, wrong;
};
static struct Scratch scratch[2];
static volatile uint64_t arrived, finished;
extern volatile uint64_t secondary_entry;
void fault_entry(void);

// A fault skips the 4-byte load (the loads below are never compressed).
__asm__(
    ".align 2\n"
    "fault_entry:\n"
    "  csrrw sp, mscratch, sp\n"
    "  sd t0, 0(sp)\n"
    "  sd t1, 8(sp)\n"
    "  ld t0, 16(sp)\n"
    "  addi t0, t0, 1\n"
    "  sd t0, 16(sp)\n"
    "  csrr t0, mepc\n"
    "  addi t0, t0, 4\n"
    "  csrw mepc, t0\n"
    "  ld t0, 0(sp)\n"
    "  ld t1, 8(sp)\n"
    "  csrrw sp, mscratch, sp\n"
    "  mret\n");

static uint64_t load_word(uint64_t va) {
  uint64_t v = ~0ull;
  __asm__ volatile(".option push\n.option norvc\nld %0, 0(%1)\n.option pop" : "+r"(v) : "r"(va) : "memory");
  return v;
}

static void barrier(uint64_t k) {
  __atomic_fetch_add(&arrived, 1, __ATOMIC_SEQ_CST);
  while (__atomic_load_n(&arrived, __ATOMIC_SEQ_CST) < 2 * (k + 1)) {
  }
}

static void s_rounds(unsigned hart) {
  for (uint64_t r = 0; r < ROUNDS; ++r) {
    barrier(2 * r);
    if (hart == 0)
      for (int i = 0; i < NPAGES; ++i) l0[i] &= ~A;
    barrier(2 * r + 1);
    __asm__ volatile("sfence.vma" ::: "memory");
    for (int i = 0; i < NPAGES; ++i)
      if (load_word(DATA_VA + 4096ull * i) != 0x1000ull + i) scratch[hart].wrong++;
  }
}

static void s_hart1(void) {
  s_rounds(1);
  __atomic_store_n(&finished, 1, __ATOMIC_SEQ_CST);
  for (;;) {
  }
}

static void s_hart0(void) {
  s_rounds(0);
  while (!__atomic_load_n(&finished, __ATOMIC_SEQ_CST)) {
  }
  puts_("rounds=");
  put_dec(ROUNDS);
  for (int h = 0; h < 2; ++h) {
    puts_(h ? " hart1" : " hart0");
    puts_(" faults=");
    put_dec(scratch[h].faults);
    puts_(" wrong=");
    put_dec(scratch[h].wrong);
  }
  putc_('\n');
  test_exit(0);  // the UART and the test device are mapped in S (gigapage 0)
}

// From M on this hart's stack: all memory for S in PMP, this hart's handler, Sv39, then S at fn.
static __attribute__((noreturn)) void enter_s(unsigned hart, void (*fn)(void)) {
  CSR_WRITE(pmpaddr0, ~0ull >> 10);
  CSR_WRITE(pmpcfg0, 0x1f);  // NAPOT, RWX
  CSR_WRITE(mtvec, (uint64_t)fault_entry);
  CSR_WRITE(mscratch, (uint64_t)&scratch[hart]);
  CSR_WRITE(satp, (8ull << 60) | ((uint64_t)root >> 12));
  __asm__ volatile("sfence.vma" ::: "memory");
  CSR_CLEAR(mstatus, MSTATUS_MPP);
  CSR_SET(mstatus, 1ull << 11);  // MPP = S
  CSR_WRITE(mepc, (uint64_t)fn);
  __asm__ volatile("mret");
  __builtin_unreachable();
}

static void hart1_main(void) {
  *CLINT_MSIP(1) = 0;
  enter_s(1, s_hart1);
}

int main(void) {
  // Gigapages 0 (devices) and 2 (RAM, identity: code, stacks, page tables); 0x40000000 in 4 KiB
  // pages whose A bits the harts race to set. D is set: the loads only need A.
  root[0] = (0ull << 10) | V | R | W | A | D;
  root[2] = ((0x80000000ull >> 12) << 10) | V | R | W | X | A | D;
  root[1] = (((uint64_t)l1 >> 12) << 10) | V;
  l1[0] = (((uint64_t)l0 >> 12) << 10) | V;
  for (int i = 0; i < NPAGES; ++i) {
    data[i][0] = 0x1000ull + i;
    l0[i] = (((uint64_t)data[i] >> 12) << 10) | V | R | W | D;
  }
  secondary_entry = (uint64_t)hart1_main;
  __asm__ volatile("fence rw, rw" ::: "memory");
  *CLINT_MSIP(1) = 1;
  enter_s(0, s_hart0);
}
