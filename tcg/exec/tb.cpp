// TbStore: the TB and pc-map arenas, and host-pc to guest-pc mapping.
#include "tcg/exec/tb.h"

#include <sys/mman.h>

#include <cerrno>
#include <cstring>
#include <new>
#include <system_error>

namespace mimic::tcg {

namespace {
void* map_lazy(size_t bytes) {
  // MAP_NORESERVE: pages are committed on first touch, so a generous maximum costs nothing.
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "code cache: TB arena mmap");
  return p;
}
}  // namespace

uint64_t TranslationBlock::guest_pc_at(uintptr_t host_pc) const {
  uint32_t off = uint32_t(host_pc - code);
  // Last entry whose host offset is <= off (entries are sorted by host offset).
  size_t lo = 0, hi = pc_map_count;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (pc_map[mid].host_offset <= off)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo == 0) return pc;  // before the first instruction: the block's own start
  return pc + pc_map[lo - 1].guest_offset;
}

TbStore::TbStore(size_t max_tbs, size_t max_pc_map_entries)
    : max_tbs_(max_tbs ? max_tbs : 1), max_pc_map_(max_pc_map_entries ? max_pc_map_entries : 1) {
  tbs_ = static_cast<TranslationBlock*>(map_lazy(max_tbs_ * sizeof(TranslationBlock)));
  pc_map_ = static_cast<CompactPcMapEntry*>(map_lazy(max_pc_map_ * sizeof(CompactPcMapEntry)));
  // Fault-state records take a few bytes per memory op: as many bytes as pc-map entries' bytes.
  max_state_maps_ = max_pc_map_ * sizeof(CompactPcMapEntry);
  state_maps_ = static_cast<uint8_t*>(map_lazy(max_state_maps_));
}

TbStore::~TbStore() {
  reset();
  munmap(tbs_, max_tbs_ * sizeof(TranslationBlock));
  munmap(pc_map_, max_pc_map_ * sizeof(CompactPcMapEntry));
  munmap(state_maps_, max_state_maps_);
}

TranslationBlock* TbStore::prepare() {
  size_t n = count_.load(std::memory_order_relaxed);
  if (n >= max_tbs_) return nullptr;
  TranslationBlock* tb = &tbs_[n];
  tbs_prefault_.cover(reinterpret_cast<uint8_t*>(tbs_), (n + 1) * sizeof(TranslationBlock),
                      max_tbs_ * sizeof(TranslationBlock));
  // The slot may hold a TB of an earlier generation (after a flush): construct afresh.
  return new (tb) TranslationBlock();
}

bool TbStore::commit(TranslationBlock* tb, const std::vector<PcMapEntry>& pc_map, const uint8_t* state_map,
                     size_t state_map_size) {
  if (pc_map_used_ + pc_map.size() > max_pc_map_) return false;
  if (state_maps_used_ + state_map_size > max_state_maps_) return false;
  pc_map_prefault_.cover(reinterpret_cast<uint8_t*>(pc_map_),
                         (pc_map_used_ + pc_map.size()) * sizeof(CompactPcMapEntry),
                         max_pc_map_ * sizeof(CompactPcMapEntry));
  if (state_map_size) {
    state_maps_prefault_.cover(state_maps_, state_maps_used_ + state_map_size, max_state_maps_);
    std::memcpy(state_maps_ + state_maps_used_, state_map, state_map_size);
    tb->state_map = state_maps_ + state_maps_used_;
    tb->state_map_size = uint32_t(state_map_size);
    state_maps_used_ += state_map_size;
  }
  CompactPcMapEntry* out = pc_map_ + pc_map_used_;
  for (size_t i = 0; i < pc_map.size(); ++i) {
    out[i] = CompactPcMapEntry{pc_map[i].host_offset, uint32_t(pc_map[i].guest_pc - tb->pc)};
  }
  pc_map_used_ += pc_map.size();
  tb->pc_map = out;
  tb->pc_map_count = uint32_t(pc_map.size());
  // Release: a reader that sees the new count sees the whole TB.
  count_.store(size_t(tb - tbs_) + 1, std::memory_order_release);
  return true;
}

void TbStore::reset() {
  size_t n = count_.load(std::memory_order_relaxed);
  for (size_t i = 0; i < n; ++i) tbs_[i].~TranslationBlock();
  count_.store(0, std::memory_order_release);
  pc_map_used_ = 0;
  state_maps_used_ = 0;
}

TranslationBlock* TbStore::find_by_host_pc(uintptr_t host_pc) const {
  size_t n = count_.load(std::memory_order_acquire);
  size_t lo = 0, hi = n;
  while (lo < hi) {  // first TB whose code starts above host_pc
    size_t mid = (lo + hi) / 2;
    if (tbs_[mid].code <= host_pc)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo == 0) return nullptr;
  TranslationBlock* tb = &tbs_[lo - 1];
  return tb->contains_host(host_pc) ? tb : nullptr;
}

}  // namespace mimic::tcg
