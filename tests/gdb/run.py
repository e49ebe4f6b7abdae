#!/usr/bin/env python3
"""gdb stub tests: gdb-multiarch in batch mode debugs tests/guest/src/gdbtarget.c (static, -O0 -g)
under `mimic user -g PORT` for one guest architecture: a breakpoint on a function, registers, a
local, a backtrace, stepi/next, memory and register reads and writes (and an unmapped read), a
write, read and access watchpoints on a global, the exit code. Each session's transcript must contain what a user looks
for, and, when qemu-<arch> is installed, equal the same session against `qemu-<arch> -g PORT`
(process ids normalised).

Usage: run.py --arch riscv64|aarch64 --mimic build/mimic [--build-dir DIR] [-v]
Exit status: 0 passed, 1 failed, 77 (meson's skip) without gdb-multiarch or the cross compiler.
"""
import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from rsp import free_port, wait_listening  # noqa: E402
SRC = os.path.join(HERE, "..", "guest", "src", "gdbtarget.c")
CC = {"riscv64": "riscv64-linux-gnu-gcc", "aarch64": "aarch64-linux-gnu-gcc"}
# qemu-aarch64's default "max" CPU describes SVE registers instead of the FP/SIMD feature mimic has.
QEMU_ENV = {"aarch64": {"QEMU_CPU": "cortex-a72"}}

# Registers gdb shows per architecture: the FP state besides the integer ones.
ARCH_CMDS = {
    "riscv64": ["info registers pc", "info registers ra", "p $fcsr", "p $frm", "p $fflags", "p/x $ft0",
                "set $fflags = 3", "p $fcsr", "set $a5 = 0x1234", "p/x $a5"],
    "aarch64": ["info registers pc", "p $cpsr", "p $fpcr", "p $fpsr", "p/x $v0.d.u[0]", "set $fpcr = 0x400000",
                "p/x $fpcr", "set $fpcr = 0", "set $x9 = 0x1234", "p/x $x9"],
}

SESSIONS = {
    # A breakpoint, where it is, locals, a backtrace, stepping, memory and registers, exit.
    "breakpoint": lambda arch: [
        "break accumulate", "continue", "p $pc", "p n", "bt", "next", "next", "next", "p total", "p i",
        "stepi", "p $pc", "x/2i $pc", *ARCH_CMDS[arch], "p squares", "set var squares[7] = 1234",
        "p squares[7]", "x/2gx &squares[6]", "x/4x 0", "set var total = 100", "finish", "continue"],
    # A watchpoint on a global, hit from inside the loop; then run to the end.
    "watch": lambda arch: [
        "break main", "continue", "watch counter", "continue", "continue", "bt", "delete", "continue"],
    # Read and access watchpoints on the global accumulate reads before it writes it: gdb shows
    # the value each read saw (0, then 1) and, for the access one, the write's old and new values.
    "rwatch": lambda arch: [
        "break accumulate", "continue", "rwatch counter", "continue", "continue", "delete", "continue"],
    "awatch": lambda arch: [
        "break accumulate", "continue", "awatch counter", "continue", "continue", "continue", "delete", "continue"],
    # The guest's own exit status with no breakpoint at all.
    "exit": lambda arch: ["continue"],
    # A signal the guest sends itself stops it (gdb's SIGUSR1 is 30, Linux's 10); continuing
    # passes it to the handler, `signal 0` drops it.
    "signal-pass": lambda arch: ["continue", "bt 1", "continue"],
    "signal-drop": lambda arch: ["continue", "signal 0"],
}
ARGS = {"signal-pass": ["signal"], "signal-drop": ["signal"]}
# What the program itself prints (gdb's writes change the breakpoint session's sum).
PROGRAM_OUT = {"breakpoint": "accumulate(5) = 154\n", "signal-pass": "handler ran\naccumulate(5) = 55\n",
               "signal-drop": "handler did not run\naccumulate(5) = 55\n"}

# Sessions whose comparison with qemu-user means nothing, and why.
QEMU_DIFFERS = {
    "watch": "qemu-user (7.2) has no watchpoints: gdb cannot insert one",
    "rwatch": "qemu-user (7.2) has no watchpoints: gdb cannot insert one",
    "awatch": "qemu-user (7.2) has no watchpoints: gdb cannot insert one",
}

EXPECT = {
    "breakpoint": [r"Breakpoint 1, accumulate \(n=5\) at .*gdbtarget\.c:\d+", r"\$\d+ = 5\b",
                   r"#1  0x[0-9a-f]+ in main \(argc=1, argv=0x[0-9a-f]+\) at .*gdbtarget\.c", r"Cannot access memory at address 0x0",
                   r"\$\d+ = 1234", r"Value returned is \$\d+ = 154", r"exited with code 04"],
    "watch": [r"Hardware watchpoint 2: counter", r"Old value = 0\s+New value = 1\b",
              r"Old value = 1\s+New value = 5\b", r"exited with code 05"],
    "rwatch": [r"Hardware read watchpoint 2: counter", r"Value = 0\b", r"Value = 1\b", r"exited with code 05"],
    "awatch": [r"Hardware access \(read/write\) watchpoint 2: counter", r"Value = 0\b",
               r"Old value = 0\s+New value = 1\b", r"Value = 1\b", r"exited with code 05"],
    "exit": [r"exited with code 05"],
    "signal-pass": [r"Program received signal SIGUSR1, User defined signal 1", r"exited with code 05"],
    "signal-drop": [r"Program received signal SIGUSR1, User defined signal 1", r"exited with code 05"],
}


def session(server_cmd, env, exe, cmds, port, args=()):
    srv = subprocess.Popen([*server_cmd, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        if not wait_listening(port, srv):
            srv.kill()
            out, err = srv.communicate()
            return f"[server did not listen: {err.decode(errors='replace')}]", ""
        gdb = ["gdb-multiarch", "-nx", "-batch", "-ex", "set pagination off", "-ex", "set confirm off",
               "-ex", "set width 0", exe, "-ex", f"target remote 127.0.0.1:{port}"]
        for c in cmds:
            gdb += ["-ex", c]
        g = subprocess.run(gdb, capture_output=True, timeout=120)
        transcript = g.stdout.decode(errors="replace") + g.stderr.decode(errors="replace")
    finally:
        try:
            out, _ = srv.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            srv.kill()
            out, _ = srv.communicate()
    return transcript, out.decode(errors="replace")


def protocol_check(mimic, exe):
    """The stub's answers to what gdb does not send in a plain session: a bad checksum, unmapped and
    absurd memory reads, unsupported watchpoints, unknown registers, malformed packets, Ctrl-C of a
    spinning program (twice), kill. Returns a list of problems."""
    port = free_port()
    srv = subprocess.Popen([mimic, "user", "-g", str(port), exe, "spin"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE)
    problems = []
    try:
        if not wait_listening(port, srv):
            return ["mimic did not listen"]
        s = socket.create_connection(("127.0.0.1", port))
        s.settimeout(10)
        buf = b""

        def reply():
            nonlocal buf
            while True:
                m = re.match(rb"[+]*\$([^#]*)#([0-9a-f]{2})", buf)
                if m:
                    buf = buf[m.end():]
                    if sum(m.group(1)) & 255 != int(m.group(2), 16):
                        problems.append(f"bad checksum in {m.group(0)!r}")
                    return m.group(1).decode("latin1")
                if buf.startswith(b"-"):
                    buf = buf[1:]
                    return "-"
                buf += s.recv(65536)

        def put(d, checksum=None):
            c = sum(d.encode("latin1")) & 255 if checksum is None else checksum
            s.sendall(f"${d}#{c:02x}".encode("latin1"))

        def ask(d, want, checksum=None):
            put(d, checksum)
            got = reply()
            if not re.fullmatch(want, got):
                problems.append(f"{d!r} answered {got!r}, expected /{want}/")
            return got

        ask("m0,4", "-", checksum=0)                      # a corrupted packet is nacked
        ask("m0,4", "E14")                                # address 0 is not mapped
        ask("mffffffffffff0000,ffff", "E14")              # nor is the top of the address space
        ask("Z5,10000,4", "")                             # no such kind of point
        ask("Z3,10000,0", "")                             # an empty watched range
        ask("Z3,10000,4", "OK")                           # a read watchpoint...
        ask("z3,10000,4", "OK")                           # ...removed again
        ask("p9999", "E01")                               # no such register
        ask("P1=zz", "E01")                               # not hex
        ask("Hg123456789abcdef0123", "E01")               # no such thread id
        ask("QStartNoAckMode", "OK")
        ask("qAttached", "0")
        ask("qfThreadInfo", r"mp[0-9a-f]+\.[0-9a-f]+")
        for _ in range(2):
            put("vCont;c")
            time.sleep(0.3)
            s.sendall(b"\x03")
            ask_stop = reply()
            if not re.fullmatch(r"T02thread:p[0-9a-f]+\.[0-9a-f]+;", ask_stop):
                problems.append(f"Ctrl-C answered {ask_stop!r}, expected T02thread:...")
            ask("p20", "[0-9a-f]{16}")
        s.sendall(b"$k#6b")
        rc = srv.wait(timeout=10)
        if rc != -9:
            problems.append(f"after k mimic ended with {rc}, expected SIGKILL")
    except Exception as e:  # a timeout or a closed connection is the stub's failure
        problems.append(f"protocol exchange failed: {e!r}")
    finally:
        if srv.poll() is None:
            srv.kill()
        srv.communicate()
    return problems


def normalise(text):
    text = re.sub(r"process \d+", "process N", text)
    text = re.sub(r"Thread \d+", "Thread N", text)
    text = re.sub(r"Thread 0x[0-9a-f]+ \(LWP \d+\)", "Thread N", text)
    # Where the initial stack sits is each emulator's choice (mimic's and qemu's differ).
    text = re.sub(r"argv=0x[0-9a-f]+", "argv=STACK", text)
    # gdb's own note when it cannot find the remote's executable name differs by nothing we control
    return "\n".join(l for l in text.splitlines() if not l.startswith("warning: ") and l.strip()) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", choices=sorted(CC), required=True)
    ap.add_argument("--mimic", required=True)
    ap.add_argument("--build-dir", default=None)
    ap.add_argument("-v", action="store_true", help="print every transcript")
    a = ap.parse_args()
    if not shutil.which("gdb-multiarch"):
        print("SKIP: gdb-multiarch is not installed (Debian package gdb-multiarch)")
        return 77
    if not shutil.which(CC[a.arch]):
        print(f"SKIP: {CC[a.arch]} is not installed")
        return 77
    qemu = shutil.which(f"qemu-{a.arch}")
    build = a.build_dir or tempfile.mkdtemp(prefix="mimic-gdb-")
    os.makedirs(build, exist_ok=True)
    exe = os.path.join(build, "gdbtarget")
    cc = subprocess.run([CC[a.arch], "-static", "-O0", "-g", "-o", exe, SRC], capture_output=True)
    if cc.returncode != 0:
        print("FAIL: compile error\n" + cc.stderr.decode())
        return 1
    failed = []
    for name, make_cmds in SESSIONS.items():
        cmds = make_cmds(a.arch)
        port = free_port()
        args = ARGS.get(name, [])
        got, prog_out = session([os.path.abspath(a.mimic), "user", "-g", str(port), exe], dict(os.environ), exe,
                                cmds, port, args)
        problems = []
        for pat in EXPECT[name]:
            if not re.search(pat, got):
                problems.append(f"mimic's session lacks /{pat}/")
        if prog_out != PROGRAM_OUT.get(name, "accumulate(5) = 55\n"):
            problems.append(f"the program's own output is missing: {prog_out!r}")
        if qemu and name not in QEMU_DIFFERS:
            port = free_port()
            env = dict(os.environ)
            env.update(QEMU_ENV.get(a.arch, {}))
            ref, _ = session([qemu, "-g", str(port), exe], env, exe, cmds, port, args)
            if normalise(ref) != normalise(got):
                problems.append("differs from the same session against qemu:\n--- qemu\n" + normalise(ref) +
                                "--- mimic\n" + normalise(got))
        if a.v or problems:
            print(f"--- {name} ({a.arch}) transcript:\n{got}")
        if problems:
            failed.append(name)
            print(f"FAIL {name}")
            for p in problems:
                print("  " + p.replace("\n", "\n  "))
        else:
            print(f"ok   {name}" + (f" (equal to the qemu-{a.arch} session)" if qemu and name not in QEMU_DIFFERS else ""))
    problems = protocol_check(os.path.abspath(a.mimic), exe)
    if problems:
        failed.append("protocol")
        print("FAIL protocol\n  " + "\n  ".join(problems))
    else:
        print("ok   protocol (bad packets, unmapped memory, Ctrl-C, kill)")
    if not a.build_dir:
        shutil.rmtree(build, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
