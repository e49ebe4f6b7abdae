// The CFI flash's command state machine (Intel's Common Flash Interface and the Basic Command
// Set), with QEMU pflash_cfi01's answers: identifier 0x89/0x18, its CFI table, and every
// device of the bank answering the same (a 32-bit read replicates the 16-bit response).
#include "hw/block/pflash_cfi01.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "hw/core/machine.h"
#include "tcg/exec/log.h"

namespace mimic::hw {

namespace {
constexpr uint8_t kStatusReady = 0x80, kStatusEraseError = 0x20, kStatusProgramError = 0x10, kStatusLocked = 0x02;
constexpr uint8_t kIdent0 = 0x89, kIdent1 = 0x18;
constexpr unsigned kDevices = PflashCfi01::kBankWidth / PflashCfi01::kDeviceWidth;

uint64_t replicate(uint32_t resp) {
  // Each 16-bit device of the bank answers the same.
  return uint64_t(resp & 0xffff) | uint64_t(resp & 0xffff) << 16;
}
}  // namespace

PflashCfi01::PflashCfi01(std::string what, uint64_t size, const std::string& path, bool read_only, tcg::Logger* log)
    : what_(std::move(what)), data_(size, 0xff), cfi_(0x40), read_only_(read_only), log_(log) {
  if (!path.empty()) {
    fd_ = open(path.c_str(), read_only ? O_RDONLY : O_RDWR);
    if (fd_ < 0 && !read_only && errno == EACCES) {
      fd_ = open(path.c_str(), O_RDONLY);
      read_only_ = true;
    }
    if (fd_ < 0) throw MachineError(fmt::format("{} {}: cannot open: {}", what_, path, strerror(errno)));
    off_t len = lseek(fd_, 0, SEEK_END);
    if (len < 0 || uint64_t(len) > size) {
      close(fd_);
      throw MachineError(
          fmt::format("{} {}: {} bytes do not fit the {} MiB flash bank", what_, path, int64_t(len), size >> 20));
    }
    if (len > 0 && pread(fd_, data_.data(), size_t(len), 0) != len) {
      close(fd_);
      throw MachineError(fmt::format("{} {}: cannot read: {}", what_, path, strerror(errno)));
    }
  }
  uint64_t sector_per_device = kSectorSize / kDevices, blocks = size / kSectorSize;
  uint64_t device_len = sector_per_device * blocks;
  const uint8_t table[] = {
      'Q',
      'R',
      'Y',
      0x01,
      0x00,
      0x31,
      0x00,
      0x00,
      0x00,
      0x00,
      0x00,  // 0x10: QRY, Intel command set, PRI at 0x31
      0x45,
      0x55,
      0x00,
      0x00,  // 0x1b: Vcc min/max, no Vpp
      0x07,
      0x07,
      0x0a,
      0x00,
      0x04,
      0x04,
      0x04,
      0x00,  // 0x1f: typical/max timeouts
      uint8_t(__builtin_ctzll(device_len)),
      0x02,
      0x00,  // 0x27: device size, x8/x16 interface
      0x0b,
      0x00,  // 0x2a: 2 KiB write buffer per device
      0x01,  // 0x2c: one erase block region
      uint8_t(blocks - 1),
      uint8_t((blocks - 1) >> 8),
      uint8_t(sector_per_device >> 8),
      uint8_t(sector_per_device >> 16),  // 0x2d
      'P',
      'R',
      'I',
      '1',
      '0',
      0,
      0,
      0,
      0,
      0,
      0,
      0,  // 0x31: primary extended table
  };
  memcpy(&cfi_[0x10], table, sizeof table);
  cfi_[0x3f] = 0x01;
}

PflashCfi01::~PflashCfi01() {
  if (fd_ >= 0) close(fd_);
}

void PflashCfi01::reset() {
  to_read_array();
  status_ = kStatusReady;
}

void PflashCfi01::log_guest_error(const std::string& what) const {
  if (!log_ || !log_->enabled(tcg::LogFlag::kUnimp)) return;
  log_->write(fmt::format("device {}: {}\n", what_, what));
}

uint64_t PflashCfi01::read(uint64_t offset, unsigned size) {
  if (offset + size > data_.size()) return 0;
  uint64_t mask = size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
  switch (cmd_) {
    case 0x00: {
      uint64_t v = 0;
      memcpy(&v, &data_[offset], size);
      return v;
    }
    case 0x90: {
      // Identifier codes at device word 0 (manufacturer) and 1 (device); block lock status
      // (unlocked) at word 2 of each block.
      uint64_t word = offset >> 2;
      uint32_t resp = (word & 0xff) == 0 ? kIdent0 : (word & 0xff) == 1 ? kIdent1 : 0;
      return replicate(resp) & mask;
    }
    case 0x98: {
      uint64_t index = offset >> 2;
      return replicate(index < cfi_.size() ? cfi_[index] : 0) & mask;
    }
    default:  // status
      return replicate(status_) & mask;
  }
}

void PflashCfi01::persist(uint64_t offset, uint64_t len) {
  if (fd_ < 0 || read_only_) return;
  if (pwrite(fd_, &data_[offset], len, off_t(offset)) != ssize_t(len))
    log_guest_error(fmt::format("cannot write the backing file at {:#x}: {}", offset, strerror(errno)));
}

void PflashCfi01::program(uint64_t offset, uint64_t value, unsigned size) {
  if (read_only_) {
    status_ |= kStatusProgramError | kStatusLocked;
    return;
  }
  // NOR programming only clears bits.
  for (unsigned i = 0; i < size; i++) data_[offset + i] &= uint8_t(value >> (8 * i));
  persist(offset, size);
}

void PflashCfi01::write(uint64_t offset, uint64_t value, unsigned size) {
  if (offset + size > data_.size()) return;
  uint8_t cmd = uint8_t(value);
  switch (wcycle_) {
    case 0:
      switch (cmd) {
        case 0x00:
        case 0xf0:
        case 0xff: to_read_array(); return;
        case 0x10:
        case 0x40:
        case 0x20:
        case 0x28:
        case 0xe8:
        case 0x60:
          if (cmd == 0x28 || cmd == 0xe8) status_ |= kStatusReady;
          cmd_ = cmd;
          wcycle_ = 1;
          return;
        case 0x50:
          status_ = kStatusReady;  // clear status: the error bits
          return;
        case 0x70:
        case 0x90:
        case 0x98: cmd_ = cmd; return;
        default:
          log_guest_error(fmt::format("unknown command {:#x} at {:#x}", cmd, offset));
          to_read_array();
          return;
      }
    case 1:
      switch (cmd_) {
        case 0x10:
        case 0x40:
          program(offset, value, size);
          status_ |= kStatusReady;
          wcycle_ = 0;
          return;
        case 0x20:
          if (cmd != 0xd0) {
            log_guest_error(fmt::format("block erase at {:#x} not confirmed ({:#x})", offset, cmd));
            status_ |= kStatusEraseError;
            to_read_array();
            return;
          }
          if (read_only_) {
            status_ |= kStatusEraseError | kStatusLocked;
          } else {
            uint64_t start = offset & ~(kSectorSize - 1);
            memset(&data_[start], 0xff, kSectorSize);
            persist(start, kSectorSize);
          }
          status_ |= kStatusReady;
          wcycle_ = 0;
          return;
        case 0x28:
        case 0xe8:
          // The word count minus one, as each device sees it.
          counter_ = uint32_t(value) & 0xffff;
          if ((uint64_t(counter_) + 1) * kBankWidth > 2048 * kDevices) {
            log_guest_error(fmt::format("buffered program of {} words exceeds the write buffer", counter_ + 1));
            status_ |= kStatusProgramError;
            to_read_array();
            return;
          }
          wcycle_ = 2;
          return;
        case 0x60:
          // Block lock (0x01) / unlock (0xd0): mimic's flash has no locked blocks.
          status_ |= kStatusReady;
          wcycle_ = 0;
          cmd_ = 0x70;
          return;
        default: to_read_array(); return;
      }
    case 2:
      program(offset, value, size);
      status_ |= kStatusReady;
      if (counter_ == 0)
        wcycle_ = 3;
      else
        counter_--;
      return;
    default:  // 3: buffered program confirm
      if (cmd != 0xd0) {
        log_guest_error(fmt::format("buffered program not confirmed ({:#x})", cmd));
        status_ |= kStatusProgramError;
        to_read_array();
        return;
      }
      wcycle_ = 0;
      status_ |= kStatusReady;
      return;
  }
}

void PflashCfi01::snapshot_state(StateIo& io) {
  // The contents are the drive file's (written through as the guest programs), as a disk's: only
  // the command state machine travels.
  io(cmd_), io(status_), io(wcycle_), io(counter_);
}

}  // namespace mimic::hw
