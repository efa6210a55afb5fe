/*
 * sqlite.c: the SQLite driver (libsqlite3).
 *
 * - connect: the URL's path (relative to the working directory, as
 *   SQLAlchemy does) or an in-memory database; busy timeout 5000 ms, or the
 *   URL's ?timeout=SECONDS (pysqlite's name).
 * - PRAGMA foreign_keys is left at SQLite's default (OFF), as SQLAlchemy and
 *   Alembic leave it: with it ON, the table rebuild that SQLite needs for
 *   most ALTERs (create, copy, DROP the old table, rename) would fire ON
 *   DELETE CASCADE / SET NULL on child tables and lose data, and the pragma
 *   cannot be changed inside the revision's transaction. ?foreign_keys=on in
 *   the URL turns it on for those who want it.
 * - exec_script: sqlite3_prepare_v2 and its tail split the text (triggers
 *   included); comment-only tails are skipped.
 * - begin is BEGIN IMMEDIATE: the write lock is the runner lock, waited for
 *   up to the busy timeout; lock() only sets that timeout.
 */
#include "drivers/driver.h"
#include "util/buf.h"
#include "util/err.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_BUSY_MS 5000
#define FOREVER_BUSY_MS (3600 * 1000)

struct qp_conn {
	sqlite3 *db;       /* owned */
	char *describe;    /* owned: "SQLite database /abs/path" */
	char *user;        /* owned: the OS user name, or "" */
	int busy_ms;       /* the busy timeout in force */
};

/* Skips blanks, SQL comments (SQLite's block comments do not nest) and
 * empty statements (lone ';', which sqlite3_prepare_v2 skips too); returns
 * the offset of the first significant character. */
static size_t skip_blank_and_comments(const char *s, size_t i)
{
	for (;;) {
		if (isspace((unsigned char)s[i]) || s[i] == ';') {
			i++;
		} else if (s[i] == '-' && s[i + 1] == '-') {
			while (s[i] && s[i] != '\n')
				i++;
		} else if (s[i] == '/' && s[i + 1] == '*') {
			i += 2;
			while (s[i] && !(s[i] == '*' && s[i + 1] == '/'))
				i++;
			if (s[i])
				i += 2;
		} else {
			return i;
		}
	}
}

/* A copy of s[start, end) without surrounding blanks and semicolons. */
static char *trimmed_copy(const char *s, size_t start, size_t end)
{
	char *out;

	while (start < end && isspace((unsigned char)s[start]))
		start++;
	while (end > start && (isspace((unsigned char)s[end - 1]) || s[end - 1] == ';'))
		end--;
	out = malloc(end - start + 1);
	if (!out)
		return NULL;
	memcpy(out, s + start, end - start);
	out[end - start] = '\0';
	return out;
}

/* ---- connect --------------------------------------------------------- */

/* The absolute form of path (its folder resolved; the file may not exist
 * yet). NULL with errno when the folder does not exist. Caller frees. */
static char *absolute_path(const char *path, char **missing_dir)
{
	char dir[PATH_MAX], real[PATH_MAX];
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	qp_buf b = QP_BUF_INIT;

	*missing_dir = NULL;
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if (!realpath(dir, real)) {
		*missing_dir = strdup(dir);
		return NULL;
	}
	qp_buf_puts(&b, real);
	if (strcmp(real, "/") != 0)
		qp_buf_putc(&b, '/');
	qp_buf_puts(&b, base);
	return qp_buf_detach(&b);
}

static int sqlite_close_db(sqlite3 *db)
{
	return db ? sqlite3_close_v2(db) : SQLITE_OK;
}

static int parse_options(int *busy_ms, int *fk, const qp_url *url)
{
	size_t i;

	for (i = 0; i < url->query_keys.count && i < url->query_values.count; i++) {
		const char *k = url->query_keys.items[i], *v = url->query_values.items[i];
		char *end;

		if (strcmp(k, "timeout") == 0) {
			double s = strtod(v, &end);
			if (end == v || *end || s < 0 || s > 86400)
				return qp_error_set(QUIPU_ECONFIG, "timeout=%s in the SQLite URL: expected seconds "
				                    "(0 to 86400)", v);
			*busy_ms = (int)(s * 1000.0);
		} else if (strcmp(k, "foreign_keys") == 0) {
			if (!strcasecmp(v, "on") || !strcasecmp(v, "true") || !strcmp(v, "1"))
				*fk = 1;
			else if (!strcasecmp(v, "off") || !strcasecmp(v, "false") || !strcmp(v, "0"))
				*fk = 0;
			else
				return qp_error_set(QUIPU_ECONFIG, "foreign_keys=%s in the SQLite URL: expected on or off", v);
		} else {
			return qp_error_set(QUIPU_ECONFIG, "unknown SQLite URL parameter \"%s\" (known: timeout, "
			                    "foreign_keys)", k);
		}
	}
	return 0;
}

static int sqlite_connect(qp_conn **out, const qp_url *url)
{
	qp_conn *c = NULL;
	sqlite3 *db = NULL;
	char *abs = NULL, *missing = NULL, *errmsg = NULL;
	const char *path;
	int memory = url->memory || !url->database || !*url->database ||
	             strcmp(url->database, ":memory:") == 0;
	int rc, busy_ms = DEFAULT_BUSY_MS, fk = -1, error = 0;
	struct passwd *pw;

	*out = NULL;
	if ((error = parse_options(&busy_ms, &fk, url)) != 0)
		goto done;
	if (memory) {
		path = ":memory:";
	} else {
		path = url->database;
		abs = absolute_path(path, &missing);
		if (!abs) {
			if (missing)
				error = qp_error_set(QUIPU_ECONNECT,
				                     "cannot open SQLite database %s: the folder %s does not exist "
				                     "(create it: mkdir -p %s, or fix the path in sqlalchemy.url)",
				                     path, missing, missing);
			else
				error = qp_error_oom();
			goto done;
		}
	}
	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		struct stat st;
		const char *why = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
		if (abs && stat(abs, &st) == 0 && S_ISDIR(st.st_mode))
			why = "it is a folder, not a file: fix the path in sqlalchemy.url";
		else if (rc == SQLITE_CANTOPEN)
			why = "check that the file and its folder are writable by this user";
		error = qp_error_set(QUIPU_ECONNECT, "cannot open SQLite database %s: %s", abs ? abs : path, why);
		goto done;
	}
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, busy_ms);
	/* The file is only read on first use: make a non-database file fail here. */
	rc = sqlite3_exec(db, fk == 1 ? "PRAGMA foreign_keys = ON" : "SELECT count(*) FROM sqlite_master",
	                  NULL, NULL, &errmsg);
	if (rc == SQLITE_OK && fk == 0)
		rc = sqlite3_exec(db, "PRAGMA foreign_keys = OFF", NULL, NULL, &errmsg);
	if (rc != SQLITE_OK) {
		error = qp_error_set(QUIPU_ECONNECT, "cannot open SQLite database %s: %s", abs ? abs : path,
		                     errmsg ? errmsg : sqlite3_errstr(rc));
		goto done;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		error = qp_error_oom();
		goto done;
	}
	if (memory) {
		c->describe = strdup("SQLite in-memory database");
	} else {
		qp_buf b = QP_BUF_INIT;
		qp_buf_printf(&b, "SQLite database %s", abs);
		c->describe = qp_buf_detach(&b);
	}
	pw = getpwuid(geteuid());
	c->user = strdup(pw && pw->pw_name ? pw->pw_name : "");
	if (!c->describe || !c->user) {
		error = qp_error_oom();
		goto done;
	}
	c->busy_ms = busy_ms;
	c->db = db;
	db = NULL;
	*out = c;
	c = NULL;
done:
	if (c) {
		free(c->describe);
		free(c->user);
		free(c);
	}
	sqlite_close_db(db);
	sqlite3_free(errmsg);
	free(abs);
	free(missing);
	return error;
}

static void sqlite_close(qp_conn *c)
{
	if (!c)
		return;
	sqlite_close_db(c->db);
	free(c->describe);
	free(c->user);
	free(c);
}

static const char *sqlite_describe(qp_conn *c)
{
	return c->describe;
}

static const char *sqlite_user(qp_conn *c)
{
	return c->user;
}

/* ---- running SQL ----------------------------------------------------- */

/* Fills err (may be NULL) for the statement at text[start, end) and raises
 * QUIPU_ESQL with SQLite's message. */
static int fail_sql(qp_conn *c, const char *text, size_t start, size_t end, size_t index,
                    qp_exec_error *err)
{
	const char *msg = sqlite3_errmsg(c->db);

	if (err) {
		free(err->message);
		free(err->statement);
		free(err->detail);
		free(err->hint);
		err->detail = err->hint = NULL;
		err->message = strdup(msg);
		err->statement = trimmed_copy(text, start, end);
		if (!err->message || !err->statement)
			return qp_error_oom();
		err->stmt_index = index;
		err->line = qp_line_at(text, start, 1);
		err->sqlstate[0] = '\0';
		err->duplicate_object = strstr(msg, "already exists") != NULL;
		err->connection_lost = 0;
	}
	return qp_error_set(QUIPU_ESQL, "%s", msg);
}

/* The end (after its ';') of the statement starting at start, found with
 * sqlite3_complete (which knows triggers' BEGIN ... END); strlen when it runs
 * to the end. Used for statements skipped by start_at, which are not
 * prepared: they may name objects a later statement dropped. */
static size_t statement_end(const char *sql, size_t start)
{
	const char *semi = sql + start;
	qp_buf piece = QP_BUF_INIT;
	size_t end = strlen(sql);

	while ((semi = strchr(semi, ';')) != NULL) {
		semi++;
		qp_buf_truncate(&piece, 0);
		qp_buf_put(&piece, sql + start, (size_t)(semi - sql) - start);
		if (piece.oom || sqlite3_complete(qp_buf_cstr(&piece))) {
			end = (size_t)(semi - sql);
			break;
		}
	}
	qp_buf_release(&piece);
	return end;
}

/* Runs every statement of sql from index start_at; rows (may be NULL)
 * collects the first column of the last statement's rows. */
static int run(qp_conn *c, const char *sql, size_t start_at, qp_stmt_cb cb, void *payload,
               qp_strlist *rows, qp_exec_error *err)
{
	size_t pos = 0, index = 0;
	sqlite3_stmt *stmt = NULL;
	int error = 0;

	for (;;) {
		const char *tail = NULL;
		size_t start = skip_blank_and_comments(sql, pos), end;
		int rc, line;

		if (!sql[start])
			break;
		if (index < start_at) {
			pos = statement_end(sql, start);
			index++;
			continue;
		}
		rc = sqlite3_prepare_v2(c->db, sql + start, -1, &stmt, &tail);
		if (rc != SQLITE_OK) {
			/* No tail on a syntax error: show up to the next ';'. */
			const char *semi = strchr(sql + start, ';');
			end = semi ? (size_t)(semi - sql) : strlen(sql);
			error = fail_sql(c, sql, start, end, index, err);
			goto done;
		}
		end = tail ? (size_t)(tail - sql) : strlen(sql);
		pos = end;
		if (!stmt)        /* only a comment left */
			continue;
		line = qp_line_at(sql, start, 1);
		while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
			if (rows && sqlite3_column_count(stmt) > 0) {
				const unsigned char *v = sqlite3_column_text(stmt, 0);
				if ((error = qp_strlist_add(rows, v ? (const char *)v : "")) != 0)
					goto done;
			}
		}
		if (rc != SQLITE_DONE) {
			error = fail_sql(c, sql, start, end, index, err);
			goto done;
		}
		sqlite3_finalize(stmt);
		stmt = NULL;
		if (cb && (error = cb(index, line, payload)) != 0)
			goto done;
		index++;
	}
done:
	sqlite3_finalize(stmt);
	return error;
}

static int sqlite_exec(qp_conn *c, const char *sql, qp_exec_error *err)
{
	return run(c, sql, 0, NULL, NULL, NULL, err);
}

/* In process, a tail costs no round trip: it is asked for and run after
 * the last statement. */
static int sqlite_exec_script(qp_conn *c, const char *sql, size_t start_at, qp_stmt_cb cb, void *payload,
                              qp_tail_cb tail, qp_exec_error *err)
{
	qp_buf q = QP_BUF_INIT;
	int error;

	if (err)
		err->in_tail = 0;
	if ((error = run(c, sql, start_at, cb, payload, NULL, err)) != 0 || !tail)
		return error;
	if ((error = tail(&q, payload)) != 0)
		goto done;
	if (q.oom) {
		error = qp_error_oom();
		goto done;
	}
	if (q.len && (error = run(c, qp_buf_cstr(&q), 0, NULL, NULL, NULL, err)) != 0 && err)
		err->in_tail = 1;
done:
	qp_buf_release(&q);
	return error;
}

static int sqlite_query_strings(qp_strlist *out, qp_conn *c, const char *sql, qp_exec_error *err)
{
	return run(c, sql, 0, NULL, NULL, out, err);
}

/* Rows of one query, every column as text (NULL for SQL NULL), to cb. */
static int sqlite_query_each(qp_conn *c, const char *sql, qp_row_cb cb, void *payload, qp_exec_error *err)
{
	sqlite3_stmt *stmt = NULL;
	const char **values = NULL;
	int error = 0, rc, cols, j;

	if (sqlite3_prepare_v2(c->db, sql, -1, &stmt, NULL) != SQLITE_OK || !stmt) {
		error = fail_sql(c, sql, 0, strlen(sql), 0, err);
		goto done;
	}
	cols = sqlite3_column_count(stmt);
	values = calloc(cols > 0 ? (size_t)cols : 1, sizeof(*values));
	if (!values) {
		error = qp_error_oom();
		goto done;
	}
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		for (j = 0; j < cols; j++)
			values[j] = (const char *)sqlite3_column_text(stmt, j);
		if ((error = cb(values, (size_t)cols, payload)) != 0)
			goto done;
	}
	if (rc != SQLITE_DONE)
		error = fail_sql(c, sql, 0, strlen(sql), 0, err);
done:
	free(values);
	sqlite3_finalize(stmt);
	return error;
}

static int sqlite_table_exists(int *out, qp_conn *c, const char *schema, const char *table)
{
	qp_buf sql = QP_BUF_INIT;
	qp_strlist rows = QP_STRLIST_INIT;
	int error;

	*out = 0;
	qp_buf_puts(&sql, "SELECT count(*) FROM ");
	qp_buf_put_ident_quoted(&sql, schema && *schema ? schema : "main");
	qp_buf_puts(&sql, ".sqlite_master WHERE type IN ('table', 'view') AND name COLLATE NOCASE = ");
	qp_buf_put_literal(&sql, table);
	if (sql.oom) {
		error = qp_error_oom();
		goto done;
	}
	error = run(c, qp_buf_cstr(&sql), 0, NULL, NULL, &rows, NULL);
	if (!error)
		*out = rows.count == 1 && strcmp(rows.items[0], "0") != 0;
done:
	qp_strlist_release(&rows);
	qp_buf_release(&sql);
	return error;
}

/* BEGIN IMMEDIATE takes the write lock now, waiting up to the busy timeout;
 * still busy after that is QUIPU_ELOCKED, not an SQL error. */
static int sqlite_begin(qp_conn *c, qp_exec_error *err)
{
	int error = run(c, "BEGIN IMMEDIATE", 0, NULL, NULL, NULL, err);

	if (error && (sqlite3_errcode(c->db) & 0xff) == SQLITE_BUSY)
		error = qp_error_set(QUIPU_ELOCKED,
		                     "another process holds the write lock on the %s — waited %.1f seconds; "
		                     "retry later or raise --lock-timeout",
		                     c->describe + strlen("SQLite "), c->busy_ms / 1000.0);
	return error;
}

static int sqlite_begin_query(qp_strlist *out, qp_conn *c, const char *sql, qp_exec_error *err)
{
	int error = sqlite_begin(c, err);
	return error ? error : sqlite_query_strings(out, c, sql, err);
}

static int sqlite_commit(qp_conn *c, qp_exec_error *err)
{
	return run(c, "COMMIT", 0, NULL, NULL, NULL, err);
}

static int sqlite_rollback(qp_conn *c)
{
	if (sqlite3_get_autocommit(c->db))
		return 0;   /* no transaction open (SQLite may have rolled back itself) */
	sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
	return 0;
}

static int sqlite_lock(qp_conn *c, const char *key, double timeout_s, void (*waiting)(void *payload),
                       void *payload)
{
	c->busy_ms = timeout_s <= 0 ? FOREVER_BUSY_MS
	             : timeout_s * 1000.0 > (double)INT_MAX ? INT_MAX : (int)(timeout_s * 1000.0);
	sqlite3_busy_timeout(c->db, c->busy_ms);
	return 0;
}

static void sqlite_unlock(qp_conn *c, const char *key)
{
}

const qp_driver qp_driver_sqlite = {
	"sqlite",
	1,
	NULL,
	sqlite_connect,
	sqlite_close,
	sqlite_describe,
	sqlite_exec,
	sqlite_exec_script,
	sqlite_query_strings,
	sqlite_table_exists,
	sqlite_begin,
	sqlite_begin_query,
	sqlite_commit,
	sqlite_rollback,
	sqlite_lock,
	sqlite_unlock,
	sqlite_user,
	sqlite_query_each,
};
