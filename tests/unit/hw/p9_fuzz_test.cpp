// The 9P server under AddressSanitizer and UBSan, fed random and mutated messages: every reply is
// a well-formed R-message or Rlerror that fits the room given, and nothing outside the shared
// folder is read, changed or made.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "hw/fs/p9_server.h"
#include "tests/unit/hw/p9_client.h"

using namespace mimic::hw::fs;
using p9test::Msg;

namespace {
// Requests a guest could send, as seeds to mutate (fids 0-3, names in the folder and out of it).
std::vector<std::vector<uint8_t>> seeds() {
  std::vector<Msg> bodies = {
      Msg().u8(100).u32(65536).str("9P2000.L"),
      Msg().u8(104).u32(0).u32(~0u).str("u").str("").u32(0),
      Msg().u8(110).u32(0).u32(1).u16(1).str("f"),
      Msg().u8(110).u32(0).u32(2).u16(2).str("..").str("link"),
      Msg().u8(110).u32(0).u32(3).u16(1).str("d"),
      Msg().u8(12).u32(1).u32(2),
      Msg().u8(12).u32(3).u32(0),
      Msg().u8(14).u32(3).str("new").u32(0102).u32(0644).u32(0),
      Msg().u8(16).u32(3).str("sl").str("/etc/passwd").u32(0),
      Msg().u8(18).u32(3).str("nod").u32(010644).u32(0).u32(0).u32(0),
      Msg().u8(20).u32(1).u32(3).str("renamed"),
      Msg().u8(22).u32(2),
      Msg().u8(24).u32(1).u64(0x7ff),
      Msg().u8(26).u32(1).u32(0x1ff).u32(0777).u32(5).u32(5).u64(3).u64(1).u64(1).u64(1).u64(1),
      Msg().u8(30).u32(1).u32(4).str(""),
      Msg().u8(32).u32(1).str("user.x").u64(3).u32(0),
      Msg().u8(40).u32(3).u64(0).u32(4096),
      Msg().u8(50).u32(1).u32(1),
      Msg().u8(52).u32(1).u8(1).u32(0).u64(0).u64(0).u32(1).str("c"),
      Msg().u8(54).u32(1).u8(1).u64(0).u64(0).u32(1).str("c"),
      Msg().u8(70).u32(3).u32(1).str("hard"),
      Msg().u8(72).u32(0).str("d2").u32(0755).u32(0),
      Msg().u8(74).u32(0).str("f").u32(3).str("g"),
      Msg().u8(76).u32(3).str("g").u32(0),
      Msg().u8(108).u16(3),
      Msg().u8(116).u32(1).u64(0).u32(100),
      Msg().u8(118).u32(1).u64(0).u32(3).raw("abc"),
      Msg().u8(120).u32(1),
      Msg().u8(122).u32(2),
      Msg().u8(8).u32(0),
  };
  std::vector<std::vector<uint8_t>> out;
  for (Msg& b : bodies) {
    Msg m;
    m.u32(uint32_t(6 + b.b.size())).u8(b.b[0]).u16(1);
    m.b.insert(m.b.end(), b.b.begin() + 1, b.b.end());
    out.push_back(m.b);
  }
  return out;
}

TEST(P9Fuzz, RandomAndMutatedMessages) {
  char tmpl[] = "/tmp/mimic-p9fuzz-XXXXXX";
  std::string root = mkdtemp(tmpl);
  std::filesystem::create_directories(root + "/share/d");
  std::filesystem::create_directories(root + "/outside");
  std::ofstream(root + "/share/f") << "file";
  std::ofstream(root + "/outside/secret") << "SECRET";
  std::filesystem::create_symlink(root + "/outside", root + "/share/link");
  std::mt19937_64 rng(12345);
  std::vector<std::vector<uint8_t>> seed = seeds();
  for (SecurityModel model : {SecurityModel::kNone, SecurityModel::kMappedXattr, SecurityModel::kMappedFile}) {
    P9Server server(P9Options{root + "/share", model, false});
    std::string error;
    ASSERT_TRUE(server.open(error)) << error;
    std::vector<uint8_t> reply;
    for (int i = 0; i < 20000; i++) {
      std::vector<uint8_t> m;
      if (i % 50 == 0) server.reset();
      if (i % 10 == 0) {
        m.resize(rng() % 64);  // noise
        for (auto& b : m) b = uint8_t(rng());
      } else {
        m = seed[rng() % seed.size()];
        int flips = int(rng() % 4);
        for (int k = 0; k < flips && !m.empty(); k++) m[rng() % m.size()] ^= uint8_t(1u << (rng() % 8));
        if (rng() % 8 == 0) m.resize(rng() % (m.size() + 1));
        if (rng() % 4 == 0) {
          // Keep the size field honest sometimes, so the body parsing is what gets exercised.
          uint32_t n = uint32_t(m.size());
          for (int k = 0; k < 4 && k < int(m.size()); k++) m[k] = uint8_t(n >> (8 * k));
        }
      }
      size_t room = 11 + rng() % 9000;
      server.handle(m.data(), m.size(), room, reply);
      ASSERT_GE(reply.size(), 11u - 4u);
      ASSERT_LE(reply.size(), std::max<size_t>(room, 11));
      uint32_t size = uint32_t(reply[0] | reply[1] << 8 | reply[2] << 16 | uint32_t(reply[3]) << 24);
      ASSERT_EQ(size, reply.size());
    }
  }
  // Outside the folder: exactly what was there.
  size_t entries = 0;
  for (auto& e : std::filesystem::directory_iterator(root + "/outside")) entries += e.path().filename() == "secret";
  EXPECT_EQ(entries, 1u);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(root + "/outside"), {}), 1);
  std::ifstream f(root + "/outside/secret");
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(f), {}), "SECRET");
  std::filesystem::remove_all(root);
}
}  // namespace
