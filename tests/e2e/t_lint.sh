#!/usr/bin/env bash
# quipu lint: the pending revisions on a real PostgreSQL (applied ones are
# not linted), live row estimates and sizes, --json, exit codes, lint-ignore
# comments, CONCURRENTLY in a transaction:false section, offline and
# unreachable-database modes, and SQLite (rules on the SQL text, no sizes).
. "$QUIPU_SRC/tests/e2e/lib.sh"

# ---- PostgreSQL ---------------------------------------------------------
mkdir pg && cd pg
pg_newdb quipu_lint
mkproj "$PGURL"
# r1 drops a table: it would fire, but it is applied before we lint
mkrev aaaa00000001 "" "Create users" "CREATE TABLE users (id bigint PRIMARY KEY, name varchar(50), phone varchar(20), score int);
DROP TABLE IF EXISTS legacy;" "DROP TABLE users;"
ok "$QUIPU" upgrade head
pg_sql quipu_lint "INSERT INTO users SELECT g, 'name ' || g, '555-' || g, g FROM generate_series(1, 5000) g; ANALYZE users;" >/dev/null
# mkrev's upgrade SQL starts at line 10 of the file
mkrev aaaa00000002 aaaa00000001 "Risky" "ALTER TABLE users DROP COLUMN phone;
CREATE INDEX ix_users_name ON users (name);
ALTER TABLE users ALTER COLUMN name TYPE varchar(20);
CREATE TABLE audit (id int, users_id bigint);
CREATE INDEX ix_audit_users ON audit (users_id);
-- quipu:lint-ignore set-not-null
ALTER TABLE users ALTER COLUMN score SET NOT NULL;" "SELECT 1;"
mkrev aaaa00000003 aaaa00000002 "Index concurrently" "CREATE INDEX CONCURRENTLY ix_users_score ON users (score);" "DROP INDEX ix_users_score;" "transaction:false"

fails "$QUIPU" lint
expect_rc 1
expect_out "aaaa00000002_risky.sql:10: drop-column [data-loss]"
expect_out "drops column users.phone"
expect_out "aaaa00000002_risky.sql:11: create-index-without-concurrently [locking]"
expect_out "aaaa00000002_risky.sql:12: narrow-type [data-loss]"
expect_out "aaaa00000002_risky.sql:12: alter-column-type [locking]"
expect_out "table users: ~5000 rows, "
expect_out "fix: Use CREATE INDEX CONCURRENTLY"
expect_out "4 findings in 2 revisions."
expect_no "legacy"               # applied: not linted
expect_no "ix_audit_users"       # a table created in the same pending set
expect_no "set-not-null"         # suppressed
expect_no "aaaa00000003"         # CONCURRENTLY outside a transaction: the safe twin

run "$QUIPU" --json lint
expect_rc 1
echo "$OUT" > lint.json
python3 -m json.tool lint.json >/dev/null && pass || fail "--json output does not parse: $OUT"
got=$(python3 -c '
import json
d = json.load(open("lint.json"))
f = [x for x in d if x["rule"] == "drop-column"][0]
print(len(d), f["line"], f["table"], int(f["rows"]), f["bytes"] > 8192, f["revision"])')
expect_eq "$got" "4 10 users 5000 True aaaa00000002" "json fields of the drop-column finding"

# named revisions are linted even when applied; ranges too
ok "$QUIPU" lint aaaa00000003
expect_out "0 findings in 1 revision."
fails "$QUIPU" lint aaaa00000001
expect_out "drop-table"
expect_out "legacy"
fails "$QUIPU" lint nosuchrev
expect_err "nosuchrev"

# --offline: every revision, each on its own (r1's legacy drop shows), no sizes
fails "$QUIPU" lint --offline
expect_out "aaaa00000001_create_users.sql:11: drop-table"
expect_out "(offline: no table sizes)"
expect_no "table users:"

# once everything is applied nothing is pending: clean, exit 0
ok "$QUIPU" upgrade head
ok "$QUIPU" lint
expect_out "0 findings in 0 revisions."
ok "$QUIPU" --json lint
expect_eq "$OUT" "[]" "json of a clean lint"

# CONCURRENTLY inside a transaction fails at run time: its own rule
mkrev aaaa00000004 aaaa00000003 "Concurrently in tx" "CREATE INDEX CONCURRENTLY ix_users_id2 ON users (id);" "SELECT 1;"
fails "$QUIPU" lint
expect_out "aaaa00000004_concurrently_in_tx.sql:10: concurrently-in-transaction [failure]"
rm migrations/versions/aaaa00000004_*

# the rule list
ok "$QUIPU" lint --rules
expect_out "create-index-without-concurrently [locking]"
ok "$QUIPU" --json lint --rules
echo "$OUT" | python3 -m json.tool >/dev/null && pass || fail "--json --rules does not parse"

# an unreachable database: a warning, then offline
cd "$T_DIR" && mkdir down && cd down
mkproj "postgresql://nobody@127.0.0.1:1/never"
mkrev bbbb00000001 "" "Drop" "DROP TABLE t;" "SELECT 1;"
fails "$QUIPU" lint
expect_err "cannot reach the database"
expect_out "drop-table"

# ---- SQLite -------------------------------------------------------------
cd "$T_DIR" && mkdir sqlite && cd sqlite
mkproj "sqlite:///$T_DIR/sqlite/app.db"
mkrev cccc00000001 "" "Init" "CREATE TABLE items (id INTEGER PRIMARY KEY, title VARCHAR(40), body TEXT);" "DROP TABLE items;"
mkrev cccc00000002 cccc00000001 "More" "CREATE INDEX ix_items_title ON items (title);
ALTER TABLE items DROP COLUMN body;
CREATE TABLE notes (id INTEGER PRIMARY KEY AUTOINCREMENT);" "SELECT 1;"
ok "$QUIPU" upgrade cccc00000001
sqlite_sql app.db "INSERT INTO items (title, body) VALUES ('a', 'b');"
fails "$QUIPU" lint
expect_out "cccc00000002_more.sql:11: drop-column [data-loss]"
expect_out "1 finding in 1 revision."
expect_no "create-index-without-concurrently"   # a PostgreSQL lock rule
expect_no "table items:"
expect_err "cccc00000002_more.sql:12: not linted"  # AUTOINCREMENT is not PostgreSQL
run "$QUIPU" --json lint
expect_rc 1
got=$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d), d[0]["rule"], d[0]["rows"], d[0]["bytes"])' <<<"$OUT")
expect_eq "$got" "1 drop-column None None" "sqlite json finding"
fails "$QUIPU" lint --offline
expect_out "drop-column"
ok "$QUIPU" upgrade head
ok "$QUIPU" lint
expect_out "0 findings"

done_testing
