/* The code the breakpoint programs (bp.c, bp_linked.c) put their points on: target() adds 1 to
   x0 at target_insn; el0_code, entered at EL0, adds 1 to x1 at el0_insn and makes an SVC. */
#pragma once
#include <stdint.h>

extern char target_insn[], el0_code[], el0_insn[];
uint64_t target(uint64_t x);
__asm__(
    ".globl target\n"
    "target:\n"
    ".globl target_insn\n"
    "target_insn:\n"
    "  add x0, x0, #1\n"
    "  ret\n"
    ".globl el0_code\n"
    "el0_code:\n"
    "  nop\n"
    ".globl el0_insn\n"
    "el0_insn:\n"
    "  add x1, x1, #1\n"
    "  svc #0\n"
    "1: b 1b\n");
