#!/usr/bin/env python3
"""virtio device throughput inside the guest, mimic against qemu-system-riscv64 in one run, with
the same options: Debian's riscv64 kernel on an initramfs, a raw disk as virtio-blk
(-device virtio-blk-device, cache=none), a virtio-net NIC on slirp (-netdev user) and a host folder
on virtio-9p (-fsdev local,security_model=mapped-xattr + -device virtio-9p-device).

  bench/virtio.py [--mimic build/mimic] [--disk-mb 64] [--net-mb 32] [--p9-mb 64]

Measured in the guest (busybox, /proc/uptime's 10 ms clock):
  seq-write / seq-read  dd bs=1M oflag=direct / iflag=direct over the disk
  rand-read             1000 reads of 4 KiB at pseudo-random offsets (dd iflag=direct skip=N each:
                        the figure includes a dd process per read, the same for both emulators)
  net-rx                wget of a file from an HTTP server on the host's loopback through slirp
  9p-write / 9p-read    dd bs=1M of a file into the shared folder and back (msize=512000, the
                        kernel's default cache=none: every byte crosses the virtqueue)
Each figure is MB/s (or reads/s); the ratio is mimic / qemu (above 1: mimic is faster)."""
import argparse
import functools
import http.server
import os
import re
import subprocess
import sys
import tempfile
import threading

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
sys.path.insert(0, os.path.join(ROOT, "tests", "system"))
from riscv_boot_image import fetch, kernel_modules  # noqa: E402
from virtio_net import APPLETS_NET, DHCP_SCRIPT, build_initramfs_with  # noqa: E402

INIT = r"""#!/bin/sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
/bin/busybox mount -t devtmpfs dev /dev
for m in %(mods)s; do insmod /lib/$m.ko; done
i=0
while { [ ! -b /dev/vda ] || [ ! -e /sys/class/net/eth0 ]; } && [ $i -lt 50 ]; do sleep 0.2; i=$((i+1)); done
mkdir -p /etc
t() { cut -d' ' -f1 /proc/uptime; }
a=$(t); dd if=/dev/zero of=/dev/vda bs=1M count=%(disk)d oflag=direct 2>/dev/null; b=$(t)
echo "SEQ-WRITE $a $b"
a=$(t); dd if=/dev/vda of=/dev/null bs=1M count=%(disk)d iflag=direct 2>/dev/null; b=$(t)
echo "SEQ-READ $a $b"
n=0; x=12345; a=$(t)
while [ $n -lt 1000 ]; do
  x=$(( (x * 1103515245 + 12345) %% 2147483648 )); off=$(( x %% (%(disk)d * 256) ))
  dd if=/dev/vda of=/dev/null bs=4096 count=1 skip=$off iflag=direct 2>/dev/null; n=$((n+1))
done
b=$(t); echo "RAND-READ $a $b"
ifconfig eth0 up
udhcpc -i eth0 -s /bin/dhcp-script -q -n -t 20 -T 1 >/dev/null 2>&1
a=$(t); wget -q -O /dev/null http://10.0.2.2:%(port)d/net.bin; b=$(t)
echo "NET-RX $a $b"
mkdir -p /mnt
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 p9 /mnt
a=$(t); dd if=/dev/zero of=/mnt/p9.bin bs=1M count=%(p9)d 2>/dev/null; b=$(t)
echo "P9-WRITE $a $b"
a=$(t); dd if=/mnt/p9.bin of=/dev/null bs=1M 2>/dev/null; b=$(t)
echo "P9-READ $a $b"
rm /mnt/p9.bin
umount /mnt
poweroff -f
"""


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass


def run(emu, kernel, initrd, disk, share):
    cmd = emu + ["-M", "virt", "-m", "512M", "-nographic", "-bios", "default", "-kernel", kernel, "-initrd", initrd,
                 "-append", "console=ttyS0 panic=-1 quiet", "-no-reboot",
                 "-drive", "file=%s,format=raw,if=none,id=d0,cache=none" % disk, "-device", "virtio-blk-device,drive=d0",
                 "-netdev", "user,id=n0", "-device", "virtio-net-device,netdev=n0",
                 "-fsdev", "local,id=fs0,path=%s,security_model=mapped-xattr" % share,
                 "-device", "virtio-9p-device,fsdev=fs0,mount_tag=p9"]
    out = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=1800).stdout
    res = {}
    for key in ("SEQ-WRITE", "SEQ-READ", "RAND-READ", "NET-RX", "P9-WRITE", "P9-READ"):
        m = re.search(key + r" (\S+) (\S+)", out)
        if not m:
            sys.exit("%s: no %s line; console:\n%s" % (emu[0], key, out[-3000:]))
        res[key] = max(float(m.group(2)) - float(m.group(1)), 0.01)
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mimic", default=os.path.join(ROOT, "build", "mimic"))
    ap.add_argument("--disk-mb", type=int, default=64)
    ap.add_argument("--net-mb", type=int, default=32)
    ap.add_argument("--p9-mb", type=int, default=64)
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="mimic-bench-virtio-")
    got = fetch(os.path.join(ROOT, "build", "tests", "system"))
    if not got:
        sys.exit("cannot fetch Debian's packages")
    kernel, busybox = got
    mods = kernel_modules(kernel, ["virtio_mmio", "virtio_blk", "virtio_net", "9pnet_virtio", "9p"])
    www = os.path.join(work, "www")
    os.makedirs(www)
    open(os.path.join(www, "net.bin"), "wb").write(os.urandom(a.net_mb << 20))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=www))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    initrd = os.path.join(work, "initrd.gz")
    build_initramfs_with(busybox, initrd, INIT % {"mods": " ".join(n for n, _ in mods), "disk": a.disk_mb,
                                                  "port": server.server_address[1], "p9": a.p9_mb},
                         mods, {"bin/dhcp-script": DHCP_SCRIPT})
    disk = os.path.join(work, "disk.raw")
    with open(disk, "wb") as f:
        f.truncate(a.disk_mb << 20)
    share = os.path.join(work, "share")
    os.makedirs(share)
    load = os.getloadavg()[0]
    q = run(["qemu-system-riscv64"], kernel, initrd, disk, share)
    m = run([a.mimic, "system"], kernel, initrd, disk, share)
    print("load average at start: %.2f" % load)
    print("%-10s %14s %14s %8s" % ("", "qemu-system", "mimic", "ratio"))
    for key, amount, unit in (("SEQ-WRITE", a.disk_mb, "MB/s"), ("SEQ-READ", a.disk_mb, "MB/s"),
                              ("RAND-READ", 1000, "reads/s"), ("NET-RX", a.net_mb, "MB/s"),
                              ("P9-WRITE", a.p9_mb, "MB/s"), ("P9-READ", a.p9_mb, "MB/s")):
        qv, mv = amount / q[key], amount / m[key]
        print("%-10s %9.1f %-4s %9.1f %-4s %7.2fx" % (key.lower(), qv, unit[:4], mv, unit[:4], mv / qv))
    server.shutdown()


if __name__ == "__main__":
    main()
