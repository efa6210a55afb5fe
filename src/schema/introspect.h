/*
 * introspect.h: filling a schema model (model.h) from a live connection.
 *
 * Each backend reads its catalogs in a constant number of queries, one per
 * object kind across all tables, never one per table (PostgreSQL: 13, and a
 * 14th when an index or key it meant to write itself needs the server after
 * all; SQLite: 5), so a schema of 10,000 tables costs the same number of
 * round trips as one of 10.
 */
#ifndef QP_SCHEMA_INTROSPECT_H
#define QP_SCHEMA_INTROSPECT_H

#include "drivers/driver.h"
#include "schema/model.h"

typedef struct qp_introspect_opts {
	const char *version_table;   /* skipped, with "<version_table>_log"; NULL: none */
	const char *version_schema;  /* its schema (NULL: the current schema) */
} qp_introspect_opts;

/* Reads the database behind `c` (driver `drv`) into *out, which is
 * initialised here (release it with qp_model_release even on failure).
 * PostgreSQL: system schemas, objects of extensions and the version tables
 * are skipped; reads run in one REPEATABLE READ READ ONLY transaction with
 * search_path = public, so names in public come unqualified. */
int qp_introspect(qp_model *out, const qp_driver *drv, qp_conn *c, const qp_introspect_opts *opts);

int qp_introspect_pg(qp_model *out, const qp_driver *drv, qp_conn *c, const qp_introspect_opts *opts);
/* PostgreSQL: on how many connections the last qp_introspect_pg of this
 * thread read the catalogs. A large schema is read on two at once (a second
 * connection with the same parameters, on the first one's snapshot), a small
 * one, or when the second cannot be opened or share the snapshot, on one;
 * the model is the same. QUIPU_INTROSPECT_CONNECTIONS=1 or 2 in the
 * environment forces one or (where possible) two: tests and the bench. */
int qp_introspect_pg_connections(void);
/* PostgreSQL: how many index and key definitions the last qp_introspect_pg
 * of this thread wrote itself rather than asking pg_get_indexdef() or
 * pg_get_constraintdef() (plain btree indexes, primary keys, unique
 * constraints and foreign keys, written from their columns as the server
 * writes them). QUIPU_INTROSPECT_DEFS=server asks the server for all of
 * them: tests compare the two. */
size_t qp_introspect_pg_defs_written(void);
int qp_introspect_sqlite(qp_model *out, const qp_driver *drv, qp_conn *c, const qp_introspect_opts *opts);

#endif
