/*
 * graph.c: building the revision graph (DESIGN §4) from parsed scripts.
 *
 * qp_graph_build checks everything at once (ids, duplicates, parents,
 * dependencies, labels, cycles) and reports every problem in one error; then
 * orders the revisions topologically (parents and dependencies first, ties
 * by id, Kahn's algorithm with a heap, no recursion), resolves Alembic's
 * normalized dependencies and inherited branch labels. Also here: the set
 * helpers and traversals (ancestors, descendants, Alembic's topological
 * walk) that graph_resolve.c, graph_walk.c and graph_heads.c share.
 *
 * Everything is iterative: a 10,000-revision chain costs no stack.
 */
#include "core/graph_internal.h"
#include "util/buf.h"
#include "util/err.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- revision sets ---------------------------------------------------- */

unsigned char *qp_graph__set_new(const qp_graph *g)
{
	return calloc(g->count ? g->count : 1, 1);
}

int qp_revset__add(qp_revset *s, qp_rev *r)
{
	if (s->count == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		qp_rev **n = realloc(s->items, cap * sizeof(*n));
		if (!n)
			return qp_error_oom();
		s->items = n;
		s->cap = cap;
	}
	s->items[s->count++] = r;
	return 0;
}

int qp_revset__has(const qp_revset *s, const qp_rev *r)
{
	size_t i;
	for (i = 0; i < s->count; i++)
		if (s->items[i] == r)
			return 1;
	return 0;
}

static int cmp_rev_id(const void *a, const void *b)
{
	return strcmp((*(qp_rev *const *)a)->info.id, (*(qp_rev *const *)b)->info.id);
}

static int cmp_rev_id_desc(const void *a, const void *b)
{
	return -cmp_rev_id(a, b);
}

void qp_revset__sort_id(qp_revset *s)
{
	if (s->count > 1)
		qsort(s->items, s->count, sizeof(*s->items), cmp_rev_id);
}

void qp_revset_release(qp_revset *s)
{
	free(s->items);
	s->items = NULL;
	s->count = s->cap = 0;
}

void qp_graph__put_ids(qp_buf *b, qp_rev *const *revs, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		qp_buf_printf(b, "%s%s", i ? ", " : "", revs[i]->info.id);
}

int qp_graph__real_heads(qp_revset *out, const qp_graph *g)
{
	size_t i;
	int error;

	for (i = 0; i < g->count; i++) {
		qp_rev *r = g->revs[i];
		if (!r->n_children && !r->n_dependents && (error = qp_revset__add(out, r)) < 0)
			return error;
	}
	qp_revset__sort_id(out);
	return 0;
}

/* ---- traversals ------------------------------------------------------- */

/* Marks `from` and everything reachable through `up` (1: parents, 0:
 * children) edges, with dependency edges when `deps`. */
static int reach(unsigned char *mark, const qp_graph *g, qp_rev *const *from, size_t n, int up,
                 int deps)
{
	qp_rev **stack;
	size_t top = 0, i;

	if (!g->count)
		return 0;
	if (!(stack = malloc(g->count * sizeof(*stack))))
		return qp_error_oom();
	for (i = 0; i < n; i++)
		if (!mark[from[i]->order]) {
			mark[from[i]->order] = 1;
			stack[top++] = from[i];
		}
	while (top) {
		qp_rev *r = stack[--top];
		qp_rev **a = up ? r->parents : r->children;
		size_t na = up ? r->n_parents : r->n_children;
		qp_rev **b = up ? r->norm_deps : r->dependents;
		size_t nb = !deps ? 0 : up ? r->n_norm_deps : r->n_dependents;

		for (i = 0; i < na; i++)
			if (!mark[a[i]->order]) {
				mark[a[i]->order] = 1;
				stack[top++] = a[i];
			}
		for (i = 0; i < nb; i++)
			if (!mark[b[i]->order]) {
				mark[b[i]->order] = 1;
				stack[top++] = b[i];
			}
	}
	free(stack);
	return 0;
}

int qp_graph__ancestors(unsigned char *mark, const qp_graph *g, qp_rev *const *from, size_t n,
                        int deps)
{
	return reach(mark, g, from, n, 1, deps);
}

int qp_graph__descendants(unsigned char *mark, const qp_graph *g, qp_rev *const *from, size_t n,
                          int deps)
{
	return reach(mark, g, from, n, 0, deps);
}

int qp_graph__lineage(unsigned char *mark, const qp_graph *g, qp_rev *rev, int deps)
{
	int error = reach(mark, g, &rev, 1, 1, deps);
	if (error < 0)
		return error;
	mark[rev->order] = 0; /* let the second walk start from it */
	return reach(mark, g, &rev, 1, 0, deps);
}

/* Alembic's _normalized_down_revisions: parents, then normalized dependencies
 * not already among them. Fills buf (room for n_parents + n_norm_deps). */
static size_t norm_down(qp_rev **buf, const qp_rev *r)
{
	size_t n = 0, i, j;

	for (i = 0; i < r->n_parents; i++)
		buf[n++] = r->parents[i];
	for (i = 0; i < r->n_norm_deps; i++) {
		for (j = 0; j < r->n_parents && r->parents[j] != r->norm_deps[i]; j++)
			;
		if (j == r->n_parents)
			buf[n++] = r->norm_deps[i];
	}
	return n;
}

/*
 * Alembic 1.8's RevisionMap._topological_sort, ported: start from the heads,
 * walk down one line while no other pending head needs the candidate as an
 * ancestor; otherwise switch to that head first. Ancestor sets are byte
 * arrays, one per pending head. Alembic takes the heads in the order its
 * files were listed (os.listdir: arbitrary); here in descending id order,
 * so that an upgrade (this order reversed) runs independent branches in
 * ascending id order.
 */
int qp_graph__topo_newest_first(qp_revset *out, const qp_graph *g, unsigned char *todo,
                                qp_rev *const *heads, size_t n_heads)
{
	qp_rev **cur = NULL, **down = NULL;
	unsigned char **anc = NULL, *in_heads = NULL;
	size_t nh = 0, cap, idx = 0, i, j, left = 0, switches = 0;
	int error = 0;

	for (i = 0; i < g->count; i++)
		left += todo[i] != 0;
	if (!left)
		return 0;
	cap = n_heads + 8;
	cur = malloc(cap * sizeof(*cur));
	anc = calloc(cap, sizeof(*anc));
	in_heads = qp_graph__set_new(g);
	if (!cur || !anc || !in_heads) {
		error = qp_error_oom();
		goto done;
	}
	for (i = 0; i < n_heads; i++)
		if (todo[heads[i]->order] && !in_heads[heads[i]->order]) {
			in_heads[heads[i]->order] = 1;
			cur[nh++] = heads[i];
		}
	qsort(cur, nh, sizeof(*cur), cmp_rev_id_desc);
	for (i = 0; i < nh; i++) {
		if (!(anc[i] = qp_graph__set_new(g))) {
			error = qp_error_oom();
			goto done;
		}
		if ((error = qp_graph__ancestors(anc[i], g, &cur[i], 1, QP_G_DEPS)) < 0)
			goto done;
	}

	while (nh) {
		qp_rev *cand = cur[idx];
		size_t nd, k = 0;

		for (j = 0; j < nh; j++)
			if (j != idx && anc[j][cand->order])
				break;
		if (j < nh) {
			/* another head needs the candidate below it: walk that one first */
			if (++switches > nh + 1) {
				error = qp_error_set(QUIPU_EGRAPH, "internal error: topological walk does not progress at '%s'", cand->info.id);
				goto done;
			}
			idx = j;
			continue;
		}
		switches = 0;
		if (todo[cand->order]) {
			if ((error = qp_revset__add(out, cand)) < 0)
				goto done;
			todo[cand->order] = 0;
			left--;
		}
		free(down);
		if (!(down = malloc((cand->n_parents + cand->n_norm_deps + 1) * sizeof(*down)))) {
			error = qp_error_oom();
			goto done;
		}
		nd = norm_down(down, cand);
		for (i = 0; i < nd; i++)
			if (todo[down[i]->order] && !in_heads[down[i]->order])
				down[k++] = down[i];
		in_heads[cand->order] = 0;
		if (!k) {
			free(anc[idx]);
			memmove(&cur[idx], &cur[idx + 1], (nh - idx - 1) * sizeof(*cur));
			memmove(&anc[idx], &anc[idx + 1], (nh - idx - 1) * sizeof(*anc));
			nh--;
			idx = idx ? idx - 1 : 0;
			continue;
		}
		cur[idx] = down[0];
		in_heads[down[0]->order] = 1;
		if (!cand->n_norm_deps && cand->n_parents == 1) {
			anc[idx][cand->order] = 0;
			continue;
		}
		memset(anc[idx], 0, g->count);
		if ((error = qp_graph__ancestors(anc[idx], g, &down[0], 1, QP_G_DEPS)) < 0)
			goto done;
		if (nh + k > cap) {
			size_t ncap = (nh + k) * 2;
			qp_rev **nc = realloc(cur, ncap * sizeof(*nc));
			unsigned char **na;
			if (!nc) {
				error = qp_error_oom();
				goto done;
			}
			cur = nc;
			if (!(na = realloc(anc, ncap * sizeof(*na)))) {
				error = qp_error_oom();
				goto done;
			}
			anc = na;
			cap = ncap;
		}
		for (i = 1; i < k; i++) {
			anc[nh] = NULL;
			cur[nh++] = down[i];
			in_heads[down[i]->order] = 1;
			if (!(anc[nh - 1] = qp_graph__set_new(g))) {
				error = qp_error_oom();
				goto done;
			}
			if ((error = qp_graph__ancestors(anc[nh - 1], g, &down[i], 1, QP_G_DEPS)) < 0)
				goto done;
		}
	}
	if (left)
		error = qp_error_set(QUIPU_EGRAPH, "internal error: %zu revision(s) not reached by the topological walk", left);
done:
	if (anc)
		for (i = 0; i < nh; i++)
			free(anc[i]);
	free(anc);
	free(cur);
	free(down);
	free(in_heads);
	return error;
}

/* ---- building --------------------------------------------------------- */

/* A binary min-heap of revisions by id, for Kahn's algorithm. */
typedef struct heap {
	qp_rev **items;
	size_t count;
} heap;

static void heap_push(heap *h, qp_rev *r)
{
	size_t i = h->count++;
	while (i && strcmp(h->items[(i - 1) / 2]->info.id, r->info.id) > 0) {
		h->items[i] = h->items[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->items[i] = r;
}

static qp_rev *heap_pop(heap *h)
{
	qp_rev *top = h->items[0], *last = h->items[--h->count];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= h->count)
			break;
		if (c + 1 < h->count && strcmp(h->items[c + 1]->info.id, h->items[c]->info.id) < 0)
			c++;
		if (strcmp(h->items[c]->info.id, last->info.id) >= 0)
			break;
		h->items[i] = h->items[c];
		i = c;
	}
	if (h->count)
		h->items[i] = last;
	return top;
}

static const char *path_of(const qp_rev *r)
{
	return r->script->path ? r->script->path : "(unnamed file)";
}

static void problem(qp_buf *b, size_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void problem(qp_buf *b, size_t *n, const char *fmt, ...)
{
	va_list ap;
	qp_buf_puts(b, "\n  ");
	va_start(ap, fmt);
	qp_buf_vprintf(b, fmt, ap);
	va_end(ap);
	(*n)++;
}

static int add_label(qp_rev *r, const char *label)
{
	if (qp_strlist_contains(&r->branches, label))
		return 0;
	return qp_strlist_add(&r->branches, label);
}

/* Distinct revisions among children and dependents (Alembic's _all_nextrev). */
static size_t n_all_next(const qp_rev *r)
{
	size_t n = r->n_children, i, j;

	for (i = 0; i < r->n_dependents; i++) {
		for (j = 0; j < r->n_children && r->children[j] != r->dependents[i]; j++)
			;
		n += j == r->n_children;
	}
	return n;
}

/*
 * Alembic's _add_branches: a label applies to the labelled revision, all its
 * descendants along `Revises`, and from the last descendant its depth-first
 * walk reaches, down again until a branch point or a merge. (Alembic's
 * walk follows set order; children are taken in id order here.) The
 * stack has room for every edge: a merge is pushed once per parent.
 */
static int inherit_labels(qp_graph *g, qp_rev *r, unsigned char *seen, qp_rev **stack)
{
	const qp_strlist *labels = &r->script->labels;
	qp_rev *node = r;
	size_t top = 0, i, l;
	int error;

	memset(seen, 0, g->count);
	stack[top++] = r;
	while (top) {
		qp_rev *x = stack[--top];
		if (seen[x->order])
			continue;
		seen[x->order] = 1;
		for (i = 0; i < x->n_children; i++)
			if (!seen[x->children[i]->order])
				stack[top++] = x->children[i];
		for (l = 0; l < labels->count; l++)
			if ((error = add_label(x, labels->items[l])) < 0)
				return error;
		node = x;
	}
	while (node && n_all_next(node) <= 1 && node->n_parents <= 1) {
		for (l = 0; l < labels->count; l++)
			if ((error = add_label(node, labels->items[l])) < 0)
				return error;
		node = node->n_parents ? node->parents[0] : NULL;
	}
	return 0;
}

/*
 * Alembic's _normalize_depends_on: a dependency that a `Revises` ancestor
 * already depends on is dropped. Only dependencies shared by several
 * revisions can be dropped, so the ancestor walk runs only for those.
 */
static int normalize_deps(qp_graph *g, qp_rev *r, unsigned char *anc)
{
	size_t i, j, shared = 0;
	int error;

	if (!r->n_deps)
		return 0;
	if (!(r->norm_deps = malloc(r->n_deps * sizeof(*r->norm_deps))))
		return qp_error_oom();
	for (i = 0; i < r->n_deps; i++)
		shared += r->deps[i]->n_dependents > 1;
	if (shared) {
		memset(anc, 0, g->count);
		if ((error = qp_graph__ancestors(anc, g, &r, 1, QP_G_VERSIONED)) < 0)
			return error;
		anc[r->order] = 0;
	}
	for (i = 0; i < r->n_deps; i++) {
		qp_rev *d = r->deps[i];
		int drop = 0;
		if (shared)
			for (j = 0; j < d->n_dependents && !drop; j++)
				drop = d->dependents[j] != r && anc[d->dependents[j]->order];
		if (!drop)
			r->norm_deps[r->n_norm_deps++] = d;
	}
	return 0;
}

static int fill_info(qp_rev *r)
{
	qp_script *s = r->script;
	quipu_revinfo *in = &r->info;
	size_t i;

	in->id = s->id;
	in->message = s->message ? s->message : "";
	in->path = s->path ? s->path : "";
	in->create_date = s->create_date ? s->create_date : "";
	in->down = (const char *const *)s->down.items;
	in->n_down = s->down.count;
	in->labels = (const char *const *)s->labels.items;
	in->n_labels = s->labels.count;
	in->depends = (const char *const *)s->depends.items;
	in->n_depends = s->depends.count;
	for (i = 0; i < r->n_children; i++)   /* next_ids: a slice of g->next_block */
		r->next_ids[i] = r->children[i]->info.id;
	in->next = r->next_ids;
	in->n_next = r->n_children;
	in->is_head = !r->n_children;
	in->is_base = !r->n_parents;
	in->is_branch_point = r->n_children > 1;
	in->is_merge = r->n_parents > 1;
	return 0;
}

/* Resolves Revises and Depends On of node i into arrays; problems are noted. */
static int link(qp_graph *g, qp_rev *r, qp_buf *pb, size_t *np)
{
	qp_script *s = r->script;
	size_t i, j;

	r->parents = g->parent_block + g->n_parent_block;   /* a slice of one block */
	g->n_parent_block += s->down.count;
	for (i = 0; i < s->down.count; i++) {
		const char *d = s->down.items[i];
		qp_rev *p = qp_map_get(&g->by_id, d);
		if (!strcmp(d, s->id)) {
			problem(pb, np, "%s: revision '%s' revises itself (Revises: %s); remove it from Revises",
			        path_of(r), s->id, d);
			continue;
		}
		if (!p) {
			problem(pb, np, "%s: revision '%s' revises '%s', which is not in the revision files "
			        "(deleted, or kept in a folder missing from version_locations?)",
			        path_of(r), s->id, d);
			continue;
		}
		for (j = 0; j < r->n_parents && r->parents[j] != p; j++)
			;
		if (j < r->n_parents) {
			problem(pb, np, "%s: revision '%s' lists '%s' twice in Revises", path_of(r), s->id, d);
			continue;
		}
		r->parents[r->n_parents++] = p;
	}
	if (s->depends.count && !(r->deps = malloc(s->depends.count * sizeof(*r->deps))))
		return qp_error_oom();
	for (i = 0; i < s->depends.count; i++) {
		const char *d = s->depends.items[i];
		qp_rev *p = qp_map_get(&g->by_id, d);
		if (!p)
			p = qp_map_get(&g->by_label, d);
		if (p == r || !strcmp(d, s->id)) {
			problem(pb, np, "%s: revision '%s' depends on itself (Depends On: %s); remove it",
			        path_of(r), s->id, d);
			continue;
		}
		if (!p) {
			problem(pb, np, "%s: revision '%s' depends on '%s', which is neither a revision nor a "
			        "branch label in the revision files", path_of(r), s->id, d);
			continue;
		}
		for (j = 0; j < r->n_deps && r->deps[j] != p; j++)
			;
		if (j == r->n_deps)
			r->deps[r->n_deps++] = p;
	}
	return 0;
}

/* Fills children and dependents (id order) from parents and deps. */
static int link_back(qp_graph *g, const unsigned char *dead)
{
	size_t i, j, n_children = 0, at = 0;

	for (i = 0; i < g->n_scripts; i++) {
		qp_rev *r = &g->nodes[i];
		if (dead[i])
			continue;
		for (j = 0; j < r->n_parents; j++)
			r->parents[j]->n_children++;
		for (j = 0; j < r->n_deps; j++)
			r->deps[j]->n_dependents++;
	}
	for (i = 0; i < g->n_scripts; i++)
		n_children += g->nodes[i].n_children;
	/* children and next ids: slices of two blocks (one allocation each, not one per revision) */
	if (n_children && (!(g->child_block = malloc(n_children * sizeof(*g->child_block))) ||
	                   !(g->next_block = malloc(n_children * sizeof(*g->next_block)))))
		return qp_error_oom();
	for (i = 0; i < g->n_scripts; i++) {
		qp_rev *r = &g->nodes[i];
		r->children = g->child_block + at;
		r->next_ids = g->next_block + at;
		at += r->n_children;
		if (r->n_dependents && !(r->dependents = malloc(r->n_dependents * sizeof(*r->dependents))))
			return qp_error_oom();
		r->n_children = r->n_dependents = 0;
	}
	for (i = 0; i < g->n_scripts; i++) {
		qp_rev *r = &g->nodes[i];
		if (dead[i])
			continue;
		for (j = 0; j < r->n_parents; j++)
			r->parents[j]->children[r->parents[j]->n_children++] = r;
		for (j = 0; j < r->n_deps; j++)
			r->deps[j]->dependents[r->deps[j]->n_dependents++] = r;
	}
	for (i = 0; i < g->n_scripts; i++) {
		qp_rev *r = &g->nodes[i];
		if (r->n_children > 1)
			qsort(r->children, r->n_children, sizeof(*r->children), cmp_rev_id);
		if (r->n_dependents > 1)
			qsort(r->dependents, r->n_dependents, sizeof(*r->dependents), cmp_rev_id);
	}
	return 0;
}

/*
 * Kahn's algorithm over parents and dependencies, smallest id first among
 * the ready ones. Revisions left over lie on or behind a cycle: those that
 * still have a pending child or dependent after pruning the ones behind
 * are on a cycle and reported.
 */
static int order_revs(qp_graph *g, const unsigned char *dead, size_t live, qp_buf *pb, size_t *np)
{
	size_t *indeg = NULL, i, j, n = 0;
	heap h = {NULL, 0};
	int error = 0;

	indeg = calloc(g->n_scripts, sizeof(*indeg));
	h.items = malloc((g->n_scripts + 1) * sizeof(*h.items));
	if (!(g->revs = malloc((g->n_scripts + 1) * sizeof(*g->revs))) || !indeg || !h.items) {
		error = qp_error_oom();
		goto done;
	}
	for (i = 0; i < g->n_scripts; i++) {
		qp_rev *r = &g->nodes[i];
		if (dead[i])
			continue;
		indeg[i] = r->n_parents + r->n_deps;
		if (!indeg[i])
			heap_push(&h, r);
	}
	while (h.count) {
		qp_rev *r = heap_pop(&h);
		r->order = n;
		g->revs[n++] = r;
		for (j = 0; j < r->n_children; j++)
			if (!--indeg[r->children[j] - g->nodes])
				heap_push(&h, r->children[j]);
		for (j = 0; j < r->n_dependents; j++)
			if (!--indeg[r->dependents[j] - g->nodes])
				heap_push(&h, r->dependents[j]);
	}
	g->count = n;
	if (n < live) {
		/* prune, from the tips, the revisions that only sit behind a cycle */
		size_t *outdeg = calloc(g->n_scripts, sizeof(*outdeg));
		qp_buf names = QP_BUF_INIT;
		int first = 1;

		if (!outdeg) {
			error = qp_error_oom();
			goto done;
		}
		for (i = 0; i < g->n_scripts; i++) {
			qp_rev *r = &g->nodes[i];
			if (dead[i] || !indeg[i])
				continue;
			for (j = 0; j < r->n_children; j++)
				outdeg[i] += indeg[r->children[j] - g->nodes] != 0;
			for (j = 0; j < r->n_dependents; j++)
				outdeg[i] += indeg[r->dependents[j] - g->nodes] != 0;
			if (!outdeg[i])
				heap_push(&h, r);
		}
		while (h.count) {
			qp_rev *r = heap_pop(&h);
			indeg[r - g->nodes] = 0;
			for (j = 0; j < r->n_parents; j++)
				if (indeg[r->parents[j] - g->nodes] && !--outdeg[r->parents[j] - g->nodes])
					heap_push(&h, r->parents[j]);
			for (j = 0; j < r->n_deps; j++)
				if (indeg[r->deps[j] - g->nodes] && !--outdeg[r->deps[j] - g->nodes])
					heap_push(&h, r->deps[j]);
		}
		for (i = 0; i < g->n_scripts; i++)
			if (!dead[i] && indeg[i]) {
				qp_buf_printf(&names, "%s%s (%s)", first ? "" : ", ", g->nodes[i].info.id,
				              path_of(&g->nodes[i]));
				first = 0;
			}
		problem(pb, np, "cycle in Revises/Depends On among revisions %s; one of them must not "
		        "name the others", qp_buf_cstr(&names));
		qp_buf_release(&names);
		free(outdeg);
	}
done:
	free(indeg);
	free(h.items);
	return error;
}

int qp_graph_build(qp_graph *g, qp_script *scripts, size_t n_scripts)
{
	qp_buf pb = QP_BUF_INIT;
	size_t np = 0, i, l, live = 0, edges = 0, n_parents = 0;
	unsigned char *dead = NULL, *seen = NULL;
	qp_rev **stack = NULL;
	int error = 0;

	memset(g, 0, sizeof(*g));
	g->scripts = scripts;
	g->n_scripts = n_scripts;
	if (!n_scripts)
		return 0;
	if (!(g->nodes = calloc(n_scripts, sizeof(*g->nodes))) || !(dead = calloc(n_scripts, 1))) {
		error = qp_error_oom();
		goto done;
	}

	/* ids: valid and unique */
	for (i = 0; i < n_scripts; i++) {
		qp_rev *r = &g->nodes[i], *other;
		r->script = &scripts[i];
		r->info.id = scripts[i].id ? scripts[i].id : "";
		r->info.path = scripts[i].path ? scripts[i].path : "";
		if (!scripts[i].id || !*scripts[i].id) {
			problem(&pb, &np, "%s: no `Revision ID:` in the header", path_of(r));
			dead[i] = 1;
			continue;
		}
		if (qp_revid_check(scripts[i].id) < 0) {
			const quipu_error *e = quipu_error_last();
			problem(&pb, &np, "%s: %s", path_of(r), e && e->message ? e->message : "invalid revision id");
			dead[i] = 1;
			continue;
		}
		if ((other = qp_map_get(&g->by_id, scripts[i].id))) {
			problem(&pb, &np, "duplicate revision id '%s' in %s and %s; give one of them a new id "
			        "(and update the Revises of its children)", scripts[i].id, path_of(other), path_of(r));
			dead[i] = 1;
			continue;
		}
		if ((error = qp_map_put(&g->by_id, scripts[i].id, r)) < 0)
			goto done;
		live++;
	}

	/* branch labels: each declared once, never an id */
	for (i = 0; i < n_scripts; i++) {
		qp_rev *r = &g->nodes[i], *other;
		if (dead[i])
			continue;
		for (l = 0; l < scripts[i].labels.count; l++) {
			const char *label = scripts[i].labels.items[l];
			if ((other = qp_map_get(&g->by_id, label))) {
				problem(&pb, &np, "%s: branch label '%s' of revision '%s' is also the id of revision "
				        "'%s' (%s); rename the label", path_of(r), label, r->info.id,
				        other->info.id, path_of(other));
			} else if ((other = qp_map_get(&g->by_label, label))) {
				if (other == r)
					continue;
				problem(&pb, &np, "branch label '%s' is declared by both %s (revision '%s') and %s "
				        "(revision '%s'); a label names one revision, remove one of them",
				        label, path_of(other), other->info.id, path_of(r), r->info.id);
			} else if ((error = qp_map_put(&g->by_label, label, r)) < 0) {
				goto done;
			}
		}
	}

	for (i = 0; i < n_scripts; i++)
		n_parents += dead[i] ? 0 : scripts[i].down.count;
	if (n_parents && !(g->parent_block = malloc(n_parents * sizeof(*g->parent_block)))) {
		error = qp_error_oom();
		goto done;
	}
	for (i = 0; i < n_scripts; i++)
		if (!dead[i] && (error = link(g, &g->nodes[i], &pb, &np)) < 0)
			goto done;
	if ((error = link_back(g, dead)) < 0)
		goto done;
	if ((error = order_revs(g, dead, live, &pb, &np)) < 0)
		goto done;
	if (np) {
		error = qp_error_set(QUIPU_EGRAPH, "the revision files have %zu problem%s:%s", np,
		                     np == 1 ? "" : "s", qp_buf_cstr(&pb));
		goto done;
	}

	/* derived data */
	for (i = 0; i < g->count; i++)
		edges += g->revs[i]->n_children;
	if (!(seen = qp_graph__set_new(g)) || !(stack = malloc((g->count + edges + 1) * sizeof(*stack)))) {
		error = qp_error_oom();
		goto done;
	}
	for (i = 0; i < g->count; i++)
		if ((error = normalize_deps(g, g->revs[i], seen)) < 0)
			goto done;
	for (i = 0; i < g->count; i++)
		if (g->revs[i]->script->labels.count &&
		    (error = inherit_labels(g, g->revs[i], seen, stack)) < 0)
			goto done;
	if (!(g->heads = malloc((g->count + 1) * sizeof(*g->heads))) ||
	    !(g->bases = malloc((g->count + 1) * sizeof(*g->bases)))) {
		error = qp_error_oom();
		goto done;
	}
	for (i = 0; i < g->count; i++) {
		qp_rev *r = g->revs[i];
		if ((error = fill_info(r)) < 0)
			goto done;
		if (!r->n_children)
			g->heads[g->n_heads++] = r;
		if (!r->n_parents)
			g->bases[g->n_bases++] = r;
	}
	qsort(g->heads, g->n_heads, sizeof(*g->heads), cmp_rev_id);
	qsort(g->bases, g->n_bases, sizeof(*g->bases), cmp_rev_id);
done:
	if (pb.oom && !error)
		error = qp_error_oom();
	qp_buf_release(&pb);
	free(dead);
	free(seen);
	free(stack);
	if (error < 0)
		qp_graph_release(g);
	return error;
}

void qp_graph_release(qp_graph *g)
{
	size_t i;

	if (g->nodes)
		for (i = 0; i < g->n_scripts; i++) {
			qp_rev *r = &g->nodes[i];
			free(r->deps);
			free(r->dependents);
			free(r->norm_deps);
			qp_strlist_release(&r->branches);
		}
	for (i = 0; g->scripts && i < g->n_scripts; i++)
		qp_script_release(&g->scripts[i]);
	free(g->scripts);
	free(g->nodes);
	free(g->parent_block);
	free(g->child_block);
	free(g->next_block);
	free(g->revs);
	free(g->heads);
	free(g->bases);
	qp_map_release(&g->by_id);
	qp_map_release(&g->by_label);
	memset(g, 0, sizeof(*g));
}
