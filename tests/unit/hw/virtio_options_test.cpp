// The virtio devices the command line asks for: each mistake is one MachineError naming the
// option and the problem, and a good configuration gives the devices in QEMU's slot order.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "hw/core/machine.h"
#include "hw/core/memory.h"
#include "hw/virtio/virtio_blk.h"
#include "hw/virtio/virtio_devices.h"

using namespace mimic::hw;

namespace {
OptionList opt(const std::string& option, const std::string& driver,
               std::vector<std::pair<std::string, std::string>> props) {
  std::string text = driver;
  for (auto& [k, v] : props) text += (text.empty() ? "" : ",") + k + "=" + v;
  return {option, text, driver, std::move(props)};
}

std::string error_of(const DeviceOptions& d) {
  try {
    make_virtio_devices(d);
  } catch (const MachineError& e) {
    return e.what();
  }
  return "";
}

struct TempDisk {
  std::string path = "/tmp/mimic-virtio-opt-XXXXXX";
  TempDisk() {
    int fd = mkstemp(path.data());
    EXPECT_EQ(ftruncate(fd, 1 << 20), 0);
    close(fd);
  }
  ~TempDisk() { unlink(path.c_str()); }
};

TEST(VirtioOptions, DevicesInCommandLineOrderThenDrives) {
  TempDisk disk;
  DeviceOptions d;
  d.drives.push_back(opt("-drive", "", {{"file", disk.path}, {"if", "virtio"}, {"format", "raw"}}));
  d.devices.push_back(opt("-device", "virtio-rng-device", {}));
  d.netdevs.push_back(opt("-netdev", "user", {{"id", "n0"}}));
  d.devices.push_back(opt("-device", "virtio-net-device", {{"netdev", "n0"}, {"mac", "52:54:00:aa:bb:cc"}}));
  VirtioDevicePlan plan = make_virtio_devices(d);
  ASSERT_EQ(plan.devices.size(), 3u);
  EXPECT_STREQ(plan.devices[0]->type_name(), "virtio-rng-device");
  EXPECT_STREQ(plan.devices[1]->type_name(), "virtio-net-device");
  EXPECT_STREQ(plan.devices[2]->type_name(), "virtio-blk-device");
  EXPECT_TRUE(plan.legacy);
  for (auto& dev : plan.devices) dev->stop();
}

TEST(VirtioOptions, MistakesNameTheOption) {
  TempDisk disk;
  struct Case {
    DeviceOptions d;
    const char* want;
  };
  std::vector<Case> cases;
  auto add = [&](DeviceOptions d, const char* want) { cases.push_back({std::move(d), want}); };
  DeviceOptions d;
  d.devices = {opt("-device", "virtio-blk-device", {})};
  add(d, "drive= is missing");
  d.devices = {opt("-device", "virtio-blk-device", {{"drive", "nope"}})};
  add(d, "no -drive has id=nope");
  d = {};
  d.drives = {opt("-drive", "", {{"file", "/nonexistent/disk.img"}, {"if", "virtio"}})};
  add(d, "/nonexistent/disk.img");
  d.drives = {opt("-drive", "", {{"file", disk.path}})};
  add(d, "if=ide");
  d.drives = {opt("-drive", "", {{"file", disk.path}, {"if", "virtio"}, {"cache", "sometimes"}})};
  add(d, "cache=sometimes");
  d.drives = {opt("-drive", "", {{"file", disk.path}, {"if", "virtio"}, {"snapshot", "maybe"}})};
  add(d, "snapshot=maybe");
  d.drives = {opt("-drive", "", {{"file", disk.path}, {"if", "virtio"}, {"locking", "sometimes"}})};
  add(d, "locking=sometimes");
  d.drives = {opt("-drive", "", {{"file", disk.path}, {"if", "virtio"}, {"format", "qcow9"}})};
  add(d, "qcow9");
  d.drives = {opt("-drive", "", {{"file", disk.path}, {"if", "none"}, {"id", "a"}})};
  d.devices = {opt("-device", "virtio-blk-device", {{"drive", "a"}}),
               opt("-device", "virtio-blk-device", {{"drive", "a"}})};
  add(d, "already in use");
  d = {};
  d.devices = {opt("-device", "virtio-gpu-device", {})};
  add(d, "unknown device 'virtio-gpu-device'");
  d.devices = {opt("-device", "virtio-rng-device", {{"speed", "fast"}})};
  add(d, "unknown property 'speed'");
  d.devices = {opt("-device", "virtconsole", {})};
  add(d, "virtio-serial-device");
  d = {};
  d.netdevs = {opt("-netdev", "user", {{"id", "n0"}, {"hostfwd", "tcp:2222:22"}})};
  add(d, "hostfwd=tcp:2222:22");
  d.netdevs = {opt("-netdev", "user", {})};
  add(d, "id= is missing");
  d.netdevs = {opt("-netdev", "vde", {{"id", "n0"}})};
  add(d, "unknown network backend 'vde'");
  d.netdevs = {opt("-netdev", "socket", {{"id", "n0"}})};
  add(d, "exactly one of");
  d.netdevs = {opt("-netdev", "socket", {{"id", "n0"}, {"mcast", "10.0.0.1:1234"}})};
  add(d, "not a multicast address");
  d.netdevs = {opt("-netdev", "user", {{"id", "n0"}})};
  d.devices = {opt("-device", "virtio-net-device", {{"netdev", "n0"}, {"mac", "01:00:00:00:00:01"}})};
  add(d, "multicast");
  d = {};
  d.globals = {opt("-global", "virtio-mmio", {{"force-legacy", "maybe"}})};
  add(d, "force-legacy=maybe");
  d.globals = {opt("-global", "virtio-blk-device", {{"scsi", "on"}})};
  add(d, "unknown global");
  // virtio-9p: -fsdev and its device.
  d = {};
  d.fsdevs = {opt("-fsdev", "local", {{"id", "f"}, {"path", "/nonexistent/share"}, {"security_model", "none"}})};
  d.devices = {opt("-device", "virtio-9p-device", {{"fsdev", "f"}, {"mount_tag", "t"}})};
  add(d, "/nonexistent/share");
  d.fsdevs = {opt("-fsdev", "local", {{"id", "f"}, {"path", "/tmp"}, {"security_model", "mapped-sideways"}})};
  add(d, "security_model=mapped-sideways");
  d.fsdevs = {opt("-fsdev", "local", {{"id", "f"}, {"path", "/tmp"}})};
  add(d, "security_model= is missing");
  d.fsdevs = {opt("-fsdev", "local", {{"id", "f"}, {"path", "/tmp"}, {"security_model", "none"}})};
  d.devices = {opt("-device", "virtio-9p-device", {{"fsdev", "f"}})};
  add(d, "mount_tag= is missing");
  d.devices = {opt("-device", "virtio-9p-device", {{"fsdev", "g"}, {"mount_tag", "t"}})};
  add(d, "no -fsdev has id=g");
  d.devices = {opt("-device", "virtio-9p-device", {{"fsdev", "f"}, {"mount_tag", std::string(300, 't')}})};
  add(d, "at most 255");
  d.fsdevs = {opt("-fsdev", "proxy", {{"id", "f"}, {"path", "/tmp"}, {"security_model", "none"}})};
  d.devices = {opt("-device", "virtio-9p-device", {{"fsdev", "f"}, {"mount_tag", "t"}})};
  add(d, "'proxy'");
  for (const Case& c : cases) {
    std::string e = error_of(c.d);
    EXPECT_NE(e.find(c.want), std::string::npos) << "want '" << c.want << "' in: " << e;
    EXPECT_EQ(e.find('\n'), std::string::npos) << e;
  }
}
// A guest write through virtio-blk as the driver sends it: header, one sector, status byte.
uint8_t blk_request(VirtioBlk& blk, uint32_t type, uint8_t* sector_data) {
  constexpr uint64_t kRam = 0x80000000;
  AddressSpace as;
  uint8_t* host = as.add_ram("ram", kRam, 1 << 16);
  GuestRam ram(as);
  Virtqueue vq(ram, 16);
  uint8_t header[16] = {};
  memcpy(header, &type, 4);
  memcpy(host, header, 16);
  memcpy(host + 0x100, sector_data, 512);
  host[0x400] = 0xff;
  VirtqChain chain;
  chain.buffers = {{kRam, 16, false}, {kRam + 0x100, 512, type == VirtioBlk::kIn}, {kRam + 0x400, 1, true}};
  blk.serve(chain, vq);
  memcpy(sector_data, host + 0x100, 512);
  return host[0x400];
}

TEST(VirtioOptions, SnapshotKeepsGuestWritesOutOfTheImage) {
  for (bool snapshot : {false, true}) {
    TempDisk disk;
    DeviceOptions d;
    d.drives = {opt("-drive", "",
                    {{"file", disk.path}, {"if", "virtio"}, {"format", "raw"}, {"snapshot", snapshot ? "on" : "off"}})};
    VirtioDevicePlan plan = make_virtio_devices(d);
    auto* blk = dynamic_cast<VirtioBlk*>(plan.devices.at(0).get());
    ASSERT_NE(blk, nullptr);
    uint8_t data[512];
    memset(data, 0xab, sizeof data);
    EXPECT_EQ(blk_request(*blk, VirtioBlk::kOut, data), VirtioBlk::kStatusOk);
    memset(data, 0, sizeof data);
    EXPECT_EQ(blk_request(*blk, VirtioBlk::kIn, data), VirtioBlk::kStatusOk);
    EXPECT_EQ(data[0], 0xab) << "the guest reads back what it wrote";
    blk->stop();
    plan.devices.clear();
    std::ifstream f(disk.path, std::ios::binary);
    char first = 1;
    f.read(&first, 1);
    EXPECT_EQ(uint8_t(first), snapshot ? 0 : 0xab) << (snapshot ? "snapshot=on" : "snapshot=off");
  }
}

TEST(VirtioOptions, LockingOffLetsASecondOpenerIn) {
  TempDisk disk;
  DeviceOptions d;
  d.drives = {opt("-drive", "", {{"file", disk.path}, {"if", "virtio"}, {"format", "raw"}})};
  VirtioDevicePlan first = make_virtio_devices(d);
  std::string e = error_of(d);
  EXPECT_NE(e.find("lock"), std::string::npos) << "a second writer is refused: " << e;
  d.drives[0].props.emplace_back("locking", "off");
  EXPECT_EQ(error_of(d), "");
  for (auto& dev : first.devices) dev->stop();
}
}  // namespace
