#!/usr/bin/env python3
"""Whole-machine snapshots of Debian's riscv64 kernel on `mimic system -M virt` (docs/snapshots.md).

A busybox shell counts into the console (n=1, n=2, ... every 0.2 s). Through the monitor (Ctrl-a c):
  qcow2: `savevm s1`, quit; a NEW mimic with `-loadvm s1` goes on counting from where it was, without
    booting again; the shell answers, `date` moves on; `info snapshots` lists s1 and qemu-img sees
    the disk snapshot; `delvm s1` removes it.
  raw:   `savevm` is refused (QEMU's message); `snapshot save FILE`, quit; `mimic snapshot info FILE`
    describes it; `-loadvm-file FILE` goes on counting. Then the file truncated, with a flipped
    byte, on a machine with other -m, and after the disk changed: each refused with one error line.

  virtfs: with a host folder mounted through -virtfs, `savevm` and `snapshot save FILE` are refused
    with QEMU's words (the fids are host state); after umount savevm works; `loadvm` while the
    folder is mounted again gives the saved (unmounted) machine, which can mount it afresh.

  snapshot_test.py MIMIC WORKDIR [--only qcow2|raw|virtfs] [--arch aarch64] [--pci]

With --arch aarch64 the machine is Debian's arm64 kernel on the Arm virt board with GICv3 (and its
ITS) and the disk on virtio-blk-pci (MSI-X through the ITS), console on the PL011 (virtfs: riscv64
only).
Exit 0 when every check passes, 1 otherwise, 77 when the packages cannot be fetched."""
import argparse
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from riscv_boot_image import APPLETS, build_initramfs, fetch, kernel_modules  # noqa: E402
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
from ports import free_port  # noqa: E402

MODULES = ["virtio_mmio", "virtio_blk", "virtio_net"]
MODULES_9P = MODULES + ["9pnet_virtio", "9p"]
INIT = r"""#!/bin/sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
/bin/busybox mount -t devtmpfs dev /dev
for m in %s; do insmod /lib/$m.ko || echo "INSMOD-FAILED $m"; done
i=0
while [ ! -b /dev/vda ] && [ $i -lt 50 ]; do sleep 0.2; i=$((i+1)); done
echo "DISK $(cat /sys/block/vda/size 2>/dev/null)"
if [ -e /sys/class/net/eth0 ]; then
  # slirp's fixed addresses; httpd serves what the host fetches through hostfwd.
  ifconfig lo 127.0.0.1 up
  ifconfig eth0 10.0.2.15 netmask 255.255.255.0 up
  route add default gw 10.0.2.2
  mkdir -p /www
  echo "served by the guest" > /www/hello.txt
  httpd -p 8080 -h /www
fi
echo "READY"
exec /bin/sh
"""
COUNTER = "i=0; while :; do i=$((i+1)); echo n=$i; sleep 0.2; done &"


class Machine:
    """A mimic process on a pipe: everything it prints is collected by a reader thread."""

    newest = None  # the machine a failed check reports the console of

    def __init__(self, cmd):
        Machine.newest = self
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.buf = b""
        self.lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        while True:
            b = self.p.stdout.read1(65536)
            if not b:
                return
            with self.lock:
                self.buf += b

    def text(self):
        with self.lock:
            return self.buf.decode(errors="replace")

    def send(self, s):
        self.p.stdin.write(s.encode() if isinstance(s, str) else s)
        self.p.stdin.flush()

    def wait_for(self, pattern, timeout, start=0):
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            m = re.search(pattern, self.text()[start:])
            if m:
                return m
            if self.p.poll() is not None:
                time.sleep(0.2)
                return re.search(pattern, self.text()[start:])
            time.sleep(0.1)
        return None

    def counts(self, start=0):
        return [int(x) for x in re.findall(r"(?m)^n=(\d+)\r?$", self.text()[start:])]

    def monitor(self, command, expect=None, timeout=120):
        """Ctrl-a c, the command, its answer (`expect`; by default the prompt after it), back to
        the console."""
        if expect is None:
            # The prompt after the answer. Not the command's echo: the guest's console bytes go on
            # while the monitor has the focus (as in QEMU) and may land inside it.
            expect = r"\(mimic\) [\s\S]*?\(mimic\) "
        at = len(self.text())
        self.send(b"\x01c")
        time.sleep(0.3)
        self.send(command + "\n")
        m = self.wait_for(expect, timeout, at)
        self.send(b"\x01c")
        time.sleep(0.2)
        return m, self.text()[at:]

    def quit(self, timeout=60):
        self.send(b"\x01c")
        time.sleep(0.3)
        self.send("quit\n")
        try:
            return self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            return None


# The hypervisor's and secure monitor's controls, which Linux sets once at boot: equal before the
# save and after the restore (in the monitor's `info registers`, CPU 0).
# TTBR0_EL2 holds KVM's nVHE hypervisor tables; under VHE (-cpu max) the kernel itself runs at EL2
# and switches TTBR0_EL2/TTBR1_EL2 (ASID) with every process, so only the controls are compared.
HIGHER_EL_REGS = ["HCR_EL2", "VBAR_EL2", "TCR_EL2", "SCTLR_EL2", "SCR_EL3"]


def higher_el_registers(m, vhe=False):
    got, out = m.monitor("info registers", r"info registers[\s\S]*?\(mimic\) ", 30)
    regs = {}
    for name in HIGHER_EL_REGS + ([] if vhe else ["TTBR0_EL2"]):
        r = re.search(r"(?m)^\s*%s\s+([0-9a-f]{16})" % name, out)
        if r:
            regs[name] = r.group(1)
    return regs


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True)


def fetch_from_guest(port, timeout=60):
    """The guest's httpd through hostfwd: its answer, or None."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        try:
            return urllib.request.urlopen("http://127.0.0.1:%d/hello.txt" % port, timeout=10).read().decode()
        except Exception:  # noqa: BLE001 (the guest or its link is not up yet)
            time.sleep(1)
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mimic")
    ap.add_argument("workdir")
    ap.add_argument("--only", choices=["qcow2", "raw", "virtfs"])
    ap.add_argument("--timeout", type=int, default=600)
    ap.add_argument("--arch", default="riscv64", choices=["riscv64", "aarch64"])
    ap.add_argument("--pci", action="store_true", help="riscv64: the disk on virtio-blk-pci (aarch64 always is)")
    ap.add_argument("--cpu", default="cortex-a57", help="aarch64: -cpu (max: with virtualization=on Linux runs VHE)")
    ap.add_argument("--machine-opts", default="",
                    help="aarch64: appended to -M virt,gic-version=3 (,virtualization=on / ,secure=on,...): the "
                         "qcow2 case then also compares the EL2/EL3 registers of `info registers` across the restore")
    a = ap.parse_args()
    arm = a.arch == "aarch64"
    os.makedirs(a.workdir, exist_ok=True)
    got = fetch(a.workdir, "arm64" if arm else "riscv64")
    if not got:
        return 77
    kernel, busybox = got
    work = os.path.join(a.workdir, "snapshot" + ("-aarch64" if arm else "") + ("-pci" if a.pci else "") +
                        re.sub(r"[^a-z0-9]+", "-", a.machine_opts) + ("" if a.cpu == "cortex-a57" else "-" + a.cpu))
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    mods = kernel_modules(kernel, ["virtio_blk", "virtio_net"] if arm else MODULES)
    initrd = os.path.join(work, "initrd.gz")
    build_initramfs(busybox, initrd, (INIT % " ".join(n for n, _ in mods)).encode(), mods,
                    APPLETS + ("insmod", "mkdir", "ifconfig", "route", "httpd"))
    ok = True

    failed = []

    def check(cond, what):
        nonlocal ok
        print(("ok   " if cond else "FAIL ") + what, flush=True)
        ok = ok and bool(cond)
        if not cond:
            failed.append(what)
            if Machine.newest:
                print("     the newest machine's last output:\n" + Machine.newest.text()[-1500:], flush=True)

    def machine_cmd(disk, fmt, extra=(), ram="512M", initrd=initrd):
        drive = ["-drive", "file=%s,format=%s,if=none,id=hd0" % (disk, fmt)]
        if arm:
            return [a.mimic, "system-aarch64", "-M", "virt,gic-version=3" + a.machine_opts, "-cpu", a.cpu, "-m", ram,
                    "-nographic", "-kernel", kernel, "-initrd", initrd, "-append", "console=ttyAMA0 panic=-1",
                    "-no-reboot"] + drive + ["-device", "virtio-blk-pci,drive=hd0"] + list(extra)
        return [a.mimic, "system", "-M", "virt", "-m", ram, "-nographic", "-bios", "default", "-kernel", kernel,
                "-initrd", initrd, "-append", "console=ttyS0 panic=-1", "-no-reboot"] + drive + [
                "-device", "virtio-blk-%s,drive=hd0" % ("pci" if a.pci else "device")] + list(extra)

    def boot_and_count(cmd, what):
        """Boots, starts the counter; returns the machine, the date it printed, the counts so far."""
        m = Machine(cmd)
        t0 = time.monotonic()
        ready = m.wait_for(r"READY", a.timeout)
        check(ready, "%s: Linux booted to the shell (%.1f s)" % (what, time.monotonic() - t0))
        if not ready:
            print(m.text()[-3000:])
            m.p.kill()
            return None, None
        m.send(COUNTER + "\n")
        check(m.wait_for(r"(?m)^n=12\r?$", 120), "%s: the counter counts" % what)
        m.send("echo DATE1 $(date +%s)\n")
        d = m.wait_for(r"DATE1 (\d+)", 30)
        return m, int(d.group(1)) if d else None

    def resume_and_check(cmd, what, saved_from, saved_to, date1):
        """A new process from the snapshot: the counter goes on; the shell answers; time moves on."""
        t0 = time.monotonic()
        m = Machine(cmd)
        check(m.wait_for(r"(?m)^n=\d+\r?$", 120), "%s: the restored machine prints the counter (%.1f s after start)" %
              (what, time.monotonic() - t0))
        m.wait_for(r"(?m)^n=\d+\r?\n(?:.*\n)*n=\d+\r?\n(?:.*\n)*n=\d+", 30)
        c = m.counts()
        check(c and saved_from <= c[0] <= saved_to + 1,
              "%s: it goes on from where it was saved (first n=%s; saved between %d and %d)" %
              (what, c[0] if c else None, saved_from, saved_to))
        check(len(c) >= 2 and all(y == x + 1 for x, y in zip(c, c[1:])), "%s: and keeps counting (%s)" % (what, c[:8]))
        check("OpenSBI" not in m.text() and "Linux version" not in m.text(), "%s: without booting again" % what)
        m.send("echo ANSWER $((6*7))\n")
        check(m.wait_for(r"ANSWER 42", 30), "%s: the shell answers a command" % what)
        m.send("echo DATE2 $(date +%s)\n")
        d = m.wait_for(r"DATE2 (\d+)", 30)
        check(d and date1 is not None and int(d.group(1)) >= date1,
              "%s: date moves on (%s, then %s)" % (what, date1, d.group(1) if d else None))
        return m

    def nic(port):
        """A slirp NIC whose hostfwd reaches the guest's httpd (a new port per process)."""
        model = "virtio-net-pci" if arm or a.pci else "virtio-net-device"
        return ["-netdev", "user,id=n0,hostfwd=tcp:127.0.0.1:%d-:8080" % port, "-device", model + ",netdev=n0"]

    if a.only in (None, "qcow2"):
        disk = os.path.join(work, "disk.qcow2")
        r = run([a.mimic, "img", "create", "-f", "qcow2", disk, "64M"])
        check(r.returncode == 0, "mimic img create -f qcow2 (%s)" % r.stderr.strip())
        port = free_port()
        m, date1 = boot_and_count(machine_cmd(disk, "qcow2", nic(port)), "qcow2")
        if m:
            got = fetch_from_guest(port)
            check(got == "served by the guest\n", "the host reaches the guest's httpd through hostfwd (%r)" % got)
            before = max(m.counts())
            got, out = m.monitor("savevm s1")
            check(got and "Error" not in out, "savevm s1 through the monitor (%s)" % out.strip()[-200:])
            saved_regs = higher_el_registers(m, a.cpu == "max") if a.machine_opts else None
            got, out = m.monitor("info snapshots", r"(?m)^--\s+s1\s", 30)
            check(got, "info snapshots lists s1 in QEMU's layout:\n" + out.strip())
            check("VM CLOCK" in out and "ICOUNT" in out, "with the columns ID TAG VM SIZE DATE VM CLOCK ICOUNT")
            after = max(m.counts())
            check(m.quit() == 0, "quit ends the first mimic")
            if shutil.which("qemu-img"):
                r = run(["qemu-img", "snapshot", "-l", disk])
                check(re.search(r"(?m)^1\s+s1\s+\d", r.stdout), "qemu-img snapshot -l sees s1 with its VM state:\n" +
                      r.stdout.strip())
                r = run(["qemu-img", "check", disk])
                check(r.returncode == 0, "qemu-img check accepts the image (%s)" % r.stdout.strip().splitlines()[-1:])
            port = free_port()
            m2 = resume_and_check(machine_cmd(disk, "qcow2", nic(port) + ["-loadvm", "s1"]), "-loadvm s1", before, after,
                                  date1)
            if saved_regs is not None:
                loaded_regs = higher_el_registers(m2, a.cpu == "max")
                check(saved_regs and saved_regs == loaded_regs and any(int(v, 16) for v in saved_regs.values()),
                      "the EL2/EL3 registers are restored (%s; after -loadvm %s)" % (saved_regs, loaded_regs))
            got = fetch_from_guest(port)
            check(got == "served by the guest\n",
                  "-loadvm s1: its network comes back (the host fetches from the guest's httpd again: %r)" % got)
            got, out = m2.monitor("info snapshots", r"(?m)^--\s+s1\s", 30)
            check(got, "the restored machine's info snapshots lists s1")
            got, out = m2.monitor("delvm s1")
            got, out = m2.monitor("info snapshots", r"There is no snapshot available", 30)
            check(got, "delvm s1 removes it (%s)" % out.strip()[-100:])
            check(m2.quit() == 0, "quit ends the restored mimic")
            if shutil.which("qemu-img"):
                r = run(["qemu-img", "snapshot", "-l", disk])
                check(" s1 " not in r.stdout, "qemu-img no longer lists s1")
                r = run(["qemu-img", "check", disk])
                check(r.returncode == 0, "qemu-img check still accepts the image")
            r = subprocess.run(machine_cmd(disk, "qcow2", nic(free_port()) + ["-loadvm", "nosuch"]), capture_output=True, text=True,
                               stdin=subprocess.DEVNULL, timeout=60)
            check(r.returncode == 1 and "nosuch" in r.stderr, "-loadvm of a missing snapshot: one error (%s)" %
                  r.stderr.strip())

    if a.only in (None, "raw"):
        disk = os.path.join(work, "disk.raw")
        with open(disk, "wb") as f:
            f.truncate(64 << 20)
        snap = os.path.join(work, "machine.snap")
        m, date1 = boot_and_count(machine_cmd(disk, "raw"), "raw")
        if m:
            got, out = m.monitor("savevm s2", r"does not support snapshots", 30)
            check(got, "savevm on a raw disk is refused as QEMU refuses it (%s)" % out.strip()[-120:])
            before = max(m.counts())
            got, out = m.monitor("snapshot save " + snap)
            check(got and "Error" not in out and os.path.exists(snap), "snapshot save FILE (%s)" % out.strip()[-200:])
            after = max(m.counts())
            check(m.quit() == 0, "quit ends the first mimic")
            r = run([a.mimic, "snapshot", "info", snap])
            check(r.returncode == 0 and "ram:" in r.stdout and "cpu.0" in r.stdout and "disk " + disk in r.stdout,
                  "mimic snapshot info describes the file:\n" + r.stdout.strip())
            m2 = resume_and_check(machine_cmd(disk, "raw", ["-loadvm-file", snap]), "-loadvm-file", before, after,
                                  date1)
            check(m2.quit() == 0, "quit ends the restored mimic")

            def refused(cmd, what, expect):
                r = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120)
                err = r.stderr.strip()
                check(r.returncode == 1 and re.search(expect, err) and "OpenSBI" not in r.stdout and "Linux version" not in r.stdout,
                      "%s is refused with a clear message (status %s: %s)" % (what, r.returncode, err[:300]))

            data = open(snap, "rb").read()
            bad = os.path.join(work, "bad.snap")
            open(bad, "wb").write(data[:len(data) // 2])
            refused(machine_cmd(disk, "raw", ["-loadvm-file", bad]), "a truncated snapshot file", r"truncated")
            flipped = bytearray(data)
            flipped[len(data) * 3 // 4] ^= 0x10
            open(bad, "wb").write(bytes(flipped))
            refused(machine_cmd(disk, "raw", ["-loadvm-file", bad]), "a snapshot file with a flipped bit",
                    r"damaged|checksum|mismatch")
            refused(machine_cmd(disk, "raw", ["-loadvm-file", snap], ram="256M"), "a snapshot of another machine (-m)",
                    r"another machine")
            with open(disk, "r+b") as f:
                f.write(b"changed")
            refused(machine_cmd(disk, "raw", ["-loadvm-file", snap]), "a snapshot whose disk changed since",
                    r"disks differ")
    if a.only in (None, "virtfs"):
        virtfs_case(a, work, kernel, busybox, machine_cmd, boot_and_count, check)
    # Repeated last, where a harness that shows only the end of the output still shows it.
    for what in failed:
        print("FAILED: " + what.splitlines()[0][:300])
    return 0 if ok else 1


def virtfs_case(a, work, kernel, busybox, machine_cmd, boot_and_count, check):
    mods = kernel_modules(kernel, MODULES_9P)
    initrd = os.path.join(work, "initrd-9p.gz")
    build_initramfs(busybox, initrd, (INIT % " ".join(n for n, _ in mods)).encode(), mods,
                    APPLETS + ("insmod", "mkdir", "mount", "umount"))
    share = os.path.join(work, "share")
    os.makedirs(share)
    with open(os.path.join(share, "from-host.txt"), "w") as f:
        f.write("host file\n")
    disk = os.path.join(work, "disk-9p.qcow2")
    run([a.mimic, "img", "create", "-f", "qcow2", disk, "64M"])
    snap = os.path.join(work, "mounted.snap")
    cmd = machine_cmd(disk, "qcow2", ["-virtfs", "local,path=%s,mount_tag=share0,security_model=none" % share],
                      initrd=initrd)
    m, _ = boot_and_count(cmd, "virtfs")
    if not m:
        return
    mount = "mkdir -p /mnt; mount -t 9p -o trans=virtio,version=9p2000.L share0 /mnt && cat /mnt/from-host.txt\n"
    m.send(mount)
    check(m.wait_for(r"(?m)^host file", 60), "virtfs: the guest mounts the host folder")
    # QEMU 7.2's answer, seen with qemu-system-riscv64 on the same command line.
    blocked = ("Error: Migration is disabled when VirtFS export path '%s' is mounted in the guest using "
               "mount_tag 'share0'" % share)
    got, out = m.monitor("savevm mounted", re.escape(blocked) + r"[\s\S]*?\(mimic\) ", 30)
    check(got, "virtfs: savevm while it is mounted is refused as QEMU refuses it (%s)" % out.strip()[-200:])
    got, out = m.monitor("snapshot save " + snap, re.escape(blocked), 30)
    check(got and not os.path.exists(snap), "virtfs: so is snapshot save FILE, and no file is written")
    m.send("echo saved-mark > /mnt/mark; umount /mnt && echo UMOUNTED\n")
    check(m.wait_for(r"(?m)^UMOUNTED", 60), "virtfs: the guest unmounts it")
    got, out = m.monitor("savevm unmounted")
    check(got and "Error" not in out, "virtfs: after umount savevm works (%s)" % out.strip()[-200:])
    m.send(mount)
    check(m.wait_for(r"(?m)^host file[\s\S]*host file", 60), "virtfs: the guest mounts it again")
    got, out = m.monitor("loadvm unmounted")
    check(got and "Error" not in out, "virtfs: loadvm of the unmounted machine while mounted (%s)" % out.strip()[-200:])
    got, out = m.monitor("savevm restored")
    check(got and "Error" not in out, "virtfs: the restored machine has nothing mounted, so savevm works (%s)" %
          out.strip()[-200:])
    at = len(m.text())
    m.send("grep -c ' /mnt ' /proc/mounts; " + mount)
    check(m.wait_for(r"(?m)^0\r?\n[\s\S]*^host file", 60, at),
          "virtfs: the restored guest has nothing mounted and mounts the folder afresh")
    m.send("cat /mnt/mark\n")
    check(m.wait_for(r"(?m)^saved-mark", 30, at), "virtfs: and reads what it wrote there before")
    check(m.quit() == 0, "virtfs: quit ends mimic")


if __name__ == "__main__":
    sys.exit(main())
