// ELF loader tests: malformed files give clear errors (never crashes); valid ones load correctly.
#include "linux-user/elfload.h"

#include <elf.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include "linux-user/mmap.h"

namespace mimic::linux_user {
namespace {

// A small static riscv64 executable: one RX segment with 8 bytes of code at 0x10000 and one RW
// segment with 4 file bytes and 0x2000 bytes of memory (bss) at 0x11000.
std::vector<uint8_t> make_elf() {
  std::vector<uint8_t> f(0x1100, 0);
  Elf64_Ehdr eh = {};
  memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS64;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_type = ET_EXEC;
  eh.e_machine = EM_RISCV;
  eh.e_version = EV_CURRENT;
  eh.e_entry = 0x100b0;
  eh.e_phoff = sizeof(Elf64_Ehdr);
  eh.e_ehsize = sizeof(Elf64_Ehdr);
  eh.e_phentsize = sizeof(Elf64_Phdr);
  eh.e_phnum = 2;
  memcpy(f.data(), &eh, sizeof eh);
  Elf64_Phdr ph[2] = {};
  ph[0].p_type = PT_LOAD;
  ph[0].p_flags = PF_R | PF_X;
  ph[0].p_offset = 0;
  ph[0].p_vaddr = 0x10000;
  ph[0].p_filesz = ph[0].p_memsz = 0xc0;
  ph[0].p_align = 0x1000;
  ph[1].p_type = PT_LOAD;
  ph[1].p_flags = PF_R | PF_W;
  ph[1].p_offset = 0x1000;
  ph[1].p_vaddr = 0x11000;
  ph[1].p_filesz = 4;
  ph[1].p_memsz = 0x2000;
  ph[1].p_align = 0x1000;
  memcpy(f.data() + sizeof eh, ph, sizeof ph);
  const uint32_t code[2] = {0x00000513, 0x00008067};  // li a0, 0; ret
  memcpy(f.data() + 0xb0, code, sizeof code);         // after the program headers
  memcpy(f.data() + 0x1000, "DATA", 4);
  return f;
}

Elf64_Phdr* phdr(std::vector<uint8_t>& f, int i) {
  return reinterpret_cast<Elf64_Phdr*>(f.data() + sizeof(Elf64_Ehdr) + i * sizeof(Elf64_Phdr));
}
Elf64_Ehdr* ehdr(std::vector<uint8_t>& f) { return reinterpret_cast<Elf64_Ehdr*>(f.data()); }

std::string open_error(std::vector<uint8_t> f) {
  ElfFile e;
  std::string err;
  if (e.open_memory(std::move(f), err)) return "";
  EXPECT_FALSE(err.empty());
  return err;
}

TEST(ElfLoad, ValidFileOpens) {
  ElfFile e;
  std::string err;
  ASSERT_TRUE(e.open_memory(make_elf(), err)) << err;
  EXPECT_EQ(e.machine(), EM_RISCV);
  EXPECT_EQ(e.segments().size(), 2u);
  EXPECT_EQ(e.phdr_vaddr(), 0x10000u + sizeof(Elf64_Ehdr));
  EXPECT_TRUE(e.interp().empty());
}

TEST(ElfLoad, BadMagic) {
  auto f = make_elf();
  f[1] = 'X';
  EXPECT_NE(open_error(f).find("not an ELF file"), std::string::npos);
  EXPECT_NE(open_error({}).find("not an ELF file"), std::string::npos);
  EXPECT_NE(open_error({'#', '!', '/', 'b'}).find("not an ELF file"), std::string::npos);
}

TEST(ElfLoad, Truncated) {
  auto f = make_elf();
  for (size_t n : {4, 10, 16, 40, 63}) {
    std::vector<uint8_t> t(f.begin(), f.begin() + long(n));
    EXPECT_NE(open_error(t).find("truncated"), std::string::npos) << n;
  }
  std::vector<uint8_t> t(f.begin(), f.begin() + 100);  // header ok, phdrs cut
  EXPECT_NE(open_error(t).find("outside the file"), std::string::npos);
  std::vector<uint8_t> t2(f.begin(), f.begin() + 0x1002);  // data segment cut
  EXPECT_NE(open_error(t2).find("past the end of the file"), std::string::npos);
}

TEST(ElfLoad, WrongClassAndEndianness) {
  auto f = make_elf();
  f[EI_CLASS] = ELFCLASS32;  // ELF32 is read (Arm), but these are ELF64 headers: some check fails
  EXPECT_FALSE(open_error(f).empty());
  f = make_elf();
  f[EI_DATA] = ELFDATA2MSB;
  EXPECT_NE(open_error(f).find("big-endian"), std::string::npos);
  f = make_elf();
  f[EI_CLASS] = 7;
  EXPECT_NE(open_error(f).find("invalid ELF class"), std::string::npos);
}

TEST(ElfLoad, NotExecutable) {
  auto f = make_elf();
  ehdr(f)->e_type = ET_REL;
  EXPECT_NE(open_error(f).find("not an executable"), std::string::npos);
}

TEST(ElfLoad, BogusProgramHeaders) {
  auto f = make_elf();
  ehdr(f)->e_phentsize = 40;
  EXPECT_NE(open_error(f).find("entry size"), std::string::npos);
  f = make_elf();
  ehdr(f)->e_phnum = 0;
  EXPECT_NE(open_error(f).find("count"), std::string::npos);
  f = make_elf();
  ehdr(f)->e_phoff = ~0ull - 8;
  EXPECT_NE(open_error(f).find("outside the file"), std::string::npos);
  f = make_elf();
  phdr(f, 1)->p_filesz = 0x3000;
  EXPECT_NE(open_error(f).find("larger than its memory size"), std::string::npos);
  f = make_elf();
  phdr(f, 1)->p_offset = ~0ull - 2;
  EXPECT_NE(open_error(f).find("past the end"), std::string::npos);
  f = make_elf();
  phdr(f, 1)->p_memsz = ~0ull - 0x10000;
  EXPECT_NE(open_error(f).find("absurd"), std::string::npos);
  f = make_elf();
  phdr(f, 1)->p_vaddr = 0x10040;
  phdr(f, 1)->p_offset = 0x40;
  EXPECT_NE(open_error(f).find("overlaps"), std::string::npos);
  f = make_elf();
  phdr(f, 1)->p_vaddr = 0x11001;
  EXPECT_NE(open_error(f).find("modulo the page size"), std::string::npos);
  f = make_elf();
  phdr(f, 0)->p_type = PT_NOTE;
  phdr(f, 1)->p_type = PT_NOTE;
  EXPECT_NE(open_error(f).find("no loadable segments"), std::string::npos);
  f = make_elf();
  phdr(f, 0)->p_type = PT_INTERP;  // not NUL-terminated inside the file range
  phdr(f, 0)->p_offset = 0x1000;
  phdr(f, 0)->p_filesz = 4;
  EXPECT_NE(open_error(f).find("PT_INTERP"), std::string::npos);
}

TEST(ElfLoad, RandomCorruptionNeverCrashes) {
  std::mt19937 rng(1234);
  auto good = make_elf();
  for (int i = 0; i < 3000; i++) {
    auto f = good;
    int flips = 1 + int(rng() % 8);
    for (int k = 0; k < flips; k++) f[rng() % 0x100] = uint8_t(rng());
    if (rng() % 4 == 0) f.resize(rng() % f.size());
    ElfFile e;
    std::string err;
    if (e.open_memory(f, err)) {
      (void)e.symbols();
    } else {
      EXPECT_FALSE(err.empty());
    }
  }
}

TEST(ElfLoad, MissingFileReportsErrno) {
  ElfFile e;
  std::string err;
  int en = 0;
  EXPECT_FALSE(e.open("/nonexistent/mimic/prog", err, &en));
  EXPECT_EQ(en, ENOENT);
}

TEST(ElfLoad, LoadsSegmentsWithPermissionsAndZeroedBss) {
  std::string err;
  auto mem = GuestMemory::create(err, uint64_t(1) << 32);
  ASSERT_TRUE(mem) << err;
  ElfFile e;
  ASSERT_TRUE(e.open_memory(make_elf(), err)) << err;
  LoadedElf out;
  ASSERT_TRUE(load_elf(*mem, e, 0, out, err)) << err;
  EXPECT_EQ(out.entry, 0x100b0u);
  EXPECT_EQ(out.end, 0x13000u);
  EXPECT_TRUE(mem->can_fetch(0x100b0, 4));
  EXPECT_FALSE(mem->access_ok(0x10000, 4, PageFlag::kWrite));
  EXPECT_TRUE(mem->access_ok(0x11000, 0x2000, PageFlag::kValid | PageFlag::kWrite));
  EXPECT_FALSE(mem->can_fetch(0x11000, 4));
  EXPECT_EQ(memcmp(mem->host(0x11000), "DATA", 4), 0);
  const uint8_t* bss = static_cast<const uint8_t*>(mem->host(0x11004));
  for (int i = 0; i < 0x1ffc; i++) ASSERT_EQ(bss[i], 0) << i;
  // Loading the same ET_EXEC again overlaps: a clear error, no crash.
  EXPECT_FALSE(load_elf(*mem, e, 0, out, err));
  EXPECT_NE(err.find("overlap"), std::string::npos);
}

// The resident set of this process, in bytes (/proc/self/statm's second field, in pages).
uint64_t resident_bytes() {
  FILE* f = fopen("/proc/self/statm", "r");
  unsigned long size = 0, resident = 0;
  if (f) {
    if (fscanf(f, "%lu %lu", &size, &resident) != 2) resident = 0;
    fclose(f);
  }
  return uint64_t(resident) * 4096;
}

// A tiny file declaring a 1 TiB bss costs what the kernel's loader costs: one mapping. The loader
// kept a std::map entry per page of it (3 GB within 10 s before it got anywhere). Whether the
// host grants 1 TiB of writable memory is its overcommit policy's choice (Linux's own loader
// fails such a file with SIGSEGV under the default heuristic): a refusal is a clear error.
TEST(ElfLoad, HugeBssCostsItsMappingsNotItsPages) {
  std::string err;
  auto mem = GuestMemory::create(err);
  ASSERT_TRUE(mem) << err;
  auto f = make_elf();
  phdr(f, 1)->p_memsz = uint64_t(1) << 40;
  ElfFile e;
  ASSERT_TRUE(e.open_memory(f, err)) << err;
  const uint64_t before = resident_bytes();
  LoadedElf out;
  if (load_elf(*mem, e, 0, out, err)) {
    EXPECT_EQ(out.end, 0x11000u + (uint64_t(1) << 40));
    EXPECT_TRUE(mem->access_ok(0x11000 + (uint64_t(1) << 40) - 8, 8, PageFlag::kValid | PageFlag::kWrite));
    EXPECT_FALSE(mem->access_ok(0x11000 + (uint64_t(1) << 40), 1, PageFlag::kValid));
    EXPECT_EQ(memcmp(mem->host(0x11000), "DATA", 4), 0);
  } else {
    EXPECT_EQ(err, "cannot map [0x10000, 0x10000011000) in the guest");
  }
  EXPECT_LT(resident_bytes() - before, uint64_t(64) << 20);
  // A bss the host grants: the two segments, one line each.
  phdr(f, 1)->p_memsz = uint64_t(1) << 32;
  ASSERT_TRUE(e.open_memory(f, err)) << err;
  auto small = GuestMemory::create(err);
  ASSERT_TRUE(small) << err;
  ASSERT_TRUE(load_elf(*small, e, 0, out, err)) << err;
  EXPECT_TRUE(small->access_ok(0x11000 + (uint64_t(1) << 32) - 8, 8, PageFlag::kValid | PageFlag::kWrite));
  const std::string maps = small->maps_text();
  EXPECT_EQ(std::count(maps.begin(), maps.end(), '\n'), 3) << maps;
  EXPECT_LT(resident_bytes() - before, uint64_t(64) << 20);
}

TEST(ElfLoad, StaticPieLoadsAtBase) {
  std::string err;
  auto mem = GuestMemory::create(err, uint64_t(1) << 32);
  ASSERT_TRUE(mem) << err;
  auto f = make_elf();
  ehdr(f)->e_type = ET_DYN;
  ElfFile e;
  ASSERT_TRUE(e.open_memory(f, err)) << err;
  LoadedElf out;
  ASSERT_TRUE(load_elf(*mem, e, 0x40000000, out, err)) << err;
  EXPECT_EQ(out.start, 0x40000000u);  // the image's lowest page goes at the base
  EXPECT_EQ(out.entry, 0x400000b0u);
  EXPECT_TRUE(mem->can_fetch(out.entry, 4));
}

TEST(ElfLoad, Symbolize) {
  std::vector<ElfSymbol> syms = {{0x1000, 0x20, "main"}, {0x1020, 0x10, "helper"}};
  EXPECT_EQ(symbolize(syms, 0x1014), "main+0x14");
  EXPECT_EQ(symbolize(syms, 0x1020), "helper");
  EXPECT_EQ(symbolize(syms, 0x10), "");
  EXPECT_STREQ(elf_machine_name(EM_X86_64), "x86-64");
}

}  // namespace
}  // namespace mimic::linux_user
