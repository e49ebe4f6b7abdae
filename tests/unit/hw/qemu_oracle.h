// Test helper: asks qemu-system-riscv64 (the oracle; mimic never calls it) what a guest reads at
// physical addresses of a freshly reset `virt` machine, through its monitor's `xp`.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace mimic::hw::test {

inline std::string run_command(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

inline bool have_qemu_system() { return system("qemu-system-riscv64 --version >/dev/null 2>&1") == 0; }

struct XpRead {
  uint64_t addr;
  unsigned size;  // 1, 2, 4, 8
};

// One value per read; nullopt where QEMU answered "Cannot access memory". Empty when qemu did
// not run.
inline std::vector<std::optional<uint64_t>> qemu_xp(const std::vector<XpRead>& reads, const std::string& args = "") {
  std::string script;
  for (auto& r : reads) {
    const char* unit = r.size == 1 ? "b" : r.size == 2 ? "h" : r.size == 4 ? "w" : "g";
    script += fmt::format("xp /1{}x {:#x}\n", unit, r.addr);
  }
  script += "quit\n";
  std::string cmd = fmt::format(
      "printf '{}' | timeout 20 qemu-system-riscv64 -M virt -S -display none -monitor stdio -serial null {} 2>&1",
      script, args);
  std::string out = run_command(cmd);
  std::vector<std::optional<uint64_t>> values;
  size_t pos = 0;
  for (auto& r : reads) {
    std::string key = fmt::format("{:016x}:", r.addr);
    pos = out.find(key, pos);
    if (pos == std::string::npos) return {};
    size_t eol = out.find('\n', pos);
    std::string line = out.substr(pos + key.size(), eol - pos - key.size());
    if (line.find("Cannot access") != std::string::npos)
      values.push_back(std::nullopt);
    else
      values.push_back(std::stoull(line, nullptr, 16));
    pos = eol;
  }
  return values;
}

}  // namespace mimic::hw::test
