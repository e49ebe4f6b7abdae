// The block layer: one interface for every disk image format. virtio-blk (and later any other
// disk device) talks to a BlockImage; the format drivers (raw, qcow2, vmdk, vdi) implement it;
// `mimic img` and -drive open images through open_image() and make them with create_image().
//
// Threading: a device may call read/write/flush/discard of one image from several I/O threads at
// once; every driver is safe for that (raw by positioned I/O, the others by one mutex per image).
#pragma once

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mimic::hw::block {

// What a range of the guest disk is, for `mimic img map`, convert and commit.
struct BlockStatus {
  enum Kind { kData, kZero, kUnallocated };  // kUnallocated: reads through to the backing file
  Kind kind = kData;
  uint64_t length = 0;                // bytes from the queried offset with this status
  uint64_t host_offset = UINT64_MAX;  // where the data lies in this image's file, if it is plain
};

struct SnapshotInfo {
  std::string id, name;
  uint64_t vm_state_size = 0, disk_size = 0;
  uint32_t date_sec = 0, date_nsec = 0;
  uint64_t vm_clock_nsec = 0, icount = UINT64_MAX;
};

// What `mimic img info` prints. format_specific is a JSON object body (without braces) of the
// format's own fields, format_lines the same for the human form.
struct ImageInfo {
  uint64_t cluster_size = 0;  // 0: the format has none
  std::string backing_file, full_backing_file, backing_format;
  bool dirty = false;
  std::string format_specific_type;
  std::vector<std::pair<std::string, std::string>> format_specific;  // key, JSON value
  std::vector<SnapshotInfo> snapshots;
};

// `mimic img check`'s findings, counted as qemu-img counts them.
struct CheckResult {
  uint64_t corruptions = 0, leaks = 0, corruptions_fixed = 0, leaks_fixed = 0, check_errors = 0;
  uint64_t image_end_offset = 0, allocated_clusters = 0, total_clusters = 0, fragmented_clusters = 0,
           compressed_clusters = 0;
  std::vector<std::string> messages;  // one line each, as qemu-img prints them
};
enum class Repair { kNone, kLeaks, kAll };

class BlockImage {
 public:
  virtual ~BlockImage() = default;
  // Guest-visible size in bytes.
  virtual uint64_t size() const = 0;
  virtual bool read_only() const = 0;
  // "raw", "qcow2", ...: what -drive format= and `mimic img info` call it.
  virtual const char* format_name() const = 0;

  // Each returns 0, or a negative errno (-EIO, -ENOSPC, -EROFS...) that the device reports to the
  // guest as an I/O error. Any offset and length; ranges past size() are -EINVAL.
  virtual int read(uint64_t offset, void* buf, size_t len) = 0;
  virtual int write(uint64_t offset, const void* buf, size_t len) = 0;
  // Everything written before it is on stable storage when it returns 0.
  virtual int flush() = 0;
  // The range's contents become unspecified (may read as zero); the space may be given back.
  virtual int discard(uint64_t offset, uint64_t len) { return 0; }
  // The range reads as zero afterwards; with may_unmap the space may be given back.
  virtual int write_zeroes(uint64_t offset, uint64_t len, bool may_unmap);

  // ---- for `mimic img` (the defaults fit a format without the feature) ----
  // The status of [offset, offset+len) from offset on: st.length <= len bytes share st.kind.
  virtual int block_status(uint64_t offset, uint64_t len, BlockStatus& st);
  virtual BlockImage* backing() const { return nullptr; }
  virtual ImageInfo info() const { return {}; }
  // The granularity of allocation (qcow2 cluster, vmdk grain, vdi block); 0 if none.
  virtual uint64_t cluster_size() const { return 0; }
  // Writes one whole cluster compressed (convert -c); -ENOTSUP where the format cannot.
  virtual int write_compressed(uint64_t offset, const void* buf, size_t len) { return -ENOTSUP; }
  virtual int check(Repair repair, CheckResult& result) { return -ENOTSUP; }
  virtual int resize(uint64_t new_size, bool allow_shrink, std::string& error);
  virtual int snapshot_create(const std::string& name, std::string& error);
  virtual int snapshot_apply(const std::string& name, std::string& error);
  virtual int snapshot_delete(const std::string& name, std::string& error);
  // Whole-machine snapshots (savevm): an internal snapshot that also records the size of the VM
  // state and the guest clock, and the VM-state area the state is written to before and read
  // from after (qcow2 keeps it past the end of the disk, as QEMU does; the snapshot's L1 table
  // holds it). The defaults: -ENOTSUP.
  virtual int snapshot_create_vm(const std::string& name, uint64_t vm_state_size, uint64_t vm_clock_ns,
                                 std::string& error);
  virtual int vm_state_write(uint64_t pos, const void* buf, size_t len) { return -ENOTSUP; }
  virtual int vm_state_read(uint64_t pos, void* buf, size_t len) { return -ENOTSUP; }
  // Points the image at another backing file without touching data (rebase -u); "" removes it.
  virtual int set_backing_file(const std::string& name, const std::string& format, std::string& error);
  // Drops every allocation so that everything reads through to the backing file (after commit).
  virtual int make_empty() { return -ENOTSUP; }
};

struct OpenOptions {
  std::string format;      // empty: probe the file's contents (a raw image is the fallback)
  bool read_only = false;  // readonly=on
  bool direct = false;     // cache=none / cache=directsync: O_DIRECT (raw images; the others ignore it)
  bool lock = true;        // locking=off turns the image lock off
  // -snapshot: the image is opened read-only and every write goes to a throwaway qcow2 overlay
  // in $TMPDIR (unlinked at once, so nothing is left behind).
  bool snapshot = false;
  bool open_backing = true;  // false: a qcow2 overlay opens without its backing file (info, rebase -u)
  // A backing file name that is absolute or holds ".." is followed (as qemu does) unless this is
  // false; protocol names (json:, nbd:, http:...) and cycles are always refused.
  bool allow_backing_outside = true;
  std::string backing_format;  // overrides the header's backing format (rebase -F)
};

// "1.5 GiB", as qemu-img prints sizes.
std::string human_size(uint64_t n);
// One line of a snapshot table (qemu-img snapshot -l, the monitor's info snapshots): ID, TAG,
// VM SIZE, DATE, VM CLOCK, ICOUNT.
std::string snapshot_line(const SnapshotInfo& s);

// Opens an image. On failure returns null and sets `error` to one line naming the file and the
// problem ("disk.qcow2: L1 table offset 0x... lies past the end of the file").
std::unique_ptr<BlockImage> open_image(const std::string& path, const OpenOptions& options, std::string& error);

// The raw format: the file is the disk. `fd` is owned by the returned image.
std::unique_ptr<BlockImage> open_raw(int fd, const std::string& path, bool read_only, std::string& error);

// `mimic img create`'s options (qemu-img's -o names).
struct CreateOptions {
  std::string format = "raw";
  uint64_t size = 0;          // 0 with a backing file: the backing file's size
  uint64_t cluster_size = 0;  // 0: the format's default
  std::string backing_file, backing_format;
  std::string compat;            // qcow2: "0.10" or "1.1" (default)
  std::string compression_type;  // qcow2: "zlib" (default) or "zstd"
  bool lazy_refcounts = false;
  std::string preallocation = "off";  // off, metadata, falloc, full
  uint32_t refcount_bits = 16;
  std::string subformat;  // vmdk: monolithicSparse, streamOptimized; vdi: dynamic/static via preallocation
};
int create_image(const std::string& path, const CreateOptions& options, std::string& error);

// Which format a file holds, from its first bytes ("raw" if none matches).
std::string probe_format(const uint8_t* head, size_t len);

}  // namespace mimic::hw::block
