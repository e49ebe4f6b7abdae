// Tier2Compiler::create of a dynamic build: loads the tier-2 module (module_abi.h) on first use.
// Where: $MIMIC_TIER2_MODULE if set; the build tree's module when the running binary is in the
// build tree (build/mimic, the tests); else the installed one (<libdir>/mimic/mimic-tier2.so).
#include <dlfcn.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <mutex>

#include "tcg/llvm/module_abi.h"

namespace mimic::tcg {

namespace {

std::string module_path() {
  if (const char* env = std::getenv("MIMIC_TIER2_MODULE"); env && *env) return env;
  char exe[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  const std::string build_root = MIMIC_BUILD_ROOT "/";
  if (n > 0 && std::string(exe, size_t(n)).starts_with(build_root)) return MIMIC_TIER2_BUILD_MODULE;
  return MIMIC_TIER2_INSTALLED_MODULE;
}

}  // namespace

std::unique_ptr<Tier2Compiler> Tier2Compiler::create(std::string& error) {
  // One load per process (never unloaded: compiled regions and the compiler's code live there).
  static std::once_flag once;
  static Tier2ModuleCreate create_fn = nullptr;
  static std::string load_error;
  std::call_once(once, [] {
    const std::string path = module_path();
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      load_error = std::string("cannot load the tier-2 module: ") + dlerror();
      return;
    }
    create_fn = reinterpret_cast<Tier2ModuleCreate>(dlsym(handle, kTier2ModuleCreateSymbol));
    if (!create_fn) load_error = path + " has no " + kTier2ModuleCreateSymbol;
  });
  if (!create_fn) {
    error = load_error;
    return nullptr;
  }
  static const Tier2ModuleHost host{.op_info = &op_info, .helper_info = &helper_info};
  return std::unique_ptr<Tier2Compiler>(create_fn(&host, &error));
}

}  // namespace mimic::tcg
