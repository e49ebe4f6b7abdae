// SiFive PLIC (QEMU hw/intc/sifive_plic.c's behaviour, with level-triggered gateways as the
// RISC-V PLIC spec has them: a source still asserted when its claim completes is pending again).
#include "hw/intc/plic.h"

#include <fmt/format.h>

namespace mimic::hw {

namespace {
enum RegId : unsigned { kPriority, kPending, kEnable, kThreshold, kClaim };

std::vector<Reg> plic_regs(const PlicConfig& c, unsigned words) {
  return {
      {"priority", kPriority, c.priority_base, 4, RegAccess::kReadWrite, 0, c.num_sources, 4},
      {"pending", kPending, c.pending_base, 4, RegAccess::kRead, 0, words, 4},
      // Every context's whole enable stride: words past the sources read as zero.
      {"enable", kEnable, c.enable_base, 4, RegAccess::kReadWrite, 0, unsigned(c.num_contexts * c.enable_stride / 4),
       4},
      {"threshold", kThreshold, c.context_base, 4, RegAccess::kReadWrite, 0, c.num_contexts, c.context_stride},
      {"claim/complete", kClaim, c.context_base + 4, 4, RegAccess::kReadWrite, 0, c.num_contexts, c.context_stride},
  };
}
}  // namespace

Plic::Plic(std::string name, const PlicConfig& config, tcg::Logger* log)
    : RegisterDevice(std::move(name), {}, log),
      config_(config),
      words_((config.num_sources + 31) / 32),
      outputs_(config.num_contexts),
      output_level_(config.num_contexts, -1) {
  table_ = plic_regs(config_, words_);
  set_regs(table_);
  reset();
}

void Plic::reset() {
  priority_.assign(config_.num_sources, 0);
  threshold_.assign(config_.num_contexts, 0);
  pending_.assign(words_, 0);
  claimed_.assign(words_, 0);
  level_.assign(words_, 0);
  enable_.assign(size_t(words_) * config_.num_contexts, 0);
  update();
}

void Plic::snapshot_state(StateIo& io) {
  io(priority_), io(threshold_), io(pending_), io(claimed_), io(level_), io(enable_);
  if (!io.loading()) return;
  output_level_.assign(output_level_.size(), -1);  // drive every context line again
  update();
}

void Plic::set_irq(unsigned source, bool level) {
  if (source == 0 || source >= config_.num_sources) {
    log_guest_error(fmt::format("interrupt source {} out of range", source));
    return;
  }
  // The gateway of a level-triggered source: a high line requests (pending, until a claim takes
  // it); a low line requests nothing but does not withdraw a request already made (the PLIC
  // spec; QEMU 7.2 alike). Completion requests again while the line stays high.
  set_bit(level_, source, level);
  if (level) set_bit(pending_, source, true);
  update();
}

unsigned Plic::claimable(unsigned ctx) const {
  unsigned best = 0;
  uint32_t best_prio = threshold_[ctx];
  for (unsigned w = 0; w < words_; w++) {
    uint32_t cand = pending_[w] & ~claimed_[w] & enable_[ctx * words_ + w];
    for (unsigned b = 0; cand && b < 32; b++) {
      unsigned irq = w * 32 + b;
      if (irq == 0 || irq >= config_.num_sources || !((cand >> b) & 1)) continue;
      if (priority_[irq] > best_prio) {
        best = irq;
        best_prio = priority_[irq];
      }
    }
  }
  return best;
}

void Plic::update() {
  for (unsigned ctx = 0; ctx < config_.num_contexts; ctx++) {
    int level = claimable(ctx) != 0;
    if (level == output_level_[ctx]) continue;
    output_level_[ctx] = level;
    outputs_[ctx].set(level);
  }
}

uint64_t Plic::read_reg(const RegHit& hit, unsigned size) {
  unsigned i = hit.index;
  switch (hit.reg->id) {
    case kPriority: return priority_[i];
    case kPending: return pending_[i];
    case kEnable: {
      unsigned per_ctx = unsigned(config_.enable_stride / 4);
      unsigned ctx = i / per_ctx, word = i % per_ctx;
      return word < words_ ? enable_[ctx * words_ + word] : 0;
    }
    case kThreshold: return threshold_[i];
    case kClaim: {
      unsigned irq = claimable(i);
      if (irq) {
        set_bit(pending_, irq, false);
        set_bit(claimed_, irq, true);
      }
      update();
      return irq;
    }
  }
  return 0;
}

void Plic::write_reg(const RegHit& hit, uint64_t value, unsigned size) {
  unsigned i = hit.index;
  uint32_t v = uint32_t(value);
  switch (hit.reg->id) {
    case kPriority:
      if (i == 0) return;  // source 0 does not exist
      // With 2^n - 1 priorities the field is n bits wide (QEMU masks; otherwise drops).
      if (((config_.num_priorities + 1) & config_.num_priorities) == 0)
        priority_[i] = v & config_.num_priorities;
      else if (v <= config_.num_priorities)
        priority_[i] = v;
      update();
      return;
    case kEnable: {
      unsigned per_ctx = unsigned(config_.enable_stride / 4);
      unsigned ctx = i / per_ctx, word = i % per_ctx;
      if (word >= words_) return;
      enable_[ctx * words_ + word] = v;
      update();
      return;
    }
    case kThreshold:
      if (v <= config_.num_priorities) {
        threshold_[i] = v;
        update();
      }
      return;
    case kClaim:
      if (v == 0 || v >= config_.num_sources) return;
      if (!bit(claimed_, v)) return;
      set_bit(claimed_, v, false);
      if (bit(level_, v)) set_bit(pending_, v, true);  // level-triggered: still asserted
      update();
      return;
  }
}

}  // namespace mimic::hw
