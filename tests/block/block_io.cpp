// A qemu-io for the tests: drives one image through the block layer.
//   block_io [-f FMT] [-snapshot] IMAGE CMD...   CMD: write PAT OFF LEN | zero OFF LEN | discard OFF LEN |
//                                               read PAT OFF LEN (exit 1 on mismatch) | flush | size
//   block_io crash-writer IMAGE LOG               random writes, zero writes and flushes forever, logged
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "hw/block/block.h"

using namespace mimic::hw::block;

static uint64_t num(const char* s) { return std::strtoull(s, nullptr, 0); }

int main(int argc, char** argv) {
  signal(SIGXFSZ, SIG_IGN);  // RLIMIT_FSIZE tests: pwrite fails with EFBIG instead of killing us
  OpenOptions o;
  int i = 1;
  if (argc > 3 && std::string(argv[1]) == "crash-writer") {
    std::string error;
    auto img = open_image(argv[2], o, error);
    if (!img) return std::fprintf(stderr, "%s\n", error.c_str()), 2;
    FILE* log = std::fopen(argv[3], "a");
    std::mt19937_64 rng{uint64_t(getpid())};
    std::vector<uint8_t> buf;
    const uint64_t size = img->size();
    // Each write is logged before it is issued ("W OFF LEN PAT"), each completed flush after ("F"):
    // after a crash a sector holds its last value before the last F, or a value written after it.
    for (uint64_t n = 0;; ++n) {
      uint64_t len = 512 * (1 + rng() % 256), off = (rng() % (size / 512)) * 512;
      if (off + len > size) len = size - off;
      int pat = int(n % 250) + 1;
      buf.assign(len, uint8_t(pat));
      bool zero = rng() % 8 == 0;
      if (zero) pat = 0;
      std::fprintf(log, "W %llu %llu %d\n", (unsigned long long)off, (unsigned long long)len, pat);
      std::fflush(log);
      if (zero ? img->write_zeroes(off, len, true) < 0 : img->write(off, buf.data(), len) < 0) return 3;
      if (rng() % 4 == 0) {
        if (img->flush() < 0) return 4;
        std::fprintf(log, "F\n");
        std::fflush(log);
      }
    }
  }
  for (; i < argc && argv[i][0] == '-'; ++i) {
    if (!std::strcmp(argv[i], "-f"))
      o.format = argv[++i];
    else if (!std::strcmp(argv[i], "-snapshot"))
      o.snapshot = true;
    else if (!std::strcmp(argv[i], "-r"))
      o.read_only = true;
  }
  if (i >= argc) return 2;
  std::string error;
  auto img = open_image(argv[i++], o, error);
  if (!img) return std::fprintf(stderr, "%s\n", error.c_str()), 2;
  for (; i < argc; ++i) {
    std::string c = argv[i];
    if (c == "write" || c == "read") {
      int pat = int(num(argv[i + 1]));
      uint64_t off = num(argv[i + 2]), len = num(argv[i + 3]);
      i += 3;
      std::vector<uint8_t> buf(len, uint8_t(pat));
      if (c == "write") {
        if (int r = img->write(off, buf.data(), len); r < 0) return std::printf("write: %s\n", std::strerror(-r)), 1;
      } else {
        std::vector<uint8_t> got(len);
        if (int r = img->read(off, got.data(), len); r < 0) return std::printf("read: %s\n", std::strerror(-r)), 1;
        if (got != buf) return std::printf("read: mismatch\n"), 1;
      }
    } else if (c == "zero" || c == "discard") {
      uint64_t off = num(argv[i + 1]), len = num(argv[i + 2]);
      i += 2;
      int r = c == "zero" ? img->write_zeroes(off, len, true) : img->discard(off, len);
      if (r < 0) return std::printf("%s: %s\n", c.c_str(), std::strerror(-r)), 1;
    } else if (c == "flush") {
      if (int r = img->flush(); r < 0) return std::printf("flush: %s\n", std::strerror(-r)), 1;
    } else if (c == "size") {
      std::printf("%llu\n", (unsigned long long)img->size());
    } else {
      return std::fprintf(stderr, "unknown command %s\n", c.c_str()), 2;
    }
  }
  return 0;
}
