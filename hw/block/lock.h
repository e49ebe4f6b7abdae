// Image locking as QEMU does it, so that a qemu-system and a mimic using one image exclude each
// other both ways: open-file-description byte-range locks on the image file, one byte per
// permission at 100 + bit (held) and 200 + bit (not shared with others). Bits as QEMU 7.2's
// BLK_PERM_*: consistent read 0, write 1, write unchanged 2, resize 3.
#pragma once

#include <string>

namespace mimic::hw::block {

// A writer holds every permission and shares only reads; a reader holds consistent read and
// refuses to share write (as qemu-img info and a read-only -drive do). 0, or -errno with `error`
// naming the image and the permission another process holds.
int lock_image(int fd, const std::string& path, bool writable, std::string& error);

}  // namespace mimic::hw::block
