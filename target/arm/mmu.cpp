// The VMSAv8-64 stage-1 walk of the EL1&0 regime: TTBR0/TTBR1 by VA bit 55, T0SZ/T1SZ, the 4K,
// 16K and 64K granules, table/block/page descriptors with the hierarchical APTable/XNTable
// controls, AP[2:1], UXN/PXN, WXN, PAN, and AF/DBM managed by hardware when TCR_EL1.HA/HD are set
// (on a model with FEAT_HAFDBS), else the access flag fault; the EL2 regime's single range the
// same way. EL3 runs with its MMU off.
#include "target/arm/mmu.h"

#include <algorithm>
#include <atomic>
#include <cstring>

#include "target/arm/excp.h"

namespace mimic::arm {

namespace {
using tcg::Access;
namespace Prot = tcg::Prot;

uint64_t reg(const A64Cpu& c, ArmReg r) { return c.sys->r[size_t(r)]; }

constexpr uint64_t kPaMask = (uint64_t(1) << 48) - 1;
namespace Desc {
enum : uint64_t {
  kValid = 1,
  kTable = 2,
  kAttrIndx = 7u << 2,
  kAp1 = 1u << 6,  // EL0 access
  kAp2 = 1u << 7,  // read-only
  kSh = 3u << 8,
  kAf = 1u << 10,
  kDbm = uint64_t(1) << 51,
  kPxn = uint64_t(1) << 53,
  kUxn = uint64_t(1) << 54,
  kPxnTable = uint64_t(1) << 59,
  kUxnTable = uint64_t(1) << 60,
  kApTable0 = uint64_t(1) << 61,  // no EL0 access below
  kApTable1 = uint64_t(1) << 62,  // read-only below
  kNs = 1u << 5,                  // a Secure regime's block/page in the Non-secure PA space
  kNsTable = uint64_t(1) << 63,   // ... everything below this table
};
}

std::atomic<uint64_t>* desc_slot(tcg::PhysMemory& phys, uint64_t pa, bool* writable) {
  uint8_t* page = phys.ram_page(pa & tcg::kPageMask, writable);
  if (!page) return nullptr;
  return reinterpret_cast<std::atomic<uint64_t>*>(page + (pa & ~tcg::kPageMask));
}

uint8_t need_prot(Access a) {
  return a == Access::Read ? Prot::kRead : a == Access::Write ? Prot::kWrite : Prot::kExec;
}
}  // namespace

unsigned data_mmu_index(const A64Cpu& c) {
  const ArmSysState& s = sys(c);
  switch (s.el) {
    case 0: return kMmuEl0;
    case 1: return (s.pstate & Pstate::kPAN) ? kMmuEl1Pan : kMmuEl1;
    case 2: return (s.pstate & Pstate::kPAN) && e2h_active(c) ? kMmuEl2Pan : kMmuEl2;
    default: return kMmuEl3;
  }
}
unsigned fetch_mmu_index(unsigned el) { return el == 0 ? kMmuEl0 : el == 1 ? kMmuEl1 : el == 2 ? kMmuEl2 : kMmuEl3; }
unsigned unpriv_mmu_index(unsigned el, bool uao) {
  if (el == 1 && !uao) return kMmuEl0;
  return ~0u;  // the access's ordinary index
}
unsigned a64_code_mmu_index(uint32_t tb_flags) { return fetch_mmu_index((tb_flags & kTbElMask) >> kTbElShift); }

bool secure_only(const A64Cpu& c, uint64_t pa) {
  for (const auto& [base, size] : sys(c).secure_only_ranges)
    if (pa - base < size) return true;
  return false;
}

uint32_t fault_status(const WalkResult& r) {
  switch (r.fault) {
    case Fault::AddressSize: return 0x00 | r.level;
    case Fault::Translation: return 0x04 | r.level;
    case Fault::AccessFlag: return 0x08 | r.level;
    case Fault::Permission: return 0x0c | r.level;
    case Fault::Alignment: return 0x21;
    case Fault::External: return r.s1ptw ? 0x14 | r.level : 0x10;
    default: return 0;
  }
}

namespace {

// The stage-2 translation of the EL1&0 regime, when HCR_EL2.VM enables it (and TGE does not
// take EL1&0 out of use).
struct Stage2 {
  bool on = false;
  uint64_t vtcr = 0, vttbr = 0;
};
Stage2 stage2_of(const A64Cpu& c, unsigned mmu_idx) {
  Stage2 s2;
  if (!sys(c).have_el2 || mmu_idx > kMmuEl1Pan) return s2;
  const uint64_t hcr = reg(c, ArmReg::HCR_EL2);
  if (!(hcr & Hcr::kVm) || (hcr & Hcr::kTge)) return s2;
  s2.on = true;
  s2.vtcr = reg(c, ArmReg::VTCR_EL2);
  s2.vttbr = reg(c, ArmReg::VTTBR_EL2);
  return s2;
}

// One IPA through stage 2: VTCR_EL2's T0SZ/SL0/TG0, concatenated start-level tables, S2AP
// (bit 6 read, bit 7 write) and XN, the access flag (faults: no hardware update at stage 2).
WalkResult stage2_walk(A64Cpu& c, tcg::PhysMemory& phys, const Stage2& s2, uint64_t ipa, Access access) {
  WalkResult res;
  res.stage2 = true;
  res.ipa = ipa;
  const unsigned tg = unsigned(s2.vtcr >> 14) & 3, sl0 = unsigned(s2.vtcr >> 6) & 3;
  unsigned gbits = tg == 1 ? 16 : tg == 2 ? 14 : 12;
  if (gbits == 14 && ((sys(c).model->id_aa64mmfr0 >> 20) & 15) == 0) gbits = 12;
  unsigned t0sz = std::clamp(unsigned(s2.vtcr) & 63, 16u, 39u);
  const unsigned inputsize = 64 - t0sz, stride = gbits - 3;
  const unsigned start = gbits == 12 ? 2 - std::min(sl0, 2u) : 3 - std::min(sl0, 2u);
  if (ipa >> inputsize) {
    res.fault = Fault::Translation;
    res.level = start;
    return res;
  }
  uint64_t table = s2.vttbr & kPaMask & ~uint64_t(1);
  for (unsigned level = start;; ++level) {
    const unsigned shift = gbits + stride * (3 - level);
    const unsigned idx_bits = level == start ? inputsize - shift : stride;  // concatenated at the start
    const uint64_t da = table + ((ipa >> shift) & ((uint64_t(1) << idx_bits) - 1)) * 8;
    bool writable = false;
    uint64_t d;
    std::atomic<uint64_t>* slot = desc_slot(phys, da, &writable);
    res.level = level;
    if (slot) {
      d = slot->load(std::memory_order_acquire);
    } else if (!phys.io_read(da, 8, &d)) {
      res.fault = Fault::External;
      return res;
    }
    if (!(d & Desc::kValid)) {
      res.fault = Fault::Translation;
      return res;
    }
    if ((d & Desc::kTable) && level < 3) {
      table = d & kPaMask & ~((uint64_t(1) << gbits) - 1);
      continue;
    }
    if (level == 3 ? !(d & Desc::kTable) : (level == 0 || (level == 1 && gbits != 12))) {
      res.fault = Fault::Translation;
      return res;
    }
    if (!(d & Desc::kAf)) {
      res.fault = Fault::AccessFlag;
      return res;
    }
    uint8_t prot = ((d & Desc::kAp1) ? Prot::kRead : 0) | ((d & Desc::kAp2) ? Prot::kWrite : 0) |
                   ((d & Desc::kUxn) ? 0 : Prot::kExec);
    if (!(prot & need_prot(access))) {
      res.fault = Fault::Permission;
      return res;
    }
    const uint64_t page_mask = (uint64_t(1) << shift) - 1;
    res.fault = Fault::None;
    res.prot = prot;
    res.pa = (d & kPaMask & ~page_mask) | (ipa & page_mask);
    res.page_bits = shift;
    return res;
  }
}

}  // namespace

WalkResult translate_address(A64Cpu& c, tcg::PhysMemory& phys, uint64_t vaddr, Access access, unsigned mmu_idx,
                             bool update, bool stage1_only) {
  const Stage2 s2 = stage2_of(c, mmu_idx);
  // The EL3 regime and the Secure EL1&0 one translate in the Secure state.
  const bool secure_regime = mmu_idx == kMmuEl3 || (mmu_idx <= kMmuEl1Pan && is_secure(c));
  // Stage 1's output goes through stage 2 (a stage-2 fault is reported as such: not S1PTW).
  // Secure-only memory is not in the Non-secure PA space: an external abort, as for a hole.
  auto finish = [&](WalkResult r) {
    if (r.fault == Fault::None && r.ns && secure_only(c, r.pa)) {
      r.fault = Fault::External;
      return r;
    }
    if (!s2.on || stage1_only || r.fault != Fault::None) return r;
    WalkResult t = stage2_walk(c, phys, s2, r.pa, access);
    if (t.fault != Fault::None) return t;
    r.pa = t.pa;
    r.prot &= t.prot;
    r.page_bits = std::max(r.page_bits, t.page_bits);  // either stage's block: flush_page widens
    if (secure_only(c, r.pa)) r.fault = Fault::External;
    return r;
  };
  WalkResult res;
  const uint8_t all = Prot::kRead | Prot::kWrite | Prot::kExec;
  // VHE's EL2&0 regime (HCR_EL2.E2H: EL2, and EL0 under TGE): the EL1&0 regime's layout (two
  // ranges, TCR in the EL1 format, AP[1], PXN/UXN) with the EL2 registers.
  const bool el2_host =
      ((mmu_idx == kMmuEl2 || mmu_idx == kMmuEl2Pan) && e2h_active(c)) || (mmu_idx <= kMmuEl1Pan && e2h_tge_active(c));
  // The EL2 (non-VHE) and EL3 regimes: one range from TTBR0_ELx, TCR_ELx's T0SZ/TG0/TBI/HA/HD/
  // HPD, AP[1] RES1, one XN bit.
  const bool el3 = mmu_idx == kMmuEl3;
  const bool single = (mmu_idx == kMmuEl2 && !el2_host) || el3;  // a single-range regime (EL2, EL3)
  const bool el2_regs = single || el2_host;
  const uint64_t sctlr = reg(c, el3 ? ArmReg::SCTLR_EL3 : el2_regs ? ArmReg::SCTLR_EL2 : ArmReg::SCTLR_EL1);
  if (!(sctlr & Sctlr::kM)) {
    // MMU off: flat, device-nGnRnE data and normal executable instructions.
    if (vaddr & ~kPaMask) {
      res.fault = Fault::AddressSize;
      return res;
    }
    res.pa = vaddr;
    res.prot = all;
    res.ns = !secure_regime;
    return finish(res);
  }
  const uint64_t tcr = reg(c, el3 ? ArmReg::TCR_EL3 : el2_regs ? ArmReg::TCR_EL2 : ArmReg::TCR_EL1);
  const bool upper = (vaddr >> 55) & 1;
  const bool tbi = (tcr >> (single ? 20 : upper ? 38 : 37)) & 1;
  unsigned txsz = unsigned(tcr >> (upper ? 16 : 0)) & 63;
  unsigned tg = unsigned(tcr >> (upper ? 30 : 14)) & 3;
  const bool epd = single ? upper : (tcr >> (upper ? 23 : 7)) & 1;  // EL2/EL3 have no upper range
  // Granule bits: TG0 00=4K 01=64K 10=16K; TG1 01=16K 10=4K 11=64K (reserved values: 4K).
  unsigned gbits = upper ? (tg == 1 ? 14 : tg == 3 ? 16 : 12) : (tg == 1 ? 16 : tg == 2 ? 14 : 12);
  const ArmCpuModel& model = *sys(c).model;
  if (gbits == 14 && ((model.id_aa64mmfr0 >> 20) & 15) == 0) gbits = 12;  // 16K not implemented: 4K
  if (txsz < 16) txsz = 16;
  if (txsz > 39) txsz = 39;
  const unsigned inputsize = 64 - txsz;
  // The bits above the input size (below the tag with TBI) must all equal bit 55's selection.
  uint64_t top = tbi ? (vaddr << 8) >> 8 : vaddr;
  uint64_t ext_bits = tbi ? 56 - inputsize : 64 - inputsize;
  uint64_t want = upper ? ((uint64_t(1) << ext_bits) - 1) : 0;
  uint64_t have = (top >> inputsize) & ((uint64_t(1) << ext_bits) - 1);
  if (have != want || epd) {
    res.fault = Fault::Translation;
    res.level = 0;
    return res;
  }
  const unsigned stride = gbits - 3;
  const unsigned levels = (inputsize - gbits + stride - 1) / stride;
  unsigned level = 4 - levels;
  uint64_t ttbr = reg(c, el3        ? ArmReg::TTBR0_EL3
                         : single   ? ArmReg::TTBR0_EL2
                         : el2_host ? (upper ? ArmReg::TTBR1_EL2 : ArmReg::TTBR0_EL2)
                         : upper    ? ArmReg::TTBR1_EL1
                                    : ArmReg::TTBR0_EL1);
  uint64_t table = ttbr & kPaMask & ~uint64_t(1);
  const bool hpd = (tcr >> (single ? 24 : upper ? 42 : 41)) & 1;
  const bool ha = model.hafdbs && ((tcr >> (single ? 21 : 39)) & 1), hd = ha && ((tcr >> (single ? 22 : 40)) & 1);
  bool ap_no_el0 = false, ap_ro = false, pxn_t = false, uxn_t = false, ns_t = false;
  for (;; ++level) {
    unsigned shift = gbits + stride * (3 - level);
    unsigned idx_bits = level == 4 - levels ? inputsize - shift : stride;
    uint64_t index = (vaddr >> shift) & ((uint64_t(1) << idx_bits) - 1);
    uint64_t da = table + index * 8;
    if (s2.on) {  // the table walk's own accesses are IPAs too
      WalkResult t = stage2_walk(c, phys, s2, da, Access::Read);
      if (t.fault != Fault::None) {
        t.s1ptw = true;
        return t;
      }
      da = t.pa;
    }
    bool writable = false;
    std::atomic<uint64_t>* slot = desc_slot(phys, da, &writable);
    uint64_t d;
  reread:
    if (slot)
      d = slot->load(std::memory_order_acquire);
    else if (!phys.io_read(da, 8, &d)) {
      res.fault = Fault::External;
      res.s1ptw = true;
      res.level = level;
      return res;
    }
    res.level = level;
    if (!(d & Desc::kValid)) {
      res.fault = Fault::Translation;
      return res;
    }
    bool is_table = (d & Desc::kTable) && level < 3;
    if (is_table) {
      if (!hpd) {
        ap_no_el0 |= (d & Desc::kApTable0) != 0;
        ap_ro |= (d & Desc::kApTable1) != 0;
        pxn_t |= (d & Desc::kPxnTable) != 0;
        uxn_t |= (d & Desc::kUxnTable) != 0;
      }
      ns_t |= (d & Desc::kNsTable) != 0;
      table = d & kPaMask & ~((uint64_t(1) << gbits) - 1);
      continue;
    }
    // Leaf: a page at level 3 (bits 1:0 = 11), a block at level 1 (4K) or 2 (all granules).
    if (level == 3 ? !(d & Desc::kTable) : (level == 0 || (level == 1 && gbits != 12))) {
      res.fault = Fault::Translation;
      return res;
    }
    const uint64_t page_mask = (uint64_t(1) << shift) - 1;
    // AP and XN with the table controls folded in (EL2: no EL0 view, UXN is its XN, no PXN).
    bool el0 = !single && (d & Desc::kAp1) && !ap_no_el0;
    bool ro = (d & Desc::kAp2) || ap_ro;
    bool dbm_clean = hd && (d & Desc::kDbm) && (d & Desc::kAp2) && !ap_ro;  // writable once dirty
    bool uxn = (d & Desc::kUxn) || uxn_t;
    bool pxn = single ? uxn : (d & Desc::kPxn) || pxn_t;
    const bool user = mmu_idx == kMmuEl0;
    uint8_t prot = 0;
    if (user) {
      if (el0) prot |= Prot::kRead | (ro ? 0 : Prot::kWrite);
      if (!uxn) prot |= Prot::kExec;  // EL0 execution depends on UXN alone (execute-only memory)
    } else {
      prot |= Prot::kRead | (ro ? 0 : Prot::kWrite);
      // EL0-writable memory is never executable at EL1.
      if (!pxn && !(el0 && !ro)) prot |= Prot::kExec;
      const bool pan = mmu_idx == kMmuEl1Pan || mmu_idx == kMmuEl2Pan;
      if (pan && el0) prot &= Prot::kExec;  // PAN: no data access to EL0 memory
    }
    if ((sctlr & Sctlr::kWXN) && (prot & Prot::kWrite)) prot &= ~Prot::kExec;
    // SCR_EL3.SIF: the Secure state executes nothing from the Non-secure PA space.
    const bool ns = !secure_regime || ns_t || (d & Desc::kNs);
    if (secure_regime && ns && (reg(c, ArmReg::SCR_EL3) & Scr::kSif)) prot &= ~Prot::kExec;
    uint8_t needed = need_prot(access);
    bool allowed = (prot & needed) || (access == Access::Write && dbm_clean && (user ? el0 : true) &&
                                       !((mmu_idx == kMmuEl1Pan || mmu_idx == kMmuEl2Pan) && el0));
    if (!allowed) {
      res.fault = Fault::Permission;
      return res;
    }
    // Access flag and dirty state.
    uint64_t set = 0, clear = 0;
    if (!(d & Desc::kAf)) {
      if (!ha) {
        res.fault = Fault::AccessFlag;
        return res;
      }
      set |= Desc::kAf;
    }
    if (access == Access::Write && dbm_clean) clear |= Desc::kAp2;
    if ((set || clear) && update) {
      if (!slot || !writable) {
        res.fault = Fault::External;
        res.s1ptw = true;
        return res;
      }
      uint64_t nd = (d | set) & ~clear;
      if (!slot->compare_exchange_strong(d, nd, std::memory_order_acq_rel)) goto reread;
      d = nd;
    }
    // What the TLB may cache: writes to a clean DBM page go slow until it is dirty.
    if (!(d & Desc::kAf)) prot = 0;
    if (d & Desc::kAp2) prot &= ~Prot::kWrite;
    res.prot = prot;
    res.pa = ((d & kPaMask & ~page_mask) | (vaddr & page_mask));
    const ArmReg mair = el3 ? ArmReg::MAIR_EL3 : el2_regs ? ArmReg::MAIR_EL2 : ArmReg::MAIR_EL1;
    res.attr = uint8_t(reg(c, mair) >> (8 * ((d & Desc::kAttrIndx) >> 2)));
    res.sh = uint8_t((d & Desc::kSh) >> 8);
    res.page_bits = shift;
    res.ns = ns;
    return finish(res);
  }
}

uint32_t insn_at(A64Cpu& c, tcg::PhysMemory& phys, uint64_t pc) {
  WalkResult r = translate_address(c, phys, pc, Access::Fetch, fetch_mmu_index(sys(c).el), false);
  if (r.fault != Fault::None) return 0;
  bool writable;
  uint8_t* page = phys.ram_page(r.pa & tcg::kPageMask, &writable);
  if (!page) return 0;
  uint32_t insn;
  std::memcpy(&insn, page + (r.pa & ~tcg::kPageMask), 4);
  return insn;
}

uint32_t data_abort_insn_syndrome(uint32_t insn) {
  constexpr uint32_t kIsv = 1u << 24, kSse = 1u << 21, kSf = 1u << 15, kAr = 1u << 14;
  const uint32_t rt = insn & 31;
  unsigned size, opc;
  bool acq_rel = false;
  if ((insn & 0x3b000000) == 0x18000000) {  // LDR (literal): opc 00 W, 01 X, 10 LDRSW
    opc = insn >> 30;
    if (opc == 3) return 0;
    return kIsv | ((opc == 1 ? 3u : 2u) << 22) | (opc == 2 ? kSse : 0) | (rt << 16) | (opc != 0 ? kSf : 0);
  }
  if ((insn & 0x3fa08000) == 0x08808000) {  // LDAR/STLR (no exclusive)
    size = insn >> 30;
    opc = (insn >> 22) & 1;
    acq_rel = true;
  } else if ((insn & 0x3b000000) == 0x39000000 ||  // unsigned offset
             (insn & 0x3b200c00) == 0x38000000 ||  // unscaled (LDUR/STUR)
             (insn & 0x3b200c00) == 0x38000800 ||  // unprivileged (LDTR/STTR)
             (insn & 0x3b200c00) == 0x38200800) {  // register offset
    size = insn >> 30;
    opc = (insn >> 22) & 3;
  } else {
    return 0;  // writeback forms, pairs, FP/SIMD (V: bit 26 is part of the masks above), atomics
  }
  const bool is_signed = opc >= 2;
  const bool sf = is_signed ? (opc & 1) == 0 : size == 3;
  return kIsv | (size << 22) | (is_signed ? kSse : 0) | (rt << 16) | (sf ? kSf : 0) | (acq_rel ? kAr : 0);
}

void record_abort(A64Cpu& c, const WalkResult& r, uint64_t vaddr, Access access) {
  unsigned target = r.stage2 ? 2 : exception_target_el(c);
  // SCR_EL3.EA takes external aborts to EL3 (the Arm ARM's AArch64.Abort; QEMU 7.2 does not).
  if (r.fault == Fault::External && sys(c).have_el3 && (reg(c, ArmReg::SCR_EL3) & Scr::kEa)) target = 3;
  bool lower = sys(c).el < target;
  uint32_t fsc = fault_status(r);
  if (access == Access::Fetch) {
    record_exception(c, target, syndrome(lower ? kEcInsnAbortLower : kEcInsnAbort, fsc | (r.s1ptw ? 1u << 7 : 0)), true,
                     vaddr);
  } else {
    uint32_t iss = fsc | (access == Access::Write ? 1u << 6 : 0) | (r.s1ptw ? 1u << 7 : 0);
    record_exception(c, target, syndrome(lower ? kEcDataAbortLower : kEcDataAbort, iss), true, vaddr);
    // The instruction syndrome of a stage-2 fault, or of EL2's own stage-1 fault, is added when
    // the exception is taken (pc is exact then). EL0's faults under TGE have none (ISV 0), as on
    // QEMU 7.2 (tests/system/aarch64/vhe.c, el2.c).
    sys(c).exc_wants_insn_syndrome = target == 2 && !r.s1ptw && (r.stage2 || sys(c).el == 2);
  }
  if (r.stage2) {
    sys(c).exc_ipa = r.ipa;
    sys(c).exc_ipa_valid = true;
  }
}

uint64_t address_translate(A64Cpu& c, tcg::PhysMemory& phys, uint64_t vaddr, bool write, unsigned mmu_idx) {
  WalkResult r = translate_address(c, phys, vaddr, write ? Access::Write : Access::Read, mmu_idx, false, true);
  if (r.fault != Fault::None) return 1 | (uint64_t(fault_status(r)) << 1) | (r.s1ptw ? 1u << 8 : 0) | (1u << 11);
  // PA, NS (non-secure), SH, and the memory attributes in 63:56.
  return (r.pa & kPaMask & ~uint64_t(0xfff)) | (uint64_t(r.attr) << 56) | (r.ns ? 1u << 9 : 0) | (uint64_t(r.sh) << 7) |
         (1u << 11);
}

bool A64MmuTarget::tlb_fill(tcg::CpuBase* env, uint64_t vaddr, Access access, unsigned mmu_idx, bool probe,
                            tcg::TlbFill* out) {
  auto& c = *static_cast<A64Cpu*>(env);
  WalkResult r = translate_address(c, phys_, vaddr, access, mmu_idx, true);
  if (r.fault != Fault::None) {
    if (!probe) record_abort(c, r, vaddr, access);
    return false;
  }
  out->phys_page = r.pa & tcg::kPageMask;
  out->page_bits = r.page_bits;  // the soft-MMU tracks blocks itself: TLBI by VA of a 4K page stays local
  out->prot = r.prot;
  return true;
}

void A64MmuTarget::access_fault(tcg::CpuBase* env, uint64_t vaddr, Access access, unsigned) {
  auto& c = *static_cast<A64Cpu*>(env);
  WalkResult r;
  r.fault = Fault::External;
  record_abort(c, r, vaddr, access);
}

}  // namespace mimic::arm
