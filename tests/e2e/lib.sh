# lib.sh: helpers for the end-to-end tests (sourced by each tests/*/t_*.sh).
#
# Each test runs in its own fresh folder under $QUIPU_TEST_TMP and, for
# PostgreSQL, its own database (pg_newdb). The PostgreSQL fixture must be up:
# a missing server is a failure, never a skip.
#
#   run CMD...            runs CMD, keeps stdout in $OUT, stderr in $ERR, code in $RC
#   ok CMD...             run and expect exit 0
#   fails CMD...          run and expect a non-zero exit
#   expect_out TEXT       $OUT contains TEXT (fixed string)
#   expect_err TEXT       $ERR contains TEXT
#   expect_no TEXT        neither $OUT nor $ERR contains TEXT
#   expect_eq A B [what]  A = B
#   pg_newdb NAME         creates database NAME, sets $PGURL (socket URL)
#   pg_sql DB SQL         psql -tA on DB, prints the result
#   sqlite_sql FILE SQL   sqlite3 on FILE, prints the result
#   done_testing          prints the summary line and exits non-zero on failures
set -u
: "${QUIPU_BIN:?QUIPU_BIN is not set: run through ctest}"
: "${QUIPU_SRC:?QUIPU_SRC is not set: run through ctest}"
QUIPU=$QUIPU_BIN
T_PASS=0
T_FAIL=0
T_NAME=$(basename "$0" .sh)
T_DIR="${QUIPU_TEST_TMP:-/tmp/quipu-tests}/$T_NAME"
rm -rf "$T_DIR"
mkdir -p "$T_DIR"
cd "$T_DIR"
unset QUIPU_CONFIG QUIPU_DATABASE_URL DATABASE_URL QUIPU_NO_CACHE
# the header cache of heads/current/history/branches: inside the test's folder, not ~/.cache
export XDG_CACHE_HOME="$T_DIR/.cache"

if [ -n "${QUIPU_TEST_PG_ENV:-}" ]; then
	if [ ! -f "$QUIPU_TEST_PG_ENV" ]; then
		echo "FAIL: the PostgreSQL test server is not running ($QUIPU_TEST_PG_ENV missing); the pg_start fixture failed" >&2
		exit 1
	fi
	# shellcheck disable=SC1090
	. "$QUIPU_TEST_PG_ENV"
fi

# the first caller outside lib.sh: the test's own file and line
_where() {
	local i
	for ((i = 1; i < ${#BASH_SOURCE[@]}; i++)); do
		if [[ ${BASH_SOURCE[$i]} != */lib.sh ]]; then
			echo "${BASH_SOURCE[$i]##*/}:${BASH_LINENO[$((i - 1))]}"
			return
		fi
	done
	echo "?"
}
pass() { T_PASS=$((T_PASS + 1)); }
fail() { T_FAIL=$((T_FAIL + 1)); echo "FAIL [$(_where)]: $*" >&2; }

run() {
	OUT=$("$@" 2>"$T_DIR/.stderr") && RC=0 || RC=$?
	ERR=$(cat "$T_DIR/.stderr")
	# a sanitizer report or a crash is a failure even where failure is expected
	if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' <<<"$ERR" || [ "$RC" -ge 124 ]; then
		fail "crash or sanitizer report (exit $RC) from: $*
$ERR"
	fi
}
ok() {
	run "$@"
	if [ "$RC" -eq 0 ]; then pass; else fail "expected success from: $*
--- exit $RC, stdout:
$OUT
--- stderr:
$ERR"; fi
}
fails() {
	run "$@"
	if [ "$RC" -ne 0 ]; then pass; else fail "expected failure from: $*
--- stdout:
$OUT
--- stderr:
$ERR"; fi
}
expect_out() {
	if grep -qF -- "$1" <<<"$OUT"; then pass; else fail "stdout lacks '$1':
$OUT
--- stderr:
$ERR"; fi
}
expect_err() {
	if grep -qF -- "$1" <<<"$ERR"; then pass; else fail "stderr lacks '$1':
$ERR"; fi
}
expect_no() {
	if grep -qF -- "$1" <<<"$OUT$ERR"; then fail "output contains '$1':
$OUT
$ERR"; else pass; fi
}
expect_eq() {
	if [ "$1" == "$2" ]; then pass; else fail "${3:-values differ}: got '$1', expected '$2'"; fi
}
expect_rc() {
	if [ "$RC" -eq "$1" ]; then pass; else fail "exit code $RC, expected $1"; fi
}

pg_sql() {
	psql -X -q -tA -v ON_ERROR_STOP=1 -d "$1" -c "$2"
}
pg_newdb() {
	local db=$1
	PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null
	psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE \"$db\"" >/dev/null
	PGURL="postgresql://postgres@/$db?host=$PGHOST&port=$PGPORT"
}
sqlite_sql() {
	sqlite3 -batch "$1" "$2"
}

done_testing() {
	echo "$T_NAME: $T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" -eq 0 ]
	exit $?
}

# ---- building projects -------------------------------------------------
# mkproj URL [EXTRA_INI_LINES]: quipu.ini + migrations/versions in the cwd
mkproj() {
	mkdir -p migrations/versions
	cat > quipu.ini <<INI
[quipu]
script_location = %(here)s/migrations
sqlalchemy.url = $1
${2:-}
INI
}
# mkrev ID PARENTS MESSAGE UP_SQL [DOWN_SQL] [UP_OPTS]: a revision file
# (PARENTS: "" for a base, "a, b" for a merge). DOWN_SQL "-" leaves the
# downgrade marker out.
mkrev() {
	local id=$1 parents=$2 msg=$3 up=$4 down=${5:-} opts=${6:-}
	{
		echo "-- $msg"
		echo "--"
		echo "-- Revision ID: $id"
		echo "-- Revises: $parents"
		echo "-- Create Date: 2026-11-25 12:00:00.000000"
		echo "-- Branch Labels:"
		echo "-- Depends On:"
		echo
		echo "-- migrate:upgrade${opts:+ $opts}"
		echo "$up"
		if [ "$down" != "-" ]; then
			echo
			echo "-- migrate:downgrade"
			echo "$down"
		fi
	} > "migrations/versions/${id}_$(echo "$msg" | tr 'A-Z ' 'a-z_').sql"
}
# mkchain N: revisions r01..rNN (ids 000000000001...), each creating table tNN
mkchain() {
	local i prev="" id
	for i in $(seq 1 "$1"); do
		id=$(printf '%012d' "$i")
		mkrev "$id" "$prev" "Create t$i" "CREATE TABLE t$i (id INTEGER PRIMARY KEY, name VARCHAR(20));" "DROP TABLE t$i;"
		prev=$id
	done
}
rid() { printf '%012d' "$1"; }
