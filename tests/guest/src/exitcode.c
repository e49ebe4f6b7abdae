/* Exit statuses from nested calls and atexit handlers. */
#include <stdio.h>
#include <stdlib.h>

static void bye(void) { printf("atexit handler ran\n"); }
static void deep(int n) {
  if (n == 0) exit(77);
  deep(n - 1);
}
int main(void) {
  atexit(bye);
  printf("going deep\n");
  deep(100);
  return 1;
}
