#!/usr/bin/env bash
# test.sh: install, build with -Werror, run the whole suite; then again under
# AddressSanitizer + UndefinedBehaviorSanitizer. What CI runs (.ci/run).
#
#   bash scripts/test.sh                (from anywhere; as root on a fresh Debian 12)
#
# The suite starts its own throwaway PostgreSQL 15 (the CTest fixture
# pg_start / pg_stop, tests/pg/pgctl.sh) and uses real SQLite files.
# Exits non-zero when any phase fails.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

JOBS=$(nproc 2>/dev/null || echo 2)
phase() { printf '\n==================== %s ====================\n' "$*"; }

phase "1/5 dependencies (scripts/install-deps.sh)"
bash scripts/install-deps.sh

phase "2/5 build (Release, as scripts/quickstart.sh builds it, -Werror) into build/"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DQUIPU_WERROR=ON -DQUIPU_SANITIZE=OFF
cmake --build build -j "$JOBS"

phase "3/5 tests (build/)"
ctest --test-dir build --output-on-failure -j2

phase "4/5 build with ASan + UBSan into build-asan/"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DQUIPU_WERROR=ON -DQUIPU_SANITIZE=ON
cmake --build build-asan -j "$JOBS"

phase "5/5 tests under ASan + UBSan (build-asan/)"
ASAN_OPTIONS=detect_leaks=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	ctest --test-dir build-asan --output-on-failure -j2

phase "all phases passed"
