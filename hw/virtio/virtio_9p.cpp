#include "hw/virtio/virtio_9p.h"

#include <fmt/format.h>

#include <cstring>
#include <vector>

namespace mimic::hw {

namespace {
constexpr uint64_t kFMountTag = 1;  // VIRTIO_9P_MOUNT_TAG
// A request larger than the largest msize plus its header cannot be valid; it is not read.
constexpr uint64_t kMaxRequest = fs::P9Server::kMaxMsize + 4096;
constexpr size_t kMinReply = 11;  // an Rlerror
}  // namespace

Virtio9p::Virtio9p(std::unique_ptr<fs::P9Server> server, std::string mount_tag)
    : server_(std::move(server)),
      tag_(std::move(mount_tag)),
      worker_(std::make_unique<QueueWorker>(transport_, 0,
                                            [this](const VirtqChain& c, const Virtqueue& q) { return serve(c, q); })) {}

Virtio9p::~Virtio9p() { worker_->stop(); }

uint64_t Virtio9p::device_features() const { return kFMountTag | virtio::kFRingIndirectDesc | virtio::kFRingEventIdx; }

void Virtio9p::read_config(uint64_t offset, void* buf, size_t len) {
  // struct virtio_9p_config: le16 tag_len, then the tag (not NUL-terminated).
  std::vector<uint8_t> b(2 + tag_.size());
  b[0] = uint8_t(tag_.size());
  b[1] = uint8_t(tag_.size() >> 8);
  memcpy(b.data() + 2, tag_.data(), tag_.size());
  for (size_t i = 0; i < len; i++) static_cast<uint8_t*>(buf)[i] = offset + i < b.size() ? b[offset + i] : 0;
}

void Virtio9p::reset() {
  worker_->reset();
  server_->reset();
}

void Virtio9p::snapshot_state(StateIo& io) {
  if (io.loading()) server_->reset();
}

std::string Virtio9p::snapshot_blocker() const {
  if (!server_->mounted()) return {};
  // QEMU 7.2's words (hw/9pfs), checked with qemu-system-riscv64.
  return fmt::format("Migration is disabled when VirtFS export path '{}' is mounted in the guest using mount_tag '{}'",
                     server_->path(), tag_);
}

uint32_t Virtio9p::serve(const VirtqChain& chain, const Virtqueue& queue) {
  uint64_t readable = chain.readable_bytes(), writable = chain.writable_bytes();
  if (readable < 7 || writable < kMinReply) {
    transport_->device_error("virtio-9p request without a 9P header or room for a reply");
    return 0;
  }
  std::vector<uint8_t> request(size_t(std::min(readable, kMaxRequest)));
  if (!queue.read_chain(chain, 0, request.data(), request.size())) return 0;
  std::vector<uint8_t> reply;
  server_->handle(request.data(), request.size(), size_t(std::min<uint64_t>(writable, UINT32_MAX)), reply);
  if (!queue.write_chain(chain, 0, reply.data(), reply.size())) return 0;
  return uint32_t(reply.size());
}

}  // namespace mimic::hw
