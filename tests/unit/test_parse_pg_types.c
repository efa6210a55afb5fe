/*
 * test_parse_pg_types.c: format_type as the parse path reproduces it
 * (qp_pg_format_type, schema/parse_pg.c): every built-in type it knows is
 * found (its table is searched by bisection, so this also keeps the table
 * in order), with and without pg_catalog, typmods and arrays; unknown types
 * and bad typmods are refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "schema/parse_pg.h"

static const char *fmt(const char *schema, const char *name, const long *tm, size_t n_tm, int array)
{
	static char out[128];
	const char *names[2];
	qp_buf b = QP_BUF_INIT;
	size_t n = 0;
	int rc;

	if (schema)
		names[n++] = schema;
	names[n++] = name;
	rc = qp_pg_format_type(&b, names, n, tm, n_tm, array);
	if (rc < 0) {
		qp_buf_release(&b);
		return NULL;
	}
	strcpy(out, qp_buf_cstr(&b));
	qp_buf_release(&b);
	return out;
}

static void test_every_builtin(void **state)
{
	static const struct { const char *name, *fmt; } all[] = {
		{"bool", "boolean"}, {"bpchar", "bpchar"}, {"bytea", "bytea"}, {"cidr", "cidr"}, {"date", "date"},
		{"float4", "real"}, {"float8", "double precision"}, {"inet", "inet"}, {"int2", "smallint"},
		{"int4", "integer"}, {"int8", "bigint"}, {"interval", "interval"}, {"json", "json"}, {"jsonb", "jsonb"},
		{"macaddr", "macaddr"}, {"money", "money"}, {"numeric", "numeric"}, {"oid", "oid"}, {"text", "text"},
		{"time", "time without time zone"}, {"timestamp", "timestamp without time zone"},
		{"timestamptz", "timestamp with time zone"}, {"timetz", "time with time zone"},
		{"tsvector", "tsvector"}, {"uuid", "uuid"}, {"varchar", "character varying"}, {"xml", "xml"},
	};
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		const char *got = fmt(NULL, all[i].name, NULL, 0, 0);
		if (!got || strcmp(got, all[i].fmt))
			fail_msg("%s: got %s, expected %s", all[i].name, got ? got : "(refused)", all[i].fmt);
		got = fmt("pg_catalog", all[i].name, NULL, 0, 1);
		assert_non_null(got);
		assert_int_equal(strncmp(got, all[i].fmt, strlen(all[i].fmt)), 0);
		assert_string_equal(got + strlen(all[i].fmt), "[]");
	}
}

static void test_typmods_and_refusals(void **state)
{
	const long len[] = {20}, num[] = {10, 2}, prec[] = {3}, bad[] = {0};
	(void)state;

	assert_string_equal(fmt(NULL, "varchar", len, 1, 0), "character varying(20)");
	assert_string_equal(fmt(NULL, "bpchar", len, 1, 0), "character(20)");
	assert_string_equal(fmt(NULL, "numeric", num, 2, 0), "numeric(10,2)");
	assert_string_equal(fmt(NULL, "timestamptz", prec, 1, 0), "timestamp(3) with time zone");
	assert_null(fmt(NULL, "varchar", bad, 1, 0));
	assert_null(fmt(NULL, "int4", len, 1, 0));
	assert_null(fmt(NULL, "serial", NULL, 0, 0));
	assert_null(fmt(NULL, "aaa", NULL, 0, 0));
	assert_null(fmt(NULL, "zzz", NULL, 0, 0));
	assert_null(fmt("public", "int4", NULL, 0, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_builtin),
		cmocka_unit_test(test_typmods_and_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
