/* The smallest guest program: stdout and a zero exit status. */
#include <stdio.h>

int main(void) {
  printf("Hello, world!\n");
  return 0;
}
