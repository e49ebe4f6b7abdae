#!/usr/bin/env bash
# Fetches Debian's busybox-static for ARCH (once, cached in SYSROOT) and runs busybox_test.py.
# run_busybox.sh MIMIC ARCH SUITE SYSROOT
set -euo pipefail
mimic=$1 arch=$2 suite=$3 sysroot=$4
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -x "$sysroot/usr/bin/busybox" ] && [ ! -x "$sysroot/bin/busybox" ]; then
  debian_arch=$arch
  [ "$arch" = aarch64 ] && debian_arch=arm64
  [ "$arch" = arm ] && debian_arch=armhf
  if ! "$here/../../scripts/fetch-debian-debs.sh" "$debian_arch" "$suite" "$sysroot" busybox-static; then
    echo "SKIP: could not fetch Debian $suite $debian_arch busybox-static"
    exit 77
  fi
fi
exec python3 "$here/busybox_test.py" --mimic "$mimic" --arch "$arch" --sysroot "$sysroot"
