#!/usr/bin/env python3
"""binfmt_misc: `mimic binfmt install` registers mimic so that aarch64 and riscv64 programs run when
executed directly, with their own argv[0] (the P flag), /proc/self/exe naming the program, and the
exit status passed through, also inside a foreign chroot without /proc (the F flag) or whose /proc
is a link to /proc (debootstrap's first stage), where a guest execve of a guest program goes
through binfmt_misc again; `status` reports the entries and
`uninstall` removes them.

Registers entries under a name of its own (mimic-test-PID-ARCH) and always removes them. Skips (77)
when not root, when binfmt_misc cannot be mounted (containers), or without the cross compilers.
Usage: binfmt_test.py MIMIC WORKDIR
"""
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ARCHES = {"aarch64": "aarch64-linux-gnu-gcc", "riscv64": "riscv64-linux-gnu-gcc"}
BINFMT = "/proc/sys/fs/binfmt_misc"


def skip(why):
    print(f"SKIP: {why}")
    sys.exit(77)


def make_chroot(work, arch, prog, mimic):
    """A root holding the guest program as /bin/whoami and, since build/mimic is linked
    dynamically, the host libraries it needs (a static mimic, -Dstatic=true, needs none)."""
    root = os.path.join(work, f"root-{arch}")
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(os.path.join(root, "bin"))
    shutil.copy(prog, os.path.join(root, "bin", "whoami"))
    ldd = subprocess.run(["ldd", mimic], capture_output=True, text=True).stdout
    for line in ldd.splitlines():
        lib = line.split("=>")[-1].split("(")[0].strip()
        if lib.startswith("/"):
            dest = os.path.join(root, lib.lstrip("/"))
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            shutil.copy(lib, dest)
    return root


def main():
    mimic, work = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    os.makedirs(work, exist_ok=True)
    # Where binfmt_misc cannot be written, install prints what to register, and fails.
    r = subprocess.run([mimic, "binfmt", "install", "--dir", work], capture_output=True, text=True)
    lines = r.stdout.splitlines()
    if r.returncode != 1 or len(lines) != 3 or not all(l.startswith("echo ':mimic-") for l in lines):  # aarch64, arm, riscv64
        print(f"FAIL: install where binfmt_misc is not writable: status {r.returncode}, output {r.stdout!r}")
        return 1
    if os.geteuid() != 0:
        skip("registering binfmt_misc entries needs root")
    if not os.path.exists(os.path.join(BINFMT, "register")):
        if subprocess.run(["mount", "-t", "binfmt_misc", "binfmt_misc", BINFMT], capture_output=True).returncode:
            skip(f"binfmt_misc is not mounted at {BINFMT} and cannot be mounted here")
    os.makedirs(work, exist_ok=True)
    progs = {}
    for arch, cc in ARCHES.items():
        if not shutil.which(cc):
            skip(f"{cc} is not installed")
        out = os.path.join(work, f"whoami-{arch}")
        subprocess.run([cc, "-O2", "-static", "-o", out, os.path.join(HERE, "binfmt", "whoami.c")], check=True)
        progs[arch] = out

    # Another handler (qemu-user-binfmt's, say) may already run these programs.
    try:
        subprocess.run([progs["aarch64"]], capture_output=True)
        handled_before = True
    except OSError:
        handled_before = False

    prefix = f"mimic-test-{os.getpid()}"
    failures = []

    def check(what, got, want):
        if got != want:
            failures.append(f"{what}: got {got!r}, want {want!r}")

    install = subprocess.run([mimic, "binfmt", "install", "--prefix", prefix], capture_output=True, text=True)
    try:
        if install.returncode != 0:
            failures.append(f"install failed: {install.stderr.strip()}")
        else:
            status = subprocess.run([mimic, "binfmt", "status", "--prefix", prefix], capture_output=True, text=True)
            for arch in ARCHES:
                want = f"{prefix}-{arch}: enabled, interpreter {mimic}, flags POF"
                check(f"status line for {arch}", want in status.stdout, True)
            for arch, prog in progs.items():
                # Run as "./whoami-ARCH" from its folder, and under another argv[0].
                name = os.path.basename(prog)
                r = subprocess.run([f"./{name}", "one", "two words"], cwd=work, capture_output=True, text=True)
                want = (f"argv0=./{name}\narg1=one\narg2=two words\nexe={prog}\nexecfn=./{name}\n")
                check(f"{arch} run directly", (r.stdout, r.returncode), (want, 3))
                r = subprocess.run(["custom-argv0"], executable=prog, capture_output=True, text=True)
                check(f"{arch} argv[0] kept", r.stdout.splitlines()[:1], ["argv0=custom-argv0"])
                # A foreign chroot without /proc: the kernel starts mimic (F flag), and a guest
                # execve of another guest program goes back through binfmt_misc.
                root = make_chroot(work, arch, prog, mimic)
                r = subprocess.run(["chroot", root, "/bin/whoami", "exec", "/bin/whoami", "x"],
                                   capture_output=True, text=True)
                want = "argv0=/bin/whoami\narg1=x\nexe=/bin/whoami\nexecfn=/bin/whoami\n"
                check(f"{arch} in a chroot, exec of a guest program", (r.stdout, r.stderr, r.returncode), (want, "", 2))
                # debootstrap --foreign leaves /proc a link to /proc: inside the chroot it is a
                # loop (ELOOP), and exec of a guest program must still go through binfmt_misc.
                os.symlink("/proc", os.path.join(root, "proc"))
                r = subprocess.run(["chroot", root, "/bin/whoami", "exec", "/bin/whoami", "y"],
                                   capture_output=True, text=True)
                want = "argv0=/bin/whoami\narg1=y\nexe=/bin/whoami\nexecfn=/bin/whoami\n"
                check(f"{arch} in a chroot whose /proc is a link to /proc, exec of a guest program",
                      (r.stdout, r.stderr, r.returncode), (want, "", 2))
    finally:
        removed = subprocess.run([mimic, "binfmt", "uninstall", "--prefix", prefix], capture_output=True, text=True)
    check("uninstall", removed.returncode, 0)
    for arch in ARCHES:
        check(f"{arch} entry gone", os.path.exists(os.path.join(BINFMT, f"{prefix}-{arch}")), False)
    if not handled_before:
        try:
            subprocess.run([progs["aarch64"]], capture_output=True)
            failures.append("an aarch64 program still runs after uninstall")
        except OSError as e:
            check("exec after uninstall", e.errno, 8)  # ENOEXEC
    for f in failures:
        print("FAIL:", f)
    print(f"binfmt: {'ok' if not failures else f'{len(failures)} failures'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
