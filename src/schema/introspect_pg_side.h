/*
 * introspect_pg_side.h: catalog queries read on a second PostgreSQL
 * connection while the first reads the others (private to introspect_pg.c).
 *
 * The first connection exports its snapshot (pg_export_snapshot()), the
 * second imports it (SET TRANSACTION SNAPSHOT), so both read the same
 * catalogs, as pg_dump -j does, and two server backends work at once. A
 * thread runs the side queries in order and keeps each one's rows packed in
 * memory; the caller takes them query by query on its own thread, so the
 * model is built by one thread only. When the second connection fails at
 * any point, the queries it did not finish are reported as not read and the
 * caller runs them on the first connection (same snapshot, same rows).
 */
#ifndef QP_SCHEMA_INTROSPECT_PG_SIDE_H
#define QP_SCHEMA_INTROSPECT_PG_SIDE_H

#include "drivers/driver.h"

typedef struct qp_pgside qp_pgside;

/* Starts reading sqls[0..n) (the strings borrowed until qp_pgside_end, the
 * array copied) on conn (taken over: closed by qp_pgside_end, or here on
 * failure) in a REPEATABLE READ READ ONLY transaction that imports
 * `snapshot` and then runs `setup` (e.g. "SET LOCAL search_path = public").
 * NULL (no error set) when it cannot start: the caller reads everything
 * itself. */
qp_pgside *qp_pgside_start(const qp_driver *drv, qp_conn *conn, const char *snapshot, const char *setup,
                           const char *const *sqls, size_t n);

/* Passes query i's rows to cb, waiting for them; queries are taken in
 * order, each once. 1: done; 0: the second connection could not read it
 * (the caller runs it itself); < 0: cb's error (the rest is dropped). */
int qp_pgside_rows(qp_pgside *s, size_t i, qp_row_cb cb, void *payload);

/* Has the second connection finished query i (qp_pgside_rows will not
 * wait)? */
int qp_pgside_ready(qp_pgside *s, size_t i);

/* Stops the thread at its next row, waits for it, closes the connection
 * (ending its transaction) and frees everything. NULL is fine. */
void qp_pgside_end(qp_pgside *s);

#endif
