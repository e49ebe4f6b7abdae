// System call layer tests: bad guest pointers give -EFAULT (never a crash), unknown calls -ENOSYS.
#include "linux-user/syscall.h"

#include <elf.h>
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "linux-user/arch.h"
#include "linux-user/generic/syscall_nr.h"

namespace mimic::linux_user {
namespace {

class FakeThread final : public GuestThread {
 public:
  tcg::CpuBase base;
  tcg::CpuBase& cpu() override { return base; }
  uint64_t sp() const override { return 0; }
  void set_sp(uint64_t) override {}
  void set_tls(uint64_t) override {}
  void set_return_value(uint64_t) override {}
  bool setup_signal_frame(int, const GuestSigaction&, const GuestSiginfo&, uint64_t) override { return false; }
  bool restore_signal_frame(uint64_t*) override { return false; }
  std::string describe_insn(uint64_t) override { return {}; }
  std::unique_ptr<GuestThread> clone_thread() override { return nullptr; }
  void run_loop() override {}
};

struct SyscallTest : ::testing::Test {
  Process proc;
  FakeThread thread;
  uint64_t page = 0;
  void SetUp() override {
    std::string err;
    proc.arch = find_arch(EM_RISCV);
    proc.mem = GuestMemory::create(err, uint64_t(1) << 32);
    ASSERT_TRUE(proc.mem) << err;
    proc.mem->set_mmap_top(0x80000000);
    page = uint64_t(proc.mem->mmap(0, kPageSize, GuestProt::kRead | GuestProt::kWrite,
                                   GuestMap::kPrivate | GuestMap::kAnonymous, -1, 0));
    init_syscalls(proc);
  }
  int64_t call(uint64_t nr, std::initializer_list<uint64_t> args) {
    uint64_t a[6] = {};
    size_t i = 0;
    for (uint64_t v : args) a[i++] = v;
    return do_syscall(proc, thread, nr, a);
  }
};

TEST_F(SyscallTest, BadPointersGiveEfault) {
  constexpr uint64_t kBad = 0x1234;                  // unmapped
  constexpr uint64_t kWild = 0xdead000000000000ull;  // outside the address space
  EXPECT_EQ(call(nr::k_write, {1, kBad, 10}), -EFAULT);
  EXPECT_EQ(call(nr::k_write, {1, kWild, 10}), -EFAULT);
  EXPECT_EQ(call(nr::k_read, {0, kWild, 10}), -EFAULT);
  EXPECT_EQ(call(nr::k_openat, {uint64_t(-100), kBad, 0, 0}), -EFAULT);
  EXPECT_EQ(call(nr::k_openat, {uint64_t(-100), kWild, 0, 0}), -EFAULT);
  EXPECT_EQ(call(nr::k_fstat, {1, kBad}), -EFAULT);
  EXPECT_EQ(call(nr::k_uname, {kWild}), -EFAULT);
  EXPECT_EQ(call(nr::k_clock_gettime, {0, kBad}), -EFAULT);
  EXPECT_EQ(call(nr::k_pipe2, {kBad, 0}), -EFAULT);
  EXPECT_EQ(call(nr::k_rt_sigaction, {10, kBad, 0, 8}), -EFAULT);
  EXPECT_EQ(call(nr::k_writev, {1, kBad, 2}), -EFAULT);
  EXPECT_EQ(call(nr::k_newfstatat, {uint64_t(-100), page, kBad, 0}), -ENOENT);  // "" without AT_EMPTY_PATH
  EXPECT_EQ(call(nr::k_execve, {kBad, 0, 0}), -EFAULT);
  EXPECT_EQ(call(nr::k_futex, {kBad, 0, 0, 0, 0, 0}), -EFAULT);
}

TEST_F(SyscallTest, GoodPointersWork) {
  ASSERT_EQ(call(nr::k_uname, {page}), 0);
  auto* u = static_cast<struct utsname*>(proc.mem->host(page));
  EXPECT_STREQ(u->machine, "riscv64");
  EXPECT_EQ(call(nr::k_fstat, {0, page}), 0);
  EXPECT_EQ(call(nr::k_getpid, {}), getpid());
}

TEST_F(SyscallTest, UnknownIsEnosys) {
  EXPECT_EQ(call(nr::k_io_setup, {0, 0}), -ENOSYS);
  EXPECT_EQ(call(511, {}), -ENOSYS);
  EXPECT_EQ(call(~0ull, {}), -ENOSYS);
}

// Sandboxes would confine mimic itself: they answer ENOSYS (a kernel without them), quietly.
TEST_F(SyscallTest, SandboxesAreAbsent) {
  testing::internal::CaptureStderr();
  EXPECT_EQ(call(nr::k_landlock_create_ruleset, {0, 0, 1}), -ENOSYS);  // xz 5.6+ asks for the ABI version
  EXPECT_EQ(call(nr::k_landlock_restrict_self, {3, 0}), -ENOSYS);
  EXPECT_EQ(call(nr::k_seccomp, {1, 0, 0}), -ENOSYS);
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
}

// Extended attributes pass through (cp -a, tar --xattrs and ls -l's ACL '+' need them).
TEST_F(SyscallTest, XattrsPassThrough) {
  char tmpl[] = "/tmp/mimic-xattr-XXXXXX";
  int fd = mkstemp(tmpl);
  ASSERT_GE(fd, 0);
  auto* g = static_cast<char*>(proc.mem->host(page));
  auto put = [&](uint64_t off, const std::string& text) {
    memcpy(g + off, text.c_str(), text.size() + 1);
    return page + off;
  };
  uint64_t path = put(0, tmpl), name = put(256, "user.mimic"), value = put(512, "hello"), out = page + 1024;
  int64_t r = call(nr::k_setxattr, {path, name, value, 5, 0});
  if (r == -EOPNOTSUPP) GTEST_SKIP() << "no user xattrs on /tmp";
  ASSERT_EQ(r, 0);
  EXPECT_EQ(call(nr::k_getxattr, {path, name, 0, 0}), 5);  // size query
  ASSERT_EQ(call(nr::k_lgetxattr, {path, name, out, 64}), 5);
  EXPECT_EQ(std::string(g + 1024, 5), "hello");
  EXPECT_EQ(call(nr::k_fgetxattr, {uint64_t(fd), name, out, 2}), -ERANGE);
  ASSERT_EQ(call(nr::k_flistxattr, {uint64_t(fd), out, 64}), 11);
  EXPECT_STREQ(g + 1024, "user.mimic");
  EXPECT_EQ(call(nr::k_setxattr, {path, name, value, 5, 1 /*XATTR_CREATE*/}), -EEXIST);
  EXPECT_EQ(call(nr::k_getxattr, {path, name, 0x1234, 64}), -EFAULT);
  EXPECT_EQ(call(nr::k_removexattr, {path, name}), 0);
  EXPECT_EQ(call(nr::k_listxattr, {path, out, 64}), 0);
  close(fd);
  unlink(tmpl);
}

// sendmmsg/recvmmsg: guest mmsghdr arrays (64 bytes each), msg_len written back per message.
TEST_F(SyscallTest, SendmmsgAndRecvmmsg) {
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
  auto* g = static_cast<uint8_t*>(proc.mem->host(page));
  auto put64 = [&](uint64_t off, uint64_t v) { memcpy(g + off, &v, 8); };
  // Two messages: headers at 0 and 64, iovecs at 256 and 272, data at 512 and 1024.
  memset(g, 0, 2048);
  memcpy(g + 512, "first", 5);
  memcpy(g + 1024, "second!", 7);
  for (int i = 0; i < 2; i++) {
    put64(64 * i + 16, page + 256 + 16 * i);  // msg_iov
    put64(64 * i + 24, 1);                     // msg_iovlen
    put64(256 + 16 * i, page + 512 + 512 * i);
    put64(256 + 16 * i + 8, i ? 7 : 5);
  }
  ASSERT_EQ(call(nr::k_sendmmsg, {uint64_t(sv[0]), page, 2, 0}), 2);
  EXPECT_EQ(g[56], 5);
  EXPECT_EQ(g[64 + 56], 7);
  memset(g + 512, 0, 1024);
  put64(256 + 8, 64);  // room for either message
  put64(272 + 8, 64);
  ASSERT_EQ(call(nr::k_recvmmsg, {uint64_t(sv[1]), page, 2, 0, 0}), 2);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(g + 512)), "first");
  EXPECT_EQ(std::string(reinterpret_cast<char*>(g + 1024)), "second!");
  EXPECT_EQ(g[64 + 56], 7);
  EXPECT_EQ(call(nr::k_sendmmsg, {uint64_t(sv[0]), 0x1234, 1, 0}), -EFAULT);
  close(sv[0]);
  close(sv[1]);
}

// -L: absolute guest paths are looked up in the sysroot first (as in a chroot: symlinks met there,
// absolute ones too, resolve inside it), and what the sysroot lacks comes from the host.
struct SysrootTest : ::testing::Test {
  std::string root, host_dir;
  void SetUp() override {
    char tmpl[] = "/tmp/mimic-sysroot-XXXXXX";
    ASSERT_TRUE(mkdtemp(tmpl));
    root = tmpl;
    for (const char* d : {"/etc", "/etc/alternatives", "/usr", "/usr/bin", "/usr/lib", "/only", "/tmp"})
      ASSERT_EQ(mkdir((root + d).c_str(), 0755), 0);
    for (const char* f : {"/usr/bin/gawk", "/etc/passwd", "/only/file"}) close(creat((root + f).c_str(), 0644));
    ASSERT_EQ(symlink("/etc/alternatives/awk", (root + "/usr/bin/awk").c_str()), 0);  // as Debian installs it
    ASSERT_EQ(symlink("/usr/bin/gawk", (root + "/etc/alternatives/awk").c_str()), 0);
    ASSERT_EQ(symlink("usr/bin", (root + "/bin").c_str()), 0);                       // merged /usr
    ASSERT_EQ(symlink("/no/such/target", (root + "/etc/dangling").c_str()), 0);
    ASSERT_EQ(symlink("/proc/self", (root + "/etc/to-host").c_str()), 0);
    ASSERT_EQ(symlink("loop2", (root + "/etc/loop1").c_str()), 0);
    ASSERT_EQ(symlink("loop1", (root + "/etc/loop2").c_str()), 0);
  }
  void TearDown() override { std::system(("rm -rf " + root).c_str()); }
  std::string r(const std::string& p, bool follow = true) { return resolve_in_sysroot(root, p, follow); }
};

TEST_F(SysrootTest, SysrootFirstThenHost) {
  EXPECT_EQ(r("/etc/passwd"), root + "/etc/passwd");  // both have it: the sysroot's
  EXPECT_EQ(r("/only/file"), root + "/only/file");    // only the sysroot has it
  EXPECT_EQ(r("/proc/self/status"), "/proc/self/status");  // only the host has it
  EXPECT_EQ(r("/etc/hostname-nowhere"), "/etc/hostname-nowhere");  // neither: the host's answer (ENOENT)
  EXPECT_EQ(r("/"), root + "/");
  EXPECT_EQ(r("/usr/./bin//gawk"), root + "/usr/bin/gawk");
}

TEST_F(SysrootTest, SymlinksResolveInsideTheSysroot) {
  EXPECT_EQ(r("/usr/bin/awk"), root + "/usr/bin/gawk");  // two absolute links, both in the sysroot
  EXPECT_EQ(r("/bin/gawk"), root + "/usr/bin/gawk");     // a relative directory link
  EXPECT_EQ(r("/bin/awk"), root + "/usr/bin/gawk");
  EXPECT_EQ(r("/etc/to-host/status"), "/proc/self/status");  // a link to what only the host has
  EXPECT_EQ(r("/etc/dangling"), "/no/such/target");
  EXPECT_EQ(r("/../../etc/../etc/passwd"), root + "/etc/passwd");  // ".." stops at the top
  EXPECT_EQ(r("/bin/../lib"), root + "/usr/lib");  // ".." after a link is the link target's parent
}

TEST_F(SysrootTest, LastComponentFollowedOnlyWhenAsked) {
  EXPECT_EQ(r("/usr/bin/awk", false), root + "/usr/bin/awk");  // lstat, readlink, unlink see the link
  EXPECT_EQ(r("/bin/awk", false), root + "/usr/bin/awk");
  EXPECT_EQ(r("/etc/dangling", false), root + "/etc/dangling");
  EXPECT_EQ(r("/bin", false), root + "/bin");
  EXPECT_EQ(r("/bin/", false), root + "/usr/bin/");  // a trailing slash follows
}

TEST_F(SysrootTest, NewFilesAndLoops) {
  EXPECT_EQ(r("/only/new"), root + "/only/new");  // the folder exists only in the sysroot
  EXPECT_EQ(r("/tmp/new-file"), "/tmp/new-file");  // both have /tmp: the host's, as qemu-user does
  EXPECT_EQ(open(r("/etc/loop1").c_str(), O_RDONLY), -1);  // the kernel reports the loop
  EXPECT_EQ(errno, ELOOP);
}

// After a guest chroot the root is the guest's whole world: nothing falls back to the host's
// files except the kernel's own file systems.
TEST_F(SysrootTest, ChrootedRootHasNoHostFallback) {
  auto c = [&](const std::string& p) { return resolve_in_sysroot(root, p, true, true); };
  EXPECT_EQ(c("/etc/passwd"), root + "/etc/passwd");
  EXPECT_EQ(c("/etc/hostname-nowhere"), root + "/etc/hostname-nowhere");  // ENOENT inside the root
  EXPECT_EQ(c("/var/lib/dpkg/status"), root + "/var/lib/dpkg/status");    // missing folders too
  EXPECT_EQ(c("/usr/bin/awk"), root + "/usr/bin/gawk");                   // links still resolve inside
  EXPECT_EQ(c("/etc/dangling"), root + "/no/such/target");                // and dangle inside
  EXPECT_EQ(c("/../../passwd"), root + "/passwd");                        // ".." stops at the top
  EXPECT_EQ(c("/proc/self/status"), "/proc/self/status");                 // the kernel's file systems
  EXPECT_EQ(c("/dev/null"), "/dev/null");
  EXPECT_EQ(c("/sys/kernel"), "/sys/kernel");
  EXPECT_EQ(c("/devices"), root + "/devices");  // only whole components count
}

TEST_F(SyscallTest, ProcSelfExeIsTheGuestProgramButLstatSeesALink) {
  proc.exe_path = "/some/guest/program";
  EXPECT_EQ(host_path_for(proc, "/proc/self/exe"), "/some/guest/program");
  EXPECT_EQ(host_path_for(proc, "/proc/self/exe", false), "/proc/self/exe");
}

}  // namespace
}  // namespace mimic::linux_user
