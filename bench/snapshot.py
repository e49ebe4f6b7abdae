#!/usr/bin/env python3
"""Whole-machine snapshot speed, mimic against qemu-system-riscv64 in one run, same options: a
512 MB riscv64 virt machine (Debian's kernel, an initramfs whose init fills about 250 MB of RAM:
64 MB of random bytes and copies of busybox in tmpfs), a qcow2 disk of its own per emulator.

  bench/snapshot.py [--mimic build/mimic] [--mem 512M] [--copies 90]

  savevm   monitor `savevm s1` until the monitor's prompt comes back (s)
  loadvm   a new process with -loadvm s1 until the restored shell answers a command (s: the
           process start, the load and one shell round trip)
  vm size  the VM state the snapshot holds (qemu-img snapshot -l)
  file     mimic only (QEMU has no snapshot files): monitor `snapshot save FILE` and a new process
           with -loadvm-file FILE, timed the same way, and the file's size
The ratio is mimic / qemu in time (below 1: mimic is faster)."""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
sys.path.insert(0, os.path.join(ROOT, "tests", "system"))
from riscv_boot_image import APPLETS, build_initramfs, fetch, kernel_modules  # noqa: E402
from snapshot_test import Machine  # noqa: E402

INIT = r"""#!/bin/sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
/bin/busybox mount -t devtmpfs dev /dev
for m in virtio_mmio virtio_blk; do insmod /lib/$m.ko; done
head -c 67108864 /dev/urandom > /tmp/random
i=0
while [ $i -lt %d ]; do cat /bin/busybox > /tmp/b$i; i=$((i+1)); done
echo "FILLED $(free -m | grep Mem)"
echo "READY"
exec /bin/sh
"""


def measure(emu, kernel, initrd, disk, mem, prompt, snap_file=None):
    base = emu + ["-M", "virt", "-m", mem, "-nographic", "-bios", "default", "-kernel", kernel, "-initrd", initrd,
                  "-append", "console=ttyS0 panic=-1", "-no-reboot", "-drive", "file=%s,format=qcow2,if=none,id=hd0" %
                  disk, "-device", "virtio-blk-device,drive=hd0"]
    m = Machine(base)
    if not m.wait_for(r"READY", 900):
        m.p.kill()
        raise SystemExit("%s did not boot:\n%s" % (emu[0], m.text()[-2000:]))
    at = len(m.text())
    m.send(b"\x01c")
    time.sleep(0.5)
    t0 = time.monotonic()
    m.send("savevm s1\n")
    if not m.wait_for(r"savevm s1[\s\S]*?" + re.escape(prompt), 900, at):
        raise SystemExit("%s: savevm did not finish:\n%s" % (emu[0], m.text()[-2000:]))
    save = time.monotonic() - t0
    file_save = None
    if snap_file:
        at = len(m.text())
        t0 = time.monotonic()
        m.send("snapshot save %s\n" % snap_file)
        if not m.wait_for(r"snapshot save[\s\S]*?" + re.escape(prompt), 900, at):
            raise SystemExit("%s: snapshot save did not finish:\n%s" % (emu[0], m.text()[-2000:]))
        file_save = time.monotonic() - t0
    m.send("quit\n")
    m.p.wait(timeout=60)
    t0 = time.monotonic()
    m2 = Machine(base + ["-loadvm", "s1"])
    m2.send("echo BACK$((40+2))\n")
    if not m2.wait_for(r"BACK42", 900):
        raise SystemExit("%s: -loadvm did not come back:\n%s" % (emu[0], m2.text()[-2000:]))
    load = time.monotonic() - t0
    m2.send(b"\x01c")
    time.sleep(0.3)
    m2.send("quit\n")
    m2.p.wait(timeout=60)
    file_load = None
    if snap_file:
        t0 = time.monotonic()
        m3 = Machine(base + ["-loadvm-file", snap_file])
        m3.send("echo BACK$((40+2))\n")
        if not m3.wait_for(r"BACK42", 900):
            raise SystemExit("%s: -loadvm-file did not come back:\n%s" % (emu[0], m3.text()[-2000:]))
        file_load = time.monotonic() - t0
        m3.send(b"\x01c")
        time.sleep(0.3)
        m3.send("quit\n")
        m3.p.wait(timeout=60)
        print("%-6s snapshot save FILE %.2f s  -loadvm-file %.2f s  file %.1f MiB" %
              (emu[0].split("/")[-1], file_save, file_load, os.path.getsize(snap_file) / 2**20), flush=True)
    r = subprocess.run(["qemu-img", "snapshot", "-l", disk], capture_output=True, text=True)
    size = re.search(r"s1\s+([\d.]+ \S+)", r.stdout)
    return save, load, size.group(1) if size else "?"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mimic", default=os.path.join(ROOT, "build", "mimic"))
    ap.add_argument("--mem", default="512M")
    ap.add_argument("--copies", type=int, default=90, help="busybox copies in tmpfs (about 2 MB each)")
    a = ap.parse_args()
    if not shutil.which("qemu-system-riscv64") or not shutil.which("qemu-img"):
        print("SKIP: qemu-system-riscv64 / qemu-img missing (Debian packages qemu-system-misc, qemu-utils)")
        return 77
    work = tempfile.mkdtemp(prefix="mimic-bench-snapshot-")
    got = fetch(os.path.join(ROOT, "build", "bench-cache"))
    if not got:
        return 77
    kernel, busybox = got
    mods = kernel_modules(kernel, ["virtio_mmio", "virtio_blk"])
    initrd = os.path.join(work, "initrd.gz")
    build_initramfs(busybox, initrd, (INIT % a.copies).encode(), mods, APPLETS + ("insmod",))
    rows = {}
    for name, emu, prompt in (("mimic", [a.mimic, "system"], "(mimic) "), ("qemu", ["qemu-system-riscv64"], "(qemu) ")):
        disk = os.path.join(work, name + ".qcow2")
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", disk, "64M"], check=True)
        rows[name] = measure(emu, kernel, initrd, disk, a.mem, prompt,
                             os.path.join(work, "state.snap") if name == "mimic" else None)
        print("%-6s savevm %.2f s  loadvm %.2f s  vm state %s" % ((name,) + rows[name]), flush=True)
    mi, qe = rows["mimic"], rows["qemu"]
    print("\n%-8s %10s %10s %8s" % ("", "mimic", "qemu", "ratio"))
    print("%-8s %9.2fs %9.2fs %8.2f" % ("savevm", mi[0], qe[0], mi[0] / qe[0]))
    print("%-8s %9.2fs %9.2fs %8.2f" % ("loadvm", mi[1], qe[1], mi[1] / qe[1]))
    print("%-8s %10s %10s" % ("vm size", mi[2], qe[2]))
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
