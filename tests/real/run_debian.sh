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
# ARCH arm is Debian's armhf (ARMv7 Thumb-2, VFPv3-D16); armel (ARMv5TE, soft-float) runs as arm too
[ "$arch" = arm ] && debian_arch=armhf

# The programs under test and every library they load (fetch-debian-debs.sh does not resolve
# dependencies; this list is `apt-cache depends --recurse` of the programs, libraries only,
# checked with `readelf -d` on every binary). The shells, interpreters and toolchain of a package
# build (bash, perl, python3, tar, gzip, make; gcc with binutils and the libc headers) come without
# what their packages only recommend or need for other uses (sanitizer and OpenMP runtimes, docs).
programs="coreutils diffutils findutils dash attr grep sed gawk xz-utils zstd bzip2 sqlite3 lua5.4 file
          bash perl perl-base python3 python3-minimal tar gzip make"
libs="libc6 libacl1 libattr1 libbz2-1.0 libgcc-s1 libgmp10 liblz4-1 liblzma5 liblua5.4-0 libmagic-mgc libmpfr6
      libpcre2-8-0 libselinux1 libsigsegv2 libsqlite3-0 libstdc++6 libtinfo6 libzstd1 zlib1g
      libcrypt1 libexpat1 libffi8 libncursesw6 libuuid1"
case $suite in
  bookworm)
    programs+=" p7zip-full p7zip perl-modules-5.36 python3.11 python3.11-minimal"
    libs+=" gcc-12-base libmagic1 libmd0 libreadline8 libperl5.36 libdb5.3 libgdbm6 libgdbm-compat4 libssl3
           libpython3.11-minimal libpython3.11-stdlib"
    # LuaJIT (no riscv64 back end; bookworm builds none for armel) is a real JIT: code written, then run
    [ "$arch" = armel ] || { programs+=" luajit"; libs+=" libluajit-5.1-2 libluajit-5.1-common"; } ;;
  # trixie's coreutils also links OpenSSL (digests) and libsystemd (who, users); t64 library names.
  *)
    programs+=" 7zip perl-modules-5.40 python3.13 python3.13-minimal"
    libs+=" gcc-14-base libcap2 libmagic1t64 libreadline8t64 libssl3t64 libsystemd0 libxxhash0 libperl5.40 libdb5.3t64
           libgdbm6t64 libgdbm-compat4t64 libpython3.13-minimal libpython3.13-stdlib" ;;
esac
# gcc (the gcc case: cc1, as, collect2 and ld compile and link a C program) only with
# MIMIC_TEST_GCC=1: its packages are big (about 35 MB more for arm64 and 60 MB for riscv64, cc1 and
# lto1 alone 55 MB unpacked), which with the case itself takes a debian test from about 2 to 3 minutes.
if [ "${MIMIC_TEST_GCC:-0}" = 1 ]; then
  programs+=" gcc binutils"
  libs+=" libbinutils libctf0 libjansson4 libisl23 libmpc3 libc6-dev linux-libc-dev"
  case $suite in
    bookworm) programs+=" gcc-12 cpp-12 binutils-aarch64-linux-gnu"; libs+=" libgcc-12-dev" ;;
    *) programs+=" gcc-14 gcc-14-riscv64-linux-gnu cpp-14-riscv64-linux-gnu binutils-riscv64-linux-gnu"
       libs+=" libsframe1 libgcc-14-dev" ;;
  esac
fi
packages=$(echo $programs $libs)
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
