// Device-tree builder, -dtb reader and editor on libfdt.
#include "hw/core/fdt.h"

#include <fmt/format.h>
#include <libfdt.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <stdexcept>

#include "hw/core/machine.h"

namespace mimic::hw {

// Generated trees are a few KiB; QEMU gives its own 1 MiB (FDT_MAX_SIZE).
constexpr size_t kBuildBytes = size_t(1) << 20;
// A -dtb larger than this is not a device tree a board can place (QEMU's limit is the RAM).
constexpr size_t kMaxDtbFile = size_t(16) << 20;
// Room QEMU adds to a -dtb tree before editing it (load_device_tree: dt_size + 10000).
constexpr size_t kDtbSlack = 10000;

FdtBuilder::FdtBuilder() : buf_(kBuildBytes) {
  check(fdt_create(buf_.data(), int(buf_.size())), "fdt_create");
  check(fdt_finish_reservemap(buf_.data()), "fdt_finish_reservemap");
}

void FdtBuilder::check(int err, const char* what) {
  if (err < 0) throw std::logic_error(fmt::format("device tree builder: {}: {}", what, fdt_strerror(err)));
}

void FdtBuilder::begin_node(std::string_view name) {
  check(fdt_begin_node(buf_.data(), std::string(name).c_str()), "begin_node");
  depth_++;
}

void FdtBuilder::end_node() {
  if (depth_ == 0) throw std::logic_error("device tree builder: end_node without begin_node");
  check(fdt_end_node(buf_.data()), "end_node");
  depth_--;
}

void FdtBuilder::prop_bytes(std::string_view name, const void* data, size_t len) {
  if (depth_ == 0) throw std::logic_error(fmt::format("device tree builder: property {} outside a node", name));
  check(fdt_property(buf_.data(), std::string(name).c_str(), data, int(len)), "property");
}

void FdtBuilder::prop_empty(std::string_view name) { prop_bytes(name, nullptr, 0); }

void FdtBuilder::prop_u32(std::string_view name, uint32_t value) {
  fdt32_t v = cpu_to_fdt32(value);
  prop_bytes(name, &v, sizeof v);
}

void FdtBuilder::prop_u64(std::string_view name, uint64_t value) {
  fdt64_t v = cpu_to_fdt64(value);
  prop_bytes(name, &v, sizeof v);
}

void FdtBuilder::prop_cells(std::string_view name, const std::vector<uint32_t>& cells) {
  std::vector<fdt32_t> be;
  for (uint32_t c : cells) be.push_back(cpu_to_fdt32(c));
  prop_bytes(name, be.data(), be.size() * sizeof(fdt32_t));
}

void FdtBuilder::prop_cells(std::string_view name, std::initializer_list<uint32_t> cells) {
  prop_cells(name, std::vector<uint32_t>(cells));
}

void FdtBuilder::prop_string(std::string_view name, std::string_view value) {
  std::string s(value);
  prop_bytes(name, s.c_str(), s.size() + 1);
}

void FdtBuilder::prop_string_list(std::string_view name, std::initializer_list<std::string_view> values) {
  std::string s;
  for (auto v : values) {
    s += v;
    s += '\0';
  }
  prop_bytes(name, s.data(), s.size());
}

std::vector<uint8_t> FdtBuilder::finish() {
  if (depth_ != 0) throw std::logic_error("device tree builder: unclosed nodes at finish");
  check(fdt_finish(buf_.data()), "fdt_finish");
  std::vector<uint8_t> out(buf_.begin(), buf_.begin() + fdt_totalsize(buf_.data()));
  check(fdt_pack(out.data()), "fdt_pack");
  out.resize(fdt_totalsize(out.data()));
  return out;
}

std::vector<uint8_t> load_dtb_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw MachineError(fmt::format("-dtb {}: cannot open: {}", path, strerror(errno)));
  std::streamoff size = in.tellg();
  if (size < 0) throw MachineError(fmt::format("-dtb {}: cannot read its size", path));
  if (size_t(size) > kMaxDtbFile)
    throw MachineError(
        fmt::format("-dtb {}: {} bytes is too large for a device tree (at most {})", path, size, kMaxDtbFile));
  std::vector<uint8_t> blob(static_cast<size_t>(size));
  in.seekg(0);
  if (!in.read(reinterpret_cast<char*>(blob.data()), size))
    throw MachineError(fmt::format("-dtb {}: read error", path));
  if (blob.size() < sizeof(fdt_header))
    throw MachineError(fmt::format("-dtb {}: {} bytes is shorter than a device tree header", path, blob.size()));
  int err = fdt_check_header(blob.data());
  if (err != 0) throw MachineError(fmt::format("-dtb {}: not a device tree blob: {}", path, fdt_strerror(err)));
  if (fdt_totalsize(blob.data()) > blob.size())
    throw MachineError(fmt::format("-dtb {}: truncated: the header says {} bytes, the file has {}", path,
                                   fdt_totalsize(blob.data()), blob.size()));
  err = fdt_check_full(blob.data(), blob.size());
  if (err != 0) throw MachineError(fmt::format("-dtb {}: malformed device tree: {}", path, fdt_strerror(err)));
  blob.resize(fdt_totalsize(blob.data()));
  return blob;
}

FdtEditor::FdtEditor(std::vector<uint8_t>& blob, std::string what) : blob_(blob), what_(std::move(what)) {
  if (blob_.size() < sizeof(fdt_header) || fdt_check_header(blob_.data()) != 0)
    throw MachineError(fmt::format("{}: not a device tree blob", what_));
  grow(kDtbSlack);
}

void FdtEditor::grow(size_t extra) {
  std::vector<uint8_t> bigger(fdt_totalsize(blob_.data()) + extra);
  int err = fdt_open_into(blob_.data(), bigger.data(), int(bigger.size()));
  if (err != 0) throw MachineError(fmt::format("{}: cannot edit the device tree: {}", what_, fdt_strerror(err)));
  blob_ = std::move(bigger);
}

int FdtEditor::node(const std::string& path) {
  int off = fdt_path_offset(blob_.data(), path.c_str());
  if (off >= 0) return off;
  auto slash = path.rfind('/');
  std::string parent = slash == 0 ? "/" : path.substr(0, slash);
  int p = fdt_path_offset(blob_.data(), parent.c_str());
  if (p < 0) throw MachineError(fmt::format("{}: no node {} to add {} to", what_, parent, path));
  for (;;) {
    off = fdt_add_subnode(blob_.data(), p, path.substr(slash + 1).c_str());
    if (off != -FDT_ERR_NOSPACE) break;
    grow(4096);
    p = fdt_path_offset(blob_.data(), parent.c_str());
  }
  if (off < 0) throw MachineError(fmt::format("{}: cannot add node {}: {}", what_, path, fdt_strerror(off)));
  return off;
}

void FdtEditor::set_bytes(const std::string& path, const std::string& name, const void* data, size_t len) {
  for (;;) {
    int err = fdt_setprop(blob_.data(), node(path), name.c_str(), data, int(len));
    if (err == 0) return;
    if (err != -FDT_ERR_NOSPACE)
      throw MachineError(fmt::format("{}: cannot set {}/{}: {}", what_, path, name, fdt_strerror(err)));
    grow(len + 4096);
  }
}

void FdtEditor::set_string(const std::string& path, const std::string& name, const std::string& value) {
  set_bytes(path, name, value.c_str(), value.size() + 1);
}

void FdtEditor::set_u32(const std::string& path, const std::string& name, uint32_t value) {
  fdt32_t v = cpu_to_fdt32(value);
  set_bytes(path, name, &v, sizeof v);
}

void FdtEditor::randomize_rng_seeds() {
  std::random_device rd;
  for (int node = 0; node >= 0; node = fdt_next_node(blob_.data(), node, nullptr)) {
    int len = 0;
    void* seed = fdt_getprop_w(blob_.data(), node, "rng-seed", &len);
    if (!seed) continue;
    auto* bytes = static_cast<uint8_t*>(seed);
    for (int i = 0; i < len; i++) bytes[i] = uint8_t(rd());
  }
}

void FdtEditor::pack() {
  int err = fdt_pack(blob_.data());
  if (err != 0) throw MachineError(fmt::format("{}: cannot pack the device tree: {}", what_, fdt_strerror(err)));
  blob_.resize(fdt_totalsize(blob_.data()));
}

static void flatten_node(const void* fdt, int node, const std::string& path, std::vector<std::string>& out) {
  out.push_back(path + ": (node)");
  int prop;
  fdt_for_each_property_offset(prop, fdt, node) {
    const char* name;
    int len;
    const void* data = fdt_getprop_by_offset(fdt, prop, &name, &len);
    std::string hex;
    for (int i = 0; i < len; i++) hex += fmt::format("{:02x}", static_cast<const uint8_t*>(data)[i]);
    out.push_back(fmt::format("{}: {} = {}", path, name, hex));
  }
  int child;
  fdt_for_each_subnode(child, fdt, node) {
    const char* name = fdt_get_name(fdt, child, nullptr);
    flatten_node(fdt, child, (path == "/" ? "" : path) + "/" + name, out);
  }
}

std::vector<std::string> fdt_flatten(const std::vector<uint8_t>& blob) {
  std::vector<std::string> out;
  if (blob.size() < sizeof(fdt_header) || fdt_check_full(blob.data(), blob.size()) != 0) return out;
  flatten_node(blob.data(), 0, "/", out);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace mimic::hw
