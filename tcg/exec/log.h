// Diagnostics of the engine: the -d flag table, the -D log file and thread-safe log output.
#pragma once

#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>

#include "tcg/exec/options.h"

namespace mimic::tcg {

struct LogFlagInfo {
  const char* name;
  uint32_t flag;
  const char* help;
};
// Every -d item, in the order `-d help` lists them.
const LogFlagInfo* log_flag_table(size_t* count);
// The text `-d help` prints.
std::string log_flags_help();

// Where -d output goes: stderr, or the -D file (opened lazily, on the first message).
class Logger {
 public:
  explicit Logger(const EngineOptions& options);
  ~Logger();
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  bool enabled(uint32_t flag) const { return (flags_ & flag) != 0; }
  // Writes `text` as one unit (messages from several threads never interleave).
  void write(std::string_view text);

 private:
  uint32_t flags_;
  std::string path_;
  std::mutex mutex_;
  FILE* file_ = nullptr;
  bool owns_file_ = false;
};

}  // namespace mimic::tcg
