// Out-of-line AdvSIMD helpers of the simd_move area: structure (de)interleaving for LD2-4/ST2-4,
// TBL/TBX and ZIP/UZP/TRN. They work on whole V registers in the CPU state (see simd.h).
#pragma once

#include <cstdint>

namespace mimic::arm {

enum class SimdMoveHelper : uint16_t {
  // (t, selem, esize_log2 0/1, q): V[t..t+selem-1] (mod 32) hold the raw memory image of an LD2-4
  // (register k = bytes [k*B, (k+1)*B), B = 8 or 16); rewrites them with the deinterleaved structures.
  ld_deinterleave,
  // (t, selem | esize_log2 (0/1) << 4 | q << 8, chunk) -> bytes [8*chunk, 8*chunk+8) of the memory image
  // that ST<selem> of V[t..] writes.
  st_interleave_chunk,
  // (d, n, m, len | tbx << 2 | q << 3): TBL/TBX with table V[n..n+len] (mod 32), indices V[m].
  tbl,
  // (d, n, m, op | size << 3 | q << 5): UZP1/TRN1/ZIP1 (op 1/2/3), UZP2/TRN2/ZIP2 (op 5/6/7).
  permute,
  kCount
};

// The registry id of a helper; all of this area's helpers register on the first call.
uint32_t helper_id(SimdMoveHelper h);

}  // namespace mimic::arm
