// The stdio console of `mimic system`: the serial port on the terminal in raw mode, with
// qemu-system's Ctrl-a escapes (x quits, c switches to the monitor and back, h helps).
#pragma once

#include <termios.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "hw/core/machine.h"

namespace mimic::frontends {

// The terminal's roles. mimic has no display, so it behaves as qemu-system -nographic: by
// default the serial console and the monitor share stdio (Ctrl-a c switches). `-serial stdio` or
// `-monitor none` leave the serial console alone there; `-serial none` (or null) drops the guest's
// serial output, and then the monitor has stdio to itself unless `-monitor none` too.
enum class StdioUse { kSerialAndMonitor, kSerialOnly, kMonitorOnly, kNothing };

class StdioConsole final : public hw::CharBackend {
 public:
  // `monitor` gets each command line and returns the answer text (Ctrl-a c reaches it when it
  // shares stdio with the serial console). `quit` is called for Ctrl-a x.
  StdioConsole(StdioUse use, std::function<std::string(const std::string&)> monitor, std::function<void()> quit);
  ~StdioConsole() override;

  // Starts reading stdin (after the machine exists; its device lock guards the UART's receiver).
  void start(std::recursive_mutex* device_lock);
  void stop();

  void write(const uint8_t* data, size_t len) override;
  void set_receiver(std::function<void(uint8_t)> rx, std::function<bool()> can_receive) override;

 private:
  void input_loop();
  void handle_byte(uint8_t b);
  void monitor_byte(uint8_t b);
  void out(const std::string& s);
  void flush_echo();

  void write_stdout(const uint8_t* data, size_t len);

  StdioUse use_;
  bool serial_on_stdio_;
  std::function<std::string(const std::string&)> monitor_;
  std::function<void()> quit_;
  std::recursive_mutex* device_lock_ = nullptr;
  std::mutex rx_mutex_;
  std::function<void(uint8_t)> rx_;
  std::function<bool()> can_receive_;
  std::thread thread_;
  int stop_pipe_[2] = {-1, -1};
  bool raw_ = false;
  termios saved_{};
  bool escape_ = false;      // the last byte was Ctrl-a
  bool in_monitor_ = false;  // input goes to the monitor
  std::string line_;         // monitor line being typed
  // The monitor's echo of the bytes of one read, written at once: per-byte writes let the
  // guest's console output (which goes on while the monitor has the focus, as in QEMU) land
  // between the characters of a typed command.
  std::string echo_;
  std::string pending_;  // input bytes the UART could not take yet
};

}  // namespace mimic::frontends
