#!/usr/bin/env bash
# The two ways autogenerate reads PostgreSQL models (docs/autogenerate.md):
# the parser (schema/parse_pg.c) when it reproduces everything, else a
# scratch database; `parse_models = false` forces the scratch database.
# Shown through dev_url pointing at a server that does not exist: the
# parser needs no scratch database, the scratch path does and fails; models
# the parser does not reproduce (a view) fall back to the scratch database.
# Both paths give the same revision for the same models.
. "$QUIPU_SRC/tests/e2e/lib.sh"

BAD_DEV="postgresql://nobody@127.0.0.1:1/nowhere"
pg_newdb qp_autogen_parse
mkdir -p "$T_DIR/p" && cd "$T_DIR/p"
cat > models.sql <<'SQL'
CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE TABLE users (id serial PRIMARY KEY, email varchar(100) NOT NULL UNIQUE, m mood DEFAULT 'ok',
  created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE posts (id bigserial PRIMARY KEY, user_id int NOT NULL REFERENCES users ON DELETE CASCADE, body text);
CREATE INDEX ON posts (user_id);
COMMENT ON TABLE posts IS 'what users write';
SQL

# parsed: no scratch database needed, so an unreachable dev_url is never used
mkproj "$PGURL" "models = %(here)s/models.sql
dev_url = $BAD_DEV"
ok "$QUIPU" diff
expect_out "CREATE TABLE posts"
parsed_sql=$OUT

# forced through the scratch database: dev_url is needed, and fails
mkproj "$PGURL" "models = %(here)s/models.sql
dev_url = $BAD_DEV
parse_models = false"
fails "$QUIPU" diff
expect_err "dev_url"

# the scratch database (the server's own rendering) writes the same SQL
mkproj "$PGURL" "models = %(here)s/models.sql
parse_models = false"
ok "$QUIPU" diff
expect_eq "$OUT" "$parsed_sql" "parser and scratch database write the same migration"

# something the parser leaves to the server: back to the scratch database
echo "CREATE VIEW v_users AS SELECT id, email FROM users;" >> models.sql
mkproj "$PGURL" "models = %(here)s/models.sql
dev_url = $BAD_DEV"
fails "$QUIPU" diff
expect_err "dev_url"
mkproj "$PGURL" "models = %(here)s/models.sql"
ok "$QUIPU" revision --autogenerate -m "init"
ok "$QUIPU" upgrade head
ok "$QUIPU" check
expect_out "No new upgrade operations detected."

# a value that is not a boolean
mkproj "$PGURL" "models = %(here)s/models.sql
parse_models = maybe"
fails "$QUIPU" diff
expect_err "parse_models"

# a model file that cannot be read: the parse runs on its own thread while
# the live schema is read, and the error it meets there is the one reported
mkdir -p models_d && cp models.sql models_d/a.sql && ln -sf "$T_DIR/nowhere.sql" models_d/b.sql
mkproj "$PGURL" "models = %(here)s/models_d"
fails "$QUIPU" check
expect_err "models_d/b.sql: no such file"
rm models_d/b.sql
ok "$QUIPU" check
expect_out "No new upgrade operations detected."

done_testing
