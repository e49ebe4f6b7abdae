// The -d flag table, parse_log_flags and the Logger.
#include "tcg/exec/log.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <set>
#include <string>

namespace mimic::tcg {

namespace {
constexpr LogFlagInfo kLogFlags[] = {
    {"in_asm", LogFlag::kInAsm, "guest instructions of each translated block"},
    {"op", LogFlag::kOp, "IR of each block as translated"},
    {"op_opt", LogFlag::kOpOpt, "IR of each block after the optimization passes"},
    {"out_asm", LogFlag::kOutAsm, "host code generated for each block"},
    {"exec", LogFlag::kExec, "each block as the execution loop enters it (chained jumps are not shown)"},
    {"nochain", LogFlag::kNoChain, "do not chain blocks: every block exit returns to the loop"},
    {"strace", LogFlag::kStrace, "print the guest's system calls (linux-user)"},
    {"unimp", LogFlag::kUnimp, "report unimplemented instructions, system calls and features"},
    {"int", LogFlag::kInt, "system mode: every exception and interrupt taken"},
    {"mmu", LogFlag::kMmu, "system mode: page-table walks and TLB fills"},
    {"guest_errors", LogFlag::kGuestErrors, "system mode: accesses to unmapped addresses, bad device use"},
    {"stats", LogFlag::kStats, "the engine's counters when the program or machine ends (translations, exits)"},
};
}  // namespace

const LogFlagInfo* log_flag_table(size_t* count) {
  *count = std::size(kLogFlags);
  return kLogFlags;
}

std::string log_flags_help() {
  std::string out = "Log items (-d item1,item2,...):\n";
  for (const LogFlagInfo& f : kLogFlags) out += fmt::format("  {:<10} {}\n", f.name, f.help);
  out += "  help       print this list\n";
  return out;
}

bool parse_log_flags(const std::string& list, uint32_t& flags, std::string& error) {
  size_t pos = 0;
  while (pos <= list.size()) {
    size_t comma = list.find(',', pos);
    if (comma == std::string::npos) comma = list.size();
    std::string_view item(list.data() + pos, comma - pos);
    pos = comma + 1;
    if (item.empty()) continue;  // tolerate "in_asm,,op" and a trailing comma, as QEMU does
    bool found = false;
    for (const LogFlagInfo& f : kLogFlags) {
      if (item == f.name) {
        flags |= f.flag;
        found = true;
        break;
      }
    }
    if (!found) {
      error = fmt::format("unknown log item '{}' (use -d help for the list)", item);
      return false;
    }
  }
  return true;
}

Logger::Logger(const EngineOptions& options) : flags_(options.log), path_(options.log_file) {}

Logger::~Logger() {
  if (owns_file_ && file_) fclose(file_);
}

void Logger::write(std::string_view text) {
  std::lock_guard lock(mutex_);
  if (!file_) {
    if (!path_.empty()) {
      // Several Loggers of one process may name the same -D file (system mode: the engine's and
      // the devices'): the first truncates it, and all append, so none overwrites another's lines.
      static std::mutex opened_mutex;
      static std::set<std::string> opened;
      {
        std::lock_guard olock(opened_mutex);
        if (opened.insert(path_).second) {
          if (FILE* f = fopen(path_.c_str(), "w")) fclose(f);
        }
      }
      file_ = fopen(path_.c_str(), "a");
      if (file_) {
        owns_file_ = true;
      } else {
        fmt::print(stderr, "mimic: cannot open log file {}: {}; logging to stderr\n", path_, strerror(errno));
      }
    }
    if (!file_) file_ = stderr;
  }
  fwrite(text.data(), 1, text.size(), file_);
  if (file_ == stderr || text.find('\n') != std::string_view::npos) fflush(file_);
}

bool parse_tier2_mode(const std::string& text, EngineOptions::Tier2& mode) {
  if (text == "off" || text == "0") {
    mode = EngineOptions::Tier2::Off;
  } else if (text == "on" || text == "1") {
    mode = EngineOptions::Tier2::On;
  } else if (text == "force") {
    mode = EngineOptions::Tier2::Force;
  } else {
    return false;
  }
  return true;
}

}  // namespace mimic::tcg
