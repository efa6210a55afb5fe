#!/usr/bin/env bash
# Eight `upgrade head` runs at once on one PostgreSQL database: each
# revision is applied exactly once, every run exits 0, the latecomers wait
# for the lock and find nothing (or less) to do. And --lock-timeout makes a
# second runner give up with a clear message.
. "$QUIPU_SRC/tests/e2e/lib.sh"
pg_newdb quipu_conc
mkproj "$PGURL"
N=12
prev=""
for i in $(seq 1 $N); do
	id=$(rid "$i")
	# each revision also counts its runs in a table a re-run would break
	if [ "$i" = 1 ]; then up="CREATE TABLE runs (rev INTEGER PRIMARY KEY); INSERT INTO runs VALUES ($i); SELECT pg_sleep(0.05);"
	else up="INSERT INTO runs VALUES ($i); SELECT pg_sleep(0.05);"; fi
	if [ "$i" = 1 ]; then down="DROP TABLE runs;"; else down="DELETE FROM runs WHERE rev = $i;"; fi
	mkrev "$id" "$prev" "Step $i" "$up" "$down"
	prev=$id
done

RUNNERS=8
pids=()
for k in $(seq 1 $RUNNERS); do
	"$QUIPU" upgrade head >"out.$k" 2>"err.$k" &
	pids+=($!)
done
for k in $(seq 1 $RUNNERS); do
	if wait "${pids[$((k - 1))]}"; then pass; else fail "runner $k failed: $(cat "err.$k")"; fi
done
applied=$(cat out.* | grep -c '^Running upgrade')
expect_eq "$applied" "$N" "revisions applied across all runners"
for i in $(seq 1 $N); do
	expect_eq "$(cat out.* | grep -c -- "-> $(rid "$i"), ")" "1" "revision $i applied once"
done
expect_eq "$(pg_sql quipu_conc 'SELECT count(*) FROM runs')" "$N" "rows in runs"
expect_eq "$(pg_sql quipu_conc 'SELECT version_num FROM alembic_version')" "$(rid $N)" "version row"

# --lock-timeout: a slow run holds the lock, a second one gives up
"$QUIPU" downgrade base >/dev/null
mkrev 000000000099 "$(rid $N)" "Slow" "SELECT pg_sleep(4);" ""
"$QUIPU" upgrade head >slow.out 2>slow.err &
slow=$!
sleep 1.5
fails "$QUIPU" upgrade head --lock-timeout 0.5
expect_err "lock"
expect_err "pid"
if wait $slow; then pass; else fail "the slow run failed: $(cat slow.err)"; fi
expect_eq "$(pg_sql quipu_conc 'SELECT version_num FROM alembic_version')" "000000000099" "after the slow run"
done_testing
