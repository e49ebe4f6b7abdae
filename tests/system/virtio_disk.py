#!/usr/bin/env python3
"""Debian's riscv64 kernel with its root file system on virtio-blk under `mimic system -M virt`.

The ext4 image is made here from Debian's busybox-static with `mke2fs -d` (no root needed); an
initramfs loads the kernel's virtio_mmio, virtio_blk and ext4 modules (Debian builds them as
modules), mounts /dev/vda and switch_roots into it. The guest reads a file the host put into the
image, writes files, syncs and powers off; the host then checks the image with e2fsck -fn and reads
the guest's files back with debugfs. With --kill, mimic is SIGKILLed right after the guest's sync
instead: everything synced must be in the image and e2fsck must call it clean (the journal may
need replaying: e2fsck -fn on a copy after `e2fsck -fy` replays it).

  virtio_disk.py MIMIC WORKDIR [--format raw|qcow2|vmdk|vdi] [--kill] [--legacy on|off]
                 [--transport pci|mmio] [--if-virtio] [--arch aarch64 [--gic 2|3] [--pci-opts ,disable-legacy=on...]]

With --arch aarch64 the kernel is Debian's arm64 one on the arm virt board; --transport pci puts
the disk and the RNG on PCI (virtio-blk-pci, virtio-rng-pci): the guest must see them there and
take MSI-X interrupts (GICv2m with GICv2; with GICv3 through the ITS: /proc/interrupts says ITS-MSI or ITS-PCI-MSIX).
On riscv64, --transport pci puts them on the RISC-V board's PCIe host (INTx through the PLIC);
--if-virtio gives the disk as `-drive ...,if=virtio`, which must make it a virtio-blk-pci there.

Exit 0 when every check passes, 1 otherwise, 77 when skipped (packages or `mimic img` missing)."""
import argparse
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from riscv_boot_image import APPLETS, build_initramfs, fetch, kernel_modules  # noqa: E402

MODULES = ["virtio_mmio", "virtio_blk", "crc32c_generic", "ext4", "virtio_rng"]

# The initramfs: load the drivers, wait for the disk, hand over to the disk's /sbin/test-init.
INITRAMFS_INIT = r"""#!/bin/sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
/bin/busybox mount -t devtmpfs dev /dev
for m in %s; do insmod /lib/$m.ko || echo "INSMOD-FAILED $m"; done
i=0
while [ ! -b /dev/vda ] && [ $i -lt 50 ]; do sleep 0.2; i=$((i+1)); done
mkdir -p /newroot
mount -t ext4 /dev/vda /newroot || echo "MOUNT-FAILED"
mount --move /dev /newroot/dev
umount /proc /sys
exec switch_root /newroot /sbin/test-init
"""

# On the disk: the test's commands.
DISK_INIT = r"""#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
echo "ROOT $(grep ' / ' /proc/mounts | head -1 | cut -d' ' -f1-3)"
echo "HOSTFILE $(sha256sum /data/from-host.bin | cut -d' ' -f1)"
echo "RNG $(cat /sys/class/misc/hw_random/rng_current) $(head -c 4096 /dev/hwrng | wc -c)"
echo "PCI $(cat /sys/bus/pci/devices/*/uevent 2>/dev/null | grep -c DRIVER=virtio-pci)"
echo "MSI $(grep -c MSI /proc/interrupts)"
grep -i -e virtio -e msi /proc/interrupts
echo "hello from the guest" > /data/hello.txt
# A file larger than the page cache batches: 6 MiB of non-repeating data.
head -c 6291456 /dev/urandom > /data/guest.bin
echo "GUESTFILE $(sha256sum /data/guest.bin | cut -d' ' -f1)"
rm /data/delete-me.txt
mkdir /data/newdir
echo nested > /data/newdir/n.txt
sync
echo "SYNCED"
if [ -e /kill-mode ]; then
  # The host kills mimic now; anything written after the sync may be lost.
  echo "unsynced" > /data/after-sync.txt
  sleep 1000
fi
umount /data 2>/dev/null
mount -o remount,ro /
echo "DONE"
poweroff -f
"""


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def mimic_img_has(mimic, fmt):
    r = run([mimic, "img", "--help"])
    return r.returncode == 0 and fmt in (r.stdout + r.stderr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mimic")
    ap.add_argument("workdir")
    ap.add_argument("--format", default="raw")
    ap.add_argument("--kill", action="store_true")
    ap.add_argument("--legacy", default=None, help="-global virtio-mmio.force-legacy=VALUE")
    ap.add_argument("--timeout", type=int, default=600)
    ap.add_argument("--qemu", action="store_true", help="run under qemu-system-riscv64 instead (the reference)")
    ap.add_argument("--arch", default="riscv64", choices=["riscv64", "aarch64"])
    ap.add_argument("--gic", default="2")
    ap.add_argument("--transport", default="mmio", choices=["mmio", "pci"])
    ap.add_argument("--backing", action="store_true", help="qcow2: the disk is an overlay on a qcow2 backing file")
    ap.add_argument("--if-virtio", action="store_true",
                    help="the disk as -drive ...,if=virtio (a virtio-blk-pci on both virt boards, as QEMU)")
    ap.add_argument("--pci-opts", default="", help="properties appended to the -pci devices")
    ap.add_argument("--expect-msi", default="auto", choices=["auto", "yes", "no"])
    a = ap.parse_args()
    for tool in ("mke2fs", "debugfs", "e2fsck"):
        if not shutil.which(tool) and not os.path.exists("/usr/sbin/" + tool) and not os.path.exists("/sbin/" + tool):
            print("SKIP: %s missing (Debian package e2fsprogs)" % tool)
            return 77
    os.environ["PATH"] += ":/usr/sbin:/sbin"
    if a.format != "raw" and not a.qemu and not mimic_img_has(a.mimic, a.format):
        print("SKIP: `mimic img` cannot convert to %s in this build (the image formats come with hw/block)" % a.format)
        return 77
    os.makedirs(a.workdir, exist_ok=True)
    arm = a.arch == "aarch64"
    got = fetch(os.path.dirname(os.path.abspath(a.workdir)), "arm64" if arm else "riscv64")
    if not got:
        return 77
    kernel, busybox = got
    tag = "%s%s%s%s" % (a.format, "-backing" if a.backing else "", "-kill" if a.kill else "",
                        "-legacy-" + a.legacy if a.legacy else "")
    if arm:
        tag += "-aarch64-gicv%s-%s%s" % (a.gic, a.transport, a.pci_opts.replace(",", "-").replace("=", "-"))
    elif a.transport == "pci":
        tag += "-riscv64-pci" + ("-if-virtio" if a.if_virtio else "")
    work = os.path.join(a.workdir, tag)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)

    # Debian's arm64 kernel has virtio-pci built in and virtio-mmio as a module.
    modules = MODULES if not arm else (["virtio_blk", "crc32c_generic", "ext4", "virtio_rng"] + (["virtio_mmio"] if a.transport == "mmio" else []))
    mods = kernel_modules(kernel, modules)
    initrd = os.path.join(work, "initrd.gz")
    build_initramfs(busybox, initrd, (INITRAMFS_INIT % " ".join(n for n, _ in mods)).encode(), mods,
                    APPLETS + ("insmod", "mkdir", "switch_root", "umount"))

    # The disk's tree: busybox, the test's init, a file from the host, a file to delete.
    tree = os.path.join(work, "tree")
    for d in ("bin", "sbin", "proc", "sys", "dev", "data", "tmp"):
        os.makedirs(os.path.join(tree, d))
    shutil.copy(busybox, os.path.join(tree, "bin", "busybox"))
    for applet in APPLETS + ("mkdir", "rm", "cut", "umount", "mount", "sync", "od"):
        if not os.path.lexists(os.path.join(tree, "bin", applet)):
            os.symlink("busybox", os.path.join(tree, "bin", applet))
    with open(os.path.join(tree, "sbin", "test-init"), "w") as f:
        f.write(DISK_INIT)
    os.chmod(os.path.join(tree, "sbin", "test-init"), 0o755)
    host_data = os.urandom(3 << 20)
    open(os.path.join(tree, "data", "from-host.bin"), "wb").write(host_data)
    open(os.path.join(tree, "data", "delete-me.txt"), "w").write("bye\n")
    if a.kill:
        open(os.path.join(tree, "kill-mode"), "w").close()
    raw = os.path.join(work, "disk.raw")
    r = run(["mke2fs", "-q", "-t", "ext4", "-d", tree, "-F", raw, "64M"])
    if r.returncode != 0:
        print("FAIL mke2fs: " + r.stderr)
        return 1
    disk, disk_format = raw, "raw"
    if a.format != "raw":
        disk, disk_format = os.path.join(work, "disk." + a.format), a.format
        conv = ["qemu-img"] if a.qemu else [a.mimic, "img"]
        r = run(conv + ["convert", "-f", "raw", "-O", a.format, raw, disk])
        if r.returncode != 0:
            print("FAIL converting the image to %s: %s" % (a.format, r.stderr))
            return 1
        if a.backing:
            # The guest's disk is an overlay: reads come from the base, writes stay in the overlay.
            base = os.path.join(work, "base.qcow2")
            os.rename(disk, base)
            r = run(conv + ["create", "-f", "qcow2", "-b", "base.qcow2", "-F", "qcow2", disk])
            if r.returncode != 0:
                print("FAIL creating the overlay: %s" % r.stderr)
                return 1
            base_sum = hashlib.sha256(open(base, "rb").read()).hexdigest()

    emu = ["qemu-system-" + a.arch] if a.qemu else [a.mimic, "system-aarch64" if arm else "system"]
    kind = "pci" + a.pci_opts if a.transport == "pci" else "device"
    if arm:
        machine = ["-M", "virt,gic-version=" + a.gic, "-cpu", "cortex-a57", "-append", "console=ttyAMA0 panic=-1"]
    else:
        machine = ["-M", "virt", "-bios", "default", "-append", "console=ttyS0 panic=-1"]
    if a.if_virtio:
        drive = ["-drive", "file=%s,format=%s,if=virtio" % (disk, disk_format)]
    else:
        drive = ["-drive", "file=%s,format=%s,if=none,id=hd0" % (disk, disk_format),
                 "-device", "virtio-blk-%s,drive=hd0" % kind]
    cmd = emu + machine + ["-m", "256M", "-nographic", "-kernel", kernel, "-initrd", initrd, "-no-reboot"] + drive + [
        "-device", "virtio-rng-%s" % kind]
    if a.legacy:
        cmd += ["-global", "virtio-mmio.force-legacy=" + a.legacy]
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = b""
    killed = False
    os.set_blocking(p.stdout.fileno(), False)
    while time.monotonic() - t0 < a.timeout:
        chunk = p.stdout.read()
        if chunk:
            out += chunk
        if a.kill and b"SYNCED" in out and not killed:
            time.sleep(0.5)  # let the guest start its unsynced write
            p.send_signal(signal.SIGKILL)
            killed = True
        if p.poll() is not None:
            rest = p.stdout.read()
            out += rest or b""
            break
        time.sleep(0.05)
    else:
        p.kill()
    p.wait()
    secs = time.monotonic() - t0
    text = out.decode(errors="replace")
    ok = True

    def check(cond, what):
        nonlocal ok
        print(("ok   " if cond else "FAIL ") + what)
        ok = ok and bool(cond)

    check(p.returncode is not None and (killed or p.returncode == 0),
          "the machine %s (status %s, %.1f s)" % ("was killed after sync" if a.kill else "powered off", p.returncode, secs))
    check("INSMOD-FAILED" not in text and "MOUNT-FAILED" not in text, "the drivers loaded and /dev/vda mounted")
    m = re.search(r"ROOT (\S+) (\S+) (\S+)", text)
    check(m and m.group(1) == "/dev/root" or (m and m.group(1) == "/dev/vda"), "/ is the virtio disk (%s)" % (m.group(0) if m else "no line"))
    check(m and m.group(3) == "ext4", "the root file system is ext4")
    check(("HOSTFILE " + hashlib.sha256(host_data).hexdigest()) in text, "the guest read the host's 3 MiB file intact")
    rng = re.search(r"RNG (\S+) (\d+)", text)
    check(rng and rng.group(1).startswith("virtio_rng") and rng.group(2) == "4096",
          "/dev/hwrng is virtio-rng and gave 4096 bytes (%s)" % (rng.group(0) if rng else "no line"))
    if a.transport == "pci":
        pci = re.search(r"PCI (\d+)", text)
        check(pci and pci.group(1) == "2", "the disk and the RNG are virtio-pci functions (%s)" % (pci.group(0) if pci else "no line"))
        # The riscv board (as QEMU's without aia=) has no MSI controller: INTx.
        expect_msi = a.expect_msi == "yes" or (a.expect_msi == "auto" and arm)
        msi = re.search(r"MSI (\d+)", text)
        lines = [" ".join(l.split()) for l in text.splitlines() if re.match(r"\s*\d+:", l) and "virtio" in l]
        if expect_msi:
            check(msi and int(msi.group(1)) >= 2, "the virtio-pci functions interrupt through MSI-X (%s)" % "; ".join(lines))
            if a.gic == "3":
                # "ITS-MSI" (Linux < 6.2) or "ITS-PCI-MSIX-<bdf>" (Debian 12's 6.1 backports on):
                # the queue vectors of both functions have fired.
                its = [l for l in lines if re.search(r"ITS-(PCI-)?MSI", l) and not l.endswith("-config")]
                check(len(its) >= 2 and all(int(l.split()[1]) > 0 for l in its),
                      "the virtio-pci functions' MSI-X interrupts go through the ITS and arrive (%s)" % "; ".join(lines))
        else:
            check(lines, "the virtio-pci functions interrupt (%s)" % "; ".join(lines))
    guest = re.search(r"GUESTFILE ([0-9a-f]{64})", text)
    check(guest, "the guest wrote its file")
    check("SYNCED" in text, "the guest synced")
    if not a.kill:
        check("DONE" in text, "the guest remounted / read-only and powered off")

    # Back to raw for the host's tools.
    check_raw = raw
    if a.format != "raw":
        check_raw = os.path.join(work, "check.raw")
        conv = ["qemu-img"] if a.qemu else [a.mimic, "img"]
        r = run(conv + ["convert", "-f", a.format, "-O", "raw", disk, check_raw])
        check(r.returncode == 0, "the %s image converts back to raw (%s)" % (a.format, r.stderr.strip()))
        if shutil.which("qemu-img") and a.format == "qcow2":
            # After SIGKILL, leaked clusters (exit 3) at most; never corruption (2).
            r = run(["qemu-img", "check", disk])
            check(r.returncode == 0 or (a.kill and r.returncode == 3),
                  "qemu-img check accepts the image (status %d: %s)" % (r.returncode, r.stdout.strip().splitlines()[-1:]))
    if a.backing:
        check(hashlib.sha256(open(base, "rb").read()).hexdigest() == base_sum,
              "the backing file is unchanged (every write went to the overlay)")
    if a.kill:
        # A killed guest leaves a journal to replay: replay on a copy, then the strict check.
        replay = os.path.join(work, "replayed.raw")
        shutil.copy(check_raw, replay)
        r = run(["e2fsck", "-fy", replay])
        check(r.returncode in (0, 1), "e2fsck -fy replays the journal (status %d)" % r.returncode)
        check_raw = replay
    r = run(["e2fsck", "-fn", check_raw])
    check(r.returncode == 0, "e2fsck -fn calls the file system clean (status %d)%s" %
          (r.returncode, "" if r.returncode == 0 else "\n" + r.stdout[-2000:]))

    def cat(path):
        return subprocess.run(["debugfs", "-R", "cat " + path, check_raw], capture_output=True).stdout

    check(cat("/data/hello.txt") == b"hello from the guest\n", "debugfs reads the guest's hello.txt")
    if guest:
        check(hashlib.sha256(cat("/data/guest.bin")).hexdigest() == guest.group(1),
              "the guest's 6 MiB file is in the image byte for byte")
    check(cat("/data/newdir/n.txt") == b"nested\n", "the guest's new directory and file are there")
    ls = subprocess.run(["debugfs", "-R", "ls -l /data", check_raw], capture_output=True, text=True).stdout
    check("delete-me.txt" not in ls, "the file the guest deleted is gone")
    if not ok:
        print("---- console output (last 60 lines) ----")
        print("\n".join(text.splitlines()[-60:]))
    print("run time: %.2f s" % secs)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
