/* Two vCPUs race on shared memory without any synchronisation: each increments a counter with a
   load and a store in different blocks (a vCPU switch between them loses updates) and mixes its
   id into a shared hash, which so records the interleaving. Run with -smp 2 (the second vCPU
   starts through PSCI CPU_ON); the result depends on where the switches fall, so under `-accel
   tcg,thread=single` (round robin sliced by block entries) two runs must print the same lines
   (tests/system/rr_determinism.py, as tests/system/riscv/smp_race.c). */
#include "lib.h"

#define ITERATIONS 300000
#define PSCI_CPU_ON 0xc4000003ull

/* On a page of their own: stores to a page holding translated code take the self-modifying
   code path (the test is about the interleaving, not that). */
static volatile struct {
  uint64_t counter, shared_hash, switches, last_writer, cpu1_done;
} race_state __attribute__((aligned(4096)));
#define counter race_state.counter
#define shared_hash race_state.shared_hash
#define switches race_state.switches
#define last_writer race_state.last_writer
#define cpu1_done race_state.cpu1_done
uint64_t secondary_stack[512] __attribute__((aligned(16)));

static __attribute__((noinline)) void race(uint64_t id) {
  for (uint64_t i = 0; i < ITERATIONS; ++i) {
    uint64_t v = counter;
    /* A branch the compiler keeps: the store below starts another block than the load. */
    if ((i & 7) == id) __asm__ volatile("nop");
    counter = v + 1;
    uint64_t h = shared_hash;
    shared_hash = h * 31 + id + 1;
    if (last_writer != id) {
      switches = switches + 1;
      last_writer = id;
    }
  }
}

__attribute__((noreturn)) void secondary_main(void) {
  race(1);
  cpu1_done = 1;
  for (;;) __asm__ volatile("wfi");
}

__asm__(
    ".globl secondary_entry\n"
    "secondary_entry:\n"
    "  ldr x1, =secondary_stack + 4096\n"
    "  mov sp, x1\n"
    "  ldr x1, =vectors\n"
    "  msr vbar_el1, x1\n"
    "  isb\n"
    "  b secondary_main\n");
void secondary_entry(void);

static void put_dec(uint64_t v) {
  char buf[24];
  int n = 0;
  do {
    buf[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  while (n) putc_(buf[--n]);
}

int main(void) {
  last_writer = 0;
  show("CPU_ON", psci_call(PSCI_CPU_ON, 1, (uint64_t)secondary_entry, 0));
  race(0);
  while (!cpu1_done) {
  }
  puts_("counter=");
  put_dec(counter);
  puts_(counter <= 2 * ITERATIONS ? " (<= 2 x iterations)\n" : " (too many!)\n");
  show("hash", shared_hash);
  puts_("switches=");
  put_dec(switches);
  putc_('\n');
  return 0;
}
