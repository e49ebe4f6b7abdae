// Physical memory protection: pmpcfg/pmpaddr matching (OFF, TOR, NA4, NAPOT), priority by entry
// number, locking, and the rule that M-mode is checked only against locked entries while S and U
// need a matching entry. PMP is implemented (64 entries), so by the privileged spec an S/U access
// no entry matches fails even when every entry is OFF; QEMU 7.2 agrees in effect (its mret to S/U
// with no PMP rule traps), and firmware such as OpenSBI opens memory to S with an entry first.
#include <algorithm>

#include "target/riscv/mmu.h"

namespace mimic::riscv {

namespace {
constexpr unsigned kEntries = 64;
constexpr uint8_t kR = 1, kW = 2, kX = 4, kA = 3u << 3, kL = 0x80;
enum AddrMode : uint8_t { kOff = 0, kTor = 1, kNa4 = 2, kNapot = 3 };

unsigned mode_of(uint8_t cfg) { return (cfg & kA) >> 3; }

// [lo, hi) of an entry; false when it matches nothing.
bool range_of(const RiscvCpu& c, unsigned i, uint64_t* lo, uint64_t* hi) {
  uint8_t cfg = c.pmpcfg[i];
  uint64_t a = c.pmpaddr[i];
  switch (mode_of(cfg)) {
    case kTor:
      *lo = i == 0 ? 0 : c.pmpaddr[i - 1] << 2;
      *hi = a << 2;
      return *lo < *hi;
    case kNa4:
      *lo = a << 2;
      *hi = *lo + 4;
      return true;
    case kNapot: {
      // Trailing ones of pmpaddr give the size: 2^(ones + 3) bytes.
      unsigned ones = unsigned(__builtin_ctzll(~a));
      uint64_t size = ones >= 61 ? 0 : uint64_t(8) << ones;
      *lo = size ? (a & ~((uint64_t(1) << ones) - 1)) << 2 : 0;
      *hi = size ? *lo + size : ~0ull;
      return true;
    }
    default: return false;
  }
}

uint8_t prot_of(uint8_t cfg) {
  uint8_t p = 0;
  if (cfg & kR) p |= tcg::Prot::kRead;
  if (cfg & kW) p |= tcg::Prot::kWrite;
  if (cfg & kX) p |= tcg::Prot::kExec;
  return p;
}
uint8_t need_of(tcg::Access a) {
  return a == tcg::Access::Read ? tcg::Prot::kRead : a == tcg::Access::Write ? tcg::Prot::kWrite : tcg::Prot::kExec;
}
constexpr uint8_t kAll = tcg::Prot::kRead | tcg::Prot::kWrite | tcg::Prot::kExec;

// What entry `i` allows `priv` once it matches.
uint8_t allowed(const RiscvCpu& c, unsigned i, unsigned priv) {
  uint8_t cfg = c.pmpcfg[i];
  if (priv == kPrivM && !(cfg & kL)) return kAll;
  return prot_of(cfg);
}
uint8_t no_match(unsigned priv) { return priv == kPrivM ? kAll : 0; }
}  // namespace

void pmp_update(RiscvCpu& c) {
  c.pmp_active = 0;
  for (unsigned i = 0; i < kEntries; ++i)
    if (mode_of(c.pmpcfg[i]) != kOff) c.pmp_active |= (c.pmpcfg[i] & kL) ? kPmpActive | kPmpLocked : kPmpActive;
}

bool pmpcfg_locked(const RiscvCpu& c, unsigned entry) { return (c.pmpcfg[entry] & kL) != 0; }
bool pmpaddr_locked(const RiscvCpu& c, unsigned entry) {
  if (c.pmpcfg[entry] & kL) return true;
  // The top of a locked TOR region is its predecessor's address.
  return entry + 1 < kEntries && (c.pmpcfg[entry + 1] & kL) && mode_of(c.pmpcfg[entry + 1]) == kTor;
}

bool pmp_check(const RiscvCpu& c, uint64_t addr, uint64_t size, tcg::Access access, unsigned priv) {
  if (!c.pmp_active) return priv == kPrivM;
  if (priv == kPrivM && !(c.pmp_active & kPmpLocked)) return true;
  uint64_t last = addr + size - 1;
  for (unsigned i = 0; i < kEntries; ++i) {
    uint64_t lo, hi;
    if (!range_of(c, i, &lo, &hi)) continue;
    bool first_in = addr >= lo && addr <= hi - 1, last_in = last >= lo && last <= hi - 1;
    if (!first_in && !last_in) continue;
    // An access only partly inside the highest-priority matching entry fails.
    if (!(first_in && last_in)) return false;
    return (allowed(c, i, priv) & need_of(access)) != 0;
  }
  return (no_match(priv) & need_of(access)) != 0;
}

uint8_t pmp_page_prot(const RiscvCpu& c, uint64_t page, unsigned priv, bool* uniform) {
  *uniform = true;
  if (!c.pmp_active) return no_match(priv);
  // Without a locked entry M may do anything anywhere: firmware's own S/U regions never send
  // its accesses down the slow path, even where their edges split a page.
  if (priv == kPrivM && !(c.pmp_active & kPmpLocked)) return kAll;
  uint64_t end = page + tcg::kPageSize - 1;
  for (unsigned i = 0; i < kEntries; ++i) {
    uint64_t lo, hi;
    if (!range_of(c, i, &lo, &hi)) continue;
    if (end < lo || page > hi - 1) continue;
    if (page >= lo && end <= hi - 1) return allowed(c, i, priv);
    *uniform = false;  // a region edge inside the page: each access decides for itself
    return 0;
  }
  return no_match(priv);
}

}  // namespace mimic::riscv
