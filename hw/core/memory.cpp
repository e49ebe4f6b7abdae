// The physical address space: regions flattened into a sorted view of non-overlapping ranges
// (QEMU's FlatView), RAM/ROM as anonymous mappings, MMIO dispatch under the device lock.
#include "hw/core/memory.h"

#include <fmt/format.h>
#include <sys/mman.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace mimic::hw {

namespace {
// Aliases may point at aliases; a chain this long is a board bug (or a loop).
constexpr int kMaxAliasDepth = 8;

struct FlatRange {
  uint64_t start, end;  // [start, end)
  const MemoryRegion* region;
};
}  // namespace

static void check_range(const std::string& name, uint64_t base, uint64_t size) {
  if (size == 0) throw std::invalid_argument(fmt::format("memory region {}: size 0", name));
  if (base + (size - 1) < base)
    throw std::invalid_argument(fmt::format("memory region {}: wraps around the address space", name));
}

struct AddressSpace::Impl {
  // Regions in the order they were added (a later one wins over an earlier of equal priority,
  // as in QEMU). unique_ptr keeps MemoryRegion addresses stable for the flat view.
  std::vector<std::unique_ptr<MemoryRegion>> regions;
  std::vector<FlatRange> flat;
  std::function<void(uint64_t, uint64_t)> ram_write_hook;

  void add(MemoryRegion r) {
    check_range(r.name, r.base, r.size);
    regions.push_back(std::make_unique<MemoryRegion>(std::move(r)));
    rebuild();
  }

  // Splits the address space at every region boundary and keeps, for each piece, the region
  // that wins there. Done when regions are added (board build time), never on an access.
  void rebuild() {
    std::vector<uint64_t> cuts;
    for (auto& r : regions) {
      cuts.push_back(r->base);
      cuts.push_back(r->base + r->size);  // may be 0 for a region ending at 2^64: handled below
    }
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
    flat.clear();
    for (size_t i = 0; i < cuts.size(); i++) {
      uint64_t start = cuts[i];
      uint64_t end = i + 1 < cuts.size() ? cuts[i + 1] : 0;  // 0: up to the top
      const MemoryRegion* best = nullptr;
      for (auto& r : regions) {
        uint64_t last = r->base + (r->size - 1);
        if (start < r->base || start > last) continue;
        if (!best || r->priority >= best->priority) best = r.get();
      }
      if (!best) continue;
      if (!flat.empty() && flat.back().region == best && flat.back().end == start)
        flat.back().end = end;
      else
        flat.push_back({start, end, best});
    }
  }

  const FlatRange* lookup(uint64_t phys) const {
    auto it =
        std::upper_bound(flat.begin(), flat.end(), phys, [](uint64_t a, const FlatRange& f) { return a < f.start; });
    if (it == flat.begin()) return nullptr;
    --it;
    if (it->end != 0 && phys >= it->end) return nullptr;
    return &*it;
  }

  // The non-alias region at phys, its offset, and how many bytes from phys stay in it.
  const MemoryRegion* resolve(uint64_t phys, uint64_t* offset, uint64_t* avail) const {
    uint64_t left = ~uint64_t(0);
    for (int depth = 0; depth < kMaxAliasDepth; depth++) {
      const FlatRange* f = lookup(phys);
      if (!f) return nullptr;
      if (f->end != 0) left = std::min(left, f->end - phys);
      const MemoryRegion* r = f->region;
      uint64_t off = phys - r->base;
      if (r->kind != RegionKind::Alias) {
        *offset = off;
        if (avail) *avail = std::min(left, r->size - off);
        return r;
      }
      phys = r->alias_target + off;
    }
    return nullptr;
  }
};

AddressSpace::AddressSpace() : impl_(std::make_unique<Impl>()) {}

AddressSpace::~AddressSpace() {
  for (auto& r : impl_->regions)
    if (r->host) munmap(r->host, r->size);
}

static uint8_t* map_anonymous(const std::string& name, uint64_t base, uint64_t size) {
  check_range(name, base, size);
  void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED)
    throw std::runtime_error(
        fmt::format("memory region {}: cannot map {:#x} bytes of host memory: {}", name, size, strerror(errno)));
  return static_cast<uint8_t*>(p);
}

uint8_t* AddressSpace::add_ram(std::string name, uint64_t base, uint64_t size, int priority) {
  uint8_t* host = map_anonymous(name, base, size);
  MemoryRegion r{std::move(name), base, size, RegionKind::Ram, priority, host};
  impl_->add(std::move(r));
  return host;
}

uint8_t* AddressSpace::add_rom(std::string name, uint64_t base, uint64_t size, int priority) {
  uint8_t* host = map_anonymous(name, base, size);
  MemoryRegion r{std::move(name), base, size, RegionKind::Rom, priority, host};
  impl_->add(std::move(r));
  return host;
}

void AddressSpace::add_mmio(std::string name, uint64_t base, uint64_t size, MmioOps* ops, int priority,
                            unsigned min_access, unsigned max_access) {
  auto pow2 = [](unsigned v) { return v == 1 || v == 2 || v == 4 || v == 8; };
  if (!ops || !pow2(min_access) || !pow2(max_access) || min_access > max_access)
    throw std::invalid_argument(fmt::format("memory region {}: bad MMIO ops or access sizes", name));
  MemoryRegion r{std::move(name), base, size, RegionKind::Mmio, priority};
  r.ops = ops;
  r.min_access = min_access;
  r.max_access = max_access;
  impl_->add(std::move(r));
}

void AddressSpace::add_alias(std::string name, uint64_t base, uint64_t size, uint64_t target, int priority) {
  MemoryRegion r{std::move(name), base, size, RegionKind::Alias, priority};
  r.alias_target = target;
  impl_->add(std::move(r));
}

const MemoryRegion* AddressSpace::find(uint64_t phys, uint64_t* offset) const {
  uint64_t off = 0;
  const MemoryRegion* r = impl_->resolve(phys, &off, nullptr);
  if (r && offset) *offset = off;
  return r;
}

void AddressSpace::set_ram_write_hook(std::function<void(uint64_t, uint64_t)> hook) {
  impl_->ram_write_hook = std::move(hook);
}

// One device access of any size 1..8 at any offset, adapted to what the device takes: wider
// accesses are split into max_access pieces (little endian), narrower ones widened to
// min_access at the aligned offset (a read extracts its bytes; a write carries its bytes in
// place and zeros elsewhere, as QEMU's access_with_adjusted_size does).
static uint64_t mmio_read(const MemoryRegion& r, uint64_t off, unsigned size) {
  if (size < r.min_access) {
    uint64_t aligned = off & ~uint64_t(r.min_access - 1);
    unsigned shift = unsigned(off - aligned);
    if (shift + size > r.min_access) {  // straddles two device words: byte by byte
      uint64_t v = 0;
      for (unsigned i = 0; i < size; i++) v |= mmio_read(r, off + i, 1) << (8 * i);
      return v;
    }
    uint64_t word = r.ops->read(aligned, r.min_access);
    uint64_t mask = size == 8 ? ~uint64_t(0) : (uint64_t(1) << (8 * size)) - 1;
    return (word >> (8 * shift)) & mask;
  }
  if (size > r.max_access) {
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i += r.max_access) v |= mmio_read(r, off + i, r.max_access) << (8 * i);
    return v;
  }
  return r.ops->read(off, size);
}

static void mmio_write(const MemoryRegion& r, uint64_t off, uint64_t value, unsigned size) {
  if (size < 8) value &= (uint64_t(1) << (8 * size)) - 1;
  if (size < r.min_access) {
    uint64_t aligned = off & ~uint64_t(r.min_access - 1);
    unsigned shift = unsigned(off - aligned);
    if (shift + size > r.min_access) {
      for (unsigned i = 0; i < size; i++) mmio_write(r, off + i, (value >> (8 * i)) & 0xff, 1);
      return;
    }
    r.ops->write(aligned, value << (8 * shift), r.min_access);
    return;
  }
  if (size > r.max_access) {
    for (unsigned i = 0; i < size; i += r.max_access) mmio_write(r, off + i, value >> (8 * i), r.max_access);
    return;
  }
  r.ops->write(off, value, size);
}

bool AddressSpace::io_read(uint64_t phys, unsigned size, uint64_t* value) {
  uint64_t off = 0, avail = 0;
  const MemoryRegion* r = impl_->resolve(phys, &off, &avail);
  if (r && avail >= size) {
    if (r->kind == RegionKind::Mmio) {
      std::lock_guard lock(device_lock_);
      *value = mmio_read(*r, off, size);
    } else {
      uint64_t v = 0;
      memcpy(&v, r->host + off, size);
      *value = v;
    }
    return true;
  }
  // Crosses into another region (or out of the map): byte by byte, all or nothing.
  uint8_t bytes[8];
  if (!read(phys, bytes, size)) return false;
  uint64_t v = 0;
  memcpy(&v, bytes, size);
  *value = v;
  return true;
}

bool AddressSpace::io_write(uint64_t phys, unsigned size, uint64_t value) {
  uint64_t off = 0, avail = 0;
  const MemoryRegion* r = impl_->resolve(phys, &off, &avail);
  if (r && avail >= size) {
    if (r->kind == RegionKind::Mmio) {
      std::lock_guard lock(device_lock_);
      mmio_write(*r, off, value, size);
    } else if (r->kind == RegionKind::Ram) {
      if (impl_->ram_write_hook) impl_->ram_write_hook(phys, size);
      memcpy(r->host + off, &value, size);
    }
    // ROM: the guest's write is dropped, as on QEMU's ROM regions.
    return true;
  }
  uint64_t probe;
  for (unsigned i = 0; i < size; i++)
    if (!find(phys + i, &probe)) return false;
  for (unsigned i = 0; i < size; i++)
    if (!io_write(phys + i, 1, (value >> (8 * i)) & 0xff)) return false;
  return true;
}

// Loader/DMA access: walks the range region by region. `is_write` copies into RAM and ROM alike.
bool AddressSpace::bus_access(uint64_t phys, uint8_t* buf, size_t len, bool is_write) {
  Impl& impl = *impl_;
  std::recursive_mutex& lock = device_lock_;
  // Check the whole range first so that a failed access changes nothing.
  for (size_t done = 0; done < len;) {
    uint64_t off, avail;
    if (!impl.resolve(phys + done, &off, &avail)) return false;
    done += std::min<uint64_t>(avail, len - done);
  }
  for (size_t done = 0; done < len;) {
    uint64_t off, avail;
    const MemoryRegion* r = impl.resolve(phys + done, &off, &avail);
    size_t n = size_t(std::min<uint64_t>(avail, len - done));
    if (r->kind == RegionKind::Mmio) {
      std::lock_guard guard(lock);
      for (size_t i = 0; i < n;) {
        // The widest naturally aligned piece, up to 8 bytes: a debugger's or the monitor's 4-byte
        // read of a device register is one 4-byte access, as in QEMU, not four byte reads (which
        // a device with word-only registers answers with zeros).
        unsigned size = 8;
        while (size > 1 && (size > n - i || ((off + i) & (size - 1)))) size >>= 1;
        uint64_t v = 0;
        if (is_write) {
          memcpy(&v, buf + done + i, size);
          mmio_write(*r, off + i, v, size);
        } else {
          v = mmio_read(*r, off + i, size);
          memcpy(buf + done + i, &v, size);
        }
        i += size;
      }
    } else if (is_write) {
      if (r->kind == RegionKind::Ram && impl.ram_write_hook) impl.ram_write_hook(phys + done, n);
      memcpy(r->host + off, buf + done, n);
    } else {
      memcpy(buf + done, r->host + off, n);
    }
    done += n;
  }
  return true;
}

bool AddressSpace::read(uint64_t phys, void* buf, size_t len) {
  return bus_access(phys, static_cast<uint8_t*>(buf), len, false);
}

bool AddressSpace::write(uint64_t phys, const void* buf, size_t len) {
  return bus_access(phys, static_cast<uint8_t*>(const_cast<void*>(buf)), len, true);
}

uint8_t* AddressSpace::ram_page(uint64_t phys_page, bool* writable) {
  uint64_t off = 0, avail = 0;
  const MemoryRegion* r = impl_->resolve(phys_page, &off, &avail);
  if (!r || (r->kind != RegionKind::Ram && r->kind != RegionKind::Rom) || avail < tcg::kPageSize) return nullptr;
  if (writable) *writable = r->kind == RegionKind::Ram;
  return r->host + off;
}

std::vector<const MemoryRegion*> AddressSpace::regions() const {
  std::vector<const MemoryRegion*> out;
  for (auto& r : impl_->regions) out.push_back(r.get());
  return out;
}

std::string AddressSpace::mtree() const {
  // QEMU's layout: the root container, then every region by address with its priority and kind.
  std::vector<const MemoryRegion*> sorted;
  for (auto& r : impl_->regions) sorted.push_back(r.get());
  std::stable_sort(sorted.begin(), sorted.end(), [](const MemoryRegion* a, const MemoryRegion* b) {
    return a->base != b->base ? a->base < b->base : a->priority > b->priority;
  });
  auto kind = [](const MemoryRegion& r) {
    switch (r.kind) {
      case RegionKind::Ram: return "ram";
      case RegionKind::Rom: return "rom";
      case RegionKind::Mmio: return "i/o";
      case RegionKind::Alias: return "i/o";
    }
    return "";
  };
  std::string out = "address-space: memory\n  0000000000000000-ffffffffffffffff (prio 0, i/o): system\n";
  for (const MemoryRegion* r : sorted) {
    out += fmt::format("    {:016x}-{:016x} (prio {}, {}): ", r->base, r->base + r->size - 1, r->priority, kind(*r));
    if (r->kind == RegionKind::Alias)
      out += fmt::format("alias {} @{:016x}-{:016x}\n", r->name, r->alias_target, r->alias_target + r->size - 1);
    else
      out += r->name + "\n";
  }
  return out;
}

}  // namespace mimic::hw
