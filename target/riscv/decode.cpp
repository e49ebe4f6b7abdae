// The 32-bit instruction table (RV64IMAFD, Zicsr, Zifencei, Zba, Zbb, Zbs) and the decoder.
#include "target/riscv/decode.h"

#include <array>
#include <vector>

#include "target/riscv/trans.h"

namespace mimic::riscv {

bool expand_compressed(Fmt fmt, uint32_t insn, Args& a);  // trans_rvc.cpp

#define T(name) trans_##name
// clang-format off
constexpr Pattern kTable32[] = {
  // ---- RV64I ----
  pat("------------------------- 0110111", Fmt::U, "lui", "d,u", T(lui)),
  pat("------------------------- 0010111", Fmt::U, "auipc", "d,u", T(auipc)),
  pat("------------------------- 1101111", Fmt::J, "jal", "d,b", T(jal)),
  pat("----------------- 000 ----- 1100111", Fmt::I, "jalr", "d,m", T(jalr)),
  pat("----------------- 000 ----- 1100011", Fmt::B, "beq", "s,t,b", T(beq)),
  pat("----------------- 001 ----- 1100011", Fmt::B, "bne", "s,t,b", T(bne)),
  pat("----------------- 100 ----- 1100011", Fmt::B, "blt", "s,t,b", T(blt)),
  pat("----------------- 101 ----- 1100011", Fmt::B, "bge", "s,t,b", T(bge)),
  pat("----------------- 110 ----- 1100011", Fmt::B, "bltu", "s,t,b", T(bltu)),
  pat("----------------- 111 ----- 1100011", Fmt::B, "bgeu", "s,t,b", T(bgeu)),
  pat("----------------- 000 ----- 0000011", Fmt::I, "lb", "d,m", T(lb)),
  pat("----------------- 001 ----- 0000011", Fmt::I, "lh", "d,m", T(lh)),
  pat("----------------- 010 ----- 0000011", Fmt::I, "lw", "d,m", T(lw)),
  pat("----------------- 011 ----- 0000011", Fmt::I, "ld", "d,m", T(ld)),
  pat("----------------- 100 ----- 0000011", Fmt::I, "lbu", "d,m", T(lbu)),
  pat("----------------- 101 ----- 0000011", Fmt::I, "lhu", "d,m", T(lhu)),
  pat("----------------- 110 ----- 0000011", Fmt::I, "lwu", "d,m", T(lwu)),
  pat("----------------- 000 ----- 0100011", Fmt::S, "sb", "t,m", T(sb)),
  pat("----------------- 001 ----- 0100011", Fmt::S, "sh", "t,m", T(sh)),
  pat("----------------- 010 ----- 0100011", Fmt::S, "sw", "t,m", T(sw)),
  pat("----------------- 011 ----- 0100011", Fmt::S, "sd", "t,m", T(sd)),
  pat("----------------- 000 ----- 0010011", Fmt::I, "addi", "d,s,i", T(addi)),
  pat("----------------- 010 ----- 0010011", Fmt::I, "slti", "d,s,i", T(slti)),
  pat("----------------- 011 ----- 0010011", Fmt::I, "sltiu", "d,s,i", T(sltiu)),
  pat("----------------- 100 ----- 0010011", Fmt::I, "xori", "d,s,i", T(xori)),
  pat("----------------- 110 ----- 0010011", Fmt::I, "ori", "d,s,i", T(ori)),
  pat("----------------- 111 ----- 0010011", Fmt::I, "andi", "d,s,i", T(andi)),
  pat("000000 ----------- 001 ----- 0010011", Fmt::Sh6, "slli", "d,s,i", T(slli)),
  pat("000000 ----------- 101 ----- 0010011", Fmt::Sh6, "srli", "d,s,i", T(srli)),
  pat("010000 ----------- 101 ----- 0010011", Fmt::Sh6, "srai", "d,s,i", T(srai)),
  pat("0000000 ---------- 000 ----- 0110011", Fmt::R, "add", "d,s,t", T(add)),
  pat("0100000 ---------- 000 ----- 0110011", Fmt::R, "sub", "d,s,t", T(sub)),
  pat("0000000 ---------- 001 ----- 0110011", Fmt::R, "sll", "d,s,t", T(sll)),
  pat("0000000 ---------- 010 ----- 0110011", Fmt::R, "slt", "d,s,t", T(slt)),
  pat("0000000 ---------- 011 ----- 0110011", Fmt::R, "sltu", "d,s,t", T(sltu)),
  pat("0000000 ---------- 100 ----- 0110011", Fmt::R, "xor", "d,s,t", T(xor)),
  pat("0000000 ---------- 101 ----- 0110011", Fmt::R, "srl", "d,s,t", T(srl)),
  pat("0100000 ---------- 101 ----- 0110011", Fmt::R, "sra", "d,s,t", T(sra)),
  pat("0000000 ---------- 110 ----- 0110011", Fmt::R, "or", "d,s,t", T(or)),
  pat("0000000 ---------- 111 ----- 0110011", Fmt::R, "and", "d,s,t", T(and)),
  pat("----------------- 000 ----- 0011011", Fmt::I, "addiw", "d,s,i", T(addiw)),
  pat("0000000 ---------- 001 ----- 0011011", Fmt::Sh5, "slliw", "d,s,i", T(slliw)),
  pat("0000000 ---------- 101 ----- 0011011", Fmt::Sh5, "srliw", "d,s,i", T(srliw)),
  pat("0100000 ---------- 101 ----- 0011011", Fmt::Sh5, "sraiw", "d,s,i", T(sraiw)),
  pat("0000000 ---------- 000 ----- 0111011", Fmt::R, "addw", "d,s,t", T(addw)),
  pat("0100000 ---------- 000 ----- 0111011", Fmt::R, "subw", "d,s,t", T(subw)),
  pat("0000000 ---------- 001 ----- 0111011", Fmt::R, "sllw", "d,s,t", T(sllw)),
  pat("0000000 ---------- 101 ----- 0111011", Fmt::R, "srlw", "d,s,t", T(srlw)),
  pat("0100000 ---------- 101 ----- 0111011", Fmt::R, "sraw", "d,s,t", T(sraw)),
  pat("----------------- 000 ----- 0001111", Fmt::I, "fence", "f", T(fence)),
  pat("----------------- 001 ----- 0001111", Fmt::I, "fence.i", "", T(fence_i)),
  pat("000000000000 00000 000 00000 1110011", Fmt::R, "ecall", "", T(ecall)),
  pat("000000000001 00000 000 00000 1110011", Fmt::R, "ebreak", "", T(ebreak)),
  // ---- privileged (system mode only; illegal in linux-user) ----
  pat("0011000 00010 00000 000 00000 1110011", Fmt::R, "mret", "", T(mret)),
  pat("0001000 00010 00000 000 00000 1110011", Fmt::R, "sret", "", T(sret)),
  pat("0001000 00101 00000 000 00000 1110011", Fmt::R, "wfi", "", T(wfi)),
  pat("0001001 ---------- 000 00000 1110011", Fmt::R, "sfence.vma", "s,t", T(sfence_vma)),
  // ---- Zicsr ----
  pat("----------------- 001 ----- 1110011", Fmt::Csr, "csrrw", "d,c,s", T(csrrw)),
  pat("----------------- 010 ----- 1110011", Fmt::Csr, "csrrs", "d,c,s", T(csrrs)),
  pat("----------------- 011 ----- 1110011", Fmt::Csr, "csrrc", "d,c,s", T(csrrc)),
  pat("----------------- 101 ----- 1110011", Fmt::Csr, "csrrwi", "d,c,z", T(csrrwi)),
  pat("----------------- 110 ----- 1110011", Fmt::Csr, "csrrsi", "d,c,z", T(csrrsi)),
  pat("----------------- 111 ----- 1110011", Fmt::Csr, "csrrci", "d,c,z", T(csrrci)),
  // ---- M ----
  pat("0000001 ---------- 000 ----- 0110011", Fmt::R, "mul", "d,s,t", T(mul)),
  pat("0000001 ---------- 001 ----- 0110011", Fmt::R, "mulh", "d,s,t", T(mulh)),
  pat("0000001 ---------- 010 ----- 0110011", Fmt::R, "mulhsu", "d,s,t", T(mulhsu)),
  pat("0000001 ---------- 011 ----- 0110011", Fmt::R, "mulhu", "d,s,t", T(mulhu)),
  pat("0000001 ---------- 100 ----- 0110011", Fmt::R, "div", "d,s,t", T(div)),
  pat("0000001 ---------- 101 ----- 0110011", Fmt::R, "divu", "d,s,t", T(divu)),
  pat("0000001 ---------- 110 ----- 0110011", Fmt::R, "rem", "d,s,t", T(rem)),
  pat("0000001 ---------- 111 ----- 0110011", Fmt::R, "remu", "d,s,t", T(remu)),
  pat("0000001 ---------- 000 ----- 0111011", Fmt::R, "mulw", "d,s,t", T(mulw)),
  pat("0000001 ---------- 100 ----- 0111011", Fmt::R, "divw", "d,s,t", T(divw)),
  pat("0000001 ---------- 101 ----- 0111011", Fmt::R, "divuw", "d,s,t", T(divuw)),
  pat("0000001 ---------- 110 ----- 0111011", Fmt::R, "remw", "d,s,t", T(remw)),
  pat("0000001 ---------- 111 ----- 0111011", Fmt::R, "remuw", "d,s,t", T(remuw)),
  // ---- A (aq/rl in bits 26/25) ----
  pat("00010 -- 00000 ----- 010 ----- 0101111", Fmt::R, "lr.w", "a,d,(s)", T(lr_w)),
  pat("00011 -- ---------- 010 ----- 0101111", Fmt::R, "sc.w", "a,d,t,(s)", T(sc_w)),
  pat("00001 -- ---------- 010 ----- 0101111", Fmt::R, "amoswap.w", "a,d,t,(s)", T(amoswap_w)),
  pat("00000 -- ---------- 010 ----- 0101111", Fmt::R, "amoadd.w", "a,d,t,(s)", T(amoadd_w)),
  pat("00100 -- ---------- 010 ----- 0101111", Fmt::R, "amoxor.w", "a,d,t,(s)", T(amoxor_w)),
  pat("01100 -- ---------- 010 ----- 0101111", Fmt::R, "amoand.w", "a,d,t,(s)", T(amoand_w)),
  pat("01000 -- ---------- 010 ----- 0101111", Fmt::R, "amoor.w", "a,d,t,(s)", T(amoor_w)),
  pat("10000 -- ---------- 010 ----- 0101111", Fmt::R, "amomin.w", "a,d,t,(s)", T(amomin_w)),
  pat("10100 -- ---------- 010 ----- 0101111", Fmt::R, "amomax.w", "a,d,t,(s)", T(amomax_w)),
  pat("11000 -- ---------- 010 ----- 0101111", Fmt::R, "amominu.w", "a,d,t,(s)", T(amominu_w)),
  pat("11100 -- ---------- 010 ----- 0101111", Fmt::R, "amomaxu.w", "a,d,t,(s)", T(amomaxu_w)),
  pat("00010 -- 00000 ----- 011 ----- 0101111", Fmt::R, "lr.d", "a,d,(s)", T(lr_d)),
  pat("00011 -- ---------- 011 ----- 0101111", Fmt::R, "sc.d", "a,d,t,(s)", T(sc_d)),
  pat("00001 -- ---------- 011 ----- 0101111", Fmt::R, "amoswap.d", "a,d,t,(s)", T(amoswap_d)),
  pat("00000 -- ---------- 011 ----- 0101111", Fmt::R, "amoadd.d", "a,d,t,(s)", T(amoadd_d)),
  pat("00100 -- ---------- 011 ----- 0101111", Fmt::R, "amoxor.d", "a,d,t,(s)", T(amoxor_d)),
  pat("01100 -- ---------- 011 ----- 0101111", Fmt::R, "amoand.d", "a,d,t,(s)", T(amoand_d)),
  pat("01000 -- ---------- 011 ----- 0101111", Fmt::R, "amoor.d", "a,d,t,(s)", T(amoor_d)),
  pat("10000 -- ---------- 011 ----- 0101111", Fmt::R, "amomin.d", "a,d,t,(s)", T(amomin_d)),
  pat("10100 -- ---------- 011 ----- 0101111", Fmt::R, "amomax.d", "a,d,t,(s)", T(amomax_d)),
  pat("11000 -- ---------- 011 ----- 0101111", Fmt::R, "amominu.d", "a,d,t,(s)", T(amominu_d)),
  pat("11100 -- ---------- 011 ----- 0101111", Fmt::R, "amomaxu.d", "a,d,t,(s)", T(amomaxu_d)),
  // ---- F and D (fmt in bits 26:25: 00 single, 01 double; rm in bits 14:12) ----
  pat("----------------- 010 ----- 0000111", Fmt::I, "flw", "D,m", T(flw)),
  pat("----------------- 011 ----- 0000111", Fmt::I, "fld", "D,m", T(fld)),
  pat("----------------- 010 ----- 0100111", Fmt::S, "fsw", "T,m", T(fsw)),
  pat("----------------- 011 ----- 0100111", Fmt::S, "fsd", "T,m", T(fsd)),
  // ---- V: the vector loads and stores (widths 000, 101, 110, 111) and OP-V (vector.cpp) ----
  pat("----------------- 000 ----- 0000111", Fmt::R, "vload", "", T(vector)),
  pat("----------------- 101 ----- 0000111", Fmt::R, "vload", "", T(vector)),
  pat("----------------- 110 ----- 0000111", Fmt::R, "vload", "", T(vector)),
  pat("----------------- 111 ----- 0000111", Fmt::R, "vload", "", T(vector)),
  pat("----------------- 000 ----- 0100111", Fmt::R, "vstore", "", T(vector)),
  pat("----------------- 101 ----- 0100111", Fmt::R, "vstore", "", T(vector)),
  pat("----------------- 110 ----- 0100111", Fmt::R, "vstore", "", T(vector)),
  pat("----------------- 111 ----- 0100111", Fmt::R, "vstore", "", T(vector)),
  pat("------------------------- 1010111", Fmt::R, "vop", "", T(vector)),
#define FP_TABLE(p, f)                                                                              \
  pat("----- " f " ------------------ 1000011", Fmt::R, "fmadd." #p, "D,S,T,R,k", T(fmadd_##p)),     \
  pat("----- " f " ------------------ 1000111", Fmt::R, "fmsub." #p, "D,S,T,R,k", T(fmsub_##p)),     \
  pat("----- " f " ------------------ 1001011", Fmt::R, "fnmsub." #p, "D,S,T,R,k", T(fnmsub_##p)),   \
  pat("----- " f " ------------------ 1001111", Fmt::R, "fnmadd." #p, "D,S,T,R,k", T(fnmadd_##p)),   \
  pat("00000 " f " ------------------ 1010011", Fmt::R, "fadd." #p, "D,S,T,k", T(fadd_##p)),         \
  pat("00001 " f " ------------------ 1010011", Fmt::R, "fsub." #p, "D,S,T,k", T(fsub_##p)),         \
  pat("00010 " f " ------------------ 1010011", Fmt::R, "fmul." #p, "D,S,T,k", T(fmul_##p)),         \
  pat("00011 " f " ------------------ 1010011", Fmt::R, "fdiv." #p, "D,S,T,k", T(fdiv_##p)),         \
  pat("01011 " f " 00000 -------- ----- 1010011", Fmt::R, "fsqrt." #p, "D,S,k", T(fsqrt_##p)),      \
  pat("00100 " f " ---------- 000 ----- 1010011", Fmt::R, "fsgnj." #p, "D,S,T", T(fsgnj_##p)),      \
  pat("00100 " f " ---------- 001 ----- 1010011", Fmt::R, "fsgnjn." #p, "D,S,T", T(fsgnjn_##p)),    \
  pat("00100 " f " ---------- 010 ----- 1010011", Fmt::R, "fsgnjx." #p, "D,S,T", T(fsgnjx_##p)),    \
  pat("00101 " f " ---------- 000 ----- 1010011", Fmt::R, "fmin." #p, "D,S,T", T(fmin_##p)),        \
  pat("00101 " f " ---------- 001 ----- 1010011", Fmt::R, "fmax." #p, "D,S,T", T(fmax_##p)),        \
  pat("10100 " f " ---------- 010 ----- 1010011", Fmt::R, "feq." #p, "d,S,T", T(feq_##p)),          \
  pat("10100 " f " ---------- 001 ----- 1010011", Fmt::R, "flt." #p, "d,S,T", T(flt_##p)),          \
  pat("10100 " f " ---------- 000 ----- 1010011", Fmt::R, "fle." #p, "d,S,T", T(fle_##p)),          \
  pat("11100 " f " 00000 ----- 001 ----- 1010011", Fmt::R, "fclass." #p, "d,S", T(fclass_##p)),    \
  pat("11000 " f " 00000 -------- ----- 1010011", Fmt::R, "fcvt.w." #p, "d,S,k", T(fcvt_w_##p)),    \
  pat("11000 " f " 00001 -------- ----- 1010011", Fmt::R, "fcvt.wu." #p, "d,S,k", T(fcvt_wu_##p)),  \
  pat("11000 " f " 00010 -------- ----- 1010011", Fmt::R, "fcvt.l." #p, "d,S,k", T(fcvt_l_##p)),    \
  pat("11000 " f " 00011 -------- ----- 1010011", Fmt::R, "fcvt.lu." #p, "d,S,k", T(fcvt_lu_##p)),  \
  pat("11010 " f " 00000 -------- ----- 1010011", Fmt::R, "fcvt." #p ".w", "D,s,k", T(fcvt_##p##_w)), \
  pat("11010 " f " 00001 -------- ----- 1010011", Fmt::R, "fcvt." #p ".wu", "D,s,k", T(fcvt_##p##_wu)), \
  pat("11010 " f " 00010 -------- ----- 1010011", Fmt::R, "fcvt." #p ".l", "D,s,k", T(fcvt_##p##_l)), \
  pat("11010 " f " 00011 -------- ----- 1010011", Fmt::R, "fcvt." #p ".lu", "D,s,k", T(fcvt_##p##_lu))
  FP_TABLE(s, "00"),
  FP_TABLE(d, "01"),
#undef FP_TABLE
  pat("11100 00 00000 ----- 000 ----- 1010011", Fmt::R, "fmv.x.w", "d,S", T(fmv_x_w)),
  pat("11110 00 00000 ----- 000 ----- 1010011", Fmt::R, "fmv.w.x", "D,s", T(fmv_w_x)),
  pat("11100 01 00000 ----- 000 ----- 1010011", Fmt::R, "fmv.x.d", "d,S", T(fmv_x_d)),
  pat("11110 01 00000 ----- 000 ----- 1010011", Fmt::R, "fmv.d.x", "D,s", T(fmv_d_x)),
  pat("01000 00 00001 -------- ----- 1010011", Fmt::R, "fcvt.s.d", "D,S,k", T(fcvt_s_d)),
  pat("01000 01 00000 -------- ----- 1010011", Fmt::R, "fcvt.d.s", "D,S,k", T(fcvt_d_s)),
  // ---- Zba ----
  pat("0000100 ---------- 000 ----- 0111011", Fmt::R, "add.uw", "d,s,t", T(add_uw)),
  pat("0010000 ---------- 010 ----- 0110011", Fmt::R, "sh1add", "d,s,t", T(sh1add)),
  pat("0010000 ---------- 100 ----- 0110011", Fmt::R, "sh2add", "d,s,t", T(sh2add)),
  pat("0010000 ---------- 110 ----- 0110011", Fmt::R, "sh3add", "d,s,t", T(sh3add)),
  pat("0010000 ---------- 010 ----- 0111011", Fmt::R, "sh1add.uw", "d,s,t", T(sh1add_uw)),
  pat("0010000 ---------- 100 ----- 0111011", Fmt::R, "sh2add.uw", "d,s,t", T(sh2add_uw)),
  pat("0010000 ---------- 110 ----- 0111011", Fmt::R, "sh3add.uw", "d,s,t", T(sh3add_uw)),
  pat("000010 ----------- 001 ----- 0011011", Fmt::Sh6, "slli.uw", "d,s,i", T(slli_uw)),
  // ---- Zbb ----
  pat("0100000 ---------- 111 ----- 0110011", Fmt::R, "andn", "d,s,t", T(andn)),
  pat("0100000 ---------- 110 ----- 0110011", Fmt::R, "orn", "d,s,t", T(orn)),
  pat("0100000 ---------- 100 ----- 0110011", Fmt::R, "xnor", "d,s,t", T(xnor)),
  pat("011000000000 ----- 001 ----- 0010011", Fmt::R, "clz", "d,s", T(clz)),
  pat("011000000001 ----- 001 ----- 0010011", Fmt::R, "ctz", "d,s", T(ctz)),
  pat("011000000010 ----- 001 ----- 0010011", Fmt::R, "cpop", "d,s", T(cpop)),
  pat("011000000000 ----- 001 ----- 0011011", Fmt::R, "clzw", "d,s", T(clzw)),
  pat("011000000001 ----- 001 ----- 0011011", Fmt::R, "ctzw", "d,s", T(ctzw)),
  pat("011000000010 ----- 001 ----- 0011011", Fmt::R, "cpopw", "d,s", T(cpopw)),
  pat("0000101 ---------- 110 ----- 0110011", Fmt::R, "max", "d,s,t", T(max)),
  pat("0000101 ---------- 111 ----- 0110011", Fmt::R, "maxu", "d,s,t", T(maxu)),
  pat("0000101 ---------- 100 ----- 0110011", Fmt::R, "min", "d,s,t", T(min)),
  pat("0000101 ---------- 101 ----- 0110011", Fmt::R, "minu", "d,s,t", T(minu)),
  pat("011000000100 ----- 001 ----- 0010011", Fmt::R, "sext.b", "d,s", T(sext_b)),
  pat("011000000101 ----- 001 ----- 0010011", Fmt::R, "sext.h", "d,s", T(sext_h)),
  pat("000010000000 ----- 100 ----- 0111011", Fmt::R, "zext.h", "d,s", T(zext_h)),
  pat("0110000 ---------- 001 ----- 0110011", Fmt::R, "rol", "d,s,t", T(rol)),
  pat("0110000 ---------- 101 ----- 0110011", Fmt::R, "ror", "d,s,t", T(ror)),
  pat("011000 ----------- 101 ----- 0010011", Fmt::Sh6, "rori", "d,s,i", T(rori)),
  pat("0110000 ---------- 001 ----- 0111011", Fmt::R, "rolw", "d,s,t", T(rolw)),
  pat("0110000 ---------- 101 ----- 0111011", Fmt::R, "rorw", "d,s,t", T(rorw)),
  pat("0110000 ---------- 101 ----- 0011011", Fmt::Sh5, "roriw", "d,s,i", T(roriw)),
  pat("001010000111 ----- 101 ----- 0010011", Fmt::R, "orc.b", "d,s", T(orc_b)),
  pat("011010111000 ----- 101 ----- 0010011", Fmt::R, "rev8", "d,s", T(rev8)),
  // ---- Zbs ----
  pat("0100100 ---------- 001 ----- 0110011", Fmt::R, "bclr", "d,s,t", T(bclr)),
  pat("010010 ----------- 001 ----- 0010011", Fmt::Sh6, "bclri", "d,s,i", T(bclri)),
  pat("0100100 ---------- 101 ----- 0110011", Fmt::R, "bext", "d,s,t", T(bext)),
  pat("010010 ----------- 101 ----- 0010011", Fmt::Sh6, "bexti", "d,s,i", T(bexti)),
  pat("0110100 ---------- 001 ----- 0110011", Fmt::R, "binv", "d,s,t", T(binv)),
  pat("011010 ----------- 001 ----- 0010011", Fmt::Sh6, "binvi", "d,s,i", T(binvi)),
  pat("0010100 ---------- 001 ----- 0110011", Fmt::R, "bset", "d,s,t", T(bset)),
  pat("001010 ----------- 001 ----- 0010011", Fmt::Sh6, "bseti", "d,s,i", T(bseti)),
};
// clang-format on
#undef T

namespace {

// Every 32-bit pattern fixes the major opcode (bits 6:2) and every 16-bit one the quadrant and
// funct3, so the first level is a bucket index and the patterns of one bucket are tried in order.
constexpr unsigned kBuckets = 32 + 24;
unsigned bucket_of(uint32_t insn) {
  if ((insn & 3) == 3) return (insn >> 2) & 31;
  return 32 + (((insn & 3) << 3) | ((insn >> 13) & 7));
}

struct Buckets {
  std::array<std::vector<const Pattern*>, kBuckets> list;
  Buckets() {
    for (const Pattern& p : kTable32) list[bucket_of(p.match)].push_back(&p);
    for (size_t i = 0; i < kNumPatterns16; ++i) list[bucket_of(kPatterns16[i].match)].push_back(&kPatterns16[i]);
  }
};

int64_t sext(uint64_t v, unsigned bits) { return int64_t(v << (64 - bits)) >> (64 - bits); }

void extract32(Fmt fmt, uint32_t insn, Args& a) {
  a.rd = (insn >> 7) & 31;
  a.rs1 = (insn >> 15) & 31;
  a.rs2 = (insn >> 20) & 31;
  a.rs3 = insn >> 27;
  a.rm = (insn >> 12) & 7;
  a.aq = (insn >> 26) & 1;
  a.rl = (insn >> 25) & 1;
  switch (fmt) {
    case Fmt::I: a.imm = int32_t(insn) >> 20; break;
    case Fmt::S: a.imm = int64_t((int32_t(insn) >> 25) * 32) | ((insn >> 7) & 31); break;
    case Fmt::B:
      a.imm = sext(
          ((insn >> 31) << 12) | (((insn >> 7) & 1) << 11) | (((insn >> 25) & 63) << 5) | (((insn >> 8) & 15) << 1),
          13);
      break;
    case Fmt::U: a.imm = int32_t(insn & 0xfffff000u); break;
    case Fmt::J:
      a.imm = sext(((insn >> 31) << 20) | (((insn >> 12) & 255) << 12) | (((insn >> 20) & 1) << 11) |
                       (((insn >> 21) & 1023) << 1),
                   21);
      break;
    case Fmt::Sh6: a.imm = (insn >> 20) & 63; break;
    case Fmt::Sh5: a.imm = (insn >> 20) & 31; break;
    case Fmt::Csr: a.imm = insn >> 20; break;
    default: a.imm = 0; break;
  }
}

}  // namespace

const Pattern* decode(uint32_t insn, Args& a) {
  static const Buckets buckets;
  bool compressed = (insn & 3) != 3;
  if (compressed) insn &= 0xffff;
  for (const Pattern* p : buckets.list[bucket_of(insn)]) {
    if ((insn & p->mask) != p->match) continue;
    a = Args{};
    if (!compressed) {
      extract32(p->fmt, insn, a);
      return p;
    }
    return expand_compressed(p->fmt, insn, a) ? p : nullptr;
  }
  return nullptr;
}

}  // namespace mimic::riscv
