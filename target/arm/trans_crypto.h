// Visitors for: the cryptographic extensions (AES, SHA-1, SHA-256, SHA-512, SHA-3, PMULL.1Q).
#pragma once

#include "target/arm/trans.h"

namespace mimic::arm {

// clang-format off
bool trans_CRYPTO_aes(DisasContext& s, uint32_t op, uint32_t n, uint32_t d);
bool trans_CRYPTO_sha3reg(DisasContext& s, uint32_t m, uint32_t op, uint32_t n, uint32_t d);
bool trans_CRYPTO_sha2reg(DisasContext& s, uint32_t op, uint32_t n, uint32_t d);
bool trans_CRYPTO_sha512_3(DisasContext& s, uint32_t m, uint32_t op, uint32_t n, uint32_t d);
bool trans_CRYPTO_sha512_2(DisasContext& s, uint32_t op, uint32_t n, uint32_t d);
bool trans_CRYPTO_sm3_3(DisasContext& s, uint32_t m, uint32_t op, uint32_t n, uint32_t d);
bool trans_CRYPTO_sm3tt(DisasContext& s, uint32_t m, uint32_t imm2, uint32_t op, uint32_t n, uint32_t d);
bool trans_CRYPTO_four(DisasContext& s, uint32_t op, uint32_t m, uint32_t a, uint32_t n, uint32_t d);
bool trans_CRYPTO_xar(DisasContext& s, uint32_t m, uint32_t imm6, uint32_t n, uint32_t d);
bool trans_CRYPTO_pmull64(DisasContext& s, uint32_t q, uint32_t m, uint32_t n, uint32_t d);
// clang-format on

}  // namespace mimic::arm
