// The Armv8 Cryptographic Extension's operations on 128-bit values, as the Arm ARM's pseudocode
// defines them (AESE/AESD/AESMC/AESIMC, SHA1C/P/M/H/SU0/SU1, SHA256H/H2/SU0/SU1). Pure functions
// of their operands, shared by the AArch32 NEON helpers and the A64 ones (helpers_crypto.cpp).
#pragma once

#include <cstdint>

namespace mimic::arm::crypto {

// A 128-bit value as four 32-bit words, word 0 the least significant (bits 31:0).
struct Words {
  uint32_t w[4];
};

// AESE (decrypt: AESD): ShiftRows and SubBytes (or their inverses) of state ^ key, bytes as
// the V register holds them (byte 0 = bits 7:0).
void aes_round(uint8_t state[16], const uint8_t key[16], bool decrypt);
// AESMC (inverse: AESIMC).
void aes_mix_columns(uint8_t state[16], bool inverse);

// SHA1C/SHA1P/SHA1M (op 0 choose, 1 parity, 2 majority): hash update of abcd (x) with e and
// the four schedule words.
Words sha1_hash(unsigned op, Words x, uint32_t e, Words w);
uint32_t sha1h(uint32_t e);                            // SHA1H: ROL(e, 30)
Words sha1su0(Words d, Words n, Words m);              // SHA1SU0
Words sha1su1(Words d, Words m);                       // SHA1SU1
Words sha256h(Words d, Words n, Words m, bool part2);  // SHA256H (part2: SHA256H2, with d and n swapped)
Words sha256su0(Words d, Words m);
Words sha256su1(Words d, Words n, Words m);

}  // namespace mimic::arm::crypto
