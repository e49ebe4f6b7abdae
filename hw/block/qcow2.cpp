// qcow2: open and validate, read, write (allocation, copy-on-write from backing files and from
// snapshots' shared clusters), zero clusters, compressed clusters, discard, resize and the
// ordered flush described in qcow2.h.
#include "hw/block/qcow2.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "hw/block/file.h"
#include "hw/block/formats.h"

namespace mimic::hw::block::qcow2 {

// ---- TableCache ----

TableCache::Entry* TableCache::find(uint64_t offset) {
  auto it = index_.find(offset);
  if (it == index_.end()) return nullptr;
  it->second->last_use = ++tick_;
  return it->second;
}

TableCache::Entry* TableCache::slot_for(uint64_t offset, Entry* victim_out, bool* have_victim) {
  *have_victim = false;
  if (Entry* e = find(offset)) return e;
  Entry* slot;
  if (entries_.size() < capacity_) {
    entries_.push_back(std::make_unique<Entry>());
    slot = entries_.back().get();
  } else {
    slot = entries_.front().get();
    for (auto& e : entries_)
      if (e->last_use < slot->last_use) slot = e.get();
    if (slot->dirty) {
      victim_out->offset = slot->offset;
      victim_out->data = std::move(slot->data);
      *have_victim = true;
    }
    index_.erase(slot->offset);
  }
  slot->offset = offset;
  slot->dirty = false;
  slot->last_use = ++tick_;
  index_[offset] = slot;
  return slot;
}

void TableCache::drop(uint64_t offset) {
  auto it = index_.find(offset);
  if (it == index_.end()) return;
  it->second->dirty = false;
  it->second->last_use = 0;
  it->second->offset = UINT64_MAX;
  index_.erase(it);
}

std::vector<TableCache::Entry*> TableCache::dirty_entries() {
  std::vector<Entry*> out;
  for (auto& e : entries_)
    if (e->dirty && e->offset != UINT64_MAX) out.push_back(e.get());
  std::sort(out.begin(), out.end(), [](Entry* a, Entry* b) { return a->offset < b->offset; });
  return out;
}

// ---- open ----

namespace {
std::string hex(uint64_t v) { return fmt::format("{:#x}", v); }
bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen) {
  return alen && blen && a < b + blen && b < a + alen;
}
}  // namespace

bool Image::parse_header(const std::vector<uint8_t>& h, uint64_t file_len, std::string& error) {
  auto fail = [&](const std::string& what) {
    error = path_ + ": " + what;
    return false;
  };
  version_ = be32(&h[4]);
  if (version_ != 2 && version_ != 3) return fail(fmt::format("unsupported qcow2 version {}", version_));
  uint64_t backing_offset = be64(&h[8]);
  uint32_t backing_size = be32(&h[16]);
  cluster_bits_ = be32(&h[20]);
  if (cluster_bits_ < 9 || cluster_bits_ > 21)
    return fail(fmt::format("cluster size 2^{} is out of range (512 B to 2 MiB)", cluster_bits_));
  cluster_size_ = 1ull << cluster_bits_;
  size_ = be64(&h[24]);
  if (be32(&h[32]) != 0) return fail("encrypted qcow2 images are not supported");
  uint32_t l1_size = be32(&h[36]);
  l1_offset_ = be64(&h[40]);
  rt_offset_ = be64(&h[48]);
  rt_clusters_ = be32(&h[56]);
  nb_snapshots_ = be32(&h[60]);
  snapshots_offset_ = be64(&h[64]);
  if (version_ == 3) {
    incompat_ = be64(&h[72]);
    compat_ = be64(&h[80]);
    autoclear_ = be64(&h[88]);
    refcount_order_ = be32(&h[96]);
    header_length_ = be32(&h[100]);
    if (header_length_ < 104 || header_length_ > cluster_size_)
      return fail(fmt::format("header length {} is out of range", header_length_));
    if (refcount_order_ > 6) return fail(fmt::format("refcount width 2^{} bits is out of range", refcount_order_));
    compression_type_ = header_length_ > 104 ? h[104] : 0;
  } else {
    refcount_order_ = 4;
    header_length_ = 72;
  }
  // Header extensions, up to the backing file name or the end of the header cluster.
  uint64_t ext_end = cluster_size_;
  if (backing_offset && backing_offset < ext_end) ext_end = backing_offset;
  for (uint64_t p = header_length_; p + 8 <= ext_end;) {
    uint32_t type = be32(&h[p]), len = be32(&h[p + 4]);
    if (type == kExtEnd) break;
    if (len > ext_end - p - 8) return fail(fmt::format("header extension {} runs past the header cluster", hex(type)));
    const uint8_t* d = &h[p + 8];
    if (type == kExtBackingFormat) {
      backing_format_.assign(reinterpret_cast<const char*>(d), len);
      has_backing_format_ext_ = true;
    } else if (type == kExtFeatureTable) {
      for (uint32_t i = 0; i + 48 <= len; i += 48) {
        static const char* kinds[] = {"incompatible", "compatible", "autoclear"};
        std::string name(reinterpret_cast<const char*>(d + i + 2),
                         strnlen(reinterpret_cast<const char*>(d + i + 2), 46));
        if (d[i] < 3) feature_names_.push_back({fmt::format("{}:{}", kinds[d[i]], d[i + 1]), name});
      }
    }
    p += 8 + ((uint64_t(len) + 7) & ~7ull);
  }
  if (uint64_t unknown = incompat_ & ~kIncompatKnown) {
    std::string names;
    for (int bit = 0; bit < 64; ++bit) {
      if (!(unknown >> bit & 1)) continue;
      std::string n = fmt::format("bit {}", bit);
      for (auto& [key, value] : feature_names_)
        if (key == fmt::format("incompatible:{}", bit)) n = value;
      names += (names.empty() ? "" : ", ") + n;
    }
    return fail("unsupported qcow2 feature(s): " + names);
  }
  if (incompat_ & kIncompatDataFile) return fail("qcow2 external data files are not supported");
  if (incompat_ & kIncompatExtL2) return fail("qcow2 extended L2 entries (subclusters) are not supported");
  if (compression_type_ > 1) return fail(fmt::format("unknown compression type {}", compression_type_));
  if (compression_type_ != 0 && !(incompat_ & kIncompatCompression))
    return fail("compression type is set but the compression-type feature bit is not");
  if ((incompat_ & kIncompatCorrupt) && !read_only_)
    return fail("the image is marked corrupt; it can be opened read-only only (qemu-img check -r all repairs it)");
  // The backing file's name.
  if (backing_offset) {
    if (backing_size > 1023 || !fits(backing_offset, backing_size, cluster_size_))
      return fail("backing file name lies outside the header cluster");
    backing_name_.assign(reinterpret_cast<const char*>(&h[backing_offset]), backing_size);
  }
  // Tables: in the file, cluster-aligned, clear of the header and of each other.
  const uint64_t cmask = cluster_size_ - 1;
  const unsigned range_bits = 2 * cluster_bits_ - 3;  // bytes one L1 entry maps
  uint64_t l1_needed = (size_ >> range_bits) + ((size_ & ((1ull << range_bits) - 1)) ? 1 : 0);
  if (size_ > (1ull << 62)) return fail(fmt::format("virtual size {} is too large", size_));
  if (l1_size > kMaxL1Bytes / 8) return fail(fmt::format("L1 table has {} entries, more than qemu allows", l1_size));
  if (l1_size < l1_needed)
    return fail(fmt::format("L1 table ({} entries) is too small for the disk size {}", l1_size, size_));
  if (l1_size) {
    if (l1_offset_ & cmask) return fail(fmt::format("L1 table offset {} is not cluster-aligned", hex(l1_offset_)));
    if (l1_offset_ < cluster_size_) return fail("L1 table overlaps the header");
    if (!fits(l1_offset_, uint64_t(l1_size) * 8, file_len))
      return fail(fmt::format("L1 table offset {} lies past the end of the file", hex(l1_offset_)));
  }
  if (rt_clusters_ == 0 || rt_clusters_ > (kMaxRefTableBytes >> cluster_bits_) + 1)
    return fail(fmt::format("refcount table of {} clusters is out of range", rt_clusters_));
  if (rt_offset_ & cmask) return fail(fmt::format("refcount table offset {} is not cluster-aligned", hex(rt_offset_)));
  if (rt_offset_ < cluster_size_) return fail("refcount table overlaps the header");
  if (!fits(rt_offset_, uint64_t(rt_clusters_) << cluster_bits_, file_len))
    return fail(fmt::format("refcount table offset {} lies past the end of the file", hex(rt_offset_)));
  if (overlaps(l1_offset_, uint64_t(l1_size) * 8, rt_offset_, uint64_t(rt_clusters_) << cluster_bits_))
    return fail("L1 table overlaps the refcount table");
  if (nb_snapshots_ > 65536) return fail(fmt::format("{} snapshots is more than qemu allows", nb_snapshots_));
  if (nb_snapshots_ &&
      ((snapshots_offset_ & cmask) || snapshots_offset_ < cluster_size_ || snapshots_offset_ >= file_len))
    return fail(
        fmt::format("snapshot table offset {} is invalid or lies past the end of the file", hex(snapshots_offset_)));
  l1_.resize(l1_size);
  return true;
}

bool Image::open(const OpenOptions& options, int depth, std::vector<std::pair<uint64_t, uint64_t>>& chain,
                 std::string& error) {
  int64_t flen = file_size(fd_);
  if (flen < 0) {
    error = path_ + ": " + std::strerror(int(-flen));
    return false;
  }
  const uint64_t file_len = uint64_t(flen);
  std::vector<uint8_t> head(512);
  if (int r = pread_full(fd_, head.data(), head.size(), 0); r < 0 || file_len < 72 || be32(head.data()) != kMagic) {
    error = path_ + (r < 0 ? ": " + std::string(std::strerror(-r)) : ": not a qcow2 image (bad magic or too short)");
    return false;
  }
  uint32_t cb = be32(&head[20]);
  std::vector<uint8_t> hdr(cb >= 9 && cb <= 21 ? size_t(1) << cb : 512);
  if (int r = pread_full(fd_, hdr.data(), hdr.size(), 0); r < 0) {
    error = path_ + ": " + std::strerror(-r);
    return false;
  }
  if (!parse_header(hdr, file_len, error)) return false;
  host_end_ = (file_len + cluster_size_ - 1) & ~(cluster_size_ - 1);
  // The L1 and refcount tables live in memory.
  std::vector<uint8_t> raw(l1_.size() * 8);
  if (int r = pread_full(fd_, raw.data(), raw.size(), l1_offset_); r < 0) {
    error = path_ + ": reading the L1 table: " + std::strerror(-r);
    return false;
  }
  for (size_t i = 0; i < l1_.size(); ++i) l1_[i] = be64(&raw[i * 8]);
  raw.assign(size_t(rt_clusters_) << cluster_bits_, 0);
  if (int r = pread_full(fd_, raw.data(), raw.size(), rt_offset_); r < 0) {
    error = path_ + ": reading the refcount table: " + std::strerror(-r);
    return false;
  }
  rt_.resize(raw.size() / 8);
  for (size_t i = 0; i < rt_.size(); ++i) rt_[i] = be64(&raw[i * 8]);
  if (!load_snapshots(file_len, error)) return false;
  // L2 cache: at least 1 MiB of tables, as qemu's default.
  l2_cache_ = TableCache(std::max<size_t>(16, (4u << 20) >> cluster_bits_));
  rb_cache_ = TableCache(std::max<size_t>(8, (1u << 20) >> cluster_bits_));
  decompressed_.resize(cluster_size_);
  if (!backing_name_.empty() && options.open_backing) {
    std::string name = backing_name_;
    if (name.rfind("file:", 0) == 0) name = name.substr(5);
    size_t colon = name.find(':');
    bool protocol =
        name.rfind("json:", 0) == 0 ||
        (colon != std::string::npos && colon > 0 && name.find('/') > colon &&
         name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-") == colon);
    if (protocol) {
      error = path_ + ": backing file '" + backing_name_ + "' names a protocol; only plain files are supported";
      return false;
    }
    if (!options.allow_backing_outside && (name[0] == '/' || name.find("..") != std::string::npos)) {
      error =
          path_ + ": backing file '" + backing_name_ + "' lies outside the image's folder, which is not allowed here";
      return false;
    }
    std::string resolved = name[0] == '/' ? name : dir_of(path_) + name;
    if (depth + 1 >= kMaxBackingDepth) {
      error = path_ + fmt::format(": backing chain is deeper than {} images", kMaxBackingDepth);
      return false;
    }
    struct stat st {};
    if (::stat(resolved.c_str(), &st) == 0) {
      for (auto& id : chain)
        if (id == std::pair<uint64_t, uint64_t>(st.st_dev, st.st_ino)) {
          error = path_ + ": backing file chain loops back to '" + resolved + "'";
          return false;
        }
    }
    OpenOptions bo;
    bo.read_only = true;
    bo.lock = options.lock;
    bo.format = options.backing_format.empty() ? backing_format_ : options.backing_format;
    bo.allow_backing_outside = options.allow_backing_outside;
    std::string sub;
    backing_ = open_in_chain(resolved, bo, depth + 1, chain, sub);
    if (!backing_) {
      error = path_ + ": cannot open backing file: " + sub;
      return false;
    }
  }
  if ((incompat_ & kIncompatDirty) && !read_only_) {
    // A lazy-refcounts image whose writer died: rebuild the refcounts from the tables, as qemu.
    CheckResult res;
    if (check(Repair::kAll, res) < 0 || res.corruptions > res.corruptions_fixed) {
      error = path_ + ": the image was not closed cleanly and repairing its refcounts failed";
      return false;
    }
    uint64_t v = incompat_ & ~kIncompatDirty;
    uint8_t b[8];
    put_be64(b, v);
    if (write_header_field(72, b, 8) < 0) {
      error = path_ + ": cannot clear the dirty bit";
      return false;
    }
    incompat_ = v;
  }
  return true;
}

bool Image::load_snapshots(uint64_t file_len, std::string& error) {
  uint64_t p = snapshots_offset_;
  for (uint32_t i = 0; i < nb_snapshots_; ++i) {
    uint8_t f[40];
    if (!fits(p, 40, file_len) || pread_full(fd_, f, 40, p) < 0) {
      error = path_ + ": snapshot table lies past the end of the file";
      return false;
    }
    Snapshot s;
    s.l1_offset = be64(f);
    s.l1_size = be32(f + 8);
    uint16_t id_len = be16(f + 12), name_len = be16(f + 14);
    s.date_sec = be32(f + 16);
    s.date_nsec = be32(f + 20);
    s.vm_clock_nsec = be64(f + 24);
    s.vm_state_size = be32(f + 32);
    uint32_t extra = be32(f + 36);
    s.extra_size = extra;
    if (extra > 1024) {
      error = path_ + fmt::format(": snapshot {} has {} bytes of extra data, more than qemu allows", i, extra);
      return false;
    }
    uint64_t total = 40ull + extra + id_len + name_len;
    if (!fits(p, total, file_len) || p - snapshots_offset_ + total > (64u << 20)) {
      error = path_ + ": snapshot table lies past the end of the file";
      return false;
    }
    std::vector<uint8_t> rest(total - 40);
    if (pread_full(fd_, rest.data(), rest.size(), p + 40) < 0) {
      error = path_ + ": reading the snapshot table failed";
      return false;
    }
    s.disk_size = size_;
    if (extra >= 8) s.vm_state_size_large = be64(&rest[0]);
    if (extra >= 16) s.disk_size = be64(&rest[8]);
    if (extra >= 24) s.icount = be64(&rest[16]);
    if (extra > 24) s.extra_unknown.assign(rest.begin() + 24, rest.begin() + extra);
    s.id.assign(reinterpret_cast<const char*>(&rest[extra]), id_len);
    s.name.assign(reinterpret_cast<const char*>(&rest[extra + id_len]), name_len);
    if (s.l1_size > kMaxL1Bytes / 8 || (s.l1_offset & (cluster_size_ - 1)) ||
        (s.l1_size && (s.l1_offset < cluster_size_ || !fits(s.l1_offset, uint64_t(s.l1_size) * 8, file_len)))) {
      error = path_ + ": snapshot '" + s.name + "' has an L1 table that lies past the end of the file or is misaligned";
      return false;
    }
    snapshots_.push_back(std::move(s));
    p = (p + total + 7) & ~7ull;
  }
  snapshots_bytes_ = p - snapshots_offset_;
  return true;
}

Image::~Image() {
  {
    std::lock_guard g(mu_);
    if (!read_only_) {
      if (flush_locked() == 0 && (incompat_ & kIncompatDirty) && writing_) {
        uint8_t b[8];
        put_be64(b, incompat_ & ~kIncompatDirty);
        write_header_field(72, b, 8);
      }
    }
  }
  backing_.reset();
  ::close(fd_);
}

bool Image::set_corrupt(const std::string& what) {
  if (!corrupt_) report_problem(fmt::format("{}: {}; further writes refused", path_, what));
  corrupt_ = true;
  return false;
}

int Image::write_header_field(uint32_t offset, const void* data, uint32_t len) {
  if (int r = pwrite_full(fd_, data, len, offset); r < 0) return r;
  return sync_file(fd_);
}

// ---- lookups ----

int Image::load_l2(uint64_t offset, TableCache::Entry*& table) {
  if ((offset & (cluster_size_ - 1)) || offset < cluster_size_ || offset >= host_end_) {
    set_corrupt(
        fmt::format("L2 table offset {} is misaligned, in the header or past the end of the file", hex(offset)));
    return -EIO;
  }
  if ((table = l2_cache_.find(offset))) return 0;
  TableCache::Entry victim;
  bool have_victim;
  table = l2_cache_.slot_for(offset, &victim, &have_victim);
  table->data.assign(cluster_size_, 0);
  int r = pread_full(fd_, table->data.data(), cluster_size_, offset);
  if (have_victim) {
    int w = write_back_l2(victim);
    if (w < 0) r = w;
  }
  if (r < 0) {
    l2_cache_.drop(offset);
    table = nullptr;
  }
  return r;
}

int Image::write_back_l2(TableCache::Entry& e) {
  // The refcounts of the clusters it points at, and their data, reach the disk first.
  if (int r = flush_refblocks(); r < 0) return r;
  return pwrite_full(fd_, e.data.data(), e.data.size(), e.offset);
}

int Image::l2_entry(uint64_t guest_cluster, uint64_t& entry) {
  entry = 0;
  uint64_t l1i = guest_cluster / l2_entries();
  if (l1i >= l1_.size()) return 0;
  uint64_t l2_offset = l1_[l1i] & kOffsetMask;
  if (!l2_offset) return 0;
  TableCache::Entry* t;
  if (int r = load_l2(l2_offset, t); r < 0) return r;
  entry = be64(&t->data[(guest_cluster % l2_entries()) * 8]);
  return 0;
}

int Image::compressed_range(uint64_t entry, uint64_t& start, uint64_t& bytes) const {
  unsigned shift = 62 - (cluster_bits_ - 8);
  uint64_t offset = entry & ((1ull << shift) - 1);
  uint64_t sectors = ((entry >> shift) & ((1ull << (cluster_bits_ - 8)) - 1)) + 1;
  start = offset;
  bytes = sectors * 512 - (offset & 511);
  return 0;
}

int Image::read_backing(uint64_t offset, uint8_t* out, uint32_t len) {
  uint64_t bsize = backing_ ? backing_->size() : 0;
  uint32_t part = offset >= bsize ? 0 : uint32_t(std::min<uint64_t>(len, bsize - offset));
  if (part) {
    if (int r = backing_->read(offset, out, part); r < 0) return r;
  }
  std::memset(out + part, 0, len - part);
  return 0;
}

int Image::read_cluster_part(uint64_t gc, uint32_t in_off, uint8_t* out, uint32_t len) {
  uint64_t entry;
  if (int r = l2_entry(gc, entry); r < 0) return r;
  if (entry & kCompressed) {
    if (decompressed_entry_ != entry) {
      uint64_t start, bytes;
      compressed_range(entry, start, bytes);
      std::vector<uint8_t> in(bytes);
      if (int r = pread_full(fd_, in.data(), bytes, start); r < 0) return r;
      if (!decompress_buffer(codec(), in.data(), bytes, decompressed_.data(), cluster_size_)) {
        decompressed_entry_ = 0;
        report_problem(fmt::format("{}: compressed cluster at {} does not decompress", path_, hex(start)));
        return -EIO;
      }
      decompressed_entry_ = entry;
    }
    std::memcpy(out, decompressed_.data() + in_off, len);
    return 0;
  }
  uint64_t host = entry & kOffsetMask;
  if (is_v3() && (entry & kZeroFlag)) {
    std::memset(out, 0, len);
    return 0;
  }
  if (!host) return read_backing((gc << cluster_bits_) + in_off, out, len);
  if (host & (cluster_size_ - 1)) {
    set_corrupt(fmt::format("data cluster offset {} is not cluster-aligned", hex(host)));
    return -EIO;
  }
  return pread_full(fd_, out, len, host + in_off);
}

template <typename F>
static int for_each_cluster_part(uint64_t offset, uint64_t len, unsigned cluster_bits, F&& f) {
  const uint64_t cs = 1ull << cluster_bits;
  while (len > 0) {
    uint64_t gc = offset >> cluster_bits;
    uint32_t in_off = uint32_t(offset & (cs - 1));
    uint32_t part = uint32_t(std::min<uint64_t>(len, cs - in_off));
    if (int r = f(gc, in_off, part); r != 0) return r < 0 ? r : 0;  // > 0: stop here
    offset += part, len -= part;
  }
  return 0;
}

int Image::read(uint64_t offset, void* buf, size_t len) {
  if (!fits(offset, len, size_)) return -EINVAL;
  std::lock_guard g(mu_);
  auto* p = static_cast<uint8_t*>(buf);
  // Runs of plain clusters that lie one after another in the file are read with one pread.
  auto plain_host = [&](uint64_t gc, uint64_t& host) {
    uint64_t entry;
    if (l2_entry(gc, entry) < 0 || (entry & kCompressed) || (is_v3() && (entry & kZeroFlag))) return false;
    host = entry & kOffsetMask;
    return host && !(host & (cluster_size_ - 1));
  };
  while (len > 0) {
    uint64_t gc = offset >> cluster_bits_, host;
    uint32_t in_off = uint32_t(offset & (cluster_size_ - 1));
    size_t part = size_t(std::min<uint64_t>(len, cluster_size_ - in_off));
    if (plain_host(gc, host)) {
      host += in_off;
      uint64_t next;
      while (part < len && plain_host(gc + ((in_off + part) >> cluster_bits_), next) && next == host + part)
        part += size_t(std::min<uint64_t>(len - part, cluster_size_));
      if (int r = pread_full(fd_, p, part, host); r < 0) return r;
    } else if (int r = read_cluster_part(gc, in_off, p, uint32_t(part)); r < 0) {
      return r;
    }
    p += part, offset += part, len -= part;
  }
  return 0;
}

int Image::block_status(uint64_t offset, uint64_t len, BlockStatus& st) {
  if (!fits(offset, len, size_) || len == 0) return -EINVAL;
  std::lock_guard g(mu_);
  st = {};
  bool first = true;
  uint64_t expect_host = 0;
  int r = for_each_cluster_part(offset, len, cluster_bits_, [&](uint64_t gc, uint32_t in_off, uint32_t part) {
    uint64_t entry;
    if (int e = l2_entry(gc, entry); e < 0) return e;
    BlockStatus::Kind kind;
    uint64_t host = UINT64_MAX;
    if (entry & kCompressed) {
      kind = BlockStatus::kData;
    } else if (is_v3() && (entry & kZeroFlag)) {
      kind = BlockStatus::kZero;
    } else if (!(entry & kOffsetMask)) {
      kind = BlockStatus::kUnallocated;
    } else {
      kind = BlockStatus::kData;
      host = (entry & kOffsetMask) + in_off;
    }
    if (first) {
      st.kind = kind, st.host_offset = host, first = false;
    } else if (kind != st.kind || host != expect_host) {
      return 1;  // a different run starts here
    }
    expect_host = host == UINT64_MAX ? UINT64_MAX : host + part;
    st.length += part;
    return 0;
  });
  return r < 0 ? r : 0;
}

// ---- writes ----

int Image::mark_writing() {
  if (writing_) return 0;
  if (corrupt_) return -EIO;
  if (is_v3() && ((compat_ & kCompatLazyRefcounts) || autoclear_)) {
    // Lazy refcounts: the dirty bit says the refcounts may lag (they do not here, but a reader
    // of our image must not rely on that). Autoclear features (bitmaps) we do not keep up to
    // date, so we clear them as the specification asks.
    uint8_t b[24];
    uint64_t inc = incompat_ | ((compat_ & kCompatLazyRefcounts) ? kIncompatDirty : 0);
    put_be64(b, inc), put_be64(b + 8, compat_), put_be64(b + 16, 0);
    if (int r = write_header_field(72, b, 24); r < 0) return r;
    incompat_ = inc, autoclear_ = 0;
  }
  writing_ = true;
  return 0;
}

void Image::release_entry_later(uint64_t old) {
  if (old & kCompressed) {
    uint64_t start, bytes;
    compressed_range(old, start, bytes);
    uint64_t first = (start & ~511ull) >> cluster_bits_,
             last = ((start & ~511ull) + ((bytes + (start & 511) + 511) & ~511ull) - 1) >> cluster_bits_;
    for (uint64_t c = first; c <= last; ++c) pending_free_.push_back(c << cluster_bits_);
  } else if (uint64_t host = old & kOffsetMask) {
    pending_free_.push_back(host);
  }
}

void Image::set_l2_entry(TableCache::Entry* table, uint32_t index, uint64_t entry) {
  uint64_t old = be64(&table->data[index * 8]);
  put_be64(&table->data[index * 8], entry);
  table->dirty = true;
  if ((old & kOffsetMask) != (entry & kOffsetMask) || ((old ^ entry) & kCompressed)) release_entry_later(old);
}

int Image::writable_l2(uint64_t gc, TableCache::Entry*& table, uint32_t& index) {
  uint64_t l1i = gc / l2_entries();
  index = uint32_t(gc % l2_entries());
  if (l1i >= l1_.size()) return -EIO;
  uint64_t l1e = l1_[l1i], old = l1e & kOffsetMask;
  if (old && (l1e & kCopied)) return load_l2(old, table);
  std::vector<uint8_t> content(cluster_size_, 0);
  if (old) {
    // Shared with a snapshot: copy it; its clusters stay shared, so none is marked COPIED.
    if (int r = load_l2(old, table); r < 0) return r;
    content = table->data;
    for (uint64_t i = 0; i < l2_entries(); ++i) put_be64(&content[i * 8], be64(&content[i * 8]) & ~kCopied);
  }
  int64_t fresh = alloc_clusters(1);
  if (fresh < 0) return int(fresh);
  TableCache::Entry victim;
  bool have_victim;
  table = l2_cache_.slot_for(uint64_t(fresh), &victim, &have_victim);
  table->data = std::move(content);
  table->dirty = true;
  if (have_victim) {
    if (int r = write_back_l2(victim); r < 0) return r;
  }
  l1_[l1i] = uint64_t(fresh) | kCopied;
  l1_dirty_ = true;
  if (old) pending_free_.push_back(old);
  return 0;
}

int Image::write_cluster_part(uint64_t gc, uint32_t in_off, const uint8_t* data, uint32_t len) {
  uint64_t entry;
  if (int r = l2_entry(gc, entry); r < 0) return r;
  uint64_t host = entry & kOffsetMask;
  bool plain = !(entry & kCompressed) && host;
  bool zero_alloc = is_v3() && (entry & kZeroFlag);
  if (plain && (host & (cluster_size_ - 1))) {
    set_corrupt(fmt::format("data cluster offset {} is not cluster-aligned", hex(host)));
    return -EIO;
  }
  if (plain && (entry & kCopied) && !zero_alloc) return pwrite_full(fd_, data, len, host + in_off);
  // A new cluster: the old contents (backing file, compressed, zero, shared) around the write.
  std::vector<uint8_t> buf(cluster_size_);
  if (len < cluster_size_) {
    if (int r = read_cluster_part(gc, 0, buf.data(), uint32_t(cluster_size_)); r < 0) return r;
  }
  std::memcpy(buf.data() + in_off, data, len);
  TableCache::Entry* table;
  uint32_t index;
  if (int r = writable_l2(gc, table, index); r < 0) return r;
  if (plain && (entry & kCopied) && zero_alloc) {
    if (int r = pwrite_full(fd_, buf.data(), cluster_size_, host); r < 0) return r;
    set_l2_entry(table, index, host | kCopied);
    return 0;
  }
  int64_t fresh = alloc_clusters(1);
  if (fresh < 0) return int(fresh);
  if (int r = pwrite_full(fd_, buf.data(), cluster_size_, uint64_t(fresh)); r < 0) {
    set_refcount(uint64_t(fresh) >> cluster_bits_, 0);  // nothing points at it yet
    free_hint_ = std::min(free_hint_, uint64_t(fresh) >> cluster_bits_);
    return r;
  }
  // The L2 table may have been evicted meanwhile (alloc_clusters does not touch the L2 cache,
  // but stay safe): look it up again.
  if (int r = writable_l2(gc, table, index); r < 0) return r;
  set_l2_entry(table, index, uint64_t(fresh) | kCopied);
  if (decompressed_entry_ == entry) decompressed_entry_ = 0;
  return 0;
}

int Image::write(uint64_t offset, const void* buf, size_t len) {
  if (read_only_) return -EROFS;
  if (!fits(offset, len, size_)) return -EINVAL;
  std::lock_guard g(mu_);
  if (int r = mark_writing(); r < 0) return r;
  auto* p = static_cast<const uint8_t*>(buf);
  return for_each_cluster_part(offset, len, cluster_bits_, [&](uint64_t gc, uint32_t in_off, uint32_t part) {
    int r = write_cluster_part(gc, in_off, p, part);
    p += part;
    return r;
  });
}

int Image::vm_state_write(uint64_t pos, const void* buf, size_t len) {
  if (read_only_) return -EROFS;
  std::lock_guard g(mu_);
  const uint64_t offset = vm_state_offset() + pos, span = cluster_size_ * l2_entries();
  if (offset < pos || offset + len < offset) return -EINVAL;
  if (int r = mark_writing(); r < 0) return r;
  if (int r = grow_l1((offset + len + span - 1) / span); r < 0) return r;
  auto* p = static_cast<const uint8_t*>(buf);
  return for_each_cluster_part(offset, len, cluster_bits_, [&](uint64_t gc, uint32_t in_off, uint32_t part) {
    int r = write_cluster_part(gc, in_off, p, part);
    p += part;
    return r;
  });
}

int Image::vm_state_read(uint64_t pos, void* buf, size_t len) {
  std::lock_guard g(mu_);
  const uint64_t offset = vm_state_offset() + pos;
  if (offset < pos || offset + len < offset) return -EINVAL;
  auto* p = static_cast<uint8_t*>(buf);
  return for_each_cluster_part(offset, len, cluster_bits_, [&](uint64_t gc, uint32_t in_off, uint32_t part) {
    int r = read_cluster_part(gc, in_off, p, part);
    p += part;
    return r;
  });
}

int Image::write_compressed(uint64_t offset, const void* buf, size_t len) {
  if (read_only_) return -EROFS;
  if ((offset & (cluster_size_ - 1)) || !fits(offset, len, size_) || len > cluster_size_ ||
      (len < cluster_size_ && offset + len != size_))
    return -EINVAL;
  std::vector<uint8_t> whole(cluster_size_, 0), out(cluster_size_);
  std::memcpy(whole.data(), buf, len);
  size_t clen = compress_buffer(codec(), whole.data(), cluster_size_, out.data(), cluster_size_ - 512);
  if (clen == 0) return write(offset, buf, len);
  std::lock_guard g(mu_);
  if (int r = mark_writing(); r < 0) return r;
  uint64_t gc = offset >> cluster_bits_;
  TableCache::Entry* table;
  uint32_t index;
  if (int r = writable_l2(gc, table, index); r < 0) return r;
  int64_t host = alloc_clusters(1);
  if (host < 0) return int(host);
  if (int r = pwrite_full(fd_, out.data(), clen, uint64_t(host)); r < 0) return r;
  if (int r = writable_l2(gc, table, index); r < 0) return r;
  unsigned shift = 62 - (cluster_bits_ - 8);
  uint64_t extra_sectors = ((uint64_t(host) + clen - 1) >> 9) - (uint64_t(host) >> 9);
  set_l2_entry(table, index, kCompressed | uint64_t(host) | (extra_sectors << shift));
  return 0;
}

int Image::write_zeroes(uint64_t offset, uint64_t len, bool may_unmap) {
  if (read_only_) return -EROFS;
  if (!fits(offset, len, size_)) return -EINVAL;
  std::unique_lock g(mu_);
  if (int r = mark_writing(); r < 0) return r;
  std::vector<uint8_t> zeroes;
  return for_each_cluster_part(offset, len, cluster_bits_, [&](uint64_t gc, uint32_t in_off, uint32_t part) {
    bool whole = part == cluster_size_ || (in_off == 0 && (gc << cluster_bits_) + part == size_);
    uint64_t entry;
    if (int r = l2_entry(gc, entry); r < 0) return r;
    if (whole && (is_v3() || !backing_)) {
      if (!is_v3() && !entry) return 0;
      if (is_v3() && (entry & kZeroFlag) && !(entry & kOffsetMask)) return 0;
      TableCache::Entry* table;
      uint32_t index;
      if (int r = writable_l2(gc, table, index); r < 0) return r;
      set_l2_entry(table, index, is_v3() ? kZeroFlag : 0);
      if (decompressed_entry_ == entry) decompressed_entry_ = 0;
      return 0;
    }
    zeroes.resize(cluster_size_);
    return write_cluster_part(gc, in_off, zeroes.data(), part);
  });
}

int Image::discard(uint64_t offset, uint64_t len) {
  if (read_only_) return -EROFS;
  if (!fits(offset, len, size_)) return -EINVAL;
  std::lock_guard g(mu_);
  if (int r = mark_writing(); r < 0) return r;
  // Only whole clusters are given back; with a backing file they must read as zero (v3) or keep
  // their data (v2), never show the backing file's old contents.
  return for_each_cluster_part(offset, len, cluster_bits_, [&](uint64_t gc, uint32_t in_off, uint32_t part) {
    bool whole = part == cluster_size_ || (in_off == 0 && (gc << cluster_bits_) + part == size_);
    if (!whole || (backing_ && !is_v3())) return 0;
    uint64_t entry;
    if (int r = l2_entry(gc, entry); r < 0) return r;
    uint64_t replacement = backing_ ? kZeroFlag : 0;
    if (entry == replacement) return 0;
    TableCache::Entry* table;
    uint32_t index;
    if (int r = writable_l2(gc, table, index); r < 0) return r;
    set_l2_entry(table, index, replacement);
    if (decompressed_entry_ == entry) decompressed_entry_ = 0;
    return 0;
  });
}

// ---- flush ----

int Image::flush_refblocks() {
  auto dirty = rb_cache_.dirty_entries();
  for (auto* e : dirty) {
    if (int r = pwrite_full(fd_, e->data.data(), e->data.size(), e->offset); r < 0) return r;
    e->dirty = false;
  }
  return sync_file(fd_);
}

int Image::write_l1() {
  std::vector<uint8_t> raw(l1_.size() * 8);
  for (size_t i = 0; i < l1_.size(); ++i) put_be64(&raw[i * 8], l1_[i]);
  if (int r = pwrite_full(fd_, raw.data(), raw.size(), l1_offset_); r < 0) return r;
  l1_dirty_ = false;
  return 0;
}

int Image::flush_locked() {
  if (read_only_) return 0;
  // Data and refcounts, then the L2 tables that use them, then the L1 table.
  if (int r = flush_refblocks(); r < 0) return r;
  auto dirty_l2 = l2_cache_.dirty_entries();
  for (auto* e : dirty_l2) {
    if (int r = pwrite_full(fd_, e->data.data(), e->data.size(), e->offset); r < 0) return r;
    e->dirty = false;
  }
  if (!dirty_l2.empty()) {
    if (int r = sync_file(fd_); r < 0) return r;
  }
  if (l1_dirty_) {
    if (int r = write_l1(); r < 0) return r;
    if (int r = sync_file(fd_); r < 0) return r;
  }
  // Nothing on disk refers to these any more: free them.
  std::vector<uint64_t> pending;
  pending.swap(pending_free_);
  for (uint64_t host : pending) {
    uint64_t c = host >> cluster_bits_, rc;
    if (get_refcount(c, rc) < 0 || rc == 0) continue;
    if (set_refcount(c, rc - 1) < 0) continue;
    if (rc == 1) {
      free_hint_ = std::min(free_hint_, c);
      l2_cache_.drop(host);
    }
  }
  return 0;
}

int Image::flush() {
  std::lock_guard g(mu_);
  return flush_locked();
}

// ---- resize, backing file, make_empty ----

int Image::grow_l1(uint64_t min_entries) {
  if (min_entries <= l1_.size()) return 0;
  if (min_entries > kMaxL1Bytes / 8) return -EFBIG;
  if (int r = flush_locked(); r < 0) return r;
  uint64_t old_offset = l1_offset_, old_bytes = l1_.size() * 8;
  std::vector<uint64_t> grown = l1_;
  grown.resize(min_entries, 0);
  int64_t fresh = alloc_clusters(table_clusters(min_entries * 8));
  if (fresh < 0) return int(fresh);
  if (int r = flush_refblocks(); r < 0) return r;
  std::vector<uint8_t> raw(table_clusters(min_entries * 8) << cluster_bits_, 0);
  for (size_t i = 0; i < grown.size(); ++i) put_be64(&raw[i * 8], grown[i]);
  if (int r = pwrite_full(fd_, raw.data(), raw.size(), uint64_t(fresh)); r < 0) return r;
  if (int r = sync_file(fd_); r < 0) return r;
  uint8_t b[12];
  put_be32(b, uint32_t(min_entries));
  put_be64(b + 4, uint64_t(fresh));
  if (int r = write_header_field(36, b, 12); r < 0) return r;
  l1_ = std::move(grown);
  l1_offset_ = uint64_t(fresh);
  if (old_bytes) add_refcount(old_offset, old_bytes, -1);
  return flush_refblocks();
}

int Image::resize(uint64_t new_size, bool allow_shrink, std::string& error) {
  if (read_only_) return -EROFS;
  std::lock_guard g(mu_);
  if (new_size < size_ && !allow_shrink) {
    error = path_ + ": use the --shrink option to shrink the image";
    return -EINVAL;
  }
  if (new_size < size_ && !snapshots_.empty()) {
    error = path_ + ": cannot shrink an image that has internal snapshots";
    return -ENOTSUP;
  }
  if (new_size > (1ull << 62)) {
    error = path_ + ": the new size is too large";
    return -EFBIG;
  }
  if (int r = mark_writing(); r < 0) return r;
  const unsigned range_bits = 2 * cluster_bits_ - 3;
  uint64_t need = (new_size >> range_bits) + ((new_size & ((1ull << range_bits) - 1)) ? 1 : 0);
  if (int r = grow_l1(need); r < 0) {
    error = path_ + ": growing the L1 table failed: " + std::strerror(-r);
    return r;
  }
  if (new_size < size_) {
    // Give back the clusters past the new end.
    uint64_t first = (new_size + cluster_size_ - 1) >> cluster_bits_,
             end = (size_ + cluster_size_ - 1) >> cluster_bits_;
    for (uint64_t gc = first; gc < end; ++gc) {
      uint64_t entry;
      if (int r = l2_entry(gc, entry); r < 0) return r;
      if (!entry) continue;
      TableCache::Entry* table;
      uint32_t index;
      if (int r = writable_l2(gc, table, index); r < 0) return r;
      set_l2_entry(table, index, 0);
    }
  }
  if (int r = flush_locked(); r < 0) return r;
  uint8_t b[8];
  put_be64(b, new_size);
  if (int r = write_header_field(24, b, 8); r < 0) return r;
  size_ = new_size;
  return flush_locked();
}

int Image::set_backing_file(const std::string& name, const std::string& format, std::string& error) {
  if (read_only_) return -EROFS;
  std::lock_guard g(mu_);
  if (int r = flush_locked(); r < 0) return r;
  // Rewrite the header cluster's tail: extensions, then the name (as qemu lays them out).
  std::vector<uint8_t> h(cluster_size_);
  if (int r = pread_full(fd_, h.data(), h.size(), 0); r < 0) return r;
  std::vector<uint8_t> ext;
  auto add_ext = [&](uint32_t type, const void* data, uint32_t len) {
    size_t at = ext.size();
    ext.resize(at + 8 + ((len + 7) & ~7u), 0);
    put_be32(&ext[at], type), put_be32(&ext[at + 4], len);
    std::memcpy(&ext[at + 8], data, len);
  };
  if (!format.empty() && !name.empty()) add_ext(kExtBackingFormat, format.data(), uint32_t(format.size()));
  // Keep the other extensions as they were.
  uint64_t old_backing = be64(&h[8]);
  uint64_t ext_end = old_backing && old_backing < cluster_size_ ? old_backing : cluster_size_;
  for (uint64_t p = header_length_; p + 8 <= ext_end;) {
    uint32_t type = be32(&h[p]), len = be32(&h[p + 4]);
    if (type == kExtEnd || len > ext_end - p - 8) break;
    if (type != kExtBackingFormat) add_ext(type, &h[p + 8], len);
    p += 8 + ((uint64_t(len) + 7) & ~7ull);
  }
  ext.resize(ext.size() + 8, 0);  // end marker
  uint64_t name_at = header_length_ + ext.size();
  if (name_at + name.size() > cluster_size_ || name.size() > 1023) {
    error = path_ + ": the backing file name does not fit in the header cluster";
    return -EINVAL;
  }
  std::memset(&h[header_length_], 0, cluster_size_ - header_length_);
  std::memcpy(&h[header_length_], ext.data(), ext.size());
  std::memcpy(&h[name_at], name.data(), name.size());
  put_be64(&h[8], name.empty() ? 0 : name_at);
  put_be32(&h[16], uint32_t(name.size()));
  if (int r = pwrite_full(fd_, h.data(), h.size(), 0); r < 0) return r;
  if (int r = sync_file(fd_); r < 0) return r;
  backing_name_ = name;
  backing_format_ = name.empty() ? "" : format;
  return 0;
}

int Image::make_empty() {
  if (read_only_) return -EROFS;
  std::lock_guard g(mu_);
  if (int r = mark_writing(); r < 0) return r;
  uint64_t clusters = (size_ + cluster_size_ - 1) >> cluster_bits_;
  for (uint64_t gc = 0; gc < clusters; ++gc) {
    uint64_t entry;
    if (int r = l2_entry(gc, entry); r < 0) return r;
    if (gc % l2_entries() == 0 && !(l1_[gc / l2_entries()] & kOffsetMask)) {
      gc += l2_entries() - 1;  // a whole L2 table's worth with nothing allocated
      continue;
    }
    if (!entry) continue;
    TableCache::Entry* table;
    uint32_t index;
    if (int r = writable_l2(gc, table, index); r < 0) return r;
    set_l2_entry(table, index, 0);
  }
  return flush_locked();
}

int Image::preallocate(bool full) {
  std::lock_guard g(mu_);
  uint64_t clusters = (size_ + cluster_size_ - 1) >> cluster_bits_;
  std::vector<uint8_t> zero(full ? cluster_size_ : 0);
  for (uint64_t gc = 0; gc < clusters; ++gc) {
    TableCache::Entry* table;
    uint32_t index;
    if (int r = writable_l2(gc, table, index); r < 0) return r;
    int64_t host = alloc_clusters(1);
    if (host < 0) return int(host);
    if (full) {
      if (int r = pwrite_full(fd_, zero.data(), zero.size(), uint64_t(host)); r < 0) return r;
    }
    if (int r = writable_l2(gc, table, index); r < 0) return r;
    set_l2_entry(table, index, uint64_t(host) | kCopied);
  }
  if (!full && ::ftruncate(fd_, off_t(host_end_)) < 0) return -errno;
  return flush_locked();
}

// ---- info ----

ImageInfo Image::info() const {
  ImageInfo in;
  in.cluster_size = cluster_size_;
  in.backing_file = backing_name_;
  if (!backing_name_.empty())
    in.full_backing_file = backing_name_[0] == '/' ? backing_name_ : dir_of(path_) + backing_name_;
  in.backing_format = backing_format_;
  in.dirty = (incompat_ & kIncompatDirty) != 0;
  in.format_specific_type = "qcow2";
  if (is_v3()) {
    in.format_specific = {{"compat", "\"1.1\""},
                          {"compression-type", compression_type_ ? "\"zstd\"" : "\"zlib\""},
                          {"lazy-refcounts", (compat_ & kCompatLazyRefcounts) ? "true" : "false"},
                          {"refcount-bits", std::to_string(1u << refcount_order_)},
                          {"corrupt", (incompat_ & kIncompatCorrupt) ? "true" : "false"},
                          {"extended-l2", "false"}};
  } else {
    in.format_specific = {{"compat", "\"0.10\""}, {"compression-type", "\"zlib\""}, {"refcount-bits", "16"}};
  }
  for (auto& s : snapshots_) {
    SnapshotInfo si;
    si.id = s.id, si.name = s.name, si.vm_state_size = s.vm_state_size_large ? s.vm_state_size_large : s.vm_state_size;
    si.disk_size = s.disk_size, si.date_sec = s.date_sec, si.date_nsec = s.date_nsec;
    si.vm_clock_nsec = s.vm_clock_nsec, si.icount = s.icount;
    in.snapshots.push_back(si);
  }
  return in;
}

// ---- entry points ----

std::unique_ptr<BlockImage> open(int fd, const std::string& path, const OpenOptions& options, int depth,
                                 std::vector<std::pair<uint64_t, uint64_t>>& chain, std::string& error) {
  auto image = std::make_unique<Image>(fd, path, options.read_only);
  if (!image->open(options, depth, chain, error)) return nullptr;
  return image;
}

}  // namespace mimic::hw::block::qcow2
