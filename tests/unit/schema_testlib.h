/*
 * schema_testlib.h: what the schema tests share (test_schema_*.c,
 * pgtest_schema_*.c): connecting to a scratch SQLite file or to a fresh
 * database on the PostgreSQL server the CTest fixture started
 * (tests/pg/pgctl.sh, found through $QUIPU_TEST_PG_ENV), running SQL,
 * introspecting and dumping a model. Real databases only, no mocks.
 *
 * Header-only (static functions) so each test program stays one file.
 */
#ifndef SCHEMA_TESTLIB_H
#define SCHEMA_TESTLIB_H

#include "drivers/driver.h"
#include "quipu.h"
#include "schema/diff.h"
#include "schema/introspect.h"
#include "schema/model.h"
#include "util/buf.h"
#include "util/fs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* Reads `export KEY='value'` lines into the environment. */
static __attribute__((unused)) void st_load_env_file(const char *path)
{
	char line[1024];
	FILE *f = fopen(path, "r");

	if (!f) {
		fprintf(stderr, "schema tests: cannot read %s (QUIPU_TEST_PG_ENV): did the pg_start fixture run?\n", path);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char *k = line, *eq, *v;
		size_t n;

		if (strncmp(k, "export ", 7) == 0)
			k += 7;
		if (!(eq = strchr(k, '=')))
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

/* 0 when a server is configured; -1 (and a message) when not: a failure. */
static __attribute__((unused)) int st_pg_find(void)
{
	const char *envfile = getenv("QUIPU_TEST_PG_ENV");

	if (envfile && *envfile)
		st_load_env_file(envfile);
	if (!getenv("PGHOST") || !getenv("PGPORT")) {
		fprintf(stderr, "schema tests: no PostgreSQL server: set QUIPU_TEST_PG_ENV (run under ctest) or "
		                "PGHOST/PGPORT\n");
		return -1;
	}
	return 0;
}

/* A connection to database `db` (PostgreSQL) or file `db` (SQLite, NULL
 * for memory). NULL and a message on failure. */
static __attribute__((unused)) qp_conn * st_connect(const qp_driver *drv, const char *db)
{
	qp_url u;
	qp_conn *c = NULL;

	memset(&u, 0, sizeof(u));
	if (drv == &qp_driver_pg) {
		u.kind = QP_DB_POSTGRES;
		u.host = getenv("PGHOST");
		u.port = getenv("PGPORT");
		u.user = (char *)"postgres";
		u.database = (char *)db;
	} else {
		u.kind = QP_DB_SQLITE;
		u.database = (char *)db;
		u.memory = db == NULL;
	}
	if (drv->connect(&c, &u) < 0) {
		fprintf(stderr, "connect: %s\n", quipu_error_last()->message);
		return NULL;
	}
	return c;
}

/* Runs SQL (several statements allowed); prints the error and returns -1 on failure. */
static __attribute__((unused)) int st_exec(const qp_driver *drv, qp_conn *c, const char *sql)
{
	qp_exec_error xe = {0};
	int error = drv->exec_script(c, sql, 0, NULL, NULL, NULL, &xe);

	if (error < 0)
		fprintf(stderr, "SQL failed: %s\n  statement: %s\n", xe.message ? xe.message : "?",
		        xe.statement ? xe.statement : "?");
	qp_exec_error_release(&xe);
	return error < 0 ? -1 : 0;
}

/* Creates (dropping first) PostgreSQL database `name`. */
static __attribute__((unused)) int st_pg_newdb(const char *name)
{
	qp_conn *admin = st_connect(&qp_driver_pg, "postgres");
	char sql[512];
	int rc;

	if (!admin)
		return -1;
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)", name);
	rc = qp_driver_pg.exec(admin, sql, NULL);
	snprintf(sql, sizeof(sql), "CREATE DATABASE \"%s\"", name);
	if (rc >= 0)
		rc = qp_driver_pg.exec(admin, sql, NULL);
	if (rc < 0)
		fprintf(stderr, "cannot create database %s: %s\n", name, quipu_error_last()->message);
	qp_driver_pg.close(admin);
	return rc < 0 ? -1 : 0;
}

static __attribute__((unused)) void st_pg_dropdb(const char *name)
{
	qp_conn *admin = st_connect(&qp_driver_pg, "postgres");
	char sql[512];

	if (!admin)
		return;
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)", name);
	qp_driver_pg.exec(admin, sql, NULL);
	qp_driver_pg.close(admin);
}

/* The canonical dump of what `c` holds (caller frees), NULL on failure. */
static __attribute__((unused)) char * st_dump(const qp_driver *drv, qp_conn *c)
{
	qp_model m;
	qp_buf b = QP_BUF_INIT;
	qp_introspect_opts o = {"alembic_version", NULL};
	char *out = NULL;

	if (qp_introspect(&m, drv, c, &o) < 0) {
		fprintf(stderr, "introspect: %s\n", quipu_error_last()->message);
		goto done;
	}
	if (qp_model_dump(&b, &m) < 0)
		goto done;
	out = qp_buf_detach(&b);
done:
	qp_buf_release(&b);
	qp_model_release(&m);
	return out;
}

/* Does text contain line (a whole line)? */
static __attribute__((unused)) int st_has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;

	while (p && (p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
			return 1;
		p++;
	}
	return 0;
}

/* A corpus file (../shared/corpus) as t_autogen_corpus_pg.sh feeds it to
 * psql: meta-commands and CREATE/DROP DATABASE lines taken out. Caller
 * frees; NULL when it cannot be read. */
static __attribute__((unused)) char *st_corpus_text(const char *path)
{
	char *text = NULL, *line, *save = NULL;
	size_t len;
	qp_buf b = QP_BUF_INIT;

	if (qp_read_file(&text, &len, path) < 0)
		return NULL;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\\' || !strncasecmp(p, "CREATE DATABASE", 15) || !strncasecmp(p, "DROP DATABASE", 13))
			continue;
		qp_buf_puts(&b, line);
		qp_buf_putc(&b, '\n');
	}
	free(text);
	return qp_buf_detach(&b);
}

/* qsort order for an array of file names. */
static __attribute__((unused)) int st_by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

#endif
