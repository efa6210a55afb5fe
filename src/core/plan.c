/*
 * plan.c: turning a target into the ordered steps of a run (quipu_plan).
 * The walking itself is the graph's (graph_walk.c); this file binds it to
 * the version rows read from a database or stated for offline mode.
 */
#include "core/project.h"
#include "util/err.h"

#include <stdlib.h>
#include <string.h>

int qp_plan_make(quipu_plan **out, const quipu_project *p, qp_plan_kind kind, const char *target,
                 int purge, const char *const *rows, size_t n_rows)
{
	quipu_plan *plan = NULL;
	qp_steps steps = QP_STEPS_INIT;
	size_t i;
	int error = 0;

	*out = NULL;
	if (!(plan = calloc(1, sizeof(*plan))))
		return qp_error_oom();
	plan->kind = kind;
	plan->purge = purge;
	if (!(plan->target = strdup(target))) {
		error = qp_error_oom();
		goto done;
	}
	for (i = 0; i < n_rows; i++)
		if ((error = qp_strlist_add(&plan->start_rows, rows[i])) < 0)
			goto done;

	switch (kind) {
	case QP_PLAN_UPGRADE:
		error = qp_graph_plan_upgrade(&steps, &p->graph, rows, n_rows, target);
		break;
	case QP_PLAN_DOWNGRADE:
		error = qp_graph_plan_downgrade(&steps, &p->graph, rows, n_rows, target);
		break;
	case QP_PLAN_STAMP:
		error = qp_graph_stamp_rows(&plan->stamp_rows, &p->graph, rows, n_rows, target, purge);
		break;
	}
	if (error < 0)
		goto done;
	if (steps.count) {
		if (!(plan->steps = calloc(steps.count, sizeof(*plan->steps)))) {
			error = qp_error_oom();
			goto done;
		}
		for (i = 0; i < steps.count; i++) {
			plan->steps[i].rev = &steps.items[i].rev->info;
			plan->steps[i].direction = steps.items[i].direction > 0 ? QUIPU_UP : QUIPU_DOWN;
		}
		plan->count = steps.count;
	}
	*out = plan;
	plan = NULL;
done:
	qp_steps_release(&steps);
	quipu_plan_free(plan);
	return error;
}

int qp_plan_single(quipu_plan **out, const quipu_revinfo *rev, quipu_direction dir, const qp_strlist *rows)
{
	quipu_plan *plan = NULL;
	size_t i;
	int error = 0;

	*out = NULL;
	if (!(plan = calloc(1, sizeof(*plan))) || !(plan->steps = calloc(1, sizeof(*plan->steps))) ||
	    !(plan->target = strdup(rev->id))) {
		error = qp_error_oom();
		goto done;
	}
	plan->kind = dir == QUIPU_UP ? QP_PLAN_UPGRADE : QP_PLAN_DOWNGRADE;
	plan->steps[0].rev = rev;
	plan->steps[0].direction = dir;
	plan->count = 1;
	for (i = 0; i < rows->count; i++)
		if ((error = qp_strlist_add(&plan->start_rows, rows->items[i])) < 0)
			goto done;
	*out = plan;
	plan = NULL;
done:
	quipu_plan_free(plan);
	return error;
}

static int plan_from_db(quipu_plan **out, const quipu_project *p, quipu_db *db, qp_plan_kind kind,
                        const char *target, int purge)
{
	qp_strlist rows = QP_STRLIST_INIT;
	qp_exec_error xe = {0};
	int error;

	*out = NULL;
	if ((error = qp_db_read_rows(&rows, db, &p->cfg, &xe)) < 0)
		goto done;
	error = qp_plan_make(out, p, kind, target, purge, (const char *const *)rows.items, rows.count);
done:
	qp_exec_error_release(&xe);
	qp_strlist_release(&rows);
	return error;
}

int quipu_plan_upgrade(quipu_plan **out, const quipu_project *p, quipu_db *db, const char *target)
{
	return plan_from_db(out, p, db, QP_PLAN_UPGRADE, target, 0);
}

int quipu_plan_downgrade(quipu_plan **out, const quipu_project *p, quipu_db *db, const char *target)
{
	return plan_from_db(out, p, db, QP_PLAN_DOWNGRADE, target, 0);
}

int quipu_plan_stamp(quipu_plan **out, const quipu_project *p, quipu_db *db, const char *target, int purge)
{
	if (!db)
		return qp_plan_make(out, p, QP_PLAN_STAMP, target, purge, NULL, 0);
	return plan_from_db(out, p, db, QP_PLAN_STAMP, target, purge);
}

/* The rows an offline plan starts from: those `from` names (none for base). */
static int offline_rows(qp_strlist *rows, const quipu_project *p, const char *from)
{
	qp_revset set = QP_REVSET_INIT;
	size_t i;
	int error = 0;

	if (from && *from && strcmp(from, "base")) {
		if ((error = qp_graph_resolve(&set, &p->graph, from, NULL, 0)) < 0)
			goto done;
		for (i = 0; i < set.count; i++)
			if ((error = qp_strlist_add(rows, set.items[i]->info.id)) < 0)
				goto done;
	}
done:
	qp_revset_release(&set);
	return error;
}

int quipu_plan_stamp_offline(quipu_plan **out, const quipu_project *p, const char *from, const char *to)
{
	qp_strlist rows = QP_STRLIST_INIT;
	int error;

	*out = NULL;
	if ((error = offline_rows(&rows, p, from)) < 0)
		goto done;
	if ((error = qp_plan_make(out, p, QP_PLAN_STAMP, to, 0, (const char *const *)rows.items, rows.count)) < 0)
		goto done;
	(*out)->offline = 1;
done:
	qp_strlist_release(&rows);
	return error;
}

int quipu_plan_offline(quipu_plan **out, const quipu_project *p, quipu_direction dir,
                       const char *from, const char *to)
{
	qp_strlist rows = QP_STRLIST_INIT;
	int error = 0;

	*out = NULL;
	if ((error = offline_rows(&rows, p, from)) < 0)
		goto done;
	error = qp_plan_make(out, p, dir == QUIPU_UP ? QP_PLAN_UPGRADE : QP_PLAN_DOWNGRADE, to, 0,
	                     (const char *const *)rows.items, rows.count);
	if (!error)
		(*out)->offline = 1;
done:
	qp_strlist_release(&rows);
	return error;
}

size_t quipu_plan_count(const quipu_plan *plan)
{
	return plan->count;
}

const quipu_step *quipu_plan_step(const quipu_plan *plan, size_t i)
{
	return i < plan->count ? &plan->steps[i] : NULL;
}

void quipu_plan_free(quipu_plan *plan)
{
	if (!plan)
		return;
	free(plan->target);
	qp_strlist_release(&plan->start_rows);
	qp_strlist_release(&plan->stamp_rows);
	free(plan->steps);
	free(plan);
}
