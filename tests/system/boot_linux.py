#!/usr/bin/env python3
"""Boots Debian's kernel on mimic's virt board to a busybox initramfs shell, runs commands whose
output is checked, and powers off:
  riscv64 (default): under Debian's OpenSBI (`mimic system`), poweroff with a chosen status
    through the SiFive test finisher;
  aarch64 (--arch aarch64): directly (`mimic system-aarch64 -kernel Image -initrd -append
    console=ttyAMA0`), -cpu and -M virt,gic-version= as given, `poweroff -f` through PSCI
    SYSTEM_OFF: exit status 0.

  boot_linux.py MIMIC WORKDIR --smp N [--arch aarch64 --cpu cortex-a57 --gic 2] [--qemu]

The kernel (linux-image-riscv64/arm64, trixie) and busybox-static come from Debian in the run
(scripts/riscv_boot_image.py); the initramfs with this test's /init is built here.
Exit 0 when every check passes, 1 otherwise, 77 when the packages cannot be fetched."""
import argparse
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from riscv_boot_image import build_initramfs, fetch  # noqa: E402
EXIT_CODE = 7  # the init writes it to the SiFive test finisher: mimic must exit with it

INIT_TEMPLATE = r"""#!/bin/sh
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
# The tty hands these lines to the UART driver, which sends them from its interrupts, perhaps on
# another hart: powering off at once could drop the last lines. Wait until the serial ports'
# transmit counters stop moving.
prev=""
while :; do cur=$(cat /proc/tty/driver/* 2>/dev/null | grep -o 'tx:[0-9]*'); [ "$cur" = "$prev" ] && break; prev=$cur; sleep 1; done
%s
poweroff -f
"""
# riscv64: the SiFive test finisher ends mimic with the status; aarch64: PSCI SYSTEM_OFF (0).
POWEROFF = {"riscv64": "devmem 0x100000 32 $(( (%d << 16) | 0x3333 ))" % EXIT_CODE, "aarch64": ""}


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
    ap.add_argument("--qemu", action="store_true", help="boot under qemu-system-* instead (the reference)")
    ap.add_argument("--arch", default="riscv64", choices=["riscv64", "aarch64"])
    ap.add_argument("--cpu", default="cortex-a57", help="aarch64: -cpu")
    ap.add_argument("--gic", default="2", help="aarch64: -M virt,gic-version=")
    ap.add_argument("--secure", action="store_true",
                    help="aarch64: -M virt,secure=on (EL3 exists; the kernel is entered Non-secure)")
    ap.add_argument("--virtualization", action="store_true",
                    help="aarch64: -M virt,virtualization=on (Linux starts at EL2; KVM and /dev/kvm are checked)")
    a = ap.parse_args()
    os.makedirs(a.workdir, exist_ok=True)
    got = fetch(a.workdir, "arm64" if a.arch == "aarch64" else "riscv64")
    if not got:
        return 77
    kernel, busybox = got
    initrd = os.path.join(a.workdir, "initrd-boot-%s%s.gz" % (a.arch, "-el2" if a.virtualization else ""))
    extra = POWEROFF[a.arch]
    if a.virtualization:
        extra = 'echo "KVM-DEVICE $(test -c /dev/kvm && echo present || echo absent)"\n' + extra
    build_initramfs(busybox, initrd, INIT_TEMPLATE % extra)
    if a.arch == "aarch64":
        emu = ["qemu-system-aarch64"] if a.qemu else [a.mimic, "system-aarch64"]
        machine = "virt,gic-version=" + a.gic + (",virtualization=on" if a.virtualization else "")
        machine += ",secure=on" if a.secure else ""
        cmd = emu + ["-M", machine, "-cpu", a.cpu, "-m", "512M", "-smp", str(a.smp),
                     "-nographic", "-kernel", kernel, "-initrd", initrd, "-append", "console=ttyAMA0 panic=-1",
                     "-no-reboot"]
        expected_status, uname = 0, "aarch64"
    else:
        emu = ["qemu-system-riscv64"] if a.qemu else [a.mimic, "system"]
        cmd = emu + ["-M", "virt", "-m", "512M", "-smp", str(a.smp), "-nographic", "-bios", "default", "-kernel",
                     kernel, "-initrd", initrd, "-append", "console=ttyS0 panic=-1", "-no-reboot"]
        expected_status, uname = EXIT_CODE, "riscv64"
    status, out, secs = boot(cmd, a.timeout)
    ok = True

    def check(cond, what):
        nonlocal ok
        print(("ok   " if cond else "FAIL ") + what)
        ok = ok and cond

    check(status is not None, "the machine powered off within %d s (took %.1f s)" % (a.timeout, secs))
    if a.arch == "riscv64":
        check("OpenSBI" in out, "OpenSBI started")
    check("Linux version" in out, "Linux started")
    m = re.search(r"BOOT-OK (\S+) cpus=(\d+) online=(\S+)", out)
    check(bool(m) and m.group(1) == uname and m.group(2) == str(a.smp),
          "the initramfs shell ran and /proc/cpuinfo lists %d CPUs (%s)" % (a.smp, m.group(0) if m else "no line"))
    # sha256 of "mimic boots linux\n", checked against the host's sha256sum.
    want = subprocess.run(["sha256sum"], input=b"mimic boots linux\n", capture_output=True).stdout.split()[0].decode()
    check(("SUM " + want) in out, "sha256sum inside the guest agrees with the host's")
    check(("PARALLEL 1 distinct of %d" % a.smp) in out, "%d parallel workers produced identical results" % a.smp)
    if a.arch == "aarch64":
        # The PMU as QEMU's: PMCR_EL0.N = 6 event counters and the cycle counter.
        check(re.search(r"hw perfevents: enabled with \S+ PMU driver, 7 \(", out) is not None,
              "Linux's perf driver finds the PMU's 7 counters")
    if a.virtualization:
        check("CPU: All CPU(s) started at EL2" in out, "Linux reports every CPU started at EL2")
        # -cpu max has FEAT_VHE: Linux runs at EL2 itself (E2H, TGE) and KVM in VHE mode, as on QEMU.
        vhe = a.cpu == "max"
        if vhe:
            check("CPU features: detected: Virtualization Host Extensions" in out,
                  "Linux detects the Virtualization Host Extensions (-cpu max)")
        mode = "VHE" if vhe else "Hyp nVHE"
        check(re.search(r"kvm \[1\]: %s mode initialized successfully" % mode, out) is not None,
              "KVM initialised its hypervisor at EL2 (%s mode)" % mode)
        check("KVM-DEVICE present" in out, "/dev/kvm exists")
    check(status == expected_status, "exit status %s is the one the guest's poweroff gives (%d)" % (status, expected_status))
    if not ok:
        print("---- console output (last 60 lines) ----")
        print("\n".join(out.splitlines()[-60:]))
    print("boot time: %.2f s" % secs)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
