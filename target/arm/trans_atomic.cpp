// Exclusives (LDXR/STXR and pairs), load-acquire/store-release (LDAR/STLR/LDAPR, LORegions forms),
// and the LSE atomics (CAS, CASP, LDADD/LDCLR/LDEOR/LDSET/LD{S,U}{MAX,MIN}, SWP).
//
// STXR is a compare-and-swap against the value LDXR loaded (QEMU's scheme): correct with real host
// threads, since any intervening store of a different value makes it fail. The host is x86 (TSO)
// and its locked instructions are full barriers, so acquire/release variants of the atomics need
// no extra fence; STLR is followed by a full fence so that STLR -> LDAR stays ordered.
#include "target/arm/helpers.h"
#include "target/arm/trans.h"

namespace mimic::arm {

namespace {
constexpr uint32_t kExclAddr = uint32_t(offsetof(A64Cpu, excl_addr));
constexpr uint32_t kExclVal = uint32_t(offsetof(A64Cpu, excl_val));
constexpr uint32_t kExclVal2 = uint32_t(offsetof(A64Cpu, excl_val2));
constexpr uint32_t kExclSize = uint32_t(offsetof(A64Cpu, excl_size));

// The monitor's access size: log2 bytes of the whole access (a pair counts double).
uint32_t excl_size(uint32_t size, bool pair) { return pair ? size + 1 : size; }

// Leaves with an alignment fault unless addr is a multiple of `bytes` (for helper-based accesses,
// whose own host access cannot report it).
void gen_check_align(DisasContext& s, Arg addr, unsigned bytes) {
  uint32_t ok = s.ir.new_label();
  s.ir.br_cond(Cond::TstEq, addr, imm64(bytes - 1), ok);
  s.ir.set_state(uint32_t(offsetof(tcg::CpuBase, fault_addr)), addr);
  s.ir.exit_loop(tcg::kExitUnaligned, imm64(s.pc));
  s.ir.label(ok);
}

void gen_load_exclusive(DisasContext& s, uint32_t size, bool pair, uint32_t t2, uint32_t n, uint32_t t) {
  Arg addr = read_xsp(s, n);
  if (pair && size == 3) {
    Arg v = s.ir.load(Type::V128, addr, MemOp::k128 | MemOp::kAligned);
    Arg lo = s.ir.vextract(Type::I64, v, 0, 3), hi = s.ir.vextract(Type::I64, v, 1, 3);
    s.ir.set_state(kExclAddr, addr);
    s.ir.set_state(kExclSize, imm32(excl_size(size, pair)));
    s.ir.set_state(kExclVal, lo);
    s.ir.set_state(kExclVal2, hi);
    write_x(s, t, lo);
    write_x(s, t2, hi);
    return;
  }
  // A pair of words is one doubleword access.
  Arg v = s.ir.load(Type::I64, addr, (pair ? MemOp::k64 : size) | MemOp::kAligned);
  s.ir.set_state(kExclAddr, addr);
  s.ir.set_state(kExclSize, imm32(excl_size(size, pair)));
  s.ir.set_state(kExclVal, v);
  if (pair) {
    write_x(s, t, s.ir.zext(v, 32));
    write_x(s, t2, s.ir.shr(v, imm64(32)));
  } else {
    write_x(s, t, v);
  }
}

void gen_store_exclusive(DisasContext& s, uint32_t size, bool pair, uint32_t rs, uint32_t t2, uint32_t n, uint32_t t) {
  Arg addr = read_xsp(s, n);
  if (pair && size == 3) gen_check_align(s, addr, 16);
  uint32_t fail = s.ir.new_label(), done = s.ir.new_label();
  s.ir.br_cond(Cond::Ne, addr, s.ir.get_state(Type::I64, kExclAddr), fail);
  // A store-exclusive of another size than the load-exclusive fails (Arm leaves it unpredictable).
  s.ir.br_cond(Cond::Ne, s.ir.get_state(Type::I32, kExclSize), imm32(excl_size(size, pair)), fail);
  Arg failed;
  if (pair && size == 3) {
    failed =
        s.ir.call(Type::I64, helper_id(Helper::stxp64), {s.ir.vaddr(addr), read_x(s, t), read_x(s, t2), imm64(s.pc)});
  } else {
    Arg expected = s.ir.get_state(Type::I64, kExclVal);
    if (pair || size == 3) {
      Arg data = pair ? s.ir.deposit(read_x(s, t), read_x(s, t2), 32, 32) : read_x(s, t);
      Arg old = s.ir.atomic_cas(addr, expected, data, MemOp::k64 | MemOp::kAligned);
      failed = s.ir.setcond(Cond::Ne, old, expected);
    } else {
      // The recorded value is zero-extended from the access size, as the CAS result is.
      Arg exp32 = s.ir.trunc64_to_32(expected);
      Arg old = s.ir.atomic_cas(addr, exp32, read_reg(s, t, false), size | MemOp::kAligned);
      failed = s.ir.setcond(Cond::Ne, old, exp32, Type::I64);
    }
  }
  write_x(s, rs, failed);
  s.ir.br(done);
  s.ir.label(fail);
  write_x(s, rs, imm64(1));
  s.ir.label(done);
  // Any store-exclusive, successful or not, clears the monitor.
  s.ir.set_state(kExclAddr, imm64(~0ull));
}

bool gen_casp(DisasContext& s, bool sz, uint32_t rs, uint32_t n, uint32_t t) {
  if ((rs & 1) || (t & 1)) return false;
  Arg addr = read_xsp(s, n);
  if (sz) {
    gen_check_align(s, addr, 16);
    s.ir.call_void(helper_id(Helper::casp64), {s.ir.vaddr(addr), imm64(rs), imm64(t), imm64(s.pc)});
    return true;
  }
  Arg expected = s.ir.deposit(read_x(s, rs), read_x(s, rs + 1), 32, 32);
  Arg desired = s.ir.deposit(read_x(s, t), read_x(s, t + 1), 32, 32);
  Arg old = s.ir.atomic_cas(addr, expected, desired, MemOp::k64 | MemOp::kAligned);
  write_x(s, rs, s.ir.zext(old, 32));
  write_x(s, rs + 1, s.ir.shr(old, imm64(32)));
  return true;
}
}  // namespace

bool trans_LDST_excl(DisasContext& s, uint32_t size, bool o2, bool L, bool o1, uint32_t rs, bool o0, uint32_t t2,
                     uint32_t n, uint32_t t) {
  if (!o2 && !o1) {  // LDXR/LDAXR, STXR/STLXR
    if (L)
      gen_load_exclusive(s, size, false, t2, n, t);
    else
      gen_store_exclusive(s, size, false, rs, t2, n, t);
    return true;
  }
  if (!o2 && o1) {
    if (size < 2) {  // CASP/CASPA/CASPL/CASPAL
      if (t2 != 31) return false;
      return gen_casp(s, size & 1, rs, n, t);
    }
    if (L)  // LDXP/LDAXP
      gen_load_exclusive(s, size, true, t2, n, t);
    else  // STXP/STLXP
      gen_store_exclusive(s, size, true, rs, t2, n, t);
    return true;
  }
  if (o2 && !o1) {  // LDAR/LDLAR, STLR/STLLR
    Arg addr = read_xsp(s, n);
    if (L) {
      Arg v = s.ir.load(Type::I64, addr, size | MemOp::kAligned);
      s.ir.fence(tcg::FenceKind::Acquire);
      write_x(s, t, v);
    } else {
      s.ir.fence(tcg::FenceKind::Release);
      s.ir.store(addr, read_x(s, t), size | MemOp::kAligned);
      s.ir.fence(tcg::FenceKind::Full);
    }
    return true;
  }
  // CAS/CASA/CASL/CASAL (B, H, W, X)
  if (t2 != 31) return false;
  const bool sf = size == 3;
  Arg addr = read_xsp(s, n);
  Arg old = s.ir.atomic_cas(addr, read_reg(s, rs, sf), read_reg(s, t, sf), size | MemOp::kAligned);
  write_x(s, rs, old);
  return true;
}

bool trans_ATOMIC(DisasContext& s, uint32_t size, bool A, bool R, uint32_t rs, uint32_t op, uint32_t n, uint32_t t) {
  using tcg::RmwOp;
  const bool sf = size == 3;
  if (op == 12) {  // LDAPR (RCpc load-acquire)
    if (!A || R || rs != 31) return false;
    Arg v = s.ir.load(Type::I64, read_xsp(s, n), size | MemOp::kAligned);
    s.ir.fence(tcg::FenceKind::Acquire);
    write_x(s, t, v);
    return true;
  }
  static constexpr RmwOp kOps[9] = {RmwOp::Add,  RmwOp::And,  RmwOp::Xor,  RmwOp::Or,  RmwOp::SMax,
                                    RmwOp::SMin, RmwOp::UMax, RmwOp::UMin, RmwOp::Xchg};
  if (op > 8) return false;
  Arg addr = read_xsp(s, n);
  Arg v = read_reg(s, rs, sf);
  if (op == 1) v = s.ir.not_(v);  // LDCLR: old & ~Rs
  write_x(s, t, s.ir.atomic_rmw(kOps[op], addr, v, size | MemOp::kAligned));
  return true;
}

}  // namespace mimic::arm
