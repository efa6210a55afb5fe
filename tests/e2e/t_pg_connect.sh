#!/usr/bin/env bash
# PostgreSQL URLs and connection errors: the seed's URL as written, the
# +driver forms, query parameters reaching libpq, clear errors for the
# seed's troubleshooting cases, and a password that never shows.
. "$QUIPU_SRC/tests/e2e/lib.sh"
mkproj "sqlite:///unused.db"
mkchain 2
PW=khipu_dev_password

# The seed's URL, exactly as written (the fixture listens on localhost:5432
# when that port is free, as on a fresh machine).
SEED="postgresql+asyncpg://khipu:khipu_dev_password@localhost:5432/khipu_dev"
if [ "$QUIPU_TEST_TCP_PORT" = 5432 ]; then
	ok "$QUIPU" --url "$SEED" upgrade head
	expect_out "Running upgrade $(rid 1) -> $(rid 2)"
	ok "$QUIPU" --url "$SEED" current -v
	expect_out "$(rid 2) (head)"
	expect_no "$PW"
	ok "$QUIPU" --url "$SEED" downgrade base
else
	fail "port 5432 was taken, so the seed's URL could not be tested as written (fixture port $QUIPU_TEST_TCP_PORT)"
fi
TCP="khipu:$PW@127.0.0.1:$QUIPU_TEST_TCP_PORT/khipu_dev"
for scheme in postgresql postgresql+psycopg2 postgresql+asyncpg postgres; do
	ok "$QUIPU" --url "$scheme://$TCP" upgrade +1
	ok "$QUIPU" --url "$scheme://$TCP" downgrade base
done
# the URL as configured, -v shows it with the password masked
cat > quipu.ini <<INI
[quipu]
script_location = %(here)s/migrations
sqlalchemy.url = postgresql+asyncpg://$TCP
INI
ok "$QUIPU" current -v
expect_out "postgresql+asyncpg://khipu:***@127.0.0.1"
expect_no "$PW"

# query parameters reach libpq: host=/socket/dir&port=N, sslmode, application_name
pg_newdb quipu_connect
ok "$QUIPU" --url "postgresql://postgres@/quipu_connect?host=$PGHOST&port=$PGPORT&sslmode=disable&application_name=qtest" upgrade head
expect_eq "$(pg_sql quipu_connect 'SELECT version_num FROM alembic_version')" "$(rid 2)" "socket URL with query parameters"
fails "$QUIPU" --url "postgresql://postgres@/quipu_connect?host=$PGHOST&port=$PGPORT&bogus_param=1" current
expect_err "bogus_param"

# the seed's troubleshooting cases
fails "$QUIPU" --url "postgresql://khipu:$PW@127.0.0.1:$QUIPU_TEST_TCP_PORT/khipu_dev_missing" current
expect_err "khipu_dev_missing"
expect_err "does not exist"
expect_no "$PW"
fails "$QUIPU" --url "postgresql://khipu:wrong_secret_pw@127.0.0.1:$QUIPU_TEST_TCP_PORT/khipu_dev" current
expect_err "password"
expect_err "khipu"
expect_no "wrong_secret_pw"
fails "$QUIPU" --url "postgresql://khipu:$PW@127.0.0.1:1/khipu_dev" current
expect_err "127.0.0.1"
expect_err "not running"
expect_no "$PW"
mkdir -p nosock
fails "$QUIPU" --url "postgresql://khipu:$PW@/khipu_dev?host=$T_DIR/nosock" current
expect_err "nosock"
expect_no "$PW"
fails "$QUIPU" --url "postgresql://khipu:$PW@/khipu_dev?host=$T_DIR/nosock" upgrade head
expect_no "$PW"
done_testing
