// What the format drivers share with block.cpp's open_image(): opening an image as one link of a
// backing chain, each format's open and create, and the report of a problem found mid-run.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "hw/block/block.h"

namespace mimic::hw::block {

// (st_dev, st_ino) of every image opened so far in one chain, to refuse cycles.
using ChainIds = std::vector<std::pair<uint64_t, uint64_t>>;

std::unique_ptr<BlockImage> open_in_chain(const std::string& path, const OpenOptions& options, int depth,
                                          ChainIds& chain, std::string& error);

// A problem found after open (a corrupt table, a cluster that does not decompress): one line on
// stderr, once per distinct message, so that a guest's I/O error has an explanation.
void report_problem(const std::string& line);

namespace vdi {
std::unique_ptr<BlockImage> open(int fd, const std::string& path, bool read_only, std::string& error);
int create(const std::string& path, const CreateOptions& options, std::string& error);
}  // namespace vdi
namespace vmdk {
std::unique_ptr<BlockImage> open(int fd, const std::string& path, const OpenOptions& options, std::string& error);
int create(const std::string& path, const CreateOptions& options, std::string& error);
}  // namespace vmdk

}  // namespace mimic::hw::block
