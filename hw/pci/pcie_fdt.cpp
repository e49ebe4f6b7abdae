#include "hw/pci/pcie_fdt.h"

namespace mimic::hw {

namespace {
constexpr uint64_t kEcamBusSize = uint64_t(1) << 20;  // one bus of ECAM (PCIE_MMCFG_SIZE_MIN)
constexpr uint32_t kRangeIo = 0x01000000, kRangeMmio32 = 0x02000000, kRangeMmio64 = 0x03000000;
constexpr unsigned kSlots = 4, kPins = 4;  // QEMU's map covers slots 0-3; the mask folds the rest

uint32_t hi(uint64_t v) { return uint32_t(v >> 32); }
uint32_t lo(uint64_t v) { return uint32_t(v); }
}  // namespace

void fdt_pcie_host_node(FdtBuilder& b, const PcieFdtLayout& l) {
  b.begin_node(l.node_name);
  b.prop_string("compatible", "pci-host-ecam-generic");
  b.prop_string("device_type", "pci");
  b.prop_u32("#address-cells", 3);
  b.prop_u32("#size-cells", 2);
  b.prop_u32("linux,pci-domain", 0);
  b.prop_cells("bus-range", {0, uint32_t(l.ecam_size / kEcamBusSize - 1)});
  b.prop_empty("dma-coherent");
  b.prop_cells("reg", {hi(l.ecam_base), lo(l.ecam_base), hi(l.ecam_size), lo(l.ecam_size)});
  std::vector<uint32_t> ranges = {kRangeIo,
                                  0,
                                  0,
                                  hi(l.pio_base),
                                  lo(l.pio_base),
                                  hi(l.pio_size),
                                  lo(l.pio_size),
                                  kRangeMmio32,
                                  hi(l.mmio_base),
                                  lo(l.mmio_base),
                                  hi(l.mmio_base),
                                  lo(l.mmio_base),
                                  hi(l.mmio_size),
                                  lo(l.mmio_size)};
  if (l.high_mmio_size)
    ranges.insert(ranges.end(), {kRangeMmio64, hi(l.high_mmio_base), lo(l.high_mmio_base), hi(l.high_mmio_base),
                                 lo(l.high_mmio_base), hi(l.high_mmio_size), lo(l.high_mmio_size)});
  b.prop_cells("ranges", ranges);
  if (l.msi_map_phandle) b.prop_cells("msi-map", {0, l.msi_map_phandle, 0, 0x10000});
  b.prop_u32("#interrupt-cells", 1);
  std::vector<uint32_t> imap;
  for (uint32_t slot = 0; slot < kSlots; slot++)
    for (uint32_t pin = 0; pin < kPins; pin++) {
      imap.insert(imap.end(), {slot << 11, 0, 0, pin + 1});
      std::vector<uint32_t> parent = l.intx_parent((pin + slot) % 4);
      imap.insert(imap.end(), parent.begin(), parent.end());
    }
  b.prop_cells("interrupt-map", imap);
  b.prop_cells("interrupt-map-mask", {0x1800, 0, 0, 7});
  b.end_node();
}

}  // namespace mimic::hw
