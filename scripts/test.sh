#!/usr/bin/env bash
# Installs what is needed, builds, and runs the whole test suite; ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh || exit 1
# Objects hashed without their build folder: the static mimic of the chroot workflow's binfmt way
# (build-static/, tests/real/chroot_workflow.sh) then compiles nothing the shared build did.
export CCACHE_NOHASHDIR=true
scripts/build.sh || exit 1
meson test -C build --print-errorlogs --num-processes "$(nproc)" "$@"
status=$?
python3 - build/meson-logs/testlog.json <<'PY'
import json, sys
passed = failed = skipped = 0
for line in open(sys.argv[1]):
    r = json.loads(line)["result"]
    if r in ("OK", "EXPECTEDFAIL"): passed += 1
    elif r == "SKIP": skipped += 1
    else: failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
exit $status
