// Cluster compression as qcow2 and vmdk store it: qcow2's raw deflate (window 2^12, no zlib
// header) or zstd frames, vmdk's zlib streams.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace mimic::hw::block {

enum class Codec { kDeflateRaw, kZstd, kZlib };

// Compresses `in` into `out`; returns the compressed size, or 0 when it would not be smaller than
// `out_capacity` (the caller stores the data uncompressed then).
size_t compress_buffer(Codec codec, const void* in, size_t in_len, void* out, size_t out_capacity);
// Fills out[0, out_len) from the start of `in` (trailing bytes after the stream are ignored).
// false if the stream is damaged or too short.
bool decompress_buffer(Codec codec, const void* in, size_t in_len, void* out, size_t out_len);

}  // namespace mimic::hw::block
