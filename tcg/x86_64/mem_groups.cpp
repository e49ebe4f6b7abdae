// Soft-MMU access groups (mem_groups.h): one forward scan of the block.
#include "tcg/x86_64/mem_groups.h"

#include <array>

#include "tcg/x86_64/regalloc.h"

namespace mimic::tcg::x86_64 {

namespace {
// Ends every open group: control flow (a later access might not be dominated by the leader)
// and anything that may flush or refill the TLB behind the members' backs (helper calls).
bool ends_groups(Opcode op) {
  switch (op) {
    case Opcode::Label:
    case Opcode::Br:
    case Opcode::BrCond:
    case Opcode::GotoTb:
    case Opcode::GotoPtr:
    case Opcode::ExitLoop:
    case Opcode::AtomicCas:
    case Opcode::AtomicRmw:
    case Opcode::Call:
    case Opcode::CallVoid: return true;
    default: return false;
  }
}

struct OpenGroup {
  bool open = false;
  ValueId base = kNoValue;
  uint32_t mmu = 0;
  bool write = false;
  size_t leader = 0, members = 0;
  int64_t lo = 0, hi = 0;
};
}  // namespace

void find_mem_groups(const Block& block, const RegAlloc& ra, std::vector<MemGroupRole>& roles) {
  roles.assign(block.size(), MemGroupRole{});
  std::array<OpenGroup, kMemGroupSlots> open{};
  unsigned next_victim = 0;
  auto close = [&](unsigned s) {
    OpenGroup& g = open[s];
    if (g.open && g.members > 0) {
      MemGroupRole& r = roles[g.leader];
      r.kind = MemGroupRole::kLeader;
      r.lo = int32_t(g.lo);
      r.hi = int32_t(g.hi);
    } else if (g.open) {
      roles[g.leader] = MemGroupRole{};  // alone: the plain probe
    }
    g.open = false;
  };
  for (size_t i = 0; i < block.size(); ++i) {
    const Inst& in = block[ValueId(i)];
    if (ends_groups(in.op)) {
      for (unsigned s = 0; s < kMemGroupSlots; ++s) close(s);
      continue;
    }
    if (in.op != Opcode::Load && in.op != Opcode::Store) continue;
    const uint64_t memop = in.op == Opcode::Load ? in.args[1].imm : in.args[2].imm;
    if ((memop & MemOp::kAligned) || !in.args[0].is_value()) continue;
    ValueId base = in.args[0].value;
    int64_t disp = 0;
    if (ra.folded(base)) {  // `Add base, imm32`, computed by the access's addressing mode
      const Inst& add = block[base];
      disp = int32_t(add.args[1].imm);
      base = add.args[0].value;
    }
    const int64_t last = disp + int64_t(MemOp::size_bytes(memop)) - 1;
    const uint32_t mmu = MemOp::mmu_index(memop);
    const bool write = in.op == Opcode::Store;
    unsigned s = 0;
    while (s < kMemGroupSlots &&
           !(open[s].open && open[s].base == base && open[s].mmu == mmu && open[s].write == write))
      ++s;
    if (s < kMemGroupSlots) {
      OpenGroup& g = open[s];
      const int64_t lo = std::min(g.lo, disp), hi = std::max(g.hi, last);
      if (hi - lo < 4096 && lo == int64_t(int32_t(lo)) && hi == int64_t(int32_t(hi))) {
        g.lo = lo;
        g.hi = hi;
        ++g.members;
        roles[i].kind = MemGroupRole::kMember;
        roles[i].slot = uint8_t(s);
        continue;
      }
      close(s);  // out of the page's reach: this access leads a new group in the same slot
    } else {
      s = 0;
      while (s < kMemGroupSlots && open[s].open) ++s;
      if (s == kMemGroupSlots) {
        s = next_victim;
        next_victim = (next_victim + 1) % kMemGroupSlots;
        close(s);
      }
    }
    open[s] = OpenGroup{true, base, mmu, write, i, 0, disp, last};
    roles[i].kind = MemGroupRole::kLeader;  // provisional: close() keeps it only with members
    roles[i].slot = uint8_t(s);
  }
  for (unsigned s = 0; s < kMemGroupSlots; ++s) close(s);
}

}  // namespace mimic::tcg::x86_64
