#!/usr/bin/env bash
# Installs the Debian 12 packages mimic needs to build, test and benchmark (idempotent).
set -euo pipefail

packages=(
  # build
  g++ meson ninja-build pkg-config libxbyak-dev libcapstone-dev libfmt-dev libzstd-dev libgtest-dev libfdt-dev
  # system mode's devices: user-mode networking; e2fsprogs makes and checks the disk images of the tests
  libslirp-dev e2fsprogs
  # system mode: firmware for -bios default, and qemu-system and dtc as test oracles
  opensbi qemu-system-misc qemu-system-arm device-tree-compiler
  # guest programs for tests and the bundled demo, and the qemu-user oracle
  gcc-riscv64-linux-gnu libc6-dev-riscv64-cross gcc-aarch64-linux-gnu libc6-dev-arm64-cross gcc-arm-linux-gnueabihf libc6-dev-armhf-cross qemu-user
  # armel (ARMv5TE soft-float EABI) guest programs: the ARMv6 CPU model's tests (-cpu arm1176)
  gcc-arm-linux-gnueabi libc6-dev-armel-cross
  # tests and benchmarks
  python3 hyperfine
  # the block layer: zlib for compressed clusters, qemu-utils (qemu-img, qemu-io) as the test oracle
  zlib1g-dev qemu-utils
  # Go programs as guests (tests/go): the Go runtime is a demanding user of threads and signals
  golang-go
  # the foreign-chroot workflow (tests/real/chroot_workflow.sh): debootstrap's first stage
  debootstrap debian-archive-keyring
  # arm virt firmware boots: AAVMF (UEFI) for the pflash banks, mtools and fdisk (sfdisk) to make the test's GPT disk
  qemu-efi-aarch64 mtools fdisk
  # tier 2 (tcg/llvm): LLVM's ORC JIT; meson's 'tier2' feature finds it through llvm-config
  llvm-14-dev
  # ccache: the chroot workflow's static mimic (build-static/) reuses the shared build's objects
  ccache
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo=sudo
fi
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
