# Start-up and the M-mode trap entry of the bare-metal tests: saves every register in a frame,
# calls m_trap(frame) in C, restores the (possibly edited) frame and returns with mret.
  .section .text.init
  .globl _start
_start:
  csrr t0, mhartid
  bnez t0, park
  la sp, stack_top
  la t0, mtrap_stack_top
  csrw mscratch, t0
  la t0, m_trap_entry
  csrw mtvec, t0
  call main
  call test_exit
# Hart 1 waits (MSIP wakes it; MIE stays off, so no trap) until hart 0 sets secondary_entry,
# then runs it on its own stack; every other hart sleeps for good.
park:
  li t1, 1
  bne t0, t1, park_forever
  li t1, 8
  csrs mie, t1
  wfi
  la t1, secondary_entry
  ld t1, 0(t1)
  beqz t1, park
  la sp, secondary_stack_top
  jr t1
park_forever:
  wfi
  j park_forever

  .align 2
  .globl m_trap_entry
m_trap_entry:
  csrrw sp, mscratch, sp
  addi sp, sp, -256
  .irp r, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
  sd x\r, (\r*8)(sp)
  .endr
  csrr t0, mscratch
  sd t0, 16(sp)          # the interrupted sp in slot 2
  addi t0, sp, 256
  csrw mscratch, t0
  mv a0, sp
  call m_trap
  ld t0, 16(sp)
  csrw mscratch, t0      # the interrupted sp back into mscratch, swapped below
  .irp r, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
  ld x\r, (\r*8)(sp)
  .endr
  addi sp, sp, 256
  csrrw sp, mscratch, sp
  mret

# S-mode trap entry: the same frame on the S trap stack (sscratch), s_trap(frame), sret.
  .align 2
  .globl s_trap_entry
s_trap_entry:
  csrrw sp, sscratch, sp
  addi sp, sp, -256
  .irp r, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
  sd x\r, (\r*8)(sp)
  .endr
  csrr t0, sscratch
  sd t0, 16(sp)
  addi t0, sp, 256
  csrw sscratch, t0
  mv a0, sp
  call s_trap
  ld t0, 16(sp)
  csrw sscratch, t0
  .irp r, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
  ld x\r, (\r*8)(sp)
  .endr
  addi sp, sp, 256
  csrrw sp, sscratch, sp
  sret

# run_in_mode(mode, fn, arg): runs fn(arg) in U (0) or S (1) mode; fn returns through
# mode_return, whose ecall the M handler turns back into a return from run_in_mode (via
# resume_m). The M context is kept in m_ctx.
  .globl run_in_mode
run_in_mode:
  la t0, m_ctx
  sd ra, 0(t0)
  sd sp, 8(t0)
  .irp i, 0,1,2,3,4,5,6,7,8,9,10,11
  sd s\i, (16+\i*8)(t0)
  .endr
  li t1, 0x1800
  csrc mstatus, t1
  slli a0, a0, 11
  csrs mstatus, a0
  la t0, mode_offset
  ld t0, 0(t0)
  add a1, a1, t0
  csrw mepc, a1
  mv a0, a2
  la ra, mode_return
  add ra, ra, t0
  mret
  .globl mode_return
mode_return:
  li a7, 0x5a5a
  ecall
  # not reached

# resume_m(value): called by the M handler (any stack): back to run_in_mode's caller in M.
  .globl resume_m
resume_m:
  la t0, m_ctx
  ld ra, 0(t0)
  ld sp, 8(t0)
  .irp i, 0,1,2,3,4,5,6,7,8,9,10,11
  ld s\i, (16+\i*8)(t0)
  .endr
  la t0, mtrap_stack_top
  csrw mscratch, t0
  ret

  .data
  .align 3
  .globl mode_offset
mode_offset: .dword 0
  .globl secondary_entry
secondary_entry: .dword 0

  .bss
  .align 4
m_ctx: .space 128
  .space 8192
stack_top:
  .space 4096
  .globl mtrap_stack_top
mtrap_stack_top:
  .space 4096
  .globl strap_stack_top
strap_stack_top:
  .space 8192
secondary_stack_top:
