#!/usr/bin/env bash
# Offline mode (--sql) over a graph with a branch point, a merge and a second
# head, compared with the real Alembic's --sql output (issue 3):
#
#        b0b0 --- l1l1 ---+
#          |\             m1m1 --- t1t1
#          | +--- r1r1 ---+
#          +----- z1z1
#
#  - the version-table statements (INSERT / UPDATE / DELETE of
#    alembic_version, in order) of `upgrade --sql`, `downgrade --sql from:to`
#    and `stamp --sql` are Alembic's, where Alembic's own output is
#    deterministic (see below);
#  - quipu's output, run through sqlite3 on an empty file, leaves the rows an
#    online run leaves (and Alembic's output, run the same way, agrees).
#
# Alembic's SQLite offline output has no BEGIN/COMMIT and qualifies the
# column in WHERE (`alembic_version.version_num`); only the version-table
# statements are compared, with that qualifier removed. Where two branches
# are independent (b0b0 -> heads), Alembic's order follows os.listdir() and,
# at a merge with another head present, a Python set: there only the rows
# each output leaves are compared.
. "$QUIPU_SRC/tests/e2e/lib.sh"

PY=/usr/bin/python3
if ! "$PY" -c 'import alembic, sqlalchemy' 2>/dev/null; then
	fail "Alembic is not importable by $PY (apt-get install python3-alembic python3-sqlalchemy)"
	done_testing
fi

mkproj "sqlite:///$T_DIR/online.db"
v() { mkrev "$1" "$2" "rev $1" "CREATE TABLE t_$1 (id INTEGER);" "DROP TABLE t_$1;"; }
v b0b0 ""
v l1l1 b0b0
v r1r1 b0b0
v m1m1 "l1l1, r1r1"
v t1t1 m1m1
v z1z1 b0b0
ok "$PY" "$QUIPU_SRC/tests/interop/alembic_project.py" migrations/versions "sqlite:///$T_DIR/alembic_online.db" "$T_DIR/alembic"
# Alembic exits 255 on an error; lib.sh's run() counts >= 124 as a crash
alembic() { PYTHONDONTWRITEBYTECODE=1 "$PY" -m alembic -c "$T_DIR/alembic/alembic.ini" "$@" || return 1; }

# the version-table statements of an --sql output, normalised
vstmts() {
	grep -E '^(INSERT INTO|UPDATE|DELETE FROM) alembic_version' <<<"$1" |
		sed -E 's/WHERE alembic_version\.version_num/WHERE version_num/'
}
# same_sql ARGS...: quipu and Alembic print the same version-table statements
# (SORTED=1: the same set of them, for stamp's INSERTs of independent rows,
# which Alembic orders as a Python set does)
same_sql() {
	local q a
	ok "$QUIPU" "$@"
	q=$(vstmts "$OUT")
	ok alembic "$@"
	a=$(vstmts "$OUT")
	if [ -n "${SORTED:-}" ]; then q=$(sort <<<"$q"); a=$(sort <<<"$a"); fi
	[ -n "$q" ] && pass || fail "no version-table statements from quipu $*"
	expect_eq "$q" "$a" "version-table statements of \`$*\` (quipu, then Alembic)"
}
# rows DB: the alembic_version rows, sorted, on one line
rows() { sqlite_sql "$1" "SELECT group_concat(version_num, ' ') FROM (SELECT version_num FROM alembic_version ORDER BY 1)"; }
# apply DB SQL: run an --sql output through sqlite3
apply() {
	if sqlite3 -bail "$1" <<<"$2"; then pass; else fail "the --sql output does not run in sqlite3 on $1"; fi
}

# ---- statements, compared with Alembic's
same_sql upgrade --sql l1l1:t1t1      # opens r1r1's row, then merges: DELETE + UPDATE
expect_out "INSERT INTO alembic_version (version_num) VALUES ('r1r1');"
expect_out "DELETE FROM alembic_version WHERE alembic_version.version_num = 'l1l1';"
same_sql upgrade --sql r1r1:z1z1      # a new branch off a revision below the row
same_sql upgrade --sql b0b0:l1l1
same_sql downgrade --sql t1t1:r1r1    # unmerges: UPDATE + INSERT
expect_out "INSERT INTO alembic_version (version_num) VALUES ('l1l1');"
same_sql downgrade --sql t1t1:base    # through the merge and the branch point
same_sql downgrade --sql z1z1:b0b0
SORTED=1 same_sql stamp --sql heads
SORTED=1 same_sql stamp --sql l1l1 r1r1
same_sql stamp --sql z1z1

# quipu's own output: transactions and the version table's creation
ok "$QUIPU" upgrade --sql heads
Q_UP=$OUT
expect_out "BEGIN;"
expect_out "COMMIT;"
expect_out "CREATE TABLE alembic_version"
expect_out "-- Running upgrade l1l1, r1r1 -> m1m1"
expect_eq "$(grep -c '^CREATE TABLE t_' <<<"$Q_UP")" 6 "revisions in upgrade --sql heads"

# ---- rows: the offline SQL leaves what an online run leaves
ok alembic upgrade --sql heads
A_UP=$OUT
apply q_offline.db "$Q_UP"
apply a_offline.db "$A_UP"
ok "$QUIPU" upgrade heads
ok alembic upgrade heads
expect_eq "$(rows online.db)" "t1t1 z1z1" "rows after quipu upgrade heads (online)"
expect_eq "$(rows q_offline.db)" "t1t1 z1z1" "rows after quipu's upgrade --sql heads, run by sqlite3"
expect_eq "$(rows a_offline.db)" "t1t1 z1z1" "rows after Alembic's upgrade --sql heads, run by sqlite3"
expect_eq "$(rows alembic_online.db)" "t1t1 z1z1" "rows after Alembic upgrade heads (online)"
ok "$QUIPU" --url "sqlite:///$T_DIR/q_offline.db" current
expect_eq "$(sort <<<"$OUT")" "t1t1 (head)
z1z1 (head)" "quipu current of the offline-made database"

# down through the merge, offline and online
ok "$QUIPU" downgrade --sql t1t1:r1r1
apply q_offline.db "$OUT"
ok alembic downgrade --sql t1t1:r1r1
apply a_offline.db "$OUT"
ok "$QUIPU" downgrade r1r1
ok alembic downgrade r1r1
for db in online q_offline a_offline alembic_online; do
	expect_eq "$(rows $db.db)" "l1l1 r1r1 z1z1" "rows of $db.db after downgrade to r1r1"
done
expect_eq "$(sqlite_sql q_offline.db "SELECT count(*) FROM sqlite_master WHERE name IN ('t_t1t1','t_m1m1')")" 0 \
	"t1t1 and m1m1 undone by the offline downgrade"

# a partial upgrade offline: the start is the database's rows, stated
ok "$QUIPU" upgrade --sql l1l1:m1m1
expect_no "INSERT INTO alembic_version (version_num) VALUES ('l1l1')"
ok "$QUIPU" upgrade m1m1
expect_eq "$(rows online.db)" "m1m1 z1z1" "rows after upgrade m1m1"

# stamp --sql through sqlite3 == stamp online
ok "$QUIPU" stamp --sql l1l1 z1z1
apply stamped.db "$OUT"
ok "$QUIPU" --url "sqlite:///$T_DIR/stamped_online.db" stamp l1l1 z1z1
expect_eq "$(rows stamped.db)" "$(rows stamped_online.db)" "stamp --sql vs stamp"
expect_eq "$(rows stamped.db)" "l1l1 z1z1" "rows after stamp --sql l1l1 z1z1"

# several heads as the start of an offline downgrade: Alembic refuses
# (`heads` as a start is "Multiple head revisions"), quipu takes every head,
# which names them all and guesses nothing
fails alembic downgrade --sql heads:base
ok "$QUIPU" downgrade --sql heads:base
apply q_full.db "$Q_UP"
apply q_full.db "$OUT"
expect_eq "$(sqlite_sql q_full.db "SELECT count(*) FROM sqlite_master WHERE type = 'table'")" 0 \
	"upgrade --sql heads then downgrade --sql heads:base leave nothing"

# errors: an offline downgrade needs its start; a relative stamp is refused
fails "$QUIPU" downgrade --sql base
expect_err "from"
fails "$QUIPU" stamp --sql -1
expect_err "absolute"
fails "$QUIPU" upgrade --sql zzzz:heads
expect_err "zzzz"
done_testing
