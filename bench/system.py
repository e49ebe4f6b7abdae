#!/usr/bin/env python3
"""System mode against qemu-system-riscv64, in one run: the time from start to poweroff of
Debian's riscv64 kernel booting under OpenSBI to a busybox initramfs (the boot test's machine),
and a compute workload inside the booted guest (bench/workloads/*.c, cross-compiled static).

  bench/system.py [--mimic build/mimic] [--runs 3] [--smp 1] [--workload hash]
                  [--arch aarch64 [--cpu cortex-a57] [--gic 3]]

With --arch aarch64 the machine is the Arm virt board (Debian's arm64 kernel directly, -kernel
Image -initrd, console on ttyAMA0, PSCI poweroff) against qemu-system-aarch64.

With --codepage: instead, the bare-metal program tests/system/{riscv,aarch64}/codepage.c (a loop
storing 400000 times into the 4 KiB page of its own code, then code patched on that page) on
both boards, against qemu-system-riscv64 and -aarch64; outputs must agree.

--uefi-debian [IMAGE]: the time from start to the systemd login prompt on ttyAMA0 of the Debian
arm64 disk image that tests/system/debian_disk_boot.py makes (AAVMF in pflash -> GRUB -> Debian's
kernel and initrd -> systemd; -cpu cortex-a57 -m 1G, the disk on virtio-blk-pci or, with
--transport mmio, virtio-blk-device), against qemu-system-aarch64. Each run boots a fresh copy of
the image and of the variables bank; the machine is killed at the prompt.

Each machine powers off by itself; a run whose console lacks the guest's marker line fails the
benchmark (a fast but broken boot cannot score). Times are the best of --runs wall-clock runs;
the workload's time is (boot + workload) - boot; the boot's CPU time (user + sys of the emulator
process, from the run with the best wall time) shows what the machine's load hides. The machine's
load average is printed with them."""
import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from riscv_boot_image import build_initramfs, fetch  # noqa: E402

BOOT_INIT = """#!/bin/sh
/bin/busybox mount -t proc proc /proc
echo BENCH-BOOTED
poweroff -f
"""
WORK_INIT = """#!/bin/sh
/bin/busybox mount -t proc proc /proc
i=0
while [ $i -lt {reps} ]; do /bin/work > /tmp/out; i=$((i+1)); done
echo "BENCH-RESULT $(cat /tmp/out)"
poweroff -f
"""


def initramfs_with(busybox, path, init, extra=None):
    build_initramfs(busybox, path, init)
    if extra:  # append a second newc archive holding /bin/work: the kernel unpacks both
        import gzip
        from riscv_boot_image import cpio_newc
        with gzip.open(path, "ab") as f:
            f.write(cpio_newc([("bin/work", 0o100755, open(extra, "rb").read())]))


def cpu_of_children():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run(cmd, marker, runs):
    """Best wall-clock time of `runs`, the console of the last run, and the CPU time (user + sys)
    of the run with the best wall-clock time."""
    best, out, best_cpu = None, "", 0.0
    for _ in range(runs):
        c0 = cpu_of_children()
        t0 = time.perf_counter()
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=900)
        dt = time.perf_counter() - t0
        cpu = cpu_of_children() - c0
        out = p.stdout.decode(errors="replace")
        if marker not in out:
            raise RuntimeError(f"{cmd[0]}: no '{marker}' on the console:\n" + "\n".join(out.splitlines()[-20:]))
        if best is None or dt < best:
            best, best_cpu = dt, cpu
    return best, out, best_cpu


def prepare(a, debian_arch, gnu_arch, suffix):
    """Debian's kernel, and the two initramfs (boot; workload) for it: (kernel, boot_rd, work_rd) or None."""
    got = fetch(a.workdir, debian_arch)
    if not got:
        return None
    kernel, busybox = got
    work = os.path.join(a.workdir, a.workload + "-" + gnu_arch)
    subprocess.run([gnu_arch + "-linux-gnu-gcc", "-O2", "-static", "-o", work,
                    os.path.join(ROOT, "bench", "workloads", a.workload + ".c")], check=True)
    boot_rd = os.path.join(a.workdir, "initrd-bench-boot%s.gz" % suffix)
    work_rd = os.path.join(a.workdir, "initrd-bench-work%s.gz" % suffix)
    initramfs_with(busybox, boot_rd, BOOT_INIT)
    initramfs_with(busybox, work_rd, WORK_INIT.format(reps=a.reps), work)
    return kernel, boot_rd, work_rd


def compare(a, emus, args, boot_rd, work_rd, note=""):
    """Boots with each of `emus` (QEMU first, then mimic) and prints the table; 1 when the
    workload's outputs differ."""
    res = {}
    for name, cmd in emus.items():
        boot, _, boot_cpu = run(cmd + args + ["-initrd", boot_rd], "BENCH-BOOTED", a.runs)
        total, out, _ = run(cmd + args + ["-initrd", work_rd], "BENCH-RESULT", a.runs)
        line = [l for l in out.splitlines() if "BENCH-RESULT" in l][0]
        res[name] = (boot, max(total - boot, 1e-9), line.split("BENCH-RESULT", 1)[1].strip(), boot_cpu)
    q, m = res[next(iter(emus))], res["mimic"]
    if q[2] != m[2]:
        print(f"FAIL: the workload's output differs: qemu {q[2]!r}, mimic {m[2]!r}")
        return 1
    print(f"load average at the end: {os.getloadavg()[0]:.2f} (2 cores); best of {a.runs}; -smp {a.smp}{note}")
    print(f"{'':28}{'qemu-system':>12}{'mimic':>10}{'mimic/qemu':>12}")
    print(f"{'boot to poweroff (s)':28}{q[0]:12.2f}{m[0]:10.2f}{m[0] / q[0]:12.2f}")
    print(f"{'  its CPU time, user+sys (s)':28}{q[3]:12.2f}{m[3]:10.2f}{m[3] / q[3]:12.2f}")
    print(f"{a.workload + ' x' + str(a.reps) + ' in the guest (s)':28}{q[1]:12.2f}{m[1]:10.2f}{m[1] / q[1]:12.2f}")
    return 0


def codepage(a):
    """The store-into-code-page program on both boards: best wall time of --runs, QEMU and mimic."""
    sys.path.insert(0, os.path.join(ROOT, "tests", "system"))
    import run_baremetal  # noqa: E402
    rows = []
    for arch, cc, qemu, sub, board in (
            ("riscv64", "riscv64-linux-gnu-gcc", "qemu-system-riscv64", "system", ["-M", "virt", "-bios", "none"]),
            ("aarch64", "aarch64-linux-gnu-gcc", "qemu-system-aarch64", "system-aarch64",
             ["-M", "virt", "-cpu", "cortex-a57"])):
        src = os.path.join(ROOT, "tests", "system", "riscv" if arch == "riscv64" else "aarch64")
        out_dir = os.path.join(a.workdir, "codepage-" + arch)
        os.makedirs(out_dir, exist_ok=True)
        prog = run_baremetal.build(cc, "codepage", out_dir, src, arch)
        args = board + ["-nographic", "-kernel", prog]
        marker = "patch_again="
        q, q_out, _ = run([qemu] + args, marker, a.runs)
        m, m_out, _ = run([a.mimic, sub] + args, marker, a.runs)
        if q_out != m_out:
            print(f"FAIL: {arch}: the outputs differ:\nqemu:\n{q_out}\nmimic:\n{m_out}")
            return 1
        rows.append((arch, q, m))
    print(f"load average at the end: {os.getloadavg()[0]:.2f} (2 cores); best of {a.runs}")
    print(f"{'codepage (bare metal, s)':28}{'qemu-system':>12}{'mimic':>10}{'mimic/qemu':>12}")
    for arch, q, m in rows:
        print(f"{'  ' + arch:28}{q:12.2f}{m:10.2f}{m / q:12.2f}")

def time_to(cmd, marker, timeout):
    """Seconds from start until `marker` appears on the console of `cmd` (killed then), or None."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    os.set_blocking(p.stdout.fileno(), False)
    out = b""
    try:
        while time.perf_counter() - t0 < timeout:
            chunk = p.stdout.read()
            if chunk:
                out += chunk
                if marker in out:
                    return time.perf_counter() - t0, out
            elif p.poll() is not None:
                break
            else:
                time.sleep(0.05)
        return None, out
    finally:
        p.kill()
        p.wait()


def main_uefi_debian(a):
    """UEFI -> GRUB -> systemd login prompt of the Debian arm64 disk image, qemu against mimic."""
    image = a.uefi_debian
    if not os.path.exists(image):
        print(f"no image {image}: make it with MIMIC_TEST_DEBIAN_DISK=1 meson test -C build uefi-debian-disk-aarch64")
        return 1
    aavmf = "/usr/share/AAVMF"
    device = "virtio-blk-pci" if a.transport == "pci" else "virtio-blk-device"
    res = {}
    for name, emu in (("qemu-system-aarch64", ["qemu-system-aarch64"]), ("mimic", [a.mimic, "system-aarch64"])):
        best = best_cpu = None
        for _ in range(a.runs):
            disk = os.path.join(a.workdir, "uefi-debian-disk.img")
            subprocess.run(["cp", "--sparse=always", image, disk], check=True)
            vars_copy = os.path.join(a.workdir, "uefi-debian-vars.fd")
            shutil.copy(os.path.join(aavmf, "AAVMF_VARS.fd"), vars_copy)
            cmd = emu + ["-M", "virt", "-cpu", "cortex-a57", "-m", "1G", "-nographic", "-no-reboot",
                         "-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + os.path.join(aavmf, "AAVMF_CODE.fd"),
                         "-drive", "if=pflash,format=raw,unit=1,file=" + vars_copy,
                         "-drive", f"file={disk},format=raw,if=none,id=hd0", "-device", device + ",drive=hd0"]
            c0 = cpu_of_children()
            secs, out = time_to(cmd, b"login: ", 3600)
            cpu = cpu_of_children() - c0
            if secs is None:
                tail = "\n".join(out.decode(errors="replace").splitlines()[-20:])
                raise RuntimeError(f"{name}: no login prompt on the console:\n{tail}")
            if best is None or secs < best:
                best, best_cpu = secs, cpu
        res[name] = (best, best_cpu)
    (q, q_cpu), (m, m_cpu) = res["qemu-system-aarch64"], res["mimic"]
    print(f"load average at the end: {os.getloadavg()[0]:.2f} (2 cores); best of {a.runs}; {device}")
    print(f"{'':36}{'qemu-system':>12}{'mimic':>10}{'mimic/qemu':>12}")
    print(f"{'UEFI to the login prompt (s)':36}{q:12.2f}{m:10.2f}{m / q:12.2f}")
    print(f"{'  its CPU time, user+sys (s)':36}{q_cpu:12.2f}{m_cpu:10.2f}{m_cpu / q_cpu:12.2f}")
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mimic", default=os.path.join(ROOT, "build", "mimic"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--smp", type=int, default=1)
    ap.add_argument("--workload", default="hash")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--workdir", default=os.path.join(ROOT, "build", "bench-system"))
    ap.add_argument("--arch", default="riscv64", choices=["riscv64", "aarch64"])
    ap.add_argument("--cpu", default="cortex-a57", help="aarch64: -cpu")
    ap.add_argument("--gic", default="3", help="aarch64: -M virt,gic-version=")
    ap.add_argument("--codepage", action="store_true", help="the store-into-code-page program on both boards")
    ap.add_argument("--uefi-debian", nargs="?", metavar="IMAGE",
                    const=os.path.join(ROOT, "build", "tests", "system", "debian-disk", "debian-arm64.img"),
                    help="time AAVMF -> GRUB -> the systemd login prompt of debian_disk_boot.py's image")
    ap.add_argument("--transport", default="pci", choices=["pci", "mmio"], help="--uefi-debian: the disk's transport")
    a = ap.parse_args()
    os.makedirs(a.workdir, exist_ok=True)
    if a.codepage:
        return codepage(a)
    if a.uefi_debian:
        return main_uefi_debian(a)
    if a.arch == "aarch64":
        return main_aarch64(a)
    got = prepare(a, "riscv64", "riscv64", "")
    if not got:
        return 1
    kernel, boot_rd, work_rd = got
    args = ["-M", "virt", "-m", "512M", "-smp", str(a.smp), "-nographic", "-bios", "default", "-kernel", kernel,
            "-append", "console=ttyS0 panic=-1", "-no-reboot"]
    emus = {"qemu-system-riscv64": ["qemu-system-riscv64"], "mimic": [a.mimic, "system"]}
    return compare(a, emus, args, boot_rd, work_rd)


def main_aarch64(a):
    got = prepare(a, "arm64", "aarch64", "-arm64")
    if not got:
        return 1
    kernel, boot_rd, work_rd = got
    args = ["-M", "virt,gic-version=" + a.gic, "-cpu", a.cpu, "-m", "512M", "-smp", str(a.smp), "-nographic",
            "-kernel", kernel, "-append", "console=ttyAMA0 panic=-1", "-no-reboot"]
    emus = {"qemu-system-aarch64": ["qemu-system-aarch64"], "mimic": [a.mimic, "system-aarch64"]}
    return compare(a, emus, args, boot_rd, work_rd, f"; aarch64 -cpu {a.cpu} GICv{a.gic}")


if __name__ == "__main__":
    sys.exit(main())
