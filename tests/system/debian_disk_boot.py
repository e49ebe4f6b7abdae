#!/usr/bin/env python3
"""A Debian arm64 system on a disk image, booted by UEFI through GRUB to a systemd login.

The image is made in the run, without root-only tricks beyond debootstrap and chroot:
  1. `debootstrap --foreign --arch=arm64 --variant=minbase bookworm` on the host, with the packages
     a booting system needs (systemd-sysv, udev, dbus, e2fsprogs, linux-image-arm64);
  2. its second stage under `mimic user -chroot` (which unpacks and configures every package, the
     kernel's postinst running Debian's update-initramfs with MODULES=list of the virtio and ext4
     modules: the initrd is Debian's own, made under mimic), then, again under mimic, a root password, the host name and a marker file;
  3. a GPT disk: an EFI system partition (FAT32, mtools at an offset) with Debian's signed GRUB as
     /EFI/BOOT/BOOTAA64.EFI, a grub.cfg, the kernel (the Image out of vmlinuz) and the initrd; an
     ext4 root made with `mke2fs -d` straight into the disk at its offset (no loop mounts), mounted
     by /etc/fstab through its file system UUID (as Debian's installer writes it), root=PARTUUID=...
     on the kernel command line.
The pristine image is cached in WORKDIR (a rerun only boots); every boot gets a copy.

Boot: `-M virt -cpu cortex-a57 -m 1G`, AAVMF in the two flash banks, the disk on virtio-blk-pci
or virtio-blk-device (virtio-mmio). The test waits for "login:" on ttyAMA0, logs in as root, runs
uname -m, systemctl is-system-running, systemctl --failed, cat of the marker file, writes a file,
syncs and powers off; then debugfs on the host reads the guest's file out of the image.

  debian_disk_boot.py MIMIC WORKDIR [--transport pci|mmio|both] [--qemu | --qemu-only] [--build-only]
                      [--timeout SECONDS]

Slow (the second stage under emulation takes 25 minutes or more, each boot 2-3): runs only with
MIMIC_TEST_DEBIAN_DISK=1. Exit 0 when every check passes, 1 otherwise, 77 when skipped."""
import argparse
import gzip
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from firmware_boot import AAVMF, ESP_TYPE, MIB, fetch_file  # noqa: E402
from snapshot_test import Machine  # noqa: E402

SUITE = "bookworm"
PACKAGES = "systemd-sysv,udev,dbus,e2fsprogs,linux-image-arm64"
ROOT_PASSWORD = "mimic"
HOSTNAME = "mimic-arm64"
MARKER = "/etc/mimic-disk-image"
LINUX_TYPE = "0FC63DAF-8483-4772-8E79-3D69D8477DE4"
ESP_MIB = 160
# The initrd's modules (with what they depend on): the disk on either transport and its ext4.
INITRD_MODULES = ["virtio_pci", "virtio_mmio", "virtio_blk", "ext4"]
# Fixed identifiers: the cached image and the grub.cfg/fstab written into it agree across reruns.
ROOT_PARTUUID = "6d696d69-632d-4172-8d36-342d726f6f74"
ROOT_FS_UUID = "6d696d69-632d-4172-8d36-342d65787434"

# systemd's start jobs (the serial getty's dev-ttyAMA0.device among them) time out after 90 s of
# wall time by default; on the shared 2-core test machine (load 20-30) either emulator runs the
# guest at a tenth of its speed, udev's coldplug comes close to that (QEMU within 30 s of it) and
# mimic's virtio-blk-pci boot missed it once (no login prompt). A slow machine's setting, for both.
START_TIMEOUT = "systemd.default_timeout_start_sec=600"

GRUB_CFG = """set timeout=0
search --no-floppy --file --set=root /mimic-esp
menuentry 'Debian GNU/Linux arm64 (mimic disk image)' {
  linux /Image root=PARTUUID=%s ro console=ttyAMA0 panic=-1 %s mimic-debian-disk
  initrd /initrd.img
}
""" % (ROOT_PARTUUID, START_TIMEOUT)

FSTAB = "# <file system> <mount point> <type> <options> <dump> <pass>\nUUID=%s / ext4 errors=remount-ro 0 1\n" % ROOT_FS_UUID

# Run inside the finished root under mimic user -chroot: what an installer would set.
CONFIGURE = r"""set -e
export LC_ALL=C PATH=/usr/sbin:/usr/bin:/sbin:/bin
echo root:%s | chpasswd
echo %s > /etc/hostname
printf '127.0.0.1 localhost\n127.0.1.1 %s\n' > /etc/hosts
echo "built by debian_disk_boot.py under mimic user -chroot, $(uname -m)" > %s
ls /boot/vmlinuz-* /boot/initrd.img-*
""" % (ROOT_PASSWORD, HOSTNAME, HOSTNAME, MARKER)


TERMINAL_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def log(msg):
    print(msg, flush=True)


def run(cmd, logfile=None, **kw):
    """Runs `cmd`; its output goes to `logfile` (or is returned). Raises on failure with the tail."""
    t0 = time.monotonic()
    r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, errors="replace", **kw)
    if logfile:
        with open(logfile, "w") as f:
            f.write(r.stdout + r.stderr)
    if r.returncode != 0:
        tail = "\n".join((r.stdout + r.stderr).splitlines()[-25:])
        raise RuntimeError("%s: status %d\n%s" % (" ".join(cmd[:4]), r.returncode, tail))
    return r, time.monotonic() - t0


def mirror():
    """The Debian mirror the machine's own apt sources name (deb822 URIs:, else a "deb" line)."""
    import glob
    for f in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
        for line in open(f):
            m = re.match(r"URIs:\s*(\S+/debian)/?\s*$", line)
            if m:
                return m.group(1)
    for f in ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*.list")):
        if os.path.exists(f):
            for line in open(f):
                m = re.match(r"deb\s+(?:\[[^]]*\]\s+)?(\S+/debian)/?\s", line)
                if m:
                    return m.group(1)
    return None


def build_rootfs(mimic, work, times):
    """debootstrap --foreign on the host, second stage and configuration under mimic user -chroot."""
    root = os.path.join(work, "rootfs")
    done = os.path.join(work, "rootfs.done")
    if os.path.exists(done):
        return root
    src = mirror()
    if not src:
        raise RuntimeError("no Debian mirror in /etc/apt/sources.list*")
    # The first stage is kept as a tar: a failed second stage starts again from it.
    stage1 = os.path.join(work, "stage1-arm64-%s.tar" % SUITE)
    shutil.rmtree(root, ignore_errors=True)
    if not os.path.exists(stage1):
        _, times["debootstrap --foreign (host)"] = run(
            ["debootstrap", "--foreign", "--arch=arm64", "--variant=minbase", "--include=" + PACKAGES,
             "--keyring=/usr/share/keyrings/debian-archive-keyring.gpg", SUITE, root, src],
            os.path.join(work, "stage1.log"))
        log("debootstrap --foreign: %.0f s" % times["debootstrap --foreign (host)"])
        run(["tar", "-C", root, "-cf", stage1 + ".tmp", "."])
        os.rename(stage1 + ".tmp", stage1)
    else:
        os.makedirs(root)
        run(["tar", "-C", root, "-xf", stage1])
    # Debian's default MODULES=most copies hundreds of modules into the initrd, a few processes per
    # module (39 in 5 minutes here under emulation at load 25); an installer's MODULES=dep guesses
    # from the running host, which is not the guest. The list names what this machine needs.
    conf = os.path.join(root, "etc/initramfs-tools")
    os.makedirs(os.path.join(conf, "conf.d"), exist_ok=True)
    open(os.path.join(conf, "conf.d", "mimic-modules.conf"), "w").write("MODULES=list\n")
    open(os.path.join(conf, "modules"), "a").write("\n".join(INITRD_MODULES) + "\n")
    _, times["second stage under mimic user -chroot"] = run(
        [mimic, "user", "-chroot", root, "/debootstrap/debootstrap", "--second-stage"],
        os.path.join(work, "second-stage.log"))
    log("second stage under mimic user -chroot: %.0f s" % times["second stage under mimic user -chroot"])
    if os.path.exists(os.path.join(root, "debootstrap")):
        raise RuntimeError("the second stage left /debootstrap behind: it did not finish")
    r, times["configuration under mimic user -chroot"] = run(
        [mimic, "user", "-chroot", root, "/bin/sh", "-c", CONFIGURE], os.path.join(work, "configure.log"))
    log(r.stdout.strip())
    # Debian's kernel package leaves the apt caches and the .debs; the image does not need them.
    shutil.rmtree(os.path.join(root, "var/cache/apt/archives"), ignore_errors=True)
    os.makedirs(os.path.join(root, "var/cache/apt/archives/partial"), exist_ok=True)
    open(done, "w").close()
    return root


def du_mib(path):
    r, _ = run(["du", "-sxm", path])
    return int(r.stdout.split()[0])


def build_image(grub, root, work):
    """The GPT disk: ESP (GRUB, grub.cfg, kernel, initrd) and the ext4 root from `root`."""
    disk = os.path.join(work, "debian-arm64.img")
    cfg = os.path.join(work, "grub.cfg")
    if os.path.exists(disk) and os.path.exists(cfg) and open(cfg).read() == GRUB_CFG:
        return disk  # made by this version of the script
    # The root by its file system UUID, as Debian's installer writes /etc/fstab.
    open(os.path.join(root, "etc/fstab"), "w").write(FSTAB)
    boot = os.path.join(root, "boot")
    kernels = sorted(f for f in os.listdir(boot) if f.startswith("vmlinuz-"))
    initrds = sorted(f for f in os.listdir(boot) if f.startswith("initrd.img-"))
    if not kernels or not initrds:
        raise RuntimeError("no kernel or no initrd in %s (update-initramfs did not run?)" % boot)
    data = open(os.path.join(boot, kernels[-1]), "rb").read()
    if data[:2] == b"\x1f\x8b":  # GRUB hands the PE Image to the kernel's EFI stub
        data = gzip.decompress(data)
    image = os.path.join(work, "Image")
    open(image, "wb").write(data)
    open(cfg, "w").write(GRUB_CFG)
    marker = os.path.join(work, "mimic-esp")
    open(marker, "w").write("the test's ESP\n")

    root_mib = du_mib(root) * 5 // 4 + 256
    esp_start, root_start = 1, 1 + ESP_MIB
    total = root_start + root_mib + 1
    tmp = disk + ".tmp"
    with open(tmp, "wb") as f:
        f.truncate(total * MIB)
    table = ("label: gpt\n"
             "start=%d, size=%d, type=%s, name=ESP\n"
             "start=%d, size=%d, type=%s, uuid=%s, name=root\n"
             % (esp_start * 2048, ESP_MIB * 2048, ESP_TYPE, root_start * 2048, root_mib * 2048, LINUX_TYPE,
                ROOT_PARTUUID))
    r = subprocess.run(["sfdisk", "--no-reread", "--no-tell-kernel", tmp], input=table, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("sfdisk: " + r.stderr)
    esp = "%s@@%dM" % (tmp, esp_start)
    steps = [["mformat", "-i", esp, "-T", str(ESP_MIB * 2048), "-h", "64", "-s", "32", "-F", "-v", "ESP", "::"],
             ["mmd", "-i", esp, "::/EFI", "::/EFI/BOOT", "::/EFI/debian"],
             ["mcopy", "-i", esp, grub, "::/EFI/BOOT/BOOTAA64.EFI"]]
    for s, d in ((cfg, "::/EFI/BOOT/grub.cfg"), (cfg, "::/EFI/debian/grub.cfg"), (image, "::/Image"),
                 (os.path.join(boot, initrds[-1]), "::/initrd.img"), (marker, "::/mimic-esp")):
        steps.append(["mcopy", "-i", esp, s, d])
    for s in steps:
        run(s)
    os.remove(image)
    # mke2fs -d fills the file system from the directory; -E offset writes it into the disk.
    run(["mke2fs", "-q", "-F", "-t", "ext4", "-L", "root", "-U", ROOT_FS_UUID, "-d", root,
         "-E", "offset=%d" % (root_start * MIB), tmp, "%dM" % root_mib])
    os.rename(tmp, disk)
    return disk


def e2fs_at(disk):
    """The root file system inside the disk, as e2fsprogs' unix I/O manager names it."""
    return "%s?offset=%d" % (disk, (1 + ESP_MIB) * MIB)


def boot(a, disk, transport, qemu):
    """One boot of a copy of `disk`: log in, the commands, poweroff. Returns (checks, times)."""
    name = "qemu" if qemu else "mimic"
    work = os.path.join(a.workdir, "boot-%s-%s" % (name, transport))
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    copy = os.path.join(work, "disk.img")
    run(["cp", "--sparse=always", disk, copy])
    vars_copy = os.path.join(work, "AAVMF_VARS.fd")
    shutil.copy(os.path.join(AAVMF, "AAVMF_VARS.fd"), vars_copy)
    emu = ["qemu-system-aarch64"] if qemu else [a.mimic, "system-aarch64"]
    device = "virtio-blk-pci" if transport == "pci" else "virtio-blk-device"
    cmd = emu + ["-M", "virt", "-cpu", "cortex-a57", "-m", "1G", "-nographic", "-no-reboot",
                 "-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + os.path.join(AAVMF, "AAVMF_CODE.fd"),
                 "-drive", "if=pflash,format=raw,unit=1,file=" + vars_copy,
                 "-drive", "file=%s,format=raw,if=none,id=hd0" % copy, "-device", device + ",drive=hd0"]
    checks = []

    def check(cond, what):
        checks.append((bool(cond), "%s %s: %s" % (name, transport, what)))
        log(("ok   " if cond else "FAIL ") + checks[-1][1])
        return cond

    t0 = time.monotonic()
    m = Machine(cmd)
    times = {}
    console = os.path.join(work, "console.log")
    stop = threading.Event()

    def keep_console():  # a long boot can be watched (tail -f) while it runs
        while not stop.wait(15):
            open(console, "w").write(m.text())

    threading.Thread(target=keep_console, daemon=True).start()
    try:
        if check(m.wait_for(r"login: ", a.timeout), "UEFI -> GRUB -> Linux -> systemd reached the login prompt"):
            times["login prompt"] = time.monotonic() - t0
            text = m.text()
            check("UEFI firmware" in text, "AAVMF started from the flash")
            check("mimic-debian-disk" in text and "root=PARTUUID=" + ROOT_PARTUUID in text,
                  "the kernel command line is grub.cfg's")
            check(re.search(r"systemd\[1\]|Welcome to .*Debian", text), "systemd ran as init")
            at = len(m.text())
            m.send("root\n")
            if check(m.wait_for(r"Password: ", 120, at), "login asked for the password"):
                at = len(m.text())
                m.send(ROOT_PASSWORD + "\n")
                check(m.wait_for(r"root@%s:~# " % HOSTNAME, 180, at), "logged in as root (shell prompt)")

            def shell(command, pattern, timeout=180):
                """Sends `command`; its output (terminal escapes removed: bash brackets each line it
                reads with \\e[?2004h/l, then \\r) once `pattern` appears in it, or None and the output."""
                at = len(m.text())
                m.send(command + "\n")
                deadline = time.monotonic() + timeout
                while True:
                    out = TERMINAL_ESCAPE.sub("", m.text()[at:]).replace("\r", "")
                    got = re.search(pattern, out)
                    if got or time.monotonic() > deadline or m.p.poll() is not None:
                        return got, out
                    time.sleep(0.2)

            got, _ = shell("uname -m; echo UNAME-DONE", r"\naarch64\r?\n")
            check(got, "uname -m says aarch64")
            # is-system-running waits for the boot to finish: running (or degraded, with the list).
            got, out = shell("systemctl is-system-running --wait; systemctl --failed --no-legend --plain; "
                             "echo FAILED-LISTED", r"\r?\nFAILED-LISTED", 600)
            state = re.search(r"\n(running|degraded|starting|maintenance|stopping)\r?\n", out)
            failed = [l.strip() for l in out.splitlines() if ".service" in l or ".mount" in l or ".socket" in l]
            failed = [l for l in failed if not l.startswith("systemctl")]
            check(got and state and state.group(1) == "running",
                  "systemctl is-system-running: %s%s" % (state.group(1) if state else "?",
                                                          (" (failed: %s)" % "; ".join(failed)) if failed else ""))
            # Where the boot's time went, as a user would ask systemd (logged, not checked).
            got, out = shell("systemd-analyze time; systemd-analyze blame --no-pager | head -n 15; "
                             "systemd-analyze critical-chain --no-pager; echo ANALYZE-DONE", r"\r?\nANALYZE-DONE", 300)
            log("\n".join("  | " + l for l in out.replace("\r", "").splitlines()[1:] if "ANALYZE-DONE" not in l))
            got, _ = shell("cat %s" % MARKER, r"built by debian_disk_boot.py under mimic user -chroot, aarch64")
            check(got, "the file written into the image at build time reads back")
            got, _ = shell("findmnt -no SOURCE,FSTYPE /", r"/dev/vda2 +ext4")
            check(got, "the root is the disk's ext4 partition")
            stamp = "written by the guest %s %s" % (name, transport)
            got, _ = shell("echo '%s' > /root/from-guest && sync && echo WROTE-OK" % stamp, r"\nWROTE-OK")
            check(got, "wrote /root/from-guest and synced")
            t1 = time.monotonic()
            m.send("poweroff\n")
            try:
                rc = m.p.wait(timeout=300)
            except subprocess.TimeoutExpired:
                m.p.kill()
                rc = None
            times["poweroff"] = time.monotonic() - t1
            check(rc == 0, "poweroff ended the machine (status %s, %.0f s)" % (rc, times["poweroff"]))
            check(re.search(r"reboot: Power down|System halted|Powering off", m.text()), "systemd powered off")
    finally:
        stop.set()
        if m.p.poll() is None:
            m.p.kill()
            m.p.wait()
        open(console, "w").write(m.text())
    if not all(c for c, _ in checks):
        log("---- console (last 50 lines; all of it in %s) ----" % os.path.join(work, "console.log"))
        log("\n".join(m.text().splitlines()[-50:]))
    r = subprocess.run(["debugfs", "-R", "cat /root/from-guest", e2fs_at(copy)], capture_output=True, text=True)
    check("written by the guest %s %s" % (name, transport) in r.stdout,
          "the host reads the guest's file out of the image (debugfs)")
    r = subprocess.run(["e2fsck", "-fn", e2fs_at(copy)], capture_output=True, text=True)
    check(r.returncode == 0, "e2fsck -fn finds the root file system clean after poweroff")
    if r.returncode != 0:
        log(r.stdout[-1500:] + r.stderr[-500:])
    return checks, times


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mimic")
    ap.add_argument("workdir")
    ap.add_argument("--transport", default="both", choices=["pci", "mmio", "both"])
    ap.add_argument("--qemu", action="store_true", help="boot under qemu-system-aarch64 (the reference) first")
    ap.add_argument("--qemu-only", action="store_true", help="boot under qemu-system-aarch64 only")
    ap.add_argument("--build-only", action="store_true", help="make (or find) the image, do not boot")
    ap.add_argument("--timeout", type=int, default=3600, help="seconds to the login prompt")
    a = ap.parse_args()
    if os.environ.get("MIMIC_TEST_DEBIAN_DISK") != "1":
        print("SKIP: set MIMIC_TEST_DEBIAN_DISK=1 to build the Debian arm64 disk image (debootstrap, second "
              "stage under mimic user -chroot: 25-46 min at load 25-36) and boot it through AAVMF and GRUB to a "
              "systemd login on virtio-blk-pci and virtio-mmio (2-3 min each at load 30)")
        return 77
    if os.geteuid() != 0:
        print("SKIP: debootstrap and the chroot need root")
        return 77
    os.environ["PATH"] += ":/usr/sbin:/sbin"
    for tool in ("debootstrap", "mformat", "mcopy", "sfdisk", "mke2fs", "debugfs", "e2fsck"):
        if not shutil.which(tool):
            print("SKIP: %s missing (Debian packages debootstrap, mtools, fdisk, e2fsprogs)" % tool)
            return 77
    if not os.path.exists(os.path.join(AAVMF, "AAVMF_CODE.fd")):
        print("SKIP: %s/AAVMF_CODE.fd missing (Debian package qemu-efi-aarch64)" % AAVMF)
        return 77
    a.mimic = os.path.abspath(a.mimic)
    a.workdir = os.path.abspath(a.workdir)
    os.makedirs(a.workdir, exist_ok=True)
    grub = fetch_file(a.workdir, "grub-efi-arm64-signed", "usr/lib/grub/arm64-efi-signed/grubaa64.efi.signed")
    if not grub:
        print("SKIP: Debian's signed GRUB for arm64 cannot be fetched")
        return 77
    times = {}
    try:
        root = build_rootfs(a.mimic, a.workdir, times)
        t0 = time.monotonic()
        disk = build_image(grub, root, a.workdir)
        times.setdefault("disk image (sfdisk, mtools, mke2fs -d)", time.monotonic() - t0)
    except RuntimeError as e:
        print("FAIL: making the image: %s" % e)
        return 1
    if a.build_only:
        print("image: %s" % disk)
        return 0
    checks = []
    for transport in (["pci", "mmio"] if a.transport == "both" else [a.transport]):
        for qemu in ([True] if a.qemu_only else [True, False] if a.qemu else [False]):
            c, t = boot(a, disk, transport, qemu)
            checks += c
            for k, v in t.items():
                times["%s %s: %s" % ("qemu" if qemu else "mimic", transport, k)] = v
    print("---- times ----")
    for k, v in times.items():
        print("%-60s %7.1f s" % (k, v))
    bad = [w for c, w in checks if not c]
    print("%d checks, %d failed" % (len(checks), len(bad)))
    return 0 if checks and not bad else 1


if __name__ == "__main__":
    sys.exit(main())
