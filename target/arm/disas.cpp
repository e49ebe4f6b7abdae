// A64 and AArch32 disassembly through capstone for -d in_asm and error messages.
#include <capstone/capstone.h>

#include <string>

#include "target/arm/translate_a32.h"
#include "target/arm/translate_a64.h"

namespace mimic::arm {

std::string disassemble_insn(uint32_t insn, uint64_t pc) {
  // One handle per thread: cs_open is far too slow to repeat per instruction.
  struct Handle {
    csh h = 0;
    bool ok = false;
    Handle() { ok = cs_open(CS_ARCH_ARM64, CS_MODE_LITTLE_ENDIAN, &h) == CS_ERR_OK; }
    ~Handle() {
      if (ok) cs_close(&h);
    }
  };
  thread_local Handle handle;
  if (!handle.ok) return {};
  uint8_t bytes[4] = {uint8_t(insn), uint8_t(insn >> 8), uint8_t(insn >> 16), uint8_t(insn >> 24)};
  cs_insn* ci = nullptr;
  size_t count = cs_disasm(handle.h, bytes, 4, pc, 1, &ci);
  std::string out;
  if (count == 1) {
    out = ci->mnemonic;
    if (ci->op_str[0]) {
      out += ' ';
      out += ci->op_str;
    }
  }
  if (ci) cs_free(ci, count);
  return out;
}

std::string disassemble_a32_insn(const uint8_t* bytes, unsigned len, uint64_t pc, bool thumb) {
  struct Handle {
    csh h = 0;
    bool ok = false;
    explicit Handle(cs_mode mode) { ok = cs_open(CS_ARCH_ARM, mode, &h) == CS_ERR_OK; }
    ~Handle() {
      if (ok) cs_close(&h);
    }
  };
  thread_local Handle arm(CS_MODE_ARM), thumb_handle(CS_MODE_THUMB);
  Handle& handle = thumb ? thumb_handle : arm;
  if (!handle.ok) return {};
  cs_insn* ci = nullptr;
  size_t count = cs_disasm(handle.h, bytes, len, pc, 1, &ci);
  std::string out;
  if (count == 1) {
    out = ci->mnemonic;
    if (ci->op_str[0]) {
      out += ' ';
      out += ci->op_str;
    }
  }
  if (ci) cs_free(ci, count);
  return out;
}

}  // namespace mimic::arm
