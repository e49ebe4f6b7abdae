#!/usr/bin/env python3
"""virtio-net under `mimic system -M virt` with Debian's riscv64 kernel (virtio_mmio and
virtio_net are modules in Debian's build; the initramfs loads them).

  virtio_net.py MIMIC WORKDIR user     slirp: the guest gets its address by DHCP (busybox udhcpc),
                                       fetches a file with wget from an HTTP server this script
                                       runs on the host's loopback, and serves one with busybox
                                       httpd that the host fetches through hostfwd; sha256 compared.
                                       10 MB each way; MIMIC_NET_BIG=1 makes it 100 MB.
  virtio_net.py MIMIC WORKDIR user --nic   the same with `-nic user,hostfwd=...`: the NIC must be
                                       a virtio-net-pci function (QEMU's alias on a board with PCI)
          ... user --restrict         restrict=on: the guest's wget to the host fails, hostfwd works
  virtio_net.py MIMIC WORKDIR socket   two machines on one -netdev socket (listen=/connect=) link
  virtio_net.py MIMIC WORKDIR stream   ... on -netdev stream (server=on / server=off)
  virtio_net.py MIMIC WORKDIR dgram    ... on -netdev dgram (unicast UDP both ways)
  virtio_net.py MIMIC WORKDIR mcast    ... on -netdev socket,mcast=
  virtio_net.py MIMIC WORKDIR tap      one machine on a TAP device the test makes (-netdev tap,ifname=):
                                       it pings the host and fetches 4 MiB; skipped (77) without
                                       CAP_NET_ADMIN
                                       ping each other and move a 4 MB TCP stream (wget from httpd).

Exit 0 when every check passes, 1 otherwise, 77 when the packages cannot be fetched."""
import argparse
import functools
import hashlib
import http.server
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from riscv_boot_image import APPLETS, build_initramfs, fetch, kernel_modules  # noqa: E402
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
from ports import free_port  # noqa: E402

APPLETS_NET = APPLETS + ("insmod", "mkdir", "ifconfig", "route", "udhcpc", "wget", "httpd", "ping", "cp", "rm",
                         "seq", "ip", "tr", "cut")

COMMON = r"""#!/bin/sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
/bin/busybox mount -t devtmpfs dev /dev
for m in %s; do insmod /lib/$m.ko || echo "INSMOD-FAILED $m"; done
i=0
while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 50 ]; do sleep 0.2; i=$((i+1)); done
ifconfig lo 127.0.0.1 up
mkdir -p /etc /www
"""

DHCP_SCRIPT = r"""#!/bin/sh
case "$1" in
  bound|renew)
    ifconfig $interface $ip netmask ${subnet:-255.255.255.0} up
    route add default gw $router dev $interface
    echo "nameserver $dns" > /etc/resolv.conf
    ;;
esac
"""

USER_INIT = COMMON + r"""
echo "NICPATH $(readlink -f /sys/class/net/eth0/device)"
ifconfig eth0 up
udhcpc -i eth0 -s /bin/dhcp-script -q -n -t 20 -T 1 >/dev/null 2>&1
echo "ADDR $(ifconfig eth0 | grep 'inet addr' | tr -s ' ' | cut -d' ' -f3)"
echo "DNS $(cat /etc/resolv.conf)"
wget -q -T 20 -O /www/in.bin http://10.0.2.2:HOSTPORT/in.bin && echo "FETCHED $(sha256sum /www/in.bin | cut -d' ' -f1)"
rm -f /www/in.bin
head -c SIZE /dev/urandom > /www/out.bin
echo "SERVING $(sha256sum /www/out.bin | cut -d' ' -f1)"
httpd -p 8080 -h /www
# The host fetches out.bin, then creates done on its server (restrict=on: the guest cannot reach
# the host, which fetches within WAIT seconds).
i=0
if [ -n "$restricted" ]; then sleep WAIT; fi
while [ -z "$restricted" ] && ! wget -q -T 20 -O /dev/null http://10.0.2.2:HOSTPORT/done && [ $i -lt 600 ]; do
  sleep 1; i=$((i+1))
done
echo "FINISHED"
poweroff -f
"""

# Two machines: role a (192.168.77.1) serves a file, role b (.2) fetches it. Kernel command line
# parameters the kernel does not know reach init as environment variables (role=...).
PAIR_INIT = COMMON + r"""
if [ "$role" = a ]; then me=192.168.77.1; peer=192.168.77.2; else me=192.168.77.2; peer=192.168.77.1; fi
ifconfig eth0 $me netmask 255.255.255.0 up
i=0
while ! ping -c 1 -W 1 $peer >/dev/null 2>&1 && [ $i -lt 120 ]; do i=$((i+1)); done
ping -c 3 -W 2 $peer >/dev/null 2>&1 && echo "PING-OK $role"
if [ "$role" = a ]; then
  head -c 4194304 /dev/urandom > /www/s.bin
  echo "SERVING $(sha256sum /www/s.bin | cut -d' ' -f1)"
  httpd -p 8080 -h /www
  i=0
  while [ ! -e /www/done ] && [ $i -lt 300 ]; do
    wget -q -O /www/done http://$peer:8080/done 2>/dev/null || rm -f /www/done
    sleep 1; i=$((i+1))
  done
else
  i=0
  while ! wget -q -O /www/r.bin http://$peer:8080/s.bin && [ $i -lt 120 ]; do sleep 1; i=$((i+1)); done
  echo "FETCHED $(sha256sum /www/r.bin | cut -d' ' -f1)"
  echo done > /www/done
  httpd -p 8080 -h /www
  sleep 8
fi
echo "FINISHED $role"
poweroff -f
"""


# One machine on a host TAP device (192.168.231.1 on the host, .2 in the guest): the guest pings
# the host and fetches a file from an HTTP server bound to the TAP's address.
TAP_INIT = COMMON + r"""
ifconfig eth0 192.168.231.2 netmask 255.255.255.0 up
i=0
while ! ping -c 1 -W 1 192.168.231.1 >/dev/null 2>&1 && [ $i -lt 60 ]; do i=$((i+1)); done
ping -c 3 -W 2 192.168.231.1 >/dev/null 2>&1 && echo "PING-OK"
wget -q -T 20 -O /www/in.bin http://192.168.231.1:HOSTPORT/in.bin && echo "FETCHED $(sha256sum /www/in.bin | cut -d' ' -f1)"
echo "FINISHED"
poweroff -f
"""


def make_tap(name):
    """A TAP device owned by this test with the host's address on it; False without CAP_NET_ADMIN."""
    cmds = [["ip", "tuntap", "add", "dev", name, "mode", "tap"], ["ip", "addr", "add", "192.168.231.1/24", "dev", name],
            ["ip", "link", "set", name, "up"]]
    for c in cmds:
        if subprocess.run(c, capture_output=True).returncode != 0:
            subprocess.run(["ip", "link", "del", name], capture_output=True)
            return False
    return True


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass


# --arch aarch64: Debian's arm64 kernel on the arm virt board, the NIC virtio-net-pci (its
# virtio-pci transport is built in, virtio_mmio is not needed).
ARM = {"on": False}


def machine(mimic, kernel, initrd, netargs, append="", qemu=False):
    if ARM["on"]:
        emu = ["qemu-system-aarch64"] if qemu else [mimic, "system-aarch64"]
        board = ["-M", "virt", "-cpu", "cortex-a57", "-append", "console=ttyAMA0 panic=-1 " + append]
        netargs = [x.replace("virtio-net-device", "virtio-net-pci") for x in netargs]
    else:
        emu = ["qemu-system-riscv64"] if qemu else [mimic, "system"]
        board = ["-M", "virt", "-bios", "default", "-append", "console=ttyS0 panic=-1 " + append]
    return subprocess.Popen(emu + board + ["-m", "512M", "-nographic", "-kernel", kernel, "-initrd", initrd,
                                           "-no-reboot"]
                            + netargs, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def collect(p, timeout):
    try:
        out, _ = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        out, _ = p.communicate()
    return out.decode(errors="replace")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mimic")
    ap.add_argument("workdir")
    ap.add_argument("mode", choices=["user", "socket", "stream", "dgram", "mcast", "tap"])
    ap.add_argument("--timeout", type=int, default=600)
    ap.add_argument("--restrict", action="store_true",
                    help="user mode with restrict=on: the guest reaches nothing outside, hostfwd still works")
    ap.add_argument("--nic", action="store_true", help="user mode: -nic user,... instead of -netdev + -device")
    ap.add_argument("--qemu", action="store_true", help="run under qemu-system-riscv64 instead (the reference)")
    ap.add_argument("--arch", default="riscv64", choices=["riscv64", "aarch64"])
    a = ap.parse_args()
    ARM["on"] = a.arch == "aarch64"
    os.makedirs(a.workdir, exist_ok=True)
    got = fetch(os.path.dirname(os.path.abspath(a.workdir)), "arm64" if ARM["on"] else "riscv64")
    if not got:
        return 77
    kernel, busybox = got
    work = os.path.join(a.workdir, "net-" + a.mode + ("-nic" if a.nic else "") + ("-restrict" if a.restrict else "") + ("-aarch64-pci" if ARM["on"] else ""))
    os.makedirs(work, exist_ok=True)
    mods = kernel_modules(kernel, ["virtio_net"] if ARM["on"] else ["virtio_mmio", "virtio_net"])
    names = " ".join(n for n, _ in mods)
    ok = True

    def check(cond, what):
        nonlocal ok
        print(("ok   " if cond else "FAIL ") + what)
        ok = ok and bool(cond)

    t0 = time.monotonic()
    if a.mode == "tap":
        tap = "mimictap%d" % (os.getpid() % 10000)
        if not shutil.which("ip") or not make_tap(tap):
            print("SKIP: cannot create a TAP device (needs CAP_NET_ADMIN and iproute2's ip)")
            return 77
        try:
            www = os.path.join(work, "www")
            os.makedirs(www, exist_ok=True)
            data = os.urandom(4 << 20)
            open(os.path.join(www, "in.bin"), "wb").write(data)
            server = http.server.ThreadingHTTPServer(("192.168.231.1", 0), functools.partial(Quiet, directory=www))
            threading.Thread(target=server.serve_forever, daemon=True).start()
            initrd = os.path.join(work, "initrd.gz")
            build_initramfs_with(busybox, initrd, TAP_INIT.replace("HOSTPORT", str(server.server_address[1])) % names,
                                 mods, {})
            p = machine(a.mimic, kernel, initrd, ["-netdev", "tap,id=n0,ifname=%s,script=no,downscript=no" % tap,
                                                  "-device", "virtio-net-device,netdev=n0"], qemu=a.qemu)
            text = collect(p, a.timeout)
            server.shutdown()
        finally:
            subprocess.run(["ip", "link", "del", tap], capture_output=True)
        check(p.returncode == 0, "the machine powered off (status %s, %.1f s)" % (p.returncode, time.monotonic() - t0))
        check("PING-OK" in text, "the guest pinged the host through the TAP device")
        check(("FETCHED " + hashlib.sha256(data).hexdigest()) in text,
              "the guest fetched 4 MiB from the host's HTTP server on the TAP's address intact")
    elif a.mode == "user":
        size = (100 if os.environ.get("MIMIC_NET_BIG") else 10) << 20
        print("transfer size: %d MiB each way%s" % (size >> 20, "" if size > 10 << 20 else
                                                     " (MIMIC_NET_BIG=1 for the 100 MiB case)"))
        www = os.path.join(work, "www")
        os.makedirs(www, exist_ok=True)
        for f in ("done",):
            if os.path.exists(os.path.join(www, f)):
                os.unlink(os.path.join(www, f))
        data = os.urandom(size)
        open(os.path.join(www, "in.bin"), "wb").write(data)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=www))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        hostport = server.server_address[1]
        fwd = free_port()
        init = USER_INIT.replace("HOSTPORT", str(hostport)).replace("SIZE", str(size)).replace("WAIT", "45") % names
        initrd = os.path.join(work, "initrd.gz")
        build_initramfs_with(busybox, initrd, init, mods, {"bin/dhcp-script": DHCP_SCRIPT})
        hostfwd = "hostfwd=tcp:127.0.0.1:%d-:8080" % fwd + (",restrict=on" if a.restrict else "")
        netargs = (["-nic", "user," + hostfwd] if a.nic else
                   ["-netdev", "user,id=n0," + hostfwd, "-device", "virtio-net-device,netdev=n0"])
        p = machine(a.mimic, kernel, initrd, netargs, append="restricted=1" if a.restrict else "", qemu=a.qemu)
        # Wait for the guest's server, then fetch through hostfwd.
        out = b""
        fetched = None
        os.set_blocking(p.stdout.fileno(), False)
        deadline = time.monotonic() + a.timeout
        while time.monotonic() < deadline and p.poll() is None:
            out += p.stdout.read() or b""
            if fetched is None and b"SERVING" in out:
                # The guest prints SERVING just before it starts httpd: retry while it comes up.
                for attempt in range(30):
                    try:
                        fetched = urllib.request.urlopen("http://127.0.0.1:%d/out.bin" % fwd, timeout=120).read()
                        break
                    except Exception as e:  # noqa: BLE001
                        fetched = b""
                        last_error = e
                        time.sleep(1)
                else:
                    print("host fetch failed: %s" % last_error)
                open(os.path.join(www, "done"), "w").write("done\n")
            time.sleep(0.1)
        if p.poll() is None:
            p.kill()
        p.wait()
        out += p.stdout.read() or b""
        text = out.decode(errors="replace")
        server.shutdown()
        secs = time.monotonic() - t0
        check(p.returncode == 0, "the machine powered off (status %s, %.1f s)" % (p.returncode, secs))
        check("INSMOD-FAILED" not in text, "the virtio drivers (%s) loaded" % names)
        m = re.search(r"ADDR (?:addr:)?(\S+)", text)
        check(m and m.group(1) == "10.0.2.15", "DHCP gave the guest 10.0.2.15 (%s)" % (m.group(1) if m else "none"))
        if a.restrict:
            # libslirp's restricted mode offers no gateway and no DNS server in its DHCP answer.
            check("nameserver 10.0.2.3" not in text, "restrict=on: DHCP names no DNS server (libslirp's rule)")
        else:
            check("nameserver 10.0.2.3" in text, "DHCP named slirp's DNS server 10.0.2.3")
        if a.nic:
            m = re.search(r"NICPATH (\S+)", text)
            check(m and "/pci0000:00/" in m.group(1), "-nic made a PCI NIC (%s)" % (m.group(1) if m else "no line"))
        if a.restrict:
            check("FETCHED" not in text, "restrict=on: the guest cannot reach the host's HTTP server")
        else:
            check(("FETCHED " + hashlib.sha256(data).hexdigest()) in text,
                  "the guest fetched %d MiB from the host's HTTP server intact" % (size >> 20))
        m = re.search(r"SERVING ([0-9a-f]{64})", text)
        check(m and fetched and hashlib.sha256(fetched).hexdigest() == m.group(1),
              "the host fetched %d MiB from the guest's httpd through hostfwd intact" % (size >> 20))
        check("FINISHED" in text, "the guest saw the host finish")
    else:
        initrd = os.path.join(work, "initrd.gz")
        build_initramfs_with(busybox, initrd, PAIR_INIT % names, mods, {})
        if a.mode == "socket":
            port = free_port()
            net_a = ["-netdev", "socket,id=n0,listen=127.0.0.1:%d" % port]
            net_b = ["-netdev", "socket,id=n0,connect=127.0.0.1:%d" % port]
        elif a.mode == "stream":
            port = free_port()
            spec = "stream,id=n0,server=%s,addr.type=inet,addr.host=127.0.0.1,addr.port=%d"
            net_a = ["-netdev", spec % ("on", port)]
            net_b = ["-netdev", spec % ("off", port)]
        elif a.mode == "dgram":
            pa, pb = free_port(socket.SOCK_DGRAM), free_port(socket.SOCK_DGRAM)
            spec = "dgram,id=n0,local.type=inet,local.host=127.0.0.1,local.port=%d,remote.type=inet,remote.host=127.0.0.1,remote.port=%d"
            net_a = ["-netdev", spec % (pa, pb)]
            net_b = ["-netdev", spec % (pb, pa)]
        else:
            port = free_port(socket.SOCK_DGRAM)
            net_a = net_b = ["-netdev", "socket,id=n0,mcast=230.0.0.1:%d" % port]
        pa = machine(a.mimic, kernel, initrd, net_a + ["-device", "virtio-net-device,netdev=n0,mac=52:54:00:00:77:01"],
                     "role=a", qemu=a.qemu)
        time.sleep(0.5)  # the listener is up before the other connects
        pb = machine(a.mimic, kernel, initrd, net_b + ["-device", "virtio-net-device,netdev=n0,mac=52:54:00:00:77:02"],
                     "role=b", qemu=a.qemu)
        results = {}
        ta = threading.Thread(target=lambda: results.__setitem__("a", collect(pa, a.timeout)))
        tb = threading.Thread(target=lambda: results.__setitem__("b", collect(pb, a.timeout)))
        ta.start()
        tb.start()
        ta.join()
        tb.join()
        secs = time.monotonic() - t0
        text_a, text_b = results["a"], results["b"]
        text = text_a + "\n==== machine b ====\n" + text_b
        check(pa.returncode == 0 and pb.returncode == 0,
              "both machines powered off (status %s and %s, %.1f s)" % (pa.returncode, pb.returncode, secs))
        check("PING-OK a" in text_a and "PING-OK b" in text_b, "each machine pinged the other")
        m = re.search(r"SERVING ([0-9a-f]{64})", text_a)
        check(m and ("FETCHED " + m.group(1)) in text_b, "machine b fetched machine a's 4 MiB file over TCP intact")
        check("FINISHED a" in text_a, "machine a saw b finish")
    if not ok:
        print("---- console output (last 80 lines) ----")
        print("\n".join(text.splitlines()[-80:]))
    print("run time: %.2f s" % (time.monotonic() - t0))
    return 0 if ok else 1


def build_initramfs_with(busybox, initrd, init, mods, extra):
    """The initramfs with `init`, the modules, and extra executable files {path: text}."""
    import gzip
    from riscv_boot_image import cpio_newc
    entries = [("bin", 0o40755, b""), ("proc", 0o40755, b""), ("sys", 0o40755, b""), ("dev", 0o40755, b""),
               ("tmp", 0o41777, b""), ("bin/busybox", 0o100755, open(busybox, "rb").read()),
               ("init", 0o100755, init.encode()), ("lib", 0o40755, b"")]
    for applet in APPLETS_NET:
        entries.append(("bin/" + applet, 0o120777, "busybox"))
    for name, data in mods:
        entries.append(("lib/%s.ko" % name, 0o100644, data))
    for path, text in extra.items():
        entries.append((path, 0o100755, text.encode()))
    with gzip.open(initrd, "wb") as f:
        f.write(cpio_newc(entries))


if __name__ == "__main__":
    sys.exit(main())
