#!/usr/bin/env python3
"""The block layer against qemu-img and qemu-io (Debian's qemu-utils, oracles only).

usage: block_test.py MIMIC BLOCK_IO

Each check prints one line; the run fails if any does. Skipped when qemu-img is missing (said so).
"""
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time

MIMIC, BLOCK_IO = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
failures = []


def run(*cmd, check=True, **kw):
    p = subprocess.run(list(cmd), capture_output=True, text=True, **kw)
    if check and p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} -> {p.returncode}\n{p.stdout}{p.stderr}")
    return p


def img(*args, **kw):
    return run(MIMIC, "img", *args, **kw)


def expect(name, ok, detail=""):
    print(("PASS " if ok else "FAIL ") + name + ("" if ok else f": {detail}"))
    if not ok:
        failures.append(name)


def qemu_check_clean(path, allow_leaks=False):
    p = run("qemu-img", "check", path, check=False)
    return p.returncode == 0 or (allow_leaks and p.returncode == 3), p.stdout + p.stderr


def compare(a, b):
    p = run("qemu-img", "compare", "-U", a, b, check=False)
    return p.returncode == 0, p.stdout + p.stderr


def main():
    if not shutil.which("qemu-img") or not shutil.which("qemu-io"):
        print("SKIP: qemu-img/qemu-io not installed (Debian qemu-utils); the block oracle tests need them")
        return 0
    d = tempfile.mkdtemp(prefix="mimic-block-")
    os.chdir(d)
    # A source disk: random data, a compressible stretch, holes.
    with open("src.raw", "wb") as f:
        f.truncate(16 << 20)
        f.seek(0)
        f.write(os.urandom(1 << 20))
        f.seek(5 << 20)
        f.write(b"mimic block layer " * 30000)
        f.seek((12 << 20) + 4096)
        f.write(os.urandom(70000))

    formats = [("qcow2", []), ("qcow2", ["-o", "compat=0.10"]), ("qcow2", ["-o", "cluster_size=4096"]),
               ("vdi", []), ("vdi", ["-o", "static=on"]), ("vmdk", []), ("vmdk", ["-o", "subformat=streamOptimized"])]
    # mimic converts, qemu-img checks and compares; qemu-img converts, mimic compares.
    for fmt, opts in formats:
        tag = fmt + "".join(o for o in opts if o != "-o")
        img("convert", "-O", fmt, *opts, "src.raw", f"m-{tag}")
        ok, out = qemu_check_clean(f"m-{tag}")
        expect(f"mimic convert -O {tag}: qemu-img check clean", ok or "does not support" in out, out)
        ok, out = compare("src.raw", f"m-{tag}")
        expect(f"mimic convert -O {tag}: qemu-img compare equal", ok, out)
        run("qemu-img", "convert", "-O", fmt, *opts, "src.raw", f"q-{tag}")
        p = img("compare", "src.raw", f"q-{tag}", check=False)
        expect(f"qemu-img convert -O {tag}: mimic reads identical bytes", p.returncode == 0, p.stdout + p.stderr)
        p = img("convert", "-f", fmt, "-O", "raw", f"q-{tag}", f"back-{tag}.raw", check=False)
        ok, out = compare("src.raw", f"back-{tag}.raw")
        expect(f"mimic convert {tag} -> raw equal", p.returncode == 0 and ok, out + p.stderr)

    # raw: discard punches a hole (the file gets sparser, SEEK_HOLE finds it, it reads as zero), and
    # qemu-img map and mimic img map agree on where the data and the holes are.
    with open("holes.raw", "wb") as f:
        f.write(os.urandom(4 << 20))
    blocks_before = os.stat("holes.raw").st_blocks
    p = run(BLOCK_IO, "holes.raw", "discard", str(1 << 20), str(1 << 20), "read", "0", str(1 << 20), str(1 << 20),
            "flush", check=False)
    fd = os.open("holes.raw", os.O_RDONLY)
    hole = os.lseek(fd, 0, os.SEEK_HOLE)
    os.close(fd)
    mj = json.loads(img("map", "--output=json", "-f", "raw", "holes.raw").stdout)
    qj = json.loads(run("qemu-img", "map", "--output=json", "-f", "raw", "holes.raw").stdout)
    expect("raw discard punches a hole that reads as zero; map equals qemu-img's",
           p.returncode == 0 and hole == 1 << 20 and os.stat("holes.raw").st_blocks < blocks_before and mj == qj,
           f"{p.stdout} hole at {hole}\n{mj}\n{qj}")

    # Compressed clusters both ways, zlib and zstd.
    for ctype in ("zlib", "zstd"):
        img("convert", "-c", "-O", "qcow2", "-o", f"compression_type={ctype}", "src.raw", f"mc-{ctype}.qcow2")
        ok, out = qemu_check_clean(f"mc-{ctype}.qcow2")
        compressed = "0.00% compressed" not in out
        expect(f"mimic convert -c ({ctype}): clean, clusters compressed", ok and compressed, out)
        ok, out = compare("src.raw", f"mc-{ctype}.qcow2")
        expect(f"mimic convert -c ({ctype}): equal", ok, out)
        run("qemu-img", "convert", "-c", "-O", "qcow2", "-o", f"compression_type={ctype}", "src.raw", f"qc-{ctype}.qcow2")
        p = img("compare", "src.raw", f"qc-{ctype}.qcow2", check=False)
        expect(f"qemu-img convert -c ({ctype}): mimic reads identical", p.returncode == 0, p.stdout + p.stderr)

    # qemu-io writes into a qemu-img image; mimic reads the pattern back, and the reverse.
    run("qemu-img", "create", "-f", "qcow2", "w.qcow2", "8M")
    run("qemu-io", "-c", "write -P 0xab 0 1M", "-c", "write -P 0xcd 3M 12k", "-c", "write -z 3M 4k", "w.qcow2")
    p = run(BLOCK_IO, "w.qcow2", "read", "0xab", "0", "1048576", "read", "0", "3145728", "4096",
            "read", "0xcd", str(3 * 2**20 + 4096), "8192", check=False)
    expect("qemu-io writes, mimic reads the same bytes", p.returncode == 0, p.stdout + p.stderr)
    for fmt in ("qcow2", "vdi", "vmdk"):
        img("create", "-q", "-f", fmt, f"mw.{fmt}", "8M")
        run(BLOCK_IO, f"mw.{fmt}", "write", "0x5a", "512", "100000", "write", "0x11", "4194304", "65536",
            "zero", "4194304", "4096", "flush")
        p = run("qemu-io", "-c", "read -P 0x5a 512 100000", "-c", "read -P 0 4194304 4096",
                "-c", "read -P 0x11 4198400 61440", f"mw.{fmt}", check=False)
        expect(f"mimic writes {fmt}, qemu-io reads the patterns", p.returncode == 0 and "Pattern verification failed" not in p.stdout,
               p.stdout + p.stderr)
        ok, out = qemu_check_clean(f"mw.{fmt}")
        expect(f"mimic-written {fmt}: qemu-img check clean", ok, out)

    # Backing chains: base <- mid <- top, relative names, copy-on-write of partial clusters.
    os.mkdir("chain")
    run("qemu-img", "create", "-f", "qcow2", "chain/base.qcow2", "4M")
    run("qemu-io", "-c", "write -P 0x01 0 4M", "chain/base.qcow2")
    img("create", "-q", "-f", "qcow2", "-b", "base.qcow2", "-F", "qcow2", "chain/mid.qcow2")
    run(BLOCK_IO, "chain/mid.qcow2", "write", "0x02", "1000", "3000", "flush")
    run("qemu-img", "create", "-f", "qcow2", "-b", "mid.qcow2", "-F", "qcow2", "chain/top.qcow2")
    run("qemu-io", "-c", "write -P 0x03 2M 512", "chain/top.qcow2")
    p = run(BLOCK_IO, "chain/top.qcow2", "read", "1", "0", "1000", "read", "2", "1000", "3000", "read", "1", "4000", "96",
            "read", "3", "2097152", "512", "read", "1", "2097664", "1000", check=False)
    expect("backing chain of three: every layer shows through", p.returncode == 0, p.stdout + p.stderr)
    for name in ("mid", "top"):
        ok, out = qemu_check_clean(f"chain/{name}.qcow2")
        expect(f"chain/{name}.qcow2 clean", ok, out)
    mj = json.loads(img("info", "--output=json", "--backing-chain", "chain/top.qcow2").stdout)
    qj = json.loads(run("qemu-img", "info", "--output=json", "--backing-chain", "chain/top.qcow2").stdout)
    keys = ["virtual-size", "filename", "cluster-size", "format", "format-specific", "backing-filename",
            "full-backing-filename", "backing-filename-format", "dirty-flag"]
    same = all([m.get(k) for k in keys] == [q.get(k) for k in keys] for m, q in zip(mj, qj)) and len(mj) == len(qj)
    expect("info --output=json --backing-chain equals qemu-img's fields", same, f"{mj}\n{qj}")
    for f in ("src.raw", "m-vdi", "m-vmdk", "q-qcow2compat=0.10", "mc-zstd.qcow2"):
        m = json.loads(img("info", "--output=json", f).stdout)
        q = json.loads(run("qemu-img", "info", "--output=json", f).stdout)
        fields = ["virtual-size", "filename", "format", "cluster-size", "dirty-flag"]
        qspec, mspec = q.get("format-specific", {}).get("data", {}), m.get("format-specific", {}).get("data", {})
        spec_same = all(mspec.get(k) == v for k, v in qspec.items() if k in mspec) and (q["format"] != "qcow2" or mspec == qspec)
        expect(f"info --output=json {f}: fields equal qemu-img's",
               [m.get(k) for k in fields] == [q.get(k) for k in fields] and spec_same, f"{m}\n{q}")
    # map --output=json agrees with qemu-img's on the allocation picture.
    mm = json.loads(img("map", "--output=json", "chain/top.qcow2").stdout)
    qm = json.loads(run("qemu-img", "map", "--output=json", "chain/top.qcow2").stdout)
    expect("map --output=json equals qemu-img's", mm == qm, f"{mm}\n{qm}")
    mh = img("map", "chain/top.qcow2").stdout
    qh = run("qemu-img", "map", "chain/top.qcow2").stdout
    expect("map (human) equals qemu-img's", mh == qh, f"{mh}\n{qh}")

    # commit: top's data into mid; rebase: top onto base keeps what it reads.
    shutil.copy("chain/top.qcow2", "chain/top2.qcow2")
    before = run(BLOCK_IO, "chain/top.qcow2", "read", "3", "2097152", "512", check=False).returncode
    img("commit", "chain/top.qcow2")
    p = run(BLOCK_IO, "chain/mid.qcow2", "read", "3", "2097152", "512", check=False)
    ok, out = qemu_check_clean("chain/mid.qcow2")
    expect("commit writes the overlay's data into its backing file", before == 0 and p.returncode == 0 and ok, out)
    run("qemu-img", "convert", "-O", "raw", "chain/top2.qcow2", "top2-before.raw")
    img("rebase", "-b", "base.qcow2", "-F", "qcow2", "chain/top2.qcow2")
    ok, out = compare("top2-before.raw", "chain/top2.qcow2")
    q = json.loads(run("qemu-img", "info", "--output=json", "chain/top2.qcow2").stdout)
    expect("rebase (safe) onto the base keeps every byte", ok and q.get("backing-filename") == "base.qcow2", out)
    img("rebase", "-u", "-b", "", "chain/top2.qcow2")
    q = json.loads(run("qemu-img", "info", "--output=json", "chain/top2.qcow2").stdout)
    expect("rebase -u -b '' drops the backing file", "backing-filename" not in q, str(q))

    # Snapshots: qemu-img makes, mimic lists and applies; mimic makes, qemu-img lists and applies.
    run("qemu-img", "create", "-f", "qcow2", "s.qcow2", "4M")
    run("qemu-io", "-c", "write -P 0x61 0 128k", "s.qcow2")
    run("qemu-img", "snapshot", "-c", "first", "s.qcow2")
    run("qemu-io", "-c", "write -P 0x62 0 64k", "s.qcow2")
    listed = img("snapshot", "-l", "s.qcow2").stdout
    img("snapshot", "-a", "first", "s.qcow2")
    p = run(BLOCK_IO, "s.qcow2", "read", "0x61", "0", "131072", check=False)
    ok, out = qemu_check_clean("s.qcow2")
    expect("qemu-img snapshot: mimic lists and applies it", "first" in listed and p.returncode == 0 and ok, listed + out)
    img("snapshot", "-c", "second", "s.qcow2")
    run(BLOCK_IO, "s.qcow2", "write", "0x63", "4096", "8192", "flush")
    ok, out = qemu_check_clean("s.qcow2")
    qlist = run("qemu-img", "snapshot", "-l", "s.qcow2").stdout
    run("qemu-img", "snapshot", "-a", "second", "s.qcow2")
    p = run("qemu-io", "-c", "read -P 0x61 0 131072", "s.qcow2")
    expect("mimic snapshot: qemu-img lists and applies it", ok and "second" in qlist and "verification failed" not in p.stdout,
           out + qlist + p.stdout)
    img("snapshot", "-d", "first", "s.qcow2")
    img("snapshot", "-d", "second", "s.qcow2")
    ok, out = qemu_check_clean("s.qcow2")
    expect("snapshots deleted by mimic: qemu-img check clean, none listed",
           ok and "first" not in run("qemu-img", "snapshot", "-l", "s.qcow2").stdout, out)

    # Resize: grow, shrink refused without --shrink, allowed with it.
    run("qemu-img", "create", "-f", "qcow2", "r.qcow2", "1M")
    img("resize", "r.qcow2", "+3G")
    grow = json.loads(run("qemu-img", "info", "--output=json", "r.qcow2").stdout)["virtual-size"]
    refused = img("resize", "r.qcow2", "1M", check=False).returncode != 0
    img("resize", "--shrink", "r.qcow2", "2M")
    shrunk = json.loads(run("qemu-img", "info", "--output=json", "r.qcow2").stdout)["virtual-size"]
    ok, out = qemu_check_clean("r.qcow2")
    expect("resize grows, refuses to shrink without --shrink, shrinks with it",
           grow == (1 << 20) + (3 << 30) and refused and shrunk == 2 << 20 and ok, f"{grow} {refused} {shrunk} {out}")

    # check: leaks and corruptions made here get qemu-img's exit codes; -r repairs.
    run("qemu-img", "create", "-f", "qcow2", "-o", "cluster_size=4096", "k.qcow2", "1M")
    run("qemu-io", "-c", "write -P 1 0 64k", "k.qcow2")
    with open("k.qcow2", "r+b") as f:  # refcount block at cluster 2: raise cluster 3's count (a leak)
        f.seek(2 * 4096 + 2 * 3)
        f.write((2).to_bytes(2, "big"))
    shutil.copy("k.qcow2", "corrupt.qcow2")
    with open("corrupt.qcow2", "r+b") as f:  # and drop a data cluster's count to zero (a corruption)
        f.seek(2 * 4096 + 2 * 10)
        f.write((0).to_bytes(2, "big"))
    for name in ("k.qcow2", "corrupt.qcow2"):
        q = run("qemu-img", "check", name, check=False).returncode
        m = img("check", name, check=False).returncode
        expect(f"check {name}: exit code {m} equals qemu-img's {q}", q == m and q in (2, 3), "")
    for name in ("k.qcow2", "corrupt.qcow2", "mc-zlib.qcow2", "q-qcow2", "chain/top.qcow2"):
        mj = json.loads(img("check", "--output=json", name, check=False).stdout)
        qj = json.loads(run("qemu-img", "check", "--output=json", name, check=False).stdout)
        mh = img("check", name, check=False)
        qh = run("qemu-img", "check", name, check=False)
        expect(f"check {name}: json and human output equal qemu-img's", mj == qj and mh.stdout == qh.stdout,
               f"{mj}\n{qj}\n{mh.stdout}\n{qh.stdout}")
    m = img("check", "-r", "leaks", "k.qcow2", check=False).returncode
    ok, out = qemu_check_clean("k.qcow2")
    expect("check -r leaks repairs the leak", m == 0 and ok, out)
    m = img("check", "-r", "all", "corrupt.qcow2", check=False).returncode
    ok, out = qemu_check_clean("corrupt.qcow2")
    expect("check -r all repairs the corruption", m == 0 and ok, out)

    # Locking: a writer excludes a second writer and a reader, both ways with qemu.
    img("create", "-q", "-f", "qcow2", "lock.qcow2", "1M")
    holder = subprocess.Popen(["qemu-io", "lock.qcow2"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    time.sleep(1)
    p = run(BLOCK_IO, "lock.qcow2", "write", "1", "0", "512", check=False)
    p2 = img("info", "lock.qcow2", check=False)
    holder.communicate("quit\n")
    expect("qemu-io holds the image: mimic's writer and reader are refused",
           p.returncode != 0 and "lock" in p.stderr and p2.returncode != 0, p.stderr + p2.stderr)
    writer = subprocess.Popen([BLOCK_IO, "crash-writer", "lock.qcow2", "/dev/null"])
    time.sleep(1)
    p = run("qemu-img", "info", "lock.qcow2", check=False)
    writer.kill()
    writer.wait()
    expect("mimic holds the image: qemu-img info is refused", p.returncode != 0 and "lock" in p.stderr, p.stderr)

    # -snapshot: writes go to a throwaway overlay; the image is untouched and nothing is left in $TMPDIR.
    tmp = tempfile.mkdtemp(dir=d)
    before = open("src.raw", "rb").read(8192)
    p = run(BLOCK_IO, "-snapshot", "src.raw", "write", "0x77", "0", "8192", "read", "0x77", "0", "8192",
            check=False, env=dict(os.environ, TMPDIR=tmp))
    expect("-snapshot: writes are seen, the image is untouched, no file left",
           p.returncode == 0 and open("src.raw", "rb").read(8192) == before and os.listdir(tmp) == [], p.stdout)

    # Crash: SIGKILL a writer at random moments; qemu-img check accepts the image (leaks at
    # most) and every flushed write is there.
    rng = random.Random(7)
    for fmt, opts in (("qcow2", []), ("qcow2", ["-o", "cluster_size=512"]), ("qcow2", ["-o", "lazy_refcounts=on"]),
                      ("qcow2", ["snapshot"]), ("vdi", []), ("vmdk", [])):
        with_snapshot = "snapshot" in opts
        opts = [o for o in opts if o != "snapshot"]
        tag = fmt + "".join(o for o in opts if o != "-o") + (" with a snapshot" if with_snapshot else "")
        worst = ""
        for round_ in range(4):
            name = f"crash-{round_}.{fmt}"
            if round_ == 0 or not os.path.exists(name):
                img("create", "-q", "-f", fmt, *opts, name, "32M")
            if with_snapshot:
                # Every write then copies clusters the snapshot shares; old ones are freed late.
                run(BLOCK_IO, name, "write", "0xee", "0", str(8 << 20), "flush")
                img("snapshot", "-c", "base", name)
            if os.path.exists("log"):
                os.unlink("log")
            w = subprocess.Popen([BLOCK_IO, "crash-writer", name, "log"])
            time.sleep(0.3 + rng.random() * 1.2)
            w.send_signal(signal.SIGKILL)
            w.wait()
            if fmt == "qcow2" and "lazy" in tag:
                # A dirty lazy-refcounts image is repaired on open read-write, as qemu does.
                img("check", "-r", "all", name, check=False)
            ok, out = qemu_check_clean(name, allow_leaks=True)
            if not ok:
                worst = out
            # Sector by sector: the value at the last completed flush, or one written after it.
            durable, later, pending = {}, {}, []
            for line in open("log"):
                if line.startswith("F"):
                    for off, ln, pat in pending:
                        for sec in range(off // 512, (off + ln) // 512):
                            durable[sec] = pat
                    pending = []
                    later = {}
                    continue
                _, off, ln, pat = line.split()
                off, ln, pat = int(off), int(ln), int(pat)
                pending.append((off, ln, pat))
                for sec in range(off // 512, (off + ln) // 512):
                    later.setdefault(sec, set()).add(pat)
            run("qemu-img", "convert", "-U", "-O", "raw", name, "crash.raw")
            data = open("crash.raw", "rb").read()
            for sec, pat in durable.items():
                got = data[sec * 512:(sec + 1) * 512]
                if got != bytes([got[0]]) * 512 or (got[0] != pat and got[0] not in later.get(sec, ())):
                    worst = worst or f"{name}: sector {sec} holds {got[:4].hex()}, flushed {pat}"
                    break
            if with_snapshot and not worst:
                img("snapshot", "-a", "base", name)
                p = run(BLOCK_IO, "-r", name, "read", "0xee", "0", str(8 << 20), check=False)
                ok, out = qemu_check_clean(name, allow_leaks=True)
                if p.returncode != 0 or not ok:
                    worst = f"{name}: the snapshot taken before the crash lost data: {p.stdout}{out}"
        expect(f"SIGKILL during writes ({tag}): check accepts it, flushed writes all there", not worst, worst)

    # ENOSPC / EFBIG: a file size limit gives the caller an error and leaves the image consistent.
    img("create", "-q", "-f", "qcow2", "full.qcow2", "64M")
    limit = os.path.getsize("full.qcow2") + (2 << 20)
    p = subprocess.run([BLOCK_IO, "full.qcow2", "write", "0x42", "0", str(8 << 20), "flush"], capture_output=True, text=True,
                       preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit)))
    ok, out = qemu_check_clean("full.qcow2", allow_leaks=True)
    expect("a full disk: the write fails with EFBIG/ENOSPC, the image stays consistent",
           p.returncode != 0 and ("too large" in p.stdout or "space" in p.stdout) and ok, p.stdout + out)

    p = img("convert", "-S", "0", "src.raw", "x.qcow2", check=False)
    expect("an option mimic img does not implement fails loudly", p.returncode == 1 and "'-S'" in p.stderr, p.stderr)

    # Exit codes of every subcommand on failures, as qemu-img's (compare: 2 for an error, 1 for
    # different images; check: its own table, above).
    run("qemu-img", "create", "-q", "-f", "qcow2", "codes.qcow2", "1M")
    run("qemu-img", "create", "-q", "-f", "qcow2", "codes2.qcow2", "2M")
    codes = [["info", "nosuch.qcow2"], ["check", "nosuch.qcow2"], ["convert", "-O", "raw", "nosuch.qcow2", "x.raw"],
             ["resize", "nosuch.qcow2", "1M"], ["resize", "codes.qcow2", "512k"], ["snapshot", "-l", "nosuch.qcow2"],
             ["snapshot", "-a", "nosuch", "codes.qcow2"], ["snapshot", "-d", "nosuch", "codes.qcow2"],
             ["commit", "nosuch.qcow2"], ["commit", "codes.qcow2"], ["rebase", "-u", "-b", "", "nosuch.qcow2"],
             ["map", "nosuch.qcow2"], ["create", "-f", "qcow2", "nosize.qcow2"], ["create", "-f", "nosuchfmt", "x", "1M"],
             ["compare", "nosuch.qcow2", "codes.qcow2"], ["compare", "codes.qcow2", "codes2.qcow2"],
             ["compare", "-s", "codes.qcow2", "codes2.qcow2"], ["nosuchcommand"]]
    differ = []
    for args in codes:
        q = run("qemu-img", *args, check=False).returncode
        m = img(*args, check=False).returncode
        if q != m:
            differ.append(f"{' '.join(args)}: qemu-img {q}, mimic img {m}")
    expect("every subcommand's failure exit code equals qemu-img's", not differ, "; ".join(differ))

    # Errors name the image.
    with open("junk.qcow2", "wb") as f:
        f.write(b"QFI\xfb" + b"\0\0\0\x09" + bytes(600))
    p = img("info", "junk.qcow2", check=False)
    expect("a bad image: one line naming it", p.returncode != 0 and "junk.qcow2: unsupported qcow2 version 9" in p.stderr,
           p.stderr)

    shutil.rmtree(d)
    print(f"{len(failures)} failed" if failures else "all passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
