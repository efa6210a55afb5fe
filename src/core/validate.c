/*
 * validate.c: do the applied revisions still match their files?
 *
 * The applied set is every revision the version rows stand on: the rows and
 * all their ancestors and dependencies. For each, the log's latest
 * "upgrade" or "stamp" row holds the sha256 of the file as it ran (or as it
 * was stamped); a different checksum means the file was edited after it was
 * applied, a missing file means it was deleted. Revisions applied before the
 * log existed (by Alembic, say) have no checksum and are not problems.
 */
#include "core/project.h"
#include "core/vlog.h"
#include "util/err.h"
#include "util/misc.h"

#include <stdlib.h>
#include <string.h>

/* Marks r and everything it stands on (parents and dependencies). */
static int collect(qp_map *seen, qp_rev *start)
{
	qp_rev **stack = NULL;
	size_t n = 0, cap = 0;
	int error = 0;

	if (qp_map_get(seen, start->info.id))
		return 0;
	if ((error = qp_map_put(seen, start->info.id, start)) < 0)
		return error;
	stack = malloc(sizeof(*stack) * (cap = 16));
	if (!stack)
		return qp_error_oom();
	stack[n++] = start;
	while (n) {
		qp_rev *r = stack[--n];
		size_t i, total = r->n_parents + r->n_deps;
		for (i = 0; i < total; i++) {
			qp_rev *up = i < r->n_parents ? r->parents[i] : r->deps[i - r->n_parents];
			if (qp_map_get(seen, up->info.id))
				continue;
			if ((error = qp_map_put(seen, up->info.id, up)) < 0)
				goto done;
			if (n == cap) {
				qp_rev **ns = realloc(stack, sizeof(*stack) * (cap *= 2));
				if (!ns) {
					error = qp_error_oom();
					goto done;
				}
				stack = ns;
			}
			stack[n++] = up;
		}
	}
done:
	free(stack);
	return error;
}

int quipu_validate(char ***out, size_t *n_out, size_t *n_checked, const quipu_project *p, quipu_db *db)
{
	const qp_graph *g = &p->graph;
	qp_strlist rows = QP_STRLIST_INIT, problems = QP_STRLIST_INIT;
	qp_exec_error xe = {0};
	qp_map applied = QP_MAP_INIT, latest = QP_MAP_INIT;
	quipu_applied *log = NULL;
	size_t n_log = 0, i, checked = 0;
	int error;

	*out = NULL;
	*n_out = 0;
	if (n_checked)
		*n_checked = 0;
	if ((error = qp_project_need_sql(p)) < 0)
		return error;
	if ((error = qp_db_read_rows(&rows, db, &p->cfg, &xe)) < 0)
		goto done;
	if ((error = qp_log_read(&log, &n_log, db, &p->cfg)) < 0)
		goto done;
	/* the latest upgrade/stamp row of each revision */
	for (i = 0; i < n_log; i++)
		if (!strcmp(log[i].direction, "upgrade") || !strcmp(log[i].direction, "stamp"))
			if ((error = qp_map_put(&latest, log[i].revision, &log[i])) < 0)
				goto done;
	for (i = 0; i < rows.count; i++) {
		qp_rev *r = qp_map_get(&g->by_id, rows.items[i]);
		if (!r) {
			quipu_applied *a = qp_map_get(&latest, rows.items[i]);
			qp_buf m = QP_BUF_INIT;
			qp_buf_printf(&m, "revision %s is applied (the version table holds it) but its file is gone from %s",
			              rows.items[i], p->cfg.version_locations.count ? p->cfg.version_locations.items[0] : "");
			if (a)
				qp_buf_printf(&m, " (applied %s by %s)", a->started_at, a->db_user);
			qp_buf_puts(&m, "; restore the file from version control, or `quipu stamp <rev> --purge` to "
			                "record the state the database really is in");
			if ((error = qp_strlist_take(&problems, qp_buf_detach(&m))) < 0)
				goto done;
			continue;
		}
		if ((error = collect(&applied, r)) < 0)
			goto done;
	}
	for (i = 0; i < g->count; i++) {
		qp_rev *r = g->revs[i];
		quipu_applied *a;
		char sum[65];

		if (!qp_map_get(&applied, r->info.id))
			continue;
		checked++;
		a = qp_map_get(&latest, r->info.id);
		if (!a || !a->checksum[0])
			continue; /* applied before the log, or by another tool */
		if ((error = qp_sha256_hex(sum, r->script->text, r->script->text_len)) < 0)
			goto done;
		if (strcmp(sum, a->checksum)) {
			qp_buf m = QP_BUF_INIT;
			qp_buf_printf(&m, "%s: changed since it was %s %s by %s (sha256 then %.12s..., now %.12s...); "
			                  "an applied revision must not change: put the change in a new revision, or "
			                  "restore the file (if the edit changes nothing in the database, `quipu stamp %s` "
			                  "records the new checksum)",
			              r->script->path, !strcmp(a->direction, "stamp") ? "stamped" : "applied",
			              a->started_at, a->db_user[0] ? a->db_user : "?", a->checksum, sum, r->info.id);
			if ((error = qp_strlist_take(&problems, qp_buf_detach(&m))) < 0)
				goto done;
		}
	}
	/* revisions the log says were upgraded and are now neither applied nor on file */
	for (i = 0; i < n_log; i++) {
		quipu_applied *a = &log[i];
		if (strcmp(a->direction, "upgrade") || qp_map_get(&g->by_id, a->revision) ||
		    qp_map_get(&latest, a->revision) != a)
			continue;
		if (!qp_strlist_contains(&rows, a->revision)) {
			/* was it downgraded later? then its file may go */
			size_t j;
			int undone = 0;
			for (j = i + 1; j < n_log; j++)
				if (!strcmp(log[j].revision, a->revision) && !strcmp(log[j].direction, "downgrade"))
					undone = 1;
			if (!undone) {
				qp_buf m = QP_BUF_INIT;
				qp_buf_printf(&m, "revision %s was applied %s by %s and has no file any more; restore it from "
				                  "version control", a->revision, a->started_at, a->db_user);
				if ((error = qp_strlist_take(&problems, qp_buf_detach(&m))) < 0)
					goto done;
			}
		}
	}
	*out = problems.items;
	*n_out = problems.count;
	problems.items = NULL;
	problems.count = 0;
	if (n_checked)
		*n_checked = checked;
done:
	qp_map_release(&applied);
	qp_map_release(&latest);
	quipu_applied_free(log, n_log);
	qp_exec_error_release(&xe);
	qp_strlist_release(&rows);
	qp_strlist_release(&problems);
	return error;
}
