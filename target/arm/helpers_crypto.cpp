// AArch64 cryptographic extensions (FEAT_AES, FEAT_PMULL, FEAT_SHA1, FEAT_SHA256, FEAT_SHA512,
// FEAT_SHA3): the Arm ARM's pseudocode on the V registers, one helper with a descriptor. AES,
// SHA-1 and SHA-256 are crypto.h's, which the AArch32 NEON helpers use too.
#include "target/arm/helpers_crypto.h"

#include <array>
#include <bit>

#include "target/arm/crypto.h"
#include "target/arm/simd.h"
#include "tcg/helper.h"

namespace mimic::arm::crypto {

namespace {

using U128 = unsigned __int128;

// ---- AES, SHA-1 and SHA-256: crypto.h's operations (shared with the AArch32 NEON helpers) on
// the register as bytes (byte 0 = bits 7:0) or words (word 0 = bits 31:0) ----
struct Bytes {
  uint8_t b[16];
};
Bytes bytes(const VReg& v) {
  Bytes r;
  for (int i = 0; i < 8; ++i) r.b[i] = uint8_t(v.lo >> (8 * i)), r.b[8 + i] = uint8_t(v.hi >> (8 * i));
  return r;
}
VReg vreg(const Bytes& x) {
  VReg v;
  for (int i = 0; i < 8; ++i) v.lo |= uint64_t(x.b[i]) << (8 * i), v.hi |= uint64_t(x.b[8 + i]) << (8 * i);
  return v;
}
Words words(const VReg& v) {
  return Words{{uint32_t(v.lo), uint32_t(v.lo >> 32), uint32_t(v.hi), uint32_t(v.hi >> 32)}};
}
VReg vreg(const Words& x) { return VReg{x.w[0] | uint64_t(x.w[1]) << 32, x.w[2] | uint64_t(x.w[3]) << 32}; }

VReg aes_round(const VReg& d, const VReg& n, bool decrypt) {  // AESE/AESD: rounds of d ^ n
  Bytes state = bytes(d);
  const Bytes key = bytes(n);
  crypto::aes_round(state.b, key.b, decrypt);
  return vreg(state);
}
VReg aes_mix(const VReg& n, bool inverse) {
  Bytes state = bytes(n);
  crypto::aes_mix_columns(state.b, inverse);
  return vreg(state);
}

// ---- SHA-512: 64-bit halves ----
uint64_t ror64(uint64_t x, int k) { return std::rotr(x, k); }

VReg sha512h(const VReg& w, const VReg& x, const VReg& y) {  // W = Vd, X = Vn, Y = Vm
  VReg t;
  uint64_t s1 = ror64(y.hi, 14) ^ ror64(y.hi, 18) ^ ror64(y.hi, 41);
  t.hi = ((y.hi & x.lo) ^ (~y.hi & x.hi)) + s1 + w.hi;
  const uint64_t tmp = t.hi + y.lo;
  s1 = ror64(tmp, 14) ^ ror64(tmp, 18) ^ ror64(tmp, 41);
  t.lo = ((tmp & y.hi) ^ (~tmp & x.lo)) + s1 + w.lo;
  return t;
}

VReg sha512h2(const VReg& w, const VReg& x, const VReg& y) {
  VReg t;
  uint64_t s0 = ror64(y.lo, 28) ^ ror64(y.lo, 34) ^ ror64(y.lo, 39);
  t.hi = ((x.lo & y.hi) ^ (x.lo & y.lo) ^ (y.hi & y.lo)) + s0 + w.hi;
  s0 = ror64(t.hi, 28) ^ ror64(t.hi, 34) ^ ror64(t.hi, 39);
  t.lo = ((t.hi & y.lo) ^ (t.hi & y.hi) ^ (y.hi & y.lo)) + s0 + w.lo;
  return t;
}

VReg sha512su0(const VReg& w, const VReg& x) {
  auto s0 = [](uint64_t v) { return ror64(v, 1) ^ ror64(v, 8) ^ (v >> 7); };
  return VReg{w.lo + s0(w.hi), w.hi + s0(x.lo)};
}

VReg sha512su1(const VReg& w, const VReg& x, const VReg& y) {
  auto s1 = [](uint64_t v) { return ror64(v, 19) ^ ror64(v, 61) ^ (v >> 6); };
  return VReg{w.lo + s1(x.lo) + y.lo, w.hi + s1(x.hi) + y.hi};
}

// ---- PMULL.1Q: carry-less 64 x 64 -> 128 ----
VReg clmul64(uint64_t a, uint64_t b) {
  U128 r = 0;
  for (int i = 0; i < 64; ++i)
    if ((b >> i) & 1) r ^= U128(a) << i;
  return VReg{uint64_t(r), uint64_t(r >> 64)};
}

uint64_t h_crypto(tcg::CpuBase* env, uint64_t desc, uint64_t, uint64_t, uint64_t, uint64_t) {
  A64Cpu* c = a64_cpu(env);
  const Desc k = Desc::unpack(desc);
  const VReg d = c->v[k.d], n = c->v[k.n], m = c->v[k.m], a = c->v[k.a];
  VReg r;
  switch (k.op) {
    case Op::kAese: r = aes_round(d, n, false); break;
    case Op::kAesd: r = aes_round(d, n, true); break;
    case Op::kAesmc: r = aes_mix(n, false); break;
    case Op::kAesimc: r = aes_mix(n, true); break;
    // SHA1C/SHA1P/SHA1M: four rounds on abcd (Vd) and e (Sn) with the schedule words plus K (Vm).
    case Op::kSha1c: r = vreg(sha1_hash(0, words(d), uint32_t(n.lo), words(m))); break;
    case Op::kSha1p: r = vreg(sha1_hash(1, words(d), uint32_t(n.lo), words(m))); break;
    case Op::kSha1m: r = vreg(sha1_hash(2, words(d), uint32_t(n.lo), words(m))); break;
    case Op::kSha1su0: r = vreg(sha1su0(words(d), words(n), words(m))); break;
    case Op::kSha256h: r = vreg(sha256h(words(d), words(n), words(m), false)); break;
    case Op::kSha256h2: r = vreg(sha256h(words(d), words(n), words(m), true)); break;
    case Op::kSha256su1: r = vreg(sha256su1(words(d), words(n), words(m))); break;
    case Op::kSha1h: r = VReg{sha1h(uint32_t(n.lo)), 0}; break;
    case Op::kSha1su1: r = vreg(sha1su1(words(d), words(n))); break;
    case Op::kSha256su0: r = vreg(sha256su0(words(d), words(n))); break;
    case Op::kSha512h: r = sha512h(d, n, m); break;
    case Op::kSha512h2: r = sha512h2(d, n, m); break;
    case Op::kSha512su1: r = sha512su1(d, n, m); break;
    case Op::kSha512su0: r = sha512su0(d, n); break;
    case Op::kRax1: r = VReg{n.lo ^ std::rotl(m.lo, 1), n.hi ^ std::rotl(m.hi, 1)}; break;
    case Op::kEor3: r = VReg{n.lo ^ m.lo ^ a.lo, n.hi ^ m.hi ^ a.hi}; break;
    case Op::kBcax: r = VReg{n.lo ^ (m.lo & ~a.lo), n.hi ^ (m.hi & ~a.hi)}; break;
    case Op::kXar: r = VReg{ror64(n.lo ^ m.lo, int(k.imm)), ror64(n.hi ^ m.hi, int(k.imm))}; break;
    case Op::kPmull64: r = clmul64(n.lo, m.lo); break;
    case Op::kPmull64Hi: r = clmul64(n.hi, m.hi); break;
  }
  c->v[k.d] = r;
  return 0;
}

}  // namespace

uint32_t helper_id() {
  static const uint32_t id =
      tcg::register_helper("a64_crypto", h_crypto, tcg::HelperFlag::kReadsState | tcg::HelperFlag::kWritesState);
  return id;
}

}  // namespace mimic::arm::crypto
