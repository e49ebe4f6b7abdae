// The system-mode road for guest memory: a per-vCPU soft TLB, its fill hook into the target's
// page-table walk, and the slow path (misses, MMIO, page-crossing accesses, code-page writes).
//
// Generated code probes the TLB inline (tcg/x86_64/emit_mem.cpp); everything it cannot finish
// in a few host instructions goes through SoftMmu, out of line. linux-user never uses this file:
// its guest memory stays [guest_base + addr].
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "tcg/exec/cpu_base.h"
#include "tcg/exec/guest_memory.h"

namespace mimic::tcg {

constexpr unsigned kPageBits = 12;
constexpr uint64_t kPageSize = uint64_t(1) << kPageBits;
constexpr uint64_t kPageMask = ~(kPageSize - 1);

// One TLB entry: the page's virtual address in each access field when that access may take the
// fast path, or the page address with a flag bit (below) when it must go slow. `addend` turns a
// virtual address of the page into the host address of its RAM.
struct TlbEntry {
  uint64_t addr_read = kTlbEmpty;
  uint64_t addr_write = kTlbEmpty;
  uint64_t addr_code = kTlbEmpty;
  uintptr_t addend = 0;
  static constexpr uint64_t kTlbEmpty = ~uint64_t(0);
};
static_assert(sizeof(TlbEntry) == 32, "the JIT fast path indexes the TLB with a shift by 5");

// Flag bits in the page-offset bits of a TLB address field: any one set makes the inline compare
// (which keeps only page bits) miss, so the access takes the slow path.
namespace TlbFlag {
enum : uint64_t {
  kInvalid = 1u << 11,  // no access of this kind allowed (permission): the slow path refills/faults
  kMmio = 1u << 10,     // not RAM: dispatched to the physical memory's io callbacks
  kNotDirty = 1u << 9,  // RAM page holding translated code: writes drop its blocks first
  kWatch = 1u << 8,     // a debugger watchpoint covers part of the page: accesses are checked
  kMask = kInvalid | kMmio | kNotDirty | kWatch,
};
}

constexpr unsigned kTlbBits = 8;
constexpr unsigned kTlbSize = 1u << kTlbBits;
constexpr unsigned kMaxMmuModes = 8;  // MMU indices a target may use (MemOp::kMmuShift field)
constexpr unsigned kTlbVictims = 8;   // victim TLB entries a mode (SoftMmu::victim_hit)

// The TLB of one vCPU: kMaxMmuModes tables of kTlbSize entries, direct-mapped by virtual page.
struct SoftTlb {
  TlbEntry table[kMaxMmuModes][kTlbSize];
  static constexpr size_t index(uint64_t vaddr) { return (vaddr >> kPageBits) & (kTlbSize - 1); }
};

enum class Access : uint8_t { Read = 0, Write = 1, Fetch = 2 };

// Page permissions a target's walk grants.
namespace Prot {
enum : uint8_t { kRead = 1, kWrite = 2, kExec = 4 };
}

// What a target's page walk found for one virtual page.
struct TlbFill {
  // In: the bytes the access touches from vaddr (within its page), for checks finer than a page
  // (PMP regions): an access partly inside a region is checked as a whole.
  unsigned size = 1;
  uint64_t phys_page = 0;  // physical address of the 4 KiB page holding the virtual address
  uint8_t prot = 0;        // Prot bits allowed for this mmu index (an entry may be cached for all)
  // The answer holds for this access only (a PMP region edge inside the page): the slow path
  // uses it once and does not cache it, so the next access to the page asks again.
  bool single_use = false;
  // The translation belongs to every address space (RISC-V PTE G, AArch64 nG clear): a flush of
  // one address space's entries (flush_nonglobal) keeps it.
  bool global = false;
  // log2 of the guest mapping's size (a superpage or block: more than kPageBits). The TLB holds
  // its 4 KiB pieces one by one, and a flush of any address inside the mapping (flush_page) must
  // drop them all: the soft-MMU then flushes everything, as QEMU's large-page tracking does.
  unsigned page_bits = kPageBits;
};

// The physical address space as the soft-MMU sees it (implemented by hw::AddressSpace).
class PhysMemory {
 public:
  virtual ~PhysMemory() = default;
  // Host pointer to the RAM page at phys_page (page aligned), or null when the page is not RAM
  // (MMIO, or nothing). `writable` is false for ROM.
  virtual uint8_t* ram_page(uint64_t phys_page, bool* writable) = 0;
  // Device access of 1, 2, 4 or 8 bytes at a physical address that is not RAM. Returns false
  // when nothing is mapped there (the target raises its access fault).
  virtual bool io_read(uint64_t phys, unsigned size, uint64_t* value) = 0;
  virtual bool io_write(uint64_t phys, unsigned size, uint64_t value) = 0;
};

// The target's half (the role of QEMU's TCGCPUOps tlb_fill and do_*_fault).
class MmuTarget {
 public:
  virtual ~MmuTarget() = default;
  // Translates `vaddr` for `access` in MMU mode `mmu_idx` (page walk, PMP/PMA checks, A/D
  // updates). On success fills `out` and returns true. On failure returns false; unless `probe`
  // is set, it has recorded the guest exception in the CPU state first (cause, tval), so that
  // the caller can leave with kExitMemFault and the target's cpu loop delivers it.
  virtual bool tlb_fill(CpuBase* env, uint64_t vaddr, Access access, unsigned mmu_idx, bool probe, TlbFill* out) = 0;
  // A physical access the memory system refused (nothing mapped, or ROM written): record the
  // guest's access fault for `vaddr` (unless probe) — the same contract as a failed tlb_fill.
  virtual void access_fault(CpuBase* env, uint64_t vaddr, Access access, unsigned mmu_idx) = 0;
};

class SoftMmu;

// A machine's debugger watchpoints (virtual address ranges, as gdb's Z2/Z3/Z4 give them), which
// every vCPU's soft-MMU checks on the slow path. Changed only while every vCPU is stopped (the
// debugger then refills their TLBs: SoftMmu::set_watchpoints), so readers need no lock.
struct Watchpoints {
  enum Type : uint8_t { kWrite = 2, kRead = 3, kAccess = 4 };  // the Z packet numbers
  struct Point {
    uint64_t addr, len;
    Type type;
  };
  std::vector<Point> points;

  bool on_page(uint64_t vpage) const;
  // The first point an access of [vaddr, vaddr + size) hits (a write hits kWrite and kAccess
  // points, a read kRead and kAccess), or null.
  const Point* hit(uint64_t vaddr, unsigned size, bool write) const;
};

// Which bytes of which physical pages hold translated code, for every vCPU of a machine, in
// granules of kCodeGranule bytes (QEMU's per-page code bitmap). The engine marks a page while it
// translates from it (every registered SoftMmu then sends writes to it down the slow path) and
// records the bytes each block came from; a write that reaches those bytes drops the blocks
// overlapping it, through the engine's callback, before it lands. A write to the rest of the page
// (a loop storing beside its own code) drops nothing.
class CodePages {
 public:
  static constexpr unsigned kGranuleBits = 4;
  static constexpr uint64_t kCodeGranule = uint64_t(1) << kGranuleBits;
  static constexpr unsigned kMapWords = unsigned(kPageSize >> kGranuleBits) / 64;
  struct Map {
    uint64_t bits[kMapWords] = {};
    void add(uint64_t offset, uint64_t len);  // bytes [offset, offset + len) of the page
    bool overlaps(uint64_t offset, uint64_t len) const;
    bool empty() const;
  };

  explicit CodePages(std::function<void(uint64_t phys_start, uint64_t phys_end)> invalidate)
      : invalidate_(std::move(invalidate)) {}
  bool is_code(uint64_t phys_page) const;
  // A translation is about to read the page: until add_code, any write to it counts as a write
  // to code (the bytes the block will cover are not known yet).
  void mark(uint64_t phys_page);
  // The translation from `mark` covers [phys, phys + len) of that page.
  void add_code(uint64_t phys, uint64_t len);
  // The exact code of a page after some of its blocks were dropped (empty: no code is left).
  void set_code(uint64_t phys_page, const Map& map);
  // A write of [phys, phys + len) is about to happen (slow path, DMA, loader): whether it
  // reached no page with code, only bytes beside code, or code (whose blocks are dropped).
  enum class Write { kNoCode, kBesideCode, kDroppedCode };
  Write notify_write(uint64_t phys, uint64_t len);
  void add_mmu(SoftMmu* mmu);
  void remove_mmu(SoftMmu* mmu);
  void clear();  // after a full flush: no page holds code

 private:
  struct Page {
    Map map;
    bool translating = false;  // between mark and add_code: the whole page counts as code
  };
  // One bit per physical page below kExactPages (4 GiB: every board's RAM today), set by mark
  // and cleared when the page's last block goes (both under the lock): every TLB fill asks
  // is_code, and for those pages the bit is the whole answer, without the lock. Pages above
  // share high_marked_, set by mark and cleared by clear only; their answer takes the lock.
  static constexpr uint64_t kExactPages = uint64_t(1) << 20;
  std::atomic<uint64_t> hint_[kExactPages / 64] = {};
  std::atomic<bool> high_marked_{false};
  static bool exact(uint64_t phys_page) { return (phys_page >> kPageBits) < kExactPages; }
  bool hint(uint64_t phys_page) const {
    const uint64_t n = phys_page >> kPageBits;
    return hint_[n / 64].load(std::memory_order_relaxed) & (uint64_t(1) << (n % 64));
  }
  bool maybe_code(uint64_t phys_page) const {
    return exact(phys_page) ? hint(phys_page) : high_marked_.load(std::memory_order_relaxed);
  }
  void set_hint_locked(uint64_t phys_page, bool on);
  mutable std::mutex mutex_;
  std::unordered_map<uint64_t, Page> pages_;
  std::vector<SoftMmu*> mmus_;
  std::function<void(uint64_t, uint64_t)> invalidate_;
};

// One vCPU's view: its TLB and the hooks. Owned by the target's system CPU; env->softmmu points
// here and env->tlb at tlb (the JIT pins it while translated code runs).
class SoftMmu {
 public:
  SoftMmu(CpuBase* env, PhysMemory& phys, MmuTarget& target, CodePages& code_pages);

  // Accesses of 1..8 bytes (16 for vectors) at a virtual address: the slow path generated code
  // calls, and the interpreter's and helpers' way in. On a guest fault they set env->pc =
  // guest_pc and leave through cpu_loop_exit(kExitMemFault): call them only inside run().
  uint64_t load(uint64_t vaddr, unsigned size, unsigned mmu_idx, uint64_t guest_pc);
  void store(uint64_t vaddr, unsigned size, uint64_t value, unsigned mmu_idx, uint64_t guest_pc);
  // Host pointer for an atomic access of `size` bytes at an aligned vaddr in RAM (write access),
  // dropping code on the page first; faults as above. MMIO atomics are refused as access faults.
  uint8_t* atomic_ptr(uint64_t vaddr, unsigned size, unsigned mmu_idx, uint64_t guest_pc);

  // Code fetch for the translator: the physical address of vaddr, or false when it cannot be
  // fetched (the translator then emits its fetch-fault exit). Never leaves the loop.
  bool code_phys(uint64_t vaddr, unsigned mmu_idx, uint64_t* phys);
  // Host pointer of the RAM page at phys_page, null when it is not RAM.
  const uint8_t* code_host_page(uint64_t phys_page);

  // Drops every entry (satp/ASID changes, sfence.vma without address) / the entries of one page
  // (and, when the page lies inside a superpage, every piece of that superpage).
  void flush();
  void flush_page(uint64_t vaddr);
  // Drops every entry not filled as global (an ASID's flush: the TLB only ever holds the current
  // address space, so its entries are the non-global ones). Empties the jump cache.
  void flush_nonglobal();
  // Makes writes to a physical page take the slow path (it now holds translated code).
  void protect_code_page(uint64_t phys_page);

  // Debugger watchpoints (null: none): entries of pages they touch take the slow path, which
  // stops before a watched access (env->pc = its instruction, kExitDebug, watch_hit() set).
  // The debugger then runs that one instruction with suppress_watchpoints(true) and reports the
  // hit after it, as QEMU does. Call with the vCPU outside run(); empties the TLB.
  void set_watchpoints(const Watchpoints* w);
  struct WatchHit {
    uint64_t addr = 0;  // the watched address (the point's start) that was hit
    Watchpoints::Type type = Watchpoints::kWrite;
    uint64_t access = 0;  // the first watched byte the access touched (a guest's FAR: QEMU's hitaddr)
  };
  // The hit that made the last kExitDebug, cleared by reading it.
  std::optional<WatchHit> take_watch_hit() { return std::exchange(watch_hit_, std::nullopt); }
  void suppress_watchpoints(bool on) { watch_suppressed_ = on; }

  SoftTlb& tlb() { return *tlb_; }
  // `info tlb`: every live entry (the table's, then the victims'), one line each: the MMU index
  // (named by mode_names[index] when given), virtual page -> physical page, r/w/x, io.
  std::string dump(std::span<const char* const> mode_names = {}) const;
  // Whether flush_page(vaddr) scans the TLB for superpage pieces: vaddr lies in a range of the
  // superpages filled since the last full flush.
  bool flush_scans_superpages(uint64_t vaddr) const;
  PhysMemory& phys() { return phys_; }

 private:
  TlbEntry& fill(uint64_t vaddr, Access access, unsigned mmu_idx, uint64_t guest_pc, unsigned size);
  TlbEntry& install(uint64_t vaddr, unsigned mmu_idx, const TlbFill& f);
  // The victim TLB (QEMU's): kVictims entries a mode holding what fills displaced from the
  // direct-mapped table, searched before a page walk. Linux's working set aliases in 256
  // entries (1 MiB apart): an arm64 boot made 1.04 M fills, two thirds of them pages a fill had
  // displaced a moment before. Victim entries are entry indices from kEntries on (entry(i)):
  // every flush, the superpage and code-page scans cover them like the table's own.
  TlbEntry victims_[kMaxMmuModes][kTlbVictims];
  unsigned next_victim_[kMaxMmuModes] = {};
  const TlbEntry& entry(size_t i) const;
  TlbEntry& entry(size_t i) { return const_cast<TlbEntry&>(std::as_const(*this).entry(i)); }
  // Moves a matching victim of `access` into the table (the table's entry takes its place);
  // false when none matches.
  bool victim_hit(uint64_t vaddr, Access access, unsigned mmu_idx);
  // Stores `e` (physical page phys) into entry i the way generated code and other threads may
  // watch it change: tags emptied first, then addend, then tags; then the code-page re-check.
  void publish(size_t i, const TlbEntry& e, uint64_t phys);
  uint64_t load_page(uint64_t vaddr, unsigned size, unsigned mmu_idx, uint64_t guest_pc);
  void store_page(uint64_t vaddr, unsigned size, uint64_t value, unsigned mmu_idx, uint64_t guest_pc);
  [[noreturn]] void fault(uint64_t guest_pc);
  // Leaves for the debugger when [vaddr, vaddr + size) hits a watchpoint.
  void check_watch(uint64_t vaddr, unsigned size, bool write, uint64_t guest_pc);

  CpuBase* env_;
  PhysMemory& phys_;
  MmuTarget& target_;
  CodePages& code_pages_;
  std::unique_ptr<SoftTlb> tlb_;
  // Per TLB entry: the physical page it maps (MMIO dispatch, code-page protection).
  std::unique_ptr<uint64_t[]> phys_page_;
  std::unique_ptr<bool[]> global_;        // per TLB entry: TlbFill::global
  std::unique_ptr<uint8_t[]> page_bits_;  // per TLB entry: TlbFill::page_bits
  // The entries filled since the last full flush (indices into the tables, each once), so that
  // a flush clears those alone: Linux with KPTI switches ASIDs at every kernel entry and exit,
  // and an untagged TLB is flushed each time with a few dozen entries in use out of 2048.
  // Past kMaxFilled, flushes clear every entry.
  static constexpr size_t kMaxFilled = 512;
  std::vector<uint16_t> filled_;
  std::unique_ptr<bool[]> in_filled_;
  bool filled_overflow_ = false;
  void note_filled(size_t i);  // table entry i (not a victim) was filled
  void clear_entry(size_t i);
  // A flush_page inside a superpage (a guest mapping larger than 4 KiB) must drop all of its
  // pieces, which may sit anywhere in the TLB. QEMU widens one range over every superpage and
  // flushes everything for a page inside it; with Linux, one range over its linear map, vmemmap
  // and image also covers the fixmap between them, whose page flushes (two for every text patch
  // at boot) then emptied the TLB 40000 times a boot. Here each entry keeps its mapping's size,
  // and a flush inside a superpage drops the pieces of that mapping alone. The ranges below
  // (naturally aligned, merged when more than kMaxLarge) only tell which flushes need that scan.
  // flush_nonglobal keeps them: global superpages stay.
  struct LargeRange {
    uint64_t addr, mask;
    bool holds(uint64_t vaddr) const { return (vaddr & mask) == addr; }
  };
  static constexpr unsigned kMaxLarge = 8;
  LargeRange large_[kMaxLarge] = {};
  unsigned n_large_ = 0;
  void record_large_page(uint64_t vaddr, unsigned page_bits);
  void drop_superpage_pieces(uint64_t vaddr);
  std::function<void(uint64_t)> on_flush_;
  // Virtual pages code was fetched from since the last full flush: only a flush_page of one of
  // these can leave stale entries in the engine's jump cache (Linux flushes single data pages
  // all the time).
  std::unordered_set<uint64_t> code_vpages_;
  const Watchpoints* watchpoints_ = nullptr;
  std::optional<WatchHit> watch_hit_;
  bool watch_suppressed_ = false;

 public:
  // Called after flush() with kFlushAll and after flush_page() of a page code came from, with
  // that page: the engine empties (that page's part of) the vCPU's jump cache, which is keyed by
  // virtual pc and valid only while the TLB's mappings are.
  static constexpr uint64_t kFlushAll = ~uint64_t(0);
  void set_flush_hook(std::function<void(uint64_t vpage)> hook) { on_flush_ = std::move(hook); }
};

// System mode's code fetch: through the fetching CPU's soft-MMU, page by page.
class SoftMmuCodeFetcher final : public CodeFetcher {
 public:
  explicit SoftMmuCodeFetcher(unsigned (*mmu_index)(uint32_t tb_flags)) : mmu_index_(mmu_index) {}
  bool can_fetch(uint64_t, unsigned) const override { return false; }  // needs the CPU: use fetch()
  bool fetch(const CpuBase& env, uint64_t addr, void* buf, unsigned len) const override;

 private:
  unsigned (*mmu_index_)(uint32_t);
};

// Entry points of generated code's slow path (emit_mem.cpp) and of the interpreter: the access
// is described in env->mem_args (see SlowOp) and the result returned in mem_args[0] (and [1]
// for the upper half of a 16-byte load).
enum class SlowOp : uint8_t { Load, Store, Cas, Rmw };
// mem_args[4]: (SlowOp << 32) | (RmwOp << 24) | MemOp; [0] address, [1]/[2] values, [3] guest pc.
constexpr uint64_t slow_desc(SlowOp op, uint32_t memop, uint32_t rmw = 0) {
  return (uint64_t(op) << 32) | (uint64_t(rmw) << 24) | (memop & 0xffffff);
}

}  // namespace mimic::tcg

// Weak where it is referenced outside tcg/exec (the interpreter): only system mode, which links
// this file, ever calls it.
extern "C" void mimic_softmmu_slow(mimic::tcg::CpuBase* env);
