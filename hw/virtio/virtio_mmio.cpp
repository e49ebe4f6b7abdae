// virtio-mmio slot registers (an empty slot: every other register reads 0, writes are dropped).
#include "hw/virtio/virtio_mmio.h"

namespace mimic::hw {

namespace {
enum RegId : unsigned { kMagicValue, kVersionReg, kDeviceId, kVendorId, kOther };
// Register layout from the virtio 1.x spec, section 4.2.2; only the identification is live.
constexpr Reg kRegs[] = {
    {"MagicValue", kMagicValue, 0x000, 4, RegAccess::kRead},
    {"Version", kVersionReg, 0x004, 4, RegAccess::kRead},
    {"DeviceID", kDeviceId, 0x008, 4, RegAccess::kRead},
    {"VendorID", kVendorId, 0x00c, 4, RegAccess::kRead},
    // The rest of the register file (features, queues, status, config): zero without a device.
    {"registers", kOther, 0x010, 4, RegAccess::kReadWrite, 0, (0x100 - 0x10) / 4, 4},
    {"config", kOther, 0x100, 4, RegAccess::kReadWrite, 0, (0x200 - 0x100) / 4, 4},
};
}  // namespace

VirtioMmioSlot::VirtioMmioSlot(std::string name, tcg::Logger* log) : RegisterDevice(std::move(name), kRegs, log) {}

uint64_t VirtioMmioSlot::read_reg(const RegHit& hit, unsigned size) {
  switch (hit.reg->id) {
    case kMagicValue: return kMagic;
    case kVersionReg: return kVersion;
    case kVendorId: return kVendor;
    default: return 0;
  }
}

}  // namespace mimic::hw
