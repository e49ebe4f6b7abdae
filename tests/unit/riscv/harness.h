// Test harness for the RISC-V translator: a small guest memory, run-to-ecall through the IR
// interpreter (raw and optimized IR) and, when the x86-64 backend is linked, through the JIT.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "target/riscv/cpu.h"
#include "target/riscv/translate.h"
#include "tcg/exec/guest_memory.h"
#include "tcg/ir/ir.h"
#include "tests/unit/common/jit_runner.h"

namespace mimic::riscv::test {

// Guest layout: code at kCode, scratch data at kData, all inside kMemSize bytes at guest_base.
constexpr uint64_t kCode = 0x10000;
constexpr uint64_t kData = 0x20000;
constexpr uint64_t kMemSize = 0x40000;
// Guest memory starts this far into the host buffer so x0-relative accesses (-2048..-1) stay inside.
constexpr uint64_t kGuard = 0x1000;

using tcg::test::Engine;  // tests/unit/common/jit_runner.h
using tcg::test::engine_name;
using tcg::test::engines;

struct Machine {
  Machine();
  ~Machine();
  Machine(const Machine&) = delete;
  std::vector<uint8_t> mem;
  std::unique_ptr<RiscvCpu> cpu;
  uint64_t code_end = kCode;  // fetchable code is [kCode, code_end) unless fetch_hi is set
  uint64_t fetch_lo = 0, fetch_hi = 0;
  std::vector<std::string> verify_errors;  // IR verifier complaints seen while translating

  // Copies code to kCode (32-bit words, or halfwords for compressed code).
  void code32(std::initializer_list<uint32_t> words);
  void code16(std::initializer_list<uint16_t> halves);
  void code_bytes(const void* p, size_t n, uint64_t at = kCode);
  template <class T>
  T read(uint64_t addr) const {
    T v;
    std::memcpy(&v, &mem[kGuard + addr], sizeof v);
    return v;
  }
  template <class T>
  void write(uint64_t addr, T v) {
    std::memcpy(&mem[kGuard + addr], &v, sizeof v);
  }
  // Runs from kCode until an exit other than chain/lookup (or max_blocks); returns the reason.
  uint32_t run(Engine e, unsigned max_blocks = 10000, unsigned max_insns = 64);
  // Copies registers, FP state and memory (not the engine fields).
  void copy_from(const Machine& o);
};

// Runs `setup` then the program on a fresh Machine per engine; checks `check` on each and that
// all engines agree on the whole state (unless !compare: counters differ between runs). Returns the exit reason of the
// first engine.
uint32_t run_all(const std::function<void(Machine&)>& setup, const std::function<void(Machine&)>& check,
                 unsigned max_insns = 64, bool compare = true);

}  // namespace mimic::riscv::test
