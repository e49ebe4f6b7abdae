// Parsing `mimic system` options (qemu-system's spelling) into a hw::MachineConfig.
#include "frontends/system_cli.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>

#include "tcg/exec/options.h"

namespace mimic::frontends {

namespace {
// "a=1,b=2" after the first comma-separated item.
std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t p = s.find(sep, start);
    out.push_back(s.substr(start, p - start));
    if (p == std::string::npos) return out;
    start = p + 1;
  }
}

bool parse_uint(const std::string& s, uint64_t& v) {
  if (s.empty() || s[0] < '0' || s[0] > '9') return false;
  errno = 0;
  char* end = nullptr;
  v = std::strtoull(s.c_str(), &end, 0);
  return errno == 0 && *end == '\0';
}

// ---- devices: -drive, -device, -global (and the options mimic does not have yet) ----
// "driver,key=value,..." in QEMU's syntax (",," is a literal comma). With `implied_driver`, a
// first item without '=' is the driver (-device, -netdev); else every item is key=value.
bool parse_option_list(const std::string& option, const std::string& text, bool implied_driver, hw::OptionList& out,
                       std::string& error) {
  out = hw::OptionList{option, text, "", {}};
  std::vector<std::string> items(1);
  for (size_t i = 0; i < text.size(); i++) {
    if (text[i] == ',' && i + 1 < text.size() && text[i + 1] == ',') {
      items.back() += ',';
      i++;
    } else if (text[i] == ',') {
      items.emplace_back();
    } else {
      items.back() += text[i];
    }
  }
  for (size_t k = 0; k < items.size(); k++) {
    const std::string& item = items[k];
    size_t eq = item.find('=');
    if (k == 0 && implied_driver && eq == std::string::npos) {
      out.driver = item;
      continue;
    }
    if (eq == std::string::npos || eq == 0) {
      error = fmt::format("{} {}: '{}' is not KEY=VALUE", option, text, item);
      return false;
    }
    out.props.emplace_back(item.substr(0, eq), item.substr(eq + 1));
  }
  if (implied_driver && out.driver.empty()) {
    error = fmt::format("{} {}: the first item must name the device", option, text);
    return false;
  }
  return true;
}

// Returns 1 when `opt` is a device option (parsed into m.devices), 0 when it is not, -1 on error.
int parse_device_option(const std::string& opt, const std::string& v, hw::MachineConfig& m, std::string& error) {
  hw::OptionList o;
  if (opt == "-drive") {
    if (!parse_option_list(opt, v, false, o, error)) return -1;
    m.devices.drives.push_back(std::move(o));
  } else if (opt == "-device") {
    if (!parse_option_list(opt, v, true, o, error)) return -1;
    m.devices.devices.push_back(std::move(o));
  } else if (opt == "-global") {
    // DRIVER.PROP=VALUE
    size_t dot = v.find('.'), eq = v.find('=');
    if (dot == std::string::npos || eq == std::string::npos || dot > eq) {
      error = fmt::format("-global {}: expected DRIVER.PROPERTY=VALUE", v);
      return -1;
    }
    m.devices.globals.push_back({opt, v, v.substr(0, dot), {{v.substr(dot + 1, eq - dot - 1), v.substr(eq + 1)}}});
  } else if (opt == "-netdev" || opt == "-nic") {
    if (!parse_option_list(opt, v, true, o, error)) return -1;
    (opt == "-netdev" ? m.devices.netdevs : m.devices.nics).push_back(std::move(o));
  } else if (opt == "-chardev") {
    if (!parse_option_list(opt, v, true, o, error)) return -1;
    m.devices.chardevs.push_back(std::move(o));
  } else if (opt == "-fsdev") {
    if (!parse_option_list(opt, v, true, o, error)) return -1;
    m.devices.fsdevs.push_back(std::move(o));
  } else if (opt == "-virtfs") {
    // QEMU's shorthand: an -fsdev (id= or the mount tag) and its virtio-9p device in one.
    if (!parse_option_list(opt, v, true, o, error)) return -1;
    std::string tag = o.get("mount_tag");
    if (tag.empty()) {
      error = fmt::format("-virtfs {}: mount_tag= is missing (the name the guest mounts)", v);
      return -1;
    }
    std::string id = o.get("id", tag);
    hw::OptionList fsdev = o, device{opt, v, "virtio-9p-device", {{"fsdev", id}, {"mount_tag", tag}}};
    fsdev.props.clear();
    for (auto& kv : o.props)
      if (kv.first != "mount_tag" && kv.first != "id") fsdev.props.push_back(kv);
    fsdev.props.emplace_back("id", id);
    m.devices.fsdevs.push_back(std::move(fsdev));
    m.devices.devices.push_back(std::move(device));
  } else if (opt == "-net") {
    error = fmt::format("{} {}: not implemented in mimic yet{}", opt, v,
                        " (use -netdev TYPE,id=ID with -device virtio-net-device,netdev=ID, or -nic)");
    return -1;
  } else {
    return 0;
  }
  return 1;
}
}  // namespace

bool parse_ram_size(const std::string& text, uint64_t& bytes) {
  if (text.empty()) return false;
  std::string num = text;
  uint64_t unit = uint64_t(1) << 20;  // a bare number is MiB
  switch (text.back()) {
    case 'k':
    case 'K':
      unit = uint64_t(1) << 10;
      num.pop_back();
      break;
    case 'm':
    case 'M':
      unit = uint64_t(1) << 20;
      num.pop_back();
      break;
    case 'g':
    case 'G':
      unit = uint64_t(1) << 30;
      num.pop_back();
      break;
    case 't':
    case 'T':
      unit = uint64_t(1) << 40;
      num.pop_back();
      break;
    case 'b':
    case 'B':
      unit = 1;
      num.pop_back();
      break;
    default: break;
  }
  uint64_t n;
  if (!parse_uint(num, n) || n == 0 || n > (uint64_t(1) << 44) / unit) return false;
  bytes = n * unit;
  return true;
}

bool parse_gdb_device(const std::string& spec, std::string& host, int& port, std::string& error) {
  std::string rest = spec;
  host = "127.0.0.1";
  if (rest.rfind("tcp:", 0) == 0) {
    rest = rest.substr(4);
    const size_t colon = rest.rfind(':');
    if (colon == std::string::npos) {
      error = fmt::format("-gdb {}: expected tcp::PORT or tcp:HOST:PORT", spec);
      return false;
    }
    if (colon > 0) host = rest.substr(0, colon);
    rest = rest.substr(colon + 1);
  }
  uint64_t n;
  if (!parse_uint(rest, n) || n == 0 || n > 65535) {
    error = fmt::format("-gdb {}: mimic's stub takes tcp::PORT, tcp:HOST:PORT or PORT (1-65535)", spec);
    return false;
  }
  port = int(n);
  return true;
}

bool parse_system_options(const std::vector<std::string>& args, size_t start, SystemOptions& out, std::string& error) {
  hw::MachineConfig& m = out.machine;
  std::string serial, monitor;  // as given ("" when not), null spelled none
  auto value = [&](size_t& i, const std::string& opt, std::string& v) {
    if (i + 1 >= args.size()) {
      error = fmt::format("option '{}' needs an argument", opt);
      return false;
    }
    v = args[++i];
    return true;
  };
  for (size_t i = start; i < args.size(); ++i) {
    std::string opt = args[i];
    if (opt.size() > 2 && opt[0] == '-' && opt[1] == '-') opt = opt.substr(1);  // --kernel = -kernel
    std::string v;
    if (opt == "-M" || opt == "-machine") {
      if (!value(i, opt, v)) return false;
      auto parts = split(v, ',');
      for (size_t k = 0; k < parts.size(); ++k) {
        const std::string& p = parts[k];
        if (k == 0 && p.find('=') == std::string::npos) {
          if (p == "help" || p == "?") out.machine_help = true;
          m.machine = p;
        } else if (p.rfind("type=", 0) == 0) {
          m.machine = p.substr(5);
        } else if (p.rfind("dumpdtb=", 0) == 0) {
          m.dumpdtb = p.substr(8);
        } else {
          // The board's own properties (it names the unknown ones in its error).
          m.properties += (m.properties.empty() ? "" : ",") + p;
        }
      }
    } else if (opt == "-m") {
      if (!value(i, opt, v)) return false;
      std::string size = v;
      if (size.rfind("size=", 0) == 0) size = size.substr(5);
      size = split(size, ',')[0];
      if (!parse_ram_size(size, m.ram_bytes)) {
        error = fmt::format("-m {}: not a memory size (examples: 512, 512M, 2G)", v);
        return false;
      }
    } else if (opt == "-smp") {
      if (!value(i, opt, v)) return false;
      uint64_t n = 0;
      for (const std::string& p : split(v, ',')) {
        std::string x = p.rfind("cpus=", 0) == 0 ? p.substr(5) : p;
        if (p.find('=') != std::string::npos && p.rfind("cpus=", 0) != 0) continue;  // sockets=, cores=...
        if (!parse_uint(x, n)) {
          error = fmt::format("-smp {}: not a number of CPUs", v);
          return false;
        }
      }
      if (n == 0 || n > 512) {
        error = fmt::format("-smp {}: the number of CPUs must be 1 to 512", v);
        return false;
      }
      m.smp = unsigned(n);
    } else if (opt == "-cpu") {
      if (!value(i, opt, v)) return false;
      if (v == "help" || v == "?")
        out.cpu_help = true;
      else
        m.cpu = v;
    } else if (opt == "-bios") {
      if (!value(i, opt, v)) return false;
      m.bios = v;
    } else if (opt == "-kernel") {
      if (!value(i, opt, m.kernel)) return false;
    } else if (opt == "-initrd") {
      if (!value(i, opt, m.initrd)) return false;
    } else if (opt == "-append") {
      if (!value(i, opt, m.append)) return false;
    } else if (opt == "-dtb") {
      if (!value(i, opt, m.dtb)) return false;
    } else if (opt == "-nographic") {
      // mimic always runs as -nographic does.
    } else if (opt == "-display" || opt == "-vga") {
      if (!value(i, opt, v)) return false;
      if (v != "none") {
        error = fmt::format("{} {}: mimic has no display; use -nographic (or {} none)", opt, v, opt);
        return false;
      }
    } else if (opt == "-serial") {
      if (!value(i, opt, v)) return false;
      if (v == "mon:stdio" || v == "stdio" || v == "none" || v == "null") {
        serial = v == "null" ? "none" : v;
      } else {
        error = fmt::format("-serial {}: mimic supports mon:stdio, stdio and none", v);
        return false;
      }
    } else if (opt == "-monitor") {
      if (!value(i, opt, v)) return false;
      if (v == "none" || v == "null" || v == "stdio") {
        monitor = v == "null" ? "none" : v;
      } else {
        error = fmt::format("-monitor {}: mimic supports stdio and none", v);
        return false;
      }
    } else if (opt == "-no-reboot") {
      m.no_reboot = true;
    } else if (opt == "-accel") {
      if (!value(i, opt, v)) return false;
      auto parts = split(v, ',');
      if (parts[0] != "tcg") {
        error = fmt::format("-accel {}: mimic is its own accelerator; only 'tcg' is accepted", v);
        return false;
      }
      for (size_t k = 1; k < parts.size(); ++k) {
        if (parts[k] == "thread=single") {
          m.single_thread = true;
        } else if (parts[k] == "thread=multi") {
          m.single_thread = false;
        } else if (parts[k].rfind("tb-size=", 0) != 0) {
          error = fmt::format("-accel {}: unknown property '{}'", v, parts[k]);
          return false;
        }
      }
    } else if (opt == "-d") {
      if (!value(i, opt, v)) return false;
      std::string why;
      if (!tcg::parse_log_flags(v, m.log_flags, why)) {
        error = fmt::format("-d {}: {}", v, why);
        return false;
      }
    } else if (opt == "-D") {
      if (!value(i, opt, m.log_file)) return false;
    } else if (opt == "-interp") {
      m.interpreter = true;
    } else if (opt == "-device" && i + 1 < args.size() && (args[i + 1] == "help" || args[i + 1] == "?")) {
      out.device_help = true;
      ++i;
    } else if (opt == "-drive" || opt == "-device" || opt == "-global" || opt == "-netdev" || opt == "-nic" ||
               opt == "-net" || opt == "-virtfs" || opt == "-fsdev" || opt == "-chardev") {
      if (!value(i, opt, v) || parse_device_option(opt, v, m, error) < 0) return false;
    } else if (opt == "-s") {
      out.gdb_host = "127.0.0.1";
      out.gdb_port = 1234;
    } else if (opt == "-gdb") {
      if (!value(i, opt, v) || !parse_gdb_device(v, out.gdb_host, out.gdb_port, error)) return false;
    } else if (opt == "-S") {
      out.start_stopped = true;
    } else if (opt == "-loadvm") {
      if (!value(i, opt, out.loadvm)) return false;
    } else if (opt == "-loadvm-file") {
      if (!value(i, opt, out.loadvm_file)) return false;
    } else {
      error = fmt::format("unknown option '{}' (mimic system --help lists them)", args[i]);
      return false;
    }
  }
  if (m.machine.empty()) m.machine = "virt";
  // stdio's roles, as qemu-system -nographic gives them (StdioUse).
  if (monitor == "stdio" && serial != "none") {
    error =
        "-monitor stdio: stdio already carries the serial console; use -serial mon:stdio (Ctrl-a c switches "
        "to the monitor) or -serial none";
    return false;
  }
  if (serial == "none") {
    out.stdio = monitor == "none" ? StdioUse::kNothing : StdioUse::kMonitorOnly;
  } else if (serial == "stdio" || (serial.empty() && monitor == "none")) {
    out.stdio = StdioUse::kSerialOnly;
  } else {
    out.stdio = StdioUse::kSerialAndMonitor;  // mon:stdio: its monitor stays even with -monitor none
  }
  return true;
}

std::string system_usage_text() {
  return "System-mode options (qemu-system's spelling):\n"
         "  -M NAME[,dumpdtb=FILE]  machine (-M help lists them; default virt)\n"
         "  -m SIZE             RAM: 512, 512M, 2G (default 128M)\n"
         "  -smp N              number of harts, each on its own host thread\n"
         "  -accel tcg,thread=single  run every hart on one thread, round robin (reproducible)\n"
         "  -cpu NAME           CPU model\n"
         "  -bios FILE|default|none  firmware (default: Debian's OpenSBI fw_dynamic.bin)\n"
         "  -kernel FILE        Linux Image or ELF; -initrd FILE; -append CMDLINE; -dtb FILE\n"
         "  -nographic          serial console and monitor on stdio (the default)\n"
         "  -serial mon:stdio|stdio|none, -monitor stdio|none\n"
         "  -no-reboot          exit when the guest resets\n"
         "  -drive file=F[,format=raw][,if=virtio|none][,id=ID][,readonly=on][,cache=MODE][,discard=unmap]\n"
         "          [,snapshot=on][,locking=on|off|auto]\n"
         "  -device virtio-blk-device,drive=ID[,num-queues=N][,serial=S]   -device virtio-rng-device\n"
         "  -netdev user,id=ID[,hostfwd=tcp::HOSTPORT-:GUESTPORT][,restrict=on] | socket,id=ID,listen=:PORT|\n"
         "          connect=:PORT|mcast=GROUP:PORT | stream,... | dgram,... | tap,id=ID,ifname=NAME\n"
         "  -device virtio-net-device,netdev=ID[,mac=52:54:00:12:34:56]   -nic user[,hostfwd=...][,mac=...]\n"
         "  -device virtio-serial-device -device virtconsole,chardev=ID  (hvc0)\n"
         "  -chardev socket,id=ID,path=SOCK|host=H,port=P,server=on,wait=off | file,id=ID,path=F | null,id=ID\n"
         "  -virtfs local,path=DIR,mount_tag=TAG,security_model=passthrough|mapped-xattr|mapped-file|none\n"
         "          [,readonly=on][,id=ID]   = -fsdev local,id=ID,path=DIR,security_model=M[,readonly=on]\n"
         "          -device virtio-9p-device,fsdev=ID,mount_tag=TAG  (guest: mount -t 9p -o trans=virtio TAG /mnt)\n"
         "  -global virtio-mmio.force-legacy=on|off  virtio-mmio version 1 (QEMU's default) or 2\n"
         "  -device virtio-blk-pci|virtio-net-pci|virtio-rng-pci|virtio-serial-pci|virtio-9p-pci,...\n"
         "          [,addr=SLOT][,disable-legacy=on][,disable-modern=on][,vectors=N]\n"
         "          (if=virtio, -nic and -virtfs make the -pci devices, as QEMU; -device X-device: virtio-mmio)\n"
         "  system-aarch64: -drive if=pflash,format=raw,file=F,unit=0|1[,readonly=on] (64 MiB each)\n"
         "  -d ITEM[,ITEM...]   in_asm, op, op_opt, out_asm, exec, nochain, int, mmu, guest_errors, unimp\n"
         "  -D FILE             write -d output to FILE\n"
         "  -interp             run blocks in the IR interpreter (slow; for debugging)\n"
         "  -s                  gdb stub on 127.0.0.1:1234 (= -gdb tcp::1234)\n"
         "  -gdb tcp:[HOST]:PORT  gdb stub on HOST (default 127.0.0.1) and PORT\n"
         "  -S                  harts stay stopped at reset until gdb (or the monitor's cont) starts them\n"
         "  -loadvm NAME        start from snapshot NAME of the qcow2 disks (monitor savevm NAME)\n"
         "  -loadvm-file FILE   start from a snapshot file (monitor snapshot save FILE)\n"
         "  On the console: Ctrl-a x quits, Ctrl-a c switches between console and monitor,\n"
         "  Ctrl-a h lists the keys. Monitor: info registers|mtree|tlb, x /Nx ADDR, xp /Nx ADDR,\n"
         "  stop, cont, savevm|loadvm|delvm NAME, info snapshots, snapshot save FILE, quit.\n";
}

}  // namespace mimic::frontends
