/* vfork semantics programs rely on: posix_spawn reports a program that cannot be executed as its
   own error (glibc's child writes the exec's errno into the parent's memory, shared through
   CLONE_VM|CLONE_VFORK, then exits 127), and vfork's parent is suspended until the child execs or
   exits, seeing what the child wrote to memory before. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

static volatile int shared_word;
static char shared_text[8192];

static void spawn(const char* what, const char* path, int use_path) {
  pid_t pid = -1;
  char* args[] = {(char*)path, "child", NULL};
  int r = use_path ? posix_spawnp(&pid, path, NULL, NULL, args, environ)
                   : posix_spawn(&pid, path, NULL, NULL, args, environ);
  printf("%s: posix_spawn%s = %s", what, use_path ? "p" : "", r ? strerror(r) : "0");
  if (r == 0) {
    int st = 0;
    waitpid(pid, &st, 0);
    printf(", child exit status %d", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
  }
  printf("\n");
}

/* The protection /proc/self/maps gives the page at p ("rw-p"...), or "none". */
static const char* perms_at(const void* p) {
  static char perms[8];
  strcpy(perms, "none");
  FILE* f = fopen("/proc/self/maps", "r");
  if (!f) return "no maps";
  unsigned long lo, hi;
  char pr[8];
  while (fscanf(f, "%lx-%lx %7s%*[^\n]", &lo, &hi, pr) == 3)
    if ((unsigned long)p >= lo && (unsigned long)p < hi) strcpy(perms, pr);
  fclose(f);
  return perms;
}

static const char* mapped(void* p) { return msync(p, 4096, MS_ASYNC) == 0 ? "mapped" : strerror(errno); }

static char* volatile child_map;
static char* volatile child_shared;
static char* volatile child_file;
static char* volatile child_heap;
static char* volatile moved_to;

/* A vfork child's own mmap, munmap, mprotect, mremap and brk change the parent's address space:
   it is the same one. */
static void child_mappings(const char* self, int exec_after) {
  const int rw = PROT_READ | PROT_WRITE;
  char* gone = mmap(NULL, 3 * 4096, rw, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  char* ro = mmap(NULL, 4096, rw, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  char* mover = mmap(NULL, 2 * 4096, rw, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  char* target = mmap(NULL, 2 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0); /* the move replaces it */
  strcpy(gone, "first page");
  strcpy(gone + 2 * 4096, "third page");
  strcpy(ro, "read-only after the child's mprotect");
  strcpy(mover + 4096, "parent's text on the second page");
  char* heap0 = sbrk(0);
  child_map = child_shared = child_file = child_heap = moved_to = NULL;
  pid_t pid = vfork();
  if (pid == 0) {
    char* p = mmap(NULL, 2 * 4096, rw, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    strcpy(p, "child's private mapping");
    strcpy(p + 4096 + 100, "its second page");
    child_map = p;
    char* s = mmap(NULL, 4096, rw, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    strcpy(s, "child's shared mapping");
    child_shared = s;
    int fd = open(self, O_RDONLY);
    char* f = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    close(fd);
    f[0] = 'E'; /* a private copy of the program's first page, written */
    child_file = f;
    munmap(gone + 4096, 4096);
    mprotect(ro, 4096, PROT_READ);
    strcpy(mover, "child's text, then moved");
    moved_to = mremap(mover, 2 * 4096, 2 * 4096, MREMAP_MAYMOVE | MREMAP_FIXED, target);
    char* h = sbrk(8192);
    if (h != (char*)-1) {
      strcpy(h + 4096, "child's heap");
      child_heap = h;
    }
    if (exec_after) {
      char* args[] = {"vforked", "child", NULL};
      execve(self, args, environ);
    }
    _exit(4);
  }
  int st = 0;
  waitpid(pid, &st, 0);
  printf("%s: child exit status %d\n", exec_after ? "mappings, then exec" : "mappings, then _exit", WEXITSTATUS(st));
  printf("  private mapping: '%s' '%s'\n", child_map ? child_map : "(none)", child_map ? child_map + 4096 + 100 : "");
  printf("  shared mapping: '%s'\n", child_shared ? child_shared : "(none)");
  printf("  file mapping: %.4s (%s)\n", child_file ? child_file : "none", child_file ? perms_at(child_file) : "");
  printf("  munmap: '%s' %s '%s'\n", gone, mapped(gone + 4096), gone + 2 * 4096);
  printf("  mprotect: %s '%s'\n", perms_at(ro), ro);
  printf("  mremap: %s, old place %s, '%s' '%s'\n", moved_to == target ? "moved" : "not moved", mapped(mover),
         moved_to == target ? target : "", moved_to == target ? target + 4096 : "");
  printf("  brk: %s, '%s'\n", sbrk(0) == heap0 + 8192 ? "the child's break" : "another break",
         child_heap ? child_heap + 4096 : "(none)");
  if (child_map) munmap(child_map, 2 * 4096);
  if (child_shared) munmap(child_shared, 4096);
  if (child_file) munmap(child_file, 4096);
  munmap(gone, 3 * 4096);
  munmap(ro, 4096);
  munmap(target, 2 * 4096);
  if (child_heap) sbrk(-8192);
}

int main(int argc, char** argv) {
  if (argc > 1 && strcmp(argv[1], "child") == 0) return 5;
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return 1;
  self[n] = 0;
  char noexec[64];
  snprintf(noexec, sizeof noexec, "/tmp/vfork-noexec-%d", (int)getpid());
  close(open(noexec, O_CREAT | O_WRONLY, 0644));

  spawn("a program", self, 0);
  spawn("a missing file", "/nonexistent/program", 0);
  spawn("a file without execute permission", noexec, 0);
  spawn("a name on no PATH folder", "no-such-program-anywhere", 1);
  unlink(noexec);

  /* The child's stores reach the parent, which runs again only once the child has exited. */
  pid_t pid = vfork();
  if (pid == 0) {
    usleep(100 * 1000);
    shared_word = 42;
    strcpy(shared_text + 4000, "written by the vfork child across a page boundary");
    _exit(3);
  }
  printf("after vfork: word %d, text '%s'\n", shared_word, shared_text + 4000);
  int st = 0;
  waitpid(pid, &st, 0);
  printf("vfork child exit status %d\n", WEXITSTATUS(st));

  /* A child that execs: the parent resumes at the exec. */
  shared_word = 0;
  pid = vfork();
  if (pid == 0) {
    shared_word = 7;
    char* args[] = {"vforked", "child", NULL};
    execve(self, args, environ);
    _exit(126);
  }
  printf("after vfork and exec: word %d\n", shared_word);
  waitpid(pid, &st, 0);
  printf("exec'd child exit status %d\n", WEXITSTATUS(st));

  child_mappings(self, 0);
  child_mappings(self, 1);
  return 0;
}
