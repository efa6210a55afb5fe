#!/usr/bin/env bash
# A revision's bookkeeping (its version-table change and its log row) goes
# to the server with the revision's last statement, as one query: on
# PostgreSQL a trigger on the version table sees the same
# statement_timestamp() (one client message) as that statement, in both
# transaction modes; the log's duration still counts the last statement.
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
same_message "one transaction"
expect_eq "$(pg_sql quipu_bk "SELECT version_num FROM alembic_version")" "000000000003" "one transaction: at head"

# ---- the bookkeeping fails: said so, nothing recorded ------------------
check_failure() {   # URL, query function, db
	local url=$1 q=$2
	rm -rf migrations quipu.ini
	mkproj "$url"
	mkrev 000000000001 "" "Base" "CREATE TABLE a (x INTEGER);" "DROP TABLE a;"
	mkrev 000000000002 000000000001 "Drops the log" "CREATE TABLE b (x INTEGER);
DROP TABLE alembic_version_log;" "DROP TABLE b;"
	# from base in one run: revision 2 is not the run's first, so its
	# bookkeeping travels with its last statement
	fails "$QUIPU" upgrade head
	expect_err "cannot update the version table and its log"
	expect_err "alembic_version_log"
	expect_no "statement: DROP TABLE alembic_version_log"
	expect_eq "$($q "SELECT version_num FROM alembic_version")" "000000000001" "the version table is unchanged"
	expect_eq "$($q "SELECT count(*) FROM alembic_version_log")" "1" "the log is still there, with one row"
	fails $q "SELECT * FROM b"
}
pg_newdb quipu_bk2
check_failure "$PGURL" "pg_sql quipu_bk2"
check_failure "sqlite:///$PWD/bk.db" "sqlite_sql $PWD/bk.db"
done_testing
