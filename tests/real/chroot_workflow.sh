#!/usr/bin/env bash
# A foreign Debian chroot as people use qemu-user for one: debootstrap --foreign, the second stage
# entered both ways (binfmt_misc with chroot(8), and `mimic user -chroot`), apt-get install inside
# it, a Debian source package built with dpkg-buildpackage and its program run. The same steps
# under qemu-user-static (when it can be had) give the times to compare with.
#
# chroot_workflow.sh MIMIC ARCH SUITE WORKDIR [STEPS]
#   ARCH   arm64 | riscv64 (Debian's names); SUITE bookworm | trixie (riscv64 needs trixie)
#   STEPS  comma-separated, default all: stage1,binfmt,chroot,qemu,apt,pkg,build
#          (pkg: a small source package made here, built with build-essential only; build: GNU hello
#          with apt-get build-dep and apt-get source; reuse: keep a mode's root whose second stage
#          finished in an earlier run, for the later steps of a slow run)
# Needs MIMIC_TEST_CHROOT=1 (slow: see docs/linux-user.md for the times; with CI=true and no STEPS
# the arm64 run does stage1,chroot,apt,pkg), root and debootstrap;
# binfmt_misc for the binfmt and qemu steps (skipped where it cannot be mounted). The mirror is the
# one the machine's own apt sources name. Exit status: 0 passed, 1 failed, 77 skipped.
set -uo pipefail
mimic=$(realpath "$1") arch=$2 suite=$3 work=$(realpath -m "$4")
steps=${5:-stage1,binfmt,chroot,qemu,apt,pkg,build}
if [ "${MIMIC_TEST_CHROOT:-0}" != 1 ]; then
  # CI runs the arm64 workflow both ways with the small package: the binfmt way with a static mimic
  # built here from the shared build's objects (ccache; below), then the -chroot way. GNU hello's
  # build (its configure alone is hundreds of guest gcc runs), qemu-user-static's runs and riscv64
  # need MIMIC_TEST_CHROOT=1. What the binfmt way adds to CI, measured on the 2-core machine at
  # load 30 (December 2026): 38 s for build-static/ (configure, ccache hits, one static link), then
  # second stage 638 s (CPU 102 s), apt-get install 139 s (CPU 21 s), small package 367 s (CPU
  # 51 s): about 3 minutes of CPU, so 4 to 5 minutes on CI's quiet 2 cores next to its ~20.
  if [ "${CI:-}" = true ] && [ "$arch" = arm64 ] && [ -z "${5:-}" ]; then
    steps=stage1,binfmt,chroot,apt,pkg
    echo "CI: debootstrap --foreign; then under binfmt_misc with chroot(8) and under mimic user -chroot:" \
      "the second stage, apt-get install, dpkg-buildpackage -b of a small package made here, its program run;" \
      "SKIPPED: GNU hello's build and qemu-user-static's runs (MIMIC_TEST_CHROOT=1 runs them)"
  else
    echo "SKIP: set MIMIC_TEST_CHROOT=1 to run the chroot workflow (CI runs a part of it for arm64)"
    exit 77
  fi
fi
[ "$(id -u)" = 0 ] || { echo "SKIP: debootstrap and chroot need root"; exit 77; }
command -v debootstrap > /dev/null || { echo "SKIP: debootstrap is not installed (apt-get install debootstrap)"; exit 77; }
has() { [[ ",$steps," == *",$1,"* ]]; }

# The mirror from the machine's apt sources (deb822 URIs: lines, else a one-line "deb" entry).
mirror=$(awk '/^URIs:/ && $2 ~ /debian\/?$/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2> /dev/null)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $0 !~ /security/ {for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) {print $i; exit}}' \
  /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2> /dev/null)
[ -n "$mirror" ] || { echo "SKIP: no Debian mirror in /etc/apt/sources.list*"; exit 77; }
case $arch in arm64) magic_machine='\xb7\x00' uname_m=aarch64 ;; riscv64) magic_machine='\xf3\x00' uname_m=riscv64 ;;
  *) echo "bad ARCH $arch"; exit 2 ;; esac

mkdir -p "$work"
failures=0 entries=()
log() { printf '%s\n' "$*" | tee -a "$work/summary.txt"; }
fail() { log "FAIL: $*"; failures=$((failures + 1)); }
cleanup() {
  for e in "${entries[@]}"; do [ -n "$e" ] && [ -e "/proc/sys/fs/binfmt_misc/$e" ] && echo -1 > "/proc/sys/fs/binfmt_misc/$e"; done
  # Whatever a failed second stage left mounted inside the roots (never the host's own).
  unmount_under "$work"
}
trap cleanup EXIT
: > "$work/summary.txt"

# cpu= the CPU seconds of this shell's waited-for children (user + system; bash's `times`, which
# must run in this shell: a subshell's children are its own).
children_cpu() {
  times > "$work/.times"
  cpu=$(awk 'NR == 2 {t = 0; for (i = 1; i <= 2; i++) {split($i, a, /[ms]/); t += a[1] * 60 + a[2]} printf "%.0f", t}' \
    "$work/.times")
}
# Times a step: run NAME LOGFILE COMMAND...; records "NAME: SECONDS s (status N, CPU C s)". The CPU
# time is what the step costs a quiet machine (its wall time there lies between CPU/cores and CPU).
run() {
  local name=$1 logf=$2
  shift 2
  local t0=$SECONDS cpu c0
  children_cpu
  c0=$cpu
  "$@" > "$logf" 2>&1
  local rc=$?
  children_cpu
  log "$name: $((SECONDS - t0)) s (status $rc, CPU $((cpu - c0)) s)"
  [ $rc = 0 ] || { tail -n 15 "$logf"; fail "$name (log: $logf)"; }
  return $rc
}

# The host's /etc and /usr before: nothing of the workflow may touch them.
host_state() { find /etc /usr -xdev \( -type f -o -type l \) -printf '%p %s %T@\n' 2> /dev/null | sort; }
host_state > "$work/host-before.txt"

stage1=$work/stage1-$arch-$suite.tar
if has stage1 || [ ! -f "$stage1" ]; then
  rm -rf "$work/stage1"
  run "debootstrap --foreign $arch $suite" "$work/stage1.log" debootstrap --foreign --arch="$arch" --variant=minbase \
    --keyring=/usr/share/keyrings/debian-archive-keyring.gpg "$suite" "$work/stage1" "$mirror" || exit 1
  tar -C "$work/stage1" -cf "$stage1" . && rm -rf "$work/stage1"
fi
unmount_under() {  # the mounts below $1, deepest first
  { grep -o " $1/[^ ]*" /proc/mounts || true; } | sort -r | while read -r m; do umount -l "$m"; done
}
# --one-file-system: a root whose /dev is still the host's (bind-mounted) must never empty it.
fresh() { unmount_under "$1" && rm -rf --one-file-system "$1" && mkdir -p "$1" && tar -C "$1" -xf "$stage1"; }

binfmt_ok=0
if [ -e /proc/sys/fs/binfmt_misc/register ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2> /dev/null; then
  binfmt_ok=1
else
  # A container without CAP_SYS_ADMIN: said in the summary, never passed in silence.
  has binfmt && log "SKIPPED: the binfmt_misc way (binfmt_misc is not mounted and cannot be mounted here)"
  has qemu && log "SKIPPED: qemu-user-static's runs (binfmt_misc cannot be mounted here)"
fi
# binfmt_misc's F flag opens the interpreter when the entry is registered, so it works inside the
# chroot; a dynamically linked mimic would still need the host's loader and libraries there, which
# the root's own packages remove (usr-is-merged's postinst drops a /lib64 it does not own). The
# binfmt way therefore runs a static mimic (-Dstatic=true): MIMIC itself if it is one, else
# $MIMIC_STATIC, else the source tree's build-static/ (brought up to date), else one built here.
static_mimic() {
  is_static() { [ -x "$1" ] && readelf -l "$1" 2> /dev/null | grep -q 'LOAD' && ! readelf -l "$1" | grep -q 'INTERP'; }
  if is_static "$mimic"; then echo "$mimic"; return; fi
  if [ -n "${MIMIC_STATIC:-}" ]; then
    is_static "$MIMIC_STATIC" && realpath "$MIMIC_STATIC" && return
    echo "MIMIC_STATIC=$MIMIC_STATIC is not a statically linked program" >&2; return 1
  fi
  # build-static/ beside build/: the same relative paths on the compiler's command lines, so that
  # ccache (with CCACHE_NOHASHDIR, which scripts/test.sh sets for both) serves every object but
  # tcg/fmt_static.cpp from the shared build's and only the mimic target is linked (CI: 10 s).
  local src dir
  src=$(realpath "$(dirname "$0")/../..")
  dir=$src/build-static
  [ -f "$dir/build.ninja" ] || [ -w "$src" ] || dir=$work/build-static
  export CCACHE_NOHASHDIR=true
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" "$src" -Dstatic=true --buildtype=debugoptimized > "$work/build-static.log" 2>&1 || return 1
  fi
  nice ninja -C "$dir" mimic >> "$work/build-static.log" 2>&1 && is_static "$dir/mimic" && echo "$dir/mimic"
}
register() {  # register NAME INTERPRETER FLAGS
  local name=$1-$$
  printf ':%s:M::\\x7fELF\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00%s:\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff:%s:%s' \
    "$name" "$magic_machine" "$2" "$3" > /proc/sys/fs/binfmt_misc/register || return 1
  entries+=("$name")
}
unregister() { echo -1 > "/proc/sys/fs/binfmt_misc/$1-$$" && entries=("${entries[@]/$1-$$/}"); }

# In the root: apt-get install of a few packages, then a package build. hello's source comes with
# apt-get source (a deb-src line for the same mirror and suite), its build dependencies with
# apt-get build-dep.
inside_apt='set -e; export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 PATH=/usr/sbin:/usr/bin:/sbin:/bin
  sed -n "s/^deb /deb-src /p" /etc/apt/sources.list > /etc/apt/sources.list.d/src.list
  apt-get update -q; apt-get install -y -q --no-install-recommends xz-utils file bc; file --version | head -1
  echo "2^64" | bc; xz --version | head -1'
# The mirror may lack a file its own Sources index names (trixie's hello_2.10-5.debian.tar.xz
# answered 404): then bookworm's hello source is built instead, and the log says so.
inside_build='set -e; export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 PATH=/usr/sbin:/usr/bin:/sbin:/bin
  apt-get build-dep -y -q hello; mkdir -p /build; cd /build; rm -rf hello*
  if ! apt-get source -q hello; then
    echo "NOTE: the mirror lacks this suite'"'"'s hello source files: building bookworm'"'"'s hello instead"
    sed -n "s/^deb \([^ ]*\) [^ ]* \(.*\)/deb-src \1 bookworm \2/p" /etc/apt/sources.list > /etc/apt/sources.list.d/bookworm-src.list
    apt-get update -q; rm -rf hello*; apt-get source -q hello/bookworm; apt-get build-dep -y -q ./hello-*/
  fi
  cd hello-*/; dpkg-buildpackage -b -uc -us; cd ..; dpkg -i hello_*.deb; hello; hello -g mimic'

# A small source package with a dh-less debian/rules: dpkg-buildpackage -b needs build-essential
# only, yet runs what a real build runs (dpkg-checkbuilddeps, dpkg-buildflags, gcc and ld, the
# built program in the package's check, dpkg-shlibdeps, dpkg-gencontrol, dpkg-deb, dpkg -i).
make_small_package() {  # make_small_package ROOT
  local src=$1/build/mimic-greet
  rm -rf "$1/build" && mkdir -p "$src/debian/source"
  cat > "$src/greet.c" << 'END'
#include <stdio.h>
#include <sys/utsname.h>

int main(int argc, char** argv) {
  struct utsname u;
  if (uname(&u) != 0) return 1;
  unsigned long long f = 1;
  for (int i = 2; i <= 20; i++) f *= i;
  printf("greet from %s: %s, 20! = %llu\n", u.machine, argc > 1 ? argv[1] : "hello", f);
  return 0;
}
END
  printf '3.0 (native)\n' > "$src/debian/source/format"
  cat > "$src/debian/changelog" << 'END'
mimic-greet (1.0) unstable; urgency=medium

  * Made by mimic's tests/real/chroot_workflow.sh.

 -- mimic tests <tests@mimic.invalid>  Wed, 02 Dec 2026 00:00:00 +0000
END
  cat > "$src/debian/control" << 'END'
Source: mimic-greet
Section: misc
Priority: optional
Maintainer: mimic tests <tests@mimic.invalid>
Standards-Version: 4.6.2
Rules-Requires-Root: no

Package: mimic-greet
Architecture: any
Depends: ${shlibs:Depends}, ${misc:Depends}
Description: greeting built by mimic's chroot workflow test
 A C program built with dpkg-buildpackage inside a foreign chroot.
END
  printf '%s\n' '#!/usr/bin/make -f' 'build build-arch:' \
    '	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o greet greet.c' \
    '	./greet check | grep -q "^greet from .*: check, 20! = 2432902008176640000$$"' \
    'build-indep:' 'binary binary-arch: build' \
    '	rm -rf debian/tmp' '	install -D -m 0755 greet debian/tmp/usr/bin/mimic-greet' \
    '	dpkg-shlibdeps -Tdebian/substvars debian/tmp/usr/bin/mimic-greet' \
    '	mkdir -p debian/tmp/DEBIAN' '	dpkg-gencontrol -pmimic-greet -Pdebian/tmp' \
    '	dpkg-deb --build debian/tmp ..' 'binary-indep:' \
    'clean:' '	rm -rf greet debian/tmp debian/substvars debian/files' \
    '.PHONY: build build-arch build-indep binary binary-arch binary-indep clean' > "$src/debian/rules"
  chmod +x "$src/debian/rules"
}
inside_pkg='set -e; export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 PATH=/usr/sbin:/usr/bin:/sbin:/bin
  apt-get install -y -q --no-install-recommends build-essential; cd /build/mimic-greet
  dpkg-buildpackage -b -uc -us; cd ..; dpkg -i mimic-greet_1.0_*.deb; dpkg -s mimic-greet | grep ^Depends
  mimic-greet; mimic-greet world'

# ROOT MODE (binfmt|chroot|qemu): the commands run inside ROOT.
in_root() {
  local root=$1 mode=$2
  shift 2
  if [ "$mode" = chroot ]; then
    "$mimic" user -chroot "$root" "$@"
  else
    chroot "$root" "$@"
  fi
}
# in_root with the host's /proc, /sys, /dev and /dev/pts mounted inside, as schroot and pbuilder
# do (without /dev/pts, apt's and dpkg's posix_openpt answer ENODEV under any emulator); the
# second stage and apt-get run without them (debootstrap mounts its own /proc for a while).
in_root_mounted() {
  local root=$1 rc
  mount -t proc proc "$root/proc" && mount -t sysfs sysfs "$root/sys" && mount --bind /dev "$root/dev" &&
    mount --bind /dev/pts "$root/dev/pts" || {
    unmount_under "$root"
    return 1
  }
  in_root "$@"
  rc=$?
  unmount_under "$root"
  return $rc
}
workflow() {  # workflow MODE ROOT
  local mode=$1 root=$2 enter=in_root
  if has reuse && [ -f "$root/var/lib/dpkg/status" ] && [ ! -e "$root/debootstrap" ]; then
    log "$mode: reusing $root (its second stage finished before)"
  else
    fresh "$root"
    run "$mode: second stage" "$work/$mode-second-stage.log" in_root "$root" "$mode" /debootstrap/debootstrap --second-stage \
      || return 1
    [ -e "$root/debootstrap" ] && fail "$mode: /debootstrap left behind (the second stage did not finish)"
  fi
  if has apt; then
    run "$mode: apt-get install" "$work/$mode-apt.log" in_root "$root" "$mode" /bin/sh -c "$inside_apt" || return 1
    grep -q '^18446744073709551616$' "$work/$mode-apt.log" || fail "$mode: bc printed no 2^64"
  fi
  if has pkg; then
    make_small_package "$root"
    # Under chroot(8), the package builds run with /proc, /sys and /dev mounted (the steps before
    # ran without them); -chroot gives the host's own.
    [ "$mode" = chroot ] || enter=in_root_mounted
    run "$mode: dpkg-buildpackage small package" "$work/$mode-pkg.log" $enter "$root" "$mode" /bin/sh -c "$inside_pkg" \
      || return 1
    grep -q '^Depends: libc6' "$work/$mode-pkg.log" || fail "$mode: dpkg-shlibdeps found no libc6 dependency"
    grep -q "^greet from $uname_m: world, 20! = 2432902008176640000$" "$work/$mode-pkg.log" \
      || fail "$mode: the installed mimic-greet did not print its greeting"
  fi
  if has build; then
    [ "$mode" = chroot ] || enter=in_root_mounted
    run "$mode: dpkg-buildpackage hello" "$work/$mode-build.log" $enter "$root" "$mode" /bin/sh -c "$inside_build" || return 1
    grep '^NOTE:' "$work/$mode-build.log" | while read -r note; do log "$mode: $note"; done
    grep -q '^Hello, world!$' "$work/$mode-build.log" || fail "$mode: the built hello did not greet the world"
    grep -q '^mimic$' "$work/$mode-build.log" || fail "$mode: hello -g mimic did not print its greeting"
  fi
}

if has binfmt && [ $binfmt_ok = 1 ]; then
  barch=$([ "$arch" = arm64 ] && echo aarch64 || echo riscv64)
  t0=$SECONDS
  if ! smimic=$(static_mimic); then
    tail -n 15 "$work/build-static.log" 2> /dev/null
    fail "binfmt: no static mimic (-Dstatic=true) could be found or built (log: $work/build-static.log)"
  elif "$smimic" binfmt install --prefix "mimic-wf-$$" --arch "$barch" > /dev/null; then
    log "binfmt: static mimic $smimic ($((SECONDS - t0)) s to find or build)"
    entries+=("mimic-wf-$$-$barch")
    workflow binfmt "$work/root-binfmt"
    "$smimic" binfmt uninstall --prefix "mimic-wf-$$" --arch "$barch" > /dev/null
  else
    fail "binfmt: mimic binfmt install failed"
  fi
fi
has chroot && workflow chroot "$work/root-chroot"
if has qemu && [ $binfmt_ok = 1 ]; then
  qemu=$(command -v "qemu-$( [ "$arch" = arm64 ] && echo aarch64 || echo riscv64)-static" || true)
  if [ -z "$qemu" ]; then  # Debian's package, unpacked (not installed: its binfmt set-up would be the host's)
    qdir=$work/qemu-user-static
    if ! ls "$qdir"/usr/bin/qemu-*-static > /dev/null 2>&1; then
      mkdir -p "$qdir" && (cd "$qdir" && apt-get download -q qemu-user-static > /dev/null 2>&1 &&
        dpkg-deb -x qemu-user-static_*.deb .)
    fi
    qemu=$(ls "$qdir"/usr/bin/qemu-"$( [ "$arch" = arm64 ] && echo aarch64 || echo riscv64)"-static 2> /dev/null)
  fi
  if [ -n "$qemu" ] && register qemu-wf "$qemu" POCF; then
    workflow qemu "$work/root-qemu"
    unregister qemu-wf
  else
    log "qemu: no qemu-user-static to compare with"
  fi
fi

host_state > "$work/host-after.txt"
if ! diff -q "$work/host-before.txt" "$work/host-after.txt" > /dev/null; then
  diff "$work/host-before.txt" "$work/host-after.txt" | head -20
  fail "the host's /etc or /usr changed during the run (other users of the machine may also have changed it)"
fi
log "chroot workflow $arch $suite: $([ $failures = 0 ] && echo ok || echo "$failures failures")"
[ $failures = 0 ]
