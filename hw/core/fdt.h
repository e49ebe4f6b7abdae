// Device trees on libfdt: a small builder for the trees boards generate, a reader of -dtb files
// that checks them first, and the edits boards make to either (/chosen).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace mimic::hw {

// Builds a flattened tree in libfdt's sequential-write mode: nodes are opened and closed in
// order, properties belong to the innermost open node. Errors (a property outside a node,
// unbalanced nodes, libfdt running out of room it cannot grow) throw std::logic_error: they are
// bugs of the board, not of the user's input.
class FdtBuilder {
 public:
  FdtBuilder();
  void begin_node(std::string_view name);  // "" for the root
  void end_node();
  void prop_empty(std::string_view name);
  void prop_u32(std::string_view name, uint32_t value);
  void prop_u64(std::string_view name, uint64_t value);  // two cells, high first
  void prop_cells(std::string_view name, std::initializer_list<uint32_t> cells);
  void prop_cells(std::string_view name, const std::vector<uint32_t>& cells);
  void prop_string(std::string_view name, std::string_view value);
  void prop_string_list(std::string_view name, std::initializer_list<std::string_view> values);
  void prop_bytes(std::string_view name, const void* data, size_t len);
  // phandles are numbered from 1 in allocation order; the caller writes the "phandle" property.
  uint32_t alloc_phandle() { return next_phandle_++; }
  // Closes the tree: the blob (packed).
  std::vector<uint8_t> finish();

 private:
  void check(int err, const char* what);
  std::vector<uint8_t> buf_;
  int depth_ = 0;
  uint32_t next_phandle_ = 1;
};

// Reads a -dtb file and checks it is a device tree libfdt can use (header, sizes agreeing with
// the file, structure). Throws MachineError naming the file and the problem.
std::vector<uint8_t> load_dtb_file(const std::string& path);

// Sets (replaces) properties in an existing tree, growing the blob as needed. `path` is a node
// path ("/chosen"); the node is created when missing (its parent must exist). Throw MachineError
// with `what` naming the tree when the tree is unusable.
class FdtEditor {
 public:
  FdtEditor(std::vector<uint8_t>& blob, std::string what);
  void set_string(const std::string& path, const std::string& name, const std::string& value);
  void set_u32(const std::string& path, const std::string& name, uint32_t value);
  void set_bytes(const std::string& path, const std::string& name, const void* data, size_t len);
  // Gives every "rng-seed" property in the tree fresh random bytes of its length (QEMU's
  // qemu_fdt_randomize_seeds, run on every boot, for generated and -dtb trees alike).
  void randomize_rng_seeds();
  void pack();

 private:
  int node(const std::string& path);
  void grow(size_t extra);
  std::vector<uint8_t>& blob_;
  std::string what_;
};

// The tree as text lines "PATH: PROPERTY = HEX BYTES" (sorted), for tests and diagnostics.
std::vector<std::string> fdt_flatten(const std::vector<uint8_t>& blob);

}  // namespace mimic::hw
