// Stores into the 4 KiB page of their own code: a loop writing words beside its instructions
// (sums checked), then an instruction on that page patched and made visible with DC CVAU / IC
// IVAU, which must run its new encoding. (A soft-MMU that drops a page's translations at every
// store there retranslated this loop each iteration: bench/system.py --codepage.)
#include "lib.h"

// x0 = iterations: stores 3*i into word i % 32 of codepage_data (same page), returns the words' sum.
uint64_t codepage_loop(uint64_t n);
// Returns the immediate of its first instruction (movz x0, #1 until patched).
uint64_t codepage_patch(void);
extern uint32_t codepage_patch_insn[];
__asm__(
    ".section .text.codepage, \"awx\"\n"
    ".balign 4096\n"
    ".global codepage_loop\n"
    "codepage_loop:\n"
    "  adr x1, codepage_data\n"
    "  mov x2, #0\n"
    "1: and x3, x2, #31\n"
    "  add x4, x2, x2, lsl #1\n"
    "  str x4, [x1, x3, lsl #3]\n"
    "  add x2, x2, #1\n"
    "  cmp x2, x0\n"
    "  b.ne 1b\n"
    "  mov x0, #0\n"
    "  mov x2, #0\n"
    "2: ldr x3, [x1, x2, lsl #3]\n"
    "  add x0, x0, x3\n"
    "  add x2, x2, #1\n"
    "  cmp x2, #32\n"
    "  b.ne 2b\n"
    "  ret\n"
    ".balign 256\n"
    "codepage_data: .space 256\n"
    ".global codepage_patch, codepage_patch_insn\n"
    "codepage_patch:\n"
    "codepage_patch_insn: movz x0, #1\n"
    "  ret\n"
    ".text\n");

static void patch(uint32_t insn) {
  codepage_patch_insn[0] = insn;
  __asm__ volatile("dc cvau, %0\n dsb ish\n ic ivau, %0\n dsb ish\n isb" ::"r"(codepage_patch_insn) : "memory");
}

int main(void) {
  show("same_page", ((uint64_t)codepage_loop >> 12) == ((uint64_t)codepage_patch >> 12));
  show("sum_1", codepage_loop(1));
  show("sum_100000", codepage_loop(100000));
  show("sum_300001", codepage_loop(300001));
  show("patch_before", codepage_patch());
  patch(0xd2800000 | (2 << 5));  // movz x0, #2
  show("patch_after", codepage_patch());
  show("sum_again", codepage_loop(1000));  // the loop's block survived the patch beside it
  patch(0xd2800000 | (3 << 5));
  show("patch_again", codepage_patch());
  exit_with(0);
}
