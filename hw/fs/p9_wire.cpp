#include "hw/fs/p9_wire.h"

#include <cstring>

namespace mimic::hw::p9 {

uint64_t Reader::take(size_t n) {
  if (failed_ || size_ - pos_ < n) {
    failed_ = true;
    return 0;
  }
  uint64_t v = 0;
  for (size_t i = 0; i < n; i++) v |= uint64_t(data_[pos_ + i]) << (8 * i);
  pos_ += n;
  return v;
}

const uint8_t* Reader::bytes(size_t n) {
  if (failed_ || size_ - pos_ < n) {
    failed_ = true;
    return nullptr;
  }
  const uint8_t* p = data_ + pos_;
  pos_ += n;
  return p;
}

std::string Reader::str() {
  uint16_t n = u16();
  const uint8_t* p = bytes(n);
  return p ? std::string(reinterpret_cast<const char*>(p), n) : std::string();
}

Writer::Writer(std::vector<uint8_t>& out, uint8_t type, uint16_t tag) : out_(out) {
  out_.clear();
  put(0, 4);
  put(type, 1);
  put(tag, 2);
}

void Writer::put(uint64_t v, size_t n) {
  for (size_t i = 0; i < n; i++) out_.push_back(uint8_t(v >> (8 * i)));
}

void Writer::str(const std::string& s) {
  // Host names longer than a u16 cannot occur (NAME_MAX, PATH_MAX); clamp rather than corrupt.
  size_t n = s.size() > 0xffff ? 0xffff : s.size();
  u16(uint16_t(n));
  bytes(s.data(), n);
}

void Writer::qid(const Qid& q) {
  u8(q.type);
  u32(q.version);
  u64(q.path);
}

void Writer::bytes(const void* p, size_t n) {
  const uint8_t* b = static_cast<const uint8_t*>(p);
  out_.insert(out_.end(), b, b + n);
}

size_t Writer::reserve(size_t n) {
  size_t at = out_.size();
  out_.resize(at + n);
  return at;
}

void Writer::finish() {
  uint32_t n = uint32_t(out_.size());
  for (int i = 0; i < 4; i++) out_[i] = uint8_t(n >> (8 * i));
}

void error_reply(std::vector<uint8_t>& out, uint16_t tag, uint32_t err) {
  Writer w(out, kRlerror, tag);
  w.u32(err);
  w.finish();
}

}  // namespace mimic::hw::p9
