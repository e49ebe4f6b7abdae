// The qcow2 driver's insides, shared by its files: qcow2.cpp (open, read, write, allocation,
// ordered flush), qcow2_refcount.cpp (refcount blocks and table), qcow2_check.cpp (check and
// repair), qcow2_snapshot.cpp (internal snapshots), qcow2_create.cpp (new images).
//
// Crash safety: metadata (L2 tables, refcount blocks, the L1 table) is cached and written back
// in dependency order: refcount blocks, sync, L2 tables, sync, L1, sync. Data is written before
// any of it. Clusters whose last reference goes away are freed only after the tables that
// dropped the reference are on disk, so a crash at any point leaves leaked clusters at worst.
// One mutex per image serialises every request.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "hw/block/block.h"
#include "hw/block/compress.h"

namespace mimic::hw::block::qcow2 {

constexpr uint32_t kMagic = 0x514649fb;  // "QFI\xfb"
constexpr uint64_t kCopied = 1ull << 63, kCompressed = 1ull << 62, kZeroFlag = 1;
constexpr uint64_t kOffsetMask = 0x00fffffffffffe00ull;
constexpr uint64_t kIncompatDirty = 1, kIncompatCorrupt = 2, kIncompatDataFile = 4, kIncompatCompression = 8,
                   kIncompatExtL2 = 16, kIncompatKnown = 31;
constexpr uint64_t kCompatLazyRefcounts = 1;
constexpr uint32_t kExtEnd = 0, kExtBackingFormat = 0xe2792aca, kExtFeatureTable = 0x6803f857;
constexpr uint32_t kMaxL1Bytes = 32u << 20, kMaxRefTableBytes = 8u << 20;
constexpr int kMaxBackingDepth = 32;

// A cache of cluster-sized tables (L2 tables or refcount blocks), least recently used out first.
class TableCache {
 public:
  struct Entry {
    uint64_t offset = 0;
    std::vector<uint8_t> data;
    bool dirty = false;
    uint64_t last_use = 0;
  };
  explicit TableCache(size_t capacity) : capacity_(capacity) {}
  Entry* find(uint64_t offset);
  // The slot the table at `offset` goes in; `victim` is set to an evicted dirty table's copy
  // when one had to be written back first (the caller writes it before filling the slot).
  Entry* slot_for(uint64_t offset, Entry* victim_out, bool* have_victim);
  void drop(uint64_t offset);
  std::vector<Entry*> dirty_entries();
  void clear() { entries_.clear(), index_.clear(); }

 private:
  size_t capacity_;
  uint64_t tick_ = 0;
  std::vector<std::unique_ptr<Entry>> entries_;
  std::unordered_map<uint64_t, Entry*> index_;
};

struct Snapshot {
  uint64_t l1_offset = 0;
  uint32_t l1_size = 0;
  std::string id, name;
  uint32_t date_sec = 0, date_nsec = 0;
  uint64_t vm_clock_nsec = 0;
  uint32_t vm_state_size = 0;
  uint64_t vm_state_size_large = 0, disk_size = 0, icount = UINT64_MAX;
  uint32_t extra_size = 24;
  std::vector<uint8_t> extra_unknown;  // extra data bytes past what we know, kept as they were
};

class Image final : public BlockImage {
 public:
  Image(int fd, std::string path, bool read_only) : fd_(fd), path_(std::move(path)), read_only_(read_only) {}
  ~Image() override;
  // Reads and checks the header and tables; `error` is one line naming the image.
  bool open(const OpenOptions& options, int depth, std::vector<std::pair<uint64_t, uint64_t>>& chain,
            std::string& error);
  // -snapshot: a fresh overlay whose backing image is given as an object, not by name.
  void adopt_backing(std::unique_ptr<BlockImage> backing) { backing_ = std::move(backing); }

  uint64_t size() const override { return size_; }
  bool read_only() const override { return read_only_; }
  const char* format_name() const override { return "qcow2"; }
  int read(uint64_t offset, void* buf, size_t len) override;
  int write(uint64_t offset, const void* buf, size_t len) override;
  int flush() override;
  int discard(uint64_t offset, uint64_t len) override;
  int write_zeroes(uint64_t offset, uint64_t len, bool may_unmap) override;
  int block_status(uint64_t offset, uint64_t len, BlockStatus& st) override;
  BlockImage* backing() const override { return backing_.get(); }
  ImageInfo info() const override;
  uint64_t cluster_size() const override { return cluster_size_; }
  int write_compressed(uint64_t offset, const void* buf, size_t len) override;
  int check(Repair repair, CheckResult& result) override;
  int resize(uint64_t new_size, bool allow_shrink, std::string& error) override;
  int snapshot_create(const std::string& name, std::string& error) override;
  int snapshot_apply(const std::string& name, std::string& error) override;
  int snapshot_delete(const std::string& name, std::string& error) override;
  int snapshot_create_vm(const std::string& name, uint64_t vm_state_size, uint64_t vm_clock_ns,
                         std::string& error) override;
  int vm_state_write(uint64_t pos, const void* buf, size_t len) override;
  int vm_state_read(uint64_t pos, void* buf, size_t len) override;
  int set_backing_file(const std::string& name, const std::string& format, std::string& error) override;
  int make_empty() override;
  // preallocation=metadata|full at creation: every cluster gets its place in the file.
  int preallocate(bool full);

 private:
  friend int create(const std::string& path, const CreateOptions& options, std::string& error);
  // --- qcow2.cpp ---
  bool parse_header(const std::vector<uint8_t>& hdr, uint64_t file_len, std::string& error);
  bool load_snapshots(uint64_t file_len, std::string& error);
  int read_cluster_part(uint64_t guest_cluster, uint32_t in_off, uint8_t* out, uint32_t len);
  int read_backing(uint64_t offset, uint8_t* out, uint32_t len);
  int l2_entry(uint64_t guest_cluster, uint64_t& entry);
  // Loads (or finds) the L2 table at `offset` in the cache.
  int load_l2(uint64_t offset, TableCache::Entry*& table);
  // The L2 table for a guest cluster, made writable (allocated or copied from a snapshot's).
  int writable_l2(uint64_t guest_cluster, TableCache::Entry*& table, uint32_t& index);
  int write_cluster_part(uint64_t guest_cluster, uint32_t in_off, const uint8_t* data, uint32_t len);
  // Replaces an L2 entry; the old allocation is freed once the new entry is on disk.
  void set_l2_entry(TableCache::Entry* table, uint32_t index, uint64_t entry);
  void release_entry_later(uint64_t old_entry);
  int compressed_range(uint64_t entry, uint64_t& start, uint64_t& bytes) const;
  int write_back_l2(TableCache::Entry& e);
  int flush_locked();
  int flush_refblocks();
  int write_l1();
  int mark_writing();
  int write_header_field(uint32_t offset, const void* data, uint32_t len);  // then sync
  uint64_t l2_entries() const { return cluster_size_ / 8; }
  uint64_t table_clusters(uint64_t bytes) const { return (bytes + cluster_size_ - 1) >> cluster_bits_; }
  bool set_corrupt(const std::string& what);
  int grow_l1(uint64_t min_entries);
  bool is_v3() const { return version_ >= 3; }
  // --- qcow2_refcount.cpp ---
  int get_refcount(uint64_t cluster, uint64_t& refcount);
  int set_refcount(uint64_t cluster, uint64_t refcount);
  int add_refcount(uint64_t offset, uint64_t bytes, int64_t delta);
  int load_refblock(uint64_t index, TableCache::Entry*& block);  // null block: none allocated
  // Allocates n contiguous clusters (refcount 1); returns the host offset or a negative errno.
  int64_t alloc_clusters(uint64_t n);
  int make_refblock(uint64_t index, uint64_t place_cluster);
  int grow_refcount_table(uint64_t min_index);
  uint64_t refblock_entries() const { return (cluster_size_ * 8) >> refcount_order_; }
  uint64_t max_refcount() const { return refcount_order_ == 6 ? UINT64_MAX : (1ull << (1u << refcount_order_)) - 1; }
  // --- qcow2_snapshot.cpp ---
  int write_snapshot_table(const std::vector<Snapshot>& table);
  int read_table(uint64_t offset, uint32_t entries, std::vector<uint64_t>& out);
  int update_tree_refcounts(const std::vector<uint64_t>& l1, int64_t delta);
  int refresh_copied_flags();
  int find_snapshot(const std::string& name) const;
  // Where the VM-state area starts: the first L1 entry past the disk (QEMU's vm_state_offset).
  uint64_t vm_state_offset() const {
    const uint64_t span = cluster_size_ * l2_entries();
    return (size_ + span - 1) / span * span;
  }
  // Gives the active L1's VM-state clusters back once a snapshot holds them (QEMU does too: they
  // would only cost copy-on-write at the next savevm).
  int discard_vm_state(uint64_t bytes);

  int fd_;
  std::string path_;
  bool read_only_;
  std::mutex mu_;
  // Header fields.
  uint32_t version_ = 3, cluster_bits_ = 16, refcount_order_ = 4, header_length_ = 104;
  uint64_t cluster_size_ = 65536, size_ = 0;
  uint64_t l1_offset_ = 0, rt_offset_ = 0, snapshots_offset_ = 0;
  uint32_t rt_clusters_ = 0, nb_snapshots_ = 0;
  uint64_t snapshots_bytes_ = 0;  // the snapshot table's length
  uint64_t incompat_ = 0, compat_ = 0, autoclear_ = 0;
  uint8_t compression_type_ = 0;
  std::string backing_name_, backing_format_;
  std::vector<std::pair<std::string, std::string>> feature_names_;  // "incompatible:3" -> name
  bool has_backing_format_ext_ = false;
  // Tables.
  std::vector<uint64_t> l1_;
  std::vector<uint64_t> rt_;
  std::vector<Snapshot> snapshots_;
  TableCache l2_cache_{64}, rb_cache_{32};
  bool l1_dirty_ = false;
  std::vector<uint64_t> pending_free_;  // host clusters to decrement once the tables are on disk
  uint64_t free_hint_ = 0;              // no free cluster below this index
  uint64_t host_end_ = 0;               // bytes: the file's end or past the last allocation
  bool writing_ = false;                // the header's dirty bit / autoclear handled
  bool corrupt_ = false;
  std::unique_ptr<BlockImage> backing_;
  // The last cluster decompressed, so that small reads of one compressed cluster inflate once.
  uint64_t decompressed_entry_ = 0;
  std::vector<uint8_t> decompressed_;
  Codec codec() const { return compression_type_ == 1 ? Codec::kZstd : Codec::kDeflateRaw; }
};

std::unique_ptr<BlockImage> open(int fd, const std::string& path, const OpenOptions& options, int depth,
                                 std::vector<std::pair<uint64_t, uint64_t>>& chain, std::string& error);
int create(const std::string& path, const CreateOptions& options, std::string& error);
// An empty qcow2 overlay over `backing` in a file that is already unlinked (-snapshot).
std::unique_ptr<BlockImage> temporary_overlay(std::unique_ptr<BlockImage> backing, std::string& error);

}  // namespace mimic::hw::block::qcow2
