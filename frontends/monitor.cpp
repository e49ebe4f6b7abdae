// The monitor's commands (qemu-system's spelling): info registers|mtree|tlb|status|snapshots, x, xp,
// stop, cont, system_reset, system_powerdown, savevm, loadvm, delvm, and mimic's snapshot save|load FILE.
#include <fmt/format.h>

#include <cstdlib>
#include <sstream>
#include <vector>

#include "frontends/system.h"

namespace mimic::frontends {

namespace {
// "/Nf" as x and xp take it: count and format (x hex words of 4 bytes, g 8 bytes, b bytes).
bool parse_format(const std::string& f, unsigned& count, char& unit, char& fmtc) {
  count = 1;
  unit = 'w';
  fmtc = 'x';
  size_t i = 1;
  if (i < f.size() && isdigit(uint8_t(f[i]))) {
    count = unsigned(std::strtoul(f.c_str() + i, nullptr, 10));
    while (i < f.size() && isdigit(uint8_t(f[i]))) ++i;
  }
  for (; i < f.size(); ++i) {
    char c = f[i];
    if (c == 'b' || c == 'h' || c == 'w' || c == 'g')
      unit = c;
    else if (c == 'x' || c == 'd' || c == 'u' || c == 'c')
      fmtc = c;
    else
      return false;
  }
  return count > 0 && count <= 4096;
}

std::string dump_memory(hw::Machine& m, bool physical, const std::vector<std::string>& words) {
  if (words.size() < 2) return fmt::format("{}: usage: {} /FMT ADDR\n", words[0], words[0]);
  unsigned count;
  char unit, fmtc;
  size_t arg = 1;
  if (words[1][0] == '/') {
    if (!parse_format(words[1], count, unit, fmtc)) return fmt::format("{}: bad format '{}'\n", words[0], words[1]);
    arg = 2;
  } else {
    count = 1, unit = 'w', fmtc = 'x';
  }
  if (arg >= words.size()) return fmt::format("{}: no address given\n", words[0]);
  char* end = nullptr;
  const uint64_t addr = std::strtoull(words[arg].c_str(), &end, 0);
  if (*end) return fmt::format("{}: bad address '{}'\n", words[0], words[arg]);
  const unsigned size = unit == 'b' ? 1 : unit == 'h' ? 2 : unit == 'w' ? 4 : 8;
  const unsigned per_line = 16 / size;
  std::string out;
  for (unsigned i = 0; i < count; ++i) {
    const uint64_t a = addr + uint64_t(i) * size;
    uint64_t v = 0;
    bool ok = physical ? m.read_phys(a, &v, size) : m.read_virt(0, a, &v, size);
    if (i % per_line == 0) out += fmt::format("{:016x}:", a);
    if (!ok) {
      out += fmt::format("\nCannot access memory at 0x{:x}\n", a);
      return out;
    }
    if (fmtc == 'x')
      out += fmt::format(" 0x{:0{}x}", v, size * 2);
    else if (fmtc == 'd')
      out += fmt::format(" {}", int64_t(v << (64 - 8 * size)) >> (64 - 8 * size));
    else if (fmtc == 'c')
      out += fmt::format(" '{}'", v >= 0x20 && v < 0x7f ? char(v) : '.');
    else
      out += fmt::format(" {}", v);
    if (i % per_line == per_line - 1 || i + 1 == count) out += '\n';
  }
  return out;
}
}  // namespace

std::string monitor_command(hw::Machine& m, const std::string& line, bool* quit) {
  std::istringstream in(line);
  std::vector<std::string> w;
  for (std::string s; in >> s;) w.push_back(s);
  if (w.empty()) return "";
  const std::string& c = w[0];
  if (c == "help" || c == "?")
    return "info registers   the CPUs' registers\n"
           "info cpus        each CPU's pc and whether it runs, sleeps in WFI (halted) or is paused\n"
           "info mtree       the physical memory map\n"
           "info tlb         the soft-MMU's cached translations\n"
           "x /FMT ADDR      virtual memory as CPU 0 sees it (FMT: count, b|h|w|g, x|d|u|c)\n"
           "xp /FMT ADDR     physical memory\n"
           "info status      running or paused\n"
           "stop, cont       pause and resume the machine\n"
           "system_reset     reset the machine (with -no-reboot: end mimic)\n"
           "system_powerdown press the power button (the guest shuts down)\n"
           "savevm [NAME]    snapshot the machine into its qcow2 disks (loadvm NAME, delvm NAME)\n"
           "info snapshots   the snapshots every writable disk has\n"
           "snapshot save FILE  snapshot the machine into a file (disks of any format; -loadvm-file)\n"
           "snapshot load FILE  go back to a snapshot file\n"
           "quit             end mimic\n";
  if (c == "info") {
    if (w.size() < 2) return "info: registers, cpus, mtree, tlb, status or snapshots\n";
    if (w[1] == "snapshots") return m.info_snapshots();
    if (w[1] == "status") return m.paused() ? "VM status: paused\n" : "VM status: running\n";
    if (w[1] == "registers") return m.info_registers();
    if (w[1] == "cpus") return m.info_cpus();
    if (w[1] == "mtree") return m.info_mtree();
    if (w[1] == "tlb") return m.info_tlb();
    return fmt::format("info {}: unknown (registers, cpus, mtree, tlb, status, snapshots)\n", w[1]);
  }
  if (c == "x") return dump_memory(m, false, w);
  if (c == "xp") return dump_memory(m, true, w);
  if (c == "stop") {
    m.pause();
    return "";
  }
  if (c == "cont" || c == "c") {
    m.resume();
    return "";
  }
  if (c == "system_reset") {
    m.system_reset();
    return "";
  }
  if (c == "system_powerdown") return m.system_powerdown();
  if (c == "savevm") return m.savevm(w.size() > 1 ? w[1] : "");
  if (c == "loadvm" || c == "delvm") {
    if (w.size() < 2) return fmt::format("{}: usage: {} NAME\n", c, c);
    return c == "loadvm" ? m.loadvm(w[1]) : m.delvm(w[1]);
  }
  if (c == "snapshot") {
    if (w.size() < 3 || (w[1] != "save" && w[1] != "load")) return "snapshot: usage: snapshot save|load FILE\n";
    return w[1] == "save" ? m.save_snapshot_file(w[2]) : m.load_snapshot_file(w[2]);
  }
  if (c == "quit" || c == "q") {
    *quit = true;
    return "";
  }
  return fmt::format("unknown command: '{}' (help lists them)\n", c);
}

}  // namespace mimic::frontends
