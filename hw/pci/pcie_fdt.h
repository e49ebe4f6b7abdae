// The device-tree node of QEMU's generic PCIe host (gpex, "pci-host-ecam-generic") as QEMU's
// riscv and arm virt boards write it: ECAM, the PIO and MMIO windows as `ranges`, and the INTx
// `interrupt-map` with the (slot + pin) % 4 swizzle onto the board's interrupt controller.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "hw/core/fdt.h"

namespace mimic::hw {

struct PcieFdtLayout {
  std::string node_name;  // "pcie@10000000" (arm) or "pci@30000000" (riscv)
  uint64_t ecam_base, ecam_size;
  uint64_t pio_base, pio_size;                      // bus address 0 up
  uint64_t mmio_base, mmio_size;                    // 32-bit window, identity-mapped
  uint64_t high_mmio_base = 0, high_mmio_size = 0;  // 64-bit window; size 0: none
  // An interrupt-map entry's parent part for INTx line 0..3: the controller's phandle, its unit
  // address cells and the interrupt specifier.
  std::function<std::vector<uint32_t>(unsigned line)> intx_parent;
  uint32_t msi_map_phandle = 0;  // "msi-map" to this MSI controller (arm GICv2m/ITS); 0: none
};

// Writes the node (begin to end) into `b`, which is inside the node the host sits in.
void fdt_pcie_host_node(FdtBuilder& b, const PcieFdtLayout& l);

}  // namespace mimic::hw
