/* A store through NULL with no handler: the program dies with SIGSEGV. */
#include <stdio.h>

int main(void) {
  printf("before the fault\n");
  fflush(stdout);
  volatile int *p = (volatile int *)0;
  *p = 1;
  printf("not reached\n");
  return 0;
}
