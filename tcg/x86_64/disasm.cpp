// Host (x86-64) disassembly through capstone (see disasm.h).
#include "tcg/x86_64/disasm.h"

#include <capstone/capstone.h>
#include <fmt/format.h>

namespace mimic::tcg {

std::string disassemble_host(const uint8_t* code, size_t size, uint64_t address) {
  csh handle;
  if (cs_open(CS_ARCH_X86, CS_MODE_64, &handle) != CS_ERR_OK) return "(capstone: cannot open x86-64 disassembler)\n";
  std::string out;
  cs_insn* insn = cs_malloc(handle);
  const uint8_t* p = code;
  size_t left = size;
  uint64_t addr = address;
  while (left > 0) {
    if (cs_disasm_iter(handle, &p, &left, &addr, insn)) {
      out += fmt::format("0x{:016x}:  {} {}\n", insn->address, insn->mnemonic, insn->op_str);
    } else {
      out += fmt::format("0x{:016x}:  .byte 0x{:02x}\n", addr, *p);
      ++p;
      --left;
      ++addr;
    }
  }
  cs_free(insn, 1);
  cs_close(&handle);
  return out;
}

}  // namespace mimic::tcg
