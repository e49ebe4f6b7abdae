// -netdev user in a static mimic (-Dstatic=true): Debian ships libslirp and glib only as shared
// libraries, so that build has no user networking and says so instead of failing to link.
#include "hw/net/net_backends.h"

namespace mimic::hw {

std::unique_ptr<NetBackend> make_slirp_backend(const OptionList& netdev) {
  netdev_error(netdev,
               "user networking (libslirp) is not in this static mimic (-Dstatic=true: Debian ships no static "
               "libslirp); use a shared build of mimic, or -netdev tap, socket, stream or dgram");
}

}  // namespace mimic::hw
