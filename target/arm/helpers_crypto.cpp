// AArch64 cryptographic extensions (FEAT_AES, FEAT_PMULL, FEAT_SHA1, FEAT_SHA256, FEAT_SHA512,
// FEAT_SHA3, FEAT_SM3, FEAT_SM4): the Arm ARM's pseudocode on the V registers, one helper with a descriptor. AES,
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

// ---- SM3 and SM4 (GB/T 32905, GB/T 32907) on 32-bit words, word 0 = bits 31:0 ----
uint32_t rol32(uint32_t x, int k) { return std::rotl(x, k); }

Words sm3partw1(const Words& d, const Words& n, const Words& m) {
  Words r;
  for (int i = 0; i < 3; ++i) r.w[i] = d.w[i] ^ n.w[i] ^ rol32(m.w[i + 1], 15);
  for (int i = 0; i < 4; ++i) {
    if (i == 3) r.w[3] = d.w[3] ^ n.w[3] ^ rol32(r.w[0], 15);
    r.w[i] = r.w[i] ^ rol32(r.w[i], 15) ^ rol32(r.w[i], 23);
  }
  return r;
}

Words sm3partw2(const Words& d, const Words& n, const Words& m) {
  Words t, r;
  for (int i = 0; i < 4; ++i) t.w[i] = n.w[i] ^ rol32(m.w[i], 7);
  for (int i = 0; i < 4; ++i) r.w[i] = d.w[i] ^ t.w[i];
  uint32_t t2 = rol32(t.w[0], 15);
  t2 = t2 ^ rol32(t2, 15) ^ rol32(t2, 23);
  r.w[3] ^= t2;
  return r;
}

Words sm3ss1(const Words& n, const Words& m, const Words& a) {
  return Words{{0, 0, 0, rol32(rol32(n.w[3], 12) + m.w[3] + a.w[3], 7)}};
}

// SM3TT1A/1B (tt2 false) and SM3TT2A/2B: one compression round on the state in Vd with the
// message word imm2 of Vm.
Words sm3tt(const Words& d, const Words& n, const Words& m, unsigned imm2, bool tt2, bool b) {
  const uint32_t w = m.w[imm2];
  uint32_t t;
  if (!tt2) {
    const uint32_t ss2 = n.w[3] ^ rol32(d.w[3], 12);
    t = b ? (d.w[3] & d.w[1]) | (d.w[3] & d.w[2]) | (d.w[1] & d.w[2]) : d.w[1] ^ d.w[3] ^ d.w[2];
    t = t + d.w[0] + ss2 + w;
  } else {
    t = b ? (d.w[3] & d.w[2]) | (~d.w[3] & d.w[1]) : d.w[1] ^ d.w[3] ^ d.w[2];
    t = t + d.w[0] + n.w[3] + w;
    t = t ^ rol32(t, 9) ^ rol32(t, 17);
  }
  return Words{{d.w[1], rol32(d.w[2], tt2 ? 19 : 9), d.w[3], t}};
}

constexpr uint8_t kSm4Sbox[256] = {
    0xd6, 0x90, 0xe9, 0xfe, 0xcc, 0xe1, 0x3d, 0xb7, 0x16, 0xb6, 0x14, 0xc2, 0x28, 0xfb, 0x2c, 0x05, 0x2b, 0x67, 0x9a,
    0x76, 0x2a, 0xbe, 0x04, 0xc3, 0xaa, 0x44, 0x13, 0x26, 0x49, 0x86, 0x06, 0x99, 0x9c, 0x42, 0x50, 0xf4, 0x91, 0xef,
    0x98, 0x7a, 0x33, 0x54, 0x0b, 0x43, 0xed, 0xcf, 0xac, 0x62, 0xe4, 0xb3, 0x1c, 0xa9, 0xc9, 0x08, 0xe8, 0x95, 0x80,
    0xdf, 0x94, 0xfa, 0x75, 0x8f, 0x3f, 0xa6, 0x47, 0x07, 0xa7, 0xfc, 0xf3, 0x73, 0x17, 0xba, 0x83, 0x59, 0x3c, 0x19,
    0xe6, 0x85, 0x4f, 0xa8, 0x68, 0x6b, 0x81, 0xb2, 0x71, 0x64, 0xda, 0x8b, 0xf8, 0xeb, 0x0f, 0x4b, 0x70, 0x56, 0x9d,
    0x35, 0x1e, 0x24, 0x0e, 0x5e, 0x63, 0x58, 0xd1, 0xa2, 0x25, 0x22, 0x7c, 0x3b, 0x01, 0x21, 0x78, 0x87, 0xd4, 0x00,
    0x46, 0x57, 0x9f, 0xd3, 0x27, 0x52, 0x4c, 0x36, 0x02, 0xe7, 0xa0, 0xc4, 0xc8, 0x9e, 0xea, 0xbf, 0x8a, 0xd2, 0x40,
    0xc7, 0x38, 0xb5, 0xa3, 0xf7, 0xf2, 0xce, 0xf9, 0x61, 0x15, 0xa1, 0xe0, 0xae, 0x5d, 0xa4, 0x9b, 0x34, 0x1a, 0x55,
    0xad, 0x93, 0x32, 0x30, 0xf5, 0x8c, 0xb1, 0xe3, 0x1d, 0xf6, 0xe2, 0x2e, 0x82, 0x66, 0xca, 0x60, 0xc0, 0x29, 0x23,
    0xab, 0x0d, 0x53, 0x4e, 0x6f, 0xd5, 0xdb, 0x37, 0x45, 0xde, 0xfd, 0x8e, 0x2f, 0x03, 0xff, 0x6a, 0x72, 0x6d, 0x6c,
    0x5b, 0x51, 0x8d, 0x1b, 0xaf, 0x92, 0xbb, 0xdd, 0xbc, 0x7f, 0x11, 0xd9, 0x5c, 0x41, 0x1f, 0x10, 0x5a, 0xd8, 0x0a,
    0xc1, 0x31, 0x88, 0xa5, 0xcd, 0x7b, 0xbd, 0x2d, 0x74, 0xd0, 0x12, 0xb8, 0xe5, 0xb4, 0xb0, 0x89, 0x69, 0x97, 0x4a,
    0x0c, 0x96, 0x77, 0x7e, 0x65, 0xb9, 0xf1, 0x09, 0xc5, 0x6e, 0xc6, 0x84, 0x18, 0xf0, 0x7d, 0xec, 0x3a, 0xdc, 0x4d,
    0x20, 0x79, 0xee, 0x5f, 0x3e, 0xd7, 0xcb, 0x39, 0x48};
constexpr bool sbox_is_permutation() {
  bool seen[256] = {};
  for (uint8_t v : kSm4Sbox) {
    if (seen[v]) return false;
    seen[v] = true;
  }
  return true;
}
static_assert(sbox_is_permutation());

// Four SM4 rounds on the state in `x` with the words of `k`: SM4E (round keys, the linear
// transform L) or SM4EKEY (the key schedule's constants CK, L').
Words sm4_rounds(Words x, const Words& k, bool key_schedule) {
  for (int i = 0; i < 4; ++i) {
    uint32_t t = x.w[3] ^ x.w[2] ^ x.w[1] ^ k.w[i];
    uint32_t s = 0;
    for (int b = 0; b < 4; ++b) s |= uint32_t(kSm4Sbox[(t >> (8 * b)) & 0xff]) << (8 * b);
    t = key_schedule ? s ^ rol32(s, 13) ^ rol32(s, 23) : s ^ rol32(s, 2) ^ rol32(s, 10) ^ rol32(s, 18) ^ rol32(s, 24);
    t ^= x.w[0];
    x = Words{{x.w[1], x.w[2], x.w[3], t}};
  }
  return x;
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
    case Op::kSm3partw1: r = vreg(sm3partw1(words(d), words(n), words(m))); break;
    case Op::kSm3partw2: r = vreg(sm3partw2(words(d), words(n), words(m))); break;
    case Op::kSm3ss1: r = vreg(sm3ss1(words(n), words(m), words(a))); break;
    case Op::kSm3tt1a: r = vreg(sm3tt(words(d), words(n), words(m), k.imm & 3, false, false)); break;
    case Op::kSm3tt1b: r = vreg(sm3tt(words(d), words(n), words(m), k.imm & 3, false, true)); break;
    case Op::kSm3tt2a: r = vreg(sm3tt(words(d), words(n), words(m), k.imm & 3, true, false)); break;
    case Op::kSm3tt2b: r = vreg(sm3tt(words(d), words(n), words(m), k.imm & 3, true, true)); break;
    case Op::kSm4e: r = vreg(sm4_rounds(words(d), words(n), false)); break;
    case Op::kSm4ekey: r = vreg(sm4_rounds(words(n), words(m), true)); break;
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
