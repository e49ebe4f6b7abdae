// The meaning of every Imm operand slot of the op table.
#include "tcg/ir/imm_kind.h"

#include <fmt/format.h>

namespace mimic::tcg {

ImmKind imm_kind(Opcode op, int arg) {
  if (arg < 0 || arg >= kMaxArgs || op_info(op).args[arg] != Kind::Imm) return ImmKind::None;
  using O = Opcode;
  switch (op) {
    case O::InsnStart: return ImmKind::Pc;
    case O::GetState:
    case O::SetState: return ImmKind::StateOffset;
    case O::DiscardState: return arg == 0 ? ImmKind::StateOffset : ImmKind::Int;
    case O::GotoTb: return arg == 0 ? ImmKind::Slot : ImmKind::Pc;
    case O::ExitLoop: return ImmKind::ExitReason;
    case O::BrCond:
    case O::SetCond: return ImmKind::Cond;
    case O::FCmp: return ImmKind::FCond;
    case O::ZExt:
    case O::SExt: return ImmKind::Bits;
    case O::Extract:
    case O::SExtract: return arg == 1 ? ImmKind::BitPos : ImmKind::Bits;
    case O::Deposit: return arg == 2 ? ImmKind::BitPos : ImmKind::Bits;
    case O::Load:
    case O::Store:
    case O::AtomicCas: return ImmKind::MemOp;
    case O::AtomicRmw: return arg == 2 ? ImmKind::MemOp : ImmKind::RmwOp;
    case O::Fence: return ImmKind::Fence;
    case O::Call:
    case O::CallVoid: return ImmKind::Helper;
    case O::VAdd:
    case O::VSub:
    case O::VMinS:
    case O::VMinU:
    case O::VMaxS:
    case O::VMaxU:
    case O::VMul:
    case O::VNarrow:
    case O::VDup:
    case O::VFAdd:
    case O::VFSub:
    case O::VFMul:
    case O::VFDiv:
    case O::VFMA:
    case O::VFSpecial: return ImmKind::ESize;
    case O::VCmp: return arg == 2 ? ImmKind::Cond : ImmKind::ESize;
    case O::VShlI:
    case O::VShrI:
    case O::VSarI: return arg == 1 ? ImmKind::Int : ImmKind::ESize;
    case O::VWidenU:
    case O::VWidenS: return arg == 1 ? ImmKind::ESize : ImmKind::Int;
    case O::VUzp: return arg == 2 ? ImmKind::ESize : ImmKind::Int;
    case O::VExtract: return arg == 1 ? ImmKind::Lane : ImmKind::ESize;
    case O::VInsert: return arg == 2 ? ImmKind::Lane : ImmKind::ESize;
    default: return ImmKind::Int;
  }
}

std::string_view imm_kind_name(ImmKind k) {
  static constexpr std::string_view kNames[] = {"none",  "int",          "pc",        "state offset", "cond", "fcond",
                                                "memop", "rmwop",        "fence",     "helper",       "slot", "reason",
                                                "bits",  "bit position", "lane size", "lane"};
  return kNames[size_t(k)];
}

std::string_view fence_name(FenceKind k) {
  switch (k) {
    case FenceKind::Full: return "full";
    case FenceKind::Acquire: return "acq";
    case FenceKind::Release: return "rel";
  }
  return "?";
}

std::string memop_string(uint64_t memop) {
  std::string s = fmt::format("{}{}", MemOp::is_signed(memop) ? 's' : 'u', 8u << MemOp::size_log2(memop));
  if (memop & MemOp::kAligned) s += ":al";
  if (memop & (MemOp::kMmuMask | MemOp::kMmuExplicit)) s += fmt::format(":mmu{}", MemOp::mmu_index(memop));
  if (const uint64_t unknown = memop & ~uint64_t(MemOp::kSizeMask | MemOp::kSigned | MemOp::kAligned | MemOp::kMmuMask |
                                                 MemOp::kMmuExplicit))
    s += fmt::format("+{:#x}", unknown);
  return s;
}

}  // namespace mimic::tcg
