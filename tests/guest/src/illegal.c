/* An illegal instruction with no handler: the program dies with SIGILL. */
#include <stdio.h>

int main(void) {
  printf("before illegal instruction\n");
  fflush(stdout);
#if defined(__arm__)
  __asm__ volatile("udf #0");  // .word 0 is two Thumb MOVS r0, r0
#else
  __asm__ volatile(".word 0x00000000");
#endif
  printf("not reached\n");
  return 0;
}
