// The guest side of gen_a32_cases.py: runs one A32 or T32 instruction per case on the CPU it runs
// on (qemu-arm -cpu cortex-a15 when recording, mimic when comparing) and prints what it changed.
//
// stdin: lines "<mode A|T> <insn hex> <input set> <fpscr hex> <apsr hex>". For each, D0-D31 get
// input set k (sets are deterministic, see fill_set: gen_a32_cases.py and the unit test compute
// the same values), r0 points at a 256-byte data buffer (at 0xf08040; code at 0xf01000) (filled with bytes i * 7 + 1),
// r1 = 8, r2 = 0x80000001, r3 = 0xfffffffe, FPSCR and APSR as given; the instruction runs followed by `bx lr`. Output
// per case: "ILL" for SIGILL, "BUS" for SIGBUS, "SEGV" for SIGSEGV, else "d<n>=<hex>" for every D register that
// changed, r0-r3 when changed, fpscr, apsr (NZCVQ GE) and "m<offset>=<hex byte>" for each data byte that changed.
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct State {
  uint64_t d[32];
  uint32_t fpscr;
  uint32_t r[4];
  uint32_t apsr;
};
void run_insn(struct State* s, void* code);
__asm__(
    ".text\n.arm\n.global run_insn\n.type run_insn,%function\n"
    "run_insn:\n"
    "  push {r4-r11, lr}\n"
    "  mov r4, r0\n"
    "  mov r5, r1\n"
    "  ldr r6, [r4, #256]\n"
    "  vmsr fpscr, r6\n"
    "  ldr r6, [r4, #276]\n"
    "  msr APSR_nzcvqg, r6\n"
    "  vldmia r4, {d0-d15}\n"
    "  add r6, r4, #128\n"
    "  vldmia r6, {d16-d31}\n"
    "  ldr r0, [r4, #260]\n"
    "  ldr r1, [r4, #264]\n"
    "  ldr r2, [r4, #268]\n"
    "  ldr r3, [r4, #272]\n"
    "  blx r5\n"
    "  mrs r6, APSR\n"
    "  str r6, [r4, #276]\n"
    "  vstmia r4, {d0-d15}\n"
    "  add r6, r4, #128\n"
    "  vstmia r6, {d16-d31}\n"
    "  vmrs r6, fpscr\n"
    "  str r6, [r4, #256]\n"
    "  mov r6, #0\n"  // the C code runs under FPSCR.LEN = 0
    "  vmsr fpscr, r6\n"
    "  str r0, [r4, #260]\n"
    "  str r1, [r4, #264]\n"
    "  str r2, [r4, #268]\n"
    "  str r3, [r4, #272]\n"
    "  pop {r4-r11, pc}\n");

static sigjmp_buf jb;
static void on_signal(int sig) { siglongjmp(jb, sig); }

static uint64_t rng_state;
static uint64_t next64(void) {  // splitmix64
  uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
// Input set k: special values in D0-D7 (per set a different mix), random ones elsewhere.
static const uint64_t kSpecial[] = {
    0x0000000000000000ull, 0xffffffffffffffffull, 0x7fffffff80000000ull, 0x3f800000bf800000ull,
    0x7f8000007fc00000ull, 0x0000000180000001ull, 0x8000000000000001ull, 0x7f7f80807fff8000ull,
    0x0000000100000000ull, 0x4049000000400000ull, 0x00ff00ff00ff00ffull, 0x0102030405060708ull,
    0x41200000c1200000ull, 0xff8000007f800001ull, 0x1f1f1f1f01010101ull, 0x8080808080808080ull,
};
static void fill_set(uint64_t* d, unsigned k) {
  rng_state = 0x1234 + k;
  for (unsigned i = 0; i < 32; ++i) d[i] = next64();
  if (k % 2 == 0)
    for (unsigned i = 0; i < 8; ++i) d[i] = kSpecial[(i + k) % 16];
}

// Fixed addresses, so that a register holding one (r0, the pc) has the same value in the unit test.
#define CODE_ADDR 0x00f01000u
#define DATA_ADDR 0x00f08000u
static uint8_t* data;

int main(void) {
  uint8_t* page =
      mmap((void*)CODE_ADDR, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  data = mmap((void*)DATA_ADDR, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  if (page != (void*)CODE_ADDR || data != (void*)DATA_ADDR) return 1;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sa.sa_flags = SA_NODEFER;
  sigaction(SIGILL, &sa, 0);
  sigaction(SIGBUS, &sa, 0);
  sigaction(SIGSEGV, &sa, 0);
  char mode;
  unsigned insn, set, fpscr, apsr;
  setvbuf(stdout, 0, _IOFBF, 1 << 16);
  while (scanf(" %c %x %u %x %x", &mode, &insn, &set, &fpscr, &apsr) == 5) {
    struct State in, st;
    fill_set(in.d, set);
    for (unsigned i = 0; i < 256; ++i) data[i] = (uint8_t)(i * 7 + 1);
    in.fpscr = fpscr;
    in.r[0] = (uint32_t)(uintptr_t)(data + 64);
    in.r[1] = 8;
    in.r[2] = 0x80000001u;
    in.r[3] = 0xfffffffeu;
    in.apsr = apsr;
    st = in;
    void* entry;
    if (mode == 'A') {
      uint32_t words[2] = {insn, 0xe12fff1eu};  // bx lr
      memcpy(page, words, 8);
      entry = page;
    } else {
      uint16_t hw[4] = {(uint16_t)(insn >> 16), (uint16_t)insn, 0x4770, 0x4770};  // bx lr
      if (insn <= 0xffffu) hw[0] = (uint16_t)insn, hw[1] = 0x4770;                // a 16-bit one
      memcpy(page, hw, 8);
      entry = page + 1;
    }
    __builtin___clear_cache((char*)page, (char*)page + 8);
    int sig = sigsetjmp(jb, 1);
    if (sig) {
      __asm__ volatile("vmsr fpscr, %0" ::"r"(0));
      puts(sig == SIGILL ? "ILL" : sig == SIGBUS ? "BUS" : "SEGV");
      continue;
    }
    run_insn(&st, entry);
    for (unsigned i = 0; i < 32; ++i)
      if (st.d[i] != in.d[i]) printf("d%u=%llx ", i, (unsigned long long)st.d[i]);
    for (unsigned i = 0; i < 4; ++i)
      if (st.r[i] != in.r[i]) printf("r%u=%x ", i, i == 0 ? st.r[0] - in.r[0] : st.r[i]);
    for (unsigned i = 0; i < 256; ++i)
      if (data[i] != (uint8_t)(i * 7 + 1)) printf("m%u=%x ", i, data[i]);
    printf("fpscr=%x apsr=%x\n", st.fpscr, st.apsr & 0xf80f0000u);
  }
  return 0;
}
