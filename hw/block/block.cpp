// The format-independent half of the block layer: zero writes for drivers without a cheaper way,
// and open_image(), which picks the driver.
#include "hw/block/block.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

namespace mimic::hw::block {

int BlockImage::write_zeroes(uint64_t offset, uint64_t len, bool may_unmap) {
  static const std::vector<uint8_t> zeroes(1 << 20);
  while (len > 0) {
    size_t chunk = static_cast<size_t>(std::min<uint64_t>(len, zeroes.size()));
    if (int r = write(offset, zeroes.data(), chunk); r < 0) return r;
    offset += chunk;
    len -= chunk;
  }
  return 0;
}

std::unique_ptr<BlockImage> open_image(const std::string& path, const OpenOptions& options, std::string& error) {
  if (!options.format.empty() && options.format != "raw") {
    error = path + ": unknown image format '" + options.format + "'";
    return nullptr;
  }
  int flags = (options.read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC | (options.direct ? O_DIRECT : 0);
  int fd = ::open(path.c_str(), flags);
  if (fd < 0) {
    error = path + ": " + std::strerror(errno);
    return nullptr;
  }
  return open_raw(fd, path, options.read_only, error);
}

}  // namespace mimic::hw::block
