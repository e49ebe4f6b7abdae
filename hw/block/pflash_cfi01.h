// Intel/Sharp CFI parallel NOR flash (QEMU's pflash_cfi01) as the virt board has it: a 32-bit
// bank of two 16-bit devices, 256 KiB sectors, the command set EDK2's NorFlashDxe and U-Boot
// use (read array, read status, clear status, read identifier, CFI query, block erase, word
// program, buffered program, block lock/unlock). Programs and erases go to the backing file
// at once when there is one.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hw/core/memory.h"
#include "hw/core/snapshot.h"

namespace mimic::tcg {
class Logger;
}

namespace mimic::hw {

class PflashCfi01 final : public MmioOps {
 public:
  static constexpr uint64_t kSectorSize = 256 * 1024;
  static constexpr unsigned kBankWidth = 4, kDeviceWidth = 2;
  // A flash of `size` bytes (a multiple of kSectorSize) filled from `path` (if not empty; a
  // shorter file is padded with erased bytes); `what` names it in errors. Throws MachineError.
  PflashCfi01(std::string what, uint64_t size, const std::string& path, bool read_only, tcg::Logger* log);
  ~PflashCfi01() override;
  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, uint64_t value, unsigned size) override;
  void reset();
  // The registers (hw/core/snapshot.h); loading re-derives the interrupt and timers.
  void snapshot_state(StateIo& io);
  const std::vector<uint8_t>& contents() const { return data_; }

 private:
  void to_read_array() {
    cmd_ = 0;
    wcycle_ = 0;
  }
  void program(uint64_t offset, uint64_t value, unsigned size);
  void persist(uint64_t offset, uint64_t len);
  void log_guest_error(const std::string& what) const;

  std::string what_;
  std::vector<uint8_t> data_;
  std::vector<uint8_t> cfi_;
  int fd_ = -1;
  bool read_only_;
  tcg::Logger* log_;
  uint8_t cmd_ = 0, status_ = 0x80;
  unsigned wcycle_ = 0;
  uint32_t counter_ = 0;
};

}  // namespace mimic::hw
