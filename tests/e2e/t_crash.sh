#!/usr/bin/env bash
# Crash safety: `upgrade head` killed with SIGKILL at random moments, 100
# times on PostgreSQL and 100 times on SQLite. After every kill the version
# table agrees with what ran (the revisions' tables and the log), and the
# re-run completes. Then the server ending the connection in the middle of
# a revision: a non-zero exit, a clear message, a consistent state, and a
# re-run that completes.
. "$QUIPU_SRC/tests/e2e/lib.sh"
N=20
KILLS=${QUIPU_CRASH_KILLS:-100}

make_project() {
	rm -rf migrations quipu.ini
	mkproj "$1"
	local i prev=""
	for i in $(seq 1 $N); do
		mkrev "$(rid "$i")" "$prev" "Step $i" "CREATE TABLE t$i (id INTEGER PRIMARY KEY, v VARCHAR(20));
INSERT INTO t$i VALUES (1, 'a');
INSERT INTO t$i VALUES (2, 'b');
${2//@T@/t$i}" "DROP TABLE t$i;"
		prev=$(rid "$i")
	done
}

# consistent Q: the version row, the tables and the log tell one story
consistent() {
	local q=$1 v n tables logged
	v=$($q "SELECT version_num FROM alembic_version" 2>/dev/null || true)
	n=$((10#${v:-0}))
	tables=$($q "$TABLES_SQL")
	logged=$($q "SELECT count(*) FROM alembic_version_log l WHERE direction = 'upgrade' AND id = (SELECT MAX(id) FROM alembic_version_log m WHERE m.revision = l.revision)" 2>/dev/null || echo 0)
	if [ "$n" -gt 0 ] && [ "$n" -lt $N ]; then MID=$((MID + 1)); fi
	if [ "$tables" = "$n" ] && [ "${logged:-0}" = "$n" ]; then
		pass
	else
		fail "inconsistent after kill $k: version '${v}' (=$n) but $tables tables and $logged logged upgrades"
	fi
}

crash_loop() {
	local q=$1 maxdelay=$2 k delay
	MID=0
	for k in $(seq 1 "$KILLS"); do
		# a random moment: after a random number of revisions have been
		# reported (so the kill lands inside the run whatever the machine's
		# speed, sanitizers included), plus a random few milliseconds
		local lines=$(( RANDOM % (N - 1) )) waited=0
		"$QUIPU" upgrade head >kill.out 2>kill.err &
		local pid=$!
		while [ "$(wc -l <kill.out)" -lt "$lines" ] && [ $waited -lt 2000 ] && kill -0 $pid 2>/dev/null; do
			sleep 0.005
			waited=$((waited + 1))
		done
		delay=$(( RANDOM % maxdelay ))
		sleep "$(printf '0.%03d' "$delay")"
		kill -9 $pid 2>/dev/null
		local st=0
		wait $pid 2>/dev/null || st=$?
		if [ $st != 0 ] && [ $st != 137 ]; then
			fail "run $k failed by itself (exit $st): $(cat kill.err)"
		fi
		[ -n "${QUIPU_CRASH_DEBUG:-}" ] && echo "k=$k lines=$lines got=$(wc -l <kill.out) waited=$waited st=$st"
		consistent "$q"
		if [ "$($q "SELECT version_num FROM alembic_version" 2>/dev/null)" = "$(rid $N)" ]; then
			# the kill came too late: start over, so the next one lands mid-run
			run "$QUIPU" -q downgrade base
			[ "$RC" = 0 ] && pass || fail "downgrade base after kill $k failed: $ERR"
		elif [ $((k % 10)) = 0 ]; then
			# the re-run completes; then start over from empty
			run "$QUIPU" -q upgrade head
			[ "$RC" = 0 ] && pass || fail "re-run after kill $k failed: $ERR"
			expect_eq "$($q "SELECT version_num FROM alembic_version")" "$(rid $N)" "at head after the re-run"
			run "$QUIPU" -q downgrade base
			[ "$RC" = 0 ] && pass || fail "downgrade base after kill $k failed: $ERR"
		fi
	done
	# the kills must land mid-run, or this tests nothing
	echo "kills that stopped the upgrade part-way: $MID of $KILLS"
	[ "$MID" -ge $((KILLS / 3)) ] && pass || fail "only $MID of $KILLS kills landed mid-run"
	ok "$QUIPU" upgrade head
	consistent "$q"
}

# PostgreSQL
pg_newdb quipu_crash
make_project "$PGURL" "SELECT pg_sleep(0.01);"
TABLES_SQL="SELECT count(*) FROM pg_tables WHERE schemaname='public' AND tablename ~ '^t[0-9]+$'"
pgq() { pg_sql quipu_crash "$1"; }
crash_loop pgq 30

# SQLite
# each revision also writes 20,000 rows, so a revision takes some milliseconds
# even in a Release build and the kills land inside the run
make_project "sqlite:///%(here)s/crash.db" "WITH RECURSIVE c(x) AS (SELECT 3 UNION ALL SELECT x + 1 FROM c WHERE x < 20000) INSERT INTO @T@ SELECT x, 'v' FROM c;"
TABLES_SQL="SELECT count(*) FROM sqlite_master WHERE type='table' AND name GLOB 't[0-9]*'"
sqq() { sqlite_sql crash.db "$1"; }
crash_loop sqq 2

# the server ends the connection in the middle of a revision
pg_newdb quipu_connlost
rm -rf migrations quipu.ini
mkproj "$PGURL"
mkrev 000000000001 "" "One" "CREATE TABLE t1 (id INTEGER);" "DROP TABLE t1;"
mkrev 000000000002 000000000001 "Two" "CREATE TABLE t2 (id INTEGER);
SELECT pg_sleep(5);" "DROP TABLE t2;"
"$QUIPU" upgrade head >cl.out 2>cl.err &
pid=$!
for _ in $(seq 1 50); do
	sleep 0.1
	[ "$(pg_sql quipu_connlost "SELECT count(*) FROM pg_stat_activity WHERE datname='quipu_connlost' AND query LIKE 'SELECT pg_sleep(5)%'")" = 1 ] && break
done
pg_sql quipu_connlost "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname='quipu_connlost' AND query LIKE 'SELECT pg_sleep(5)%'" >/dev/null
if wait $pid; then fail "upgrade survived the end of its connection"; else pass; fi
ERR=$(cat cl.err)
expect_err "000000000002"
expect_err "connection"
expect_eq "$(pg_sql quipu_connlost "SELECT version_num FROM alembic_version")" "000000000001" "the version after the lost connection"
expect_eq "$(pg_sql quipu_connlost "SELECT count(*) FROM pg_tables WHERE tablename='t2'")" "0" "t2 rolled back by the server"
sed -i 's/SELECT pg_sleep(5);//' migrations/versions/000000000002_two.sql
ok "$QUIPU" upgrade head
expect_eq "$(pg_sql quipu_connlost "SELECT version_num FROM alembic_version")" "000000000002" "the re-run completes"
done_testing
