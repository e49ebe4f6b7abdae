// ELF loader: validates ELF64 and ELF32 executables and maps their PT_LOAD segments into guest memory.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mimic::linux_user {

class GuestMemory;

// A guest symbol for error messages ("in main+0x14").
struct ElfSymbol {
  uint64_t addr;
  uint64_t size;
  std::string name;
};

// A whole ELF file, mapped read-only, with its header checked. Every accessor is bounds-checked
// by open(); nothing here trusts the file.
class ElfFile {
 public:
  ElfFile() = default;
  ~ElfFile();
  ElfFile(const ElfFile&) = delete;
  ElfFile& operator=(const ElfFile&) = delete;

  // Opens and validates `path`. On failure returns false and sets `error` to the problem (without
  // the file name; callers prefix it) and `errno_value` to the errno of a failed open (0 when the
  // file was read but is not a valid ELF).
  bool open(const std::string& path, std::string& error, int* errno_value = nullptr);
  // The same on bytes in memory (unit tests).
  bool open_memory(std::vector<uint8_t> bytes, std::string& error);

  uint16_t machine() const { return machine_; }
  bool is_32bit() const { return class32_; }  // ELFCLASS32 (program headers of 32 bytes)
  uint16_t type() const { return type_; }
  uint64_t entry() const { return entry_; }
  bool is_dynamic_executable() const { return type_ == 3; }
  const std::string& interp() const { return interp_; }  // PT_INTERP, empty for static programs
  const std::string& path() const { return path_; }
  // The symbols of .symtab (empty when stripped).
  std::vector<ElfSymbol> symbols() const;

  struct Segment {
    uint64_t vaddr, memsz, offset, filesz;
    uint32_t flags;  // PF_R/PF_W/PF_X
  };
  const std::vector<Segment>& segments() const { return segments_; }
  uint64_t phoff() const { return phoff_; }
  uint16_t phnum() const { return phnum_; }
  uint64_t phdr_vaddr() const { return phdr_vaddr_; }  // 0 when the phdrs are not loaded
  uint64_t max_align() const { return max_align_; }
  bool exec_stack() const { return exec_stack_; }
  uint64_t low() const { return low_; }    // lowest page of the image (unbiased)
  uint64_t high() const { return high_; }  // end of the image (unbiased)
  const uint8_t* data() const { return data_; }
  uint64_t size() const { return size_; }
  // After loading: the host view of the file stops counting in mimic's RSS (its pages stay in
  // the page cache and fault back in if read again, e.g. for symbols).
  void drop_resident_pages() const;

 private:
  bool validate(std::string& error);
  template <class Ehdr, class Phdr>
  bool validate_class(std::string& error);
  template <class Ehdr, class Shdr, class Sym>
  std::vector<ElfSymbol> symbols_class() const;

  std::string path_;
  const uint8_t* data_ = nullptr;
  uint64_t size_ = 0;
  bool mapped_ = false;
  std::vector<uint8_t> owned_;
  uint16_t machine_ = 0, type_ = 0, phnum_ = 0;
  uint64_t entry_ = 0, phoff_ = 0, phdr_vaddr_ = 0, max_align_ = 4096, low_ = 0, high_ = 0;
  bool exec_stack_ = false;
  bool class32_ = false;
  std::string interp_;
  std::vector<Segment> segments_;
};

// Where one ELF file ended up in guest memory.
struct LoadedElf {
  uint64_t bias = 0;                      // added to every vaddr (0 for ET_EXEC)
  uint64_t entry = 0;                     // guest entry point
  uint64_t phdr = 0;                      // AT_PHDR
  uint16_t phnum = 0;                     // AT_PHNUM
  uint64_t start = 0;                     // lowest mapped address
  uint64_t end = 0;                       // end of the highest segment's memory (bss end): the brk start
  uint64_t end_code = 0;                  // end of the executable segments
  uint64_t start_code = 0;                // start of the lowest executable segment
  uint64_t start_data = 0, end_data = 0;  // as Linux's mm->start_data/end_data (/proc/<pid>/stat)
  std::vector<ElfSymbol> symbols;         // biased
};

// Maps `elf` into `mem`: ET_EXEC at its addresses, ET_DYN at `dyn_base` (0: anywhere free).
// Returns false with `error` set (no file name) when the segments do not fit or cannot be mapped.
bool load_elf(GuestMemory& mem, const ElfFile& elf, uint64_t dyn_base, LoadedElf& out, std::string& error);

// A human name of an ELF e_machine value for error messages ("x86-64", "AArch64").
const char* elf_machine_name(uint16_t machine);

// The nearest symbol at or below addr ("main+0x14"), or empty.
std::string symbolize(const std::vector<ElfSymbol>& symbols, uint64_t addr);

// A "#!" line at the start of `head` (the first bytes of a file), parsed as Linux's binfmt_script
// does: the interpreter, then everything after it as one optional argument, blanks trimmed. Returns
// false when `head` is no script; `interp` is left empty for a "#!" line naming nothing (ENOEXEC).
bool parse_shebang(const char* head, size_t n, std::string& interp, std::string& arg);

}  // namespace mimic::linux_user
