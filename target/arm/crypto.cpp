// The Cryptographic Extension's operations (crypto.h), from the Arm ARM's pseudocode.
#include "target/arm/crypto.h"

#include <array>
#include <bit>

namespace mimic::arm::crypto {

namespace {

uint8_t gf_mul(uint8_t a, uint8_t b) {
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

// The S-box (FIPS-197 5.1.1: the multiplicative inverse, then the affine map) and its inverse.
struct Sboxes {
  std::array<uint8_t, 256> fwd{}, inv{};
  Sboxes() {
    for (unsigned x = 0; x < 256; ++x) {
      uint8_t invx = 0;
      for (unsigned y = 1; y < 256 && x; ++y)
        if (gf_mul(uint8_t(x), uint8_t(y)) == 1) invx = uint8_t(y);
      uint8_t s = invx;
      for (int k = 1; k <= 4; ++k) s ^= uint8_t(std::rotl(invx, k));
      s ^= 0x63;
      fwd[x] = s;
      inv[s] = uint8_t(x);
    }
  }
};
const Sboxes& sboxes() {
  static const Sboxes s;
  return s;
}

uint32_t choose(uint32_t x, uint32_t y, uint32_t z) { return ((y ^ z) & x) ^ z; }
uint32_t parity(uint32_t x, uint32_t y, uint32_t z) { return x ^ y ^ z; }
uint32_t majority(uint32_t x, uint32_t y, uint32_t z) { return (x & y) | ((x | y) & z); }

}  // namespace

void aes_round(uint8_t state[16], const uint8_t key[16], bool decrypt) {
  uint8_t in[16];
  for (int i = 0; i < 16; ++i) in[i] = state[i] ^ key[i];
  const auto& sb = sboxes();
  // Byte r + 4c is row r of column c; ShiftRows moves row r left by r columns.
  for (int c = 0; c < 4; ++c)
    for (int r = 0; r < 4; ++r) {
      const int from = decrypt ? r + 4 * ((c - r + 4) % 4) : r + 4 * ((c + r) % 4);
      state[r + 4 * c] = decrypt ? sb.inv[in[from]] : sb.fwd[in[from]];
    }
}

void aes_mix_columns(uint8_t state[16], bool inverse) {
  static constexpr uint8_t kFwd[4] = {2, 3, 1, 1}, kInv[4] = {14, 11, 13, 9};
  const uint8_t* k = inverse ? kInv : kFwd;
  for (int c = 0; c < 4; ++c) {
    uint8_t col[4], out[4];
    for (int r = 0; r < 4; ++r) col[r] = state[r + 4 * c];
    for (int r = 0; r < 4; ++r) {
      uint8_t v = 0;
      for (int j = 0; j < 4; ++j) v ^= gf_mul(col[j], k[(j - r + 4) % 4]);
      out[r] = v;
    }
    for (int r = 0; r < 4; ++r) state[r + 4 * c] = out[r];
  }
}

Words sha1_hash(unsigned op, Words x, uint32_t y, Words w) {
  for (int e = 0; e < 4; ++e) {
    const uint32_t t = op == 0   ? choose(x.w[1], x.w[2], x.w[3])
                       : op == 1 ? parity(x.w[1], x.w[2], x.w[3])
                                 : majority(x.w[1], x.w[2], x.w[3]);
    y = y + std::rotl(x.w[0], 5) + t + w.w[e];
    x.w[1] = std::rotl(x.w[1], 30);
    // <Y, X> = ROL(Y:X, 32)
    const uint32_t top = x.w[3];
    x.w[3] = x.w[2], x.w[2] = x.w[1], x.w[1] = x.w[0], x.w[0] = y;
    y = top;
  }
  return x;
}

uint32_t sha1h(uint32_t e) { return std::rotl(e, 30); }

Words sha1su0(Words d, Words n, Words m) {
  // (n<63:0> : d<127:64>) ^ d ^ m
  const Words t{{d.w[2], d.w[3], n.w[0], n.w[1]}};
  Words r;
  for (int i = 0; i < 4; ++i) r.w[i] = t.w[i] ^ d.w[i] ^ m.w[i];
  return r;
}

Words sha1su1(Words d, Words m) {
  // T = d ^ (m >> 32)
  const Words t{{d.w[0] ^ m.w[1], d.w[1] ^ m.w[2], d.w[2] ^ m.w[3], d.w[3]}};
  Words r;
  r.w[0] = std::rotl(t.w[0], 1);
  r.w[1] = std::rotl(t.w[1], 1);
  r.w[2] = std::rotl(t.w[2], 1);
  r.w[3] = std::rotl(t.w[3], 1) ^ std::rotl(t.w[0], 2);
  return r;
}

Words sha256h(Words d, Words n, Words m, bool part2) {
  Words x = part2 ? n : d, y = part2 ? d : n;
  for (int e = 0; e < 4; ++e) {
    const uint32_t chs = choose(y.w[0], y.w[1], y.w[2]);
    const uint32_t maj = majority(x.w[0], x.w[1], x.w[2]);
    const uint32_t sigma1 = std::rotr(y.w[0], 6) ^ std::rotr(y.w[0], 11) ^ std::rotr(y.w[0], 25);
    const uint32_t sigma0 = std::rotr(x.w[0], 2) ^ std::rotr(x.w[0], 13) ^ std::rotr(x.w[0], 22);
    const uint32_t t = y.w[3] + sigma1 + chs + m.w[e];
    x.w[3] = t + x.w[3];
    y.w[3] = t + sigma0 + maj;
    // <Y, X> = ROL(Y:X, 32)
    const uint32_t xtop = x.w[3], ytop = y.w[3];
    x.w[3] = x.w[2], x.w[2] = x.w[1], x.w[1] = x.w[0], x.w[0] = ytop;
    y.w[3] = y.w[2], y.w[2] = y.w[1], y.w[1] = y.w[0], y.w[0] = xtop;
  }
  return part2 ? y : x;
}

Words sha256su0(Words d, Words m) {
  const Words t{{d.w[1], d.w[2], d.w[3], m.w[0]}};  // m<31:0> : d<127:32>
  Words r;
  for (int e = 0; e < 4; ++e) {
    const uint32_t elt = t.w[e];
    r.w[e] = (std::rotr(elt, 7) ^ std::rotr(elt, 18) ^ (elt >> 3)) + d.w[e];
  }
  return r;
}

Words sha256su1(Words d, Words n, Words m) {
  const Words t0{{n.w[1], n.w[2], n.w[3], m.w[0]}};  // m<31:0> : n<127:32>
  auto sigma = [](uint32_t elt) { return std::rotr(elt, 17) ^ std::rotr(elt, 19) ^ (elt >> 10); };
  Words r;
  for (int e = 0; e < 2; ++e) r.w[e] = sigma(m.w[2 + e]) + d.w[e] + t0.w[e];
  for (int e = 2; e < 4; ++e) r.w[e] = sigma(r.w[e - 2]) + d.w[e] + t0.w[e];
  return r;
}

}  // namespace mimic::arm::crypto
