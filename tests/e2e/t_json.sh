#!/usr/bin/env bash
# --json on every command (DESIGN §4): exactly one JSON object on stdout,
# with the data the text form shows; on failure {"error": {kind, code,
# message}} (an upgrade's also lists the steps that ran before it) and the
# usual exit code, the text message still on stderr.
. "$QUIPU_SRC/tests/e2e/lib.sh"

# jcheck EXPR: $OUT parses as one JSON object and the Python expression
# over it (as `j`) is true
jcheck() {
	if python3 -c '
import json, sys
j = json.loads(sys.stdin.read())
assert isinstance(j, dict), "not an object"
assert eval(sys.argv[1]), "false: " + sys.argv[1]
' "$1" <<<"$OUT" 2>"$T_DIR/.jerr"; then pass; else fail "JSON check $1 failed: $(cat "$T_DIR/.jerr")
--- stdout:
$OUT"; fi
}

mkproj "sqlite:///$T_DIR/j.db"
mkrev 000000000001 "" "Create t" "CREATE TABLE t (id INTEGER PRIMARY KEY);" "DROP TABLE t;"
mkrev 000000000002 000000000001 "Create u" "CREATE TABLE u (id INTEGER PRIMARY KEY);" "DROP TABLE u;"
mkrev 000000000003 000000000001 "Create v" "CREATE TABLE v (id INTEGER PRIMARY KEY);" "DROP TABLE v;"

ok "$QUIPU" --json heads
jcheck 'sorted(r["id"] for r in j["heads"]) == ["000000000002", "000000000003"] and all(r["is_head"] for r in j["heads"])'
ok "$QUIPU" --json branches
jcheck 'j["branch_points"][0]["id"] == "000000000001" and j["branch_points"][0]["next"] == ["000000000002", "000000000003"]'
ok "$QUIPU" --json history
jcheck 'len(j["revisions"]) == 3 and j["revisions"][-1]["is_base"] and "current" not in j["revisions"][0]'
ok "$QUIPU" --json show 000000000002
jcheck 'j["revisions"][0]["down_revisions"] == ["000000000001"] and j["revisions"][0]["message"] == "Create u"'
ok "$QUIPU" --json current
jcheck 'j["current"] == []'
ok "$QUIPU" --json merge heads -m "Join"
jcheck 'len(j["id"]) == 12 and j["path"].endswith("_join.sql")'
ok "$QUIPU" --json upgrade heads
jcheck '[s["revision"] for s in j["steps"]][0] == "000000000001" and len(j["steps"]) == 4 and j["steps"][0]["from"] is None and all(s["kind"] == "upgrade" and s["elapsed_ms"] >= 0 for s in j["steps"])'
expect_no "Running upgrade"
ok "$QUIPU" --json current -v
jcheck 'len(j["current"]) == 1 and j["current"][0]["is_merge"] and j["current"][0]["applied"]["direction"] == "upgrade"'
ok "$QUIPU" --json history -i -v
jcheck 'sum(r["current"] for r in j["revisions"]) == 1 and all(r["applied"] for r in j["revisions"])'
ok "$QUIPU" --json validate
jcheck 'j["ok"] is True and j["revision_files"] == 4 and j["applied_checked"] == 4 and j["problems"] == []'
ok "$QUIPU" --json test
jcheck 'len([s for s in j["steps"] if s["kind"] == "revision"]) == 4 and j["steps"][-1] == {"kind": "models", "result": "not set", "head": j["steps"][-2]["revision"]}'
ok "$QUIPU" --json downgrade 000000000001
jcheck 'all(s["kind"] == "downgrade" for s in j["steps"]) and j["steps"][-1]["to"] == "000000000001"'
ok "$QUIPU" --json stamp heads
jcheck 'j["steps"][0]["kind"] == "stamp"'
ok "$QUIPU" --json upgrade 000000000001:000000000002 --sql
jcheck '"CREATE TABLE u" in j["sql"]'
ok "$QUIPU" --json list_templates
jcheck 'j["templates"][0]["name"] == "generic"'
EDITOR=true ok "$QUIPU" --json edit 000000000002
jcheck 'j["edited"][0]["id"] == "000000000002"'
ok "$QUIPU" --json revision -m "Plain"
jcheck 'j["path"].endswith("_plain.sql") and j["changes"] is None'

# failures: one object with the error, the usual exit code
fails "$QUIPU" --json upgrade nope
expect_rc 1
jcheck 'j["error"]["kind"] == "not found" and "nope" in j["error"]["message"]'
expect_err "quipu: error: Can't locate revision identified by 'nope'"
fails "$QUIPU" --json upgrade head --lock-timeout x
expect_rc 2
jcheck 'j["error"]["kind"] == "usage"'
fails "$QUIPU" --json current --check-heads
jcheck 'j["error"]["kind"] == "database state"'

# a failing upgrade lists what ran before it
rm -rf migrations j.db
mkproj "sqlite:///$T_DIR/j.db"
mkrev 000000000001 "" "Create t" "CREATE TABLE t (id INTEGER PRIMARY KEY);" "DROP TABLE t;"
mkrev 000000000002 000000000001 "Broken" "CREATE TABLE t (id INTEGER);" "SELECT 1;"
fails "$QUIPU" --json upgrade head
jcheck '[s["revision"] for s in j["steps"]] == ["000000000001"] and j["error"]["kind"] == "sql" and "000000000002" in j["error"]["message"]'

# a models project: check, diff, revision --autogenerate, test
rm -rf migrations models j.db
mkdir models
echo "CREATE TABLE t (id INTEGER PRIMARY KEY, name VARCHAR(20));" > models/t.sql
mkproj "sqlite:///$T_DIR/j.db" "models = %(here)s/models"
run "$QUIPU" --json check
expect_rc 1
jcheck 'j["changes"] == ["create table t"]'
ok "$QUIPU" --json diff
jcheck '"CREATE TABLE t" in j["upgrade"] and "DROP TABLE t" in j["downgrade"]'
ok "$QUIPU" --json revision --autogenerate -m "Models"
jcheck 'j["changes"] == ["create table t"] and j["path"].endswith("_models.sql")'
ok "$QUIPU" --json test
jcheck 'j["steps"][-1]["result"] == "equal"'
ok "$QUIPU" --json upgrade head
ok "$QUIPU" --json revision --autogenerate -m "Nothing"
jcheck 'j["id"] is None and j["changes"] == []'

# init
mkdir fresh && cd fresh
ok "$QUIPU" --json init migrations
jcheck 'j["versions"] == "migrations" and j["config"] == "quipu.ini"'
cd ..

# a password never reaches the JSON either
mkproj "postgresql://u:s3cr3t_pw@127.0.0.1:1/db"
fails "$QUIPU" --json current
jcheck 'j["error"]["kind"] == "connection"'
expect_no "s3cr3t_pw"

done_testing
