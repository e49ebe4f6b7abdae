// NZCV look-ahead: a small classifier of A64 encodings by what they do to the flags, and a
// bounded walk over the successors.
#include "target/arm/flag_liveness.h"

#include <cstring>

namespace mimic::arm {

bool PageCode::read(uint64_t pc, uint32_t& insn) const {
  if ((pc & ~uint64_t(0xfff)) != page || (pc & 3) || !guest_base) return false;
  if (fetcher) {
    if (whole_page == 0) whole_page = fetcher->can_fetch(page, 4096) ? 1 : 2;
    if (whole_page == 2 && !fetcher->can_fetch(pc, 4)) return false;
  }
  std::memcpy(&insn, guest_base + pc, 4);
  return true;
}

namespace {

enum class FlagUse {
  kNone,     // neither reads nor writes NZCV, falls through
  kWrite,    // writes all of NZCV without reading it, falls through
  kRead,     // reads NZCV (or may: system registers)
  kJump,     // B or BL: continues at the target only
  kTwoWay,   // CBZ/CBNZ/TBZ/TBNZ: continues at the target and the next instruction
  kUnknown,  // indirect branches, exceptions, system instructions: anything may follow
};

int64_t sext(uint64_t v, unsigned bits) { return int64_t(v << (64 - bits)) >> (64 - bits); }

FlagUse classify(uint32_t insn, int64_t& offset) {
  // Branches, exception generation and system instructions (op0 = x101).
  if ((insn & 0x1c000000) == 0x14000000) {
    if ((insn & 0x7c000000) == 0x14000000) {  // B, BL
      offset = sext(uint64_t(insn & 0x03ffffff) << 2, 28);
      return FlagUse::kJump;
    }
    if ((insn & 0x7e000000) == 0x34000000) {  // CBZ, CBNZ
      offset = sext(uint64_t((insn >> 5) & 0x7ffff) << 2, 21);
      return FlagUse::kTwoWay;
    }
    if ((insn & 0x7e000000) == 0x36000000) {  // TBZ, TBNZ
      offset = sext(uint64_t((insn >> 5) & 0x3fff) << 2, 16);
      return FlagUse::kTwoWay;
    }
    if ((insn & 0xff000000) == 0x54000000) return FlagUse::kRead;  // B.cond, BC.cond
    if ((insn & 0xfffff01f) == 0xd503201f) return FlagUse::kNone;  // hints (NOP, YIELD, BTI ...)
    if ((insn & 0xfffff01f) == 0xd503301f) return FlagUse::kNone;  // CLREX, DSB, DMB, ISB, SB
    return FlagUse::kUnknown;                                      // MRS/MSR (NZCV among them), SVC, BR, RET ...
  }
  // Data processing (register) readers: ADC/SBC(S), RMIF, SETF (0xd0), CCMP/CCMN (0xd2), CSEL family (0xd4).
  if ((insn & 0x10000000) && (insn & 0x0e000000) == 0x0a000000) {
    const uint32_t op = (insn >> 21) & 0xff;
    if (op == 0xd0 || op == 0xd2 || op == 0xd4) return FlagUse::kRead;
  }
  // Scalar FP: FCCMP(E) and FCSEL (bits 11:10 = 01, 11) read; FCMP(E) writes.
  if ((insn & 0xff200400) == 0x1e200400) return FlagUse::kRead;
  if ((insn & 0xff20fc07) == 0x1e202000) return FlagUse::kWrite;
  const bool s_bit = insn & 0x20000000;
  if (s_bit && (insn & 0x1f800000) == 0x11000000) return FlagUse::kWrite;  // ADDS/SUBS (immediate)
  if (s_bit && (insn & 0x1f000000) == 0x0b000000) return FlagUse::kWrite;  // ADDS/SUBS (shifted, extended)
  if ((insn & 0x7f800000) == 0x72000000) return FlagUse::kWrite;           // ANDS (immediate)
  if ((insn & 0x7f000000) == 0x6a000000) return FlagUse::kWrite;           // ANDS, BICS (shifted)
  return FlagUse::kNone;
}

// Instructions examined over all paths, and on one path before giving up. A path as long as a
// loop body of a few dozen instructions (the SHA-256 rounds: 35 before their compare) lets a
// one-block loop drop its flag stores at the back edge; a walk costs a few compares a word.
constexpr int kBudget = 160;
constexpr int kPathLength = 64;
constexpr int kMaxVisited = 8;

struct Walk {
  const PageCode& code;
  int budget = kBudget;
  uint64_t visited[kMaxVisited];  // path starts already being proved (loops prove themselves)
  int num_visited = 0;

  bool dead_from(uint64_t pc) {
    for (int i = 0; i < num_visited; ++i)
      if (visited[i] == pc) return true;  // a cycle with no read: other exits are checked on their own
    if (num_visited == kMaxVisited) return false;
    visited[num_visited++] = pc;
    for (int n = 0; n < kPathLength; ++n, pc += 4) {
      uint32_t insn;
      if (--budget < 0 || !code.read(pc, insn)) return false;
      int64_t offset = 0;
      switch (classify(insn, offset)) {
        case FlagUse::kNone: continue;
        case FlagUse::kWrite: return true;
        case FlagUse::kRead:
        case FlagUse::kUnknown: return false;
        case FlagUse::kJump: return dead_from(pc + uint64_t(offset));
        case FlagUse::kTwoWay: return dead_from(pc + uint64_t(offset)) && dead_from(pc + 4);
      }
    }
    return false;
  }
};

}  // namespace

bool nzcv_dead_at(const PageCode& code, uint64_t pc) {
  Walk w{code};
  return w.dead_from(pc);
}

}  // namespace mimic::arm
