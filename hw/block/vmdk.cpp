// VMware's VMDK: hosted sparse extents (monolithicSparse: a header, an embedded descriptor,
// grain directory and grain tables, each kept twice; streamOptimized: the same with
// zlib-compressed grains behind markers) read and written, and monolithicFlat descriptors (a
// text file naming flat extents) read and written in place. A new grain is appended to the file
// first; its grain table entry reaches the file at the next flush, after the grain is on disk.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/random.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <sstream>

#include "hw/block/compress.h"
#include "hw/block/file.h"
#include "hw/block/formats.h"
#include "hw/block/lock.h"

namespace mimic::hw::block::vmdk {
namespace {

constexpr uint32_t kMagic = 0x564d444b;  // "KDMV"
constexpr uint32_t kFlagRgd = 2, kFlagZeroGrain = 4, kFlagCompress = 1u << 16, kFlagMarker = 1u << 17;
constexpr uint64_t kGdAtEnd = ~0ull;
constexpr uint32_t kDescSectors = 20;

struct FlatExtent {
  int fd;
  uint64_t sectors, offset;  // offset: sectors into the extent file
};

class VmdkImage final : public BlockImage {
 public:
  VmdkImage(int fd, std::string path, bool ro) : fd_(fd), path_(std::move(path)), read_only_(ro) {}
  ~VmdkImage() override {
    flush();
    for (auto& e : flat_)
      if (e.fd != fd_) ::close(e.fd);
    ::close(fd_);
  }

  bool open_sparse(std::string& error) {
    auto fail = [&](const std::string& m) {
      error = path_ + ": " + m;
      return false;
    };
    int64_t flen = file_size(fd_);
    if (flen < 512 || pread_full(fd_, h_, 512, 0) < 0) return fail("not a VMDK image (too short)");
    if (le32(h_) != kMagic) return fail("not a VMDK image (bad magic)");
    uint32_t version = le32(h_ + 4);
    if (version < 1 || version > 3) return fail(fmt::format("unsupported VMDK version {}", version));
    flags_ = le32(h_ + 8);
    uint64_t capacity = le64(h_ + 12), grain = le64(h_ + 20);
    gtes_ = le32(h_ + 44);
    rgd_offset_ = le64(h_ + 48), gd_offset_ = le64(h_ + 56);
    if (grain == 0 || (grain & (grain - 1)) || grain > 4096)
      return fail(fmt::format("VMDK grain size of {} sectors is invalid", grain));
    if (gtes_ == 0 || gtes_ > 65536) return fail(fmt::format("VMDK grain table size {} is invalid", gtes_));
    if (capacity > (1ull << 53)) return fail("VMDK capacity is too large");
    if ((flags_ & kFlagCompress) && le16(h_ + 77) != 1) return fail("unknown VMDK compression algorithm");
    if (gd_offset_ == kGdAtEnd) {
      // streamOptimized as VMware writes it: the real header is the footer before the end marker.
      uint8_t footer[512];
      if (flen < 1536 || pread_full(fd_, footer, 512, uint64_t(flen) - 1024) < 0 || le32(footer) != kMagic)
        return fail("VMDK footer is missing");
      gd_offset_ = le64(footer + 56);
      rgd_offset_ = 0;
    }
    grain_bytes_ = grain * 512;
    size_ = capacity * 512;
    uint64_t span = grain * gtes_;
    uint64_t gd_entries = (capacity + span - 1) / span;
    if (!fits(gd_offset_ * 512, gd_entries * 4, uint64_t(flen)) || gd_offset_ == 0)
      return fail("VMDK grain directory lies past the end of the file");
    std::vector<uint8_t> raw(gd_entries * 4);
    if (pread_full(fd_, raw.data(), raw.size(), gd_offset_ * 512) < 0)
      return fail("reading the grain directory failed");
    gd_.resize(gd_entries);
    for (size_t i = 0; i < gd_entries; ++i) {
      gd_[i] = le32(&raw[i * 4]);
      if (gd_[i] && !fits(uint64_t(gd_[i]) * 512, uint64_t(gtes_) * 4, uint64_t(flen)))
        return fail(fmt::format("VMDK grain table {} lies past the end of the file", i));
    }
    if ((flags_ & kFlagRgd) && rgd_offset_ && fits(rgd_offset_ * 512, gd_entries * 4, uint64_t(flen))) {
      pread_full(fd_, raw.data(), raw.size(), rgd_offset_ * 512);
      rgd_.resize(gd_entries);
      for (size_t i = 0; i < gd_entries; ++i) rgd_[i] = le32(&raw[i * 4]);
    }
    uint64_t desc_off = le64(h_ + 28), desc_len = le64(h_ + 36);
    if (desc_off && desc_len && desc_len < 2048 && fits(desc_off * 512, desc_len * 512, uint64_t(flen))) {
      std::string d(desc_len * 512, '\0');
      pread_full(fd_, d.data(), d.size(), desc_off * 512);
      d.resize(strnlen(d.data(), d.size()));
      create_type_ = descriptor_value(d, "createType");
      cid_ = descriptor_value(d, "CID"), parent_cid_ = descriptor_value(d, "parentCID");
    }
    if (create_type_.empty()) create_type_ = (flags_ & kFlagCompress) ? "streamOptimized" : "monolithicSparse";
    end_ = (uint64_t(flen) + 511) & ~511ull;
    return true;
  }

  bool open_descriptor(const std::string& text, const OpenOptions& options, std::string& error) {
    create_type_ = descriptor_value(text, "createType");
    cid_ = descriptor_value(text, "CID"), parent_cid_ = descriptor_value(text, "parentCID");
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream l(line);
      std::string access, type, name;
      uint64_t sectors = 0, offset = 0;
      if (!(l >> access >> sectors >> type)) continue;
      if (access != "RW" && access != "RDONLY" && access != "NOACCESS") continue;
      size_t q1 = line.find('"'), q2 = line.rfind('"');
      if (q1 == std::string::npos || q2 <= q1) continue;
      name = line.substr(q1 + 1, q2 - q1 - 1);
      std::istringstream(line.substr(q2 + 1)) >> offset;
      if (type != "FLAT") {
        error = path_ + ": VMDK extent type " + type + " in a descriptor file is not supported (monolithicFlat only)";
        return false;
      }
      if (name.find('/') != std::string::npos && !options.allow_backing_outside) {
        error = path_ + ": VMDK extent '" + name + "' lies outside the descriptor's folder";
        return false;
      }
      std::string p = name[0] == '/' ? name : dir_of(path_) + name;
      int fd = ::open(p.c_str(), (read_only_ ? O_RDONLY : O_RDWR) | O_CLOEXEC);
      if (fd < 0) {
        error = path_ + ": cannot open VMDK extent '" + p + "': " + std::strerror(errno);
        return false;
      }
      if (options.lock && lock_image(fd, p, !read_only_, error) < 0) {
        ::close(fd);
        return false;
      }
      flat_.push_back({fd, sectors, offset});
      if (size_ + sectors * 512 < size_) {
        error = path_ + ": VMDK extents add up to an absurd size";
        return false;
      }
      size_ += sectors * 512;
    }
    if (flat_.empty()) {
      error = path_ + ": VMDK descriptor names no extent";
      return false;
    }
    return true;
  }

  uint64_t size() const override { return size_; }
  bool read_only() const override { return read_only_; }
  const char* format_name() const override { return "vmdk"; }
  uint64_t cluster_size() const override { return flat_.empty() ? grain_bytes_ : 0; }

  int read(uint64_t offset, void* buf, size_t len) override {
    if (!fits(offset, len, size_)) return -EINVAL;
    std::lock_guard g(mu_);
    auto* p = static_cast<uint8_t*>(buf);
    if (!flat_.empty()) return flat_io(offset, p, len, false);
    while (len) {
      uint64_t gi = offset / grain_bytes_, in = offset % grain_bytes_;
      size_t part = size_t(std::min<uint64_t>(len, grain_bytes_ - in));
      uint32_t gte;
      if (int r = grain_entry(gi, gte); r < 0) return r;
      if (gte == 0 || (gte == 1 && (flags_ & kFlagZeroGrain))) {
        std::memset(p, 0, part);
      } else if (flags_ & kFlagCompress) {
        if (int r = read_compressed(gte, gi); r < 0) return r;
        std::memcpy(p, grain_buf_.data() + in, part);
      } else if (int r = pread_full(fd_, p, part, uint64_t(gte) * 512 + in); r < 0) {
        return r;
      }
      p += part, offset += part, len -= part;
    }
    return 0;
  }

  int write(uint64_t offset, const void* buf, size_t len) override {
    if (read_only_) return -EROFS;
    if (!fits(offset, len, size_)) return -EINVAL;
    std::lock_guard g(mu_);
    auto* p = static_cast<const uint8_t*>(buf);
    if (!flat_.empty()) return flat_io(offset, const_cast<uint8_t*>(p), len, true);
    while (len) {
      uint64_t gi = offset / grain_bytes_, in = offset % grain_bytes_;
      size_t part = size_t(std::min<uint64_t>(len, grain_bytes_ - in));
      uint32_t gte;
      if (int r = grain_entry(gi, gte); r < 0) return r;
      bool allocated = gte > 1 || (gte == 1 && !(flags_ & kFlagZeroGrain));
      if (allocated && !(flags_ & kFlagCompress)) {
        if (int r = pwrite_full(fd_, p, part, uint64_t(gte) * 512 + in); r < 0) return r;
      } else if (int r = write_new_grain(gi, gte, in, p, part); r < 0) {
        return r;
      }
      p += part, offset += part, len -= part;
    }
    return 0;
  }

  int flush() override {
    if (read_only_) return 0;
    std::lock_guard g(mu_);
    if (int r = sync_file(fd_); r < 0) return r;  // grains and new tables before the entries naming them
    if (dirty_gte_.empty() && dirty_gd_.empty()) return 0;
    for (auto [gi, value] : dirty_gte_) {
      uint64_t t = gi / gtes_, i = gi % gtes_;
      uint8_t v[4];
      put_le32(v, value);
      if (int r = pwrite_full(fd_, v, 4, uint64_t(gd_[t]) * 512 + i * 4); r < 0) return r;
      if (!rgd_.empty() && rgd_[t]) {
        if (int r = pwrite_full(fd_, v, 4, uint64_t(rgd_[t]) * 512 + i * 4); r < 0) return r;
      }
    }
    if (int r = sync_file(fd_); r < 0) return r;
    for (uint64_t t : dirty_gd_) {
      uint8_t v[4];
      put_le32(v, gd_[t]);
      if (int r = pwrite_full(fd_, v, 4, gd_offset_ * 512 + t * 4); r < 0) return r;
      if (!rgd_.empty()) {
        put_le32(v, rgd_[t]);
        if (int r = pwrite_full(fd_, v, 4, rgd_offset_ * 512 + t * 4); r < 0) return r;
      }
    }
    dirty_gte_.clear(), dirty_gd_.clear();
    return sync_file(fd_);
  }

  int block_status(uint64_t offset, uint64_t len, BlockStatus& st) override {
    if (!fits(offset, len, size_) || !len) return -EINVAL;
    if (!flat_.empty()) return BlockImage::block_status(offset, len, st);
    std::lock_guard g(mu_);
    st = {};
    while (st.length < len) {
      uint64_t o = offset + st.length, gi = o / grain_bytes_;
      uint32_t gte;
      if (int r = grain_entry(gi, gte); r < 0) return r;
      auto kind = gte == 0                                  ? BlockStatus::kUnallocated
                  : (gte == 1 && (flags_ & kFlagZeroGrain)) ? BlockStatus::kZero
                                                            : BlockStatus::kData;
      uint64_t host =
          kind == BlockStatus::kData && !(flags_ & kFlagCompress) ? uint64_t(gte) * 512 + o % grain_bytes_ : UINT64_MAX;
      if (st.length == 0)
        st.kind = kind, st.host_offset = host;
      else if (kind != st.kind || (host != UINT64_MAX && host != st.host_offset + st.length) ||
               (host == UINT64_MAX) != (st.host_offset == UINT64_MAX))
        break;
      st.length += std::min<uint64_t>(len - st.length, grain_bytes_ - o % grain_bytes_);
    }
    return 0;
  }

  int write_compressed(uint64_t offset, const void* buf, size_t len) override {
    if (!(flags_ & kFlagCompress)) return -ENOTSUP;
    return write(offset, buf, len);
  }

  ImageInfo info() const override {
    ImageInfo in;
    in.cluster_size = cluster_size();
    in.format_specific_type = "vmdk";
    auto hex_number = [](const std::string& v) { return std::to_string(std::strtoull(v.c_str(), nullptr, 16)); };
    if (!cid_.empty()) in.format_specific.push_back({"cid", hex_number(cid_)});
    if (!parent_cid_.empty()) in.format_specific.push_back({"parent-cid", hex_number(parent_cid_)});
    in.format_specific.push_back({"create-type", "\"" + create_type_ + "\""});
    return in;
  }

  int check(Repair, CheckResult& res) override {
    std::lock_guard g(mu_);
    if (!flat_.empty()) return 0;
    int64_t flen = file_size(fd_);
    std::set<uint32_t> seen;
    for (uint64_t gi = 0; gi * grain_bytes_ < size_; ++gi) {
      uint32_t gte;
      if (grain_entry(gi, gte) < 0) {
        ++res.check_errors;
        continue;
      }
      if (gte <= 1) continue;
      ++res.allocated_clusters;
      if (uint64_t(gte) * 512 >= uint64_t(flen) || (!(flags_ & kFlagCompress) && !seen.insert(gte).second)) {
        res.messages.push_back(fmt::format("ERROR: grain {} points at sector {}, past the end or shared", gi, gte));
        ++res.corruptions;
      }
    }
    res.total_clusters = (size_ + grain_bytes_ - 1) / grain_bytes_;
    return 0;
  }

 private:
  static std::string descriptor_value(const std::string& d, const std::string& key) {
    size_t at = d.rfind(key + "=", 0) == 0 ? 0 : d.find("\n" + key + "=");
    if (at == std::string::npos) return {};
    if (d[at] == '\n') ++at;
    size_t s = at + key.size() + 1, e = d.find('\n', s);
    std::string v = d.substr(s, e == std::string::npos ? std::string::npos : e - s);
    v.erase(std::remove(v.begin(), v.end(), '"'), v.end());
    while (!v.empty() && (v.back() == '\r' || v.back() == ' ')) v.pop_back();
    return v;
  }

  int flat_io(uint64_t offset, uint8_t* p, size_t len, bool write) {
    uint64_t base = 0;
    for (auto& e : flat_) {
      uint64_t bytes = e.sectors * 512;
      if (len && offset < base + bytes) {
        uint64_t in = offset - base;
        size_t part = size_t(std::min<uint64_t>(len, bytes - in));
        int r =
            write ? pwrite_full(e.fd, p, part, e.offset * 512 + in) : pread_full(e.fd, p, part, e.offset * 512 + in);
        if (r < 0) return r;
        p += part, offset += part, len -= part;
      }
      base += bytes;
    }
    return 0;
  }

  // The grain table entry for grain `gi` (0: unallocated), loading its table on first use.
  int grain_entry(uint64_t gi, uint32_t& gte) {
    uint64_t t = gi / gtes_;
    gte = 0;
    if (t >= gd_.size() || !gd_[t]) return 0;
    auto it = gts_.find(t);
    if (it == gts_.end()) {
      std::vector<uint8_t> raw(uint64_t(gtes_) * 4);
      if (int r = pread_full(fd_, raw.data(), raw.size(), uint64_t(gd_[t]) * 512); r < 0) return r;
      std::vector<uint32_t> table(gtes_);
      for (uint32_t i = 0; i < gtes_; ++i) table[i] = le32(&raw[i * 4]);
      it = gts_.emplace(t, std::move(table)).first;
    }
    gte = it->second[gi % gtes_];
    return 0;
  }

  int read_compressed(uint32_t gte, uint64_t gi) {
    if (grain_buf_gte_ == gte && !grain_buf_.empty()) return 0;
    grain_buf_.resize(grain_bytes_);
    uint64_t at = uint64_t(gte) * 512, clen = grain_bytes_ * 2 + 512;
    if (flags_ & kFlagMarker) {
      uint8_t m[12];
      if (int r = pread_full(fd_, m, 12, at); r < 0) return r;
      clen = le32(m + 8);
      if (clen == 0 || clen > grain_bytes_ * 2 + 1024) {
        report_problem(fmt::format("{}: grain {} has a bad marker", path_, gi));
        return -EIO;
      }
      at += 12;
    }
    std::vector<uint8_t> in(clen);
    if (int r = pread_full(fd_, in.data(), clen, at); r < 0) return r;
    if (!decompress_buffer(Codec::kZlib, in.data(), clen, grain_buf_.data(), grain_bytes_)) {
      // The last grain of a disk whose size is not a multiple of the grain may be short.
      report_problem(fmt::format("{}: grain {} does not decompress", path_, gi));
      return -EIO;
    }
    grain_buf_gte_ = gte;
    return 0;
  }

  int write_new_grain(uint64_t gi, uint32_t old_gte, uint64_t in, const uint8_t* data, size_t len) {
    std::vector<uint8_t> grain(grain_bytes_, 0);
    if (len < grain_bytes_ && old_gte > 1) {
      if (int r = read_compressed(old_gte, gi); r < 0) return r;
      grain = grain_buf_;
    }
    std::memcpy(&grain[in], data, len);
    uint64_t t = gi / gtes_;
    if (t >= gd_.size()) return -EIO;
    if (!gd_[t]) {
      // A grain table (and its redundant copy) appended, zeroed, before the directory names it.
      uint64_t bytes = (uint64_t(gtes_) * 4 + 511) & ~511ull;
      std::vector<uint8_t> zero(bytes, 0);
      for (int copy = 0; copy < (rgd_.empty() ? 1 : 2); ++copy) {
        if (int r = pwrite_full(fd_, zero.data(), bytes, end_); r < 0) return r;
        (copy ? rgd_[t] : gd_[t]) = uint32_t(end_ / 512);
        end_ += bytes;
      }
      gts_[t].assign(gtes_, 0);
      dirty_gd_.insert(t);
    }
    uint64_t at = end_;
    if (flags_ & kFlagCompress) {
      std::vector<uint8_t> out(grain_bytes_ * 2 + 1024);
      size_t clen = compress_buffer(Codec::kZlib, grain.data(), grain_bytes_, out.data() + 12, out.size() - 12);
      if (!clen) return -EIO;
      put_le64(out.data(), gi * (grain_bytes_ / 512));
      put_le32(out.data() + 8, uint32_t(clen));
      size_t total = ((flags_ & kFlagMarker) ? 12 : 0) + clen;
      const uint8_t* src = (flags_ & kFlagMarker) ? out.data() : out.data() + 12;
      std::vector<uint8_t> padded(src, src + total);
      padded.resize((total + 511) & ~size_t(511), 0);
      if (int r = pwrite_full(fd_, padded.data(), padded.size(), at); r < 0) return r;
      end_ += padded.size();
      grain_buf_gte_ = 0;
    } else {
      if (int r = pwrite_full(fd_, grain.data(), grain.size(), at); r < 0) return r;
      end_ += grain_bytes_;
    }
    if (at / 512 > UINT32_MAX) return -EFBIG;
    gts_[t][gi % gtes_] = uint32_t(at / 512);
    dirty_gte_[gi] = uint32_t(at / 512);
    return 0;
  }

  int fd_;
  std::string path_;
  bool read_only_;
  std::mutex mu_;
  uint8_t h_[512] = {};
  uint32_t flags_ = 0, gtes_ = 512;
  uint64_t rgd_offset_ = 0, gd_offset_ = 0, grain_bytes_ = 65536, size_ = 0, end_ = 0;
  std::string create_type_, cid_, parent_cid_;
  std::vector<uint32_t> gd_, rgd_;
  std::map<uint64_t, std::vector<uint32_t>> gts_;
  std::map<uint64_t, uint32_t> dirty_gte_;
  std::set<uint64_t> dirty_gd_;
  std::vector<uint8_t> grain_buf_;
  uint32_t grain_buf_gte_ = 0;
  std::vector<FlatExtent> flat_;
};

}  // namespace

std::unique_ptr<BlockImage> open(int fd, const std::string& path, const OpenOptions& options, std::string& error) {
  auto image = std::make_unique<VmdkImage>(fd, path, options.read_only);
  uint8_t head[21] = {};
  pread_full(fd, head, sizeof(head), 0);
  if (std::memcmp(head, "# Disk DescriptorFile", 21) == 0) {
    int64_t len = file_size(fd);
    if (len < 0 || len > (1 << 20)) {
      error = path + ": VMDK descriptor file is too large";
      return nullptr;
    }
    std::string text(size_t(len), '\0');
    pread_full(fd, text.data(), text.size(), 0);
    if (!image->open_descriptor(text, options, error)) return nullptr;
    return image;
  }
  if (!image->open_sparse(error)) return nullptr;
  return image;
}

int create(const std::string& path, const CreateOptions& o, std::string& error) {
  if (!o.backing_file.empty()) {
    error = path + ": backing files of vmdk images are not supported";
    return -EINVAL;
  }
  std::string sub = o.subformat.empty() ? "monolithicSparse" : o.subformat;
  if (sub != "monolithicSparse" && sub != "streamOptimized") {
    error = path + ": vmdk subformat '" + sub + "' is not supported (monolithicSparse or streamOptimized)";
    return -EINVAL;
  }
  bool stream = sub == "streamOptimized";
  const uint64_t grain = 128, gtes = 512, gt_sectors = gtes * 4 / 512;
  uint64_t capacity = (o.size + 511) / 512;
  uint64_t gt_count = (capacity + grain * gtes - 1) / (grain * gtes);
  uint64_t gd_sectors = (gt_count * 4 + 511) / 512;
  uint64_t rgd = 1 + kDescSectors, gd = rgd + gd_sectors + gt_sectors * gt_count;
  uint64_t grain_offset = (gd + gd_sectors + gt_sectors * gt_count + grain - 1) / grain * grain;
  std::vector<uint8_t> meta(grain_offset * 512, 0);
  uint8_t* h = meta.data();
  put_le32(h, kMagic);
  put_le32(h + 4, stream ? 3 : 1);
  put_le32(h + 8, 1 | kFlagRgd | (stream ? kFlagCompress | kFlagMarker : 0));
  put_le64(h + 12, capacity);
  put_le64(h + 20, grain);
  put_le64(h + 28, 1);
  put_le64(h + 36, kDescSectors);
  put_le32(h + 44, uint32_t(gtes));
  put_le64(h + 48, rgd);
  put_le64(h + 56, gd);
  put_le64(h + 64, grain_offset);
  h[73] = '\n', h[74] = ' ', h[75] = '\r', h[76] = '\n';
  put_le16(h + 77, stream ? 1 : 0);
  for (uint64_t i = 0; i < gt_count; ++i) {
    put_le32(&meta[rgd * 512 + i * 4], uint32_t(rgd + gd_sectors + i * gt_sectors));
    put_le32(&meta[gd * 512 + i * 4], uint32_t(gd + gd_sectors + i * gt_sectors));
  }
  uint32_t cid;
  if (getrandom(&cid, sizeof(cid), 0) != sizeof(cid)) cid = 0x12345678;
  std::string name = path.substr(path.rfind('/') + 1);
  std::string desc = fmt::format(
      "# Disk DescriptorFile\nversion=1\nCID={:08x}\nparentCID=ffffffff\ncreateType=\"{}\"\n\n"
      "# Extent description\nRW {} SPARSE \"{}\"\n\n# The Disk Data Base\n#DDB\n\n"
      "ddb.virtualHWVersion = \"4\"\nddb.geometry.cylinders = \"{}\"\nddb.geometry.heads = \"16\"\n"
      "ddb.geometry.sectors = \"63\"\nddb.adapterType = \"ide\"\n",
      cid, sub, capacity, name, std::min<uint64_t>(capacity / (16 * 63), 16383));
  if (desc.size() > kDescSectors * 512) {
    error = path + ": the vmdk descriptor does not fit";
    return -EINVAL;
  }
  std::memcpy(&meta[512], desc.data(), desc.size());
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    error = path + ": " + std::strerror(errno);
    return -errno;
  }
  int r = lock_image(fd, path, true, error);
  if (r == 0 && ::ftruncate(fd, 0) < 0) r = -errno;
  if (r == 0) r = pwrite_full(fd, meta.data(), meta.size(), 0);
  if (r == 0) r = sync_file(fd);
  if (r < 0 && error.empty()) error = path + ": " + std::strerror(-r);
  ::close(fd);
  return r;
}

}  // namespace mimic::hw::block::vmdk
