// The RISC-V helper functions that translated code calls (FP with exact flags, counters, ...).
#pragma once

#include <cstdint>

namespace mimic::riscv {

// clang-format off
#define RISCV_FP_HELPERS(X, p) \
  X(fadd_##p) X(fsub_##p) X(fmul_##p) X(fdiv_##p) X(fsqrt_##p) X(fmin_##p) X(fmax_##p) \
  X(fmadd_##p) X(fmsub_##p) X(fnmsub_##p) X(fnmadd_##p) X(fsgnj_##p) X(fsgnjn_##p) X(fsgnjx_##p) \
  X(feq_##p) X(flt_##p) X(fle_##p) X(fclass_##p) X(fcvt_w_##p) X(fcvt_wu_##p) X(fcvt_l_##p) X(fcvt_lu_##p) \
  X(fcvt_##p##_w) X(fcvt_##p##_wu) X(fcvt_##p##_l) X(fcvt_##p##_lu)
#define RISCV_HELPERS(X) \
  RISCV_FP_HELPERS(X, s) RISCV_FP_HELPERS(X, d) X(fcvt_s_d) X(fcvt_d_s) \
  X(rdcycle) X(rdtime) X(rdinstret) X(orc_b) X(fcsr_read) X(fcsr_write) X(csr)
// clang-format on

enum class Helper : uint16_t {
#define RISCV_HELPER_ENUM(name) name,
  RISCV_HELPERS(RISCV_HELPER_ENUM)
#undef RISCV_HELPER_ENUM
      kCount
};

// The registry id of a helper (tcg/helper.h); all RISC-V helpers register on the first call.
uint32_t helper_id(Helper h);

// Exposed for tests: the rounding-mode-resolved pure functions behind the helpers.
uint64_t call_helper(Helper h, void* env, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0, uint64_t a3 = 0);

}  // namespace mimic::riscv
