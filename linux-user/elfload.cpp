// ELF loader: header/program-header validation, segment mapping with bss zeroing, symbols.
#include "linux-user/elfload.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>

#include "linux-user/mmap.h"

namespace mimic::linux_user {

namespace {
constexpr uint64_t kMaxFileSize = uint64_t(1) << 40;

bool add_overflows(uint64_t a, uint64_t b) { return a + b < a; }
// Linux's limit on the program headers' size is ELF_MIN_ALIGN * 16 bytes (see validate_class).

template <class T>
T load(const uint8_t* p) {
  T v;
  memcpy(&v, p, sizeof v);
  return v;
}
}  // namespace

const char* elf_machine_name(uint16_t machine) {
  switch (machine) {
    case EM_386: return "Intel 80386";
    case EM_X86_64: return "x86-64";
    case EM_ARM: return "ARM";
    case EM_AARCH64: return "AArch64";
    case EM_RISCV: return "RISC-V";
    case EM_MIPS: return "MIPS";
    case EM_PPC: return "PowerPC";
    case EM_PPC64: return "PowerPC64";
    case EM_S390: return "IBM S/390";
    case EM_SPARCV9: return "SPARC v9";
    case 258: return "LoongArch";
    default: return "unknown machine";
  }
}

ElfFile::~ElfFile() {
  if (mapped_) munmap(const_cast<uint8_t*>(data_), size_);
}

bool ElfFile::open(const std::string& path, std::string& error, int* errno_value) {
  path_ = path;
  if (errno_value) *errno_value = 0;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno_value) *errno_value = errno;
    error = strerror(errno);
    return false;
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    int e = S_ISDIR(st.st_mode) ? EISDIR : EACCES;
    if (errno_value) *errno_value = e;
    error = strerror(e);
    close(fd);
    return false;
  }
  if (uint64_t(st.st_size) > kMaxFileSize) {
    close(fd);
    error = "file too large to be a program";
    return false;
  }
  size_ = uint64_t(st.st_size);
  if (size_ > 0) {
    void* p = mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      if (errno_value) *errno_value = errno;
      error = fmt::format("cannot map the file: {}", strerror(errno));
      close(fd);
      return false;
    }
    data_ = static_cast<const uint8_t*>(p);
    mapped_ = true;
  }
  close(fd);
  return validate(error);
}

void ElfFile::drop_resident_pages() const {
  if (mapped_) ::madvise(const_cast<uint8_t*>(data_), size_, MADV_DONTNEED);
}

bool ElfFile::open_memory(std::vector<uint8_t> bytes, std::string& error) {
  owned_ = std::move(bytes);
  data_ = owned_.data();
  size_ = owned_.size();
  if (path_.empty()) path_ = "<memory>";
  return validate(error);
}

bool ElfFile::validate(std::string& error) {
  if (size_ < 4 || memcmp(data_, ELFMAG, SELFMAG) != 0) {
    error = "not an ELF file (bad magic)";
    return false;
  }
  if (size_ < EI_NIDENT) {
    error = "truncated ELF header";
    return false;
  }
  if (data_[EI_CLASS] != ELFCLASS64 && data_[EI_CLASS] != ELFCLASS32) {
    error = fmt::format("invalid ELF class {}", data_[EI_CLASS]);
    return false;
  }
  if (data_[EI_DATA] != ELFDATA2LSB) {
    error = "big-endian ELF files are not supported";
    return false;
  }
  return data_[EI_CLASS] == ELFCLASS32 ? validate_class<Elf32_Ehdr, Elf32_Phdr>(error)
                                       : validate_class<Elf64_Ehdr, Elf64_Phdr>(error);
}

template <class Ehdr, class Phdr>
bool ElfFile::validate_class(std::string& error) {
  class32_ = sizeof(Ehdr) == sizeof(Elf32_Ehdr);
  if (size_ < sizeof(Ehdr)) {
    error = fmt::format("truncated ELF header ({} bytes, need {})", size_, sizeof(Ehdr));
    return false;
  }
  Ehdr eh = load<Ehdr>(data_);
  machine_ = eh.e_machine;
  type_ = eh.e_type;
  entry_ = eh.e_entry;
  if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) {
    error = fmt::format("not an executable (ELF type {})", eh.e_type);
    return false;
  }
  if (eh.e_phentsize != sizeof(Phdr)) {
    error = fmt::format("bad program header entry size {} (expected {})", eh.e_phentsize, sizeof(Phdr));
    return false;
  }
  if (eh.e_phnum == 0 || eh.e_phnum > 65536 / sizeof(Phdr)) {
    error = fmt::format("bad program header count {}", eh.e_phnum);
    return false;
  }
  uint64_t ph_bytes = uint64_t(eh.e_phnum) * sizeof(Phdr);
  if (eh.e_phoff > size_ || ph_bytes > size_ - eh.e_phoff) {
    error = fmt::format("program headers at offset {:#x} ({} entries) lie outside the file ({} bytes)", eh.e_phoff,
                        eh.e_phnum, size_);
    return false;
  }
  phoff_ = eh.e_phoff;
  phnum_ = eh.e_phnum;
  segments_.clear();
  bool have_interp = false;
  for (unsigned i = 0; i < eh.e_phnum; i++) {
    Phdr ph = load<Phdr>(data_ + eh.e_phoff + i * sizeof(Phdr));
    switch (ph.p_type) {
      case PT_LOAD: {
        if (ph.p_filesz > ph.p_memsz) {
          error = fmt::format("segment {} has file size {:#x} larger than its memory size {:#x}", i, ph.p_filesz,
                              ph.p_memsz);
          return false;
        }
        if (ph.p_offset > size_ || ph.p_filesz > size_ - ph.p_offset) {
          error = fmt::format("segment {} (offset {:#x}, size {:#x}) extends past the end of the file ({} bytes)", i,
                              ph.p_offset, ph.p_filesz, size_);
          return false;
        }
        if (add_overflows(ph.p_vaddr, ph.p_memsz) || ph.p_memsz > (uint64_t(1) << 46) ||
            ph.p_vaddr + ph.p_memsz > (uint64_t(1) << 47)) {
          error = fmt::format("segment {} has an absurd address range {:#x} + {:#x}", i, ph.p_vaddr, ph.p_memsz);
          return false;
        }
        if (ph.p_align > 1 && (ph.p_align & (ph.p_align - 1))) {
          error = fmt::format("segment {} has a non-power-of-two alignment {:#x}", i, ph.p_align);
          return false;
        }
        if ((ph.p_vaddr - ph.p_offset) & (kPageSize - 1)) {
          error = fmt::format("segment {} address {:#x} and file offset {:#x} differ modulo the page size", i,
                              ph.p_vaddr, ph.p_offset);
          return false;
        }
        if (ph.p_memsz == 0) break;
        for (const Segment& s : segments_) {
          if (ph.p_vaddr < s.vaddr + s.memsz && s.vaddr < ph.p_vaddr + ph.p_memsz) {
            error = fmt::format("segment {} [{:#x}, {:#x}) overlaps an earlier segment [{:#x}, {:#x})", i, ph.p_vaddr,
                                ph.p_vaddr + ph.p_memsz, s.vaddr, s.vaddr + s.memsz);
            return false;
          }
        }
        segments_.push_back({ph.p_vaddr, ph.p_memsz, ph.p_offset, ph.p_filesz, ph.p_flags});
        if (ph.p_align > max_align_ && ph.p_align <= (uint64_t(1) << 30)) max_align_ = ph.p_align;
        break;
      }
      case PT_INTERP: {
        if (have_interp) {
          error = "more than one PT_INTERP";
          return false;
        }
        have_interp = true;
        if (ph.p_offset > size_ || ph.p_filesz > size_ - ph.p_offset || ph.p_filesz < 2 || ph.p_filesz > 4096 ||
            data_[ph.p_offset + ph.p_filesz - 1] != 0) {
          error = "bad PT_INTERP (interpreter path outside the file or not NUL-terminated)";
          return false;
        }
        interp_.assign(reinterpret_cast<const char*>(data_ + ph.p_offset));
        break;
      }
      case PT_GNU_STACK: exec_stack_ = (ph.p_flags & PF_X) != 0; break;
      case PT_PHDR: phdr_vaddr_ = ph.p_vaddr; break;
      default: break;  // PT_TLS, PT_DYNAMIC, notes: the guest's libc handles them
    }
  }
  if (segments_.empty()) {
    error = "no loadable segments";
    return false;
  }
  low_ = ~0ull;
  high_ = 0;
  for (const Segment& s : segments_) {
    low_ = std::min(low_, page_down(s.vaddr));
    high_ = std::max(high_, s.vaddr + s.memsz);
  }
  if (!phdr_vaddr_) {
    // No PT_PHDR: the headers are visible when a segment's file range covers them.
    for (const Segment& s : segments_)
      if (phoff_ >= s.offset && phoff_ + ph_bytes <= s.offset + s.filesz) phdr_vaddr_ = s.vaddr + (phoff_ - s.offset);
  }
  return true;
}

template <class Ehdr, class Shdr, class Sym>
std::vector<ElfSymbol> ElfFile::symbols_class() const {
  std::vector<ElfSymbol> out;
  Ehdr eh = load<Ehdr>(data_);
  if (eh.e_shoff == 0 || eh.e_shentsize != sizeof(Shdr) || eh.e_shnum == 0) return out;
  uint64_t sh_bytes = uint64_t(eh.e_shnum) * sizeof(Shdr);
  if (eh.e_shoff > size_ || sh_bytes > size_ - eh.e_shoff) return out;
  for (unsigned i = 0; i < eh.e_shnum; i++) {
    Shdr sh = load<Shdr>(data_ + eh.e_shoff + i * sizeof(Shdr));
    if (sh.sh_type != SHT_SYMTAB || sh.sh_entsize != sizeof(Sym)) continue;
    if (sh.sh_offset > size_ || sh.sh_size > size_ - sh.sh_offset || sh.sh_link >= eh.e_shnum) continue;
    Shdr str = load<Shdr>(data_ + eh.e_shoff + sh.sh_link * sizeof(Shdr));
    if (str.sh_offset > size_ || str.sh_size > size_ - str.sh_offset) continue;
    uint64_t n = sh.sh_size / sizeof(Sym);
    for (uint64_t j = 0; j < n; j++) {
      Sym sym = load<Sym>(data_ + sh.sh_offset + j * sizeof(Sym));
      unsigned type = unsigned(sym.st_info & 0xf);
      if ((type != STT_FUNC && type != STT_OBJECT && type != STT_NOTYPE) || sym.st_shndx == SHN_UNDEF ||
          sym.st_value == 0 || sym.st_name >= str.sh_size)
        continue;
      const char* name = reinterpret_cast<const char*>(data_ + str.sh_offset + sym.st_name);
      size_t len = strnlen(name, str.sh_size - sym.st_name);
      if (len == 0 || name[0] == '$' || (name[0] == '.' && name[1] == 'L')) continue;  // mapping/local labels
      out.push_back({sym.st_value, sym.st_size, std::string(name, len)});
    }
  }
  std::sort(out.begin(), out.end(), [](const ElfSymbol& a, const ElfSymbol& b) { return a.addr < b.addr; });
  return out;
}

std::vector<ElfSymbol> ElfFile::symbols() const {
  return class32_ ? symbols_class<Elf32_Ehdr, Elf32_Shdr, Elf32_Sym>()
                  : symbols_class<Elf64_Ehdr, Elf64_Shdr, Elf64_Sym>();
}

namespace {
struct ProtRun {
  uint64_t start, end;
  int prot;
};

// The pages the segments cover, as maximal runs of one protection (the union of the segments'
// own where they share a page), sorted: a sweep over the segments' page-rounded edges, so that
// the cost follows the number of segments, never their sizes.
std::vector<ProtRun> segment_runs(const ElfFile& elf, uint64_t bias) {
  struct Edge {
    uint64_t at;
    int prot;
    int delta;
  };
  std::vector<Edge> edges;
  for (const auto& s : elf.segments()) {
    if (s.memsz == 0) continue;
    const int prot = ((s.flags & PF_R) ? GuestProt::kRead : 0) | ((s.flags & PF_W) ? GuestProt::kWrite : 0) |
                     ((s.flags & PF_X) ? GuestProt::kExec : 0);
    edges.push_back({page_down(s.vaddr + bias), prot, +1});
    edges.push_back({page_up(s.vaddr + bias + s.memsz), prot, -1});
  }
  std::sort(edges.begin(), edges.end(), [](const Edge& a, const Edge& b) { return a.at < b.at; });
  std::vector<ProtRun> runs;
  int count[3] = {0, 0, 0}, open = 0;  // segments open with each PROT bit, and in all
  for (size_t i = 0; i < edges.size();) {
    const uint64_t at = edges[i].at;
    for (; i < edges.size() && edges[i].at == at; i++) {
      open += edges[i].delta;
      for (int b = 0; b < 3; b++)
        if (edges[i].prot & (1 << b)) count[b] += edges[i].delta;
    }
    if (!runs.empty() && runs.back().end == 0) runs.back().end = at;  // the run open until here
    if (open == 0 || i == edges.size()) continue;
    const int prot = (count[0] ? 1 : 0) | (count[1] ? 2 : 0) | (count[2] ? 4 : 0);
    if (!runs.empty() && runs.back().end == at && runs.back().prot == prot) {
      runs.back().end = 0;  // the same protection goes on
    } else {
      runs.push_back({at, 0, prot});
    }
  }
  return runs;
}

// The pages that hold only one segment's file bytes become private mappings of the file, as the
// kernel's loader maps them, over the copy just made: the contents are the same, and what Linux
// does to file pages applies (MADV_DONTNEED over the program's own text reads the file again
// instead of leaving zeros; the page cache is shared). Partial pages at the edges stay copies.
void map_file_pages(GuestMemory& mem, const ElfFile& elf, uint64_t bias) {
  if (elf.path().empty()) return;
  const int fd = ::open(elf.path().c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;  // the copy stands
  for (const auto& s : elf.segments()) {
    const uint64_t v = s.vaddr + bias;
    if (s.filesz == 0 || ((v - s.offset) & (kPageSize - 1))) continue;
    uint64_t lo = page_up(v), hi = page_down(v + s.filesz);
    for (const auto& o : elf.segments()) {  // a page another segment also covers stays a copy
      if (&o == &s || o.memsz == 0 || lo >= hi) continue;
      const uint64_t olo = page_down(o.vaddr + bias), ohi = page_up(o.vaddr + bias + o.memsz);
      if (olo >= hi || ohi <= lo) continue;
      if (olo <= lo) {
        lo = std::max(lo, ohi);
      } else if (ohi >= hi) {
        hi = olo;
      } else {
        hi = lo;  // inside: keep it all a copy
      }
    }
    if (lo >= hi) continue;
    const int64_t r = mem.mmap(lo, hi - lo, GuestProt::kRead | GuestProt::kWrite, GuestMap::kPrivate | GuestMap::kFixed,
                               fd, s.offset + (lo - v));
    if (r != int64_t(lo) && mem.map_fixed_anon(lo, hi - lo, GuestProt::kRead | GuestProt::kWrite))
      memcpy(mem.host(lo), elf.data() + s.offset + (lo - v), hi - lo);  // the file cannot be mapped: a copy
  }
  ::close(fd);
}
}  // namespace

bool load_elf(GuestMemory& mem, const ElfFile& elf, uint64_t dyn_base, LoadedElf& out, std::string& error) {
  uint64_t span = page_up(elf.high()) - elf.low();
  uint64_t bias = 0;
  if (elf.type() == ET_DYN) {
    uint64_t align = std::max<uint64_t>(elf.max_align(), kPageSize);
    uint64_t want = dyn_base ? (dyn_base + align - 1) & ~(align - 1) : 0;
    uint64_t at = mem.find_free(span + align, want);
    if (!at) {
      error = fmt::format("no room for the {:#x}-byte image in the guest address space", span);
      return false;
    }
    at = (at + align - 1) & ~(align - 1);
    bias = at - elf.low();
  } else {
    if (elf.low() < GuestMemory::kMinAddr || !mem.in_range(elf.low(), span)) {
      error = fmt::format("segments at [{:#x}, {:#x}) lie outside the guest address space [{:#x}, {:#x})", elf.low(),
                          elf.high(), GuestMemory::kMinAddr, mem.size());
      return false;
    }
    if (!mem.range_free(elf.low(), span)) {
      error = fmt::format("segments at [{:#x}, {:#x}) overlap memory already in use", elf.low(), elf.high());
      return false;
    }
  }
  // Map every page writable, copy the file bytes (fresh anonymous pages give the zeroed bss),
  // then apply the final permissions; a page shared by two segments gets both permissions.
  const std::vector<ProtRun> runs = segment_runs(elf, bias);
  for (size_t i = 0; i < runs.size();) {
    size_t j = i + 1;
    while (j < runs.size() && runs[j].start == runs[j - 1].end) j++;  // contiguous: one mapping
    if (!mem.map_fixed_anon(runs[i].start, runs[j - 1].end - runs[i].start, GuestProt::kRead | GuestProt::kWrite)) {
      error = fmt::format("cannot map [{:#x}, {:#x}) in the guest", runs[i].start, runs[j - 1].end);
      return false;
    }
    i = j;
  }
  uint64_t end_code = 0, end = 0, start_code = ~uint64_t(0), start_data = 0, end_data = 0;
  for (const auto& s : elf.segments()) {
    memcpy(mem.host(s.vaddr + bias), elf.data() + s.offset, s.filesz);
    // Linux's load_elf_binary keeps these for /proc/<pid>/stat (start_data is the last segment's).
    if (s.flags & PF_X) {
      end_code = std::max(end_code, s.vaddr + bias + s.filesz);
      start_code = std::min(start_code, s.vaddr + bias);
    }
    start_data = std::max(start_data, s.vaddr + bias);
    end_data = std::max(end_data, s.vaddr + bias + s.filesz);
    end = std::max(end, s.vaddr + bias + s.memsz);
  }
  map_file_pages(mem, elf, bias);
  // /proc/self/maps shows the file behind the pages that hold its bytes, as for a file mapping.
  for (const auto& s : elf.segments()) {
    if (s.filesz == 0) continue;
    const uint64_t lo = page_down(s.vaddr + bias), hi = page_up(s.vaddr + bias + s.filesz);
    mem.describe(lo, hi - lo, mem.file_info(elf.path(), page_down(s.offset)));
  }
  for (const ProtRun& r : runs) mem.mprotect(r.start, r.end - r.start, r.prot);
  out.bias = bias;
  out.entry = elf.entry() + bias;
  out.phdr = elf.phdr_vaddr() ? elf.phdr_vaddr() + bias : 0;
  out.phnum = elf.phnum();
  out.start = elf.low() + bias;
  out.end = end;
  out.end_code = end_code;
  out.start_code = start_code == ~uint64_t(0) ? 0 : start_code;
  out.start_data = start_data;
  out.end_data = end_data;
  out.symbols = elf.symbols();
  for (auto& s : out.symbols) s.addr += bias;
  // Every segment was copied through the host view (a whole cc1 is 50 MiB of it): none is needed now.
  elf.drop_resident_pages();
  return true;
}

std::string symbolize(const std::vector<ElfSymbol>& symbols, uint64_t addr) {
  auto it =
      std::upper_bound(symbols.begin(), symbols.end(), addr, [](uint64_t a, const ElfSymbol& s) { return a < s.addr; });
  if (it == symbols.begin()) return {};
  --it;
  // Prefer a sized symbol that contains addr; an unsized one only when close.
  uint64_t off = addr - it->addr;
  if (it->size ? off >= it->size + 0x1000 : off > 0x10000) return {};
  return off ? fmt::format("{}+{:#x}", it->name, off) : it->name;
}

bool parse_shebang(const char* head, size_t n, std::string& interp, std::string& arg) {
  interp.clear();
  arg.clear();
  if (n < 2 || head[0] != '#' || head[1] != '!') return false;
  std::string line(head + 2, n - 2);
  line = line.substr(0, line.find('\n'));
  const size_t b = line.find_first_not_of(" \t");
  if (b == std::string::npos) return true;
  line = line.substr(b);
  const size_t e = line.find_first_of(" \t");
  interp = line.substr(0, e);
  if (e != std::string::npos) {
    arg = line.substr(e);
    const size_t s = arg.find_first_not_of(" \t"), t = arg.find_last_not_of(" \t\r");
    arg = s == std::string::npos ? "" : arg.substr(s, t - s + 1);
  }
  return true;
}

}  // namespace mimic::linux_user
