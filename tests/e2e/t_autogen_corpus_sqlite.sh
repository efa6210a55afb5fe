#!/usr/bin/env bash
# Autogenerate on the real-world SQLite schemas of ../shared/corpus/sqlite
# (read in place). For each, from an empty database: `revision
# --autogenerate` + `upgrade head` give the same sqlite_master as loading
# the file directly; `check` then reports nothing; `downgrade base` leaves
# an empty database.
. "$QUIPU_SRC/tests/e2e/lib.sh"

CORPUS="$QUIPU_SRC/../shared/corpus/sqlite"
[ -d "$CORPUS" ] && pass || { fail "no corpus at $CORPUS"; done_testing; }

schema_of() {
	sqlite_sql "$1" "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite\_%' ESCAPE '\\'
		AND name NOT LIKE 'alembic\_version%' ESCAPE '\\' ORDER BY type, name" | sed 's/^\(table|\([^|]*\)|[^|]*|\)CREATE TABLE "\2"/\1CREATE TABLE \2/'
}

loaded=0
for f in "$CORPUS"/*.sql; do
	n=$(basename "$f" .sql)
	mkdir -p "$T_DIR/$n" && cd "$T_DIR/$n"
	cp "$f" models.sql
	if ! sqlite3 -bail direct.db < models.sql > load.log 2>&1; then
		fail "$n does not load on SQLite: $(head -1 load.log)"
		cd "$T_DIR"
		continue
	fi
	loaded=$((loaded + 1))
	mkproj "sqlite:///$T_DIR/$n/auto.db" "models = %(here)s/models.sql"
	ok "$QUIPU" revision --autogenerate -m "$n"
	ok "$QUIPU" upgrade head
	expect_eq "$(schema_of auto.db)" "$(schema_of direct.db)" "$n: autogenerate + upgrade vs loading the file"
	ok "$QUIPU" check
	expect_out "No new upgrade operations detected."
	ok "$QUIPU" downgrade base
	expect_eq "$(schema_of auto.db)" "" "$n: downgrade base leaves an empty database"
	cd "$T_DIR"
done
echo "corpus: $loaded SQLite schemas round-tripped"
[ "$loaded" -ge 7 ] && pass || fail "only $loaded corpus schemas (expected 7)"
done_testing
