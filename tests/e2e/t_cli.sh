#!/usr/bin/env bash
# The command line itself: --version, --help for every command, usage
# errors, init, list_templates, revision (ids, heads, files), merge, edit.
. "$QUIPU_SRC/tests/e2e/lib.sh"

ok "$QUIPU" --version
expect_out "quipu 0."
ok "$QUIPU" --help
expect_out "usage: quipu"
for cmd in init revision upgrade downgrade current history heads branches show stamp merge edit list_templates; do
	ok "$QUIPU" "$cmd" --help
	expect_out "usage: quipu [global options] $cmd"
	expect_out "global options:"
done
fails "$QUIPU"
expect_rc 2
fails "$QUIPU" frobnicate
expect_rc 2
expect_err "unknown command 'frobnicate'"
fails "$QUIPU" upgrade --bogus head
expect_rc 2
expect_err "unknown option --bogus"
fails "$QUIPU" upgrade
expect_rc 2
expect_err "missing argument TARGET"

# no config
fails "$QUIPU" heads
expect_rc 1
expect_err "quipu init"

ok "$QUIPU" list_templates
expect_out "generic - "

# init
ok "$QUIPU" init migrations
expect_out "Generating quipu.ini"
[ -f quipu.ini ] && [ -d migrations/versions ] && [ -d models ] && pass || fail "init did not create the layout"
fails "$QUIPU" init migrations
expect_err "already exists"
ok "$QUIPU" heads
expect_eq "$OUT" "" "heads of an empty project"

# revision: a generated id, the file name and header
ok "$QUIPU" revision -m "Initial tables"
expect_out "Generating "
f=$(ls migrations/versions/*_initial_tables.sql)
id=$(basename "$f" | cut -d_ -f1)
expect_eq "${#id}" "12" "generated id length"
grep -q "^-- Revision ID: $id$" "$f" && pass || fail "header lacks the id"
grep -q "^-- Revises: *$" "$f" && pass || fail "base revision must have an empty Revises"
grep -q "^-- migrate:upgrade$" "$f" && pass || fail "no upgrade marker"
grep -q "^-- migrate:downgrade$" "$f" && pass || fail "no downgrade marker"
ok "$QUIPU" revision -m "Add phone_number to users" --rev-id 3f2a9c1b7d4e
f2=migrations/versions/3f2a9c1b7d4e_add_phone_number_to_users.sql
[ -f "$f2" ] && pass || fail "revision --rev-id file name"
grep -q "^-- Revises: $id$" "$f2" && pass || fail "second revision revises the first"
ok "$QUIPU" heads
expect_eq "$OUT" "3f2a9c1b7d4e (head)" "heads after two revisions"
ok "$QUIPU" history
expect_eq "$(head -n1 <<<"$OUT")" "$id -> 3f2a9c1b7d4e (head), Add phone_number to users" "history line"

# bad ids are refused when the revision is created
for bad in "a-b" "a@b" "a+b" "a:b" "abcdefghijklmnopqrstuvwxyz0123456789"; do
	fails "$QUIPU" revision -m x --rev-id "$bad"
	expect_err "$bad"
done
fails "$QUIPU" revision -m dup --rev-id 3f2a9c1b7d4e
expect_err "already present"

# unique prefix and an unknown revision
ok "$QUIPU" show 3f2a
expect_out "Rev: 3f2a9c1b7d4e (head)"
fails "$QUIPU" show zzzz
expect_err "zzzz"

# --head on a non-head needs --splice; two heads need --head or merge
fails "$QUIPU" revision -m branch --head "$id"
expect_err "--splice"
ok "$QUIPU" revision -m branch --head "$id" --splice --rev-id b1b1b1b1b1b1
ok "$QUIPU" heads
expect_out "3f2a9c1b7d4e (head)"
expect_out "b1b1b1b1b1b1 (head)"
fails "$QUIPU" revision -m "needs a head"
expect_err "Multiple heads"
ok "$QUIPU" branches
expect_out "$id (branchpoint)"
ok "$QUIPU" merge heads -m "Merge branches" --rev-id aaaa0000aaaa
grep -q "^-- Revises: 3f2a9c1b7d4e, b1b1b1b1b1b1$" migrations/versions/aaaa0000aaaa_merge_branches.sql && pass || fail "merge Revises"
ok "$QUIPU" heads
expect_eq "$OUT" "aaaa0000aaaa (head)" "heads after merge (Alembic prints no tree indicators here)"

# edit runs $EDITOR on the file
EDITOR=true ok "$QUIPU" edit 3f2a
EDITOR=false fails "$QUIPU" edit 3f2a
expect_err "editor"

# a broken file is reported with its name and line, and all at once
printf -- '-- broken\n--\n-- Revises:\n\n-- migrate:upgrade\nSELECT 1;\n' > migrations/versions/broken1.sql
printf -- '-- broken too\n--\n-- Revision ID: zz-1\n\n-- migrate:upgrade\nSELECT 1;\n' > migrations/versions/broken2.sql
fails "$QUIPU" heads
expect_err "broken1.sql"
expect_err "broken2.sql"
done_testing
