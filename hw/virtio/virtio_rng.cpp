#include "hw/virtio/virtio_rng.h"

#include <sys/random.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace mimic::hw {

namespace {
constexpr size_t kMaxPerRequest = 64 << 10;  // Linux asks for at most a page or so
}

VirtioRng::VirtioRng()
    : worker_(std::make_unique<QueueWorker>(transport_, 0,
                                            [this](const VirtqChain& c, const Virtqueue& q) { return serve(c, q); })) {}

VirtioRng::~VirtioRng() { worker_->stop(); }

void VirtioRng::read_config(uint64_t, void* buf, size_t len) { memset(buf, 0, len); }

uint32_t VirtioRng::serve(const VirtqChain& chain, const Virtqueue& queue) {
  size_t want = size_t(std::min<uint64_t>(chain.writable_bytes(), kMaxPerRequest));
  std::vector<uint8_t> bytes(want);
  size_t got = 0;
  while (got < want) {
    ssize_t n = getrandom(bytes.data() + got, want - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    got += size_t(n);
  }
  if (!queue.write_chain(chain, 0, bytes.data(), got)) return 0;
  return uint32_t(got);
}

}  // namespace mimic::hw
