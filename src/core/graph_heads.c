/*
 * graph_heads.c: the rows of the version table, ported from Alembic 1.8.
 *
 * qp_graph_version_ops is HeadMaintainer.update_to_step for a RevisionStep:
 *   up, no parent among the rows (a base, or a new branch)  INSERT rev
 *   up, several parents among the rows (a merge)             DELETE all but one, UPDATE the last
 *   up, otherwise                                            UPDATE parent -> rev
 *   down, nothing left below that is not another row's       DELETE rev
 *   down, a merge                                            INSERT all but one, UPDATE rev -> last
 *   down, otherwise                                          UPDATE rev -> parent
 * ("parents" are Alembic's normalized down revisions: Revises plus the
 * dependencies no ancestor already has.)
 *
 * qp_graph_stamp_rows is ScriptDirectory._stamp_revs followed by
 * HeadMaintainer on its StampSteps. Pure: no I/O.
 */
#include "core/graph_internal.h"
#include "util/err.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* ---- qp_vops ---------------------------------------------------------- */

const qp_vop *qp_vops_at(const qp_vops *v, size_t i)
{
	return i < 8 ? &v->items[i] : &v->more[i - 8];
}

void qp_vops_release(qp_vops *v)
{
	free(v->more);
	memset(v, 0, sizeof(*v));
}

static int vops_add(qp_vops *v, qp_vop_kind kind, const char *from, const char *to)
{
	qp_vop *op;

	if (v->count >= 8) {
		size_t i = v->count - 8;
		if (i == v->cap_more) {
			size_t cap = v->cap_more ? v->cap_more * 2 : 8;
			qp_vop *n = realloc(v->more, cap * sizeof(*n));
			if (!n)
				return qp_error_oom();
			v->more = n;
			v->cap_more = cap;
		}
		op = &v->more[i];
	} else {
		op = &v->items[v->count];
	}
	op->kind = kind;
	op->from = from;
	op->to = to;
	v->count++;
	return 0;
}

/* ---- the rows as a set of strings ------------------------------------- */

static long row_index(const qp_strlist *rows, const char *id)
{
	size_t i;
	for (i = 0; i < rows->count; i++)
		if (!strcmp(rows->items[i], id))
			return (long)i;
	return -1;
}

static int row_delete(qp_strlist *rows, const char *id)
{
	long i = row_index(rows, id);

	if (i < 0)
		return qp_error_set(QUIPU_ESTATE, "the version table has no row '%s' to delete (rows: %zu); "
		                    "`quipu stamp <rev> --purge` re-records the state", id, rows->count);
	free(rows->items[i]);
	memmove(&rows->items[i], &rows->items[i + 1], (rows->count - (size_t)i - 1) * sizeof(char *));
	rows->count--;
	return 0;
}

static int row_insert(qp_strlist *rows, const char *id)
{
	if (row_index(rows, id) >= 0)
		return qp_error_set(QUIPU_ESTATE, "the version table already has a row '%s'", id);
	return qp_strlist_add(rows, id);
}

static int row_update(qp_strlist *rows, const char *from, const char *to)
{
	long i = row_index(rows, from);
	char *copy;

	if (i < 0)
		return qp_error_set(QUIPU_ESTATE, "the version table has no row '%s' to move to '%s'; "
		                    "`quipu stamp <rev> --purge` re-records the state", from, to);
	if (row_index(rows, to) >= 0)
		return qp_error_set(QUIPU_ESTATE, "the version table already has a row '%s'", to);
	if (!(copy = strdup(to)))
		return qp_error_oom();
	free(rows->items[i]);
	rows->items[i] = copy;
	return 0;
}

/* ---- revision steps --------------------------------------------------- */

/* Alembic's _normalized_down_revisions into a new array (caller frees). */
static int norm_down(qp_rev ***out, size_t *n, const qp_rev *r)
{
	size_t i, j;

	*n = 0;
	if (!(*out = malloc((r->n_parents + r->n_norm_deps + 1) * sizeof(**out))))
		return qp_error_oom();
	for (i = 0; i < r->n_parents; i++)
		(*out)[(*n)++] = r->parents[i];
	for (i = 0; i < r->n_norm_deps; i++) {
		for (j = 0; j < r->n_parents && r->parents[j] != r->norm_deps[i]; j++)
			;
		if (j == r->n_parents)
			(*out)[(*n)++] = r->norm_deps[i];
	}
	return 0;
}

/* `down` minus the ancestors of the rows other than `except` (Alembic's
 * _unmerge_to_revisions / merge_branch_idents). Filters in place. */
static int minus_other_ancestors(qp_rev **down, size_t *n, const qp_graph *g,
                                 const qp_strlist *rows, const qp_rev *except, int skip_down)
{
	qp_revset others = QP_REVSET_INIT;
	unsigned char *m = NULL;
	size_t i, j, k = 0;
	int error = 0;

	for (i = 0; i < rows->count; i++) {
		qp_rev *r = qp_map_get(&g->by_id, rows->items[i]);
		int is_down = 0;
		if (!r)
			return qp_error_set(QUIPU_ESTATE, "the database is at '%s', which is not in the revision "
			                    "files: was the file deleted or the wrong script_location configured? "
			                    "`quipu stamp <rev> --purge` re-records the state", rows->items[i]);
		for (j = 0; skip_down && j < *n; j++)
			is_down |= down[j] == r;
		if (r != except && !is_down && (error = qp_revset__add(&others, r)) < 0)
			goto done;
	}
	if (!others.count)
		goto done;
	if (!(m = qp_graph__set_new(g))) {
		error = qp_error_oom();
		goto done;
	}
	if ((error = qp_graph__ancestors(m, g, others.items, others.count, QP_G_DEPS)) < 0)
		goto done;
	for (i = 0; i < *n; i++)
		if (!m[down[i]->order])
			down[k++] = down[i];
	*n = k;
done:
	free(m);
	qp_revset_release(&others);
	return error;
}

/*
 * Keeps the revisions of `down` that are not an ancestor of another one.
 * Only a redundant merge (one parent already below the other) loses any:
 * Alembic would then record both and leave a row below another row.
 */
static int only_tips(qp_rev **down, size_t *n, const qp_graph *g)
{
	unsigned char *m = qp_graph__set_new(g);
	qp_rev **below = NULL;
	size_t i, j, k = 0, nb = 0;
	int error = 0;

	if (!m)
		return qp_error_oom();
	for (i = 0; i < *n; i++)
		nb += down[i]->n_parents + down[i]->n_norm_deps;
	if (!(below = malloc((nb + 1) * sizeof(*below)))) {
		error = qp_error_oom();
		goto done;
	}
	for (i = nb = 0; i < *n; i++) {
		for (j = 0; j < down[i]->n_parents; j++)
			below[nb++] = down[i]->parents[j];
		for (j = 0; j < down[i]->n_norm_deps; j++)
			below[nb++] = down[i]->norm_deps[j];
	}
	if ((error = qp_graph__ancestors(m, g, below, nb, QP_G_DEPS)) < 0)
		goto done;
	for (i = 0; i < *n; i++)
		if (!m[down[i]->order])
			down[k++] = down[i];
	*n = k;
done:
	free(m);
	free(below);
	return error;
}

int qp_graph_version_ops(qp_vops *out, const qp_graph *g, qp_strlist *heads, const qp_step *step)
{
	qp_rev *r = step->rev, **down = NULL;
	size_t nd = 0, na, i, present = 0;
	const char *id = r->info.id;
	int error;

	if ((error = norm_down(&down, &nd, r)) < 0)
		return error;
	for (i = 0; i < nd; i++)
		present += row_index(heads, down[i]->info.id) >= 0;

	if (step->direction > 0) {
		if (!nd || !present) {
			/* a base or a new branch */
			if (!(error = row_insert(heads, id)))
				error = vops_add(out, QP_VOP_INSERT, NULL, id);
		} else if (nd > 1 && present > 1) {
			/* a merge: delete all parents but one, move that one */
			size_t k = 0;
			if ((error = minus_other_ancestors(down, &nd, g, heads, NULL, 1)) < 0)
				goto done;
			for (i = 0; i < nd; i++)
				if (row_index(heads, down[i]->info.id) >= 0)
					down[k++] = down[i];
			nd = k;
			for (i = 0; i + 1 < nd && !error; i++)
				if (!(error = row_delete(heads, down[i]->info.id)))
					error = vops_add(out, QP_VOP_DELETE, down[i]->info.id, NULL);
			if (!error && !(error = row_update(heads, down[nd - 1]->info.id, id)))
				error = vops_add(out, QP_VOP_UPDATE, down[nd - 1]->info.id, id);
		} else {
			qp_rev *from = NULL;
			for (i = 0; i < nd && !from; i++)
				if (row_index(heads, down[i]->info.id) >= 0)
					from = down[i];
			if (!(error = row_update(heads, from->info.id, id)))
				error = vops_add(out, QP_VOP_UPDATE, from->info.id, id);
		}
		goto done;
	}

	/* down */
	if (row_index(heads, id) < 0) {
		error = qp_error_set(QUIPU_ESTATE, "cannot downgrade '%s': the version table does not hold it "
		                     "as a head; `quipu current` shows the rows", id);
		goto done;
	}
	na = nd;
	if (nd && (error = minus_other_ancestors(down, &nd, g, heads, r, 0)) < 0)
		goto done;
	if (nd > 1 && (error = only_tips(down, &nd, g)) < 0)
		goto done;
	if (!nd) {
		/* a base, or what is below stays recorded through another row */
		if (!(error = row_delete(heads, id)))
			error = vops_add(out, QP_VOP_DELETE, id, NULL);
	} else if (na > 1) {
		/* unmerge: insert all but one, move the row to the last */
		for (i = 0; i + 1 < nd && !error; i++)
			if (!(error = row_insert(heads, down[i]->info.id)))
				error = vops_add(out, QP_VOP_INSERT, NULL, down[i]->info.id);
		if (!error && !(error = row_update(heads, id, down[nd - 1]->info.id)))
			error = vops_add(out, QP_VOP_UPDATE, id, down[nd - 1]->info.id);
	} else if (!(error = row_update(heads, id, down[0]->info.id))) {
		error = vops_add(out, QP_VOP_UPDATE, id, down[0]->info.id);
	}
done:
	free(down);
	return error;
}

/* ---- stamp ------------------------------------------------------------ */

/* Alembic's filter_for_lineage(heads, rev, include_dependencies=True). */
static int stamp_filter(qp_revset *out, const qp_graph *g, const qp_revset *heads, const char *rev,
                        const qp_revset *cur)
{
	qp_revset shares = QP_REVSET_INIT;
	unsigned char *m = NULL, *one = NULL;
	const char *at = strchr(rev, '@');
	size_t i, j;
	int error = 0;

	if (at) {
		char *label = strndup(rev, (size_t)(at - rev));
		qp_rev *b = NULL;
		if (!label)
			return qp_error_oom();
		error = qp_graph__resolve_branch(&b, g, label);
		free(label);
		if (error < 0 || (error = qp_revset__add(&shares, b)) < 0)
			goto done;
	}
	if ((error = qp_graph__get_revisions(&shares, g, rev, cur)) < 0)
		goto done;
	if (!shares.count) {
		for (i = 0; i < heads->count && !error; i++)
			if (!qp_revset__has(out, heads->items[i]))
				error = qp_revset__add(out, heads->items[i]);
		goto done;
	}
	if (!(m = qp_graph__set_new(g)) || !(one = qp_graph__set_new(g))) {
		error = qp_error_oom();
		goto done;
	}
	for (i = 0; i < shares.count; i++) {
		memset(one, 0, g->count);
		if ((error = qp_graph__lineage(one, g, shares.items[i], QP_G_DEPS)) < 0)
			goto done;
		for (j = 0; j < g->count; j++)
			m[j] |= one[j];
	}
	for (i = 0; i < heads->count && !error; i++)
		if (m[heads->items[i]->order] && !qp_revset__has(out, heads->items[i]))
			error = qp_revset__add(out, heads->items[i]);
done:
	free(m);
	free(one);
	qp_revset_release(&shares);
	return error;
}

/* Ends in a sign and digits: +N, -N, rev+N, label@-N. */
static int relative(const char *t)
{
	size_t n = strlen(t);

	while (n && isdigit((unsigned char)t[n - 1]))
		n--;
	return n && n < strlen(t) && (t[n - 1] == '+' || t[n - 1] == '-');
}

/* One StampStep through HeadMaintainer. */
static int stamp_step(qp_strlist *rows, const qp_revset *from, qp_rev *to, int up, int branch_move)
{
	static const qp_revset none = QP_REVSET_INIT;
	size_t i;
	int error = 0, from_missing = 0;

	if (!from)
		from = &none;
	for (i = 0; i < from->count; i++)
		from_missing |= row_index(rows, from->items[i]->info.id) < 0;
	if (!up && branch_move)
		return row_delete(rows, from->items[0]->info.id);
	if (up && (branch_move || from_missing) && row_index(rows, to->info.id) < 0)
		return row_insert(rows, to->info.id);
	if (from->count > 1) {
		for (i = 0; i + 1 < from->count && !error; i++)
			error = row_delete(rows, from->items[i]->info.id);
		return error ? error : row_update(rows, from->items[from->count - 1]->info.id, to->info.id);
	}
	if (!from->count)
		return 0;
	return row_update(rows, from->items[0]->info.id, to->info.id);
}

int qp_graph_stamp_rows(qp_strlist *out, const qp_graph *g, const char *const *current,
                        size_t n_current, const char *target, int purge)
{
	qp_revset heads = QP_REVSET_INIT, filtered = QP_REVSET_INIT, dests = QP_REVSET_INIT, one = QP_REVSET_INIT;
	qp_strlist revs = QP_STRLIST_INIT, rows = QP_STRLIST_INIT;
	unsigned char *desc = NULL, *anc = NULL;
	size_t i, j;
	int error = 0;

	if (!purge && (error = qp_graph__current(&heads, g, current, n_current)) < 0)
		goto done;
	for (i = 0; i < heads.count && !error; i++)
		error = qp_strlist_add(&rows, heads.items[i]->info.id);
	/* several targets may be given, separated by blanks or commas */
	for (i = 0; target && target[i] && !error;) {
		size_t n = 0;
		while (target[i] && (isspace((unsigned char)target[i]) || target[i] == ','))
			i++;
		while (target[i + n] && !isspace((unsigned char)target[i + n]) && target[i + n] != ',')
			n++;
		if (n)
			error = qp_strlist_take(&revs, strndup(target + i, n));
		i += n;
	}
	if (!error && !revs.count)
		error = qp_strlist_add(&revs, "base");
	if (error < 0)
		goto done;

	for (i = 0; i < revs.count; i++)
		if (relative(revs.items[i])) {
			/* Alembic fails on these too ("Can't locate revision '-1'") */
			error = qp_error_set(QUIPU_EUSAGE, "stamp takes absolute revisions (an id, `head`, `heads`, "
			                     "`base`, `label@head`), not the relative `%s`; name the revision "
			                     "(`quipu history` lists them)", revs.items[i]);
			goto done;
		}
	for (i = 0; i < revs.count; i++)
		if ((error = stamp_filter(&filtered, g, &heads, revs.items[i], &heads)) < 0)
			goto done;
	for (i = 0; i < revs.count; i++)
		if ((error = qp_graph__get_revisions(&dests, g, revs.items[i], &heads)) < 0)
			goto done;
	if (!dests.count) {
		/* base: drop every row concerned */
		for (i = 0; i < filtered.count; i++) {
			one.count = 0;
			if ((error = qp_revset__add(&one, filtered.items[i])) < 0 ||
			    (error = stamp_step(&rows, &one, NULL, 0, 1)) < 0)
				goto done;
		}
	}
	if (!(desc = qp_graph__set_new(g)) || !(anc = qp_graph__set_new(g))) {
		error = qp_error_oom();
		goto done;
	}
	for (i = 0; i < dests.count; i++) {
		qp_rev *d = dests.items[i];
		int below = 0, above = 0;
		if (qp_revset__has(&filtered, d))
			continue;
		memset(desc, 0, g->count);
		memset(anc, 0, g->count);
		if ((error = qp_graph__descendants(desc, g, &d, 1, QP_G_DEPS)) < 0 ||
		    (error = qp_graph__ancestors(anc, g, &d, 1, QP_G_DEPS)) < 0)
			goto done;
		/* rows an earlier destination already moved are gone (Alembic
		 * fails there with a KeyError); without any, d is a new branch */
		one.count = 0;
		for (j = 0; j < filtered.count && !error; j++)
			if (row_index(&rows, filtered.items[j]->info.id) >= 0)
				error = qp_revset__add(&one, filtered.items[j]);
		if (error < 0)
			goto done;
		for (j = 0; j < one.count; j++) {
			below |= desc[one.items[j]->order];
			above |= anc[one.items[j]->order];
		}
		if (!one.count)
			error = stamp_step(&rows, &one, d, 1, 1);          /* a branch not represented */
		else if (below)
			error = stamp_step(&rows, &one, d, 0, 0);          /* heads above: a downgrade */
		else if (above)
			error = stamp_step(&rows, &one, d, 1, 0);          /* heads below: an upgrade */
		else
			error = stamp_step(&rows, NULL, d, 1, 1);
		if (error < 0)
			goto done;
	}
	for (i = 0; i < rows.count; i++)
		if ((error = qp_strlist_add(out, rows.items[i])) < 0)
			goto done;
done:
	free(desc);
	free(anc);
	qp_revset_release(&heads);
	qp_revset_release(&filtered);
	qp_revset_release(&dests);
	qp_revset_release(&one);
	qp_strlist_release(&revs);
	qp_strlist_release(&rows);
	return error;
}
