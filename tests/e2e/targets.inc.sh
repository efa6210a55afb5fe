# targets.inc.sh: every command and every target form of a linear history,
# run against one backend. The caller defines:
#   BACKEND_URL        the database URL
#   db_rows            prints the version table's rows, one per line, sorted
#   db_tables          prints the t% tables, one per line, sorted
# Revisions 1..5 each create table t<i>.

expect_state() { # expect_state N: the database is at revision N with t1..tN
	local n=$1 want_tables="" want_rows=""
	local i
	for i in $(seq 1 "$n"); do want_tables+="t$i"$'\n'; done
	[ "$n" -gt 0 ] && want_rows=$(rid "$n")
	expect_eq "$(db_rows)" "$want_rows" "version rows (line ${BASH_LINENO[0]})"
	expect_eq "$(db_tables)" "$(printf '%s' "$want_tables" | sort)" "tables (line ${BASH_LINENO[0]})"
}

run_target_tests() {
	mkproj "$BACKEND_URL"
	mkchain 5
	local r1 r2 r3 r4 r5
	r1=$(rid 1) r2=$(rid 2) r3=$(rid 3) r4=$(rid 4) r5=$(rid 5)

	# an empty database: current prints nothing
	ok "$QUIPU" current
	expect_eq "$OUT" "" "current on an empty database"

	ok "$QUIPU" upgrade +1
	expect_out "Running upgrade  -> $r1, Create t1 ("
	expect_out " ms)"
	expect_state 1
	ok "$QUIPU" current
	expect_eq "$OUT" "$r1" "current after +1"

	ok "$QUIPU" upgrade +2
	expect_out "Running upgrade $r1 -> $r2, Create t2"
	expect_out "Running upgrade $r2 -> $r3, Create t3"
	expect_state 3

	ok "$QUIPU" downgrade -1
	expect_out "Running downgrade $r3 -> $r2, Create t3"
	expect_state 2

	ok "$QUIPU" upgrade "$r4"              # full id
	expect_state 4
	fails "$QUIPU" downgrade 0000000000    # an ambiguous prefix lists the candidates
	expect_err "$r1"
	expect_err "$r5"
	expect_state 4

	ok "$QUIPU" downgrade "$r2"
	expect_state 2
	ok "$QUIPU" upgrade "$r2+2"            # <rev>+N
	expect_state 4
	ok "$QUIPU" downgrade "$r4-3"          # <rev>-N
	expect_state 1
	ok "$QUIPU" upgrade head
	expect_state 5
	ok "$QUIPU" current
	expect_eq "$OUT" "$r5 (head)" "current at head"
	ok "$QUIPU" upgrade head               # nothing to do
	expect_eq "$OUT" "" "upgrade head at head prints nothing"
	expect_state 5

	fails "$QUIPU" upgrade +1              # past the head
	expect_state 5
	fails "$QUIPU" upgrade nosuchrev
	expect_err "nosuchrev"
	fails "$QUIPU" downgrade -6            # past the base
	expect_state 5

	ok "$QUIPU" downgrade -2
	expect_state 3
	ok "$QUIPU" downgrade base
	expect_state 0
	ok "$QUIPU" current
	expect_eq "$OUT" "" "current after downgrade base"
	fails "$QUIPU" downgrade -1            # nothing to downgrade
	expect_state 0

	# heads, history, show
	ok "$QUIPU" heads
	expect_eq "$OUT" "$r5 (head)" "heads"
	ok "$QUIPU" heads -v
	expect_out "Rev: $r5 (head)"
	expect_out "Parent: $r4"
	ok "$QUIPU" history
	expect_eq "$(head -n 1 <<<"$OUT")" "$r4 -> $r5 (head), Create t5" "history first line"
	expect_eq "$(tail -n 1 <<<"$OUT")" "<base> -> $r1, Create t1" "history last line"
	expect_eq "$(wc -l <<<"$OUT")" "5" "history lines"
	ok "$QUIPU" history -r "$r2:$r4"
	expect_eq "$(wc -l <<<"$OUT")" "3" "history -r r2:r4 lines"
	ok "$QUIPU" history --verbose
	expect_out "Rev: $r3"
	expect_out "Path: "
	ok "$QUIPU" upgrade "$r2"
	ok "$QUIPU" history -i
	expect_out "$r1 -> $r2 (current), Create t2"
	ok "$QUIPU" history -r current:
	expect_eq "$(wc -l <<<"$OUT")" "4" "history -r current: lines"
	ok "$QUIPU" show "$r3"
	expect_out "Rev: $r3"
	expect_out "Parent: $r2"
	ok "$QUIPU" show current
	expect_out "Rev: $r2"
	ok "$QUIPU" show head
	expect_out "Rev: $r5 (head)"
	ok "$QUIPU" current -v
	expect_out "Current revision(s) for "
	expect_out "Rev: $r2"
	fails "$QUIPU" current --check-heads
	expect_err "not at the head"

	# stamp moves only the version table
	ok "$QUIPU" stamp head
	expect_eq "$(db_rows)" "$r5" "rows after stamp head"
	expect_eq "$(db_tables | tr '\n' ' ')" "t1 t2 " "stamp runs no migration"
	ok "$QUIPU" current --check-heads
	ok "$QUIPU" stamp "$r2"
	expect_eq "$(db_rows)" "$r2" "rows after stamp r2"
	ok "$QUIPU" stamp base
	expect_eq "$(db_rows)" "" "rows after stamp base"
	ok "$QUIPU" stamp "$r2" --purge
	expect_eq "$(db_rows)" "$r2" "rows after stamp --purge"
	ok "$QUIPU" downgrade base
	expect_state 0
}
