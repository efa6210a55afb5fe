#!/usr/bin/env bash
# The graph commands of issue 3, each on a graph with branches, labels,
# dependencies and merges, compared with the real Alembic where Alembic has
# the same command:
#   revision --head REV [--splice] --branch-label L --depends-on REV,
#   merge REV REV --rev-id, merge heads -m, branches [-v],
#   heads [-v] [--resolve-dependencies], current [--check-heads],
#   history -r-3:current / -r current:, show current, edit REV / current,
#   and load-time validation (every broken file named, all at once).
#
# Agreed formats are asserted line by line. Two differences are left out of
# the comparison: the order of independent entries (Alembic lists in
# os.listdir() order; quipu by id: lines are sorted before comparing), and
# Alembic's display of branch labels inherited from an ancestor (Alembic
# prints `r2r2 (right) (head)` for a revision below the one labelled
# `right`; quipu prints the labels a revision declares): label groups are
# removed before comparing, and quipu's own are asserted separately.
# Alembic 1.8 has no `current --check-heads` (added in 1.9).
. "$QUIPU_SRC/tests/e2e/lib.sh"

PY=/usr/bin/python3
if ! "$PY" -c 'import alembic, sqlalchemy' 2>/dev/null; then
	fail "Alembic is not importable by $PY (apt-get install python3-alembic python3-sqlalchemy)"
	done_testing
fi

mkproj "sqlite:///$T_DIR/q.db"
AL=$T_DIR/al
# Alembic exits 255 on an error; lib.sh's run() counts >= 124 as a crash
alembic() { PYTHONDONTWRITEBYTECODE=1 "$PY" -m alembic -c "$AL/alembic.ini" "$@" || return 1; }

# fields FILE: "revision | parents | labels | depends", from a quipu .sql or
# an Alembic .py revision file
fields() {
	"$PY" - "$1" <<'PYEOF'
import ast, sys
path = sys.argv[1]
def norm(v):
    if v is None: return ""
    if isinstance(v, str): return v
    return ", ".join(sorted(v))
if path.endswith(".py"):
    vals = {}
    for node in ast.parse(open(path).read()).body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            vals[node.targets[0].id] = node.value
    get = lambda k: ast.literal_eval(vals[k]) if k in vals else None
    print("%s | %s | %s | %s" % (get("revision"), norm(get("down_revision")),
                                 norm(get("branch_labels")), norm(get("depends_on"))))
else:
    sys.path.insert(0, "%s/tests/interop" % __import__("os").environ["QUIPU_SRC"])
    import alembic_project
    r = alembic_project.RevisionFile(path)
    print("%s | %s | %s | %s" % (r.revision, norm(r.revises), norm(r.branch_labels), norm(r.depends_on)))
PYEOF
}
# both ID ARGS...: the same generating command on both projects; the two new
# files must declare the same revision, parents, labels and dependencies
both() {
	local id=$1 q a
	shift
	ok "$QUIPU" "$@"
	q=$(fields "$(ls migrations/versions/"${id}"_*.sql)")
	ok alembic "$@"
	a=$(fields "$(ls "$AL"/versions/"${id}"_*.py)")
	expect_eq "$q" "$a" "\`$*\`: the revision quipu wrote vs Alembic's"
}
# both_fail ARGS...: both refuse, and neither writes a file
both_fail() {
	local nq na
	nq=$(ls migrations/versions | wc -l)
	na=$(ls "$AL"/versions | wc -l)
	fails "$QUIPU" "$@"
	QERR=$ERR
	fails alembic "$@"
	expect_eq "$(ls migrations/versions | wc -l) $(ls "$AL"/versions | wc -l)" "$nq $na" "files after the refused \`$*\`"
	ERR=$QERR   # quipu's message, for expect_err
}
# nolabels: remove branch-label groups, keep (head) (branchpoint)... and the
# Path line (different files)
nolabels() {
	sed -E 's/ \((head|effective head|branchpoint|mergepoint|current)\)/ <\1>/g' <<<"$1" |
		sed -E 's/([a-z0-9]) \([a-z0-9_]+(, [a-z0-9_]+)*\)( |,|$)/\1\3/g' |
		sed -E 's/ <([a-z ]+)>/ (\1)/g' | grep -v '^Path: '
}
# same_out ARGS...: quipu and Alembic print the same lines (sorted, labels
# removed; `only` a grep -E filter of lines to keep)
same_out() {
	local q a
	ok "$QUIPU" "$@"
	QOUT=$OUT
	q=$(nolabels "$OUT" | grep -E "${ONLY:-.}" | sort)
	ok alembic "$@"
	a=$(nolabels "$OUT" | grep -E "${ONLY:-.}" | sort)
	[ -n "$q" ] && pass || fail "no output from quipu $*"
	expect_eq "$q" "$a" "\`$*\` lines (quipu, then Alembic)"
	OUT=$QOUT   # quipu's output, for expect_out
}

# ---- building the graph with both tools
ok "$QUIPU" revision -m "base rev" --rev-id b0b0
ok "$PY" "$QUIPU_SRC/tests/interop/alembic_project.py" migrations/versions "sqlite:///$T_DIR/a.db" "$AL"
both l1l1 revision -m "left one" --rev-id l1l1 --branch-label left
both_fail revision -m "right one" --rev-id r1r1 --head b0b0      # not a head: needs --splice
expect_err "--splice"
both r1r1 revision -m "right one" --rev-id r1r1 --head b0b0 --splice --branch-label right
both_fail revision -m "which head" --rev-id w1w1                  # two heads: --head needed
expect_eq "$(grep -c -- '--head' <<<"$QERR")" 1 "quipu names --head"
both r2r2 revision -m "right two" --rev-id r2r2 --head right@head --depends-on l1l1
both o1o1 revision -m "other base" --rev-id o1o1 --head base --branch-label other
both l2l2 revision -m "left two" --rev-id l2l2 --head left@head --depends-on other
both x1x1 revision -m "side" --rev-id x1x1 --head b0b0 --splice

# ---- heads, branches
same_out heads
expect_eq "$QOUT" "l2l2 (head)
o1o1 (other) (effective head)
r2r2 (head)
x1x1 (head)" "quipu heads"
same_out heads --resolve-dependencies
expect_eq "$QOUT" "l2l2 (head)
r2r2 (head)
x1x1 (head)" "quipu heads --resolve-dependencies"
# (Branch names: Alembic's include inherited labels; quipu's are asserted)
ONLY='^(Rev|Parent|Merges|Also depends on|Branches into):' same_out heads -v
expect_out "Also depends on: l1l1"
expect_out "Branch names: other"
expect_eq "$(grep -c '^Branch names:' <<<"$QOUT")" 1 "quipu heads -v: only o1o1 declares a label"
# entries are separated by a blank line, as Alembic's
expect_eq "$(grep -c '^Rev: ' <<<"$QOUT")" 4 "heads -v entries"
expect_eq "$(grep -B1 '^Rev: ' <<<"$QOUT" | grep -c '^$')" 3 "blank lines before the 2nd..4th entry"
same_out branches
expect_eq "$QOUT" "b0b0 (branchpoint)
     -> l1l1 (left)
     -> r1r1 (right)
     -> x1x1 (head)" "quipu branches"
# (Branches into: Alembic's in os.listdir() order; quipu's by id)
ONLY='^(Rev|Parent):| -> ' same_out branches -v
expect_out "Branches into: l1l1, r1r1, x1x1"
expect_out "     -> r1r1 (right), right one"

# ---- merges
both mm01 merge l2l2 r2r2 -m "merge left and right" --rev-id mm01
both mall merge heads -m "merge all" --rev-id mall
expect_eq "$(fields migrations/versions/mall_merge_all.sql)" "mall | mm01, x1x1 |  | " "merge heads: the heads nothing depends on"
same_out heads
expect_eq "$QOUT" "mall (head)
o1o1 (other) (effective head)" "heads after the merges (o1o1: nothing revises it)"
same_out branches
ONLY='^(Rev|Merges|Parent):' same_out history -v
expect_out "Merges: mm01, x1x1"
same_out history
expect_out "l2l2, r2r2 -> mm01 (mergepoint), merge left and right"

# ---- a database part of the way up: current, --check-heads, history, show
ok "$QUIPU" upgrade r2r2
ok alembic upgrade r2r2
expect_eq "$(sqlite_sql q.db 'SELECT version_num FROM alembic_version')" \
	"$(sqlite_sql a.db 'SELECT version_num FROM alembic_version')" "rows after upgrade r2r2"
ok "$QUIPU" current
expect_eq "$OUT" "r2r2" "current: the row (l1l1 came with r2r2 as its dependency)"
# Alembic's `current` adds the tips of branches applied through a
# dependency (get_all_current): it lists l1l1 as well
ok alembic current
expect_eq "$(sort <<<"$OUT")" "l1l1
r2r2" "alembic current (rows plus dependencies)"
fails "$QUIPU" current --check-heads
expect_rc 1
expect_err "upgrade head"       # one head nothing depends on: mall
expect_out "r2r2"
same_out history -r current:
expect_eq "$(wc -l <<<"$QOUT")" 3 "history -r current: r2r2 and the merges above it"
# -3 from r2r2 crosses the merge point mall above it: both refuse
fails "$QUIPU" history -r-3:current
expect_err "mm01"
fails alembic history -r-3:current
ONLY='^(Rev|Parent|Also depends on):' same_out show current
expect_out "Rev: r2r2"
expect_out "Also depends on: l1l1"
ok "$QUIPU" upgrade o1o1
ok alembic upgrade o1o1
fails "$QUIPU" current --check-heads                 # two rows, neither a head
expect_rc 1
# several current rows: a relative range is refused by both, and so is
# `current:` here (Alembic: an AssertionError in its topological sort)
fails "$QUIPU" history -r-3:current
fails alembic history -r-3:current
fails "$QUIPU" history -r current:
expect_rc 1
fails alembic history -r current:
ok "$QUIPU" upgrade heads
ok alembic upgrade heads
# at the heads: o1o1 is a head too (nothing revises it), but mall depends on
# it, so `upgrade heads` leaves the one row mall, and that is "at the heads"
# (Alembic 1.9's --check-heads compares with every head and would fail here)
ok "$QUIPU" current --check-heads
expect_eq "$OUT" "mall (head) (mergepoint)" "current --check-heads at the heads"
ok "$QUIPU" upgrade heads
expect_eq "$OUT" "" "nothing left to upgrade"

# history -r-3:current on a straight line, compared with Alembic
mkdir -p line && cd line
mkproj "sqlite:///$T_DIR/line.db"
mkchain 6
ok "$PY" "$QUIPU_SRC/tests/interop/alembic_project.py" migrations/versions "sqlite:///$T_DIR/line_a.db" "$T_DIR/line_al"
AL_SAVED=$AL
AL=$T_DIR/line_al
ok "$QUIPU" upgrade "$(rid 5)"
ok alembic upgrade "$(rid 5)"
same_out history -r-3:current
expect_eq "$(wc -l <<<"$QOUT")" 3 "history -r-3:current: from three below the current revision (excluded) up to it"
expect_eq "$(head -n1 <<<"$QOUT")" "$(rid 4) -> $(rid 5), Create t5" "history -r-3:current, newest first"
same_out history -r current:
expect_eq "$QOUT" "$(rid 5) -> $(rid 6) (head), Create t6
$(rid 4) -> $(rid 5), Create t5" "history -r current:"
same_out history -r-2:current
ONLY='^(Rev|Parent):' same_out show current
AL=$AL_SAVED
cd "$T_DIR"

# ---- edit: the file of a revision, in $EDITOR (with its arguments)
printf '#!/bin/sh\necho "$@" >> "%s/edited.txt"\n' "$T_DIR" > ed.sh
chmod +x ed.sh
EDITOR="$T_DIR/ed.sh -w" ok "$QUIPU" edit other@head
expect_eq "$(cat edited.txt)" "-w $T_DIR/migrations/versions/o1o1_other_base.sql" "edit other@head opened o1o1's file"
rm -f edited.txt
EDITOR="$T_DIR/ed.sh" ok "$QUIPU" edit current
expect_eq "$(cat edited.txt)" "$T_DIR/migrations/versions/mall_merge_all.sql" "edit current opened the current revision's file"
EDITOR=true VISUAL= ok "$QUIPU" edit r1r1
# the editor gets the environment quipu started with: not the variable
# quipu sets for itself (GNUTLS_NO_IMPLICIT_INIT, see main.c); one the user
# set is left as it was
printf '#!/bin/sh\necho "${GNUTLS_NO_IMPLICIT_INIT-unset}" >> "%s/env.txt"\n' "$T_DIR" > env.sh
chmod +x env.sh
env -u GNUTLS_NO_IMPLICIT_INIT EDITOR="$T_DIR/env.sh" VISUAL= "$QUIPU" edit r1r1 >/dev/null 2>&1 || echo "edit failed" >> env.txt
GNUTLS_NO_IMPLICIT_INIT=0 EDITOR="$T_DIR/env.sh" VISUAL= "$QUIPU" edit r1r1 >/dev/null 2>&1 || echo "edit failed" >> env.txt
expect_eq "$(cat env.txt | tr '\n' ' ')" "unset 0 " "the editor's environment is the one quipu started with"
rm -f env.txt
EDITOR=false VISUAL= fails "$QUIPU" edit r1r1
expect_err "r1r1_right_one.sql"
EDITOR=true fails "$QUIPU" edit zzzz
expect_err "zzzz"
EDITOR=true fails "$QUIPU" --url "sqlite:///$T_DIR/empty.db" edit current
expect_err "No current revisions"

# ---- load-time validation: every problem, each file named, in one run
mkdir -p broken && cd broken
mkproj "sqlite:///$T_DIR/broken.db"
mkrev aaaa "" "good base" "SELECT 1;"
mkrev bbbb aaaa "good" "SELECT 1;"
mkrev dup1 bbbb "dup one" "SELECT 1;"                 # two files claim one id
mkrev dup1 bbbb "dup two" "SELECT 1;"
mkrev orph nothere "orphan" "SELECT 1;"               # a missing parent
mkrev cyc1 cyc2 "cycle one" "SELECT 1;"               # a cycle
mkrev cyc2 cyc1 "cycle two" "SELECT 1;"
mkrev depx bbbb "dep missing" "SELECT 1;"             # a missing dependency
sed -i 's/^-- Depends On:.*/-- Depends On: zzzz/' migrations/versions/depx_dep_missing.sql
fails "$QUIPU" heads
expect_rc 1
expect_err "dup1_dup_one.sql"
expect_err "dup1_dup_two.sql"
expect_err "orph_orphan.sql"
expect_err "nothere"
expect_err "cyc1_cycle_one.sql"
expect_err "cyc2_cycle_two.sql"
expect_err "depx_dep_missing.sql"
expect_err "4 problems"
fails "$QUIPU" upgrade heads                           # nothing runs on a broken graph
[ -e "$T_DIR/broken.db" ] && [ -n "$(sqlite_sql "$T_DIR/broken.db" "SELECT name FROM sqlite_master WHERE name = 'alembic_version'")" ] &&
	fail "upgrade ran on a broken graph" || pass
# files that cannot be read at all: each named, with its line
mkrev abcdefghijabcdefghijabcdefghij0123 bbbb "too long" "SELECT 1;"
printf -- '-- no id here\n--\n-- Revises: aaaa\n\n-- migrate:upgrade\nSELECT 1;\n' > migrations/versions/noid_broken.sql
printf -- '-- bad id\n--\n-- Revision ID: a-b\n-- Revises: aaaa\n\n-- migrate:upgrade\nSELECT 1;\n' > migrations/versions/dash_broken.sql
fails "$QUIPU" heads
expect_err "abcdefghijabcdefghijabcdefghij0123_too_long.sql:3"
expect_err "longer than 32 characters"
expect_err "noid_broken.sql:1"
expect_err "dash_broken.sql"
expect_err "3 revision files could not be read"
cd "$T_DIR"
done_testing
