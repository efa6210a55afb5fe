#!/usr/bin/env bash
# Differential test of the revision graph (issue 3): quipu and the real
# Alembic build the same graphs (branches, merges, labelled branches,
# cross-branch dependencies), run the same commands against their own SQLite
# files, and must agree after every command on success or failure, on which
# revisions ran in which order (each revision logs itself into a table `ran`)
# and on the alembic_version rows. The scenarios and the deliberate
# differences (steps where quipu refuses a guess Alembic makes, or where
# Alembic crashes) are in graphs.py; its output names each one.
# shellcheck source=../e2e/lib.sh
source "$QUIPU_SRC/tests/e2e/lib.sh"

PY=/usr/bin/python3
if ! "$PY" -c 'import alembic, sqlalchemy' 2>/dev/null; then
	fail "Alembic is not importable by $PY (apt-get install python3-alembic python3-sqlalchemy)"
	done_testing
fi

run env QUIPU_BIN="$QUIPU" "$PY" "$QUIPU_SRC/tests/interop/graphs.py" "$T_DIR/work"
echo "$OUT"
[ -n "$ERR" ] && echo "$ERR" >&2
if [ "$RC" -eq 0 ]; then pass; else fail "graphs.py: quipu and Alembic disagree (exit $RC): $(tail -n1 <<<"$OUT")"; fi
# the harness really compared something
steps=$(sed -nE 's/^([0-9]+) scenarios, ([0-9]+) compared steps.*/\2/p' <<<"$OUT")
scen=$(sed -nE 's/^([0-9]+) scenarios, ([0-9]+) compared steps.*/\1/p' <<<"$OUT")
if [ "${steps:-0}" -ge 100 ] && [ "${scen:-0}" -ge 10 ]; then pass; else fail "expected 10+ scenarios and 100+ steps, got ${scen:-?} and ${steps:-?}"; fi
done_testing
