/* The mount API of Linux 5.2 (fsopen, fsconfig, fsmount, move_mount, open_tree, fspick,
   mount_setattr), which util-linux 2.39's mount(8) tries first, as in a chroot's second stage or a
   maintainer script: a tmpfs made, mounted, cloned, made read-only and resized, in fresh user and
   mount namespaces (no privilege needed, nothing changed outside). Expected output: the x86
   kernel's own run. Prints "SKIP: ..." where the host offers no user namespaces. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *err(long r) { return r >= 0 ? "ok" : strerrorname_np(errno); }

/* Root inside the new user namespace: uid and gid are the ones from before unshare. */
static int map_ids(uid_t uid, gid_t gid) {
  char map[64];
  const char *files[3] = {"/proc/self/setgroups", "/proc/self/uid_map", "/proc/self/gid_map"};
  unsigned ids[3] = {0, (unsigned)uid, (unsigned)gid};
  for (int i = 0; i < 3; i++) {
    snprintf(map, sizeof map, i == 0 ? "deny" : "0 %u 1", ids[i]);
    int fd = open(files[i], O_WRONLY);
    if (fd < 0 || write(fd, map, strlen(map)) != (ssize_t)strlen(map)) return 0;
    close(fd);
  }
  return 1;
}

static long tmpfs_bytes(const char *dir) {
  struct statfs sf;
  if (statfs(dir, &sf) != 0 || sf.f_type != 0x01021994) return -1;
  return (long)(sf.f_blocks * sf.f_bsize);
}

static const char *can_create(const char *dir) {
  char f[128];
  snprintf(f, sizeof f, "%s/new", dir);
  int fd = open(f, O_CREAT | O_WRONLY, 0644);
  if (fd < 0) return strerrorname_np(errno);
  close(fd);
  unlink(f);
  return "yes";
}

int main(void) {
  uid_t uid = getuid();
  gid_t gid = getgid();
  if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) {
    printf("SKIP: no user namespaces here (unshare: %s)\n", strerrorname_np(errno));
    return 0;
  }
  printf("id maps written: %s\n", map_ids(uid, gid) ? "yes" : "no");
  mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
  char base[] = "/tmp/mimic-mountapi-XXXXXX";
  if (!mkdtemp(base)) return 1;
  char a[64], b[64], f[96];
  snprintf(a, sizeof a, "%s/a", base);
  snprintf(b, sizeof b, "%s/b", base);
  mkdir(a, 0755);
  mkdir(b, 0755);

  long r = syscall(SYS_fsopen, "no-such-fs", FSOPEN_CLOEXEC);
  printf("fsopen of an unknown type: %s\n", err(r));
  int fs = (int)syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC);
  printf("fsopen tmpfs: %s, close-on-exec %s\n", err(fs), fs >= 0 && (fcntl(fs, F_GETFD) & FD_CLOEXEC) ? "yes" : "no");
  printf("fsconfig size=64k: %s\n", err(syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "size", "64k", 0)));
  printf("fsconfig mode=0777: %s\n", err(syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "mode", "0777", 0)));
  printf("fsconfig unknown flag: %s\n", err(syscall(SYS_fsconfig, fs, FSCONFIG_SET_FLAG, "no-such-option", NULL, 0)));
  printf("fsconfig flag with a value: %s\n", err(syscall(SYS_fsconfig, fs, FSCONFIG_SET_FLAG, "ro", "x", 0)));
  printf("fsconfig binary without a value: %s\n", err(syscall(SYS_fsconfig, fs, FSCONFIG_SET_BINARY, "size", NULL, 4)));
  printf("fsconfig source by path: %s\n", err(syscall(SYS_fsconfig, fs, FSCONFIG_SET_PATH, "source", a, AT_FDCWD)));
  printf("fsconfig unknown command: %s\n", err(syscall(SYS_fsconfig, fs, 99, NULL, NULL, 0)));
  printf("fsconfig create: %s\n", err(syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0)));
  int mnt = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NODEV);
  printf("fsmount: %s\n", err(mnt));
  printf("move_mount onto a: %s\n", err(syscall(SYS_move_mount, mnt, "", AT_FDCWD, a, MOVE_MOUNT_F_EMPTY_PATH)));
  printf("a is a 64 KiB tmpfs: %s\n", tmpfs_bytes(a) == 64 * 1024 ? "yes" : "no");
  snprintf(f, sizeof f, "%s/file", a);
  int fd = open(f, O_CREAT | O_WRONLY, 0644);
  if (fd >= 0) close(fd);

  int tree = (int)syscall(SYS_open_tree, AT_FDCWD, a, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  printf("open_tree clone of a: %s\n", err(tree));
  r = syscall(SYS_move_mount, tree, "", AT_FDCWD, b, MOVE_MOUNT_F_EMPTY_PATH);
  snprintf(f, sizeof f, "%s/file", b);
  printf("move_mount of the clone onto b: %s, a's file seen there %s\n", err(r), access(f, F_OK) == 0 ? "yes" : "no");
  struct mount_attr ro = {.attr_set = MOUNT_ATTR_RDONLY};
  printf("mount_setattr b read-only: %s\n", err(syscall(SYS_mount_setattr, AT_FDCWD, b, 0, &ro, sizeof ro)));
  printf("create in b: %s, in a: %s\n", can_create(b), can_create(a));
  printf("mount_setattr of a bad size: %s\n", err(syscall(SYS_mount_setattr, AT_FDCWD, b, 0, &ro, 3)));
  close(tree);
  close(mnt);
  close(fs);
  printf("umount2 b: %s\n", err(umount2(b, 0)));

  int pick = (int)syscall(SYS_fspick, AT_FDCWD, a, FSPICK_CLOEXEC);
  printf("fspick a: %s\n", err(pick));
  printf("fsconfig size=128k: %s\n", err(syscall(SYS_fsconfig, pick, FSCONFIG_SET_STRING, "size", "128k", 0)));
  printf("fsconfig reconfigure: %s\n", err(syscall(SYS_fsconfig, pick, FSCONFIG_CMD_RECONFIGURE, NULL, NULL, 0)));
  printf("a is a 128 KiB tmpfs: %s\n", tmpfs_bytes(a) == 128 * 1024 ? "yes" : "no");
  close(pick);
  printf("fspick of a missing folder: %s\n", err(syscall(SYS_fspick, AT_FDCWD, "/nonexistent-mimic", 0)));
  printf("move_mount from a bad descriptor: %s\n", err(syscall(SYS_move_mount, 999, "", AT_FDCWD, b, MOVE_MOUNT_F_EMPTY_PATH)));
  printf("umount2 a: %s\n", err(umount2(a, 0)));
  snprintf(f, sizeof f, "%s/file", a);
  printf("a's file gone: %s\n", access(f, F_OK) != 0 ? "yes" : "no");
  rmdir(a);
  rmdir(b);
  rmdir(base);
  return 0;
}
