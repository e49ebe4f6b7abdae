// Look-ahead liveness of NZCV at a block's exits: when every path from a successor overwrites all
// four flags before anything reads them, the block need not store its own flags.
#pragma once

#include <cstdint>

#include "tcg/exec/guest_memory.h"

namespace mimic::arm {

// Guest code as the translator sees it, limited to one 4 KiB page: a block is invalidated with
// its page, so facts learned from code on that page can never outlive the code itself.
struct PageCode {
  const uint8_t* guest_base = nullptr;
  const tcg::CodeFetcher* fetcher = nullptr;  // null: all code is fetchable
  uint64_t page = 0;                          // the page's first address
  bool read(uint64_t pc, uint32_t& insn) const;
  // Whether all of the page can be fetched, asked once (a look-ahead reads a few words of it at
  // each block exit): 0 not asked yet, 1 yes, 2 no (then each read asks for its own word).
  mutable uint8_t whole_page = 0;
};

// True when, on every path from `pc` within the page and a short distance, all of NZCV is
// written before any of it is read. False when unsure (indirect branches, system instructions,
// leaving the page, long paths).
bool nzcv_dead_at(const PageCode& code, uint64_t pc);

}  // namespace mimic::arm
