// SiFive test finisher (QEMU hw/misc/sifive_test.c): status in bits 0-15, exit code in 16-31.
#include "hw/misc/sifive_test.h"

#include <fmt/format.h>

namespace mimic::hw {

namespace {
constexpr Reg kRegs[] = {{"FINISHER", 0, 0x0, 4, RegAccess::kReadWrite}};
}

SifiveTest::SifiveTest(std::string name, std::function<void(FinisherAction, int)> on_finish, tcg::Logger* log)
    : RegisterDevice(std::move(name), kRegs, log), on_finish_(std::move(on_finish)) {}

void SifiveTest::write_reg(const RegHit& hit, uint64_t value, unsigned size) {
  if (hit.shift == 0) {
    unsigned status = value & 0xffff, code = (value >> 16) & 0xffff;
    switch (status) {
      case kFail: on_finish_(FinisherAction::PowerOff, int(code)); return;
      case kPass: on_finish_(FinisherAction::PowerOff, 0); return;
      case kReset: on_finish_(FinisherAction::Reset, 0); return;
    }
  }
  log_guest_error(fmt::format("write {:#x} at {:#x}: not a finisher command", value, hit.shift));
}

}  // namespace mimic::hw
