// Internal to hw/net: the backend constructors and the option helpers they share.
#pragma once

#include <initializer_list>
#include <memory>
#include <string>

#include "hw/net/net_backend.h"

namespace mimic::hw {

[[noreturn]] void netdev_error(const OptionList& o, const std::string& why);
bool parse_on_off(const OptionList& o, const std::string& key, bool fallback);
void check_netdev_keys(const OptionList& o, std::initializer_list<const char*> known);

std::unique_ptr<NetBackend> make_slirp_backend(const OptionList& netdev);
// socket (listen=, connect=, mcast=, udp=), stream and dgram: QEMU's framing, so that mimic and
// QEMU machines can share a network.
std::unique_ptr<NetBackend> make_socket_backend(const OptionList& netdev);
std::unique_ptr<NetBackend> make_tap_backend(const OptionList& netdev);

}  // namespace mimic::hw
