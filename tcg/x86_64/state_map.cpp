// Per-site fault-state records: where the values of guest-state stores that the optimizer moved
// past a memory op (Block::fault_state) are while that op runs, so a fault there shows the guest
// exactly the state it would have seen with every store in place.
//
// Encoding (a byte string per block, sites in host order; all numbers LEB128):
//   site:  start - previous site's end, length, entry count, entries
//   entry: env offset, kind | size code << 2 (size 4 << code), then
//          Reg: the host register (0-15 GPR, 16-31 xmm); Slot: spill slot; Env: env offset;
//          Imm: the constant.
// Typically 2-3 bytes per entry plus 3 per site. apply_state_map() decodes it in a signal handler.
#include <cstring>

#include "tcg/x86_64/emitter.h"

namespace mimic::tcg::x86_64 {

namespace {
void put_uleb(std::vector<uint8_t>& out, uint64_t v) {
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    out.push_back(uint8_t(b | (v ? 0x80 : 0)));
  } while (v);
}
uint8_t size_code(unsigned size) { return size == 4 ? 0 : size == 8 ? 1 : 2; }
}  // namespace

void Ctx::open_site() {
  site_ = {};
  site_open_ = false;
  std::span<const FaultStateEntry> entries = ra.fault_entries(index);
  if (entries.empty()) return;
  site_.first = uint32_t(site_values_.size());
  for (const FaultStateEntry& e : entries) {
    const unsigned size = type_bits(ra.arg_type(e.value)) / 8;
    site_values_.push_back({e.offset, uint8_t(size), ra.location(e.value)});
  }
  site_.count = uint32_t(entries.size());
  site_open_ = true;
  site_start_ = uint32_t(code.getSize());
}

void Ctx::close_site() {
  if (!site_open_) return;
  site_open_ = false;
  const uint32_t end = uint32_t(code.getSize());
  put_uleb(state_map_, site_start_ - prev_site_end_);
  put_uleb(state_map_, end - site_start_);
  put_uleb(state_map_, site_.count);
  for (uint32_t k = 0; k < site_.count; ++k) {
    const SiteValue& v = site_values_[site_.first + k];
    put_uleb(state_map_, v.offset);
    state_map_.push_back(uint8_t(v.loc.kind | size_code(v.size) << 2));
    switch (v.loc.kind) {
      case RegAlloc::Location::Reg: state_map_.push_back(uint8_t(v.loc.reg)); break;
      case RegAlloc::Location::Slot: put_uleb(state_map_, uint32_t(v.loc.disp) / 8); break;
      case RegAlloc::Location::Env: put_uleb(state_map_, uint32_t(v.loc.disp)); break;
      case RegAlloc::Location::Imm: put_uleb(state_map_, v.loc.imm); break;
    }
  }
  prev_site_end_ = end;
  site_ = {};
}

void Ctx::emit_state_writeback(SiteRef s) {
  for (uint32_t k = 0; k < s.count; ++k) {
    const SiteValue& v = site_values_[s.first + k];
    const RegAlloc::Location& l = v.loc;
    if (l.kind == RegAlloc::Location::Imm) {
      if (v.size == 4)
        code.store_imm32(false, kEnvReg, int32_t(v.offset), uint32_t(l.imm));
      else
        store_env_imm64(v.offset, l.imm);
      continue;
    }
    if (l.kind == RegAlloc::Location::Reg && !is_xmm(l.reg)) {
      code.store_gpr(v.size == 8, kEnvReg, int32_t(v.offset), l.reg);
      continue;
    }
    const Xbyak::RegExp field = code.rbp + v.offset;
    if (l.kind == RegAlloc::Location::Reg) {
      const Xbyak::Xmm x = xmm(l.reg);
      if (v.size == 4)
        code.movd(code.dword[field], x);
      else if (v.size == 8)
        code.movq(code.qword[field], x);
      else
        code.movdqu(code.xword[field], x);
      continue;
    }
    // In memory (a spill slot or another env field): through the scratch registers.
    const Xbyak::RegExp src = l.kind == RegAlloc::Location::Slot ? code.rsp + l.disp : code.rbp + l.disp;
    if (v.size == 4 || v.size == 8) {
      const HReg base = l.kind == RegAlloc::Location::Slot ? kRsp : kEnvReg;
      code.load_gpr(v.size == 8, kScratch, base, l.disp);
      code.store_gpr(v.size == 8, kEnvReg, int32_t(v.offset), kScratch);
    } else {
      code.movdqu(xmm(kXScratch), code.xword[src]);
      code.movdqu(code.xword[field], xmm(kXScratch));
    }
  }
}

}  // namespace mimic::tcg::x86_64

namespace mimic::tcg {

namespace {
// Bounds-checked LEB128 reader (a corrupt map ends the walk instead of reading past it).
struct Reader {
  const uint8_t* p;
  const uint8_t* end;
  bool ok = true;
  uint64_t uleb() {
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
      if (p >= end) break;
      const uint8_t b = *p++;
      v |= uint64_t(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    ok = false;
    return 0;
  }
  uint8_t byte() {
    if (p >= end) {
      ok = false;
      return 0;
    }
    return *p++;
  }
};
}  // namespace

bool apply_state_map(const uint8_t* map, size_t size, uint32_t host_offset, CpuBase* env, const FaultHostState& host) {
  using Loc = x86_64::RegAlloc::Location;
  Reader r{map, map + size};
  uint64_t pos = 0;
  while (r.ok && r.p < r.end) {
    const uint64_t start = pos + r.uleb(), len = r.uleb(), count = r.uleb();
    pos = start + len;
    const bool here = host_offset >= start && host_offset < start + len;
    for (uint64_t k = 0; k < count && r.ok; ++k) {
      const uint64_t offset = r.uleb();
      const uint8_t tag = r.byte();
      const unsigned bytes = 4u << ((tag >> 2) & 3);
      const auto kind = Loc::Kind(tag & 3);
      uint8_t value[16] = {};
      switch (kind) {
        case Loc::Reg: {
          const unsigned reg = r.byte();
          if (reg < 16)
            std::memcpy(value, &host.gpr[reg], 8);
          else if (reg < 32)
            std::memcpy(value, host.xmm[reg - 16], 16);
          else
            r.ok = false;
          break;
        }
        case Loc::Slot: {
          const uint64_t slot = r.uleb();
          if (here) std::memcpy(value, reinterpret_cast<const uint8_t*>(host.gpr[x86_64::kRsp]) + slot * 8, bytes);
          break;
        }
        case Loc::Env: {
          const uint64_t from = r.uleb();
          if (here) std::memcpy(value, reinterpret_cast<const uint8_t*>(env) + from, bytes);
          break;
        }
        case Loc::Imm: {
          const uint64_t imm = r.uleb();
          std::memcpy(value, &imm, 8);
          break;
        }
      }
      if (here && r.ok) std::memcpy(reinterpret_cast<uint8_t*>(env) + offset, value, bytes);
    }
    if (here) return r.ok;
  }
  return false;
}

}  // namespace mimic::tcg
