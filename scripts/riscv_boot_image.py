#!/usr/bin/env python3
"""A bootable riscv64 Linux for the virt board, from Debian's packages: the kernel
(linux-image-riscv64 from trixie, whose metapackage names the kernel package) and busybox-static,
fetched without installing (scripts/fetch-debian-debs.sh), and an initramfs built here as a newc
cpio archive with a given /init.

  riscv_boot_image.py WORKDIR [--shell]   prints "KERNEL INITRD"; --shell: /init starts a shell"""
import gzip
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SHELL_INIT = r"""#!/bin/sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
/bin/busybox mount -t devtmpfs dev /dev
echo
echo "mimic: Debian's riscv64 kernel on the virt board; this is busybox's shell."
echo "Try: cat /proc/cpuinfo; uname -a; poweroff -f ends the machine (Ctrl-a x quits mimic)."
exec /bin/sh
"""

APPLETS = ("sh", "mount", "echo", "cat", "grep", "uname", "sha256sum", "gzip", "md5sum", "sort", "wc", "devmem",
           "poweroff", "ls", "ps", "top", "free", "df", "dmesg", "vi", "head", "tail", "sleep", "date", "nproc")

def cpio_newc(entries):
    """entries: (name, mode, data or link target) -> bytes of a newc archive."""
    out = bytearray()
    ino = 1
    for name, mode, data in entries + [("TRAILER!!!", 0, b"")]:
        data = data.encode() if isinstance(data, str) else data
        nb = name.encode() + b"\0"
        hdr = "070701" + "".join("%08x" % v for v in (ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(nb), 0))
        out += hdr.encode() + nb
        out += b"\0" * ((4 - len(out) % 4) % 4)
        out += data
        out += b"\0" * ((4 - len(out) % 4) % 4)
        ino += 1
    return bytes(out)


def build_initramfs(busybox, path, init, modules=(), applets=APPLETS):
    """modules: [(name, bytes)] placed as /lib/NAME.ko for the init to insmod."""
    bb = open(busybox, "rb").read()
    entries = [("bin", 0o40755, b""), ("proc", 0o40755, b""), ("sys", 0o40755, b""), ("dev", 0o40755, b""),
               ("tmp", 0o41777, b""), ("bin/busybox", 0o100755, bb), ("init", 0o100755, init)]
    for applet in applets:
        entries.append(("bin/" + applet, 0o120777, "busybox"))
    if modules:
        entries.append(("lib", 0o40755, b""))
        for name, data in modules:
            entries.append(("lib/%s.ko" % name, 0o100644, data))
    with gzip.open(path, "wb") as f:
        f.write(cpio_newc(entries))


def kernel_modules(kernel, names):
    """The modules `names` of the kernel package `kernel` came with and everything they depend on,
    uncompressed (busybox's insmod takes plain .ko files), in load order: [(name, bytes)]."""
    import lzma
    root = os.path.dirname(os.path.dirname(kernel))
    index = {}
    for mods in os.listdir(os.path.join(root, "lib", "modules")):
        for dirpath, _, files in os.walk(os.path.join(root, "lib", "modules", mods)):
            for f in files:
                if f.endswith(".ko.xz") or f.endswith(".ko"):
                    index[f.split(".ko")[0].replace("-", "_")] = os.path.join(dirpath, f)
    order, seen = [], set()

    def add(name):
        if name in seen:
            return
        seen.add(name)
        if name not in index:
            raise RuntimeError("kernel module %s is not in the kernel package" % name)
        path = index[name]
        data = lzma.open(path).read() if path.endswith(".xz") else open(path, "rb").read()
        m = re.search(rb"depends=([^\0]*)\0", data)
        for dep in (m.group(1).decode().split(",") if m else []):
            if dep:
                add(dep.replace("-", "_"))
        order.append((name, data))

    for n in names:
        add(n)
    return order


def fetch(workdir, arch="riscv64"):
    """Debian's kernel and busybox-static for `arch` (riscv64, arm64): (kernel, busybox) or None."""
    root = os.path.join(os.path.abspath(workdir), "debian-%s-boot" % arch)
    marker = os.path.join(root, ".fetched")
    if not os.path.exists(marker):
        # linux-image-riscv64 is a metapackage: its Depends names the kernel package itself.
        r = subprocess.run([os.path.join(ROOT, "scripts", "fetch-debian-debs.sh"), arch, "trixie", root,
                            "busybox-static"], capture_output=True, text=True)
        if r.returncode != 0:
            print("boot_image: cannot fetch Debian packages:\n" + r.stderr, file=sys.stderr)
            return None
        state = os.path.join(root, ".apt")
        apt = ["-o", "APT::Architecture=" + arch, "-o", "APT::Architectures=" + arch, "-o", "Dir::State=" + state,
               "-o", "Dir::State::Lists=" + state + "/lists", "-o", "Dir::State::status=/dev/null",
               "-o", "Dir::Cache=" + state + "/cache", "-o", "Dir::Etc::SourceList=" + state + "/sources.list",
               "-o", "Dir::Etc::SourceParts=/dev/null"]
        dep = subprocess.run(["apt-cache"] + apt + ["depends", "linux-image-" + arch], capture_output=True, text=True)
        m = re.search(r"Depends: (linux-image-\S+)", dep.stdout)
        if not m:
            print("boot_image: no kernel package behind linux-image-%s:\n" % arch + dep.stdout + dep.stderr,
                  file=sys.stderr)
            return None
        r = subprocess.run([os.path.join(ROOT, "scripts", "fetch-debian-debs.sh"), arch, "trixie", root, m.group(1)],
                           capture_output=True, text=True)
        if r.returncode != 0:
            print("boot_image: cannot fetch " + m.group(1) + ":\n" + r.stderr, file=sys.stderr)
            return None
        open(marker, "w").close()
    kernels = sorted(f for f in os.listdir(os.path.join(root, "boot")) if f.startswith("vmlinu"))
    return os.path.join(root, "boot", kernels[-1]), os.path.join(root, "usr/bin/busybox")



def main():
    workdir = sys.argv[1]
    os.makedirs(workdir, exist_ok=True)
    got = fetch(workdir)
    if not got:
        return 1
    kernel, busybox = got
    initrd = os.path.join(workdir, "initrd-shell.gz")
    build_initramfs(busybox, initrd, SHELL_INIT)
    print(kernel, initrd)
    return 0


if __name__ == "__main__":
    sys.exit(main())
