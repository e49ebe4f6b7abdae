// The 16550A UART (QEMU hw/char/serial.c's behaviour): FIFOs, DLAB divisor latches, loopback,
// the interrupt priority of the IIR, the receive FIFO's character timeout.
#include "hw/char/ns16550a.h"

#include <algorithm>

namespace mimic::hw {

namespace {
enum RegId : unsigned { kRbrThr, kIer, kIirFcr, kLcr, kMcr, kLsr, kMsr, kScr };

constexpr uint8_t kIerRdi = 0x01, kIerThri = 0x02, kIerRlsi = 0x04, kIerMsi = 0x08;
constexpr uint8_t kIirNoInt = 0x01, kIirMsi = 0x00, kIirThri = 0x02, kIirRdi = 0x04, kIirRlsi = 0x06, kIirCti = 0x0c,
                  kIirFe = 0xc0, kIirId = 0x0e;
constexpr uint8_t kFcrFe = 0x01, kFcrRfr = 0x02, kFcrXfr = 0x04;
constexpr uint8_t kLcrDlab = 0x80;
constexpr uint8_t kMcrOut2 = 0x08, kMcrLoop = 0x10;
constexpr uint8_t kLsrDr = 0x01, kLsrOe = 0x02, kLsrBi = 0x10, kLsrThre = 0x20, kLsrTemt = 0x40, kLsrIntAny = 0x1e;
constexpr uint8_t kMsrDcd = 0x80, kMsrDsr = 0x20, kMsrCts = 0x10, kMsrAnyDelta = 0x0f;
constexpr unsigned kFifoLen = 16;

// The registers with their reset values (QEMU serial_reset). DLL/DLM share offsets 0/1 under
// LCR.DLAB, FCR shares 2 with IIR (write/read).
constexpr Reg kRegs[] = {
    {"RBR/THR/DLL", kRbrThr, 0, 1, RegAccess::kReadWrite, 0},
    {"IER/DLM", kIer, 1, 1, RegAccess::kReadWrite, 0},
    {"IIR/FCR", kIirFcr, 2, 1, RegAccess::kReadWrite, kIirNoInt},
    {"LCR", kLcr, 3, 1, RegAccess::kReadWrite, 0},
    {"MCR", kMcr, 4, 1, RegAccess::kReadWrite, kMcrOut2},
    {"LSR", kLsr, 5, 1, RegAccess::kRead, kLsrTemt | kLsrThre},
    {"MSR", kMsr, 6, 1, RegAccess::kRead, kMsrDcd | kMsrDsr | kMsrCts},
    {"SCR", kScr, 7, 1, RegAccess::kReadWrite, 0},
};
}  // namespace

Ns16550a::Ns16550a(std::string name, CharBackend& backend, TimerQueue& timers, tcg::Logger* log, uint32_t baudbase)
    : RegisterDevice(std::move(name), kRegs, log),
      backend_(backend),
      timers_(timers),
      fifo_timeout_(timers, [this] { timeout(); }),
      baudbase_(baudbase) {
  reset();
  backend_.set_receiver([this](uint8_t b) { receive(b); }, [this] { return can_receive(); });
}

Ns16550a::~Ns16550a() { backend_.set_receiver(nullptr, nullptr); }

void Ns16550a::snapshot_state(StateIo& io) {
  io(divider_), io(rbr_), io(ier_), io(iir_), io(fcr_), io(lcr_), io(mcr_), io(lsr_), io(msr_), io(scr_);
  io(thr_ipending_), io(timeout_ipending_), io(rx_itl_);
  io.fifo(rx_fifo_, kFifoLen);
  if (!io.loading()) return;
  fifo_timeout_.cancel();
  update_parameters();
  update_irq();
}

void Ns16550a::reset() {
  rbr_ = uint8_t(kRegs[kRbrThr].reset);
  ier_ = uint8_t(kRegs[kIer].reset);
  iir_ = uint8_t(kRegs[kIirFcr].reset);
  lcr_ = uint8_t(kRegs[kLcr].reset);
  mcr_ = uint8_t(kRegs[kMcr].reset);
  lsr_ = uint8_t(kRegs[kLsr].reset);
  msr_ = uint8_t(kRegs[kMsr].reset);
  scr_ = uint8_t(kRegs[kScr].reset);
  fcr_ = 0;
  divider_ = 0x0c;  // 9600 baud at QEMU's default baudbase
  char_time_ns_ = (1'000'000'000ull / 9600) * 10;
  rx_itl_ = 1;
  thr_ipending_ = timeout_ipending_ = false;
  rx_fifo_.clear();
  fifo_timeout_.cancel();
  irq_.lower();
}

void Ns16550a::update_irq() {
  uint8_t id = kIirNoInt;
  if ((ier_ & kIerRlsi) && (lsr_ & kLsrIntAny))
    id = kIirRlsi;
  else if ((ier_ & kIerRdi) && timeout_ipending_)
    id = kIirCti;
  else if ((ier_ & kIerRdi) && (lsr_ & kLsrDr) && (!(fcr_ & kFcrFe) || rx_fifo_.size() >= rx_itl_))
    id = kIirRdi;
  else if ((ier_ & kIerThri) && thr_ipending_)
    id = kIirThri;
  else if ((ier_ & kIerMsi) && (msr_ & kMsrAnyDelta))
    id = kIirMsi;
  iir_ = id | (iir_ & 0xf0);
  irq_.set(id != kIirNoInt);
}

void Ns16550a::update_parameters() {
  if (divider_ == 0 || divider_ > baudbase_) return;
  unsigned frame = 1 + ((lcr_ & 0x08) ? 1 : 0) + (lcr_ & 0x03) + 5 + ((lcr_ & 0x04) ? 2 : 1);
  uint64_t speed = baudbase_ / divider_;
  char_time_ns_ = (1'000'000'000ull / speed) * frame;
}

void Ns16550a::write_fcr(uint8_t val) {
  fcr_ = val;
  if (val & kFcrFe) {
    iir_ |= kIirFe;
    static constexpr unsigned kItl[4] = {1, 4, 8, 14};
    rx_itl_ = kItl[val >> 6];
  } else {
    iir_ &= ~kIirFe;
  }
}

// Transmission is immediate: the byte leaves (or loops back) and THR is empty again at once, as
// in QEMU when the backend takes the byte.
void Ns16550a::transmit(uint8_t byte) {
  if (mcr_ & kMcrLoop)
    receive(byte);
  else
    backend_.write(&byte, 1);
  lsr_ |= kLsrThre | kLsrTemt;
  thr_ipending_ = true;
  update_irq();
}

bool Ns16550a::can_receive() const {
  if (fcr_ & kFcrFe) return rx_fifo_.size() < kFifoLen;
  return !(lsr_ & kLsrDr);
}

void Ns16550a::receive(uint8_t byte) {
  if (fcr_ & kFcrFe) {
    if (rx_fifo_.size() >= kFifoLen)
      lsr_ |= kLsrOe;
    else
      rx_fifo_.push_back(byte);
    lsr_ |= kLsrDr;
    fifo_timeout_.arm(timers_.clock().now_ns() + 4 * char_time_ns_);
  } else {
    if (lsr_ & kLsrDr) lsr_ |= kLsrOe;
    rbr_ = byte;
    lsr_ |= kLsrDr;
  }
  update_irq();
}

void Ns16550a::timeout() {
  if (!rx_fifo_.empty()) {
    timeout_ipending_ = true;
    update_irq();
  }
}

uint64_t Ns16550a::read(uint64_t offset, unsigned size) { return RegisterDevice::read(offset, 1); }
void Ns16550a::write(uint64_t offset, uint64_t value, unsigned size) { RegisterDevice::write(offset, value & 0xff, 1); }

uint64_t Ns16550a::read_reg(const RegHit& hit, unsigned size) {
  switch (hit.reg->id) {
    case kRbrThr: {
      if (lcr_ & kLcrDlab) return divider_ & 0xff;
      uint8_t ret;
      if (fcr_ & kFcrFe) {
        ret = 0;
        if (!rx_fifo_.empty()) {
          ret = rx_fifo_.front();
          rx_fifo_.pop_front();
        }
        if (rx_fifo_.empty())
          lsr_ &= ~(kLsrDr | kLsrBi);
        else
          fifo_timeout_.arm(timers_.clock().now_ns() + 4 * char_time_ns_);
        timeout_ipending_ = false;
      } else {
        ret = rbr_;
        lsr_ &= ~(kLsrDr | kLsrBi);
      }
      update_irq();
      return ret;
    }
    case kIer:
      if (lcr_ & kLcrDlab) return divider_ >> 8;
      return ier_;
    case kIirFcr: {
      uint8_t ret = iir_;
      if ((ret & kIirId) == kIirThri) {
        thr_ipending_ = false;
        update_irq();
      }
      return ret;
    }
    case kLcr: return lcr_;
    case kMcr: return mcr_;
    case kLsr: {
      uint8_t ret = lsr_;
      if (lsr_ & (kLsrBi | kLsrOe)) {
        lsr_ &= ~(kLsrBi | kLsrOe);
        update_irq();
      }
      return ret;
    }
    case kMsr:
      if (mcr_ & kMcrLoop)  // the modem outputs wired back to the inputs
        return ((mcr_ & 0x0c) << 4) | ((mcr_ & 0x02) << 3) | ((mcr_ & 0x01) << 5);
      else {
        uint8_t ret = msr_;
        if (msr_ & kMsrAnyDelta) {
          msr_ &= 0xf0;
          update_irq();
        }
        return ret;
      }
    case kScr: return scr_;
  }
  return 0;
}

void Ns16550a::write_reg(const RegHit& hit, uint64_t value, unsigned size) {
  uint8_t val = uint8_t(value);
  switch (hit.reg->id) {
    case kRbrThr:
      if (lcr_ & kLcrDlab) {
        divider_ = (divider_ & 0xff00) | val;
        update_parameters();
        return;
      }
      thr_ipending_ = false;
      lsr_ &= ~(kLsrThre | kLsrTemt);
      update_irq();
      transmit(val);
      return;
    case kIer:
      if (lcr_ & kLcrDlab) {
        divider_ = uint16_t((divider_ & 0x00ff) | (val << 8));
        update_parameters();
        return;
      } else {
        uint8_t changed = (ier_ ^ val) & 0x0f;
        ier_ = val & 0x0f;
        // Enabling THRI with THR empty raises it even if an IIR read had cleared it (QEMU, and
        // the 16550 datasheet).
        if (changed & kIerThri) thr_ipending_ = (ier_ & kIerThri) && (lsr_ & kLsrThre);
        if (changed) update_irq();
      }
      return;
    case kIirFcr:
      if ((val ^ fcr_) & kFcrFe) val |= kFcrXfr | kFcrRfr;  // toggling FE flushes both FIFOs
      if (val & kFcrRfr) {
        lsr_ &= ~(kLsrDr | kLsrBi);
        fifo_timeout_.cancel();
        timeout_ipending_ = false;
        rx_fifo_.clear();
      }
      if (val & kFcrXfr) {
        lsr_ |= kLsrThre;
        thr_ipending_ = true;
      }
      write_fcr(val & 0xc9);
      update_irq();
      return;
    case kLcr:
      lcr_ = val;
      update_parameters();
      return;
    case kMcr: mcr_ = val & 0x1f; return;
    case kScr: scr_ = val; return;
  }
}

}  // namespace mimic::hw
