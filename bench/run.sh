#!/usr/bin/env bash
# Every quipu figure side by side with the peers (Alembic, dbmate, psql, sqlite3).
#
#   bench/run.sh                 # all figures below -> bench/results/*.json + *.md
#   bench/run.sh quick           # N=100 and the graph figures only (a few minutes)
#   QUIPU=path/to/quipu bench/run.sh
#
# Needs: ../shared/peers (PEERS_DIR) and its setup.sh run once (root: apt + npm), a built
# build/quipu and build/libquipu.a (cmake -S . -B build -DCMAKE_BUILD_TYPE=Release &&
# cmake --build build -j2).  Each line is one figure group and can be run on its own; see
# bench/README.md for the table and bench/bench.py --help for the options.
set -euo pipefail
cd "$(dirname "$0")/.."
B="python3 bench/bench.py"
Q=(--quipu "${QUIPU:-build/quipu}")

# graph figures (issue 3): the public API on a 10,000-revision branched graph, and the CLI
$B graph --n 10000 "${Q[@]}"
$B read --graph 10000 --runs 5 --warmup 1 "${Q[@]}"
# commands that only read the graph (issue 6 targets at 1,000 and 10,000)
$B read --n 100 "${Q[@]}"
$B read --n 1000 "${Q[@]}"
[ "${1:-}" = quick ] && exit 0
$B read --n 10000 --runs 5 --warmup 1 "${Q[@]}"
# the reading commands against PostgreSQL (`current` reads the version table there)
$B read --db pg --n 1000 "${Q[@]}"
# upgrade head / downgrade base, both transaction modes, vs the raw clients, Alembic, dbmate
$B migrate --db pg --n 100 "${Q[@]}"
$B migrate --db sqlite --n 100 "${Q[@]}"
$B migrate --db pg --n 1000 --runs 5 --warmup 1 "${Q[@]}"
$B migrate --db sqlite --n 1000 --runs 5 --warmup 1 "${Q[@]}"
$B migrate --db pg --n 10000 --runs 1 --warmup 0 "${Q[@]}"
$B migrate --db sqlite --n 10000 --runs 1 --warmup 0 "${Q[@]}"
# offline SQL (upgrade --sql)
$B offline --n 100 "${Q[@]}"
$B offline --n 1000 "${Q[@]}"
$B offline --n 10000 --runs 3 --warmup 1 "${Q[@]}"
# autogenerate (1 % of the tables changed, and all new) and the introspection alone
$B autogen --tables 200 --runs 5 --warmup 1 "${Q[@]}"
$B autogen --tables 2000 --runs 3 --warmup 1 "${Q[@]}"
$B autogen --tables 10000 --runs 1 --warmup 0 "${Q[@]}"
$B autogen --tables 0 --introspect 200 2000 --runs 5 --warmup 1 "${Q[@]}"
$B autogen --tables 0 --introspect 10000 --runs 5 --warmup 1 "${Q[@]}"
