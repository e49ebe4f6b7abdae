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

uint64_t h_ld_deinterleave(tcg::CpuBase* env, uint64_t t, uint64_t selem, uint64_t esize_log2, uint64_t q,
                           uint64_t) {
  A64Cpu* c = a64_cpu(env);
  const unsigned reg_bytes = q ? 16 : 8, eb = 1u << esize_log2, elems = reg_bytes / eb;
  uint8_t image[64];
  for (unsigned k = 0; k < selem; ++k) std::memcpy(image + k * reg_bytes, &c->v[(t + k) & 31], reg_bytes);
  for (unsigned k = 0; k < selem; ++k) {
    Bytes out{};
    for (unsigned e = 0; e < elems; ++e) std::memcpy(&out[e * eb], image + (e * selem + k) * eb, eb);
    put(c, unsigned(t + k), out, q);
  }
  return 0;
}

uint64_t h_st_interleave_chunk(tcg::CpuBase* env, uint64_t t, uint64_t shape, uint64_t chunk, uint64_t,
                               uint64_t) {
  const A64Cpu* c = a64_cpu(env);
  const unsigned selem = shape & 15, eb = 1u << ((shape >> 4) & 3);
  uint8_t out[8];
  // Memory byte i belongs to element (i / eb) / selem of register (i / eb) % selem.
  for (unsigned i = 0; i < 8; ++i) {
    const unsigned byte = unsigned(chunk) * 8 + i, e = byte / eb;
    out[i] = reinterpret_cast<const uint8_t*>(&c->v[(t + e % selem) & 31])[(e / selem) * eb + byte % eb];
  }
  uint64_t v;
  std::memcpy(&v, out, 8);
  return v;
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
    ids[size_t(SimdMoveHelper::permute)] =
        tcg::register_helper("a64_permute", h_permute, kReadsState | kWritesState);
    return ids;
  }();
  return ids[size_t(h)];
}

}  // namespace mimic::arm
