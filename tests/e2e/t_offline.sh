#!/usr/bin/env bash
# Offline mode: upgrade --sql, upgrade --sql from:to, downgrade --sql
# from:to and stamp --sql print the SQL without connecting; running that SQL
# gives the same database as running quipu.
. "$QUIPU_SRC/tests/e2e/lib.sh"
mkproj "postgresql://nobody:secret_pw@127.0.0.1:1/never"   # never connected to
mkchain 3
ok "$QUIPU" upgrade head --sql
expect_out "BEGIN;"
expect_out "CREATE TABLE alembic_version"
expect_out "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)"
expect_out "-- Running upgrade  -> $(rid 1)"
expect_out "CREATE TABLE t1"
expect_out "INSERT INTO alembic_version (version_num) VALUES ('$(rid 1)');"
expect_out "UPDATE alembic_version SET version_num='$(rid 2)' WHERE version_num = '$(rid 1)';"
expect_out "COMMIT;"
expect_no "secret_pw"
echo "$OUT" > up.sql
sqlite3 -bail offline.db < up.sql && pass || fail "the --sql output does not run in sqlite3"
expect_eq "$(sqlite_sql offline.db 'SELECT version_num FROM alembic_version')" "$(rid 3)" "version after the offline SQL"
# quipu reads what the offline SQL made
ok "$QUIPU" --url "sqlite:///$T_DIR/offline.db" current
expect_eq "$OUT" "$(rid 3) (head)" "current of the offline-made database"

ok "$QUIPU" upgrade "$(rid 1):$(rid 3)" --sql
expect_no "CREATE TABLE alembic_version"
expect_no "CREATE TABLE t1"
expect_out "CREATE TABLE t2"
expect_out "CREATE TABLE t3"
ok "$QUIPU" downgrade "$(rid 3):base" --sql
expect_out "DROP TABLE t3;"
expect_out "DROP TABLE t1;"
expect_out "DELETE FROM alembic_version WHERE version_num = '$(rid 1)';"
expect_out "DROP TABLE alembic_version;"
echo "$OUT" > down.sql
sqlite3 -bail offline.db < down.sql && pass || fail "the downgrade --sql output does not run"
expect_eq "$(sqlite_sql offline.db "SELECT count(*) FROM sqlite_master WHERE type='table'")" "0" "empty after the offline downgrade"
fails "$QUIPU" downgrade base --sql
expect_err "from"
ok "$QUIPU" stamp head --sql
expect_out "INSERT INTO alembic_version (version_num) VALUES ('$(rid 3)');"
fails "$QUIPU" stamp head --sql --purge
# stamp --sql FROM:TO moves the rows from FROM
ok "$QUIPU" stamp "$(rid 1):$(rid 3)" --sql
expect_out "UPDATE alembic_version SET version_num='$(rid 3)' WHERE version_num = '$(rid 1)';"
expect_no "CREATE TABLE alembic_version"
done_testing
