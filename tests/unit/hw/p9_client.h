// A minimal 9P2000.L client for the server's tests: builds T-messages byte by byte (as Linux's
// net/9p/protocol.c lays them out) and takes the R-messages apart.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "hw/fs/p9_server.h"

namespace p9test {

struct Msg {
  std::vector<uint8_t> b;
  Msg& u8(uint8_t v) { return put(v, 1); }
  Msg& u16(uint16_t v) { return put(v, 2); }
  Msg& u32(uint32_t v) { return put(v, 4); }
  Msg& u64(uint64_t v) { return put(v, 8); }
  Msg& str(const std::string& s) {
    u16(uint16_t(s.size()));
    b.insert(b.end(), s.begin(), s.end());
    return *this;
  }
  Msg& raw(const std::string& s) {
    b.insert(b.end(), s.begin(), s.end());
    return *this;
  }
  Msg& put(uint64_t v, int n) {
    for (int i = 0; i < n; i++) b.push_back(uint8_t(v >> (8 * i)));
    return *this;
  }
};

struct Reply {
  uint8_t type = 0;
  uint16_t tag = 0;
  std::vector<uint8_t> body;
  size_t pos = 0;
  bool is_error() const { return type == 7; }
  uint32_t errno_value() const {
    return is_error() && body.size() >= 4 ? uint32_t(body[0] | body[1] << 8 | body[2] << 16 | uint32_t(body[3]) << 24)
                                          : 0;
  }
  uint64_t get(int n) {
    uint64_t v = 0;
    for (int i = 0; i < n && pos < body.size(); i++) v |= uint64_t(body[pos++]) << (8 * i);
    return v;
  }
  std::string str() {
    size_t n = size_t(get(2));
    std::string s(body.begin() + long(pos), body.begin() + long(std::min(body.size(), pos + n)));
    pos += n;
    return s;
  }
  void skip(size_t n) { pos += n; }
};

class Client {
 public:
  explicit Client(mimic::hw::fs::P9Server& s) : server_(s) {}
  // Sends body `m` as message `type`; the reply must be well formed.
  Reply call(uint8_t type, const Msg& m, size_t max_reply = 1 << 20) {
    Msg full;
    full.u32(uint32_t(7 + m.b.size())).u8(type).u16(tag_);
    full.b.insert(full.b.end(), m.b.begin(), m.b.end());
    std::vector<uint8_t> out;
    server_.handle(full.b.data(), full.b.size(), max_reply, out);
    Reply r;
    EXPECT_GE(out.size(), 7u);
    if (out.size() < 7) return r;
    uint32_t size = uint32_t(out[0] | out[1] << 8 | out[2] << 16 | uint32_t(out[3]) << 24);
    EXPECT_EQ(size, out.size());
    EXPECT_LE(out.size(), max_reply);
    r.type = out[4];
    r.tag = uint16_t(out[5] | out[6] << 8);
    EXPECT_EQ(r.tag, tag_);
    EXPECT_TRUE(r.type == type + 1 || r.type == 7) << "reply type " << int(r.type) << " to " << int(type);
    r.body.assign(out.begin() + 7, out.end());
    tag_++;
    return r;
  }
  // Common sequences: 0 or the errno of the Rlerror.
  uint32_t version(uint32_t msize = 65536) { return call(100, Msg().u32(msize).str("9P2000.L")).errno_value(); }
  uint32_t attach(uint32_t fid, uint32_t uid = 1000) {
    return call(104, Msg().u32(fid).u32(~0u).str("user").str("").u32(uid)).errno_value();
  }
  uint32_t walk(uint32_t fid, uint32_t newfid, const std::vector<std::string>& names, uint16_t* nqid = nullptr) {
    Msg m;
    m.u32(fid).u32(newfid).u16(uint16_t(names.size()));
    for (auto& n : names) m.str(n);
    Reply r = call(110, m);
    if (nqid) *nqid = r.is_error() ? 0 : uint16_t(r.get(2));
    return r.errno_value();
  }
  uint32_t lopen(uint32_t fid, uint32_t flags) { return call(12, Msg().u32(fid).u32(flags)).errno_value(); }
  uint32_t clunk(uint32_t fid) { return call(120, Msg().u32(fid)).errno_value(); }
  // Reads up to `count` bytes at `offset` of an open fid ("" and the errno on failure).
  std::string read(uint32_t fid, uint64_t offset, uint32_t count, uint32_t* err = nullptr) {
    Reply r = call(116, Msg().u32(fid).u64(offset).u32(count));
    if (err) *err = r.errno_value();
    if (r.is_error()) return "";
    uint32_t n = uint32_t(r.get(4));
    return std::string(r.body.begin() + 4, r.body.begin() + 4 + n);
  }
  uint32_t write(uint32_t fid, uint64_t offset, const std::string& data) {
    return call(118, Msg().u32(fid).u64(offset).u32(uint32_t(data.size())).raw(data)).errno_value();
  }
  // Getattr: mode, uid, gid (0 on error).
  struct Attr {
    uint32_t err = 0, mode = 0, uid = 0, gid = 0;
    uint8_t qid_type = 0;
    uint64_t size = 0;
  };
  Attr getattr(uint32_t fid) {
    Reply r = call(24, Msg().u32(fid).u64(0x7ff));
    Attr a;
    a.err = r.errno_value();
    if (a.err) return a;
    r.get(8);
    a.qid_type = uint8_t(r.get(1));
    r.skip(12);
    a.mode = uint32_t(r.get(4));
    a.uid = uint32_t(r.get(4));
    a.gid = uint32_t(r.get(4));
    r.get(8);
    r.get(8);
    a.size = r.get(8);
    return a;
  }
  uint16_t next_tag() const { return tag_; }

 private:
  mimic::hw::fs::P9Server& server_;
  uint16_t tag_ = 1;
};

}  // namespace p9test
