#!/usr/bin/env bash
# Configures (once) and builds mimic into build/; the main binary is build/mimic.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f build/build.ninja ] || meson setup build --buildtype=debugoptimized >/dev/null
ninja -C build
