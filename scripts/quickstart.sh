#!/usr/bin/env bash
# Quick start: install what is needed, build, and run the bundled demo guest program under mimic.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
demo=build/tests/guest/demo-riscv64
ninja -C build tests/guest/demo-riscv64 >/dev/null
echo "== build/mimic user $demo"
exec build/mimic user "$demo" "$@"
