// The 9P2000.L wire format: little-endian integers, strings as u16 length + bytes, qids as
// type[1] version[4] path[8]; every message is size[4] type[1] tag[2] body. The reader never reads
// past the message: a short field sets failed() and yields zeros, so a handler parses its whole
// request first and answers EINVAL (never a crash) when the guest's message was malformed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace mimic::hw::p9 {

// Message types (T = request; the reply is T + 1).
enum : uint8_t {
  kTlerror = 6,
  kRlerror = 7,
  kTstatfs = 8,
  kTlopen = 12,
  kTlcreate = 14,
  kTsymlink = 16,
  kTmknod = 18,
  kTrename = 20,
  kTreadlink = 22,
  kTgetattr = 24,
  kTsetattr = 26,
  kTxattrwalk = 30,
  kTxattrcreate = 32,
  kTreaddir = 40,
  kTfsync = 50,
  kTlock = 52,
  kTgetlock = 54,
  kTlink = 70,
  kTmkdir = 72,
  kTrenameat = 74,
  kTunlinkat = 76,
  kTversion = 100,
  kTauth = 102,
  kTattach = 104,
  kTflush = 108,
  kTwalk = 110,
  kTread = 116,
  kTwrite = 118,
  kTclunk = 120,
  kTremove = 122,
};

constexpr size_t kHeaderSize = 7;  // size[4] type[1] tag[2]
constexpr uint16_t kNoTag = 0xffff;
constexpr uint32_t kNoFid = 0xffffffff;
// qid types.
constexpr uint8_t kQtDir = 0x80, kQtSymlink = 0x02, kQtFile = 0;

struct Qid {
  uint8_t type = 0;
  uint32_t version = 0;
  uint64_t path = 0;
};

class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  uint8_t u8() { return uint8_t(take(1)); }
  uint16_t u16() { return uint16_t(take(2)); }
  uint32_t u32() { return uint32_t(take(4)); }
  uint64_t u64() { return take(8); }
  std::string str();
  // `n` raw bytes in place (null and failed() when the message is shorter).
  const uint8_t* bytes(size_t n);
  bool failed() const { return failed_; }
  size_t remaining() const { return size_ - pos_; }

 private:
  uint64_t take(size_t n);
  const uint8_t* data_;
  size_t size_, pos_ = 0;
  bool failed_ = false;
};

// Builds one reply; finish() fills in the size field.
class Writer {
 public:
  Writer(std::vector<uint8_t>& out, uint8_t type, uint16_t tag);
  void u8(uint8_t v) { put(v, 1); }
  void u16(uint16_t v) { put(v, 2); }
  void u32(uint32_t v) { put(v, 4); }
  void u64(uint64_t v) { put(v, 8); }
  void str(const std::string& s);
  void qid(const Qid& q);
  void bytes(const void* p, size_t n);
  size_t size() const { return out_.size(); }
  // Room for `n` bytes written later in place (Rread's data): their offset in the reply.
  size_t reserve(size_t n);
  uint8_t* at(size_t offset) { return out_.data() + offset; }
  void truncate(size_t size) { out_.resize(size); }
  void finish();

 private:
  void put(uint64_t v, size_t n);
  std::vector<uint8_t>& out_;
};

// The Rlerror reply to `tag`.
void error_reply(std::vector<uint8_t>& out, uint16_t tag, uint32_t err);

}  // namespace mimic::hw::p9
