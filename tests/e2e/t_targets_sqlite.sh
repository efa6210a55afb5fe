#!/usr/bin/env bash
# Every command and target form of a linear history on SQLite.
. "$QUIPU_SRC/tests/e2e/lib.sh"
. "$QUIPU_SRC/tests/e2e/targets.inc.sh"
BACKEND_URL="sqlite:///%(here)s/test.db"
db_rows() { [ -f test.db ] && sqlite_sql test.db "SELECT version_num FROM alembic_version ORDER BY 1" 2>/dev/null; true; }
db_tables() { [ -f test.db ] && sqlite_sql test.db "SELECT name FROM sqlite_master WHERE type='table' AND name LIKE 't%' ORDER BY 1"; true; }
run_target_tests
done_testing
