// AArch32 helpers: the rare or branchy operations of A32/T32 (register shifts, saturation,
// packed add/subtract with GE, USAD8, SEL, APSR access, division) as plain C++.
#include "target/arm/helpers_a32.h"

#include <array>
#include <cstdlib>

#include "target/arm/cpu_a32.h"
#include "tcg/helper.h"

namespace mimic::arm {

namespace {
A32Cpu& cpu_of(tcg::CpuBase* env) { return *static_cast<A32Cpu*>(env); }

uint64_t h_shift_reg(tcg::CpuBase*, uint64_t v64, uint64_t sh, uint64_t type, uint64_t c, uint64_t) {
  const uint32_t v = uint32_t(v64);
  uint32_t r = v;
  uint64_t carry = c & 1;
  if (sh != 0) {
    switch (type) {
      case 0:  // LSL
        r = sh >= 32 ? 0 : v << sh;
        carry = sh > 32 ? 0 : (v >> (32 - sh)) & 1;
        break;
      case 1:  // LSR
        r = sh >= 32 ? 0 : v >> sh;
        carry = sh > 32 ? 0 : (v >> (sh - 1)) & 1;
        break;
      case 2:  // ASR
        if (sh >= 32) {
          r = uint32_t(int32_t(v) >> 31);
          carry = v >> 31;
        } else {
          r = uint32_t(int32_t(v) >> sh);
          carry = (v >> (sh - 1)) & 1;
        }
        break;
      default: {  // ROR
        const unsigned k = unsigned(sh & 31);
        r = k ? (v >> k) | (v << (32 - k)) : v;
        carry = r >> 31;
        break;
      }
    }
  }
  return uint64_t(r) | carry << 32;
}

uint64_t h_udiv(tcg::CpuBase*, uint64_t n, uint64_t m, uint64_t, uint64_t, uint64_t) {
  return uint32_t(m) ? uint32_t(n) / uint32_t(m) : 0;
}
uint64_t h_sdiv(tcg::CpuBase*, uint64_t n, uint64_t m, uint64_t, uint64_t, uint64_t) {
  const int32_t a = int32_t(n), b = int32_t(m);
  if (b == 0) return 0;
  if (a == INT32_MIN && b == -1) return uint32_t(a);
  return uint32_t(a / b);
}

uint64_t h_add_setq(tcg::CpuBase* env, uint64_t a, uint64_t b, uint64_t, uint64_t, uint64_t) {
  int32_t r;
  if (__builtin_add_overflow(int32_t(a), int32_t(b), &r)) cpu_of(env).qf = 1;
  return uint32_t(r);
}

uint64_t h_usad8(tcg::CpuBase*, uint64_t n, uint64_t m, uint64_t, uint64_t, uint64_t) {
  uint32_t sum = 0;
  for (int i = 0; i < 4; ++i) sum += uint32_t(std::abs(int((n >> (8 * i)) & 0xff) - int((m >> (8 * i)) & 0xff)));
  return sum;
}

uint64_t h_rbit(tcg::CpuBase*, uint64_t v, uint64_t, uint64_t, uint64_t, uint64_t) {
  uint32_t x = uint32_t(v), r = 0;
  for (int i = 0; i < 32; ++i) r |= ((x >> i) & 1) << (31 - i);
  return r;
}

int64_t sat_signed(A32Cpu& c, int64_t v, unsigned bits) {
  const int64_t hi = (int64_t(1) << (bits - 1)) - 1, lo = -(int64_t(1) << (bits - 1));
  if (v > hi) return c.qf = 1, hi;
  if (v < lo) return c.qf = 1, lo;
  return v;
}
int64_t sat_unsigned(A32Cpu& c, int64_t v, unsigned bits) {
  const int64_t hi = (int64_t(1) << bits) - 1;
  if (v > hi) return c.qf = 1, hi;
  if (v < 0) return c.qf = 1, 0;
  return v;
}

uint64_t h_ssat(tcg::CpuBase* env, uint64_t v, uint64_t sat, uint64_t, uint64_t, uint64_t) {
  return uint32_t(sat_signed(cpu_of(env), int32_t(v), unsigned(sat) + 1));
}
uint64_t h_usat(tcg::CpuBase* env, uint64_t v, uint64_t sat, uint64_t, uint64_t, uint64_t) {
  return uint32_t(sat_unsigned(cpu_of(env), int32_t(v), unsigned(sat)));
}
uint64_t h_ssat16(tcg::CpuBase* env, uint64_t v, uint64_t sat, uint64_t, uint64_t, uint64_t) {
  auto& c = cpu_of(env);
  uint32_t lo = uint32_t(sat_signed(c, int16_t(v), unsigned(sat) + 1)) & 0xffff;
  uint32_t hi = uint32_t(sat_signed(c, int16_t(v >> 16), unsigned(sat) + 1)) & 0xffff;
  return lo | hi << 16;
}
uint64_t h_usat16(tcg::CpuBase* env, uint64_t v, uint64_t sat, uint64_t, uint64_t, uint64_t) {
  auto& c = cpu_of(env);
  uint32_t lo = uint32_t(sat_unsigned(c, int16_t(v), unsigned(sat))) & 0xffff;
  uint32_t hi = uint32_t(sat_unsigned(c, int16_t(v >> 16), unsigned(sat))) & 0xffff;
  return lo | hi << 16;
}

uint64_t h_sel(tcg::CpuBase* env, uint64_t n, uint64_t m, uint64_t, uint64_t, uint64_t) {
  const uint32_t ge = cpu_of(env).ge;
  uint32_t r = 0;
  for (int i = 0; i < 4; ++i) r |= uint32_t(((ge >> i) & 1 ? n : m) & (0xffu << (8 * i)));
  return r;
}

// One lane of a parallel add/subtract: prefix 1 modular (GE), 2 saturating, 3 halving.
int32_t lane_op(unsigned prefix, bool is_unsigned, unsigned bits, int32_t a, int32_t b, bool sub, bool& ge) {
  const int32_t r = sub ? a - b : a + b;
  if (prefix == 1) {
    ge = is_unsigned ? (sub ? r >= 0 : r >= (1 << bits)) : r >= 0;
    return r;
  }
  if (prefix == 3) return r >> 1;
  const int32_t hi = is_unsigned ? (1 << bits) - 1 : (1 << (bits - 1)) - 1;
  const int32_t lo = is_unsigned ? 0 : -(1 << (bits - 1));
  return r > hi ? hi : r < lo ? lo : r;
}

uint64_t h_parallel(tcg::CpuBase* env, uint64_t n, uint64_t m, uint64_t sel, uint64_t, uint64_t) {
  const bool is_unsigned = (sel >> 6) & 1;
  const unsigned prefix = (sel >> 4) & 3, op = sel & 7;
  auto lane = [&](uint64_t v, unsigned i, unsigned bits) -> int32_t {
    const uint32_t x = uint32_t(v >> (i * bits)) & ((1u << bits) - 1);
    return is_unsigned ? int32_t(x) : int32_t(x << (32 - bits)) >> (32 - bits);
  };
  uint32_t r = 0, ge = 0;
  bool g;
  if (op >= 4) {  // ADD8 / SUB8
    for (unsigned i = 0; i < 4; ++i) {
      r |= (uint32_t(lane_op(prefix, is_unsigned, 8, lane(n, i, 8), lane(m, i, 8), op == 7, g)) & 0xff) << (8 * i);
      if (g) ge |= 1u << i;
    }
  } else {
    // ADD16, ASX (lo: n.lo - m.hi, hi: n.hi + m.lo), SAX (lo: n.lo + m.hi, hi: n.hi - m.lo), SUB16.
    const bool cross = op == 1 || op == 2;
    const bool sub_lo = op == 1 || op == 3, sub_hi = op == 2 || op == 3;
    const int32_t mlo = lane(m, cross ? 1 : 0, 16), mhi = lane(m, cross ? 0 : 1, 16);
    uint32_t lo = uint32_t(lane_op(prefix, is_unsigned, 16, lane(n, 0, 16), mlo, sub_lo, g)) & 0xffff;
    if (g) ge |= 3;
    uint32_t hi = uint32_t(lane_op(prefix, is_unsigned, 16, lane(n, 1, 16), mhi, sub_hi, g)) & 0xffff;
    if (g) ge |= 12;
    r = lo | hi << 16;
  }
  if (prefix == 1) cpu_of(env).ge = ge;
  return r;
}

uint64_t h_qaddsub(tcg::CpuBase* env, uint64_t m, uint64_t n, uint64_t op, uint64_t, uint64_t) {
  auto& c = cpu_of(env);
  int64_t b = int32_t(n);
  if (op & 2) b = sat_signed(c, 2 * b, 32);
  return uint32_t(sat_signed(c, (op & 1) ? int64_t(int32_t(m)) - b : int64_t(int32_t(m)) + b, 32));
}

uint64_t h_get_apsr(tcg::CpuBase* env, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
  const auto& c = cpu_of(env);
  return get_nzcv(c) | (c.qf & 1) << 27 | (c.ge & 15) << 16 | 0x10;
}
uint64_t h_set_apsr(tcg::CpuBase* env, uint64_t v, uint64_t mask, uint64_t, uint64_t, uint64_t) {
  auto& c = cpu_of(env);
  if (mask & 2) {
    set_nzcv(c, uint32_t(v) & 0xf0000000);
    c.qf = (v >> 27) & 1;
  }
  if (mask & 1) c.ge = (v >> 16) & 15;
  return 0;
}
uint64_t h_get_fpscr(tcg::CpuBase* env, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
  return get_fpscr(cpu_of(env));
}
uint64_t h_set_fpscr(tcg::CpuBase* env, uint64_t v, uint64_t, uint64_t, uint64_t, uint64_t) {
  set_fpscr(cpu_of(env), uint32_t(v));
  return 0;
}
}  // namespace

uint32_t a32_helper_id(A32Helper h) {
  static const auto ids = [] {
    std::array<uint32_t, size_t(A32Helper::kCount)> ids{};
    using namespace tcg::HelperFlag;
    auto reg = [&](A32Helper which, const char* name, tcg::HelperFn fn, uint32_t flags) {
      ids[size_t(which)] = tcg::register_helper(name, fn, flags);
    };
    reg(A32Helper::shift_reg, "a32_shift_reg", h_shift_reg, kPure);
    reg(A32Helper::udiv, "a32_udiv", h_udiv, kPure);
    reg(A32Helper::sdiv, "a32_sdiv", h_sdiv, kPure);
    reg(A32Helper::add_setq, "a32_add_setq", h_add_setq, kWritesState);
    reg(A32Helper::usad8, "a32_usad8", h_usad8, kPure);
    reg(A32Helper::rbit, "a32_rbit", h_rbit, kPure);
    reg(A32Helper::ssat, "a32_ssat", h_ssat, kWritesState);
    reg(A32Helper::usat, "a32_usat", h_usat, kWritesState);
    reg(A32Helper::ssat16, "a32_ssat16", h_ssat16, kWritesState);
    reg(A32Helper::usat16, "a32_usat16", h_usat16, kWritesState);
    reg(A32Helper::sel, "a32_sel", h_sel, kReadsState);
    reg(A32Helper::parallel, "a32_parallel", h_parallel, kWritesState);
    reg(A32Helper::qaddsub, "a32_qaddsub", h_qaddsub, kWritesState);
    reg(A32Helper::get_apsr, "a32_get_apsr", h_get_apsr, kReadsState);
    reg(A32Helper::set_apsr, "a32_set_apsr", h_set_apsr, kWritesState);
    // FPSCR's flags live in the MXCSR while translated code runs: as the AArch64 FP helpers.
    reg(A32Helper::get_fpscr, "a32_get_fpscr", h_get_fpscr, kReadsState | kWritesState);
    reg(A32Helper::set_fpscr, "a32_set_fpscr", h_set_fpscr, kReadsState | kWritesState);
    return ids;
  }();
  return ids[size_t(h)];
}

}  // namespace mimic::arm
