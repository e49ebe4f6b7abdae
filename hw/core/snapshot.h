// Whole-machine snapshots: the serialization layer. A machine's state is a list of named,
// versioned sections (one per vCPU, device, clock, RAM region), each sized and checksummed,
// compressed with zstd into one stream. Every device describes its state once, in a
// snapshot_state(StateIo&) that both saves and loads (QEMU's VMState idea without the tables).
#pragma once

#include <atomic>
#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace mimic::hw {

// A snapshot that cannot be written or read: `what()` is the whole message for the user.
struct SnapshotError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// One section's fields, in order, in both directions: saving appends them to a buffer, loading
// reads them back and throws SnapshotError when the section is too short.
class StateIo {
 public:
  static StateIo saver(std::vector<uint8_t>& out) { return StateIo(&out, nullptr, 0); }
  static StateIo loader(const std::vector<uint8_t>& in) { return StateIo(nullptr, in.data(), in.size()); }
  bool loading() const { return in_ != nullptr; }
  // Loading: whether every byte was read (a section longer than its description is refused).
  bool consumed() const { return pos_ == in_len_; }

  void bytes(void* p, size_t n);
  template <class T>
  requires std::is_trivially_copyable_v<T>
  void operator()(T& v) { bytes(&v, sizeof v); }
  template <class T>
  void operator()(std::atomic<T>& a) {
    T v = a.load();
    (*this)(v);
    if (loading()) a.store(v);
  }
  // A vector whose length the configuration fixes (PLIC sources, harts): a different length in
  // the snapshot is a different machine.
  template <class T>
  requires std::is_trivially_copyable_v<T>
  void operator()(std::vector<T>& v) {
    uint32_t n = uint32_t(v.size());
    (*this)(n);
    if (loading() && n != v.size()) throw SnapshotError("array of a different length (another machine?)");
    bytes(v.data(), v.size() * sizeof(T));
  }
  // Variable contents of at most `max` bytes (a UART's receive FIFO).
  void fifo(std::deque<uint8_t>& q, size_t max);

 private:
  StateIo(std::vector<uint8_t>* out, const uint8_t* in, size_t len) : out_(out), in_(in), in_len_(len) {}
  std::vector<uint8_t>* out_;
  const uint8_t* in_;
  size_t in_len_, pos_ = 0;
};

// What a machine is made of: one snapshot_state per section, by name.
struct SnapshotSection {
  std::string name;
  uint32_t version = 1;
  std::function<void(StateIo&)> state;
};

// A RAM or ROM region as its own section: zero pages are skipped (a bitmap says which pages
// follow).
struct SnapshotMemory {
  std::string name;
  uint8_t* host = nullptr;
  uint64_t size = 0;
};

// The bytes of a stream: `write` takes compressed output, `read` fills up to `len` bytes and
// returns how many (0 at the end).
using SnapshotSink = std::function<void(const void* data, size_t len)>;
using SnapshotSource = std::function<size_t(void* data, size_t len)>;

// What `mimic snapshot info` and the loaders read before any section.
struct SnapshotHeader {
  std::string machine;       // the identity the loader compares: arch, -M, -smp, -m, devices
  uint64_t vm_clock_ns = 0;  // guest time when it was taken
  uint64_t date_sec = 0;     // host wall-clock time when it was taken
  std::string disks;         // the disk policy lines (snapshot files): path, size, fingerprint
};

// Writes header, sections and memory as one stream; returns the uncompressed size.
uint64_t write_snapshot(const SnapshotSink& sink, const SnapshotHeader& header,
                        const std::vector<SnapshotSection>& sections, const std::vector<SnapshotMemory>& memory);

// Reads a stream. With `apply` false it only checks it (magic, every checksum, every section's
// name, version and size against what `sections` and `memory` describe now), so that a stream
// that does not fit is refused before anything changed; with `apply` true it loads it.
// Throws SnapshotError naming the section and the problem.
// The header's machine must equal `machine` (else: refused, naming both); `header_check`, if
// given, sees the header before any section is read (and may throw).
SnapshotHeader read_snapshot(const SnapshotSource& source, const std::string& machine,
                             const std::vector<SnapshotSection>& sections, const std::vector<SnapshotMemory>& memory,
                             bool apply, const std::function<void(const SnapshotHeader&)>& header_check = nullptr);

// crc32 (zlib's) for fingerprints.
uint32_t snapshot_crc32(uint32_t crc, const void* data, size_t len);

// One line per section (name, version, size) after the header, for `mimic snapshot info`.
std::string describe_snapshot(const SnapshotSource& source);

// Snapshot files (`snapshot save FILE`, -loadvm-file): the stream in a file.
void write_snapshot_file(const std::string& path, const std::function<void(const SnapshotSink&)>& produce);
SnapshotSource snapshot_file_source(const std::string& path);  // throws SnapshotError

}  // namespace mimic::hw
