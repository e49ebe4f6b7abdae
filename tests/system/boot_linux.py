#!/usr/bin/env python3
"""Boots Debian's riscv64 kernel under Debian's OpenSBI on `mimic system -M virt` to a busybox
initramfs shell, runs commands whose output is checked, and powers off with a chosen status.

  boot_linux.py MIMIC WORKDIR --smp N [--compare-qemu]

The kernel (linux-image-riscv64, trixie) and busybox-static come from Debian in the run, through
scripts/fetch-debian-debs.sh; the initramfs is built here (newc cpio written by this script).
Exit 0 when every check passes, 1 otherwise, 77 when the packages cannot be fetched."""
import argparse
import gzip
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXIT_CODE = 7  # the init writes it to the SiFive test finisher: mimic must exit with it

INIT = r"""#!/bin/sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
/bin/busybox mount -t devtmpfs dev /dev
echo "BOOT-OK $(uname -m) cpus=$(grep -c ^processor /proc/cpuinfo) online=$(cat /sys/devices/system/cpu/online)"
echo "SUM $(echo 'mimic boots linux' | sha256sum)"
# A parallel workload over every hart: one compression loop per CPU, then their checksums.
n=$(grep -c ^processor /proc/cpuinfo)
i=0
while [ $i -lt $n ]; do
  (j=0; while [ $j -lt 3 ]; do gzip -c /bin/busybox > /tmp/z$i; j=$((j+1)); done; md5sum < /tmp/z$i > /tmp/m$i) &
  i=$((i+1))
done
wait
echo "PARALLEL $(cat /tmp/m* | sort -u | wc -l) distinct of $n"
echo "DONE"
devmem 0x100000 32 $(( (%d << 16) | 0x3333 ))
poweroff -f
""" % EXIT_CODE


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


def build_initramfs(busybox, path):
    bb = open(busybox, "rb").read()
    entries = [("bin", 0o40755, b""), ("proc", 0o40755, b""), ("sys", 0o40755, b""), ("dev", 0o40755, b""),
               ("tmp", 0o41777, b""), ("bin/busybox", 0o100755, bb), ("init", 0o100755, INIT)]
    for applet in ("sh", "mount", "echo", "cat", "grep", "uname", "sha256sum", "gzip", "md5sum", "sort", "wc",
                   "devmem", "poweroff", "ls"):
        entries.append(("bin/" + applet, 0o120777, "busybox"))
    with gzip.open(path, "wb") as f:
        f.write(cpio_newc(entries))


def fetch(workdir):
    root = os.path.join(workdir, "debian-riscv64-boot")
    marker = os.path.join(root, ".fetched")
    if not os.path.exists(marker):
        # linux-image-riscv64 is a metapackage: its Depends names the kernel package itself.
        r = subprocess.run([os.path.join(ROOT, "scripts/fetch-debian-debs.sh"), "riscv64", "trixie", root,
                            "busybox-static"], capture_output=True, text=True)
        if r.returncode != 0:
            print("boot_linux: cannot fetch Debian packages:\n" + r.stderr, file=sys.stderr)
            return None
        state = os.path.join(root, ".apt")
        apt = ["-o", "APT::Architecture=riscv64", "-o", "APT::Architectures=riscv64", "-o", "Dir::State=" + state,
               "-o", "Dir::State::Lists=" + state + "/lists", "-o", "Dir::State::status=/dev/null",
               "-o", "Dir::Cache=" + state + "/cache", "-o", "Dir::Etc::SourceList=" + state + "/sources.list",
               "-o", "Dir::Etc::SourceParts=/dev/null"]
        dep = subprocess.run(["apt-cache"] + apt + ["depends", "linux-image-riscv64"], capture_output=True, text=True)
        m = re.search(r"Depends: (linux-image-\S+)", dep.stdout)
        if not m:
            print("boot_linux: no kernel package behind linux-image-riscv64:\n" + dep.stdout + dep.stderr,
                  file=sys.stderr)
            return None
        r = subprocess.run([os.path.join(ROOT, "scripts/fetch-debian-debs.sh"), "riscv64", "trixie", root, m.group(1)],
                           capture_output=True, text=True)
        if r.returncode != 0:
            print("boot_linux: cannot fetch " + m.group(1) + ":\n" + r.stderr, file=sys.stderr)
            return None
        open(marker, "w").close()
    kernels = sorted(f for f in os.listdir(os.path.join(root, "boot")) if f.startswith("vmlinu"))
    return os.path.join(root, "boot", kernels[-1]), os.path.join(root, "usr/bin/busybox")


def boot(cmd, timeout):
    t0 = time.monotonic()
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        return None, (e.stdout or b"").decode(errors="replace"), time.monotonic() - t0
    return p.returncode, p.stdout.decode(errors="replace") + p.stderr.decode(errors="replace"), time.monotonic() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mimic")
    ap.add_argument("workdir")
    ap.add_argument("--smp", type=int, default=1)
    ap.add_argument("--timeout", type=int, default=600)
    ap.add_argument("--qemu", action="store_true", help="boot under qemu-system-riscv64 instead (the reference)")
    a = ap.parse_args()
    os.makedirs(a.workdir, exist_ok=True)
    got = fetch(a.workdir)
    if not got:
        return 77
    kernel, busybox = got
    initrd = os.path.join(a.workdir, "initrd-boot.gz")
    build_initramfs(busybox, initrd)
    emu = ["qemu-system-riscv64"] if a.qemu else [a.mimic, "system"]
    cmd = emu + ["-M", "virt", "-m", "512M", "-smp", str(a.smp), "-nographic", "-bios", "default", "-kernel", kernel,
                 "-initrd", initrd, "-append", "console=ttyS0 panic=-1", "-no-reboot"]
    status, out, secs = boot(cmd, a.timeout)
    ok = True

    def check(cond, what):
        nonlocal ok
        print(("ok   " if cond else "FAIL ") + what)
        ok = ok and cond

    check(status is not None, "the machine powered off within %d s (took %.1f s)" % (a.timeout, secs))
    check("OpenSBI" in out, "OpenSBI started")
    check("Linux version" in out, "Linux started")
    m = re.search(r"BOOT-OK (\S+) cpus=(\d+) online=(\S+)", out)
    check(bool(m) and m.group(1) == "riscv64" and m.group(2) == str(a.smp),
          "the initramfs shell ran and /proc/cpuinfo lists %d harts (%s)" % (a.smp, m.group(0) if m else "no line"))
    # sha256 of "mimic boots linux\n", checked against the host's sha256sum.
    want = subprocess.run(["sha256sum"], input=b"mimic boots linux\n", capture_output=True).stdout.split()[0].decode()
    check(("SUM " + want) in out, "sha256sum inside the guest agrees with the host's")
    check(("PARALLEL 1 distinct of %d" % a.smp) in out, "%d parallel workers produced identical results" % a.smp)
    check(status == EXIT_CODE, "exit status %s is the one the guest chose (%d)" % (status, EXIT_CODE))
    if not ok:
        print("---- console output (last 60 lines) ----")
        print("\n".join(out.splitlines()[-60:]))
    print("boot time: %.2f s" % secs)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
