// What every format driver needs from its host file: whole-buffer positioned I/O that retries
// short transfers and EINTR, and the byte orders the formats store their fields in.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

namespace mimic::hw::block {

// 0 or -errno. pread_full zero-fills what lies past the end of the file (as a sparse disk reads).
int pread_full(int fd, void* buf, size_t len, uint64_t offset);
int pwrite_full(int fd, const void* buf, size_t len, uint64_t offset);
// -errno of fdatasync, or 0.
int sync_file(int fd);
// The file's size in bytes, or a negative errno.
int64_t file_size(int fd);
// The directory part of `path` ("" for a bare name), with its trailing slash.
std::string dir_of(const std::string& path);

inline uint16_t be16(const uint8_t* p) { return uint16_t(p[0] << 8 | p[1]); }
inline uint32_t be32(const uint8_t* p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}
inline uint64_t be64(const uint8_t* p) { return uint64_t(be32(p)) << 32 | be32(p + 4); }
inline void put_be16(uint8_t* p, uint16_t v) { p[0] = uint8_t(v >> 8), p[1] = uint8_t(v); }
inline void put_be32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = uint8_t(v >> (24 - 8 * i));
}
inline void put_be64(uint8_t* p, uint64_t v) { put_be32(p, uint32_t(v >> 32)), put_be32(p + 4, uint32_t(v)); }
inline uint16_t le16(const uint8_t* p) { return uint16_t(p[0] | p[1] << 8); }
inline uint32_t le32(const uint8_t* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}
inline uint64_t le64(const uint8_t* p) { return uint64_t(le32(p)) | uint64_t(le32(p + 4)) << 32; }
inline void put_le16(uint8_t* p, uint16_t v) { p[0] = uint8_t(v), p[1] = uint8_t(v >> 8); }
inline void put_le32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = uint8_t(v >> (8 * i));
}
inline void put_le64(uint8_t* p, uint64_t v) { put_le32(p, uint32_t(v)), put_le32(p + 4, uint32_t(v >> 32)); }

inline bool is_zero(const void* buf, size_t len) {
  auto* p = static_cast<const uint8_t*>(buf);
  for (size_t i = 0; i < len; ++i)
    if (p[i]) return false;
  return true;
}

// offset + len without wrapping, within `limit`.
inline bool fits(uint64_t offset, uint64_t len, uint64_t limit) { return offset <= limit && len <= limit - offset; }

}  // namespace mimic::hw::block
