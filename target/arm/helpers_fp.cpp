// Helpers of the FP area (helpers_fp.h): thin wrappers that run fpu.h per element under FPCR and
// add the flags to FPSR; the vector ones loop over the lanes of V registers in env.
#include "target/arm/helpers_fp.h"

#include <array>
#include <cstring>

#include "target/arm/cpu.h"
#include "target/arm/fpu.h"
#include "tcg/exec/cpu_base.h"
#include "tcg/helper.h"

namespace mimic::arm {

namespace {

using fp::Rounding;
using fp::Status;

A64Cpu* cpu_of(tcg::CpuBase* env) { return static_cast<A64Cpu*>(env); }

// Runs f(st) under the guest's FPCR and adds the flags it raised to FPSR.
template <class Fn>
auto with_fp(tcg::CpuBase* env, Fn f) {
  A64Cpu* c = cpu_of(env);
  Status st{c->fpcr};
  decltype(f(st)) r;
  {
    fp::HostScope scope(st);
    r = f(st);
  }
  c->fpsr |= st.flags;
  return r;
}

template <class U>
U apply_bin(FpOp op, U a, U b, Status& st) {
  constexpr U ones = ~U(0);
  switch (op) {
    case FpOp::Add: return fp::add(a, b, st);
    case FpOp::Sub: return fp::sub(a, b, st);
    case FpOp::Mul: return fp::mul(a, b, st);
    case FpOp::Div: return fp::div(a, b, st);
    case FpOp::Max: return fp::max(a, b, st);
    case FpOp::Min: return fp::min(a, b, st);
    case FpOp::MaxNm: return fp::maxnm(a, b, st);
    case FpOp::MinNm: return fp::minnm(a, b, st);
    case FpOp::NMul: return fp::mul(a, b, st) ^ fp::kSignBit<U>;
    case FpOp::MulX: return fp::mulx(a, b, st);
    case FpOp::Abd: return fp::abd(a, b, st);
    case FpOp::Recps: return fp::recps(a, b, st);
    case FpOp::Rsqrts: return fp::rsqrts(a, b, st);
    case FpOp::CmEq: return fp::cmp_eq(a, b, st) ? ones : 0;
    case FpOp::CmGe: return fp::cmp_ge(a, b, st) ? ones : 0;
    case FpOp::CmGt: return fp::cmp_gt(a, b, st) ? ones : 0;
    case FpOp::AcGe: return fp::cmp_ge(U(a & ~fp::kSignBit<U>), U(b & ~fp::kSignBit<U>), st) ? ones : 0;
    case FpOp::AcGt: return fp::cmp_gt(U(a & ~fp::kSignBit<U>), U(b & ~fp::kSignBit<U>), st) ? ones : 0;
    default: return 0;
  }
}

template <class U>
U apply_un(FpOp op, U a, Status& st) {
  constexpr U ones = ~U(0);
  switch (op) {
    case FpOp::Sqrt: return fp::sqrt(a, st);
    case FpOp::Recpe: return fp::recpe(a, st);
    case FpOp::Rsqrte: return fp::rsqrte(a, st);
    case FpOp::Recpx: return fp::recpx(a, st);
    case FpOp::Urecpe: return U(fp::urecpe(uint32_t(a)));
    case FpOp::Ursqrte: return U(fp::ursqrte(uint32_t(a)));
    case FpOp::RintN: return fp::round_int(a, fp::kTieEven, false, st);
    case FpOp::RintP: return fp::round_int(a, fp::kPosInf, false, st);
    case FpOp::RintM: return fp::round_int(a, fp::kNegInf, false, st);
    case FpOp::RintZ: return fp::round_int(a, fp::kZero, false, st);
    case FpOp::RintA: return fp::round_int(a, fp::kTieAway, false, st);
    case FpOp::RintX: return fp::round_int(a, st.rmode(), true, st);
    case FpOp::RintI: return fp::round_int(a, st.rmode(), false, st);
    case FpOp::CmGt0: return fp::cmp_gt(a, U(0), st) ? ones : 0;
    case FpOp::CmGe0: return fp::cmp_ge(a, U(0), st) ? ones : 0;
    case FpOp::CmEq0: return fp::cmp_eq(a, U(0), st) ? ones : 0;
    case FpOp::CmLe0: return fp::cmp_ge(U(0), a, st) ? ones : 0;
    case FpOp::CmLt0: return fp::cmp_gt(U(0), a, st) ? ones : 0;
    default: return 0;
  }
}

Rounding rounding_of(unsigned field, const Status& st) { return field == kRoundFpcr ? st.rmode() : Rounding(field); }

template <class U>
uint64_t to_int(uint64_t desc, U a, Status& st) {
  return fp::to_fixed<U>(a, desc & 0x7f, (desc >> 11) & 1, (desc >> 12) & 1 ? 64 : 32,
                         rounding_of((desc >> 8) & 7, st), st);
}
template <class U>
U from_int(uint64_t desc, uint64_t v, Status& st) {
  return fp::from_fixed<U>(v, !((desc >> 11) & 1), (desc >> 12) & 1 ? 64 : 32, desc & 0x7f,
                           rounding_of((desc >> 8) & 7, st), st);
}

// ---- scalar ----
uint64_t h_bin(tcg::CpuBase* env, uint64_t op, uint64_t a, uint64_t b, uint64_t, uint64_t) {
  return with_fp(env, [&](Status& st) -> uint64_t {
    if (op >> 8) return apply_bin<uint64_t>(FpOp(op & 0xff), a, b, st);
    return apply_bin<uint32_t>(FpOp(op & 0xff), uint32_t(a), uint32_t(b), st);
  });
}
uint64_t h_un(tcg::CpuBase* env, uint64_t op, uint64_t a, uint64_t, uint64_t, uint64_t) {
  return with_fp(env, [&](Status& st) -> uint64_t {
    if (op >> 8) return apply_un<uint64_t>(FpOp(op & 0xff), a, st);
    return apply_un<uint32_t>(FpOp(op & 0xff), uint32_t(a), st);
  });
}
uint64_t h_fma(tcg::CpuBase* env, uint64_t mode, uint64_t c, uint64_t a, uint64_t b, uint64_t) {
  return with_fp(env, [&](Status& st) -> uint64_t {
    if (mode & 4) {
      constexpr uint64_t s = fp::kSignBit<uint64_t>;
      return fp::muladd<uint64_t>(mode & 1 ? c ^ s : c, mode & 2 ? a ^ s : a, b, st);
    }
    constexpr uint32_t s = fp::kSignBit<uint32_t>;
    uint32_t c32 = uint32_t(c), a32 = uint32_t(a);
    return fp::muladd<uint32_t>(mode & 1 ? c32 ^ s : c32, mode & 2 ? a32 ^ s : a32, uint32_t(b), st);
  });
}
uint64_t h_cmp(tcg::CpuBase* env, uint64_t mode, uint64_t a, uint64_t b, uint64_t, uint64_t) {
  return with_fp(env, [&](Status& st) -> uint64_t {
    if (mode & 2) return fp::compare<uint64_t>(a, b, mode & 1, st);
    return fp::compare<uint32_t>(uint32_t(a), uint32_t(b), mode & 1, st);
  });
}
uint64_t h_cvt(tcg::CpuBase* env, uint64_t sizes, uint64_t a, uint64_t, uint64_t, uint64_t) {
  return with_fp(env, [&](Status& st) -> uint64_t {
    return fp::convert(a, sizes & 0xff, sizes >> 8, st.rmode(), st);
  });
}
uint64_t h_to_int(tcg::CpuBase* env, uint64_t desc, uint64_t a, uint64_t, uint64_t, uint64_t) {
  return with_fp(env, [&](Status& st) -> uint64_t {
    if ((desc >> 13) & 1) return to_int<uint64_t>(desc, a, st);
    return to_int<uint32_t>(desc, uint32_t(a), st);
  });
}
uint64_t h_from_int(tcg::CpuBase* env, uint64_t desc, uint64_t v, uint64_t, uint64_t, uint64_t) {
  return with_fp(env, [&](Status& st) -> uint64_t {
    if ((desc >> 13) & 1) return from_int<uint64_t>(desc, v, st);
    return from_int<uint32_t>(desc, v, st);
  });
}
uint64_t h_get_fpsr(tcg::CpuBase* env, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
  return get_fpsr(*cpu_of(env));
}
uint64_t h_set_fpsr(tcg::CpuBase* env, uint64_t v, uint64_t, uint64_t, uint64_t, uint64_t) {
  set_fpsr(*cpu_of(env), uint32_t(v));
  return 0;
}
uint64_t h_set_fpcr(tcg::CpuBase* env, uint64_t v, uint64_t, uint64_t, uint64_t, uint64_t) {
  set_fpcr(*cpu_of(env), uint32_t(v));
  return 0;
}

// ---- vector: lanes of V registers ----
struct Regs {
  unsigned d, n, m;
  explicit Regs(uint64_t r) : d(r & 31), n((r >> 5) & 31), m((r >> 10) & 31) {}
};
template <class U>
struct Lanes {
  U v[16 / sizeof(U)];
};
template <class U>
Lanes<U> read_lanes(const A64Cpu* c, unsigned r) {
  Lanes<U> l;
  std::memcpy(l.v, &c->v[r], 16);
  return l;
}
// Writes `bytes` bytes of lanes to Vd and zeroes the rest.
template <class U>
void write_lanes(A64Cpu* c, unsigned r, const Lanes<U>& l, unsigned bytes) {
  uint8_t buf[16] = {};
  std::memcpy(buf, l.v, bytes);
  std::memcpy(&c->v[r], buf, 16);
}
unsigned vbytes(uint64_t fl, unsigned esize) { return fl & kVScalar ? esize : fl & kVQ ? 16 : 8; }

template <class U>
void vbin(A64Cpu* c, Regs r, FpOp op, uint64_t fl, Status& st) {
  const unsigned bytes = vbytes(fl, sizeof(U)), lanes = bytes / sizeof(U);
  Lanes<U> a = read_lanes<U>(c, r.n), b = read_lanes<U>(c, r.m), d = read_lanes<U>(c, r.d), out{};
  if (fl & kVPair) {
    U cat[2 * 16 / sizeof(U)];
    for (unsigned i = 0; i < lanes; ++i) cat[i] = a.v[i], cat[lanes + i] = b.v[i];
    for (unsigned i = 0; i < lanes; ++i) out.v[i] = apply_bin<U>(op, cat[2 * i], cat[2 * i + 1], st);
  } else {
    if (fl & kVElem) {
      U e = b.v[(fl >> kVElemShift) & 15];
      for (auto& x : b.v) x = e;
    }
    for (unsigned i = 0; i < lanes; ++i) {
      if (op == FpOp::Mla) out.v[i] = fp::muladd<U>(d.v[i], a.v[i], b.v[i], st);
      else if (op == FpOp::Mls) out.v[i] = fp::muladd<U>(d.v[i], a.v[i] ^ fp::kSignBit<U>, b.v[i], st);
      else out.v[i] = apply_bin<U>(op, a.v[i], b.v[i], st);
    }
  }
  write_lanes(c, r.d, out, bytes);
}
template <class U>
void vun(A64Cpu* c, Regs r, FpOp op, uint64_t fl, Status& st) {
  const unsigned bytes = vbytes(fl, sizeof(U)), lanes = bytes / sizeof(U);
  Lanes<U> a = read_lanes<U>(c, r.n), out{};
  for (unsigned i = 0; i < lanes; ++i) out.v[i] = apply_un<U>(op, a.v[i], st);
  write_lanes(c, r.d, out, bytes);
}
// Reduce() of the Arm ARM: the halves are reduced recursively, then combined.
template <class U>
U reduce(FpOp op, const U* x, unsigned n, Status& st) {
  if (n == 1) return x[0];
  U lo = reduce(op, x, n / 2, st), hi = reduce(op, x + n / 2, n / 2, st);
  return apply_bin<U>(op, lo, hi, st);
}
template <class U>
void vreduce(A64Cpu* c, Regs r, FpOp op, uint64_t fl, Status& st) {
  const unsigned lanes = fl & kVScalar ? 2 : (fl & kVQ ? 16 : 8) / sizeof(U);
  Lanes<U> a = read_lanes<U>(c, r.n), out{};
  out.v[0] = reduce<U>(op, a.v, lanes, st);
  write_lanes(c, r.d, out, sizeof(U));
}
template <class U>
void vint(A64Cpu* c, Regs r, uint64_t desc, uint64_t fl, Status& st) {
  const unsigned bytes = vbytes(fl, sizeof(U)), lanes = bytes / sizeof(U);
  Lanes<U> a = read_lanes<U>(c, r.n), out{};
  const bool from = (desc >> 14) & 1;
  const uint64_t d = (desc & ~(uint64_t(1) << 12)) | (sizeof(U) == 8 ? uint64_t(1) << 12 : 0);
  for (unsigned i = 0; i < lanes; ++i) out.v[i] = from ? from_int<U>(d, a.v[i], st) : U(to_int<U>(d, a.v[i], st));
  write_lanes(c, r.d, out, bytes);
}

uint64_t h_vbin(tcg::CpuBase* env, uint64_t regs, uint64_t op, uint64_t fl, uint64_t, uint64_t) {
  A64Cpu* c = cpu_of(env);
  return with_fp(env, [&](Status& st) {
    if (fl & kVDbl) vbin<uint64_t>(c, Regs(regs), FpOp(op), fl, st);
    else vbin<uint32_t>(c, Regs(regs), FpOp(op), fl, st);
    return 0;
  });
}
uint64_t h_vun(tcg::CpuBase* env, uint64_t regs, uint64_t op, uint64_t fl, uint64_t, uint64_t) {
  A64Cpu* c = cpu_of(env);
  return with_fp(env, [&](Status& st) {
    if (fl & kVDbl) vun<uint64_t>(c, Regs(regs), FpOp(op), fl, st);
    else vun<uint32_t>(c, Regs(regs), FpOp(op), fl, st);
    return 0;
  });
}
uint64_t h_vreduce(tcg::CpuBase* env, uint64_t regs, uint64_t op, uint64_t fl, uint64_t, uint64_t) {
  A64Cpu* c = cpu_of(env);
  return with_fp(env, [&](Status& st) {
    if (fl & kVDbl) vreduce<uint64_t>(c, Regs(regs), FpOp(op), fl, st);
    else vreduce<uint32_t>(c, Regs(regs), FpOp(op), fl, st);
    return 0;
  });
}
uint64_t h_vint(tcg::CpuBase* env, uint64_t regs, uint64_t desc, uint64_t fl, uint64_t, uint64_t) {
  A64Cpu* c = cpu_of(env);
  return with_fp(env, [&](Status& st) {
    if (fl & kVDbl) vint<uint64_t>(c, Regs(regs), desc, fl, st);
    else vint<uint32_t>(c, Regs(regs), desc, fl, st);
    return 0;
  });
}
// FCVTN/FCVTXN (to the low half, Q = 0, upper half zeroed) and FCVTN2 (to the high half, Q = 1,
// the low half kept); FCVTXN rounds to odd.
uint64_t h_vnarrow(tcg::CpuBase* env, uint64_t regs, uint64_t round_odd, uint64_t fl, uint64_t, uint64_t) {
  A64Cpu* c = cpu_of(env);
  Regs r(regs);
  return with_fp(env, [&](Status& st) {
    const unsigned wide = fl & kVDbl ? 64 : 32, narrow = wide / 2, n = fl & kVScalar ? 1 : 64 / narrow;
    const Rounding rm = round_odd ? fp::kOdd : st.rmode();
    uint64_t src[2] = {c->v[r.n].lo, c->v[r.n].hi}, res = 0;
    for (unsigned i = 0; i < n; ++i) {
      uint64_t e = wide == 64 ? src[i] : (src[i / 2] >> (32 * (i % 2))) & 0xffffffffu;
      res |= fp::convert(e, wide, narrow, rm, st) << (narrow * i);
    }
    if (fl & kVScalar) {
      c->v[r.d].lo = res & 0xffffffffu;
      c->v[r.d].hi = 0;
    } else if (fl & kVQ) {
      c->v[r.d].hi = res;
    } else {
      c->v[r.d].lo = res;
      c->v[r.d].hi = 0;
    }
    return 0;
  });
}
// FCVTL (the low half of Vn) and FCVTL2 (Q = 1: the high half).
uint64_t h_vwiden(tcg::CpuBase* env, uint64_t regs, uint64_t, uint64_t fl, uint64_t, uint64_t) {
  A64Cpu* c = cpu_of(env);
  Regs r(regs);
  return with_fp(env, [&](Status& st) {
    const unsigned wide = fl & kVDbl ? 64 : 32, narrow = wide / 2, n = 64 / narrow;
    const uint64_t src = fl & kVQ ? c->v[r.n].hi : c->v[r.n].lo;
    uint64_t out[2] = {0, 0};
    for (unsigned i = 0; i < n; ++i) {
      uint64_t e = (src >> (narrow * i)) & ((uint64_t(1) << narrow) - 1);
      uint64_t w = fp::convert(e, narrow, wide, st.rmode(), st);
      if (wide == 64) out[i] = w;
      else out[i / 2] |= w << (32 * (i % 2));
    }
    c->v[r.d].lo = out[0];
    c->v[r.d].hi = out[1];
    return 0;
  });
}

}  // namespace

uint32_t fp_helper_id(FpHelper h) {
  static const auto ids = [] {
    std::array<uint32_t, size_t(FpHelper::kCount)> ids{};
    using namespace tcg::HelperFlag;
    constexpr uint32_t kFp = kReadsState | kWritesState;
    auto reg = [&](FpHelper k, const char* name, tcg::HelperFn fn, uint32_t flags) {
      ids[size_t(k)] = tcg::register_helper(name, fn, flags);
    };
    reg(FpHelper::bin, "a64_fp_bin", h_bin, kFp);
    reg(FpHelper::un, "a64_fp_un", h_un, kFp);
    reg(FpHelper::fma, "a64_fp_fma", h_fma, kFp);
    reg(FpHelper::cmp, "a64_fp_cmp", h_cmp, kFp);
    reg(FpHelper::cvt, "a64_fp_cvt", h_cvt, kFp);
    reg(FpHelper::to_int, "a64_fp_to_int", h_to_int, kFp);
    reg(FpHelper::from_int, "a64_fp_from_int", h_from_int, kFp);
    reg(FpHelper::get_fpsr, "a64_get_fpsr", h_get_fpsr, kReadsState);
    reg(FpHelper::set_fpsr, "a64_set_fpsr", h_set_fpsr, kFp);
    reg(FpHelper::set_fpcr, "a64_set_fpcr", h_set_fpcr, kFp);
    reg(FpHelper::vbin, "a64_vfp_bin", h_vbin, kFp);
    reg(FpHelper::vun, "a64_vfp_un", h_vun, kFp);
    reg(FpHelper::vreduce, "a64_vfp_reduce", h_vreduce, kFp);
    reg(FpHelper::vint, "a64_vfp_int", h_vint, kFp);
    reg(FpHelper::vnarrow, "a64_vfp_narrow", h_vnarrow, kFp);
    reg(FpHelper::vwiden, "a64_vfp_widen", h_vwiden, kFp);
    return ids;
  }();
  return ids[size_t(h)];
}

}  // namespace mimic::arm
