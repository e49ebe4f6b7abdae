#!/usr/bin/env bash
# Regenerates docs/ir.md (the IR reference) from the op table tcg/ir/opcodes.inc.
# Usage: scripts/gen-ir-doc.sh [BUILD_DIR]   (default: build; configured if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
[ -f "$build/build.ninja" ] || meson setup "$build"
ninja -C "$build" tcg/ir/gen-ir-doc
"$build/tcg/ir/gen-ir-doc" > docs/ir.md
echo "wrote docs/ir.md"
