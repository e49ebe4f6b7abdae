"""What the gdb stub tests share: starting the debuggee and waiting for its stub, gdb-multiarch in
batch mode, a raw remote-protocol client, and the raw exchanges both system boards answer alike
(Ctrl-C of a spinning vCPU, an access watchpoint, a monitor command through qRcmd)."""
import os
import re
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib"))
from ports import free_port  # noqa: E402,F401  (re-exported: the gdb tests import it from here)


def wait_listening(port, proc, timeout=15.0):
    """True once something listens on port. The stubs accept exactly one connection, so this
    looks at /proc/net/tcp rather than connecting."""
    deadline = time.time() + timeout
    hexport = f":{port:04X} "
    while time.time() < deadline:
        if proc.poll() is not None:
            return False
        with open("/proc/net/tcp") as f:
            if any(hexport in line and line.split()[3] == "0A" for line in f):
                return True
        time.sleep(0.05)
    return False


def start(cmd):
    return subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def finish(proc, timeout=30):
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
        return None, out.decode(errors="replace") + "\n<killed after timeout>"
    return proc.returncode, out.decode(errors="replace")


def gdb_session(machine_cmd, port, exe, cmds, timeout=120, architecture=None):
    """Runs machine_cmd (listening on port, stopped), then gdb in batch mode with cmds; returns
    (gdb's transcript, the machine's exit status, its console output)."""
    m = start(machine_cmd)
    if not wait_listening(port, m):
        return "[the machine did not listen]\n" + finish(m, 5)[1], None, ""
    gdb = ["gdb-multiarch", "-nx", "-batch", "-ex", "set pagination off", "-ex", "set confirm off", "-ex",
           "set width 0"]
    if architecture:
        gdb += ["-ex", "set architecture " + architecture]
    if exe:
        gdb += ["-ex", "file " + exe]
    gdb += ["-ex", f"target remote 127.0.0.1:{port}"]
    for c in cmds:
        gdb += ["-ex", c]
    try:
        g = subprocess.run(gdb, capture_output=True, timeout=timeout)
        transcript = g.stdout.decode(errors="replace") + g.stderr.decode(errors="replace")
    except subprocess.TimeoutExpired as e:
        transcript = (e.stdout or b"").decode(errors="replace") + "\n<gdb timed out>"
    status, console = finish(m)
    return transcript, status, console


class Rsp:
    """A raw remote-protocol client (gdb's handshake, then one packet at a time)."""

    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=20)
        self.buf = b""
        self.ask("qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=riscv;vContSupported+")
        self.ask("QStartNoAckMode")
        self.ask("qXfer:features:read:target.xml:0,ffb")
        self.ask("Hgp1.1")

    def reply(self):
        while True:
            m = re.match(rb"[+]*\$([^#]*)#([0-9a-f]{2})", self.buf)
            if m:
                self.buf = self.buf[m.end():]
                return m.group(1).decode("latin1")
            d = self.s.recv(65536)
            if not d:
                raise EOFError("connection closed")
            self.buf += d

    def put(self, d):
        self.s.sendall(f"${d}#{sum(d.encode('latin1')) & 255:02x}".encode("latin1"))

    def ask(self, d):
        self.put(d)
        return self.reply()


def le(hexbytes):
    return int.from_bytes(bytes.fromhex(hexbytes), "little")


def symbols(nm, exe):
    """{name: address} from `nm` (the cross binutils' one for exe's architecture)."""
    out = subprocess.run([nm, exe], capture_output=True, text=True).stdout
    return {parts[2]: int(parts[0], 16) for parts in (l.split() for l in out.splitlines()) if len(parts) == 3}


def one_thread_name(stop_reply):
    """A stop reply with thread p1.1 spelled one way (QEMU writes p01.01)."""
    return re.sub(r"p0?1\.0?1", "p1.1", stop_reply)


def ctrl_c_spinning(r, sym, out):
    """The program's main loop spins while the word at `spin` is 1: let it run, send Ctrl-C, and
    record the stop reply and whether the pc is in main."""
    r.ask(f"M{sym['spin']:x},8:0100000000000000")
    r.put("vCont;c")
    time.sleep(0.3)
    r.s.sendall(b"\x03")
    out["ctrl-c"] = one_thread_name(r.reply())
    pc = le(r.ask("p20"))
    out["ctrl-c pc in main"] = sym["main"] <= pc < sym["main"] + 0x100
    r.ask(f"M{sym['spin']:x},8:0000000000000000")


def access_watch(r, address, out):
    """An access watchpoint (Z4) on address: the stop reply of the next access."""
    r.ask(f"Z4,{address:x},8")
    out["awatch"] = one_thread_name(r.ask("vCont;c"))
    r.ask(f"z4,{address:x},8")


def monitor(r, command):
    """The text a monitor command prints through qRcmd, and whether it ended with OK."""
    mon = r.ask("qRcmd," + command.encode().hex())
    text = ""
    while mon.startswith("O") and mon != "OK":
        text += bytes.fromhex(mon[1:]).decode(errors="replace")
        mon = r.reply()
    return text, mon == "OK"


def check_shared_answers(check, got, unit):
    """The raw exchange's answers both boards give alike; unit names a vCPU ("hart", "vCPU")."""
    check("error" not in got, "the raw exchange with mimic completed", got.get("error", ""))
    check(got.get("threads") == "mp1.1,p1.2", f"qfThreadInfo lists both {unit}s", str(got.get("threads")))
    check(got.get("ctrl-c") == "T02thread:p1.1;" and got.get("ctrl-c pc in main"), f"Ctrl-C stops the spinning {unit}",
          str(got.get("ctrl-c")))
    check(re.fullmatch(r"T05thread:p1\.1;awatch:[0-9a-f]+;", got.get("awatch", "")), "Z4 reports awatch",
          got.get("awatch", ""))
    check(got.get("monitor"), "qRcmd reaches the monitor (info registers)")
    check(got.get("status after k"), "k ends the machine")


def normalise(text):
    """A transcript without what differs between stubs for no user-visible reason."""
    lines = []
    for l in text.splitlines():
        if l.startswith("warning: ") or not l.strip():
            continue
        if "Remote connection closed" in l or "Error in sourced command" in l or re.match(r"\[Inferior 1 .* exited", l):
            continue  # how the session ends is checked apart (QEMU closes without a W packet)
        lines.append(l)
    return "\n".join(lines) + "\n"


def transcript_diff(want, have):
    """The first differing lines of two normalised transcripts, for a failure's detail."""
    diff = [f"qemu : {x}\nmimic: {y}" for x, y in zip(want.splitlines(), have.splitlines()) if x != y]
    return "\n".join(diff[:10]) or f"lengths {len(want.splitlines())} vs {len(have.splitlines())}"


class Checks:
    def __init__(self):
        self.ok = True

    def __call__(self, cond, what, detail=""):
        print(("ok   " if cond else "FAIL ") + what)
        if not cond and detail:
            print("     " + detail.replace("\n", "\n     "))
        self.ok = self.ok and bool(cond)
