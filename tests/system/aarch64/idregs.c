// The ID registers of the chosen -cpu as EL1 reads them (compared with qemu-system-aarch64's).
#include "lib.h"

int main(void) {
  show("MIDR_EL1", READ_SYSREG(midr_el1));
  show("MPIDR_EL1", READ_SYSREG(mpidr_el1));
  show("REVIDR_EL1", READ_SYSREG(revidr_el1));
  show("CTR_EL0", READ_SYSREG(ctr_el0));
  show("DCZID_EL0", READ_SYSREG(dczid_el0));
  show("CLIDR_EL1", READ_SYSREG(clidr_el1));
  for (uint64_t sel = 0; sel < 4; sel++) {
    WRITE_SYSREG(csselr_el1, sel);
    __asm__ volatile("isb");
    show("CCSIDR_EL1", READ_SYSREG(ccsidr_el1));
  }
  show("ID_AA64PFR0_EL1", READ_SYSREG(id_aa64pfr0_el1));
  show("ID_AA64PFR1_EL1", READ_SYSREG(id_aa64pfr1_el1));
  show("ID_AA64DFR0_EL1", READ_SYSREG(id_aa64dfr0_el1));
  show("ID_AA64DFR1_EL1", READ_SYSREG(id_aa64dfr1_el1));
  show("ID_AA64ISAR0_EL1", READ_SYSREG(id_aa64isar0_el1));
  show("ID_AA64ISAR1_EL1", READ_SYSREG(id_aa64isar1_el1));
  show("ID_AA64MMFR0_EL1", READ_SYSREG(id_aa64mmfr0_el1));
  show("ID_AA64MMFR1_EL1", READ_SYSREG(id_aa64mmfr1_el1));
  show("ID_AA64MMFR2_EL1", READ_SYSREG(id_aa64mmfr2_el1));
  show("ID_AA64AFR0_EL1", READ_SYSREG(id_aa64afr0_el1));
  // The AArch32 ID registers (EL1 reads them even when EL0 is AArch64 only).
  show("ID_PFR0_EL1", READ_SYSREG(id_pfr0_el1));
  show("ID_PFR1_EL1", READ_SYSREG(id_pfr1_el1));
  show("ID_DFR0_EL1", READ_SYSREG(id_dfr0_el1));
  show("ID_MMFR0_EL1", READ_SYSREG(id_mmfr0_el1));
  show("ID_MMFR1_EL1", READ_SYSREG(id_mmfr1_el1));
  show("ID_MMFR2_EL1", READ_SYSREG(id_mmfr2_el1));
  show("ID_MMFR3_EL1", READ_SYSREG(id_mmfr3_el1));
  show("ID_ISAR0_EL1", READ_SYSREG(id_isar0_el1));
  show("ID_ISAR1_EL1", READ_SYSREG(id_isar1_el1));
  show("ID_ISAR2_EL1", READ_SYSREG(id_isar2_el1));
  show("ID_ISAR3_EL1", READ_SYSREG(id_isar3_el1));
  show("ID_ISAR4_EL1", READ_SYSREG(id_isar4_el1));
  show("ID_ISAR5_EL1", READ_SYSREG(id_isar5_el1));
  show("MVFR0_EL1", READ_SYSREG(mvfr0_el1));
  show("MVFR1_EL1", READ_SYSREG(mvfr1_el1));
  show("MVFR2_EL1", READ_SYSREG(mvfr2_el1));
  show("CNTFRQ_EL0", READ_SYSREG(cntfrq_el0));
  show("CurrentEL", READ_SYSREG(currentel));
  show("SCTLR_EL1", READ_SYSREG(sctlr_el1));
  show("DAIF", READ_SYSREG(daif));
  show("SPSel", READ_SYSREG(spsel));
  return 0;
}
