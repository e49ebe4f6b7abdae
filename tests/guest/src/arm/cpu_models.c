/* The CPU model a 32-bit Arm program sees: uname -m, AT_PLATFORM, AT_HWCAP, and whether ARMv7's
 * instructions exist (SIGILL on an ARMv6 CPU). Built for ARMv5TE (armel) so every CPU runs it. */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/utsname.h>

static sigjmp_buf env;
static void on_ill(int sig) { siglongjmp(env, sig); }

/* Each probe is one A32 word, run from a small buffer-free function via .inst. */
#define PROBE(name, insn)                                                       \
  static int name(void) {                                                       \
    if (sigsetjmp(env, 1)) return 0;                                            \
    __asm__ volatile(".inst " #insn "\n" ::: "r0", "r1", "r2", "memory", "cc"); \
    return 1;                                                                   \
  }
PROBE(has_movw, 0xe3010234)  /* movw r0, #0x1234 */
PROBE(has_sdiv, 0xe710f110)  /* sdiv r0, r0, r1 (r1 set below) */
PROBE(has_dmb, 0xf57ff05f)   /* dmb sy */
PROBE(has_ubfx, 0xe7e70050)  /* ubfx r0, r0, #0, #8 */
PROBE(has_ldrex, 0xe1900f9f) /* ldrex r0, [r0]: ARMv6 */
PROBE(has_rev, 0xe6bf0f30)   /* rev r0, r0: ARMv6 */

int main(void) {
  struct utsname u;
  uname(&u);
  printf("machine %s platform %s\n", u.machine, (const char*)getauxval(AT_PLATFORM));
  unsigned long hw = getauxval(AT_HWCAP);
  printf("hwcap half=%d thumb=%d vfp=%d edsp=%d tls=%d vfpv3=%d idiva=%d\n", !!(hw & 2), !!(hw & 4),
         !!(hw & 64), !!(hw & 128), !!(hw & (1 << 15)), !!(hw & (1 << 13)), !!(hw & (1 << 17)));
  signal(SIGILL, on_ill);
  static int word = 5;
  register int *r0 __asm__("r0") = &word;
  (void)r0;
  printf("movw %d ubfx %d dmb %d rev %d\n", has_movw(), has_ubfx(), has_dmb(), has_rev());
  __asm__ volatile("mov r1, #1" ::: "r1");
  printf("sdiv %d\n", has_sdiv());
  (void)has_ldrex;
  return 0;
}
