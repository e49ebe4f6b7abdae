// AArch64 cryptographic extensions (FEAT_AES, FEAT_PMULL, FEAT_SHA1, FEAT_SHA256, FEAT_SHA512,
// FEAT_SHA3): the Arm ARM's pseudocode on the V registers, one helper with a descriptor.
#include "target/arm/helpers_crypto.h"

#include <array>
#include <bit>

#include "target/arm/simd.h"
#include "tcg/helper.h"

namespace mimic::arm::crypto {

namespace {

using U128 = unsigned __int128;

// ---- AES (FIPS-197): the state is the 16 bytes of the register, column by column ----
constexpr uint8_t gf_mul(uint8_t a, uint8_t b) {
  uint8_t r = 0;
  for (int i = 0; i < 8; ++i) {
    if (b & 1) r ^= a;
    const bool hi = a & 0x80;
    a = uint8_t(a << 1);
    if (hi) a ^= 0x1b;
    b >>= 1;
  }
  return r;
}
constexpr std::array<uint8_t, 256> make_sbox() {
  std::array<uint8_t, 256> s{};
  for (int x = 0; x < 256; ++x) {
    // The multiplicative inverse x^254 (0 for 0), by square-and-multiply.
    uint8_t inv = 1, sq = uint8_t(x);
    for (unsigned e = 254; e; e >>= 1, sq = gf_mul(sq, sq))
      if (e & 1) inv = gf_mul(inv, sq);
    uint8_t b = inv, r = 0x63;
    for (int i = 0; i < 5; ++i) r ^= uint8_t((b << i) | (b >> (8 - i)));  // affine transform
    s[x] = r;
  }
  return s;
}
constexpr auto kSbox = make_sbox();
constexpr std::array<uint8_t, 256> make_inv_sbox() {
  std::array<uint8_t, 256> s{};
  for (int x = 0; x < 256; ++x) s[kSbox[x]] = uint8_t(x);
  return s;
}
constexpr auto kInvSbox = make_inv_sbox();
// Byte i of ShiftRows' result comes from byte kShift[i] (row r = i % 4 moves left by r).
constexpr uint8_t kShift[16] = {0, 5, 10, 15, 4, 9, 14, 3, 8, 13, 2, 7, 12, 1, 6, 11};
constexpr uint8_t kInvShift[16] = {0, 13, 10, 7, 4, 1, 14, 11, 8, 5, 2, 15, 12, 9, 6, 3};

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

VReg aes_round(const VReg& d, const VReg& n, bool decrypt) {
  const Bytes in = bytes(VReg{d.lo ^ n.lo, d.hi ^ n.hi});
  Bytes out;
  for (int i = 0; i < 16; ++i) out.b[i] = decrypt ? kInvSbox[in.b[kInvShift[i]]] : kSbox[in.b[kShift[i]]];
  return vreg(out);
}

VReg aes_mix(const VReg& n, bool inverse) {
  const Bytes in = bytes(n);
  // MixColumns multiplies each column by {2,3,1,1} rotated; InvMixColumns by {14,11,13,9}.
  const uint8_t k[4] = {uint8_t(inverse ? 14 : 2), uint8_t(inverse ? 11 : 3), uint8_t(inverse ? 13 : 1),
                        uint8_t(inverse ? 9 : 1)};
  Bytes out;
  for (int c = 0; c < 4; ++c)
    for (int r = 0; r < 4; ++r) {
      uint8_t x = 0;
      for (int j = 0; j < 4; ++j) x ^= gf_mul(in.b[4 * c + j], k[(j - r + 4) % 4]);
      out.b[4 * c + r] = x;
    }
  return vreg(out);
}

// ---- SHA-1 and SHA-256: 32-bit words, word e at bits 32e+31:32e ----
struct Words {
  uint32_t w[4];
};
Words words(const VReg& v) {
  return Words{{uint32_t(v.lo), uint32_t(v.lo >> 32), uint32_t(v.hi), uint32_t(v.hi >> 32)}};
}
VReg vreg(const Words& x) { return VReg{x.w[0] | uint64_t(x.w[1]) << 32, x.w[2] | uint64_t(x.w[3]) << 32}; }
uint32_t rol32(uint32_t x, int k) { return std::rotl(x, k); }
uint32_t ror32(uint32_t x, int k) { return std::rotr(x, k); }
uint32_t sha_choose(uint32_t x, uint32_t y, uint32_t z) { return ((y ^ z) & x) ^ z; }
uint32_t sha_majority(uint32_t x, uint32_t y, uint32_t z) { return (x & y) | ((x | y) & z); }
uint32_t sha_parity(uint32_t x, uint32_t y, uint32_t z) { return x ^ y ^ z; }

// SHA1C/SHA1P/SHA1M: four rounds on abcd (Vd) and e (Sn) with the schedule words plus K (Vm).
VReg sha1_rounds(Op op, const VReg& d, const VReg& n, const VReg& m) {
  Words x = words(d);
  const Words w = words(m);
  uint32_t y = uint32_t(n.lo);
  for (int e = 0; e < 4; ++e) {
    const uint32_t t = op == Op::kSha1c   ? sha_choose(x.w[1], x.w[2], x.w[3])
                       : op == Op::kSha1p ? sha_parity(x.w[1], x.w[2], x.w[3])
                                          : sha_majority(x.w[1], x.w[2], x.w[3]);
    y = y + rol32(x.w[0], 5) + t + w.w[e];
    x.w[1] = rol32(x.w[1], 30);
    // <Y, X> = ROL(Y:X, 32)
    const uint32_t top = x.w[3];
    x.w[3] = x.w[2], x.w[2] = x.w[1], x.w[1] = x.w[0], x.w[0] = y;
    y = top;
  }
  return vreg(x);
}

uint32_t sigma0_256(uint32_t x) { return ror32(x, 2) ^ ror32(x, 13) ^ ror32(x, 22); }
uint32_t sigma1_256(uint32_t x) { return ror32(x, 6) ^ ror32(x, 11) ^ ror32(x, 25); }

// SHA256hash(X, Y, W, part1) of the Arm ARM.
VReg sha256_hash(const VReg& xv, const VReg& yv, const VReg& wv, bool part1) {
  Words x = words(xv), y = words(yv);
  const Words w = words(wv);
  for (int e = 0; e < 4; ++e) {
    const uint32_t chs = sha_choose(y.w[0], y.w[1], y.w[2]);
    const uint32_t maj = sha_majority(x.w[0], x.w[1], x.w[2]);
    const uint32_t t = y.w[3] + sigma1_256(y.w[0]) + chs + w.w[e];
    x.w[3] = t + x.w[3];
    y.w[3] = t + sigma0_256(x.w[0]) + maj;
    // <Y, X> = ROL(Y:X, 32)
    const uint32_t ytop = y.w[3], xtop = x.w[3];
    y.w[3] = y.w[2], y.w[2] = y.w[1], y.w[1] = y.w[0], y.w[0] = xtop;
    x.w[3] = x.w[2], x.w[2] = x.w[1], x.w[1] = x.w[0], x.w[0] = ytop;
  }
  return vreg(part1 ? x : y);
}

VReg sha1su0(const VReg& d, const VReg& n, const VReg& m) {
  const VReg t{d.hi, n.lo};  // op2<63:0> : op1<127:64>
  return VReg{t.lo ^ d.lo ^ m.lo, t.hi ^ d.hi ^ m.hi};
}

VReg sha1su1(const VReg& d, const VReg& n) {
  const Words x = words(d), y = words(n);
  const uint32_t t[4] = {x.w[0] ^ y.w[1], x.w[1] ^ y.w[2], x.w[2] ^ y.w[3], x.w[3]};  // X EOR LSR(Y, 32)
  Words r;
  r.w[0] = rol32(t[0], 1);
  r.w[1] = rol32(t[1], 1);
  r.w[2] = rol32(t[2], 1);
  r.w[3] = rol32(t[3], 1) ^ rol32(t[0], 2);
  return vreg(r);
}

VReg sha256su0(const VReg& d, const VReg& n) {
  const Words x = words(d), y = words(n);
  const uint32_t t[4] = {x.w[1], x.w[2], x.w[3], y.w[0]};  // op2<31:0> : op1<127:32>
  Words r;
  for (int e = 0; e < 4; ++e) r.w[e] = (ror32(t[e], 7) ^ ror32(t[e], 18) ^ (t[e] >> 3)) + x.w[e];
  return vreg(r);
}

VReg sha256su1(const VReg& d, const VReg& n, const VReg& m) {
  const Words x = words(d), y = words(n), z = words(m);
  const uint32_t t0[4] = {y.w[1], y.w[2], y.w[3], z.w[0]};  // op3<31:0> : op2<127:32>
  auto s1 = [](uint32_t v) { return ror32(v, 17) ^ ror32(v, 19) ^ (v >> 10); };
  Words r;
  r.w[0] = s1(z.w[2]) + x.w[0] + t0[0];
  r.w[1] = s1(z.w[3]) + x.w[1] + t0[1];
  r.w[2] = s1(r.w[0]) + x.w[2] + t0[2];
  r.w[3] = s1(r.w[1]) + x.w[3] + t0[3];
  return vreg(r);
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
    case Op::kSha1c:
    case Op::kSha1p:
    case Op::kSha1m: r = sha1_rounds(k.op, d, n, m); break;
    case Op::kSha1su0: r = sha1su0(d, n, m); break;
    case Op::kSha256h: r = sha256_hash(d, n, m, true); break;
    case Op::kSha256h2: r = sha256_hash(n, d, m, false); break;
    case Op::kSha256su1: r = sha256su1(d, n, m); break;
    case Op::kSha1h: r = VReg{rol32(uint32_t(n.lo), 30), 0}; break;
    case Op::kSha1su1: r = sha1su1(d, n); break;
    case Op::kSha256su0: r = sha256su0(d, n); break;
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
