#!/usr/bin/env bash
# Interop: quipu and the real Alembic take turns on the same databases
# (SQLite file and PostgreSQL), with the Khipu example's two revisions.
#
#  (a) Alembic upgrades to head; quipu sees head, downgrades one step;
#      Alembic sees the first revision; quipu upgrades back to head.
#  (b) quipu upgrades from empty to head; Alembic sees head; the version table
#      quipu created is Alembic's (columns, types, constraint name); Alembic
#      downgrades to base; quipu then sees no revision.
#
# The Alembic side is generated from the .sql revisions by alembic_project.py
# and run with Debian's /usr/bin/python3 (python3-alembic, python3-sqlalchemy,
# python3-psycopg2). A missing Alembic is a failure, never a skip.
# shellcheck source=../e2e/lib.sh
source "$QUIPU_SRC/tests/e2e/lib.sh"

PY=/usr/bin/python3
HEAD=3f2a9c1b7d4e
FIRST=e8a14672d2af

if ! "$PY" -c 'import alembic, sqlalchemy, psycopg2' 2>/dev/null; then
	fail "Alembic is not importable by $PY (apt-get install python3-alembic python3-sqlalchemy python3-psycopg2)"
	done_testing
fi

# The project: the example's revisions, a config of our own (no khipu.db
# written into the source tree).
mkdir -p khipu
cp -R "$QUIPU_SRC/examples/khipu/migrations" khipu/
cat > khipu/quipu.ini <<'INI'
[quipu]
script_location = %(here)s/migrations
sqlalchemy.url = sqlite:///%(here)s/unused.db
INI
CFG=$T_DIR/khipu/quipu.ini

quipu() { "$QUIPU" -c "$CFG" --url "$URL" "$@"; }
alembic() { "$PY" -m alembic -c "$ALEMBIC_DIR/alembic.ini" "$@"; }

# make_alembic NAME SQLALCHEMY_URL: an Alembic project for this database
make_alembic() {
	ALEMBIC_DIR=$T_DIR/alembic_$1
	rm -rf "$ALEMBIC_DIR"
	ok "$PY" "$QUIPU_SRC/tests/interop/alembic_project.py" "$T_DIR/khipu/migrations/versions" "$2" "$ALEMBIC_DIR"
}

# no_revision: $OUT (of a `current`) names no revision at all
no_revision() {
	if grep -Eq '[0-9a-f]{12}' <<<"$OUT"; then fail "$1: expected no current revision, got:
$OUT"; else pass; fi
}

# version_table_ddl KIND: a normalised description of alembic_version
version_table_ddl() {
	case $1 in
	sqlite)
		sqlite_sql "$DB" "SELECT name, type, \"notnull\", pk FROM pragma_table_info('alembic_version') ORDER BY cid"
		# the CREATE TABLE text, whitespace and case normalised
		sqlite_sql "$DB" "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'" |
			tr '[:upper:]' '[:lower:]' | tr -s ' \t\n' ' ' |
			sed -E 's/ *([(),]) */\1/g; s/^ +//; s/ +$//'
		;;
	pg)
		pg_sql "$DB" "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull
			FROM pg_attribute a WHERE a.attrelid = 'public.alembic_version'::regclass
			AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum"
		pg_sql "$DB" "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint
			WHERE conrelid = 'public.alembic_version'::regclass ORDER BY conname"
		pg_sql "$DB" "SELECT indexname FROM pg_indexes
			WHERE schemaname = 'public' AND tablename = 'alembic_version' ORDER BY indexname"
		;;
	esac
}

# has_column KIND TABLE COLUMN -> prints 1 or 0
has_column() {
	case $1 in
	sqlite) sqlite_sql "$DB" "SELECT count(*) FROM pragma_table_info('$2') WHERE name = '$3'" ;;
	pg) pg_sql "$DB" "SELECT count(*) FROM information_schema.columns
		WHERE table_schema = 'public' AND table_name = '$2' AND column_name = '$3'" ;;
	esac
}

# user_tables KIND -> the Khipu tables present, sorted, one line
user_tables() {
	case $1 in
	sqlite) sqlite_sql "$DB" "SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_master
		WHERE type = 'table' AND name IN ('tenants','users','projects','project_members') ORDER BY name)" ;;
	pg) pg_sql "$DB" "SELECT coalesce(string_agg(tablename, ' ' ORDER BY tablename), '') FROM pg_tables
		WHERE schemaname = 'public' AND tablename IN ('tenants','users','projects','project_members')" ;;
	esac
}

for KIND in sqlite pg; do
	# ---------------------------------------------------------------- (a)
	case $KIND in
	sqlite)
		DB=$T_DIR/a.db
		URL="sqlite:///$DB"
		AURL="sqlite:///$DB"
		;;
	pg)
		pg_newdb quipu_interop_a
		DB=quipu_interop_a
		URL=$PGURL
		AURL="postgresql+psycopg2://postgres@/$DB?host=$PGHOST&port=$PGPORT"
		;;
	esac
	make_alembic "${KIND}_a" "$AURL"

	ok alembic upgrade head
	ok alembic current
	expect_out "$HEAD (head)"

	ok quipu current
	expect_out "$HEAD (head)"

	ok quipu downgrade -1
	expect_eq "$(has_column $KIND users phone_number)" 0 "$KIND: phone_number after quipu downgrade -1"
	ok alembic current
	expect_out "$FIRST"
	expect_no "$HEAD"

	ok quipu upgrade head
	expect_eq "$(has_column $KIND users phone_number)" 1 "$KIND: phone_number after quipu upgrade head"
	ok alembic current
	expect_out "$HEAD (head)"
	ALEMBIC_DDL=$(version_table_ddl $KIND)

	# Alembic carries on from where quipu left off
	ok alembic downgrade -1
	ok quipu current
	expect_out "$FIRST"
	expect_no "$HEAD"

	# ---------------------------------------------------------------- (b)
	case $KIND in
	sqlite)
		DB=$T_DIR/b.db
		URL="sqlite:///$DB"
		AURL="sqlite:///$DB"
		;;
	pg)
		pg_newdb quipu_interop_b
		DB=quipu_interop_b
		URL=$PGURL
		AURL="postgresql+psycopg2://postgres@/$DB?host=$PGHOST&port=$PGPORT"
		;;
	esac
	make_alembic "${KIND}_b" "$AURL"

	ok quipu current
	no_revision "$KIND: quipu current on an empty database"

	ok quipu upgrade head
	expect_eq "$(user_tables $KIND)" "project_members projects tenants users" "$KIND: tables after quipu upgrade head"
	ok quipu current
	expect_out "$HEAD (head)"
	ok alembic current
	expect_out "$HEAD (head)"

	# the version table is Alembic's, bit for bit
	QUIPU_DDL=$(version_table_ddl $KIND)
	expect_eq "$QUIPU_DDL" "$ALEMBIC_DDL" "$KIND: alembic_version as created by quipu vs by Alembic"
	if [ $KIND = pg ]; then
		expect_eq "$(pg_sql "$DB" "SELECT attname || ' ' || format_type(atttypid, atttypmod) || ' ' || attnotnull
			FROM pg_attribute WHERE attrelid = 'public.alembic_version'::regclass AND attnum > 0 AND NOT attisdropped")" \
			"version_num character varying(32) true" "pg: alembic_version columns"
		expect_eq "$(pg_sql "$DB" "SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
			WHERE conrelid = 'public.alembic_version'::regclass")" \
			"alembic_version_pkc PRIMARY KEY (version_num)" "pg: alembic_version constraint"
	else
		expect_eq "$(sqlite_sql "$DB" "SELECT name || ' ' || type || ' ' || \"notnull\" || ' ' || pk
			FROM pragma_table_info('alembic_version')")" "version_num VARCHAR(32) 1 1" "sqlite: alembic_version columns"
		run sqlite_sql "$DB" "SELECT sql FROM sqlite_master WHERE name = 'alembic_version'"
		expect_out "alembic_version_pkc"
	fi
	expect_eq "$(case $KIND in sqlite) sqlite_sql "$DB" "SELECT count(*) FROM alembic_version" ;;
		pg) pg_sql "$DB" "SELECT count(*) FROM alembic_version" ;; esac)" 1 "$KIND: one row per head"

	ok alembic downgrade base
	expect_eq "$(user_tables $KIND)" "" "$KIND: tables after Alembic downgrade base"
	ok alembic current
	no_revision "$KIND: alembic current after downgrade base"
	ok quipu current
	no_revision "$KIND: quipu current after Alembic downgrade base"

	# and quipu can start again from there
	ok quipu upgrade head
	ok alembic current
	expect_out "$HEAD (head)"
done

done_testing
