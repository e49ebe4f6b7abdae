// The asm-generic struct stat (riscv64, aarch64) and its conversion from the x86-64 host's.
#pragma once

#include <sys/stat.h>

#include <cstddef>
#include <cstdint>

namespace mimic::linux_user {

// include/uapi/asm-generic/stat.h: 128 bytes; x86-64's struct stat orders and sizes fields
// differently (st_nlink is 8 bytes there and comes before st_mode), so it is translated.
struct GenericStat {
  uint64_t st_dev;
  uint64_t st_ino;
  uint32_t st_mode;
  uint32_t st_nlink;
  uint32_t st_uid;
  uint32_t st_gid;
  uint64_t st_rdev;
  uint64_t pad1;
  int64_t st_size;
  int32_t st_blksize;
  int32_t pad2;
  int64_t st_blocks;
  int64_t st_atime_sec;
  uint64_t st_atime_nsec;
  int64_t st_mtime_sec;
  uint64_t st_mtime_nsec;
  int64_t st_ctime_sec;
  uint64_t st_ctime_nsec;
  uint32_t unused4;
  uint32_t unused5;
};
static_assert(sizeof(GenericStat) == 128);
static_assert(offsetof(GenericStat, st_size) == 48);
static_assert(offsetof(GenericStat, st_blocks) == 64);
static_assert(offsetof(GenericStat, st_atime_sec) == 72);

inline GenericStat generic_stat_from_host(const struct stat& s) {
  GenericStat g{};
  g.st_dev = s.st_dev;
  g.st_ino = s.st_ino;
  g.st_mode = s.st_mode;
  g.st_nlink = uint32_t(s.st_nlink);
  g.st_uid = s.st_uid;
  g.st_gid = s.st_gid;
  g.st_rdev = s.st_rdev;
  g.st_size = s.st_size;
  g.st_blksize = int32_t(s.st_blksize);
  g.st_blocks = s.st_blocks;
  g.st_atime_sec = s.st_atim.tv_sec;
  g.st_atime_nsec = uint64_t(s.st_atim.tv_nsec);
  g.st_mtime_sec = s.st_mtim.tv_sec;
  g.st_mtime_nsec = uint64_t(s.st_mtim.tv_nsec);
  g.st_ctime_sec = s.st_ctim.tv_sec;
  g.st_ctime_nsec = uint64_t(s.st_ctim.tv_nsec);
  return g;
}

}  // namespace mimic::linux_user
