#include "hw/net/net_backends.h"

#include <fmt/format.h>

#include "hw/core/machine.h"

namespace mimic::hw {

void netdev_error(const OptionList& o, const std::string& why) {
  throw MachineError(fmt::format("{} {}: {}", o.option, o.text, why));
}

bool parse_on_off(const OptionList& o, const std::string& key, bool fallback) {
  if (!o.has(key)) return fallback;
  std::string v = o.get(key);
  if (v == "on" || v == "true" || v == "yes") return true;
  if (v == "off" || v == "false" || v == "no") return false;
  netdev_error(o, fmt::format("{}={}: expected on or off", key, v));
}

void check_netdev_keys(const OptionList& o, std::initializer_list<const char*> known) {
  for (auto& kv : o.props) {
    bool ok = false;
    for (const char* k : known) ok |= kv.first == k;
    if (!ok) netdev_error(o, fmt::format("unknown property '{}' for -netdev {}", kv.first, o.driver));
  }
}

std::unique_ptr<NetBackend> make_net_backend(const OptionList& netdev) {
  if (netdev.get("id").empty()) netdev_error(netdev, "id= is missing");
  if (netdev.driver == "user") return make_slirp_backend(netdev);
  if (netdev.driver == "socket" || netdev.driver == "stream" || netdev.driver == "dgram")
    return make_socket_backend(netdev);
  if (netdev.driver == "tap") return make_tap_backend(netdev);
  netdev_error(netdev, fmt::format("unknown network backend '{}' (mimic has user, socket, stream, dgram and tap)",
                                   netdev.driver));
}

}  // namespace mimic::hw
