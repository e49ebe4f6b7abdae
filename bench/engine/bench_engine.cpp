// bench-engine: translation speed (builder -> optimize -> compile_block) and chained-block
// throughput of the execution loop (chaining vs -d nochain vs the IR interpreter).
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "bench/engine/synthetic_guest.h"
#include "tcg/backend.h"
#include "tcg/exec/code_buffer.h"
#include "tcg/exec/exec.h"
#include "tcg/opt/passes.h"

namespace mimic::bench {
namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

void bench_translation(unsigned blocks) {
  SyntheticGuest guest;
  SynthCpu cpu;
  tcg::CodeBuffer code(64 << 20);
  code.install_trampolines();
  tcg::Block block;
  std::vector<tcg::PcMapEntry> pc_map;
  uint64_t ir_ops = 0, insns = 0, host_bytes = 0;
  auto t0 = Clock::now();
  for (unsigned i = 0; i < blocks; ++i) {
    block.clear();
    block.guest_pc = SyntheticGuest::kSynthBase + uint64_t(i) * 0x1000;
    guest.translate(block, cpu.base, 512);
    ir_ops += block.size();
    insns += block.guest_insns;
    tcg::optimize(block);
    tcg::CompileResult r = tcg::compile_block(block, code.free_region(), 8, pc_map);
    if (r.status == tcg::CompileResult::Status::OutOfSpace) {
      code.reset();
      r = tcg::compile_block(block, code.free_region(), 8, pc_map);
    }
    if (r.status != tcg::CompileResult::Status::Ok) {
      fmt::print(stderr, "bench-engine: compile_block failed: {}\n", r.error);
      std::exit(1);
    }
    code.commit(r.size);
    host_bytes += r.size;
  }
  double s = seconds_since(t0);
  fmt::print("translation: blocks translated                {}\n", blocks);
  fmt::print("translation: guest insns per block            {:.1f}\n", double(insns) / blocks);
  fmt::print("translation: IR ops per block (before opt)    {:.1f}\n", double(ir_ops) / blocks);
  fmt::print("translation: host bytes per guest insn        {:.1f}\n", double(host_bytes) / double(insns));
  fmt::print("translation: blocks/s                         {:.0f}\n", blocks / s);
  fmt::print("translation: guest insns/s                    {:.0f}\n", double(insns) / s);
  fmt::print("translation: IR ops/s                         {:.0f}\n", double(ir_ops) / s);
}

double bench_loop(const char* name, tcg::EngineOptions opts, uint64_t rounds) {
  SyntheticGuest guest;
  tcg::ExecEngine engine(opts, guest);
  SynthCpu cpu;
  // Warm up: translate and chain everything once.
  cpu.regs[31] = 2;
  cpu.base.pc = 0;
  engine.run(&cpu.base);
  cpu.regs[31] = rounds;
  cpu.base.pc = 0;
  auto t0 = Clock::now();
  uint32_t r = engine.run(&cpu.base);
  double s = seconds_since(t0);
  if (r != kExitDone) {
    fmt::print(stderr, "bench-engine: {} loop ended with reason {}\n", name, r);
    std::exit(1);
  }
  // Every block adds 1 to r1: a wrong count means the figure measured something else.
  const uint64_t expected = uint64_t(rounds + 2) * guest.ring_blocks;
  if (cpu.regs[1] != expected) {
    fmt::print(stderr, "bench-engine: {} loop computed r1={} instead of {}\n", name, cpu.regs[1], expected);
    std::exit(1);
  }
  double blocks = double(rounds) * guest.ring_blocks;
  double bps = blocks / s;
  fmt::print("loop: {:<12} blocks/s                {:.0f}\n", name, bps);
  return bps;
}

}  // namespace
}  // namespace mimic::bench

int main(int argc, char** argv) {
  using namespace mimic;
  bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  fmt::print("bench-engine: synthetic guest, {} mode\n", quick ? "quick" : "full");
  bench::bench_translation(quick ? 2000 : 20000);
  tcg::EngineOptions chained, nochain, interp;
  nochain.log = tcg::LogFlag::kNoChain;
  interp.interpreter = true;
  uint64_t rounds = quick ? 20000 : 200000;
  double c = bench::bench_loop("chained", chained, rounds);
  double n = bench::bench_loop("nochain", nochain, rounds / 4);
  double i = bench::bench_loop("interpreter", interp, rounds / 40);
  fmt::print("loop: speedup chained/nochain                {:.2f}\n", c / n);
  fmt::print("loop: speedup chained/interpreter            {:.2f}\n", c / i);
  return 0;
}
