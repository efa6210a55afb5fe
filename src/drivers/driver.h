/*
 * driver.h: the database driver interface, one vtable per database (after
 * curl's struct Curl_protocol). PostgreSQL (pg.c, libpq) and SQLite
 * (sqlite.c, libsqlite3) implement it; a MySQL driver can join later.
 *
 * Drivers never build user-facing text about revisions: they report what the
 * server said in a qp_exec_error and the runner composes the message.
 */
#ifndef QP_DRIVERS_DRIVER_H
#define QP_DRIVERS_DRIVER_H

#include <stddef.h>
#include "core/url.h"
#include "util/buf.h"
#include "util/strlist.h"

typedef struct qp_conn qp_conn;  /* driver-private connection state */

/* What went wrong in exec_script / exec. Strings owned; release with qp_exec_error_release. */
typedef struct qp_exec_error {
	size_t stmt_index;    /* 0-based index of the failing statement */
	int line;             /* 1-based line in the script text where it starts */
	char *statement;      /* its text, trimmed */
	char *message;        /* the server's primary message */
	char *detail;         /* NULL when none */
	char *hint;           /* NULL when none */
	char sqlstate[6];     /* PostgreSQL SQLSTATE, "" for SQLite */
	int duplicate_object; /* "already exists" (42P07, 42710, 42701; SQLite text) */
	int connection_lost;  /* the server went away: state unknown until reconnect */
	int in_tail;          /* exec_script: the failure was in its `tail`, not a statement */
} qp_exec_error;

void qp_exec_error_release(qp_exec_error *e);

/* Called after each statement of exec_script succeeds (index, its line). */
typedef int (*qp_stmt_cb)(size_t index, int line, void *payload);

/* Appends SQL to *out for exec_script to run after a section's last
 * statement (payload: exec_script's). Non-zero stops with that code. */
typedef int (*qp_tail_cb)(qp_buf *out, void *payload);

/* Called for each row of query_each: values[i] is column i as text, NULL for
 * SQL NULL; borrowed until the callback returns. Non-zero stops the query
 * and becomes its return value. */
typedef int (*qp_row_cb)(const char *const *values, size_t n_values, void *payload);

typedef struct qp_driver {
	const char *name;          /* "postgresql", "sqlite" */
	int transactional_ddl;     /* DDL can be rolled back */
	/* An SQL expression, in a tail, for the milliseconds the query holding
	 * it has run so far (the last statement's own time, since the tail is
	 * sent with it); NULL where the tail runs after the statement. */
	const char *elapsed_sql;

	/* Opens a connection. QUIPU_ECONNECT with a message naming host, port,
	 * database and user (never the password) and the likely cause. */
	int (*connect)(qp_conn **out, const qp_url *url);
	void (*close)(qp_conn *c);
	/* "database \"khipu_dev\" on localhost:5432 as khipu"; borrowed. */
	const char *(*describe)(qp_conn *c);

	/* Runs SQL with no result wanted (may hold several statements). On
	 * failure fills *err (if not NULL) and returns QUIPU_ESQL. */
	int (*exec)(qp_conn *c, const char *sql, qp_exec_error *err);
	/* Runs a revision section statement by statement, starting at statement
	 * `start_at` (0: all). `cb` (may be NULL) runs after each statement; a
	 * non-zero return stops with that code. `tail` (may be NULL; only inside
	 * a transaction) appends SQL to run right after the last statement: the
	 * runner's bookkeeping of the revision. Where the database is a server
	 * it is called just before the last statement is sent, and both go as
	 * one query, so the bookkeeping costs no round trip of its own (see
	 * `elapsed_sql`); in process it is called after the last statement.
	 * On failure fills *err; err->in_tail says the tail's SQL failed. */
	int (*exec_script)(qp_conn *c, const char *sql, size_t start_at, qp_stmt_cb cb,
	                   void *payload, qp_tail_cb tail, qp_exec_error *err);
	/* Runs a query and appends the first column of every row (NULL -> ""). */
	int (*query_strings)(qp_strlist *out, qp_conn *c, const char *sql, qp_exec_error *err);
	/* Does the table exist? schema may be NULL (PG: search_path; SQLite: main). */
	int (*table_exists)(int *out, qp_conn *c, const char *schema, const char *table);

	int (*begin)(qp_conn *c, qp_exec_error *err);   /* SQLite: BEGIN IMMEDIATE */
	/* Begins a transaction and runs a query in it as query_strings does, in
	 * one round trip where the database is a server. On failure the
	 * transaction may be open: the caller rolls back. */
	int (*begin_query)(qp_strlist *out, qp_conn *c, const char *sql, qp_exec_error *err);
	int (*commit)(qp_conn *c, qp_exec_error *err);
	int (*rollback)(qp_conn *c);                    /* best effort */

	/* Takes the runner lock named by key for the whole session. timeout_s
	 * <= 0 waits for ever; on timeout QUIPU_ELOCKED with who holds it where
	 * the server can tell. `waiting` (may be NULL) is called once if the lock
	 * is busy. SQLite: sets the busy timeout (transactions do the locking). */
	int (*lock)(qp_conn *c, const char *key, double timeout_s,
	            void (*waiting)(void *payload), void *payload);
	void (*unlock)(qp_conn *c, const char *key);
	/* The database user name (for the log), borrowed. */
	const char *(*user)(qp_conn *c);
	/* Runs one query and calls cb for every row, all columns as text (the
	 * schema introspection's catalog reads). On failure fills *err. */
	int (*query_each)(qp_conn *c, const char *sql, qp_row_cb cb, void *payload, qp_exec_error *err);
} qp_driver;

extern const qp_driver qp_driver_pg;
/* PostgreSQL only: opens another connection with the parameters c was
 * opened with (the schema introspection reads on two at once). */
int qp_pg_connect_more(qp_conn **out, qp_conn *c);
extern const qp_driver qp_driver_sqlite;

/* The driver for a URL kind, or NULL (QUIPU_ECONFIG set) for one not built in. */
const qp_driver *qp_driver_for(qp_dbkind kind);

/* 1-based line of byte `offset` in text (counting from line `first`). */
int qp_line_at(const char *text, size_t offset, int first);

#endif
