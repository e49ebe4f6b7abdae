/* File I/O in a scratch folder: read/write/seek, stat fields, directories, links, fcntl. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(void) {
  char dir[] = "mimic-fileio-XXXXXX";
  if (!mkdtemp(dir)) return perror("mkdtemp"), 1;
  if (chdir(dir) != 0) return perror("chdir"), 1;

  int fd = open("a.txt", O_CREAT | O_WRONLY | O_TRUNC, 0640);
  printf("open for write: %s\n", fd >= 0 ? "ok" : strerror(errno));
  const char *text = "line one\nline two\n";
  printf("write: %zd\n", write(fd, text, strlen(text)));
  struct iovec iov[2] = {{"abc", 3}, {"defg\n", 5}};
  printf("writev: %zd\n", writev(fd, iov, 2));
  close(fd);

  fd = open("a.txt", O_RDWR);
  char buf[64] = {0};
  printf("read: %zd\n", read(fd, buf, 8));
  printf("content: '%s'\n", buf);
  printf("lseek end: %ld\n", (long)lseek(fd, 0, SEEK_END));
  memset(buf, 0, sizeof buf);
  printf("pread: %zd '%s'\n", pread(fd, buf, 8, 9), buf);
  printf("pwrite: %zd\n", pwrite(fd, "LINE", 4, 9));
  printf("fcntl O_RDWR: %s\n", (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR ? "yes" : "no");
  printf("cloexec set: %d\n", fcntl(fd, F_SETFD, FD_CLOEXEC) == 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC));
  int fd2 = dup(fd);
  printf("dup gives new fd: %s\n", fd2 > fd ? "yes" : "no");
  close(fd2);

  struct stat st;
  fstat(fd, &st);
  printf("fstat: size=%ld regular=%d mode=%o nlink=%ld\n", (long)st.st_size, S_ISREG(st.st_mode),
         st.st_mode & 0777, (long)st.st_nlink);
  printf("blksize>0: %d blocks>0: %d\n", st.st_blksize > 0, st.st_blocks > 0);
  close(fd);

  printf("ftruncate via truncate: %d\n", truncate("a.txt", 5));
  stat("a.txt", &st);
  printf("size after truncate: %ld\n", (long)st.st_size);

  printf("link: %d\n", link("a.txt", "b.txt"));
  stat("a.txt", &st);
  printf("nlink now: %ld\n", (long)st.st_nlink);
  printf("symlink: %d\n", symlink("a.txt", "c.lnk"));
  char target[64] = {0};
  printf("readlink: %zd '%s'\n", readlink("c.lnk", target, sizeof target - 1), target);
  struct stat lst;
  lstat("c.lnk", &lst);
  printf("lstat is link: %d\n", S_ISLNK(lst.st_mode));
  printf("mkdir sub: %d\n", mkdir("sub", 0755));
  stat("sub", &st);
  printf("sub is dir: %d mode=%o\n", S_ISDIR(st.st_mode), st.st_mode & 0777);
  printf("rename: %d\n", rename("b.txt", "sub/moved.txt"));
  printf("access R_OK: %d\n", access("sub/moved.txt", R_OK));
  printf("access missing: %d errno=%s\n", access("nope", F_OK), errno == ENOENT ? "ENOENT" : "other");
  printf("open missing: %d errno=%s\n", open("nope", O_RDONLY), errno == ENOENT ? "ENOENT" : "other");
  printf("rmdir non-empty: %d errno=%s\n", rmdir("sub"), errno == ENOTEMPTY ? "ENOTEMPTY" : "other");

  DIR *d = opendir(".");
  char *names[16];
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) && n < 16) names[n++] = strdup(e->d_name);
  closedir(d);
  qsort(names, n, sizeof names[0], cmp);
  printf("listing:");
  for (int i = 0; i < n; i++) printf(" %s", names[i]);
  printf("\n");

  char cwd[4096];
  printf("getcwd ends with dir: %d\n", getcwd(cwd, sizeof cwd) && strstr(cwd, "mimic-fileio-") != NULL);
  unlink("c.lnk");
  unlink("a.txt");
  unlink("sub/moved.txt");
  printf("rmdir: %d\n", rmdir("sub"));
  chdir("..");
  printf("rmdir scratch: %d\n", rmdir(dir));

  FILE *f = tmpfile();
  fprintf(f, "%d %s %.3f\n", 42, "stdio", 2.5);
  rewind(f);
  int x;
  char w[16];
  double y;
  printf("fscanf: %d", fscanf(f, "%d %15s %lf", &x, w, &y));
  printf(" -> %d %s %.3f\n", x, w, y);
  fclose(f);
  return 0;
}
