// Test harness for the x86-64 backend: a code buffer, the trampolines, a CpuBase-derived test
// state and a guest memory sandbox, so each test can build IR, compile it and run it for real.
#pragma once

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <vector>

#include "tcg/backend.h"
#include "tcg/exec/cpu_base.h"
#include "tcg/ir/builder.h"

namespace mimic::tcg::test {

struct TestCpu : CpuBase {
  uint64_t in[48] = {};
  uint64_t out[48] = {};
  alignas(16) uint8_t vin[4][16] = {};
  alignas(16) uint8_t vout[4][16] = {};
};

constexpr size_t kCodeSize = size_t(1) << 20;
constexpr size_t kBlockOffset = 4096;  // trampolines live below
constexpr size_t kGuestMemSize = 1 << 16;
constexpr uint64_t kEndPc = 0x2000;

class Jit {
 public:
  // dual: map the code memfd twice (RW view for writing, RX view for running) like the code cache.
  explicit Jit(bool dual = false) : cpu_(std::make_unique<TestCpu>()), mem_(kGuestMemSize, 0) {
    if (dual) {
      fd_ = memfd_create("mimic-backend-test", 0);
      if (fd_ < 0 || ftruncate(fd_, kCodeSize) != 0) throw std::runtime_error("memfd");
      write_ = static_cast<uint8_t*>(mmap(nullptr, kCodeSize, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0));
      void* x = mmap(nullptr, kCodeSize, PROT_READ | PROT_EXEC, MAP_SHARED, fd_, 0);
      exec_ = reinterpret_cast<uintptr_t>(x);
    } else {
      write_ = static_cast<uint8_t*>(
          mmap(nullptr, kCodeSize, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
      exec_ = reinterpret_cast<uintptr_t>(write_);
    }
    tramp_ = emit_trampolines(HostCodeRegion{write_, exec_, kBlockOffset});
    jump_cache_.assign(kJumpCacheSize, JumpCacheEntry{kJumpCacheEmpty, 0});
    reset_cpu();
  }
  ~Jit() {
    if (exec_ != reinterpret_cast<uintptr_t>(write_)) munmap(reinterpret_cast<void*>(exec_), kCodeSize);
    munmap(write_, kCodeSize);
    if (fd_ >= 0) close(fd_);
  }

  TestCpu& cpu() { return *cpu_; }
  uint8_t* mem() { return mem_.data(); }
  uint8_t* write_view() { return write_; }
  uintptr_t exec_view() const { return exec_; }
  const Trampolines& trampolines() const { return tramp_; }
  std::vector<JumpCacheEntry>& jump_cache() { return jump_cache_; }
  std::vector<PcMapEntry>& pc_map() { return pc_map_; }

  void reset_cpu() {
    TestCpu& c = *cpu_;
    c.pc = 0;
    c.exit_request.store(0);
    c.exit_reason = ~0u;
    c.exit_tb = 0;
    c.exit_slot = ~0u;
    c.guest_base = mem_.data();
    c.jump_cache = jump_cache_.data();
    c.epilogue = tramp_.epilogue;
    c.chain_exit = tramp_.chain_exit;
    c.fault_addr = 0;
  }

  // Byte offset of a field of the test state from env (what GetState/SetState take).
  template <typename T>
  uint32_t off(const T& field) const {
    return uint32_t(reinterpret_cast<const uint8_t*>(&field) - reinterpret_cast<const uint8_t*>(cpu_.get()));
  }
  uint32_t in_off(int i) const { return off(cpu_->in[i]); }
  uint32_t out_off(int i) const { return off(cpu_->out[i]); }

  CompileResult compile(const Block& b, size_t at = kBlockOffset, uint64_t cookie = 0x1230,
                        const BackendOptions& opt = {}, size_t capacity = 0) {
    size_t cap = capacity ? capacity : kCodeSize - at;
    return compile_block(b, HostCodeRegion{write_ + at, exec_ + at, cap}, cookie, pc_map_, opt);
  }
  void run(size_t at = kBlockOffset) { tramp_.enter(cpu_.get(), reinterpret_cast<const void*>(exec_ + at)); }

  // Compile (must succeed) and run.
  void compile_and_run(const Block& b, const BackendOptions& opt = {}) {
    CompileResult r = compile(b, kBlockOffset, 0x1230, opt);
    ASSERT_EQ(r.status, CompileResult::Status::Ok) << r.error;
    run();
  }

 private:
  std::unique_ptr<TestCpu> cpu_;
  std::vector<uint8_t> mem_;
  std::vector<JumpCacheEntry> jump_cache_;
  std::vector<PcMapEntry> pc_map_;
  uint8_t* write_ = nullptr;
  uintptr_t exec_ = 0;
  int fd_ = -1;
  Trampolines tramp_;
};

// Ends a test block by returning to the "loop" with a recognisable reason and pc.
inline void finish(IRBuilder& ir) { ir.exit_loop(kExitGuestBase, IRBuilder::imm64(kEndPc)); }

inline uint64_t mask_of(Type t) { return t == Type::I64 ? ~0ull : 0xffffffffull; }

// Compiles and runs one block on vector inputs: vin[k] = the 16 bytes at in[k] (at most 4), read as
// V128 values and handed to `build`, which returns the values to store to vout[0..] (at most 4).
// guest_mxcsr is left as the test set it (rounding mode in, flags out).
using VectorBuild = std::function<std::vector<Arg>(IRBuilder&, const std::vector<Arg>&)>;
inline void run_vector_block(Jit& jit, std::initializer_list<const void*> in, const VectorBuild& build,
                             const BackendOptions& opt = {}) {
  jit.reset_cpu();
  Block blk;
  IRBuilder ir(blk);
  ir.insn_start(0x1000);
  std::vector<Arg> args;
  for (const void* p : in) {
    std::memcpy(jit.cpu().vin[args.size()], p, 16);
    args.push_back(ir.get_state(Type::V128, jit.off(jit.cpu().vin[args.size()])));
  }
  const std::vector<Arg> outs = build(ir, args);
  for (size_t i = 0; i < outs.size(); ++i) ir.set_state(jit.off(jit.cpu().vout[i]), outs[i]);
  finish(ir);
  jit.compile_and_run(blk, opt);
}

}  // namespace mimic::tcg::test
