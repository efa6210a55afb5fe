#!/usr/bin/env bash
# `quipu test` (issue 5) on SQLite and PostgreSQL: every revision up, down
# and up again on a scratch database with the schema compared after each
# step, then the models compared with the schema at head.
# - passes on the Khipu example, and leaves the project's database alone
#   (SQLite: the file is not even created; PostgreSQL: no table, no version
#   row, no scratch database left);
# - fails, naming the revision, its file and the index, when a downgrade
#   forgets to drop an index; names the missing downgrade section;
# - fails naming both heads when there are two;
# - fails when the models differ from what the revisions build;
# - PostgreSQL: fails when the second upgrade differs from the first.
. "$QUIPU_SRC/tests/e2e/lib.sh"

scratch_left() { pg_sql postgres "SELECT count(*) FROM pg_database WHERE datname LIKE 'quipu_scratch_%'"; }

khipu() {
	local url=$1
	rm -rf k && cp -r "$QUIPU_SRC/examples/khipu" k && rm -f k/*.db
	sed -i "s|^sqlalchemy.url = .*|sqlalchemy.url = ${url//&/\\&}|" k/quipu.ini
	ok "$QUIPU" -c k/quipu.ini test
	expect_out "Testing 2 revisions on a scratch database"
	expect_out "ok  e8a14672d2af"
	expect_out "ok  3f2a9c1b7d4e"
	expect_out "ok  the models equal the schema at head (3f2a9c1b7d4e)"
	expect_out "OK: 2 revisions, one head (3f2a9c1b7d4e)"
	# the models without phone_number: what the revisions build is not what they say
	sed -i '/phone_number/d' k/models/02_users.sql
	fails "$QUIPU" -c k/quipu.ini test
	expect_rc 1
	expect_err "the models ("
	expect_err "differ from the schema the revisions build (at head 3f2a9c1b7d4e"
	expect_err "drop column users.phone_number"
	expect_err "quipu revision --autogenerate"
}

forgotten_index() {
	local url=$1
	rm -rf p && mkdir p && cd p
	mkproj "$url"
	mkrev 000000000001 "" "Create t" "CREATE TABLE t (id INTEGER PRIMARY KEY, name VARCHAR(20));" "DROP TABLE t;"
	mkrev 000000000002 000000000001 "Index name" "CREATE INDEX ix_t_name ON t (name);" "-- forgot DROP INDEX ix_t_name"
	mkrev 000000000003 000000000002 "Create u" "CREATE TABLE u (id INTEGER PRIMARY KEY);" "DROP TABLE u;"
	fails "$QUIPU" test
	expect_rc 1
	expect_out "ok  000000000001"
	expect_no "ok  000000000002"
	expect_err "revision 000000000002 (Index name), "
	expect_err "000000000002_index_name.sql: the downgrade does not undo the upgrade"
	expect_err "drop index t.ix_t_name"
	expect_err "fix: add that to the \`-- migrate:downgrade\` section ("
	expect_err "000000000002_index_name.sql:12)"
	# fixed: passes
	mkrev 000000000002 000000000001 "Index name" "CREATE INDEX ix_t_name ON t (name);" "DROP INDEX ix_t_name;"
	ok "$QUIPU" test
	expect_out "ok  000000000003"
	expect_out "--  the models: not compared, \`models\` is not set"
	# no downgrade section at all
	mkrev 000000000003 000000000002 "Create u" "CREATE TABLE u (id INTEGER PRIMARY KEY);" "-"
	fails "$QUIPU" test
	expect_err "revision 000000000003 (Create u)"
	expect_err "has no \`-- migrate:downgrade\` section"
	mkrev 000000000003 000000000002 "Create u" "CREATE TABLE u (id INTEGER PRIMARY KEY);" "DROP TABLE u;"
	# a downgrade that fails: the runner's error, with the test's context
	mkrev 000000000004 000000000003 "Create v" "CREATE TABLE v (id INTEGER);" "DROP TABLE no_such_table;"
	fails "$QUIPU" test
	expect_err "test: revision 000000000004 (Create v), downgrade right after its upgrade"
	expect_err "no_such_table"
	# two heads
	mkrev 000000000004 000000000003 "Create v" "CREATE TABLE v (id INTEGER);" "DROP TABLE v;"
	mkrev 000000000005 000000000003 "Create w" "CREATE TABLE w (id INTEGER);" "DROP TABLE w;"
	fails "$QUIPU" test
	expect_err "2 heads, test needs exactly one:"
	expect_err "000000000004 (Create v)"
	expect_err "000000000005 (Create w)"
	expect_err "quipu merge heads"
	cd ..
}

# ---- SQLite --------------------------------------------------------------
khipu "sqlite:///$T_DIR/k_live.db"
[ ! -e "$T_DIR/k_live.db" ] && pass || fail "quipu test created the project's SQLite file"
forgotten_index "sqlite:///$T_DIR/live.db"
[ ! -e "$T_DIR/live.db" ] && pass || fail "quipu test created the project's SQLite file"

# ---- PostgreSQL ----------------------------------------------------------
pg_newdb qp_test_live
khipu "$PGURL"
forgotten_index "$PGURL"
expect_eq "$(pg_sql qp_test_live "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" "0" \
	"the project's database is untouched"
expect_eq "$(scratch_left)" "0" "no scratch database left"

# the second upgrade differs from the first: state kept outside the schema
# (a session temporary table) changes what the upgrade does
rm -rf q && mkdir q && cd q
mkproj "$PGURL"
mkrev 000000000001 "" "Moody" "CREATE TABLE t (id INTEGER PRIMARY KEY);
DO \$\$ BEGIN IF to_regclass('pg_temp.seen') IS NOT NULL THEN ALTER TABLE t ADD COLUMN again INTEGER; END IF; END \$\$;
CREATE TEMP TABLE IF NOT EXISTS seen (x INTEGER);" "DROP TABLE t;"
fails "$QUIPU" test
expect_err "revision 000000000001 (Moody)"
expect_err "upgrading again after the downgrade gives another schema than the first upgrade"
expect_err "drop column t.again"
cd ..
expect_eq "$(scratch_left)" "0" "no scratch database left after failures"

done_testing
