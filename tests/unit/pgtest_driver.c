/*
 * pgtest_driver.c: the PostgreSQL driver against the real server the CTest
 * fixture starts (tests/pg/pgctl.sh). The server is found through the file
 * named by $QUIPU_TEST_PG_ENV, else $PGHOST/$PGPORT; with neither the test
 * FAILS: a missing server is never a skip.
 *
 * Each test runs in its own database, created before and dropped after.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "drivers/driver.h"
#include "quipu.h"
#include "util/buf.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const qp_driver *drv = &qp_driver_pg;
static char pg_host[512], pg_port[16], tcp_port[16];

/* ---- fixture --------------------------------------------------------- */

/* Reads `export KEY='value'` lines into the environment. */
static void load_env_file(const char *path)
{
	char line[1024];
	FILE *f = fopen(path, "r");

	if (!f) {
		fprintf(stderr, "pgtest_driver: cannot read %s (QUIPU_TEST_PG_ENV): did the pg_start fixture run?\n", path);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char *k = line, *eq, *v;
		size_t n;

		if (strncmp(k, "export ", 7) == 0)
			k += 7;
		eq = strchr(k, '=');
		if (!eq)
			continue;
		*eq = '\0';
		v = eq + 1;
		n = strlen(v);
		while (n > 0 && (v[n - 1] == '\n' || v[n - 1] == '\r'))
			v[--n] = '\0';
		if (n >= 2 && v[0] == '\'' && v[n - 1] == '\'') {
			v[n - 1] = '\0';
			v++;
		}
		setenv(k, v, 1);
	}
	fclose(f);
}

/* 0, or -1 (and a message) when no server is configured. */
static int find_server(void)
{
	const char *envfile = getenv("QUIPU_TEST_PG_ENV");
	const char *h, *p, *t;

	if (envfile && *envfile)
		load_env_file(envfile);
	h = getenv("PGHOST");
	p = getenv("PGPORT");
	t = getenv("QUIPU_TEST_TCP_PORT");
	if (!h || !*h || !p || !*p) {
		fprintf(stderr, "pgtest_driver: no PostgreSQL server: set QUIPU_TEST_PG_ENV (run under ctest) or "
		        "PGHOST/PGPORT (tests/pg/pgctl.sh start DIR && . DIR/env)\n");
		return -1;
	}
	snprintf(pg_host, sizeof(pg_host), "%s", h);
	snprintf(pg_port, sizeof(pg_port), "%s", p);
	snprintf(tcp_port, sizeof(tcp_port), "%s", t && *t ? t : p);
	return 0;
}

/* A URL on the fixture's socket as postgres (fields borrowed). */
static qp_url admin_url(const char *db)
{
	qp_url u = QP_URL_INIT;
	u.kind = QP_DB_POSTGRES;
	u.host = pg_host;
	u.port = pg_port;
	u.user = (char *)"postgres";
	u.database = (char *)db;
	return u;
}

static void admin_exec(const char *sql_prefix, const char *name, const char *sql_suffix)
{
	qp_url u = admin_url("postgres");
	qp_conn *c = NULL;
	qp_buf b = QP_BUF_INIT;
	qp_exec_error err = {0};

	assert_int_equal(drv->connect(&c, &u), 0);
	qp_buf_puts(&b, sql_prefix);
	qp_buf_put_ident(&b, name);
	qp_buf_puts(&b, sql_suffix);
	if (drv->exec(c, qp_buf_cstr(&b), &err) != 0)
		fail_msg("%s: %s", qp_buf_cstr(&b), err.message);
	qp_buf_release(&b);
	qp_exec_error_release(&err);
	drv->close(c);
}

typedef struct tdb {
	char name[64];
} tdb;

static int db_setup(void **state)
{
	static int counter;
	tdb *t = calloc(1, sizeof(*t));

	snprintf(t->name, sizeof(t->name), "quipu_t_%d_%d", (int)getpid(), ++counter);
	admin_exec("CREATE DATABASE ", t->name, "");
	*state = t;
	return 0;
}

static int db_teardown(void **state)
{
	tdb *t = *state;
	admin_exec("DROP DATABASE IF EXISTS ", t->name, " WITH (FORCE)");
	free(t);
	return 0;
}

static qp_conn *open_db(void **state)
{
	tdb *t = *state;
	qp_url u = admin_url(t->name);
	qp_conn *c = NULL;

	if (drv->connect(&c, &u) != 0)
		fail_msg("connect: %s", quipu_error_last()->message);
	return c;
}

static char *one_value(qp_conn *c, const char *sql)
{
	qp_strlist rows = QP_STRLIST_INIT;
	qp_exec_error err = {0};
	char *v;

	if (drv->query_strings(&rows, c, sql, &err) != 0)
		fail_msg("%s: %s", sql, err.message);
	assert_int_equal(rows.count, 1);
	v = strdup(rows.items[0]);
	qp_strlist_release(&rows);
	return v;
}

static void assert_value(qp_conn *c, const char *sql, const char *want)
{
	char *v = one_value(c, sql);
	assert_string_equal(v, want);
	free(v);
}

/* ---- connect --------------------------------------------------------- */

static void test_connect_socket(void **state)
{
	tdb *t = *state;
	qp_conn *c = open_db(state);
	char want[1024];

	snprintf(want, sizeof(want), "database \"%s\" on %s:%s as postgres", t->name, pg_host, pg_port);
	assert_string_equal(drv->describe(c), want);
	assert_string_equal(drv->user(c), "postgres");
	assert_value(c, "SHOW application_name", "quipu");
	drv->close(c);
}

static void test_connect_tcp_password(void **state)
{
	tdb *t = *state;
	qp_url u = admin_url(t->name);
	qp_conn *c = NULL;
	char want[1024];

	u.host = (char *)"127.0.0.1";
	u.port = tcp_port;
	u.user = (char *)"khipu";
	u.password = (char *)"khipu_dev_password";
	if (drv->connect(&c, &u) != 0)
		fail_msg("connect: %s", quipu_error_last()->message);
	snprintf(want, sizeof(want), "database \"%s\" on 127.0.0.1:%s as khipu", t->name, tcp_port);
	assert_string_equal(drv->describe(c), want);
	assert_string_equal(drv->user(c), "khipu");
	drv->close(c);
}

static void test_connect_wrong_password(void **state)
{
	tdb *t = *state;
	qp_url u = admin_url(t->name);
	qp_conn *c = NULL;
	const char *msg;

	u.host = (char *)"127.0.0.1";
	u.port = tcp_port;
	u.user = (char *)"khipu";
	u.password = (char *)"Wr0ngSecretPw";
	assert_int_equal(drv->connect(&c, &u), QUIPU_ECONNECT);
	assert_null(c);
	msg = quipu_error_last()->message;
	assert_non_null(strstr(msg, "wrong password or user"));
	assert_non_null(strstr(msg, "127.0.0.1"));
	assert_non_null(strstr(msg, tcp_port));
	assert_non_null(strstr(msg, "khipu"));
	assert_non_null(strstr(msg, t->name));
	assert_null(strstr(msg, "Wr0ngSecretPw"));

	/* no password at all */
	u.password = NULL;
	setenv("PGPASSFILE", "/nonexistent", 1);
	assert_int_equal(drv->connect(&c, &u), QUIPU_ECONNECT);
	assert_non_null(strstr(quipu_error_last()->message, "wrong password or user"));
}

static void test_connect_no_server(void **state)
{
	char dir[] = "/tmp/quipu_nopg_XXXXXX";
	qp_url u = admin_url("postgres");
	qp_conn *c = NULL;
	const char *msg;

	assert_non_null(mkdtemp(dir));
	u.host = dir;
	u.port = (char *)"5999";
	assert_int_equal(drv->connect(&c, &u), QUIPU_ECONNECT);
	msg = quipu_error_last()->message;
	assert_non_null(strstr(msg, dir));
	assert_non_null(strstr(msg, "5999"));
	assert_non_null(strstr(msg, "not running or not listening"));
	assert_non_null(strstr(msg, "server said:"));
	rmdir(dir);

	/* TCP: refused */
	u.host = (char *)"127.0.0.1";
	u.port = (char *)"1";
	assert_int_equal(drv->connect(&c, &u), QUIPU_ECONNECT);
	assert_non_null(strstr(quipu_error_last()->message, "not running or not listening"));
}

static void test_connect_missing_database(void **state)
{
	qp_url u = admin_url("quipu_no_such_db");
	qp_conn *c = NULL;
	const char *msg;

	assert_int_equal(drv->connect(&c, &u), QUIPU_ECONNECT);
	msg = quipu_error_last()->message;
	assert_non_null(strstr(msg, "createdb"));
	assert_non_null(strstr(msg, "quipu_no_such_db"));
	assert_non_null(strstr(msg, pg_host));
}

static void test_connect_missing_role(void **state)
{
	qp_url u = admin_url("postgres");
	qp_conn *c = NULL;

	u.user = (char *)"quipu_no_such_role";
	assert_int_equal(drv->connect(&c, &u), QUIPU_ECONNECT);
	assert_non_null(strstr(quipu_error_last()->message, "role (user) quipu_no_such_role does not exist"));
}

static void test_connect_unknown_host(void **state)
{
	qp_url u = admin_url("postgres");
	qp_conn *c = NULL;

	u.host = (char *)"no-such-host.invalid";
	assert_int_equal(drv->connect(&c, &u), QUIPU_ECONNECT);
	assert_non_null(strstr(quipu_error_last()->message, "unknown host no-such-host.invalid"));
}

static void test_connect_query_params(void **state)
{
	tdb *t = *state;
	qp_url u = admin_url(t->name);
	qp_conn *c = NULL;

	/* host=/socket/dir in the query beats the URL's host */
	u.host = (char *)"localhost";
	u.port = NULL;
	assert_int_equal(qp_strlist_add(&u.query_keys, "host"), 0);
	assert_int_equal(qp_strlist_add(&u.query_values, pg_host), 0);
	assert_int_equal(qp_strlist_add(&u.query_keys, "port"), 0);
	assert_int_equal(qp_strlist_add(&u.query_values, pg_port), 0);
	assert_int_equal(qp_strlist_add(&u.query_keys, "application_name"), 0);
	assert_int_equal(qp_strlist_add(&u.query_values, "my app"), 0);
	assert_int_equal(qp_strlist_add(&u.query_keys, "connect_timeout"), 0);
	assert_int_equal(qp_strlist_add(&u.query_values, "5"), 0);
	assert_int_equal(qp_strlist_add(&u.query_keys, "sslmode"), 0);
	assert_int_equal(qp_strlist_add(&u.query_values, "disable"), 0);
	if (drv->connect(&c, &u) != 0)
		fail_msg("connect: %s", quipu_error_last()->message);
	assert_value(c, "SHOW application_name", "my app");
	assert_non_null(strstr(drv->describe(c), pg_host));
	drv->close(c);

	assert_int_equal(qp_strlist_add(&u.query_keys, "frobnicate"), 0);
	assert_int_equal(qp_strlist_add(&u.query_values, "1"), 0);
	assert_int_equal(drv->connect(&c, &u), QUIPU_ECONFIG);
	assert_non_null(strstr(quipu_error_last()->message, "\"frobnicate\""));
	qp_strlist_release(&u.query_keys);
	qp_strlist_release(&u.query_values);
}

/* ---- running SQL ----------------------------------------------------- */

typedef struct seen {
	size_t index[32];
	int line[32];
	size_t n;
} seen;

static int record(size_t index, int line, void *payload)
{
	seen *s = payload;
	if (s->n < 32) {
		s->index[s->n] = index;
		s->line[s->n] = line;
		s->n++;
	}
	return 0;
}

static const char *script =
	"-- a comment; with a semicolon\n"                            /* 1 */
	"CREATE TABLE t (id serial PRIMARY KEY, s text);\n"           /* 2: 0 */
	"/* block ; comment /* nested; */ */\n"                       /* 3 */
	"CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$\n" /* 4: 1 */
	"BEGIN\n"
	"  NEW.s := NEW.s || ';';\n"
	"  RETURN NEW;\n"
	"END $$;\n"
	"CREATE TRIGGER trg BEFORE INSERT ON t\n"                     /* 9: 2 */
	"  FOR EACH ROW EXECUTE FUNCTION f();\n"
	";;\n"
	"INSERT INTO t (s) VALUES ('a;b'), ($tag$x;'y$tag$), (E'\\';');\n" /* 12: 3 */
	"  -- only a comment at the end\n";

static void test_exec_script_split(void **state)
{
	qp_conn *c = open_db(state);
	qp_exec_error err = {0};
	qp_strlist rows = QP_STRLIST_INIT;
	seen s = {{0}, {0}, 0};

	if (drv->exec_script(c, script, 0, record, &s, NULL, &err) != 0)
		fail_msg("script: %s (statement %zu: %s)", err.message, err.stmt_index, err.statement);
	assert_int_equal(s.n, 4);
	assert_int_equal(s.index[0], 0);
	assert_int_equal(s.line[0], 2);
	assert_int_equal(s.index[1], 1);
	assert_int_equal(s.line[1], 4);
	assert_int_equal(s.index[2], 2);
	assert_int_equal(s.line[2], 9);
	assert_int_equal(s.index[3], 3);
	assert_int_equal(s.line[3], 12);
	assert_int_equal(drv->query_strings(&rows, c, "SELECT s FROM t ORDER BY id", &err), 0);
	assert_int_equal(rows.count, 3);
	assert_string_equal(rows.items[0], "a;b;");
	assert_string_equal(rows.items[1], "x;'y;");
	assert_string_equal(rows.items[2], "';;");
	qp_strlist_release(&rows);
	drv->close(c);
}

static void test_exec_script_error_and_resume(void **state)
{
	qp_conn *c = open_db(state);
	qp_exec_error err = {0};
	seen s = {{0}, {0}, 0};
	const char *bad =
		"CREATE TABLE a (x int);\n"
		"INSERT INTO a VALUES (1);\n"
		"-- the next one fails\n"
		"  INSERT INTO nope\n"
		"    VALUES (2);\n"
		"INSERT INTO a VALUES (3);\n";

	assert_int_equal(drv->exec_script(c, bad, 0, NULL, NULL, NULL, &err), QUIPU_ESQL);
	assert_int_equal(err.stmt_index, 2);
	assert_int_equal(err.line, 4);
	assert_string_equal(err.statement, "INSERT INTO nope\n    VALUES (2)");
	assert_string_equal(err.message, "relation \"nope\" does not exist");
	assert_string_equal(err.sqlstate, "42P01");
	assert_false(err.duplicate_object);
	assert_false(err.connection_lost);
	assert_non_null(strstr(quipu_error_last()->message, "nope"));
	qp_exec_error_release(&err);

	assert_int_equal(drv->exec(c, "CREATE TABLE nope (x int)", &err), 0);
	assert_int_equal(drv->exec_script(c, bad, 2, record, &s, NULL, &err), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.index[0], 2);
	assert_int_equal(s.line[0], 4);
	assert_int_equal(s.index[1], 3);
	assert_int_equal(s.line[1], 6);
	assert_value(c, "SELECT string_agg(x::text, ',' ORDER BY x) FROM a", "1,3");

	/* start_at past the end runs nothing */
	s.n = 0;
	assert_int_equal(drv->exec_script(c, bad, 10, record, &s, NULL, &err), 0);
	assert_int_equal(s.n, 0);
	drv->close(c);
}

static int tail_sql(qp_buf *out, void *payload)
{
	qp_buf_puts(out, (const char *)payload);
	return 0;
}

/* The tail goes to the server in the same query as the last statement (one
 * client message: statement_timestamp() is that message's arrival), the
 * statements before it each in their own; a failure in the tail is told
 * apart from the statement's. */
static void test_exec_script_tail(void **state)
{
	qp_conn *c = open_db(state);
	qp_exec_error err = {0};
	const char *body =
		"CREATE TABLE ts (n int, t timestamptz);\n"
		"INSERT INTO ts VALUES (1, statement_timestamp());\n"
		"INSERT INTO ts VALUES (2, statement_timestamp()) -- ends in a comment";

	assert_int_equal(drv->begin(c, &err), 0);
	if (drv->exec_script(c, body, 0, NULL, (void *)"INSERT INTO ts VALUES (3, statement_timestamp())", tail_sql,
	                     &err) != 0)
		fail_msg("script: %s", err.message);
	assert_int_equal(drv->commit(c, &err), 0);
	assert_value(c, "SELECT count(*) FROM ts", "3");
	assert_value(c, "SELECT (SELECT t FROM ts WHERE n = 2) = (SELECT t FROM ts WHERE n = 3)", "t");
	assert_value(c, "SELECT (SELECT t FROM ts WHERE n = 1) < (SELECT t FROM ts WHERE n = 2)", "t");

	/* the tail fails: in_tail, and the transaction is left for the caller to roll back */
	assert_int_equal(drv->begin(c, &err), 0);
	assert_int_equal(drv->exec_script(c, "INSERT INTO ts VALUES (4, now());", 0, NULL,
	                                  (void *)"INSERT INTO no_log VALUES (1)", tail_sql, &err), QUIPU_ESQL);
	assert_true(err.in_tail);
	assert_string_equal(err.message, "relation \"no_log\" does not exist");
	drv->rollback(c);
	qp_exec_error_release(&err);
	assert_value(c, "SELECT count(*) FROM ts", "3");

	/* the last statement fails: not the tail's, and the tail did not run */
	assert_int_equal(drv->begin(c, &err), 0);
	assert_int_equal(drv->exec_script(c, "SELECT 1;\nINSERT INTO nope VALUES (1);", 0, NULL,
	                                  (void *)"INSERT INTO ts VALUES (5, now())", tail_sql, &err), QUIPU_ESQL);
	assert_false(err.in_tail);
	assert_int_equal(err.stmt_index, 1);
	assert_int_equal(err.line, 2);
	assert_string_equal(err.statement, "INSERT INTO nope VALUES (1)");
	drv->rollback(c);
	qp_exec_error_release(&err);

	/* an empty section: the tail alone */
	assert_int_equal(drv->begin(c, &err), 0);
	assert_int_equal(drv->exec_script(c, "  -- nothing\n", 0, NULL, (void *)"INSERT INTO ts VALUES (6, now())",
	                                  tail_sql, &err), 0);
	assert_int_equal(drv->commit(c, &err), 0);
	assert_value(c, "SELECT count(*) FROM ts WHERE n = 6", "1");
	drv->close(c);
}

/* begin_query: BEGIN and the query as one message (the transaction's start
 * is the query's arrival), and the rows of the query. */
static void test_begin_query(void **state)
{
	qp_conn *c = open_db(state);
	qp_exec_error err = {0};
	qp_strlist rows = QP_STRLIST_INIT;

	assert_int_equal(drv->begin_query(&rows, c, "SELECT (transaction_timestamp() = statement_timestamp())::text "
	                                            "UNION ALL SELECT 'second'", &err), 0);
	assert_int_equal(rows.count, 2);
	assert_string_equal(rows.items[0], "true");
	assert_string_equal(rows.items[1], "second");
	assert_value(c, "SELECT (transaction_timestamp() < statement_timestamp())::text", "true");
	assert_int_equal(drv->commit(c, &err), 0);
	qp_strlist_release(&rows);

	assert_int_equal(drv->begin_query(&rows, c, "SELECT x FROM no_such_table", &err), QUIPU_ESQL);
	assert_string_equal(err.sqlstate, "42P01");
	drv->rollback(c);
	qp_exec_error_release(&err);
	assert_value(c, "SELECT 'usable again'", "usable again");
	qp_strlist_release(&rows);
	drv->close(c);
}

static void test_exec_error_fields(void **state)
{
	qp_conn *c = open_db(state);
	qp_exec_error err = {0};

	assert_int_equal(drv->exec(c, "SELECT no_such_function(1, 'x')", &err), QUIPU_ESQL);
	assert_string_equal(err.sqlstate, "42883");
	assert_non_null(err.hint);
	assert_non_null(strstr(err.message, "no_such_function"));
	assert_non_null(strstr(quipu_error_last()->message, "HINT: "));
	qp_exec_error_release(&err);

	assert_int_equal(drv->exec(c, "CREATE TABLE u (x int UNIQUE); INSERT INTO u VALUES (1), (1)", &err), QUIPU_ESQL);
	assert_string_equal(err.sqlstate, "23505");
	assert_non_null(err.detail);
	assert_non_null(strstr(err.detail, "(x)=(1)"));
	qp_exec_error_release(&err);

	/* an unterminated string: the scanner cannot split, the server judges the whole text */
	assert_int_equal(drv->exec_script(c, "SELECT 1;\nSELECT 'oops;\n", 0, NULL, NULL, NULL, &err), QUIPU_ESQL);
	assert_string_equal(err.sqlstate, "42601");
	assert_int_equal(err.stmt_index, 0);
	qp_exec_error_release(&err);
	drv->close(c);
}

static void test_duplicate_object(void **state)
{
	qp_conn *c = open_db(state);
	qp_exec_error err = {0};

	assert_int_equal(drv->exec(c, "CREATE TABLE d (x int)", &err), 0);
	assert_int_equal(drv->exec_script(c, "SELECT 1;\nCREATE TABLE d (x int);", 0, NULL, NULL, NULL, &err), QUIPU_ESQL);
	assert_true(err.duplicate_object);
	assert_string_equal(err.sqlstate, "42P07");
	assert_int_equal(err.stmt_index, 1);
	assert_int_equal(err.line, 2);
	qp_exec_error_release(&err);
	assert_int_equal(drv->exec(c, "ALTER TABLE d ADD COLUMN x int", &err), QUIPU_ESQL);
	assert_true(err.duplicate_object);
	assert_string_equal(err.sqlstate, "42701");
	qp_exec_error_release(&err);
	assert_int_equal(drv->exec(c, "CREATE TYPE e AS ENUM ('a'); CREATE TYPE e AS ENUM ('a')", &err), QUIPU_ESQL);
	assert_true(err.duplicate_object);
	qp_exec_error_release(&err);
	assert_int_equal(drv->exec(c, "CREATE TABLE d2 (x int REFERENCES nope)", &err), QUIPU_ESQL);
	assert_false(err.duplicate_object);
	qp_exec_error_release(&err);
	drv->close(c);
}

/* query_each: rows as they arrive (single-row mode), NULLs as NULL, a
 * callback that stops half-way and a query that fails after its first rows
 * both leave the connection usable for the next query. */
typedef struct rows_seen {
	long n, sum, nulls, stop_at;
	size_t cols;
} rows_seen;

static int count_rows(const char *const *v, size_t n, void *payload)
{
	rows_seen *r = payload;

	r->cols = n;
	r->n++;
	if (v[0])
		r->sum += atol(v[0]);
	else
		r->nulls++;
	return r->stop_at && r->n == r->stop_at ? 42 : 0;
}

static void test_query_each(void **state)
{
	qp_conn *c = open_db(state);
	qp_exec_error err = {0};
	rows_seen r = {0};

	assert_int_equal(drv->query_each(c, "SELECT CASE WHEN g % 10 = 0 THEN NULL ELSE g END, 'x' "
	                                    "FROM generate_series(1, 200000) g", count_rows, &r, &err), 0);
	assert_int_equal(r.n, 200000);
	assert_int_equal(r.nulls, 20000);
	assert_int_equal(r.cols, 2);
	assert_true(r.sum == 200000L * 200001L / 2 - 10L * (20000L * 20001L / 2));
	/* the callback's code stops the query and is returned; the rest is drained */
	memset(&r, 0, sizeof(r));
	r.stop_at = 10;
	assert_int_equal(drv->query_each(c, "SELECT g FROM generate_series(1, 100000) g", count_rows, &r, &err), 42);
	assert_int_equal(r.n, 10);
	memset(&r, 0, sizeof(r));
	assert_int_equal(drv->query_each(c, "SELECT 7", count_rows, &r, &err), 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.sum, 7);
	/* an error after rows were sent: reported, the connection still works */
	memset(&r, 0, sizeof(r));
	assert_int_equal(drv->query_each(c, "SELECT 10 / (5000 - g) FROM generate_series(1, 10000) g", count_rows, &r,
	                                 &err), QUIPU_ESQL);
	assert_non_null(strstr(err.message, "division by zero"));
	assert_true(r.n < 5000);
	qp_exec_error_release(&err);
	memset(&r, 0, sizeof(r));
	assert_int_equal(drv->query_each(c, "SELECT 1 UNION ALL SELECT 2", count_rows, &r, &err), 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.sum, 3);
	drv->close(c);
}

static void test_transactions(void **state)
{
	qp_conn *c = open_db(state);
	qp_exec_error err = {0};
	int exists = -1;

	assert_int_equal(drv->begin(c, &err), 0);
	assert_int_equal(drv->exec_script(c, "CREATE TABLE r (x int); INSERT INTO r VALUES (1);", 0, NULL, NULL, NULL, &err), 0);
	assert_int_equal(drv->table_exists(&exists, c, NULL, "r"), 0);
	assert_true(exists);
	assert_int_equal(drv->rollback(c), 0);
	assert_int_equal(drv->table_exists(&exists, c, NULL, "r"), 0);
	assert_false(exists);

	/* a failure inside the transaction, then rollback */
	assert_int_equal(drv->begin(c, &err), 0);
	assert_int_equal(drv->exec(c, "CREATE TABLE r (x int)", &err), 0);
	assert_int_equal(drv->exec(c, "SELECT 1/0", &err), QUIPU_ESQL);
	qp_exec_error_release(&err);
	assert_int_equal(drv->rollback(c), 0);
	assert_int_equal(drv->table_exists(&exists, c, NULL, "r"), 0);
	assert_false(exists);

	assert_int_equal(drv->begin(c, &err), 0);
	assert_int_equal(drv->exec(c, "CREATE SCHEMA \"Odd Schema\"; CREATE TABLE \"Odd Schema\".\"We'ird\" (x int)", &err), 0);
	assert_int_equal(drv->commit(c, &err), 0);
	assert_int_equal(drv->table_exists(&exists, c, "Odd Schema", "We'ird"), 0);
	assert_true(exists);
	assert_int_equal(drv->table_exists(&exists, c, "Odd Schema", "we'ird"), 0);
	assert_false(exists);
	assert_int_equal(drv->table_exists(&exists, c, NULL, "We'ird"), 0);
	assert_false(exists);   /* not on the search_path */
	assert_int_equal(drv->table_exists(&exists, c, "no_schema", "x"), 0);
	assert_false(exists);
	drv->close(c);
}

static void test_create_index_concurrently(void **state)
{
	qp_conn *c = open_db(state);
	qp_exec_error err = {0};

	if (drv->exec_script(c, "CREATE TABLE ci (x int);\n"
	                        "CREATE INDEX CONCURRENTLY ci_x ON ci (x);\n"
	                        "DROP INDEX CONCURRENTLY ci_x;\n", 0, NULL, NULL, NULL, &err) != 0)
		fail_msg("%s", err.message);
	drv->close(c);
}

/* Notices must not reach stderr: the library never prints. */
static void test_notices_silent(void **state)
{
	qp_conn *c = open_db(state);
	qp_exec_error err = {0};
	char path[] = "/tmp/quipu_stderr_XXXXXX";
	int fd = mkstemp(path), saved = dup(2);
	struct stat st;

	assert_true(fd >= 0);
	fflush(stderr);
	dup2(fd, 2);
	assert_int_equal(drv->exec_script(c, "DO $$BEGIN RAISE NOTICE 'hello from the server'; END$$;\n"
	                                     "DROP TABLE IF EXISTS never_there;", 0, NULL, NULL, NULL, &err), 0);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	assert_int_equal(fstat(fd, &st), 0);
	close(fd);
	unlink(path);
	assert_int_equal(st.st_size, 0);
	drv->close(c);
}

static void test_connection_lost(void **state)
{
	qp_conn *a = open_db(state), *b = open_db(state);
	qp_exec_error err = {0};
	char *pid = one_value(a, "SELECT pg_backend_pid()");
	qp_buf sql = QP_BUF_INIT;

	qp_buf_puts(&sql, "SELECT pg_terminate_backend(");
	qp_buf_put_literal(&sql, pid);
	qp_buf_puts(&sql, "::int)");
	assert_value(b, qp_buf_cstr(&sql), "t");
	usleep(100 * 1000);
	assert_int_equal(drv->exec(a, "SELECT 1", &err), QUIPU_ESQL);
	assert_true(err.connection_lost);
	qp_exec_error_release(&err);
	assert_int_not_equal(drv->rollback(a), 0);
	drv->unlock(a, "k");   /* harmless on a dead connection */
	qp_buf_release(&sql);
	free(pid);
	drv->close(a);
	drv->close(b);
}

/* ---- the runner lock ------------------------------------------------- */

static void count_wait(void *payload)
{
	(*(int *)payload)++;
}

static void test_lock_timeout_names_holder(void **state)
{
	qp_conn *a = open_db(state), *b = open_db(state);
	char *pid = one_value(a, "SELECT pg_backend_pid()");
	char want[64];
	int waited = 0;
	const char *msg;

	assert_int_equal(drv->lock(a, "alembic_version", 1, NULL, NULL), 0);
	assert_int_equal(drv->lock(b, "alembic_version", 0.3, count_wait, &waited), QUIPU_ELOCKED);
	assert_int_equal(waited, 1);
	msg = quipu_error_last()->message;
	snprintf(want, sizeof(want), "pid %s,", pid);
	assert_non_null(strstr(msg, want));
	assert_non_null(strstr(msg, "user postgres"));
	assert_non_null(strstr(msg, "application quipu"));
	assert_non_null(strstr(msg, "--lock-timeout"));

	/* another key is another lock */
	assert_int_equal(drv->lock(b, "other_table", 0.3, count_wait, &waited), 0);
	assert_int_equal(waited, 1);

	drv->unlock(a, "alembic_version");
	assert_int_equal(drv->lock(b, "alembic_version", 0.3, count_wait, &waited), 0);
	assert_int_equal(waited, 1);
	drv->unlock(b, "alembic_version");
	drv->unlock(b, "other_table");
	free(pid);
	drv->close(a);
	drv->close(b);
}

typedef struct releaser {
	qp_conn *c;
	int delay_ms;
} releaser;

static void *release_later(void *arg)
{
	releaser *r = arg;
	usleep((useconds_t)r->delay_ms * 1000);
	drv->unlock(r->c, "alembic_version");
	return NULL;
}

static void lock_wait_case(void **state, double timeout_s)
{
	qp_conn *a = open_db(state), *b = open_db(state);
	releaser r = {a, 400};
	pthread_t th;
	int waited = 0;
	struct timespec t0, t1;
	double ms;

	assert_int_equal(drv->lock(a, "alembic_version", 1, NULL, NULL), 0);
	assert_int_equal(pthread_create(&th, NULL, release_later, &r), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (drv->lock(b, "alembic_version", timeout_s, count_wait, &waited) != 0)
		fail_msg("lock: %s", quipu_error_last()->message);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	pthread_join(th, NULL);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1000.0 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	assert_int_equal(waited, 1);
	assert_true(ms >= 300);
	/* b holds it now: a cannot take it */
	assert_int_equal(drv->lock(a, "alembic_version", 0.1, NULL, NULL), QUIPU_ELOCKED);
	drv->unlock(b, "alembic_version");
	drv->close(a);
	drv->close(b);
}

static void test_lock_waits_with_timeout(void **state)
{
	lock_wait_case(state, 10);
}

static void test_lock_waits_for_ever(void **state)
{
	lock_wait_case(state, 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, db_setup, db_teardown)
	const struct CMUnitTest tests[] = {
		T(test_connect_socket),
		T(test_connect_tcp_password),
		T(test_connect_wrong_password),
		cmocka_unit_test(test_connect_no_server),
		cmocka_unit_test(test_connect_missing_database),
		cmocka_unit_test(test_connect_missing_role),
		cmocka_unit_test(test_connect_unknown_host),
		T(test_connect_query_params),
		T(test_exec_script_split),
		T(test_exec_script_error_and_resume),
		T(test_exec_script_tail),
		T(test_begin_query),
		T(test_exec_error_fields),
		T(test_duplicate_object),
		T(test_query_each),
		T(test_transactions),
		T(test_create_index_concurrently),
		T(test_notices_silent),
		T(test_connection_lost),
		T(test_lock_timeout_names_holder),
		T(test_lock_waits_with_timeout),
		T(test_lock_waits_for_ever),
	};
#undef T
	if (find_server() != 0)
		return 1;   /* a FAILURE, not a skip */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
