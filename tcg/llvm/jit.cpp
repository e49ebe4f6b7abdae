// Tier2Compiler on LLVM's ORC LLJIT: optimizes each region module at O2 for the host CPU and
// compiles it, synchronously (compile) or on one background thread (submit).
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Verifier.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/Host.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "tcg/llvm/lower.h"
#include "tcg/llvm/module_abi.h"
#include "tcg/llvm/tier2.h"

namespace mimic::tcg {
namespace {

class OrcTier2 final : public Tier2Compiler {
 public:
  explicit OrcTier2(std::unique_ptr<llvm::orc::LLJIT> jit) : jit_(std::move(jit)) {
    const char* dump = std::getenv("MIMIC_TIER2_DUMP");
    dump_ = dump && *dump && *dump != '0';
  }
  ~OrcTier2() override {
    {
      std::lock_guard lock(queue_mutex_);
      stop_ = true;
    }
    queue_cond_.notify_all();
    if (worker_.joinable()) worker_.join();
  }

  bool compile(Tier2Region& region, const std::vector<Block>& blocks, std::string& why) override {
    std::lock_guard lock(jit_mutex_);
    const auto start = std::chrono::steady_clock::now();
    struct Timer {
      std::chrono::steady_clock::time_point start;
      std::atomic<uint64_t>& total;
      ~Timer() {
        const auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
        total.fetch_add(uint64_t(us.count()), std::memory_order_relaxed);
      }
    } timer{start, compile_us_};
    auto ctx = std::make_unique<llvm::LLVMContext>();
    auto module = std::make_unique<llvm::Module>("mimic_tier2", *ctx);
    module->setDataLayout(jit_->getDataLayout());
    const std::string name = "mimic_region_" + std::to_string(++count_);
    llvm::Function* fn = lower_region(*module, name, blocks, region.target, &region.invalid, why);
    if (!fn) return false;
    std::string verify_error;
    llvm::raw_string_ostream os(verify_error);
    if (llvm::verifyModule(*module, &os)) {
      why = "lowering produced invalid LLVM IR: " + os.str();
      return false;
    }
    optimize(*module);
    if (dump_) module->print(llvm::errs(), nullptr);  // MIMIC_TIER2_DUMP=1: the optimized LLVM IR
    auto tracker = jit_->getMainJITDylib().createResourceTracker();
    if (auto err = jit_->addIRModule(tracker, llvm::orc::ThreadSafeModule(std::move(module), std::move(ctx)))) {
      why = "LLVM: " + llvm::toString(std::move(err));
      return false;
    }
    auto sym = jit_->lookup(name);
    if (!sym) {
      why = "LLVM: " + llvm::toString(sym.takeError());
      (void)tracker->remove();
      return false;
    }
    region.fn = reinterpret_cast<Tier2Fn>(sym->getAddress());
    region.handle = count_;
    trackers_.emplace(count_, std::move(tracker));
    return true;
  }

  void release(uint64_t handle) override {
    std::lock_guard lock(jit_mutex_);
    auto it = trackers_.find(handle);
    if (it == trackers_.end()) return;
    if (auto err = it->second->remove()) llvm::consumeError(std::move(err));
    trackers_.erase(it);
  }

  void submit(std::shared_ptr<Tier2Region> region, std::vector<Block> blocks, Done done) override {
    {
      std::lock_guard lock(queue_mutex_);
      queue_.push_back(Job{std::move(region), std::move(blocks), std::move(done)});
      ++pending_;
      if (!worker_.joinable()) worker_ = std::thread([this] { work(); });
    }
    queue_cond_.notify_one();
  }

  void before_fork() override {
    queue_mutex_.lock();
    jit_mutex_.lock();
  }
  void after_fork(bool child) override {
    if (child) {
      queue_.clear();
      pending_ = 0;
      new (&worker_) std::thread();  // the parent's thread does not exist here: forget it
    }
    jit_mutex_.unlock();
    queue_mutex_.unlock();
  }

  uint64_t compile_us() const override { return compile_us_.load(std::memory_order_relaxed); }

  size_t pending() const override {
    std::lock_guard lock(queue_mutex_);
    return pending_;
  }

 private:
  struct Job {
    std::shared_ptr<Tier2Region> region;
    std::vector<Block> blocks;
    Done done;
  };

  void work() {
    for (;;) {
      Job job;
      {
        std::unique_lock lock(queue_mutex_);
        queue_cond_.wait(lock, [&] { return stop_ || !queue_.empty(); });
        if (stop_) return;
        job = std::move(queue_.front());
        queue_.pop_front();
      }
      std::string why;
      const bool ok = compile(*job.region, job.blocks, why);
      job.done(job.region, ok, why);
      std::lock_guard lock(queue_mutex_);
      --pending_;
    }
  }

  void optimize(llvm::Module& module) {
    llvm::LoopAnalysisManager lam;
    llvm::FunctionAnalysisManager fam;
    llvm::CGSCCAnalysisManager cgam;
    llvm::ModuleAnalysisManager mam;
    llvm::PassBuilder pb;
    pb.registerModuleAnalyses(mam);
    pb.registerCGSCCAnalyses(cgam);
    pb.registerFunctionAnalyses(fam);
    pb.registerLoopAnalyses(lam);
    pb.crossRegisterProxies(lam, fam, cgam, mam);
    llvm::ModulePassManager mpm = pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O2);
    mpm.run(module, mam);
  }

  std::mutex jit_mutex_;  // LLJIT is thread-safe; the counter and trackers are not
  std::unique_ptr<llvm::orc::LLJIT> jit_;
  uint64_t count_ = 0;
  std::atomic<uint64_t> compile_us_{0};
  bool dump_ = false;
  std::unordered_map<uint64_t, llvm::orc::ResourceTrackerSP> trackers_;

  mutable std::mutex queue_mutex_;
  std::condition_variable queue_cond_;
  std::deque<Job> queue_;
  size_t pending_ = 0;
  bool stop_ = false;
  std::thread worker_;
};

}  // namespace

std::unique_ptr<Tier2Compiler> create_orc_tier2(std::string& error) {
  static const bool initialized = [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    llvm::InitializeNativeTargetAsmParser();
    return true;
  }();
  (void)initialized;
  auto jtmb = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!jtmb) {
    error = llvm::toString(jtmb.takeError());
    return nullptr;
  }
  jtmb->setCPU(llvm::sys::getHostCPUName().str());
  llvm::StringMap<bool> features;
  if (llvm::sys::getHostCPUFeatures(features)) {
    llvm::SubtargetFeatures f;
    for (auto& kv : features) f.AddFeature(kv.getKey(), kv.getValue());
    jtmb->getFeatures() = f;
  }
  jtmb->setCodeGenOptLevel(llvm::CodeGenOpt::Default);
  auto jit = llvm::orc::LLJITBuilder().setJITTargetMachineBuilder(std::move(*jtmb)).create();
  if (!jit) {
    error = llvm::toString(jit.takeError());
    return nullptr;
  }
  return std::make_unique<OrcTier2>(std::move(*jit));
}

}  // namespace mimic::tcg
