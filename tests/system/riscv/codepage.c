// Stores into the 4 KiB page of their own code: a loop writing words beside its instructions
// (sums checked), then an instruction on that page patched and made visible with FENCE.I, which
// must run its new encoding. (A soft-MMU that drops a page's translations at every store there
// retranslated this loop each iteration.)
#include "lib.h"

// a0 = iterations: stores 3*i into word i % 32 of codepage_data (same page), returns the words' sum.
uint64_t codepage_loop(uint64_t n);
// Returns the immediate of its first instruction (li a0, 1 until patched).
uint64_t codepage_patch(void);
extern uint32_t codepage_patch_insn[];
__asm__(
    ".section .text.codepage, \"awx\"\n"
    ".balign 4096\n"
    ".option push\n"
    ".option norvc\n"
    ".global codepage_loop\n"
    "codepage_loop:\n"
    "  lla t1, codepage_data\n"
    "  li t2, 0\n"
    "1: andi t3, t2, 31\n"
    "  slli t3, t3, 3\n"
    "  add t3, t3, t1\n"
    "  slli t4, t2, 1\n"
    "  add t4, t4, t2\n"
    "  sd t4, 0(t3)\n"
    "  addi t2, t2, 1\n"
    "  bne t2, a0, 1b\n"
    "  li a0, 0\n"
    "  li t2, 0\n"
    "  li t5, 32\n"
    "2: ld t3, 0(t1)\n"
    "  add a0, a0, t3\n"
    "  addi t1, t1, 8\n"
    "  addi t2, t2, 1\n"
    "  bne t2, t5, 2b\n"
    "  ret\n"
    ".balign 256\n"
    "codepage_data: .space 256\n"
    ".global codepage_patch, codepage_patch_insn\n"
    "codepage_patch:\n"
    "codepage_patch_insn: addi a0, zero, 1\n"
    "  ret\n"
    ".option pop\n"
    ".text\n");

static void patch(uint32_t insn) {
  codepage_patch_insn[0] = insn;
  __asm__ volatile("fence.i" ::: "memory");
}

int main(void) {
  show("same_page", ((uint64_t)codepage_loop >> 12) == ((uint64_t)codepage_patch >> 12));
  show("sum_1", codepage_loop(1));
  show("sum_100000", codepage_loop(100000));
  show("sum_300001", codepage_loop(300001));
  show("patch_before", codepage_patch());
  patch(0x00200513);  // addi a0, zero, 2
  show("patch_after", codepage_patch());
  show("sum_again", codepage_loop(1000));  // the loop's block survived the patch beside it
  patch(0x00300513);
  show("patch_again", codepage_patch());
  return 0;
}
