// The IR printer: readable text for `-d op,op_opt`, verifier messages and test expectations.
#pragma once

#include <string>

#include "tcg/ir/ir.h"

namespace mimic::tcg {

// One instruction, e.g. "v5:i64 = Add v3, 0x10:i64", "SetState +0x108, v5", "L0:", "---- 0x10074".
// `index` names the result (vN).
std::string print_inst(const Block& block, ValueId index);
// The whole block, one instruction per line (Nops skipped, value numbers kept).
std::string print_block(const Block& block);
// One operand as the printer shows it inside an instruction.
std::string print_arg(const Inst& inst, int arg);

}  // namespace mimic::tcg
