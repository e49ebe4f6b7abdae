#include "hw/virtio/virtio_devices.h"

#include <fmt/format.h>

#include <array>
#include <cstdio>
#include <map>
#include <set>
#include <string_view>

#include "hw/char/chardev.h"
#include "hw/core/machine.h"
#include "hw/net/net_backend.h"
#include "hw/pci/pcie_host.h"
#include "hw/virtio/virtio_9p.h"
#include "hw/virtio/virtio_blk.h"
#include "hw/virtio/virtio_console.h"
#include "hw/virtio/virtio_net.h"
#include "hw/virtio/virtio_rng.h"

namespace mimic::hw {

namespace {
[[noreturn]] void fail(const OptionList& o, const std::string& why) {
  throw MachineError(fmt::format("{} {}: {}", o.option, o.text, why));
}

bool parse_bool(const OptionList& o, const std::string& key, const std::string& v) {
  if (v == "on" || v == "true" || v == "yes") return true;
  if (v == "off" || v == "false" || v == "no") return false;
  fail(o, fmt::format("{}={}: expected on or off", key, v));
}

unsigned parse_count(const OptionList& o, const std::string& key, unsigned lo, unsigned hi) {
  std::string v = o.get(key);
  char* end = nullptr;
  unsigned long n = std::strtoul(v.c_str(), &end, 0);
  if (v.empty() || *end || n < lo || n > hi)
    fail(o, fmt::format("{}={}: expected a number from {} to {}", key, v, lo, hi));
  return unsigned(n);
}

void check_keys(const OptionList& o, std::initializer_list<const char*> known) {
  for (auto& [k, v] : o.props) {
    bool ok = false;
    for (const char* n : known) ok |= k == n;
    if (!ok) fail(o, fmt::format("unknown property '{}'", k));
  }
}

std::unique_ptr<VirtioDevice> make_blk(const OptionList& device, const OptionList& drive) {
  check_keys(drive, {"file", "format", "if", "id", "readonly", "cache", "snapshot", "discard", "media", "aio", "index",
                     "werror", "rerror", "detect-zeroes", "auto-read-only", "locking"});
  std::string file = drive.get("file");
  if (file.empty()) fail(drive, "file= is missing (mimic has no removable media)");
  if (drive.get("media", "disk") != "disk") fail(drive, "media=" + drive.get("media") + ": only media=disk");
  block::OpenOptions open;
  open.format = drive.get("format");
  open.read_only = parse_bool(drive, "readonly", drive.get("readonly", "off"));
  open.snapshot = parse_bool(drive, "snapshot", drive.get("snapshot", "off"));
  // locking=auto is QEMU's default: lock where the host supports it, which is where mimic locks.
  std::string locking = drive.get("locking", "auto");
  open.lock = locking == "auto" || parse_bool(drive, "locking", locking);
  VirtioBlkConfig c;
  std::string cache = drive.get("cache", "writeback");
  if (cache == "none" || cache == "directsync") open.direct = true;
  if (cache == "writethrough" || cache == "directsync")
    c.writeback = false;
  else if (cache == "unsafe")
    c.ignore_flush = true;
  else if (cache != "writeback" && cache != "none")
    fail(drive, "cache=" + cache + ": expected none, writeback, writethrough, directsync or unsafe");
  std::string discard = drive.get("discard", "ignore");
  if (discard == "unmap" || discard == "on")
    c.discard_unmap = true;
  else if (discard != "ignore" && discard != "off")
    fail(drive, "discard=" + discard + ": expected ignore or unmap");

  check_keys(device, {"drive", "id", "num-queues", "queue-size", "serial"});
  if (device.has("num-queues")) c.num_queues = parse_count(device, "num-queues", 1, 64);
  if (device.has("queue-size")) {
    c.queue_size = uint16_t(parse_count(device, "queue-size", 4, 1024));
    if (c.queue_size & (c.queue_size - 1)) fail(device, "queue-size: must be a power of 2");
  }
  c.serial = device.get("serial");
  c.path = file;
  if (c.serial.size() > 20) fail(device, "serial=: at most 20 characters");

  std::string error;
  std::unique_ptr<block::BlockImage> image = block::open_image(file, open, error);
  if (!image) fail(drive, error);
  if (image->size() % 512 != 0)
    fail(drive, fmt::format("{}: size {} is not a whole number of 512-byte sectors", file, image->size()));
  return std::make_unique<VirtioBlk>(std::shared_ptr<block::BlockImage>(std::move(image)), c);
}
// -fsdev local,id=ID,path=DIR,security_model=M[,readonly=on] behind -device virtio-9p-device.
std::unique_ptr<VirtioDevice> make_9p(const OptionList& device, const OptionList& fsdev) {
  check_keys(fsdev, {"id", "path", "security_model", "readonly", "mount_tag", "writeout", "fmode", "dmode"});
  if (fsdev.driver != "local") fail(fsdev, fmt::format("'{}': the fsdev driver mimic has is local", fsdev.driver));
  fs::P9Options o;
  o.path = fsdev.get("path");
  if (o.path.empty()) fail(fsdev, "path= is missing (the host folder to share)");
  if (!fsdev.has("security_model"))
    fail(fsdev, "security_model= is missing: passthrough, mapped-xattr, mapped-file or none");
  if (!fs::parse_security_model(fsdev.get("security_model"), o.model))
    fail(fsdev, fmt::format("security_model={}: expected passthrough, mapped-xattr, mapped-file or none",
                            fsdev.get("security_model")));
  o.readonly = parse_bool(fsdev, "readonly", fsdev.get("readonly", "off"));
  for (const char* unsupported : {"fmode", "dmode"})
    if (fsdev.has(unsupported))
      fail(fsdev, fmt::format("{}=: not implemented in mimic (0600/0700 are used)", unsupported));
  std::string writeout = fsdev.get("writeout", "immediate");
  if (writeout != "immediate") fail(fsdev, "writeout=" + writeout + ": expected immediate");
  check_keys(device, {"id", "fsdev", "mount_tag"});
  std::string tag = device.get("mount_tag");
  if (tag.empty()) fail(device, "mount_tag= is missing (the name the guest mounts)");
  if (tag.size() > Virtio9p::kMaxTagLength)
    fail(device, fmt::format("mount_tag=: {} bytes, at most {}", tag.size(), Virtio9p::kMaxTagLength));
  auto server = std::make_unique<fs::P9Server>(o);
  std::string error;
  if (!server->open(error)) fail(fsdev, error);
  return std::make_unique<Virtio9p>(std::move(server), tag);
}

// mac= or QEMU's default, 52:54:00:12:34:56 with the NIC's index added to the last byte.
std::array<uint8_t, 6> mac_for(const OptionList& o, unsigned index) {
  std::array<uint8_t, 6> mac = {0x52, 0x54, 0x00, 0x12, 0x34, uint8_t(0x56 + index)};
  if (!o.has("mac")) return mac;
  std::string v = o.get("mac");
  unsigned b[6];
  char tail;
  if (std::sscanf(v.c_str(), "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &tail) != 6)
    fail(o, "mac=" + v + ": expected six hex bytes, 52:54:00:12:34:56");
  for (int i = 0; i < 6; i++) {
    if (b[i] > 255) fail(o, "mac=" + v + ": bytes are 00 to ff");
    mac[i] = uint8_t(b[i]);
  }
  if (mac[0] & 1) fail(o, "mac=" + v + ": a multicast address cannot be a NIC's");
  return mac;
}
// What -device takes, for `-device help` and the unknown-device error (each also as -pci).
struct DeviceKind {
  const char *category, *name, *bus, *desc;
};
constexpr DeviceKind kDeviceKinds[] = {
    {"Storage devices", "virtio-blk-device", "virtio-bus", "drive=ID of an -drive if=none"},
    {"Storage devices", "virtio-blk-pci", "PCI", "drive=ID of an -drive if=none"},
    {"Storage devices", "virtio-9p-device", "virtio-bus", "fsdev=ID of an -fsdev (or -virtfs)"},
    {"Storage devices", "virtio-9p-pci", "PCI", "fsdev=ID of an -fsdev (or -virtfs)"},
    {"Network devices", "virtio-net-device", "virtio-bus", "netdev=ID of an -netdev, mac="},
    {"Network devices", "virtio-net-pci", "PCI", "netdev=ID of an -netdev, mac="},
    {"Input devices", "virtconsole", "virtio-serial-bus", "chardev=ID of a -chardev, after a virtio-serial device"},
    {"Input devices", "virtio-serial-device", "virtio-bus", "ports for virtconsole"},
    {"Input devices", "virtio-serial-pci", "PCI", "ports for virtconsole"},
    {"Misc devices", "virtio-rng-device", "virtio-bus", "entropy from the host"},
    {"Misc devices", "virtio-rng-pci", "PCI", "entropy from the host"},
};

// -device virtio-X-pci (or QEMU's alias virtio-X) as virtio-X-device plus its PCI properties.
std::pair<OptionList, VirtioDeviceTransport> split_transport(const OptionList& given) {
  OptionList dev = given;
  VirtioDeviceTransport t;
  t.text = given.option + " " + given.text;
  static const std::set<std::string> aliases = {"virtio-blk", "virtio-net", "virtio-rng", "virtio-serial", "virtio-9p"};
  const std::string& d = given.driver;
  if (d.size() > 4 && d.compare(d.size() - 4, 4, "-pci") == 0)
    dev.driver = d.substr(0, d.size() - 4) + "-device";
  else if (aliases.count(d))
    dev.driver = d + "-device";
  else
    return {dev, t};
  t.pci = true;
  dev.props.clear();
  for (auto& [k, v] : given.props) {
    if (k == "disable-legacy") {
      if (v != "auto") t.pci_options.legacy = !parse_bool(given, k, v);
    } else if (k == "disable-modern") {
      t.pci_options.modern = !parse_bool(given, k, v);
    } else if (k == "vectors") {
      t.pci_options.vectors = int(parse_count(given, k, 0, 2048));
    } else if (k == "addr") {
      unsigned slot = 0, fn = 0;
      char tail;
      int n = std::sscanf(v.c_str(), "%x.%x%c", &slot, &fn, &tail);
      if (n < 1 || n > 2 || slot < 1 || slot > 31 || fn != 0)
        fail(given, "addr=" + v + ": expected a slot from 1 to 1f (function 0)");
      t.pci_slot = int(slot);
    } else if (k != "romfile") {
      dev.props.emplace_back(k, v);
    }
  }
  if (!t.pci_options.legacy && !t.pci_options.modern)
    fail(given, "disable-legacy=on and disable-modern=on: the device would have no interface");
  return {dev, t};
}
}  // namespace

VirtioDevicePlan make_virtio_devices(const DeviceOptions& options, bool pci_default) {
  VirtioDevicePlan plan;
  for (const OptionList& g : options.globals) {
    if (g.driver == "virtio-mmio" && g.props.size() == 1 && g.props[0].first == "force-legacy")
      plan.legacy = parse_bool(g, "force-legacy", g.props[0].second);
    else
      fail(g, "unknown global property (mimic knows virtio-mmio.force-legacy)");
  }
  std::map<std::string, const OptionList*> drives;
  std::vector<std::pair<OptionList, const OptionList*>> blk;  // device, drive
  for (const OptionList& d : options.drives) {
    std::string id = d.get("id");
    std::string iface = d.get("if", "ide");
    if (iface == "virtio") {
      OptionList device{"-drive", d.text, pci_default ? "virtio-blk-pci" : "virtio-blk-device", {}};
      blk.emplace_back(device, &d);
    } else if (iface != "none") {
      fail(d, fmt::format("if={}: the virt machine has no {} bus; use if=virtio, or if=none,id=ID with "
                          "-device virtio-blk-device,drive=ID",
                          iface, iface));
    }
    if (!id.empty() && !drives.emplace(id, &d).second) fail(d, fmt::format("duplicate drive id '{}'", id));
    if (iface == "none" && id.empty()) fail(d, "if=none needs id=");
  }
  std::map<std::string, std::unique_ptr<NetBackend>> netdevs;
  for (const OptionList& n : options.netdevs) {
    std::string id = n.get("id");
    if (netdevs.count(id)) fail(n, fmt::format("duplicate netdev id '{}'", id));
    netdevs[id] = make_net_backend(n);
  }
  std::map<std::string, std::unique_ptr<CharDev>> chardevs;
  for (const OptionList& c : options.chardevs) {
    if (chardevs.count(c.get("id"))) fail(c, fmt::format("duplicate chardev id '{}'", c.get("id")));
    chardevs[c.get("id")] = make_chardev(c);
  }
  std::map<std::string, const OptionList*> fsdevs;
  for (const OptionList& f : options.fsdevs) {
    std::string id = f.get("id");
    if (id.empty()) fail(f, "id= is missing");
    if (!fsdevs.emplace(id, &f).second) fail(f, fmt::format("duplicate fsdev id '{}'", id));
  }
  const OptionList* serial_pending = nullptr;
  size_t serial_slot = 0;
  unsigned nic_index = 0;
  std::set<std::string> used;
  auto add = [&plan](std::unique_ptr<VirtioDevice> d, VirtioDeviceTransport t) {
    plan.devices.push_back(std::move(d));
    plan.transports.push_back(std::move(t));
  };
  for (const OptionList& listed : options.devices) {
    // -virtfs makes QEMU's "virtio-9p" alias: the PCI device where the board has a PCI bus.
    OptionList given = listed;
    if (given.option == "-virtfs" && pci_default) given.driver = "virtio-9p-pci";
    auto [dev, transport] = split_transport(given);
    if (dev.driver == "virtio-blk-device") {
      std::string id = dev.get("drive");
      auto it = drives.find(id);
      if (id.empty()) fail(dev, "drive= is missing");
      if (it == drives.end()) fail(dev, fmt::format("drive={}: no -drive has id={}", id, id));
      if (it->second->get("if", "ide") != "none") fail(dev, fmt::format("drive={}: the drive is not if=none", id));
      if (!used.insert(id).second) fail(dev, fmt::format("drive={}: already in use by another device", id));
      add(make_blk(dev, *it->second), transport);
    } else if (dev.driver == "virtio-rng-device") {
      check_keys(dev, {"id"});
      add(std::make_unique<VirtioRng>(), transport);
    } else if (dev.driver == "virtio-net-device") {
      check_keys(dev, {"id", "netdev", "mac"});
      std::string id = dev.get("netdev");
      auto it = netdevs.find(id);
      if (id.empty()) fail(dev, "netdev= is missing");
      if (it == netdevs.end()) fail(dev, fmt::format("netdev={}: no -netdev has id={}", id, id));
      if (!it->second) fail(dev, fmt::format("netdev={}: already in use by another device", id));
      add(std::make_unique<VirtioNet>(std::move(it->second), mac_for(dev, nic_index++)), transport);
    } else if (dev.driver == "virtio-serial-device") {
      check_keys(dev, {"id", "max_ports"});
      // Its port comes with the next virtconsole; without MULTIPORT a device has one.
      serial_pending = &given;
      add(nullptr, transport);
      serial_slot = plan.devices.size() - 1;
    } else if (dev.driver == "virtconsole") {
      check_keys(dev, {"id", "chardev", "name", "nr"});
      if (!serial_pending) fail(dev, "needs a virtio-serial-device before it (with a free port)");
      std::unique_ptr<CharDev> chr;
      if (dev.has("chardev")) {
        auto it = chardevs.find(dev.get("chardev"));
        if (it == chardevs.end() || !it->second)
          fail(dev, fmt::format("chardev={}: no unused -chardev has that id", dev.get("chardev")));
        chr = std::move(it->second);
      }
      plan.devices[serial_slot] = std::make_unique<VirtioConsole>(std::move(chr));
      serial_pending = nullptr;
    } else if (dev.driver == "virtio-9p-device") {
      std::string id = dev.get("fsdev");
      auto it = fsdevs.find(id);
      if (id.empty()) fail(dev, "fsdev= is missing");
      if (it == fsdevs.end()) fail(dev, fmt::format("fsdev={}: no -fsdev has id={}", id, id));
      if (!used.insert("fsdev:" + id).second) fail(dev, fmt::format("fsdev={}: already in use by another device", id));
      add(make_9p(dev, *it->second), transport);
    } else {
      std::string names;
      for (const DeviceKind& k : kDeviceKinds) names += std::string(names.empty() ? "" : ", ") + k.name;
      fail(dev, fmt::format("unknown device '{}' (mimic has {}; -device help lists them)", given.driver, names));
    }
  }
  // A virtio-serial-device without a virtconsole: a console port with nothing behind it.
  for (auto& d : plan.devices)
    if (!d) d = std::make_unique<VirtioConsole>(nullptr);
  for (auto& [device, drive] : blk) {
    auto [dev, transport] = split_transport(device);
    add(make_blk(dev, *drive), transport);
  }
  // -nic TYPE,...[,model=virtio-net-device][,mac=...]: the netdev without the NIC's properties.
  for (const OptionList& nic : options.nics) {
    OptionList netdev = nic, device{nic.option, nic.text, "virtio-net-device", {}};
    netdev.props.clear();
    for (auto& kv : nic.props) (kv.first == "model" || kv.first == "mac" ? device.props : netdev.props).push_back(kv);
    std::string model = device.get("model", pci_default ? "virtio-net-pci" : "virtio-net-device");
    if (model == "virtio") model = pci_default ? "virtio-net-pci" : "virtio-net-device";
    if (model != "virtio-net-device" && model != "virtio-net-pci")
      fail(nic, "model=" + model + ": the virt machine's NICs here are virtio-net-device and virtio-net-pci");
    if (!netdev.has("id")) netdev.props.emplace_back("id", fmt::format("__nic{}", nic_index));
    VirtioDeviceTransport transport;
    transport.pci = model == "virtio-net-pci";
    transport.text = nic.option + " " + nic.text;
    add(std::make_unique<VirtioNet>(make_net_backend(netdev), mac_for(device, nic_index++)), transport);
  }
  // QEMU's words for a -netdev no NIC uses (the board makes no NIC of its own).
  for (auto& [id, backend] : netdevs)
    if (backend) fmt::print(stderr, "mimic: warning: netdev {} has no peer\n", id);
  return plan;
}

std::vector<std::unique_ptr<VirtioMmio>> make_virtio_mmio_slots(AddressSpace& memory, const DeviceOptions& options,
                                                                unsigned count, uint64_t base, uint64_t stride,
                                                                const std::function<void(unsigned, bool)>& irq,
                                                                tcg::Logger* log) {
  VirtioDevicePlan plan = make_virtio_devices(options);
  for (const VirtioDeviceTransport& t : plan.transports)
    if (t.pci) throw MachineError(t.text + ": this machine has no PCI bus in mimic (use the -device variant)");
  return make_virtio_mmio_slots(memory, plan, count, base, stride, irq, log);
}

std::vector<std::unique_ptr<VirtioPci>> make_virtio_pci_devices(AddressSpace& memory, VirtioDevicePlan& plan,
                                                                PcieHost& host, tcg::Logger* log) {
  std::vector<std::unique_ptr<VirtioPci>> out;
  std::vector<std::unique_ptr<VirtioDevice>> rest;
  std::vector<VirtioDeviceTransport> rest_transports;
  for (size_t i = 0; i < plan.devices.size(); i++) {
    VirtioDeviceTransport& t = plan.transports[i];
    if (!t.pci) {
      rest.push_back(std::move(plan.devices[i]));
      rest_transports.push_back(std::move(t));
      continue;
    }
    int slot = t.pci_slot >= 0 ? t.pci_slot : host.free_slot();
    if (slot < 0) throw MachineError(t.text + ": no free PCI slot on bus 0");
    std::string type = plan.devices[i]->type_name();
    std::string name = type.substr(0, type.rfind("-device")) + "-pci";
    auto dev = std::make_unique<VirtioPci>(name, memory, std::move(plan.devices[i]), t.pci_options, log);
    if (!host.plug(unsigned(slot) << 3, dev.get()))
      throw MachineError(fmt::format("{}: PCI slot {:02x} is already in use", t.text, slot));
    out.push_back(std::move(dev));
  }
  plan.devices = std::move(rest);
  plan.transports = std::move(rest_transports);
  return out;
}

std::vector<std::unique_ptr<VirtioMmio>> make_virtio_mmio_slots(AddressSpace& memory, VirtioDevicePlan& plan,
                                                                unsigned count, uint64_t base, uint64_t stride,
                                                                const std::function<void(unsigned, bool)>& irq,
                                                                tcg::Logger* log) {
  if (plan.devices.size() > count)
    throw MachineError(
        fmt::format("-device: {} virtio devices, the machine has {} virtio-mmio slots", plan.devices.size(), count));
  std::vector<std::unique_ptr<VirtioMmio>> slots(count);
  for (unsigned i = count; i-- > 0;) {
    unsigned k = count - 1 - i;
    std::unique_ptr<VirtioDevice> dev = k < plan.devices.size() ? std::move(plan.devices[k]) : nullptr;
    slots[i] = std::make_unique<VirtioMmio>(fmt::format("virtio-mmio@{:x}", base + i * stride), memory, std::move(dev),
                                            plan.legacy, log);
    slots[i]->irq().connect([irq, i](bool level) { irq(i, level); });
  }
  for (unsigned i = 0; i < count; i++)
    memory.add_mmio("virtio-mmio", base + i * stride, VirtioMmio::kSize, slots[i].get(), 0, 1, 4);
  return slots;
}

void VirtioFunctions::snapshot_sections(std::vector<SnapshotSection>& out) const {
  // The sections outlive this view: they hold the functions themselves.
  for (size_t i = 0; i < pci.size(); i++)
    out.push_back({fmt::format("virtio-pci.{}", i), 1, [f = pci[i].get()](StateIo& io) { f->snapshot_state(io); }});
  for (size_t i = 0; i < mmio.size(); i++)
    if (mmio[i]->device())
      out.push_back({fmt::format("virtio-mmio.{}", i), 1, [f = mmio[i].get()](StateIo& io) { f->snapshot_state(io); }});
}

std::string VirtioFunctions::snapshot_devices() const {
  std::string out;
  for (size_t i = 0; i < pci.size(); i++)
    out += fmt::format(" virtio-pci.{}@{:02x}={}", i, pci[i]->devfn(), pci[i]->device()->type_name());
  for (size_t i = 0; i < mmio.size(); i++)
    if (VirtioDevice* d = mmio[i]->device()) out += fmt::format(" virtio-mmio.{}={}", i, d->type_name());
  return out;
}

std::string VirtioFunctions::snapshot_blocker() const {
  std::vector<VirtioDevice*> devices;
  for (auto& v : pci) devices.push_back(v->device());
  for (auto& v : mmio) devices.push_back(v->device());
  for (VirtioDevice* d : devices)
    if (std::string why = d ? d->snapshot_blocker() : ""; !why.empty()) return why;
  return {};
}

std::vector<VirtioBlk*> VirtioFunctions::disks() const {
  std::vector<VirtioBlk*> out;
  for (auto& v : pci)
    if (auto* blk = dynamic_cast<VirtioBlk*>(v->device())) out.push_back(blk);
  for (auto& v : mmio)
    if (auto* blk = dynamic_cast<VirtioBlk*>(v->device())) out.push_back(blk);
  return out;
}

void VirtioFunctions::drain() const {
  for (auto& v : pci) v->drain();
  for (auto& v : mmio) v->drain();
}

std::string virtio_device_help() {
  // qemu-system's layout: a heading per category, then `name "N", bus B, desc "D"`.
  std::string out;
  const char* category = "";
  for (const DeviceKind& k : kDeviceKinds) {
    if (std::string_view(k.category) != category) {
      out += fmt::format("{}{}:\n", out.empty() ? "" : "\n", k.category);
      category = k.category;
    }
    out += fmt::format("name \"{}\", bus {}, desc \"{}\"\n", k.name, k.bus, k.desc);
  }
  return out;
}

}  // namespace mimic::hw
