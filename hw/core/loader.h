// Loading firmware, kernels and initial RAM disks into guest memory as QEMU's loaders do (ELF by
// its program headers, raw images at an address), checking every input against the file and
// the RAM it must land in. Errors are MachineError naming the option, the file and the problem.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hw/core/memory.h"

namespace mimic::hw {

// A blob placed in guest memory; the board keeps them to reload at reset (QEMU's ROM blobs).
struct LoadedBlob {
  std::string name;  // "-bios FILE", "-kernel FILE", "fdt"...
  uint64_t addr = 0;
  std::vector<uint8_t> data;
  uint64_t mem_size = 0;  // >= data.size(): the rest is zeroed (ELF .bss)
};

class ImageLoader {
 public:
  // Images must lie inside [ram_base, ram_base + ram_size).
  ImageLoader(AddressSpace& memory, uint64_t ram_base, uint64_t ram_size);

  struct ElfInfo {
    uint64_t entry = 0, low = 0, high = 0;  // e_entry; lowest and one past the highest address
  };
  // True when the file starts with the ELF magic (then load_elf must accept or reject it).
  static bool is_elf(const std::vector<uint8_t>& file);
  // Loads every PT_LOAD segment at its physical address (p_paddr, as QEMU's load_elf does).
  // `machine`: the e_machine the board runs (EM_RISCV 243 by default, EM_AARCH64 183).
  ElfInfo load_elf(const std::string& what, const std::vector<uint8_t>& file, unsigned machine = 243);
  void load_raw(const std::string& what, const std::vector<uint8_t>& data, uint64_t addr, uint64_t mem_size = 0);

  // Writes every blob into memory (at load time and again at reset).
  void write_all();
  const std::vector<LoadedBlob>& blobs() const { return blobs_; }

 private:
  void add(LoadedBlob blob);
  AddressSpace& memory_;
  uint64_t ram_base_, ram_end_;
  std::vector<LoadedBlob> blobs_;
};

// Reads a whole input file; `what` is the option ("-kernel"), named in errors.
std::vector<uint8_t> read_input_file(const std::string& what, const std::string& path);

// The Linux RISC-V Image header (Documentation/riscv/boot-image-header.rst).
struct LinuxImageHeader {
  uint64_t text_offset = 0, image_size = 0, flags = 0;
  uint32_t version = 0;
};
// True and fills `out` when `file` carries the "RSC\x05" magic at 0x38.
bool parse_linux_image(const std::vector<uint8_t>& file, LinuxImageHeader* out);

}  // namespace mimic::hw
