// mimic IR -> LLVM IR for a tier-2 region.
//
// Exactness rules the lowering keeps (docs/tier2.md):
// - InsnStart stores the pc to env->pc, and GetState/SetState are plain loads and stores of env.
//   Guest loads carry no alias information, so LLVM must assume they may read env: no env store
//   before a guest load is moved after it or dropped. Guest stores take their address through a
//   readonly identity asm (`pin`), which reads all memory for the same effect. So at every
//   instruction that may fault, env holds the pc and the guest state of that point, which is what
//   the fault handler expects of a thread that runs the interpreter.
// - Guest loads are volatile: one whose value is unused must still fault where the guest's does
//   (LLVM deletes a dead plain load). The env stores at every InsnStart already keep LLVM from
//   merging or hoisting guest loads, so volatility costs nothing else.
// - Guest stores are marked as not aliasing env loads (scoped noalias metadata: guest memory is
//   never mimic's memory), so guest registers stay in host registers across them.
// - Floating point goes through inline asm of the same SSE instructions as tier 1, marked as
//   touching only inaccessible memory (MXCSR): no reordering of operands, rounding in the
//   guest's MXCSR mode, flags accrue, and LLVM cannot drop one.
#include "tcg/llvm/lower.h"

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/InlineAsm.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/MDBuilder.h>

#include <cstddef>
#include <unordered_map>

#include "tcg/exec/cpu_base.h"
#include "tcg/helper.h"

namespace mimic::tcg {
namespace {

using llvm::BasicBlock;
using llvm::Value;

class Lowering {
 public:
  Lowering(llvm::Module& m, const Tier2Target& target, const std::atomic<uint8_t>* invalid)
      : m_(m), c_(m.getContext()), b_(c_), target_(target), invalid_(invalid) {
    i1_ = b_.getInt1Ty();
    i8_ = b_.getInt8Ty();
    i32_ = b_.getInt32Ty();
    i64_ = b_.getInt64Ty();
    f32_ = b_.getFloatTy();
    f64_ = b_.getDoubleTy();
    v128_ = llvm::FixedVectorType::get(i64_, 2);
    llvm::MDBuilder md(c_);
    llvm::MDNode* domain = md.createAnonymousAliasScopeDomain("mimic.env");
    llvm::MDNode* scope = md.createAnonymousAliasScope(domain, "mimic.env.load");
    env_scope_ = llvm::MDNode::get(c_, {scope});
  }

  llvm::Function* run(const std::string& name, const std::vector<Block>& blocks, std::string& why) {
    auto* fty = llvm::FunctionType::get(b_.getVoidTy(), {llvm::PointerType::getUnqual(i8_)}, false);
    f_ = llvm::Function::Create(fty, llvm::Function::ExternalLinkage, name, m_);
    f_->addFnAttr(llvm::Attribute::NoUnwind);
    env_ = f_->getArg(0);
    BasicBlock* entry = BasicBlock::Create(c_, "entry", f_);
    for (size_t i = 0; i < blocks.size(); ++i) {
      pc_index_.emplace(blocks[i].guest_pc, i);
      body_.push_back(BasicBlock::Create(c_, "b" + std::to_string(i), f_));
    }
    poll_.assign(blocks.size(), nullptr);
    b_.SetInsertPoint(entry);
    b_.CreateBr(body_[0]);
    for (size_t i = 0; i < blocks.size(); ++i) {
      if (!lower_block(blocks[i], body_[i])) {
        why = why_;
        f_->eraseFromParent();
        return nullptr;
      }
    }
    return f_;
  }

 private:
  // ---- types and constants ----
  llvm::Type* ty(Type t) {
    switch (t) {
      case Type::I32: return i32_;
      case Type::I64: return i64_;
      case Type::F32: return f32_;
      case Type::F64: return f64_;
      case Type::V128: return v128_;
      default: return b_.getVoidTy();
    }
  }
  unsigned bits(llvm::Type* t) { return t->getPrimitiveSizeInBits().getFixedSize(); }
  llvm::ConstantInt* cint(llvm::Type* t, uint64_t v) {
    return llvm::ConstantInt::get(llvm::cast<llvm::IntegerType>(t), v);
  }
  llvm::VectorType* lanes(unsigned log2) { return llvm::FixedVectorType::get(b_.getIntNTy(8u << log2), 16u >> log2); }
  llvm::VectorType* flanes(unsigned log2) {
    return llvm::FixedVectorType::get(log2 == 2 ? f32_ : f64_, log2 == 2 ? 4 : 2);
  }

  Value* get(const Arg& a) {
    if (a.is_imm()) return cint(a.type == Type::I32 ? i32_ : i64_, a.imm);
    return vals_[a.value];
  }
  // An integer operand converted to type t (XInt operands may differ from the instruction type).
  Value* get_int(const Arg& a, llvm::Type* t) { return b_.CreateZExtOrTrunc(get(a), t); }

  // ---- env and guest memory ----
  Value* env_ptr(uint64_t off, llvm::Type* t) {
    Value* p = b_.CreateConstInBoundsGEP1_64(i8_, env_, off);
    return b_.CreateBitCast(p, llvm::PointerType::getUnqual(t));
  }
  // CPU-state fields need not be naturally aligned (a 16-byte register at an 8-byte offset).
  llvm::Align env_align(llvm::Type* t) { return llvm::Align(std::min(4u, bits(t) / 8)); }
  void env_store(uint64_t off, Value* v) {
    b_.CreateAlignedStore(v, env_ptr(off, v->getType()), env_align(v->getType()));
  }
  Value* env_load(uint64_t off, llvm::Type* t) {
    auto* l = b_.CreateAlignedLoad(t, env_ptr(off, t), env_align(t));
    l->setMetadata(llvm::LLVMContext::MD_alias_scope, env_scope_);
    return l;
  }
  Value* guest_ptr(Value* addr, llvm::Type* t) {
    Value* host = b_.CreateAdd(addr, cint(i64_, uint64_t(reinterpret_cast<uintptr_t>(target_.guest_base))));
    return b_.CreateIntToPtr(host, llvm::PointerType::getUnqual(t));
  }
  // The identity on a guest store's address, through an asm that reads memory (see the header).
  Value* pin(Value* addr) {
    auto* asm_ty = llvm::FunctionType::get(i64_, {i64_}, false);
    auto* ia = llvm::InlineAsm::get(asm_ty, "", "=r,0", false);
    llvm::CallInst* call = b_.CreateCall(asm_ty, ia, {addr});
    call->addFnAttr(llvm::Attribute::ReadOnly);
    call->addFnAttr(llvm::Attribute::NoUnwind);
    call->addFnAttr(llvm::Attribute::WillReturn);
    return call;
  }

  // Leaves the function with env->pc = pc and env->exit_reason = reason.
  void exit_with(Value* pc, uint32_t reason) {
    env_store(offsetof(CpuBase, pc), pc);
    env_store(offsetof(CpuBase, exit_reason), cint(i32_, reason));
    b_.CreateRetVoid();
  }
  // A new block for code after a terminator (unreachable unless a Label follows).
  void continue_in_new_block(const char* name = "cont") { b_.SetInsertPoint(BasicBlock::Create(c_, name, f_)); }
  // Branch to region block i through its poll of exit_request and the region's invalid flag.
  BasicBlock* poll_block(size_t i, uint64_t pc) {
    if (poll_[i]) return poll_[i];
    llvm::IRBuilderBase::InsertPointGuard guard(b_);
    BasicBlock* poll = BasicBlock::Create(c_, "poll" + std::to_string(i), f_);
    BasicBlock* leave = BasicBlock::Create(c_, "leave" + std::to_string(i), f_);
    b_.SetInsertPoint(poll);
    auto* req = b_.CreateLoad(i32_, env_ptr(offsetof(CpuBase, exit_request), i32_));
    req->setAtomic(llvm::AtomicOrdering::Monotonic);
    auto* inv_ptr = b_.CreateIntToPtr(cint(i64_, uint64_t(reinterpret_cast<uintptr_t>(invalid_))),
                                      llvm::PointerType::getUnqual(i8_));
    auto* inv = b_.CreateLoad(i8_, inv_ptr);
    inv->setAtomic(llvm::AtomicOrdering::Monotonic);
    Value* stop = b_.CreateOr(b_.CreateICmpNE(req, cint(i32_, 0)), b_.CreateICmpNE(inv, cint(i8_, 0)));
    b_.CreateCondBr(stop, leave, body_[i]);
    b_.SetInsertPoint(leave);
    exit_with(cint(i64_, pc), kExitLookup);
    return poll_[i] = poll;
  }

  // Alignment and guest-limit checks of an access, each a cold exit with the precise pc.
  void check_access(Value* addr, uint64_t memop, bool write) {
    const unsigned size = MemOp::size_bytes(memop);
    if ((memop & MemOp::kAligned) && size > 1) {
      Value* mis = b_.CreateICmpNE(b_.CreateAnd(addr, cint(i64_, size - 1)), cint(i64_, 0));
      cold_exit(mis, [&] {
        env_store(offsetof(CpuBase, fault_addr), addr);
        exit_with(cint(i64_, cur_pc_), kExitUnaligned);
      });
    }
    if (target_.guest_limit != ~0ull) {
      Value* out = b_.CreateICmpUGE(addr, cint(i64_, target_.guest_limit));
      cold_exit(out, [&] {
        env_store(offsetof(CpuBase, fault_addr), addr);
        env_store(offsetof(CpuBase, fault_write), cint(i32_, write ? 1 : 0));
        exit_with(cint(i64_, cur_pc_), kExitMemFault);
      });
    }
  }
  template <class Fn>
  void cold_exit(Value* cond, Fn emit) {
    BasicBlock* out = BasicBlock::Create(c_, "exit", f_);
    BasicBlock* cont = BasicBlock::Create(c_, "ok", f_);
    llvm::MDBuilder md(c_);
    b_.CreateCondBr(cond, out, cont, md.createBranchWeights(1, 1000));
    b_.SetInsertPoint(out);
    emit();
    b_.SetInsertPoint(cont);
  }

  // ---- inline asm for FP (host SSE semantics, MXCSR as inaccessible memory) ----
  Value* fp_asm(llvm::Type* result, const std::string& text, const std::string& constraints,
                std::initializer_list<Value*> args) {
    std::vector<llvm::Type*> arg_tys;
    for (Value* v : args) arg_tys.push_back(v->getType());
    auto* asm_ty = llvm::FunctionType::get(result, arg_tys, false);
    auto* ia = llvm::InlineAsm::get(asm_ty, text, constraints, false);
    llvm::CallInst* call = b_.CreateCall(asm_ty, ia, llvm::ArrayRef<Value*>(args.begin(), args.size()));
    call->addFnAttr(llvm::Attribute::InaccessibleMemOnly);
    call->addFnAttr(llvm::Attribute::NoUnwind);
    call->addFnAttr(llvm::Attribute::WillReturn);
    return call;
  }
  static std::string sd(Type t, const char* base) { return std::string(base) + (t == Type::F32 ? "ss" : "sd"); }
  static std::string pd(unsigned lane_log2, const char* base) {
    return std::string(base) + (lane_log2 == 2 ? "ps" : "pd");
  }

  llvm::CmpInst::Predicate icmp_pred(Cond c) {
    using P = llvm::CmpInst::Predicate;
    switch (c) {
      case Cond::Eq: return P::ICMP_EQ;
      case Cond::Ne: return P::ICMP_NE;
      case Cond::LtS: return P::ICMP_SLT;
      case Cond::LeS: return P::ICMP_SLE;
      case Cond::GtS: return P::ICMP_SGT;
      case Cond::GeS: return P::ICMP_SGE;
      case Cond::LtU: return P::ICMP_ULT;
      case Cond::LeU: return P::ICMP_ULE;
      case Cond::GtU: return P::ICMP_UGT;
      case Cond::GeU: return P::ICMP_UGE;
      default: return P::ICMP_EQ;
    }
  }
  Value* compare(Cond c, Value* a, Value* b) {
    if (c == Cond::TstEq || c == Cond::TstNe) {
      Value* z = b_.CreateAnd(a, b);
      Value* zero = llvm::Constant::getNullValue(a->getType());
      return c == Cond::TstEq ? b_.CreateICmpEQ(z, zero) : b_.CreateICmpNE(z, zero);
    }
    return b_.CreateICmp(icmp_pred(c), a, b);
  }
  Value* intrinsic(llvm::Intrinsic::ID id, llvm::Type* t, std::initializer_list<Value*> args) {
    llvm::Function* fn = llvm::Intrinsic::getDeclaration(&m_, id, {t});
    return b_.CreateCall(fn, llvm::ArrayRef<Value*>(args.begin(), args.size()));
  }
  Value* to_lanes(Value* v, unsigned log2) { return b_.CreateBitCast(v, lanes(log2)); }
  Value* from_lanes(Value* v) { return b_.CreateBitCast(v, v128_); }
  Value* low_bits(unsigned n, llvm::Type* t) { return cint(t, n >= 64 ? ~0ull : (1ull << n) - 1); }

  bool fail(const Inst& in) {
    why_ = "op " + std::string(op_name(in.op)) + " has no tier-2 lowering";
    return false;
  }

  bool lower_block(const Block& block, BasicBlock* bb) {
    b_.SetInsertPoint(bb);
    const auto& insts = block.insts();
    vals_.assign(insts.size(), nullptr);
    labels_.assign(block.num_labels(), nullptr);
    auto label_bb = [&](uint32_t id) {
      if (!labels_[id]) labels_[id] = BasicBlock::Create(c_, "L" + std::to_string(id), f_);
      return labels_[id];
    };
    // An op's guest pc is that of the InsnStart before it in list order, also when a branch
    // skipped that InsnStart (the interpreter's and tier 1's rule): a label reached from another
    // instruction's branch stores its pc again.
    label_pc_.assign(block.num_labels(), block.guest_pc);
    label_stores_pc_.assign(block.num_labels(), false);
    std::vector<uint64_t> branch_pc(block.num_labels(), 0);
    std::vector<bool> branched(block.num_labels(), false);
    uint64_t scan_pc = block.guest_pc;
    for (const Inst& in : insts) {
      if (in.op == Opcode::InsnStart) scan_pc = in.args[0].imm;
      int label_arg = in.op == Opcode::Br ? 0 : in.op == Opcode::BrCond ? 3 : -1;
      if (label_arg >= 0) {
        const uint32_t id = in.args[label_arg].value;
        if (branched[id] && branch_pc[id] != scan_pc) label_stores_pc_[id] = true;
        branched[id] = true;
        branch_pc[id] = scan_pc;
      } else if (in.op == Opcode::Label) {
        const uint32_t id = in.args[0].value;
        label_pc_[id] = scan_pc;
        if (branched[id] && branch_pc[id] != scan_pc) label_stores_pc_[id] = true;
      }
    }
    cur_pc_ = block.guest_pc;
    for (size_t i = 0; i < insts.size(); ++i) {
      const Inst& in = insts[i];
      const Arg* a = in.args.data();
      llvm::Type* t = ty(in.type);
      Value* r = nullptr;
      switch (in.op) {
        case Opcode::Nop:
        case Opcode::DiscardState: break;
        case Opcode::InsnStart:
          cur_pc_ = a[0].imm;
          env_store(offsetof(CpuBase, pc), cint(i64_, cur_pc_));
          break;
        case Opcode::GetState: r = env_load(a[0].imm, t); break;
        case Opcode::SetState: env_store(a[0].imm, get(a[1])); break;
        case Opcode::Mov: r = get(a[0]); break;
        case Opcode::Label: {
          BasicBlock* target = label_bb(a[0].value);
          if (!b_.GetInsertBlock()->getTerminator()) b_.CreateBr(target);
          b_.SetInsertPoint(target);
          if (label_stores_pc_[a[0].value]) env_store(offsetof(CpuBase, pc), cint(i64_, label_pc_[a[0].value]));
          break;
        }
        case Opcode::Br:
          b_.CreateBr(label_bb(a[0].value));
          continue_in_new_block();
          break;
        case Opcode::BrCond: {
          Value* cond = compare(Cond(a[2].imm), get(a[0]), get(a[1]));
          BasicBlock* fall = BasicBlock::Create(c_, "fall", f_);
          b_.CreateCondBr(cond, label_bb(a[3].value), fall);
          b_.SetInsertPoint(fall);
          break;
        }
        case Opcode::GotoTb: {
          auto it = pc_index_.find(a[1].imm);
          if (it != pc_index_.end())
            b_.CreateBr(poll_block(it->second, a[1].imm));
          else
            exit_with(cint(i64_, a[1].imm), kExitLookup);
          continue_in_new_block();
          break;
        }
        case Opcode::GotoPtr: {
          Value* pc = get(a[0]);
          BasicBlock* out = BasicBlock::Create(c_, "indirect", f_);
          llvm::SwitchInst* sw = b_.CreateSwitch(pc, out, unsigned(pc_index_.size()));
          for (auto [target_pc, idx] : pc_index_)
            sw->addCase(llvm::cast<llvm::ConstantInt>(cint(i64_, target_pc)), poll_block(idx, target_pc));
          b_.SetInsertPoint(out);
          exit_with(pc, kExitLookup);
          continue_in_new_block();
          break;
        }
        case Opcode::ExitLoop:
          exit_with(b_.CreateZExtOrTrunc(get(a[1]), i64_), uint32_t(a[0].imm));
          continue_in_new_block();
          break;

        case Opcode::Add: r = b_.CreateAdd(get(a[0]), get(a[1])); break;
        case Opcode::Sub: r = b_.CreateSub(get(a[0]), get(a[1])); break;
        case Opcode::Neg: r = b_.CreateNeg(get(a[0])); break;
        case Opcode::Mul: r = b_.CreateMul(get(a[0]), get(a[1])); break;
        case Opcode::MulHS:
        case Opcode::MulHU:
        case Opcode::MulHSU: {
          llvm::Type* wide = b_.getIntNTy(2 * bits(t));
          Value* x = in.op == Opcode::MulHU ? b_.CreateZExt(get(a[0]), wide) : b_.CreateSExt(get(a[0]), wide);
          Value* y = in.op == Opcode::MulHS ? b_.CreateSExt(get(a[1]), wide) : b_.CreateZExt(get(a[1]), wide);
          r = b_.CreateTrunc(b_.CreateLShr(b_.CreateMul(x, y), bits(t)), t);
          break;
        }
        case Opcode::DivS:
        case Opcode::DivU:
        case Opcode::RemS:
        case Opcode::RemU: {
          // The IR's results for x/0 and MIN/-1 without the host trap: divide by 1 instead.
          Value* x = get(a[0]);
          Value* y = get(a[1]);
          Value* zero = b_.CreateICmpEQ(y, cint(t, 0));
          Value* bad = zero;
          if (in.op == Opcode::DivS || in.op == Opcode::RemS) {
            Value* min = cint(t, 1ull << (bits(t) - 1));
            bad = b_.CreateOr(zero, b_.CreateAnd(b_.CreateICmpEQ(x, min), b_.CreateICmpEQ(y, cint(t, ~0ull))));
          }
          Value* safe = b_.CreateSelect(bad, cint(t, 1), y);
          Value* q = in.op == Opcode::DivS   ? b_.CreateSDiv(x, safe)
                     : in.op == Opcode::DivU ? b_.CreateUDiv(x, safe)
                     : in.op == Opcode::RemS ? b_.CreateSRem(x, safe)
                                             : b_.CreateURem(x, safe);
          const bool div = in.op == Opcode::DivS || in.op == Opcode::DivU;
          r = b_.CreateSelect(zero, div ? cint(t, ~0ull) : x, q);
          break;
        }
        case Opcode::AddC:
        case Opcode::SubB: {
          Value* c = b_.CreateAnd(get_int(a[2], t), cint(t, 1));
          r = in.op == Opcode::AddC ? b_.CreateAdd(b_.CreateAdd(get(a[0]), get(a[1])), c)
                                    : b_.CreateSub(b_.CreateSub(get(a[0]), get(a[1])), c);
          break;
        }
        case Opcode::AddCarry:
        case Opcode::AddOverflow:
        case Opcode::SubBorrow:
        case Opcode::SubOverflow: {
          llvm::Type* wide = b_.getIntNTy(bits(t) + 2);
          const bool sgn = in.op == Opcode::AddOverflow || in.op == Opcode::SubOverflow;
          auto ext = [&](Value* v) { return sgn ? b_.CreateSExt(v, wide) : b_.CreateZExt(v, wide); };
          Value* c = b_.CreateZExt(b_.CreateAnd(get_int(a[2], t), cint(t, 1)), wide);
          const bool add = in.op == Opcode::AddCarry || in.op == Opcode::AddOverflow;
          Value* s = add ? b_.CreateAdd(b_.CreateAdd(ext(get(a[0])), ext(get(a[1]))), c)
                         : b_.CreateSub(b_.CreateSub(ext(get(a[0])), ext(get(a[1]))), c);
          Value* flag;
          if (sgn)
            flag = b_.CreateICmpNE(s, b_.CreateSExt(b_.CreateTrunc(s, t), wide));
          else if (add)
            flag = b_.CreateICmpNE(b_.CreateLShr(s, bits(t)), cint(wide, 0));
          else
            flag = b_.CreateICmpSLT(s, cint(wide, 0));  // borrow: the exact difference is negative
          r = b_.CreateZExt(flag, t);
          break;
        }
        case Opcode::And: r = b_.CreateAnd(get(a[0]), get(a[1])); break;
        case Opcode::Or: r = b_.CreateOr(get(a[0]), get(a[1])); break;
        case Opcode::Xor: r = b_.CreateXor(get(a[0]), get(a[1])); break;
        case Opcode::Not: r = b_.CreateNot(get(a[0])); break;
        case Opcode::AndC: r = b_.CreateAnd(get(a[0]), b_.CreateNot(get(a[1]))); break;
        case Opcode::OrC: r = b_.CreateOr(get(a[0]), b_.CreateNot(get(a[1]))); break;
        case Opcode::Shl:
        case Opcode::Shr:
        case Opcode::Sar: {
          Value* n = b_.CreateAnd(get(a[1]), cint(t, bits(t) - 1));
          r = in.op == Opcode::Shl   ? b_.CreateShl(get(a[0]), n)
              : in.op == Opcode::Shr ? b_.CreateLShr(get(a[0]), n)
                                     : b_.CreateAShr(get(a[0]), n);
          break;
        }
        case Opcode::Rotl:
        case Opcode::Rotr:
          r = intrinsic(in.op == Opcode::Rotl ? llvm::Intrinsic::fshl : llvm::Intrinsic::fshr, t,
                        {get(a[0]), get(a[0]), get(a[1])});
          break;
        case Opcode::ZExt:
          r = a[1].imm >= bits(t) ? get(a[0]) : b_.CreateAnd(get(a[0]), low_bits(unsigned(a[1].imm), t));
          break;
        case Opcode::SExt:
          r = a[1].imm >= bits(t) ? get(a[0])
                                  : b_.CreateSExt(b_.CreateTrunc(get(a[0]), b_.getIntNTy(unsigned(a[1].imm))), t);
          break;
        case Opcode::ZExt32To64: r = b_.CreateZExt(get(a[0]), i64_); break;
        case Opcode::SExt32To64: r = b_.CreateSExt(get(a[0]), i64_); break;
        case Opcode::Trunc64To32: r = b_.CreateTrunc(get(a[0]), i32_); break;
        case Opcode::Extract: {
          const unsigned pos = unsigned(a[1].imm), len = unsigned(a[2].imm);
          Value* v = pos ? b_.CreateLShr(get(a[0]), pos) : get(a[0]);
          r = len >= bits(t) ? v : b_.CreateAnd(v, low_bits(len, t));
          break;
        }
        case Opcode::SExtract: {
          const unsigned pos = unsigned(a[1].imm), len = unsigned(a[2].imm), w = bits(t);
          Value* v = w - pos - len ? b_.CreateShl(get(a[0]), w - pos - len) : get(a[0]);
          r = w - len ? b_.CreateAShr(v, w - len) : v;
          break;
        }
        case Opcode::Deposit: {
          const unsigned pos = unsigned(a[2].imm), len = unsigned(a[3].imm);
          const uint64_t field = (len >= 64 ? ~0ull : (1ull << len) - 1) << pos;
          Value* mask = cint(t, field);
          r = b_.CreateOr(b_.CreateAnd(get(a[0]), b_.CreateNot(mask)),
                          b_.CreateAnd(b_.CreateShl(get(a[1]), pos), mask));
          break;
        }
        case Opcode::Bswap16:
        case Opcode::Bswap32:
        case Opcode::Bswap64: {
          const unsigned w = in.op == Opcode::Bswap16 ? 16 : in.op == Opcode::Bswap32 ? 32 : 64;
          llvm::Type* nt = b_.getIntNTy(w);
          r = b_.CreateZExt(intrinsic(llvm::Intrinsic::bswap, nt, {b_.CreateTrunc(get(a[0]), nt)}), t);
          break;
        }
        case Opcode::Clz: r = intrinsic(llvm::Intrinsic::ctlz, t, {get(a[0]), b_.getFalse()}); break;
        case Opcode::Ctz: r = intrinsic(llvm::Intrinsic::cttz, t, {get(a[0]), b_.getFalse()}); break;
        case Opcode::Popcnt: r = intrinsic(llvm::Intrinsic::ctpop, t, {get(a[0])}); break;
        case Opcode::SetCond: r = b_.CreateZExt(compare(Cond(a[2].imm), get(a[0]), get(a[1])), t); break;
        case Opcode::Select: {
          Value* c = get(a[0]);
          r = b_.CreateSelect(b_.CreateICmpNE(c, llvm::Constant::getNullValue(c->getType())), get(a[1]), get(a[2]));
          break;
        }

        case Opcode::Load: {
          Value* addr = get(a[0]);
          const uint64_t memop = a[1].imm;
          check_access(addr, memop, false);
          const unsigned size = MemOp::size_bytes(memop);
          if (size == 16) {
            r = b_.CreateAlignedLoad(v128_, guest_ptr(addr, v128_), llvm::MaybeAlign(1), /*isVolatile=*/true);
            break;
          }
          llvm::Type* nt = b_.getIntNTy(8 * size);
          Value* v = b_.CreateAlignedLoad(nt, guest_ptr(addr, nt), llvm::MaybeAlign(1), /*isVolatile=*/true);
          if (in.type == Type::F32 || in.type == Type::F64) {
            r = b_.CreateBitCast(b_.CreateZExtOrTrunc(v, b_.getIntNTy(bits(t))), t);
          } else if (in.type == Type::V128) {
            r = b_.CreateBitCast(b_.CreateZExt(v, b_.getIntNTy(128)), v128_);
          } else if (8 * size < bits(t)) {
            r = MemOp::is_signed(memop) ? b_.CreateSExt(v, t) : b_.CreateZExt(v, t);
          } else {
            r = b_.CreateTrunc(v, t);
          }
          break;
        }
        case Opcode::Store: {
          Value* addr = get(a[0]);
          const uint64_t memop = a[2].imm;
          check_access(addr, memop, true);
          const unsigned size = MemOp::size_bytes(memop);
          Value* v = get(a[1]);
          if (v->getType() == v128_ && size < 16)
            v = b_.CreateTrunc(b_.CreateBitCast(v, b_.getIntNTy(128)), b_.getIntNTy(8 * size));
          else if (v->getType()->isFloatingPointTy())
            v = b_.CreateTrunc(b_.CreateBitCast(v, b_.getIntNTy(bits(v->getType()))), b_.getIntNTy(8 * size));
          else if (v->getType() != v128_)
            v = b_.CreateTrunc(v, b_.getIntNTy(8 * size));
          auto* st = b_.CreateAlignedStore(v, guest_ptr(pin(addr), v->getType()), llvm::MaybeAlign(1));
          st->setMetadata(llvm::LLVMContext::MD_noalias, env_scope_);
          break;
        }
        case Opcode::AtomicCas:
        case Opcode::AtomicRmw: {
          Value* addr = get(a[0]);
          const uint64_t memop = in.op == Opcode::AtomicCas ? a[3].imm : a[2].imm;
          check_access(addr, memop, true);
          llvm::Type* nt = b_.getIntNTy(8 * MemOp::size_bytes(memop));
          Value* p = guest_ptr(addr, nt);
          const auto order = llvm::AtomicOrdering::SequentiallyConsistent;
          Value* old;
          if (in.op == Opcode::AtomicCas) {
            auto* cas = b_.CreateAtomicCmpXchg(p, b_.CreateTrunc(get(a[1]), nt), b_.CreateTrunc(get(a[2]), nt),
                                               llvm::MaybeAlign(MemOp::size_bytes(memop)), order, order);
            old = b_.CreateExtractValue(cas, 0);
          } else {
            using B = llvm::AtomicRMWInst::BinOp;
            static constexpr B kOps[] = {B::Xchg, B::Add, B::And, B::Or, B::Xor, B::Min, B::Max, B::UMin, B::UMax};
            if (a[3].imm >= std::size(kOps)) return fail(in);
            old = b_.CreateAtomicRMW(kOps[a[3].imm], p, b_.CreateTrunc(get(a[1]), nt),
                                     llvm::MaybeAlign(MemOp::size_bytes(memop)), order);
          }
          r = MemOp::is_signed(memop) ? b_.CreateSExtOrTrunc(old, t) : b_.CreateZExtOrTrunc(old, t);
          break;
        }
        case Opcode::Fence:
          if (FenceKind(a[0].imm) == FenceKind::Full)
            b_.CreateFence(llvm::AtomicOrdering::SequentiallyConsistent);
          else
            b_.CreateFence(FenceKind(a[0].imm) == FenceKind::Acquire ? llvm::AtomicOrdering::Acquire
                                                                     : llvm::AtomicOrdering::Release);
          break;
        case Opcode::Call:
        case Opcode::CallVoid: {
          std::vector<Value*> args{env_};
          for (int k = 1; k < 6; ++k) {
            if (k >= in.num_args || a[k].is_none()) {
              args.push_back(cint(i64_, 0));
              continue;
            }
            Value* v = get(a[k]);
            if (v->getType() == v128_) return fail(in);
            if (v->getType()->isFloatingPointTy()) v = b_.CreateBitCast(v, b_.getIntNTy(bits(v->getType())));
            args.push_back(b_.CreateZExt(v, i64_));
          }
          std::vector<llvm::Type*> arg_tys(6, i64_);
          arg_tys[0] = env_->getType();
          auto* fty = llvm::FunctionType::get(i64_, arg_tys, false);
          const HelperInfo& h = helper_info(uint32_t(a[0].imm));
          Value* fn = b_.CreateIntToPtr(cint(i64_, uint64_t(reinterpret_cast<uintptr_t>(h.fn))),
                                        llvm::PointerType::getUnqual(fty));
          Value* res = b_.CreateCall(fty, fn, args);
          if (in.op == Opcode::Call) {
            if (in.type == Type::V128) return fail(in);
            const unsigned w = bits(t);
            res = b_.CreateTrunc(res, b_.getIntNTy(w));
            r = t->isFloatingPointTy() ? b_.CreateBitCast(res, t) : res;
          }
          break;
        }

        // ---- scalar floating point: tier 1's SSE instructions ----
        case Opcode::FAdd: r = fp_asm(t, sd(in.type, "add") + " $2, $0", "=x,0,x", {get(a[0]), get(a[1])}); break;
        case Opcode::FSub: r = fp_asm(t, sd(in.type, "sub") + " $2, $0", "=x,0,x", {get(a[0]), get(a[1])}); break;
        case Opcode::FMul: r = fp_asm(t, sd(in.type, "mul") + " $2, $0", "=x,0,x", {get(a[0]), get(a[1])}); break;
        case Opcode::FDiv: r = fp_asm(t, sd(in.type, "div") + " $2, $0", "=x,0,x", {get(a[0]), get(a[1])}); break;
        case Opcode::FMA:
          // vfmadd231 as tier 1 (the addend is the destination): the NaN x86 returns depends on it.
          r = fp_asm(t, sd(in.type, "vfmadd231") + " $2, $1, $0", "=x,x,x,0", {get(a[0]), get(a[1]), get(a[2])});
          break;
        case Opcode::FSqrt: r = fp_asm(t, sd(in.type, "sqrt") + " $1, $0", "=x,x", {get(a[0])}); break;
        case Opcode::FNeg:
        case Opcode::FAbs: {
          llvm::Type* it = b_.getIntNTy(bits(t));
          Value* v = b_.CreateBitCast(get(a[0]), it);
          const uint64_t sign = 1ull << (bits(t) - 1);
          v = in.op == Opcode::FNeg ? b_.CreateXor(v, cint(it, sign)) : b_.CreateAnd(v, cint(it, ~sign));
          r = b_.CreateBitCast(v, t);
          break;
        }
        case Opcode::FCmp: {
          const std::string u = a[0].type == Type::F32 ? "ucomiss" : "ucomisd";
          std::string text;
          switch (FCond(a[2].imm)) {
            case FCond::Eq:
              text =
                  "xorl %eax, %eax\n\txorl %ecx, %ecx\n\t" + u + " $2, $1\n\tsete %al\n\tsetnp %cl\n\tandl %ecx, %eax";
              break;
            case FCond::Lt: text = "xorl %eax, %eax\n\t" + u + " $1, $2\n\tseta %al"; break;
            case FCond::Le: text = "xorl %eax, %eax\n\t" + u + " $1, $2\n\tsetae %al"; break;
            case FCond::Uno: text = "xorl %eax, %eax\n\t" + u + " $2, $1\n\tsetp %al"; break;
            case FCond::Ne:
              text =
                  "xorl %eax, %eax\n\txorl %ecx, %ecx\n\t" + u + " $2, $1\n\tsetne %al\n\tsetp %cl\n\torl %ecx, %eax";
              break;
            case FCond::Ord: text = "xorl %eax, %eax\n\t" + u + " $2, $1\n\tsetnp %al"; break;
            default: return fail(in);
          }
          r = fp_asm(i32_, text, "={eax},x,x,~{ecx},~{flags}", {get(a[0]), get(a[1])});
          break;
        }
        case Opcode::FToSI:
          r = fp_asm(t, std::string(a[0].type == Type::F32 ? "cvttss2si" : "cvttsd2si") + " $1, $0", "=r,x",
                     {get(a[0])});
          break;
        case Opcode::SIToF:
          r = fp_asm(t, std::string(in.type == Type::F32 ? "cvtsi2ss" : "cvtsi2sd") + " $1, $0", "=x,r", {get(a[0])});
          break;
        case Opcode::FConv:
          if (a[0].type == in.type) {
            r = get(a[0]);
          } else {
            r = fp_asm(t, in.type == Type::F64 ? "cvtss2sd $1, $0" : "cvtsd2ss $1, $0", "=x,x", {get(a[0])});
          }
          break;
        case Opcode::Bitcast: r = b_.CreateBitCast(get(a[0]), t); break;

        // ---- vectors ----
        case Opcode::VConst: r = llvm::ConstantVector::get({cint(i64_, a[0].imm), cint(i64_, a[1].imm)}); break;
        case Opcode::VAnd: r = b_.CreateAnd(get(a[0]), get(a[1])); break;
        case Opcode::VOr: r = b_.CreateOr(get(a[0]), get(a[1])); break;
        case Opcode::VXor: r = b_.CreateXor(get(a[0]), get(a[1])); break;
        case Opcode::VAndC: r = b_.CreateAnd(get(a[0]), b_.CreateNot(get(a[1]))); break;
        case Opcode::VAdd:
        case Opcode::VSub:
        case Opcode::VMul: {
          const unsigned l = unsigned(a[2].imm);
          Value* x = to_lanes(get(a[0]), l);
          Value* y = to_lanes(get(a[1]), l);
          r = from_lanes(in.op == Opcode::VAdd   ? b_.CreateAdd(x, y)
                         : in.op == Opcode::VSub ? b_.CreateSub(x, y)
                                                 : b_.CreateMul(x, y));
          break;
        }
        case Opcode::VMinS:
        case Opcode::VMinU:
        case Opcode::VMaxS:
        case Opcode::VMaxU: {
          const unsigned l = unsigned(a[2].imm);
          Value* x = to_lanes(get(a[0]), l);
          Value* y = to_lanes(get(a[1]), l);
          using P = llvm::CmpInst::Predicate;
          const P p = in.op == Opcode::VMinS   ? P::ICMP_SLT
                      : in.op == Opcode::VMinU ? P::ICMP_ULT
                      : in.op == Opcode::VMaxS ? P::ICMP_SGT
                                               : P::ICMP_UGT;
          r = from_lanes(b_.CreateSelect(b_.CreateICmp(p, x, y), x, y));
          break;
        }
        case Opcode::VDup: {
          const unsigned l = unsigned(a[1].imm);
          r = from_lanes(b_.CreateVectorSplat(16u >> l, b_.CreateZExtOrTrunc(get(a[0]), b_.getIntNTy(8u << l))));
          break;
        }
        case Opcode::VExtract: {
          const unsigned l = unsigned(a[2].imm);
          r = b_.CreateZExtOrTrunc(b_.CreateExtractElement(to_lanes(get(a[0]), l), uint64_t(a[1].imm)), t);
          break;
        }
        case Opcode::VInsert: {
          const unsigned l = unsigned(a[3].imm);
          Value* lane = b_.CreateZExtOrTrunc(get(a[1]), b_.getIntNTy(8u << l));
          r = from_lanes(b_.CreateInsertElement(to_lanes(get(a[0]), l), lane, uint64_t(a[2].imm)));
          break;
        }
        case Opcode::VCmp: {
          const unsigned l = unsigned(a[3].imm);
          Value* m = compare(Cond(a[2].imm), to_lanes(get(a[0]), l), to_lanes(get(a[1]), l));
          r = from_lanes(b_.CreateSExt(m, lanes(l)));
          break;
        }
        case Opcode::VShlI:
        case Opcode::VShrI:
        case Opcode::VSarI: {
          const unsigned n = unsigned(a[1].imm), l = unsigned(a[2].imm), w = 8u << l;
          Value* x = to_lanes(get(a[0]), l);
          if (n >= w && in.op != Opcode::VSarI) {
            r = llvm::Constant::getNullValue(v128_);
            break;
          }
          Value* amount = b_.CreateVectorSplat(16u >> l, cint(b_.getIntNTy(w), std::min(n, w - 1)));
          r = from_lanes(in.op == Opcode::VShlI   ? b_.CreateShl(x, amount)
                         : in.op == Opcode::VShrI ? b_.CreateLShr(x, amount)
                                                  : b_.CreateAShr(x, amount));
          break;
        }
        case Opcode::VZeroHigh: r = b_.CreateInsertElement(get(a[0]), cint(i64_, 0), uint64_t(1)); break;
        case Opcode::VNarrow: {
          const unsigned l = unsigned(a[1].imm);
          if (l < 1 || l > 3) return fail(in);
          Value* narrow =
              b_.CreateTrunc(to_lanes(get(a[0]), l), llvm::FixedVectorType::get(b_.getIntNTy(4u << l), 16u >> l));
          r = b_.CreateInsertElement(llvm::Constant::getNullValue(v128_), b_.CreateBitCast(narrow, i64_), uint64_t(0));
          break;
        }
        case Opcode::VWidenU:
        case Opcode::VWidenS: {
          const unsigned l = unsigned(a[1].imm), n = 8u >> l, first = a[2].imm ? n : 0;
          if (l > 2) return fail(in);
          std::vector<int> mask;
          for (unsigned k = 0; k < n; ++k) mask.push_back(int(first + k));
          Value* half = b_.CreateShuffleVector(to_lanes(get(a[0]), l), mask);
          auto* wide = llvm::FixedVectorType::get(b_.getIntNTy(16u << l), n);
          r = from_lanes(in.op == Opcode::VWidenS ? b_.CreateSExt(half, wide) : b_.CreateZExt(half, wide));
          break;
        }
        case Opcode::VUzp: {
          const unsigned l = unsigned(a[2].imm), n = 16u >> l, odd = a[3].imm ? 1 : 0;
          std::vector<int> mask;
          for (unsigned k = 0; k < n; ++k) mask.push_back(int(2 * k + odd));
          r = from_lanes(b_.CreateShuffleVector(to_lanes(get(a[0]), l), to_lanes(get(a[1]), l), mask));
          break;
        }
        case Opcode::VFAdd:
        case Opcode::VFSub:
        case Opcode::VFMul:
        case Opcode::VFDiv: {
          const unsigned l = unsigned(a[2].imm);
          if (l != 2 && l != 3) return fail(in);
          const char* base = in.op == Opcode::VFAdd   ? "add"
                             : in.op == Opcode::VFSub ? "sub"
                             : in.op == Opcode::VFMul ? "mul"
                                                      : "div";
          llvm::Type* ft = flanes(l);
          Value* v = fp_asm(ft, pd(l, base) + " $2, $0", "=x,0,x",
                            {b_.CreateBitCast(get(a[0]), ft), b_.CreateBitCast(get(a[1]), ft)});
          r = b_.CreateBitCast(v, v128_);
          break;
        }
        case Opcode::VFMA: {
          const unsigned l = unsigned(a[3].imm);
          if (l != 2 && l != 3) return fail(in);
          llvm::Type* ft = flanes(l);
          Value* v = fp_asm(
              ft, pd(l, "vfmadd231") + " $2, $1, $0", "=x,x,x,0",
              {b_.CreateBitCast(get(a[0]), ft), b_.CreateBitCast(get(a[1]), ft), b_.CreateBitCast(get(a[2]), ft)});
          r = b_.CreateBitCast(v, v128_);
          break;
        }
        case Opcode::VFSpecial: {
          const unsigned l = unsigned(a[1].imm);
          if (l != 2 && l != 3) return fail(in);
          const unsigned w = 8u << l;
          llvm::Type* lt = b_.getIntNTy(w);
          const uint64_t sign = 1ull << (w - 1);
          const uint64_t inf = l == 2 ? 0x7f800000ull : 0x7ff0000000000000ull;
          const uint64_t min_normal = l == 2 ? 0x00800000ull : 0x0010000000000000ull;
          Value* absv = b_.CreateAnd(to_lanes(get(a[0]), l), b_.CreateVectorSplat(16u >> l, cint(lt, ~sign)));
          Value* nan = b_.CreateICmpUGT(absv, b_.CreateVectorSplat(16u >> l, cint(lt, inf)));
          Value* tiny = b_.CreateICmpEQ(absv, b_.CreateVectorSplat(16u >> l, cint(lt, min_normal)));
          Value* any = b_.CreateBitCast(b_.CreateOr(nan, tiny), b_.getIntNTy(16u >> l));
          r = b_.CreateZExt(b_.CreateICmpNE(any, cint(b_.getIntNTy(16u >> l), 0)), i32_);
          break;
        }
        default: return fail(in);
      }
      vals_[i] = r;
    }
    // Every path ends in a block exit; the block after the last one is unreachable.
    if (!b_.GetInsertBlock()->getTerminator()) b_.CreateUnreachable();
    for (BasicBlock* l : labels_)
      if (l && !l->getTerminator()) {
        b_.SetInsertPoint(l);
        b_.CreateUnreachable();
      }
    return true;
  }

  llvm::Module& m_;
  llvm::LLVMContext& c_;
  llvm::IRBuilder<> b_;
  const Tier2Target& target_;
  const std::atomic<uint8_t>* invalid_;
  llvm::MDNode* env_scope_ = nullptr;
  llvm::Type *i1_, *i8_, *i32_, *i64_, *f32_, *f64_;
  llvm::FixedVectorType* v128_;
  llvm::Function* f_ = nullptr;
  Value* env_ = nullptr;
  std::unordered_map<uint64_t, size_t> pc_index_;
  std::vector<BasicBlock*> body_, poll_, labels_;
  std::vector<Value*> vals_;
  uint64_t cur_pc_ = 0;
  std::vector<uint64_t> label_pc_;     // per label: the pc of the InsnStart before it
  std::vector<bool> label_stores_pc_;  // per label: a branch from another instruction reaches it
  std::string why_;
};

}  // namespace

llvm::Function* lower_region(llvm::Module& module, const std::string& name, const std::vector<Block>& blocks,
                             const Tier2Target& target, const std::atomic<uint8_t>* invalid, std::string& why) {
  Lowering lowering(module, target, invalid);
  return lowering.run(name, blocks, why);
}

}  // namespace mimic::tcg
