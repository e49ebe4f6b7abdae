// Bare-metal helpers for the AArch64 system tests: PL011 output, hex printing, PSCI power-off.
#pragma once
#include <stdint.h>

void putc_(char c);
void puts_(const char* s);
void puthex(uint64_t v);
// "name=value\n"
void show(const char* name, uint64_t v);
void exit_with(int status) __attribute__((noreturn));
// PSCI through HVC, or SMC once psci_smc is set (QEMU's conduit with virtualization=on).
extern int psci_smc;
uint64_t psci_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3);
// The vector table (crt0.S) calls trap(entry index, saved x0-x18,x30) and resumes at its result.
uint64_t trap(uint64_t kind, uint64_t* frame);
// The same for vectors_el2 (programs running at EL2 point VBAR_EL2 at it).
uint64_t trap_el2(uint64_t kind, uint64_t* frame);
// And vectors_el3 (programs running at EL3 point VBAR_EL3 at it).
uint64_t trap_el3(uint64_t kind, uint64_t* frame);
extern char vectors[], vectors_el2[], vectors_el3[];
// From EL2: HCR_EL2.RW, VBAR_EL1 = vectors, then ERET to `entry` at EL1h with DAIF masked, its
// stack 4 KiB below the caller's.
void enter_el1(void (*entry)(void)) __attribute__((noreturn));
// ERET (to what ELR/SPSR of the current level say) with SP_EL1 4 KiB below the current stack.
void eret_below_stack(void) __attribute__((noreturn));

#define READ_SYSREG(name)                          \
  ({                                               \
    uint64_t v_;                                   \
    __asm__ volatile("mrs %0, " #name : "=r"(v_)); \
    v_;                                            \
  })
#define WRITE_SYSREG(name, v) __asm__ volatile("msr " #name ", %0" ::"r"((uint64_t)(v)) : "memory")

// Spins (a bounded number of rounds) until `cond` holds: how the programs wait for an interrupt.
// Not WFI: QEMU 7.2 sometimes misses the wake-up of a WFI (el2traps and el3 slept for good in
// about 1 run of 10 under qemu-system-aarch64), and the reference must finish every time.
#define SPIN_UNTIL(cond) \
  for (long spin_ = 0; spin_ < 20000000 && !(cond); spin_++) __asm__ volatile("yield" ::: "memory")
