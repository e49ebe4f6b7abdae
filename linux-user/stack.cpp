// Builds the initial stack image: strings at the top, then AT_RANDOM bytes, auxv, envp, argv, argc.
#include "linux-user/stack.h"

#include <cstring>

namespace mimic::linux_user {

bool build_initial_stack(uint64_t top, const InitialStack& in, uint64_t max_bytes, StackImage& out) {
  // Linux's order from the top: an 8-byte 0 end marker, the exec filename, the environment
  // strings, the argument strings; below them the platform string and 16 random bytes.
  std::vector<uint8_t> hi;  // grows downward: hi[0] is the lowest byte so far
  uint64_t cur = top;
  auto push_bytes = [&](const void* p, size_t n) {
    hi.insert(hi.begin(), static_cast<const uint8_t*>(p), static_cast<const uint8_t*>(p) + n);
    cur -= n;
    return cur;
  };
  auto push_str = [&](const std::string& s) { return push_bytes(s.c_str(), s.size() + 1); };
  uint64_t total_strings = 64 + in.execfn.size() + in.platform.size();
  for (const auto& s : in.argv) total_strings += s.size() + 1;
  for (const auto& s : in.envp) total_strings += s.size() + 1;
  if (total_strings > max_bytes) return false;
  hi.reserve(total_strings);

  uint64_t zero = 0;
  push_bytes(&zero, 8);
  uint64_t execfn = push_str(in.execfn);
  std::vector<uint64_t> env_ptrs(in.envp.size()), arg_ptrs(in.argv.size());
  for (size_t i = in.envp.size(); i-- > 0;) env_ptrs[i] = push_str(in.envp[i]);
  for (size_t i = in.argv.size(); i-- > 0;) arg_ptrs[i] = push_str(in.argv[i]);
  // Align before the binary data, as arch_align_stack does.
  size_t pad = cur & 15;
  if (pad) push_bytes("\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", pad);
  uint64_t platform = 0;
  if (!in.platform.empty()) platform = push_str(in.platform);
  uint64_t random = push_bytes(in.random, 16);

  std::vector<std::pair<uint64_t, uint64_t>> aux = in.auxv;
  if (platform) aux.push_back({kAtPlatform, platform});
  aux.push_back({kAtRandom, random});
  aux.push_back({kAtExecfn, execfn});
  aux.push_back({kAtNull, 0});

  // argc, argv[] NULL, envp[] NULL, auxv pairs: sp must end up 16-byte aligned.
  uint64_t words = 1 + (in.argv.size() + 1) + (in.envp.size() + 1) + 2 * aux.size();
  const unsigned wb = in.word_bytes;
  uint64_t sp = (cur - words * wb) & ~uint64_t(15);
  if (top - sp > max_bytes) return false;
  out.sp = sp;
  out.bytes.assign(top - sp, 0);
  memcpy(out.bytes.data() + (cur - sp), hi.data(), hi.size());
  size_t k = 0;
  auto put = [&](uint64_t v) { memcpy(out.bytes.data() + wb * k++, &v, wb); };  // little-endian
  put(in.argv.size());
  out.argv = sp + wb * k;
  for (uint64_t p : arg_ptrs) put(p);
  put(0);
  out.envp = sp + wb * k;
  for (uint64_t p : env_ptrs) put(p);
  put(0);
  out.auxv = sp + wb * k;
  for (auto [key, val] : aux) put(key), put(val);
  out.final_auxv = aux;
  return true;
}

}  // namespace mimic::linux_user
