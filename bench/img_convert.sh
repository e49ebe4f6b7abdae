#!/usr/bin/env bash
# mimic img convert against qemu-img convert in one run: raw->qcow2 and qcow2->raw of a 1 GiB
# image that is half holes, half data (random and compressible). Prints seconds and the ratio.
# usage: bench/img_convert.sh [build/mimic]
set -eu
mimic=$(realpath "${1:-build/mimic}")
command -v qemu-img >/dev/null || { echo "img_convert: qemu-img not installed (Debian qemu-utils)"; exit 0; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
truncate -s 1G src.raw
for i in $(seq 0 2 15); do  # 8 stretches of 32 MiB data, 32 MiB holes between them
  dd if=/dev/urandom of=src.raw bs=1M seek=$((i * 32)) count=16 conv=notrunc status=none
  yes "mimic block layer benchmark" | head -c 16M | dd of=src.raw bs=1M seek=$((i * 32 + 16)) conv=notrunc status=none
done
t() { local s=$(date +%s%N); "$@" >/dev/null; echo $(( ($(date +%s%N) - s) / 1000000 )); }  # ms
for step in "raw qcow2 src.raw" "qcow2 raw q.qcow2"; do
  set -- $step
  q=$(t qemu-img convert -f "$1" -O "$2" "$3" "q.$2.out")
  m=$(t "$mimic" img convert -f "$1" -O "$2" "$3" "m.$2.out")
  [ "$2" = qcow2 ] && cp q.qcow2.out q.qcow2
  python3 -c "print(f'{\"$1->$2\":14} qemu-img {$q/1000:6.2f}s  mimic img {$m/1000:6.2f}s  ratio {$m/$q:.2f}')"
done
