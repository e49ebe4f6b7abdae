#!/usr/bin/env python3
"""Runs dynamically linked Debian programs from a sysroot under mimic and under qemu-user.

The sysroot holds Debian's libc6, coreutils, grep, sed, gawk, xz-utils, zstd, bzip2, sqlite3,
lua5.4, 7-Zip, file, bash, perl, python3, tar, gzip, make and (optional) gcc with every library they
need (run_debian.sh fetches it); the scripts the bash, perl, python3, make and gcc cases run are in
debian-files/. Each case is a
host `sh` script run in a fresh scratch folder holding the same fixtures; the guest programs are
reached through a folder of wrappers first on PATH (`sort` runs `EMULATOR -L SYSROOT
SYSROOT/usr/bin/sort`), so the host shell only glues pipelines. stdout, stderr and the exit
status must be identical under mimic and qemu-user (the oracle), after replacing the scratch
folder's path with $SCRATCH. Without qemu-user the cases still run and must exit as expected.

Usage: debian_test.py --mimic build/mimic --arch aarch64 --sysroot DIR [--jobs 2] [NAME...]
Exit status: 0 when every case passed (expected failures included), 1 otherwise.
"""
import argparse
import concurrent.futures
import difflib
import gzip
import os
import shutil
import stat
import struct
import subprocess
import sys
import tempfile
import time


class Case:
    def __init__(self, name, script, rc=0, stderr=True, xfail=None, timeout=180, oracle=True, expect=None,
                 shell="host", needs=None):
        self.name = name
        self.script = script
        self.rc = rc            # the exit status the oracle gives (a check of the case itself)
        self.stderr = stderr    # compare stderr (False where it holds timings)
        self.xfail = xfail or {}  # arch -> why mimic still fails it
        self.timeout = timeout
        self.oracle = oracle    # False: run under mimic only (qemu's run could not be compared anyway)
        self.expect = expect    # exact stdout, where the case fixes it
        # "guest": under mimic the script runs in Debian's own dash, whose commands mimic execs as
        # guest programs found on the guest's PATH; qemu-user cannot exec guest programs, so its
        # run (the oracle) is the same script in the host sh with the wrappers.
        # "chroot": under mimic only, in Debian's dash started with `mimic user -chroot SYSROOT`.
        # "rootcopy": under mimic only, the script is the program (a "#!/bin/sh -e" file in /tmp,
        # given arguments "a" and "b c") of `mimic user -chroot ROOT`, ROOT a hard-linked copy of the
        # sysroot whose /proc is a link to /proc, as `debootstrap --foreign` leaves it.
        self.shell = shell
        self.needs = needs or []  # guest programs the case needs; without them it is skipped (optional packages)


CASES = [
    # coreutils
    Case("ls", "ls -la tree; ls -lR --time-style=long-iso tree | sed 1d; ls -1S tree; ls -d tree/*/; "
               "ls --color=always -F tree"),
    Case("ls-missing", "ls tree/nothing", rc=2),
    Case("sort", "sort words | sha256sum; sort -n -r nums | head -5; sort -t, -k3,3 -k1,1n data.csv | head -4; "
                 "sort -u words | wc -l; sort -R --random-source=words words | md5sum; sort -c nums || echo unsorted"),
    Case("sort-utf8", "LC_ALL=C.UTF-8 sort -f utf8.txt; LC_ALL=C.UTF-8 wc -m utf8.txt"),
    Case("checksums", "sha256sum words nums data.csv; md5sum words; sha1sum nums; sha512sum data.csv; b2sum words; "
                      "cksum words; sha224sum nums; sha384sum nums; sum words; sha256sum -c sums.txt"),
    Case("wc", "wc words nums data.csv; wc -l < words; cat words nums | wc -w -c"),
    Case("date", "date -d @0 -u; date -u -d '2024-02-29 12:34:56' '+%s %A %j %U %Z'; date -u -d @1700000000 -R; "
                 "date -u -d '@1234567890' --iso-8601=seconds; TZ=UTC date -d '1999-12-31 23:59:59 +0100' +%F.%T"),
    Case("seq", "seq 10; seq 1 7 100 | tr '\\n' ' '; echo; seq -w 0 0.25 2; seq -f '%.3e' 1 3; seq -s, 5 -1 1"),
    Case("text-tools", "cut -d, -f2 data.csv | head -3; tr a-z A-Z < words | head -2; head -c 50 words | od -An -c; "
                       "tail -3 nums; sort words | uniq -c | sort -rn | head -3; paste -d: nums nums | tail -2; "
                       "nl -ba words | tail -2; tac nums | head -2; fold -w 20 words | head -2; "
                       "base64 nums | head -2; base64 -d < nums.b64 | head -2; factor 360 1234567 4294967297; "
                       "expr 7 \\* 6; numfmt --to=iec 1048576 123456789; printf '%s\\n' b a c | sort | comm -3 - sorted3.txt; diff nums sorted3.txt | head -3"),
    Case("xattr", "setfattr -n user.mimic -v hello words && getfattr -d words; cp -a words w2; "
                  "getfattr -n user.mimic --only-values w2; echo; setfattr -x user.mimic w2; getfattr -d w2; "
                  "ln -s words lw; getfattr -h -d lw; echo done"),
    Case("files", "mkdir -p x/y; cp words x/y/w; mv x/y/w x/y/v; ln -s y/v x/l; readlink x/l; stat -c '%s %A %F' x/l "
                  "x/y/v; touch -d '2001-02-03 04:05:06' x/y/v; stat -c '%y %n' x/y/v; chmod 600 x/y/v; "
                  "ls -l --time-style=+%s x/y; rm -r x/y; ls -A x; realpath x/l; du -sb tree | cut -f1; "
                  "split -l 500 words part-; ls part-*; cat part-* | cmp - words && echo same; env -i X=1 env"),
    # grep
    Case("grep", "grep -c ing words; grep -n -w -i 'THE' words | head -3; grep -E '^(ab|cd)[a-z]{2,}e$' words | "
                 "head; grep -o -E '[0-9]+' data.csv | sort -n | tail -2; grep -v -c e words; "
                 "grep -r -l note tree | sort; grep -F -f pats.txt words | wc -l; grep -x nothing words", rc=1),
    Case("grep-pcre", "grep -P '(?<=ab)[a-z]+(?=ng)' words | head -5; grep -P -o '\\b\\w{12,}\\b' words | head -3; "
                      "grep -P -c '^(?:(\\w)(?!\\1))+$' words; LC_ALL=C.UTF-8 grep -P '\\p{Lu}\\p{Ll}+' utf8.txt"),
    # sed
    Case("sed", "sed -E 's/([a-z]+)ing/\\1ed/g; s/^(.)(.*)$/\\U\\1\\E\\2/' words | head -5; "
                "sed -n '/^ab/,/^ac/p' words | head -4; sed -e '1~300!d' -e 'y/abc/XYZ/' words; "
                "sed '$!N; s/\\n/+/' nums | tail -2; cp words w2; sed -i -e '/e/d' w2; wc -l w2; "
                "sed -n -e 'h; s/.*/[&]/; G; p' nums | tail -2"),
    # gawk
    Case("gawk", "gawk -F, '{s[$3]+=$2; n[$3]++} END {PROCINFO[\"sorted_in\"]=\"@ind_str_asc\"; "
                 "for (k in s) printf \"%-8s %10.3f %d\\n\", k, s[k]/n[k], n[k]}' data.csv; "
                 "gawk 'BEGIN {printf \"%.10f %.6e %.4f %.4f %d\\n\", atan2(0,-1), exp(10), sqrt(2), log(10), int(-3.7); "
                 "x=sprintf(\"%c%c\", 72, 105); print x, length(x), toupper(\"mimic\"), substr(\"emulator\", 3, 4); "
                 "n=split(\"a:b:c\", p, \":\"); print n, p[3]; s=\"foo bar foo\"; print gsub(/foo/, \"baz\", s), s; "
                 "print match(\"xxabcxx\", /ab+c/), RSTART, RLENGTH; print strftime(\"%Y-%m-%d %H\", 86400*365, 1); "
                 "print 2^53+1, 1e300*1e10, -0.0, 0.1+0.2; srand(7); r=rand(); print (r >= 0 && r < 1)}'; "
                 "gawk '{w[length($0)]++} END {for (l in w) t+=l*w[l]; print t, NR}' words; "
                 "gawk -M 'BEGIN {print 2^200; print 100/7}'; gawk --version | head -1"),
    # compressors: the same bytes come out of any correct emulator
    Case("xz", "xz -9 -T1 -c big.txt > b.xz; sha256sum b.xz; xz -d -c b.xz | sha256sum; xz -l b.xz; "
               "xz -t b.xz && echo ok; xz -6 -T2 -c big.txt > t.xz; xz -dc t.xz | cmp - big.txt && echo mt-ok; "
               "xz -lvv t.xz | grep -c Block; xz -e -c nums | xz -dc | tail -1; xz --format=lzma -c words | "
               "xz -dc | cmp - words && echo lzma-ok"),
    Case("zstd", "zstd -q -19 -c big.txt > b.zst; sha256sum b.zst; zstd -q -d -c b.zst | sha256sum; "
                 "zstd -q -t b.zst && echo ok; zstd -q -3 -T2 -c big.txt | zstd -q -dc | cmp - big.txt && echo mt-ok; "
                 "zstd -l b.zst; zstd -q --long=20 -c words | zstd -q -d --long=20 | md5sum"),
    Case("bzip2", "bzip2 -9 -c big.txt > b.bz2; sha256sum b.bz2; bunzip2 -c b.bz2 | sha256sum; bzip2 -t b.bz2 && "
                  "echo ok; bzip2 -1 -c words | bzip2 -dc | md5sum; cp nums n; bzip2 n; ls n*; bzip2 -d n.bz2; "
                  "cmp n nums && echo same"),
    # sqlite3
    Case("sqlite3", "sqlite3 :memory: \"create table t(i integer primary key, x real, s text); "
                    "with recursive c(n) as (select 1 union all select n+1 from c where n < 10000) "
                    "insert into t select n, n*0.5, printf('row%05d', n) from c; "
                    "select count(*), sum(i), printf('%.4f', avg(x)), min(s), max(s) from t; "
                    "select i % 7 as k, count(*), printf('%.3e', sum(x*x)) from t group by k order by k; "
                    "select printf('%.15g %.3f %e', 1.0/3, pi_approx, 1e-300*1e-10) from (select 355.0/113 as pi_approx); "
                    "select group_concat(s, ',') from (select s from t where i % 2500 = 0); "
                    "select length(randomblob(8)), typeof(1), typeof(1.5), upper('abc'), length('héllo');\"; "
                    "printf 'create table a(k text, v int);\\ninsert into a values (\"x\", 1), (\"y\", 2);\\n"
                    ".mode csv\\nselect * from a;\\n.schema\\n' | sqlite3 file.db; "
                    "sqlite3 file.db 'pragma journal_mode=wal; insert into a values (\"z\", 3); "
                    "select sum(v) from a; pragma integrity_check;'; ls file.db*"),
    # lua
    Case("lua", "lua5.4 -e 'local t = {} for i = 1, 2000 do t[i] = (i * 7919) % 1000 end table.sort(t) "
                "print(t[1], t[1000], t[2000], #t) print(string.format(\"%5.2f|%-6s|%x|%q\", math.pi, \"ab\", 255, \"a\\nb\")) "
                "print(math.sqrt(2), math.sin(1), math.floor(-2.5), 7 // 2, 7 % -3, 2^53, math.maxinteger, 1/0, "
                "math.type(1), math.type(1.0), 3 | 5, ~0 >> 60) "
                "local s = (\"hello world from lua\"):gsub(\"(%w+)\", \"<%1>\") print(s) "
                "for k, v in string.gmatch(\"a=1, b=2\", \"(%w+)=(%w+)\") do io.write(k, v, \" \") end print() "
                "local co = coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i * i) end end) "
                "print(co(), co(), co()) print(utf8.char(72, 233, 8364), utf8.len(\"h\\u{e9}\")) "
                "print(os.time{year=2020, month=1, day=1, hour=12}, os.date(\"!%Y-%m-%d\", 0)) "
                "print(select(\"#\", table.unpack({1, 2, 3})), tostring(nil), tonumber(\"0x10\"), tonumber(\"1e2\")) "
                "local ok, err = pcall(error, {code = 42}) print(ok, err.code) "
                "print(string.rep(\"ab\", 3, \",\"), (\"x\"):byte(), #string.pack(\"i4d\", 1, 2.0))'; "
                "printf 'local n = 0\\nfor line in io.lines(\"words\") do n = n + #line end\\nprint(n)\\n"
                "os.exit(3)\\n' > s.lua; lua5.4 s.lua", rc=3),
    # 7-Zip (7z a/x/t/l; the benchmark only as a smoke run: its timings differ every run)
    Case("7z", "7z a -bd -mx=5 -mmt=1 a.7z tree words > a.out; grep -E '^(Add|Files|Archive size|Everything)' a.out; "
               "7z t -bd a.7z | grep -E '^(Files|Size|Compressed|Everything)'; mkdir out; 7z x -bd -oout a.7z > /dev/null; "
               "cmp out/words words && echo words-ok; ls -lR --time-style=+%s out | sed 1d; "
               "7z l -slt a.7z | sed -n '/^----------$/,$p' | grep -E '^(Path|Size|Modified|Method) = ' | sort | uniq -c | sort -k2 | head -20; "
               "7z a -bd -tzip z.zip nums > /dev/null; 7z l z.zip | tail -1"),
    # (32-bit Arm takes about 3 minutes for it under mimic on a loaded 2-core machine)
    Case("7z-bench", "7z b 1 -mmt1 -md16 > bench.out; echo rc=$?; grep -c -E '^(Tot|Avr):' bench.out", stderr=False,
         oracle=False, expect="rc=0\n2\n", timeout=480),
    # file (libmagic and its compiled database)
    Case("file", "file elf-host elf-guest elf-aarch64 elf-riscv64 data.gz image.png words script.sh empty tree "
                 "tree/link big.txt.bz2; file -b --mime-type data.gz image.png words elf-guest; "
                 "file -z data.gz; file -b -i words"),
    Case("file-missing", "file nothing; file -E nothing", rc=1),
    # threads: parallel sort with temporary files, multi-threaded 7-Zip and xz
    Case("threads", "sort --parallel=2 -S 64K -T . big.txt | md5sum; sort -n --parallel=2 -S 100K nums | tail -1; "
                    "7z a -bd -mmt=2 -mx=5 t.7z big.txt | grep -c '^Everything is Ok'; 7z t -bd t.7z | tail -3; "
                    "xz -T2 -4 -c big.txt | xz -T2 -dc | md5sum"),
    # what a guest sees of itself and of its root (-L)
    Case("proc-self", "stat -c %F /proc/self/exe; readlink /proc/self/exe | sed 's|.*/usr/||'; "
                      "cat /proc/self/cmdline | tr '\\0' ' ' | sed 's|^.*/usr/||'; echo; nproc; "
                      "ls -d /proc/self/fd/. && echo fd-ok; readlink /bin /lib; "
                      "find /usr/lib -maxdepth 2 -name libc.so.6 | sed 's|.*/||'; uname -m"),
    # Debian's dash runs the pipelines and execs the commands (mimic-only exec of guest programs)
    Case("dash", "for f in words nums data.csv; do printf '%s ' $f; wc -l < $f; done; "
                 "seq 1 2000 | sort -rn | head -3 | tr '\\n' ' '; echo; x=$(grep -c ing words); echo count=$x; "
                 "find tree -type f | sort; find tree -name '*.txt' -exec wc -c {} \\; ; "
                 "echo a b c | xargs -n 1 | sort -r; sh -c 'exit 7'; echo rc=$?; timeout 5 sleep 0.1; "
                 "echo timeout=$?; timeout -s KILL 0.5 sleep 5; echo killed=$?; yes | head -2; uname -m; "
                 "gawk 'BEGIN { while ((\"seq 3\" | getline l) > 0) s += l; print s; system(\"echo from-system\") }'; "
                 "env -i PATH=/usr/bin:/bin sh -c 'echo env-$((6 * 7))'; printf '%s\\n' x y | tee t.out | wc -l; "
                 "cat t.out", shell="guest"),
    # -chroot: the sysroot is the whole root; the host's own files (its meson) are out of sight,
    # /dev and /proc are the kernel's; a working folder outside the root is left for its top
    Case("chroot-option", "pwd; readlink /proc/self/exe; ls -d /usr/bin/gawk; "
                          "test -e /usr/bin/meson && echo host-files || echo no-host-files; "
                          "echo x > /dev/null && echo devnull-ok; cd /usr/lib && pwd; cat /proc/self/comm; "
                          "sh -c 'readlink /proc/self/exe'",
         shell="chroot", oracle=False,
         expect="/\n/usr/bin/readlink\n/usr/bin/gawk\nno-host-files\ndevnull-ok\n/usr/lib\ncat\n/usr/bin/readlink\n"),
    # debootstrap's second stage (setup_proc in /debootstrap/functions) replaces the first stage's
    # /proc link by a folder, then mounts proc unless the folder already shows files: in a -chroot
    # root the host's /proc is mounted there, and mounts or unmounts of it must not reach the host
    Case("chroot-debootstrap-proc",
         "ls -ld /proc | cut -c1; if [ -L /proc ]; then rm -f /proc; mkdir /proc; fi; ls -ld /proc | cut -c1; "
         "ls / | grep -x proc; ls -A /proc | grep -x self; test -r /proc/self/status && echo status-readable; "
         "mount -t proc proc /proc 2>/dev/null || echo mount-refused; "
         "umount /proc 2>/dev/null || echo umount-refused; test -r /proc/1/status && echo still-mounted; "
         "cd /proc/self/../..; pwd; test -e /proc/../usr/bin/meson && echo host-usr || echo root-usr",
         shell="rootcopy", oracle=False,
         expect="l\nd\nproc\nself\nstatus-readable\nmount-refused\numount-refused\nstill-mounted\n/\nroot-usr\n"),
    # A pseudo-terminal in a root with debootstrap's /dev: the host's devpts serves /dev/ptmx and
    # /dev/pts (a ptmx node with no devpts beside it fails with ENODEV: apt's "Can not write log")
    Case("chroot-devpts", "echo x > /dev/null && echo null-ok; python3 -c 'import os; m, s = os.openpty(); "
                          "print(os.ttyname(s).startswith(\"/dev/pts/\"))'",
         shell="rootcopy", oracle=False, expect="null-ok\nTrue\n"),
    # Relative paths in a root walk inside it: ".." at the top stays there, from the working folder
    # and from a dirfd, and an absolute symlink met on a relative path resolves in the root (the
    # expected lines are what the x86 kernel's chroot(8) printed for the same script and C program;
    # before, ".." reached the folder holding the root, whose "words" the test made)
    Case("chroot-dotdot",
         "echo inroot > /marker-root; ln -sf /marker-root /tmp/mlink; cd /; "
         "test -e ../words && echo escaped || echo confined; "
         "cd /tmp && (test -e ../../words && echo escaped2 || echo confined2); cat mlink; "
         "python3 -c \"import os\nd = os.open('/tmp', os.O_RDONLY)\ntry:\n    os.stat('../../words', dir_fd=d); "
         "print('dirfd-escaped')\nexcept FileNotFoundError:\n    print('dirfd-confined')\n"
         "print('dirfd-' + open(os.open('mlink', os.O_RDONLY, dir_fd=d)).read().strip())\"",
         shell="rootcopy", oracle=False, expect="confined\nconfined2\ninroot\ndirfd-confined\ndirfd-inroot\n"),
    # procfs's magic links name files as seen from the root (the expected lines are what the x86
    # kernel's chroot(8) printed for the same script); before, they named the host's path, and
    # systemd's postinst failed: "Failed to write /etc/machine-id: No such file or directory"
    Case("chroot-proc-links",
         "echo x > /tmp/f; exec 3< /tmp/f; readlink /proc/self/fd/3; readlink /proc/self/root; "
         "cd /tmp && readlink /proc/self/cwd; cd /proc/self && readlink fd/3",
         shell="rootcopy", oracle=False, expect="/tmp/f\n/\n/tmp\n/tmp/f\n"),
    # A "#!" script as the program: its interpreter comes from the root, with the argv Linux's
    # binfmt_script builds (the host kernel and dash print the same for the same script)
    Case("chroot-script-argv", "tr '\\0' ' ' < /proc/$$/cmdline; echo; echo \"$0|$1|$2|$#\"; "
                               "printf '#!/tmp/case.sh\\n' > /tmp/nested; chmod +x /tmp/nested; "
                               "[ -n \"$NESTED\" ] || NESTED=1 /tmp/nested x",
         shell="rootcopy", oracle=False,
         expect="/bin/sh -e /tmp/case.sh a b c \n/tmp/case.sh|a|b c|2\n"
                "/bin/sh -e /tmp/case.sh /tmp/nested x \n/tmp/case.sh|/tmp/nested|x|2\n"),
    # LuaJIT compiles hot loops and traces to machine code at run time (the self-modifying-code
    # path with a real JIT; its FFI calls C)
    Case("luajit", "luajit -e '"
                   "local function fib(n) if n < 2 then return n end return fib(n-1) + fib(n-2) end "
                   "local t = {} for i = 1, 200000 do t[i] = (i * 7919) % 10007 end table.sort(t) "
                   "local s = 0 for i = 1, #t, 7 do s = s + t[i] end "
                   "local ffi = require(\"ffi\") ffi.cdef(\"size_t strlen(const char*);\") "
                   "print(fib(27), s, tonumber(ffi.C.strlen(\"mimic\")), jit.status())'",
         needs=["luajit"]),
]

# Shells, script interpreters and the toolchain a package build uses (scripts in debian-files/).
CASES += [
    Case("bash", "bash script.bash", rc=7),
    Case("perl", "perl script.pl", rc=3),
    Case("python3", "python3 script.py", rc=5),
    Case("tar-gzip", "tar --sort=name --owner=0 --group=0 --numeric-owner -czf t.tgz tree words; gzip -l t.tgz; "
                     "gzip -t t.tgz && echo gz-ok; tar -tvzf t.tgz; mkdir x; tar -xzf t.tgz -C x; "
                     "diff -r tree x/tree && cmp words x/words && echo extracted-same; ls -ln --time-style=+%s x/tree; "
                     "tar -cf - tree | tar -tf - | wc -l; tar -cJf t.txz tree; tar -xJOf t.txz tree/README; "
                     "tar --zstd -cf t.tzst tree; tar --zstd -tf t.tzst | wc -l; "
                     "gzip -9 -c big.txt | sha256sum; gzip -1 -c big.txt | gzip -dc | cmp - big.txt && echo round-trip; "
                     "cp nums n; gzip -v n; gzip -d n.gz; cmp n nums && echo gunzip-ok; gzip -dc data.gz | head -2; "
                     "gzip -dc nothing.gz", rc=1),
    Case("make", "mkdir src; for i in 1 2 3 4 5 6; do seq $i > src/f$i.txt; done; make -j2 -s MAKE=make; "
                 "tr '\\n' ' ' < out/total; echo; make; touch src/f3.txt; make -n MAKE=make; make -j2 fail; echo rc=$?; "
                 "make nothing",
         rc=2, shell="guest"),
    Case("gcc", "B=$(dirname \"$(command -v cc1)\")/; "
                "gcc -B$B --sysroot=$SYSROOT -O2 -Wall -c prog.c -o prog.o && gcc -B$B --sysroot=$SYSROOT -o prog prog.o -lm && "
                "guest-run ./prog arg; echo rc=$?; sha256sum prog.o prog; gcc -B$B -Wall -c bad.c", rc=1,
         needs=["gcc", "cc1", "as", "ld"]),
]

# Guest programs that are not on /usr/bin (7-Zip's /usr/bin/7z is a shell script calling these).
# gcc's own programs (cc1, collect2 ...) get wrappers too: qemu-user cannot exec guest programs, so
# the gcc case points the driver at the wrappers with -B (bookworm: lib/gcc, trixie: libexec/gcc).
EXTRA_PROGRAMS = {"7z": ["usr/lib/p7zip/7z", "usr/lib/7zip/7z"]}
EXTRA_PROGRAMS.update({name: [f"usr/{lib}/gcc/{triple}/{version}/{name}" for lib in ("lib", "libexec")
                              for triple in ("aarch64-linux-gnu", "riscv64-linux-gnu", "arm-linux-gnueabihf", "arm-linux-gnueabi")
                              for version in (12, 14)]
                       for name in ("cc1", "collect2", "lto-wrapper", "lto1")})

# qemu-user runs the CPU mimic models (qemu-aarch64's default "max" CPU has SVE and more; qemu-arm's
# default "any" is an ARMv8 AArch32 CPU with NEON, which mimic's arm guest does not model).
# armel's ARMv5TE code runs on the ARMv6 model (Raspberry Pi OS's baseline), under both emulators.
QEMU_CPU = {"aarch64": "cortex-a72", "arm": "cortex-a15", "armel": "arm1176"}
MIMIC_CPU = {"armel": "arm1176"}
QEMU_PROGRAM = {"armel": "qemu-arm"}
# Cases whose qemu-user run is no oracle on an architecture (the case's own checks still apply).
QEMU_FAILS = {(arch, "perl"): "qemu-arm (7.2) does not find perl-base's List/Util.pm through -L (\"Can't locate "
                              "List/Util.pm in @INC\", exit 2) where mimic and qemu-aarch64 find it"
              for arch in ("arm", "armel")}  # armel and armhf programs are both EM_ARM
ELF_MACHINE = {"aarch64": 183, "riscv64": 243, "arm": 40, "x86_64": 62}


def lcg_words(n, seed=12345):
    """Deterministic pseudo-random lowercase words (some English-like endings for the regexps)."""
    syll = ["ab", "cd", "e", "ing", "the", "ro", "note", "ac", "ly", "st", "qu", "ux", "mi", "mic", "ed", "o"]
    out, x = [], seed
    for _ in range(n):
        w = ""
        x = (x * 1103515245 + 12345) & 0x7FFFFFFF
        for _ in range(1 + (x >> 16) % 5):
            x = (x * 1103515245 + 12345) & 0x7FFFFFFF
            w += syll[(x >> 11) % len(syll)]
        out.append(w)
    return out


def elf_header(machine):
    ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)
    return ident + struct.pack("<HHIQQQIHHHHHH", 2, machine, 1, 0x400000, 64, 0, 0, 64, 56, 0, 64, 0, 0)


def make_fixtures(d, sysroot, guest_elf):
    words = lcg_words(3000)
    with open(os.path.join(d, "words"), "w") as f:
        f.write("\n".join(words) + "\n")
    with open(os.path.join(d, "nums"), "w") as f:
        f.write("".join(f"{(i * 7919) % 10007}\n" for i in range(1, 1201)))
    with open(os.path.join(d, "data.csv"), "w") as f:
        cats = ["red", "green", "blue", "amber"]
        f.write("".join(f"{i},{(i * 37) % 101},{cats[i % 4]}\n" for i in range(1, 401)))
    with open(os.path.join(d, "big.txt"), "w") as f:  # ~280 KB for the compressors
        for i in range(6000):
            f.write(f"{i:06d} {words[i % 3000]} {words[(i * 7) % 3000]} {(i * i) % 99991}\n")
    shutil.copy(os.path.join(d, "big.txt"), os.path.join(d, "big.txt.bz2"))  # `file` looks inside: plain text
    with open(os.path.join(d, "utf8.txt"), "w", encoding="utf-8") as f:
        f.write("Zebra\nÉcole\nangle\nÜber\nçava\nÅngström\nzoo\n")
    with open(os.path.join(d, "pats.txt"), "w") as f:
        f.write("ing\nmic\nqux\n")
    with open(os.path.join(d, "sorted3.txt"), "w") as f:
        f.write("a\nb\nd\n")
    with open(os.path.join(d, "nums.b64"), "w") as f:
        f.write("MTIzCjQ1Ngo=\n")
    import hashlib
    with open(os.path.join(d, "sums.txt"), "w") as f:
        f.write(f"{hashlib.sha256(open(os.path.join(d, 'nums'), 'rb').read()).hexdigest()}  nums\n")
    # A fixed tree: contents, modes and times are set, so `ls -l` and archives are reproducible.
    tree = os.path.join(d, "tree")
    for sub in ("", "docs", "src", "src/deep", "empty"):
        os.makedirs(os.path.join(tree, sub), exist_ok=True)
    files = {"README": "read me\n", "docs/note.txt": "a note\n" * 50, "src/main.c": "int main(void) { return 0; }\n",
             "src/deep/data.bin": "".join(chr(i % 128) for i in range(3000)), "run.sh": "#!/bin/sh\necho note\n"}
    for name, text in files.items():
        with open(os.path.join(tree, name), "w") as f:
            f.write(text)
    os.chmod(os.path.join(tree, "run.sh"), 0o755)
    os.chmod(os.path.join(tree, "README"), 0o644)
    os.symlink("docs/note.txt", os.path.join(tree, "link"))
    stamp = 1_600_000_000
    for root, dirs, names in os.walk(tree, topdown=False):
        for n in names + dirs:
            os.utime(os.path.join(root, n), (stamp, stamp), follow_symlinks=False)
            stamp += 3600
    os.utime(tree, (stamp, stamp))
    # The scripts of the bash, perl, python3, make and gcc cases.
    files = os.path.join(os.path.dirname(os.path.abspath(__file__)), "debian-files")
    for name in os.listdir(files):
        shutil.copy(os.path.join(files, name), os.path.join(d, name))
    # Files for `file`.
    shutil.copy(guest_elf, os.path.join(d, "elf-guest"))
    shutil.copy(sys.executable if os.path.exists(sys.executable) else "/bin/sh", os.path.join(d, "elf-host"))
    for arch, m in ELF_MACHINE.items():
        if arch != "x86_64":
            with open(os.path.join(d, f"elf-{arch}"), "wb") as f:
                f.write(elf_header(m))
    with open(os.path.join(d, "data.gz"), "wb") as f:
        f.write(gzip.compress(b"compressed text\n" * 20, mtime=0))
    with open(os.path.join(d, "image.png"), "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + struct.pack(">IIBBBBB", 640, 480, 8, 6, 0, 0, 0)
                + b"\0\0\0\0")
    with open(os.path.join(d, "script.sh"), "w") as f:
        f.write("#!/bin/sh\necho hello\n")
    open(os.path.join(d, "empty"), "w").close()
    for name in os.listdir(d):  # the fixtures' times too: archives record them
        if name != "tree":
            os.utime(os.path.join(d, name), (1_700_000_000, 1_700_000_000), follow_symlinks=False)


def find_program(sysroot, name):
    for rel in EXTRA_PROGRAMS.get(name, []) + [f"usr/bin/{name}", f"bin/{name}"]:
        p = os.path.join(sysroot, rel)
        if os.path.isfile(p):
            with open(p, "rb") as f:
                if f.read(4) == b"\x7fELF":
                    return p
    return None


def make_wrappers(bindir, sysroot, emulator):
    """One host sh wrapper per guest ELF program: `exec EMULATOR -L SYSROOT SYSROOT/usr/bin/NAME "$@"`."""
    os.makedirs(bindir)
    names = set(EXTRA_PROGRAMS)
    for rel in ("usr/bin", "bin"):
        p = os.path.join(sysroot, rel)
        if os.path.isdir(p) and not os.path.islink(p):
            names.update(os.listdir(p))
    # `guest-run PROGRAM ARGS...` runs a guest program the case has built (gcc's output).
    with open(os.path.join(bindir, "guest-run"), "w") as f:
        f.write(f"#!/bin/sh\nexec {' '.join(emulator)} -L {sysroot} \"$@\"\n")
    os.chmod(os.path.join(bindir, "guest-run"), 0o755)
    count = 0
    for name in sorted(names):
        prog = find_program(sysroot, name)
        if not prog:
            continue
        w = os.path.join(bindir, name)
        with open(w, "w") as f:
            f.write(f"#!/bin/sh\nexec {' '.join(emulator)} -L {sysroot} {prog} \"$@\"\n")
        os.chmod(w, 0o755)
        count += 1
    return count


def run_case(case, who, emulator_bin, top, sysroot, guest_elf, env, mimic):
    scratch = os.path.join(top, f"{who}-{case.name}")
    os.makedirs(scratch)
    make_fixtures(scratch, sysroot, guest_elf)
    start = time.monotonic()
    cmd, path = ["/bin/sh", "-c", case.script], emulator_bin
    if case.shell == "guest" and who == "mimic":
        cmd, path = [mimic, "user", "-L", sysroot, find_program(sysroot, "dash"), "-c", case.script], "/usr/bin:/bin"
    if case.shell == "chroot":
        cmd, path = [mimic, "user", "-chroot", sysroot, "/usr/bin/dash", "-c", case.script], "/usr/bin:/bin"
    if case.shell == "rootcopy":
        root = os.path.join(scratch, "root")
        subprocess.run(["cp", "-al", sysroot, root], check=True)
        if not os.path.lexists(os.path.join(root, "proc")):
            os.symlink("/proc", os.path.join(root, "proc"))
        # debootstrap's /dev: device nodes of its own, /dev/pts an empty folder (root only)
        os.makedirs(os.path.join(root, "dev", "pts"), exist_ok=True)
        if os.geteuid() == 0:
            for name, major, minor in [("null", 1, 3), ("ptmx", 5, 2)]:
                os.mknod(os.path.join(root, "dev", name), 0o666 | stat.S_IFCHR, os.makedev(major, minor))
        os.makedirs(os.path.join(root, "tmp"), exist_ok=True)
        with open(os.path.join(root, "tmp", "case.sh"), "w") as f:
            f.write("#!/bin/sh -e\n" + case.script + "\n")
        os.chmod(os.path.join(root, "tmp", "case.sh"), 0o755)
        cmd, path = [mimic, "user", "-chroot", root, "/tmp/case.sh", "a", "b c"], "/usr/bin:/bin"
    try:
        p = subprocess.run(cmd, cwd=scratch, env=dict(env, PATH=path, SYSROOT=sysroot), capture_output=True,
                           timeout=case.timeout)
        rc, out, err = p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")
    except subprocess.TimeoutExpired as e:
        rc, out, err = "timeout", (e.stdout or b"").decode(errors="replace"), (e.stderr or b"").decode(errors="replace")
    elapsed = time.monotonic() - start
    out, err = out.replace(scratch, "$SCRATCH"), err.replace(scratch, "$SCRATCH")
    shutil.rmtree(scratch, ignore_errors=True)
    return rc, out, err, elapsed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mimic", required=True)
    ap.add_argument("--arch", default="aarch64", choices=["aarch64", "riscv64", "arm", "armel"])
    ap.add_argument("--sysroot", required=True)
    ap.add_argument("--qemu", default=None)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("-v", "--verbose", action="store_true", help="print both outputs of failing cases in full")
    ap.add_argument("names", nargs="*")
    args = ap.parse_args()
    mimic = os.path.abspath(args.mimic)
    sysroot = os.path.abspath(args.sysroot)
    guest_elf = find_program(sysroot, "ls")
    if not guest_elf:
        print(f"SKIP: no Debian userland in {sysroot} (run_debian.sh fetches it)")
        return 77
    qemu = args.qemu or shutil.which(QEMU_PROGRAM.get(args.arch, f"qemu-{args.arch}"))
    cases = [c for c in CASES if not args.names or c.name in args.names]
    skipped = [c for c in cases if not all(find_program(sysroot, n) for n in c.needs)]
    for c in skipped:
        print(f"skip  {c.name}: the sysroot has no {', '.join(n for n in c.needs if not find_program(sysroot, n))} "
              "(run_debian.sh fetches gcc with MIMIC_TEST_GCC=1, LuaJIT where Debian builds it)")
    cases = [c for c in cases if c not in skipped]
    top = tempfile.mkdtemp(prefix="mimic-debian-")
    env = {"LC_ALL": "C", "TZ": "UTC", "HOME": os.path.join(top, "home"), "TMPDIR": os.path.join(top, "tmp")}
    if args.arch in MIMIC_CPU:  # every mimic of the run, the guest shells' and execve's too
        env["MIMIC_CPU"] = MIMIC_CPU[args.arch]
    os.makedirs(env["HOME"])
    os.makedirs(env["TMPDIR"])
    emulators = {"mimic": [mimic, "user"]}
    if qemu:
        emulators["qemu"] = [qemu] + (["-cpu", QEMU_CPU[args.arch]] if args.arch in QEMU_CPU else [])
    bins = {}
    for who, cmd in emulators.items():
        bins[who] = os.path.join(top, f"bin-{who}")
        n = make_wrappers(bins[who], sysroot, cmd)
    print(f"{n} guest programs from {sysroot}; oracle: {qemu or 'none (qemu-' + args.arch + ' not installed)'}")
    results = {}
    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = {(c.name, who): pool.submit(run_case, c, who, bins[who], top, sysroot, guest_elf, env, mimic)
                   for c in cases for who in emulators
                   if who == "mimic" or (c.oracle and (args.arch, c.name) not in QEMU_FAILS)}
        for key, fut in futures.items():
            results[key] = fut.result()
    shutil.rmtree(top, ignore_errors=True)
    passed = failed = xfailed = 0
    for c in cases:
        rc, out, err, t_m = results[(c.name, "mimic")]
        q = results.get((c.name, "qemu"))
        problems = []
        times = f"mimic {t_m:.1f}s" + (f", qemu {q[3]:.1f}s" if q else "")
        if (args.arch, c.name) in QEMU_FAILS:
            times += f"; no oracle: {QEMU_FAILS[(args.arch, c.name)]}"
        if q:
            if q[0] != c.rc:
                problems.append(f"the oracle exits {q[0]}, the case expects {c.rc}: qemu stderr={q[2][-300:]!r}")
            if rc != q[0]:
                problems.append(f"exit status {rc}, qemu {q[0]}")
            if out != q[1]:
                problems.append("stdout differs")
            if c.stderr and err != q[2]:
                problems.append("stderr differs")
        elif rc != c.rc:
            problems.append(f"exit status {rc}, expected {c.rc}")
        if c.expect is not None and out != c.expect:
            problems.append(f"stdout {out[-300:]!r}, expected {c.expect!r}")
        reason = c.xfail.get(args.arch)
        if problems and reason:
            xfailed += 1
            print(f"XFAIL {c.name} ({times}): {reason}")
            continue
        if not problems:
            passed += 1
            print(f"ok    {c.name} ({times})" + (f"  [XPASS: marked expected-fail: {reason}]" if reason else ""))
            continue
        failed += 1
        print(f"FAIL  {c.name} ({times}): " + "; ".join(problems))
        show = (lambda s: s) if args.verbose else (lambda s: s[-1500:])
        if q:
            for label, a, b in (("stdout", out, q[1]), ("stderr", err, q[2])):
                if a != b:
                    diff = "".join(difflib.unified_diff(b.splitlines(True), a.splitlines(True), "qemu", "mimic", n=1))
                    print(f"  {label} diff (qemu -> mimic):\n" + "\n".join("    " + l for l in show(diff).splitlines()))
        else:
            print(f"  stdout={show(out)!r}\n  stderr={show(err)!r}")
    print(f"debian {args.arch}: {passed} passed, {failed} failed, {xfailed} expected failures, {len(skipped)} skipped "
          f"({time.monotonic() - t0:.0f}s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
