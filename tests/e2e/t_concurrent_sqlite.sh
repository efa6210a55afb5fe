#!/usr/bin/env bash
# Several `upgrade head` runs at once on one SQLite file: each revision is
# applied exactly once and every run exits 0 (BEGIN IMMEDIATE + busy timeout,
# and a re-check of the version rows inside each transaction).
. "$QUIPU_SRC/tests/e2e/lib.sh"
mkproj "sqlite:///%(here)s/conc.db"
N=30
prev=""
for i in $(seq 1 $N); do
	id=$(rid "$i")
	if [ "$i" = 1 ]; then up="CREATE TABLE runs (rev INTEGER PRIMARY KEY); INSERT INTO runs VALUES ($i);"
	else up="INSERT INTO runs VALUES ($i);"; fi
	mkrev "$id" "$prev" "Step $i" "$up" "DELETE FROM runs WHERE rev = $i;"
	prev=$id
done
RUNNERS=5
pids=()
for k in $(seq 1 $RUNNERS); do
	"$QUIPU" upgrade head >"out.$k" 2>"err.$k" &
	pids+=($!)
done
for k in $(seq 1 $RUNNERS); do
	if wait "${pids[$((k - 1))]}"; then pass; else fail "runner $k failed: $(cat "err.$k")"; fi
done
expect_eq "$(cat out.* | grep -c '^Running upgrade')" "$N" "revisions applied across all runners"
expect_eq "$(sqlite_sql conc.db 'SELECT count(*) FROM runs')" "$N" "rows in runs"
expect_eq "$(sqlite_sql conc.db 'SELECT version_num FROM alembic_version')" "$(rid $N)" "version row"
done_testing
