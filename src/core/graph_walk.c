/*
 * graph_walk.c: which revisions a run visits, and in which order, ported
 * from Alembic 1.8's RevisionMap.iterate_revisions
 * (_collect_upgrade_revisions, _collect_downgrade_revisions, then
 * _topological_sort) and ScriptDirectory._upgrade_revs / _downgrade_revs /
 * walk_revisions (history -r ranges).
 *
 *   upgrade T   the ancestors of T (with dependencies) not yet applied,
 *               parents and dependencies first; siblings of T are not run.
 *   downgrade T the applied descendants (with dependents) of T's children,
 *               or of every base for `base`; newest first.
 *   history R   the revisions between both ends of R, newest first.
 *
 * Pure: the database's rows are passed in.
 */
#include "core/graph_internal.h"
#include "util/err.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

void qp_steps_release(qp_steps *s)
{
	free(s->items);
	s->items = NULL;
	s->count = s->cap = 0;
}

static int steps_add(qp_steps *s, qp_rev *r, int direction)
{
	if (s->count == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		qp_step *n = realloc(s->items, cap * sizeof(*n));
		if (!n)
			return qp_error_oom();
		s->items = n;
		s->cap = cap;
	}
	s->items[s->count].rev = r;
	s->items[s->count].direction = direction;
	s->count++;
	return 0;
}

/*
 * Alembic's `check=True` on _get_ancestor_nodes: no revision of `set` may be
 * an ancestor of another. `db` picks the wording: rows of the version
 * table, or requested targets.
 */
static int check_overlap(const qp_graph *g, const qp_revset *set, int db)
{
	unsigned char *m = NULL;
	qp_rev **down = NULL;
	size_t i, j, n = 0;
	int error = 0;

	if (set->count < 2)
		return 0;
	if (!(m = qp_graph__set_new(g)))
		return qp_error_oom();
	for (i = 0; i < set->count; i++)
		n += set->items[i]->n_parents + set->items[i]->n_norm_deps;
	if (!(down = malloc((n + 1) * sizeof(*down)))) {
		error = qp_error_oom();
		goto done;
	}
	for (i = n = 0; i < set->count; i++) {
		qp_rev *r = set->items[i];
		for (j = 0; j < r->n_parents; j++)
			down[n++] = r->parents[j];
		for (j = 0; j < r->n_norm_deps; j++)
			down[n++] = r->norm_deps[j];
	}
	if ((error = qp_graph__ancestors(m, g, down, n, QP_G_DEPS)) < 0)
		goto done;
	for (i = 0; i < set->count; i++) {
		qp_rev *low = set->items[i];
		if (!m[low->order])
			continue;
		/* find which one it is below, for the message */
		for (j = 0; j < set->count; j++) {
			qp_rev *high = set->items[j];
			if (high == low)
				continue;
			memset(m, 0, g->count);
			if ((error = qp_graph__ancestors(m, g, &high, 1, QP_G_DEPS)) < 0)
				goto done;
			if (m[low->order])
				break;
		}
		if (j == set->count)
			j = i; /* not reached */
		if (db)
			error = qp_error_set(QUIPU_ESTATE, "the version table holds both '%s' and its ancestor '%s', "
			                     "but it must hold only heads; `quipu stamp %s --purge` re-records the state",
			                     set->items[j]->info.id, low->info.id, set->items[j]->info.id);
		else
			error = qp_error_set(QUIPU_EUSAGE, "Requested revision %s overlaps with other requested "
			                     "revisions %s: it is an ancestor of it; name only '%s'",
			                     low->info.id, set->items[j]->info.id, set->items[j]->info.id);
		goto done;
	}
done:
	free(m);
	free(down);
	return error;
}

/* Newest-first `needs` into steps, reversed for an upgrade. */
static int emit(qp_steps *out, const qp_graph *g, unsigned char *needs, const qp_revset *heads,
                int direction)
{
	qp_revset order = QP_REVSET_INIT;
	size_t i;
	int error;

	if ((error = qp_graph__topo_newest_first(&order, g, needs, heads->items, heads->count)) < 0)
		goto done;
	for (i = 0; i < order.count && !error; i++)
		error = steps_add(out, order.items[direction > 0 ? order.count - 1 - i : i], direction);
done:
	qp_revset_release(&order);
	return error;
}

int qp_graph_plan_upgrade(qp_steps *out, const qp_graph *g, const char *const *current,
                          size_t n_current, const char *target)
{
	qp_revset cur = QP_REVSET_INIT, targets = QP_REVSET_INIT;
	unsigned char *need = NULL, *have = NULL;
	size_t i;
	int error;

	if (!target || !*target)
		return qp_error_set(QUIPU_EUSAGE, "upgrade needs a target such as `head`, `heads`, `+1` or an id");
	if ((error = qp_graph__current(&cur, g, current, n_current)) < 0)
		goto done;
	if ((error = check_overlap(g, &cur, 1)) < 0)
		goto done;
	if ((error = qp_graph__parse_upgrade_target(&targets, g, &cur, target, 1)) < 0)
		goto done;
	if ((error = check_overlap(g, &targets, 0)) < 0)
		goto done;
	if (!(need = qp_graph__set_new(g)) || !(have = qp_graph__set_new(g))) {
		error = qp_error_oom();
		goto done;
	}
	if ((error = qp_graph__ancestors(need, g, targets.items, targets.count, QP_G_DEPS)) < 0 ||
	    (error = qp_graph__ancestors(have, g, cur.items, cur.count, QP_G_DEPS)) < 0)
		goto done;
	for (i = 0; i < g->count; i++)
		need[i] = need[i] && !have[i];
	error = emit(out, g, need, &targets, +1);
done:
	free(need);
	free(have);
	qp_revset_release(&cur);
	qp_revset_release(&targets);
	return error;
}

int qp_graph_plan_downgrade(qp_steps *out, const qp_graph *g, const char *const *current,
                            size_t n_current, const char *target)
{
	qp_revset cur = QP_REVSET_INIT, roots = QP_REVSET_INIT;
	qp_rev *to = NULL, *branch = NULL;
	unsigned char *drop = NULL, *active = NULL, *anc = NULL;
	size_t i, any = 0;
	int error;

	if (!target || !*target)
		return qp_error_set(QUIPU_EUSAGE, "downgrade needs a target such as `-1`, `base` or an id");
	if ((error = qp_graph__current(&cur, g, current, n_current)) < 0)
		goto done;
	if ((error = check_overlap(g, &cur, 1)) < 0)
		goto done;
	if ((error = qp_graph__parse_downgrade_target(&to, &branch, g, &cur, target, 1)) < 0)
		goto done;

	/* the roots of what goes: every base for `base`, else the target's children */
	if (!to) {
		for (i = 0; i < g->n_bases && !error; i++)
			error = qp_revset__add(&roots, g->bases[i]);
	} else {
		for (i = 0; i < to->n_children && !error; i++)
			error = qp_revset__add(&roots, to->children[i]);
	}
	if (error < 0)
		goto done;
	if (branch && roots.count > 1) {
		size_t k = 0;
		if (!(anc = qp_graph__set_new(g))) {
			error = qp_error_oom();
			goto done;
		}
		if ((error = qp_graph__ancestors(anc, g, &branch, 1, QP_G_VERSIONED)) < 0)
			goto done;
		for (i = 0; i < roots.count; i++)
			if (anc[roots.items[i]->order])
				roots.items[k++] = roots.items[i];
		roots.count = k;
		if (!k) {
			error = qp_error_set(QUIPU_EUSAGE, "Not a valid downgrade target from current heads: "
			                     "`%s` names branch '%s', which does not go below '%s'",
			                     target, branch->info.id, to ? to->info.id : "base");
			goto done;
		}
	}

	if (!(drop = qp_graph__set_new(g)) || !(active = qp_graph__set_new(g))) {
		error = qp_error_oom();
		goto done;
	}
	if ((error = qp_graph__descendants(drop, g, roots.items, roots.count, QP_G_DEPS)) < 0 ||
	    (error = qp_graph__ancestors(active, g, cur.items, cur.count, QP_G_DEPS)) < 0)
		goto done;
	for (i = 0; i < g->count; i++) {
		drop[i] = drop[i] && active[i];
		any += drop[i];
	}
	if (to && !any && !qp_revset__has(&cur, to)) {
		qp_buf b = QP_BUF_INIT;
		if (cur.count)
			qp_graph__put_ids(&b, cur.items, cur.count);
		else
			qp_buf_puts(&b, "base (empty)");
		error = qp_error_set(QUIPU_EUSAGE, "Destination %s is not a valid downgrade target from current "
		                     "head(s) %s: it is not below them (to move forward, use `quipu upgrade %s`; "
		                     "`quipu current` shows where the database is)",
		                     to->info.id, qp_buf_cstr(&b), to->info.id);
		qp_buf_release(&b);
		goto done;
	}
	error = emit(out, g, drop, &cur, -1);
done:
	free(drop);
	free(active);
	free(anc);
	qp_revset_release(&cur);
	qp_revset_release(&roots);
	return error;
}

/* ---- history ---------------------------------------------------------- */

static char *trim_dup(const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return strndup(s, n);
}

/* Keeps the targets on the branch named by lower's `branch@` part (Alembic's
 * "named bases" in _collect_upgrade_revisions). */
static int filter_named_base(qp_revset *targets, const qp_graph *g, const char *lower)
{
	const char *at = strchr(lower, '@');
	char *name;
	qp_rev *r;
	unsigned char *lin = NULL;
	size_t i, k = 0;
	int error = 0;

	if (!at)
		return 0;
	if (!(name = strndup(lower, (size_t)(at - lower))))
		return qp_error_oom();
	r = qp_map_get(&g->by_id, name);
	if (r && r->script->labels.count == 1) {
		/* a revision used as a label stands for its label */
		char *l = strdup(r->script->labels.items[0]);
		free(name);
		if (!(name = l))
			return qp_error_oom();
		r = NULL;
	}
	if (r) {
		if (!(lin = qp_graph__set_new(g))) {
			error = qp_error_oom();
			goto done;
		}
		if ((error = qp_graph__lineage(lin, g, r, QP_G_VERSIONED)) < 0)
			goto done;
	}
	for (i = 0; i < targets->count; i++) {
		qp_rev *t = targets->items[i];
		if (lin ? lin[t->order] : qp_strlist_contains(&t->branches, name))
			targets->items[k++] = t;
	}
	targets->count = k;
done:
	free(name);
	free(lin);
	return error;
}

/* `<rev>+N` / `<rev>-N` (a word right before the sign). */
static int symbol_relative(const char *s)
{
	const char *sign = NULL, *p;

	for (p = s; *p; p++)
		if (*p == '+' || *p == '-')
			sign = p;
	return sign && sign > s && (isalnum((unsigned char)sign[-1]) || sign[-1] == '_');
}

int qp_graph_history(qp_revset *out, const qp_graph *g, const char *range,
                     const char *const *current, size_t n_current)
{
	qp_revset cur = QP_REVSET_INIT, targets = QP_REVSET_INIT, lower = QP_REVSET_INIT;
	char *start = NULL, *end = NULL;
	unsigned char *need = NULL, *have = NULL, *desc = NULL;
	const char *colon;
	int error = 0, connected = current != NULL || n_current > 0;
	size_t i;

	if (connected && (error = qp_graph__current(&cur, g, current, n_current)) < 0)
		goto done;
	if (range && *range) {
		colon = strchr(range, ':');
		if (!colon || strchr(colon + 1, ':')) {
			error = qp_error_set(QUIPU_EUSAGE, "History range requires [start]:[end], [start]:, or :[end] "
			                     "(got '%s')", range);
			goto done;
		}
		if (!(start = trim_dup(range, (size_t)(colon - range))) ||
		    !(end = trim_dup(colon + 1, strlen(colon + 1)))) {
			error = qp_error_oom();
			goto done;
		}
	}
	/* `current` on either side is the database's rows; none: open end */
	if (end && !strcmp(end, "current")) {
		if (!connected) {
			error = qp_error_set(QUIPU_EUSAGE, "`current` in a history range needs the database's rows; "
			                     "connect to a database or name a revision");
			goto done;
		}
		for (i = 0; i < cur.count && !error; i++)
			error = qp_revset__add(&targets, cur.items[i]);
		if (error < 0)
			goto done;
		if (!cur.count) {
			free(end);
			end = NULL;
		}
	}
	if (!targets.count &&
	    (error = qp_graph__parse_upgrade_target(&targets, g, connected ? &cur : NULL,
	                                            end && *end ? end : "heads", 0)) < 0)
		goto done;
	if (start && *start && strcmp(start, "current") && (error = filter_named_base(&targets, g, start)) < 0)
		goto done;
	if ((error = check_overlap(g, &targets, 0)) < 0)
		goto done;

	if (start && !strcmp(start, "current")) {
		if (!connected) {
			error = qp_error_set(QUIPU_EUSAGE, "`current` in a history range needs the database's rows; "
			                     "connect to a database or name a revision");
			goto done;
		}
		for (i = 0; i < cur.count && !error; i++)
			error = qp_revset__add(&lower, cur.items[i]);
	} else if (start && *start) {
		qp_rev *r = NULL, *branch = NULL;
		if (symbol_relative(start)) {
			/* <rev>-N, <rev>+N: where Alembic cannot, resolve as a downgrade target */
			error = qp_graph__parse_downgrade_target(&r, &branch, g, connected ? &cur : NULL, start, 0);
			if (!error && r)
				error = qp_revset__add(&lower, r);
		} else {
			error = qp_graph__get_revisions(&lower, g, start, connected ? &cur : NULL);
		}
	}
	if (error < 0)
		goto done;

	if (!(need = qp_graph__set_new(g)) || !(have = qp_graph__set_new(g)) ||
	    !(desc = qp_graph__set_new(g))) {
		error = qp_error_oom();
		goto done;
	}
	if ((error = qp_graph__ancestors(need, g, targets.items, targets.count, QP_G_DEPS)) < 0)
		goto done;
	for (i = 0; i < lower.count; i++)
		if (!need[lower.items[i]->order]) {
			error = qp_error_set(QUIPU_EUSAGE, "Requested range %s:%s does not refer to "
			                     "ancestor/descendant revisions along the same branch ('%s' is not below "
			                     "the end of the range); use `%s:` or `:%s` separately",
			                     start, end && *end ? end : "heads", lower.items[i]->info.id,
			                     start, end && *end ? end : "heads");
			goto done;
		}
	if ((error = check_overlap(g, &lower, 0)) < 0)
		goto done;
	if ((error = qp_graph__ancestors(have, g, lower.items, lower.count, QP_G_DEPS)) < 0)
		goto done;
	if ((error = qp_graph__descendants(desc, g, lower.items, lower.count, QP_G_VERSIONED)) < 0)
		goto done;
	for (i = 0; i < g->count; i++) {
		need[i] = need[i] && !have[i];
		if (lower.count && !desc[i])
			need[i] = 0;
	}
	for (i = 0; i < lower.count; i++)
		need[lower.items[i]->order] = 1; /* inclusive */
	error = qp_graph__topo_newest_first(out, g, need, targets.items, targets.count);
done:
	free(start);
	free(end);
	free(need);
	free(have);
	free(desc);
	qp_revset_release(&cur);
	qp_revset_release(&targets);
	qp_revset_release(&lower);
	return error;
}
