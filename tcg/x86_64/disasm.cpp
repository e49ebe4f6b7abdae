// Host (x86-64) disassembly through capstone (see disasm.h).
#include "tcg/x86_64/disasm.h"

#include <capstone/capstone.h>
#include <fmt/format.h>

#include <cstddef>
#include <cstring>

#include "tcg/backend.h"
#include "tcg/exec/cpu_base.h"

namespace mimic::tcg {

// The stub's call is `call [rbp + disp8]` (FF 55 disp8), which the loop below recognises.
static_assert(offsetof(CpuBase, chain_exit) < 0x80);

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
      // A chain-exit stub's call is followed by its data, not by code (emit_control.cpp).
      if (insn->size == 3 && insn->bytes[0] == 0xff && insn->bytes[1] == 0x55 &&
          insn->bytes[2] == offsetof(CpuBase, chain_exit) && left >= sizeof(ChainExitData)) {
        ChainExitData d;
        std::memcpy(&d, p, sizeof(d));
        out += fmt::format("0x{:016x}:  .data target_pc=0x{:x} tb=0x{:x} slot={}\n", addr, uint64_t(d.target_pc),
                           uint64_t(d.tb), uint32_t(d.slot));
        p += sizeof(d);
        left -= sizeof(d);
        addr += sizeof(d);
      }
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
