#!/usr/bin/env bash
# Fetches a Debian userland for ARCH (once, cached in SYSROOT) and runs debian_test.py on it.
# run_debian.sh MIMIC ARCH SUITE SYSROOT [debian_test.py options...]
# Exits 77 (meson's skip) when the packages cannot be downloaded (no network, mirror down).
set -euo pipefail
mimic=$1 arch=$2 suite=$3 sysroot=$4
shift 4
here=$(cd "$(dirname "$0")" && pwd)
debian_arch=$arch
[ "$arch" = aarch64 ] && debian_arch=arm64

# The programs under test and every library they load (fetch-debian-debs.sh does not resolve
# dependencies; this list is `apt-cache depends --recurse` of the programs, libraries only,
# checked with `readelf -d` on every binary).
programs="coreutils diffutils findutils dash attr grep sed gawk xz-utils zstd bzip2 sqlite3 lua5.4 file"
libs="libc6 libacl1 libattr1 libbz2-1.0 libgcc-s1 libgmp10 liblz4-1 liblzma5 liblua5.4-0 libmagic-mgc libmpfr6
      libpcre2-8-0 libselinux1 libsigsegv2 libsqlite3-0 libstdc++6 libtinfo6 libzstd1 zlib1g"
case $suite in
  bookworm) programs+=" p7zip-full p7zip"; libs+=" gcc-12-base libmagic1 libmd0 libreadline8" ;;
  # trixie's coreutils also links OpenSSL (digests) and libsystemd (who, users); t64 library names.
  *) programs+=" 7zip"; libs+=" gcc-14-base libcap2 libmagic1t64 libreadline8t64 libssl3t64 libsystemd0 libxxhash0" ;;
esac
packages="$programs $libs"
stamp="$sysroot/.debian-test-packages"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$packages" ]; then
  # shellcheck disable=SC2086
  if ! "$here/../../scripts/fetch-debian-debs.sh" "$debian_arch" "$suite" "$sysroot" $packages; then
    echo "SKIP: could not fetch Debian $suite $debian_arch packages (no network?)"
    exit 77
  fi
  echo "$packages" > "$stamp"
fi
exec python3 "$here/debian_test.py" --mimic "$mimic" --arch "$arch" --sysroot "$sysroot" "$@"
