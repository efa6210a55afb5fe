#!/usr/bin/env bash
# A failing revision, on both backends: the error names file:line, the
# statement and the server's message; the revision is rolled back and the
# database stays at the previous revision. Also: an object that already
# exists (points at `stamp`), one transaction for the whole run, a version
# the scripts don't know, and a revision without a downgrade section.
. "$QUIPU_SRC/tests/e2e/lib.sh"

check_backend() {
	local url=$1 rows_cmd=$2 tables_cmd=$3
	rm -rf migrations quipu.ini
	mkproj "$url"
	mkrev 000000000001 "" "One" "CREATE TABLE t1 (id INTEGER PRIMARY KEY);" "DROP TABLE t1;"
	mkrev 000000000002 000000000001 "Two" "CREATE TABLE t2 (id INTEGER PRIMARY KEY);
INSERT INTO t2 VALUES (1);
INSERT INTO no_such_table VALUES (1);
CREATE TABLE t2b (id INTEGER);" "DROP TABLE t2;"
	fails "$QUIPU" upgrade head
	expect_rc 1
	expect_out "Running upgrade  -> 000000000001, One"
	expect_err "upgrade of revision 000000000002 (Two) failed"
	expect_err "000000000002_two.sql:12"
	expect_err "statement: INSERT INTO no_such_table VALUES (1)"
	expect_err "no_such_table"
	expect_err "rolled back: the database is at 000000000001"
	expect_eq "$($rows_cmd)" "000000000001" "rows after the failure"
	expect_eq "$($tables_cmd | tr '\n' ' ')" "t1 " "t2 rolled back"

	# one transaction for the whole run: nothing stays
	"$QUIPU" downgrade base >/dev/null
	fails "$QUIPU" upgrade head -x unused=1 --url "$url" </dev/null
	"$QUIPU" downgrade base >/dev/null
	sed -i 's/^\[quipu\]$/[quipu]\ntransaction_per_migration = false/' quipu.ini
	fails "$QUIPU" upgrade head
	expect_err "one transaction"
	expect_eq "$($rows_cmd)" "" "rows after a failed one-transaction run"
	expect_eq "$($tables_cmd | tr '\n' ' ')" "" "nothing stays"

	# fix the revision; one-transaction mode applies both
	mkrev 000000000002 000000000001 "Two" "CREATE TABLE t2 (id INTEGER PRIMARY KEY);" "DROP TABLE t2;"
	ok "$QUIPU" upgrade head
	expect_eq "$($rows_cmd)" "000000000002" "rows after the fixed run"

	# a table that already exists: the message points at stamp
	"$QUIPU" stamp base >/dev/null
	fails "$QUIPU" upgrade head
	expect_err "already exists"
	expect_err "quipu stamp 000000000001"
	ok "$QUIPU" stamp head
	ok "$QUIPU" current
	expect_eq "$OUT" "000000000002 (head)" "current after stamp"

	# a version the scripts do not know
	ok "$QUIPU" stamp base
	"$QUIPU" stamp head >/dev/null
	if [[ $url == sqlite* ]]; then sqlite_sql test.db "UPDATE alembic_version SET version_num='deadbeef0000'"
	else pg_sql quipu_failure "UPDATE alembic_version SET version_num='deadbeef0000'"; fi
	fails "$QUIPU" current
	expect_err "deadbeef0000"
	expect_err "not in the revision files"
	fails "$QUIPU" upgrade head
	expect_err "deadbeef0000"
	ok "$QUIPU" stamp head --purge
	expect_eq "$($rows_cmd)" "000000000002" "stamp --purge recovers"

	# no downgrade section: refused before anything runs
	mkrev 000000000003 000000000002 "Three" "CREATE TABLE t3 (id INTEGER);" "-"
	ok "$QUIPU" upgrade head
	fails "$QUIPU" downgrade -1
	expect_err "no \`-- migrate:downgrade\` section"
	expect_eq "$($rows_cmd)" "000000000003" "rows after a refused downgrade"
}

sq_rows() { sqlite_sql test.db "SELECT version_num FROM alembic_version ORDER BY 1" 2>/dev/null; true; }
sq_tables() { sqlite_sql test.db "SELECT name FROM sqlite_master WHERE type='table' AND name LIKE 't%' ORDER BY 1"; }
check_backend "sqlite:///%(here)s/test.db" sq_rows sq_tables

pg_newdb quipu_failure
pg_rows() { pg_sql quipu_failure "SELECT version_num FROM alembic_version ORDER BY 1" 2>/dev/null; true; }
pg_tables() { pg_sql quipu_failure "SELECT tablename FROM pg_tables WHERE schemaname='public' AND tablename LIKE 't%' ORDER BY 1"; }
check_backend "$PGURL" pg_rows pg_tables
done_testing
