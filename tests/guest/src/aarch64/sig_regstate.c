/* The register state a signal handler sees (see ../sig_regstate.h), aarch64: r19..r23 are
 * x19..x23, f8 is d8, and the marker is NZCV (N at fault_a, C at fault_b). */
#include <signal.h> /* struct _aarch64_ctx, FPSIMD_MAGIC */
#include <stdint.h>
#include <string.h>
#include <ucontext.h>

__asm__(
    ".text\n"
    ".global fault_seq\n"
    ".global fault_a\n"
    ".global fault_b\n"
    "fault_seq:\n"
    "  stp x19, x20, [sp, #-48]!\n"
    "  stp x21, x22, [sp, #16]\n"
    "  str d8, [sp, #32]\n"
    "  add x19, x0, #1\n"
    "  add x20, x0, #2\n"
    "  mul x21, x19, x20\n"
    "  fmov d8, x21\n"
    "  cmp x19, x20\n" /* N */
    "fault_a:\n"
    "  ldr x22, [x1]\n"
    "  add x19, x19, #100\n"
    "  add x21, x21, x19\n"
    "  fmov d8, x19\n"
    "  cmp x19, x20\n" /* C */
    "fault_b:\n"
    "  str x19, [x1]\n"
    "  eor x20, x20, x21\n"
    "  eor x0, x19, x20\n"
    "  fmov d8, x0\n"
    "  cmp x0, x0\n"
    "  ldr d8, [sp, #32]\n"
    "  ldp x21, x22, [sp, #16]\n"
    "  ldp x19, x20, [sp], #48\n"
    "  ret\n"
    ".global hot_loop\n"
    ".global hot_head\n"
    ".global hot_end\n"
    "hot_loop:\n"
    "  stp x19, x20, [sp, #-48]!\n"
    "  stp x21, x22, [sp, #16]\n"
    "  str x23, [sp, #32]\n"
    "  mov x19, #0\n"
    "  mov x20, #0\n"
    "  mov x21, x2\n"
    "  mov x23, x2\n"
    "hot_head:\n"
    "  add x19, x19, #1\n"
    "  ldr x22, [x1]\n"
    "  add x20, x20, #3\n"
    "  eor x21, x19, x23\n"
    "  ldr x22, [x1]\n"
    "  cmp x19, x0\n"
    "  b.lo hot_head\n"
    "hot_end:\n"
    "  mov x0, x20\n"
    "  ldr x23, [sp, #32]\n"
    "  ldp x21, x22, [sp, #16]\n"
    "  ldp x19, x20, [sp], #48\n"
    "  ret\n");

static struct fpsimd_context* find_fpsimd(ucontext_t* uc) {
  struct _aarch64_ctx* h = (struct _aarch64_ctx*)uc->uc_mcontext.__reserved;
  while (h->magic) {
    if (h->magic == FPSIMD_MAGIC) return (struct fpsimd_context*)h;
    h = (struct _aarch64_ctx*)((char*)h + h->size);
  }
  return NULL;
}

static const uint64_t* ctx_regs(ucontext_t* uc) { return (const uint64_t*)uc->uc_mcontext.regs; }
static uint64_t ctx_pc(ucontext_t* uc) { return uc->uc_mcontext.pc; }
static void ctx_set_pc(ucontext_t* uc, uint64_t pc) { uc->uc_mcontext.pc = pc; }
static uint64_t ctx_fp8(ucontext_t* uc) {
  struct fpsimd_context* fp = find_fpsimd(uc);
  return fp ? (uint64_t)fp->vregs[8] : ~0ull;
}
static int ctx_marker_is(ucontext_t* uc, uint64_t marker) {
  return (uc->uc_mcontext.pstate >> 28) == (marker == 1 ? 0x8u : 0x2u);
}

#include "../sig_regstate.h"
