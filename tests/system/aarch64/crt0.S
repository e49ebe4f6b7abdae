// Entry of the bare-metal programs: stack, bss, FP enabled, then main(); main's return value is
// printed and the machine powered off through PSCI SYSTEM_OFF (HVC, QEMU virt's conduit).
    .section .text.start
    .global _start
_start:
    ldr x1, =__stack_top
    mov sp, x1
    ldr x1, =vectors
    msr vbar_el1, x1
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

// The vector tables: every entry saves x0-x30 and calls trap(kind, frame) (EL1's table) or
// trap_el2(kind, frame) (vectors_el2, for programs that run at EL2) with kind = the entry's
// index (0-15: current EL SP0, current EL SPx, lower EL AArch64, lower EL AArch32; sync, IRQ,
// FIQ, SError each); the handler returns the ELR to resume at.
    .macro VENTRY kind, common=trap_common
    .balign 0x80
    sub sp, sp, #256
    stp x0, x1, [sp, #0]
    stp x2, x3, [sp, #16]
    stp x4, x5, [sp, #32]
    stp x6, x7, [sp, #48]
    stp x8, x9, [sp, #64]
    stp x10, x11, [sp, #80]
    stp x12, x13, [sp, #96]
    stp x14, x15, [sp, #112]
    stp x16, x17, [sp, #128]
    stp x18, x30, [sp, #144]
    mov x0, #\kind
    mov x1, sp
    b \common
    .endm

    .balign 0x800
    .global vectors
vectors:
    VENTRY 0
    VENTRY 1
    VENTRY 2
    VENTRY 3
    VENTRY 4
    VENTRY 5
    VENTRY 6
    VENTRY 7
    VENTRY 8
    VENTRY 9
    VENTRY 10
    VENTRY 11
    VENTRY 12
    VENTRY 13
    VENTRY 14
    VENTRY 15

    .balign 0x800
    .global vectors_el2
vectors_el2:
    .irp kind, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
    VENTRY \kind, trap_common_el2
    .endr

trap_common_el2:
    bl trap_el2
    msr elr_el2, x0
    b restore

// The same for EL3 (programs run with -M virt,secure=on point VBAR_EL3 at it).
    .balign 0x800
    .global vectors_el3
vectors_el3:
    .irp kind, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
    VENTRY \kind, trap_common_el3
    .endr

trap_common_el3:
    bl trap_el3
    msr elr_el3, x0
    b restore

trap_common:
    bl trap
    msr elr_el1, x0
restore:
    ldp x0, x1, [sp, #0]
    ldp x2, x3, [sp, #16]
    ldp x4, x5, [sp, #32]
    ldp x6, x7, [sp, #48]
    ldp x8, x9, [sp, #64]
    ldp x10, x11, [sp, #80]
    ldp x12, x13, [sp, #96]
    ldp x14, x15, [sp, #112]
    ldp x16, x17, [sp, #128]
    ldp x18, x30, [sp, #144]
    add sp, sp, #256
    eret
