// The snapshot stream: "MIMICSNP", a format version, then one zstd frame of sections
// ([u16 name length][name][u32 version][u64 size][payload][u32 crc32 of the payload]) ending in
// a section named "end". RAM sections hold the region size, a bitmap of non-zero pages and those
// pages.
#include "hw/core/snapshot.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cerrno>
#include <cstdio>

namespace mimic::hw {

namespace {
constexpr char kMagic[8] = {'M', 'I', 'M', 'I', 'C', 'S', 'N', 'P'};
constexpr uint32_t kFormatVersion = 1;
constexpr uint64_t kPage = 4096;
// A device section is small; a hostile size must not make the loader allocate gigabytes.
constexpr uint64_t kMaxDeviceSection = uint64_t(64) << 20;

bool page_is_zero(const uint8_t* p) {
  const auto* w = reinterpret_cast<const uint64_t*>(p);
  for (size_t i = 0; i < kPage / 8; i++)
    if (w[i]) return false;
  return true;
}

class Writer {
 public:
  explicit Writer(const SnapshotSink& sink) : sink_(sink), ctx_(ZSTD_createCCtx()) {
    ZSTD_CCtx_setParameter(ctx_, ZSTD_c_compressionLevel, 1);  // fast: RAM dominates
    ZSTD_CCtx_setParameter(ctx_, ZSTD_c_checksumFlag, 1);
    // Compression on two worker threads, overlapping the page scan and the sink's writes (an
    // error here means a libzstd without threads: then it compresses on this one).
    ZSTD_CCtx_setParameter(ctx_, ZSTD_c_nbWorkers, 2);
    sink_(kMagic, sizeof kMagic);
    uint32_t v[2] = {kFormatVersion, 0};
    sink_(v, sizeof v);
  }
  ~Writer() { ZSTD_freeCCtx(ctx_); }

  void put(const void* data, size_t len) {
    total_ += len;
    crc_ = uint32_t(crc32_z(crc_, static_cast<const Bytef*>(data), len));
    ZSTD_inBuffer in{data, len, 0};
    while (in.pos < in.size) pump(&in, ZSTD_e_continue);
  }
  template <class T>
  void put_value(const T& v) {
    put(&v, sizeof v);
  }
  void begin(const std::string& name, uint32_t version, uint64_t size) {
    uint16_t n = uint16_t(name.size());
    put_value(n);
    put(name.data(), n);
    put_value(version);
    put_value(size);
    crc_ = 0;
  }
  void end_section() {
    uint32_t crc = crc_;
    put_value(crc);
  }
  void finish() {
    ZSTD_inBuffer in{nullptr, 0, 0};
    while (pump(&in, ZSTD_e_end) != 0) {
    }
  }
  uint64_t total() const { return total_; }

 private:
  size_t pump(ZSTD_inBuffer* in, ZSTD_EndDirective mode) {
    ZSTD_outBuffer out{buf_.data(), buf_.size(), 0};
    size_t left = ZSTD_compressStream2(ctx_, &out, in, mode);
    if (ZSTD_isError(left)) throw SnapshotError(fmt::format("snapshot: zstd: {}", ZSTD_getErrorName(left)));
    if (out.pos) sink_(buf_.data(), out.pos);
    return left;
  }
  const SnapshotSink& sink_;
  ZSTD_CCtx* ctx_;
  std::vector<uint8_t> buf_ = std::vector<uint8_t>(ZSTD_CStreamOutSize());
  uint32_t crc_ = 0;
  uint64_t total_ = 0;
};

class Reader {
 public:
  explicit Reader(const SnapshotSource& source) : source_(source) {
    char magic[8];
    uint32_t v[2];
    if (source_(magic, 8) != 8 || std::memcmp(magic, kMagic, 8) != 0)
      throw SnapshotError("not a mimic snapshot (no MIMICSNP magic)");
    if (source_(v, sizeof v) != sizeof v) throw SnapshotError("snapshot truncated in its header");
    if (v[0] != kFormatVersion || v[1] != 0)
      throw SnapshotError(
          fmt::format("snapshot format version {}.{} (this mimic reads {})", v[0], v[1], kFormatVersion));
    ctx_ = ZSTD_createDCtx();  // last: a throw above must not leak it
  }
  ~Reader() { ZSTD_freeDCtx(ctx_); }

  void get(void* data, size_t len) {
    ZSTD_outBuffer out{data, len, 0};
    while (out.pos < out.size) {
      if (in_.pos == in_.size) {
        in_.size = source_(inbuf_.data(), inbuf_.size());
        in_.pos = 0;
        if (in_.size == 0) throw SnapshotError("snapshot truncated");
      }
      size_t r = ZSTD_decompressStream(ctx_, &out, &in_);
      if (ZSTD_isError(r)) throw SnapshotError(fmt::format("snapshot data damaged (zstd: {})", ZSTD_getErrorName(r)));
      frame_done_ = r == 0;
    }
    crc_ = uint32_t(crc32_z(crc_, static_cast<const Bytef*>(data), len));
  }
  // After the last section: the zstd frame must end here, its checksum good.
  void finish() {
    uint8_t extra;
    while (!frame_done_) {
      ZSTD_outBuffer out{&extra, 1, 0};
      if (in_.pos == in_.size) {
        in_.size = source_(inbuf_.data(), inbuf_.size());
        in_.pos = 0;
      }
      const size_t before = in_.pos;
      size_t r = ZSTD_decompressStream(ctx_, &out, &in_);
      if (ZSTD_isError(r)) throw SnapshotError(fmt::format("snapshot data damaged (zstd: {})", ZSTD_getErrorName(r)));
      if (out.pos) throw SnapshotError("snapshot has data after its last section");
      frame_done_ = r == 0;
      if (!frame_done_ && (in_.size == 0 || (in_.pos == before && in_.pos == in_.size)))
        throw SnapshotError("snapshot truncated");
    }
    if (in_.pos != in_.size || source_(&extra, 1) != 0) throw SnapshotError("snapshot has data after its end");
  }
  template <class T>
  T get_value() {
    T v;
    get(&v, sizeof v);
    return v;
  }
  // The next section's header: name, version, size.
  void begin(std::string& name, uint32_t& version, uint64_t& size) {
    uint16_t n = get_value<uint16_t>();
    name.resize(n);
    get(name.data(), n);
    version = get_value<uint32_t>();
    size = get_value<uint64_t>();
    crc_ = 0;
  }
  void end_section(const std::string& name) {
    uint32_t want = crc_;
    uint32_t have = get_value<uint32_t>();
    if (have != want) throw SnapshotError(fmt::format("snapshot section '{}': checksum mismatch (damaged)", name));
  }

 private:
  const SnapshotSource& source_;
  ZSTD_DCtx* ctx_ = nullptr;
  std::vector<uint8_t> inbuf_ = std::vector<uint8_t>(ZSTD_DStreamInSize());
  ZSTD_inBuffer in_{inbuf_.data(), 0, 0};
  bool frame_done_ = false;
  uint32_t crc_ = 0;
};

void put_string(std::vector<uint8_t>& out, const std::string& s) {
  uint32_t n = uint32_t(s.size());
  out.insert(out.end(), reinterpret_cast<uint8_t*>(&n), reinterpret_cast<uint8_t*>(&n) + 4);
  out.insert(out.end(), s.begin(), s.end());
}

std::vector<uint8_t> encode_header(const SnapshotHeader& h) {
  std::vector<uint8_t> out;
  put_string(out, h.machine);
  put_string(out, h.disks);
  out.insert(out.end(), reinterpret_cast<const uint8_t*>(&h.vm_clock_ns),
             reinterpret_cast<const uint8_t*>(&h.vm_clock_ns) + 8);
  out.insert(out.end(), reinterpret_cast<const uint8_t*>(&h.date_sec),
             reinterpret_cast<const uint8_t*>(&h.date_sec) + 8);
  return out;
}

SnapshotHeader decode_header(const std::vector<uint8_t>& in) {
  SnapshotHeader h;
  size_t pos = 0;
  auto take = [&](void* p, size_t n) {
    if (in.size() - pos < n) throw SnapshotError("snapshot header truncated");
    std::memcpy(p, in.data() + pos, n);
    pos += n;
  };
  auto str = [&](std::string& s) {
    uint32_t n;
    take(&n, 4);
    if (n > in.size() - pos) throw SnapshotError("snapshot header truncated");
    s.assign(reinterpret_cast<const char*>(in.data() + pos), n);
    pos += n;
  };
  str(h.machine);
  str(h.disks);
  take(&h.vm_clock_ns, 8);
  take(&h.date_sec, 8);
  return h;
}

std::vector<uint8_t> read_payload(Reader& r, const std::string& name, uint64_t size) {
  if (size > kMaxDeviceSection)
    throw SnapshotError(fmt::format("snapshot section '{}': size {} is too large", name, size));
  std::vector<uint8_t> data(size);
  r.get(data.data(), size);
  r.end_section(name);
  return data;
}

SnapshotHeader read_header(Reader& r) {
  std::string name;
  uint32_t version;
  uint64_t size;
  r.begin(name, version, size);
  if (name != "header" || version != 1) throw SnapshotError("snapshot: the stream does not start with its header");
  return decode_header(read_payload(r, name, size));
}

void write_memory(Writer& w, const SnapshotMemory& m) {
  const uint64_t pages = m.size / kPage;
  std::vector<uint8_t> bitmap((pages + 7) / 8, 0);
  uint64_t used = 0;
  for (uint64_t p = 0; p < pages; p++)
    if (!page_is_zero(m.host + p * kPage)) bitmap[p / 8] |= uint8_t(1u << (p % 8)), used++;
  w.begin("ram:" + m.name, 1, 8 + bitmap.size() + used * kPage);
  w.put_value(m.size);
  w.put(bitmap.data(), bitmap.size());
  for (uint64_t p = 0; p < pages; p++)
    if (bitmap[p / 8] & (1u << (p % 8))) w.put(m.host + p * kPage, kPage);
  w.end_section();
}

void read_memory(Reader& r, const SnapshotMemory& m, uint64_t size, bool apply) {
  const std::string name = "ram:" + m.name;
  const uint64_t pages = m.size / kPage;
  uint64_t region = r.get_value<uint64_t>();
  if (region != m.size)
    throw SnapshotError(fmt::format("snapshot: {} is {} MiB in the snapshot, {} MiB here (-m differs?)", m.name,
                                    region >> 20, m.size >> 20));
  std::vector<uint8_t> bitmap((pages + 7) / 8);
  r.get(bitmap.data(), bitmap.size());
  uint64_t used = 0;
  for (uint8_t b : bitmap) used += __builtin_popcount(b);
  if (size != 8 + bitmap.size() + used * kPage)
    throw SnapshotError(fmt::format("snapshot section '{}': its size does not match its page bitmap", name));
  std::vector<uint8_t> scratch(kPage);
  for (uint64_t p = 0; p < pages; p++) {
    uint8_t* page = m.host + p * kPage;
    if (bitmap[p / 8] & (1u << (p % 8))) {
      r.get(apply ? page : scratch.data(), kPage);
    } else if (apply && !page_is_zero(page)) {
      std::memset(page, 0, kPage);
    }
  }
  r.end_section(name);
}
}  // namespace

void StateIo::bytes(void* p, size_t n) {
  if (!loading()) {
    const auto* b = static_cast<const uint8_t*>(p);
    out_->insert(out_->end(), b, b + n);
    return;
  }
  if (in_len_ - pos_ < n) throw SnapshotError("section shorter than the device's state (another version?)");
  std::memcpy(p, in_ + pos_, n);
  pos_ += n;
}

void StateIo::fifo(std::deque<uint8_t>& q, size_t max) {
  uint32_t n = uint32_t(std::min(q.size(), max));
  (*this)(n);
  if (n > max) throw SnapshotError("FIFO longer than the device's");
  std::vector<uint8_t> bytes_(max, 0);
  if (!loading()) std::copy(q.begin(), q.begin() + n, bytes_.begin());
  bytes(bytes_.data(), max);
  if (loading()) q.assign(bytes_.begin(), bytes_.begin() + n);
}

uint64_t write_snapshot(const SnapshotSink& sink, const SnapshotHeader& header,
                        const std::vector<SnapshotSection>& sections, const std::vector<SnapshotMemory>& memory) {
  Writer w(sink);
  std::vector<uint8_t> h = encode_header(header);
  w.begin("header", 1, h.size());
  w.put(h.data(), h.size());
  w.end_section();
  for (const SnapshotSection& s : sections) {
    std::vector<uint8_t> data;
    StateIo io = StateIo::saver(data);
    s.state(io);
    w.begin(s.name, s.version, data.size());
    w.put(data.data(), data.size());
    w.end_section();
  }
  for (const SnapshotMemory& m : memory) write_memory(w, m);
  w.begin("end", 1, 0);
  w.end_section();
  w.finish();
  return w.total();
}

uint32_t snapshot_crc32(uint32_t crc, const void* data, size_t len) {
  return uint32_t(crc32_z(crc, static_cast<const Bytef*>(data), len));
}

SnapshotHeader read_snapshot(const SnapshotSource& source, const std::string& machine,
                             const std::vector<SnapshotSection>& sections, const std::vector<SnapshotMemory>& memory,
                             bool apply, const std::function<void(const SnapshotHeader&)>& header_check) {
  Reader r(source);
  SnapshotHeader header = read_header(r);
  if (header.machine != machine)
    throw SnapshotError(
        fmt::format("the snapshot is of another machine:\n  snapshot: {}\n  this:     {}", header.machine, machine));
  if (header_check) header_check(header);
  std::string name;
  uint32_t version;
  uint64_t size;
  auto expect = [&](const std::string& want, uint32_t want_version) {
    r.begin(name, version, size);
    if (name != want)
      throw SnapshotError(
          fmt::format("snapshot has section '{}' where this machine has '{}' (a different machine)", name, want));
    if (version != want_version)
      throw SnapshotError(
          fmt::format("snapshot section '{}' is version {}, this mimic has version {}", name, version, want_version));
  };
  for (const SnapshotSection& s : sections) {
    expect(s.name, s.version);
    std::vector<uint8_t> data = read_payload(r, name, size);
    if (!apply) {
      // The section must be exactly as long as this machine's own state.
      std::vector<uint8_t> mine;
      StateIo io = StateIo::saver(mine);
      s.state(io);
      if (mine.size() != data.size())
        throw SnapshotError(fmt::format("snapshot section '{}' holds {} bytes, this machine's {} (a different machine)",
                                        name, data.size(), mine.size()));
      continue;
    }
    StateIo io = StateIo::loader(data);
    try {
      s.state(io);
    } catch (const SnapshotError& e) {
      throw SnapshotError(fmt::format("snapshot section '{}': {}", name, e.what()));
    }
    if (!io.consumed()) throw SnapshotError(fmt::format("snapshot section '{}' is longer than its state", name));
  }
  for (const SnapshotMemory& m : memory) {
    expect("ram:" + m.name, 1);
    read_memory(r, m, size, apply);
  }
  r.begin(name, version, size);
  if (name != "end") throw SnapshotError(fmt::format("snapshot has an extra section '{}' (a different machine)", name));
  r.end_section(name);
  r.finish();
  return header;
}

std::string describe_snapshot(const SnapshotSource& source) {
  Reader r(source);
  SnapshotHeader h = read_header(r);
  time_t t = time_t(h.date_sec);
  tm tmv{};
  localtime_r(&t, &tmv);
  char date[32];
  strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", &tmv);
  uint64_t secs = h.vm_clock_ns / 1'000'000'000;
  std::string out = fmt::format("machine: {}\ndate: {}\nvm clock: {:02}:{:02}:{:02}.{:03}\n", h.machine, date,
                                secs / 3600, secs / 60 % 60, secs % 60, h.vm_clock_ns / 1'000'000 % 1000);
  if (!h.disks.empty()) out += h.disks;
  out += "sections:\n";
  std::vector<uint8_t> chunk(1 << 16);
  for (;;) {
    std::string name;
    uint32_t version;
    uint64_t size;
    r.begin(name, version, size);
    if (name == "end") break;
    out += fmt::format("  {:<24} version {:<3} {:>12} bytes\n", name, version, size);
    for (uint64_t left = size; left > 0;) {
      size_t n = size_t(std::min<uint64_t>(left, chunk.size()));
      r.get(chunk.data(), n);
      left -= n;
    }
    r.end_section(name);
  }
  return out;
}

void write_snapshot_file(const std::string& path, const std::function<void(const SnapshotSink&)>& produce) {
  // Written beside the target and renamed over it: a failed save never leaves half a file.
  const std::string tmp = path + ".tmp";
  FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) throw SnapshotError(fmt::format("{}: {}", path, std::strerror(errno)));
  bool ok = true;
  SnapshotSink sink = [&](const void* data, size_t len) {
    if (ok && std::fwrite(data, 1, len, f) != len) ok = false;
  };
  try {
    produce(sink);
  } catch (...) {
    std::fclose(f);
    std::remove(tmp.c_str());
    throw;
  }
  ok = std::fflush(f) == 0 && fsync(fileno(f)) == 0 && ok;
  int err = errno;
  if (std::fclose(f) != 0) ok = false;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw SnapshotError(fmt::format("{}: writing failed: {}", path, std::strerror(err ? err : EIO)));
  }
}

SnapshotSource snapshot_file_source(const std::string& path) {
  std::shared_ptr<FILE> f(std::fopen(path.c_str(), "rb"), [](FILE* p) {
    if (p) std::fclose(p);
  });
  if (!f) throw SnapshotError(fmt::format("{}: {}", path, std::strerror(errno)));
  return [f](void* data, size_t len) { return std::fread(data, 1, len, f.get()); };
}

}  // namespace mimic::hw
