#!/usr/bin/env bash
# quickstart.sh: install, build, and migrate the Khipu example to head on SQLite.
#
#   bash scripts/quickstart.sh          (from anywhere; as root on a fresh Debian 12)
#
# Steps: scripts/install-deps.sh, a Release build into build/, then in
# examples/khipu: a fresh khipu.db, `quipu upgrade head` (one line per
# revision applied), `quipu current` and `quipu history`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)

step() { printf '\n==> %s\n' "$*"; }

step "Installing dependencies (scripts/install-deps.sh)"
bash scripts/install-deps.sh

step "Building quipu into build/"
mkdir -p build
if ! { cmake -S . -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build -j "$(nproc)"; } >build/quickstart-build.log 2>&1; then
	cat build/quickstart-build.log >&2
	echo "quickstart: the build failed (log above, kept in build/quickstart-build.log)" >&2
	exit 1
fi
"$ROOT/build/quipu" --version

step "Migrating examples/khipu to head (SQLite: examples/khipu/khipu.db)"
cd examples/khipu
rm -f khipu.db
quipu() {
	printf '\n$ quipu %s\n' "$*"
	"$ROOT/build/quipu" "$@"
}
quipu upgrade head
quipu current
quipu history

step "Done. Try, in examples/khipu:"
cat <<'TXT'
  ../../build/quipu downgrade -1         # undo the last revision
  ../../build/quipu upgrade +1           # and apply it again
  ../../build/quipu history --verbose
  ../../build/quipu revision -m "Add narrator_notes to projects"
TXT
