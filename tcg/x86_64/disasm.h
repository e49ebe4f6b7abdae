// Host (x86-64) disassembly for `-d out_asm` and error messages, through capstone.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace mimic::tcg {

// One instruction per line: "0x<address>:  <mnemonic> <operands>\n". Bytes capstone cannot
// decode are printed as ".byte" lines so the listing always covers the whole range.
std::string disassemble_host(const uint8_t* code, size_t size, uint64_t address);

}  // namespace mimic::tcg
