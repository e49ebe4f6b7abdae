// TbTable and TbStore: lookups by (pc, flags), removal, growth, host-pc to guest-pc mapping.
#include "tcg/exec/tb_table.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "tcg/exec/tb.h"

namespace mimic::tcg {
namespace {

TEST(TbTable, LookupInsertRemoveAndGrow) {
  TbTable table(16);
  std::vector<std::unique_ptr<TranslationBlock>> tbs;
  for (uint64_t i = 0; i < 5000; ++i) {
    auto tb = std::make_unique<TranslationBlock>();
    tb->pc = 0x10000 + 4 * i;
    tb->flags = uint32_t(i % 3);
    table.insert(tb.get());
    tbs.push_back(std::move(tb));
  }
  EXPECT_EQ(table.size(), 5000u);
  for (auto& tb : tbs) EXPECT_EQ(table.lookup(tb->pc, tb->flags), tb.get());
  EXPECT_EQ(table.lookup(0x10000, 1), nullptr);  // same pc, other flags
  EXPECT_EQ(table.lookup(0x10002, 0), nullptr);
  for (size_t i = 0; i < tbs.size(); i += 2) table.remove(tbs[i].get());
  EXPECT_EQ(table.size(), 2500u);
  for (size_t i = 0; i < tbs.size(); ++i) {
    EXPECT_EQ(table.lookup(tbs[i]->pc, tbs[i]->flags), i % 2 ? tbs[i].get() : nullptr) << i;
  }
  // Churn: tombstones are purged by rebuilding, lookups keep working.
  for (int round = 0; round < 20; ++round) {
    for (size_t i = 0; i < tbs.size(); i += 2) table.insert(tbs[i].get());
    for (size_t i = 0; i < tbs.size(); i += 2) table.remove(tbs[i].get());
  }
  EXPECT_EQ(table.size(), 2500u);
  EXPECT_EQ(table.lookup(tbs[1]->pc, tbs[1]->flags), tbs[1].get());
  table.clear();
  EXPECT_EQ(table.lookup(tbs[1]->pc, tbs[1]->flags), nullptr);
}

// System mode: one pc under several address spaces, told apart by the physical page (and the
// table still finds them after a clear that gave back the grown array).
TEST(TbTable, SamePcOnManyPhysicalPages) {
  TbTable table(16);
  std::vector<std::unique_ptr<TranslationBlock>> tbs;
  for (int round = 0; round < 2; ++round) {
    tbs.clear();
    for (uint64_t i = 0; i < 300; ++i) {
      auto tb = std::make_unique<TranslationBlock>();
      tb->pc = 0x400000 + 0x10 * (i % 3);
      tb->flags = 1;
      tb->phys_page = 0x80000000 + (i << 12);
      table.insert(tb.get());
      tbs.push_back(std::move(tb));
    }
    for (auto& tb : tbs) EXPECT_EQ(table.lookup(tb->pc, 1, tb->phys_page), tb.get());
    EXPECT_EQ(table.lookup(0x400000, 1, 0x80000000 + (1u << 12)), nullptr);  // that page holds pc 0x400010
    EXPECT_EQ(table.lookup(0x400000, 0, 0x80000000), nullptr);
    table.remove(tbs[0].get());
    EXPECT_EQ(table.lookup(0x400000, 1, 0x80000000), nullptr);
    EXPECT_EQ(table.lookup(0x400000, 1, 0x80000000 + (3u << 12)), tbs[3].get());
    table.clear();
    EXPECT_EQ(table.size(), 0u);
    EXPECT_EQ(table.lookup(0x400000, 1, 0x80000000 + (3u << 12)), nullptr);
  }
}

TEST(TbStore, FindsTheBlockAndInstructionOfAHostPc) {
  TbStore store(16, 64);
  uintptr_t code = 0x700000;
  std::vector<TranslationBlock*> tbs;
  for (int i = 0; i < 3; ++i) {
    TranslationBlock* tb = store.prepare();
    ASSERT_NE(tb, nullptr);
    tb->pc = 0x1000 + 0x100 * uint64_t(i);
    tb->code = code;
    tb->code_size = 64;
    // Three guest instructions of 4 bytes at host offsets 10, 20, 40.
    std::vector<PcMapEntry> map = {{10, tb->pc}, {20, tb->pc + 4}, {40, tb->pc + 8}};
    ASSERT_TRUE(store.commit(tb, map));
    tbs.push_back(tb);
    code += 80;  // a gap between blocks
  }
  EXPECT_EQ(store.count(), 3u);
  EXPECT_EQ(store.find_by_host_pc(0x700000 + 80 + 25), tbs[1]);
  EXPECT_EQ(store.find_by_host_pc(0x700000 + 70), nullptr);  // in the gap
  EXPECT_EQ(store.find_by_host_pc(0x6fffff), nullptr);
  EXPECT_EQ(tbs[1]->guest_pc_at(tbs[1]->code + 25), 0x1104u);
  EXPECT_EQ(tbs[1]->guest_pc_at(tbs[1]->code + 20), 0x1104u);
  EXPECT_EQ(tbs[1]->guest_pc_at(tbs[1]->code + 63), 0x1108u);
  EXPECT_EQ(tbs[1]->guest_pc_at(tbs[1]->code + 2), 0x1100u);  // prologue: the block's start
  store.reset();
  EXPECT_EQ(store.count(), 0u);
  EXPECT_EQ(store.find_by_host_pc(0x700000 + 25), nullptr);
}

TEST(TbStore, ReportsFullArenas) {
  TbStore store(2, 4);
  TranslationBlock* a = store.prepare();
  ASSERT_TRUE(store.commit(a, {{0, 0}, {4, 4}}));
  TranslationBlock* b = store.prepare();
  ASSERT_NE(b, nullptr);
  EXPECT_FALSE(store.commit(b, {{0, 0}, {4, 4}, {8, 8}}));  // pc-map arena full
  ASSERT_TRUE(store.commit(b, {{0, 0}}));
  EXPECT_EQ(store.prepare(), nullptr);  // TB arena full
}

}  // namespace
}  // namespace mimic::tcg
