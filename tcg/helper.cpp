// The process-wide helper registry behind tcg/helper.h.
#include "tcg/helper.h"

#include <deque>
#include <mutex>
#include <stdexcept>
#include <string>

namespace mimic::tcg {

namespace {
struct Registry {
  std::mutex mutex;
  std::deque<HelperInfo> helpers;  // deque: references stay valid while others register
};
Registry& registry() {
  static Registry r;
  return r;
}
}  // namespace

uint32_t register_helper(std::string_view name, HelperFn fn, uint32_t flags) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  r.helpers.push_back(HelperInfo{name, fn, flags});
  return uint32_t(r.helpers.size() - 1);
}

const HelperInfo& helper_info(uint32_t id) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  if (id >= r.helpers.size()) throw std::out_of_range("helper id " + std::to_string(id) + " is not registered");
  return r.helpers[id];
}

uint32_t num_helpers() {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  return uint32_t(r.helpers.size());
}

}  // namespace mimic::tcg
