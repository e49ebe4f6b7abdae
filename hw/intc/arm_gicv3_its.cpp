// GITS_* registers, the command queue and MSI translation (IHI0069 chapters 5.2, 6 and 12.19).
#include "hw/intc/arm_gicv3_its.h"

#include <fmt/format.h>

#include "hw/intc/arm_gicv3.h"
#include "tcg/exec/log.h"

namespace mimic::hw {

namespace {
constexpr uint64_t kCtlr = 0x0000, kIidr = 0x0004, kTyper = 0x0008, kCbaser = 0x0080, kCwriter = 0x0088,
                   kCreadr = 0x0090, kBaser = 0x0100, kIdBase = 0xffd0;
constexpr uint32_t kCtlrEnabled = 1, kCtlrQuiescent = 1u << 31;
// QEMU's ITS ID registers (PIDR4..7, PIDR0..3, CIDR0..3); PIDR2.ArchRev = 3 (GICv3).
constexpr uint8_t kItsIds[] = {0x04, 0x00, 0x00, 0x00, 0x94, 0xb4, 0x3b, 0x00, 0x0d, 0xf0, 0x05, 0xb1};
// GITS_TYPER: Physical, ITT_entry_size - 1, IDbits - 1, Devbits - 1, CIDbits - 1 with CIL.
constexpr uint64_t kTyperValue =
    1 | uint64_t(GicV3Its::kEntrySize - 1) << 4 | uint64_t(GicV3Its::kEventIdBits - 1) << 8 |
    uint64_t(GicV3Its::kDeviceIdBits - 1) << 13 | uint64_t(GicV3Its::kCollectionIdBits - 1) << 32 | 1ull << 36;
// GITS_CBASER: Valid 63, InnerCache 61:59, OuterCache 55:53, PA 51:12, Shareability 11:10, Size 7:0.
constexpr uint64_t kCbaserValid = 1ull << 63, kCbaserPa = 0x000ffffffffff000ull;
constexpr uint64_t kCbaserMask = kCbaserValid | (7ull << 59) | (7ull << 53) | kCbaserPa | (3u << 10) | 0xff;
constexpr uint64_t kQueueOffsetMask = 0xfffe0;  // GITS_CWRITER/CREADR.Offset, 19:5
// GITS_BASER<n>: Valid 63, Indirect 62, InnerCache 61:59, Type 58:56, OuterCache 55:53,
// Entry_Size 52:48, PA 47:12, Shareability 11:10, Page_Size 9:8, Size 7:0.
constexpr uint64_t kBaserValid = 1ull << 63, kBaserIndirect = 1ull << 62;
constexpr uint64_t kBaserWritable =
    kBaserValid | kBaserIndirect | (7ull << 59) | (7ull << 53) | 0x0000fffffffff000ull | (3u << 10) | (3u << 8) | 0xff;
constexpr unsigned kBaserTypeShift = 56, kBaserEntrySizeShift = 48;
constexpr uint64_t kTypeDevice = 1, kTypeCollection = 4;
constexpr uint64_t kEntryValid = 1ull << 63;
constexpr uint64_t kL1Pa = 0x000ffffffffff000ull;  // a two-level table's level-1 entry: Valid, PA 51:12
constexpr uint64_t kDteIttMask = 0x000fffffffffff00ull;

enum Command : uint8_t {
  kMovi = 0x01,
  kInt = 0x03,
  kClear = 0x04,
  kSync = 0x05,
  kMapd = 0x08,
  kMapc = 0x09,
  kMapti = 0x0a,
  kMapi = 0x0b,
  kInv = 0x0c,
  kInvall = 0x0d,
  kMovall = 0x0e,
  kDiscard = 0x0f,
};

uint64_t page_bytes(uint64_t baser) {
  static constexpr uint64_t kSizes[] = {4096, 16384, 65536, 65536};
  return kSizes[(baser >> 8) & 3];
}

// The table's physical address: PA 47:12, with a 64 KiB page bits 15:12 hold PA 51:48.
uint64_t baser_address(uint64_t baser) {
  uint64_t page = page_bytes(baser);
  uint64_t pa = baser & 0x0000fffffffff000ull & ~(page - 1);
  if (page == 65536) pa |= (baser >> 12 & 0xf) << 48;
  return pa;
}
}  // namespace

GicV3Its::GicV3Its(GicV3& gic, AddressSpace& memory, tcg::Logger* log) : gic_(gic), memory_(memory), log_(log) {
  reset();
}

void GicV3Its::reset() {
  regs_ = Registers{};
  // Page_Size resets to 64 KiB (QEMU's value); the guest may choose 4 or 16 KiB.
  regs_.baser[0] = kTypeDevice << kBaserTypeShift | uint64_t(kEntrySize - 1) << kBaserEntrySizeShift | 2u << 8;
  regs_.baser[1] = kTypeCollection << kBaserTypeShift | uint64_t(kEntrySize - 1) << kBaserEntrySizeShift | 2u << 8;
}

void GicV3Its::guest_error(const std::string& what) const {
  if (!log_ || !log_->enabled(tcg::LogFlag::kGuestErrors | tcg::LogFlag::kUnimp)) return;
  log_->write(fmt::format("device arm_gicv3_its: {}\n", what));
}

uint64_t GicV3Its::baser_read(unsigned n) const { return regs_.baser[n]; }

void GicV3Its::baser_write(unsigned n, uint64_t value) {
  uint64_t& r = regs_.baser[n];
  if ((r >> kBaserTypeShift & 7) == 0) return;  // unimplemented table: RAZ/WI
  r = (r & ~kBaserWritable) | (value & kBaserWritable);
}

uint64_t GicV3Its::read(uint64_t offset, unsigned size) {
  auto reg64 = [&](uint64_t v) -> uint64_t { return size == 8 ? v : offset % 8 ? v >> 32 : uint32_t(v); };
  uint64_t base = offset & ~uint64_t(7);
  if (base >= kBaser && base < kBaser + 8 * 8) return reg64(baser_read(unsigned(base - kBaser) / 8));
  switch (base) {
    case kCbaser: return reg64(regs_.cbaser);
    case kCwriter: return reg64(regs_.cwriter);
    case kCreadr: return reg64(regs_.creadr);
    case kTyper: return reg64(kTyperValue);
    default: break;
  }
  if (size == 4) {
    if (offset == kCtlr) return (regs_.enabled ? kCtlrEnabled : 0) | kCtlrQuiescent;
    if (offset == kIidr) return 0x43b;
    if (offset >= kIdBase && offset < kIdBase + sizeof kItsIds * 4 && offset % 4 == 0)
      return kItsIds[(offset - kIdBase) / 4];
  }
  if (offset == kTranslaterOffset) return 0;  // write-only
  guest_error(fmt::format("read of unknown register {:#x} size {}", offset, size));
  return 0;
}

void GicV3Its::write(uint64_t offset, uint64_t value, unsigned size) {
  if (offset == kTranslaterOffset && (size == 4 || size == 2)) {
    translate(0, uint32_t(value));  // a CPU's write: requester ID 0, as on QEMU
    return;
  }
  auto merge = [&](uint64_t old) -> uint64_t {
    if (size == 8) return value;
    return offset % 8 ? (old & 0xffffffffull) | value << 32 : (old & ~0xffffffffull) | uint32_t(value);
  };
  uint64_t base = offset & ~uint64_t(7);
  if (size == 8 || size == 4) {
    if (base >= kBaser && base < kBaser + 8 * 8) {
      unsigned n = unsigned(base - kBaser) / 8;
      if (!regs_.enabled) baser_write(n, merge(regs_.baser[n]));
      return;
    }
    switch (base) {
      case kCbaser:
        if (regs_.enabled) return;  // UNPREDICTABLE while enabled: ignored
        regs_.cbaser = merge(regs_.cbaser) & kCbaserMask;
        regs_.creadr = 0;  // a written CBASER starts the queue over
        regs_.cwriter = 0;
        return;
      case kCwriter:
        regs_.cwriter = merge(regs_.cwriter) & kQueueOffsetMask;
        process_queue();
        return;
      case kCreadr: return;  // read-only (GITS_CTLR.UMSI is not offered)
      default: break;
    }
  }
  if (size == 4 && offset == kCtlr) {
    regs_.enabled = value & kCtlrEnabled;
    process_queue();
    return;
  }
  guest_error(fmt::format("write of unknown register {:#x} size {} value {:#x}", offset, size, value));
}

bool GicV3Its::read_entry(uint64_t addr, uint64_t& value) {
  value = 0;
  if (memory_.read(addr, &value, 8)) return true;
  guest_error(fmt::format("table entry at {:#x} is not in RAM", addr));
  return false;
}

bool GicV3Its::write_entry(uint64_t addr, uint64_t value) {
  if (memory_.write(addr, &value, 8)) return true;
  guest_error(fmt::format("table entry at {:#x} is not in RAM", addr));
  return false;
}

uint64_t GicV3Its::table_entry(unsigned n, uint32_t id) {
  uint64_t b = regs_.baser[n];
  if (!(b & kBaserValid)) return 0;
  uint64_t page = page_bytes(b), pages = (b & 0xff) + 1;
  uint64_t esz = (b >> kBaserEntrySizeShift & 0x1f) + 1;
  uint64_t table = baser_address(b);
  if (!(b & kBaserIndirect)) return uint64_t(id) < pages * page / esz ? table + id * esz : 0;
  uint64_t per_page = page / esz, l1_index = id / per_page;
  if (l1_index >= pages * page / 8) return 0;
  uint64_t l1 = 0;
  if (!read_entry(table + l1_index * 8, l1) || !(l1 & kEntryValid)) return 0;
  return (l1 & kL1Pa & ~(page - 1)) + (id % per_page) * esz;
}

bool GicV3Its::collection_target(uint32_t icid, unsigned& target) {
  uint64_t addr = icid < (1u << kCollectionIdBits) ? table_entry(1, icid) : 0, cte = 0;
  if (!addr || !read_entry(addr, cte) || !(cte & kEntryValid)) return false;
  target = unsigned(uint32_t(cte));
  return target < gic_.num_cpus();
}

bool GicV3Its::lookup(const char* what, uint32_t device_id, uint32_t event, Translation& t) {
  uint64_t dte_addr = device_id < (1u << kDeviceIdBits) ? table_entry(0, device_id) : 0, dte = 0;
  if (!dte_addr || !read_entry(dte_addr, dte) || !(dte & kEntryValid)) {
    guest_error(fmt::format("{}: device {:#x} is not mapped", what, device_id));
    return false;
  }
  unsigned bits = unsigned(dte & 0x1f) + 1;
  if (bits < 32 && event >= (1u << bits)) {
    guest_error(fmt::format("{}: event {} is past device {:#x}'s {} bits", what, event, device_id, bits));
    return false;
  }
  t.ite_addr = (dte & kDteIttMask) + uint64_t(event) * kEntrySize;
  uint64_t ite = 0;
  if (!read_entry(t.ite_addr, ite) || !(ite & kEntryValid)) {
    guest_error(fmt::format("{}: event {} of device {:#x} is not mapped", what, event, device_id));
    return false;
  }
  t.intid = uint32_t(ite);
  t.icid = uint32_t(ite >> 32) & 0xffff;
  if (!collection_target(t.icid, t.target)) {
    guest_error(fmt::format("{}: collection {} is not mapped", what, t.icid));
    return false;
  }
  return true;
}

void GicV3Its::translate(uint32_t device_id, uint32_t event) {
  if (!regs_.enabled) {
    guest_error(fmt::format("MSI from device {:#x} while the ITS is disabled", device_id));
    return;
  }
  Translation t;
  if (lookup("MSI", device_id, event, t)) gic_.set_lpi_pending(t.target, t.intid, true);
}

void GicV3Its::process_queue() {
  if (!regs_.enabled || !(regs_.cbaser & kCbaserValid)) return;
  uint64_t queue = regs_.cbaser & kCbaserPa, bytes = ((regs_.cbaser & 0xff) + 1) * 4096;
  if (regs_.cwriter >= bytes) {
    guest_error(fmt::format("GITS_CWRITER {:#x} is past the {:#x}-byte queue", regs_.cwriter, bytes));
    return;
  }
  while (regs_.creadr != regs_.cwriter) {
    uint64_t cmd[4];
    if (!memory_.read(queue + regs_.creadr, cmd, sizeof cmd)) {
      guest_error(fmt::format("command queue at {:#x} is not in RAM", queue + regs_.creadr));
      return;  // stalls, as the ITS would on an external abort
    }
    run_command(cmd);
    regs_.creadr = (regs_.creadr + 32) % bytes;
  }
}

void GicV3Its::run_command(const uint64_t cmd[4]) {
  uint8_t op = uint8_t(cmd[0]);
  uint32_t device_id = uint32_t(cmd[0] >> 32), event = uint32_t(cmd[1]);
  uint32_t icid = uint32_t(cmd[2]) & 0xffff;
  auto rdbase = [](uint64_t dw) { return unsigned(dw >> 16 & 0x7ffffffffull); };  // 50:16, PTA = 0
  unsigned nlpis_max = 1u << kEventIdBits;
  switch (op) {
    case kMapd: {
      uint64_t addr = device_id < (1u << kDeviceIdBits) ? table_entry(0, device_id) : 0;
      if (!addr) {
        guest_error(fmt::format("MAPD: device {:#x} has no device table entry", device_id));
        return;
      }
      bool valid = cmd[2] >> 63;
      unsigned size = unsigned(cmd[1] & 0x1f);
      if (valid && size + 1 > kEventIdBits) {
        guest_error(
            fmt::format("MAPD: {} EventID bits for device {:#x} (the ITS has {})", size + 1, device_id, kEventIdBits));
        return;
      }
      write_entry(addr, valid ? kEntryValid | (cmd[2] & kDteIttMask) | size : 0);
      return;
    }
    case kMapc: {
      uint64_t addr = table_entry(1, icid);
      unsigned target = rdbase(cmd[2]);
      bool valid = cmd[2] >> 63;
      if (!addr || (valid && target >= gic_.num_cpus())) {
        guest_error(fmt::format("MAPC: collection {} to redistributor {} is out of range", icid, target));
        return;
      }
      write_entry(addr, valid ? kEntryValid | target : 0);
      return;
    }
    case kMapti:
    case kMapi: {
      uint32_t intid = op == kMapi ? event : uint32_t(cmd[1] >> 32);
      uint64_t dte_addr = device_id < (1u << kDeviceIdBits) ? table_entry(0, device_id) : 0, dte = 0;
      if (!dte_addr || !read_entry(dte_addr, dte) || !(dte & kEntryValid)) {
        guest_error(fmt::format("MAPTI: device {:#x} is not mapped", device_id));
        return;
      }
      unsigned bits = unsigned(dte & 0x1f) + 1;
      if (event >= (1u << bits) || intid < kGicFirstLpi || intid >= nlpis_max || icid >= (1u << kCollectionIdBits)) {
        guest_error(fmt::format("MAPTI: device {:#x} event {} -> LPI {} collection {} is out of range", device_id,
                                event, intid, icid));
        return;
      }
      write_entry((dte & kDteIttMask) + uint64_t(event) * kEntrySize, kEntryValid | uint64_t(icid) << 32 | intid);
      return;
    }
    case kMovi: {
      Translation t;
      if (!lookup("MOVI", device_id, event, t)) return;
      unsigned target;
      if (!collection_target(icid, target)) {
        guest_error(fmt::format("MOVI: collection {} is not mapped", icid));
        return;
      }
      gic_.move_lpi(t.target, target, t.intid);
      write_entry(t.ite_addr, kEntryValid | uint64_t(icid) << 32 | t.intid);
      return;
    }
    case kDiscard: {
      Translation t;
      if (!lookup("DISCARD", device_id, event, t)) return;
      gic_.set_lpi_pending(t.target, t.intid, false);
      write_entry(t.ite_addr, 0);
      return;
    }
    case kInt:
    case kClear: {
      Translation t;
      if (lookup(op == kInt ? "INT" : "CLEAR", device_id, event, t))
        gic_.set_lpi_pending(t.target, t.intid, op == kInt);
      return;
    }
    case kInv: {
      Translation t;
      if (lookup("INV", device_id, event, t)) gic_.lpi_config_changed();
      return;
    }
    case kInvall: gic_.lpi_config_changed(); return;
    case kSync: return;  // every command completes as it runs
    case kMovall: {
      unsigned from = rdbase(cmd[2]), to = rdbase(cmd[3]);
      if (from >= gic_.num_cpus() || to >= gic_.num_cpus()) {
        guest_error(fmt::format("MOVALL: redistributor {} or {} is out of range", from, to));
        return;
      }
      gic_.move_all_lpis(from, to);
      return;
    }
    default:
      // GICv4's VMAPP, VMAPTI... and the reserved opcodes: this ITS has no virtual LPIs.
      guest_error(fmt::format("unknown or GICv4 command {:#04x} dropped", op));
      return;
  }
}

void GicV3Its::snapshot_state(StateIo& io) {
  io(regs_);
  if (io.loading() && (regs_.creadr > kQueueOffsetMask || regs_.cwriter > kQueueOffsetMask))
    throw SnapshotError("arm_gicv3_its: command queue offsets out of range");
}

}  // namespace mimic::hw
