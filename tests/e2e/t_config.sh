#!/usr/bin/env bash
# Configuration: -c, QUIPU_CONFIG, -n, %(here)s, ${VAR} from the environment
# and from -x, the URL overrides and their order, the SQLite URL forms.
. "$QUIPU_SRC/tests/e2e/lib.sh"

mkdir proj && cd proj
mkproj 'sqlite:///%(here)s/${DBNAME}.db'
cat >> quipu.ini <<'INI'

[other]
script_location = %(here)s/migrations
sqlalchemy.url = sqlite:///%(here)s/other.db
INI
mkchain 2
cd ..

# -c from another folder: %(here)s is the config's folder
DBNAME=fromenv ok "$QUIPU" -c proj/quipu.ini upgrade head
[ -f proj/fromenv.db ] && pass || fail "%(here)s and \${DBNAME} from the environment"
# -x beats the environment
DBNAME=fromenv ok "$QUIPU" -c proj/quipu.ini -x DBNAME=fromx upgrade +1
[ -f proj/fromx.db ] && pass || fail "-x DBNAME=fromx"
expect_eq "$(sqlite_sql proj/fromx.db 'SELECT version_num FROM alembic_version')" "$(rid 1)" "-x database"
# an unset variable names the file and line
unset DBNAME
fails "$QUIPU" -c proj/quipu.ini current
expect_err "quipu.ini:3"
expect_err "DBNAME"
# QUIPU_CONFIG, and -n for another section
QUIPU_CONFIG=proj/quipu.ini ok "$QUIPU" -n other upgrade head
[ -f proj/other.db ] && pass || fail "-n other with QUIPU_CONFIG"
fails "$QUIPU" -c proj/quipu.ini -n nosuch heads
expect_err "nosuch"
fails "$QUIPU" -c proj/missing.ini heads
expect_err "missing.ini"

# URL precedence: --url > QUIPU_DATABASE_URL > DATABASE_URL > the file
export DBNAME=file
DATABASE_URL="sqlite:///$T_DIR/d1.db" ok "$QUIPU" -c proj/quipu.ini upgrade head
[ -f d1.db ] && pass || fail "DATABASE_URL beats the file"
DATABASE_URL="sqlite:///$T_DIR/d1x.db" QUIPU_DATABASE_URL="sqlite:///$T_DIR/d2.db" ok "$QUIPU" -c proj/quipu.ini upgrade head
[ -f d2.db ] && [ ! -f d1x.db ] && pass || fail "QUIPU_DATABASE_URL beats DATABASE_URL"
QUIPU_DATABASE_URL="sqlite:///$T_DIR/d3x.db" ok "$QUIPU" -c proj/quipu.ini --url "sqlite:///$T_DIR/d3.db" upgrade head
[ -f d3.db ] && [ ! -f d3x.db ] && pass || fail "--url beats QUIPU_DATABASE_URL"
[ ! -f proj/file.db ] && pass || fail "the file's URL must lose to the overrides"

# SQLite URL forms: relative (to the working folder), absolute, memory
mkdir rel && (cd rel && "$QUIPU" -c ../proj/quipu.ini --url sqlite:///relative.db upgrade head >/dev/null)
[ -f rel/relative.db ] && pass || fail "sqlite:///relative.db is relative to the working folder"
ok "$QUIPU" -c proj/quipu.ini --url "sqlite:////$T_DIR/abs.db" upgrade head
[ -f "$T_DIR/abs.db" ] && pass || fail "sqlite:////absolute.db"
ok "$QUIPU" -c proj/quipu.ini --url "sqlite://" upgrade head
expect_out "Running upgrade  -> $(rid 1)"
expect_out "Running upgrade $(rid 1) -> $(rid 2)"
fails "$QUIPU" -c proj/quipu.ini --url "oracle://scott:tiger@db/x" current
expect_err "oracle"
expect_no "tiger"
done_testing
