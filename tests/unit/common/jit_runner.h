// Shared by the guest translator tests: the engines a test runs on, and a minimal JIT runner
// that compiles blocks into one RWX test buffer and enters them through the real trampolines
// (the code cache proper lives in tcg/exec).
#pragma once

#include <vector>

#include "tcg/exec/cpu_base.h"
#include "tcg/ir/ir.h"

namespace mimic::tcg::test {

// Every guest test runs on each engine and requires the same results from all.
enum class Engine { Interp, InterpOpt, Jit };
std::vector<Engine> engines();  // the engines this build can run (MIMIC_TEST_OPT, MIMIC_TEST_JIT)
const char* engine_name(Engine e);

// Compiles `block` (the buffer starts over when full); returns its entry, or nullptr after
// reporting a gtest failure when the backend rejects the block.
const void* jit_compile(const Block& block);
// Runs compiled code on `cpu` until it leaves translated code (sets cpu->epilogue first).
void jit_enter(CpuBase* cpu, const void* code);

}  // namespace mimic::tcg::test
