/* Interrupts and power through the GICv2, the generic timer and PSCI: PSCI_VERSION, FEATURES,
   MIGRATE_INFO_TYPE, AFFINITY_INFO, CPU_ON (and its errors) of a second vCPU that waits in WFI
   with its own vector table; an SGI from vCPU 0 wakes it (GICD_SGIR, the sender in GICC_IAR);
   the virtual timer's PPI 27 by TVAL and by CVAL wakes vCPU 0 from WFI (CNTV_CTL ISTATUS, TVAL
   gone negative); the PL011's transmit interrupt as SPI 33; WFE woken by the event stream; the
   second vCPU's CPU_OFF seen by AFFINITY_INFO. Runs with -smp 2. */
#include "lib.h"

#define GICD ((volatile uint32_t*)0x08000000)
#define GICC ((volatile uint32_t*)0x08010000)
#define GICD_CTLR 0
#define GICD_ISENABLER(n) (0x100 / 4 + (n))
#define GICD_ITARGETSR(n) (0x800 / 4 + (n))
#define GICD_SGIR (0xf00 / 4)
#define GICC_CTLR 0
#define GICC_PMR (0x4 / 4)
#define GICC_IAR (0xc / 4)
#define GICC_EOIR (0x10 / 4)
#define UART ((volatile uint32_t*)0x09000000)
#define UART_IMSC (0x38 / 4)
#define UART_MIS (0x40 / 4)
#define UART_ICR (0x44 / 4)

#define PSCI_VERSION 0x84000000ull
#define PSCI_CPU_OFF 0x84000002ull
#define PSCI_CPU_ON 0xc4000003ull
#define PSCI_AFFINITY_INFO 0xc4000004ull
#define PSCI_MIGRATE_INFO_TYPE 0x84000006ull
#define PSCI_FEATURES 0x8400000aull

static volatile uint64_t irq_seen[2], last_iar[2], timer_ctl_in_irq, uart_mis_in_irq;
static volatile uint64_t secondary_ready, secondary_stop;
uint64_t secondary_stack[512] __attribute__((aligned(16)));

static unsigned cpu_id(void) { return (unsigned)(READ_SYSREG(mpidr_el1) & 0xff); }

uint64_t trap(uint64_t kind, uint64_t* frame) {
  (void)frame;
  if (kind != 5) { /* only IRQs (current EL, SP_EL1) are expected */
    show("unexpected trap, vector", kind * 0x80);
    show("esr", READ_SYSREG(esr_el1));
    exit_with(1);
  }
  unsigned me = cpu_id();
  uint32_t iar = GICC[GICC_IAR];
  unsigned intid = iar & 0x3ff;
  if (intid == 27) { /* the virtual timer: note its state, then stop it */
    timer_ctl_in_irq = READ_SYSREG(cntv_ctl_el0);
    WRITE_SYSREG(cntv_ctl_el0, 0);
  }
  if (intid == 33) {
    uart_mis_in_irq = UART[UART_MIS];
    UART[UART_IMSC] = 0;
    UART[UART_ICR] = 0x7ff;
  }
  if (intid < 1020) GICC[GICC_EOIR] = iar;
  last_iar[me] = iar;
  irq_seen[me]++;
  return READ_SYSREG(elr_el1);
}

static void gic_cpu_init(void) {
  GICC[GICC_PMR] = 0xff;
  GICC[GICC_CTLR] = 1;
}

__attribute__((noreturn)) void secondary_main(void) {
  gic_cpu_init();
  GICD[GICD_ISENABLER(0)] = 0xffff; /* SGIs (banked per CPU) */
  __asm__ volatile("msr daifclr, #2" ::: "memory");
  secondary_ready = 1;
  while (!secondary_stop) __asm__ volatile("wfi");
  __asm__ volatile("msr daifset, #2" ::: "memory");
  secondary_ready = 2;
  psci_call(PSCI_CPU_OFF, 0, 0, 0);
  for (;;) {
  }
}

__asm__(
    ".globl secondary_entry\n"
    "secondary_entry:\n"
    "  ldr x1, =secondary_stack + 4096\n"
    "  mov sp, x1\n"
    "  ldr x1, =vectors\n"
    "  msr vbar_el1, x1\n"
    "  isb\n"
    "  b secondary_main\n");
void secondary_entry(void);

static void wait_irq(unsigned me, uint64_t before) {
  SPIN_UNTIL(irq_seen[me] != before);
}

int main(void) {
  show("PSCI_VERSION", psci_call(PSCI_VERSION, 0, 0, 0));
  show("FEATURES(CPU_ON)", psci_call(PSCI_FEATURES, PSCI_CPU_ON, 0, 0));
  show("FEATURES(0x84000099)", psci_call(PSCI_FEATURES, 0x84000099, 0, 0));
  show("MIGRATE_INFO_TYPE", psci_call(PSCI_MIGRATE_INFO_TYPE, 0, 0, 0));
  show("AFFINITY_INFO(1) before CPU_ON", psci_call(PSCI_AFFINITY_INFO, 1, 0, 0));
  GICD[GICD_CTLR] = 1;
  gic_cpu_init();
  show("CPU_ON(7)", psci_call(PSCI_CPU_ON, 7, (uint64_t)secondary_entry, 0));
  show("CPU_ON(1)", psci_call(PSCI_CPU_ON, 1, (uint64_t)secondary_entry, 0));
  while (secondary_ready != 1) {
  }
  show("CPU_ON(1) again", psci_call(PSCI_CPU_ON, 1, (uint64_t)secondary_entry, 0));
  show("AFFINITY_INFO(1) when on", psci_call(PSCI_AFFINITY_INFO, 1, 0, 0));
  /* An SGI to vCPU 1 (target list bit 1), which sleeps in WFI. */
  GICD[GICD_SGIR] = (2u << 16) | 5;
  for (int i = 0; i < 100000000 && !irq_seen[1]; i++) {
  }
  show("vCPU 1 IRQs", irq_seen[1]);
  show("vCPU 1 GICC_IAR (SGI 5 from vCPU 0)", last_iar[1]);
  /* The virtual timer's PPI by TVAL (1 ms), vCPU 0 in WFI. */
  GICD[GICD_ISENABLER(0)] = 1u << 27;
  __asm__ volatile("msr daifclr, #2" ::: "memory");
  uint64_t before = irq_seen[0];
  WRITE_SYSREG(cntv_tval_el0, 62500);
  WRITE_SYSREG(cntv_ctl_el0, 1);
  __asm__ volatile("isb");
  wait_irq(0, before);
  show("timer IRQ by TVAL, GICC_IAR", last_iar[0]);
  show("  CNTV_CTL in the handler (ENABLE|ISTATUS)", timer_ctl_in_irq);
  /* By CVAL: the counter now + 1 ms; TVAL reads negative once it has fired. */
  before = irq_seen[0];
  WRITE_SYSREG(cntv_cval_el0, READ_SYSREG(cntvct_el0) + 62500);
  WRITE_SYSREG(cntv_ctl_el0, 1);
  __asm__ volatile("isb");
  wait_irq(0, before);
  show("timer IRQ by CVAL, GICC_IAR", last_iar[0]);
  WRITE_SYSREG(cntv_ctl_el0, 3); /* enabled, masked: TVAL still counts down */
  show("  TVAL negative after firing", (READ_SYSREG(cntv_tval_el0) >> 31) & 1);
  WRITE_SYSREG(cntv_ctl_el0, 0);
  /* The PL011's transmit interrupt: SPI 33 to vCPU 0. */
  GICD[GICD_ITARGETSR(8)] = 1u << 8; /* intid 33: byte 1 of ITARGETSR8 */
  GICD[GICD_ISENABLER(1)] = 1u << 1;
  before = irq_seen[0];
  UART[UART_IMSC] = 1u << 5; /* TXIM */
  putc_('\n');
  wait_irq(0, before);
  show("UART IRQ, GICC_IAR", last_iar[0]);
  show("  UARTMIS in the handler", uart_mis_in_irq);
  __asm__ volatile("msr daifset, #2" ::: "memory");
  /* WFE with the event stream on (every 2^(EVNTI+1) ticks): it returns. */
  WRITE_SYSREG(cntkctl_el1, (1u << 2) | (4u << 4));
  __asm__ volatile("isb\n sevl\n wfe\n wfe\n wfe" ::: "memory");
  show("WFE woken by the event stream", 1);
  WRITE_SYSREG(cntkctl_el1, 0);
  /* vCPU 1 powers itself off. */
  secondary_stop = 1;
  GICD[GICD_SGIR] = (2u << 16) | 6;
  while (secondary_ready != 2) {
  }
  uint64_t state = 0;
  for (int i = 0; i < 100000 && (state = psci_call(PSCI_AFFINITY_INFO, 1, 0, 0)) != 1; i++) {
  }
  show("AFFINITY_INFO(1) after CPU_OFF", state);
  return 0;
}
