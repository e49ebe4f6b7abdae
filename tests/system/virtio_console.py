#!/usr/bin/env python3
"""virtio-console under `mimic system -M virt`: Debian's kernel gives the port hvc0 (its
virtio_console is built in; virtio_mmio is a module the initramfs loads); the guest runs a shell
on hvc0, whose other end is a -chardev socket this script connects to. Commands typed there run
in the guest and answer there.

  virtio_console.py MIMIC WORKDIR [--qemu]

Exit 0 when every check passes, 1 otherwise, 77 when the packages cannot be fetched."""
import argparse
import os
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from riscv_boot_image import APPLETS, build_initramfs, fetch, kernel_modules  # noqa: E402

INIT = r"""#!/bin/sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
/bin/busybox mount -t devtmpfs dev /dev
insmod /lib/virtio_mmio.ko || echo "INSMOD-FAILED"
i=0
while [ ! -e /dev/hvc0 ] && [ $i -lt 50 ]; do sleep 0.2; i=$((i+1)); done
setsid sh -c 'exec sh -i </dev/hvc0 >/dev/hvc0 2>&1' &
echo "HVC-READY $(ls /dev/hvc0)"
i=0
while [ ! -e /tmp/done ] && [ $i -lt 300 ]; do sleep 0.5; i=$((i+1)); done
echo "SERIAL-SAW $(cat /tmp/done)"
poweroff -f
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mimic")
    ap.add_argument("workdir")
    ap.add_argument("--timeout", type=int, default=300)
    ap.add_argument("--qemu", action="store_true")
    a = ap.parse_args()
    os.makedirs(a.workdir, exist_ok=True)
    got = fetch(os.path.dirname(os.path.abspath(a.workdir)))
    if not got:
        return 77
    kernel, busybox = got
    work = os.path.join(a.workdir, "console")
    os.makedirs(work, exist_ok=True)
    initrd = os.path.join(work, "initrd.gz")
    build_initramfs(busybox, initrd, INIT.encode(), kernel_modules(kernel, ["virtio_mmio"]),
                    APPLETS + ("insmod", "setsid", "touch"))
    sock = os.path.join(work, "hvc.sock")
    emu = ["qemu-system-riscv64"] if a.qemu else [a.mimic, "system"]
    p = subprocess.Popen(emu + ["-M", "virt", "-m", "256M", "-nographic", "-bios", "default", "-kernel", kernel,
                                "-initrd", initrd, "-append", "console=ttyS0 panic=-1", "-no-reboot",
                                "-chardev", "socket,id=c0,path=%s,server=on,wait=off" % sock,
                                "-device", "virtio-serial-device", "-device", "virtconsole,chardev=c0"],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    t0 = time.monotonic()
    out = b""
    os.set_blocking(p.stdout.fileno(), False)
    while b"HVC-READY" not in out and p.poll() is None and time.monotonic() - t0 < a.timeout:
        out += p.stdout.read() or b""
        time.sleep(0.1)
    hvc = b""
    if b"HVC-READY" in out:
        c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        c.connect(sock)
        c.settimeout(0.5)
        deadline = time.monotonic() + 120
        sent_done = False
        while time.monotonic() < deadline:
            if b"VIA-HVC-56" not in hvc:
                c.sendall(b"echo VIA-HVC-$((7*8)); uname -m\n")
            elif not sent_done:
                c.sendall(b"echo typed-on-hvc0 > /tmp/done\n")
                sent_done = True
            try:
                hvc += c.recv(4096)
            except socket.timeout:
                pass
            out += p.stdout.read() or b""
            if b"SERIAL-SAW" in out:
                break
        c.close()
    try:
        rest, _ = p.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
        rest, _ = p.communicate()
    out += rest or b""
    text, hvc_text = out.decode(errors="replace"), hvc.decode(errors="replace")
    ok = True

    def check(cond, what):
        nonlocal ok
        print(("ok   " if cond else "FAIL ") + what)
        ok = ok and bool(cond)

    check(p.returncode == 0, "the machine powered off (status %s, %.1f s)" % (p.returncode, time.monotonic() - t0))
    check("HVC-READY /dev/hvc0" in text, "the guest has /dev/hvc0")
    check("VIA-HVC-56" in hvc_text and "riscv64" in hvc_text, "a shell on hvc0 ran commands typed into the chardev")
    check("SERIAL-SAW typed-on-hvc0" in text, "a command typed on hvc0 changed the guest (seen on ttyS0)")
    if not ok:
        print("---- serial (last 30 lines) ----\n" + "\n".join(text.splitlines()[-30:]))
        print("---- hvc0 ----\n" + hvc_text[-2000:])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
