#!/usr/bin/env bash
# The applied-revision log and `validate`, on SQLite and PostgreSQL: each
# revision leaves a log row (revision, direction, checksum, start, duration,
# user, tool version) written with it; current -v and history -v show when
# and by whom; validate catches an edited and a deleted applied file;
# upgrade warns, and with --strict refuses; a re-stamp accepts an edit.
. "$QUIPU_SRC/tests/e2e/lib.sh"

check_backend() {
	local url=$1 q=$2
	rm -rf migrations quipu.ini
	mkproj "$url"
	mkchain 3
	ok "$QUIPU" upgrade head
	expect_eq "$($q "SELECT count(*) FROM alembic_version_log WHERE direction='upgrade' AND status='done'")" "3" "three upgrade rows"
	expect_eq "$($q "SELECT revision FROM alembic_version_log ORDER BY id LIMIT 1")" "$(rid 1)" "first row"
	f1=$(ls migrations/versions/$(rid 1)_*.sql)
	expect_eq "$($q "SELECT checksum FROM alembic_version_log WHERE revision='$(rid 1)'")" "$(sha256sum "$f1" | cut -d' ' -f1)" "checksum is the file's sha256"
	expect_eq "$($q "SELECT tool_version FROM alembic_version_log LIMIT 1")" "quipu 0.1.0" "tool version"
	expect_eq "$($q "SELECT count(*) FROM alembic_version_log WHERE duration_ms >= 0 AND started_at LIKE '20%Z'")" "3" "start and duration"
	ok "$QUIPU" downgrade -1
	expect_eq "$($q "SELECT direction FROM alembic_version_log ORDER BY id DESC LIMIT 1")" "downgrade" "downgrade row"
	ok "$QUIPU" upgrade head
	ok "$QUIPU" current -v
	expect_out "Applied: 20"
	expect_out " ms (quipu 0.1.0)"
	ok "$QUIPU" history -v
	expect_eq "$(grep -c 'Applied: 20' <<<"$OUT")" "3" "history -v shows the three applied revisions"

	ok "$QUIPU" validate
	expect_out "OK: 3 revision files, 3 applied revisions match"

	# an edited applied file
	echo "-- an innocent-looking edit" >> "$f1"
	fails "$QUIPU" validate
	expect_err "$(basename "$f1"): changed since it was applied"
	ok "$QUIPU" upgrade head
	expect_err "warning: "
	fails "$QUIPU" upgrade head --strict
	expect_err "refusing to run with --strict"
	# re-stamping records the file as it is now
	ok "$QUIPU" stamp "$(rid 1)"
	ok "$QUIPU" stamp head
	ok "$QUIPU" validate

	# a deleted applied file (the head)
	f3=$(ls migrations/versions/$(rid 3)_*.sql)
	mv "$f3" saved.sql
	fails "$QUIPU" validate
	expect_err "$(rid 3) is applied"
	expect_err "file is gone"
	fails "$QUIPU" upgrade head --strict
	mv saved.sql "$f3"
	# a deleted file in the middle breaks the graph: named too
	f2=$(ls migrations/versions/$(rid 2)_*.sql)
	mv "$f2" saved.sql
	fails "$QUIPU" validate
	expect_err "$(rid 2)"
	mv saved.sql "$f2"
	ok "$QUIPU" validate
}

check_backend "sqlite:///%(here)s/test.db" "sqlite_sql test.db"
pg_newdb quipu_log
pgq() { pg_sql quipu_log "$1"; }
check_backend "$PGURL" pgq
done_testing
