// The part every board's machine shares: a Board (memory, clock, timers, devices) and its vCPUs,
// the reset/run loop with one host thread per vCPU, the stop/power-off/reset events, and the
// monitor's views (info registers/tlb, x/xp, stop/cont). Boards derive and add their wiring.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "hw/block/block.h"
#include "hw/core/clock.h"
#include "hw/core/machine.h"
#include "hw/core/memory.h"
#include "hw/core/snapshot.h"
#include "hw/core/vcpu_loop.h"
#include "hw/virtio/virtio_blk.h"
#include "tcg/exec/exec.h"
#include "tcg/exec/log.h"
#include "tcg/exec/softmmu.h"

namespace mimic::hw {

void write_dtb_file(const std::string& path, const std::vector<uint8_t>& blob);  // hw/riscv/virt.h

// Board: memory(), clock(), timers(), reset(), fdt(). Cpu: run(), request_stop(), pause(),
// resume(), dump_registers(), dump_tlb(), debug_translate(), fatal_message().
template <class Board, class Cpu>
class VcpuMachine : public Machine {
 public:
  int run() override {
    if (!config_.dumpdtb.empty()) {
      write_dtb_file(config_.dumpdtb, board_->fdt());
      fmt::print(stderr, "mimic: info: dtb dumped to {}. Exiting.\n", config_.dumpdtb);
      return 0;
    }
    in_run_ = true;
    for (;;) {
      {
        std::lock_guard lock(mutex_);
        event_ = Event::None;
      }
      if (!restored_) reset_cpus();  // a snapshot loaded before run() is where the vCPUs start
      restored_ = false;
      run_cpus();
      Event e;
      int status;
      {
        std::lock_guard lock(mutex_);
        e = event_;
        status = status_;
      }
      if (e == Event::Reset && !config_.no_reboot) {
        board_->reset();
        continue;
      }
      return e == Event::Reset ? 0 : status;
    }
  }

  void stop(int status) override { post(Event::Stop, status); }

  std::string info_registers() override {
    std::string out;
    for (size_t i = 0; i < cpus_.size(); i++) out += fmt::format("CPU#{}\n{}", i, cpus_[i]->dump_registers());
    return out;
  }
  std::string info_cpus() override {
    std::string out;
    for (size_t i = 0; i < cpus_.size(); i++) {
      const VcpuStatus s = cpus_[i]->vcpu_status();
      // QEMU prints "(halted)" alone; the other states not running say so too.
      const char* note = s.state == VcpuState::kRunning ? "" : vcpu_state_name(s.state);
      out += fmt::format("{} CPU #{}: pc=0x{:016x}{}{}{} thread_id={}\n", i == 0 ? '*' : ' ', i, s.pc,
                         *note ? " (" : "", note, *note ? ")" : "", s.thread_id);
    }
    return out;
  }
  std::string info_mtree() override { return board_->memory().mtree(); }
  std::string info_tlb() override {
    std::string out;
    for (size_t i = 0; i < cpus_.size(); i++) out += fmt::format("CPU#{}\n{}", i, cpus_[i]->dump_tlb());
    return out;
  }
  bool read_phys(uint64_t phys, void* buf, size_t len) override { return board_->memory().read(phys, buf, len); }
  bool read_virt(unsigned cpu, uint64_t vaddr, void* buf, size_t len) override {
    if (cpu >= cpus_.size()) return false;
    auto* out = static_cast<uint8_t*>(buf);
    while (len > 0) {
      uint64_t phys;
      if (!cpus_[cpu]->debug_translate(vaddr, &phys)) return false;
      size_t n = std::min<uint64_t>(len, tcg::kPageSize - (vaddr & (tcg::kPageSize - 1)));
      if (!board_->memory().read(phys, out, n)) return false;
      out += n;
      vaddr += n;
      len -= n;
    }
    return true;
  }
  void pause() override {
    user_paused_ = true;
    stop_all();
  }
  void resume() override {
    user_paused_ = false;
    start_all();
  }
  bool paused() const override { return user_paused_; }
  void system_reset() override { post(Event::Reset, 0); }
  std::string system_powerdown() override {
    if constexpr (requires(Board & b) { b.system_powerdown(); }) {
      board_->system_powerdown();
      return "";
    } else {
      return "system_powerdown: this board has no power button (neither has QEMU's); the guest powers off "
             "itself (poweroff in Linux)\n";
    }
  }
  std::recursive_mutex& device_lock() override { return board_->memory().device_lock(); }

  std::string savevm(const std::string& name) override {
    if constexpr (!kSnapshots) {
      return unsupported_snapshots();
    } else {
      if (std::string why = snapshot_blocker(); !why.empty()) return why;  // first, as QEMU
      std::string error;
      std::vector<VirtioBlk*> disks = snapshot_disks(error);
      if (!error.empty()) return error;
      const std::string tag = name.empty() ? default_snapshot_name() : name;
      return stopped([&] {
        refuse_if_blocked();  // again, now that nothing runs
        SnapshotHeader h = snapshot_header();
        // As QEMU: a snapshot of the same name is replaced; the VM state goes into the first disk,
        // streamed there in chunks while it is compressed (no copy of the whole state in memory).
        for (VirtioBlk* d : disks) {
          std::string ignored;
          d->image().snapshot_delete(tag, ignored);
          if (d->image().flush() < 0) throw SnapshotError(fmt::format("Error: {}: flush failed", d->path()));
        }
        constexpr size_t kVmStateChunk = size_t(4) << 20;
        std::vector<uint8_t> chunk;
        chunk.reserve(kVmStateChunk + (size_t(1) << 17));
        uint64_t state_size = 0;
        auto write_chunk = [&] {
          if (int r = disks[0]->image().vm_state_write(state_size, chunk.data(), chunk.size()); r < 0)
            throw SnapshotError(
                fmt::format("Error: {}: writing the VM state failed: {}", disks[0]->path(), std::strerror(-r)));
          state_size += chunk.size();
          chunk.clear();
        };
        write_snapshot(
            [&](const void* p, size_t n) {
              chunk.insert(chunk.end(), (const uint8_t*)p, (const uint8_t*)p + n);
              if (chunk.size() >= kVmStateChunk) write_chunk();
            },
            h, snapshot_sections(), snapshot_memory());
        write_chunk();
        for (VirtioBlk* d : disks) {
          std::string err;
          if (d->image().snapshot_create_vm(tag, d == disks[0] ? state_size : 0, h.vm_clock_ns, err) < 0)
            throw SnapshotError(fmt::format("Error: Error while creating snapshot on '{}': {}", d->path(), err));
        }
      });
    }
  }

  std::string loadvm(const std::string& name) override {
    if constexpr (!kSnapshots) {
      return unsupported_snapshots();
    } else {
      std::string error;
      std::vector<VirtioBlk*> disks = snapshot_disks(error);
      if (!error.empty()) return error;
      const block::SnapshotInfo* found = nullptr;
      std::vector<block::SnapshotInfo> list = disks[0]->image().info().snapshots;
      for (const block::SnapshotInfo& s : list)
        if (s.name == name || (!found && s.id == name)) found = &s;
      if (!found) return fmt::format("Error: Snapshot '{}' does not exist in device '{}'\n", name, disks[0]->path());
      if (!found->vm_state_size) return "Error: This is a disk-only snapshot. Revert to it offline using qemu-img\n";
      for (size_t i = 1; i < disks.size(); i++) {
        bool has = false;
        for (const block::SnapshotInfo& s : disks[i]->image().info().snapshots) has |= s.name == name || s.id == name;
        if (!has) return fmt::format("Error: Snapshot '{}' does not exist in device '{}'\n", name, disks[i]->path());
      }
      const uint64_t size = found->vm_state_size;
      return stopped([&] {
        // As QEMU: the disks go back first, then the VM state is read from the first one's.
        for (VirtioBlk* d : disks) {
          std::string err;
          if (d->image().snapshot_apply(name, err) < 0)
            throw SnapshotError(fmt::format("Error: Could not load snapshot '{}' on '{}': {}", name, d->path(), err));
        }
        block::BlockImage& image = disks[0]->image();
        load_stream([&] {
          auto pos = std::make_shared<uint64_t>(0);
          return SnapshotSource([&image, pos, size](void* p, size_t n) -> size_t {
            n = size_t(std::min<uint64_t>(n, size - *pos));
            if (n && image.vm_state_read(*pos, p, n) < 0) return 0;
            *pos += n;
            return n;
          });
        });
      });
    }
  }

  std::string delvm(const std::string& name) override {
    if constexpr (!kSnapshots) {
      return unsupported_snapshots();
    } else {
      std::string error;
      std::vector<VirtioBlk*> disks = snapshot_disks(error);
      if (!error.empty()) return error;
      std::string out;
      for (VirtioBlk* d : disks) {
        std::string err;
        if (d->image().snapshot_delete(name, err) < 0)
          out += fmt::format("Error: Error while deleting snapshot on '{}': {}\n", d->path(), err);
      }
      return out;
    }
  }

  std::string info_snapshots() override {
    if constexpr (!kSnapshots) {
      return unsupported_snapshots();
    } else {
      std::string error;
      std::vector<VirtioBlk*> disks = snapshot_disks(error);
      if (!error.empty()) return error;
      // QEMU lists the snapshots every disk has (by name), with ID "--".
      std::string lines;
      for (block::SnapshotInfo s : disks[0]->image().info().snapshots) {
        bool everywhere = true;
        for (size_t i = 1; i < disks.size(); i++) {
          bool has = false;
          for (const block::SnapshotInfo& o : disks[i]->image().info().snapshots) has |= o.name == s.name;
          everywhere &= has;
        }
        if (!everywhere) continue;
        s.id = "--";
        lines += block::snapshot_line(s) + "\n";
      }
      if (lines.empty()) return "There is no snapshot available.\n";
      return fmt::format("List of snapshots present on all disks:\n{:<10}{:<17}{:>8}{:>20}{:>13}{:>11}\n{}", "ID",
                         "TAG", "VM SIZE", "DATE", "VM CLOCK", "ICOUNT", lines);
    }
  }

  std::string save_snapshot_file(const std::string& path) override {
    if constexpr (!kSnapshots) {
      return unsupported_snapshots();
    } else {
      if (std::string why = snapshot_blocker(); !why.empty()) return why;
      return stopped([&] {
        refuse_if_blocked();
        SnapshotHeader h = snapshot_header();
        for (VirtioBlk* d : board_->disks()) {
          if (d->image().flush() < 0) throw SnapshotError(fmt::format("Error: {}: flush failed", d->path()));
          h.disks += disk_line(*d);
        }
        write_snapshot_file(
            path, [&](const SnapshotSink& sink) { write_snapshot(sink, h, snapshot_sections(), snapshot_memory()); });
      });
    }
  }

  std::string load_snapshot_file(const std::string& path) override {
    if constexpr (!kSnapshots) {
      return unsupported_snapshots();
    } else {
      return stopped([&] {
        load_stream([&] { return snapshot_file_source(path); },
                    [&](const SnapshotHeader& h) {
                      // The disks must be the ones the snapshot was taken with, unchanged since (docs/snapshots.md).
                      std::string mine;
                      for (VirtioBlk* d : board_->disks()) mine += disk_line(*d);
                      if (mine != h.disks)
                        throw SnapshotError(fmt::format(
                            "Error: {}: the disks differ from the snapshot's:\n  snapshot: {}  here:     {}", path,
                            h.disks.empty() ? "(none)\n" : h.disks, mine.empty() ? "(none)\n" : mine));
                    });
      });
    }
  }

 protected:
  enum class Event { None, PowerOff, Reset, Stop, Fatal };
  // Whether this board's devices and vCPUs describe their state (hw/core/snapshot.h).
  static constexpr bool kSnapshots = requires(Board & b, Cpu& c, StateIo& io, std::vector<SnapshotSection>& s) {
    b.snapshot_sections(s);
    b.snapshot_devices();
    b.disks();
    b.drain_io();
    c.snapshot_state(io);
  };

  // A device's reason the machine cannot be saved now, as the monitor's answer ("Error: ...\n").
  // Without the device lock: the answers are atomics (a 9p export's mount state), and the
  // running vCPUs' MMIO would keep the monitor waiting for the lock.
  std::string snapshot_blocker() {
    if constexpr (requires(Board & b) { b.snapshot_blocker(); }) {
      if (std::string why = board_->snapshot_blocker(); !why.empty()) return "Error: " + why + "\n";
    }
    return {};
  }
  void refuse_if_blocked() {
    if (std::string why = snapshot_blocker(); !why.empty()) throw SnapshotError(why);
  }

  // `cpu_noun` names a vCPU in fatal messages ("hart", "cpu").
  VcpuMachine(const MachineConfig& config, const char* cpu_noun) : config_(config), cpu_noun_(cpu_noun) {}

  // The -d/-D log for the devices: the program's, or one of our own when `flags` are asked for.
  tcg::Logger* open_log(uint32_t flags) {
    if (config_.logger) return config_.logger;
    if (!(config_.log_flags & flags)) return nullptr;
    tcg::EngineOptions opts;
    opts.log = config_.log_flags;
    opts.log_file = config_.log_file;
    log_ = std::make_unique<tcg::Logger>(opts);
    return log_.get();
  }

  // Architectural reset of every vCPU as the board's boot protocol wants it.
  virtual void reset_cpus() = 0;
  // Runs vCPU `i` on the calling thread until it stops, or for `slice_blocks` block entries when
  // that is not 0; true when it stopped on a fatal error.
  virtual bool run_cpu(unsigned i, unsigned slice_blocks = 0) = 0;
  // Runs every vCPU until an event: one host thread each, or with -accel tcg,thread=single all
  // on this thread taking turns of kSliceBlocks block entries (deterministic: docs/riscv-system.md).
  static constexpr unsigned kSliceBlocks = 4096;
  void run_cpus() {
    if (config_.single_thread)
      run_round_robin();
    else
      run_threads();
  }
  void run_round_robin() {
    while (!stopping())
      for (unsigned i = 0; i < cpus_.size(); i++) {
        if (run_cpu(i, kSliceBlocks)) report_fatal(i);
        if (stopping()) break;
      }
  }

  void post(Event e, int status) {
    {
      std::lock_guard lock(mutex_);
      if (event_ != Event::None) return;  // the first reason wins
      event_ = e;
      status_ = status;
    }
    cv_.notify_all();
    for (auto& c : cpus_) c->request_stop();
  }

  void report_fatal(unsigned i) {
    fmt::print(stderr, "mimic: {} {}: {}\n", cpu_noun_, i, cpus_[i]->fatal_message());
    post(Event::Fatal, 1);
  }

  bool stopping() {
    std::lock_guard lock(mutex_);
    return event_ != Event::None;
  }

  void run_threads() {
    std::vector<std::thread> threads;
    unsigned done = 0;
    for (unsigned i = 0; i < cpus_.size(); i++)
      threads.emplace_back([this, i, &done] {
        if (run_cpu(i)) report_fatal(i);
        {
          std::lock_guard lock(mutex_);
          done++;
        }
        cv_.notify_all();
      });
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [&] { return event_ != Event::None || done == cpus_.size(); });
    }
    // A stop requested before a vCPU entered run() could be missed: ask until all have left.
    for (;;) {
      for (auto& c : cpus_) c->request_stop();
      std::unique_lock lock(mutex_);
      if (cv_.wait_for(lock, std::chrono::milliseconds(50), [&] { return done == cpus_.size(); })) break;
    }
    for (auto& t : threads) t.join();
    std::lock_guard lock(mutex_);
    if (event_ == Event::None) event_ = Event::Stop;  // every vCPU returned on its own
  }

  // Snapshots: the machine with every vCPU parked, no virtio request in flight, guest time
  // stopped and the device lock held, around `f`; "" or the error `f` threw.
  template <class F>
  std::string stopped(F f) {
    const bool was_paused = user_paused_;
    if (!was_paused) stop_all();
    std::string error;
    {
      board_->drain_io();
      std::lock_guard lock(device_lock());
      try {
        f();
      } catch (const SnapshotError& e) {
        error = e.what();
      } catch (const MachineError& e) {
        error = e.what();
      }
    }
    if (!was_paused) start_all();
    if (!error.empty() && error.back() != '\n') error += '\n';
    if (!error.empty() && error.rfind("Error: ", 0) != 0) error = "Error: " + error;
    return error;
  }

  // Reads a stream twice from `open()`: first only checking it (so that a damaged or foreign
  // snapshot is refused before anything changed), then loading it.
  template <class Open>
  void load_stream(Open open, const std::function<void(const SnapshotHeader&)>& check = nullptr) {
    const std::vector<SnapshotSection> sections = snapshot_sections();
    const std::vector<SnapshotMemory> memory = snapshot_memory();
    const std::string identity = snapshot_identity();
    // At start-up (-loadvm, -loadvm-file) there is no running machine to keep: a bad stream ends
    // the process, so one pass serves (the header is still checked before anything is loaded).
    if (in_run_) read_snapshot(open(), identity, sections, memory, false, check);
    read_snapshot(open(), identity, sections, memory, true, check);
    engine_->flush();  // RAM holds other code now
    if (!in_run_) restored_ = true;
  }

  std::vector<SnapshotSection> snapshot_sections() {
    std::vector<SnapshotSection> s;
    s.push_back({"clock", 1, [this](StateIo& io) {
                   uint64_t now = board_->clock().now_ns();
                   io(now);
                   if (io.loading()) board_->clock().set_now(now);
                 }});
    if constexpr (kSnapshots) board_->snapshot_sections(s);
    for (size_t i = 0; i < cpus_.size(); i++)
      s.push_back({fmt::format("cpu.{}", i), 1, [this, i](StateIo& io) {
                     if constexpr (kSnapshots) cpus_[i]->snapshot_state(io);
                   }});
    return s;
  }

  std::vector<SnapshotMemory> snapshot_memory() {
    std::vector<SnapshotMemory> m;
    for (const MemoryRegion* r : board_->memory().regions())
      if (r->kind == RegionKind::Ram || r->kind == RegionKind::Rom) m.push_back({r->name, r->host, r->size});
    return m;
  }

  // What must be equal for a snapshot to load: the options that shape the machine.
  std::string snapshot_identity() {
    std::string devices;
    if constexpr (kSnapshots) devices = board_->snapshot_devices();
    return fmt::format("{} -M {}{}{} -cpu {} -smp {} -m {}M{}", config_.arch, config_.machine,
                       config_.properties.empty() ? "" : ",", config_.properties,
                       config_.cpu.empty() ? "default" : config_.cpu, config_.smp, config_.ram_bytes >> 20, devices);
  }

  SnapshotHeader snapshot_header() {
    SnapshotHeader h;
    h.machine = snapshot_identity();
    h.vm_clock_ns = board_->clock().now_ns();
    h.date_sec = uint64_t(std::time(nullptr));
    return h;
  }

  // savevm/loadvm's disks: every writable one, all qcow2 (QEMU's rule and messages).
  std::vector<VirtioBlk*> snapshot_disks(std::string& error) {
    std::vector<VirtioBlk*> out;
    if constexpr (kSnapshots) {
      for (VirtioBlk* d : board_->disks()) {
        if (d->image().read_only()) continue;
        if (std::string(d->image().format_name()) != "qcow2") {
          error = fmt::format("Error: Device '{}' is writable but does not support snapshots\n", d->path());
          return {};
        }
        out.push_back(d);
      }
    }
    if (out.empty()) error = "Error: No block device can accept snapshots\n";
    return out;
  }

  // A snapshot file's record of a disk: file, format, size and a fingerprint of its contents
  // (64 blocks of 4 KiB spread over the disk and its first MiB), cheap enough for any size.
  static std::string disk_line(VirtioBlk& d) {
    block::BlockImage& img = d.image();
    const uint64_t size = img.size();
    std::vector<uint8_t> buf(4096);
    uint32_t crc = 0;
    auto sample = [&](uint64_t off, size_t len) {
      len = size_t(std::min<uint64_t>(len, size > off ? size - off : 0));
      if (!len) return;
      buf.resize(len);
      if (img.read(off, buf.data(), len) < 0) std::fill(buf.begin(), buf.end(), 0xff);
      crc = snapshot_crc32(crc, buf.data(), len);
    };
    sample(0, 1 << 20);
    for (uint64_t i = 0; i < 64; i++) sample(size / 64 * i & ~uint64_t(4095), 4096);
    return fmt::format("disk {} {} {} {:08x}\n", d.path(), img.format_name(), size, crc);
  }

  static std::string default_snapshot_name() {
    std::time_t t = std::time(nullptr);
    std::tm tmv{};
    localtime_r(&t, &tmv);
    char buf[32];
    std::strftime(buf, sizeof buf, "vm-%Y%m%d%H%M%S", &tmv);
    return buf;
  }

  void stop_all() {
    for (auto& c : cpus_) c->pause();
    board_->clock().pause();
  }
  void start_all() {
    board_->clock().resume();
    board_->timers().notify();
    for (auto& c : cpus_) c->resume();
  }

  MachineConfig config_;
  std::unique_ptr<tcg::Logger> log_;
  std::unique_ptr<Board> board_;
  std::shared_ptr<tcg::ExecEngine> engine_;
  std::vector<std::unique_ptr<Cpu>> cpus_;

 private:
  bool user_paused_ = false;  // monitor `stop`
  bool restored_ = false;     // run() starts from a loaded snapshot, without a reset
  std::atomic<bool> in_run_{false};
  const char* cpu_noun_;
  std::mutex mutex_;
  std::condition_variable cv_;
  Event event_ = Event::None;
  int status_ = 0;
};

}  // namespace mimic::hw
