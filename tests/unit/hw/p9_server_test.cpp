// The 9P2000.L server against a real temporary folder: what a guest does through it lands on the
// host as the security model says, nothing resolves outside the folder, and malformed requests
// get Rlerror with the errno QEMU's server gives.
#include "hw/fs/p9_server.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "tests/unit/hw/p9_client.h"

using namespace mimic::hw::fs;
using p9test::Client;
using p9test::Msg;
using p9test::Reply;

namespace {
constexpr uint32_t kRdonly = 0, kRdwr = 2, kCreate = 0100, kTrunc = 01000;

struct TempTree {
  std::string root;  // holds share/ and outside/
  std::string share;
  TempTree() {
    char tmpl[] = "/tmp/mimic-p9-XXXXXX";
    root = mkdtemp(tmpl);
    share = root + "/share";
    std::filesystem::create_directories(share + "/sub");
    std::filesystem::create_directories(root + "/outside");
    write(share + "/hello.txt", "hello from the host\n");
    write(root + "/outside/secret.txt", "SECRET\n");
    // Links the host made that lead out of the folder.
    std::filesystem::create_symlink(root + "/outside/secret.txt", share + "/abs-link");
    std::filesystem::create_symlink("../outside/secret.txt", share + "/rel-link");
    std::filesystem::create_symlink("../outside", share + "/dir-link");
    std::filesystem::create_symlink("/proc/self/root", share + "/proc-link");
  }
  ~TempTree() { std::filesystem::remove_all(root); }
  static void write(const std::string& p, const std::string& s) { std::ofstream(p) << s; }
  static std::string slurp(const std::string& p) {
    std::ifstream f(p);
    return std::string(std::istreambuf_iterator<char>(f), {});
  }
};

struct Session {
  TempTree tree;
  P9Server server;
  Client c{server};
  explicit Session(SecurityModel m, bool readonly = false) : server(P9Options{tree.share, m, readonly}) {
    std::string error;
    EXPECT_TRUE(server.open(error)) << error;
    EXPECT_EQ(c.version(), 0u);
    EXPECT_EQ(c.attach(0), 0u);
  }
  uint32_t create(uint32_t dirfid, uint32_t newfid, const std::string& name, uint32_t mode = 0644) {
    EXPECT_EQ(c.walk(dirfid, newfid, {}), 0u);
    return c.call(14, Msg().u32(newfid).str(name).u32(kRdwr | kCreate).u32(mode).u32(100)).errno_value();
  }
};

bool user_xattrs_work(const std::string& dir) {
  std::string p = dir + "/.xattr-probe";
  TempTree::write(p, "");
  bool ok = setxattr(p.c_str(), "user.probe", "1", 1, 0) == 0;
  unlink(p.c_str());
  return ok;
}

TEST(P9Server, VersionNegotiatesMsize) {
  TempTree t;
  P9Server s(P9Options{t.share, SecurityModel::kNone, false});
  std::string e;
  ASSERT_TRUE(s.open(e));
  Client c(s);
  Reply r = c.call(100, Msg().u32(1u << 30).str("9P2000.L"));
  EXPECT_EQ(r.get(4), P9Server::kMaxMsize);
  EXPECT_EQ(r.str(), "9P2000.L");
  r = c.call(100, Msg().u32(16384).str("9P2000.u"));
  EXPECT_EQ(r.get(4), 16384u);
  EXPECT_EQ(r.str(), "unknown");
  EXPECT_EQ(c.call(100, Msg().u32(512).str("9P2000.L")).errno_value(), uint32_t(EMSGSIZE));
}

TEST(P9Server, OpenFailsClearlyForAMissingFolder) {
  P9Server s(P9Options{"/nonexistent/share", SecurityModel::kNone, false});
  std::string e;
  EXPECT_FALSE(s.open(e));
  EXPECT_NE(e.find("/nonexistent/share"), std::string::npos) << e;
}

TEST(P9Server, ReadsWritesAndNamesFiles) {
  Session s(SecurityModel::kNone);
  Client& c = s.c;
  ASSERT_EQ(c.walk(0, 1, {"hello.txt"}), 0u);
  ASSERT_EQ(c.lopen(1, kRdonly), 0u);
  EXPECT_EQ(c.read(1, 0, 4096), "hello from the host\n");
  EXPECT_EQ(c.read(1, 6, 4), "from");
  EXPECT_EQ(c.clunk(1), 0u);

  ASSERT_EQ(s.create(0, 2, "new.txt"), 0u);
  EXPECT_EQ(c.write(2, 0, "guest data"), 0u);
  EXPECT_EQ(c.clunk(2), 0u);
  EXPECT_EQ(TempTree::slurp(s.tree.share + "/new.txt"), "guest data");

  // mkdir, rename into it, readdir sees it, unlinkat removes it.
  EXPECT_FALSE(c.call(72, Msg().u32(0).str("d").u32(0755).u32(0)).is_error());
  ASSERT_EQ(c.walk(0, 3, {"d"}), 0u);
  EXPECT_FALSE(c.call(74, Msg().u32(0).str("new.txt").u32(3).str("moved.txt")).is_error());
  EXPECT_EQ(TempTree::slurp(s.tree.share + "/d/moved.txt"), "guest data");
  ASSERT_EQ(c.walk(3, 4, {}), 0u);
  ASSERT_EQ(c.lopen(4, kRdonly), 0u);
  Reply r = c.call(40, Msg().u32(4).u64(0).u32(4096));
  ASSERT_FALSE(r.is_error());
  std::string listing(r.body.begin(), r.body.end());
  EXPECT_NE(listing.find("moved.txt"), std::string::npos);
  EXPECT_FALSE(c.call(76, Msg().u32(3).str("moved.txt").u32(0)).is_error());
  EXPECT_FALSE(std::filesystem::exists(s.tree.share + "/d/moved.txt"));
  EXPECT_EQ(c.call(76, Msg().u32(0).str("d").u32(0)).errno_value(), uint32_t(EISDIR));
  EXPECT_FALSE(c.call(76, Msg().u32(0).str("d").u32(0x200)).is_error());

  // Truncate through setattr, statfs answers.
  ASSERT_EQ(c.walk(0, 5, {"hello.txt"}), 0u);
  EXPECT_FALSE(c.call(26, Msg().u32(5).u32(8).u32(0).u32(0).u32(0).u64(5).u64(0).u64(0).u64(0).u64(0)).is_error());
  EXPECT_EQ(TempTree::slurp(s.tree.share + "/hello.txt"), "hello");
  r = c.call(8, Msg().u32(0));
  EXPECT_EQ(r.get(4), 0x01021997u);
}

void nothing_resolves_outside(bool openat2) {
  ConfinedDir::set_openat2(openat2);
  Session s(SecurityModel::kNone);
  Client& c = s.c;
  // ".." at the folder stays at the folder.
  uint16_t n = 0;
  ASSERT_EQ(c.walk(0, 1, {"..", "..", "outside"}, &n), 0u);
  EXPECT_EQ(n, 2);                                // a partial walk: "outside" is not there
  EXPECT_EQ(c.walk(1, 9, {}), uint32_t(ENOENT));  // and fid 1 was not made
  EXPECT_EQ(c.walk(0, 1, {"outside"}), uint32_t(ENOENT));
  ASSERT_EQ(c.walk(0, 1, {"..", "..", "hello.txt"}, &n), 0u);
  EXPECT_EQ(n, 3);
  // Names with '/' are refused.
  EXPECT_EQ(c.walk(0, 2, {"../outside/secret.txt"}), uint32_t(ENOENT));
  EXPECT_EQ(c.walk(0, 2, {"sub/../hello.txt"}), uint32_t(ENOENT));
  // Host symlinks are links: walking onto them works (the client reads them), through them not,
  // and opening one is ELOOP.
  for (const char* link : {"abs-link", "rel-link", "proc-link", "dir-link"}) {
    ASSERT_EQ(c.walk(0, 3, {link}), 0u) << link;
    p9test::Client::Attr a = c.getattr(3);
    EXPECT_TRUE(S_ISLNK(a.mode)) << link;
    EXPECT_EQ(c.lopen(3, kRdonly), uint32_t(ELOOP)) << link;
    EXPECT_EQ(c.clunk(3), 0u);
  }
  EXPECT_EQ(c.walk(0, 4, {"dir-link", "secret.txt"}, &n), 0u);  // a partial walk: only the link
  EXPECT_EQ(n, 1);
  EXPECT_EQ(c.walk(4, 5, {}), uint32_t(ENOENT));  // newfid 4 was not made
  EXPECT_EQ(c.walk(0, 5, {"proc-link", "etc"}, &n), 0u);
  EXPECT_EQ(n, 1);
  // A guest-made symlink to the host's secret is stored verbatim and never followed.
  Reply r = c.call(16, Msg().u32(0).str("guest-link").str(s.tree.root + "/outside/secret.txt").u32(0));
  ASSERT_FALSE(r.is_error());
  ASSERT_EQ(c.walk(0, 6, {"guest-link"}), 0u);
  EXPECT_EQ(c.lopen(6, kRdonly), uint32_t(ELOOP));
  r = c.call(22, Msg().u32(6));
  EXPECT_EQ(r.str(), s.tree.root + "/outside/secret.txt");
  // Creating through a symlinked directory: the link is not a directory to the server.
  ASSERT_EQ(c.walk(0, 7, {"dir-link"}), 0u);
  EXPECT_NE(c.call(14, Msg().u32(7).str("x").u32(kRdwr | kCreate).u32(0644).u32(0)).errno_value(), 0u);
  EXPECT_FALSE(std::filesystem::exists(s.tree.root + "/outside/x"));
  // A hard link of a host symlink names the link, not its target.
  ASSERT_EQ(c.walk(0, 8, {"abs-link"}), 0u);
  EXPECT_FALSE(c.call(70, Msg().u32(0).u32(8).str("hl")).is_error());
  EXPECT_TRUE(std::filesystem::is_symlink(s.tree.share + "/hl"));
  EXPECT_EQ(TempTree::slurp(s.tree.root + "/outside/secret.txt"), "SECRET\n");
  ConfinedDir::set_openat2(true);
}

TEST(P9Server, NothingResolvesOutsideTheFolder) { nothing_resolves_outside(true); }
// The same through the O_NOFOLLOW walk kernels without openat2 get.
TEST(P9Server, NothingResolvesOutsideTheFolderWithoutOpenat2) { nothing_resolves_outside(false); }

TEST(P9Server, MappedXattrKeepsTheGuestsOwnersInXattrs) {
  Session s(SecurityModel::kMappedXattr);
  if (!user_xattrs_work(s.tree.share)) GTEST_SKIP() << "the temporary folder has no user xattrs";
  Client& c = s.c;
  ASSERT_EQ(s.create(0, 1, "owned.txt", 0640), 0u);
  struct stat host;
  ASSERT_EQ(stat((s.tree.share + "/owned.txt").c_str(), &host), 0);
  EXPECT_EQ(host.st_uid, getuid());
  EXPECT_EQ(host.st_mode & 07777, 0600u);
  p9test::Client::Attr a = c.getattr(1);
  EXPECT_EQ(a.uid, 1000u);  // the attaching user
  EXPECT_EQ(a.gid, 100u);
  EXPECT_EQ(a.mode, uint32_t(S_IFREG | 0640));
  // chown and chmod change the xattrs only.
  EXPECT_FALSE(c.call(26, Msg().u32(1).u32(1 | 2 | 4).u32(0700).u32(4242).u32(4343).u64(0).u64(0).u64(0).u64(0).u64(0))
                   .is_error());
  a = c.getattr(1);
  EXPECT_EQ(a.uid, 4242u);
  EXPECT_EQ(a.gid, 4343u);
  EXPECT_EQ(a.mode, uint32_t(S_IFREG | 0700));
  ASSERT_EQ(stat((s.tree.share + "/owned.txt").c_str(), &host), 0);
  EXPECT_EQ(host.st_uid, getuid());
  uint32_t stored = 0;
  EXPECT_EQ(getxattr((s.tree.share + "/owned.txt").c_str(), "user.virtfs.uid", &stored, 4), 4);
  EXPECT_EQ(stored, 4242u);
  // A guest symlink is a regular host file holding the target.
  ASSERT_FALSE(c.call(16, Msg().u32(0).str("sl").str("/etc/passwd").u32(0)).is_error());
  EXPECT_FALSE(std::filesystem::is_symlink(s.tree.share + "/sl"));
  EXPECT_EQ(TempTree::slurp(s.tree.share + "/sl"), "/etc/passwd");
  ASSERT_EQ(c.walk(0, 2, {"sl"}), 0u);
  a = c.getattr(2);
  EXPECT_TRUE(S_ISLNK(a.mode));
  EXPECT_EQ(a.qid_type, 0x02);
  EXPECT_EQ(c.call(22, Msg().u32(2)).str(), "/etc/passwd");
  // A device node is a regular file too.
  ASSERT_FALSE(c.call(18, Msg().u32(0).str("null").u32(S_IFCHR | 0666).u32(1).u32(3).u32(0)).is_error());
  EXPECT_TRUE(std::filesystem::is_regular_file(s.tree.share + "/null"));
  // The guest cannot see or set user.virtfs.*.
  Reply r = c.call(30, Msg().u32(1).u32(3).str(""));
  ASSERT_FALSE(r.is_error());
  EXPECT_EQ(r.get(8), 0u);
  EXPECT_EQ(c.call(30, Msg().u32(1).u32(4).str("user.virtfs.uid")).errno_value(), uint32_t(ENODATA));
  ASSERT_EQ(c.walk(0, 5, {"owned.txt"}), 0u);
  EXPECT_EQ(c.call(32, Msg().u32(5).str("user.virtfs.uid").u64(4).u32(0)).errno_value(), uint32_t(EACCES));
}

TEST(P9Server, XattrsRoundTrip) {
  Session s(SecurityModel::kNone);
  if (!user_xattrs_work(s.tree.share)) GTEST_SKIP() << "the temporary folder has no user xattrs";
  Client& c = s.c;
  ASSERT_EQ(c.walk(0, 1, {"hello.txt"}), 0u);
  ASSERT_EQ(c.walk(1, 2, {}), 0u);
  ASSERT_FALSE(c.call(32, Msg().u32(2).str("user.test").u64(5).u32(0)).is_error());
  EXPECT_EQ(c.write(2, 0, "value"), 0u);
  EXPECT_EQ(c.clunk(2), 0u);
  char buf[16] = {};
  EXPECT_EQ(getxattr((s.tree.share + "/hello.txt").c_str(), "user.test", buf, sizeof buf), 5);
  EXPECT_STREQ(buf, "value");
  Reply r = c.call(30, Msg().u32(1).u32(3).str("user.test"));
  ASSERT_FALSE(r.is_error());
  EXPECT_EQ(r.get(8), 5u);
  EXPECT_EQ(c.read(3, 0, 100), "value");
}

TEST(P9Server, MappedFileHidesItsMetadata) {
  Session s(SecurityModel::kMappedFile);
  Client& c = s.c;
  ASSERT_FALSE(c.call(72, Msg().u32(0).str("dir").u32(0750).u32(7)).is_error());
  ASSERT_EQ(c.walk(0, 1, {"dir"}), 0u);
  p9test::Client::Attr a = c.getattr(1);
  EXPECT_EQ(a.mode, uint32_t(S_IFDIR | 0750));
  EXPECT_EQ(a.uid, 1000u);
  EXPECT_EQ(a.gid, 7u);
  EXPECT_NE(TempTree::slurp(s.tree.share + "/.virtfs_metadata/dir").find("virtfs.mode="), std::string::npos);
  EXPECT_EQ(c.walk(0, 2, {".virtfs_metadata"}), uint32_t(ENOENT));
  EXPECT_EQ(c.call(72, Msg().u32(0).str(".virtfs_metadata").u32(0755).u32(0)).errno_value(), uint32_t(EACCES));
  ASSERT_EQ(c.walk(0, 3, {}), 0u);
  ASSERT_EQ(c.lopen(3, kRdonly), 0u);
  Reply r = c.call(40, Msg().u32(3).u64(0).u32(8192));
  std::string listing(r.body.begin(), r.body.end());
  EXPECT_EQ(listing.find(".virtfs_metadata"), std::string::npos);
  EXPECT_NE(listing.find("dir"), std::string::npos);
  // Removing the directory takes its metadata along.
  EXPECT_FALSE(c.call(76, Msg().u32(0).str("dir").u32(0x200)).is_error());
  EXPECT_FALSE(std::filesystem::exists(s.tree.share + "/.virtfs_metadata/dir"));
}

TEST(P9Server, ReadonlyRefusesEveryChange) {
  Session s(SecurityModel::kNone, true);
  Client& c = s.c;
  ASSERT_EQ(c.walk(0, 1, {"hello.txt"}), 0u);
  EXPECT_EQ(c.lopen(1, kRdwr), uint32_t(EROFS));
  EXPECT_EQ(c.lopen(1, kRdonly | kTrunc), uint32_t(EROFS));
  EXPECT_EQ(c.lopen(1, kRdonly), 0u);
  EXPECT_EQ(c.read(1, 0, 5), "hello");
  EXPECT_EQ(s.create(0, 2, "x"), uint32_t(EROFS));
  EXPECT_EQ(c.call(72, Msg().u32(0).str("d").u32(0755).u32(0)).errno_value(), uint32_t(EROFS));
  EXPECT_EQ(c.call(76, Msg().u32(0).str("hello.txt").u32(0)).errno_value(), uint32_t(EROFS));
  EXPECT_EQ(c.call(26, Msg().u32(1).u32(8).u32(0).u32(0).u32(0).u64(0).u64(0).u64(0).u64(0).u64(0)).errno_value(),
            uint32_t(EROFS));
  EXPECT_TRUE(std::filesystem::exists(s.tree.share + "/hello.txt"));
}

TEST(P9Server, MalformedRequestsGetRlerror) {
  Session s(SecurityModel::kNone);
  Client& c = s.c;
  // Unknown fids.
  EXPECT_EQ(c.walk(77, 78, {"hello.txt"}), uint32_t(ENOENT));
  EXPECT_EQ(c.lopen(77, kRdonly), uint32_t(ENOENT));
  EXPECT_EQ(c.clunk(77), uint32_t(ENOENT));
  // A fid already in use.
  EXPECT_EQ(c.attach(0), uint32_t(EEXIST));
  // Short bodies.
  EXPECT_EQ(c.call(110, Msg().u32(0)).errno_value(), uint32_t(EINVAL));
  EXPECT_EQ(c.call(24, Msg().u16(0)).errno_value(), uint32_t(EINVAL));
  // A string running past the message.
  EXPECT_EQ(c.call(110, Msg().u32(0).u32(1).u16(1).u16(500).raw("abc")).errno_value(), uint32_t(EINVAL));
  // Too many walk elements.
  std::vector<std::string> many(17, "sub");
  EXPECT_EQ(c.walk(0, 1, many), uint32_t(EINVAL));
  // A write whose count is past the message.
  ASSERT_EQ(c.walk(0, 2, {"hello.txt"}), 0u);
  ASSERT_EQ(c.lopen(2, kRdwr), 0u);
  EXPECT_EQ(c.call(118, Msg().u32(2).u64(0).u32(1u << 31).raw("xy")).errno_value(), uint32_t(EINVAL));
  // A huge read is cut to what the reply can hold.
  ASSERT_EQ(c.write(2, 0, std::string(200, 'x')), 0u);
  Reply r = c.call(116, Msg().u32(2).u64(0).u32(~0u), 64);
  ASSERT_FALSE(r.is_error());
  EXPECT_EQ(r.get(4), 64u - 11u);
  // Reading at an absurd offset is not a crash.
  EXPECT_EQ(c.call(116, Msg().u32(2).u64(~0ull).u32(10)).errno_value(), uint32_t(EINVAL));
  // An xattr too large, an unknown message type, and a size field larger than the message.
  EXPECT_EQ(c.call(32, Msg().u32(0).str("user.x").u64(1ull << 40).u32(0)).errno_value(), uint32_t(E2BIG));
  EXPECT_EQ(c.call(2, Msg()).errno_value(), uint32_t(EOPNOTSUPP));
  std::vector<uint8_t> bad = {0xff, 0, 0, 0, 110, 1, 0}, out;
  s.server.handle(bad.data(), bad.size(), 4096, out);
  ASSERT_EQ(out.size(), 11u);
  EXPECT_EQ(out[4], 7);
}
}  // namespace
