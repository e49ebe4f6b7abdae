// The JIT runner shared by the guest translator tests (see jit_runner.h).
#include "tests/unit/common/jit_runner.h"

#include <gtest/gtest.h>
#include <sys/mman.h>

#include <vector>

#include "tcg/backend.h"

namespace mimic::tcg::test {
namespace {

struct Jit {
  static constexpr size_t kSize = 16 << 20;
  uint8_t* buf = nullptr;
  size_t used = 0;
  size_t blocks_start = 0;
  Trampolines tramp;
  Jit() {
    buf = static_cast<uint8_t*>(
        mmap(nullptr, kSize, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    tramp = emit_trampolines({buf, uintptr_t(buf), kSize});
    blocks_start = used = (tramp.size + 63) & ~size_t(63);
  }
  const void* compile(const Block& b) {
    std::vector<PcMapEntry> map;
    for (int attempt = 0; attempt < 2; ++attempt) {
      HostCodeRegion r{buf + used, uintptr_t(buf + used), kSize - used};
      CompileResult res = compile_block(b, r, 8, map);
      if (res.status == CompileResult::Status::Ok) {
        const void* entry = buf + used;
        used = (used + res.size + 63) & ~size_t(63);
        return entry;
      }
      if (res.status != CompileResult::Status::OutOfSpace) {
        ADD_FAILURE() << "compile_block: " << res.error;
        return nullptr;
      }
      used = blocks_start;  // full: start over (tests never keep old entries across this)
    }
    return nullptr;
  }
};

Jit& jit() {
  static Jit j;
  return j;
}

}  // namespace

std::vector<Engine> engines() {
  std::vector<Engine> e{Engine::Interp};
#ifdef MIMIC_TEST_OPT
  e.push_back(Engine::InterpOpt);
#endif
#ifdef MIMIC_TEST_JIT
  e.push_back(Engine::Jit);
#endif
  return e;
}

const char* engine_name(Engine e) {
  switch (e) {
    case Engine::Interp: return "interp";
    case Engine::InterpOpt: return "interp+opt";
    default: return "jit";
  }
}

const void* jit_compile(const Block& block) { return jit().compile(block); }

void jit_enter(CpuBase* cpu, const void* code) {
  cpu->epilogue = jit().tramp.epilogue;
  cpu->chain_exit = jit().tramp.chain_exit;
  jit().tramp.enter(cpu, code);
}

}  // namespace mimic::tcg::test
