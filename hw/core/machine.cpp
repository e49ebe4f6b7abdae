// The machine registry behind -M NAME and -M help.
#include "hw/core/machine.h"

#include <fmt/format.h>

#include <algorithm>
#include <mutex>

namespace mimic::hw {

namespace {
struct Registry {
  std::mutex mutex;
  std::vector<std::unique_ptr<MachineType>> types;
};
Registry& registry() {
  static Registry r;
  return r;
}
}  // namespace

void register_machine(MachineType type) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  for (auto& t : r.types)
    if (t->name == type.name && t->arch == type.arch) {
      *t = std::move(type);
      return;
    }
  r.types.push_back(std::make_unique<MachineType>(std::move(type)));
}

const MachineType* find_machine(const std::string& name, const std::string& arch) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  for (auto& t : r.types)
    if (t->name == name && t->arch == arch) return t.get();
  return nullptr;
}

std::vector<const MachineType*> machine_types(const std::string& arch) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  std::vector<const MachineType*> out;
  for (auto& t : r.types)
    if (t->arch == arch) out.push_back(t.get());
  std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->name < b->name; });
  return out;
}

std::string machine_help(const std::string& arch) {
  std::string out = "Supported machines are:\n";
  for (const MachineType* t : machine_types(arch))
    out += fmt::format("{:<20} {}{}\n", t->name, t->description, t->is_default ? " (default)" : "");
  return out;
}

}  // namespace mimic::hw
