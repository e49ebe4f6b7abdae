// Two harts race on shared memory without any synchronisation: each increments a counter with
// a load and a store in different blocks (a hart switch between them loses updates) and mixes
// its id into a shared hash, which so records the interleaving. Run with -smp 2; the result
// depends on where hart switches fall, so under `-accel tcg,thread=single` (round robin sliced
// by block entries) two runs must print the same lines (tests/system/rr_determinism.py).
#include "lib.h"

#define ITERATIONS 300000

extern volatile uint64_t secondary_entry;

static volatile uint64_t counter, shared_hash, switches, last_writer;
static volatile int hart1_done;

static __attribute__((noinline)) void race(uint64_t id) {
  for (uint64_t i = 0; i < ITERATIONS; ++i) {
    uint64_t v = counter;
    // A branch the compiler keeps: the store below starts another block than the load.
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

static void hart1_main(void) {
  *CLINT_MSIP(1) = 0;
  race(1);
  hart1_done = 1;
  for (;;) __asm__ volatile("wfi");
}

int main(void) {
  last_writer = 0;
  secondary_entry = (uint64_t)hart1_main;
  __asm__ volatile("fence rw, rw" ::: "memory");
  *CLINT_MSIP(1) = 1;
  race(0);
  while (!hart1_done) {
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
