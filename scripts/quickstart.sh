#!/usr/bin/env bash
# Quick start: install what is needed, build, and boot a small riscv64 machine to a shell: Debian's
# kernel under Debian's OpenSBI on mimic's virt board, with a busybox initramfs (fetched and built
# on the first run into build/quickstart). Ctrl-a x quits; Ctrl-a c opens the monitor.
# `scripts/quickstart.sh --user` runs the bundled riscv64 demo program in linux-user mode instead.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
if [ "${1:-}" = "--user" ]; then
  shift
  demo=build/tests/guest/demo-riscv64
  ninja -C build tests/guest/demo-riscv64 >/dev/null
  echo "== build/mimic user $demo"
  exec build/mimic user "$demo" "$@"
fi
read -r kernel initrd < <(python3 scripts/riscv_boot_image.py build/quickstart | tail -n 1)
echo "== build/mimic system -M virt -smp 2 -m 512M -nographic -kernel $kernel -initrd $initrd"
exec build/mimic system -M virt -smp 2 -m 512M -nographic -bios default -kernel "$kernel" -initrd "$initrd" \
  -append "console=ttyS0 quiet" "$@"
