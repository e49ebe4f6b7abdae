#!/usr/bin/env python3
"""A bootable arm64 Linux for the arm virt board, from Debian's packages: the kernel
(linux-image-arm64 from trixie: /boot/vmlinuz, which the board's loader unpacks whether it is a
gzip'd Image or an EFI zboot image) and busybox-static, fetched without installing
(scripts/riscv_boot_image.py's fetch, for arm64), and an initramfs with a given /init.

  arm64_boot_image.py WORKDIR [--shell]   prints "KERNEL INITRD"; /init starts a shell"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from riscv_boot_image import build_initramfs, fetch  # noqa: E402

SHELL_INIT = r"""#!/bin/sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
/bin/busybox mount -t devtmpfs dev /dev
echo
echo "mimic: Debian's arm64 kernel on the arm virt board; this is busybox's shell."
echo "Try: cat /proc/cpuinfo; uname -a; poweroff -f ends the machine (Ctrl-a x quits mimic)."
exec /bin/sh
"""


def fetch_arm64(workdir):
    return fetch(workdir, "arm64")


def main():
    workdir = sys.argv[1]
    os.makedirs(workdir, exist_ok=True)
    got = fetch_arm64(workdir)
    if not got:
        return 1
    kernel, busybox = got
    initrd = os.path.join(workdir, "initrd-shell.gz")
    build_initramfs(busybox, initrd, SHELL_INIT)
    print(kernel, initrd)
    return 0


if __name__ == "__main__":
    sys.exit(main())
