// Runs the generated vector-instruction cases (cases.S, gen_rvv_cases.py) one at a time: the
// vector registers, a data buffer and the scalar operands are filled from a per-case seed, the
// case runs (vsetvl, optional vxrm/frm/vstart, the instruction) and one line reports a hash of
// everything it could change, with vl, vxsat and fflags, or ILL / SEGV.
// RVV_VERBOSE=<case> prints that case's changed registers and buffer bytes instead.
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct Case {
  void (*fn)(void);
  uint32_t flags;  // bit 0: FP inputs, bit 1: indexed (small offsets in vs2 group), bits 8-15: SEW, 16-20: vs2
  uint32_t pad;
  uint64_t a1, a2, f2;
};
extern const struct Case rvv_cases[];
extern const uint64_t rvv_num_cases;

struct Regs {
  uint64_t a0, a1, a2, a3, fa2, fa3;
  uint8_t *vin, *vout;
  uint64_t vl, vtype, vstart, vxsat, fflags;
};
extern void rvv_run(void (*fn)(void), struct Regs* r);

static uint64_t rng;
static uint64_t next(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static const uint32_t kSpecial32[] = {0x00000000, 0x80000000, 0x3f800000, 0xbfc00000, 0x7f800000, 0xff800000,
                                      0x7fc00000, 0x7fa00000, 0x00000001, 0x7f7fffff, 0x00800000, 0x40400000,
                                      0x807fffff, 0x4f800000, 0xcf000000, 0x3effffff};
static const uint16_t kSpecial16[] = {0x0000, 0x8000, 0x3c00, 0xbe00, 0x7c00, 0xfc00, 0x7e00, 0x7d00,
                                      0x0001, 0x7bff, 0x0400, 0x4200, 0x83ff, 0x5bff, 0xd800, 0x3bff};
static const uint64_t kSpecial64[] = {0, 0x8000000000000000ull, 0x3ff0000000000000ull, 0xbff8000000000000ull,
                                      0x7ff0000000000000ull, 0xfff0000000000000ull, 0x7ff8000000000000ull,
                                      0x7ff4000000000000ull, 1, 0x7fefffffffffffffull, 0x0010000000000000ull,
                                      0x4008000000000000ull, 0x43f0000000000000ull, 0xc3e0000000000000ull,
                                      0x41f0000000000000ull, 0x3fdfffffffffffffull};

#define BUF 20480
static uint8_t buf[BUF], buf0[BUF];
static uint8_t vin[512], vout[512];
static sigjmp_buf jump;
static volatile int sig_seen;

static void on_signal(int sig) {
  sig_seen = sig;
  siglongjmp(jump, 1);
}

static uint64_t fnv(uint64_t h, const void* p, size_t n) {
  const uint8_t* b = p;
  for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001b3ull;
  return h;
}

static void fill(unsigned k, const struct Case* c) {
  rng = 0x9e3779b97f4a7c15ull ^ (k * 0x2545f4914f6cdd1dull);
  for (int i = 0; i < 512; i += 8) {
    uint64_t v = next();
    memcpy(vin + i, &v, 8);
  }
  unsigned sew = (c->flags >> 8) & 0xff;
  if ((c->flags & 1) && sew == 8) sew = 16;  // the f16 sources of conversions to 8-bit integers
  if ((c->flags & 1) && sew >= 16) {
    for (int i = 0; i < 512; i += sew / 8) {
      uint64_t r = next();
      if (r % 3 == 0) continue;  // keep a random pattern
      if (sew == 16) {
        uint16_t v = (r >> 8) % 2 ? kSpecial16[(r >> 16) % 16] : (uint16_t)(0x3000 + ((r >> 20) % 0x1800)) ^ ((r >> 60) << 15);
        memcpy(vin + i, &v, 2);
      } else if (sew == 32) {
        uint32_t v = (r >> 8) % 2 ? kSpecial32[(r >> 16) % 16] : (uint32_t)(0x3f000000 + ((r >> 20) % 0x2000000)) ^ ((r >> 60) << 31);
        memcpy(vin + i, &v, 4);
      } else {
        uint64_t v = (r >> 8) % 2 ? kSpecial64[(r >> 16) % 16] : (0x3fe0000000000000ull + ((r >> 12) % 0x40000000000000ull)) ^ ((r >> 63) << 63);
        memcpy(vin + i, &v, 8);
      }
    }
  }
  if (c->flags & 2) {  // indexed: offsets below 256 in the index group
    unsigned vs2 = (c->flags >> 16) & 31, eew = (c->flags >> 24) & 0xff;
    for (unsigned r = vs2; r < vs2 + 8 && r < 32; r++)
      for (unsigned b = 0; b < 16; b++)
        if (b % (eew / 8)) vin[r * 16 + b] = 0;
  }
  for (int i = 0; i < BUF; i += 8) {
    uint64_t v = next();
    memcpy(buf + i, &v, 8);
  }
  memcpy(buf0, buf, BUF);
}

int main(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sa.sa_flags = SA_NODEFER;
  sigaction(SIGILL, &sa, 0);
  sigaction(SIGSEGV, &sa, 0);
  sigaction(SIGBUS, &sa, 0);
  const char* verbose = getenv("RVV_VERBOSE");
  long only = verbose ? atol(verbose) : -1;
  const char* first = getenv("RVV_FIRST");  // resume after a case that crashed the emulator
  for (uint64_t k = first ? strtoull(first, 0, 10) : 0; k < rvv_num_cases; k++) {
    if (only >= 0 && (long)k != only) continue;
    const struct Case* c = &rvv_cases[k];
    fill((unsigned)k, c);
    static struct Regs r;
    memset(&r, 0, sizeof r);
    r.a0 = (uint64_t)(buf + BUF / 2);
    r.a1 = c->a1;
    r.a2 = c->a2;
    r.a3 = 0x5555aaaa5555aaaaull;
    r.fa2 = c->f2;
    r.fa3 = 0xffffffff12345678ull;
    r.vin = vin;
    r.vout = vout;
    memset(vout, 0, sizeof vout);
    sig_seen = 0;
    if (sigsetjmp(jump, 1) == 0) rvv_run(c->fn, &r);
    if (sig_seen) {
      printf("%lu %s\n", (unsigned long)k, sig_seen == SIGILL ? "ILL" : "SEGV");
      fflush(stdout);
      continue;
    }
    uint64_t h = 0xcbf29ce484222325ull;
    h = fnv(h, vout, sizeof vout);
    h = fnv(h, &r.a3, 8);
    h = fnv(h, &r.fa3, 8);
    h = fnv(h, &r.vtype, 8);
    h = fnv(h, &r.vstart, 8);
    h = fnv(h, buf, BUF);
    printf("%lu %016llx vl=%lu sat=%lu fl=%lx\n", (unsigned long)k, (unsigned long long)h, (unsigned long)r.vl,
           (unsigned long)r.vxsat, (unsigned long)r.fflags);
    fflush(stdout);
    if (only >= 0) {
      for (int i = 0; i < 32; i++)
        if (memcmp(vin + 16 * i, vout + 16 * i, 16)) {
          printf("v%d:", i);
          for (int b = 15; b >= 0; b--) printf("%02x", vout[16 * i + b]);
          printf("  (was ");
          for (int b = 15; b >= 0; b--) printf("%02x", vin[16 * i + b]);
          printf(")\n");
        }
      printf("a3=%016llx fa3=%016llx vtype=%llx vstart=%llu\n", (unsigned long long)r.a3, (unsigned long long)r.fa3,
             (unsigned long long)r.vtype, (unsigned long long)r.vstart);
      for (int i = 0; i < BUF; i++)
        if (buf[i] != buf0[i]) printf("buf[%d] %02x -> %02x\n", i - BUF / 2, buf0[i], buf[i]);
    }
  }
  return 0;
}
