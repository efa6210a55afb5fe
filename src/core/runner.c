/*
 * runner.c: running a plan against a database (quipu_apply).
 *
 * The shape of a run:
 *   lock (PostgreSQL: a session advisory lock for the whole run; SQLite: the
 *   busy timeout, each write transaction being the lock)
 *   re-read the version rows; re-plan if another runner moved them
 *   for each step:
 *     BEGIN (per revision, or once for transaction_per_migration = false)
 *     check the rows are still what the plan expects (else re-plan)
 *     create the version table if it is missing
 *     run the section's statements, then the version-table statements
 *     COMMIT, report the time it took
 *   unlock
 * A `transaction:false` section runs its statements one by one outside any
 * transaction; its version-table change follows in a transaction of its own.
 */
#include "core/project.h"
#include "core/vlog.h"
#include "util/err.h"
#include "util/misc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_REPLANS 1000

typedef struct run {
	quipu_db *db;                 /* borrowed */
	const quipu_project *p;       /* borrowed */
	const quipu_apply_opts *opts; /* borrowed */
	int per_migration;            /* a transaction per revision */
	int in_tx;                    /* a transaction is open */
	int vt_exists;                /* the version table is known to exist in this transaction's view */
	qp_strlist rows;              /* the version rows as they stand (owned) */
	qp_strlist committed_rows;    /* the rows as last committed (owned) */
	/* One-transaction mode: the bookkeeping of the revisions run since the
	 * version table was last written, sent once before the commit (no
	 * other session can see the steps between, so only the net change and
	 * the log rows are written). */
	size_t n_pending;             /* revisions waiting */
	qp_strlist pending_from;      /* the rows before the first of them (owned) */
	qp_buf pending_log;           /* their log rows, "(...), (...)" (owned) */
} run;

static void drop_pending(run *r)
{
	r->n_pending = 0;
	qp_strlist_release(&r->pending_from);
	qp_buf_truncate(&r->pending_log, 0);
}

static void emit(run *r, quipu_event *ev)
{
	if (r->opts->progress)
		r->opts->progress(ev, r->opts->payload);
}

static void info(run *r, const char *message)
{
	quipu_event ev = {0};
	ev.kind = QUIPU_EVENT_INFO;
	ev.message = message;
	emit(r, &ev);
}

static void waiting(void *payload)
{
	run *r = payload;
	quipu_event ev = {0};
	ev.kind = QUIPU_EVENT_WAIT_LOCK;
	ev.message = "another quipu run holds the migration lock; waiting for it";
	emit(r, &ev);
}

static int copy_rows(qp_strlist *dst, const qp_strlist *src)
{
	size_t i;
	qp_strlist_release(dst);
	for (i = 0; i < src->count; i++)
		if (qp_strlist_add(dst, src->items[i]) < 0)
			return QUIPU_ENOMEM;
	return 0;
}

static int same_rows(const qp_strlist *a, const qp_strlist *b)
{
	size_t i;
	if (a->count != b->count)
		return 0;
	for (i = 0; i < a->count; i++)
		if (!qp_strlist_contains(b, a->items[i]))
			return 0;
	return 1;
}

/* "a, b" or "<base>" (caller frees). */
static char *rows_text(const qp_strlist *rows)
{
	qp_strlist sorted = QP_STRLIST_INIT;
	char *s;
	if (!rows->count)
		return strdup("<base> (no revision applied)");
	if (copy_rows(&sorted, rows) < 0)
		return NULL;
	qp_strlist_sort(&sorted);
	s = qp_strlist_join(&sorted, ", ");
	qp_strlist_release(&sorted);
	return s;
}

/* Replaces every occurrence of the URL's password in b with ***. */
static void scrub(qp_buf *b, const quipu_db *db)
{
	const char *pw = db->url.password;
	size_t pl;
	char *hit;

	if (!pw || !*pw || !b->ptr)
		return;
	pl = strlen(pw);
	while ((hit = strstr(b->ptr, pw)) != NULL) {
		qp_buf out = QP_BUF_INIT;
		qp_buf_put(&out, b->ptr, (size_t)(hit - b->ptr));
		qp_buf_puts(&out, "***");
		qp_buf_puts(&out, hit + pl);
		qp_buf_release(b);
		*b = out;
	}
}

static int sql_error(run *r, const char *what, const qp_exec_error *xe)
{
	qp_buf b = QP_BUF_INIT;
	int code = xe->connection_lost ? QUIPU_ECONNECT : QUIPU_ESQL;

	qp_buf_printf(&b, "%s: %s", what, xe->message ? xe->message : "unknown error");
	if (xe->detail)
		qp_buf_printf(&b, "\n  detail: %s", xe->detail);
	if (xe->hint)
		qp_buf_printf(&b, "\n  hint: %s", xe->hint);
	scrub(&b, r->db);
	qp_error_set(code, "%s", qp_buf_cstr(&b));
	qp_buf_release(&b);
	return code;
}

static int exec_sql(run *r, const char *sql, const char *what)
{
	qp_exec_error xe = {0};
	int error = r->db->drv->exec(r->db->conn, sql, &xe);
	if (error < 0)
		error = sql_error(r, what, &xe);
	qp_exec_error_release(&xe);
	return error;
}

static int begin(run *r)
{
	qp_exec_error xe = {0};
	int error = r->db->drv->begin(r->db->conn, &xe);
	if (error < 0)
		error = sql_error(r, "cannot begin a transaction", &xe);
	else
		r->in_tx = 1;
	qp_exec_error_release(&xe);
	return error;
}

static int flush_pending(run *r);

static int commit(run *r)
{
	qp_exec_error xe = {0};
	int error;

	if (r->n_pending && (error = flush_pending(r)) < 0)
		return error;
	error = r->db->drv->commit(r->db->conn, &xe);
	r->in_tx = 0;
	if (error < 0)
		error = sql_error(r, "COMMIT failed", &xe);
	else
		error = copy_rows(&r->committed_rows, &r->rows);
	qp_exec_error_release(&xe);
	return error;
}

static void rollback(run *r)
{
	if (r->in_tx)
		r->db->drv->rollback(r->db->conn);
	drop_pending(r);
	r->in_tx = 0;
	r->vt_exists = 0;
	copy_rows(&r->rows, &r->committed_rows);
}

/* Reads the rows into *out. */
static int read_rows(run *r, qp_strlist *out)
{
	qp_exec_error xe = {0};
	int error;

	qp_strlist_release(out);
	error = qp_db_read_rows(out, r->db, &r->p->cfg, &xe);
	qp_exec_error_release(&xe);
	return error;
}

/*
 * Begins a revision's transaction and reads the version rows in it into
 * *now (sorted). Once the version table is known to exist the two go to the
 * server as one query (driver begin_query): the check that the rows are
 * still the planned ones costs no round trip of its own.
 */
static int begin_and_read(run *r, qp_strlist *now)
{
	qp_buf sql = QP_BUF_INIT;
	qp_exec_error xe = {0};
	int error;

	if (!r->vt_exists) {
		if ((error = begin(r)) < 0)
			return error;
		return read_rows(r, now);
	}
	qp_strlist_release(now);
	qp_buf_puts(&sql, "SELECT version_num FROM ");
	qp_version_table_sql(&sql, &r->p->cfg);
	if (sql.oom)
		return qp_error_oom();
	/* on failure the transaction may be open: the caller's rollback ends it */
	r->in_tx = 1;
	if ((error = r->db->drv->begin_query(now, r->db->conn, qp_buf_cstr(&sql), &xe)) < 0)
		error = sql_error(r, "cannot begin a transaction and read the version table", &xe);
	else
		qp_strlist_sort(now);
	qp_exec_error_release(&xe);
	qp_buf_release(&sql);
	return error;
}

static int ensure_version_table(run *r)
{
	qp_buf sql = QP_BUF_INIT;
	int exists = 0, error;

	if (r->vt_exists)
		return 0;
	if ((error = r->db->drv->table_exists(&exists, r->db->conn, r->p->cfg.version_table_schema,
	                                      r->p->cfg.version_table)) < 0)
		return error;
	if (!exists) {
		/* Alembic's table, bit for bit. */
		qp_buf_puts(&sql, "CREATE TABLE ");
		qp_version_table_sql(&sql, &r->p->cfg);
		qp_buf_puts(&sql, " (version_num VARCHAR(32) NOT NULL, CONSTRAINT ");
		{
			qp_buf pk = QP_BUF_INIT;
			qp_buf_printf(&pk, "%s_pkc", r->p->cfg.version_table);
			qp_buf_put_ident(&sql, qp_buf_cstr(&pk));
			qp_buf_release(&pk);
		}
		qp_buf_puts(&sql, " PRIMARY KEY (version_num))");
		if (sql.oom)
			return qp_error_oom();
		error = exec_sql(r, qp_buf_cstr(&sql), "cannot create the version table");
		qp_buf_release(&sql);
		if (error < 0)
			return error;
	}
	if ((error = qp_log_ensure(r->db, &r->p->cfg)) < 0)
		return error;
	r->vt_exists = 1;
	return 0;
}

/* Appends the SQL of one version-table operation. */
static void vop_sql(qp_buf *out, const qp_config *cfg, const qp_vop *op)
{
	switch (op->kind) {
	case QP_VOP_INSERT:
		qp_buf_puts(out, "INSERT INTO ");
		qp_version_table_sql(out, cfg);
		qp_buf_puts(out, " (version_num) VALUES (");
		qp_buf_put_literal(out, op->to);
		qp_buf_puts(out, ")");
		break;
	case QP_VOP_DELETE:
		qp_buf_puts(out, "DELETE FROM ");
		qp_version_table_sql(out, cfg);
		qp_buf_puts(out, " WHERE version_num = ");
		qp_buf_put_literal(out, op->from);
		break;
	case QP_VOP_UPDATE:
		qp_buf_puts(out, "UPDATE ");
		qp_version_table_sql(out, cfg);
		qp_buf_puts(out, " SET version_num=");
		qp_buf_put_literal(out, op->to);
		qp_buf_puts(out, " WHERE version_num = ");
		qp_buf_put_literal(out, op->from);
		break;
	}
}

/* Appends the version-table change of one step and, when `log` is given,
 * its log row; r->rows becomes the rows after the step. */
static int version_ops_sql(qp_buf *sql, run *r, const qp_step *gs, const qp_log_entry *log)
{
	qp_vops ops = QP_VOPS_INIT;
	size_t i;
	int error;

	if ((error = qp_graph_version_ops(&ops, &r->p->graph, &r->rows, gs)) < 0)
		goto done;
	for (i = 0; i < ops.count; i++) {
		vop_sql(sql, &r->p->cfg, qp_vops_at(&ops, i));
		qp_buf_puts(sql, ";\n");
	}
	if (log)
		qp_log_insert_sql(sql, &r->p->cfg, log);
	if (sql->oom)
		error = qp_error_oom();
done:
	qp_vops_release(&ops);
	return error;
}

/* The version-table change of a transaction:false step, as its own query
 * (its log row is updated apart). */
static int apply_version_ops(run *r, const qp_step *gs)
{
	qp_buf sql = QP_BUF_INIT;
	int error;

	if ((error = ensure_version_table(r)) < 0)
		return error;
	if ((error = version_ops_sql(&sql, r, gs, NULL)) == 0 && sql.len)
		error = exec_sql(r, qp_buf_cstr(&sql), "cannot update the version table");
	qp_buf_release(&sql);
	return error;
}

/* Writes the waiting revisions' bookkeeping: the version table's net change
 * from pending_from to the rows now (one UPDATE when one row moves) and
 * their log rows in one INSERT; one query. */
static int flush_pending(run *r)
{
	qp_buf sql = QP_BUF_INIT;
	qp_strlist gone = QP_STRLIST_INIT, came = QP_STRLIST_INIT;
	size_t i;
	int error = 0;

	for (i = 0; i < r->pending_from.count && !error; i++)
		if (!qp_strlist_contains(&r->rows, r->pending_from.items[i]))
			error = qp_strlist_add(&gone, r->pending_from.items[i]);
	for (i = 0; i < r->rows.count && !error; i++)
		if (!qp_strlist_contains(&r->pending_from, r->rows.items[i]))
			error = qp_strlist_add(&came, r->rows.items[i]);
	if (error)
		goto done;
	if (gone.count == 1 && came.count == 1) {
		qp_vop op = {QP_VOP_UPDATE, gone.items[0], came.items[0]};
		vop_sql(&sql, &r->p->cfg, &op);
		qp_buf_puts(&sql, ";\n");
	} else {
		for (i = 0; i < gone.count; i++) {
			qp_vop op = {QP_VOP_DELETE, gone.items[i], NULL};
			vop_sql(&sql, &r->p->cfg, &op);
			qp_buf_puts(&sql, ";\n");
		}
		for (i = 0; i < came.count; i++) {
			qp_vop op = {QP_VOP_INSERT, NULL, came.items[i]};
			vop_sql(&sql, &r->p->cfg, &op);
			qp_buf_puts(&sql, ";\n");
		}
	}
	qp_log_insert_head_sql(&sql, &r->p->cfg);
	qp_buf_put(&sql, r->pending_log.ptr, r->pending_log.len);
	if (sql.oom || r->pending_log.oom) {
		error = qp_error_oom();
		goto done;
	}
	error = exec_sql(r, qp_buf_cstr(&sql), "cannot update the version table and its log");
	if (!error)
		drop_pending(r);
done:
	qp_strlist_release(&gone);
	qp_strlist_release(&came);
	qp_buf_release(&sql);
	return error;
}

/* One-transaction mode: a revision's bookkeeping waits for the commit. */
static int defer_bookkeeping(run *r, const qp_step *gs, const qp_log_entry *le)
{
	qp_vops ops = QP_VOPS_INIT;
	int error;

	if (!r->n_pending && (error = copy_rows(&r->pending_from, &r->rows)) < 0)
		return error;
	/* the rows after the step (the ops themselves are not sent) */
	if ((error = qp_graph_version_ops(&ops, &r->p->graph, &r->rows, gs)) < 0)
		goto done;
	if (r->n_pending)
		qp_buf_puts(&r->pending_log, ", ");
	qp_log_values_sql(&r->pending_log, le);
	if (r->pending_log.oom) {
		error = qp_error_oom();
		goto done;
	}
	r->n_pending++;
done:
	qp_vops_release(&ops);
	return error;
}

/* "e8a14672d2af -> 3f2a9c1b7d4e" as Alembic logs a step. */
static void step_names(qp_buf *from, qp_buf *to, const quipu_step *st)
{
	const quipu_revinfo *ri = st->rev;
	size_t i;
	qp_buf *down = st->direction == QUIPU_UP ? from : to;
	qp_buf *self = st->direction == QUIPU_UP ? to : from;

	for (i = 0; i < ri->n_down; i++) {
		if (i)
			qp_buf_puts(down, ", ");
		qp_buf_puts(down, ri->down[i]);
	}
	if (!ri->n_down)
		qp_buf_puts(down, "");
	qp_buf_puts(self, ri->id);
}

/* The message for a statement that failed inside a revision. */
static int step_error(run *r, const quipu_step *st, const qp_section *sec, const qp_exec_error *xe,
                      const char *state)
{
	const qp_script *s = QP_REV(st->rev)->script;
	qp_buf b = QP_BUF_INIT;
	int code = xe->connection_lost ? QUIPU_ECONNECT : QUIPU_ESQL;

	qp_buf_printf(&b, "%s of revision %s (%s) failed\n",
	              st->direction == QUIPU_UP ? "upgrade" : "downgrade", st->rev->id, st->rev->message);
	qp_buf_printf(&b, "  at %s:%d\n", s->path, sec->line + xe->line - 1);
	if (xe->statement)
		qp_buf_printf(&b, "  statement: %s\n", xe->statement);
	qp_buf_printf(&b, "  error: %s\n", xe->message ? xe->message : "unknown error");
	if (xe->detail)
		qp_buf_printf(&b, "  detail: %s\n", xe->detail);
	if (xe->hint)
		qp_buf_printf(&b, "  hint: %s\n", xe->hint);
	if (xe->connection_lost)
		qp_buf_puts(&b, "The connection to the server was lost during the revision; the server rolls back "
		                "an unfinished transaction, so re-run the command once the server is back "
		                "(`quipu current` shows the state).\n");
	if (xe->duplicate_object && st->direction == QUIPU_UP)
		qp_buf_printf(&b, "The object already exists: the database was probably created outside quipu "
		                  "(by create_all, by hand, or by another tool). If it already has this revision's "
		                  "schema, record that with `quipu stamp %s` and carry on; otherwise drop those "
		                  "objects first.\n", st->rev->id);
	qp_buf_puts(&b, state);
	scrub(&b, r->db);
	qp_error_set(code, "%s", qp_buf_cstr(&b));
	qp_buf_release(&b);
	return code;
}

/* exec_script's payload: for a transaction:false section the log row
 * updated after each statement; for a transactional one the bookkeeping
 * (version-table change and log row) sent with the last statement. */
typedef struct progress {
	run *r;
	long log_id;
	const qp_step *gs;
	qp_log_entry *le;  /* the log row, duration filled in by the tail */
	double t0;
} progress;

/* The bookkeeping of a transactional step, asked for by the driver when it
 * sends the section's last statement (or after it, in process): one query
 * with that statement, so no round trip of its own. The duration is the
 * time so far plus, where the tail travels with the last statement, the
 * server's count of that statement's time (driver elapsed_sql). */
static int bookkeeping_tail(qp_buf *out, void *payload)
{
	progress *pr = payload;

	pr->le->duration_ms = qp_now_ms() - pr->t0;
	pr->le->duration_sql = pr->r->db->drv->elapsed_sql;
	return version_ops_sql(out, pr->r, pr->gs, pr->le);
}

static int statement_done(size_t index, int line, void *payload)
{
	progress *pr = payload;
	(void)line;
	return qp_log_update(pr->r->db, &pr->r->p->cfg, pr->log_id, "running", (long)index + 1, -1);
}

/* Runs a section; with `tail` set, a transactional one carries its step's
 * bookkeeping (pr) with its last statement. */
static int run_section(run *r, const quipu_step *st, const qp_section *sec, size_t start_at, progress *pr,
                       int tail)
{
	const qp_script *s = QP_REV(st->rev)->script;
	qp_exec_error xe = {0};
	char *sql = NULL;
	int error;

	if (!(sql = strndup(s->text + sec->offset, sec->length)))
		return qp_error_oom();
	error = r->db->drv->exec_script(r->db->conn, sql, start_at, sec->transaction ? NULL : statement_done, pr,
	                                tail ? bookkeeping_tail : NULL, &xe);
	if (error < 0 && !xe.message && !xe.statement) {
		/* not the server: the progress callback or the driver itself failed */
		free(sql);
		return error;
	}
	if (error < 0 && xe.in_tail) {
		error = sql_error(r, "cannot update the version table and its log", &xe);
	} else if (error < 0) {
		qp_buf state = QP_BUF_INIT;
		char *at = NULL;
		if (!sec->transaction) {
			char *now = rows_text(&r->committed_rows);
			qp_buf_printf(&state, "This section runs outside a transaction (transaction:false): statements 1 to "
			                      "%zu ran and stay applied (recorded in the log); the version table still says "
			                      "%s. Fix the failing statement and run the command again: it continues at "
			                      "statement %zu.",
			              xe.stmt_index, now ? now : "?", xe.stmt_index + 1);
			if (!xe.stmt_index) {
				qp_buf_truncate(&state, 0);
				qp_buf_printf(&state, "This section runs outside a transaction (transaction:false); its first "
				                      "statement failed, so nothing of it ran; the version table still says %s.",
				              now ? now : "?");
			}
			free(now);
		} else if (r->per_migration) {
			at = rows_text(&r->committed_rows);
			qp_buf_printf(&state, "The revision was rolled back: the database is at %s.", at ? at : "?");
		} else {
			at = rows_text(&r->committed_rows);
			qp_buf_printf(&state, "The whole run was one transaction (transaction_per_migration = false) and "
			                      "was rolled back: the database is at %s.", at ? at : "?");
		}
		error = step_error(r, st, sec, &xe, qp_buf_cstr(&state));
		free(at);
		qp_buf_release(&state);
	}
	qp_exec_error_release(&xe);
	free(sql);
	return error;
}

/*
 * Before a transaction:false section: make sure the version table and the
 * log exist (autocommit), then either resume an unfinished run of the same
 * revision and direction (the log's latest row for it says "running") or
 * start a "running" row. *start_at is the first statement to run.
 */
static int start_notx(run *r, const quipu_step *st, const char *sum, const char *started, long *log_id,
                      size_t *start_at)
{
	const char *dir = st->direction == QUIPU_UP ? "upgrade" : "downgrade";
	qp_buf sql = QP_BUF_INIT;
	qp_strlist found = QP_STRLIST_INIT;
	qp_exec_error xe = {0};
	qp_log_entry le = {0};
	int error;

	if (!r->vt_exists &&
	    ((error = begin(r)) < 0 || (error = ensure_version_table(r)) < 0 || (error = commit(r)) < 0))
		goto done;
	qp_buf_puts(&sql, "SELECT CAST(id AS VARCHAR(20)) || ' ' || CAST(statements_done AS VARCHAR(20)) FROM ");
	qp_log_table_sql(&sql, &r->p->cfg);
	qp_buf_puts(&sql, " WHERE revision = ");
	qp_buf_put_literal(&sql, st->rev->id);
	qp_buf_puts(&sql, " AND direction = ");
	qp_buf_put_literal(&sql, dir);
	qp_buf_puts(&sql, " AND id = (SELECT MAX(id) FROM ");
	qp_log_table_sql(&sql, &r->p->cfg);
	qp_buf_puts(&sql, ") AND status = 'running'");
	if (sql.oom) {
		error = qp_error_oom();
		goto done;
	}
	if ((error = r->db->drv->query_strings(&found, r->db->conn, qp_buf_cstr(&sql), &xe)) < 0) {
		error = sql_error(r, "cannot read the applied-revision log", &xe);
		goto done;
	}
	if (found.count) {
		long done_n = 0;
		char msg[200];
		sscanf(found.items[0], "%ld %ld", log_id, &done_n);
		*start_at = done_n > 0 ? (size_t)done_n : 0;
		snprintf(msg, sizeof(msg), "revision %s: an earlier run stopped after statement %ld of its "
		                           "transaction:false section; continuing at statement %ld",
		         st->rev->id, done_n, done_n + 1);
		info(r, msg);
		goto done;
	}
	le.revision = st->rev->id;
	le.direction = dir;
	le.checksum = sum;
	le.started_at = started;
	le.db_user = r->db->drv->user(r->db->conn);
	le.status = "running";
	error = qp_log_insert(log_id, r->db, &r->p->cfg, &le);
done:
	qp_exec_error_release(&xe);
	qp_strlist_release(&found);
	qp_buf_release(&sql);
	return error;
}

/* Runs one step. Returns 1 when the rows moved under us (re-plan). */
static int run_step(run *r, const quipu_step *st)
{
	qp_rev *rev = QP_REV(st->rev);
	const qp_section *sec = st->direction == QUIPU_UP ? &rev->script->up : &rev->script->downgrade;
	qp_step gs = {rev, st->direction == QUIPU_UP ? 1 : -1};
	qp_strlist now = QP_STRLIST_INIT;
	qp_buf from = QP_BUF_INIT, to = QP_BUF_INIT;
	quipu_event ev = {0};
	char sum[65], started[40];
	qp_log_entry le = {0};
	progress pr = {0};
	long log_id = 0;
	size_t start_at = 0;
	double t0;
	int error = 0, opened = 0, tail, defer;

	if (st->direction == QUIPU_DOWN && !sec->present) {
		return qp_error_set(QUIPU_EUSAGE,
		                    "revision %s (%s) cannot be downgraded: %s has no `-- migrate:downgrade` section; "
		                    "add one (it may be empty) or stop the downgrade above it",
		                    rev->info.id, rev->info.message, rev->script->path);
	}
	step_names(&from, &to, st);
	ev.step = st;
	ev.from = qp_buf_cstr(&from);
	ev.to = qp_buf_cstr(&to);

	t0 = qp_now_ms();
	if (!r->in_tx && sec->transaction) {
		if ((error = begin_and_read(r, &now)) < 0)
			goto done;
		opened = 1;
	} else if (r->in_tx && !sec->transaction) {
		/* one-transaction mode meets a transaction:false section: commit
		 * what ran so far, as Alembic's autocommit_block does */
		info(r, "committing before a transaction:false section");
		if ((error = commit(r)) < 0)
			goto done;
	}
	if (opened) {
		/* inside our transaction: are the rows still the ones we planned from? */
		if (!same_rows(&now, &r->rows)) {
			rollback(r);
			error = 1;
			goto done;
		}
	}

	if ((error = qp_sha256_hex(sum, rev->script->text, rev->script->text_len)) < 0)
		goto done;
	qp_log_now(started);
	if (!sec->transaction && (error = start_notx(r, st, sum, started, &log_id, &start_at)) < 0)
		goto done;

	le.revision = rev->info.id;
	le.direction = st->direction == QUIPU_UP ? "upgrade" : "downgrade";
	le.checksum = sum;
	le.started_at = started;
	le.db_user = r->db->drv->user(r->db->conn);
	le.status = "done";
	pr.r = r;
	pr.log_id = log_id;
	pr.gs = &gs;
	pr.le = &le;
	pr.t0 = t0;
	/* Once the version table is known to exist, the bookkeeping travels
	 * with the section's last statement (a transaction per revision) or
	 * waits for the commit (one transaction: flush_pending). Before that
	 * (the first revision of a database) it follows the section, as its
	 * own query: the section may create the version table itself (a
	 * baseline dumped from a database Alembic managed). */
	tail = sec->transaction && r->vt_exists && r->per_migration;
	defer = sec->transaction && r->vt_exists && !r->per_migration;

	ev.kind = QUIPU_EVENT_START;
	emit(r, &ev);
	if ((error = run_section(r, st, sec, start_at, &pr, tail)) < 0)
		goto done;
	if (defer) {
		le.duration_ms = qp_now_ms() - t0;
		if ((error = defer_bookkeeping(r, &gs, &le)) < 0)
			goto done;
	} else if (sec->transaction && !tail) {
		qp_buf sql = QP_BUF_INIT;
		le.duration_ms = qp_now_ms() - t0;
		if ((error = ensure_version_table(r)) == 0 && (error = version_ops_sql(&sql, r, &gs, &le)) == 0)
			error = exec_sql(r, qp_buf_cstr(&sql), "cannot update the version table and its log");
		qp_buf_release(&sql);
		if (error < 0)
			goto done;
	}
	if (!sec->transaction &&
	    ((error = begin(r)) < 0 || (error = apply_version_ops(r, &gs)) < 0 ||
	     (error = qp_log_update(r->db, &r->p->cfg, log_id, "done", -1, qp_now_ms() - t0)) < 0))
		goto done;
	if ((r->per_migration || !sec->transaction) && (error = commit(r)) < 0)
		goto done;
	if (!r->per_migration && !sec->transaction && (error = begin(r)) < 0)
		goto done;

	ev.kind = QUIPU_EVENT_DONE;
	ev.elapsed_ms = qp_now_ms() - t0;
	emit(r, &ev);
done:
	if (error < 0)
		rollback(r);
	qp_strlist_release(&now);
	qp_buf_release(&from);
	qp_buf_release(&to);
	return error;
}

/* A "stamp" row in the log for each revision the stamp records (with its
 * file's checksum, so `validate` accepts a file edited and then re-stamped),
 * or one for "base". */
static int log_stamp(run *r, const quipu_plan *plan)
{
	qp_log_entry le = {0};
	char started[40], sum[65];
	size_t i;
	int error = 0;

	qp_log_now(started);
	le.direction = "stamp";
	le.started_at = started;
	le.db_user = r->db->drv->user(r->db->conn);
	le.status = "done";
	if (!plan->stamp_rows.count) {
		le.revision = "base";
		return qp_log_insert(NULL, r->db, &r->p->cfg, &le);
	}
	for (i = 0; i < plan->stamp_rows.count && !error; i++) {
		qp_rev *rev = qp_map_get(&r->p->graph.by_id, plan->stamp_rows.items[i]);
		le.revision = plan->stamp_rows.items[i];
		le.checksum = NULL;
		if (rev && qp_sha256_hex(sum, rev->script->text, rev->script->text_len) == 0)
			le.checksum = sum;
		error = qp_log_insert(NULL, r->db, &r->p->cfg, &le);
	}
	return error;
}

static int run_stamp(run *r, const quipu_plan *plan)
{
	qp_buf sql = QP_BUF_INIT;
	quipu_event ev = {0};
	char *from = NULL, *to = NULL;
	size_t i;
	int error;

	if ((error = begin(r)) < 0)
		return error;
	if ((error = ensure_version_table(r)) < 0)
		goto done;
	if (plan->purge) {
		qp_buf_puts(&sql, "DELETE FROM ");
		qp_version_table_sql(&sql, &r->p->cfg);
		if ((error = exec_sql(r, qp_buf_cstr(&sql), "cannot purge the version table")) < 0)
			goto done;
		qp_strlist_release(&r->rows);
	}
	from = r->rows.count ? qp_strlist_join(&r->rows, ", ") : strdup("");
	to = qp_strlist_join(&plan->stamp_rows, ", ");
	/* rows that go, then rows that come; a single row moving is an UPDATE */
	if (r->rows.count == 1 && plan->stamp_rows.count == 1) {
		if (strcmp(r->rows.items[0], plan->stamp_rows.items[0])) {
			qp_vop op = {QP_VOP_UPDATE, r->rows.items[0], plan->stamp_rows.items[0]};
			qp_buf_truncate(&sql, 0);
			vop_sql(&sql, &r->p->cfg, &op);
			if ((error = exec_sql(r, qp_buf_cstr(&sql), "cannot update the version table")) < 0)
				goto done;
		}
	} else {
		for (i = 0; i < r->rows.count; i++) {
			qp_vop op = {QP_VOP_DELETE, r->rows.items[i], NULL};
			if (qp_strlist_contains(&plan->stamp_rows, r->rows.items[i]))
				continue;
			qp_buf_truncate(&sql, 0);
			vop_sql(&sql, &r->p->cfg, &op);
			if ((error = exec_sql(r, qp_buf_cstr(&sql), "cannot update the version table")) < 0)
				goto done;
		}
		for (i = 0; i < plan->stamp_rows.count; i++) {
			qp_vop op = {QP_VOP_INSERT, NULL, plan->stamp_rows.items[i]};
			if (qp_strlist_contains(&r->rows, plan->stamp_rows.items[i]))
				continue;
			qp_buf_truncate(&sql, 0);
			vop_sql(&sql, &r->p->cfg, &op);
			if ((error = exec_sql(r, qp_buf_cstr(&sql), "cannot update the version table")) < 0)
				goto done;
		}
	}
	if ((error = log_stamp(r, plan)) < 0)
		goto done;
	if ((error = copy_rows(&r->rows, &plan->stamp_rows)) < 0)
		goto done;
	if ((error = commit(r)) < 0)
		goto done;
	ev.kind = QUIPU_EVENT_STAMP;
	ev.from = from ? from : "";
	ev.to = to ? to : "";
	emit(r, &ev);
done:
	if (error < 0)
		rollback(r);
	free(from);
	free(to);
	qp_buf_release(&sql);
	return error;
}

static int lock_key(qp_buf *key, const qp_config *cfg)
{
	qp_buf_printf(key, "quipu:%s.%s", cfg->version_table_schema ? cfg->version_table_schema : "",
	              cfg->version_table);
	return key->oom ? qp_error_oom() : 0;
}

int quipu_apply(quipu_db *db, const quipu_project *p, const quipu_plan *plan_in,
                const quipu_apply_opts *opts)
{
	quipu_apply_opts defaults = QUIPU_APPLY_OPTS_INIT;
	run r = {0};
	qp_buf key = QP_BUF_INIT;
	quipu_plan *replanned = NULL;
	const quipu_plan *plan = plan_in;
	double timeout;
	size_t i, replans = 0;
	int error, locked = 0;

	if ((error = qp_project_need_sql(p)) < 0)
		return error;
	if (!opts)
		opts = &defaults;
	r.db = db;
	r.p = p;
	r.opts = opts;
	r.per_migration = opts->transaction_per_migration >= 0 ? opts->transaction_per_migration
	                                                       : p->cfg.transaction_per_migration;
	timeout = opts->lock_timeout_s > 0 ? opts->lock_timeout_s : p->cfg.lock_timeout;

	if (plan->offline)
		return qp_error_set(QUIPU_EUSAGE, "an offline (--sql) plan cannot be applied to a database");
	if ((error = lock_key(&key, &p->cfg)) < 0)
		goto done;
	if ((error = db->drv->lock(db->conn, qp_buf_cstr(&key), timeout, waiting, &r)) < 0)
		goto done;
	locked = 1;

replan:
	if ((error = read_rows(&r, &r.rows)) < 0)
		goto done;
	if ((error = copy_rows(&r.committed_rows, &r.rows)) < 0)
		goto done;
	if (!same_rows(&r.rows, &plan->start_rows)) {
		quipu_plan *np = NULL;
		if (++replans > MAX_REPLANS) {
			error = qp_error_set(QUIPU_ESTATE, "the version table keeps changing under this run; "
			                                   "another tool is migrating the same database");
			goto done;
		}
		if ((error = qp_plan_make(&np, p, plan->kind, plan->target, plan->purge,
		                          (const char *const *)r.rows.items, r.rows.count)) < 0)
			goto done;
		quipu_plan_free(replanned);
		plan = replanned = np;
	}

	if (plan->kind == QP_PLAN_STAMP) {
		error = run_stamp(&r, plan);
		goto done;
	}
	if (!plan->count)
		goto done;
	if (!r.per_migration && (error = begin(&r)) < 0)
		goto done;
	if (!r.per_migration) {
		qp_strlist now = QP_STRLIST_INIT;
		if ((error = read_rows(&r, &now)) < 0) {
			qp_strlist_release(&now);
			goto done;
		}
		if (!same_rows(&now, &r.rows)) {
			qp_strlist_release(&now);
			rollback(&r);
			goto replan;
		}
		qp_strlist_release(&now);
	}
	for (i = 0; i < plan->count; i++) {
		error = run_step(&r, &plan->steps[i]);
		if (error == 1) {
			rollback(&r);
			goto replan;
		}
		if (error < 0)
			goto done;
	}
	if (r.in_tx && (error = commit(&r)) < 0)
		goto done;
done:
	if (error < 0 && r.in_tx)
		rollback(&r);
	if (locked)
		db->drv->unlock(db->conn, qp_buf_cstr(&key));
	quipu_plan_free(replanned);
	qp_buf_release(&key);
	qp_strlist_release(&r.rows);
	qp_strlist_release(&r.committed_rows);
	drop_pending(&r);
	qp_buf_release(&r.pending_log);
	return error;
}
