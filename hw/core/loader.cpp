// ELF and raw image loading with full validation of the ELF headers against the file and RAM.
#include "hw/core/loader.h"

#include <elf.h>
#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "hw/core/machine.h"

namespace mimic::hw {

// Larger than any RAM a board maps here; bounds the read of a wrong file (a disk image...).
constexpr uint64_t kMaxInputFile = uint64_t(4) << 30;

std::vector<uint8_t> read_input_file(const std::string& what, const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw MachineError(fmt::format("{} {}: cannot open: {}", what, path, strerror(errno)));
  std::streamoff size = in.tellg();
  if (size < 0) throw MachineError(fmt::format("{} {}: cannot read (not a regular file?)", what, path));
  if (uint64_t(size) > kMaxInputFile) throw MachineError(fmt::format("{} {}: {} bytes is too large", what, path, size));
  std::vector<uint8_t> data(static_cast<size_t>(size));
  in.seekg(0);
  if (size > 0 && !in.read(reinterpret_cast<char*>(data.data()), size))
    throw MachineError(fmt::format("{} {}: read error", what, path));
  return data;
}

bool parse_linux_image(const std::vector<uint8_t>& file, LinuxImageHeader* out) {
  if (file.size() < 0x40 || memcmp(file.data() + 0x38, "RSC\x05", 4) != 0) return false;
  auto u64 = [&](size_t off) {
    uint64_t v;
    memcpy(&v, file.data() + off, 8);
    return v;
  };
  out->text_offset = u64(0x08);
  out->image_size = u64(0x10);
  out->flags = u64(0x18);
  memcpy(&out->version, file.data() + 0x20, 4);
  return true;
}

ImageLoader::ImageLoader(AddressSpace& memory, uint64_t ram_base, uint64_t ram_size)
    : memory_(memory), ram_base_(ram_base), ram_end_(ram_base + ram_size) {}

bool ImageLoader::is_elf(const std::vector<uint8_t>& file) {
  return file.size() >= SELFMAG && memcmp(file.data(), ELFMAG, SELFMAG) == 0;
}

void ImageLoader::add(LoadedBlob blob) {
  uint64_t size = std::max<uint64_t>(blob.mem_size, blob.data.size());
  blob.mem_size = size;
  if (size == 0) return;
  if (blob.addr < ram_base_ || blob.addr >= ram_end_ || size > ram_end_ - blob.addr)
    throw MachineError(fmt::format("{}: {:#x} bytes at {:#x} do not fit in RAM [{:#x}, {:#x}) (raise -m?)", blob.name,
                                   size, blob.addr, ram_base_, ram_end_));
  for (const LoadedBlob& b : blobs_)
    if (blob.addr < b.addr + b.mem_size && b.addr < blob.addr + size)
      throw MachineError(fmt::format("{} at [{:#x}, {:#x}) overlaps {} at [{:#x}, {:#x})", blob.name, blob.addr,
                                     blob.addr + size, b.name, b.addr, b.addr + b.mem_size));
  blobs_.push_back(std::move(blob));
}

void ImageLoader::load_raw(const std::string& what, const std::vector<uint8_t>& data, uint64_t addr,
                           uint64_t mem_size) {
  if (data.empty()) throw MachineError(fmt::format("{}: the file is empty", what));
  add(LoadedBlob{what, addr, data, mem_size});
}

ImageLoader::ElfInfo ImageLoader::load_elf(const std::string& what, const std::vector<uint8_t>& file,
                                           unsigned machine) {
  auto fail = [&](const std::string& why) { return MachineError(fmt::format("{}: bad ELF file: {}", what, why)); };
  if (file.size() < sizeof(Elf64_Ehdr)) throw fail(fmt::format("{} bytes is shorter than the ELF header", file.size()));
  const char* arch = machine == EM_AARCH64 ? "AArch64" : "RISC-V";
  if (file[EI_CLASS] != ELFCLASS64) throw fail(fmt::format("not a 64-bit ELF (this machine is 64-bit {})", arch));
  if (file[EI_DATA] != ELFDATA2LSB) throw fail("not little-endian");
  Elf64_Ehdr eh;
  memcpy(&eh, file.data(), sizeof eh);
  if (eh.e_machine != machine) throw fail(fmt::format("machine {} is not {} ({})", eh.e_machine, arch, machine));
  if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) throw fail(fmt::format("type {} is not an executable", eh.e_type));
  if (eh.e_phnum == 0) throw fail("no program headers");
  if (eh.e_phentsize != sizeof(Elf64_Phdr))
    throw fail(fmt::format("program header size {} (expected {})", eh.e_phentsize, sizeof(Elf64_Phdr)));
  if (eh.e_phoff > file.size() || uint64_t(eh.e_phnum) * sizeof(Elf64_Phdr) > file.size() - eh.e_phoff)
    throw fail(fmt::format("{} program headers at offset {:#x} run past the end of the file ({} bytes)", eh.e_phnum,
                           eh.e_phoff, file.size()));
  ElfInfo info;
  info.entry = eh.e_entry;
  info.low = ~uint64_t(0);
  std::vector<LoadedBlob> segs;
  for (unsigned i = 0; i < eh.e_phnum; i++) {
    Elf64_Phdr ph;
    memcpy(&ph, file.data() + eh.e_phoff + i * sizeof ph, sizeof ph);
    if (ph.p_type != PT_LOAD || ph.p_memsz == 0) continue;
    if (ph.p_filesz > ph.p_memsz)
      throw fail(fmt::format("segment {}: file size {:#x} larger than memory size {:#x}", i, ph.p_filesz, ph.p_memsz));
    if (ph.p_offset > file.size() || ph.p_filesz > file.size() - ph.p_offset)
      throw fail(fmt::format("segment {}: bytes [{:#x}, {:#x}) past the end of the file ({} bytes): truncated?", i,
                             ph.p_offset, ph.p_offset + ph.p_filesz, file.size()));
    if (ph.p_paddr + ph.p_memsz < ph.p_paddr) throw fail(fmt::format("segment {}: wraps around the address space", i));
    if (ph.p_paddr < ram_base_ || ph.p_paddr + ph.p_memsz > ram_end_)
      throw fail(fmt::format("segment {} at [{:#x}, {:#x}) is outside RAM [{:#x}, {:#x})", i, ph.p_paddr,
                             ph.p_paddr + ph.p_memsz, ram_base_, ram_end_));
    LoadedBlob b{fmt::format("{} segment {}", what, i), ph.p_paddr,
                 std::vector<uint8_t>(file.begin() + long(ph.p_offset), file.begin() + long(ph.p_offset + ph.p_filesz)),
                 ph.p_memsz};
    info.low = std::min<uint64_t>(info.low, ph.p_paddr);
    info.high = std::max<uint64_t>(info.high, ph.p_paddr + ph.p_memsz);
    segs.push_back(std::move(b));
  }
  if (segs.empty()) throw fail("no loadable segment");
  for (auto& s : segs) add(std::move(s));
  return info;
}

void ImageLoader::write_all() {
  for (const LoadedBlob& b : blobs_) {
    bool ok = memory_.write(b.addr, b.data.data(), b.data.size());
    if (ok && b.mem_size > b.data.size()) {
      std::vector<uint8_t> zeros(b.mem_size - b.data.size());
      ok = memory_.write(b.addr + b.data.size(), zeros.data(), zeros.size());
    }
    if (!ok) throw MachineError(fmt::format("{}: cannot write at {:#x}: no memory there", b.name, b.addr));
  }
}

}  // namespace mimic::hw
