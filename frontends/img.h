// `mimic img`: the disk image tool (qemu-img's commands and exit codes).
#pragma once

#include <string>
#include <vector>

namespace mimic::frontends {

// args: what follows "img" on the command line. Returns the process's exit status.
int run_img(const std::vector<std::string>& args);
std::string img_usage_text();

}  // namespace mimic::frontends
