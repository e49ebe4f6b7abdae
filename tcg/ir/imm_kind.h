// What each Imm operand of an op means (condition, MemOp, helper id...): the one place that says
// it, so the printer, the verifier and the generated IR reference name immediates alike.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tcg/ir/ir.h"

namespace mimic::tcg {

enum class ImmKind : uint8_t {
  None,         // not an Imm slot of the op table
  Int,          // a plain constant
  Pc,           // a guest address
  StateOffset,  // byte offset into the guest CPU state
  Cond,         // tcg::Cond
  FCond,        // tcg::FCond
  MemOp,        // MemOp bits
  RmwOp,        // tcg::RmwOp
  Fence,        // tcg::FenceKind
  Helper,       // helper id (tcg/helper.h)
  Slot,         // GotoTb chain slot, 0 or 1
  ExitReason,   // ExitReason or a frontend reason
  Bits,         // a bit count (widths, field lengths)
  BitPos,       // a bit position
  ESize,        // vector lane size as log2 bytes
  Lane,         // vector lane index
};

// The meaning of operand `arg` of `op` when the op table declares it Imm; None otherwise.
ImmKind imm_kind(Opcode op, int arg);
std::string_view imm_kind_name(ImmKind k);

std::string_view fence_name(FenceKind k);
// "u32", "s16:al", ...: sign, size in bits and the aligned flag; unknown bits appended in hex.
std::string memop_string(uint64_t memop);

}  // namespace mimic::tcg
