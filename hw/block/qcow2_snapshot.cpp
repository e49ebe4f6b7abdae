// qcow2 internal snapshots: a snapshot is a copy of the L1 table whose tree holds one more
// reference on every L2 table and data cluster; writes then copy shared clusters (COPIED clear).
#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "hw/block/file.h"
#include "hw/block/qcow2.h"

namespace mimic::hw::block::qcow2 {

int Image::find_snapshot(const std::string& name) const {
  for (size_t i = 0; i < snapshots_.size(); ++i)
    if (snapshots_[i].id == name) return int(i);
  for (size_t i = 0; i < snapshots_.size(); ++i)
    if (snapshots_[i].name == name) return int(i);
  return -1;
}

int Image::read_table(uint64_t offset, uint32_t entries, std::vector<uint64_t>& out) {
  std::vector<uint8_t> raw(uint64_t(entries) * 8);
  if (int r = pread_full(fd_, raw.data(), raw.size(), offset); r < 0) return r;
  out.resize(entries);
  for (size_t i = 0; i < entries; ++i) out[i] = be64(&raw[i * 8]);
  return 0;
}

int Image::update_tree_refcounts(const std::vector<uint64_t>& l1, int64_t delta) {
  for (uint64_t l1e : l1) {
    uint64_t l2_offset = l1e & kOffsetMask;
    if (!l2_offset) continue;
    TableCache::Entry* t;
    if (int r = load_l2(l2_offset, t); r < 0) return r;
    std::vector<uint8_t> table = t->data;  // add_refcount may not evict it, but stay safe
    for (uint64_t j = 0; j < l2_entries(); ++j) {
      uint64_t e = be64(&table[j * 8]);
      if (e & kCompressed) {
        uint64_t start, bytes;
        compressed_range(e, start, bytes);
        if (int r = add_refcount(start & ~511ull, bytes + (start & 511), delta); r < 0) return r;
      } else if (uint64_t host = e & kOffsetMask) {
        if (int r = add_refcount(host, cluster_size_, delta); r < 0) return r;
      }
    }
    if (int r = add_refcount(l2_offset, cluster_size_, delta); r < 0) return r;
  }
  return 0;
}

int Image::refresh_copied_flags() {
  for (auto& l1e : l1_) {
    uint64_t l2_offset = l1e & kOffsetMask, rc;
    if (!l2_offset) continue;
    if (int r = get_refcount(l2_offset >> cluster_bits_, rc); r < 0) return r;
    uint64_t want = rc == 1 ? (l1e | kCopied) : (l1e & ~kCopied);
    if (want != l1e) l1e = want, l1_dirty_ = true;
    TableCache::Entry* t;
    if (int r = load_l2(l2_offset, t); r < 0) return r;
    for (uint64_t j = 0; j < l2_entries(); ++j) {
      uint64_t e = be64(&t->data[j * 8]), host = e & kOffsetMask;
      if ((e & kCompressed) || !host) continue;
      if (int r = get_refcount(host >> cluster_bits_, rc); r < 0) return r;
      uint64_t w = rc == 1 ? (e | kCopied) : (e & ~kCopied);
      if (w != e) put_be64(&t->data[j * 8], w), t->dirty = true;
    }
  }
  return 0;
}

int Image::write_snapshot_table(const std::vector<Snapshot>& table) {
  std::vector<uint8_t> raw;
  for (auto& s : table) {
    uint32_t extra = std::max<uint32_t>(24, s.extra_size);
    size_t at = raw.size();
    raw.resize(at + 40 + extra + s.id.size() + s.name.size(), 0);
    uint8_t* p = &raw[at];
    put_be64(p, s.l1_offset), put_be32(p + 8, s.l1_size);
    put_be16(p + 12, uint16_t(s.id.size())), put_be16(p + 14, uint16_t(s.name.size()));
    put_be32(p + 16, s.date_sec), put_be32(p + 20, s.date_nsec), put_be64(p + 24, s.vm_clock_nsec);
    put_be32(p + 32, s.vm_state_size), put_be32(p + 36, extra);
    put_be64(p + 40, s.vm_state_size_large), put_be64(p + 48, s.disk_size), put_be64(p + 56, s.icount);
    std::copy(s.extra_unknown.begin(), s.extra_unknown.end(), p + 64);
    std::copy(s.id.begin(), s.id.end(), p + 40 + extra);
    std::copy(s.name.begin(), s.name.end(), p + 40 + extra + s.id.size());
    raw.resize((raw.size() + 7) & ~size_t(7), 0);
  }
  uint64_t offset = 0;
  if (!raw.empty()) {
    int64_t at = alloc_clusters(table_clusters(raw.size()));
    if (at < 0) return int(at);
    offset = uint64_t(at);
    if (int r = flush_refblocks(); r < 0) return r;
    if (int r = pwrite_full(fd_, raw.data(), raw.size(), offset); r < 0) return r;
    if (int r = sync_file(fd_); r < 0) return r;
  }
  uint8_t h[12];
  put_be32(h, uint32_t(table.size()));
  put_be64(h + 4, offset);
  if (int r = write_header_field(60, h, 12); r < 0) return r;
  uint64_t old_offset = snapshots_offset_, old_bytes = nb_snapshots_ ? snapshots_bytes_ : 0;
  snapshots_ = table;
  nb_snapshots_ = uint32_t(table.size());
  snapshots_offset_ = offset;
  snapshots_bytes_ = raw.size();
  if (old_bytes) return add_refcount(old_offset, old_bytes, -1);
  return 0;
}

int Image::snapshot_create(const std::string& name, std::string& error) {
  return snapshot_create_vm(name, 0, 0, error);
}

int Image::discard_vm_state(uint64_t bytes) {
  const uint64_t first = vm_state_offset() >> cluster_bits_, end = first + table_clusters(bytes);
  for (uint64_t gc = first; gc < end; ++gc) {
    uint64_t entry;
    if (int r = l2_entry(gc, entry); r < 0) return r;
    if (!entry) continue;
    TableCache::Entry* table;
    uint32_t index;
    if (int r = writable_l2(gc, table, index); r < 0) return r;
    set_l2_entry(table, index, 0);
  }
  return flush_locked();
}

int Image::snapshot_create_vm(const std::string& name, uint64_t vm_state_size, uint64_t vm_clock_ns,
                              std::string& error) {
  if (read_only_) return -EROFS;
  std::lock_guard g(mu_);
  if (find_snapshot(name) >= 0) {
    error = path_ + ": a snapshot named '" + name + "' already exists";
    return -EEXIST;
  }
  if (max_refcount() < 2) {
    error = path_ + ": snapshots need refcount_bits of 2 or more (this image has 1)";
    return -ERANGE;
  }
  if (snapshots_.size() >= 65536) {
    error = path_ + ": too many snapshots";
    return -EFBIG;
  }
  if (int r = mark_writing(); r < 0) return r;
  if (int r = flush_locked(); r < 0) return r;
  Snapshot s;
  s.l1_size = uint32_t(l1_.size());
  if (!l1_.empty()) {
    int64_t at = alloc_clusters(table_clusters(l1_.size() * 8));
    if (at < 0) return int(at);
    s.l1_offset = uint64_t(at);
    std::vector<uint8_t> raw(l1_.size() * 8);
    for (size_t i = 0; i < l1_.size(); ++i) put_be64(&raw[i * 8], l1_[i]);
    if (int r = pwrite_full(fd_, raw.data(), raw.size(), s.l1_offset); r < 0) return r;
  }
  if (int r = update_tree_refcounts(l1_, +1); r < 0) {
    error = path_ + ": updating refcounts failed: " + std::strerror(-r) + " (the image may have leaked clusters)";
    return r;
  }
  if (int r = flush_locked(); r < 0) return r;
  if (int r = refresh_copied_flags(); r < 0) return r;
  if (int r = flush_locked(); r < 0) return r;
  uint64_t next_id = 1;
  for (auto& o : snapshots_) next_id = std::max<uint64_t>(next_id, std::strtoull(o.id.c_str(), nullptr, 10) + 1);
  s.id = std::to_string(next_id);
  s.name = name;
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  s.date_sec = uint32_t(now.tv_sec), s.date_nsec = uint32_t(now.tv_nsec);
  s.disk_size = size_;
  // 0 as qemu-img writes it; savevm without record/replay writes -1 (no ICOUNT column).
  s.icount = vm_state_size || vm_clock_ns ? UINT64_MAX : 0;
  s.vm_clock_nsec = vm_clock_ns;
  // QEMU writes the 32-bit field capped and the 64-bit one in the extra data.
  s.vm_state_size = uint32_t(std::min<uint64_t>(vm_state_size, UINT32_MAX));
  s.vm_state_size_large = vm_state_size;
  auto table = snapshots_;
  table.push_back(s);
  if (int r = write_snapshot_table(table); r < 0) return r;
  if (int r = flush_locked(); r < 0) return r;
  if (vm_state_size) return discard_vm_state(vm_state_size);
  return 0;
}

int Image::snapshot_apply(const std::string& name, std::string& error) {
  if (read_only_) return -EROFS;
  std::lock_guard g(mu_);
  int i = find_snapshot(name);
  if (i < 0) {
    error = path_ + ": no snapshot named '" + name + "'";
    return -ENOENT;
  }
  if (int r = mark_writing(); r < 0) return r;
  if (int r = flush_locked(); r < 0) return r;
  Snapshot s = snapshots_[size_t(i)];
  if (int r = grow_l1(s.l1_size); r < 0) return r;
  std::vector<uint64_t> target;
  if (int r = read_table(s.l1_offset, s.l1_size, target); r < 0) return r;
  // The snapshot's tree gains the active reference before the active L1 switches to it, and the
  // old tree loses it after: a crash in between leaks, never frees what is in use.
  if (int r = update_tree_refcounts(target, +1); r < 0) return r;
  if (int r = flush_locked(); r < 0) return r;
  std::vector<uint64_t> old = l1_;
  target.resize(l1_.size(), 0);
  l1_ = target;
  if (int r = write_l1(); r < 0) return r;
  if (int r = sync_file(fd_); r < 0) return r;
  if (s.disk_size != size_) {
    uint8_t b[8];
    put_be64(b, s.disk_size);
    if (int r = write_header_field(24, b, 8); r < 0) return r;
    size_ = s.disk_size;
  }
  if (int r = update_tree_refcounts(old, -1); r < 0) return r;
  decompressed_entry_ = 0;
  if (int r = flush_locked(); r < 0) return r;
  if (int r = refresh_copied_flags(); r < 0) return r;
  return flush_locked();
}

int Image::snapshot_delete(const std::string& name, std::string& error) {
  if (read_only_) return -EROFS;
  std::lock_guard g(mu_);
  int i = find_snapshot(name);
  if (i < 0) {
    error = path_ + ": no snapshot named '" + name + "'";
    return -ENOENT;
  }
  if (int r = mark_writing(); r < 0) return r;
  if (int r = flush_locked(); r < 0) return r;
  Snapshot s = snapshots_[size_t(i)];
  auto table = snapshots_;
  table.erase(table.begin() + i);
  if (int r = write_snapshot_table(table); r < 0) return r;
  if (int r = flush_locked(); r < 0) return r;
  std::vector<uint64_t> l1;
  if (int r = read_table(s.l1_offset, s.l1_size, l1); r < 0) return r;
  if (int r = update_tree_refcounts(l1, -1); r < 0) return r;
  if (s.l1_size) {
    if (int r = add_refcount(s.l1_offset, uint64_t(s.l1_size) * 8, -1); r < 0) return r;
  }
  if (int r = refresh_copied_flags(); r < 0) return r;
  return flush_locked();
}

}  // namespace mimic::hw::block::qcow2
