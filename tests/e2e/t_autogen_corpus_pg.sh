#!/usr/bin/env bash
# Autogenerate on the real-world PostgreSQL schemas of ../shared/corpus/postgres
# (see its README; read in place, never copied). For each schema that loads
# on PostgreSQL 15 (psql meta-commands and CREATE/DROP DATABASE lines
# removed; contrib extensions available), starting from an empty database:
#   - `revision --autogenerate` + `upgrade head` give a database whose schema
#     equals loading the file directly (pg_dump --schema-only of both,
#     compared as sorted lines: column order does not matter);
#   - `check` then reports nothing;
#   - `downgrade base` leaves an empty database.
# Schemas that do not load on PostgreSQL 15 are listed and not counted.
. "$QUIPU_SRC/tests/e2e/lib.sh"

CORPUS="$QUIPU_SRC/../shared/corpus/postgres"
[ -d "$CORPUS" ] && pass || { fail "no corpus at $CORPUS"; done_testing; }

# the schema as pg_dump sees it, without what differs by construction
schema_of() {
	pg_dump --schema-only --no-owner --no-privileges --exclude-table=alembic_version \
		--exclude-table=alembic_version_log -d "$1" \
		| grep -vE '^(--|SET |SELECT pg_catalog\.set_config|\\(un)?restrict )' | grep -v '^$' | sort
}

pg_newdb qp_corpus_empty
empty=$(schema_of qp_corpus_empty)
loaded=0
skipped=""
for f in "$CORPUS"/*.sql; do
	n=$(basename "$f" .sql)
	db=qp_corpus_$(echo "$n" | tr -c 'a-z0-9\n' '_')
	mkdir -p "$T_DIR/$n" && cd "$T_DIR/$n"
	grep -vE '^[[:space:]]*\\' "$f" | grep -viE '^[[:space:]]*(CREATE|DROP)[[:space:]]+DATABASE' > models.sql
	pg_newdb "${db}_direct"
	if ! psql -X -q -v ON_ERROR_STOP=1 -d "${db}_direct" -f models.sql > load.log 2>&1; then
		skipped="$skipped $n($(grep -m1 ERROR load.log | sed 's/.*ERROR: *//' | cut -c1-60))"
		pg_sql postgres "DROP DATABASE ${db}_direct WITH (FORCE)" >/dev/null
		cd "$T_DIR"
		continue
	fi
	loaded=$((loaded + 1))
	pg_newdb "$db"
	mkproj "$PGURL" "models = %(here)s/models.sql"
	ok "$QUIPU" revision --autogenerate -m "$n"
	ok "$QUIPU" upgrade head
	if [ "$RC" -eq 0 ]; then
		expect_eq "$(schema_of "$db")" "$(schema_of "${db}_direct")" "$n: autogenerate + upgrade vs loading the file"
	fi
	ok "$QUIPU" check
	expect_out "No new upgrade operations detected."
	ok "$QUIPU" downgrade base
	expect_eq "$(schema_of "$db")" "$empty" "$n: downgrade base leaves an empty database"
	pg_sql postgres "DROP DATABASE $db WITH (FORCE)" >/dev/null
	pg_sql postgres "DROP DATABASE ${db}_direct WITH (FORCE)" >/dev/null
	cd "$T_DIR"
done
echo "corpus: $loaded schemas loaded and round-tripped; not loading on PostgreSQL 15:${skipped:- none}"
# the README's list: 11 of the 16 load on PostgreSQL 15 without extra roles or non-contrib extensions
[ "$loaded" -ge 11 ] && pass || fail "only $loaded corpus schemas loaded (expected at least 11)"
done_testing
