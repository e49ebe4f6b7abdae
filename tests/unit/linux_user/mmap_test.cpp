// Guest memory tests: mmap family on the page-flags table, checked access, brk, stat translation.
#include "linux-user/mmap.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <vector>

#include "linux-user/generic/stat.h"
#include "linux-user/uaccess.h"

namespace mimic::linux_user {
namespace {

std::unique_ptr<GuestMemory> make_mem() {
  std::string err;
  auto m = GuestMemory::create(err, uint64_t(1) << 32);
  EXPECT_TRUE(m) << err;
  m->set_mmap_top(0x80000000);
  return m;
}
constexpr int kRW = GuestProt::kRead | GuestProt::kWrite;
constexpr int kAnon = GuestMap::kPrivate | GuestMap::kAnonymous;

uint64_t resident_bytes() {
  FILE* f = fopen("/proc/self/statm", "r");
  unsigned long size = 0, resident = 0;
  if (f) {
    if (fscanf(f, "%lu %lu", &size, &resident) != 2) resident = 0;
    fclose(f);
  }
  return uint64_t(resident) * 4096;
}

// Bookkeeping follows the mappings, not their pages: a 2^44-byte reservation took 4 GB and 30 s
// (a flag byte per page), madvise and msync over 2^46 bytes walked page by page for a minute.
TEST(GuestMemory, HugeRangesCostTheirMappings) {
  std::string err;
  auto m = GuestMemory::create(err);
  ASSERT_TRUE(m) << err;
  ASSERT_GE(m->size(), uint64_t(1) << 45);  // 32 TiB at 32 TiB, or 64 TiB elsewhere
  m->set_mmap_top(m->size() - (uint64_t(1) << 32));
  const uint64_t before = resident_bytes();
  const uint64_t big = std::min(uint64_t(1) << 44, m->size() / 4);  // two fit below the top
  const int64_t a = m->mmap(0, big, 0, kAnon | GuestMap::kNoReserve, -1, 0);
  ASSERT_GT(a, 0);
  EXPECT_EQ(uint64_t(a) & 0xfff, 0u);
  EXPECT_EQ(m->mprotect(uint64_t(a) + 4096, uint64_t(1) << 40, kRW), 0);
  EXPECT_TRUE(m->access_ok(uint64_t(a) + (uint64_t(1) << 40), 4096, PageFlag::kWrite));
  EXPECT_FALSE(m->access_ok(uint64_t(a) + (uint64_t(1) << 40) + 4096, 1, PageFlag::kRead));
  EXPECT_EQ(m->madvise(uint64_t(a), big, MADV_DONTNEED), 0);
  EXPECT_EQ(m->madvise(0, m->size(), MADV_NORMAL), -ENOMEM);  // holes around it
  EXPECT_EQ(m->msync(0, m->size(), MS_ASYNC), -ENOMEM);
  EXPECT_EQ(m->msync(uint64_t(a), big, MS_ASYNC), 0);
  // Three VMAs: PROT_NONE, the read-write part, PROT_NONE again.
  const std::string maps = m->maps_text();
  EXPECT_EQ(std::count(maps.begin(), maps.end(), '\n'), 3) << maps;
  // A second one goes below the first, top-down, found without a page-by-page search.
  const int64_t b = m->mmap(0, big, 0, kAnon | GuestMap::kNoReserve, -1, 0);
  EXPECT_EQ(b, a - int64_t(big));
  EXPECT_EQ(m->munmap(uint64_t(a), big), 0);
  EXPECT_EQ(m->munmap(uint64_t(b), big), 0);
  EXPECT_TRUE(m->range_free(uint64_t(b), 2 * big));
  EXPECT_LT(resident_bytes() - before, uint64_t(64) << 20);
}

TEST(GuestMemory, MmapTopDownAndHints) {
  auto m = make_mem();
  int64_t a = m->mmap(0, 3 * kPageSize, kRW, kAnon, -1, 0);
  ASSERT_GT(a, 0);
  EXPECT_EQ(uint64_t(a) + 3 * kPageSize, 0x80000000u);
  int64_t b = m->mmap(0, kPageSize, kRW, kAnon, -1, 0);
  EXPECT_EQ(uint64_t(b), uint64_t(a) - kPageSize);
  int64_t c = m->mmap(0x10000000, kPageSize, kRW, kAnon, -1, 0);
  EXPECT_EQ(c, 0x10000000);
  EXPECT_TRUE(m->access_ok(uint64_t(a), 3 * kPageSize, PageFlag::kValid | PageFlag::kWrite));
  memset(m->host(uint64_t(a)), 0xab, 3 * kPageSize);  // really mapped on the host
}

// Below mmap_min_addr only with CAP_SYS_RAWIO, as Linux's cap_mmap_addr: a 32-bit guest's
// MAP_FIXED at 0 works as root; without the capability (dropped in a child) it is EPERM.
TEST(GuestMemory, BelowMinAddrNeedsRawio) {
  uint32_t hdr[2] = {0x20080522, 0}, caps[6] = {};  // _LINUX_CAPABILITY_VERSION_3
  ASSERT_EQ(syscall(SYS_capget, hdr, caps), 0);
  if (caps[0] & (1u << 17)) {
    auto m = make_mem();
    EXPECT_EQ(m->mmap(0, kPageSize, kRW, kAnon | GuestMap::kFixed, -1, 0), 0);
  }
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    caps[0] &= ~(1u << 17);  // CAP_SYS_RAWIO out of the effective set
    if (syscall(SYS_capset, hdr, caps) != 0) _exit(2);
    auto m = make_mem();
    _exit(m->mmap(0x1000, kPageSize, kRW, kAnon | GuestMap::kFixed, -1, 0) == -EPERM ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

TEST(GuestMemory, FixedNoReplaceAndErrors) {
  auto m = make_mem();
  EXPECT_EQ(m->mmap(0x20000000, kPageSize, kRW, kAnon | GuestMap::kFixed, -1, 0), 0x20000000);
  EXPECT_EQ(m->mmap(0x20000000, kPageSize, kRW, kAnon | GuestMap::kFixedNoReplace, -1, 0), -EEXIST);
  EXPECT_EQ(m->mmap(0x20000001, kPageSize, kRW, kAnon | GuestMap::kFixed, -1, 0), -EINVAL);
  EXPECT_EQ(m->mmap(0, 0, kRW, kAnon, -1, 0), -EINVAL);
  EXPECT_EQ(m->mmap(0, kPageSize, kRW, GuestMap::kAnonymous, -1, 0), -EINVAL);  // no type
  EXPECT_EQ(m->mmap(uint64_t(1) << 40, kPageSize, kRW, kAnon | GuestMap::kFixed, -1, 0), -ENOMEM);
  EXPECT_EQ(m->mmap(0, ~0ull - 10, kRW, kAnon, -1, 0), -ENOMEM);
  EXPECT_EQ(m->mmap(0, kPageSize, kRW, GuestMap::kPrivate, -1, 0), -EBADF);
}

TEST(GuestMemory, ProtectUnmapRemapInvalidate) {
  auto m = make_mem();
  std::vector<std::pair<uint64_t, uint64_t>> inval;
  m->set_invalidate_hook([&](uint64_t s, uint64_t e) { inval.push_back({s, e}); });
  uint64_t a = uint64_t(
      m->mmap(0x30000000, 4 * kPageSize, GuestProt::kRead | GuestProt::kExec, kAnon | GuestMap::kFixed, -1, 0));
  EXPECT_TRUE(m->can_fetch(a, 4 * kPageSize));
  EXPECT_FALSE(m->access_ok(a, 1, PageFlag::kWrite));
  EXPECT_EQ(m->mprotect(a, kPageSize, kRW), 0);
  EXPECT_FALSE(m->can_fetch(a, 2));
  ASSERT_FALSE(inval.empty());
  EXPECT_EQ(inval.back().first, a);
  EXPECT_EQ(m->munmap(a + kPageSize, kPageSize), 0);
  EXPECT_FALSE(m->can_fetch(a + kPageSize, 2));
  EXPECT_TRUE(m->can_fetch(a + 2 * kPageSize, 2));
  EXPECT_EQ(m->mprotect(a, 4 * kPageSize, GuestProt::kRead), -ENOMEM);  // hole inside
  EXPECT_EQ(m->munmap(a + 1, kPageSize), -EINVAL);
  // mremap: grow in place where free, move when not, contents kept.
  uint64_t r = uint64_t(m->mmap(0x40000000, kPageSize, kRW, kAnon | GuestMap::kFixed, -1, 0));
  strcpy(static_cast<char*>(m->host(r)), "payload");
  EXPECT_EQ(m->mremap(r, kPageSize, 4 * kPageSize, 0, 0), int64_t(r));
  m->mmap(r + 4 * kPageSize, kPageSize, kRW, kAnon | GuestMap::kFixed, -1, 0);
  EXPECT_EQ(m->mremap(r, 4 * kPageSize, 8 * kPageSize, 0, 0), -ENOMEM);
  int64_t moved = m->mremap(r, 4 * kPageSize, 8 * kPageSize, 1 /*MAYMOVE*/, 0);
  ASSERT_GT(moved, 0);
  EXPECT_NE(uint64_t(moved), r);
  EXPECT_STREQ(static_cast<char*>(m->host(uint64_t(moved))), "payload");
  EXPECT_FALSE(m->access_ok(r, 1, PageFlag::kValid));
  EXPECT_TRUE(m->access_ok(uint64_t(moved), 8 * kPageSize, PageFlag::kWrite));
}

TEST(GuestMemory, RangesPastTheEndAndCodeProtectedRemap) {
  auto m = make_mem();
  const uint64_t a = uint64_t(m->mmap(0x30000000, 4 * kPageSize, kRW, kAnon | GuestMap::kFixed, -1, 0));
  // A length reaching past the address space is EINVAL (it unmapped everything above `a`).
  EXPECT_EQ(m->munmap(a, uint64_t(0) - kPageSize), -EINVAL);
  EXPECT_EQ(m->munmap(uint64_t(1) << 62, kPageSize), -EINVAL);
  EXPECT_TRUE(m->access_ok(a, 4 * kPageSize, PageFlag::kWrite));
  // A page the self-modifying-code watch made read-only on the host splits the host mapping; the
  // guest's mapping is still one, which grows in place and moves whole.
  m->protect_code(a + kPageSize, a + kPageSize + 4);
  ASSERT_TRUE(m->page_flags(a + kPageSize) & PageFlag::kCodeProtected);
  EXPECT_EQ(m->mremap(a, 4 * kPageSize, 8 * kPageSize, 0, 0), int64_t(a));
  EXPECT_TRUE(m->access_ok(a, 8 * kPageSize, PageFlag::kWrite));
  m->protect_code(a + 2 * kPageSize, a + 2 * kPageSize + 4);
  EXPECT_EQ(m->mremap(a, 8 * kPageSize, 8 * kPageSize, 3 /*MAYMOVE|FIXED*/, 0x40000000), 0x40000000);
  EXPECT_FALSE(m->page_flags(0x40000000 + 2 * kPageSize) & PageFlag::kCodeProtected);
  static_cast<char*>(m->host(0x40000000))[2 * kPageSize] = 1;  // writable on the host
  // Shared memory: old length 0 makes a second mapping of the same pages.
  const uint64_t s = uint64_t(m->mmap(0, kPageSize, kRW, GuestMap::kShared | GuestMap::kAnonymous, -1, 0));
  const int64_t alias = m->mremap(s, 0, kPageSize, 1 /*MAYMOVE*/, 0);
  ASSERT_GT(alias, 0);
  static_cast<char*>(m->host(s))[5] = 'x';
  EXPECT_EQ(static_cast<char*>(m->host(uint64_t(alias)))[5], 'x');
  EXPECT_EQ(m->mremap(0x40000000, 0, kPageSize, 1, 0), -EINVAL);  // not on private memory
}

TEST(GuestMemory, Brk) {
  auto m = make_mem();
  m->init_brk(0x50000123);
  uint64_t start = m->brk(0);
  EXPECT_EQ(start, 0x50001000u);
  EXPECT_EQ(m->brk(start + 10000), start + 10000);
  EXPECT_TRUE(m->access_ok(start, 10000, PageFlag::kWrite));
  EXPECT_EQ(m->brk(start + 100), start + 100);
  EXPECT_FALSE(m->access_ok(start + kPageSize, 1, PageFlag::kValid));
  m->mmap(start + 2 * kPageSize, kPageSize, kRW, kAnon | GuestMap::kFixed, -1, 0);
  EXPECT_EQ(m->brk(start + 5 * kPageSize), start + 100);  // blocked by a mapping: unchanged
  EXPECT_EQ(m->brk(1), start + 100);
}

TEST(GuestMemory, CheckedAccessGivesEfault) {
  auto m = make_mem();
  uint64_t a = uint64_t(m->mmap(0x60000000, kPageSize, GuestProt::kRead, kAnon | GuestMap::kFixed, -1, 0));
  uint64_t v = 0;
  EXPECT_TRUE(get_guest(*m, a, v));
  EXPECT_FALSE(put_guest(*m, a, v));                  // read-only
  EXPECT_FALSE(get_guest(*m, a + kPageSize - 4, v));  // straddles into unmapped
  EXPECT_FALSE(get_guest(*m, 0, v));                  // NULL
  EXPECT_FALSE(get_guest(*m, ~0ull - 3, v));          // wraps
  EXPECT_EQ(guest_buffer(*m, uint64_t(1) << 40, 16), nullptr);
  EXPECT_EQ(guest_buffer(*m, 16, ~0ull), nullptr);
  std::string s;
  EXPECT_EQ(read_guest_string(*m, 0, s), -EFAULT);
  EXPECT_EQ(read_guest_string(*m, a, s), 0);  // zero page: empty string
  EXPECT_EQ(s, "");
  uint64_t w = uint64_t(m->mmap(0x61000000, kPageSize, kRW, kAnon | GuestMap::kFixed, -1, 0));
  memset(m->host(w), 'x', kPageSize);  // no NUL before the unmapped page
  EXPECT_EQ(read_guest_string(*m, w + 100, s), -EFAULT);
  EXPECT_EQ(read_guest_string(*m, w, s, 100), -ENAMETOOLONG);
}

TEST(GuestMemory, MapsText) {
  auto m = make_mem();
  m->mmap(0x70000000, 2 * kPageSize, GuestProt::kRead | GuestProt::kExec, kAnon | GuestMap::kFixed, -1, 0);
  std::string t = m->maps_text();
  EXPECT_NE(t.find("70000000-70002000 r-xp"), std::string::npos) << t;
}

// A host file of `pages` pages for file mappings; unlinked, so only its fd names it.
struct TempFile {
  int fd = -1;
  std::string path;
  explicit TempFile(unsigned pages) {
    char tmpl[] = "/tmp/mimic-maps-XXXXXX";
    fd = mkstemp(tmpl);
    path = tmpl;
    EXPECT_EQ(ftruncate(fd, off_t(pages * kPageSize)), 0);
  }
  ~TempFile() {
    close(fd);
    unlink(path.c_str());
  }
};

// maps_text() as lines.
std::vector<std::string> maps_lines(const GuestMemory& m) {
  std::vector<std::string> out;
  std::istringstream in(m.maps_text());
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(GuestMemory, MapsShowFilesOffsetsAndNamesAsLinuxDoes) {
  auto m = make_mem();
  TempFile f(4);
  struct stat st;
  ASSERT_EQ(fstat(f.fd, &st), 0);
  const std::string devino = fmt::format("{:02x}:{:02x} {}", major(st.st_dev), minor(st.st_dev), st.st_ino);
  // Four pages of the file at 0x70000000, then the middle two made read-only: three lines with
  // file offsets 0, 0x1000 and 0x3000, the path in column 73 (0-based), as Linux prints them.
  ASSERT_EQ(m->mmap(0x70000000, 4 * kPageSize, GuestProt::kRead | GuestProt::kWrite,
                    GuestMap::kPrivate | GuestMap::kFixed, f.fd, 0),
            0x70000000);
  ASSERT_EQ(m->mprotect(0x70001000, 2 * kPageSize, GuestProt::kRead), 0);
  auto pad = [](std::string s) { return s.append(73 - s.size(), ' '); };
  std::vector<std::string> want = {
      pad("70000000-70001000 rw-p 00000000 " + devino + " ") + f.path,
      pad("70001000-70003000 r--p 00001000 " + devino + " ") + f.path,
      pad("70003000-70004000 rw-p 00003000 " + devino + " ") + f.path,
  };
  EXPECT_EQ(maps_lines(*m), want);
  // Unmapping the first page leaves the rest with their offsets; an anonymous private mapping
  // after it is a separate line ending in "0 "; shared anonymous memory is /dev/zero (deleted), an
  // object of its own on device 00:01 (Linux's shmem) with an inode number, here the first one.
  ASSERT_EQ(m->munmap(0x70000000, kPageSize), 0);
  ASSERT_EQ(m->mmap(0x70004000, kPageSize, GuestProt::kRead, kAnon | GuestMap::kFixed, -1, 0), 0x70004000);
  ASSERT_EQ(m->mmap(0x70010000, kPageSize, GuestProt::kRead,
                    GuestMap::kShared | GuestMap::kAnonymous | GuestMap::kFixed, -1, 0),
            0x70010000);
  want = {want[1], want[2], "70004000-70005000 r--p 00000000 00:00 0 ",
          pad("70010000-70011000 r--s 00000000 00:01 1 ") + "/dev/zero (deleted)"};
  EXPECT_EQ(maps_lines(*m), want);
  // mremap moves the description with the pages: the file's page 3 now at 0x80000000.
  ASSERT_EQ(m->mremap(0x70003000, kPageSize, kPageSize, 3 /* MAYMOVE|FIXED */, 0x80000000), 0x80000000);
  EXPECT_EQ(maps_lines(*m).back(), pad("80000000-80001000 rw-p 00003000 " + devino + " ") + f.path);
  // A mapping the loader describes (the stack) keeps its name.
  ASSERT_TRUE(m->map_fixed_anon(0x90000000, 2 * kPageSize, GuestProt::kRead | GuestProt::kWrite));
  m->describe(0x90000000, 2 * kPageSize, GuestMemory::MapInfo{0, 0, 0, false, "[stack]"});
  EXPECT_EQ(maps_lines(*m).back(), pad("90000000-90002000 rw-p 00000000 00:00 0 ") + "[stack]");
}

TEST(StatTranslation, GenericLayout) {
  struct stat st = {};
  st.st_dev = 0x803;
  st.st_ino = 1234567;
  st.st_mode = S_IFREG | 0644;
  st.st_nlink = 3;
  st.st_uid = 1000;
  st.st_gid = 100;
  st.st_size = 0x123456789;
  st.st_blksize = 4096;
  st.st_blocks = 77;
  st.st_mtim.tv_sec = 1700000000;
  st.st_mtim.tv_nsec = 999;
  GenericStat g = generic_stat_from_host(st);
  const uint8_t* raw = reinterpret_cast<const uint8_t*>(&g);
  auto u32 = [&](size_t off) {
    uint32_t v;
    memcpy(&v, raw + off, 4);
    return v;
  };
  auto u64 = [&](size_t off) {
    uint64_t v;
    memcpy(&v, raw + off, 8);
    return v;
  };
  // Offsets of include/uapi/asm-generic/stat.h.
  EXPECT_EQ(u64(0), 0x803u);
  EXPECT_EQ(u64(8), 1234567u);
  EXPECT_EQ(u32(16), uint32_t(S_IFREG | 0644));
  EXPECT_EQ(u32(20), 3u);
  EXPECT_EQ(u32(24), 1000u);
  EXPECT_EQ(u32(28), 100u);
  EXPECT_EQ(u64(48), 0x123456789u);
  EXPECT_EQ(u32(56), 4096u);
  EXPECT_EQ(u64(64), 77u);
  EXPECT_EQ(u64(88), 1700000000u);
  EXPECT_EQ(u64(96), 999u);
}

}  // namespace
}  // namespace mimic::linux_user
