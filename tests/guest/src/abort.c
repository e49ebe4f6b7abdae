/* abort(): death by SIGABRT, as the shell reports it. */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  printf("calling abort\n");
  fflush(stdout);
  abort();
}
