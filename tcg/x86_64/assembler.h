// The per-thread assembler of the x86-64 backend: Xbyak's CodeGenerator, reused from block to
// block, plus a direct encoder for the handful of forms that make up most of a block's code.
//
// Xbyak encodes every instruction through its generic operand path (Operand/RegExp objects,
// rex(), setSIB(), opModM(): 300-700 host instructions each, callgrind). The forms below (moves
// between a GPR and [base + disp32], moves of an imm32 into such memory or a register, register
// copies, `jmp [base + disp]`) are most of what the register allocator, the state stores and the
// exit stubs emit; they are written here in a few dozen instructions, byte for byte what Xbyak
// writes for the same operands (tests/unit/backend/assembler_test.cpp checks every register,
// base and displacement class against Xbyak).
#pragma once

#include <xbyak/xbyak.h>

#include <cstdint>
#include <cstring>
#include <vector>

namespace mimic::tcg::x86_64 {

class BlockAssembler : public Xbyak::CodeGenerator {
 public:
  BlockAssembler() : CodeGenerator(sizeof(placeholder_), placeholder_) {}
  // Starts a new block: no labels, no code, emitting into [write, write + capacity).
  void retarget(uint8_t* write, size_t capacity) {
    // Xbyak's reset() rebuilds the label manager's tables (heap allocations every block). The
    // previous block's labels are gone (the Ctx destroys them, which empties the tables), so a
    // full reset is needed only for undefined references a block abandoned by an exception left
    // behind, and now and then to restart the label id counter.
    if (hasUndefinedLabel() || ++blocks_since_reset_ >= kBlocksPerReset) {
      reset();
      blocks_since_reset_ = 0;
    } else {
      Xbyak::ClearError();
      resetSize();
    }
    top_ = write;
    maxSize_ = capacity;
  }

  // GPRs are hardware numbers (0-15); `wide` selects the 64-bit form (REX.W), else 32-bit.
  // mov [base + disp], reg
  void store_gpr(bool wide, int base, int32_t disp, int reg) { mem_form(wide, 0x89, reg, base, disp, 0); }
  // mov reg, [base + disp]
  void load_gpr(bool wide, int reg, int base, int32_t disp) { mem_form(wide, 0x8b, reg, base, disp, 0); }
  // mov dword/qword [base + disp], imm32 (the qword form sign-extends it)
  void store_imm32(bool wide, int base, int32_t disp, uint32_t imm) { mem_form(wide, 0xc7, 0, base, disp, imm, 4); }
  // jmp qword [base + disp]
  void jmp_mem(int base, int32_t disp) { mem_form(false, 0xff, 4, base, disp, 0); }
  // call qword [base + disp]
  void call_mem(int base, int32_t disp) { mem_form(false, 0xff, 2, base, disp, 0); }
  // Raw data bytes in the code (a stub's operands after its call).
  void data(const void* p, size_t n) {
    std::memcpy(room(n), p, n);
    size_ += n;
  }
  // mov dst, src (Xbyak's form: 89 /r with src in the reg field)
  void move_gpr(bool wide, int dst, int src) {
    const uint8_t rex = rex_bits(wide, src, 0, dst);
    uint8_t* p = room(rex ? 3 : 2);
    if (rex) *p++ = rex;
    *p++ = 0x89;
    *p++ = uint8_t(0xc0 | (src & 7) << 3 | (dst & 7));
    commit(p);
  }
  // mov r32, imm32 (B8+r id): zero-extends into the 64-bit register
  void move_imm32(int reg, uint32_t imm) {
    uint8_t* p = room(reg >= 8 ? 6 : 5);
    if (reg >= 8) *p++ = 0x41;
    *p++ = uint8_t(0xb8 | (reg & 7));
    std::memcpy(p, &imm, 4);
    commit(p + 4);
  }
  // xor r32, r32
  void zero_gpr(int reg) {
    uint8_t* p = room(reg >= 8 ? 3 : 2);
    if (reg >= 8) *p++ = 0x45;
    *p++ = 0x31;
    *p++ = uint8_t(0xc0 | (reg & 7) << 3 | (reg & 7));
    commit(p);
  }
  // mov r64, imm as Xbyak picks its form: B8+r id when imm fits 32 bits unsigned, REX.W C7 /0 id
  // when it fits signed, else REX.W B8+r io.
  void move_imm(int reg, uint64_t imm) {
    if (imm == uint64_t(uint32_t(imm))) return move_imm32(reg, uint32_t(imm));
    if (int64_t(imm) != int64_t(int32_t(imm))) return move_imm64(reg, imm);
    uint8_t* p = room(7);
    *p++ = uint8_t(0x48 | (reg >= 8 ? 1 : 0));
    *p++ = 0xc7;
    *p++ = uint8_t(0xc0 | (reg & 7));
    const uint32_t lo = uint32_t(imm);
    std::memcpy(p, &lo, 4);
    commit(p + 4);
  }
  // mov r64, imm64 (REX.W B8+r io)
  void move_imm64(int reg, uint64_t imm) {
    uint8_t* p = room(10);
    *p++ = uint8_t(0x48 | (reg >= 8 ? 1 : 0));
    *p++ = uint8_t(0xb8 | (reg & 7));
    std::memcpy(p, &imm, 8);
    commit(p + 8);
  }

  // A rel32 branch whose target is not known yet (a cheap alternative to an Xbyak label for
  // out-of-line stubs reached from one place): emits `jcc rel32` (or `jmp rel32` for cc < 0)
  // and returns the offset of its rel32 field, to be given to bind_rel32 at the target.
  size_t jcc_rel32_forward(int cc) {
    uint8_t* p = room(cc < 0 ? 5 : 6);
    if (cc < 0) {
      *p++ = 0xe9;
    } else {
      *p++ = 0x0f;
      *p++ = uint8_t(0x80 | cc);
    }
    const size_t field = size_t(p - top_);
    std::memset(p, 0, 4);
    commit(p + 4);
    return field;
  }
  // Points the rel32 field at `field` to the current position.
  void bind_rel32(size_t field) { patch_rel32(field, size_); }
  // A short `jcc rel8` to a target not known yet (cc < 0: jmp), as Xbyak's default for a forward
  // label: returns the offset of the rel8 field for bind_rel8 (which throws if it is too far).
  size_t jcc_rel8_forward(int cc) {
    uint8_t* p = room(2);
    p[0] = uint8_t(cc < 0 ? 0xeb : 0x70 | cc);
    p[1] = 0;
    commit(p + 2);
    return size_ - 1;
  }
  void bind_rel8(size_t field) {
    const int64_t rel = int64_t(size_) - int64_t(field + 1);
    if (rel != int8_t(rel)) throw Xbyak::Error(Xbyak::ERR_LABEL_IS_TOO_FAR);
    top_[field] = uint8_t(int8_t(rel));
  }

  // The block's own labels (IR label ids 0..n-1): `jcc rel32` (cc < 0: jmp) to a label, bound
  // anywhere in the block. Xbyak's T_NEAR bytes; the rel32 fields are patched by
  // resolve_labels() once the block is emitted instead of through Xbyak's label manager (hash
  // map nodes per label and per reference).
  void begin_labels(size_t n) {
    label_pos_.assign(n, kUnbound);
    label_refs_.clear();
  }
  void bind_label(uint32_t id) { label_pos_[id] = uint32_t(size_); }
  void jcc_label(int cc, uint32_t id) { label_refs_.push_back(LabelRef{uint32_t(jcc_rel32_forward(cc)), id}); }
  // Patches every branch to a block label; false if one of them was never bound.
  bool resolve_labels() {
    for (const LabelRef& r : label_refs_) {
      if (label_pos_[r.label] == kUnbound) return false;
      patch_rel32(r.field, label_pos_[r.label]);
    }
    label_refs_.clear();
    return true;
  }
  // `jcc rel32` (cc < 0: jmp) to an already emitted position `target` (an offset, getSize()).
  void jcc_rel32_back(int cc, size_t target) { patch_rel32(jcc_rel32_forward(cc), target); }

  // x86 condition codes (the low nibble of Jcc/SETcc/CMOVcc).
  enum : int { kCcB = 0x2, kCcAE = 0x3, kCcE = 0x4, kCcNE = 0x5, kCcS = 0x8 };

  // Xbyak's mnemonics for the ALU group, mov, test and lea, with the operands the emitters use
  // most (32/64-bit GPRs, [base + index*scale + disp32] memory) encoded directly, byte for byte
  // Xbyak's choice of form (assembler_test.cpp); any other operand goes to Xbyak. The
  // using-declarations keep Xbyak's other overloads (these hide the ones of the same signature).
  using CodeGenerator::adc;
  using CodeGenerator::add;
  using CodeGenerator::and_;
  using CodeGenerator::cmp;
  using CodeGenerator::lea;
  using CodeGenerator::mov;
  using CodeGenerator::or_;
  using CodeGenerator::sbb;
  using CodeGenerator::sub;
  using CodeGenerator::test;
  using CodeGenerator::xor_;
  using Operand = Xbyak::Operand;
  void mov(const Operand& a, const Operand& b) {
    if (!fast_rm(a, b, 0x88)) CodeGenerator::mov(a, b);
  }
  void add(const Operand& a, const Operand& b) {
    if (!fast_rm(a, b, 0x00)) CodeGenerator::add(a, b);
  }
  void or_(const Operand& a, const Operand& b) {
    if (!fast_rm(a, b, 0x08)) CodeGenerator::or_(a, b);
  }
  void adc(const Operand& a, const Operand& b) {
    if (!fast_rm(a, b, 0x10)) CodeGenerator::adc(a, b);
  }
  void sbb(const Operand& a, const Operand& b) {
    if (!fast_rm(a, b, 0x18)) CodeGenerator::sbb(a, b);
  }
  void and_(const Operand& a, const Operand& b) {
    if (!fast_rm(a, b, 0x20)) CodeGenerator::and_(a, b);
  }
  void sub(const Operand& a, const Operand& b) {
    if (!fast_rm(a, b, 0x28)) CodeGenerator::sub(a, b);
  }
  void xor_(const Operand& a, const Operand& b) {
    if (!fast_rm(a, b, 0x30)) CodeGenerator::xor_(a, b);
  }
  void cmp(const Operand& a, const Operand& b) {
    if (!fast_rm(a, b, 0x38)) CodeGenerator::cmp(a, b);
  }
  void add(const Operand& a, uint32_t imm) {
    if (!fast_ri(a, imm, 0x00, 0)) CodeGenerator::add(a, imm);
  }
  void or_(const Operand& a, uint32_t imm) {
    if (!fast_ri(a, imm, 0x08, 1)) CodeGenerator::or_(a, imm);
  }
  void adc(const Operand& a, uint32_t imm) {
    if (!fast_ri(a, imm, 0x10, 2)) CodeGenerator::adc(a, imm);
  }
  void sbb(const Operand& a, uint32_t imm) {
    if (!fast_ri(a, imm, 0x18, 3)) CodeGenerator::sbb(a, imm);
  }
  void and_(const Operand& a, uint32_t imm) {
    if (!fast_ri(a, imm, 0x20, 4)) CodeGenerator::and_(a, imm);
  }
  void sub(const Operand& a, uint32_t imm) {
    if (!fast_ri(a, imm, 0x28, 5)) CodeGenerator::sub(a, imm);
  }
  void xor_(const Operand& a, uint32_t imm) {
    if (!fast_ri(a, imm, 0x30, 6)) CodeGenerator::xor_(a, imm);
  }
  void cmp(const Operand& a, uint32_t imm) {
    if (!fast_ri(a, imm, 0x38, 7)) CodeGenerator::cmp(a, imm);
  }
  // test r/m, reg is 85 /r with the operands as `op r/m, reg` of the ALU group.
  void test(const Operand& a, const Xbyak::Reg& b) {
    if (!fast_rm(a, b, 0x84)) CodeGenerator::test(a, b);
  }
  void test(const Operand& a, uint32_t imm) {
    if (!fast_test_imm(a, imm)) CodeGenerator::test(a, imm);
  }
  void lea(const Xbyak::Reg& r, const Xbyak::Address& m) {
    if (!is_gpr(r) || !rm_mem(r.isBit(64), 0x8d, r.getIdx(), m, 0, 0)) CodeGenerator::lea(r, m);
  }

 private:
  static bool is_gpr(const Operand& o) { return o.isREG(32 | 64); }
  // `op` of the ALU group (Xbyak's opRM_RM; code 0x88 is mov, 0x84 test): reg, reg as
  // `code|1 /r` with the source in the reg field; reg, mem as `code|3`; mem, reg as `code|1`.
  bool fast_rm(const Operand& a, const Operand& b, uint8_t code) {
    if (is_gpr(a)) {
      if (is_gpr(b)) {
        if (a.getBit() != b.getBit()) return false;
        const int dst = a.getIdx(), src = b.getIdx();
        const uint8_t rex = rex_bits(a.isBit(64), src, 0, dst);
        uint8_t* p = room(3);
        if (rex) *p++ = rex;
        *p++ = uint8_t(code | 1);
        *p++ = uint8_t(0xc0 | (src & 7) << 3 | (dst & 7));
        commit(p);
        return true;
      }
      return b.isMEM() && code != 0x84 && rm_mem(a.isBit(64), uint8_t(code | 3), a.getIdx(), b.getAddress(), 0, 0);
    }
    return a.isMEM() && is_gpr(b) && rm_mem(b.isBit(64), uint8_t(code | 1), b.getIdx(), a.getAddress(), 0, 0);
  }
  // `op r/m, imm` (Xbyak's opRM_I): imm8 (83 /ext ib) when it fits sign-extended, else
  // `code|5 id` for eax/rax, else 81 /ext id.
  bool fast_ri(const Operand& a, uint32_t imm, uint8_t code, int ext) {
    const bool imm8 = imm + 0x80u < 0x100u;
    if (is_gpr(a)) {
      const int r = a.getIdx();
      const uint8_t rex = rex_bits(a.isBit(64), 0, 0, r);
      uint8_t* p = room(7);
      if (rex) *p++ = rex;
      if (imm8) {
        *p++ = 0x83;
        *p++ = uint8_t(0xc0 | ext << 3 | (r & 7));
        *p++ = uint8_t(imm);
      } else {
        if (r == 0) {
          *p++ = uint8_t(code | 5);
        } else {
          *p++ = 0x81;
          *p++ = uint8_t(0xc0 | ext << 3 | (r & 7));
        }
        std::memcpy(p, &imm, 4);
        p += 4;
      }
      commit(p);
      return true;
    }
    if (!a.isMEM() || !a.isBit(32 | 64)) return false;
    return rm_mem(a.isBit(64), imm8 ? 0x83 : 0x81, ext, a.getAddress(), imm, imm8 ? 1 : 4);
  }
  // test r/m, imm32 (Xbyak: A9 id for eax/rax, else F7 /0 id).
  bool fast_test_imm(const Operand& a, uint32_t imm) {
    if (is_gpr(a)) {
      const int r = a.getIdx();
      const uint8_t rex = rex_bits(a.isBit(64), 0, 0, r);
      uint8_t* p = room(7);
      if (rex) *p++ = rex;
      if (r == 0) {
        *p++ = 0xa9;
      } else {
        *p++ = 0xf7;
        *p++ = uint8_t(0xc0 | (r & 7));
      }
      std::memcpy(p, &imm, 4);
      commit(p + 4);
      return true;
    }
    if (!a.isMEM() || !a.isBit(32 | 64)) return false;
    return rm_mem(a.isBit(64), 0xf7, 0, a.getAddress(), imm, 4);
  }
  // [REX] opcode modrm [sib] [disp] [imm] for an Xbyak address of the plain form
  // [base64 + index64*scale + disp32]; false (nothing written) for any other form (rip-relative,
  // 32-bit registers, no base, vector index, a displacement beyond 32 bits).
  bool rm_mem(bool wide, uint8_t opcode, int reg, const Xbyak::Address& m, uint32_t imm, int imm_size) {
    if (m.getMode() != Xbyak::Address::M_ModRM || m.isBroadcast()) return false;
    const Xbyak::RegExp& e = m.getRegExp(false);
    const Xbyak::Reg& base = e.getBase();
    const Xbyak::Reg& index = e.getIndex();
    if (!base.isREG(64) || (index.getBit() != 0 && !index.isREG(64))) return false;
    const uint64_t disp64 = e.getDisp();
    if (disp64 + 0x80000000ull >= 0x100000000ull) return false;
    const int idx = index.getBit() ? index.getIdx() : -1;
    const int scale = e.getScale();
    mem_form(wide, opcode, reg, base.getIdx(), int32_t(uint32_t(disp64)), imm, imm_size, idx,
             scale == 8   ? 3
             : scale == 4 ? 2
             : scale == 2 ? 1
                          : 0);
    return true;
  }

  static uint8_t rex_bits(bool wide, int reg, int index, int base) {
    const uint8_t r = uint8_t((wide ? 8 : 0) | (reg >= 8 ? 4 : 0) | (index >= 8 ? 2 : 0) | (base >= 8 ? 1 : 0));
    return r ? uint8_t(0x40 | r) : 0;
  }
  // [REX] opcode modrm [sib] [disp8/32] [imm of imm_size bytes (1 or 4)]: reg field `reg`,
  // memory [base + index << scale_log2 + disp] (index -1: none; never rip-relative).
  void mem_form(bool wide, uint8_t opcode, int reg, int base, int32_t disp, uint32_t imm, int imm_size = 0,
                int index = -1, int scale_log2 = 0) {
    const uint8_t rex = rex_bits(wide, reg, index < 0 ? 0 : index, base);
    const uint8_t rm = uint8_t(base & 7), rf = uint8_t((reg & 7) << 3);
    // mod 00 with rm 5 means rip-relative: [rbp]/[r13] take a zero disp8 instead (as Xbyak).
    const int mod = (disp == 0 && rm != 5) ? 0 : (disp == int8_t(disp)) ? 1 : 2;
    const bool sib = rm == 4 || index >= 0;  // rsp/r12 as base need a SIB byte
    uint8_t* p = room(size_t((rex ? 1 : 0) + 2 + sib + (mod == 1 ? 1 : mod == 2 ? 4 : 0) + imm_size));
    if (rex) *p++ = rex;
    *p++ = opcode;
    if (sib) {
      *p++ = uint8_t(mod << 6 | rf | 4);
      *p++ = uint8_t(scale_log2 << 6 | (index < 0 ? 4 : index & 7) << 3 | rm);
    } else {
      *p++ = uint8_t(mod << 6 | rf | rm);
    }
    if (mod == 1) {
      *p++ = uint8_t(int8_t(disp));
    } else if (mod == 2) {
      std::memcpy(p, &disp, 4);
      p += 4;
    }
    if (imm_size == 1) {
      *p++ = uint8_t(imm);
    } else if (imm_size) {
      std::memcpy(p, &imm, 4);
      p += 4;
    }
    commit(p);
  }
  void patch_rel32(size_t field, size_t target) {
    const int32_t rel = int32_t(int64_t(target) - int64_t(field + 4));
    std::memcpy(top_ + field, &rel, 4);
  }
  // Room for n more bytes (the block's region is fixed: running out is Xbyak's "code too big").
  uint8_t* room(size_t n) {
    if (maxSize_ - size_ < n) throw Xbyak::Error(Xbyak::ERR_CODE_IS_TOO_BIG);
    return top_ + size_;
  }
  void commit(uint8_t* end) { size_ = size_t(end - top_); }

  struct LabelRef {
    uint32_t field;  // offset of the rel32
    uint32_t label;
  };
  static constexpr uint32_t kUnbound = ~0u;
  std::vector<uint32_t> label_pos_;  // per block label: its offset, or kUnbound
  std::vector<LabelRef> label_refs_;
  static constexpr unsigned kBlocksPerReset = 1u << 16;  // ids: at most ~100 labels a block
  unsigned blocks_since_reset_ = 0;
  uint8_t placeholder_[16];  // a user buffer until the first retarget (never written)
};

}  // namespace mimic::tcg::x86_64
