/*
 * test_lint.c: the lint rules (src/lint): every rule firing on a case and
 * staying quiet on its safe twin, what the applied history teaches (column
 * types, validated checks), lint-ignore comments, line numbers, statements
 * that do not parse, and quipu_lint over a project on disk (offline).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lint/lint.h"
#include "util/buf.h"

/*
 * Lints `pending` (one section from line 1, `transaction` as given, `down`
 * its downgrade or NULL) after learning the applied `history` (NULL: none).
 * Returns "rule:line rule:line" of the findings, in order (caller frees).
 */
static char *lint_ex(const char *history, const char *pending, int transaction, const char *down, int pg)
{
	quipu_lint_report *r = calloc(1, sizeof(*r));
	qp_lint_state *st = NULL;
	qp_lint_src src;
	qp_buf out = QP_BUF_INIT;
	size_t i;

	assert_non_null(r);
	assert_int_equal(qp_lint_state_new(&st, pg), 0);
	memset(&src, 0, sizeof(src));
	src.first_line = 1;
	src.transaction = 1;
	if (history) {
		src.sql = history;
		src.len = strlen(history);
		assert_int_equal(qp_lint_section(r, st, &src, 0), 0);
		assert_int_equal(quipu_lint_count(r), 0); /* history is never checked */
	}
	src.sql = pending;
	src.len = strlen(pending);
	src.transaction = transaction;
	src.down_sql = down;
	src.down_len = down ? strlen(down) : 0;
	assert_int_equal(qp_lint_section(r, st, &src, 1), 0);
	for (i = 0; i < quipu_lint_count(r); i++) {
		const quipu_lint_finding *f = quipu_lint_get(r, i);
		assert_non_null(f->message);
		assert_non_null(f->fix);
		assert_non_null(qp_lint_rule_find(f->rule));
		qp_buf_printf(&out, "%s%s:%d", i ? " " : "", f->rule, f->line);
	}
	qp_buf_puts(&out, "");
	qp_lint_state_free(st);
	quipu_lint_report_free(r);
	return qp_buf_detach(&out);
}

/* Asserts the findings of one case. */
#define EXPECT(want, history, pending, transaction, down, pg)                      \
	do {                                                                           \
		char *got_ = lint_ex(history, pending, transaction, down, pg);             \
		if (strcmp(got_, want))                                                    \
			print_error("case: %s\n  want: '%s'\n  got:  '%s'\n", pending, want, got_); \
		assert_string_equal(got_, want);                                           \
		free(got_);                                                                \
	} while (0)

/* Applied history most cases start from. */
static const char HISTORY[] =
	"CREATE TABLE a (id int8 PRIMARY KEY, c int, n varchar(50), t text, m numeric(10,2),"
	" v varchar(20), ts timestamptz, f float8);\n"
	"CREATE TABLE b (id int PRIMARY KEY);\n";

#define FIRES(want, sql) EXPECT(want, HISTORY, sql, 1, NULL, 1)
#define QUIET(sql) EXPECT("", HISTORY, sql, 1, NULL, 1)

/* ---- data loss ---- */

static void test_drop_table(void **state)
{
	FIRES("drop-table:1", "DROP TABLE a;");
	FIRES("drop-table:1 drop-table:1", "DROP TABLE a, public.b CASCADE;");
	/* twins: a table created in the same pending set, a view */
	QUIET("CREATE TABLE tmp (id int);\nDROP TABLE tmp;");
	QUIET("DROP VIEW a_view;");
}

static void test_drop_column(void **state)
{
	FIRES("drop-column:1", "ALTER TABLE a DROP COLUMN c;");
	FIRES("drop-column:1", "ALTER TABLE IF EXISTS public.a DROP COLUMN IF EXISTS c;");
	QUIET("CREATE TABLE tmp (id int, c int);\nALTER TABLE tmp DROP COLUMN c;");
	QUIET("ALTER TABLE a ADD COLUMN z int;");
}

static void test_drop_schema(void **state)
{
	FIRES("drop-schema:1", "DROP SCHEMA archive CASCADE;");
	QUIET("CREATE SCHEMA scratch;\nCREATE TABLE scratch.x (id int);\nDROP SCHEMA scratch CASCADE;");
}

static void test_truncate(void **state)
{
	FIRES("truncate:1", "TRUNCATE a;");
	FIRES("truncate:1 truncate:1", "TRUNCATE TABLE a, b;");
	QUIET("DELETE FROM a WHERE id < 100;");
	QUIET("CREATE TABLE staging (id int);\nTRUNCATE staging;");
}

static void test_delete_without_where(void **state)
{
	FIRES("delete-without-where:1", "DELETE FROM a;");
	QUIET("DELETE FROM a WHERE ts < now() - interval '1 year';");
}

static void test_narrow_type(void **state)
{
	/* narrowing also rewrites the table */
	FIRES("narrow-type:1 alter-column-type:1", "ALTER TABLE a ALTER COLUMN n TYPE varchar(20);");
	FIRES("narrow-type:1 alter-column-type:1", "ALTER TABLE a ALTER COLUMN id TYPE int4;");
	FIRES("narrow-type:1 alter-column-type:1", "ALTER TABLE a ALTER COLUMN c TYPE smallint;");
	FIRES("narrow-type:1 alter-column-type:1", "ALTER TABLE a ALTER COLUMN t TYPE varchar(10);");
	FIRES("narrow-type:1 alter-column-type:1", "ALTER TABLE a ALTER COLUMN m TYPE numeric(10,1);");
	FIRES("narrow-type:1 alter-column-type:1", "ALTER TABLE a ALTER COLUMN m TYPE integer;");
	FIRES("narrow-type:1 alter-column-type:1", "ALTER TABLE a ALTER COLUMN ts TYPE date;");
	FIRES("narrow-type:1 alter-column-type:1", "ALTER TABLE a ALTER COLUMN f TYPE real;");
	/* twins: widening (no rewrite either) */
	QUIET("ALTER TABLE a ALTER COLUMN n TYPE varchar(100);");
	QUIET("ALTER TABLE a ALTER COLUMN n TYPE text;");
	QUIET("ALTER TABLE a ALTER COLUMN m TYPE numeric(12,2);");
	QUIET("ALTER TABLE a ALTER COLUMN m TYPE numeric;");
	/* the type a pending revision gave the column counts */
	FIRES("narrow-type:2 alter-column-type:2",
	      "ALTER TABLE a ALTER COLUMN n TYPE varchar(200);\nALTER TABLE a ALTER COLUMN n TYPE varchar(100);");
}

static void test_drop_not_null(void **state)
{
	const char *up = "ALTER TABLE a ALTER COLUMN c DROP NOT NULL;";
	EXPECT("drop-not-null:1", HISTORY, up, 1, "ALTER TABLE a ALTER COLUMN c SET NOT NULL;", 1);
	EXPECT("drop-not-null:1", HISTORY, up, 1, NULL, 1);
	/* twin: the downgrade fills the NULLs before restoring NOT NULL */
	EXPECT("", HISTORY, up, 1,
	       "UPDATE a SET c = 0 WHERE c IS NULL;\nALTER TABLE a ALTER COLUMN c SET NOT NULL;", 1);
	/* an UPDATE of another column is not enough */
	EXPECT("drop-not-null:1", HISTORY, up, 1, "UPDATE a SET n = 'x' WHERE c IS NULL;", 1);
}

/* ---- locking ---- */

static void test_create_index(void **state)
{
	FIRES("create-index-without-concurrently:1", "CREATE INDEX ix_a_c ON a (c);");
	FIRES("create-index-without-concurrently:1", "CREATE UNIQUE INDEX ON public.a (n);");
	/* twin: CONCURRENTLY outside a transaction */
	EXPECT("", HISTORY, "CREATE INDEX CONCURRENTLY ix_a_c ON a (c);", 0, NULL, 1);
	/* twin: a table created in the same pending set */
	QUIET("CREATE TABLE fresh (id int, c int);\nCREATE INDEX ix_fresh_c ON fresh (c);");
}

static void test_concurrently_in_transaction(void **state)
{
	FIRES("concurrently-in-transaction:1", "CREATE INDEX CONCURRENTLY ix_a_c ON a (c);");
	FIRES("concurrently-in-transaction:1", "DROP INDEX CONCURRENTLY ix_a_c;");
	EXPECT("", HISTORY, "DROP INDEX CONCURRENTLY ix_a_c;", 0, NULL, 1);
}

static void test_alter_column_type(void **state)
{
	FIRES("alter-column-type:1", "ALTER TABLE a ALTER COLUMN c TYPE bigint;");
	FIRES("alter-column-type:1", "ALTER TABLE a ALTER COLUMN t TYPE jsonb USING t::jsonb;");
	/* an unknown current type cannot be proven a widening */
	FIRES("alter-column-type:1", "ALTER TABLE unknown_table ALTER COLUMN x TYPE text;");
	/* USING forces a rewrite even when widening */
	FIRES("alter-column-type:1", "ALTER TABLE a ALTER COLUMN v TYPE varchar(30) USING v;");
	QUIET("ALTER TABLE a ALTER COLUMN v TYPE varchar(30);");
	QUIET("CREATE TABLE fresh (c int);\nALTER TABLE fresh ALTER COLUMN c TYPE bigint;");
}

static void test_add_foreign_key(void **state)
{
	FIRES("add-foreign-key:1", "ALTER TABLE a ADD CONSTRAINT a_b_fk FOREIGN KEY (c) REFERENCES b (id);");
	QUIET("ALTER TABLE a ADD CONSTRAINT a_b_fk FOREIGN KEY (c) REFERENCES b (id) NOT VALID;\n"
	      "ALTER TABLE a VALIDATE CONSTRAINT a_b_fk;");
	QUIET("CREATE TABLE fresh (b_id int);\n"
	      "ALTER TABLE fresh ADD CONSTRAINT fresh_fk FOREIGN KEY (b_id) REFERENCES b (id);");
}

static void test_add_check(void **state)
{
	FIRES("add-check:1", "ALTER TABLE a ADD CONSTRAINT a_c_pos CHECK (c > 0);");
	QUIET("ALTER TABLE a ADD CONSTRAINT a_c_pos CHECK (c > 0) NOT VALID;");
}

static void test_set_not_null(void **state)
{
	FIRES("set-not-null:1", "ALTER TABLE a ALTER COLUMN c SET NOT NULL;");
	/* a NOT VALID check that is never validated does not help */
	FIRES("set-not-null:2", "ALTER TABLE a ADD CONSTRAINT a_c_nn CHECK (c IS NOT NULL) NOT VALID;\n"
	                        "ALTER TABLE a ALTER COLUMN c SET NOT NULL;");
	/* a check on another column does not help */
	FIRES("set-not-null:3", "ALTER TABLE a ADD CONSTRAINT a_n_nn CHECK (n IS NOT NULL) NOT VALID;\n"
	                        "ALTER TABLE a VALIDATE CONSTRAINT a_n_nn;\n"
	                        "ALTER TABLE a ALTER COLUMN c SET NOT NULL;");
	/* twin: the three-step pattern */
	QUIET("ALTER TABLE a ADD CONSTRAINT a_c_nn CHECK (c IS NOT NULL) NOT VALID;\n"
	      "ALTER TABLE a VALIDATE CONSTRAINT a_c_nn;\n"
	      "ALTER TABLE a ALTER COLUMN c SET NOT NULL;");
	/* twin: the check was validated by an applied revision */
	EXPECT("", "CREATE TABLE a (c int);\n"
	           "ALTER TABLE a ADD CONSTRAINT a_c_nn CHECK (c IS NOT NULL) NOT VALID;\n"
	           "ALTER TABLE a VALIDATE CONSTRAINT a_c_nn;\n",
	       "ALTER TABLE a ALTER COLUMN c SET NOT NULL;", 1, NULL, 1);
	/* a dropped check no longer helps */
	EXPECT("set-not-null:2", "CREATE TABLE a (c int, CONSTRAINT a_c_nn CHECK (c IS NOT NULL));\n",
	       "ALTER TABLE a DROP CONSTRAINT a_c_nn;\nALTER TABLE a ALTER COLUMN c SET NOT NULL;", 1, NULL, 1);
}

static void test_add_column_volatile_default(void **state)
{
	FIRES("add-column-volatile-default:1", "ALTER TABLE a ADD COLUMN u uuid DEFAULT gen_random_uuid();");
	FIRES("add-column-volatile-default:1", "ALTER TABLE a ADD COLUMN seq bigserial;");
	FIRES("add-column-volatile-default:1", "ALTER TABLE a ADD COLUMN r float8 DEFAULT random();");
	FIRES("add-column-volatile-default:1", "ALTER TABLE a ADD COLUMN k int GENERATED ALWAYS AS IDENTITY;");
	/* twins: constant and stable defaults are stored in the catalog, no rewrite */
	QUIET("ALTER TABLE a ADD COLUMN created timestamptz NOT NULL DEFAULT now();");
	QUIET("ALTER TABLE a ADD COLUMN flag boolean DEFAULT false;");
}

static void test_rename(void **state)
{
	FIRES("rename-table:1", "ALTER TABLE a RENAME TO a_old;");
	FIRES("rename-column:1", "ALTER TABLE a RENAME COLUMN c TO c2;");
	QUIET("ALTER INDEX ix_a RENAME TO ix_a2;");
	QUIET("CREATE TABLE fresh (c int);\nALTER TABLE fresh RENAME COLUMN c TO d;\nALTER TABLE fresh RENAME TO fresh2;\n"
	      "CREATE INDEX ix_fresh2 ON fresh2 (d);");
	/* the renamed column keeps its known type */
	FIRES("rename-column:1 narrow-type:2 alter-column-type:2",
	      "ALTER TABLE a RENAME COLUMN n TO name;\nALTER TABLE a ALTER COLUMN name TYPE varchar(10);");
}

/* ---- dialect, suppression, lines, notes ---- */

static void test_sqlite_turns_pg_rules_off(void **state)
{
	EXPECT("", HISTORY, "CREATE INDEX ix ON a (c);", 1, NULL, 0);
	EXPECT("", HISTORY, "ALTER TABLE a ADD CONSTRAINT ck CHECK (c > 0);", 1, NULL, 0);
	EXPECT("drop-table:1", HISTORY, "DROP TABLE a;", 1, NULL, 0);
	EXPECT("rename-column:1", HISTORY, "ALTER TABLE a RENAME COLUMN c TO d;", 1, NULL, 0);
}

static void test_suppression(void **state)
{
	QUIET("-- quipu:lint-ignore drop-table\nDROP TABLE a;");
	QUIET("-- quipu:lint-ignore drop-table\n-- reason: nobody has read it since 2019\nDROP TABLE a;");
	QUIET("DROP TABLE a; -- quipu:lint-ignore drop-table");
	QUIET("ALTER TABLE a\n  DROP COLUMN c; -- quipu:lint-ignore drop-column (moved to b)");
	QUIET("-- quipu:lint-ignore narrow-type, alter-column-type\nALTER TABLE a ALTER COLUMN n TYPE varchar(5);");
	QUIET("-- quipu:lint-ignore all\nALTER TABLE a ALTER COLUMN n TYPE varchar(5);");
	/* only the rules named */
	FIRES("alter-column-type:2", "-- quipu:lint-ignore narrow-type\nALTER TABLE a ALTER COLUMN n TYPE varchar(5);");
	FIRES("drop-table:2", "-- quipu:lint-ignore drop-column\nDROP TABLE a;");
	/* a blank line ends "directly above" */
	FIRES("drop-table:3", "-- quipu:lint-ignore drop-table\n\nDROP TABLE a;");
	/* it does not leak to the next statement */
	FIRES("drop-table:2", "DROP TABLE a; -- quipu:lint-ignore drop-table\nDROP TABLE b;");
	FIRES("drop-table:3", "-- quipu:lint-ignore drop-table\nDROP TABLE a;\nDROP TABLE b;");
	/* the marker must be in a comment, not in a string */
	FIRES("drop-table:1", "DROP TABLE a; SELECT 'quipu:lint-ignore drop-table';");
}

static void test_lines(void **state)
{
	quipu_lint_report *r = calloc(1, sizeof(*r));
	qp_lint_state *st = NULL;
	qp_lint_src src;
	const char *sql =
		"\n"                                   /* 40 */
		"-- a comment\n"                       /* 41 */
		"CREATE TABLE x (id int);\n"           /* 42 */
		"/* block\n   comment */\n"            /* 43, 44 */
		"ALTER TABLE a\n"                      /* 45 */
		"  DROP COLUMN c;  ALTER TABLE a DROP COLUMN n;\n" /* 46 */
		"\n"                                   /* 47 */
		"TRUNCATE\n  b;\n";                    /* 48 */
	const quipu_lint_finding *f;

	assert_int_equal(qp_lint_state_new(&st, 1), 0);
	memset(&src, 0, sizeof(src));
	src.sql = sql;
	src.len = strlen(sql);
	src.first_line = 40;
	src.transaction = 1;
	src.path = "v/r1.sql";
	src.revision = "r1";
	assert_int_equal(qp_lint_section(r, st, &src, 1), 0);
	assert_int_equal(quipu_lint_count(r), 3);
	f = quipu_lint_get(r, 0);
	assert_int_equal(f->line, 45);
	assert_string_equal(f->rule, "drop-column");
	assert_string_equal(f->category, "data-loss");
	assert_string_equal(f->statement, "ALTER TABLE a\n  DROP COLUMN c");
	assert_string_equal(f->path, "v/r1.sql");
	assert_string_equal(f->revision, "r1");
	assert_string_equal(f->table, "a");
	assert_true(f->rows < 0 && f->bytes < 0);
	assert_int_equal(quipu_lint_get(r, 1)->line, 46);
	assert_int_equal(quipu_lint_get(r, 2)->line, 48);
	assert_string_equal(quipu_lint_get(r, 2)->rule, "truncate");
	qp_lint_state_free(st);
	quipu_lint_report_free(r);
}

static void test_unparsed_is_a_note(void **state)
{
	quipu_lint_report *r = NULL;

	assert_int_equal(qp_lint_sql(&r, "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT);\n\nDROP TABLE a;\n", 1, 1), 0);
	assert_int_equal(quipu_lint_count(r), 1);
	assert_int_equal(quipu_lint_get(r, 0)->line, 3);
	assert_int_equal(quipu_lint_note_count(r), 1);
	assert_string_equal(quipu_lint_note(r, 0)->rule, "unparsed");
	assert_int_equal(quipu_lint_note(r, 0)->line, 1);
	assert_non_null(strstr(quipu_lint_note(r, 0)->message, "AUTOINCREMENT") ? "" : strstr(quipu_lint_note(r, 0)->message, "autoincrement"));
	quipu_lint_report_free(r);
	/* a section the scanner cannot split: one note */
	assert_int_equal(qp_lint_sql(&r, "DROP TABLE a; SELECT 'unterminated;\n", 1, 1), 0);
	assert_int_equal(quipu_lint_note_count(r) + quipu_lint_count(r) >= 1, 1);
	quipu_lint_report_free(r);
}

static void test_rule_table(void **state)
{
	size_t i, n = quipu_lint_rule_count();
	assert_true(n >= 15);
	for (i = 0; i < n; i++) {
		const char *id, *category, *summary, *fix;
		quipu_lint_rule_get(i, &id, &category, &summary, &fix);
		assert_non_null(id);
		assert_true(!strcmp(category, "data-loss") || !strcmp(category, "locking") || !strcmp(category, "failure"));
		assert_non_null(strchr(summary, '.'));
		assert_null(strchr(fix, '\n'));
		assert_ptr_equal(qp_lint_rule_find(id), &qp_lint_rules[i]);
	}
}

/* ---- quipu_lint over a project (offline) ---- */

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_project_offline(void **state)
{
	char dir[] = "/tmp/quipu-test-lint-XXXXXX", path[512];
	quipu_project *p = NULL;
	quipu_lint_report *r = NULL;
	quipu_open_opts o = QUIPU_OPEN_OPTS_INIT;
	const char *named[] = {"r2"};
	const quipu_lint_finding *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/migrations", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/migrations/versions", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/quipu.ini", dir);
	write_file(path, "[quipu]\nscript_location = %(here)s/migrations\n"
	                 "sqlalchemy.url = postgresql://nobody@/nowhere\n");
	snprintf(path, sizeof(path), "%s/migrations/versions/r1_init.sql", dir);
	write_file(path, "-- init\n--\n-- Revision ID: r1\n-- Revises:\n-- Create Date: 2026-11-25 12:00:00\n\n"
	                 "-- migrate:upgrade\n"                                /* 7 */
	                 "CREATE TABLE users (id int, name varchar(50));\n"   /* 8 */
	                 "CREATE INDEX ix_users_name ON users (name);\n"      /* 9: new table, quiet */
	                 "\n-- migrate:downgrade\nDROP TABLE users;\n");
	snprintf(path, sizeof(path), "%s/migrations/versions/r2_more.sql", dir);
	write_file(path, "-- more\n--\n-- Revision ID: r2\n-- Revises: r1\n-- Create Date: 2026-11-25 12:00:00\n\n"
	                 "-- migrate:upgrade\n"                                           /* 7 */
	                 "\n"                                                             /* 8 */
	                 "ALTER TABLE users ALTER COLUMN name TYPE varchar(10);\n"        /* 9 */
	                 "-- quipu:lint-ignore create-index-without-concurrently\n"      /* 10 */
	                 "CREATE INDEX ix2 ON users (id);\n"                              /* 11 */
	                 "\n-- migrate:downgrade\n"
	                 "ALTER TABLE users ALTER COLUMN name TYPE varchar(50);\n");
	snprintf(path, sizeof(path), "%s/quipu.ini", dir);
	o.config_path = path;
	assert_int_equal(quipu_project_open(&p, &o), 0);

	/* offline, no names: every revision, each judged on its own */
	assert_int_equal(quipu_lint(&r, p, NULL, NULL, 0), 0);
	assert_int_equal(quipu_lint_revision_count(r), 2);
	assert_int_equal(quipu_lint_count(r), 2);
	f = quipu_lint_get(r, 0);
	assert_string_equal(f->rule, "narrow-type");
	assert_string_equal(f->revision, "r2");
	assert_int_equal(f->line, 9);
	assert_non_null(strstr(f->path, "r2_more.sql"));
	assert_non_null(strstr(f->message, "varchar(50) to varchar(10)"));
	assert_string_equal(quipu_lint_get(r, 1)->rule, "alter-column-type");
	quipu_lint_report_free(r);

	/* named: only r2, its ancestors teach the types */
	assert_int_equal(quipu_lint(&r, p, NULL, named, 1), 0);
	assert_int_equal(quipu_lint_revision_count(r), 1);
	assert_int_equal(quipu_lint_count(r), 2);
	quipu_lint_report_free(r);

	/* named as a range: r1 and r2 run together, so users is new in r2 */
	named[0] = "r1:r2";
	assert_int_equal(quipu_lint(&r, p, NULL, named, 1), 0);
	assert_int_equal(quipu_lint_revision_count(r), 2);
	assert_int_equal(quipu_lint_count(r), 0);
	quipu_lint_report_free(r);

	named[0] = "nosuch";
	assert_true(quipu_lint(&r, p, NULL, named, 1) < 0);
	assert_null(r);

	quipu_project_free(p);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_drop_table),
		cmocka_unit_test(test_drop_column),
		cmocka_unit_test(test_drop_schema),
		cmocka_unit_test(test_truncate),
		cmocka_unit_test(test_delete_without_where),
		cmocka_unit_test(test_narrow_type),
		cmocka_unit_test(test_drop_not_null),
		cmocka_unit_test(test_create_index),
		cmocka_unit_test(test_concurrently_in_transaction),
		cmocka_unit_test(test_alter_column_type),
		cmocka_unit_test(test_add_foreign_key),
		cmocka_unit_test(test_add_check),
		cmocka_unit_test(test_set_not_null),
		cmocka_unit_test(test_add_column_volatile_default),
		cmocka_unit_test(test_rename),
		cmocka_unit_test(test_sqlite_turns_pg_rules_off),
		cmocka_unit_test(test_suppression),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_unparsed_is_a_note),
		cmocka_unit_test(test_rule_table),
		cmocka_unit_test(test_project_offline),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
