// A debugging aid for races between vCPU threads, devices and the timer thread:
// MIMIC_DEBUG_JITTER=SEED makes the race-sensitive points (the vCPU loop's checks of pending
// interrupts, WFI sleep, wake-ups, interrupt lines, timer callbacks, the start of each vCPU
// thread) pause for random short moments, so that rare interleavings happen often
// (docs/system.md, "Debugging a hang"). Unset, each point is one predictable branch.
#pragma once

namespace mimic::hw::jitter {

// Set once, before main(), from MIMIC_DEBUG_JITTER.
extern const bool g_enabled;

// Where a point sits: the log line at start-up names none; kinds weigh the pause.
enum class Point {
  kAfterInterruptCheck,  // the loop found nothing pending and is about to enter guest code
  kBeforeSleep,          // WFI: between the "nothing pending" check and the wait
  kWake,                 // between exit_request and the generation bump of a wake()
  kIrqLine,              // an interrupt line changed, before the target is woken
  kTimerFire,            // the timer thread, a deadline reached, before it fires the callbacks due
  kDeviceWrite,          // a device register write that raises another vCPU's line (IPIs)
};

void pause_slow(Point where);
// Sleeps 0-200 ms: the random start of a vCPU thread (who wins OpenSBI's boot-hart lottery).
void start_delay_slow();

inline void pause(Point where) {
  if (__builtin_expect(g_enabled, false)) pause_slow(where);
}
inline void start_delay() {
  if (__builtin_expect(g_enabled, false)) start_delay_slow();
}

}  // namespace mimic::hw::jitter
