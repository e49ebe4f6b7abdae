// The V extension (1.0, VLEN 128, ELEN 64) as helpers that run one vector instruction each:
// translated code calls vexec with the instruction bits, which decodes vtype and the fields at run
// time (vtype, vl and vstart change without ending a block). docs/riscv-v.md.
#pragma once

#include <cstdint>
#include <cstring>

#include "target/riscv/cpu.h"

namespace mimic::riscv {

// Registry ids of the vector helpers (tcg/helper.h).
enum class VHelper { kExec, kCsrRead, kCsrWrite, kCount };
uint32_t vector_helper_id(VHelper h);

// vexec's result: the translated code continues, raises an illegal instruction, or delivers a
// memory fault at fault_addr (an element outside the guest's address space; faults inside it are
// the host fault handler's).
enum VStatus : uint64_t { kVOk = 0, kVIllegal = 1, kVMemFault = 2 };

// The vector CSRs a user-mode program sees.
constexpr uint32_t kCsrVstart = 0x008, kCsrVxsat = 0x009, kCsrVxrm = 0x00a, kCsrVcsr = 0x00f, kCsrVl = 0xc20,
                   kCsrVtype = 0xc21, kCsrVlenb = 0xc22;
bool is_vector_csr(uint32_t csr);
// vl and vtype as vsetvl would set them (an illegal vtype sets vill; vl is at most VLMAX): for
// state that comes from the guest's memory (sigreturn).
void set_vector_config(RiscvCpu& c, uint64_t vl, uint64_t vtype);

namespace vec {

// One vector instruction being executed: its fields, the vtype it runs under, and where its
// sources are read: the live register file for element-wise instructions (element i of every
// operand is read before element i of vd is written, and vd is either equal to or disjoint from
// each source group), else a snapshot taken before anything was written, so that a destination
// overlapping a source never changes what a later element reads.
struct Insn {
  RiscvCpu& c;
  uint32_t insn;
  unsigned vd, vs1, vs2, f3, f6;
  bool vm;       // unmasked
  unsigned sew;  // element width in bits (8..64)
  int lmul;      // log2 of LMUL: -3..3
  unsigned vl, vstart, vlmax;
  bool vill;
  const uint8_t* src;  // &c.vreg[0][0] or `copy`

  Insn(RiscvCpu& cpu, uint32_t bits);
  void snapshot() {
    std::memcpy(copy, c.vreg, sizeof copy);
    src = copy;
  }
  unsigned regs() const { return lmul > 0 ? 1u << lmul : 1u; }  // registers in a group of LMUL
  uint64_t x(unsigned r) const { return r ? c.x[r] : 0; }

 private:
  alignas(16) uint8_t copy[32 * kVlenb];
};

// Instructions whose every element is computed from the same element of its sources (same EEW
// throughout), which need no snapshot.
bool element_wise(uint32_t insn);

// Fixed-width element access, for the loops specialised per SEW.
template <class T>
inline T ld(const uint8_t* file, unsigned r, unsigned i) {
  T v;
  std::memcpy(&v, file + r * kVlenb + i * sizeof(T), sizeof v);
  return v;
}
template <class T>
inline void st(RiscvCpu& c, unsigned r, unsigned i, T v) {
  std::memcpy(&c.vreg[0][0] + r * kVlenb + i * sizeof(T), &v, sizeof v);
}
// Calls fn(T{}) with T the unsigned type of `bits` (8..64).
template <class Fn>
inline auto with_width(unsigned bits, Fn fn) {
  switch (bits) {
    case 8: return fn(uint8_t{});
    case 16: return fn(uint16_t{});
    case 32: return fn(uint32_t{});
    default: return fn(uint64_t{});
  }
}

inline uint64_t trunc(uint64_t v, unsigned bits) { return bits >= 64 ? v : v & ((1ull << bits) - 1); }
inline int64_t sext(uint64_t v, unsigned bits) {
  return bits >= 64 ? int64_t(v) : int64_t(v << (64 - bits)) >> (64 - bits);
}
// Element i (eew bits wide) of the group starting at register r, from the snapshot or the live file.
inline uint64_t get(const uint8_t* file, unsigned r, unsigned i, unsigned eew) {
  uint64_t v = 0;
  std::memcpy(&v, file + r * kVlenb + i * (eew / 8), eew / 8);
  return v;
}
inline void put(RiscvCpu& c, unsigned r, unsigned i, unsigned eew, uint64_t v) {
  std::memcpy(&c.vreg[0][0] + r * kVlenb + i * (eew / 8), &v, eew / 8);
}
inline bool mask_bit(const uint8_t* file, unsigned r, unsigned i) { return (file[r * kVlenb + i / 8] >> (i % 8)) & 1; }
inline void put_mask(RiscvCpu& c, unsigned r, unsigned i, bool b) {
  uint8_t& byte = c.vreg[r][i / 8];
  byte = uint8_t((byte & ~(1u << (i % 8))) | (unsigned(b) << (i % 8)));
}
// Element i takes part: unmasked, or its bit in v0 is set.
inline bool active(const Insn& v, unsigned i) { return v.vm || mask_bit(v.src, 0, i); }

// Register-group rules (the V spec's section 5.2 as qemu checks them): r is a multiple of the
// group size; two groups overlap.
bool aligned(unsigned r, int lmul);
bool overlap(unsigned a, int a_lmul, unsigned b, int b_lmul);
// A destination of EEW d_lmul may overlap a source of s_lmul only where the spec allows it.
bool no_bad_overlap(unsigned dst, int d_lmul, unsigned src, int s_lmul);

// The instruction groups (vector_mem.cpp, vector_int.cpp, vector_fp.cpp); each returns a VStatus.
uint64_t exec_load_store(Insn& v, uint64_t pc, bool store);
uint64_t exec_opi(Insn& v);  // OPIVV / OPIVX / OPIVI
uint64_t exec_opm(Insn& v);  // OPMVV / OPMVX
uint64_t exec_opf(Insn& v);  // OPFVV / OPFVF

}  // namespace vec
}  // namespace mimic::riscv
