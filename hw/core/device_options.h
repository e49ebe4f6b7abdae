// The devices the command line asked for (-drive, -device, -global), as parsed option lists: the
// board gives them to the device factories, which check them and report errors naming the option.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace mimic::hw {

// One "-OPTION driver,key=value,..." as typed: `driver` is the first item (may be empty for
// -drive), `props` the key=value pairs in order, `text` the whole argument for messages.
struct OptionList {
  std::string option;  // "-device", "-drive", ...
  std::string text;
  std::string driver;
  std::vector<std::pair<std::string, std::string>> props;
  // The value of `key`, or `fallback`.
  std::string get(const std::string& key, const std::string& fallback = "") const {
    for (auto& [k, v] : props)
      if (k == key) return v;
    return fallback;
  }
  bool has(const std::string& key) const {
    for (auto& kv : props)
      if (kv.first == key) return true;
    return false;
  }
};

struct DeviceOptions {
  std::vector<OptionList> drives;    // -drive
  std::vector<OptionList> devices;   // -device, in command-line order
  std::vector<OptionList> globals;   // -global DRIVER.PROP=VALUE, as driver "DRIVER", props {PROP, VALUE}
  std::vector<OptionList> netdevs;   // -netdev TYPE,id=...
  std::vector<OptionList> nics;      // -nic TYPE,...: a netdev and its NIC in one
  std::vector<OptionList> chardevs;  // -chardev TYPE,id=...
  std::vector<OptionList> fsdevs;    // -fsdev local,id=...; each -virtfs is one and its -device too
};

}  // namespace mimic::hw
