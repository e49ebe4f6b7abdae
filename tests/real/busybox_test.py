#!/usr/bin/env python3
"""Runs Debian's own static busybox for a guest architecture under mimic and under qemu-user.

Each case is a shell script run by busybox's own `sh` in a fresh scratch folder; stdout, stderr
and the exit status must be identical under both emulators (qemu-user is the oracle). Without
qemu-user installed the cases still run and must exit 0 with the output committed in the case.
Usage: busybox_test.py --mimic build/mimic --arch riscv64 --sysroot DIR
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

# (name, script, expected stdout or None when only the qemu comparison applies)
CASES = [
    ("echo", "echo hello world", "hello world\n"),
    ("loop-pipeline", "for i in 1 2 3 4 5; do echo line$i; done | grep -v 3 | wc -l", "4\n"),
    ("arith", "i=0; s=0; while [ $i -lt 100 ]; do s=$((s+i*i)); i=$((i+1)); done; echo $s", "328350\n"),
    ("functions", "f() { echo \"[$1:$#]\"; return 3; }; f a b c; echo rc=$?", "[a:3]\nrc=3\n"),
    ("case-heredoc", "for w in apple kiwi plum; do case $w in a*) echo A;; *i*) echo I;; *) echo other;; esac; done\ncat <<END\nx=$((6*7))\nEND", "A\nI\nother\nx=42\n"),
    ("subshell-exit", "(exit 7); echo $?; false || echo or; true && echo and", "7\nor\nand\n"),
    ("seq-sort-uniq", "seq 1 20 | sort -r | head -3; printf 'b\\na\\nb\\nc\\na\\n' | sort | uniq -c", None),
    ("text-tools", "printf 'one two\\nthree four\\nfive six\\n' > f; cut -d' ' -f2 f; tr a-z A-Z < f | tail -1; sed -n '2p' f; awk '{n+=length($1)} END {print n}' f", "two\nfour\nsix\nFIVE SIX\nthree four\n12\n"),
    ("grep", "printf 'alpha\\nbeta\\ngamma\\ndelta\\n' > g; grep -n a g | head -2; grep -c '^[bd]' g; grep -E 'm{2}' g", "1:alpha\n2:beta\n2\ngamma\n"),
    ("checksums", "printf 'The quick brown fox' > c; md5sum c; sha1sum c; sha256sum c; sha512sum c | cut -c1-32; cksum c", None),
    ("gzip", "seq 1 5000 > n; gzip -9 -c n > n.gz; gzip -dc n.gz | md5sum; gzip -dc n.gz | tail -1", None),
    ("bzip2", "seq 1 3000 > n; bzip2 -c n > n.bz2; bunzip2 -c n.bz2 | sha1sum", None),
    ("tar", "mkdir -p d/e; echo 1 > d/a; echo 22 > d/e/b; tar cf t.tar d; rm -r d; tar xf t.tar; cat d/a d/e/b; tar tf t.tar | sort", None),
    ("files", "mkdir x; touch x/f1; ln -s f1 x/l; cp x/f1 x/f2; mv x/f2 x/f3; ls x; readlink x/l; rm x/f3; ls x | wc -l", "f1\nf3\nl\nf1\n2\n"),
    ("find-stat", "mkdir -p a/b/c; echo hi > a/b/c/file; find a | sort; stat -c '%s %F' a/b/c/file", None),
    ("od-hexdump", "printf 'ABC\\001\\377' | od -An -tx1; printf 'mimic' | hexdump -C", None),
    ("expr-factor", "expr 7 \\* 6; factor 360; expr length mimic", "42\n360: 2 2 2 3 3 5\n5\n"),
    ("date", "date -u -d @0 '+%Y-%m-%d %H:%M:%S'; date -u -d @1234567890 +%s", "1970-01-01 00:00:00\n1234567890\n"),
    ("uname", "uname -m", None),
    ("printf-formats", "printf '%5d|%-5s|%x|%o|%c|%.3f\\n' 42 ab 255 8 Z 3.14159", "   42|ab   |ff|10|Z|3.142\n"),
    ("sort-numeric", "printf '10\\n9\\n100\\n-1\\n' | sort -n | tr '\\n' ' '; echo", "-1 9 10 100 \n"),
    ("awk-program", "seq 1 10 | awk 'BEGIN{p=1} {s+=$1; p*=$1} END {printf \"%d %d %.2f\\n\", s, p, s/NR}'", "55 3628800 5.50\n"),
    ("sed-script", "printf 'a=1\\nb=2\\nc=3\\n' | sed -e 's/=/ => /' -e '/b/d' -e '$a end'", "a => 1\nc => 3\nend\n"),
    ("exit-status", "sh -c 'exit 42'; echo $?", "42\n"),
    ("kill-signal", "sh -c 'kill -TERM $$'; echo $?", "143\n"),
    # xargs execs its command: `echo` resolves to the same text under any emulator or host.
    ("xargs", "seq 1 30 | xargs -n 10 echo | tail -2", "11 12 13 14 15 16 17 18 19 20\n21 22 23 24 25 26 27 28 29 30\n"),
    ("dd", "dd if=/dev/zero bs=1024 count=64 2>/dev/null | md5sum", None),
]


# qemu-user runs the CPU mimic models (qemu-aarch64's default "max" CPU has SVE and more).
QEMU_CPU = {"aarch64": "cortex-a72", "arm": "cortex-a15"}


def run(cmd, cwd, timeout=60, env=None):
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, timeout=timeout, env=env)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mimic", required=True)
    ap.add_argument("--arch", default="riscv64")
    ap.add_argument("--sysroot", required=True, help="folder with (usr/)bin/busybox unpacked from Debian")
    ap.add_argument("--qemu", default=None)
    args = ap.parse_args()
    args.mimic = os.path.abspath(args.mimic)  # the cases run in scratch folders
    args.sysroot = os.path.abspath(args.sysroot)

    # trixie installs it in usr/bin, bookworm (before the merged-/usr layout) in bin.
    candidates = [os.path.join(args.sysroot, d, "busybox") for d in ("usr/bin", "bin")]
    busybox = next((c for c in candidates if os.path.exists(c)), candidates[0])
    if not os.path.exists(busybox):
        print(f"SKIP: {busybox} missing (scripts/fetch-debian-debs.sh could not fetch busybox-static)")
        return 77
    qemu = args.qemu or shutil.which(f"qemu-{args.arch}")
    passed = failed = 0
    for name, script, expected in CASES:
        results = {}
        for who, prefix in (("mimic", [args.mimic, "user"]), ("qemu", [qemu] if qemu else None)):
            if prefix is None:
                continue
            with tempfile.TemporaryDirectory() as scratch:
                env = dict(os.environ)
                if who == "qemu" and args.arch in QEMU_CPU:
                    env["QEMU_CPU"] = QEMU_CPU[args.arch]
                results[who] = run(prefix + [busybox, "sh", "-c", script], scratch, env=env)
        problems = []
        rc, out, err = results["mimic"]
        if "qemu" in results and results["qemu"] != results["mimic"]:
            problems.append(f"differs from qemu: qemu={results['qemu']!r}")
        if expected is not None and out != expected:
            problems.append(f"expected stdout {expected!r}")
        if "qemu" not in results and rc != 0:
            problems.append("non-zero exit")
        if problems:
            failed += 1
            print(f"FAIL {name}: mimic=(rc={rc}, out={out!r}, err={err[-400:]!r}); " + "; ".join(problems))
        else:
            passed += 1
            print(f"ok   {name}")
    print(f"busybox {args.arch}: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
