#!/usr/bin/env python3
"""A host folder shared with Debian's kernel through virtio-9p (`-virtfs` or `-fsdev` + `-device
virtio-9p-device`) under `mimic system`.

The initramfs loads the kernel's 9p modules (9pnet, 9pnet_virtio, netfs, 9p, in dependency order)
and mounts the share; the guest reads the host's file, writes files, a directory tree, a symlink,
renames, removes and chmods, and tries to leave the folder (`..` past the mount, the host's
symlinks to outside files, a symlink to /etc/passwd, `ln -s /proc/self/root`). After poweroff the
host checks that the folder holds exactly what the guest made and that nothing outside it changed
or was read. With --model mapped-xattr, the guest's chown lands in user.virtfs.* xattrs and the
host file keeps its owner.

  virtio_9p.py MIMIC WORKDIR [--model none|passthrough|mapped-xattr|mapped-file] [--fsdev]
               [--arch riscv64|aarch64] [--qemu]

Exit 0 when every check passes, 1 otherwise, 77 when skipped (the Debian packages unavailable)."""
import argparse
import hashlib
import os
import re
import shutil
import stat
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from riscv_boot_image import APPLETS, build_initramfs, fetch, kernel_modules  # noqa: E402

MODULES = ["virtio_mmio", "9pnet_virtio", "9p"]
SECRET = "HOST-SECRET-7f3a9c"

INIT = r"""#!/bin/sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
/bin/busybox mount -t devtmpfs dev /dev
for m in %(modules)s; do insmod /lib/$m.ko || echo "INSMOD-FAILED $m"; done
mkdir -p /mnt
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 share0 /mnt || echo "MOUNT-FAILED"
echo "MOUNTED $(grep ' /mnt ' /proc/mounts | cut -d' ' -f1-3)"
for d in /sys/bus/virtio/devices/*; do [ "$(cat $d/device)" = 0x0009 ] && echo "DEVPATH $(readlink -f $d)"; done
echo "HOSTFILE $(sha256sum /mnt/from-host.bin | cut -d' ' -f1)"
echo "HOSTDIR $(cat /mnt/hostdir/inner.txt)"
echo "hello from the guest" > /mnt/hello.txt
head -c 3145728 /dev/urandom > /mnt/guest.bin
echo "GUESTFILE $(sha256sum /mnt/guest.bin | cut -d' ' -f1)"
mkdir -p /mnt/tree/a/b
echo nested > /mnt/tree/a/b/n.txt
echo second > /mnt/tree/a/second.txt
ln -s hello.txt /mnt/link-to-hello
echo "VIA-LINK $(cat /mnt/link-to-hello)"
echo rename-me > /mnt/to-rename
mv /mnt/to-rename /mnt/renamed
mv /mnt/tree/a/second.txt /mnt/tree/second-moved.txt
echo bye > /mnt/to-delete
rm /mnt/to-delete
rm /mnt/host-delete-me.txt
echo mode > /mnt/modefile
chmod 0751 /mnt/modefile
echo "MODE $(stat -c %%a /mnt/modefile)"
mkdir /mnt/gone-dir && rmdir /mnt/gone-dir
# Escape attempts: each must read nothing from outside the shared folder.
echo "ESC1 $(cat /mnt/../../outside/secret.txt 2>&1)"
echo "ESC2 $(cat /mnt/abs-secret-link 2>&1)"
echo "ESC3 $(cat /mnt/rel-secret-link 2>&1)"
echo "ESC4 $(cat /mnt/dir-link/secret.txt 2>&1)"
ln -s /etc/passwd /mnt/guest-passwd-link
echo "ESC5 $(cat /mnt/guest-passwd-link 2>&1)"
ln -s /proc/self/root /mnt/procroot
echo "ESC6 $(ls /mnt/procroot/ 2>&1 | head -3)"
echo "ESC7 $(cat /mnt/host-passwd-link 2>&1 | head -1)"
if [ "%(mapped)s" = yes ]; then
  chown 1234:5678 /mnt/hello.txt
  echo "OWNER $(stat -c '%%u %%g' /mnt/hello.txt)"
  mknod /mnt/guest-null c 1 3
  echo "DEVICE $(stat -c '%%F %%t %%T' /mnt/guest-null)"
fi
ls -la /mnt > /dev/null
sync
umount /mnt || echo "UMOUNT-FAILED"
echo "DONE"
poweroff -f
"""


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def tree_state(top):
    """{relative path: (kind, content digest or link target)} under `top`."""
    out = {}
    for dirpath, dirs, files in os.walk(top):
        for n in dirs + files:
            p = os.path.join(dirpath, n)
            rel = os.path.relpath(p, top)
            st = os.lstat(p)
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ("link", os.readlink(p))
            elif stat.S_ISDIR(st.st_mode):
                out[rel] = ("dir", "")
            else:
                out[rel] = ("file", hashlib.sha256(open(p, "rb").read()).hexdigest())
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mimic")
    ap.add_argument("workdir")
    ap.add_argument("--model", default="none")
    ap.add_argument("--fsdev", action="store_true", help="-fsdev + -device virtio-9p-device instead of -virtfs")
    ap.add_argument("--arch", default="riscv64", choices=["riscv64", "aarch64"])
    ap.add_argument("--timeout", type=int, default=600)
    ap.add_argument("--qemu", action="store_true", help="run under qemu-system-* instead (the reference)")
    a = ap.parse_args()
    mapped = a.model.startswith("mapped")
    if a.model == "passthrough" and os.getuid() != 0:
        print("SKIP: security_model=passthrough gives files the guest's owners, which needs root on the host")
        return 77
    os.makedirs(a.workdir, exist_ok=True)
    got = fetch(os.path.dirname(os.path.abspath(a.workdir)), "arm64" if a.arch == "aarch64" else "riscv64")
    if not got:
        print("SKIP: Debian's kernel and busybox could not be fetched")
        return 77
    kernel, busybox = got
    work = os.path.join(a.workdir, "9p-%s-%s%s" % (a.arch, a.model, "-fsdev" if a.fsdev else ""))
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    mods = kernel_modules(kernel, MODULES)
    initrd = os.path.join(work, "initrd.gz")
    init = INIT % {"modules": " ".join(n for n, _ in mods), "mapped": "yes" if mapped else "no"}
    build_initramfs(busybox, initrd, init.encode(), mods,
                    APPLETS + ("insmod", "mkdir", "umount", "cut", "ln", "mv", "rm", "rmdir", "chmod", "chown",
                               "stat", "sync", "mknod", "readlink"))

    # The shared folder, and beside it what the guest must never reach.
    share, outside = os.path.join(work, "share"), os.path.join(work, "outside")
    os.makedirs(os.path.join(share, "hostdir"))
    os.makedirs(outside)
    host_data = os.urandom(2 << 20)
    open(os.path.join(share, "from-host.bin"), "wb").write(host_data)
    open(os.path.join(share, "hostdir", "inner.txt"), "w").write("inner\n")
    open(os.path.join(share, "host-delete-me.txt"), "w").write("x\n")
    open(os.path.join(outside, "secret.txt"), "w").write(SECRET + "\n")
    os.symlink(os.path.join(outside, "secret.txt"), os.path.join(share, "abs-secret-link"))
    os.symlink("../outside/secret.txt", os.path.join(share, "rel-secret-link"))
    os.symlink("../outside", os.path.join(share, "dir-link"))
    os.symlink("/etc/passwd", os.path.join(share, "host-passwd-link"))
    outside_before = tree_state(outside)
    host_passwd_first = open("/etc/passwd").readline().strip()

    if a.arch == "aarch64":
        emu = ["qemu-system-aarch64"] if a.qemu else [a.mimic, "system-aarch64"]
        cmd = emu + ["-M", "virt", "-cpu", "cortex-a57", "-m", "256M", "-nographic", "-kernel", kernel, "-initrd",
                     initrd, "-append", "console=ttyAMA0 panic=-1", "-no-reboot"]
    else:
        emu = ["qemu-system-riscv64"] if a.qemu else [a.mimic, "system"]
        cmd = emu + ["-M", "virt", "-m", "256M", "-nographic", "-bios", "default", "-kernel", kernel, "-initrd",
                     initrd, "-append", "console=ttyS0 panic=-1", "-no-reboot"]
    if a.fsdev:
        # (-virtfs makes QEMU's virtio-9p alias, a virtio-9p-pci on both virt boards;
        # -device virtio-9p-device is the virtio-mmio one.)
        cmd += ["-fsdev", "local,id=fs0,path=%s,security_model=%s" % (share, a.model),
                "-device", "virtio-9p-device,fsdev=fs0,mount_tag=share0"]
    else:
        cmd += ["-virtfs", "local,path=%s,mount_tag=share0,security_model=%s" % (share, a.model)]
    t0 = time.monotonic()
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=a.timeout)
        text, status = p.stdout.decode(errors="replace"), p.returncode
    except subprocess.TimeoutExpired as e:
        text, status = (e.stdout or b"").decode(errors="replace"), None
    secs = time.monotonic() - t0
    ok = True

    def check(cond, what):
        nonlocal ok
        print(("ok   " if cond else "FAIL ") + what)
        ok = ok and bool(cond)

    def line(key):
        m = re.search(r"^%s ?(.*?)\r?$" % key, text, re.M)
        return m.group(1) if m else None

    check(status == 0, "the machine powered off (status %s, %.1f s)" % (status, secs))
    check("INSMOD-FAILED" not in text and "MOUNT-FAILED" not in text, "the 9p modules loaded and the share mounted")
    check((line("MOUNTED") or "").startswith("share0 /mnt 9p"), "/mnt is the 9p share (%s)" % line("MOUNTED"))
    pci = not a.fsdev  # -virtfs on a board with PCI (both virt boards), as QEMU's "virtio-9p" alias
    check(("/pci0000:00/" in (line("DEVPATH") or "")) == pci,
          "the 9p device is on the %s (%s)" % ("PCI bus" if pci else "virtio-mmio bus", line("DEVPATH")))
    check(line("HOSTFILE") == hashlib.sha256(host_data).hexdigest(), "the guest read the host's 2 MiB file intact")
    check(line("HOSTDIR") == "inner", "the guest read a file in the host's directory")
    check(line("VIA-LINK") == "hello from the guest", "the guest follows its own relative symlink inside the share")
    check(line("MODE") == "751", "chmod 0751 is what the guest sees (%s)" % line("MODE"))
    for k in ("ESC1", "ESC2", "ESC3", "ESC4", "ESC5", "ESC6", "ESC7"):
        v = line(k) or ""
        check(SECRET not in v and host_passwd_first not in v and "root:x:0:0" not in v,
              "escape attempt %s read nothing outside the folder (%s)" % (k, v[:60]))
    check(SECRET not in text, "the outside secret never appears on the console")
    check(line("DONE") is not None and "UMOUNT-FAILED" not in text, "the guest unmounted the share")

    # The host's view after poweroff.
    def host(path):
        return os.path.join(share, path)

    def content(path):
        try:
            return open(host(path), "rb").read()
        except OSError as e:
            return str(e).encode()

    check(content("hello.txt") == b"hello from the guest\n", "the host reads the guest's hello.txt")
    g = line("GUESTFILE")
    check(g and hashlib.sha256(content("guest.bin")).hexdigest() == g, "the guest's 3 MiB file is on the host intact")
    check(content("tree/a/b/n.txt") == b"nested\n", "the guest's directory tree is on the host")
    check(content("tree/second-moved.txt") == b"second\n" and not os.path.exists(host("tree/a/second.txt")),
          "a rename across directories moved the host file")
    check(content("renamed") == b"rename-me\n" and not os.path.exists(host("to-rename")), "the rename reached the host")
    check(not os.path.lexists(host("to-delete")) and not os.path.lexists(host("host-delete-me.txt")),
          "the files the guest removed are gone")
    check(not os.path.lexists(host("gone-dir")), "the directory the guest removed is gone")
    if mapped:
        # Symlinks are regular files holding their target; owners and modes are in xattrs (or metadata files).
        check(os.path.isfile(host("link-to-hello")) and content("link-to-hello") == b"hello.txt",
              "the guest's symlink is a regular host file holding its target")
        check(os.path.isfile(host("guest-passwd-link")) and content("guest-passwd-link") == b"/etc/passwd",
              "the guest's link to /etc/passwd is stored, not a host symlink")
        check(line("OWNER") == "1234 5678", "the guest sees its chown (%s)" % line("OWNER"))
        check(os.stat(host("hello.txt")).st_uid == os.getuid(), "the host file keeps the host user as owner")
        check(os.path.isfile(host("guest-null")) and (line("DEVICE") or "").startswith("character special"),
              "the guest's device node is a regular host file (%s)" % line("DEVICE"))
        if a.model == "mapped-xattr":
            uid = os.getxattr(host("hello.txt"), "user.virtfs.uid", follow_symlinks=False)
            check(int.from_bytes(uid, "little") == 1234, "user.virtfs.uid holds the guest's owner")
            m = os.getxattr(host("modefile"), "user.virtfs.mode", follow_symlinks=False)
            check(int.from_bytes(m, "little") & 0o7777 == 0o751, "user.virtfs.mode holds the guest's chmod")
    else:
        check(os.path.islink(host("link-to-hello")) and os.readlink(host("link-to-hello")) == "hello.txt",
              "the guest's symlink is a host symlink to hello.txt")
        check(os.path.islink(host("guest-passwd-link")) and os.readlink(host("guest-passwd-link")) == "/etc/passwd",
              "the guest's symlink to /etc/passwd is stored as it was made")
        check(os.path.islink(host("procroot")), "the guest's /proc/self/root link is stored as a link")
        check(os.stat(host("modefile")).st_mode & 0o7777 == 0o751, "chmod 0751 reached the host file")
    check(tree_state(outside) == outside_before, "nothing outside the shared folder changed")
    if not ok:
        print("---- console output (last 80 lines) ----")
        print("\n".join(text.splitlines()[-80:]))
    print("run time: %.2f s" % secs)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
