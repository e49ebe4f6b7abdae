// PL011 registers (DDI0183 chapter 3) with QEMU 7.2's behaviour: the receive interrupt fires
// at one character whatever IFLS says (QEMU's read_trigger is always 1) and TX is always
// "done", so its interrupt is raised by every write of DR.
#include "hw/char/pl011.h"

namespace mimic::hw {

namespace {
enum RegId : unsigned { kDr, kRsr, kFr, kIlpr, kIbrd, kFbrd, kLcrH, kCr, kIfls, kImsc, kRis, kMis, kIcr, kDmacr, kId };

constexpr uint32_t kFrRxfe = 0x10, kFrRxff = 0x40, kFrTxfe = 0x80;
constexpr uint32_t kLcrFen = 0x10;
// PeriphID0..3 then PCellID0..3 (QEMU pl011_id_arm).
constexpr uint8_t kIds[] = {0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};

constexpr Reg kRegs[] = {
    {"UARTDR", kDr, 0x000, 4, RegAccess::kReadWrite},
    {"UARTRSR/ECR", kRsr, 0x004, 4, RegAccess::kReadWrite},
    {"UARTFR", kFr, 0x018, 4, RegAccess::kRead, kFrRxfe | kFrTxfe},
    {"UARTILPR", kIlpr, 0x020, 4, RegAccess::kReadWrite},
    {"UARTIBRD", kIbrd, 0x024, 4, RegAccess::kReadWrite},
    {"UARTFBRD", kFbrd, 0x028, 4, RegAccess::kReadWrite},
    {"UARTLCR_H", kLcrH, 0x02c, 4, RegAccess::kReadWrite},
    {"UARTCR", kCr, 0x030, 4, RegAccess::kReadWrite, 0x300},
    {"UARTIFLS", kIfls, 0x034, 4, RegAccess::kReadWrite, 0x12},
    {"UARTIMSC", kImsc, 0x038, 4, RegAccess::kReadWrite},
    {"UARTRIS", kRis, 0x03c, 4, RegAccess::kRead},
    {"UARTMIS", kMis, 0x040, 4, RegAccess::kRead},
    {"UARTICR", kIcr, 0x044, 4, RegAccess::kWrite},
    {"UARTDMACR", kDmacr, 0x048, 4, RegAccess::kReadWrite},
    {"PeriphID/PCellID", kId, 0xfe0, 4, RegAccess::kRead, 0, 8, 4},
};
}  // namespace

Pl011::Pl011(std::string name, CharBackend& backend, tcg::Logger* log)
    : RegisterDevice(std::move(name), kRegs, log), backend_(backend) {
  reset();
  backend_.set_receiver([this](uint8_t b) { receive(b); }, [this] { return can_receive(); });
}

Pl011::~Pl011() { backend_.set_receiver(nullptr, nullptr); }

void Pl011::reset() {
  flags_ = kRegs[kFr].reset;
  cr_ = kRegs[kCr].reset;
  ifl_ = kRegs[kIfls].reset;
  lcr_ = rsr_ = dmacr_ = int_enabled_ = int_level_ = ilpr_ = ibrd_ = fbrd_ = 0;
  read_pos_ = read_count_ = 0;
  irq_.lower();
}

unsigned Pl011::fifo_depth() const { return (lcr_ & kLcrFen) ? 16 : 1; }

bool Pl011::can_receive() const { return read_count_ < fifo_depth(); }

void Pl011::receive(uint8_t byte) {
  if (read_count_ >= fifo_depth()) return;  // overrun: the character is lost, as on hardware
  unsigned slot = (read_pos_ + read_count_) & 15;
  read_fifo_[slot] = byte;
  read_count_++;
  flags_ &= ~kFrRxfe;
  if (read_count_ == fifo_depth()) flags_ |= kFrRxff;
  int_level_ |= kIntRx;
  update_irq();
}

void Pl011::update_irq() { irq_.set((int_level_ & int_enabled_) != 0); }

uint64_t Pl011::read_reg(const RegHit& hit, unsigned size) {
  uint64_t v = 0;
  switch (RegId(hit.reg->id)) {
    case kDr: {
      flags_ &= ~kFrRxff;
      uint32_t c = read_fifo_[read_pos_];
      if (read_count_ > 0) {
        read_count_--;
        read_pos_ = (read_pos_ + 1) & 15;
      }
      if (read_count_ == 0) {
        flags_ |= kFrRxfe;
        int_level_ &= ~kIntRx;
      }
      rsr_ = c >> 8;
      update_irq();
      v = c;
      break;
    }
    case kRsr: v = rsr_; break;
    case kFr: v = flags_; break;
    case kIlpr: v = ilpr_; break;
    case kIbrd: v = ibrd_; break;
    case kFbrd: v = fbrd_; break;
    case kLcrH: v = lcr_; break;
    case kCr: v = cr_; break;
    case kIfls: v = ifl_; break;
    case kImsc: v = int_enabled_; break;
    case kRis: v = int_level_; break;
    case kMis: v = int_level_ & int_enabled_; break;
    case kDmacr: v = dmacr_; break;
    case kId: v = kIds[hit.index]; break;
    default: break;
  }
  return (v >> (8 * hit.shift)) & (size >= 8 ? ~0ull : (1ull << (8 * size)) - 1);
}

void Pl011::write_reg(const RegHit& hit, uint64_t value, unsigned size) {
  uint32_t v = uint32_t(value << (8 * hit.shift));
  switch (RegId(hit.reg->id)) {
    case kDr: {
      uint8_t ch = uint8_t(v);
      backend_.write(&ch, 1);
      int_level_ |= kIntTx;
      update_irq();
      break;
    }
    case kRsr: rsr_ = 0; break;  // UARTECR: any write clears the errors
    case kIlpr: ilpr_ = v & 0xff; break;
    case kIbrd: ibrd_ = v & 0xffff; break;
    case kFbrd: fbrd_ = v & 0x3f; break;
    case kLcrH:
      // Turning the FIFO off empties it (QEMU resets read_count on an FEN change).
      if ((lcr_ ^ v) & kLcrFen) {
        read_count_ = read_pos_ = 0;
        flags_ = (flags_ & ~kFrRxff) | kFrRxfe;
      }
      lcr_ = v & 0xff;
      break;
    case kCr: cr_ = v & 0xffff; break;
    case kIfls: ifl_ = v & 0x3f; break;
    case kImsc:
      int_enabled_ = v & 0x7ff;
      update_irq();
      break;
    case kIcr:
      int_level_ &= ~v;
      update_irq();
      break;
    case kDmacr:
      dmacr_ = v & 7;
      if (dmacr_ & 3) log_guest_error("DMA requested but the PL011 has no DMA in QEMU's model");
      break;
    default: break;
  }
}

void Pl011::snapshot_state(StateIo& io) {
  io(flags_), io(lcr_), io(rsr_), io(cr_), io(dmacr_), io(int_enabled_), io(int_level_), io(ilpr_), io(ibrd_);
  io(fbrd_), io(ifl_), io(read_fifo_), io(read_pos_), io(read_count_);
  if (!io.loading()) return;
  if (read_pos_ >= 16 || read_count_ > 16) throw SnapshotError("pl011: receive FIFO position out of range");
  update_irq();
}

}  // namespace mimic::hw
