#!/usr/bin/env bash
# Every command and target form of a linear history on PostgreSQL.
. "$QUIPU_SRC/tests/e2e/lib.sh"
. "$QUIPU_SRC/tests/e2e/targets.inc.sh"
pg_newdb quipu_targets
BACKEND_URL=$PGURL
db_rows() { pg_sql quipu_targets "SELECT version_num FROM alembic_version ORDER BY 1" 2>/dev/null; true; }
db_tables() { pg_sql quipu_targets "SELECT tablename FROM pg_tables WHERE schemaname='public' AND tablename LIKE 't%' ORDER BY 1"; }
run_target_tests
done_testing
