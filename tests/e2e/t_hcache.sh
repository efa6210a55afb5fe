#!/usr/bin/env bash
# The header cache through the CLI (docs/file-format.md, "The header cache"):
# heads / history / current / branches write it under $XDG_CACHE_HOME/quipu/
# and see every edit, addition and removal of a revision file; a cache home
# that cannot be written never fails them; QUIPU_NO_CACHE=1 writes nothing;
# upgrade never uses it. (The unit test test_hcache counts the hits.)
. "$QUIPU_SRC/tests/e2e/lib.sh"

mkproj "sqlite:///$T_DIR/q.db"
mkrev a1 "" "One" "CREATE TABLE t1 (id int);" "DROP TABLE t1;"
mkrev a2 "a1" "Two" "CREATE TABLE t2 (id int);" "DROP TABLE t2;"
sleep 1.2   # settled: older than the cache's one-second window, so stored

ok "$QUIPU" heads
expect_out "a2 (head)"
n=$(ls "$XDG_CACHE_HOME"/quipu/headers-* 2>/dev/null | wc -l)
expect_eq "$n" 1 "one cache file under \$XDG_CACHE_HOME/quipu"
ok "$QUIPU" history
expect_out "a1 -> a2 (head), Two"

# edited in place, same size: new id and message
sed -i 's/Revision ID: a2/Revision ID: b2/; s/^-- Two/-- TWO/' migrations/versions/a2_two.sql
ok "$QUIPU" heads
expect_eq "$OUT" "b2 (head)"
ok "$QUIPU" history
expect_out "a1 -> b2 (head), TWO"

# added
mkrev a3 "b2" "Three" "CREATE TABLE t3 (id int);" "DROP TABLE t3;"
ok "$QUIPU" heads
expect_eq "$OUT" "a3 (head)"
ok "$QUIPU" upgrade head
ok "$QUIPU" current
expect_eq "$OUT" "a3 (head)"

# removed
rm migrations/versions/a3_three.sql
ok "$QUIPU" heads
expect_eq "$OUT" "b2 (head)"
fails "$QUIPU" current
expect_err "'a3', which is not in the revision files"

# a cache home that is a file: commands still work, nothing written
: > "$T_DIR/home-is-a-file"
XDG_CACHE_HOME="$T_DIR/home-is-a-file" ok "$QUIPU" heads
expect_eq "$OUT" "b2 (head)"
expect_no "cache"

# QUIPU_NO_CACHE=1: nothing written
rm -rf "$XDG_CACHE_HOME"
QUIPU_NO_CACHE=1 ok "$QUIPU" heads
expect_eq "$OUT" "b2 (head)"
expect_eq "$(ls "$XDG_CACHE_HOME" 2>/dev/null | wc -l)" 0 "no cache with QUIPU_NO_CACHE=1"

done_testing
