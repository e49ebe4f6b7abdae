/* The GICv3 ITS and LPIs (-M virt,gic-version=3): LPI configuration and pending tables on
   redistributor 0, the ITS's device and collection tables (flat, 4 KiB pages) and command queue;
   MAPD, MAPC, MAPTI, MAPI, INV, INVALL, SYNC, INT, CLEAR, MOVI, MOVALL and DISCARD; an MSI by a
   CPU write to GITS_TRANSLATER (requester ID 0); LPI enable and priority from the
   configuration table; an LPI's pending state in ICC_HPPIR1_EL1 and the pending table. */
#include "lib.h"

#define GICD ((volatile uint32_t*)0x08000000)
#define GICR_RD 0x080a0000ull
#define GITS 0x08080000ull
#define R32(a) (*(volatile uint32_t*)(a))
#define R64(a) (*(volatile uint64_t*)(a))
#define GICR_CTLR (GICR_RD + 0x0)
#define GICR_TYPER (GICR_RD + 0x8)
#define GICR_WAKER (GICR_RD + 0x14)
#define GICR_PROPBASER (GICR_RD + 0x70)
#define GICR_PENDBASER (GICR_RD + 0x78)
#define GITS_CTLR (GITS + 0x0)
#define GITS_TYPER (GITS + 0x8)
#define GITS_CBASER (GITS + 0x80)
#define GITS_CWRITER (GITS + 0x88)
#define GITS_CREADR (GITS + 0x90)
#define GITS_BASER(n) (GITS + 0x100 + 8 * (n))
#define GITS_PIDR2 (GITS + 0xffe8)
#define GITS_TRANSLATER (GITS + 0x10040)

#define LPI_BASE 8192u
#define ID_BITS 14 /* LPIs 8192..16383 */

static uint8_t prop_table[1u << ID_BITS] __attribute__((aligned(65536)));
static uint8_t pend_table[65536] __attribute__((aligned(65536)));
static uint8_t device_table[4096] __attribute__((aligned(4096)));
static uint8_t collection_table[4096] __attribute__((aligned(4096)));
static uint64_t cmd_queue[4096 / 8] __attribute__((aligned(65536)));
static uint8_t itt0[256] __attribute__((aligned(256)));
static uint8_t itt1[16384 * 16] __attribute__((aligned(256)));
static unsigned cmd_next;

static volatile uint64_t irq_count, last_intid, order[4];

uint64_t trap(uint64_t kind, uint64_t* frame) {
  (void)frame;
  if (kind != 5) {
    show("unexpected trap, vector", kind * 0x80);
    show("esr", READ_SYSREG(esr_el1));
    exit_with(1);
  }
  uint64_t intid = READ_SYSREG(icc_iar1_el1);
  if (intid < 1020 || intid >= LPI_BASE) WRITE_SYSREG(icc_eoir1_el1, intid);
  if (irq_count < 4) order[irq_count] = intid;
  last_intid = intid;
  irq_count++;
  return READ_SYSREG(elr_el1);
}

static void command(uint64_t d0, uint64_t d1, uint64_t d2, uint64_t d3) {
  uint64_t* c = &cmd_queue[cmd_next * 4];
  c[0] = d0;
  c[1] = d1;
  c[2] = d2;
  c[3] = d3;
  cmd_next = (cmd_next + 1) % (sizeof cmd_queue / 32);
  __asm__ volatile("dsb sy" ::: "memory");
  R64(GITS_CWRITER) = (uint64_t)cmd_next * 32;
  for (int i = 0; i < 1000000 && R64(GITS_CREADR) != (uint64_t)cmd_next * 32; i++) {
  }
}
static void sync_rd0(void) { command(0x05, 0, 0, 0); }
static void mapd(uint32_t dev, unsigned bits, void* itt) {
  command(0x08 | (uint64_t)dev << 32, bits - 1, (1ull << 63) | (uint64_t)itt, 0);
}
static void mapc(unsigned icid, unsigned rd) { command(0x09, 0, (1ull << 63) | (uint64_t)rd << 16 | icid, 0); }
static void mapti(uint32_t dev, uint32_t ev, uint32_t lpi, unsigned icid) {
  command(0x0a | (uint64_t)dev << 32, ev | (uint64_t)lpi << 32, icid, 0);
}
static void mapi(uint32_t dev, uint32_t ev, unsigned icid) { command(0x0b | (uint64_t)dev << 32, ev, icid, 0); }
static void dev_ev(uint8_t op, uint32_t dev, uint32_t ev) { command(op | (uint64_t)dev << 32, ev, 0, 0); }
static void movi(uint32_t dev, uint32_t ev, unsigned icid) { command(0x01 | (uint64_t)dev << 32, ev, icid, 0); }

static void set_config(uint32_t lpi, uint8_t prio, int enable) {
  prop_table[lpi - LPI_BASE] = (uint8_t)(prio | 2 | (enable ? 1 : 0));
  __asm__ volatile("dsb sy" ::: "memory");
}
static uint64_t hppir(void) { return READ_SYSREG(icc_hppir1_el1); }
static void unmask_and_wait(uint64_t before) {
  __asm__ volatile("msr daifclr, #2\n isb" ::: "memory");
  for (int i = 0; i < 100000 && irq_count == before; i++) {
  }
  __asm__ volatile("msr daifset, #2\n isb" ::: "memory");
}

int main(void) {
  show("GICD_TYPER.LPIS", (GICD[1] >> 17) & 1);
  show("GICR_TYPER.PLPIS", R64(GICR_TYPER) & 1);
  show("GITS_PIDR2.ArchRev", (R32(GITS_PIDR2) >> 4) & 0xf);
  show("GITS_TYPER.Physical", R64(GITS_TYPER) & 1);
  show("GITS_TYPER.PTA", (R64(GITS_TYPER) >> 19) & 1);
  show("GITS_BASER0.Type", (R64(GITS_BASER(0)) >> 56) & 7);
  show("GITS_BASER1.Type", (R64(GITS_BASER(1)) >> 56) & 7);
  show("GITS_CTLR.Quiescent", R32(GITS_CTLR) >> 31);

  GICD[0] = (1u << 4) | 2; /* ARE, EnableGrp1 */
  R32(GICR_WAKER) = 0;
  while (R32(GICR_WAKER) & 4) {
  }
  WRITE_SYSREG(icc_sre_el1, 7);
  __asm__ volatile("isb");
  WRITE_SYSREG(icc_pmr_el1, 0xff);
  WRITE_SYSREG(icc_igrpen1_el1, 1);

  R64(GICR_PROPBASER) = (uint64_t)prop_table | (ID_BITS - 1);
  R64(GICR_PENDBASER) = (uint64_t)pend_table | (1ull << 62);
  show("GICR_PROPBASER.IDbits", R64(GICR_PROPBASER) & 0x1f);
  R32(GICR_CTLR) = 1;
  show("GICR_CTLR.EnableLPIs", R32(GICR_CTLR) & 1);

  /* Device table and collection table: one 4 KiB page each, flat. */
  R64(GITS_BASER(0)) = (1ull << 63) | (R64(GITS_BASER(0)) & (0x1full << 48 | 7ull << 56)) | (uint64_t)device_table;
  R64(GITS_BASER(1)) = (1ull << 63) | (R64(GITS_BASER(1)) & (0x1full << 48 | 7ull << 56)) | (uint64_t)collection_table;
  show("GITS_BASER0 valid, 4K page", (R64(GITS_BASER(0)) >> 63) | ((R64(GITS_BASER(0)) >> 8 & 3) << 4));
  R64(GITS_CBASER) = (1ull << 63) | (uint64_t)cmd_queue; /* one page: 128 commands */
  show("GITS_CREADR after CBASER", R64(GITS_CREADR));
  R32(GITS_CTLR) = 1;
  show("GITS_CTLR.Enabled", R32(GITS_CTLR) & 1);

  mapc(0, 0);
  mapc(1, 0);
  mapd(0, 4, itt0);
  mapti(0, 1, LPI_BASE + 5, 0);
  mapti(0, 2, LPI_BASE + 6, 0);
  mapti(0, 3, LPI_BASE + 7, 1);
  mapd(1, 14, itt1);
  mapi(1, LPI_BASE + 300, 0);
  set_config(LPI_BASE + 5, 0xa0, 1);
  set_config(LPI_BASE + 6, 0x80, 1);
  set_config(LPI_BASE + 7, 0xa0, 1);
  set_config(LPI_BASE + 300, 0xa0, 1);
  command(0x0d, 0, 0, 0); /* INVALL collection 0 */
  command(0x0d, 0, 1, 0);
  sync_rd0();
  show("GITS_CREADR after the mappings", R64(GITS_CREADR));

  /* INT: event 1 of device 0 -> LPI 8197. */
  uint64_t before = irq_count;
  dev_ev(0x03, 0, 1);
  sync_rd0();
  show("HPPIR1 after INT", hppir());
  unmask_and_wait(before);
  show("LPI taken after INT", last_intid);
  show("HPPIR1 after it", hppir());

  /* An MSI: the CPU writes event 2 to GITS_TRANSLATER (requester ID 0). */
  before = irq_count;
  R32(GITS_TRANSLATER) = 2;
  __asm__ volatile("dsb sy" ::: "memory");
  unmask_and_wait(before);
  show("LPI taken after the TRANSLATER write", last_intid);

  /* MAPI: device 1's event 8492 is LPI 8492. */
  before = irq_count;
  dev_ev(0x03, 1, LPI_BASE + 300);
  unmask_and_wait(before);
  show("LPI taken after INT of the MAPI event", last_intid);

  /* Disabled in the configuration table: stays pending, not signalled; enabled + INV: taken. */
  set_config(LPI_BASE + 5, 0xa0, 0);
  dev_ev(0x0c, 0, 1); /* INV */
  sync_rd0();
  before = irq_count;
  dev_ev(0x03, 0, 1);
  sync_rd0();
  show("HPPIR1 with the LPI disabled", hppir());
  show("pending table bit of 8197", (pend_table[(LPI_BASE + 5) / 8] >> ((LPI_BASE + 5) % 8)) & 1);
  unmask_and_wait(before);
  show("IRQs taken while disabled", irq_count - before);
  set_config(LPI_BASE + 5, 0xa0, 1);
  dev_ev(0x0c, 0, 1);
  sync_rd0();
  unmask_and_wait(before);
  show("LPI taken once enabled", last_intid);
  show("pending table bit of 8197 after", (pend_table[(LPI_BASE + 5) / 8] >> ((LPI_BASE + 5) % 8)) & 1);

  /* CLEAR takes the pending state away. */
  dev_ev(0x03, 0, 1);
  sync_rd0();
  show("HPPIR1 before CLEAR", hppir());
  dev_ev(0x04, 0, 1);
  sync_rd0();
  show("HPPIR1 after CLEAR", hppir());

  /* Priority: 8198 (0x80) before 8197 (0xa0), whatever the order they became pending in. */
  irq_count = 0;
  dev_ev(0x03, 0, 1);
  dev_ev(0x03, 0, 2);
  sync_rd0();
  show("HPPIR1 with two pending", hppir());
  __asm__ volatile("msr daifclr, #2\n isb" ::: "memory");
  for (int i = 0; i < 100000 && irq_count < 2; i++) {
  }
  __asm__ volatile("msr daifset, #2\n isb" ::: "memory");
  show("first taken", order[0]);
  show("second taken", order[1]);

  /* MOVI event 1 to collection 1 (also redistributor 0), MOVALL 0 -> 0: still delivered. */
  movi(0, 1, 1);
  command(0x0e, 0, 0, 0);
  before = irq_count;
  dev_ev(0x03, 0, 1);
  unmask_and_wait(before);
  show("LPI taken after MOVI", last_intid);

  /* DISCARD: the event is unmapped; INT and the MSI then do nothing. */
  dev_ev(0x0f, 0, 1);
  sync_rd0();
  before = irq_count;
  dev_ev(0x03, 0, 1);
  R32(GITS_TRANSLATER) = 1;
  sync_rd0();
  unmask_and_wait(before);
  show("IRQs after DISCARD", irq_count - before);
  show("HPPIR1 after DISCARD", hppir());
  show("GITS_CREADR at the end", R64(GITS_CREADR));
  return 0;
}
