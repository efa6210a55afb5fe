#!/usr/bin/env bash
# transaction:false sections on PostgreSQL: CREATE INDEX CONCURRENTLY runs;
# a section that fails at its third statement reports exactly which
# statements ran, and the re-run continues at the third; a second runner
# waiting for the lock does not deadlock with CREATE INDEX CONCURRENTLY.
. "$QUIPU_SRC/tests/e2e/lib.sh"
pg_newdb quipu_notx
mkproj "$PGURL"
mkrev 000000000001 "" "Table" "CREATE TABLE items (id INTEGER PRIMARY KEY, a INTEGER, b INTEGER, c INTEGER);
INSERT INTO items SELECT g, g, g, g FROM generate_series(1, 20000) g;" "DROP TABLE items;"
mkrev 000000000002 000000000001 "Indexes" "CREATE INDEX CONCURRENTLY ix_items_a ON items (a);
CREATE INDEX CONCURRENTLY ix_items_b ON items (b);
CREATE INDEX CONCURRENTLY ix_items_c ON items (no_such_column);
CREATE INDEX CONCURRENTLY ix_items_ab ON items (a, b);" "DROP INDEX ix_items_a;" "transaction:false"
fails "$QUIPU" upgrade head
expect_err "no_such_column"
expect_err "000000000002_indexes.sql:12"
expect_err "statements 1 to 2 ran and stay applied"
expect_err "continues at statement 3"
expect_eq "$(pg_sql quipu_notx "SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE tablename='items' AND indexname LIKE 'ix_%'")" "ix_items_a,ix_items_b" "the first two indexes stay"
expect_eq "$(pg_sql quipu_notx "SELECT version_num FROM alembic_version")" "000000000001" "version after the failure"
expect_eq "$(pg_sql quipu_notx "SELECT status || ' ' || statements_done FROM alembic_version_log WHERE revision='000000000002'")" "running 2" "progress in the log"
# fix the third statement; the re-run starts there (the first two would fail: the indexes exist)
sed -i 's/(no_such_column)/(c)/' migrations/versions/000000000002_indexes.sql
ok "$QUIPU" upgrade head
expect_err "continuing at statement 3"
expect_out "Running upgrade 000000000001 -> 000000000002, Indexes"
expect_eq "$(pg_sql quipu_notx "SELECT count(*) FROM pg_indexes WHERE tablename='items' AND indexname LIKE 'ix_%'")" "4" "all four indexes"
expect_eq "$(pg_sql quipu_notx "SELECT version_num FROM alembic_version")" "000000000002" "version after the re-run"
expect_eq "$(pg_sql quipu_notx "SELECT status FROM alembic_version_log WHERE revision='000000000002' ORDER BY id DESC LIMIT 1")" "done" "log row done"

# a waiting runner and CREATE INDEX CONCURRENTLY: no deadlock
ok "$QUIPU" downgrade base
mkrev 000000000002 000000000001 "Indexes" "SELECT pg_sleep(1);
CREATE INDEX CONCURRENTLY ix_items_a ON items (a);" "DROP INDEX ix_items_a;" "transaction:false"
"$QUIPU" upgrade head >a.out 2>a.err &
first=$!
sleep 0.3
ok timeout 60 "$QUIPU" upgrade head
if wait $first; then pass; else fail "the first runner failed: $(cat a.err)"; fi
expect_eq "$(pg_sql quipu_notx "SELECT version_num FROM alembic_version")" "000000000002" "both runners done"
done_testing
