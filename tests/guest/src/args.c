/* argv, an environment variable, and the auxiliary vector as glibc sees it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

int main(int argc, char **argv, char **envp) {
  printf("argc=%d\n", argc);
  for (int i = 1; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
  const char *v = getenv("MIMIC_GUEST_TEST");
  printf("MIMIC_GUEST_TEST=%s\n", v ? v : "(unset)");
  int n = 0;
  for (char **e = envp; *e; e++) n++;
  printf("envp has entries: %s\n", n > 0 ? "yes" : "no");
  printf("argv[argc] is NULL: %s\n", argv[argc] == NULL ? "yes" : "no");
  printf("AT_PAGESZ=%lu\n", getauxval(AT_PAGESZ));
  printf("AT_PHENT=%lu\n", getauxval(AT_PHENT));
  printf("AT_PHNUM>0: %s\n", getauxval(AT_PHNUM) > 0 ? "yes" : "no");
  printf("AT_ENTRY!=0: %s\n", getauxval(AT_ENTRY) != 0 ? "yes" : "no");
  unsigned long hw = getauxval(AT_HWCAP);
#if defined(__aarch64__)
  /* The base every arm64 Linux program may assume (the kernel sets them on any ARMv8-A CPU). */
  printf("AT_HWCAP has: fp %d asimd %d\n", (int)(hw & 1), (int)((hw >> 1) & 1));
#else
  const char *letters = "IMAFDC";
  printf("AT_HWCAP has:");
  for (const char *l = letters; *l; l++)
    if (hw & (1ul << (*l - 'A'))) printf(" %c", *l);
  printf("\n");
#endif
  const char *plat = (const char *)getauxval(AT_PLATFORM);
  printf("AT_PLATFORM=%s\n", plat ? plat : "(none)");
  const unsigned char *rnd = (const unsigned char *)getauxval(AT_RANDOM);
  printf("AT_RANDOM present: %s\n", rnd ? "yes" : "no");
  const char *fn = (const char *)getauxval(AT_EXECFN);
  const char *slash = fn ? strrchr(fn, '/') : NULL;
  printf("AT_EXECFN ends with: %s\n", slash ? slash + 1 : fn ? fn : "(none)");
  printf("AT_UID matches: %s\n", getauxval(AT_UID) == (unsigned long)getuid() ? "yes" : "no");
  printf("AT_SECURE=%lu\n", getauxval(AT_SECURE));
  int local;
#if defined(__arm__)
  // AAPCS keeps sp 8-byte aligned at calls (16 is not promised, and the frame address depends on
  // ARM/Thumb code generation): sp in main's body shows whether the initial sp was aligned.
  uintptr_t sp;
  __asm__ volatile("mov %0, sp" : "=r"(sp));
  printf("stack 8-aligned in main: %s\n", (sp & 7) == 0 ? "yes" : "no");
#else
  printf("stack 16-aligned at main: %s\n", ((uintptr_t)__builtin_frame_address(0) & 15) == 0 ? "yes" : "no");
#endif
  (void)local;
  return argc;
}
