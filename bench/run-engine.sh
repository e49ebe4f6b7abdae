#!/bin/sh
# Builds and runs the engine benchmark (bench/engine). Usage: bench/run-engine.sh [--quick] [BUILD_DIR]
set -eu
cd "$(dirname "$0")/.."
quick=""
if [ "${1:-}" = "--quick" ]; then quick="--quick"; shift; fi
build="${1:-build}"
[ -d "$build" ] || meson setup "$build" >/dev/null
ninja -C "$build" bench/engine/bench-engine >/dev/null
exec "$build/bench/engine/bench-engine" $quick
