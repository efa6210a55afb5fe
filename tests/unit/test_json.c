/*
 * test_json.c: the JSON reader libpg_query's parse trees go through
 * (src/lint/json.c): values of every kind, member lookup and order,
 * escapes decoded in place (the \u forms libpg_query writes, NUL and lone
 * surrogates as U+FFFD), numbers, deep and wide trees, the syntax errors
 * with their byte positions, and that a tree outlives the text it was read
 * from (the reader keeps its own copy).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lint/json.h"
#include "util/buf.h"
#include "util/err.h"

static qp_json *parse_ok(const char *text)
{
	qp_json *j = NULL;
	assert_int_equal(qp_json_parse(&j, text), 0);
	assert_non_null(j);
	return j;
}

static void parse_fails(const char *text, const char *message)
{
	qp_json *j = (qp_json *)1;
	assert_int_equal(qp_json_parse(&j, text), QUIPU_EPARSE);
	assert_null(j);
	assert_non_null(quipu_error_last());
	assert_string_equal(quipu_error_last()->message, message);
	quipu_error_clear();
}

static void test_values(void **state)
{
	qp_json *j = parse_ok(" {\"a\": 1, \"b\": \"x\", \"c\": true, \"d\": false, \"e\": null,"
	                      " \"f\": [1, -2, 3.5, 1e3], \"g\": {}, \"h\": []} ");
	const qp_json *f;
	(void)state;
	assert_int_equal(qp_json_int(qp_json_get(j, "a"), -1), 1);
	assert_string_equal(qp_json_get_str(j, "b"), "x");
	assert_true(qp_json_true(qp_json_get(j, "c")));
	assert_false(qp_json_true(qp_json_get(j, "d")));
	assert_non_null(qp_json_get(j, "e"));
	assert_false(qp_json_true(qp_json_get(j, "e")));
	assert_null(qp_json_get(j, "z"));
	assert_null(qp_json_get(j, ""));
	f = qp_json_get(j, "f");
	assert_int_equal(qp_json_len(f), 4);
	assert_int_equal(qp_json_int(qp_json_at(f, 0), 0), 1);
	assert_int_equal(qp_json_int(qp_json_at(f, 1), 0), -2);
	assert_int_equal(qp_json_int(qp_json_at(f, 2), 0), 3);
	assert_int_equal(qp_json_int(qp_json_at(f, 3), 0), 1000);
	assert_null(qp_json_at(f, 4));
	assert_int_equal(qp_json_len(qp_json_get(j, "g")), 0);
	assert_null(qp_json_node(qp_json_get(j, "g"), NULL));
	assert_int_equal(qp_json_len(qp_json_get(j, "h")), 0);
	/* wrong kinds answer "nothing" */
	assert_null(qp_json_get_str(j, "a"));
	assert_int_equal(qp_json_int(qp_json_get(j, "b"), 7), 7);
	assert_int_equal(qp_json_len(j), 0);
	assert_null(qp_json_get(f, "a"));
	assert_null(qp_json_get(NULL, "a"));
	qp_json_free(j);
	qp_json_free(NULL);
}

static void test_large_numbers(void **state)
{
	qp_json *j = parse_ok("[2147483647, -2147483648, 9007199254740993, 123456789012345678, 0, -0]");
	(void)state;
	assert_int_equal(qp_json_int(qp_json_at(j, 0), 0), 2147483647L);
	assert_int_equal(qp_json_int(qp_json_at(j, 1), 0), -2147483648L);
	/* past 2^53, as strtod rounds it */
	assert_int_equal(qp_json_int(qp_json_at(j, 2), 0), (long)9007199254740993.0);
	assert_int_equal(qp_json_int(qp_json_at(j, 3), 0), (long)123456789012345678.0);
	assert_int_equal(qp_json_int(qp_json_at(j, 4), 1), 0);
	assert_int_equal(qp_json_int(qp_json_at(j, 5), 1), 0);
	qp_json_free(j);
}

static void test_nodes_and_paths(void **state)
{
	qp_json *j = parse_ok("{\"stmts\":[{\"stmt\":{\"CreateStmt\":{\"relation\":{\"relname\":\"t\","
	                      "\"inh\":true},\"tableElts\":[{\"ColumnDef\":{\"colname\":\"a\"}}]}}}]}");
	const qp_json *st = qp_json_get(qp_json_at(qp_json_get(j, "stmts"), 0), "stmt"), *v = NULL;
	(void)state;
	assert_string_equal(qp_json_node(st, &v), "CreateStmt");
	assert_string_equal(qp_json_get_str(qp_json_path(v, "relation", NULL), "relname"), "t");
	assert_true(qp_json_true(qp_json_path(v, "relation", "inh", NULL)));
	assert_null(qp_json_path(v, "relation", "nope", "deeper", NULL));
	assert_string_equal(qp_json_node(qp_json_at(qp_json_get(v, "tableElts"), 0), &v), "ColumnDef");
	assert_string_equal(qp_json_get_str(v, "colname"), "a");
	qp_json_free(j);
}

/* Members keep their order; with a repeated key the first wins. */
static void test_member_order(void **state)
{
	qp_json *j = parse_ok("{\"b\":1,\"a\":2,\"ab\":3,\"a\":4}");
	(void)state;
	assert_int_equal(j->n, 4);
	assert_null(qp_json_node(j, NULL));
	assert_int_equal(qp_json_int(qp_json_get(j, "a"), 0), 2);
	assert_int_equal(qp_json_int(qp_json_get(j, "ab"), 0), 3);
	assert_int_equal(qp_json_int(qp_json_get(j, "b"), 0), 1);
	{
		static const char *const keys[] = {"b", "a", "ab", "a"};
		const char *key = NULL;
		size_t i;
		for (i = 0; i < 4; i++) {
			const qp_json *v = qp_json_member(j, i, &key);
			assert_non_null(v);
			assert_string_equal(key, keys[i]);
		}
		assert_null(qp_json_member(j, 4, &key));
		assert_int_equal(qp_json_int(qp_json_member(j, 3, NULL), 0), 4);
		assert_null(qp_json_member(qp_json_get(j, "a"), 0, &key));
	}
	qp_json_free(j);
}

static void test_escapes(void **state)
{
	qp_json *j = parse_ok("[\"a\\\"b\\\\c\\/d\", \"\\n\\t\\r\\b\\f\", \"\\u00e9\\u20ac\\u0041\", \"\\u0000x\","
	                      " \"\\ud83d\", \"caf\xc3\xa9\", \"\", \"\\q\", {\"k\\u0065y\": \"v\"}]");
	(void)state;
	assert_string_equal(qp_json_str(qp_json_at(j, 0)), "a\"b\\c/d");
	assert_string_equal(qp_json_str(qp_json_at(j, 1)), "\n\t\r\b\f");
	assert_string_equal(qp_json_str(qp_json_at(j, 2)), "\xc3\xa9\xe2\x82\xac" "A");
	assert_string_equal(qp_json_str(qp_json_at(j, 3)), "\xef\xbf\xbdx");
	assert_string_equal(qp_json_str(qp_json_at(j, 4)), "\xef\xbf\xbd");
	assert_string_equal(qp_json_str(qp_json_at(j, 5)), "caf\xc3\xa9");
	assert_string_equal(qp_json_str(qp_json_at(j, 6)), "");
	assert_string_equal(qp_json_str(qp_json_at(j, 7)), "q");
	assert_string_equal(qp_json_get_str(qp_json_at(j, 8), "key"), "v");
	qp_json_free(j);
}

/* The tree keeps its own copy: the text can go away. */
static void test_outlives_text(void **state)
{
	char *text = strdup("{\"relname\": \"users\", \"list\": [\"x\\ty\"]}");
	qp_json *j;
	(void)state;
	assert_non_null(text);
	j = parse_ok(text);
	memset(text, '#', strlen(text));
	free(text);
	assert_string_equal(qp_json_get_str(j, "relname"), "users");
	assert_string_equal(qp_json_str(qp_json_at(qp_json_get(j, "list"), 0)), "x\ty");
	qp_json_free(j);
}

/* Wide (arrays grow past any initial size) and deep (up to the limit). */
static void test_wide_and_deep(void **state)
{
	qp_buf b = QP_BUF_INIT;
	qp_json *j;
	size_t i;
	(void)state;

	qp_buf_putc(&b, '[');
	for (i = 0; i < 5000; i++)
		qp_buf_printf(&b, "%s{\"i\":%zu,\"s\":[\"%zu\",[%zu]]}", i ? "," : "", i, i, i);
	qp_buf_putc(&b, ']');
	j = parse_ok(qp_buf_cstr(&b));
	assert_int_equal(qp_json_len(j), 5000);
	for (i = 0; i < 5000; i += 499) {
		const qp_json *e = qp_json_at(j, i), *s = qp_json_get(e, "s");
		char want[32];
		snprintf(want, sizeof(want), "%zu", i);
		assert_int_equal(qp_json_int(qp_json_get(e, "i"), -1), (long)i);
		assert_string_equal(qp_json_str(qp_json_at(s, 0)), want);
		assert_int_equal(qp_json_int(qp_json_at(qp_json_at(s, 1), 0), -1), (long)i);
	}
	qp_json_free(j);

	qp_buf_truncate(&b, 0);
	for (i = 0; i < 1000; i++)
		qp_buf_puts(&b, "{\"a\":");
	qp_buf_puts(&b, "7");
	for (i = 0; i < 1000; i++)
		qp_buf_putc(&b, '}');
	j = parse_ok(qp_buf_cstr(&b));
	{
		const qp_json *e = j;
		for (i = 0; i < 1000; i++)
			e = qp_json_get(e, "a");
		assert_int_equal(qp_json_int(e, 0), 7);
	}
	qp_json_free(j);

	qp_buf_truncate(&b, 0);
	for (i = 0; i < 1001; i++)
		qp_buf_putc(&b, '[');
	for (i = 0; i < 1001; i++)
		qp_buf_putc(&b, ']');
	parse_fails(qp_buf_cstr(&b), "parse tree JSON: nesting too deep at byte 1000");
	qp_buf_release(&b);
}

static void test_errors(void **state)
{
	(void)state;
	parse_fails("", "parse tree JSON: unexpected character at byte 0");
	parse_fails("{\"a\" 1}", "parse tree JSON: expected ':' at byte 5");
	parse_fails("{1: 2}", "parse tree JSON: expected a member name at byte 1");
	parse_fails("[1 2]", "parse tree JSON: expected ',' or a closing bracket at byte 3");
	parse_fails("[1,", "parse tree JSON: unexpected character at byte 3");
	parse_fails("\"abc", "parse tree JSON: unterminated string at byte 4");
	parse_fails("\"abc\\", "parse tree JSON: unterminated string at byte 5");
	parse_fails("[\"\\u12g4\"]", "parse tree JSON: bad \\u escape at byte 6");
	parse_fails("[tru]", "parse tree JSON: unexpected word at byte 1");
	parse_fails("[-x]", "parse tree JSON: unexpected character at byte 1");
	parse_fails("{} x", "parse tree JSON: trailing text at byte 3");
	parse_fails("{\"a\": [1, {\"b\": \"unterminated}]}", "parse tree JSON: unterminated string at byte 32");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_large_numbers),
		cmocka_unit_test(test_nodes_and_paths),
		cmocka_unit_test(test_member_order),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_outlives_text),
		cmocka_unit_test(test_wide_and_deep),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
