// Shared support of the bare-metal RISC-V tests: UART output, exit through the SiFive test
// device, CSR access macros, and trap recording (the M and S handlers in lib.c).
#pragma once

#include <stdint.h>

#define CSR_READ(name)                              \
  ({                                                \
    uint64_t v_;                                    \
    __asm__ volatile("csrr %0, " #name : "=r"(v_)); \
    v_;                                             \
  })
#define CSR_WRITE(name, v) __asm__ volatile("csrw " #name ", %0" ::"r"((uint64_t)(v)) : "memory")
#define CSR_SET(name, v) __asm__ volatile("csrs " #name ", %0" ::"r"((uint64_t)(v)) : "memory")
#define CSR_CLEAR(name, v) __asm__ volatile("csrc " #name ", %0" ::"r"((uint64_t)(v)) : "memory")
#define CSR_SWAP(name, v)                                                                   \
  ({                                                                                        \
    uint64_t v_;                                                                            \
    __asm__ volatile("csrrw %0, " #name ", %1" : "=r"(v_) : "r"((uint64_t)(v)) : "memory"); \
    v_;                                                                                     \
  })

#define MSTATUS_SIE (1ull << 1)
#define MSTATUS_MIE (1ull << 3)
#define MSTATUS_SPIE (1ull << 5)
#define MSTATUS_MPIE (1ull << 7)
#define MSTATUS_SPP (1ull << 8)
#define MSTATUS_MPP (3ull << 11)
#define MSTATUS_FS (3ull << 13)
#define MSTATUS_MPRV (1ull << 17)
#define MSTATUS_SUM (1ull << 18)
#define MSTATUS_MXR (1ull << 19)
#define MSTATUS_TVM (1ull << 20)
#define MSTATUS_TW (1ull << 21)
#define MSTATUS_TSR (1ull << 22)

#define UART0 ((volatile uint8_t*)0x10000000)
#define CLINT_MSIP(h) ((volatile uint32_t*)(0x2000000 + 4 * (h)))
#define CLINT_MTIMECMP(h) ((volatile uint64_t*)(0x2004000 + 8 * (h)))
#define CLINT_MTIME ((volatile uint64_t*)0x200bff8)

void putc_(char c);
void puts_(const char* s);
void put_hex(uint64_t v);
void put_dec(uint64_t v);
// "name=0x...\n"
void show(const char* name, uint64_t v);
__attribute__((noreturn)) void test_exit(int code);

// The last trap either handler took (cleared by trap_reset). A handler skips the trapping
// instruction (mepc/sepc += its length) unless it was an interrupt or an ecall back to M.
struct TrapRecord {
  volatile uint64_t count, cause, tval, epc, mode;  // mode: 3 for the M handler, 1 for S
  volatile uint64_t mpp_or_spp;                     // the previous privilege the trap saw
};
extern struct TrapRecord last_trap;
void trap_reset(void);
// Prints "label: cause=.. tval=.. handled_in=M|S" (or "label: no trap").
void show_trap(const char* label);
// Runs one instruction (which may clobber t0) and prints the trap it took, if any.
#define TRY(label, insn)                       \
  do {                                         \
    trap_reset();                              \
    __asm__ volatile(insn ::: "t0", "memory"); \
    show_trap(label);                          \
  } while (0)

// Interrupt hooks the tests install (called from the handlers with the cause number).
extern void (*m_irq_hook)(uint64_t cause);
extern void (*s_irq_hook)(uint64_t cause);
// Set: a fetch fault in run_in_mode's code returns from run_in_mode (its code cannot run).
extern volatile int fetch_fault_ends_mode;

// Runs fn(arg) in U (0) or S (1) mode and returns to M when it returns. With S, the S trap
// handler must have been installed by the test (stvec = s_trap_entry) if it delegates.
void run_in_mode(int mode, void (*fn)(uint64_t), uint64_t arg);
extern char s_trap_entry[], m_trap_entry[], strap_stack_top[], _end[];
void setup_s_trap(void);
// Added to fn and to the return address by run_in_mode: runs code through a virtual alias.
extern uint64_t mode_offset;
// Opens all memory to S and U with PMP entry 15 (NAPOT over everything, RWX), as firmware does:
// S/U accesses no PMP entry matches fail.
void pmp_open_all(void);
