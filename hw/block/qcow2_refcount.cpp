// qcow2 refcounts: blocks of 2^refcount_order-bit counters, found through the refcount table;
// cluster allocation (lowest free clusters first, so freed ones are reused) and the growth of
// the table itself.
#include <algorithm>
#include <cerrno>
#include <cstring>

#include "hw/block/file.h"
#include "hw/block/qcow2.h"

namespace mimic::hw::block::qcow2 {
namespace {

uint64_t get_entry(const uint8_t* b, uint64_t i, uint32_t order) {
  switch (order) {
    case 0: return (b[i / 8] >> (i % 8)) & 1;
    case 1: return (b[i / 4] >> (2 * (i % 4))) & 3;
    case 2: return (b[i / 2] >> (4 * (i % 2))) & 15;
    case 3: return b[i];
    case 4: return be16(b + 2 * i);
    case 5: return be32(b + 4 * i);
    default: return be64(b + 8 * i);
  }
}

void set_entry(uint8_t* b, uint64_t i, uint32_t order, uint64_t v) {
  auto sub = [&](unsigned bits) {
    unsigned per = 8 / bits, shift = bits * unsigned(i % per);
    uint8_t mask = uint8_t(((1u << bits) - 1) << shift);
    b[i / per] = uint8_t((b[i / per] & ~mask) | ((v << shift) & mask));
  };
  switch (order) {
    case 0: sub(1); break;
    case 1: sub(2); break;
    case 2: sub(4); break;
    case 3: b[i] = uint8_t(v); break;
    case 4: put_be16(b + 2 * i, uint16_t(v)); break;
    case 5: put_be32(b + 4 * i, uint32_t(v)); break;
    default: put_be64(b + 8 * i, v); break;
  }
}

}  // namespace

int Image::load_refblock(uint64_t index, TableCache::Entry*& block) {
  block = nullptr;
  if (index >= rt_.size() || !(rt_[index] & ~511ull)) return 0;
  uint64_t offset = rt_[index] & ~511ull;
  if ((offset & (cluster_size_ - 1)) || offset < cluster_size_) {
    set_corrupt("a refcount block offset is invalid");
    return -EIO;
  }
  if ((block = rb_cache_.find(offset))) return 0;
  TableCache::Entry victim;
  bool have_victim;
  block = rb_cache_.slot_for(offset, &victim, &have_victim);
  block->data.assign(cluster_size_, 0);
  int r = pread_full(fd_, block->data.data(), cluster_size_, offset);
  if (have_victim) {
    int w = pwrite_full(fd_, victim.data.data(), victim.data.size(), victim.offset);
    if (w < 0) r = w;
  }
  if (r < 0) {
    rb_cache_.drop(offset);
    block = nullptr;
  }
  return r;
}

int Image::get_refcount(uint64_t cluster, uint64_t& refcount) {
  refcount = 0;
  TableCache::Entry* b;
  if (int r = load_refblock(cluster / refblock_entries(), b); r < 0) return r;
  if (b) refcount = get_entry(b->data.data(), cluster % refblock_entries(), refcount_order_);
  return 0;
}

int Image::set_refcount(uint64_t cluster, uint64_t refcount) {
  if (refcount > max_refcount()) return -ERANGE;
  uint64_t index = cluster / refblock_entries();
  TableCache::Entry* b;
  if (int r = load_refblock(index, b); r < 0) return r;
  if (!b) {
    if (refcount == 0) return 0;
    // A cluster no block covers yet (repair of a damaged image): give its range a block.
    if (index >= rt_.size()) {
      if (int r = grow_refcount_table(index); r < 0) return r;
    }
    if (index < rt_.size() && !rt_[index]) {
      int64_t place = alloc_clusters(1);
      if (place < 0) return int(place);
      if (int r = make_refblock(index, uint64_t(place) >> cluster_bits_); r < 0) return r;
    }
    if (int r = load_refblock(index, b); r < 0) return r;
    if (!b) return -EIO;
  }
  set_entry(b->data.data(), cluster % refblock_entries(), refcount_order_, refcount);
  b->dirty = true;
  return 0;
}

int Image::add_refcount(uint64_t offset, uint64_t bytes, int64_t delta) {
  if (!bytes) return 0;
  for (uint64_t c = offset >> cluster_bits_; c <= (offset + bytes - 1) >> cluster_bits_; ++c) {
    uint64_t rc;
    if (int r = get_refcount(c, rc); r < 0) return r;
    if (delta > 0 && max_refcount() - rc < uint64_t(delta)) return -ERANGE;  // refcount_bits too narrow
    if (delta < 0 && rc < uint64_t(-delta)) {
      set_corrupt("a refcount would drop below zero");
      return -EIO;
    }
    if (int r = set_refcount(c, rc + uint64_t(delta)); r < 0) return r;
    if (rc + uint64_t(delta) == 0) free_hint_ = std::min(free_hint_, c);
  }
  return 0;
}

// A new refcount block for range `index`, at cluster `place`. When `place` lies in that range
// the block counts itself; otherwise `place` was allocated (and counted) already.
int Image::make_refblock(uint64_t index, uint64_t place) {
  std::vector<uint8_t> data(cluster_size_, 0);
  if (place / refblock_entries() == index) set_entry(data.data(), place % refblock_entries(), refcount_order_, 1);
  uint64_t offset = place << cluster_bits_;
  if (int r = pwrite_full(fd_, data.data(), data.size(), offset); r < 0) return r;
  // The block and whatever refcounts point into it reach the disk before the table points at it.
  if (int r = flush_refblocks(); r < 0) return r;
  uint8_t e[8];
  put_be64(e, offset);
  if (int r = pwrite_full(fd_, e, 8, rt_offset_ + index * 8); r < 0) return r;
  if (int r = sync_file(fd_); r < 0) return r;
  rt_[index] = offset;
  TableCache::Entry victim;
  bool have_victim;
  TableCache::Entry* slot = rb_cache_.slot_for(offset, &victim, &have_victim);
  slot->data = std::move(data);
  host_end_ = std::max(host_end_, offset + cluster_size_);
  if (have_victim) return pwrite_full(fd_, victim.data.data(), victim.data.size(), victim.offset);
  return 0;
}

int64_t Image::alloc_clusters(uint64_t n) {
  if (n == 0) return -EINVAL;
  const uint64_t per_block = refblock_entries();
  for (int attempt = 0; attempt < 1024; ++attempt) {
    uint64_t start = 0, run = 0;
    for (uint64_t c = free_hint_;; ++c) {
      if (((c + n) << cluster_bits_) > kOffsetMask + 1 - cluster_size_) return -ENOSPC;
      uint64_t rc;
      if (int r = get_refcount(c, rc); r < 0) return r;
      if (rc) {
        run = 0;
        continue;
      }
      if (!run) start = c;
      if (++run == n) break;
    }
    // Every cluster of the run needs a refcount block; a missing one is made inside the run.
    bool made = false;
    for (uint64_t index = start / per_block; index <= (start + n - 1) / per_block && !made; ++index) {
      if (index >= rt_.size()) {
        if (int r = grow_refcount_table(index); r < 0) return r;
        made = true;
      } else if (!rt_[index]) {
        if (int r = make_refblock(index, std::max(start, index * per_block)); r < 0) return r;
        made = true;
      }
    }
    if (made) continue;
    // A damaged image may count its own header or tables as free: never hand those out.
    auto inside = [&](uint64_t offset, uint64_t bytes) {
      return bytes && (offset >> cluster_bits_) < start + n && ((offset + bytes - 1) >> cluster_bits_) >= start;
    };
    if (start == 0 || inside(l1_offset_, l1_.size() * 8) ||
        inside(rt_offset_, uint64_t(rt_clusters_) << cluster_bits_) ||
        (nb_snapshots_ && inside(snapshots_offset_, snapshots_bytes_))) {
      set_corrupt("the refcounts call the header or a table free");
      return -EIO;
    }
    for (uint64_t c = start; c < start + n; ++c) {
      if (int r = set_refcount(c, 1); r < 0) return r;
    }
    if (start == free_hint_) free_hint_ = start + n;
    host_end_ = std::max(host_end_, (start + n) << cluster_bits_);
    return int64_t(start << cluster_bits_);
  }
  return -EIO;
}

// A bigger refcount table at the end of the file, with the refcount blocks that count it and
// themselves placed right after it; the header points at it once all of that is on disk.
int Image::grow_refcount_table(uint64_t min_index) {
  const uint64_t per_block = refblock_entries();
  uint64_t start = host_end_ >> cluster_bits_;
  for (uint64_t rc = 1; get_refcount(start, rc) == 0 && rc;) ++start;
  uint64_t entries = std::max<uint64_t>(min_index + 1, rt_.size() * 2), n, k;
  std::vector<uint64_t> missing;
  for (;;) {
    n = table_clusters(entries * 8);
    if ((n << cluster_bits_) > kMaxRefTableBytes) return -EFBIG;
    k = 0;
    for (;;) {
      missing.clear();
      for (uint64_t i = start / per_block; i <= (start + n + k - 1) / per_block; ++i)
        if (i >= rt_.size() || !rt_[i]) missing.push_back(i);
      if (missing.size() <= k) break;
      k = missing.size();
    }
    uint64_t last = (start + n + k - 1) / per_block;
    if (last < entries && min_index < entries) break;
    entries = std::max(last, min_index) + 1;
  }
  std::vector<uint64_t> table = rt_;
  table.resize(n << cluster_bits_ >> 3, 0);
  std::vector<std::vector<uint8_t>> blocks(missing.size(), std::vector<uint8_t>(cluster_size_, 0));
  for (size_t j = 0; j < missing.size(); ++j) table[missing[j]] = (start + n + j) << cluster_bits_;
  for (uint64_t c = start; c < start + n + missing.size(); ++c) {
    auto it = std::find(missing.begin(), missing.end(), c / per_block);
    if (it != missing.end()) {
      set_entry(blocks[size_t(it - missing.begin())].data(), c % per_block, refcount_order_, 1);
    } else if (int r = set_refcount(c, 1); r < 0) {
      return r;
    }
  }
  if (int r = flush_refblocks(); r < 0) return r;
  for (size_t j = 0; j < missing.size(); ++j) {
    if (int r = pwrite_full(fd_, blocks[j].data(), cluster_size_, (start + n + j) << cluster_bits_); r < 0) return r;
  }
  std::vector<uint8_t> raw(table.size() * 8);
  for (size_t i = 0; i < table.size(); ++i) put_be64(&raw[i * 8], table[i]);
  if (int r = pwrite_full(fd_, raw.data(), raw.size(), start << cluster_bits_); r < 0) return r;
  if (int r = sync_file(fd_); r < 0) return r;
  uint8_t h[12];
  put_be64(h, start << cluster_bits_);
  put_be32(h + 8, uint32_t(n));
  if (int r = write_header_field(48, h, 12); r < 0) return r;
  uint64_t old_offset = rt_offset_, old_bytes = uint64_t(rt_clusters_) << cluster_bits_;
  rt_ = std::move(table);
  rt_offset_ = start << cluster_bits_;
  rt_clusters_ = uint32_t(n);
  host_end_ = std::max(host_end_, (start + n + missing.size()) << cluster_bits_);
  return add_refcount(old_offset, old_bytes, -1);
}

}  // namespace mimic::hw::block::qcow2
