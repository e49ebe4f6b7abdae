/* MADV_DONTNEED over the program's own text: the kernel drops the private file pages and reads
   them from the file again at the next access, so the program keeps running. mimic's loader had
   copied the segments into anonymous memory, which came back as zeros (SIGILL). */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

extern char __executable_start[], etext[];

__attribute__((noinline)) static int work(int x) { return x * 3 + 1; }

int main(void) {
  uintptr_t lo = ((uintptr_t)__executable_start + 4095) & ~(uintptr_t)4095, hi = (uintptr_t)etext & ~(uintptr_t)4095;
  int before = work(13);
  int r = madvise((void*)lo, hi - lo, MADV_DONTNEED);
  printf("madvise(MADV_DONTNEED) over the program's text: %d\n", r);
  printf("the code still runs: %d %d\n", before, work(13));
  return 0;
}
