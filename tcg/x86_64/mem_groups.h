// Soft-MMU access groups: the loads (or stores) of one block through one base value whose bytes
// span less than a page share one TLB probe (QEMU probes each access alone).
#pragma once

#include <cstdint>
#include <vector>

#include "tcg/ir/ir.h"

namespace mimic::tcg::x86_64 {

class RegAlloc;

// The number of groups open at once (each holds one CpuBase::page_addend slot).
constexpr unsigned kMemGroupSlots = 4;

// What an instruction is to its group. The leader (the group's first access, which dominates
// the others: a group never spans a label, branch, exit or call) probes the page of
// base + lo for the TLB index and compares the page of base + hi (hi - lo < 4 KiB: the two
// pages are one or adjacent, and adjacent pages never share an index), so a hit proves every
// member's bytes lie in that page; it leaves the addend in page_addend[slot] for the members
// (0 on a miss: then each member probes alone, out of line).
struct MemGroupRole {
  enum Kind : uint8_t { kNone, kLeader, kMember } kind = kNone;
  uint8_t slot = 0;
  int32_t lo = 0, hi = 0;  // leader: the group's byte range as displacements from the base
};

// Roles by instruction index (plain Load/Store with a register address in system mode).
void find_mem_groups(const Block& block, const RegAlloc& ra, std::vector<MemGroupRole>& roles);

}  // namespace mimic::tcg::x86_64
