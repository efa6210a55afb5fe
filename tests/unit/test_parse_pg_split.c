/*
 * test_parse_pg_split.c: where a long models text is cut in two for
 * parsing at once (schema/parse_pg_split.c): after a statement's semicolon
 * at or past the middle, never inside a -- or nested block comment, a
 * string (doubled quotes, E'' backslash escapes), a quoted identifier or a
 * dollar quote; nowhere when the rest is blank, something is unterminated,
 * or the text touches standard_conforming_strings. And a wrong cut is
 * harmless: halves that do not parse give -1 and leave no error behind.
 * (pgtest_parse_pg checks that cut texts read the same as whole ones.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "schema/parse_pg_split.h"
#include "util/err.h"

/* The cut in `text` must be just after the first "|" (which is taken out);
 * no "|": no cut. */
static void expect_cut(const char *marked)
{
	char text[1024];
	const char *bar = strchr(marked, '|');
	size_t want = bar ? (size_t)(bar - marked) : 0, got;

	assert_true(strlen(marked) < sizeof(text));
	if (bar) {
		memcpy(text, marked, want);
		strcpy(text + want, bar + 1);
	} else {
		strcpy(text, marked);
	}
	got = qp_pg_split_point(text, strlen(text));
	if (got != want)
		fail_msg("cut at %zu, expected %zu in: %s", got, want, text);
}

static void test_plain(void **state)
{
	(void)state;
	expect_cut("SELECT 1;\nSELECT 2;|\nSELECT 3;\n");
	expect_cut("SELECT 1;SELECT 2;SELECT 3;|SELECT 4;");
	/* nothing but blanks after the last semicolon */
	expect_cut("SELECT 1;\nSELECT 2;\n  \n");
	expect_cut("SELECT 1;\nSELECT 2");
	expect_cut("");
}

static void test_comments(void **state)
{
	(void)state;
	expect_cut("SELECT 1;\n-- a; b; c; d; e; f; g; h\nSELECT 2;|\nSELECT 3;");
	expect_cut("SELECT 1; /* a; /* b; */ c; d; e; f; g; */ SELECT 2;| SELECT 3;");
	expect_cut("SELECT 1--2;3;4;5;6;7;8;9;0;1;2;3\n;| SELECT 2;");
	/* unterminated block comment: no cut */
	expect_cut("SELECT 1; /* a; /* b; */ c; d; e; f; g; SELECT 2; SELECT 3;");
}

static void test_strings(void **state)
{
	(void)state;
	expect_cut("SELECT 1; SELECT 'it''s; a; b; c; d; e; f; g';| SELECT 2;");
	expect_cut("SELECT 1; SELECT E'it\\'s; a; b; c; d; e; f; g';| SELECT 2;");
	expect_cut("SELECT 1; SELECT e'\\\\'; SELECT 'x;x;x;x;x;x;x;x;x;x;x;x';| SELECT 2;");
	/* no escape in a plain string: the backslash is a character */
	expect_cut("SELECT 'abcdefghijklmnopqrstuvwxyz\\';| SELECT 1;");
	/* a word ending in e is not an E'' prefix */
	expect_cut("SELECT typee'abcdefghijklmnopqrstuvwxyz\\';| SELECT 1;");
	expect_cut("SELECT 1; SELECT \"a;b;c;d;e;f;g;h;i;j;k\"\";\";| SELECT 2;");
	expect_cut("SELECT 1; SELECT U&'d\\0061t;a;b;c;d;e;f;g;h';| SELECT 2;");
	/* unterminated: no cut */
	expect_cut("SELECT 1; SELECT 2; SELECT 3; SELECT 'a; SELECT 4; SELECT 5;");
	expect_cut("SELECT 1; SELECT 2; SELECT 3; SELECT \"a; SELECT 4; SELECT 5;");
}

static void test_dollar_quotes(void **state)
{
	(void)state;
	expect_cut("SELECT 1; CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; SELECT 2; SELECT 3; $$ LANGUAGE sql;|"
	           " SELECT 2;");
	expect_cut("SELECT 1; DO $fn$ BEGIN PERFORM $$;$$; PERFORM 1; PERFORM 2; PERFORM 3; END $fn$;| SELECT 2;");
	expect_cut("SELECT 1; DO $a1$ x; $a$; $b1$; y; z; w; v; u; t; s; $a1$;| SELECT 2;");
	/* a $ inside a word is the word's, and $1 is a parameter */
	expect_cut("SELECT 1; SELECT a$b; SELECT $1;| SELECT c$$d; SELECT 2;");
	/* unterminated: no cut */
	expect_cut("SELECT 1; SELECT 2; DO $$ BEGIN; END; SELECT 3; SELECT 4;");
}

static void test_settings(void **state)
{
	(void)state;
	expect_cut("SET standard_conforming_strings = off; SELECT 1; SELECT 'a\\'; SELECT 2; SELECT 3;");
	expect_cut("SELECT 1; SELECT 2; SET Standard_Conforming_Strings TO on; SELECT 3;");
}

/* A cut inside a string: the first half does not parse, nothing is kept. */
static void test_bad_cut_is_harmless(void **state)
{
	const char *sql = "SELECT 'a;b'; SELECT 2;";
	qp_json *a = (qp_json *)1, *b = (qp_json *)1;
	(void)state;

	quipu_error_clear();
	assert_int_equal(qp_pg_parse_halves(&a, &b, sql, 10), -1);
	assert_null(a);
	assert_null(b);
	assert_null(quipu_error_last());
	/* and a good one gives both trees, the second's locations its own */
	assert_int_equal(qp_pg_parse_halves(&a, &b, sql, 13), 0);
	assert_int_equal(qp_json_len(qp_json_get(a, "stmts")), 1);
	assert_int_equal(qp_json_len(qp_json_get(b, "stmts")), 1);
	assert_int_equal(qp_json_int(qp_json_get(qp_json_at(qp_json_get(b, "stmts"), 0), "stmt_location"), 0), 0);
	qp_json_free(a);
	qp_json_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_dollar_quotes),
		cmocka_unit_test(test_settings),
		cmocka_unit_test(test_bad_cut_is_harmless),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
