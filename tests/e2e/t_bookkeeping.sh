#!/usr/bin/env bash
# A revision's bookkeeping (its version-table change and its log row) goes
# to the server with the revision's last statement, as one query, with a
# transaction per revision: on PostgreSQL a trigger on the version table
# sees the same statement_timestamp() (one client message) as that
# statement; the log's duration still counts the last statement. In one
# transaction the bookkeeping waits for the commit: the version table's net
# change written once, a log row per revision.
# When the bookkeeping itself fails, the error says so (not "statement N of
# the revision failed"), on PostgreSQL and SQLite, and nothing is recorded.
. "$QUIPU_SRC/tests/e2e/lib.sh"

# ---- PostgreSQL: one message, both modes ------------------------------
# Revision 1 creates the version table itself (as a baseline dumped from a
# database Alembic managed would), with a trigger that notes when each
# version row is written; its own bookkeeping follows it as a query apart.
pg_newdb quipu_bk
mkproj "$PGURL"
mkrev 000000000001 "" "Probe" "CREATE TABLE probe (what TEXT, rev TEXT, t TIMESTAMPTZ);
CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));
CREATE FUNCTION seen() RETURNS trigger LANGUAGE plpgsql AS \$\$
BEGIN INSERT INTO probe VALUES ('bookkeeping', NEW.version_num, statement_timestamp()); RETURN NULL; END \$\$;
CREATE TRIGGER seen AFTER INSERT OR UPDATE ON alembic_version FOR EACH ROW EXECUTE FUNCTION seen();" \
	"DROP TABLE probe; DROP FUNCTION seen() CASCADE;"
mkrev 000000000002 000000000001 "Two" "INSERT INTO probe VALUES ('first', '000000000002', statement_timestamp());
INSERT INTO probe VALUES ('last', '000000000002', statement_timestamp());" "DELETE FROM probe WHERE rev = '000000000002';"
mkrev 000000000003 000000000002 "Sleeps" "INSERT INTO probe VALUES ('first', '000000000003', statement_timestamp());
SELECT pg_sleep(0.3);
INSERT INTO probe VALUES ('last', '000000000003', statement_timestamp());" "DELETE FROM probe WHERE rev = '000000000003';"

t_of() {   # what rev
	pg_sql quipu_bk "SELECT t FROM probe WHERE what = '$1' AND rev = '$2'"
}
same_message() {   # label
	local r
	for r in 000000000002 000000000003; do
		expect_eq "$(t_of bookkeeping $r)" "$(t_of last $r)" "$1: revision $r's bookkeeping went with its last statement"
		if [ "$(t_of first $r)" != "$(t_of last $r)" ]; then pass; else fail "$1: revision $r's statements were sent together"; fi
	done
	expect_eq "$(pg_sql quipu_bk "SELECT count(*) FROM probe WHERE what = 'bookkeeping' AND rev = '000000000001'")" "1" \
		"$1: revision 1 (which created the version table) recorded"
}

ok "$QUIPU" upgrade head
same_message "transaction per revision"
expect_eq "$(pg_sql quipu_bk "SELECT duration_ms >= 300 FROM alembic_version_log WHERE revision = '000000000003'")" "t" \
	"the log's duration counts the last statement's time too"
expect_eq "$(pg_sql quipu_bk "SELECT version_num FROM alembic_version")" "000000000003" "at head"

ok "$QUIPU" downgrade base
pg_sql quipu_bk "DROP TABLE alembic_version_log; DROP TABLE alembic_version" >/dev/null
mkproj "$PGURL" "transaction_per_migration = false"
ok "$QUIPU" upgrade head
# one transaction: nobody sees the steps between, so after the first
# revision the version table is written once, its net change, before the
# commit, with the log rows in one INSERT
expect_eq "$(pg_sql quipu_bk "SELECT string_agg(rev, ',' ORDER BY t) FROM probe WHERE what = 'bookkeeping'")" \
	"000000000001,000000000003" "one transaction: the version table written for revision 1, then once for 2 and 3"
expect_eq "$(pg_sql quipu_bk "SELECT (SELECT t FROM probe WHERE what = 'bookkeeping' AND rev = '000000000003') > (SELECT t FROM probe WHERE what = 'last' AND rev = '000000000003')")" \
	"t" "one transaction: written after the last revision ran"
expect_eq "$(pg_sql quipu_bk "SELECT string_agg(revision || ' ' || direction, ',' ORDER BY id) FROM alembic_version_log")" \
	"000000000001 upgrade,000000000002 upgrade,000000000003 upgrade" "one transaction: a log row per revision, in order"
expect_eq "$(pg_sql quipu_bk "SELECT duration_ms >= 300 FROM alembic_version_log WHERE revision = '000000000003'")" "t" \
	"one transaction: the log's duration counts the revision's statements"
expect_eq "$(pg_sql quipu_bk "SELECT version_num FROM alembic_version")" "000000000003" "one transaction: at head"

# ---- one transaction meets a transaction:false section ----------------
# the waiting bookkeeping is written before the commit that precedes it
pg_newdb quipu_bk4
rm -rf migrations quipu.ini
mkproj "$PGURL" "transaction_per_migration = false"
mkrev 000000000001 "" "One" "CREATE TABLE a (x INTEGER);" "DROP TABLE a;"
mkrev 000000000002 000000000001 "Two" "CREATE TABLE b (x INTEGER);" "DROP TABLE b;"
mkrev 000000000003 000000000002 "Three" "CREATE INDEX CONCURRENTLY ix_b ON b (x);" "DROP INDEX ix_b;" "transaction:false"
mkrev 000000000004 000000000003 "Four" "CREATE TABLE c (x INTEGER);" "DROP TABLE c;"
ok "$QUIPU" upgrade head
expect_err "committing before a transaction:false section"
expect_eq "$(pg_sql quipu_bk4 "SELECT version_num FROM alembic_version")" "000000000004" "one transaction with a transaction:false section: at head"
expect_eq "$(pg_sql quipu_bk4 "SELECT string_agg(revision || ' ' || status, ',' ORDER BY id) FROM alembic_version_log")" \
	"000000000001 done,000000000002 done,000000000003 done,000000000004 done" "a log row per revision, in order"
ok "$QUIPU" downgrade base
expect_eq "$(pg_sql quipu_bk4 "SELECT count(*) FROM alembic_version")" "0" "down to base"
expect_eq "$(pg_sql quipu_bk4 "SELECT count(*) FROM alembic_version_log WHERE direction = 'downgrade'")" "4" "four downgrade rows"

# ---- the bookkeeping fails: said so, nothing recorded ------------------
check_failure() {   # URL, query function, [extra ini line]
	local url=$1 q=$2
	rm -rf migrations quipu.ini
	mkproj "$url" "${3:-}"
	mkrev 000000000001 "" "Base" "CREATE TABLE a (x INTEGER);" "DROP TABLE a;"
	mkrev 000000000002 000000000001 "Drops the log" "CREATE TABLE b (x INTEGER);
DROP TABLE alembic_version_log;" "DROP TABLE b;"
	# from base in one run: revision 2 is not the run's first, so its
	# bookkeeping travels with its last statement
	fails "$QUIPU" upgrade head
	expect_err "cannot update the version table and its log"
	expect_err "alembic_version_log"
	expect_no "statement: DROP TABLE alembic_version_log"
	fails $q "SELECT * FROM b"
	if [ -z "${3:-}" ]; then
		expect_eq "$($q "SELECT version_num FROM alembic_version")" "000000000001" "the version table is unchanged"
		expect_eq "$($q "SELECT count(*) FROM alembic_version_log")" "1" "the log is still there, with one row"
	else
		# one transaction: all of it rolled back
		fails $q "SELECT * FROM a"
		fails $q "SELECT * FROM alembic_version_log"
	fi
}
pg_newdb quipu_bk2
check_failure "$PGURL" "pg_sql quipu_bk2"
pg_newdb quipu_bk3
check_failure "$PGURL" "pg_sql quipu_bk3" "transaction_per_migration = false"
check_failure "sqlite:///$PWD/bk.db" "sqlite_sql $PWD/bk.db"
rm -f bk.db
check_failure "sqlite:///$PWD/bk.db" "sqlite_sql $PWD/bk.db" "transaction_per_migration = false"
done_testing
