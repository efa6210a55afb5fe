#!/usr/bin/env bash
# Autogenerate, the seed's workflow on examples/khipu, on SQLite and on
# PostgreSQL: the models (without phone_number) make the initial revision
# from an empty database; adding `phone_number VARCHAR(20)` to the users
# model gives `ALTER TABLE users ADD COLUMN phone_number ...` with
# `DROP COLUMN` as its downgrade; unchanged models give "No changes
# detected" and no file. `check` exits 1 listing the operations when the
# models and the database differ, 0 when they agree; `diff` prints the SQL
# and writes nothing. The scratch databases are gone afterwards.
. "$QUIPU_SRC/tests/e2e/lib.sh"

nrevs() { ls migrations/versions | wc -l; }
add_phone() {
	sed -i 's/^    updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP,$/&\n    phone_number VARCHAR(20),/' models/02_users.sql
	grep -q phone_number models/02_users.sql && pass || fail "could not add phone_number to the model"
}

# one backend: $1 = URL, $2 = expected type text of phone_number in the SQL
workflow() {
	local url=$1 type=$2
	rm -rf models migrations
	cp -r "$QUIPU_SRC/examples/khipu/models" models
	sed -i '/phone_number/d' models/02_users.sql
	mkproj "$url" "models = %(here)s/models"

	# the initial revision, from an empty database
	run "$QUIPU" check
	expect_rc 1
	expect_out "create table users"
	ok "$QUIPU" revision --autogenerate -m "Initial tables"
	expect_out "Detected create table tenants"
	expect_out "Generating "
	expect_eq "$(nrevs)" "1" "one revision file"
	f=$(ls migrations/versions/*_initial_tables.sql)
	grep -q "^CREATE TABLE users" "$f" && pass || fail "the initial revision creates users: $(cat "$f")"
	grep -q "^DROP TABLE tenants;" "$f" && pass || fail "the downgrade drops tenants: $(cat "$f")"
	# the tables come before what references them, the downgrade in reverse
	[ "$(grep -n '^CREATE TABLE tenants' "$f" | cut -d: -f1)" -lt "$(grep -n '^CREATE TABLE users' "$f" | cut -d: -f1)" ] \
		&& pass || fail "tenants is created before users"
	fails "$QUIPU" check
	expect_err "Target database is not up to date."
	ok "$QUIPU" upgrade head
	ok "$QUIPU" check
	expect_out "No new upgrade operations detected."

	# unchanged models: nothing to write
	ok "$QUIPU" revision --autogenerate -m "Nothing"
	expect_out "No changes detected"
	expect_eq "$(nrevs)" "1" "no file for no changes"

	# the seed's change
	add_phone
	run "$QUIPU" check
	expect_rc 1
	expect_out "New upgrade operations detected:"
	expect_out "add column users.phone_number"
	ok "$QUIPU" diff
	expect_out "ALTER TABLE users ADD COLUMN phone_number $type;"
	expect_out "ALTER TABLE users DROP COLUMN phone_number;"
	expect_eq "$(nrevs)" "1" "diff writes no file"
	ok "$QUIPU" revision --autogenerate -m "Add phone_number to users"
	expect_out "Detected add column users.phone_number"
	expect_eq "$(nrevs)" "2" "a second revision"
	f=$(ls migrations/versions/*_add_phone_number_to_users.sql)
	expect_eq "$(sed -n '/^-- migrate:upgrade/,/^-- migrate:downgrade/p' "$f" | grep -v '^--' | grep -v '^$')" \
		"ALTER TABLE users ADD COLUMN phone_number $type;" "the upgrade"
	expect_eq "$(sed -n '/^-- migrate:downgrade/,$p' "$f" | grep -v '^-- migrate' | grep -v '^$')" \
		"-- WARNING: drops column users.phone_number and its data
ALTER TABLE users DROP COLUMN phone_number;" "the downgrade"
	grep -q "^-- Revises: $(basename "$(ls migrations/versions/*_initial_tables.sql)" | cut -d_ -f1)" "$f" && pass \
		|| fail "the new revision revises the initial one"
	fails "$QUIPU" revision --autogenerate -m "Again"
	expect_err "Target database is not up to date."
	expect_err "Add phone_number to users"
	# --from-migrations compares with the revisions instead
	ok "$QUIPU" check --from-migrations
	ok "$QUIPU" upgrade head
	ok "$QUIPU" check
	ok "$QUIPU" revision --autogenerate -m "Nothing"
	expect_out "No changes detected"
	expect_eq "$(nrevs)" "2" "no file for no changes"
	# down and up again
	ok "$QUIPU" downgrade -1
	ok "$QUIPU" check --from-migrations
	ok "$QUIPU" upgrade head
	ok "$QUIPU" downgrade base
	ok "$QUIPU" upgrade head
	ok "$QUIPU" check
}

workflow "sqlite:///$T_DIR/khipu.db" "VARCHAR(20)"
expect_eq "$(sqlite_sql khipu.db "SELECT count(*) FROM pragma_table_info('users') WHERE name='phone_number' AND type='VARCHAR(20)'")" "1" "SQLite: phone_number VARCHAR(20)"

pg_newdb qp_autogen_khipu
workflow "$PGURL" "character varying(20)"
expect_eq "$(pg_sql qp_autogen_khipu "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname = 'phone_number'")" \
	"character varying(20)" "PostgreSQL: phone_number varchar(20)"

# the scratch databases are dropped, after a failure too: counted by owner,
# a role of this test's own (other tests may be autogenerating meanwhile)
pg_sql postgres "SET client_min_messages = warning; DROP ROLE IF EXISTS qp_scratch_owner; CREATE ROLE qp_scratch_owner LOGIN CREATEDB" >/dev/null
pg_sql qp_autogen_khipu "GRANT SELECT ON ALL TABLES IN SCHEMA public TO qp_scratch_owner" >/dev/null
OWNER_URL="postgresql://qp_scratch_owner@/qp_autogen_khipu?host=$PGHOST&port=$PGPORT"
scratch_left() { pg_sql postgres "SELECT count(*) FROM pg_database WHERE datdba = 'qp_scratch_owner'::regrole"; }
ok "$QUIPU" --url "$OWNER_URL" check
expect_eq "$(scratch_left)" "0" "no scratch database left"

# a models file that does not load: file, line, the server's message
echo "CREATE TABLE broken (id int REFERENCES nowhere (id));" > models/05_broken.sql
fails "$QUIPU" --url "$OWNER_URL" diff
expect_err "05_broken.sql:1:"
expect_err "nowhere"
rm models/05_broken.sql
printf -- '-- header\n\nCREATE TABLE ok1 (id int);\nCREATE TABLE ok1 (id int);\n' > models/05_broken.sql
fails "$QUIPU" --url "$OWNER_URL" diff
expect_err "05_broken.sql:4:"
expect_err "already exists"
rm models/05_broken.sql
expect_eq "$(scratch_left)" "0" "no scratch database left after a failure"
pg_sql qp_autogen_khipu "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM qp_scratch_owner" >/dev/null
pg_sql postgres "DROP ROLE qp_scratch_owner" >/dev/null

# a role that may not create databases: the error names dev_url
pg_sql postgres "SET client_min_messages = warning; DROP ROLE IF EXISTS qp_nocreatedb; CREATE ROLE qp_nocreatedb LOGIN; GRANT ALL ON DATABASE qp_autogen_khipu TO qp_nocreatedb" >/dev/null
pg_sql qp_autogen_khipu "GRANT SELECT ON ALL TABLES IN SCHEMA public TO qp_nocreatedb" >/dev/null
fails "$QUIPU" --url "postgresql://qp_nocreatedb@/qp_autogen_khipu?host=$PGHOST&port=$PGPORT" diff
expect_err "dev_url"
expect_err "CREATEDB"
# dev_url: the scratch database is made on that server instead
sed -i "s|^models = .*|&\ndev_url = postgresql://postgres@/postgres?host=$PGHOST\&port=$PGPORT|" quipu.ini
ok "$QUIPU" --url "postgresql://qp_nocreatedb@/qp_autogen_khipu?host=$PGHOST&port=$PGPORT" check
expect_out "No new upgrade operations detected."
# dev_url naming an empty database the role owns, on a server where it may
# not create databases: that database is the scratch one, emptied afterwards
pg_newdb qp_autogen_devdb
pg_sql postgres "ALTER DATABASE qp_autogen_devdb OWNER TO qp_nocreatedb" >/dev/null
pg_sql qp_autogen_devdb "ALTER SCHEMA public OWNER TO qp_nocreatedb" >/dev/null
sed -i "s|^dev_url = .*|dev_url = postgresql://qp_nocreatedb@/qp_autogen_devdb?host=$PGHOST\&port=$PGPORT|" quipu.ini
ok "$QUIPU" check
expect_out "No new upgrade operations detected."
expect_eq "$(pg_sql qp_autogen_devdb "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace")" "0" "the dev_url database is empty again"
pg_sql qp_autogen_devdb "CREATE TABLE leftover (id int)" >/dev/null
fails "$QUIPU" check
expect_err "not empty"
sed -i '/^dev_url = /d' quipu.ini
pg_sql postgres "DROP DATABASE qp_autogen_devdb" >/dev/null
pg_sql qp_autogen_khipu "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM qp_nocreatedb" >/dev/null
pg_sql postgres "REVOKE ALL ON DATABASE qp_autogen_khipu FROM qp_nocreatedb; DROP ROLE qp_nocreatedb" >/dev/null

# a suspected rename is a warning naming --rename, never guessed
sed -i 's/    phone_number VARCHAR(20),/    phone VARCHAR(20),/' models/02_users.sql
ok "$QUIPU" diff
expect_err "--rename users.phone_number:phone"
expect_out "ALTER TABLE users DROP COLUMN phone_number;"
ok "$QUIPU" diff --rename users.phone_number:phone
expect_out "ALTER TABLE users RENAME COLUMN phone_number TO phone;"
expect_out "ALTER TABLE users RENAME COLUMN phone TO phone_number;"
expect_no "DROP COLUMN"
done_testing
