#!/usr/bin/env bash
# The seed's example, examples/khipu, on SQLite and PostgreSQL: upgrade head
# prints each revision with its time, the seed's workflow (downgrade -1,
# upgrade +1, downgrade base) works, and models/ describes exactly the
# schema the revisions build. Also -q and --raiseerr.
. "$QUIPU_SRC/tests/e2e/lib.sh"
cp -r "$QUIPU_SRC/examples/khipu" khipu
rm -f khipu/khipu.db
cd khipu

# SQLite, the embedded default of the example's quipu.ini
ok "$QUIPU" upgrade head
expect_out "Running upgrade  -> e8a14672d2af, Initial tables ("
expect_out "Running upgrade e8a14672d2af -> 3f2a9c1b7d4e, Add phone_number to users ("
ok "$QUIPU" current
expect_eq "$OUT" "3f2a9c1b7d4e (head)" "current"
expect_eq "$(sqlite_sql khipu.db "SELECT count(*) FROM pragma_table_info('users') WHERE name='phone_number' AND type='VARCHAR(20)' AND \"notnull\"=0")" "1" "phone_number VARCHAR(20) nullable"
ok "$QUIPU" downgrade -1
expect_out "Running downgrade 3f2a9c1b7d4e -> e8a14672d2af, Add phone_number to users"
expect_eq "$(sqlite_sql khipu.db "SELECT count(*) FROM pragma_table_info('users') WHERE name='phone_number'")" "0" "phone_number dropped"
ok "$QUIPU" upgrade +1
ok "$QUIPU" -q downgrade base
expect_eq "$OUT" "" "-q prints nothing"
expect_eq "$(sqlite_sql khipu.db "SELECT group_concat(name) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' AND name NOT LIKE 'alembic_version%'")" "" "base leaves no table (but the version table and its log)"
ok "$QUIPU" upgrade head

# models/ equals what the revisions build (SQLite: columns, types, nullability, defaults, keys, indexes)
sqlite_schema() {
	local t
	for t in tenants users projects project_members; do
		sqlite_sql "$1" "SELECT '$t', name, type, \"notnull\", dflt_value, pk FROM pragma_table_info('$t') ORDER BY name"
		sqlite_sql "$1" "SELECT '$t', \"table\", \"from\", \"to\", on_delete FROM pragma_foreign_key_list('$t') ORDER BY 2, 3"
		sqlite_sql "$1" "SELECT '$t', name, \"unique\" FROM pragma_index_list('$t') WHERE origin = 'c' ORDER BY name"
	done
}
cat models/*.sql | sqlite3 -bail models.db && pass || fail "models/*.sql do not load on SQLite"
expect_eq "$(sqlite_schema khipu.db)" "$(sqlite_schema models.db)" "SQLite: models/ vs the revisions"

# PostgreSQL: the same files
pg_newdb khipu_models
pg_newdb khipu_e2e
ok "$QUIPU" --url "$PGURL" upgrade head
expect_out "Running upgrade e8a14672d2af -> 3f2a9c1b7d4e, Add phone_number to users ("
ok "$QUIPU" --url "$PGURL" downgrade -1
ok "$QUIPU" --url "$PGURL" upgrade +1
cat models/*.sql | psql -X -q -v ON_ERROR_STOP=1 -d khipu_models >/dev/null && pass || fail "models/*.sql do not load on PostgreSQL"
pg_schema() {
	pg_dump --schema-only --no-owner --exclude-table='alembic_version*' -d "$1" \
		| grep -vE '^(--|SET |SELECT pg_catalog|\\(un)?restrict)' | grep -v '^$' | sort
}
expect_eq "$(pg_schema khipu_e2e)" "$(pg_schema khipu_models)" "PostgreSQL: models/ vs the revisions"
ok "$QUIPU" --url "$PGURL" downgrade base
expect_eq "$(pg_sql khipu_e2e "SELECT count(*) FROM pg_tables WHERE schemaname='public' AND tablename NOT LIKE 'alembic_version%'")" "0" "PostgreSQL: base leaves no table"

# --raiseerr adds the error's kind and code
fails "$QUIPU" --raiseerr upgrade nosuch
expect_err "quipu: error ["
done_testing
