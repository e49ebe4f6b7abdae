// AArch32 Advanced SIMD helpers (see helpers_a32_neon.h): byte-level work on D registers in place.
#include "target/arm/helpers_a32_neon.h"

#include <array>
#include <bit>
#include <cstring>

#include "target/arm/cpu_a32.h"
#include "target/arm/crypto.h"
#include "target/arm/fpu.h"
#include "tcg/helper.h"

namespace mimic::arm {

namespace {

uint8_t* dbytes(tcg::CpuBase* env, unsigned r) {
  return reinterpret_cast<uint8_t*>(&static_cast<A32Cpu*>(env)->v[0]) + 8 * (r & 31);
}
uint64_t getd(tcg::CpuBase* env, unsigned r) {
  uint64_t v;
  std::memcpy(&v, dbytes(env, r), 8);
  return v;
}
void putd(tcg::CpuBase* env, unsigned r, uint64_t v) { std::memcpy(dbytes(env, r), &v, 8); }
uint8_t* scratch(tcg::CpuBase* env) { return reinterpret_cast<uint8_t*>(&static_cast<A32Cpu*>(env)->v[kNeonScratch]); }

uint64_t elem(uint64_t v, unsigned esz, unsigned i) {
  const unsigned bits = 8u << esz;
  return bits == 64 ? v : (v >> (i * bits)) & ((uint64_t(1) << bits) - 1);
}
uint64_t set_elem(uint64_t v, unsigned esz, unsigned i, uint64_t x) {
  const unsigned bits = 8u << esz;
  if (bits == 64) return x;
  const uint64_t mask = ((uint64_t(1) << bits) - 1) << (i * bits);
  return (v & ~mask) | ((x << (i * bits)) & mask);
}

// NEON arithmetic ignores FPSCR's RMode, FZ and DN: it runs with round to nearest, flush to zero
// and default NaN (the Standard FPSCR value); FPSCR.AHP still applies; the flags accumulate.
uint64_t h_std_fp(tcg::CpuBase* env, uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t) {
  A32Cpu* c = static_cast<A32Cpu*>(env);
  const uint32_t saved = c->fpcr;
  c->fpcr = (saved & fp::kFpcrAhp) | fp::kFpcrDn | fp::kFpcrFz;
  const uint64_t r = reinterpret_cast<tcg::HelperFn>(fn)(env, a1, a2, a3, 0, 0);
  c->fpcr = saved;
  return r;
}

uint64_t h_rev(tcg::CpuBase* env, uint64_t d, uint64_t m, uint64_t desc, uint64_t, uint64_t) {
  const unsigned nregs = desc & 15, esz = (desc >> 4) & 3, group = (desc >> 8) & 3;
  const unsigned per = 1u << (group - esz);  // elements per reversed group
  for (unsigned r = 0; r < nregs; ++r) {
    const uint64_t v = getd(env, unsigned(m) + r);
    uint64_t out = 0;
    for (unsigned i = 0; i < (8u >> esz); ++i) {
      const unsigned j = (i & ~(per - 1)) | (per - 1 - (i & (per - 1)));
      out = set_elem(out, esz, j, elem(v, esz, i));
    }
    putd(env, unsigned(d) + r, out);
  }
  return 0;
}

uint64_t h_cnt(tcg::CpuBase* env, uint64_t d, uint64_t m, uint64_t nregs, uint64_t, uint64_t) {
  for (unsigned r = 0; r < nregs; ++r) {
    const uint64_t v = getd(env, unsigned(m) + r);
    uint64_t out = 0;
    for (unsigned i = 0; i < 8; ++i) out |= uint64_t(std::popcount(unsigned((v >> (8 * i)) & 0xff))) << (8 * i);
    putd(env, unsigned(d) + r, out);
  }
  return 0;
}

// The elements of a D or Q register as one array (Q: D<r> then D<r+1>).
struct Elems {
  uint64_t e[16];
  unsigned count;
};
Elems read_elems(tcg::CpuBase* env, unsigned r, unsigned nregs, unsigned esz) {
  Elems x{};
  const unsigned per = 8u >> esz;
  x.count = per * nregs;
  for (unsigned k = 0; k < nregs; ++k)
    for (unsigned i = 0; i < per; ++i) x.e[k * per + i] = elem(getd(env, r + k), esz, i);
  return x;
}
void write_elems(tcg::CpuBase* env, unsigned r, unsigned nregs, unsigned esz, const Elems& x) {
  const unsigned per = 8u >> esz;
  for (unsigned k = 0; k < nregs; ++k) {
    uint64_t v = 0;
    for (unsigned i = 0; i < per; ++i) v = set_elem(v, esz, i, x.e[k * per + i]);
    putd(env, r + k, v);
  }
}

uint64_t h_perm(tcg::CpuBase* env, uint64_t d, uint64_t m, uint64_t desc, uint64_t, uint64_t) {
  const unsigned op = desc & 15, esz = (desc >> 4) & 3, nregs = (desc >> 8) & 3;
  Elems a = read_elems(env, unsigned(d), nregs, esz), b = read_elems(env, unsigned(m), nregs, esz);
  const unsigned n = a.count;
  Elems ra = a, rb = b;
  switch (op) {
    case 0: ra = b, rb = a; break;  // VSWP
    case 1:                         // VTRN: Dd[2i+1] <-> Dm[2i]
      for (unsigned i = 0; i + 1 < n; i += 2) ra.e[i + 1] = b.e[i], rb.e[i] = a.e[i + 1];
      break;
    case 2: {  // VUZP: d gets the even elements of d:m, m the odd ones
      uint64_t cat[32];
      for (unsigned i = 0; i < n; ++i) cat[i] = a.e[i], cat[n + i] = b.e[i];
      for (unsigned i = 0; i < n; ++i) ra.e[i] = cat[2 * i], rb.e[i] = cat[2 * i + 1];
      break;
    }
    default: {  // VZIP: d:m = d[0] m[0] d[1] m[1] ...
      uint64_t cat[32];
      for (unsigned i = 0; i < n; ++i) cat[2 * i] = a.e[i], cat[2 * i + 1] = b.e[i];
      for (unsigned i = 0; i < n; ++i) ra.e[i] = cat[i], rb.e[i] = cat[n + i];
      break;
    }
  }
  write_elems(env, unsigned(d), nregs, esz, ra);
  write_elems(env, unsigned(m), nregs, esz, rb);
  return 0;
}

uint64_t h_ext(tcg::CpuBase* env, uint64_t d, uint64_t n, uint64_t desc, uint64_t, uint64_t) {
  const unsigned m = desc & 31, imm = (desc >> 8) & 15, nregs = (desc >> 16) & 3, bytes = 8 * nregs;
  uint8_t cat[32];
  std::memcpy(cat, dbytes(env, unsigned(n)), bytes);
  std::memcpy(cat + bytes, dbytes(env, m), bytes);
  uint8_t out[16];
  std::memcpy(out, cat + imm, bytes);
  std::memcpy(dbytes(env, unsigned(d)), out, bytes);
  return 0;
}

uint64_t h_tbl(tcg::CpuBase* env, uint64_t d, uint64_t n, uint64_t desc, uint64_t, uint64_t) {
  const unsigned m = desc & 31, len = (desc >> 8) & 7;
  const bool tbx = (desc >> 12) & 1;
  uint8_t table[32];
  for (unsigned k = 0; k < len; ++k) std::memcpy(table + 8 * k, dbytes(env, unsigned(n) + k), 8);
  const uint64_t idx = getd(env, m), old = getd(env, unsigned(d));
  uint64_t out = 0;
  for (unsigned i = 0; i < 8; ++i) {
    const unsigned j = (idx >> (8 * i)) & 0xff;
    const uint64_t b = j < 8 * len ? table[j] : tbx ? (old >> (8 * i)) & 0xff : 0;
    out |= b << (8 * i);
  }
  putd(env, unsigned(d), out);
  return 0;
}

uint64_t h_pmull64(tcg::CpuBase* env, uint64_t d, uint64_t n, uint64_t m, uint64_t, uint64_t) {
  const uint64_t a = getd(env, unsigned(n)), b = getd(env, unsigned(m));
  unsigned __int128 r = 0;
  for (unsigned i = 0; i < 64; ++i)
    if ((b >> i) & 1) r ^= static_cast<unsigned __int128>(a) << i;
  putd(env, unsigned(d), uint64_t(r));
  putd(env, unsigned(d) + 1, uint64_t(r >> 64));
  return 0;
}

// The structure registers: member k, register r of it is D<d + k * inc + r>; the memory image is
// r outermost, then the element, then the member.
template <bool kLoad>
uint64_t structures(tcg::CpuBase* env, uint64_t d, uint64_t desc) {
  const unsigned members = desc & 15, inc = (desc >> 4) & 15, regs = (desc >> 8) & 15, esz = (desc >> 12) & 3;
  const unsigned ebytes = 1u << esz, per = 8u >> esz;
  uint8_t* img = scratch(env);
  unsigned pos = 0;
  for (unsigned r = 0; r < regs; ++r)
    for (unsigned e = 0; e < per; ++e)
      for (unsigned k = 0; k < members; ++k, pos += ebytes) {
        uint8_t* reg = dbytes(env, unsigned(d) + k * inc + r) + e * ebytes;
        if (kLoad)
          std::memcpy(reg, img + pos, ebytes);
        else
          std::memcpy(img + pos, reg, ebytes);
      }
  return 0;
}
uint64_t h_deinterleave(tcg::CpuBase* env, uint64_t d, uint64_t desc, uint64_t, uint64_t, uint64_t) {
  return structures<true>(env, d, desc);
}
uint64_t h_interleave(tcg::CpuBase* env, uint64_t d, uint64_t desc, uint64_t, uint64_t, uint64_t) {
  return structures<false>(env, d, desc);
}

// FPRecipStep / FPRSqrtStep of ARMv7 (what AArch32 VRECPS/VRSQRTS compute, and qemu-arm):
// the product rounded on its own, then 2 - p or (3 - p) / 2; inf x 0 (or denormal) gives 2 or 1.5.
uint32_t recip_step(uint32_t a, uint32_t b, bool rsqrt, fp::Status& st) {
  auto inf = [](uint32_t x) { return (x & 0x7fffffff) == 0x7f800000; };
  auto zero_or_denormal = [](uint32_t x) { return (x & 0x7f800000) == 0; };
  auto zero = [](uint32_t x) { return (x & 0x7fffffff) == 0; };
  if ((inf(a) && zero_or_denormal(b)) || (inf(b) && zero_or_denormal(a))) {
    if (!zero(a) && !zero(b)) st.flags |= fp::kIDC;
    return rsqrt ? 0x3fc00000u : 0x40000000u;
  }
  const uint32_t p = fp::mul<uint32_t>(a, b, st);
  if (!rsqrt) return fp::sub<uint32_t>(0x40000000u, p, st);
  return fp::div<uint32_t>(fp::sub<uint32_t>(0x40400000u, p, st), 0x40000000u, st);
}
uint64_t h_recps(tcg::CpuBase* env, uint64_t d, uint64_t n, uint64_t desc, uint64_t, uint64_t) {
  A32Cpu* c = static_cast<A32Cpu*>(env);
  const unsigned m = desc & 31, nregs = (desc >> 5) & 1 ? 2 : 1;
  const bool rsqrt = (desc >> 6) & 1;
  fp::Status st{(c->fpcr & fp::kFpcrAhp) | fp::kFpcrDn | fp::kFpcrFz};
  uint64_t out[2];
  {
    fp::HostScope scope(st);
    for (unsigned r = 0; r < nregs; ++r) {
      const uint64_t a = getd(env, unsigned(n) + r), b = getd(env, m + r);
      const uint64_t lo = recip_step(uint32_t(a), uint32_t(b), rsqrt, st);
      const uint64_t hi = recip_step(uint32_t(a >> 32), uint32_t(b >> 32), rsqrt, st);
      out[r] = lo | hi << 32;
    }
  }
  for (unsigned r = 0; r < nregs; ++r) putd(env, unsigned(d) + r, out[r]);
  c->fpsr |= st.flags;
  return 0;
}

// VCVT to 16-bit fixed point saturates to 16 bits (and sets IOC past them); the result is
// sign- or zero-extended to the S or D register, as the Arm ARM's VCVT (fixed) writes it.
uint64_t h_vfp_to_fixed16(tcg::CpuBase* env, uint64_t a, uint64_t desc, uint64_t, uint64_t, uint64_t) {
  A32Cpu* c = static_cast<A32Cpu*>(env);
  const unsigned fbits = desc & 0x3f;
  const bool is_unsigned = (desc >> 8) & 1, dbl = (desc >> 9) & 1;
  fp::Status st{c->fpcr};
  uint64_t r;
  {
    fp::HostScope scope(st);
    r = dbl ? fp::to_fixed<uint64_t>(a, fbits, is_unsigned, 16, fp::kZero, st)
            : fp::to_fixed<uint32_t>(uint32_t(a), fbits, is_unsigned, 16, fp::kZero, st);
  }
  c->fpsr |= st.flags;
  r = is_unsigned ? r & 0xffff : uint64_t(int64_t(int16_t(r)));
  return dbl ? r : r & 0xffffffffu;
}

crypto::Words getq(tcg::CpuBase* env, unsigned r) {
  crypto::Words w;
  std::memcpy(w.w, dbytes(env, r), 16);
  return w;
}
uint64_t h_crypto(tcg::CpuBase* env, uint64_t d, uint64_t n, uint64_t desc, uint64_t, uint64_t) {
  const unsigned m = desc & 31;
  const auto op = NeonCrypto(desc >> 8);
  const crypto::Words vd = getq(env, unsigned(d)), vn = getq(env, unsigned(n)), vm = getq(env, m);
  crypto::Words r{};
  switch (op) {
    case NeonCrypto::aese:
    case NeonCrypto::aesd: {
      uint8_t st[16], key[16];
      std::memcpy(st, vd.w, 16);
      std::memcpy(key, vm.w, 16);
      crypto::aes_round(st, key, op == NeonCrypto::aesd);
      std::memcpy(r.w, st, 16);
      break;
    }
    case NeonCrypto::aesmc:
    case NeonCrypto::aesimc: {
      uint8_t st[16];
      std::memcpy(st, vm.w, 16);
      crypto::aes_mix_columns(st, op == NeonCrypto::aesimc);
      std::memcpy(r.w, st, 16);
      break;
    }
    case NeonCrypto::sha1c:
    case NeonCrypto::sha1p:
    case NeonCrypto::sha1m: r = crypto::sha1_hash(unsigned(op) - unsigned(NeonCrypto::sha1c), vd, vn.w[0], vm); break;
    case NeonCrypto::sha1su0: r = crypto::sha1su0(vd, vn, vm); break;
    case NeonCrypto::sha256h: r = crypto::sha256h(vd, vn, vm, false); break;
    case NeonCrypto::sha256h2: r = crypto::sha256h(vd, vn, vm, true); break;
    case NeonCrypto::sha256su1: r = crypto::sha256su1(vd, vn, vm); break;
    case NeonCrypto::sha1h: r.w[0] = crypto::sha1h(vm.w[0]); break;
    case NeonCrypto::sha1su1: r = crypto::sha1su1(vd, vm); break;
    case NeonCrypto::sha256su0: r = crypto::sha256su0(vd, vm); break;
  }
  std::memcpy(dbytes(env, unsigned(d)), r.w, 16);
  return 0;
}

}  // namespace

uint32_t neon_helper_id(NeonHelper h) {
  static const auto ids = [] {
    std::array<uint32_t, size_t(NeonHelper::kCount)> ids{};
    const uint32_t f = tcg::HelperFlag::kReadsState | tcg::HelperFlag::kWritesState;
    auto reg = [&](NeonHelper which, const char* name, tcg::HelperFn fn) {
      ids[size_t(which)] = tcg::register_helper(name, fn, f);
    };
    reg(NeonHelper::std_fp, "a32_neon_std_fp", h_std_fp);
    reg(NeonHelper::rev, "a32_neon_rev", h_rev);
    reg(NeonHelper::cnt, "a32_neon_cnt", h_cnt);
    reg(NeonHelper::perm, "a32_neon_perm", h_perm);
    reg(NeonHelper::ext, "a32_neon_ext", h_ext);
    reg(NeonHelper::tbl, "a32_neon_tbl", h_tbl);
    reg(NeonHelper::pmull64, "a32_neon_pmull64", h_pmull64);
    reg(NeonHelper::deinterleave, "a32_neon_deinterleave", h_deinterleave);
    reg(NeonHelper::interleave, "a32_neon_interleave", h_interleave);
    reg(NeonHelper::recps, "a32_neon_recps", h_recps);
    reg(NeonHelper::vfp_to_fixed16, "a32_vfp_to_fixed16", h_vfp_to_fixed16);
    reg(NeonHelper::crypto, "a32_neon_crypto", h_crypto);
    return ids;
  }();
  return ids[size_t(h)];
}

}  // namespace mimic::arm
