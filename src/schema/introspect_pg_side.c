/*
 * introspect_pg_side.c: the second connection's catalog reads (see
 * introspect_pg_side.h).
 *
 * Rows are packed into one growing buffer per query: a row is its column
 * count (uint32), then per column a length (uint32, UINT32_MAX for NULL)
 * and the bytes with a NUL, so the caller gets them back as the C strings
 * query_each would have given it. A query's buffer is freed as soon as its
 * rows have been passed on.
 */
#include "schema/introspect_pg_side.h"
#include "util/buf.h"
#include "util/err.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NUL_LEN UINT32_MAX

typedef struct side_query {
	const char *sql;       /* borrowed */
	qp_buf rows;           /* owned: packed rows */
	int ok;                /* read in full (valid once done) */
	struct qp_pgside *s;   /* back pointer for the row callback */
} side_query;

struct qp_pgside {
	const qp_driver *drv;  /* borrowed */
	qp_conn *conn;         /* owned: the second connection */
	char *begin;           /* owned: BEGIN ...; SET TRANSACTION SNAPSHOT ...; setup */
	side_query *q;         /* owned, n of them */
	size_t n;
	qp_exec_error xe;      /* the thread's last failure (not reported) */
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	size_t n_done;         /* under mu: queries finished, in order */
	atomic_int stop;       /* set by qp_pgside_end */
};

static void put_u32(qp_buf *b, uint32_t v)
{
	qp_buf_put(b, (const char *)&v, sizeof(v));
}

static int pack_row(const char *const *v, size_t n, void *payload)
{
	side_query *q = payload;
	size_t i;

	if (atomic_load_explicit(&q->s->stop, memory_order_relaxed))
		return 1;
	put_u32(&q->rows, (uint32_t)n);
	for (i = 0; i < n; i++) {
		size_t len = v[i] ? strlen(v[i]) : 0;
		put_u32(&q->rows, v[i] ? (uint32_t)len : NUL_LEN);
		if (v[i])
			qp_buf_put(&q->rows, v[i], len + 1);
	}
	return q->rows.oom ? 1 : 0;
}

static void *side_main(void *arg)
{
	qp_pgside *s = arg;
	int ok = s->drv->exec(s->conn, s->begin, &s->xe) == 0;
	size_t i;

	for (i = 0; i < s->n; i++) {
		side_query *q = &s->q[i];
		int done = 0;
		if (ok && !atomic_load(&s->stop)) {
			done = s->drv->query_each(s->conn, q->sql, pack_row, q, &s->xe) == 0 && !q->rows.oom;
			/* after a failure the transaction is aborted: the rest is the caller's */
			ok = done;
		}
		if (!done)
			qp_buf_release(&q->rows);
		pthread_mutex_lock(&s->mu);
		q->ok = done;
		s->n_done = i + 1;
		pthread_cond_broadcast(&s->cv);
		pthread_mutex_unlock(&s->mu);
	}
	/* the errors of this thread are never reported: free its message */
	quipu_error_clear();
	return NULL;
}

/* A snapshot name as the server makes them ("00000003-0000001B-1"): only
 * these characters are ever pasted into SQL. */
static int snapshot_ok(const char *id)
{
	size_t n = strlen(id);

	return n > 0 && n < 64 && strspn(id, "0123456789ABCDEFabcdef-") == n;
}

qp_pgside *qp_pgside_start(const qp_driver *drv, qp_conn *conn, const char *snapshot, const char *setup,
                           const char *const *sqls, size_t n)
{
	qp_pgside *s = NULL;
	qp_buf b = QP_BUF_INIT;
	size_t i;
	int sync = 0;

	if (!snapshot_ok(snapshot) || !(s = calloc(1, sizeof(*s))) || !(s->q = calloc(n ? n : 1, sizeof(*s->q))))
		goto fail;
	s->drv = drv;
	s->n = n;
	for (i = 0; i < n; i++) {
		s->q[i].sql = sqls[i];
		s->q[i].s = s;
	}
	qp_buf_printf(&b, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT '%s'; %s",
	              snapshot, setup);
	if (b.oom)
		goto fail;
	s->begin = qp_buf_detach(&b);
	atomic_init(&s->stop, 0);
	if (pthread_mutex_init(&s->mu, NULL))
		goto fail;
	if (pthread_cond_init(&s->cv, NULL)) {
		pthread_mutex_destroy(&s->mu);
		goto fail;
	}
	sync = 1;
	s->conn = conn;
	if (pthread_create(&s->th, NULL, side_main, s)) {
		s->conn = NULL;
		goto fail;
	}
	return s;
fail:
	qp_buf_release(&b);
	if (s) {
		if (sync) {
			pthread_cond_destroy(&s->cv);
			pthread_mutex_destroy(&s->mu);
		}
		free(s->begin);
		free(s->q);
		free(s);
	}
	drv->close(conn);
	return NULL;
}

int qp_pgside_rows(qp_pgside *s, size_t i, qp_row_cb cb, void *payload)
{
	side_query *q = &s->q[i];
	const char **values = NULL;
	size_t cap = 0, at = 0;
	int ok, error = 0;

	pthread_mutex_lock(&s->mu);
	while (s->n_done <= i)
		pthread_cond_wait(&s->cv, &s->mu);
	ok = q->ok;
	pthread_mutex_unlock(&s->mu);
	if (!ok)
		return 0;
	while (at < q->rows.len) {
		uint32_t ncols, len, j;
		memcpy(&ncols, q->rows.ptr + at, sizeof(ncols));
		at += sizeof(ncols);
		if (ncols > cap) {
			const char **grown = realloc(values, ncols * sizeof(*values));
			if (!grown) {
				error = qp_error_oom();
				goto done;
			}
			values = grown;
			cap = ncols;
		}
		for (j = 0; j < ncols; j++) {
			memcpy(&len, q->rows.ptr + at, sizeof(len));
			at += sizeof(len);
			if (len == NUL_LEN) {
				values[j] = NULL;
			} else {
				values[j] = q->rows.ptr + at;
				at += (size_t)len + 1;
			}
		}
		if ((error = cb(values, ncols, payload)) != 0)
			goto done;
	}
	error = 1;
done:
	free(values);
	qp_buf_release(&q->rows);
	return error;
}

int qp_pgside_ready(qp_pgside *s, size_t i)
{
	int ready;

	pthread_mutex_lock(&s->mu);
	ready = s->n_done > i;
	pthread_mutex_unlock(&s->mu);
	return ready;
}

void qp_pgside_end(qp_pgside *s)
{
	size_t i;

	if (!s)
		return;
	atomic_store(&s->stop, 1);
	pthread_join(s->th, NULL);
	s->drv->close(s->conn);
	for (i = 0; i < s->n; i++)
		qp_buf_release(&s->q[i].rows);
	qp_exec_error_release(&s->xe);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	free(s->begin);
	free(s->q);
	free(s);
}
