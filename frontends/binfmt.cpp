// binfmt_misc registration (see binfmt.h). The kernel interface: Documentation/admin-guide/
// binfmt-misc.rst — write ":name:type:offset:magic:mask:interpreter:flags" to `register`, write
// -1 to an entry's file to remove it, read the file to see its state.
#include "frontends/binfmt.h"

#include <dirent.h>
#include <fmt/format.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace mimic::frontends {

const std::vector<BinfmtArch>& binfmt_arches() {
  static const std::vector<BinfmtArch> arches = {{"aarch64", 183}, {"arm", 40}, {"riscv64", 243}};
  return arches;
}

const BinfmtArch* find_binfmt_arch(const std::string& name) {
  for (const BinfmtArch& a : binfmt_arches())
    if (name == a.name) return &a;
  return nullptr;
}

namespace {
std::string hex_bytes(const std::vector<uint8_t>& bytes) {
  std::string s;
  for (uint8_t b : bytes) s += fmt::format("\\x{:02x}", b);
  return s;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Writes `text` to a binfmt_misc control file in one write(2), as the kernel expects.
bool write_control(const std::string& path, const std::string& text, std::string& error) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (!f) {
    error = fmt::format("cannot open {}: {}", path, std::strerror(errno));
    return false;
  }
  std::setvbuf(f, nullptr, _IONBF, 0);
  const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  const int e = errno;
  std::fclose(f);
  if (!ok) error = fmt::format("writing to {} failed: {}", path, std::strerror(e));
  return ok;
}

// binfmt_misc is mounted at `dir` (mounting it when we may: root on a host without systemd's
// proc-sys-fs-binfmt_misc.automount).
bool ensure_mounted(const std::string& dir, bool may_mount, std::string& error) {
  if (access((dir + "/register").c_str(), F_OK) == 0) return true;
  if (may_mount && mount("binfmt_misc", dir.c_str(), "binfmt_misc", 0, nullptr) == 0) return true;
  error =
      fmt::format("binfmt_misc is not mounted at {} (mount it with: mount -t binfmt_misc binfmt_misc {})", dir, dir);
  return false;
}

std::vector<const BinfmtArch*> selected(const BinfmtOptions& o, std::string& error) {
  std::vector<const BinfmtArch*> out;
  if (o.arches.empty())
    for (const BinfmtArch& a : binfmt_arches()) out.push_back(&a);
  for (const std::string& name : o.arches) {
    const BinfmtArch* a = find_binfmt_arch(name);
    if (!a) {
      error = fmt::format("unknown architecture '{}' (mimic runs aarch64, arm and riscv64 programs)", name);
      return {};
    }
    out.push_back(a);
  }
  return out;
}

std::string this_executable() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return {};
  return std::string(buf, size_t(n));
}

// The "interpreter" and "flags" lines of an entry's state file.
std::string field(const std::string& state, const char* key) {
  std::istringstream in(state);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(key, 0) == 0) return line.substr(std::strlen(key));
  return {};
}
// Other entries for the same programs (qemu-user-binfmt's, say): the kernel tries the most
// recently registered entry first.
void report_competitors(const std::string& dir, const std::string& ours, const std::string& magic) {
  DIR* d = opendir(dir.c_str());
  if (!d || magic.empty()) {
    if (d) closedir(d);
    return;
  }
  while (dirent* e = readdir(d)) {
    const std::string name = e->d_name;
    if (name == "." || name == ".." || name == "register" || name == "status" || name == ours) continue;
    const std::string state = read_file(dir + "/" + name);
    if (field(state, "magic ") == magic)
      std::printf(
          "  also registered for these programs: %s (interpreter %s); the most recently registered entry wins\n",
          name.c_str(), field(state, "interpreter ").c_str());
  }
  closedir(d);
}
}  // namespace

std::string binfmt_registration(const std::string& entry_name, uint16_t machine, const std::string& interpreter,
                                bool credentials) {
  // e_ident: ELFMAG, ELFCLASS64 (ELFCLASS32 for EM_ARM, the one 32-bit guest), ELFDATA2LSB,
  // EV_CURRENT, OS/ABI (masked out), ABI version and padding; then e_type (2 or 3: the mask's
  // 0xfe) and e_machine.
  const uint8_t elf_class = machine == 40 ? 1 : 2;
  std::vector<uint8_t> magic = {0x7f,
                                'E',
                                'L',
                                'F',
                                elf_class,
                                1,
                                1,
                                0,
                                0,
                                0,
                                0,
                                0,
                                0,
                                0,
                                0,
                                0,
                                2,
                                0,
                                uint8_t(machine & 0xff),
                                uint8_t(machine >> 8)};
  std::vector<uint8_t> mask(magic.size(), 0xff);
  mask[7] = 0x00;
  mask[16] = 0xfe;
  return fmt::format(":{}:M::{}:{}:{}:{}", entry_name, hex_bytes(magic), hex_bytes(mask), interpreter,
                     credentials ? "POCF" : "POF");
}

int run_binfmt(const BinfmtOptions& o) {
  std::string error;
  auto fail = [&](const std::string& what) {
    std::fprintf(stderr, "mimic binfmt: %s\n", what.c_str());
    return 1;
  };
  std::vector<const BinfmtArch*> arches = selected(o, error);
  if (arches.empty()) return fail(error);

  if (o.action == BinfmtAction::kInstall) {
    std::string interp = o.interpreter.empty() ? this_executable() : o.interpreter;
    if (interp.empty()) return fail("cannot find the path of the mimic executable");
    if (interp.find(':') != std::string::npos) return fail(fmt::format("the interpreter path {} contains ':'", interp));
    auto line_for = [&](const BinfmtArch* a) {
      return binfmt_registration(fmt::format("{}-{}", o.prefix, a->name), a->machine, interp, o.credentials);
    };
    if (o.dry_run) {
      for (const BinfmtArch* a : arches) std::printf("%s\n", line_for(a).c_str());
      return 0;
    }
    // Mount only at the standard place: a binfmt_misc mount elsewhere is the same global table.
    const bool may_mount = o.dir == kBinfmtMiscDir;
    if (!ensure_mounted(o.dir, may_mount, error) || access((o.dir + "/register").c_str(), W_OK) != 0) {
      // Not ours to change (no root, a container): say what to register instead.
      if (error.empty()) error = fmt::format("{}/register is not writable here (registering needs root)", o.dir);
      std::fprintf(stderr, "mimic binfmt: %s; as root, register these lines:\n", error.c_str());
      for (const BinfmtArch* a : arches) std::printf("echo '%s' > %s/register\n", line_for(a).c_str(), o.dir.c_str());
      return 1;
    }
    for (const BinfmtArch* a : arches) {
      const std::string name = fmt::format("{}-{}", o.prefix, a->name);
      const std::string line = line_for(a);
      const std::string entry = o.dir + "/" + name;
      if (access(entry.c_str(), F_OK) == 0 && !write_control(entry, "-1", error)) return fail(error);  // re-install
      if (!write_control(o.dir + "/register", line, error))
        return fail(error + (errno == EPERM || errno == EACCES ? " (registering needs root)" : ""));
      std::printf("%s: %s programs now run with %s\n", name.c_str(), a->name, interp.c_str());
    }
    return 0;
  }

  if (!ensure_mounted(o.dir, false, error)) {
    if (o.action == BinfmtAction::kUninstall) return fail(error);
    std::printf("binfmt_misc is not mounted at %s: nothing is registered\n", o.dir.c_str());
    return 0;
  }
  int status = 0;
  for (const BinfmtArch* a : arches) {
    const std::string name = fmt::format("{}-{}", o.prefix, a->name);
    const std::string entry = o.dir + "/" + name;
    const bool present = access(entry.c_str(), F_OK) == 0;
    if (o.action == BinfmtAction::kUninstall) {
      if (!present) {
        std::printf("%s: not registered\n", name.c_str());
      } else if (!write_control(entry, "-1", error)) {
        status = fail(error);
      } else {
        std::printf("%s: removed\n", name.c_str());
      }
      continue;
    }
    if (!present) {
      std::printf("%s: not registered\n", name.c_str());
      continue;
    }
    const std::string state = read_file(entry);
    const bool enabled = state.rfind("enabled", 0) == 0;
    std::printf("%s: %s, interpreter %s, flags %s\n", name.c_str(), enabled ? "enabled" : "disabled",
                field(state, "interpreter ").c_str(), field(state, "flags: ").c_str());
    report_competitors(o.dir, name, field(state, "magic "));
  }
  return status;
}

}  // namespace mimic::frontends
