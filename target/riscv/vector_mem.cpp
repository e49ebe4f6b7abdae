// Vector loads and stores: unit-stride, strided, indexed (ordered and unordered), segment,
// whole-register, mask and fault-only-first. Elements are accessed one at a time in element
// order with vstart holding the element being accessed, so a fault leaves vstart exact and the
// elements before it done, as the spec requires for a resumable trap.
#include <algorithm>

#include "target/riscv/vector.h"
#include "tcg/exec/guest_limit.h"

namespace mimic::riscv::vec {

namespace {

unsigned width_bits(unsigned f3) { return f3 == 0 ? 8 : 8u << (f3 - 4); }  // 000, 101, 110, 111
int log2_of(unsigned bits) { return __builtin_ctz(bits); }

// One element access of `bytes` at guest `addr`; false (fault_addr set) when it leaves the guest's
// address space. Faults inside it reach the host fault handler, which reports them at c.pc.
bool access(RiscvCpu& c, uint64_t addr, unsigned bytes, bool store, uint64_t& val) {
  uint64_t limit = tcg::user_guest_limit();
  if (addr >= limit || bytes > limit - addr) {
    c.fault_addr = std::max(addr, limit);
    c.fault_write = store;
    return false;
  }
  uint8_t* host = c.guest_base + addr;
  if (store)
    std::memcpy(host, &val, bytes);
  else {
    val = 0;
    std::memcpy(&val, host, bytes);
  }
  return true;
}

// [addr, addr + len) can be accessed without a fault. `unknown` is the answer without a memory
// map (fault-only-first: assume it can, and let an element fault; bulk copies: do not risk it).
bool can_access(const RiscvCpu& c, uint64_t addr, uint64_t len, bool write, bool unknown) {
  uint64_t limit = tcg::user_guest_limit();
  if (addr >= limit || len > limit - addr) return false;
  return c.v_access_ok ? c.v_access_ok(c.v_access_ctx, addr, len, write) : unknown;
}

// An unmasked unit-stride access whose whole range can be accessed: one copy. (A racing munmap
// by another thread can still fault it; vstart then names the first element.)
bool bulk_copy(Insn& v, uint64_t addr, unsigned reg, unsigned first, unsigned n, unsigned bytes, bool store) {
  if (n == 0 || !can_access(v.c, addr, uint64_t(n) * bytes, store, false)) return false;
  v.c.vstart = first;
  uint8_t* regs = &v.c.vreg[0][0] + reg * kVlenb + first * bytes;
  if (store)
    std::memcpy(v.c.guest_base + addr, regs, size_t(n) * bytes);
  else
    std::memcpy(regs, v.c.guest_base + addr, size_t(n) * bytes);
  return true;
}

// Whole-register loads and stores (vl<n>re<eew>.v, vs<n>r.v): vtype and vl do not apply.
uint64_t whole_register(Insn& v, uint64_t base, unsigned nf, unsigned eew, bool store) {
  unsigned nreg = nf;
  if ((nreg & (nreg - 1)) || !v.vm || v.vd % nreg || (store && eew != 8)) return kVIllegal;
  unsigned n = nreg * kVlenb * 8 / eew, bytes = eew / 8;
  if (v.vstart < n && bulk_copy(v, base + uint64_t(v.vstart) * bytes, v.vd, v.vstart, n - v.vstart, bytes, store))
    return kVOk;
  for (unsigned i = v.vstart; i < n; ++i) {
    v.c.vstart = i;
    uint64_t val = store ? get(v.src, v.vd, i, eew) : 0;
    if (!access(v.c, base + uint64_t(i) * bytes, bytes, store, val)) return kVMemFault;
    if (!store) put(v.c, v.vd, i, eew, val);
  }
  return kVOk;
}

// vlm.v / vsm.v: ceil(vl / 8) bytes, unmasked.
uint64_t mask_load_store(Insn& v, uint64_t base, bool store) {
  if (v.vill || !v.vm) return kVIllegal;
  unsigned n = (v.vl + 7) / 8;
  for (unsigned i = v.vstart; i < n; ++i) {
    v.c.vstart = i;
    uint64_t val = store ? get(v.src, v.vd, i, 8) : 0;
    if (!access(v.c, base + i, 1, store, val)) return kVMemFault;
    if (!store) put(v.c, v.vd, i, 8, val);
  }
  return kVOk;
}

}  // namespace

uint64_t exec_load_store(Insn& v, uint64_t pc, bool store) {
  (void)pc;
  const uint32_t insn = v.insn;
  const unsigned nf = ((insn >> 29) & 7) + 1, mop = (insn >> 26) & 3, lumop = v.vs2, rs1 = v.vs1;
  const bool mew = (insn >> 28) & 1;
  const unsigned width = width_bits(v.f3);
  const uint64_t base = v.x(rs1);
  if (mew) return kVIllegal;
  if (mop == 0 && lumop == 8) return whole_register(v, base, nf, width, store);
  if (mop == 0 && lumop == 11) return nf == 1 && width == 8 ? mask_load_store(v, base, store) : kVIllegal;
  if (v.vill) return kVIllegal;
  const bool fault_first = mop == 0 && lumop == 16 && !store;
  if (mop == 0 && lumop != 0 && !fault_first) return kVIllegal;
  const bool indexed = mop == 1 || mop == 3;
  // Data elements are EEW wide (unit/strided) or SEW wide (indexed, whose index EEW is `width`).
  const unsigned data_eew = indexed ? v.sew : width;
  const int data_emul = indexed ? v.lmul : log2_of(width) - log2_of(v.sew) + v.lmul;
  const int idx_emul = log2_of(width) - log2_of(v.sew) + v.lmul;
  if (data_emul < -3 || data_emul > 3 || (indexed && (idx_emul < -3 || idx_emul > 3))) return kVIllegal;
  const unsigned field_regs = data_emul > 0 ? 1u << data_emul : 1;
  if (nf * field_regs > 8 || v.vd + nf * field_regs > 32 || !aligned(v.vd, data_emul)) return kVIllegal;
  if (!v.vm && v.vd == 0) return kVIllegal;
  if (indexed) {
    if (!aligned(v.vs2, idx_emul)) return kVIllegal;
    for (unsigned f = 0; f < nf && !store; ++f) {
      unsigned seg = v.vd + f * field_regs;
      // Segment loads may not overlap the index group at all.
      if (nf > 1 && overlap(seg, v.lmul, v.vs2, idx_emul)) return kVIllegal;
      if (width > v.sew && seg != v.vs2 && !no_bad_overlap(seg, v.lmul, v.vs2, idx_emul)) return kVIllegal;
      if (width < v.sew && !no_bad_overlap(seg, v.lmul, v.vs2, idx_emul)) return kVIllegal;
    }
  }
  const unsigned bytes = data_eew / 8;
  const int64_t stride = mop == 2 ? int64_t(v.x((insn >> 20) & 31)) : int64_t(nf * bytes);
  if (mop == 0 && nf == 1 && v.vm && !fault_first && v.vstart < v.vl &&
      bulk_copy(v, base + uint64_t(v.vstart) * bytes, v.vd, v.vstart, v.vl - v.vstart, bytes, store))
    return kVOk;
  for (unsigned i = v.vstart; i < v.vl; ++i) {
    if (!active(v, i)) continue;
    uint64_t elem_base = indexed ? base + get(v.src, v.vs2, i, width) : base + uint64_t(int64_t(i) * stride);
    if (fault_first && i > 0 && !can_access(v.c, elem_base, nf * bytes, false, true)) {
      v.c.vl = i;  // trims vl instead of trapping on a later element
      break;
    }
    v.c.vstart = i;
    for (unsigned f = 0; f < nf; ++f) {
      unsigned reg = v.vd + f * field_regs;
      uint64_t val = store ? get(v.src, reg, i, data_eew) : 0;
      if (!access(v.c, elem_base + uint64_t(f) * bytes, bytes, store, val)) return kVMemFault;
      if (!store) put(v.c, reg, i, data_eew, val);
    }
  }
  return kVOk;
}

}  // namespace mimic::riscv::vec
