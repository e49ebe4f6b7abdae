// AdvSIMD helpers of the simd_move area: plain loops over lanes on byte images of V registers.
#include "target/arm/helpers_simd_move.h"

#include <array>
#include <cstring>

#include "target/arm/cpu.h"
#include "target/arm/simd.h"
#include "tcg/helper.h"

namespace mimic::arm {

namespace {

using Bytes = std::array<uint8_t, 16>;

Bytes get(const A64Cpu* c, unsigned r) {
  Bytes b;
  std::memcpy(b.data(), &c->v[r & 31], 16);
  return b;
}
// Writes a result; a 64-bit (Q = 0) result zeroes bits 127:64.
void put(A64Cpu* c, unsigned r, const Bytes& b, bool q) {
  std::memcpy(&c->v[r & 31], b.data(), q ? 16 : 8);
  if (!q) c->v[r & 31].hi = 0;
}

// Structure (de)interleaving with the shape as template parameters, so that the index arithmetic
// (divisions by 3 ...) compiles to constants; dispatched once per call on (selem, element bytes).
template <unsigned kSelem, unsigned kEb>
void deinterleave(A64Cpu* c, unsigned t, bool q) {
  const unsigned reg_bytes = q ? 16 : 8, elems = reg_bytes / kEb;
  uint8_t image[4 * 16];
  for (unsigned k = 0; k < kSelem; ++k) std::memcpy(image + k * reg_bytes, &c->v[(t + k) & 31], reg_bytes);
  for (unsigned k = 0; k < kSelem; ++k) {
    Bytes out{};
    for (unsigned e = 0; e < elems; ++e) std::memcpy(&out[e * kEb], image + (e * kSelem + k) * kEb, kEb);
    put(c, t + k, out, q);
  }
}
template <unsigned kSelem, unsigned kEb>
uint64_t interleave_chunk(const A64Cpu* c, unsigned t, unsigned chunk) {
  uint8_t out[8];
  // Memory byte i belongs to element (i / eb) / selem of register (i / eb) % selem.
  for (unsigned i = 0; i < 8; ++i) {
    const unsigned byte = chunk * 8 + i, e = byte / kEb;
    out[i] = reinterpret_cast<const uint8_t*>(&c->v[(t + e % kSelem) & 31])[(e / kSelem) * kEb + byte % kEb];
  }
  uint64_t v;
  std::memcpy(&v, out, 8);
  return v;
}
template <template <unsigned, unsigned> class F, class... A>
auto dispatch(unsigned selem, unsigned esize_log2, A... args) {
  // clang-format off
  switch (selem * 4 + esize_log2) {
#define SHAPE(S, L) \
  case S * 4 + L: return F<S, 1u << L>::run(args...);
    SHAPE(2, 0) SHAPE(2, 1) SHAPE(3, 0) SHAPE(3, 1) SHAPE(4, 0) SHAPE(4, 1)
#undef SHAPE
    default: return F<2, 8>::run(args...);  // words and doublewords are inline: not reached
  }
  // clang-format on
}
template <unsigned S, unsigned E>
struct Deinterleave {
  static uint64_t run(A64Cpu* c, unsigned t, bool q) { return deinterleave<S, E>(c, t, q), 0; }
};
template <unsigned S, unsigned E>
struct InterleaveChunk {
  static uint64_t run(const A64Cpu* c, unsigned t, unsigned chunk) { return interleave_chunk<S, E>(c, t, chunk); }
};

uint64_t h_ld_deinterleave(tcg::CpuBase* env, uint64_t t, uint64_t selem, uint64_t esize_log2, uint64_t q, uint64_t) {
  return dispatch<Deinterleave>(unsigned(selem), unsigned(esize_log2), a64_cpu(env), unsigned(t), q != 0);
}

uint64_t h_st_interleave_chunk(tcg::CpuBase* env, uint64_t t, uint64_t shape, uint64_t chunk, uint64_t, uint64_t) {
  return dispatch<InterleaveChunk>(unsigned(shape & 15), unsigned((shape >> 4) & 3),
                                   static_cast<const A64Cpu*>(a64_cpu(env)), unsigned(t), unsigned(chunk));
}

uint64_t h_tbl(tcg::CpuBase* env, uint64_t d, uint64_t n, uint64_t m, uint64_t shape, uint64_t) {
  A64Cpu* c = a64_cpu(env);
  const unsigned regs = (shape & 3) + 1;
  const bool tbx = (shape >> 2) & 1, q = (shape >> 3) & 1;
  uint8_t table[64];
  for (unsigned k = 0; k < regs; ++k) std::memcpy(table + 16 * k, &c->v[(n + k) & 31], 16);
  const Bytes idx = get(c, unsigned(m));
  Bytes out = get(c, unsigned(d));  // TBX keeps the destination byte for out-of-range indices
  for (unsigned i = 0; i < 16; ++i) {
    if (idx[i] < 16 * regs)
      out[i] = table[idx[i]];
    else if (!tbx)
      out[i] = 0;
  }
  put(c, unsigned(d), out, q);
  return 0;
}

uint64_t h_permute(tcg::CpuBase* env, uint64_t d, uint64_t n, uint64_t m, uint64_t shape, uint64_t) {
  A64Cpu* c = a64_cpu(env);
  const unsigned op = shape & 7, eb = 1u << ((shape >> 3) & 3);
  const bool q = (shape >> 5) & 1;
  const unsigned elems = (q ? 16 : 8) / eb, part = op >> 2;  // part: 0 for the *1 forms, 1 for *2
  const Bytes a = get(c, unsigned(n)), b = get(c, unsigned(m));
  Bytes out{};
  auto copy = [&](unsigned dst, const Bytes& src, unsigned from) { std::memcpy(&out[dst * eb], &src[from * eb], eb); };
  for (unsigned e = 0; e < elems; ++e) {
    switch (op & 3) {
      case 1: {  // UZP: even (UZP1) or odd (UZP2) elements of the concatenation n:m
        const unsigned from = 2 * e + part;
        copy(e, from < elems ? a : b, from % elems);
        break;
      }
      case 2:  // TRN: even result lanes from n, odd from m, at lane (e & ~1) + part
        copy(e, (e & 1) ? b : a, (e & ~1u) + part);
        break;
      default:  // ZIP: interleave the low (ZIP1) or high (ZIP2) halves
        copy(e, (e & 1) ? b : a, part * elems / 2 + e / 2);
        break;
    }
  }
  put(c, unsigned(d), out, q);
  return 0;
}

}  // namespace

uint32_t helper_id(SimdMoveHelper h) {
  static const auto ids = [] {
    std::array<uint32_t, size_t(SimdMoveHelper::kCount)> ids{};
    using namespace tcg::HelperFlag;
    ids[size_t(SimdMoveHelper::ld_deinterleave)] =
        tcg::register_helper("a64_ld_deinterleave", h_ld_deinterleave, kReadsState | kWritesState);
    ids[size_t(SimdMoveHelper::st_interleave_chunk)] =
        tcg::register_helper("a64_st_interleave_chunk", h_st_interleave_chunk, kReadsState);
    ids[size_t(SimdMoveHelper::tbl)] = tcg::register_helper("a64_tbl", h_tbl, kReadsState | kWritesState);
    ids[size_t(SimdMoveHelper::permute)] = tcg::register_helper("a64_permute", h_permute, kReadsState | kWritesState);
    return ids;
  }();
  return ids[size_t(h)];
}

}  // namespace mimic::arm
