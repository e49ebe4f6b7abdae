// The physical address space of a machine: RAM, ROM, MMIO regions with per-size callbacks,
// aliases and priorities, dispatched under the machine's device lock.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "tcg/exec/softmmu.h"

namespace mimic::hw {

// A device's register window. Called with the device lock held, with an offset inside the
// region and a size of 1, 2, 4 or 8 bytes (accesses wider than `max_access` arrive split).
class MmioOps {
 public:
  virtual ~MmioOps() = default;
  virtual uint64_t read(uint64_t offset, unsigned size) = 0;
  virtual void write(uint64_t offset, uint64_t value, unsigned size) = 0;
};

enum class RegionKind { Ram, Rom, Mmio, Alias };

struct MemoryRegion {
  std::string name;
  uint64_t base = 0, size = 0;
  RegionKind kind = RegionKind::Ram;
  int priority = 0;                         // the higher one wins where regions overlap
  uint8_t* host = nullptr;                  // Ram/Rom: host memory of the whole region
  MmioOps* ops = nullptr;                   // Mmio
  unsigned min_access = 1, max_access = 8;  // Mmio: sizes the device takes
  uint64_t alias_target = 0;                // Alias: physical address `base` maps to
};

// Implements tcg::PhysMemory for the soft-MMU, and gives loaders and DMA a bus view.
class AddressSpace final : public tcg::PhysMemory {
 public:
  AddressSpace();
  ~AddressSpace() override;

  // RAM and ROM are anonymous host mappings, zero filled; the returned pointer covers `size`.
  uint8_t* add_ram(std::string name, uint64_t base, uint64_t size, int priority = 0);
  uint8_t* add_rom(std::string name, uint64_t base, uint64_t size, int priority = 0);
  void add_mmio(std::string name, uint64_t base, uint64_t size, MmioOps* ops, int priority = 0, unsigned min_access = 1,
                unsigned max_access = 8);
  void add_alias(std::string name, uint64_t base, uint64_t size, uint64_t target, int priority = 0);

  // Regions are added while the board is built, before any vCPU or device thread runs: lookups
  // take no lock. Overlaps are allowed (the higher priority, then the later added, wins).
  // The region that answers at `phys` (aliases resolved), or null.
  const MemoryRegion* find(uint64_t phys, uint64_t* offset) const;

  // Bus accesses for loaders and device DMA: any length, RAM/ROM copied directly (ROM written
  // too: loaders fill it), MMIO split into device accesses. False when any byte is unmapped.
  bool read(uint64_t phys, void* buf, size_t len);
  bool write(uint64_t phys, const void* buf, size_t len);
  // Called for every DMA/loader write into RAM (the engine drops code there), set once.
  void set_ram_write_hook(std::function<void(uint64_t phys, uint64_t len)> hook);

  // A guest write to ROM through io_write is dropped (QEMU's ROM regions); ram_page reports ROM
  // as not writable so that the soft-MMU can decide before it gets there.
  // `info mtree`: one line per region, by address.
  std::string mtree() const;
  // Every region in the order added (snapshots save the RAM and ROM ones).
  std::vector<const MemoryRegion*> regions() const;

  // The device lock (QEMU's big lock): held around every MMIO callback and timer callback.
  std::recursive_mutex& device_lock() { return device_lock_; }

  // tcg::PhysMemory
  uint8_t* ram_page(uint64_t phys_page, bool* writable) override;
  bool io_read(uint64_t phys, unsigned size, uint64_t* value) override;
  bool io_write(uint64_t phys, unsigned size, uint64_t value) override;

 private:
  struct Impl;
  bool bus_access(uint64_t phys, uint8_t* buf, size_t len, bool is_write);
  std::unique_ptr<Impl> impl_;
  std::recursive_mutex device_lock_;
};

}  // namespace mimic::hw
