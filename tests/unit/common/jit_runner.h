// A minimal JIT runner for guest translator tests: compiles blocks into one RWX test buffer and
// enters them through the real trampolines (the code cache proper lives in tcg/exec).
#pragma once

#include "tcg/exec/cpu_base.h"
#include "tcg/ir/ir.h"

namespace mimic::tcg::test {

// Compiles `block` (the buffer starts over when full); returns its entry, or nullptr after
// reporting a gtest failure when the backend rejects the block.
const void* jit_compile(const Block& block);
// Runs compiled code on `cpu` until it leaves translated code (sets cpu->epilogue first).
void jit_enter(CpuBase* cpu, const void* code);

}  // namespace mimic::tcg::test
