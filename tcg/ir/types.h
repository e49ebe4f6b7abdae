// IR value types, operand kinds, op flags and the small enums that ops take as immediates.
#pragma once

#include <cstdint>
#include <string_view>

namespace mimic::tcg {

// The type of an IR value. Void means "no value".
enum class Type : uint8_t { Void, I32, I64, F32, F64, V128 };

constexpr bool is_int(Type t) { return t == Type::I32 || t == Type::I64; }
constexpr bool is_float(Type t) { return t == Type::F32 || t == Type::F64; }
constexpr unsigned type_bits(Type t) {
  switch (t) {
    case Type::I32:
    case Type::F32: return 32;
    case Type::I64:
    case Type::F64: return 64;
    case Type::V128: return 128;
    default: return 0;
  }
}
std::string_view type_name(Type t);

// The kinds used in the op table (tcg/ir/opcodes.inc) for results and operands.
enum class Kind : uint8_t { Void, I32, I64, F32, F64, V128, T, TF, TA, XInt, XInt2, Any, Imm, Lbl };

namespace OpFlag {
enum : uint32_t {
  kSideEffects = 1u << 0,  // never removed by DCE even when its result is unused
  kBlockEnd = 1u << 1,     // ends the block: nothing after it executes
  kBranch = 1u << 2,       // in-block control flow (label or branch)
  kCallClobber = 1u << 3,  // host caller-saved registers are clobbered
  kMayFault = 1u << 4,     // may leave through a guest fault: guest state must be exact before it
  kReadsState = 1u << 5,   // may read any guest state field
  kWritesState = 1u << 6,  // may write any guest state field
};
}  // namespace OpFlag
using namespace OpFlag;

// Comparison conditions for BrCond and SetCond.
enum class Cond : uint8_t { Eq, Ne, LtS, LeS, GtS, GeS, LtU, LeU, GtU, GeU, TstEq, TstNe };
std::string_view cond_name(Cond c);
Cond invert(Cond c);  // !(a c b)  == (a invert(c) b)
Cond swap(Cond c);    // (a c b)   == (b swap(c) a)

// Float comparison conditions for FCmp. Ordered conditions are false when either is NaN.
enum class FCond : uint8_t { Eq, Lt, Le, Uno, Ne /* unordered or not equal */, Ord };
std::string_view fcond_name(FCond c);

// MemOp: the immediate operand of Load/Store/atomics.
//   bits 0-2  log2 of the access size in bytes (0 = 1 byte ... 4 = 16 bytes)
//   bit  3    sign-extend the loaded value to the instruction type
//   bit  4    the address must be naturally aligned (misaligned: guest alignment fault)
namespace MemOp {
enum : uint32_t { k8 = 0, k16 = 1, k32 = 2, k64 = 3, k128 = 4, kSizeMask = 7, kSigned = 8, kAligned = 16 };
// System mode: the MMU mode (soft-TLB table) of the access, bits 8-10; kMmuExplicit marks a
// MemOp whose frontend chose the mode itself (IRBuilder then keeps it).
enum : uint32_t { kMmuShift = 8, kMmuMask = 7u << kMmuShift, kMmuExplicit = 1u << 11 };
constexpr unsigned mmu_index(uint64_t m) { return unsigned((m & kMmuMask) >> kMmuShift); }
constexpr uint32_t with_mmu(uint32_t m, unsigned idx) { return (m & ~kMmuMask) | ((idx & 7u) << kMmuShift); }
constexpr unsigned size_log2(uint64_t m) { return unsigned(m & kSizeMask); }
constexpr unsigned size_bytes(uint64_t m) { return 1u << size_log2(m); }
constexpr bool is_signed(uint64_t m) { return (m & kSigned) != 0; }
}  // namespace MemOp

// The operation of AtomicRmw (its RmwOp immediate).
enum class RmwOp : uint8_t { Xchg, Add, And, Or, Xor, SMin, SMax, UMin, UMax };
std::string_view rmw_name(RmwOp op);

// Fence kinds (the immediate of Fence). Host x86 is TSO, so only kFull needs an instruction.
enum class FenceKind : uint8_t { Full, Acquire, Release };

}  // namespace mimic::tcg
