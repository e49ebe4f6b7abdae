// qcow2 check and repair as qemu-img check does it: count every reference the tables make
// (header, L1/L2 tables and data of the active state and of every snapshot, refcount table and
// blocks, snapshot table), compare with the stored refcounts (more: leaked, fewer: corrupt), and
// check the COPIED flags of the active tables.
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>

#include "hw/block/file.h"
#include "hw/block/qcow2.h"

namespace mimic::hw::block::qcow2 {

int Image::check(Repair repair, CheckResult& res) {
  std::unique_lock g(mu_, std::defer_lock);
  if (!g.try_lock()) return -EBUSY;
  if (repair != Repair::kNone && read_only_) return -EROFS;
  if (!read_only_) {
    if (int r = flush_locked(); r < 0) return r;
  }
  int64_t flen = file_size(fd_);
  if (flen < 0) return int(flen);
  const uint64_t nb = (uint64_t(flen) + cluster_size_ - 1) >> cluster_bits_;
  std::vector<uint32_t> refs(nb, 0);
  auto msg = [&](std::string m) { res.messages.push_back(std::move(m)); };
  auto inc = [&](uint64_t offset, uint64_t bytes) {
    if (!bytes) return;
    for (uint64_t c = offset >> cluster_bits_; c <= (offset + bytes - 1) >> cluster_bits_; ++c) {
      if (c >= nb) {
        msg(fmt::format("ERROR: cluster {} at offset {:#x} lies past the end of the image file", c,
                        c << cluster_bits_));
        ++res.corruptions;
        return;
      }
      ++refs[c];
    }
  };
  std::vector<uint8_t> l2(cluster_size_);
  // One L1 table's tree; `active` also gathers the allocation statistics.
  auto walk = [&](uint64_t l1_offset, const std::vector<uint64_t>& l1, bool active) {
    inc(l1_offset, l1.size() * 8);
    uint64_t next_contiguous = 0;
    for (size_t i = 0; i < l1.size(); ++i) {
      uint64_t l2_offset = l1[i] & kOffsetMask;
      if (!l2_offset) continue;
      if (l2_offset & (cluster_size_ - 1)) {
        msg(fmt::format("ERROR l2_offset={:x}: Table is not cluster aligned; L1 entry corrupted", l2_offset));
        ++res.corruptions;
        continue;
      }
      inc(l2_offset, cluster_size_);
      if (l2_offset >= uint64_t(flen)) continue;
      TableCache::Entry* cached = l2_cache_.find(l2_offset);
      if (cached) {
        l2 = cached->data;
      } else if (pread_full(fd_, l2.data(), cluster_size_, l2_offset) < 0) {
        ++res.check_errors;
        continue;
      }
      for (uint64_t j = 0; j < l2_entries(); ++j) {
        uint64_t e = be64(&l2[j * 8]);
        if (e & kCompressed) {
          uint64_t start, bytes;
          compressed_range(e, start, bytes);
          inc(start & ~511ull, ((bytes + (start & 511)) + 511) & ~511ull);
          if (active) ++res.allocated_clusters, ++res.compressed_clusters, ++res.fragmented_clusters;
          continue;
        }
        uint64_t host = e & kOffsetMask;
        if (!host) continue;
        if (host & (cluster_size_ - 1)) {
          msg(fmt::format("ERROR offset={:x}: Cluster is not properly aligned; L2 entry corrupted", host));
          ++res.corruptions;
          continue;
        }
        inc(host, cluster_size_);
        if (active) {
          ++res.allocated_clusters;
          if (next_contiguous && host != next_contiguous) ++res.fragmented_clusters;
          next_contiguous = host + cluster_size_;
        }
      }
    }
  };
  inc(0, cluster_size_);
  walk(l1_offset_, l1_, true);
  for (auto& s : snapshots_) {
    std::vector<uint8_t> raw(uint64_t(s.l1_size) * 8);
    if (pread_full(fd_, raw.data(), raw.size(), s.l1_offset) < 0) {
      ++res.check_errors;
      continue;
    }
    std::vector<uint64_t> l1(s.l1_size);
    for (size_t i = 0; i < l1.size(); ++i) l1[i] = be64(&raw[i * 8]);
    walk(s.l1_offset, l1, false);
  }
  if (nb_snapshots_) inc(snapshots_offset_, snapshots_bytes_);
  inc(rt_offset_, uint64_t(rt_clusters_) << cluster_bits_);
  for (size_t i = 0; i < rt_.size(); ++i) {
    uint64_t off = rt_[i] & ~511ull;
    if (!off) continue;
    if (off & (cluster_size_ - 1)) {
      msg(fmt::format("ERROR refcount block {} is not cluster aligned; refcount table entry corrupted", i));
      ++res.corruptions;
      continue;
    }
    inc(off, cluster_size_);
  }
  // Compare. Repairs go to clusters past every referenced one, so none is handed out twice.
  if (repair != Repair::kNone) free_hint_ = std::max(free_hint_, nb);
  uint64_t highest = 0;
  const uint64_t covered = rt_.size() * refblock_entries();
  for (uint64_t c = 0; c < std::max(nb, covered); ++c) {
    if (c >= nb && !rt_[c / refblock_entries()]) {
      c |= refblock_entries() - 1;
      continue;
    }
    uint64_t stored;
    if (get_refcount(c, stored) < 0) {
      ++res.check_errors;
      continue;
    }
    uint64_t counted = c < nb ? refs[c] : 0;
    if (counted) highest = c;
    if (stored == counted) continue;
    bool fix = (stored > counted && repair != Repair::kNone) || (stored < counted && repair == Repair::kAll);
    msg(fmt::format("{} cluster {} refcount={} reference={}",
                    fix                ? "Repairing"
                    : stored < counted ? "ERROR"
                                       : "Leaked",
                    c, stored, counted));
    if (fix && set_refcount(c, counted) == 0) {
      (stored < counted ? res.corruptions_fixed : res.leaks_fixed)++;
      if (counted == 0) free_hint_ = std::min(free_hint_, c);
    } else {
      (stored < counted ? res.corruptions : res.leaks)++;
    }
  }
  // COPIED must be set exactly where the refcount is 1.
  for (size_t i = 0; i < l1_.size(); ++i) {
    uint64_t l2_offset = l1_[i] & kOffsetMask;
    if (!l2_offset || (l2_offset & (cluster_size_ - 1)) || l2_offset >= uint64_t(flen)) continue;
    uint64_t rc = 0;
    get_refcount(l2_offset >> cluster_bits_, rc);
    if ((rc == 1) != ((l1_[i] & kCopied) != 0)) {
      bool fix = repair == Repair::kAll && rc;
      msg(fmt::format("{} OFLAG_COPIED L2 cluster: l1_index={} l1_entry={:x} refcount={}", fix ? "Repairing" : "ERROR",
                      i, l1_[i], rc));
      if (fix) {
        l1_[i] = rc == 1 ? (l1_[i] | kCopied) : (l1_[i] & ~kCopied);
        l1_dirty_ = true;
        ++res.corruptions_fixed;
      } else {
        ++res.corruptions;
      }
    }
    TableCache::Entry* t;
    if (load_l2(l2_offset, t) < 0) continue;
    for (uint64_t j = 0; j < l2_entries(); ++j) {
      uint64_t e = be64(&t->data[j * 8]), host = e & kOffsetMask;
      if ((e & kCompressed) || !host || (host & (cluster_size_ - 1))) continue;
      get_refcount(host >> cluster_bits_, rc);
      if ((rc == 1) == ((e & kCopied) != 0)) continue;
      bool fix = repair == Repair::kAll && rc;
      msg(fmt::format("{} OFLAG_COPIED data cluster: l2_entry={:x} refcount={}", fix ? "Repairing" : "ERROR", e, rc));
      if (fix) {
        put_be64(&t->data[j * 8], rc == 1 ? (e | kCopied) : (e & ~kCopied));
        t->dirty = true;
        ++res.corruptions_fixed;
      } else {
        ++res.corruptions;
      }
    }
  }
  res.image_end_offset = (highest + 1) << cluster_bits_;
  res.total_clusters = (size_ + cluster_size_ - 1) >> cluster_bits_;
  if (repair != Repair::kNone) {
    if (int r = flush_locked(); r < 0) return r;
  }
  return 0;
}

}  // namespace mimic::hw::block::qcow2
