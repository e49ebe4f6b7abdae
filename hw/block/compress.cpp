// zlib and zstd behind one call each (see compress.h).
#include "hw/block/compress.h"

#include <zlib.h>
#include <zstd.h>

namespace mimic::hw::block {

size_t compress_buffer(Codec codec, const void* in, size_t in_len, void* out, size_t out_capacity) {
  if (codec == Codec::kZstd) {
    size_t n = ZSTD_compress(out, out_capacity, in, in_len, 1);
    return ZSTD_isError(n) || n >= out_capacity ? 0 : n;
  }
  z_stream zs{};
  // qcow2: raw deflate with a 4 KiB window, as qemu writes it; vmdk: a zlib stream.
  int bits = codec == Codec::kDeflateRaw ? -12 : 15;
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, bits, 9, Z_DEFAULT_STRATEGY) != Z_OK) return 0;
  zs.next_in = static_cast<Bytef*>(const_cast<void*>(in));
  zs.avail_in = uInt(in_len);
  zs.next_out = static_cast<Bytef*>(out);
  zs.avail_out = uInt(out_capacity);
  int r = deflate(&zs, Z_FINISH);
  size_t n = out_capacity - zs.avail_out;
  deflateEnd(&zs);
  return r == Z_STREAM_END && n < out_capacity ? n : 0;
}

bool decompress_buffer(Codec codec, const void* in, size_t in_len, void* out, size_t out_len) {
  if (codec == Codec::kZstd) {
    ZSTD_DCtx* dctx = ZSTD_createDCtx();
    if (!dctx) return false;
    ZSTD_inBuffer input{in, in_len, 0};
    ZSTD_outBuffer output{out, out_len, 0};
    bool ok = true;
    while (output.pos < output.size) {
      size_t r = ZSTD_decompressStream(dctx, &output, &input);
      if (ZSTD_isError(r)) {
        ok = false;
        break;
      }
      if (r == 0 && output.pos < output.size) {  // the frame ended short of a whole cluster
        ok = false;
        break;
      }
      if (input.pos == input.size && output.pos < output.size && r != 0) {
        ok = false;
        break;
      }
    }
    ZSTD_freeDCtx(dctx);
    return ok;
  }
  z_stream zs{};
  if (inflateInit2(&zs, codec == Codec::kDeflateRaw ? -12 : 15) != Z_OK) return false;
  zs.next_in = static_cast<Bytef*>(const_cast<void*>(in));
  zs.avail_in = uInt(in_len);
  zs.next_out = static_cast<Bytef*>(out);
  zs.avail_out = uInt(out_len);
  int r = inflate(&zs, Z_FINISH);
  bool ok = (r == Z_STREAM_END || r == Z_BUF_ERROR || r == Z_OK) && zs.avail_out == 0;
  inflateEnd(&zs);
  return ok;
}

}  // namespace mimic::hw::block
