// hw/core/fdt: the builder's output read back by dtc, -dtb validation errors, /chosen edits.
#include "hw/core/fdt.h"

#include <gtest/gtest.h>
#include <libfdt.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "hw/core/machine.h"

using namespace mimic::hw;

namespace {
std::string temp_path(const char* name) { return std::string(testing::TempDir()) + "/" + name; }
void write_file(const std::string& path, const void* data, size_t len) {
  std::ofstream(path, std::ios::binary).write(static_cast<const char*>(data), std::streamsize(len));
}
std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}
std::vector<uint8_t> sample() {
  FdtBuilder b;
  b.begin_node("");
  b.prop_u32("#address-cells", 2);
  b.prop_string("model", "test");
  b.begin_node("soc");
  uint32_t ph = b.alloc_phandle();
  b.prop_u32("phandle", ph);
  b.prop_u64("big", 0x1122334455667788ull);
  b.prop_cells("reg", {0x0, 0x10000000, 0x0, 0x100});
  b.prop_string_list("compatible", {"sifive,test1", "sifive,test0", "syscon"});
  b.prop_empty("ranges");
  b.end_node();
  b.end_node();
  return b.finish();
}
}  // namespace

TEST(Fdt, BuilderOutputReadsBackInDtc) {
  auto blob = sample();
  std::string path = temp_path("sample.dtb");
  write_file(path, blob.data(), blob.size());
  std::string dts = run("dtc -q -I dtb -O dts " + path + " 2>&1");
  if (dts.empty()) GTEST_SKIP() << "dtc (device-tree-compiler) not installed";
  EXPECT_NE(dts.find("#address-cells = <0x02>;"), std::string::npos) << dts;
  EXPECT_NE(dts.find("model = \"test\";"), std::string::npos) << dts;
  EXPECT_NE(dts.find("phandle = <0x01>;"), std::string::npos) << dts;
  EXPECT_NE(dts.find("big = <0x11223344 0x55667788>;"), std::string::npos) << dts;
  EXPECT_NE(dts.find("reg = <0x00 0x10000000 0x00 0x100>;"), std::string::npos) << dts;
  EXPECT_NE(dts.find("compatible = \"sifive,test1\\0sifive,test0\\0syscon\";"), std::string::npos) << dts;
  EXPECT_NE(dts.find("ranges;"), std::string::npos) << dts;
}

TEST(Fdt, BuilderMisuseThrows) {
  FdtBuilder b;
  EXPECT_THROW(b.prop_u32("x", 1), std::logic_error);
  EXPECT_THROW(b.end_node(), std::logic_error);
  b.begin_node("");
  EXPECT_THROW(b.finish(), std::logic_error);
}

TEST(Fdt, LoadDtbAcceptsAValidTree) {
  auto blob = sample();
  std::string path = temp_path("ok.dtb");
  write_file(path, blob.data(), blob.size());
  auto got = load_dtb_file(path);
  EXPECT_EQ(got, blob);
}

static std::string load_error(const std::string& path) {
  try {
    load_dtb_file(path);
  } catch (const MachineError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Fdt, LoadDtbNamesTheFileAndTheProblem) {
  std::string missing = temp_path("missing.dtb");
  std::remove(missing.c_str());
  EXPECT_NE(load_error(missing).find("-dtb " + missing + ": cannot open"), std::string::npos) << load_error(missing);

  std::string tiny = temp_path("tiny.dtb");
  write_file(tiny, "\xd0\x0d", 2);
  EXPECT_NE(load_error(tiny).find("shorter than a device tree header"), std::string::npos) << load_error(tiny);

  std::string garbage = temp_path("garbage.dtb");
  std::string junk(200, 'x');
  write_file(garbage, junk.data(), junk.size());
  EXPECT_NE(load_error(garbage).find("not a device tree blob"), std::string::npos) << load_error(garbage);

  auto blob = sample();
  std::string trunc = temp_path("trunc.dtb");
  write_file(trunc, blob.data(), blob.size() - 16);
  EXPECT_NE(load_error(trunc).find("truncated"), std::string::npos) << load_error(trunc);

  // A header that is fine over a structure block that is not.
  auto bad = blob;
  uint32_t off_struct = fdt_off_dt_struct(bad.data());
  bad[off_struct + 3] = 0x7f;  // FDT_BEGIN_NODE becomes an unknown token
  std::string corrupt = temp_path("corrupt.dtb");
  write_file(corrupt, bad.data(), bad.size());
  EXPECT_NE(load_error(corrupt).find("malformed device tree"), std::string::npos) << load_error(corrupt);
}

TEST(Fdt, EditorAddsChosenAndGrows) {
  auto blob = sample();
  FdtEditor ed(blob, "test tree");
  std::string big(20000, 'a');  // beyond the initial slack
  ed.set_string("/chosen", "bootargs", big);
  ed.set_u32("/chosen", "linux,initrd-start", 0x88200000);
  ed.pack();
  int node = fdt_path_offset(blob.data(), "/chosen");
  ASSERT_GE(node, 0);
  int len = 0;
  const char* s = static_cast<const char*>(fdt_getprop(blob.data(), node, "bootargs", &len));
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(std::string(s), big);
  const fdt32_t* v = static_cast<const fdt32_t*>(fdt_getprop(blob.data(), node, "linux,initrd-start", &len));
  ASSERT_EQ(len, 4);
  EXPECT_EQ(fdt32_to_cpu(*v), 0x88200000u);
  EXPECT_GE(fdt_path_offset(blob.data(), "/soc"), 0);
  EXPECT_EQ(fdt_check_full(blob.data(), blob.size()), 0);
}
