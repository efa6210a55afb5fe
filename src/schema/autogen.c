/*
 * autogen.c: quipu_autogenerate(): the desired schema (the models, read
 * through a scratch database: scratch.c) against the current one (the live
 * database at head, or the revisions replayed into another scratch
 * database), both read by the same introspection, then diffed both ways
 * (DESIGN §6).
 *
 * Against the live database, PostgreSQL models are parsed (parse_pg.c) on
 * a second thread while this one reads the live schema: that read mostly
 * waits for the server, the parse is all CPU, so the two overlap. The two
 * directions (upgrade, downgrade) only read both models, so the downgrade
 * is diffed on a second thread too.
 */
#include "schema/diff.h"
#include "schema/scratch.h"
#include "util/err.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

/* ---- the current state ------------------------------------------------ */

static int rows_are_heads(int *out, const qp_strlist *rows, const quipu_project *p)
{
	quipu_revlist heads = {0};
	size_t i;
	int error;

	*out = 0;
	if ((error = quipu_heads(&heads, p)) < 0)
		return error;
	if (heads.count == rows->count) {
		*out = 1;
		for (i = 0; i < heads.count && *out; i++)
			*out = qp_strlist_contains(rows, heads.items[i]->id);
	}
	quipu_revlist_free(&heads);
	return 0;
}

static int not_up_to_date(const quipu_project *p, quipu_db *db)
{
	quipu_plan *plan = NULL;
	qp_buf b = QP_BUF_INIT;
	size_t i, n;
	int error;

	qp_buf_puts(&b, "Target database is not up to date.");
	if (quipu_plan_upgrade(&plan, p, db, "heads") == 0 && (n = quipu_plan_count(plan)) > 0) {
		qp_buf_puts(&b, "\nPending revision");
		qp_buf_puts(&b, n == 1 ? ": " : "s: ");
		for (i = 0; i < n; i++) {
			const quipu_step *st = quipu_plan_step(plan, i);
			qp_buf_printf(&b, "%s%s (%s)", i ? ", " : "", st->rev->id, st->rev->message);
		}
	} else {
		quipu_error_clear();
	}
	qp_buf_puts(&b, "\nRun `quipu upgrade heads` first, or compare the models with the revisions instead "
	                "of the database: --from-migrations.");
	error = qp_error_set(QUIPU_ESTATE, "%s", b.oom ? "Target database is not up to date." : qp_buf_cstr(&b));
	quipu_plan_free(plan);
	qp_buf_release(&b);
	return error;
}

static int replay_history(quipu_db *db, const quipu_project *p)
{
	quipu_plan *plan = NULL;
	quipu_apply_opts ao = QUIPU_APPLY_OPTS_INIT;
	int error;

	if (quipu_revision_count(p) == 0)
		return 0;
	if ((error = quipu_plan_upgrade(&plan, p, db, "heads")) < 0)
		goto done;
	if ((error = quipu_apply(db, p, plan, &ao)) < 0)
		error = qp_error_prefix("--from-migrations: replaying the revisions into a scratch database failed");
done:
	quipu_plan_free(plan);
	return error;
}

/* ---- the models, parsed beside the introspection ----------------------- */

static void *models_thread(void *arg)
{
	/* no pg_query_exit(): libpg_query frees the thread's parser memory
	 * when the thread ends, and calling it too frees that memory twice */
	qp_models_run(arg);
#ifdef __GLIBC__
	/* The parse's scratch (its side tables, each statement's tree) was
	 * freed in this thread's malloc arena, which the reading of the live
	 * schema on the main thread does not reuse: give its pages back now
	 * rather than hold them through that read and the diff. */
	malloc_trim(0);
#endif
	return NULL;
}

/* ---- the downgrade, diffed beside the upgrade --------------------------- */

typedef struct down_job {
	qp_buf *sql;                 /* borrowed: the downgrade's SQL */
	const qp_model *from, *to;   /* borrowed, read only */
	const qp_rename *renames;    /* borrowed */
	size_t n_renames;
	int error;                   /* < 0 on failure */
	char *message;               /* on failure: the error's message (owned) */
} down_job;

static void down_run(down_job *j)
{
	const quipu_error *e;

	if ((j->error = qp_schema_migrate(j->sql, NULL, NULL, j->from, j->to, j->renames, j->n_renames)) < 0) {
		e = quipu_error_last();
		j->message = strdup(e && e->message ? e->message : "out of memory");
	}
}

static void *down_thread(void *arg)
{
	down_run(arg);
	return NULL;
}

/* Both directions: up on this thread, down on another (inline when no
 * thread can be made). The upgrade's error is reported first, as when
 * they ran one after the other. */
static int migrate_both(qp_buf *up, qp_buf *down, qp_strlist *warnings, qp_strlist *changes, const qp_model *cur,
                        const qp_model *want, const qp_rename *fwd, const qp_rename *back, size_t n_renames)
{
	down_job j = {down, want, cur, back, n_renames, 0, NULL};
	pthread_t th;
	int threaded = pthread_create(&th, NULL, down_thread, &j) == 0;
	int error = qp_schema_migrate(up, warnings, changes, cur, want, fwd, n_renames);

	if (threaded)
		pthread_join(th, NULL);
	else if (error == 0)
		down_run(&j);
	if (error == 0 && j.error < 0)
		error = j.message ? qp_error_set(j.error, "%s", j.message) : qp_error_oom();
	free(j.message);
	return error;
}

/* ---- the entry point -------------------------------------------------- */

static int take_list(char ***items, size_t *n, qp_strlist *l)
{
	*items = l->items;
	*n = l->count;
	l->items = NULL;
	l->count = l->cap = 0;
	return 0;
}

int quipu_autogenerate(quipu_autogen **out, const quipu_project *p, quipu_db *db, const quipu_autogen_opts *opts)
{
	quipu_autogen_opts none = QUIPU_AUTOGEN_OPTS_INIT;
	quipu_autogen *res = NULL;
	qp_scratch cur_db;
	qp_model cur = QP_MODEL_INIT, want = QP_MODEL_INIT;
	qp_introspect_opts io = {NULL, NULL};
	qp_strlist rows = QP_STRLIST_INIT, warnings = QP_STRLIST_INIT,
	           changes = QP_STRLIST_INIT;
	qp_buf up = QP_BUF_INIT, down = QP_BUF_INIT;
	qp_exec_error xe = {0};
	qp_arena arena = QP_ARENA_INIT;
	qp_rename *fwd = NULL, *back = NULL;
	qp_models_job job;
	pthread_t th;
	size_t i;
	int error = 0, at_head, prepared = 0, threaded = 0;

	*out = NULL;
	memset(&cur_db, 0, sizeof(cur_db));
	if (!opts)
		opts = &none;
	io.version_table = p->cfg.version_table;
	io.version_schema = p->cfg.version_table_schema;

	if (opts->n_renames) {
		fwd = calloc(opts->n_renames, sizeof(*fwd));
		back = calloc(opts->n_renames, sizeof(*back));
		if (!fwd || !back) {
			error = qp_error_oom();
			goto done;
		}
		for (i = 0; i < opts->n_renames; i++) {
			if ((error = qp_rename_parse(&fwd[i], &arena, opts->renames[i])) < 0)
				goto done;
			back[i] = fwd[i];
			back[i].from = fwd[i].to;
			back[i].to = fwd[i].from;
		}
	}

	/* the current state */
	if (opts->from_migrations) {
		if ((error = qp_scratch_open(&cur_db, p, db)) < 0 || (error = replay_history(cur_db.db, p)) < 0 ||
		    (error = qp_introspect(&cur, cur_db.db->drv, cur_db.db->conn, &io)) < 0)
			goto done;
		if ((error = qp_scratch_close(&cur_db, 0)) < 0)
			goto done;
	} else {
		if ((error = qp_db_read_rows(&rows, db, &p->cfg, &xe)) < 0 || (error = rows_are_heads(&at_head, &rows, p)) < 0)
			goto done;
		if (!at_head) {
			error = not_up_to_date(p, db);
			goto done;
		}
		if ((error = qp_models_prepare(&job, p, db, &io)) < 0)
			goto done;
		prepared = 1;
		threaded = job.parse && pthread_create(&th, NULL, models_thread, &job) == 0;
		error = qp_introspect(&cur, db->drv, db->conn, &io);
		if (threaded) {
			pthread_join(th, NULL);
			threaded = 0;
		} else if (error == 0) {
			qp_models_run(&job);
		}
		if (error < 0)
			goto done;
	}

	/* the desired state */
	if ((error = prepared ? qp_models_finish(&want, &job, p, db, &io) : qp_models_read(&want, p, db, &io)) < 0)
		goto done;

	/* PostgreSQL's rendering of an expression is not always a fixed point:
	 * `plan IN ('a', 'b')` on a varchar column reads back as one form, and
	 * that form, run again, as another. The database was made from rendered
	 * text, so when the two differ the desired schema is rendered once more
	 * before being compared. */
	if (want.dialect == QP_DIALECT_PG && cur.n_objs > 0 && (error = qp_model_rerender(&want, p, db, &cur, &io)) < 0)
		goto done;

	/* both ways */
	if ((error = migrate_both(&up, &down, &warnings, &changes, &cur, &want, fwd, back, opts->n_renames)) < 0)
		goto done;
	if (!(res = calloc(1, sizeof(*res)))) {
		error = qp_error_oom();
		goto done;
	}
	if (up.oom || down.oom || !(res->upgrade_sql = qp_buf_detach(&up)) || !(res->downgrade_sql = qp_buf_detach(&down))) {
		error = qp_error_oom();
		goto done;
	}
	take_list(&res->changes, &res->n_changes, &changes);
	take_list(&res->warnings, &res->n_warnings, &warnings);
	*out = res;
	res = NULL;
done:
	if (prepared)
		qp_models_job_release(&job);
	if (cur_db.db || cur_db.name)
		qp_scratch_close(&cur_db, error < 0);
	quipu_autogen_free(res);
	qp_model_release(&cur);
	qp_model_release(&want);
	qp_strlist_release(&rows);
	qp_strlist_release(&warnings);
	qp_strlist_release(&changes);
	qp_buf_release(&up);
	qp_buf_release(&down);
	qp_exec_error_release(&xe);
	qp_arena_release(&arena);
	free(fwd);
	free(back);
	return error;
}

void quipu_autogen_free(quipu_autogen *a)
{
	if (!a)
		return;
	free(a->upgrade_sql);
	free(a->downgrade_sql);
	quipu_strings_free(a->changes, a->n_changes);
	quipu_strings_free(a->warnings, a->n_warnings);
	free(a);
}
