// -strace: prints each guest system call with decoded arguments and its result, like qemu-user.
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "linux-user/signal.h"
#include "linux-user/syscall.h"

namespace mimic::linux_user {

namespace {

thread_local std::string t_line;

struct FlagName {
  uint64_t bit;
  const char* name;
};

std::string flags_text(uint64_t v, const FlagName* names, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; i++) {
    if (names[i].bit && (v & names[i].bit) == names[i].bit) {
      if (!out.empty()) out += '|';
      out += names[i].name;
      v &= ~names[i].bit;
    }
  }
  if (v || out.empty()) {
    char buf[32];
    snprintf(buf, sizeof buf, "%#llx", (unsigned long long)v);
    if (!out.empty()) out += '|';
    out += buf;
  }
  return out;
}

std::string open_flags(uint64_t v) {
  static const FlagName kNames[] = {
      {O_CREAT, "O_CREAT"},       {O_EXCL, "O_EXCL"},         {O_NOCTTY, "O_NOCTTY"},     {O_TRUNC, "O_TRUNC"},
      {O_APPEND, "O_APPEND"},     {O_NONBLOCK, "O_NONBLOCK"}, {O_DSYNC, "O_DSYNC"},       {O_DIRECTORY, "O_DIRECTORY"},
      {O_NOFOLLOW, "O_NOFOLLOW"}, {O_CLOEXEC, "O_CLOEXEC"},   {O_DIRECT, "O_DIRECT"},     {O_LARGEFILE, "O_LARGEFILE"},
      {O_NOATIME, "O_NOATIME"},   {O_PATH, "O_PATH"},         {__O_TMPFILE, "O_TMPFILE"},
  };
  const char* acc = (v & 3) == 0 ? "O_RDONLY" : (v & 3) == 1 ? "O_WRONLY" : (v & 3) == 2 ? "O_RDWR" : "O_ACCMODE";
  uint64_t rest = v & ~uint64_t(3);
  std::string s = acc;
  if (rest) s += "|" + flags_text(rest, kNames, sizeof kNames / sizeof kNames[0]);
  return s;
}

std::string quoted(SyscallCtx& ctx, uint64_t addr) {
  if (!addr) return "NULL";
  std::string s;
  int64_t r = read_guest_string(ctx.mem, addr, s, 4096);
  if (r == -EFAULT) {
    char buf[32];
    snprintf(buf, sizeof buf, "%#llx", (unsigned long long)addr);
    return buf;
  }
  std::string out = "\"";
  size_t n = 0;
  for (unsigned char c : s) {
    if (++n > 64) {
      out += "\"...";
      return out;
    }
    if (c == '"' || c == '\\')
      out += '\\', out += char(c);
    else if (c == '\n')
      out += "\\n";
    else if (c == '\t')
      out += "\\t";
    else if (c < 32 || c >= 127) {
      char buf[8];
      snprintf(buf, sizeof buf, "\\%o", c);
      out += buf;
    } else
      out += char(c);
  }
  return out + "\"";
}

std::string arg_text(SyscallCtx& ctx, char kind, uint64_t v) {
  char buf[64];
  switch (kind) {
    case 'd': snprintf(buf, sizeof buf, "%d", int(v)); return buf;
    case 'u': snprintf(buf, sizeof buf, "%llu", (unsigned long long)v); return buf;
    case 'm': snprintf(buf, sizeof buf, "0%o", unsigned(v)); return buf;
    case 'c': snprintf(buf, sizeof buf, "%d", int(v)); return buf;
    case 'p':
    case 'b':
      if (!v) return "NULL";
      snprintf(buf, sizeof buf, "%#llx", (unsigned long long)v);
      return buf;
    case 's': return quoted(ctx, v);
    case 'f':
      if (int(v) == AT_FDCWD) return "AT_FDCWD";
      snprintf(buf, sizeof buf, "%d", int(v));
      return buf;
    case 'o': return open_flags(v);
    case 'S': return signal_name(int(v));
    case 'P': {
      if (v == 0) return "PROT_NONE";
      static const FlagName kNames[] = {{1, "PROT_READ"}, {2, "PROT_WRITE"}, {4, "PROT_EXEC"}};
      return flags_text(v, kNames, 3);
    }
    case 'M': {
      static const FlagName kNames[] = {
          {0x03, "MAP_SHARED_VALIDATE"},
          {0x01, "MAP_SHARED"},
          {0x02, "MAP_PRIVATE"},
          {0x10, "MAP_FIXED"},
          {0x20, "MAP_ANONYMOUS"},
          {0x100, "MAP_GROWSDOWN"},
          {0x800, "MAP_DENYWRITE"},
          {0x4000, "MAP_NORESERVE"},
          {0x8000, "MAP_POPULATE"},
          {0x20000, "MAP_STACK"},
          {0x100000, "MAP_FIXED_NOREPLACE"},
      };
      return flags_text(v, kNames, sizeof kNames / sizeof kNames[0]);
    }
    default: snprintf(buf, sizeof buf, "%#llx", (unsigned long long)v); return buf;
  }
}

bool prints_at_entry(const SyscallDef* def) { return def->ret == 'n' || strcmp(def->name, "execve") == 0; }

}  // namespace

void strace_enter(SyscallCtx& ctx, const SyscallDef* def, uint64_t nr, const uint64_t* args) {
  std::string& line = t_line;
  line = std::to_string(ctx.thread.tid ? ctx.thread.tid : getpid()) + " " + def->name + "(";  // strace -f style: the thread id
  for (size_t i = 0; def->args[i]; i++) {
    if (i) line += ',';
    line += arg_text(ctx, def->args[i], args[i]);
  }
  line += ')';
  if (prints_at_entry(def)) {
    line += '\n';
    (void)!::write(2, line.data(), line.size());
    line.clear();
  }
}

void strace_exit(SyscallCtx& ctx, const SyscallDef* def, int64_t result) {
  std::string& line = t_line;
  if (result == kSysNoResult) {
    if (!line.empty()) line += " = ?\n";
  } else if (result == kSysRestart) {
    line += " = ? ERESTARTSYS (to be restarted)\n";
  } else if (result < 0 && result > -4096) {
    char buf[128];
    snprintf(buf, sizeof buf, " = -1 errno=%d (%s)\n", int(-result), strerror(int(-result)));
    line += buf;
  } else {
    char buf[64];
    if (def->ret == 'x' || def->ret == 'p')
      snprintf(buf, sizeof buf, " = %#llx\n", (unsigned long long)result);
    else if (def->ret == 'm')
      snprintf(buf, sizeof buf, " = 0%llo\n", (unsigned long long)result);
    else
      snprintf(buf, sizeof buf, " = %lld\n", (long long)result);
    line += buf;
  }
  if (!line.empty()) (void)!::write(2, line.data(), line.size());
  line.clear();
}

}  // namespace mimic::linux_user
