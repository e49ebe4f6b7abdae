// Compiler-generated guest code: guest_funcs.c cross-compiled for ARMv8.0 (LDXR/STXR atomics) and
// ARMv8.1 (LSE) by gen_guest_funcs.py, run through every engine, checked against the same C
// compiled natively into this test (the oracle).
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "guest_funcs.c"
#include "harness.h"

namespace mimic::arm::test {
namespace {

struct GuestSym {
  const char* name;
  uint64_t addr;
};
#include "guest_funcs.inc"

constexpr uint64_t kImageBase = 0x1000;
constexpr uint64_t kStack = 0xf000;

struct Image {
  const uint32_t* words;
  size_t count;
  const GuestSym* syms;
  size_t num_syms;
  uint64_t addr(const char* name) const {
    for (size_t i = 0; i < num_syms; ++i)
      if (std::strcmp(syms[i].name, name) == 0) return syms[i].addr;
    ADD_FAILURE() << "no symbol " << name;
    return 0;
  }
  uint64_t stub() const { return kImageBase + ((count * 4 + 15) & ~size_t(15)); }
};

const Image kImages[] = {
    {kImage_v80, std::size(kImage_v80), kSyms_v80, std::size(kSyms_v80)},
    {kImage_v81, std::size(kImage_v81), kSyms_v81, std::size(kSyms_v81)},
};

// Calls fn(args) in the guest; `mem` is copied into guest memory at kData first and compared
// with `want_mem` afterwards. Returns nothing: checks x0 against `want`.
void call(const Image& img, const char* fn, std::initializer_list<uint64_t> args, uint64_t want,
          const std::vector<uint8_t>& mem = {}, const std::vector<uint8_t>& want_mem = {}) {
  SCOPED_TRACE(fn);
  uint32_t reason = run_all(
      [&](Machine& m) {
        std::memcpy(&m.mem[kImageBase], img.words, img.count * 4);
        m.code_start = kImageBase;
        m.code_end = kImageBase + img.count * 4;
        m.code({0xd4000001}, img.stub());  // svc #0: the return address
        if (!mem.empty()) std::memcpy(&m.mem[kData], mem.data(), mem.size());
        int r = 0;
        for (uint64_t a : args) m.cpu->x[r++] = a;
        m.cpu->x[30] = img.stub();
        m.cpu->sp = kStack;
        m.cpu->pc = img.addr(fn);
      },
      [&](Machine& m) {
        EXPECT_EQ(m.cpu->pc, img.stub());
        EXPECT_EQ(m.cpu->x[0], want);
        EXPECT_EQ(m.cpu->sp, kStack);
        for (size_t i = 0; i < want_mem.size(); ++i)
          if (m.mem[kData + i] != want_mem[i]) {
            ADD_FAILURE() << "guest memory differs at kData+" << i;
            break;
          }
      });
  EXPECT_EQ(reason, kExitSvc);
}

template <class T>
std::vector<uint8_t> bytes(const T* p, size_t n) {
  std::vector<uint8_t> v(n * sizeof(T));
  std::memcpy(v.data(), p, v.size());
  return v;
}

class A64Guest : public ::testing::TestWithParam<int> {};

TEST_P(A64Guest, Arithmetic) {
  const Image& img = kImages[GetParam()];
  call(img, "gf_fib", {90}, gf_fib(90));
  for (uint64_t a : {0ull, 1ull, 0xffffffffffffffffull, 0x8000000000000000ull, 0x123456789abcdefull})
    for (uint64_t b : {3ull, 0xffffffffffffffffull, 0x7fffffffffffffffull, 0xfedcba9876543210ull}) {
      call(img, "gf_mulhi", {a, b}, gf_mulhi(a, b));
      call(img, "gf_divmod", {a, b}, gf_divmod(a, b));
    }
  for (uint64_t x : {0ull, 1ull, 0x8000000000000000ull, 0xdeadbeefcafef00dull}) call(img, "gf_bits", {x}, gf_bits(x));
  call(img, "gf_switch", {300}, gf_switch(300));
  call(img, "gf_indirect", {12345, 200}, gf_indirect(12345, 200));
}

TEST_P(A64Guest, Memory) {
  const Image& img = kImages[GetParam()];
  {  // insertion sort of signed values
    std::vector<int64_t> v(40);
    uint64_t s = 7;
    for (auto& x : v) x = int64_t(s = s * 6364136223846793005ull + 1442695040888963407ull);
    std::vector<uint8_t> before = bytes(v.data(), v.size());
    uint64_t want = gf_sort(v.data(), v.size());
    call(img, "gf_sort", {kData, v.size()}, want, before, bytes(v.data(), v.size()));
  }
  {  // byte copy, fill and hash: dst = kData + 0x400, src = kData
    std::vector<uint8_t> buf(0x600);
    for (size_t i = 0; i < buf.size(); ++i) buf[i] = uint8_t(i * 37 + 5);
    std::vector<uint8_t> before = buf;
    uint64_t want = gf_copy(buf.data() + 0x400, buf.data(), 200);
    call(img, "gf_copy", {kData + 0x400, kData, 200}, want, before, buf);
  }
  {  // struct copies through q registers: dst = kData + 0x800, src = kData
    std::vector<Blob> buf(0x800 / sizeof(Blob) + 8);
    for (size_t i = 0; i < buf.size(); ++i)
      for (int k = 0; k < 6; ++k) buf[i].w[k] = i * 1000 + k * 0x0101010101010101ull;
    std::vector<uint8_t> before = bytes(buf.data(), buf.size());
    Blob* base = buf.data();
    uint64_t want = gf_struct(reinterpret_cast<Blob*>(reinterpret_cast<uint8_t*>(base) + 0x800), base, 5);
    call(img, "gf_struct", {kData + 0x800, kData, 5}, want, before, bytes(buf.data(), buf.size()));
  }
  {  // atomics (single thread: checks the values, not the concurrency)
    uint64_t cells[5] = {1, 2, 3, 0xffffffff00000004, 5};
    std::vector<uint8_t> before = bytes(cells, 5);
    uint64_t want = gf_atomics(cells, 100);
    call(img, "gf_atomics", {kData, 100}, want, before, bytes(cells, 5));
  }
}

INSTANTIATE_TEST_SUITE_P(Images, A64Guest, ::testing::Values(0, 1),
                         [](const ::testing::TestParamInfo<int>& i) { return i.param ? "ARMv81Lse" : "ARMv80"; });

}  // namespace
}  // namespace mimic::arm::test
