#!/usr/bin/env python3
"""Firmware boots on the arm virt board, from a GPT disk made here without root (sfdisk on an image
file, the partition formatted and filled with mtools) holding Debian's arm64 kernel (the Image out
of vmlinuz) and a busybox initramfs whose init checks how it was booted and powers off.

--firmware uefi (default): Debian's AAVMF (qemu-efi-aarch64) in the two flash banks (the code
read-only, a copy of the variables template writable), a GPT disk made here without root (sfdisk
on an image file, the EFI system partition formatted and filled with mtools) holding Debian's
signed monolithic GRUB for arm64 as the removable-media loader /EFI/BOOT/BOOTAA64.EFI, a grub.cfg,
Debian's arm64 kernel (the Image out of vmlinuz) and a busybox initramfs. UEFI -> GRUB -> Linux:
the init checks that it was booted through EFI (/sys/firmware/efi) and powers off.

--firmware uboot: Debian's u-boot-qemu qemu_arm64/u-boot.bin with -bios; its distro boot scans
the virtio disks and boots the partition's /extlinux/extlinux.conf (booti: Image, initrd, append).

  firmware_boot.py MIMIC WORKDIR [--firmware uefi|uboot] [--transport pci|mmio] [--gic 2|3] [--qemu]
                   [--efivars]

--efivars (uefi): the init also sets a non-volatile EFI variable through efivarfs; a second boot
from the same variables file must read it back.

Exit 0 when every check passes, 1 otherwise, 77 when skipped (firmware, tools or packages missing)."""
import argparse
import gzip
import os
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from riscv_boot_image import APPLETS, build_initramfs, fetch, kernel_modules  # noqa: E402

AAVMF = "/usr/share/AAVMF"
ESP_TYPE = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"
MIB = 1 << 20

INIT = r"""#!/bin/sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
if [ -d /sys/firmware/efi ]; then efi=yes; else efi=no; fi
echo "FIRMWARE-BOOT-OK efi=$efi cmdline=$(cat /proc/cmdline)"
%s
poweroff -f
"""
# --efivars: a non-volatile variable through Linux's efivarfs (UEFI's runtime SetVariable, which
# AAVMF writes into the variables flash): the first boot sets it, the second reads it back.
EFIVAR = "/sys/firmware/efi/efivars/MimicTest-3f1d2c7a-1b5e-4a39-9d35-6d1a6b8e2f10"
EFIVARS_INIT = r"""insmod /lib/efivarfs.ko 2>/dev/null
/bin/busybox mount -t efivarfs efivarfs /sys/firmware/efi/efivars || echo EFIVARFS-MOUNT-FAILED
if [ -e %s ]; then
  echo "EFIVAR-READ $(/bin/busybox tail -c +5 %s)"
else
  echo -ne '\0007\0000\0000\0000mimic-persists' > %s && echo EFIVAR-SET || echo EFIVAR-WRITE-FAILED
fi
echo "EFIVARS $(ls /sys/firmware/efi/efivars | wc -l)"
sleep 1  # poweroff -f does not wait for the console to drain""" % (EFIVAR, EFIVAR, EFIVAR)

GRUB_CFG = """set timeout=0
search --no-floppy --file --set=root /mimic-esp
menuentry 'Debian arm64 (mimic test)' {
  linux /Image console=ttyAMA0 panic=-1 mimic-grub
  initrd /initrd.gz
}
"""


EXTLINUX_CONF = """default mimic
label mimic
  kernel /Image
  initrd /initrd.gz
  append console=ttyAMA0 panic=-1 mimic-uboot
"""


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def fetch_file(workdir, package, path):
    """`path` of Debian's arm64 `package` (fetched without installing, once), or None."""
    root = os.path.join(workdir, "debian-arm64-" + package)
    f = os.path.join(root, path)
    if not os.path.exists(f):
        r = run([os.path.join(ROOT, "scripts", "fetch-debian-debs.sh"), "arm64", "trixie", root, package])
        if r.returncode != 0 or not os.path.exists(f):
            print("cannot fetch %s:\n%s" % (package, r.stderr), file=sys.stderr)
            return None
    return f


def make_disk(work, grub, image, initrd):
    """A GPT disk with one EFI system partition (FAT32) from 1 MiB; returns its path. Without
    `grub` the partition has no EFI loader (U-Boot's EFI boot manager would take it first)."""
    esp_size = 96 * MIB
    esp = os.path.join(work, "esp.img")
    with open(esp, "wb") as f:
        f.truncate(esp_size)
    steps = [["mformat", "-i", esp, "-F", "-v", "ESP", "::"],
             ["mmd", "-i", esp, "::/EFI", "::/EFI/BOOT", "::/EFI/debian"]]
    if grub:
        steps.append(["mcopy", "-i", esp, grub, "::/EFI/BOOT/BOOTAA64.EFI"])
    cfg = os.path.join(work, "grub.cfg")
    open(cfg, "w").write(GRUB_CFG)
    extlinux = os.path.join(work, "extlinux.conf")
    open(extlinux, "w").write(EXTLINUX_CONF)
    marker = os.path.join(work, "mimic-esp")
    open(marker, "w").write("the test's ESP\n")
    steps.append(["mmd", "-i", esp, "::/extlinux"])
    for src, dst in ((cfg, "::/EFI/BOOT/grub.cfg"), (cfg, "::/EFI/debian/grub.cfg"), (image, "::/Image"),
                     (initrd, "::/initrd.gz"), (marker, "::/mimic-esp"), (extlinux, "::/extlinux/extlinux.conf")):
        steps.append(["mcopy", "-i", esp, src, dst])
    for s in steps:
        r = run(s)
        if r.returncode != 0:
            raise RuntimeError("%s: %s" % (" ".join(s), r.stderr))
    disk = os.path.join(work, "disk.img")
    with open(disk, "wb") as f:
        f.truncate(esp_size + 2 * MIB)
    r = run(["sfdisk", "--no-reread", "--no-tell-kernel", disk],
            input="label: gpt\nstart=2048, size=%d, type=%s, name=ESP\n" % (esp_size // 512, ESP_TYPE))
    if r.returncode != 0:
        raise RuntimeError("sfdisk: " + r.stderr)
    with open(disk, "r+b") as d, open(esp, "rb") as e:
        d.seek(MIB)
        shutil.copyfileobj(e, d)
    os.remove(esp)
    return disk


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mimic")
    ap.add_argument("workdir")
    ap.add_argument("--firmware", default="uefi", choices=["uefi", "uboot"])
    ap.add_argument("--efivars", action="store_true",
                    help="uefi: set an EFI variable in one boot, read it in a second from the same vars file")
    ap.add_argument("--transport", default="pci", choices=["pci", "mmio"])
    ap.add_argument("--gic", default="3")
    ap.add_argument("--timeout", type=int, default=600)
    ap.add_argument("--qemu", action="store_true", help="boot under qemu-system-aarch64 instead (the reference)")
    a = ap.parse_args()
    uefi = a.firmware == "uefi"
    code = os.path.join(AAVMF, "AAVMF_CODE.fd")
    if uefi and not os.path.exists(code):
        print("SKIP: %s missing (Debian package qemu-efi-aarch64)" % code)
        return 77
    for tool in ("mformat", "mcopy", "sfdisk"):
        if not shutil.which(tool) and not os.path.exists("/usr/sbin/" + tool) and not os.path.exists("/sbin/" + tool):
            print("SKIP: %s missing (Debian packages mtools, fdisk)" % tool)
            return 77
    os.environ["PATH"] += ":/usr/sbin:/sbin"
    os.makedirs(a.workdir, exist_ok=True)
    parent = os.path.dirname(os.path.abspath(a.workdir))
    got = fetch(parent, "arm64")
    if uefi:
        grub = fetch_file(parent, "grub-efi-arm64-signed", "usr/lib/grub/arm64-efi-signed/grubaa64.efi.signed")
    else:
        uboot = fetch_file(parent, "u-boot-qemu", "usr/lib/u-boot/qemu_arm64/u-boot.bin")
    if not got or not (grub if uefi else uboot):
        print("SKIP: Debian's arm64 packages cannot be fetched")
        return 77
    kernel, busybox = got
    work = os.path.join(a.workdir, "%s-%s-gicv%s" % (a.firmware, a.transport, a.gic))
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    # GRUB hands the kernel to its EFI stub: the PE Image, not the gzip'd vmlinuz around it.
    data = open(kernel, "rb").read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    image = os.path.join(work, "Image")
    open(image, "wb").write(data)
    initrd = os.path.join(work, "initrd.gz")
    if a.efivars:  # Debian builds efivarfs as a module
        build_initramfs(busybox, initrd, (INIT % EFIVARS_INIT).encode(), kernel_modules(kernel, ["efivarfs"]),
                        APPLETS + ("insmod", "tail", "printf"))
    else:
        build_initramfs(busybox, initrd, (INIT % "").encode())
    disk = make_disk(work, grub if uefi else None, image, initrd)
    os.remove(image)
    vars_copy = os.path.join(work, "AAVMF_VARS.fd")
    if uefi:
        shutil.copy(os.path.join(AAVMF, "AAVMF_VARS.fd"), vars_copy)

    emu = ["qemu-system-aarch64"] if a.qemu else [a.mimic, "system-aarch64"]
    device = "virtio-blk-pci" if a.transport == "pci" else "virtio-blk-device"
    cmd = emu + ["-M", "virt,gic-version=" + a.gic, "-cpu", "cortex-a57", "-m", "1G", "-nographic", "-no-reboot",
                 "-drive", "file=%s,format=raw,if=none,id=hd0" % disk, "-device", device + ",drive=hd0"]
    if uefi:
        cmd += ["-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + code,
                "-drive", "if=pflash,format=raw,unit=1,file=" + vars_copy]
    else:
        cmd += ["-bios", uboot]

    def boot():
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            out, _ = p.communicate(timeout=a.timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            out, _ = p.communicate()
        return p, time.monotonic() - t0, out.decode(errors="replace")

    p, secs, text = boot()
    ok = True

    def check(cond, what):
        nonlocal ok
        print(("ok   " if cond else "FAIL ") + what)
        ok = ok and bool(cond)

    check(p.returncode == 0, "the machine powered off (status %s, %.1f s)" % (p.returncode, secs))
    if uefi:
        check("UEFI firmware" in text, "AAVMF started from the flash")
        check("Linux version" in text, "GRUB started Linux")
        check("FIRMWARE-BOOT-OK efi=yes" in text, "the initramfs ran and the kernel was booted through EFI")
        check("mimic-grub" in text, "the kernel command line is grub.cfg's")
        after = open(vars_copy, "rb").read()
        check(len(after) == 64 * MIB, "the variables bank file kept its size")
        if a.efivars:
            check("EFIVAR-SET" in text and "EFIVARFS-MOUNT-FAILED" not in text,
                  "the first boot set an EFI variable through efivarfs")
            check(b"mimic-persists" in after, "the variable reached the variables bank file")
            p2, secs2, text2 = boot()
            check(p2.returncode == 0 and "EFIVAR-READ mimic-persists" in text2,
                  "a second boot from the same vars file reads it back (%.1f s)" % secs2)
            if p2.returncode != 0 or "EFIVAR-READ" not in text2:
                print("\n".join(text2.splitlines()[-40:]))
    else:
        check("U-Boot" in text, "U-Boot started from the flash")
        check("extlinux.conf" in text, "U-Boot's distro boot found extlinux.conf on the disk")
        check("Linux version" in text, "U-Boot started Linux")
        check("FIRMWARE-BOOT-OK" in text and "mimic-uboot" in text,
              "the initramfs ran with extlinux.conf's command line")
    if not ok:
        print("---- console output (last 60 lines) ----")
        print("\n".join(text.splitlines()[-60:]))
    print("boot time: %.2f s" % secs)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
