/*
 * test_parse_pg_split.c: a models text cut into its statements
 * (schema/parse_pg_split.c), and parse_pg.c reading it statement by
 * statement. The cuts: just past each statement's semicolon, never inside
 * a -- or nested block comment, a string (doubled quotes, E'' backslash
 * escapes, plain strings without them), a quoted identifier or a dollar
 * quote; what is unterminated is one piece to the end. The reading: one
 * statement's parse tree held at a time, not the whole text's; a statement
 * that does not parse, in the middle of a text, still named by its file
 * and line; the same model as the text parsed in one piece.
 * (pgtest_parse_pg checks the pieces read the same as whole texts on every
 * case and the corpus.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema/parse_pg.h"
#include "schema/parse_pg_split.h"
#include "util/buf.h"

/* The pieces of `text` must end just after each "|" (which are taken
 * out); the last piece ends at the end of the text. */
static void expect_cuts(const char *marked)
{
	char text[1024];
	size_t want[64], n_want = 0, len = 0, pos = 0, k = 0;
	const char *p;

	assert_true(strlen(marked) < sizeof(text));
	for (p = marked; *p; p++) {
		if (*p == '|')
			want[n_want++] = len;
		else
			text[len++] = *p;
	}
	text[len] = '\0';
	if (!n_want || want[n_want - 1] != len)
		want[n_want++] = len;
	while (pos < len) {
		size_t end = qp_pg_stmt_end(text, len, pos);
		if (k >= n_want || end != want[k])
			fail_msg("piece %zu ends at %zu, expected %zu in: %s", k, end, k < n_want ? want[k] : 0, text);
		assert_true(end > pos);
		pos = end;
		k++;
	}
	if (k != n_want && len)
		fail_msg("%zu pieces, expected %zu in: %s", k, n_want, text);
}

static void test_plain(void **state)
{
	(void)state;
	expect_cuts("SELECT 1;|\nSELECT 2;|\nSELECT 3;|\n");
	expect_cuts("SELECT 1;|SELECT 2;|;|SELECT 3");
	expect_cuts("SELECT 1;|\n  \n");
	expect_cuts("");
}

static void test_comments(void **state)
{
	(void)state;
	expect_cuts("SELECT 1;|\n-- a; b; c\nSELECT 2;|\nSELECT 3;|");
	expect_cuts("SELECT 1;| /* a; /* b; */ c; */ SELECT 2;| SELECT 3;|");
	expect_cuts("SELECT 1--2;3;4\n;| SELECT 2;|");
	/* unterminated block comment: the rest is one piece */
	expect_cuts("SELECT 1;| /* a; /* b; */ c; SELECT 2; SELECT 3;");
}

static void test_strings(void **state)
{
	(void)state;
	expect_cuts("SELECT 1;| SELECT 'it''s; a; b';| SELECT 2;|");
	expect_cuts("SELECT 1;| SELECT E'it\\'s; a';| SELECT 2;|");
	expect_cuts("SELECT 1;| SELECT e'\\\\';| SELECT 'x;x';| SELECT 2;|");
	/* no escape in a plain string: the backslash is a character */
	expect_cuts("SELECT 'abc\\';| SELECT 1;|");
	/* a word ending in e is not an E'' prefix */
	expect_cuts("SELECT typee'abc\\';| SELECT 1;|");
	expect_cuts("SELECT 1;| SELECT \"a;b\"\";\";| SELECT 2;|");
	expect_cuts("SELECT 1;| SELECT U&'d\\0061t;a';| SELECT 2;|");
	/* unterminated: the rest is one piece */
	expect_cuts("SELECT 1;| SELECT 'a; SELECT 4; SELECT 5;");
	expect_cuts("SELECT 1;| SELECT \"a; SELECT 4; SELECT 5;");
}

static void test_dollar_quotes(void **state)
{
	(void)state;
	expect_cuts("SELECT 1;| CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; SELECT 2; $$ LANGUAGE sql;| SELECT 2;|");
	expect_cuts("SELECT 1;| DO $fn$ BEGIN PERFORM $$;$$; PERFORM 1; END $fn$;| SELECT 2;|");
	expect_cuts("SELECT 1;| DO $a1$ x; $a$; $b1$; y; $a1$;| SELECT 2;|");
	/* a $ inside a word is the word's, and $1 is a parameter */
	expect_cuts("SELECT 1;| SELECT a$b;| SELECT $1;| SELECT c$$d;| SELECT 2;|");
	/* unterminated: the rest is one piece */
	expect_cuts("SELECT 1;| DO $$ BEGIN; END; SELECT 3; SELECT 4;");
}

/* 200 tables, each with a key, an index and a foreign key to the one before. */
static char *many_tables(void)
{
	qp_buf b = QP_BUF_INIT;
	int i;

	qp_buf_puts(&b, "-- models\nSET client_min_messages = warning;\n");
	for (i = 0; i < 200; i++) {
		qp_buf_printf(&b, "CREATE TABLE t%d (\n    id serial PRIMARY KEY,\n    name varchar(50) NOT NULL,\n", i);
		if (i)
			qp_buf_printf(&b, "    prev_id integer REFERENCES t%d (id),\n", i - 1);
		qp_buf_printf(&b, "    note text DEFAULT 'a;b'\n);\nCREATE INDEX ix_t%d_name ON t%d (name);\n\n", i, i);
	}
	assert_false(b.oom);
	return qp_buf_detach(&b);
}

static char *dump(const qp_model *m)
{
	qp_buf b = QP_BUF_INIT;

	assert_int_equal(qp_model_dump(&b, m), 0);
	return qp_buf_detach(&b);
}

/* Statement by statement, the largest parse tree held is one statement's;
 * in one piece, the whole text's. The models are the same. */
static void test_one_statement_at_a_time(void **state)
{
	char *sql = many_tables(), *a, *b;
	size_t max_piece = 0, max_whole = 0;
	qp_parse_opts po = QP_PARSE_OPTS_INIT, whole = QP_PARSE_OPTS_INIT;
	qp_model m1, m2;
	int c1 = -1, c2 = -1;
	(void)state;

	po.role = whole.role = "postgres";
	po.max_json = &max_piece;
	whole.max_json = &max_whole;
	whole.whole = 1;
	assert_int_equal(qp_models_parse_pg_text(&m1, &c1, NULL, sql, "m.sql", &po), 0);
	assert_int_equal(qp_models_parse_pg_text(&m2, &c2, NULL, sql, "m.sql", &whole), 0);
	assert_int_equal(c1, 1);
	assert_int_equal(c2, 1);
	assert_true(max_piece > 0);
	/* the whole text's JSON is hundreds of statements' */
	if (max_piece * 50 > max_whole)
		fail_msg("largest tree held %zu bytes statement by statement, %zu in one piece", max_piece, max_whole);
	a = dump(&m1);
	b = dump(&m2);
	assert_string_equal(a, b);
	free(a);
	free(b);
	free(sql);
	qp_model_release(&m1);
	qp_model_release(&m2);
}

/* A statement that does not parse in the middle of a text: incomplete,
 * named by the file and the line of the error, as in one piece. */
static void test_error_in_the_middle(void **state)
{
	const char *sql = "CREATE TABLE a (id int PRIMARY KEY);\n"
	                  "\n"
	                  "-- the broken one\n"
	                  "CREATE TABLE b (\n"
	                  "    id int,\n"
	                  "    x int int\n"
	                  ");\n"
	                  "CREATE TABLE c (id int);\n";
	const char *want = "models/m.sql:6: does not parse (syntax error at or near \"int\"): the scratch database reports it";
	qp_parse_opts po = QP_PARSE_OPTS_INIT;
	qp_buf reason = QP_BUF_INIT;
	qp_model m;
	int complete = -1;
	(void)state;

	po.role = "postgres";
	assert_int_equal(qp_models_parse_pg_text(&m, &complete, &reason, sql, "models/m.sql", &po), 0);
	assert_int_equal(complete, 0);
	assert_string_equal(qp_buf_cstr(&reason), want);
	qp_model_release(&m);
	qp_buf_release(&reason);
	/* the same reason from the whole text in one piece */
	po.whole = 1;
	assert_int_equal(qp_models_parse_pg_text(&m, &complete, &reason, sql, "models/m.sql", &po), 0);
	assert_int_equal(complete, 0);
	assert_string_equal(qp_buf_cstr(&reason), want);
	qp_model_release(&m);
	qp_buf_release(&reason);
}

/* A foreign key to a table made by an earlier statement, whose parse tree
 * is gone by then (what the key's columns are read from is kept). */
static void test_key_of_an_earlier_statement(void **state)
{
	const char *sql = "CREATE TABLE a (x int, y int, UNIQUE (x, y));\n"
	                  "CREATE TABLE filler (id int);\n"
	                  "CREATE TABLE b (x int, y int, FOREIGN KEY (x, y) REFERENCES a (x, y));\n";
	qp_parse_opts po = QP_PARSE_OPTS_INIT;
	qp_buf reason = QP_BUF_INIT;
	qp_model m;
	int complete = -1;
	char *d;
	(void)state;

	po.role = "postgres";
	assert_int_equal(qp_models_parse_pg_text(&m, &complete, &reason, sql, "m.sql", &po), 0);
	if (complete != 1)
		fail_msg("incomplete: %s", qp_buf_cstr(&reason));
	d = dump(&m);
	assert_non_null(strstr(d, "FOREIGN KEY (x, y) REFERENCES a(x, y)"));
	free(d);
	qp_model_release(&m);
	qp_buf_release(&reason);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_dollar_quotes),
		cmocka_unit_test(test_one_statement_at_a_time),
		cmocka_unit_test(test_error_in_the_middle),
		cmocka_unit_test(test_key_of_an_earlier_statement),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
