// run_program: checks and loads the guest ELF, builds its stack and runs its architecture's cpu loop.
#include <elf.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <map>

#include "linux-user/arch.h"
#include "linux-user/elfload.h"
#include "linux-user/mmap.h"
#include "linux-user/process.h"
#include "linux-user/signal.h"
#include "linux-user/stack.h"
#include "linux-user/syscall.h"
#include "linux-user/user.h"
#include "tcg/exec/guest_limit.h"
#include "tcg/exec/options.h"

extern char** environ;

namespace mimic::linux_user {

Process* g_process = nullptr;

namespace {

constexpr uint64_t kStackSize = 8 << 20;               // RLIMIT_STACK's usual 8 MiB, mapped up front
constexpr uint64_t kStackGap = 128 << 20;              // between the stack and the mmap area, as Linux keeps
constexpr const char* kArgv0Var = "MIMIC_USER_ARGV0";  // set by a guest execve of a guest program

int fail(int status, const std::string& file, const std::string& problem) {
  fmt::print(stderr, "mimic: {}: {}\n", file, problem);
  return status;
}

// The guest environment: the host's, with -U removed and -E applied, in the host's order.
std::vector<std::string> guest_environment(const UserOptions& o) {
  std::vector<std::string> env;
  std::map<std::string, size_t> index;
  for (char** e = environ; e && *e; e++) {
    std::string s = *e;
    // A guest LD_* variable renamed by a guest execve (see kGuestLoaderVarPrefix) is the guest's again.
    if (s.rfind(kGuestLoaderVarPrefix, 0) == 0 && s.compare(std::strlen(kGuestLoaderVarPrefix), 3, "LD_") == 0)
      s.erase(0, std::strlen(kGuestLoaderVarPrefix));
    std::string name = s.substr(0, s.find('='));
    if (name == kArgv0Var || name == kChrootVar || name == kSigmaskVar) continue;
    if (name.rfind(kArchExecVarPrefix, 0) == 0) continue;  // ArchInfo::exec_env's, for mimic
    index[name] = env.size();
    env.push_back(s);
  }
  auto erase = [&](const std::string& name) {
    auto it = index.find(name);
    if (it == index.end()) return;
    env[it->second].clear();
    index.erase(it);
  };
  for (const auto& u : o.env_unset) erase(u);
  for (const auto& s : o.env_set) {
    std::string name = s.substr(0, s.find('='));
    auto it = index.find(name);
    if (it != index.end()) {
      env[it->second] = s;
    } else {
      index[name] = env.size();
      env.push_back(s);
    }
  }
  std::vector<std::string> out;
  for (auto& s : env)
    if (!s.empty()) out.push_back(std::move(s));
  return out;
}

}  // namespace

int run_program(const UserOptions& options) {
  // -chroot: PROGRAM names a file inside the root, as for chroot(1).
  const bool chrooted = options.sysroot_is_chroot && !options.sysroot.empty();
  std::string program = chrooted && !options.program.empty() && options.program[0] == '/'
                            ? resolve_in_sysroot(options.sysroot, options.program, true, true)
                            : options.program;
  if (chrooted) {
    struct stat st;
    if (stat(options.sysroot.c_str(), &st) != 0) return fail(126, "-chroot " + options.sysroot, strerror(errno));
    if (!S_ISDIR(st.st_mode)) return fail(126, "-chroot " + options.sysroot, "not a folder");
  }
  // A "#!" script runs its interpreter, found in the guest's root (-L, -chroot), with the
  // script's name as the kernel passes it: argv = INTERP [ARG] SCRIPT ARGS... (nested up to the
  // kernel's 4 levels).
  std::vector<std::string> guest_argv = options.argv.empty() ? std::vector<std::string>{options.program} : options.argv;
  std::string execfn = options.program, script = options.program;
  for (int depth = 0;; depth++) {
    const int fd = ::open(program.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) break;  // ElfFile::open reports it
    char head[256];
    const ssize_t n = ::read(fd, head, sizeof head);
    close(fd);
    std::string interp, arg;
    if (n <= 0 || !parse_shebang(head, size_t(n), interp, arg)) break;
    if (interp.empty()) return fail(126, program, "a \"#!\" line that names no interpreter");
    if (depth == 4) return fail(126, program, "too many levels of \"#!\" interpreters (ELOOP)");
    if (access(program.c_str(), X_OK) != 0) return fail(126, program, strerror(errno));
    const std::string& root = options.sysroot;
    const std::string host =
        interp[0] == '/' && !root.empty() && root != "/" ? resolve_in_sysroot(root, interp, true, chrooted) : interp;
    std::vector<std::string> argv{interp};
    if (!arg.empty()) argv.push_back(arg);
    argv.push_back(script);
    argv.insert(argv.end(), guest_argv.begin() + 1, guest_argv.end());
    guest_argv = std::move(argv);
    script = interp;
    program = host;
  }
  ElfFile elf;
  std::string error;
  int open_errno = 0;
  if (!elf.open(program, error, &open_errno)) {
    if (open_errno == ENOENT || open_errno == ENOTDIR) return fail(127, program, "No such file or directory");
    if (open_errno) return fail(126, program, strerror(open_errno));
    return fail(126, program, error);
  }
  const ArchInfo* arch = find_arch(elf.machine());
  if (!arch) {
    std::string why = fmt::format("unsupported machine {} ({})", elf.machine(), elf_machine_name(elf.machine()));
    if (elf.machine() == EM_X86_64)
      why += ": this is a host program, run it directly";
    else
      why += ": mimic user runs aarch64, arm and riscv64 programs";
    return fail(126, program, why);
  }

  if (!options.cpu.empty() && options.cpu != "help") {
    const ArchInfo* model = arch->select_cpu ? arch->select_cpu(options.cpu) : nullptr;
    if (!model)
      return fail(1, "-cpu " + options.cpu,
                  fmt::format("not a CPU mimic models for {} ({})", arch->name,
                              arch->cpu_names ? arch->cpu_names : "no -cpu choice for this architecture"));
    arch = model;
  }

  static Process proc;  // static: signal handlers and forked children keep reaching it
  g_process = &proc;
  proc.arch = arch;
  proc.options = options;
  if (const char* root = getenv(kChrootVar)) {  // the parent guest had chrooted
    proc.options.sysroot = root;
    proc.options.sysroot_is_chroot = true;
  }
  std::string guest_root;  // the sysroot, resolved (what /proc/self/maps strips from names)
  if (!proc.options.sysroot.empty()) {
    // Absolute and without links: guest paths are appended to it, also after a guest chdir.
    if (char* r = realpath(proc.options.sysroot.c_str(), nullptr)) {
      proc.options.sysroot = guest_root = r;
      free(r);
    }
  }
  if (proc.options.sysroot_is_chroot && !getenv(kChrootVar)) {
    // A working folder outside the new root is left for its top, as chroot(1) does.
    char cwd[4096];
    const std::string& root = proc.options.sysroot;
    if (!getcwd(cwd, sizeof cwd) || (root != "/" && std::string(cwd).rfind(root + "/", 0) != 0 && cwd != root)) {
      if (chdir(root.c_str()) != 0) return fail(126, root, strerror(errno));
    }
  }
  proc.strace = (options.engine.log & tcg::LogFlag::kStrace) != 0;
  proc.mem = GuestMemory::create(error, arch->address_space);
  if (!proc.mem) return fail(126, program, error);
  GuestMemory& mem = *proc.mem;
  if (!guest_root.empty()) mem.set_guest_root(guest_root);
  // A 64-bit guest's addresses reach past the reservation; a 32-bit guest's never do.
  if (arch->word_bytes == 8) tcg::set_user_guest_limit(mem.size(), mem.base(), mem.guard_below(), mem.guard_above());

  uint64_t stack_top = std::min(arch->stack_top, page_down(mem.size() - kPageSize));
  uint64_t stack_bottom = stack_top - kStackSize;
  mem.set_mmap_top(stack_bottom > kStackGap * 2 ? stack_bottom - kStackGap : stack_bottom);

  LoadedElf main_image;
  if (!load_elf(mem, elf, arch->dyn_base, main_image, error)) return fail(126, program, error);
  uint64_t entry = main_image.entry, interp_bias = 0;
  if (!elf.interp().empty()) {
    std::string host = host_path_for(proc, elf.interp());
    ElfFile interp;
    std::string ierr;
    int ie = 0;
    if (!interp.open(host, ierr, &ie)) {
      if (ie == ENOENT)
        return fail(
            127, program,
            fmt::format("dynamically linked: its interpreter {} was not found (give the guest's root with -L DIR)",
                        elf.interp()));
      return fail(126, program, fmt::format("interpreter {}: {}", host, ierr));
    }
    if (interp.machine() != elf.machine())
      return fail(126, program, fmt::format("interpreter {} is for machine {}", host, interp.machine()));
    LoadedElf li;
    if (!load_elf(mem, interp, arch->interp_base, li, ierr))
      return fail(126, program, fmt::format("interpreter {}: {}", host, ierr));
    entry = li.entry;
    interp_bias = li.bias;
  }
  mem.init_brk(main_image.end);
  proc.symbols = std::move(main_image.symbols);
  char* real = realpath(program.c_str(), nullptr);
  proc.exe_path = real ? real : program;
  free(real);
  proc.exe_guest_path = program;

  // The stack, with a sigreturn trampoline page just above the mmap area.
  int stack_prot = GuestProt::kRead | GuestProt::kWrite | (elf.exec_stack() ? GuestProt::kExec : 0);
  if (!mem.map_fixed_anon(stack_bottom, kStackSize, stack_prot))
    return fail(126, program, "cannot map the guest stack");
  mem.describe(stack_bottom, kStackSize, GuestMemory::MapInfo{0, 0, 0, false, "[stack]"});
  proc.stack_top = stack_top;
  proc.stack_bottom = stack_bottom;
  uint64_t tramp = mem.find_free(kPageSize, 0);
  if (!tramp || !mem.map_fixed_anon(tramp, kPageSize, GuestProt::kRead | GuestProt::kWrite))
    return fail(126, program, "cannot map the signal trampoline");
  memcpy(mem.host(tramp), arch->sigreturn_code, arch->sigreturn_size);
  mem.mprotect(tramp, kPageSize, GuestProt::kRead | GuestProt::kExec);
  proc.sigreturn_trampoline = tramp;

  InitialStack is;
  is.argv = guest_argv;
  if (const char* a0 = getenv(kArgv0Var)) {
    is.argv[0] = a0;
    unsetenv(kArgv0Var);
  }
  proc.options.argv = is.argv;  // /proc/self/cmdline: the argv the guest was given
  is.envp = guest_environment(options);
  is.word_bytes = arch->word_bytes;
  is.execfn = execfn;
  is.platform = arch->platform ? arch->platform : "";
  if (getrandom(is.random, sizeof is.random, 0) != sizeof is.random) {
    for (auto& b : is.random) b = uint8_t(rand());
  }
  is.auxv = {
      {kAtPhdr, main_image.phdr},
      {kAtPhent, elf.is_32bit() ? sizeof(Elf32_Phdr) : sizeof(Elf64_Phdr)},
      {kAtPhnum, main_image.phnum},
      {kAtPagesz, kPageSize},
      {kAtBase, interp_bias},
      {kAtFlags, 0},
      {kAtEntry, main_image.entry},
      {kAtUid, getuid()},
      {kAtEuid, geteuid()},
      {kAtGid, getgid()},
      {kAtEgid, getegid()},
      {kAtHwcap, arch->hwcap},
      {kAtClktck, uint64_t(sysconf(_SC_CLK_TCK))},
      {kAtSecure, 0},
  };
  if (arch->hwcap2) is.auxv.push_back({kAtHwcap2, arch->hwcap2});
  StackImage image;
  if (!build_initial_stack(stack_top, is, kStackSize / 4, image))
    return fail(126, program, "arguments and environment do not fit on the guest stack (E2BIG)");
  memcpy(mem.host(image.sp), image.bytes.data(), image.bytes.size());
  for (auto [k, v] : image.final_auxv) proc.auxv.push_back(k), proc.auxv.push_back(v);
  proc.layout = {
      main_image.start_code, main_image.end_code, main_image.start_data, main_image.end_data, image.sp, 0, 0, 0, 0};
  // The argument and environment strings lie one after the other; the vectors point at them.
  auto string_span = [&](uint64_t vec, size_t n, uint64_t& start, uint64_t& end) {
    if (n == 0) return;
    uint64_t first = 0, last = 0;
    memcpy(&first, mem.host(vec), arch->word_bytes);
    memcpy(&last, mem.host(vec + arch->word_bytes * (n - 1)), arch->word_bytes);
    start = first;
    end = last + strlen(static_cast<const char*>(mem.host(last))) + 1;
  };
  string_span(image.argv, is.argv.size(), proc.layout.arg_start, proc.layout.arg_end);
  string_span(image.envp, is.envp.size(), proc.layout.env_start, proc.layout.env_end);

  // The process's name (comm: /proc/self/comm, ps, top, pkill) is the guest program's, as the
  // kernel names a process after the file it executes (also through binfmt_misc).
  const std::string base = program.substr(program.rfind('/') + 1);
  prctl(PR_SET_NAME, base.substr(0, 15).c_str(), 0, 0, 0);
  signals_init(proc);
  init_syscalls(proc);
  fflush(stdout);
  std::unique_ptr<Debugger> debugger;
  if (options.gdb_port && options.make_debugger) {
    debugger = options.make_debugger(proc, options.gdb_port);
    if (!debugger) return 1;
    proc.debugger = debugger.get();
  }
  return arch->run(proc, entry, image.sp);
}

}  // namespace mimic::linux_user
