// QEMU's firmware configuration device (docs/specs/fw_cfg.rst), memory-mapped as on arm virt:
// the data register at +0 (1 to 8 bytes, stream order), the big-endian selector at +8 and the
// big-endian DMA address at +0x10 (DMA interface, signature "QEMU CFG"). Items are numbered
// as QEMU numbers them; named files (etc/..., opt/...) get selectors from 0x20 and a directory.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "hw/core/memory.h"
#include "hw/core/snapshot.h"

namespace mimic::tcg {
class Logger;
}

namespace mimic::hw {

namespace FwCfgKey {
enum : uint16_t {
  kSignature = 0x00,
  kId = 0x01,
  kUuid = 0x02,
  kNographic = 0x04,
  kNbCpus = 0x05,
  kKernelSize = 0x08,
  kInitrdSize = 0x0b,
  kBootMenu = 0x0e,
  kMaxCpus = 0x0f,
  kKernelData = 0x11,
  kInitrdData = 0x12,
  kCmdlineSize = 0x14,
  kCmdlineData = 0x15,
  kFileDir = 0x19,
  kFileFirst = 0x20,
};
}

class FwCfg final : public MmioOps {
 public:
  static constexpr uint64_t kSize = 0x18;
  // DMA reads and writes guest memory through `memory`.
  FwCfg(AddressSpace& memory, tcg::Logger* log);
  void add_bytes(uint16_t key, std::vector<uint8_t> data);
  void add_u16(uint16_t key, uint16_t value);  // little-endian, as QEMU's fw_cfg_add_i16
  void add_u32(uint16_t key, uint32_t value);
  void add_string(uint16_t key, const std::string& s);  // with its NUL
  // A named file; returns its selector.
  uint16_t add_file(const std::string& name, std::vector<uint8_t> data);
  void reset();
  // The registers (hw/core/snapshot.h); loading re-derives the interrupt and timers.
  void snapshot_state(StateIo& io);

  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, uint64_t value, unsigned size) override;

 private:
  void select(uint16_t key);
  uint8_t next_byte();
  void dma_transfer(uint64_t addr);
  void rebuild_directory();
  void log_guest_error(const std::string& what) const;

  AddressSpace& memory_;
  tcg::Logger* log_;
  std::map<uint16_t, std::vector<uint8_t>> items_;
  std::vector<std::pair<std::string, uint16_t>> files_;
  uint16_t cur_key_ = 0;
  bool cur_valid_ = false;
  uint64_t cur_offset_ = 0;
  uint64_t dma_addr_ = 0;
};

}  // namespace mimic::hw
