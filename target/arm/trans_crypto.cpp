// The cryptographic extensions' visitors: each decodes its group's opcode and calls the one crypto
// helper (helpers_crypto.cpp), which reads and writes the V registers.
#include "target/arm/trans_crypto.h"

#include "target/arm/helpers_crypto.h"

namespace mimic::arm {

namespace {
using crypto::Op;

bool call(DisasContext& s, Op op, unsigned d, unsigned n, unsigned m = 0, unsigned a = 0, unsigned imm = 0) {
  crypto::Desc desc{op, d, n, m, a, imm};
  s.ir.call_void(crypto::helper_id(), {imm64(desc.pack())});
  return true;
}
}  // namespace

// AESE, AESD, AESMC, AESIMC (opcode 0b001oo).
bool trans_CRYPTO_aes(DisasContext& s, uint32_t op, uint32_t n, uint32_t d) {
  static constexpr Op kOps[4] = {Op::kAese, Op::kAesd, Op::kAesmc, Op::kAesimc};
  return call(s, kOps[op], d, n);
}

// SHA1C, SHA1P, SHA1M, SHA1SU0, SHA256H, SHA256H2, SHA256SU1; opcode 7 is unallocated.
bool trans_CRYPTO_sha3reg(DisasContext& s, uint32_t m, uint32_t op, uint32_t n, uint32_t d) {
  static constexpr Op kOps[7] = {Op::kSha1c,   Op::kSha1p,    Op::kSha1m,    Op::kSha1su0,
                                 Op::kSha256h, Op::kSha256h2, Op::kSha256su1};
  if (op >= 7) return false;
  return call(s, kOps[op], d, n, m);
}

// SHA1H, SHA1SU1, SHA256SU0; opcode 3 is unallocated.
bool trans_CRYPTO_sha2reg(DisasContext& s, uint32_t op, uint32_t n, uint32_t d) {
  static constexpr Op kOps[3] = {Op::kSha1h, Op::kSha1su1, Op::kSha256su0};
  if (op >= 3) return false;
  return call(s, kOps[op], d, n);
}

// SHA512H, SHA512H2, SHA512SU1, RAX1 (O = 0; the SM3/SM4 forms with O = 1 are CRYPTO_sm3_3).
bool trans_CRYPTO_sha512_3(DisasContext& s, uint32_t m, uint32_t op, uint32_t n, uint32_t d) {
  static constexpr Op kOps[4] = {Op::kSha512h, Op::kSha512h2, Op::kSha512su1, Op::kRax1};
  return call(s, kOps[op], d, n, m);
}

// SHA512SU0 (opcode 0), SM4E (1); 2 and 3 are unallocated.
bool trans_CRYPTO_sha512_2(DisasContext& s, uint32_t op, uint32_t n, uint32_t d) {
  if (op >= 2) return false;
  return call(s, op == 0 ? Op::kSha512su0 : Op::kSm4e, d, n);
}

// SM3PARTW1, SM3PARTW2, SM4EKEY (O = 1); opcode 3 is unallocated.
bool trans_CRYPTO_sm3_3(DisasContext& s, uint32_t m, uint32_t op, uint32_t n, uint32_t d) {
  static constexpr Op kOps[3] = {Op::kSm3partw1, Op::kSm3partw2, Op::kSm4ekey};
  if (op >= 3) return false;
  return call(s, kOps[op], d, n, m);
}

// SM3TT1A, SM3TT1B, SM3TT2A, SM3TT2B with the word index imm2 of Vm.
bool trans_CRYPTO_sm3tt(DisasContext& s, uint32_t m, uint32_t imm2, uint32_t op, uint32_t n, uint32_t d) {
  static constexpr Op kOps[4] = {Op::kSm3tt1a, Op::kSm3tt1b, Op::kSm3tt2a, Op::kSm3tt2b};
  return call(s, kOps[op], d, n, m, 0, imm2);
}

// EOR3 (Op0 = 0), BCAX (1), SM3SS1 (2); 3 is unallocated.
bool trans_CRYPTO_four(DisasContext& s, uint32_t op, uint32_t m, uint32_t a, uint32_t n, uint32_t d) {
  static constexpr Op kOps[3] = {Op::kEor3, Op::kBcax, Op::kSm3ss1};
  if (op >= 3) return false;
  return call(s, kOps[op], d, n, m, a);
}

bool trans_CRYPTO_xar(DisasContext& s, uint32_t m, uint32_t imm6, uint32_t n, uint32_t d) {
  return call(s, Op::kXar, d, n, m, 0, imm6);
}

// PMULL/PMULL2 Vd.1Q, Vn.1D/2D, Vm.1D/2D (size 3 of the three-different PMULL).
bool trans_CRYPTO_pmull64(DisasContext& s, uint32_t q, uint32_t m, uint32_t n, uint32_t d) {
  return call(s, q ? Op::kPmull64Hi : Op::kPmull64, d, n, m);
}

}  // namespace mimic::arm
