// A minimal virtio-mmio driver for the unit tests: queue 0 of a device set up through its
// registers as Linux's virtio_mmio driver does it, in the modern (version 2) and the legacy
// (version 1, QueuePFN) layout. Register access comes from the caller, so that a bare
// AddressSpace and a whole board's memory map can both be driven.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace mimic::test {

struct VirtioMmioRegs {
  std::function<uint32_t(uint64_t offset)> read;
  std::function<void(uint64_t offset, uint32_t value)> write;
};

// Register offsets (virtio 1.2, 4.2.2) and status bits (2.1).
namespace vmmio {
constexpr uint64_t kVersion = 0x004, kDeviceId = 0x008, kDeviceFeatures = 0x010, kDeviceFeaturesSel = 0x014,
                   kDriverFeatures = 0x020, kDriverFeaturesSel = 0x024, kGuestPageSize = 0x028, kQueueSel = 0x030,
                   kQueueNumMax = 0x034, kQueueNum = 0x038, kQueueAlign = 0x03c, kQueuePfn = 0x040, kQueueReady = 0x044,
                   kQueueNotify = 0x050, kInterruptStatus = 0x060, kStatus = 0x070, kQueueDescLow = 0x080,
                   kQueueDescHigh = 0x084, kQueueAvailLow = 0x090, kQueueAvailHigh = 0x094, kQueueUsedLow = 0x0a0,
                   kQueueUsedHigh = 0x0a4;
constexpr uint32_t kAcknowledge = 1, kDriver = 2, kDriverOk = 4, kFeaturesOk = 8;
}  // namespace vmmio

// Modern layout: reset, ACKNOWLEDGE|DRIVER, the features both sides have, FEATURES_OK, queue 0
// of `size` entries at the three ring addresses, DRIVER_OK. Returns why it failed, or "".
inline std::string setup_queue0_modern(const VirtioMmioRegs& r, uint64_t wanted_features, uint64_t desc, uint64_t avail,
                                       uint64_t used, uint32_t size) {
  using namespace vmmio;
  if (uint32_t v = r.read(kVersion); v != 2) return "Version " + std::to_string(v) + ", not 2";
  r.write(kStatus, 0);
  r.write(kStatus, kAcknowledge | kDriver);
  r.write(kDeviceFeaturesSel, 1);
  uint64_t offered = uint64_t(r.read(kDeviceFeatures)) << 32;
  r.write(kDeviceFeaturesSel, 0);
  offered |= r.read(kDeviceFeatures);
  if (!(offered & (1ull << 32))) return "VIRTIO_F_VERSION_1 not offered";
  const uint64_t features = wanted_features & offered;
  r.write(kDriverFeaturesSel, 0);
  r.write(kDriverFeatures, uint32_t(features));
  r.write(kDriverFeaturesSel, 1);
  r.write(kDriverFeatures, uint32_t(features >> 32));
  r.write(kStatus, kAcknowledge | kDriver | kFeaturesOk);
  if (!(r.read(kStatus) & kFeaturesOk)) return "FEATURES_OK refused";
  r.write(kQueueSel, 0);
  if (uint32_t max = r.read(kQueueNumMax); max < size) return "QueueNumMax " + std::to_string(max);
  r.write(kQueueNum, size);
  r.write(kQueueDescLow, uint32_t(desc));
  r.write(kQueueDescHigh, uint32_t(desc >> 32));
  r.write(kQueueAvailLow, uint32_t(avail));
  r.write(kQueueAvailHigh, uint32_t(avail >> 32));
  r.write(kQueueUsedLow, uint32_t(used));
  r.write(kQueueUsedHigh, uint32_t(used >> 32));
  r.write(kQueueReady, 1);
  r.write(kStatus, kAcknowledge | kDriver | kFeaturesOk | kDriverOk);
  return "";
}

// Legacy layout: 4 KiB guest pages and queue alignment, queue 0 of `size` entries at the page
// `ring_page` (descriptors there, the available ring after them, the used ring at the next 4 KiB
// boundary), no features. Returns why it failed, or "".
inline std::string setup_queue0_legacy(const VirtioMmioRegs& r, uint64_t ring_page, uint32_t size) {
  using namespace vmmio;
  if (uint32_t v = r.read(kVersion); v != 1) return "Version " + std::to_string(v) + ", not 1";
  r.write(kStatus, 0);
  r.write(kStatus, kAcknowledge | kDriver);
  r.write(kDriverFeatures, 0);
  r.write(kGuestPageSize, 4096);
  r.write(kQueueSel, 0);
  r.write(kQueueNum, size);
  r.write(kQueueAlign, 4096);
  r.write(kQueuePfn, uint32_t(ring_page >> 12));
  r.write(kStatus, kAcknowledge | kDriver | kDriverOk);
  return "";
}

}  // namespace mimic::test
