/* The register state a signal handler sees (see ../sig_regstate.h), riscv64: r19..r23 are s3..s7,
 * f8 is fs0, and s6 (r22) holds the marker. */
#include <stdint.h>
#include <string.h>
#include <ucontext.h>

__asm__(
    ".text\n"
    ".option norvc\n" /* 4-byte instructions: the handler steps over an access with pc += 4 */
    ".global fault_seq\n"
    ".global fault_a\n"
    ".global fault_b\n"
    "fault_seq:\n"
    "  addi sp, sp, -48\n"
    "  sd s3, 0(sp)\n"
    "  sd s4, 8(sp)\n"
    "  sd s5, 16(sp)\n"
    "  sd s6, 24(sp)\n"
    "  fsd fs0, 32(sp)\n"
    "  addi s3, a0, 1\n"
    "  addi s4, a0, 2\n"
    "  mul s5, s3, s4\n"
    "  fmv.d.x fs0, s5\n"
    "  sltu s6, s3, s4\n" /* 1 */
    "fault_a:\n"
    "  ld t0, 0(a1)\n"
    "  addi s3, s3, 100\n"
    "  add s5, s5, s3\n"
    "  fmv.d.x fs0, s3\n"
    "  sltu s6, s4, s3\n" /* 1 */
    "  addi s6, s6, 1\n"  /* 2 */
    "fault_b:\n"
    "  sd s3, 0(a1)\n"
    "  xor s4, s4, s5\n"
    "  xor a0, s3, s4\n"
    "  fmv.d.x fs0, a0\n"
    "  li s6, 0\n"
    "  fld fs0, 32(sp)\n"
    "  ld s6, 24(sp)\n"
    "  ld s5, 16(sp)\n"
    "  ld s4, 8(sp)\n"
    "  ld s3, 0(sp)\n"
    "  addi sp, sp, 48\n"
    "  ret\n"
    ".global hot_loop\n"
    ".global hot_head\n"
    ".global hot_end\n"
    "hot_loop:\n"
    "  addi sp, sp, -48\n"
    "  sd s3, 0(sp)\n"
    "  sd s4, 8(sp)\n"
    "  sd s5, 16(sp)\n"
    "  sd s7, 24(sp)\n"
    "  li s3, 0\n"
    "  li s4, 0\n"
    "  mv s5, a2\n"
    "  mv s7, a2\n"
    "hot_head:\n"
    "  addi s3, s3, 1\n"
    "  ld t0, 0(a1)\n"
    "  addi s4, s4, 3\n"
    "  xor s5, s3, s7\n"
    "  ld t0, 0(a1)\n"
    "  bltu s3, a0, hot_head\n"
    "hot_end:\n"
    "  mv a0, s4\n"
    "  ld s7, 24(sp)\n"
    "  ld s5, 16(sp)\n"
    "  ld s4, 8(sp)\n"
    "  ld s3, 0(sp)\n"
    "  addi sp, sp, 48\n"
    "  ret\n"
    ".option rvc\n");

static const uint64_t* ctx_regs(ucontext_t* uc) { return (const uint64_t*)uc->uc_mcontext.__gregs; }
static uint64_t ctx_pc(ucontext_t* uc) { return uc->uc_mcontext.__gregs[REG_PC]; }
static void ctx_set_pc(ucontext_t* uc, uint64_t pc) { uc->uc_mcontext.__gregs[REG_PC] = pc; }
static uint64_t ctx_fp8(ucontext_t* uc) {
  uint64_t fs0;
  memcpy(&fs0, &uc->uc_mcontext.__fpregs.__d.__f[8], 8);
  return fs0;
}
static int ctx_marker_is(ucontext_t* uc, uint64_t marker) { return uc->uc_mcontext.__gregs[22] == marker; }

#include "../sig_regstate.h"
