// Region splitting and forward-only dominator computation for a Block.
#include "tcg/ir/regions.h"

namespace mimic::tcg {

Regions analyze_regions(const Block& block) {
  Regions r;
  analyze_regions(block, r);
  return r;
}

void analyze_regions(const Block& block, Regions& r) {
  const auto& insts = block.insts();
  const size_t n = insts.size();
  r.region_of.assign(n, 0);
  r.first.clear();
  r.label_def.assign(block.num_labels(), Regions::kNone);

  // A region starts at every Label and after every branch or block exit.
  bool start_next = true;
  for (size_t i = 0; i < n; ++i) {
    const Inst& in = insts[i];
    const bool is_label = in.op == Opcode::Label;
    if (i == 0 || is_label || start_next) {
      r.first.push_back(uint32_t(i));
      start_next = false;
    }
    r.region_of[i] = uint32_t(r.first.size() - 1);
    if (is_label && in.num_args >= 1 && in.args[0].is_label() && in.args[0].value < r.label_def.size() &&
        r.label_def[in.args[0].value] == Regions::kNone)
      r.label_def[in.args[0].value] = uint32_t(i);
    if (in.op != Opcode::Nop && (has_flag(in.op, kBlockEnd) || in.op == Opcode::Br || in.op == Opcode::BrCond))
      start_next = true;
  }
  if (r.first.empty()) r.first.push_back(0);

  const size_t nr = r.first.size();
  r.idom.assign(nr, Regions::kNone);
  r.reachable.assign(nr, 0);
  r.reachable[0] = 1;
  auto intersect = [&](uint32_t a, uint32_t b) {
    while (a != b) {
      while (a > b) a = r.idom[a];
      while (b > a) b = r.idom[b];
    }
    return a;
  };
  // Predecessors are met before their successors; fold each edge into the target's idom.
  thread_local std::vector<uint32_t> pending;
  pending.assign(nr, Regions::kNone);
  auto add_edge = [&](uint32_t from, uint32_t to) {
    if (to <= from || to >= nr || !r.reachable[from]) return;
    pending[to] = pending[to] == Regions::kNone ? from : intersect(pending[to], from);
    r.reachable[to] = 1;
  };
  for (uint32_t reg = 0; reg < nr; ++reg) {
    if (reg > 0) r.idom[reg] = pending[reg];
    const uint32_t end = reg + 1 < nr ? r.first[reg + 1] : uint32_t(n);
    // The last real instruction decides where control goes.
    uint32_t last = Regions::kNone;
    for (uint32_t i = end; i > r.first[reg]; --i)
      if (!insts[i - 1].is_nop()) {
        last = i - 1;
        break;
      }
    bool falls_through = true;
    if (last != Regions::kNone) {
      const Inst& in = insts[last];
      const int label_arg = in.op == Opcode::Br ? 0 : in.op == Opcode::BrCond ? 3 : -1;
      if (label_arg >= 0 && in.num_args > label_arg && in.args[label_arg].is_label() &&
          in.args[label_arg].value < r.label_def.size()) {
        const uint32_t def = r.label_def[in.args[label_arg].value];
        if (def != Regions::kNone && def > last) add_edge(reg, r.region_of[def]);
      }
      if (in.op == Opcode::Br || has_flag(in.op, kBlockEnd)) falls_through = false;
    }
    if (falls_through && reg + 1 < nr) add_edge(reg, reg + 1);
  }
}

}  // namespace mimic::tcg
