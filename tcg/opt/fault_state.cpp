// Guest-state stores across possibly faulting memory ops: a SetState overwritten later in the
// same straight-line region is removed even when loads or stores lie in between; each of those
// memory ops gets a fault-state entry (Block::fault_state) saying which value the field holds
// there, and the fault paths (the backend's per-site records, the interpreter) store it before
// the guest sees its state. So a guest register written by several instructions of a block is
// stored once, and faults stay exactly as precise as with every store in place.
//
// Region boundaries (every pending store stays): branches and labels, block exits, helper calls
// (a helper may read the state or raise a guest exception: conservatively all of them) and ops
// that read state. A GetState of part of a pending field keeps that store too (run_state_forward
// has already forwarded the exact reads). Runs last: the entries name final value numbers.
#include <algorithm>
#include <vector>

#include "tcg/opt/passes.h"

namespace mimic::tcg {

namespace {
struct Pending {
  uint64_t offset;
  unsigned size;
  ValueId store;        // the SetState
  bool seen_by_a_site;  // a memory op since it may fault with this store's value in the field
  bool overlaps(uint64_t off, unsigned sz) const { return offset < off + sz && off < offset + size; }
};
struct Watch {
  ValueId site;
  ValueId store;
};

constexpr uint32_t kRegionEnd = kCallClobber | kBlockEnd | kBranch | kReadsState | kWritesState;

bool is_memory_site(Opcode op) {
  return op == Opcode::Load || op == Opcode::Store || op == Opcode::AtomicCas || op == Opcode::AtomicRmw;
}
}  // namespace

bool run_fault_state(Block& block) {
  thread_local std::vector<Pending> pending;
  thread_local std::vector<Watch> watches;  // (site, store) pairs of the current region
  pending.clear();
  watches.clear();
  block.fault_state.clear();
  bool changed = false;
  auto end_region = [&] {
    pending.clear();
    watches.clear();
  };
  // The store dies: every site that saw it gets an entry with its value.
  auto remove_store = [&](const Pending& p) {
    const Inst& st = block[p.store];
    if (p.seen_by_a_site)
      for (const Watch& w : watches)
        if (w.store == p.store) block.fault_state.push_back({w.site, uint32_t(p.offset), st.args[1]});
    block[p.store] = Inst{};
    changed = true;
  };

  for (size_t i = 0; i < block.size(); ++i) {
    Inst& in = block[ValueId(i)];
    if (in.is_nop()) continue;
    if (has_flag(in.op, kRegionEnd)) {
      end_region();
      continue;
    }
    if (is_memory_site(in.op)) {
      for (Pending& p : pending) {
        watches.push_back({ValueId(i), p.store});
        p.seen_by_a_site = true;
      }
    } else if (in.op == Opcode::GetState) {
      const unsigned size = type_bits(in.type) / 8;
      std::erase_if(pending, [&](const Pending& p) { return p.overlaps(in.args[0].imm, size); });
    } else if (in.op == Opcode::SetState) {
      const uint64_t off = in.args[0].imm;
      const unsigned size = type_bits(in.args[1].type) / 8;
      if (off > UINT32_MAX) {
        end_region();
        continue;
      }
      std::erase_if(pending, [&](const Pending& p) {
        if (!p.overlaps(off, size)) return false;
        if (p.offset == off && p.size == size) remove_store(p);
        return true;  // a partial overlap keeps the earlier store
      });
      pending.push_back({off, size, ValueId(i), false});
    } else if (has_flag(in.op, kMayFault)) {
      end_region();  // an op this pass does not know
    }
  }
  // Usually in site order already (a sorted range skips the sort's buffer allocation).
  auto by_site = [](const FaultStateEntry& a, const FaultStateEntry& b) { return a.site < b.site; };
  if (!std::is_sorted(block.fault_state.begin(), block.fault_state.end(), by_site))
    std::stable_sort(block.fault_state.begin(), block.fault_state.end(), by_site);
  return changed;
}

}  // namespace mimic::tcg
