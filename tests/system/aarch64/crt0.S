// Entry of the bare-metal programs: stack, bss, FP enabled, then main(); main's return value is
// printed and the machine powered off through PSCI SYSTEM_OFF (HVC, QEMU virt's conduit).
    .section .text.start
    .global _start
_start:
    ldr x1, =__stack_top
    mov sp, x1
    mrs x1, cpacr_el1
    orr x1, x1, #(3 << 20)
    msr cpacr_el1, x1
    isb
    ldr x1, =__bss_start
    ldr x2, =__bss_end
1:  cmp x1, x2
    b.hs 2f
    str xzr, [x1], #8
    b 1b
2:  bl main
    bl exit_with
3:  b 3b
