// Initial stack tests: argv/envp/auxv layout, string contents and 16-byte alignment.
#include "linux-user/stack.h"

#include <gtest/gtest.h>

#include <cstring>
#include <map>

namespace mimic::linux_user {
namespace {

struct View {
  uint64_t top;
  const StackImage& img;
  uint64_t word(uint64_t addr) const {
    uint64_t v;
    memcpy(&v, img.bytes.data() + (addr - img.sp), 8);
    return v;
  }
  std::string str(uint64_t addr) const {
    return std::string(reinterpret_cast<const char*>(img.bytes.data() + (addr - img.sp)));
  }
};

TEST(Stack, Layout) {
  InitialStack in;
  in.argv = {"prog", "a", "longer argument"};
  in.envp = {"A=1", "PATH=/bin"};
  in.execfn = "./prog";
  in.platform = "riscv64";
  for (int i = 0; i < 16; i++) in.random[i] = uint8_t(i + 1);
  in.auxv = {{kAtPagesz, 4096}, {kAtEntry, 0x10078}};
  const uint64_t top = 0x4000000000;
  StackImage img;
  ASSERT_TRUE(build_initial_stack(top, in, 1 << 20, img));
  View v{top, img};
  EXPECT_EQ(img.sp % 16, 0u);
  EXPECT_EQ(img.sp + img.bytes.size(), top);
  EXPECT_EQ(v.word(img.sp), 3u);
  EXPECT_EQ(img.argv, img.sp + 8);
  for (size_t i = 0; i < 3; i++) EXPECT_EQ(v.str(v.word(img.argv + 8 * i)), in.argv[i]);
  EXPECT_EQ(v.word(img.argv + 24), 0u);
  EXPECT_EQ(img.envp, img.argv + 32);
  EXPECT_EQ(v.str(v.word(img.envp)), "A=1");
  EXPECT_EQ(v.str(v.word(img.envp + 8)), "PATH=/bin");
  EXPECT_EQ(v.word(img.envp + 16), 0u);
  EXPECT_EQ(img.auxv, img.envp + 24);
  // auxv: the given pairs, then AT_PLATFORM, AT_RANDOM, AT_EXECFN, AT_NULL.
  std::map<uint64_t, uint64_t> aux;
  uint64_t p = img.auxv;
  for (;; p += 16) {
    uint64_t k = v.word(p);
    aux[k] = v.word(p + 8);
    if (k == kAtNull) break;
  }
  EXPECT_EQ(aux[kAtPagesz], 4096u);
  EXPECT_EQ(aux[kAtEntry], 0x10078u);
  EXPECT_EQ(v.str(aux[kAtPlatform]), "riscv64");
  EXPECT_EQ(v.str(aux[kAtExecfn]), "./prog");
  EXPECT_EQ(memcmp(img.bytes.data() + (aux[kAtRandom] - img.sp), in.random, 16), 0);
  EXPECT_EQ(img.final_auxv.back().first, uint64_t(kAtNull));
  // The strings sit above the vectors, below the top 8-byte end marker.
  EXPECT_GT(v.word(img.argv), p);
  EXPECT_EQ(v.word(top - 8), 0u);
}

TEST(Stack, AlignmentForEveryArgumentCount) {
  for (int n = 0; n < 6; n++) {
    InitialStack in;
    for (int i = 0; i < n; i++) in.argv.push_back(std::string(size_t(i + 1), 'x'));
    in.execfn = "p";
    StackImage img;
    ASSERT_TRUE(build_initial_stack(0x7fff0000, in, 1 << 20, img));
    EXPECT_EQ(img.sp % 16, 0u) << n;
  }
}

TEST(Stack, TooBigIsAnError) {
  InitialStack in;
  in.argv = {std::string(5000, 'a')};
  in.execfn = "p";
  StackImage img;
  EXPECT_FALSE(build_initial_stack(0x7fff0000, in, 4096, img));
}

}  // namespace
}  // namespace mimic::linux_user
