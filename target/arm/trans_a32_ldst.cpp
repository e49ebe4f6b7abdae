// AArch32 loads and stores: single and doubleword with every addressing mode, LDM/STM (PUSH/POP),
// exclusives and load-acquire/store-release, barriers, and the CP15 registers user space reaches.
//
// Exclusives use the AArch64 frontend's monitor (A64Cpu::excl_*): LDREX records the address and
// the value, STREX is a compare-and-swap against that value, correct under real host threads.
#include <bit>

#include "target/arm/trans_a32.h"

namespace mimic::arm {

namespace {
constexpr uint32_t kExclAddr = uint32_t(offsetof(A64Cpu, excl_addr));
constexpr uint32_t kExclVal = uint32_t(offsetof(A64Cpu, excl_val));
constexpr uint32_t kExclSize = uint32_t(offsetof(A64Cpu, excl_size));

Arg base_of(A32Context& s, unsigned n) { return n == 15 ? imm32(s.pc_aligned()) : read_r(s, n); }
Arg load32(A32Context& s, Arg addr32, uint32_t memop) { return s.ir.load(Type::I32, gen_addr(s, addr32), memop); }
void store32(A32Context& s, Arg addr32, Arg v, uint32_t memop) { s.ir.store(gen_addr(s, addr32), v, memop); }
}  // namespace

bool gen_ldst(A32Context& s, bool load, uint32_t memop, unsigned t, unsigned n, Arg offset, bool P, bool U, bool W) {
  const bool wback = W || !P;
  if (wback && n == 15) return false;
  Arg base = base_of(s, n);
  Arg offset_addr = U ? s.ir.add(base, offset) : s.ir.sub(base, offset);
  Arg addr = P ? offset_addr : base;
  if (load) {
    Arg v = load32(s, addr, memop);
    if (wback && n != t) write_r(s, n, offset_addr);
    write_r_load(s, t, v);
  } else {
    store32(s, addr, read_r(s, t), memop);
    if (wback) write_r(s, n, offset_addr);
  }
  return true;
}

bool gen_ldstd(A32Context& s, bool load, unsigned t, unsigned t2, unsigned n, Arg offset, bool P, bool U, bool W) {
  const bool wback = W || !P;
  if (t == 15 || t2 == 15 || (wback && n == 15)) return false;
  Arg base = base_of(s, n);
  Arg offset_addr = U ? s.ir.add(base, offset) : s.ir.sub(base, offset);
  Arg addr = P ? offset_addr : base;
  Arg addr2 = s.ir.add(addr, imm32(4));
  if (load) {
    Arg v1 = load32(s, addr, MemOp::k32), v2 = load32(s, addr2, MemOp::k32);
    if (wback) write_r(s, n, offset_addr);
    write_r(s, t, v1);
    write_r(s, t2, v2);
  } else {
    Arg v1 = read_r(s, t), v2 = read_r(s, t2);
    store32(s, addr, v1, MemOp::k32);
    store32(s, addr2, v2, MemOp::k32);
    if (wback) write_r(s, n, offset_addr);
  }
  return true;
}

bool gen_ldm_stm(A32Context& s, bool load, unsigned n, uint32_t list, bool increment, bool before, bool W) {
  const unsigned count = unsigned(std::popcount(list));
  if (count == 0 || n == 15) return false;
  Arg base = read_r(s, n);
  const uint32_t first = increment ? (before ? 4 : 0) : -4 * count + (before ? 0 : 4);
  Arg start = s.ir.add(base, imm32(first));
  Arg new_base = increment ? s.ir.add(base, imm32(4 * count)) : s.ir.sub(base, imm32(4 * count));
  if (load) {
    Arg vals[16];
    unsigned k = 0;
    for (unsigned r = 0; r < 16; ++r)
      if (list & (1u << r)) vals[r] = load32(s, s.ir.add(start, imm32(4 * k++)), MemOp::k32);
    // A loaded base wins over the writeback.
    if (W && !(list & (1u << n))) write_r(s, n, new_base);
    for (unsigned r = 0; r < 15; ++r)
      if (list & (1u << r)) write_r(s, r, vals[r]);
    if (list & (1u << 15)) write_r_load(s, 15, vals[15]);
  } else {
    unsigned k = 0;
    for (unsigned r = 0; r < 16; ++r)
      if (list & (1u << r)) store32(s, s.ir.add(start, imm32(4 * k++)), read_r(s, r), MemOp::k32);
    if (W) write_r(s, n, new_base);
  }
  return true;
}

bool gen_ldrex(A32Context& s, unsigned size, unsigned t, unsigned t2, unsigned n, uint32_t imm) {
  if (t == 15 || n == 15 || (size == 3 && t2 == 15)) return false;
  Arg addr = gen_addr(s, s.ir.add(read_r(s, n), imm32(imm)));
  Arg v = s.ir.load(Type::I64, addr, size | MemOp::kAligned);
  s.ir.set_state(kExclAddr, addr);
  s.ir.set_state(kExclSize, imm32(size));
  s.ir.set_state(kExclVal, v);
  write_r(s, t, s.ir.trunc64_to_32(v));
  if (size == 3) write_r(s, t2, s.ir.trunc64_to_32(s.ir.shr(v, imm64(32))));
  return true;
}

bool gen_strex(A32Context& s, unsigned size, unsigned d, unsigned t, unsigned t2, unsigned n, uint32_t imm) {
  if (d == 15 || t == 15 || n == 15 || d == n || d == t || (size == 3 && (t2 == 15 || d == t2))) return false;
  auto& ir = s.ir;
  Arg addr = gen_addr(s, ir.add(read_r(s, n), imm32(imm)));
  uint32_t fail = ir.new_label(), done = ir.new_label();
  ir.br_cond(Cond::Ne, addr, ir.get_state(Type::I64, kExclAddr), fail);
  ir.br_cond(Cond::Ne, ir.get_state(Type::I32, kExclSize), imm32(size), fail);
  Arg failed;
  Arg expected = ir.get_state(Type::I64, kExclVal);
  if (size == 3) {
    Arg data = ir.or_(ir.zext32_to_64(read_r(s, t)), ir.shl(ir.zext32_to_64(read_r(s, t2)), imm64(32)));
    Arg old = ir.atomic_cas(addr, expected, data, MemOp::k64 | MemOp::kAligned);
    failed = ir.setcond(Cond::Ne, old, expected, Type::I32);
  } else {
    Arg exp32 = ir.trunc64_to_32(expected);
    Arg old = ir.atomic_cas(addr, exp32, read_r(s, t), size | MemOp::kAligned);
    failed = ir.setcond(Cond::Ne, old, exp32, Type::I32);
  }
  write_r(s, d, failed);
  ir.br(done);
  ir.label(fail);
  write_r(s, d, imm32(1));
  ir.label(done);
  ir.set_state(kExclAddr, imm64(~0ull));
  return true;
}

bool gen_ld_acquire(A32Context& s, unsigned size, unsigned t, unsigned n) {
  if (t == 15 || n == 15) return false;
  write_r(s, t, load32(s, read_r(s, n), size | MemOp::kAligned));
  return true;
}

bool gen_st_release(A32Context& s, unsigned size, unsigned t, unsigned n) {
  if (t == 15 || n == 15) return false;
  store32(s, read_r(s, n), read_r(s, t), size | MemOp::kAligned);
  s.ir.fence(tcg::FenceKind::Full);  // keeps STL -> LDA ordered on the TSO host
  return true;
}

// SWP/SWPB (ARMv6 deprecated; Linux on ARMv7 emulates them with LDREX/STREX): one atomic
// exchange, word-aligned for SWP.
bool gen_swp(A32Context& s, bool byte, unsigned t, unsigned t2, unsigned n) {
  if (t == 15 || t2 == 15 || n == 15 || n == t || n == t2) return false;
  Arg addr = gen_addr(s, read_r(s, n));
  Arg old = s.ir.atomic_rmw(tcg::RmwOp::Xchg, addr, read_r(s, t2), byte ? MemOp::k8 : MemOp::k32 | MemOp::kAligned);
  write_r(s, t, old);
  return true;
}

// SETEND: data stays little-endian. SETEND LE is then a no-op; SETEND BE is UNDEFINED, as on an
// arm64 kernel whose CPUs lack mixed-endian EL0 (no SETEND emulation): big-endian data is not
// implemented.
bool gen_setend(A32Context&, bool big) { return !big; }

bool gen_clrex(A32Context& s) {
  s.ir.set_state(kExclAddr, imm64(~0ull));
  return true;
}

bool gen_barrier(A32Context& s, unsigned kind) {
  if (kind != 6) s.ir.fence(tcg::FenceKind::Full);
  return true;
}

bool gen_cp15(A32Context& s, bool load, unsigned opc1, unsigned crn, unsigned t, unsigned opc2, unsigned crm) {
  if (t == 15) return false;
  if (opc1 == 0 && crn == 13 && crm == 0 && (opc2 == 2 || opc2 == 3)) {  // TPIDRURW, TPIDRURO
    const uint32_t off = uint32_t(opc2 == 2 ? offsetof(A32Cpu, tpidrurw) : offsetof(A32Cpu, tpidruro));
    if (load) {
      write_r(s, t, s.ir.get_state(Type::I32, off));
    } else {
      if (opc2 == 3) return false;  // read-only at PL0
      s.ir.set_state(off, read_r(s, t));
    }
    return true;
  }
  if (!load && opc1 == 0 && crn == 7) {  // the CP15 barrier operations (CP15BEN is set by Linux)
    if (crm == 10 && opc2 == 5) return gen_barrier(s, 5);
    if (crm == 10 && opc2 == 4) return gen_barrier(s, 4);
    if (crm == 5 && opc2 == 4) return gen_barrier(s, 6);
  }
  return false;
}

bool gen_svc(A32Context& s, uint32_t imm) {
  s.ir.set_state(uint32_t(offsetof(A64Cpu, svc_imm)), imm32(imm));
  gen_exit_a32(s, kExitSvc);
  return true;
}
bool gen_bkpt(A32Context& s, uint32_t imm) {
  s.ir.set_state(uint32_t(offsetof(A64Cpu, svc_imm)), imm32(imm));
  gen_exit_a32(s, kExitBrk);
  return true;
}
bool gen_udf(A32Context& s) {
  gen_exit_a32(s, kExitUdf);
  return true;
}

}  // namespace mimic::arm
