/*
 * test_script.c: revision files (src/core/script.c): parsing, every parse
 * error with its line, rendering and round trips, revision id rules, slugs
 * (expected values produced by Alembic 1.8.1's ScriptDirectory._rev_path).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/script.h"
#include "util/err.h"
#include "util/fs.h"

static const char *last_message(void)
{
	const quipu_error *e = quipu_error_last();
	return e && e->message ? e->message : "";
}

/* Parses a copy of text as "v/x.sql". */
static int parse(qp_script *s, const char *text)
{
	return qp_script_parse(s, "v/x.sql", strdup(text), strlen(text));
}

/* The SQL of a section, as a new string. */
static char *section_text(const qp_script *s, const qp_section *sec)
{
	return strndup(s->text + sec->offset, sec->length);
}

static const char SEED[] =
	"-- Add phone_number to users\n"                 /* 1 */
	"--\n"                                           /* 2 */
	"-- Revision ID: 3f2a9c1b7d4e\n"                 /* 3 */
	"-- Revises: e8a14672d2af\n"                     /* 4 */
	"-- Create Date: 2026-11-25 22:01:00.123456\n"   /* 5 */
	"-- Branch Labels:\n"                            /* 6 */
	"-- Depends On:\n"                               /* 7 */
	"\n"                                             /* 8 */
	"-- migrate:upgrade\n"                           /* 9 */
	"ALTER TABLE users ADD COLUMN phone_number VARCHAR(20);\n" /* 10 */
	"\n"                                             /* 11 */
	"-- migrate:downgrade\n"                         /* 12 */
	"ALTER TABLE users DROP COLUMN phone_number;\n"; /* 13 */

static void test_parse_design_example(void **state)
{
	qp_script s;
	char *up, *down;

	assert_int_equal(parse(&s, SEED), 0);
	assert_string_equal(s.path, "v/x.sql");
	assert_string_equal(s.id, "3f2a9c1b7d4e");
	assert_string_equal(s.message, "Add phone_number to users");
	assert_string_equal(s.create_date, "2026-11-25 22:01:00.123456");
	assert_int_equal(s.down.count, 1);
	assert_string_equal(s.down.items[0], "e8a14672d2af");
	assert_int_equal(s.labels.count, 0);
	assert_int_equal(s.depends.count, 0);
	assert_int_equal(s.text_len, strlen(SEED));

	assert_int_equal(s.up.present, 1);
	assert_int_equal(s.up.line, 10);
	assert_int_equal(s.up.transaction, 1);
	up = section_text(&s, &s.up);
	assert_string_equal(up, "ALTER TABLE users ADD COLUMN phone_number VARCHAR(20);\n\n");
	assert_int_equal(s.downgrade.present, 1);
	assert_int_equal(s.downgrade.line, 13);
	assert_int_equal(s.downgrade.transaction, 1);
	down = section_text(&s, &s.downgrade);
	assert_string_equal(down, "ALTER TABLE users DROP COLUMN phone_number;\n");
	assert_int_equal(s.downgrade.offset + s.downgrade.length, s.text_len);
	free(up);
	free(down);
	qp_script_release(&s);
}

static void test_parse_base_merge_labels(void **state)
{
	qp_script s;

	/* base: empty Revises; extra spaces tolerated; CRLF line ends */
	assert_int_equal(parse(&s,
		"--   Initial tables  \r\n"
		"--\r\n"
		"--  Revision ID:    e8a14672d2af  \r\n"
		"-- Revises: \r\n"
		"-- Create Date: 2026-01-01 00:00:00\r\n"
		"\r\n"
		"-- migrate:upgrade\r\n"
		"CREATE TABLE users (id int);\r\n"), 0);
	assert_string_equal(s.id, "e8a14672d2af");
	assert_string_equal(s.message, "Initial tables");
	assert_int_equal(s.down.count, 0);
	assert_int_equal(s.up.line, 8);
	assert_int_equal(s.downgrade.present, 0);   /* cannot be downgraded */
	qp_script_release(&s);

	/* merge, labels and depends; no Revises line at all is a base too */
	assert_int_equal(parse(&s,
		"-- merge heads\n"
		"--\n"
		"-- Revision ID: m1\n"
		"-- Revises: a1,b2 ,  c3\n"
		"-- Branch Labels: feature, other\n"
		"-- Depends On: x9\n"
		"-- migrate:upgrade\n"
		"-- migrate:downgrade\n"), 0);
	assert_int_equal(s.down.count, 3);
	assert_string_equal(s.down.items[0], "a1");
	assert_string_equal(s.down.items[1], "b2");
	assert_string_equal(s.down.items[2], "c3");
	assert_int_equal(s.labels.count, 2);
	assert_string_equal(s.labels.items[0], "feature");
	assert_string_equal(s.labels.items[1], "other");
	assert_int_equal(s.depends.count, 1);
	assert_string_equal(s.depends.items[0], "x9");
	assert_string_equal(s.create_date, "");
	/* empty sections: valid no-ops */
	assert_int_equal(s.up.length, 0);
	assert_int_equal(s.up.line, 8);
	assert_int_equal(s.downgrade.present, 1);
	assert_int_equal(s.downgrade.length, 0);
	assert_int_equal(s.downgrade.line, 9);
	qp_script_release(&s);

	/* empty message: the first line is a key */
	assert_int_equal(parse(&s, "-- Revision ID: abc\n-- migrate:upgrade\nSELECT 1;"), 0);
	assert_string_equal(s.message, "");
	assert_int_equal(s.down.count, 0);
	assert_int_equal(s.up.line, 3);
	assert_int_equal(s.up.length, strlen("SELECT 1;"));
	qp_script_release(&s);

	/* "--" alone as the first line is an empty message too */
	assert_int_equal(parse(&s, "--\n--\n-- Revision ID: abc\n\n-- migrate:upgrade\n"), 0);
	assert_string_equal(s.message, "");
	assert_int_equal(s.up.line, 6);
	assert_int_equal(s.up.offset, s.text_len);
	qp_script_release(&s);
}

static void test_transaction_option(void **state)
{
	qp_script s;
	char *up;

	assert_int_equal(parse(&s,
		"-- concurrently\n"
		"-- Revision ID: c1\n"
		"-- Revises: b1\n"
		"\n"
		"-- migrate:upgrade transaction:false\n"
		"CREATE INDEX CONCURRENTLY i ON t (a);\n"
		"-- migrate:downgrade   transaction:true  \n"
		"DROP INDEX i;\n"), 0);
	assert_int_equal(s.up.transaction, 0);
	assert_int_equal(s.up.line, 6);
	assert_int_equal(s.downgrade.transaction, 1);
	assert_int_equal(s.downgrade.line, 8);
	up = section_text(&s, &s.up);
	assert_string_equal(up, "CREATE INDEX CONCURRENTLY i ON t (a);\n");
	free(up);
	qp_script_release(&s);

	assert_int_equal(parse(&s,
		"-- m\n-- Revision ID: c1\n-- migrate:upgrade\nSELECT 1;\n-- migrate:downgrade transaction:false\n"), 0);
	assert_int_equal(s.up.transaction, 1);
	assert_int_equal(s.downgrade.transaction, 0);
	qp_script_release(&s);
}

/* Expects a parse error whose message starts "v/x.sql:<line>: " and holds `want`. */
static void expect_error(const char *text, int line, const char *want)
{
	qp_script s;
	char prefix[64];
	const char *m;

	assert_int_equal(parse(&s, text), QUIPU_EPARSE);
	m = last_message();
	snprintf(prefix, sizeof(prefix), "v/x.sql:%d: ", line);
	if (strncmp(m, prefix, strlen(prefix)) || !strstr(m, want))
		fail_msg("message '%s' lacks '%s' or '%s'", m, prefix, want);
	assert_null(s.id);       /* released on failure */
	assert_null(s.text);
}

static void test_parse_errors(void **state)
{
	expect_error("-- msg\n--\n-- Revises: a\n\n-- migrate:upgrade\nSELECT 1;\n", 1,
	             "no '-- Revision ID:' line in the header; add `-- Revision ID: <id>`");
	expect_error("-- msg\n-- Revision ID: a1\n\nSELECT 1;\n", 4,
	             "SQL before '-- migrate:upgrade'");
	expect_error("-- msg\n-- Revision ID: a1\n-- just comments\n", 3,
	             "no '-- migrate:upgrade' line; add `-- migrate:upgrade`");
	expect_error("-- m\n-- Revision ID: a1\n-- migrate:upgrade\nA;\n-- migrate:upgrade\nB;\n", 5,
	             "a second '-- migrate:upgrade' (the first is on line 3)");
	expect_error("-- m\n-- Revision ID: a1\n-- migrate:upgrade\n-- migrate:downgrade\nx\n-- migrate:downgrade\n", 6,
	             "a second '-- migrate:downgrade' (the first is on line 4)");
	expect_error("-- m\n-- Revision ID: a1\n\n-- migrate:downgrade\nDROP TABLE t;\n-- migrate:upgrade\n", 4,
	             "'-- migrate:downgrade' comes before '-- migrate:upgrade'");
	expect_error("-- m\n-- Revision ID: a1\n-- migrate:upgrade transaction:no\n", 3,
	             "unknown option 'transaction:no' after -- migrate:upgrade; the known options are transaction:false and transaction:true");
	expect_error("-- m\n-- Revision ID: a1\n-- migrate:up\n", 3,
	             "unknown marker '-- migrate:up'");
	expect_error("-- m\n--\n-- Revision ID: a-1\n-- migrate:upgrade\n", 3,
	             "'a-1' cannot be a revision id: it contains '-'");
	expect_error("-- m\n--\n-- Revision ID:\n-- migrate:upgrade\n", 3,
	             "cannot be a revision id: it is empty");
	expect_error("-- m\n-- Revision ID: 0123456789abcdef0123456789abcdef0\n-- migrate:upgrade\n", 2,
	             "longer than 32 characters");
	expect_error("-- m\n-- Revision ID: a1\n-- Revises: b1, c@2\n-- migrate:upgrade\n", 3,
	             "'c@2' in '-- Revises:' cannot be a revision id: it contains '@'");
	expect_error("-- m\n-- Revision ID: a1\n-- Revision ID: a2\n-- migrate:upgrade\n", 3,
	             "a second '-- Revision ID:' line (the first is on line 2)");
	expect_error("-- m\n-- Revision ID: a1\n-- Revises: a0\n-- Revises: a0\n-- migrate:upgrade\n", 4,
	             "a second '-- Revises:' line (the first is on line 3)");
	/* the message names the id rule's width */
	expect_error("-- m\n-- Revision ID: a:b\n-- migrate:upgrade\n", 2,
	             "(at most 32 characters, the width of alembic_version.version_num)");
}

static void test_revid_check(void **state)
{
	assert_int_equal(qp_revid_check("3f2a9c1b7d4e"), 0);
	assert_int_equal(qp_revid_check("ae1027a6acf_x"), 0);
	assert_int_equal(qp_revid_check("0123456789abcdef0123456789abcdef"), 0);   /* 32 */
	assert_int_equal(qp_revid_check("0123456789abcdef0123456789abcdef0"), QUIPU_EUSAGE);
	assert_non_null(strstr(last_message(), "longer than 32 characters"));
	assert_non_null(strstr(last_message(), "(at most 32 characters, the width of alembic_version.version_num)"));
	assert_int_equal(qp_revid_check(""), QUIPU_EUSAGE);
	assert_non_null(strstr(last_message(), "empty"));
	assert_int_equal(qp_revid_check("a@b"), QUIPU_EUSAGE);
	assert_non_null(strstr(last_message(), "'@'"));
	assert_int_equal(qp_revid_check("a-b"), QUIPU_EUSAGE);
	assert_non_null(strstr(last_message(), "'-'"));
	assert_int_equal(qp_revid_check("a+b"), QUIPU_EUSAGE);
	assert_non_null(strstr(last_message(), "'+'"));
	assert_int_equal(qp_revid_check("a:b"), QUIPU_EUSAGE);
	assert_non_null(strstr(last_message(), "':'"));
	assert_int_equal(qp_revid_check("a,b"), QUIPU_EUSAGE);
	assert_non_null(strstr(last_message(), "','"));
	assert_int_equal(qp_revid_check("a b"), QUIPU_EUSAGE);
	assert_non_null(strstr(last_message(), "blank"));
	assert_int_equal(qp_revid_check("a\tb"), QUIPU_EUSAGE);
	assert_int_equal(qp_revid_check(NULL), QUIPU_EUSAGE);
}

static void test_render_exact(void **state)
{
	qp_buf b = QP_BUF_INIT;
	qp_strlist down = QP_STRLIST_INIT;
	qp_script_new n;

	assert_int_equal(qp_strlist_add(&down, "e8a14672d2af"), 0);
	memset(&n, 0, sizeof(n));
	n.id = "3f2a9c1b7d4e";
	n.message = "Add phone_number to users";
	n.create_date = "2026-11-25 22:01:00.123456";
	n.down = &down;
	n.upgrade_sql = "ALTER TABLE users ADD COLUMN phone_number VARCHAR(20);";
	n.downgrade_sql = "ALTER TABLE users DROP COLUMN phone_number;\n";
	assert_int_equal(qp_script_render(&b, &n), 0);
	assert_string_equal(qp_buf_cstr(&b), SEED);
	qp_buf_release(&b);

	/* no SQL: the placeholders; empty lists; no message */
	n.message = "";
	n.down = NULL;
	n.upgrade_sql = NULL;
	n.downgrade_sql = NULL;
	assert_int_equal(qp_script_render(&b, &n), 0);
	assert_string_equal(qp_buf_cstr(&b),
		"--\n"
		"--\n"
		"-- Revision ID: 3f2a9c1b7d4e\n"
		"-- Revises:\n"
		"-- Create Date: 2026-11-25 22:01:00.123456\n"
		"-- Branch Labels:\n"
		"-- Depends On:\n"
		"\n"
		"-- migrate:upgrade\n"
		"-- write the upgrade SQL here\n"
		"\n"
		"-- migrate:downgrade\n"
		"-- write the SQL that undoes the upgrade here\n");
	qp_buf_release(&b);

	n.id = "bad-id";
	assert_int_equal(qp_script_render(&b, &n), QUIPU_EUSAGE);
	qp_buf_release(&b);
	qp_strlist_release(&down);
}

static void test_round_trip(void **state)
{
	qp_buf b = QP_BUF_INIT;
	qp_strlist down = QP_STRLIST_INIT, labels = QP_STRLIST_INIT, deps = QP_STRLIST_INIT;
	qp_script_new n;
	qp_script s;
	char *up, *dn, *text;
	size_t len;

	qp_strlist_add(&down, "a1");
	qp_strlist_add(&down, "b2");
	qp_strlist_add(&labels, "l1");
	qp_strlist_add(&labels, "l2");
	qp_strlist_add(&deps, "d1");
	memset(&n, 0, sizeof(n));
	n.id = "m3";
	n.message = "Merge a1 and b2";
	n.create_date = "2026-11-25 22:01:00.123456";
	n.down = &down;
	n.labels = &labels;
	n.depends = &deps;
	n.upgrade_sql = "CREATE TABLE t (a int);\nCREATE TABLE u (b int);\n";
	n.downgrade_sql = "DROP TABLE u;\nDROP TABLE t;\n";
	assert_int_equal(qp_script_render(&b, &n), 0);
	len = b.len;
	text = qp_buf_detach(&b);
	assert_int_equal(qp_script_parse(&s, "r.sql", text, len), 0);
	assert_string_equal(s.id, n.id);
	assert_string_equal(s.message, n.message);
	assert_string_equal(s.create_date, n.create_date);
	assert_int_equal(s.down.count, 2);
	assert_string_equal(s.down.items[0], "a1");
	assert_string_equal(s.down.items[1], "b2");
	assert_int_equal(s.labels.count, 2);
	assert_string_equal(s.labels.items[0], "l1");
	assert_string_equal(s.labels.items[1], "l2");
	assert_int_equal(s.depends.count, 1);
	assert_string_equal(s.depends.items[0], "d1");
	up = section_text(&s, &s.up);
	dn = section_text(&s, &s.downgrade);
	/* the upgrade section keeps the blank line before the next marker */
	assert_string_equal(up, "CREATE TABLE t (a int);\nCREATE TABLE u (b int);\n\n");
	assert_string_equal(dn, "DROP TABLE u;\nDROP TABLE t;\n");
	assert_int_equal(s.up.line, 10);
	assert_int_equal(s.downgrade.line, 14);
	free(up);
	free(dn);
	qp_script_release(&s);

	/* a message with a line break is kept on one line */
	n.message = "two\nlines";
	assert_int_equal(qp_script_render(&b, &n), 0);
	len = b.len;
	text = qp_buf_detach(&b);
	assert_int_equal(qp_script_parse(&s, "r.sql", text, len), 0);
	assert_string_equal(s.message, "two lines");
	qp_script_release(&s);

	qp_strlist_release(&down);
	qp_strlist_release(&labels);
	qp_strlist_release(&deps);
}

static void test_load_file(void **state)
{
	char dir[] = "/tmp/qp_script_XXXXXX", *path;
	qp_script s;

	assert_non_null(mkdtemp(dir));
	path = qp_path_join(dir, "3f2a9c1b7d4e_add_phone.sql");
	assert_int_equal(qp_write_file(path, SEED, strlen(SEED), 0), 0);
	assert_int_equal(qp_script_load(&s, path), 0);
	assert_string_equal(s.path, path);
	assert_string_equal(s.id, "3f2a9c1b7d4e");
	assert_int_equal(s.text_len, strlen(SEED));
	qp_script_release(&s);
	unlink(path);
	assert_int_equal(qp_script_load(&s, path), QUIPU_ENOTFOUND);
	free(path);
	rmdir(dir);
}

static void expect_slug(const char *message, int max, const char *want)
{
	char *slug = qp_slugify(message, max);
	assert_non_null(slug);
	assert_string_equal(slug, want);
	free(slug);
}

static void test_slugify_like_alembic(void **state)
{
	expect_slug("Add phone_number to users", 40, "add_phone_number_to_users");
	expect_slug("Add phone_number to users", 10, "add_phone_");
	expect_slug("  Add a column!! to  'users' -- (v2) ", 40, "add_a_column_to_users_v2");
	expect_slug("Add phone_number to users and also an index on the email column of accounts", 40,
	            "add_phone_number_to_users_and_also_an_");
	expect_slug("Supercalifragilisticexpialidociousnesswordthatislong and more", 40,
	            "supercalifragilisticexpialidociousnesswo_");
	expect_slug("Supercalifragilisticexpialidociousnesswordthatislong and more", 10, "supercalif_");
	expect_slug("foo - _bar__", 40, "foo__bar__");
	expect_slug("!!!", 40, "");
	expect_slug(NULL, 40, "");
	expect_slug("Create table café_menu", 40, "create_table_café_menu");
	expect_slug("Create table café_menu", 10, "create_");
	expect_slug("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 40, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	expect_slug("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 40, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa_");
	expect_slug("abc def ghi", 10, "abc_def_");
	expect_slug("abc def ghi", 0, "abc_def_ghi");   /* 0: Alembic's default 40 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_design_example),
		cmocka_unit_test(test_parse_base_merge_labels),
		cmocka_unit_test(test_transaction_option),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_revid_check),
		cmocka_unit_test(test_render_exact),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_slugify_like_alembic),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	quipu_error_clear();
	return rc;
}
