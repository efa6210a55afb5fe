/*
 * selftest.c: quipu_test(): every revision upgraded, downgraded and
 * upgraded again on a scratch database (scratch.c), the schema
 * introspected after each step and compared (model.c's canonical dump),
 * then the models compared with the schema at head. The checks people
 * write by hand with pytest-alembic (test_single_head_revision_history,
 * test_upgrade, test_up_down_consistency, test_model_definitions_match_ddl).
 *
 * A difference is reported as the operations that would turn the schema
 * found into the one expected (diff.c's one-line descriptions), which for
 * a downgrade is what its section forgot to undo.
 */
#include "schema/diff.h"
#include "schema/scratch.h"
#include "util/err.h"
#include "util/misc.h"

#include <stdlib.h>
#include <string.h>

typedef struct selftest {
	const quipu_project *p;
	const quipu_test_opts *opts;
	qp_scratch s;
	qp_introspect_opts io;
	const char *where;     /* the scratch database, for messages */
} selftest;

/* ---- comparing two snapshots ------------------------------------------ */

/* *same = 1 when the canonical dumps are equal; else `lines` receives what
 * would turn `found` into `expected` (or, when the diff has no words for
 * it, the first dump lines that differ). */
static int compare(int *same, qp_strlist *lines, const qp_model *found, const qp_model *expected)
{
	qp_buf a = QP_BUF_INIT, b = QP_BUF_INIT, sql = QP_BUF_INIT;
	int error;

	*same = 0;
	if ((error = qp_model_dump(&a, found)) < 0 || (error = qp_model_dump(&b, expected)) < 0)
		goto done;
	if (a.len == b.len && (a.len == 0 || !memcmp(a.ptr, b.ptr, a.len))) {
		*same = 1;
		goto done;
	}
	if ((error = qp_schema_migrate(&sql, NULL, lines, found, expected, NULL, 0)) < 0)
		goto done;
	if (lines->count == 0) {
		/* something the diff does not compare: show the dumps' first difference */
		const char *x = qp_buf_cstr(&a), *y = qp_buf_cstr(&b);
		size_t i = 0, line = 0;
		while (x[i] && x[i] == y[i]) {
			if (x[i] == '\n')
				line = i + 1;
			i++;
		}
		qp_buf_truncate(&sql, 0);
		qp_buf_printf(&sql, "found:    %.*s", (int)strcspn(x + line, "\n"), x + line);
		if (sql.oom || (error = qp_strlist_add(lines, qp_buf_cstr(&sql))) < 0)
			goto done;
		qp_buf_truncate(&sql, 0);
		qp_buf_printf(&sql, "expected: %.*s", (int)strcspn(y + line, "\n"), y + line);
		if (sql.oom || (error = qp_strlist_add(lines, qp_buf_cstr(&sql))) < 0)
			goto done;
	}
	if (sql.oom)
		error = qp_error_oom();
done:
	qp_buf_release(&a);
	qp_buf_release(&b);
	qp_buf_release(&sql);
	return error;
}

/* QUIPU_ETEST: "<head>\n  <line>\n  <line>...\n<fix>" */
static int fail_with(const char *head, const qp_strlist *lines, const char *fix)
{
	qp_buf b = QP_BUF_INIT;
	size_t i;
	int error;

	qp_buf_puts(&b, head);
	for (i = 0; i < lines->count; i++)
		qp_buf_printf(&b, "\n    %s", lines->items[i]);
	if (fix)
		qp_buf_printf(&b, "\n  %s", fix);
	error = qp_error_set(QUIPU_ETEST, "%s", b.oom ? head : qp_buf_cstr(&b));
	qp_buf_release(&b);
	return error;
}

/* ---- one revision ------------------------------------------------------ */

static int snapshot(qp_model *out, selftest *t)
{
	return qp_introspect(out, t->s.db->drv, t->s.db->conn, &t->io);
}

/* Runs rev one step in direction dir on the scratch database. */
static int step(selftest *t, const quipu_revinfo *rev, quipu_direction dir, const char *what)
{
	quipu_plan *plan = NULL;
	quipu_apply_opts ao = QUIPU_APPLY_OPTS_INIT;
	qp_strlist rows = QP_STRLIST_INIT;
	qp_exec_error xe = {0};
	int error;

	if ((error = qp_db_read_rows(&rows, t->s.db, &t->p->cfg, &xe)) < 0 ||
	    (error = qp_plan_single(&plan, rev, dir, &rows)) < 0)
		goto done;
	if ((error = quipu_apply(t->s.db, t->p, plan, &ao)) < 0)
		error = qp_error_prefix("test: revision %s (%s), %s", rev->id, rev->message, what);
done:
	quipu_plan_free(plan);
	qp_strlist_release(&rows);
	qp_exec_error_release(&xe);
	return error;
}

/* Up, down, up. *before is the schema before rev on entry and after it on
 * success. */
static int one_revision(selftest *t, const quipu_revinfo *rev, qp_model *before)
{
	const qp_script *sc = QP_REV(rev)->script;
	qp_model up1 = QP_MODEL_INIT, down = QP_MODEL_INIT, up2 = QP_MODEL_INIT;
	qp_strlist lines = QP_STRLIST_INIT;
	qp_buf head = QP_BUF_INIT, fix = QP_BUF_INIT;
	int error, same;

	if ((error = step(t, rev, QUIPU_UP, "upgrade from the schema before it")) < 0 ||
	    (error = snapshot(&up1, t)) < 0)
		goto done;
	if (!sc->downgrade.present) {
		error = qp_error_set(QUIPU_ETEST,
		                     "revision %s (%s), %s: it has no `-- migrate:downgrade` section, so a downgrade "
		                     "cannot undo it; add one that undoes the upgrade (empty if it changes nothing)",
		                     rev->id, rev->message, rev->path);
		goto done;
	}
	if ((error = step(t, rev, QUIPU_DOWN, "downgrade right after its upgrade")) < 0 ||
	    (error = snapshot(&down, t)) < 0 || (error = compare(&same, &lines, &down, before)) < 0)
		goto done;
	if (!same) {
		qp_buf_printf(&head, "revision %s (%s), %s: the downgrade does not undo the upgrade; the schema "
		              "after upgrade + downgrade differs from the one before the upgrade. To get back, the "
		              "downgrade would also have to:", rev->id, rev->message, rev->path);
		qp_buf_printf(&fix, "fix: add that to the `-- migrate:downgrade` section (%s:%d)", rev->path,
		              sc->downgrade.line > 1 ? sc->downgrade.line - 1 : 1);
		error = head.oom || fix.oom ? qp_error_oom() : fail_with(qp_buf_cstr(&head), &lines, qp_buf_cstr(&fix));
		goto done;
	}
	if ((error = step(t, rev, QUIPU_UP, "upgrade again after its downgrade")) < 0 ||
	    (error = snapshot(&up2, t)) < 0 || (error = compare(&same, &lines, &up2, &up1)) < 0)
		goto done;
	if (!same) {
		qp_buf_printf(&head, "revision %s (%s), %s: upgrading again after the downgrade gives another "
		              "schema than the first upgrade; to match the first it would have to:",
		              rev->id, rev->message, rev->path);
		error = head.oom ? qp_error_oom()
		                 : fail_with(qp_buf_cstr(&head), &lines,
		                             "fix: make the downgrade undo exactly what the upgrade does (objects it "
		                             "leaves behind change what the next upgrade does)");
		goto done;
	}
	qp_model_release(before);
	*before = up1;
	memset(&up1, 0, sizeof(up1));
done:
	qp_model_release(&up1);
	qp_model_release(&down);
	qp_model_release(&up2);
	qp_strlist_release(&lines);
	qp_buf_release(&head);
	qp_buf_release(&fix);
	return error;
}

/* ---- the models --------------------------------------------------------- */

static int models_match(const quipu_project *p, const qp_model *at_head, const quipu_revinfo *head,
                        const qp_introspect_opts *io)
{
	qp_model want = QP_MODEL_INIT;
	qp_strlist lines = QP_STRLIST_INIT;
	qp_buf msg = QP_BUF_INIT;
	int error, same;

	if ((error = qp_models_read(&want, p, NULL, io)) < 0)
		goto done;
	if ((error = compare(&same, &lines, at_head, &want)) < 0)
		goto done;
	if (!same && want.dialect == QP_DIALECT_PG) {
		/* the server's rendering is not always a fixed point (see autogen.c) */
		qp_strlist_release(&lines);
		if ((error = qp_model_rerender(&want, p, NULL, at_head, io)) < 0 ||
		    (error = compare(&same, &lines, at_head, &want)) < 0)
			goto done;
	}
	if (!same) {
		qp_buf_printf(&msg, "the models (%s) differ from the schema the revisions build (at head %s, %s); "
		              "a new revision would have to:", p->cfg.models, head->id, head->message);
		error = msg.oom ? qp_error_oom()
		                : fail_with(qp_buf_cstr(&msg), &lines,
		                            "fix: write that revision (`quipu revision --autogenerate -m ...`), or "
		                            "correct the models");
	}
done:
	qp_model_release(&want);
	qp_strlist_release(&lines);
	qp_buf_release(&msg);
	return error;
}

/* ---- the entry point -------------------------------------------------- */

static int one_head(const quipu_project *p, const quipu_revinfo **head)
{
	quipu_revlist heads = {0};
	qp_buf b = QP_BUF_INIT;
	size_t i;
	int error = 0;

	*head = NULL;
	if ((error = quipu_heads(&heads, p)) < 0)
		return error;
	if (heads.count == 0) {
		error = qp_error_set(QUIPU_ETEST, "no revisions to test in %s; write one with `quipu revision -m ...`",
		                     p->cfg.script_location);
	} else if (heads.count > 1) {
		qp_buf_printf(&b, "%zu heads, test needs exactly one:", heads.count);
		for (i = 0; i < heads.count; i++)
			qp_buf_printf(&b, "\n    %s (%s), %s", heads.items[i]->id, heads.items[i]->message,
			              heads.items[i]->path);
		qp_buf_puts(&b, "\n  fix: merge them (`quipu merge heads -m \"merge\"`), or rebase one branch on the "
		                "other (change its `Revises:`)");
		error = qp_error_set(QUIPU_ETEST, "%s", b.oom ? "several heads" : qp_buf_cstr(&b));
	} else {
		*head = heads.items[0];
	}
	quipu_revlist_free(&heads);
	qp_buf_release(&b);
	return error;
}

int quipu_test(const quipu_project *p, const quipu_test_opts *opts)
{
	quipu_test_opts none = QUIPU_TEST_OPTS_INIT;
	quipu_test_event ev;
	quipu_plan *plan = NULL;
	const quipu_revinfo *head;
	selftest t;
	qp_model schema = QP_MODEL_INIT;
	size_t i;
	int error;
	double t0;

	memset(&t, 0, sizeof(t));
	memset(&ev, 0, sizeof(ev));
	t.p = p;
	t.opts = opts ? opts : &none;
	t.io.version_table = p->cfg.version_table;
	t.io.version_schema = p->cfg.version_table_schema;

	if ((error = one_head(p, &head)) < 0)
		goto done;
	if ((error = qp_plan_make(&plan, p, QP_PLAN_UPGRADE, "heads", 0, NULL, 0)) < 0)
		goto done;
	if ((error = qp_scratch_open(&t.s, p, NULL)) < 0)
		goto done;
	t.where = t.s.db->drv->describe(t.s.db->conn);
	if ((error = snapshot(&schema, &t)) < 0)
		goto done;

	ev.count = plan->count;
	ev.where = t.where;
	for (i = 0; i < plan->count; i++) {
		const quipu_revinfo *rev = plan->steps[i].rev;
		t0 = qp_now_ms();
		if ((error = one_revision(&t, rev, &schema)) < 0)
			goto done;
		ev.kind = QUIPU_TEST_REVISION;
		ev.rev = rev;
		ev.index = i;
		ev.elapsed_ms = qp_now_ms() - t0;
		if (t.opts->progress)
			t.opts->progress(&ev, t.opts->payload);
	}
	/* the models are read through another scratch database: this one
	 * goes first (dev_url's own database may be the only one there is) */
	if ((error = qp_scratch_close(&t.s, 0)) < 0)
		goto done;
	ev.kind = QUIPU_TEST_MODELS;
	ev.rev = head;
	ev.elapsed_ms = 0;
	ev.where = NULL;
	ev.models = p->cfg.models && *p->cfg.models;
	if (ev.models && (error = models_match(p, &schema, head, &t.io)) < 0)
		goto done;
	if (t.opts->progress)
		t.opts->progress(&ev, t.opts->payload);
done:
	if (t.s.db || t.s.name || t.s.admin)
		qp_scratch_close(&t.s, error < 0);
	qp_model_release(&schema);
	quipu_plan_free(plan);
	return error;
}
