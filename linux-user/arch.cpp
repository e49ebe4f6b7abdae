// The table of guest architectures linux-user runs, keyed by ELF e_machine.
#include "linux-user/arch.h"

namespace mimic::linux_user {

extern const ArchInfo kRiscv64Arch;
extern const ArchInfo kAarch64Arch;
extern const ArchInfo kArmArch;

namespace {
// Adding an architecture is one line here plus its linux-user/<arch>/ folder.
const ArchInfo* const kArches[] = {&kRiscv64Arch, &kAarch64Arch, &kArmArch};
}  // namespace

const ArchInfo* find_arch(uint16_t e_machine) {
  for (const ArchInfo* a : kArches)
    if (a->e_machine == e_machine) return a;
  return nullptr;
}

}  // namespace mimic::linux_user
