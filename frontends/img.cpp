// `mimic img`: qemu-img's commands, arguments, output forms and exit codes over the block layer
// (create, info, check, convert, resize, snapshot, commit, rebase, map, compare).
#include "frontends/img.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <map>
#include <optional>

#include "hw/block/block.h"

namespace mimic::frontends {
namespace {

using namespace mimic::hw::block;

int fail(const std::string& message) {
  fmt::print(stderr, "mimic img: {}\n", message);
  return 1;
}

// "10G", "512M", "1.5G", "4096": bytes (qemu-img's suffixes, powers of 1024).
std::optional<uint64_t> parse_size(std::string s) {
  if (s.empty()) return std::nullopt;
  uint64_t mult = 1;
  static const std::string suffixes = "bkmgtpe";
  char last = char(std::tolower(static_cast<unsigned char>(s.back())));
  if (size_t i = suffixes.find(last); i != std::string::npos) {
    for (size_t k = 0; k < i; ++k) mult *= 1024;
    s.pop_back();
  }
  if (s.empty() || s.find_first_not_of("0123456789.") != std::string::npos) return std::nullopt;
  double v = std::strtod(s.c_str(), nullptr);
  if (v * double(mult) > 9.2e18) return std::nullopt;
  return uint64_t(v * double(mult));
}

struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::string> opts;  // "-f" -> value, "-c" -> "" for flags
  std::vector<std::string> o_opts;          // every -o
  std::string error;
};

// Per command: the short options that take a value, the short flags and the long options it
// knows. Anything else is an error (qemu-img options mimic does not implement fail loudly).
Args parse(const std::vector<std::string>& argv, const std::string& with_value, const std::string& flags = "q",
           const std::vector<std::string>& longs = {}) {
  Args a;
  auto unknown = [&](const std::string& o) {
    if (a.error.empty()) a.error = "unknown or unsupported option '" + o + "'";
  };
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& s = argv[i];
    if (s.size() > 1 && s[0] == '-' && s.rfind("--", 0) != 0 && !(std::isdigit(static_cast<unsigned char>(s[1])))) {
      std::string key = s.substr(0, 2);
      if (with_value.find(s[1]) != std::string::npos) {
        std::string v = s.size() > 2 ? s.substr(2) : (i + 1 < argv.size() ? argv[++i] : "");
        if (key == "-o")
          a.o_opts.push_back(v);
        else
          a.opts[key] = v;
      } else {
        for (size_t k = 1; k < s.size(); ++k) {
          if (flags.find(s[k]) == std::string::npos) unknown(std::string("-") + s[k]);
          a.opts[std::string("-") + s[k]] = "";
        }
      }
    } else if (s.rfind("--", 0) == 0) {
      size_t eq = s.find('=');
      if (std::find(longs.begin(), longs.end(), s.substr(0, eq)) == longs.end()) unknown(s.substr(0, eq));
      if (eq != std::string::npos)
        a.opts[s.substr(0, eq)] = s.substr(eq + 1);
      else if (s == "--output" && i + 1 < argv.size())
        a.opts[s] = argv[++i];
      else
        a.opts[s] = "";
    } else {
      a.positional.push_back(s);
    }
  }
  return a;
}

std::string opt(const Args& a, const std::string& key, const std::string& def = "") {
  auto it = a.opts.find(key);
  return it == a.opts.end() ? def : it->second;
}
bool has(const Args& a, const std::string& key) { return a.opts.count(key) != 0; }

std::unique_ptr<BlockImage> open_for(const std::string& path, const std::string& format, bool writable, bool lock,
                                     std::string& error, bool open_backing = true) {
  OpenOptions o;
  o.format = format;
  o.read_only = !writable;
  o.lock = lock;
  o.open_backing = open_backing;
  return open_image(path, o, error);
}

// -o key=value,key=value into CreateOptions.
bool apply_o(const std::vector<std::string>& list, CreateOptions& c, std::string& error) {
  for (const auto& group : list) {
    size_t start = 0;
    while (start <= group.size()) {
      size_t comma = group.find(',', start);
      std::string kv = group.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      start = comma == std::string::npos ? group.size() + 1 : comma + 1;
      if (kv.empty()) continue;
      size_t eq = kv.find('=');
      std::string k = kv.substr(0, eq), v = eq == std::string::npos ? "on" : kv.substr(eq + 1);
      if (k == "cluster_size") {
        auto n = parse_size(v);
        if (!n) return error = "invalid cluster_size '" + v + "'", false;
        c.cluster_size = *n;
      } else if (k == "backing_file") {
        c.backing_file = v;
      } else if (k == "backing_fmt") {
        c.backing_format = v;
      } else if (k == "compression_type") {
        c.compression_type = v;
      } else if (k == "lazy_refcounts") {
        c.lazy_refcounts = v == "on" || v == "true";
      } else if (k == "preallocation") {
        c.preallocation = v;
      } else if (k == "compat") {
        c.compat = v;
      } else if (k == "refcount_bits") {
        c.refcount_bits = uint32_t(std::strtoul(v.c_str(), nullptr, 10));
      } else if (k == "subformat") {
        c.subformat = v;
      } else if (k == "static") {
        if (v == "on") c.subformat = "static";
      } else if (k == "size") {
        auto n = parse_size(v);
        if (!n) return error = "invalid size '" + v + "'", false;
        c.size = *n;
      } else {
        return error = "unknown option '" + k + "'", false;
      }
    }
  }
  return true;
}

int cmd_create(const std::vector<std::string>& argv) {
  Args a = parse(argv, "fobF", "qu");
  if (!a.error.empty()) return fail(a.error);
  if (a.positional.empty()) return fail("create: give FILE [SIZE]");
  CreateOptions c;
  c.format = opt(a, "-f", "raw");
  c.backing_file = opt(a, "-b");
  c.backing_format = opt(a, "-F");
  std::string error;
  if (!apply_o(a.o_opts, c, error)) return fail(a.positional[0] + ": " + error);
  if (a.positional.size() > 1) {
    auto n = parse_size(a.positional[1]);
    if (!n) return fail("invalid image size '" + a.positional[1] + "' (a number with an optional k, M, G, T suffix)");
    c.size = *n;
  } else if (c.backing_file.empty()) {
    return fail(a.positional[0] + ": give the image size");
  }
  if (!has(a, "-q"))
    fmt::print("Formatting '{}', fmt={} size={}{}\n", a.positional[0], c.format, c.size,
               c.backing_file.empty() ? "" : " backing_file=" + c.backing_file);
  if (create_image(a.positional[0], c, error) < 0) return fail(error);
  return 0;
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\')
      out += '\\', out += ch;
    else if (uint8_t(ch) < 0x20)
      out += fmt::format("\\u{:04x}", int(ch));
    else
      out += ch;
  }
  return out + "\"";
}

uint64_t disk_usage(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? uint64_t(st.st_blocks) * 512 : 0;
}

std::string snapshot_list(const std::vector<SnapshotInfo>& list) {
  std::string out = fmt::format("Snapshot list:\n{:<10}{:<17}{:>8}{:>20}{:>13}{:>11}\n", "ID", "TAG", "VM SIZE", "DATE",
                                "VM CLOCK", "ICOUNT");
  for (auto& s : list) out += snapshot_line(s) + "\n";
  return out;
}

std::string info_json(const std::string& path, BlockImage& img, int indent) {
  ImageInfo in = img.info();
  std::string pad(size_t(indent), ' ');
  std::vector<std::string> f;
  if (!in.backing_format.empty()) f.push_back("\"backing-filename-format\": " + json_string(in.backing_format));
  if (!in.snapshots.empty()) {
    std::string s = "\"snapshots\": [";
    for (size_t i = 0; i < in.snapshots.size(); ++i) {
      auto& sn = in.snapshots[i];
      s += fmt::format(
          "{}\n{}        {{\n{}            \"icount\": {},\n{}            \"vm-clock-nsec\": {},\n{}            "
          "\"name\": "
          "{},\n{}            \"date-sec\": {},\n{}            \"date-nsec\": {},\n{}            \"vm-clock-sec\": "
          "{},\n{}            \"id\": {},\n{}            \"vm-state-size\": {}\n{}        }}",
          i ? "," : "", pad, pad, sn.icount == UINT64_MAX ? 0 : sn.icount, pad, sn.vm_clock_nsec % 1000000000ull, pad,
          json_string(sn.name), pad, sn.date_sec, pad, sn.date_nsec, pad, sn.vm_clock_nsec / 1000000000ull, pad,
          json_string(sn.id), pad, sn.vm_state_size, pad);
    }
    f.push_back(s + "\n" + pad + "    ]");
  }
  f.push_back(fmt::format("\"virtual-size\": {}", img.size()));
  f.push_back("\"filename\": " + json_string(path));
  if (in.cluster_size) f.push_back(fmt::format("\"cluster-size\": {}", in.cluster_size));
  f.push_back(fmt::format("\"format\": \"{}\"", img.format_name()));
  f.push_back(fmt::format("\"actual-size\": {}", disk_usage(path)));
  if (!in.format_specific_type.empty()) {
    std::string s = "\"format-specific\": {\n" + pad + "        \"type\": " + json_string(in.format_specific_type) +
                    ",\n" + pad + "        \"data\": {";
    for (size_t i = 0; i < in.format_specific.size(); ++i)
      s += std::string(i ? "," : "") + "\n" + pad + "            " + json_string(in.format_specific[i].first) + ": " +
           in.format_specific[i].second;
    f.push_back(s + "\n" + pad + "        }\n" + pad + "    }");
  }
  if (!in.backing_file.empty()) {
    f.push_back("\"full-backing-filename\": " + json_string(in.full_backing_file));
    f.push_back("\"backing-filename\": " + json_string(in.backing_file));
  }
  f.push_back(std::string("\"dirty-flag\": ") + (in.dirty ? "true" : "false"));
  std::string out = pad + "{\n";
  for (size_t i = 0; i < f.size(); ++i) out += pad + "    " + f[i] + (i + 1 < f.size() ? ",\n" : "\n");
  return out + pad + "}";
}

std::string info_human(const std::string& path, BlockImage& img) {
  ImageInfo in = img.info();
  std::string out = fmt::format("image: {}\nfile format: {}\nvirtual size: {} ({} bytes)\ndisk size: {}\n", path,
                                img.format_name(), human_size(img.size()), img.size(), human_size(disk_usage(path)));
  if (in.cluster_size) out += fmt::format("cluster_size: {}\n", in.cluster_size);
  if (!in.backing_file.empty()) {
    out += "backing file: " + in.backing_file;
    if (in.full_backing_file != in.backing_file) out += " (actual path: " + in.full_backing_file + ")";
    out += "\n";
  }
  if (!in.backing_format.empty()) out += "backing file format: " + in.backing_format + "\n";
  if (!in.snapshots.empty()) out += snapshot_list(in.snapshots);
  if (in.dirty) out += "dirty flag: yes\n";
  if (!in.format_specific.empty()) {
    out += "Format specific information:\n";
    for (auto& [k, v] : in.format_specific) {
      std::string key = k, val = v;
      std::replace(key.begin(), key.end(), '-', ' ');
      val.erase(std::remove(val.begin(), val.end(), '"'), val.end());
      out += "    " + key + ": " + val + "\n";
    }
  }
  return out;
}

int cmd_info(const std::vector<std::string>& argv) {
  Args a = parse(argv, "f", "U", {"--output", "--backing-chain", "--force-share"});
  if (!a.error.empty()) return fail(a.error);
  if (a.positional.empty()) return fail("info: give FILE");
  bool json = opt(a, "--output") == "json", chain = has(a, "--backing-chain");
  std::string error;
  auto img = open_for(a.positional[0], opt(a, "-f"), false, !has(a, "-U") && !has(a, "--force-share"), error);
  if (!img) return fail(error);
  std::vector<std::pair<std::string, BlockImage*>> list{{a.positional[0], img.get()}};
  if (chain) {
    for (BlockImage* b = img->backing(); b; b = b->backing())
      list.push_back({list.back().second->info().full_backing_file, b});
  }
  if (json) {
    if (!chain) {
      fmt::print("{}\n", info_json(a.positional[0], *img, 0));
    } else {
      std::string out = "[\n";
      for (size_t i = 0; i < list.size(); ++i)
        out += info_json(list[i].first, *list[i].second, 4) + (i + 1 < list.size() ? ",\n" : "\n");
      fmt::print("{}]\n", out);
    }
  } else {
    for (size_t i = 0; i < list.size(); ++i)
      fmt::print("{}{}", i ? "\n" : "", info_human(list[i].first, *list[i].second));
  }
  return 0;
}

int cmd_check(const std::vector<std::string>& argv) {
  Args a = parse(argv, "fr", "qU", {"--output"});
  if (!a.error.empty()) return fail(a.error);
  if (a.positional.empty()) return fail("check: give FILE");
  std::string r = opt(a, "-r");
  Repair repair = r == "all" ? Repair::kAll : r == "leaks" ? Repair::kLeaks : Repair::kNone;
  if (has(a, "-r") && repair == Repair::kNone) return fail("check: -r takes leaks or all");
  std::string error;
  auto img = open_for(a.positional[0], opt(a, "-f"), repair != Repair::kNone, true, error);
  if (!img) {
    fmt::print(stderr, "mimic img: {}\n", error);
    return 1;
  }
  CheckResult res;
  int rc = img->check(repair, res);
  if (rc == -ENOTSUP) {
    fmt::print(stderr, "mimic img: {}: the {} format does not support checks\n", a.positional[0], img->format_name());
    return 63;
  }
  for (auto& m : res.messages) fmt::print(stderr, "{}\n", m);
  if (rc < 0) return fail(a.positional[0] + ": the check could not be completed: " + std::strerror(-rc)), 1;
  if (res.leaks_fixed || res.corruptions_fixed) {
    fmt::print(
        "The following inconsistencies were found and repaired:\n\n    {} leaked clusters\n    {} corruptions\n\n"
        "Double checking the fixed image now...\n",
        res.leaks_fixed, res.corruptions_fixed);
    CheckResult again;
    rc = img->check(Repair::kNone, again);
    again.leaks_fixed = res.leaks_fixed, again.corruptions_fixed = res.corruptions_fixed;
    res = again;
    for (auto& m : res.messages) fmt::print(stderr, "{}\n", m);
  }
  bool quiet = has(a, "-q");
  if (opt(a, "--output") == "json") {
    // qemu-img leaves out the counters that are zero (and the cluster counts of formats without).
    std::vector<std::pair<const char*, uint64_t>> fields;
    if (res.image_end_offset) fields.push_back({"image-end-offset", res.image_end_offset});
    if (res.total_clusters) fields.push_back({"total-clusters", res.total_clusters});
    fields.push_back({"check-errors", res.check_errors});
    for (auto [key, value] : {std::pair<const char*, uint64_t>{"leaks", res.leaks},
                              {"corruptions", res.corruptions},
                              {"leaks-fixed", res.leaks_fixed},
                              {"corruptions-fixed", res.corruptions_fixed}})
      if (value) fields.push_back({key, value});
    if (res.allocated_clusters) fields.push_back({"allocated-clusters", res.allocated_clusters});
    if (res.fragmented_clusters) fields.push_back({"fragmented-clusters", res.fragmented_clusters});
    if (res.compressed_clusters) fields.push_back({"compressed-clusters", res.compressed_clusters});
    std::string out = "{\n";
    for (auto& [key, value] : fields) out += fmt::format("    \"{}\": {},\n", key, value);
    fmt::print("{}    \"filename\": {},\n    \"format\": \"{}\"\n}}\n", out, json_string(a.positional[0]),
               img->format_name());
  } else if (!quiet) {
    if (!res.corruptions && !res.leaks && !res.check_errors) fmt::print("No errors were found on the image.\n");
    if (res.corruptions)
      fmt::print(
          "\n{} errors were found on the image.\nData may be corrupted, or further writes to the image may corrupt "
          "it.\n",
          res.corruptions);
    if (res.leaks)
      fmt::print(
          "\n{} leaked clusters were found on the image.\nThis means waste of disk space, but no harm to data.\n",
          res.leaks);
    if (res.check_errors) fmt::print("\n{} internal errors have occurred during the check.\n", res.check_errors);
    if (res.total_clusters && res.allocated_clusters && res.allocated_clusters <= res.total_clusters)
      fmt::print(
          "{}/{} = {:.2f}% allocated, {:.2f}% fragmented, {:.2f}% compressed clusters\n", res.allocated_clusters,
          res.total_clusters, 100.0 * double(res.allocated_clusters) / double(res.total_clusters),
          res.allocated_clusters ? 100.0 * double(res.fragmented_clusters) / double(res.allocated_clusters) : 0.0,
          res.allocated_clusters ? 100.0 * double(res.compressed_clusters) / double(res.allocated_clusters) : 0.0);
    if (res.image_end_offset) fmt::print("Image end offset: {}\n", res.image_end_offset);
  }
  if (res.check_errors) return 1;
  if (res.corruptions) return 2;
  if (res.leaks) return 3;
  return 0;
}

// Copies `src` into `dst` a chunk at a time, skipping what reads as zero (the destination is new
// and reads as zero already) and, with `compress`, writing whole clusters compressed.
int copy_image(BlockImage& src, BlockImage& dst, bool compress, bool progress, const std::string& dst_name) {
  const uint64_t size = std::min(src.size(), dst.size());
  uint64_t chunk = std::max<uint64_t>(dst.cluster_size(), 1 << 20);
  if (compress && dst.cluster_size()) chunk = dst.cluster_size();
  std::vector<uint8_t> buf(chunk);
  int last_pct = -1;
  for (uint64_t off = 0; off < size;) {
    BlockStatus st;
    uint64_t len = std::min(chunk - off % chunk, size - off);
    if (src.block_status(off, len, st) == 0 && st.kind != BlockStatus::kData && !src.backing()) {
      // Skip whole chunks only, so that writes stay cluster-aligned (compressed writes must).
      uint64_t skip_to = std::min(size, (off + st.length) / chunk * chunk);
      if (off + st.length >= size) skip_to = size;
      if (skip_to > off) {
        off = skip_to;
        continue;
      }
    }
    if (int r = src.read(off, buf.data(), len); r < 0)
      return fail(fmt::format("error while reading at byte {}: {}", off, std::strerror(-r)));
    bool zero = std::all_of(buf.begin(), buf.begin() + long(len), [](uint8_t b) { return b == 0; });
    if (!zero) {
      int r = compress ? dst.write_compressed(off, buf.data(), len) : dst.write(off, buf.data(), len);
      if (r < 0) return fail(fmt::format("{}: error while writing at byte {}: {}", dst_name, off, std::strerror(-r)));
    }
    off += len;
    if (progress) {
      int pct = int(100 * off / size);
      if (pct != last_pct) fmt::print("    ({}.00/100%)\r", pct), fflush(stdout), last_pct = pct;
    }
  }
  if (progress) fmt::print("    (100.00/100%)\n");
  if (int r = dst.flush(); r < 0) return fail(dst_name + ": flush failed: " + std::strerror(-r));
  return 0;
}

int cmd_convert(const std::vector<std::string>& argv) {
  Args a = parse(argv, "fOoBF", "cpqU");
  if (!a.error.empty()) return fail(a.error);
  if (a.positional.size() < 2) return fail("convert: give SOURCE DESTINATION");
  std::string error;
  auto src = open_for(a.positional[0], opt(a, "-f"), false, !has(a, "-U"), error);
  if (!src) return fail(error);
  CreateOptions c;
  c.format = opt(a, "-O", "raw");
  c.size = src->size();
  if (!apply_o(a.o_opts, c, error)) return fail(a.positional[1] + ": " + error);
  if (has(a, "-B")) c.backing_file = opt(a, "-B"), c.backing_format = opt(a, "-F");
  if (create_image(a.positional[1], c, error) < 0) return fail(error);
  auto dst = open_for(a.positional[1], c.format, true, true, error);
  if (!dst) return fail(error);
  if (has(a, "-c") && dst->write_compressed(0, nullptr, 0) == -ENOTSUP && c.format != "qcow2")
    return fail(a.positional[1] + ": the " + c.format + " format does not support compression");
  return copy_image(*src, *dst, has(a, "-c"), has(a, "-p"), a.positional[1]);
}

int cmd_resize(const std::vector<std::string>& argv) {
  Args a = parse(argv, "f", "q", {"--shrink"});
  if (!a.error.empty()) return fail(a.error);
  // "-1G" is a size here, not an option.
  const std::vector<std::string>& pos = a.positional;  // "-1G" stays positional
  if (pos.size() < 2) return fail("resize: give FILE [+|-]SIZE");
  std::string error;
  auto img = open_for(pos[0], opt(a, "-f"), true, true, error);
  if (!img) return fail(error);
  std::string s = pos[1];
  int sign = s[0] == '+' ? 1 : s[0] == '-' ? -1 : 0;
  auto n = parse_size(sign ? s.substr(1) : s);
  if (!n) return fail("invalid size '" + s + "'");
  uint64_t target = sign > 0 ? img->size() + *n : sign < 0 ? (*n > img->size() ? 0 : img->size() - *n) : *n;
  if (int r = img->resize(target, has(a, "--shrink"), error); r < 0)
    return fail(error.empty() ? pos[0] + ": " + std::strerror(-r) : error);
  fmt::print("Image resized.\n");
  return 0;
}

int cmd_snapshot(const std::vector<std::string>& argv) {
  Args a = parse(argv, "cadf", "lqU");
  if (!a.error.empty()) return fail(a.error);
  if (a.positional.empty()) return fail("snapshot: give -c|-a|-d NAME or -l, then FILE");
  const std::string& file = a.positional.back();
  bool list = has(a, "-l");
  std::string error;
  auto img = open_for(file, opt(a, "-f"), !list, !has(a, "-U"), error);
  if (!img) return fail(error);
  int r = 0;
  if (list) {
    auto in = img->info();
    if (!in.snapshots.empty()) fmt::print("{}", snapshot_list(in.snapshots));
    return 0;
  }
  if (has(a, "-c"))
    r = img->snapshot_create(opt(a, "-c"), error);
  else if (has(a, "-a"))
    r = img->snapshot_apply(opt(a, "-a"), error);
  else if (has(a, "-d"))
    r = img->snapshot_delete(opt(a, "-d"), error);
  else
    return fail("snapshot: give -c, -a, -d or -l");
  if (r < 0) return fail(error.empty() ? file + ": " + std::strerror(-r) : error);
  return 0;
}

int cmd_commit(const std::vector<std::string>& argv) {
  Args a = parse(argv, "f", "dqp");
  if (!a.error.empty()) return fail(a.error);
  if (a.positional.empty()) return fail("commit: give FILE");
  std::string error;
  auto top = open_for(a.positional[0], opt(a, "-f"), true, true, error);
  if (!top) return fail(error);
  ImageInfo in = top->info();
  if (!top->backing()) return fail(a.positional[0] + ": the image has no backing file");
  // Reopen the backing file writable; the top image's own handle on it is read-only.
  auto base = open_for(in.full_backing_file, in.backing_format, true, false, error);
  if (!base) return fail(error);
  std::vector<uint8_t> buf;
  for (uint64_t off = 0; off < top->size();) {
    BlockStatus st;
    if (int r = top->block_status(off, top->size() - off, st); r < 0)
      return fail(a.positional[0] + ": " + std::strerror(-r));
    uint64_t len = std::min<uint64_t>(st.length, base->size() > off ? base->size() - off : 0);
    if (st.kind != BlockStatus::kUnallocated && len) {
      for (uint64_t done = 0; done < len;) {
        uint64_t part = std::min<uint64_t>(len - done, 1 << 20);
        buf.resize(part);
        if (int r = top->read(off + done, buf.data(), part); r < 0) return fail(a.positional[0] + ": read failed");
        if (int r = base->write(off + done, buf.data(), part); r < 0)
          return fail(in.full_backing_file + ": write failed: " + std::strerror(-r));
        done += part;
      }
    }
    off += st.length;
  }
  if (int r = base->flush(); r < 0) return fail(in.full_backing_file + ": flush failed");
  if (!has(a, "-d")) top->make_empty();
  fmt::print("Image committed.\n");
  return 0;
}

int cmd_rebase(const std::vector<std::string>& argv) {
  Args a = parse(argv, "fbF", "upqU");
  if (!a.error.empty()) return fail(a.error);
  if (a.positional.empty() || !has(a, "-b")) return fail("rebase: give -b BACKING [-F FMT] FILE");
  std::string file = a.positional[0], backing = opt(a, "-b"), bfmt = opt(a, "-F");
  std::string error;
  bool unsafe = has(a, "-u");
  auto img = open_for(file, opt(a, "-f"), true, true, error, !unsafe);
  if (!img) return fail(error);
  if (!backing.empty() && bfmt.empty()) {
    auto probe =
        open_for(backing[0] == '/' ? backing : file.substr(0, file.rfind('/') + 1) + backing, "", false, false, error);
    if (!probe) return fail(error);
    bfmt = probe->format_name();
  }
  if (!unsafe) {
    // Safe mode: wherever the old and the new backing differ, the overlay gets the old contents.
    std::unique_ptr<BlockImage> nb;
    if (!backing.empty()) {
      nb = open_for(backing[0] == '/' ? backing : file.substr(0, file.rfind('/') + 1) + backing, bfmt, false, false,
                    error);
      if (!nb) return fail(error);
    }
    BlockImage* old = img->backing();
    const uint64_t chunk = std::max<uint64_t>(img->cluster_size(), 65536);
    std::vector<uint8_t> a1(chunk), b1(chunk);
    for (uint64_t off = 0; off < img->size(); off += chunk) {
      uint64_t len = std::min(chunk, img->size() - off);
      BlockStatus st;
      if (img->block_status(off, len, st) == 0 && st.kind != BlockStatus::kUnallocated && st.length >= len) continue;
      auto read_or_zero = [&](BlockImage* b, uint8_t* out) {
        std::memset(out, 0, len);
        if (b && off < b->size()) return b->read(off, out, std::min(len, b->size() - off));
        return 0;
      };
      if (read_or_zero(old, a1.data()) < 0 || read_or_zero(nb.get(), b1.data()) < 0)
        return fail(file + ": reading a backing file failed");
      if (std::memcmp(a1.data(), b1.data(), len) == 0) continue;
      // Only the unallocated parts must take the old backing's data: read the overlay's view.
      if (int r = img->read(off, a1.data(), len); r < 0) return fail(file + ": read failed");
      if (int r = img->write(off, a1.data(), len); r < 0) return fail(file + ": write failed: " + std::strerror(-r));
    }
    img->flush();
  }
  if (int r = img->set_backing_file(backing, bfmt, error); r < 0)
    return fail(error.empty() ? file + ": " + std::strerror(-r) : error);
  return 0;
}

// printf's %#x: "0" for zero, "0x..." otherwise.
std::string hex0(uint64_t v) { return v ? fmt::format("{:#x}", v) : "0"; }

int cmd_map(const std::vector<std::string>& argv) {
  Args a = parse(argv, "f", "U", {"--output"});
  if (!a.error.empty()) return fail(a.error);
  if (a.positional.empty()) return fail("map: give FILE");
  std::string error;
  auto img = open_for(a.positional[0], opt(a, "-f"), false, !has(a, "-U"), error);
  if (!img) return fail(error);
  bool json = opt(a, "--output") == "json";
  struct Run {
    uint64_t start, length;
    int depth;
    bool present, zero, data;
    uint64_t offset;
    std::string file;
  };
  std::vector<Run> runs;
  std::vector<std::string> names{a.positional[0]};
  for (BlockImage* b = img.get(); b && b->backing(); b = b->backing()) names.push_back(b->info().full_backing_file);
  for (uint64_t off = 0; off < img->size();) {
    uint64_t len = img->size() - off;
    int depth = 0;
    BlockImage* cur = img.get();
    BlockStatus st{};
    for (;;) {
      uint64_t l = cur->size() > off ? std::min(len, cur->size() - off) : 0;
      if (!l) {
        st = {BlockStatus::kUnallocated, len, UINT64_MAX};
        break;
      }
      if (int r = cur->block_status(off, l, st); r < 0) return fail(a.positional[0] + ": " + std::strerror(-r));
      len = st.length;
      if (st.kind != BlockStatus::kUnallocated || !cur->backing()) break;
      cur = cur->backing(), ++depth;
    }
    Run run{off,
            st.length,
            depth,
            st.kind != BlockStatus::kUnallocated,
            st.kind != BlockStatus::kData,
            st.kind == BlockStatus::kData,
            st.host_offset,
            names[size_t(depth)]};
    if (!runs.empty()) {
      Run& p = runs.back();
      bool contiguous = p.offset == UINT64_MAX ? run.offset == UINT64_MAX : run.offset == p.offset + p.length;
      if (p.depth == run.depth && p.present == run.present && p.zero == run.zero && p.data == run.data && contiguous) {
        p.length += run.length;
        off += st.length;
        continue;
      }
    }
    runs.push_back(run);
    off += st.length;
  }
  if (json) {
    std::string out = "[";
    for (size_t i = 0; i < runs.size(); ++i) {
      auto& r = runs[i];
      out +=
          fmt::format("{}{{ \"start\": {}, \"length\": {}, \"depth\": {}, \"present\": {}, \"zero\": {}, \"data\": {}",
                      i ? ",\n" : "", r.start, r.length, r.depth, r.present, r.zero, r.data);
      if (r.offset != UINT64_MAX) out += fmt::format(", \"offset\": {}", r.offset);
      out += "}";
    }
    fmt::print("{}]\n", out);
  } else {
    fmt::print("{:<16}{:<16}{:<16}{}\n", "Offset", "Length", "Mapped to", "File");
    for (auto& r : runs)
      if (r.data && r.offset != UINT64_MAX)
        fmt::print("{:<16}{:<16}{:<16}{}\n", hex0(r.start), hex0(r.length), hex0(r.offset), r.file);
  }
  return 0;
}

int cmd_compare(const std::vector<std::string>& argv) {
  Args a = parse(argv, "fF", "sqU");
  if (!a.error.empty()) return fail(a.error);
  if (a.positional.size() < 2) return fail("compare: give FILE1 FILE2");
  std::string error;
  auto x = open_for(a.positional[0], opt(a, "-f"), false, !has(a, "-U"), error);
  if (!x) return fmt::print(stderr, "mimic img: {}\n", error), 2;
  auto y = open_for(a.positional[1], opt(a, "-F"), false, !has(a, "-U"), error);
  if (!y) return fmt::print(stderr, "mimic img: {}\n", error), 2;
  const uint64_t chunk = 1 << 20, common = std::min(x->size(), y->size());
  std::vector<uint8_t> bx(chunk), by(chunk);
  auto differ = [&](uint64_t at) {
    fmt::print("Content mismatch at offset {}!\n", at);
    return 1;
  };
  for (uint64_t off = 0; off < std::max(x->size(), y->size()); off += chunk) {
    uint64_t len = std::min(chunk, std::max(x->size(), y->size()) - off);
    std::fill(bx.begin(), bx.end(), 0), std::fill(by.begin(), by.end(), 0);
    if (off < x->size() && x->read(off, bx.data(), std::min(len, x->size() - off)) < 0)
      return fail(a.positional[0] + ": read failed"), 2;
    if (off < y->size() && y->read(off, by.data(), std::min(len, y->size() - off)) < 0)
      return fail(a.positional[1] + ": read failed"), 2;
    for (uint64_t i = 0; i < len; ++i)
      if (bx[i] != by[i]) {
        if (has(a, "-s") && off + i >= common) return fmt::print("Images are not the same size\n"), 1;
        return differ(off + i);
      }
  }
  if (has(a, "-s") && x->size() != y->size()) return fmt::print("Images are not the same size\n"), 1;
  fmt::print("Images are identical.\n");
  return 0;
}

}  // namespace

std::string img_usage_text() {
  return "mimic img COMMAND [options]: disk images (raw, qcow2, vmdk, vdi), qemu-img's spelling\n"
         "  create [-f FMT] [-b BACKING -F FMT] [-o OPTS] FILE [SIZE]\n"
         "         OPTS: cluster_size, backing_file, backing_fmt, compat=0.10|1.1, compression_type=zlib|zstd,\n"
         "               lazy_refcounts=on|off, preallocation=off|metadata|falloc|full, refcount_bits, subformat\n"
         "  info [-f FMT] [--output=human|json] [--backing-chain] [-U] FILE\n"
         "  check [-f FMT] [-r leaks|all] [--output=json] FILE   exit 0 clean, 1 not completed, 2 corrupt, 3 leaks\n"
         "  convert [-f FMT] [-O FMT] [-c] [-o OPTS] [-p] SOURCE DEST\n"
         "  resize [--shrink] FILE [+|-]SIZE\n"
         "  snapshot -c NAME | -a NAME | -d NAME | -l  FILE\n"
         "  commit [-d] FILE\n"
         "  rebase [-u] -b BACKING [-F FMT] FILE\n"
         "  map [--output=human|json] FILE\n"
         "  compare [-f FMT] [-F FMT] [-s] FILE1 FILE2\n";
}

int run_img(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    fmt::print("{}", img_usage_text());
    return args.empty() ? 1 : 0;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  const std::string& c = args[0];
  if (c == "create") return cmd_create(rest);
  if (c == "info") return cmd_info(rest);
  if (c == "check") return cmd_check(rest);
  if (c == "convert") return cmd_convert(rest);
  if (c == "resize") return cmd_resize(rest);
  if (c == "snapshot") return cmd_snapshot(rest);
  if (c == "commit") return cmd_commit(rest);
  if (c == "rebase") return cmd_rebase(rest);
  if (c == "map") return cmd_map(rest);
  if (c == "compare") return cmd_compare(rest);
  return fail("unknown command '" + c + "'\n" + img_usage_text());
}

}  // namespace mimic::frontends
