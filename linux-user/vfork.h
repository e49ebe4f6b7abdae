// vfork's shared address space, for a child that is a forked copy: what the child changes (its
// memory writes and its own mmap, munmap, mprotect, mremap and brk) reaches the waiting parent
// when the child execs or exits.
#pragma once

#include <cstdint>
#include <string>

namespace mimic::linux_user {

class GuestMemory;
struct Process;

// A mapping call the vfork child made, as the parent replays it.
struct VforkMapOp {
  enum Kind : uint32_t { kMmap = 1, kMunmap, kMprotect, kMremap, kBrk };
  Kind kind;
  int32_t prot = 0, flags = 0;
  uint64_t addr = 0, len = 0, new_len = 0;
  uint64_t result = 0;  // mmap's and mremap's address, brk's new break
  uint64_t offset = 0;  // mmap of a file
  std::string path;     // mmap of a file: its host path (the parent opens it), else empty
};

// In the vfork child, after a successful mapping call (`host_fd`: mmap's file): remembered for the
// parent, and the pages it made writable are logged on their first write. Does nothing outside a
// vfork child.
void note_vfork_mapping(Process& proc, VforkMapOp op, int host_fd = -1);

// In the child, at each exec attempt and at exit: the mapping calls not sent yet, then the pages
// written (and the whole of the mappings the parent cannot rebuild from its own pages: shared
// anonymous ones the child made, private ones it moved) go to the parent.
void send_vfork_writes(Process& proc);

// In the parent, until the child execs or exits: replays what send_vfork_writes sent on `fd`.
// `report` prints what cannot be rebuilt (-d unimp).
void receive_vfork_writes(GuestMemory& mem, int fd, bool report);

}  // namespace mimic::linux_user
