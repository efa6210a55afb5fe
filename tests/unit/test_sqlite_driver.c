/*
 * test_sqlite_driver.c: the SQLite driver on real files in a temporary folder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "drivers/driver.h"
#include "quipu.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmpdir[256];

static void url_file(qp_url *u, char *path)
{
	memset(u, 0, sizeof(*u));
	u->kind = QP_DB_SQLITE;
	u->database = path;
}

static qp_conn *open_file(const char *name)
{
	char path[PATH_MAX];
	qp_url u;
	qp_conn *c = NULL;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	url_file(&u, path);
	assert_int_equal(qp_driver_sqlite.connect(&c, &u), 0);
	return c;
}

static int setup(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/quipu_sqlite_test_XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	return 0;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_connect_describe(void **state)
{
	qp_conn *c = open_file("a.db");
	char want[PATH_MAX + 32];
	qp_url u;

	snprintf(want, sizeof(want), "SQLite database %s/a.db", tmpdir);
	assert_string_equal(qp_driver_sqlite.describe(c), want);
	assert_non_null(qp_driver_sqlite.user(c));
	qp_driver_sqlite.close(c);

	memset(&u, 0, sizeof(u));
	u.kind = QP_DB_SQLITE;
	u.memory = 1;
	assert_int_equal(qp_driver_sqlite.connect(&c, &u), 0);
	assert_string_equal(qp_driver_sqlite.describe(c), "SQLite in-memory database");
	qp_driver_sqlite.close(c);
}

static void test_connect_relative(void **state)
{
	char cwd[PATH_MAX], want[PATH_MAX + 32], rel[] = "rel.db";
	qp_url u;
	qp_conn *c = NULL;

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(tmpdir), 0);
	url_file(&u, rel);
	assert_int_equal(qp_driver_sqlite.connect(&c, &u), 0);
	assert_int_equal(chdir(cwd), 0);
	snprintf(want, sizeof(want), "SQLite database %s/rel.db", tmpdir);
	assert_string_equal(qp_driver_sqlite.describe(c), want);
	qp_driver_sqlite.close(c);
	snprintf(want, sizeof(want), "%s/rel.db", tmpdir);
	assert_int_equal(access(want, F_OK), 0);
}

static void test_connect_missing_folder(void **state)
{
	char path[PATH_MAX];
	qp_url u;
	qp_conn *c = NULL;

	snprintf(path, sizeof(path), "%s/no/such/dir/x.db", tmpdir);
	url_file(&u, path);
	assert_int_equal(qp_driver_sqlite.connect(&c, &u), QUIPU_ECONNECT);
	assert_null(c);
	assert_non_null(strstr(quipu_error_last()->message, path));
	assert_non_null(strstr(quipu_error_last()->message, "mkdir -p"));
}

static void test_connect_not_a_database(void **state)
{
	char path[PATH_MAX];
	FILE *f;
	qp_url u;
	qp_conn *c = NULL;

	snprintf(path, sizeof(path), "%s/junk.db", tmpdir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("this is not a database, just some text that is long enough to have a header.....\n", f);
	fclose(f);
	url_file(&u, path);
	assert_int_equal(qp_driver_sqlite.connect(&c, &u), QUIPU_ECONNECT);
	assert_non_null(strstr(quipu_error_last()->message, "not a database"));
}

typedef struct seen {
	size_t index[16];
	int line[16];
	size_t n;
	size_t stop_at;   /* SIZE_MAX: never */
} seen;

static int record(size_t index, int line, void *payload)
{
	seen *s = payload;
	if (s->n < 16) {
		s->index[s->n] = index;
		s->line[s->n] = line;
		s->n++;
	}
	return index == s->stop_at ? -42 : 0;
}

static const char *script =
	"-- header comment; with a semicolon\n"      /* 1 */
	"CREATE TABLE t (id INTEGER PRIMARY KEY, s TEXT);\n" /* 2: stmt 0 */
	"\n"                                          /* 3 */
	"/* block; comment */ INSERT INTO t (s) VALUES ('a;b');\n" /* 4: stmt 1 */
	"CREATE TRIGGER trg AFTER INSERT ON t BEGIN\n" /* 5: stmt 2 */
	"  UPDATE t SET s = s || ';' WHERE id = new.id;\n"
	"END;\n"
	";\n"
	"INSERT INTO t (s) VALUES ('c');\n"           /* 9: stmt 3 */
	"-- trailing comment only\n";

static void test_exec_script_split(void **state)
{
	qp_conn *c = open_file("split.db");
	qp_exec_error err = {0};
	qp_strlist rows = QP_STRLIST_INIT;
	seen s = {{0}, {0}, 0, SIZE_MAX};

	assert_int_equal(qp_driver_sqlite.exec_script(c, script, 0, record, &s, NULL, &err), 0);
	assert_int_equal(s.n, 4);
	assert_int_equal(s.index[0], 0);
	assert_int_equal(s.line[0], 2);
	assert_int_equal(s.index[1], 1);
	assert_int_equal(s.line[1], 4);
	assert_int_equal(s.index[2], 2);
	assert_int_equal(s.line[2], 5);
	assert_int_equal(s.index[3], 3);
	assert_int_equal(s.line[3], 9);
	assert_int_equal(qp_driver_sqlite.query_strings(&rows, c, "SELECT s FROM t ORDER BY id", &err), 0);
	assert_int_equal(rows.count, 2);
	assert_string_equal(rows.items[0], "a;b");
	assert_string_equal(rows.items[1], "c;");
	qp_strlist_release(&rows);
	qp_driver_sqlite.close(c);
}

/* The tail: asked for after the last statement ran (in process there is no
 * round trip to save), run, and a failure in it told apart. */
typedef struct tail_probe {
	qp_conn *c;
	const char *sql;
	char seen[32];  /* what the tail callback saw in table a */
} tail_probe;

static int tail_sql(qp_buf *out, void *payload)
{
	tail_probe *p = payload;
	qp_strlist rows = QP_STRLIST_INIT;

	if (qp_driver_sqlite.query_strings(&rows, p->c, "SELECT count(*) FROM a", NULL) == 0 && rows.count)
		snprintf(p->seen, sizeof(p->seen), "%s", rows.items[0]);
	qp_strlist_release(&rows);
	qp_buf_puts(out, p->sql);
	return 0;
}

static void test_exec_script_tail(void **state)
{
	qp_conn *c = open_file("tail.db");
	qp_exec_error err = {0};
	qp_strlist rows = QP_STRLIST_INIT;
	tail_probe p = {c, "INSERT INTO a VALUES (99)", ""};

	(void)state;
	assert_int_equal(qp_driver_sqlite.begin(c, &err), 0);
	assert_int_equal(qp_driver_sqlite.exec_script(c, "CREATE TABLE a (x INT); INSERT INTO a VALUES (1);", 0, NULL,
	                                              &p, tail_sql, &err), 0);
	assert_string_equal(p.seen, "1");
	assert_int_equal(qp_driver_sqlite.commit(c, &err), 0);
	assert_int_equal(qp_driver_sqlite.query_strings(&rows, c, "SELECT group_concat(x) FROM a", &err), 0);
	assert_string_equal(rows.items[0], "1,99");
	qp_strlist_release(&rows);

	p.sql = "INSERT INTO no_log VALUES (1)";
	assert_int_equal(qp_driver_sqlite.begin(c, &err), 0);
	assert_int_equal(qp_driver_sqlite.exec_script(c, "INSERT INTO a VALUES (2);", 0, NULL, &p, tail_sql, &err),
	                 QUIPU_ESQL);
	assert_true(err.in_tail);
	assert_non_null(strstr(err.message, "no_log"));
	qp_driver_sqlite.rollback(c);
	qp_exec_error_release(&err);

	/* a statement fails: the tail is not asked for */
	p.seen[0] = '\0';
	assert_int_equal(qp_driver_sqlite.exec_script(c, "INSERT INTO nope VALUES (2);", 0, NULL, &p, tail_sql, &err),
	                 QUIPU_ESQL);
	assert_false(err.in_tail);
	assert_string_equal(p.seen, "");
	qp_exec_error_release(&err);

	assert_int_equal(qp_driver_sqlite.begin_query(&rows, c, "SELECT count(*) FROM a", &err), 0);
	assert_string_equal(rows.items[0], "2");
	assert_int_equal(qp_driver_sqlite.rollback(c), 0);
	qp_strlist_release(&rows);
	qp_driver_sqlite.close(c);
}

static void test_exec_script_callback_stops(void **state)
{
	qp_conn *c = open_file("stop.db");
	seen s = {{0}, {0}, 0, 1};

	assert_int_equal(qp_driver_sqlite.exec_script(c, script, 0, record, &s, NULL, NULL), -42);
	assert_int_equal(s.n, 2);
	qp_driver_sqlite.close(c);
}

static void test_exec_script_error_and_resume(void **state)
{
	qp_conn *c = open_file("err.db");
	qp_exec_error err = {0};
	qp_strlist rows = QP_STRLIST_INIT;
	seen s = {{0}, {0}, 0, SIZE_MAX};
	const char *bad =
		"CREATE TABLE a (x INT);\n"
		"INSERT INTO a VALUES (1);\n"
		"-- next one fails\n"
		"  INSERT INTO nope\n"
		"    VALUES (2);\n"
		"INSERT INTO a VALUES (3);\n";

	assert_int_equal(qp_driver_sqlite.exec_script(c, bad, 0, NULL, NULL, NULL, &err), QUIPU_ESQL);
	assert_int_equal(err.stmt_index, 2);
	assert_int_equal(err.line, 4);
	assert_string_equal(err.statement, "INSERT INTO nope\n    VALUES (2)");
	assert_non_null(strstr(err.message, "no such table"));
	assert_string_equal(err.sqlstate, "");
	assert_false(err.duplicate_object);
	qp_exec_error_release(&err);

	/* fix the object and resume at the failed statement */
	assert_int_equal(qp_driver_sqlite.exec(c, "CREATE TABLE nope (x INT)", &err), 0);
	assert_int_equal(qp_driver_sqlite.exec_script(c, bad, 2, record, &s, NULL, &err), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.index[0], 2);
	assert_int_equal(s.line[0], 4);
	assert_int_equal(s.index[1], 3);
	assert_int_equal(qp_driver_sqlite.query_strings(&rows, c, "SELECT x FROM a ORDER BY x", &err), 0);
	assert_int_equal(rows.count, 2);
	assert_string_equal(rows.items[1], "3");
	qp_strlist_release(&rows);

	/* start_at skips statements without preparing them (their table is gone) */
	assert_int_equal(qp_driver_sqlite.exec(c, "DROP TABLE a", &err), 0);
	assert_int_equal(qp_driver_sqlite.exec_script(c, "INSERT INTO a VALUES (1); SELECT 1;", 1, NULL, NULL, NULL, &err), 0);
	qp_driver_sqlite.close(c);
}

static void test_syntax_error(void **state)
{
	qp_conn *c = open_file("syntax.db");
	qp_exec_error err = {0};

	assert_int_equal(qp_driver_sqlite.exec_script(c, "SELECT 1;\n\nSELEC 2; SELECT 3;", 0, NULL, NULL, NULL, &err),
	                 QUIPU_ESQL);
	assert_int_equal(err.stmt_index, 1);
	assert_int_equal(err.line, 3);
	assert_string_equal(err.statement, "SELEC 2");
	assert_non_null(strstr(err.message, "syntax error"));
	qp_exec_error_release(&err);
	qp_driver_sqlite.close(c);
}

static void test_duplicate_object(void **state)
{
	qp_conn *c = open_file("dup.db");
	qp_exec_error err = {0};

	assert_int_equal(qp_driver_sqlite.exec(c, "CREATE TABLE d (x INT)", &err), 0);
	assert_int_equal(qp_driver_sqlite.exec(c, "CREATE TABLE d (x INT)", &err), QUIPU_ESQL);
	assert_true(err.duplicate_object);
	qp_exec_error_release(&err);
	assert_int_equal(qp_driver_sqlite.exec(c, "CREATE INDEX i ON d (x); CREATE INDEX i ON d (x)", &err), QUIPU_ESQL);
	assert_true(err.duplicate_object);
	qp_exec_error_release(&err);
	qp_driver_sqlite.close(c);
}

static void test_transactions_and_table_exists(void **state)
{
	qp_conn *c = open_file("tx.db");
	qp_exec_error err = {0};
	int exists = -1;

	assert_int_equal(qp_driver_sqlite.begin(c, &err), 0);
	assert_int_equal(qp_driver_sqlite.exec_script(c, "CREATE TABLE r (x INT); INSERT INTO r VALUES (1);", 0,
	                                              NULL, NULL, NULL, &err), 0);
	assert_int_equal(qp_driver_sqlite.table_exists(&exists, c, NULL, "r"), 0);
	assert_true(exists);
	assert_int_equal(qp_driver_sqlite.rollback(c), 0);
	assert_int_equal(qp_driver_sqlite.table_exists(&exists, c, NULL, "r"), 0);
	assert_false(exists);

	assert_int_equal(qp_driver_sqlite.begin(c, &err), 0);
	assert_int_equal(qp_driver_sqlite.exec(c, "CREATE TABLE \"we'ird\" (x INT)", &err), 0);
	assert_int_equal(qp_driver_sqlite.commit(c, &err), 0);
	assert_int_equal(qp_driver_sqlite.table_exists(&exists, c, "main", "we'ird"), 0);
	assert_true(exists);
	assert_int_equal(qp_driver_sqlite.table_exists(&exists, c, NULL, "We'ird"), 0);
	assert_true(exists);   /* SQLite names are case-insensitive */
	assert_int_equal(qp_driver_sqlite.table_exists(&exists, c, NULL, "other"), 0);
	assert_false(exists);
	/* rollback with nothing open is harmless */
	assert_int_equal(qp_driver_sqlite.rollback(c), 0);
	qp_driver_sqlite.close(c);
}

/* A second writer waits for the busy timeout, then gets QUIPU_ELOCKED; after
 * the first commits it gets in. */
static void test_lock_via_begin_immediate(void **state)
{
	qp_conn *a = open_file("lock.db"), *b = open_file("lock.db");
	qp_exec_error err = {0};

	assert_int_equal(qp_driver_sqlite.lock(a, "alembic_version", 0.2, NULL, NULL), 0);
	assert_int_equal(qp_driver_sqlite.lock(b, "alembic_version", 0.2, NULL, NULL), 0);
	assert_int_equal(qp_driver_sqlite.begin(a, &err), 0);
	assert_int_equal(qp_driver_sqlite.exec(a, "CREATE TABLE l (x INT)", &err), 0);
	assert_int_equal(qp_driver_sqlite.begin(b, &err), QUIPU_ELOCKED);
	assert_non_null(strstr(quipu_error_last()->message, "lock.db"));
	qp_exec_error_release(&err);
	assert_int_equal(qp_driver_sqlite.commit(a, &err), 0);
	assert_int_equal(qp_driver_sqlite.begin(b, &err), 0);
	assert_int_equal(qp_driver_sqlite.exec(b, "INSERT INTO l VALUES (1)", &err), 0);
	assert_int_equal(qp_driver_sqlite.commit(b, &err), 0);
	qp_driver_sqlite.unlock(a, "alembic_version");
	qp_driver_sqlite.close(a);
	qp_driver_sqlite.close(b);
}

static void test_url_options(void **state)
{
	char path[PATH_MAX];
	qp_url u;
	qp_conn *c = NULL;
	qp_strlist rows = QP_STRLIST_INIT;

	snprintf(path, sizeof(path), "%s/opts.db", tmpdir);
	url_file(&u, path);
	assert_int_equal(qp_driver_sqlite.connect(&c, &u), 0);
	assert_int_equal(qp_driver_sqlite.query_strings(&rows, c, "PRAGMA foreign_keys", NULL), 0);
	assert_string_equal(rows.items[0], "0");
	qp_strlist_release(&rows);
	qp_driver_sqlite.close(c);

	assert_int_equal(qp_strlist_add(&u.query_keys, "foreign_keys"), 0);
	assert_int_equal(qp_strlist_add(&u.query_values, "on"), 0);
	assert_int_equal(qp_driver_sqlite.connect(&c, &u), 0);
	assert_int_equal(qp_driver_sqlite.query_strings(&rows, c, "PRAGMA foreign_keys", NULL), 0);
	assert_string_equal(rows.items[0], "1");
	qp_strlist_release(&rows);
	qp_driver_sqlite.close(c);

	assert_int_equal(qp_strlist_add(&u.query_keys, "bogus"), 0);
	assert_int_equal(qp_strlist_add(&u.query_values, "1"), 0);
	assert_int_equal(qp_driver_sqlite.connect(&c, &u), QUIPU_ECONFIG);
	assert_non_null(strstr(quipu_error_last()->message, "bogus"));
	qp_strlist_release(&u.query_keys);
	qp_strlist_release(&u.query_values);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_connect_describe),
		cmocka_unit_test(test_connect_relative),
		cmocka_unit_test(test_connect_missing_folder),
		cmocka_unit_test(test_connect_not_a_database),
		cmocka_unit_test(test_exec_script_split),
		cmocka_unit_test(test_exec_script_tail),
		cmocka_unit_test(test_exec_script_callback_stops),
		cmocka_unit_test(test_exec_script_error_and_resume),
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_duplicate_object),
		cmocka_unit_test(test_transactions_and_table_exists),
		cmocka_unit_test(test_lock_via_begin_immediate),
		cmocka_unit_test(test_url_options),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
