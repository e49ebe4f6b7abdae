// AArch32 Advanced SIMD element and structure loads and stores (A32 11110100; T32 11111001
// rewritten by decode_t32.cpp): VLD1-4/VST1-4 of multiple structures, of one lane, and to all
// lanes, with writeback by the transfer size (Rm = 13) or by a register.
//
// VLD1/VST1 of multiple registers move whole doublewords (the memory image of the registers,
// little-endian); VLD2-4/VST2-4 of multiple structures move the image through scratch V16-V17
// and (de)interleave it there in a helper; the lane forms are one access per element. An
// alignment qualifier faults a misaligned base before any access, as Linux does (SIGBUS).
#include "target/arm/helpers_a32_neon.h"
#include "target/arm/trans_a32.h"
#include "target/arm/trans_a32_neon.h"

namespace mimic::arm {

namespace {
using S = A32Context;

void writeback(S& s, unsigned rn, unsigned rm, Arg base, unsigned bytes) {
  if (rm == 15) return;
  write_r(s, rn, s.ir.add(base, rm == 13 ? imm32(bytes) : read_r(s, rm)));
}
// An alignment qualifier: a misaligned base faults (SIGBUS, BUS_ADRALN) before any access.
void check_alignment(S& s, Arg base, unsigned align_bytes) {
  if (align_bytes <= 1) return;
  const uint32_t ok = s.ir.new_label();
  s.ir.br_cond(Cond::TstEq, base, imm32(align_bytes - 1), ok);
  s.ir.set_state(uint32_t(offsetof(tcg::CpuBase, fault_addr)), s.ir.zext32_to_64(base));
  s.ir.exit_loop(tcg::kExitUnaligned, imm64(s.pc));
  s.ir.label(ok);
}
Arg addr_at(S& s, Arg base, unsigned off) { return gen_addr(s, off ? s.ir.add(base, imm32(off)) : base); }

// ---- multiple structures ----
bool VLDST_multi(S& s, bool D, bool L, uint32_t rn, uint32_t vd, uint32_t type, uint32_t size, uint32_t align,
                 uint32_t rm) {
  unsigned members, inc = 1, regs = 1;
  switch (type) {
    case 7:
      members = 1, regs = 1;
      if (align & 2) return false;
      break;
    case 10:
      members = 1, regs = 2;
      if (align == 3) return false;
      break;
    case 6:
      members = 1, regs = 3;
      if (align & 2) return false;
      break;
    case 2: members = 1, regs = 4; break;
    case 8:
    case 9:
      members = 2, inc = type - 7;
      if (size == 3 || align == 3) return false;
      break;
    case 3:
      members = 2, inc = 2, regs = 2;
      if (size == 3) return false;
      break;
    case 4:
    case 5:
      members = 3, inc = type - 3;
      if (size == 3 || (align & 2)) return false;
      break;
    case 0:
    case 1:
      members = 4, inc = type + 1;
      if (size == 3) return false;
      break;
    default: return false;
  }
  const unsigned d = D << 4 | vd;
  const unsigned last = members == 1 ? d + regs - 1 : d + (members - 1) * inc + regs - 1;
  if (rn == 15 || last > 31) return false;
  const unsigned align_bytes = align ? 4u << align : 0, chunks = members * regs;
  Arg base = read_r(s, rn);
  check_alignment(s, base, align_bytes);
  const uint32_t scratch = vreg_offset(kNeonScratch);
  const uint64_t desc = members | inc << 4 | regs << 8 | size << 12;
  if (!L && members > 1) s.ir.call_void(neon_helper_id(NeonHelper::interleave), {imm64(d), imm64(desc)});
  for (unsigned k = 0; k < chunks; ++k) {
    Arg addr = addr_at(s, base, 8 * k);
    const uint32_t memop = MemOp::k64;
    const uint32_t at = members == 1 ? neon_doff(d + k) : scratch + 8 * k;
    if (L)
      s.ir.set_state(at, s.ir.load(Type::I64, addr, memop));
    else
      s.ir.store(addr, s.ir.get_state(Type::I64, at), memop);
  }
  if (L && members > 1) s.ir.call_void(neon_helper_id(NeonHelper::deinterleave), {imm64(d), imm64(desc)});
  writeback(s, rn, rm, base, 8 * chunks);
  return true;
}

// ---- single lane ----
bool VLDST_lane(S& s, bool D, bool L, uint32_t rn, uint32_t vd, uint32_t size, uint32_t nm1, uint32_t ia, uint32_t rm) {
  if (size == 3) return false;
  const unsigned members = nm1 + 1, ebytes = 1u << size, bits = 8u << size;
  unsigned index, inc = 1, align_bytes = 0;
  switch (size) {
    case 0:
      index = ia >> 1;
      if (ia & 1) {
        if (members == 1 || members == 3) return false;
        align_bytes = members == 2 ? 2 : 4;
      }
      break;
    case 1:
      index = ia >> 2;
      if (ia & 2) {
        if (members == 1) return false;
        inc = 2;
      }
      if (ia & 1) {
        if (members == 3) return false;
        align_bytes = 2 * members;
      }
      break;
    default:
      index = ia >> 3;
      if (ia & 4) {
        if (members == 1) return false;
        inc = 2;
      }
      switch (members) {
        case 1:
          if ((ia & 3) == 3)
            align_bytes = 4;
          else if (ia & 3)
            return false;
          break;
        case 2:
          if (ia & 2) return false;
          if (ia & 1) align_bytes = 8;
          break;
        case 3:
          if (ia & 3) return false;
          break;
        default:
          if ((ia & 3) == 3) return false;
          if (ia & 3) align_bytes = 8u << ((ia & 3) - 1);
          break;
      }
      break;
  }
  const unsigned d = D << 4 | vd;
  if (rn == 15 || d + (members - 1) * inc > 31) return false;
  Arg base = read_r(s, rn);
  check_alignment(s, base, align_bytes);
  for (unsigned k = 0; k < members; ++k) {
    Arg addr = addr_at(s, base, k * ebytes);
    const unsigned r = d + k * inc;
    const uint32_t memop = size;
    if (L) {
      Arg v = s.ir.load(Type::I64, addr, memop);
      neon_setd(s, r, s.ir.deposit(neon_getd(s, r), v, index * bits, bits));
    } else {
      s.ir.store(addr, s.ir.extract(neon_getd(s, r), index * bits, bits), memop);
    }
  }
  writeback(s, rn, rm, base, members * ebytes);
  return true;
}

// ---- single structure to all lanes (loads only) ----
bool VLD_all(S& s, bool D, uint32_t rn, uint32_t vd, uint32_t nm1, uint32_t size, bool T, bool a, uint32_t rm) {
  const unsigned members = nm1 + 1;
  unsigned esz = size, inc = T ? 2 : 1, regs = 1, align_bytes = 0;
  switch (members) {
    case 1:
      if (size == 3 || (size == 0 && a)) return false;
      inc = 1, regs = T ? 2 : 1;
      if (a) align_bytes = 1u << size;
      break;
    case 2:
      if (size == 3) return false;
      if (a) align_bytes = 2u << size;
      break;
    case 3:
      if (size == 3 || a) return false;
      break;
    default:
      if (size == 3) {
        if (!a) return false;
        esz = 2, align_bytes = 16;
      } else if (a) {
        align_bytes = size == 2 ? 8 : 4u << size;
      }
      break;
  }
  const unsigned d = D << 4 | vd, ebytes = 1u << esz;
  if (rn == 15 || d + (members - 1) * inc + regs - 1 > 31) return false;
  Arg base = read_r(s, rn);
  check_alignment(s, base, align_bytes);
  for (unsigned k = 0; k < members; ++k) {
    Arg addr = addr_at(s, base, k * ebytes);
    const uint32_t memop = esz;
    Arg v = neon_dup(s, s.ir.load(Type::I64, addr, memop), esz);
    for (unsigned r = 0; r < regs; ++r) neon_setd(s, d + k * inc + r, v);
  }
  writeback(s, rn, rm, base, members * ebytes);
  return true;
}

#define INST(fn, name, bits) make_pattern<bits, &fn>(name)
// clang-format off
constexpr A32Pattern kTable[] = {
  INST(VLDST_multi, "vld/vst (multiple)",  "111101000DL0nnnnddddttttzzaammmm"),
  INST(VLDST_lane,  "vld/vst (one lane)",  "111101001DL0nnnnddddzzbbiiiimmmm"),
  INST(VLD_all,     "vld (all lanes)",     "111101001D10nnnndddd11bbzzTammmm"),
};
// clang-format on
#undef INST
}  // namespace

bool trans_a32_neon_ldst(A32Context& s, uint32_t insn) {
  static const PatternMatcher<A32Context> matcher(kTable, std::size(kTable), 23, 1);
  const A32Pattern* p = matcher.find(insn);
  return p && p->fn(s, insn);
}

}  // namespace mimic::arm
