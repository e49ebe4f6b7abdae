// The translation engine of a system-mode machine: the target's translator fetching code through
// the soft-MMU, and RAM writes behind the vCPUs' backs (loaders, DMA) dropping the code they hit.
#pragma once

#include <memory>

#include "hw/core/machine.h"
#include "hw/core/memory.h"
#include "tcg/exec/exec.h"
#include "tcg/exec/softmmu.h"

namespace mimic::hw {

// `Translator(fetcher, true)` is the target's system-mode translator; `code_mmu_index` maps a
// block's flags to the MMU index its code is fetched with.
template <class Translator>
std::shared_ptr<tcg::ExecEngine> make_system_engine_for(const MachineConfig& config, AddressSpace& memory,
                                                        unsigned (*code_mmu_index)(uint32_t)) {
  // The translator and its code fetcher live as long as the engine that uses them.
  struct Owner {
    Owner(const tcg::EngineOptions& options, unsigned (*mmu)(uint32_t))
        : fetcher(mmu), translator(&fetcher, true), engine(options, translator) {}
    tcg::SoftMmuCodeFetcher fetcher;
    Translator translator;
    tcg::ExecEngine engine;
  };
  tcg::EngineOptions options;
  options.system = true;
  options.log = config.log_flags;
  options.log_file = config.log_file;
  options.interpreter = config.interpreter;
  options.block_budget = config.single_thread;  // round robin slices by block entries
  auto owner = std::make_shared<Owner>(options, code_mmu_index);
  tcg::ExecEngine* engine = &owner->engine;
  memory.set_ram_write_hook([engine](uint64_t phys, uint64_t len) {
    if (tcg::CodePages* pages = engine->code_pages()) pages->notify_write(phys, len);
  });
  return std::shared_ptr<tcg::ExecEngine>(owner, engine);
}

}  // namespace mimic::hw
