/* An illegal instruction with no handler: the program dies with SIGILL. */
#include <stdio.h>

int main(void) {
  printf("before illegal instruction\n");
  fflush(stdout);
  __asm__ volatile(".word 0x00000000");
  printf("not reached\n");
  return 0;
}
