// PL061 registers (DDI0190 chapter 3). GPIODATA at 0x000-0x3fc: address bits [9:2] mask which
// lines an access reads or writes.
#include "hw/gpio/pl061.h"

namespace mimic::hw {

namespace {
enum RegId : unsigned { kData, kDir, kIs, kIbe, kIev, kIe, kRis, kMis, kIc, kAfsel, kId };
constexpr uint8_t kIds[] = {0x61, 0x10, 0x04, 0x00, 0x0d, 0xf0, 0x05, 0xb1};
constexpr Reg kRegs[] = {
    {"GPIODATA", kData, 0x000, 4, RegAccess::kReadWrite, 0, 256, 4},
    {"GPIODIR", kDir, 0x400, 4, RegAccess::kReadWrite},
    {"GPIOIS", kIs, 0x404, 4, RegAccess::kReadWrite},
    {"GPIOIBE", kIbe, 0x408, 4, RegAccess::kReadWrite},
    {"GPIOIEV", kIev, 0x40c, 4, RegAccess::kReadWrite},
    {"GPIOIE", kIe, 0x410, 4, RegAccess::kReadWrite},
    {"GPIORIS", kRis, 0x414, 4, RegAccess::kRead},
    {"GPIOMIS", kMis, 0x418, 4, RegAccess::kRead},
    {"GPIOIC", kIc, 0x41c, 4, RegAccess::kWrite},
    {"GPIOAFSEL", kAfsel, 0x420, 4, RegAccess::kReadWrite},
    {"PeriphID/PCellID", kId, 0xfe0, 4, RegAccess::kRead, 0, 8, 4},
};
}  // namespace

Pl061::Pl061(std::string name, tcg::Logger* log) : RegisterDevice(std::move(name), kRegs, log) { reset(); }

void Pl061::reset() {
  data_ = old_in_ = dir_ = is_ = ibe_ = iev_ = ie_ = istate_ = afsel_ = 0;
  data_ = inputs_;
  old_in_ = inputs_;
  old_out_ = 0;
  irq_.lower();
}

// 8-bit registers: QEMU takes any access size and uses the low byte.
uint64_t Pl061::read(uint64_t offset, unsigned size) { return RegisterDevice::read(offset & ~3ull, 4); }
void Pl061::write(uint64_t offset, uint64_t value, unsigned size) { RegisterDevice::write(offset & ~3ull, value, 4); }

void Pl061::set_input(unsigned line, bool level) {
  if (line >= 8) return;
  inputs_ = uint8_t(level ? inputs_ | (1u << line) : inputs_ & ~(1u << line));
  update();
}

void Pl061::update() {
  // Input lines follow their pins; output lines keep what was written.
  data_ = uint8_t((data_ & dir_) | (inputs_ & ~dir_));
  uint8_t changed = uint8_t((old_in_ ^ data_) & ~dir_);
  old_in_ = uint8_t(data_ & ~dir_);
  // Edge-sensitive lines latch both edges (IBE) or the one IEV selects.
  uint8_t edges = uint8_t(changed & ~is_ & (ibe_ | uint8_t(~(iev_ ^ data_))));
  istate_ |= edges;
  // Level-sensitive lines are pending while at the level IEV selects.
  istate_ = uint8_t((istate_ & ~is_) | (is_ & ~(iev_ ^ data_)));
  irq_.set((istate_ & ie_) != 0);
  uint8_t out = uint8_t(data_ & dir_);
  if (out != old_out_) {
    uint8_t changed = uint8_t(out ^ old_out_);
    old_out_ = out;
    if (output_handler_) output_handler_(changed, out);
  }
}

uint64_t Pl061::read_reg(const RegHit& hit, unsigned size) {
  switch (RegId(hit.reg->id)) {
    case kData: return data_ & hit.index;  // address bits [9:2] are the mask
    case kDir: return dir_;
    case kIs: return is_;
    case kIbe: return ibe_;
    case kIev: return iev_;
    case kIe: return ie_;
    case kRis: return istate_;
    case kMis: return istate_ & ie_;
    case kAfsel: return afsel_;
    case kId: return kIds[hit.index];
    default: return 0;
  }
}

void Pl061::write_reg(const RegHit& hit, uint64_t value, unsigned size) {
  uint8_t v = uint8_t(value);
  switch (RegId(hit.reg->id)) {
    case kData: {
      uint8_t mask = uint8_t(hit.index & dir_);
      data_ = uint8_t((data_ & ~mask) | (v & mask));
      break;
    }
    case kDir: dir_ = v; break;
    case kIs: is_ = v; break;
    case kIbe: ibe_ = v; break;
    case kIev: iev_ = v; break;
    case kIe: ie_ = v; break;
    case kIc: istate_ &= uint8_t(~v); break;
    case kAfsel: afsel_ = v; break;
    default: break;
  }
  update();
}

void Pl061::snapshot_state(StateIo& io) {
  io(old_out_), io(data_), io(inputs_), io(old_in_), io(dir_), io(is_), io(ibe_), io(iev_), io(ie_), io(istate_);
  io(afsel_);
  if (io.loading()) irq_.set((istate_ & ie_) != 0);
}

}  // namespace mimic::hw
