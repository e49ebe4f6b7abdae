// Test harness for the AArch64 translator: a small guest memory, run-to-svc through the IR
// interpreter (raw and optimized IR) and, when the x86-64 backend is linked, through the JIT.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "target/arm/cpu.h"
#include "target/arm/translate_a64.h"
#include "tcg/exec/guest_memory.h"
#include "tcg/ir/ir.h"
#include "tests/unit/common/jit_runner.h"

namespace mimic::arm::test {

// Guest layout: code at kCode, scratch data at kData, all inside kMemSize bytes at guest_base.
constexpr uint64_t kCode = 0x1000;
constexpr uint64_t kData = 0x8000;
constexpr uint64_t kMemSize = 0x10000;

using tcg::test::Engine;  // tests/unit/common/jit_runner.h
using tcg::test::engine_name;
using tcg::test::engines;

struct Machine {
  explicit Machine(uint64_t mem_size = kMemSize);
  ~Machine();
  Machine(const Machine&) = delete;
  std::vector<uint8_t> mem;
  std::unique_ptr<A64Cpu> cpu;
  uint64_t code_start = kCode, code_end = kCode;  // fetchable code
  std::vector<std::string> verify_errors;         // IR verifier complaints seen while translating

  void code(std::initializer_list<uint32_t> words, uint64_t at = kCode);
  template <class T>
  T read(uint64_t addr) const {
    T v;
    std::memcpy(&v, &mem[addr], sizeof v);
    return v;
  }
  template <class T>
  void write(uint64_t addr, T v) {
    std::memcpy(&mem[addr], &v, sizeof v);
  }
  uint32_t nzcv() const { return get_nzcv(*cpu) >> 28; }  // NZCV as 4 bits
  void set_flags(uint32_t nzcv4) { set_nzcv(*cpu, nzcv4 << 28); }
  // Runs from cpu->pc until an exit other than chain/lookup (or max_blocks); returns the reason.
  uint32_t run(Engine e, unsigned max_blocks = 10000, unsigned max_insns = 64);
  // Copies registers, flags, system state and memory (not the engine fields).
  void copy_from(const Machine& o);
};

// Translates nothing: runs an already translated block once on `cpu` with engine e (the block is
// optimized in place for InterpOpt/Jit). Returns false when the JIT failed to compile it.
bool run_block(Engine e, tcg::Block& block, A64Cpu* cpu);

// JIT only (MIMIC_TEST_JIT): compiles an (already optimized) block into the shared test code
// buffer, and enters compiled code. Entering is thread-safe; compiling is not.
using tcg::test::jit_compile;  // tests/unit/common/jit_runner.h
using tcg::test::jit_enter;

// Runs `setup` then the program on a fresh Machine per engine; checks `check` on each and that
// all engines agree on the whole state. Returns the exit reason of the first engine.
uint32_t run_all(const std::function<void(Machine&)>& setup, const std::function<void(Machine&)>& check,
                 unsigned max_insns = 64, uint64_t mem_size = kMemSize);

}  // namespace mimic::arm::test
