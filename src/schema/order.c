/*
 * order.c: the order of a diff's operations (see diff.h), after
 * pg_dump_sort.c: a topological sort by dependency, ties broken by a
 * per-kind priority so the output is deterministic and reads well.
 *
 * Edges (a -> b: a runs first):
 *  1. an op making an object runs after the ops making what it depends on
 *     (in the desired model), and after its table's;
 *  2. an op dropping or breaking an object runs after the ops that drop or
 *     change what depends on it (in the current model);
 *  3. dropping an object runs before making one of the same name;
 *  4. enum labels are added in their order; a rename runs before the other
 *     changes to the same object; a sequence is detached from a column
 *     before the column goes.
 * Priority: drops (dependents first), then changes, then creations (schemas,
 * extensions, types, functions, sequences, tables, their columns, keys and
 * indexes, foreign keys, views, triggers), each table's parts right after
 * it, then by name.
 *
 * Foreign keys travel with their table's CREATE or DROP; when that makes a
 * cycle (two tables referencing each other) one is split out into its own
 * ALTER TABLE ... ADD / DROP CONSTRAINT and the sort starts again.
 */
#include "schema/diff.h"
#include "util/err.h"
#include "util/hash.h"

#include <stdlib.h>
#include <string.h>

typedef struct octx {
	qp_diff *d;
	qp_map prod;           /* key of a desired object -> qp_ptrvec of ops making it */
	qp_map cons;           /* key of a current object -> qp_ptrvec of ops dropping or changing it */
	qp_map drops;          /* key of a current object -> the op dropping it */
	qp_map owned;          /* key of a current column -> qp_ptrvec of sequences it owns */
	qp_arena scratch;      /* the maps' vectors; reset on every rebuild */
} octx;

static int vec_add(octx *x, qp_map *m, const char *key, void *item)
{
	qp_ptrvec *v = qp_map_get(m, key);

	if (!v) {
		if (!(v = qp_arena_alloc(&x->scratch, sizeof(*v))) || qp_map_put(m, key, v) < 0)
			return QUIPU_ENOMEM;
	}
	return qp_ptrvec_push(v, &x->scratch, item);
}

static void maps_release(octx *x)
{
	qp_map_release(&x->prod);
	qp_map_release(&x->cons);
	qp_map_release(&x->drops);
	qp_map_release(&x->owned);
	qp_arena_release(&x->scratch);
}

static int edge(octx *x, qp_op *a, qp_op *b)
{
	if (a == b || a->dead || b->dead)
		return 0;
	b->n_pred++;
	return qp_ptrvec_push(&a->succ, &x->d->arena, b);
}

/* Does op let go of what an object depends on (so it must run before
 * that dependency is dropped or broken)? */
static int releases(const qp_op *op)
{
	switch (op->kind) {
	case QP_OP_DROP:
	case QP_OP_REBUILD:
	case QP_OP_ENUM_REBUILD:
		return 1;
	case QP_OP_ALTER:
		return op->breaks || (op->changes & QP_CH_DEFAULT);
	case QP_OP_SEQ_OWNED:
		return op->to == NULL;
	default:
		return 0;
	}
}

static int releases_from(octx *x, const char *key, qp_op *to)
{
	qp_ptrvec *v = qp_map_get(&x->cons, key);
	size_t i;
	int error;

	for (i = 0; v && i < v->count; i++)
		if (releases(v->items[i]) && (error = edge(x, v->items[i], to)) < 0)
			return error;
	return 0;
}

static int edges_from(octx *x, qp_map *m, const char *key, qp_op *to)
{
	qp_ptrvec *v = qp_map_get(m, key);
	size_t i;
	int error;

	for (i = 0; v && i < v->count; i++)
		if ((error = edge(x, v->items[i], to)) < 0)
			return error;
	return 0;
}

static int edges_to(octx *x, qp_map *m, const char *key, qp_op *from, int skip_drops)
{
	qp_ptrvec *v = qp_map_get(m, key);
	size_t i;
	int error;

	for (i = 0; v && i < v->count; i++) {
		qp_op *q = v->items[i];
		if (skip_drops && q->kind == QP_OP_DROP)
			continue;
		if ((error = edge(x, from, q)) < 0)
			return error;
	}
	return 0;
}

static int edge_from_drop(octx *x, const char *key, qp_op *to)
{
	qp_op *d = qp_map_get(&x->drops, key);

	return d ? edge(x, d, to) : 0;
}

/* The objects an op makes / drops, foreign keys travelling with it included. */
static size_t n_news(const qp_op *op)
{
	return op->news.count + (op->kind == QP_OP_CREATE ? op->fks.count : 0);
}

static qp_obj *news_at(const qp_op *op, size_t i)
{
	return i < op->news.count ? op->news.items[i] : op->fks.items[i - op->news.count];
}

static size_t n_olds(const qp_op *op)
{
	return op->olds.count + (op->kind == QP_OP_DROP ? op->fks.count : 0);
}

static qp_obj *olds_at(const qp_op *op, size_t i)
{
	return i < op->olds.count ? op->olds.items[i] : op->fks.items[i - op->olds.count];
}

static int build_maps(octx *x)
{
	const qp_model *cur = x->d->cur;
	size_t i, j;
	int error;

	for (i = 0; i < x->d->ops.count; i++) {
		qp_op *op = x->d->ops.items[i];
		if (op->dead)
			continue;
		for (j = 0; j < n_news(op); j++)
			if ((error = vec_add(x, &x->prod, news_at(op, j)->key, op)) < 0)
				return error;
		for (j = 0; j < n_olds(op); j++) {
			qp_obj *o = olds_at(op, j);
			if ((error = vec_add(x, &x->cons, o->key, op)) < 0)
				return error;
			if ((op->kind == QP_OP_DROP || op->kind == QP_OP_REBUILD) && !qp_map_get(&x->drops, o->key) &&
			    (error = qp_map_put(&x->drops, o->key, op)) < 0)
				return error;
		}
	}
	/* the dependents of what is dropped or broken (the diff's, made once) */
	if ((error = qp_diff_rdeps(x->d)) < 0)
		return error;
	for (i = 0; i < cur->n_objs; i++) {
		qp_obj *o = cur->objs[i];
		if (o->kind == QP_K_SEQUENCE && ((qp_sequence *)o)->owned_by &&
		    (error = vec_add(x, &x->owned, ((qp_sequence *)o)->owned_by, o)) < 0)
			return error;
	}
	return 0;
}

static int build_edges(octx *x)
{
	size_t i, j, k;
	qp_op *prev_enum_add = NULL;
	int error;

	for (i = 0; i < x->d->ops.count; i++) {
		qp_op *op = x->d->ops.items[i];
		if (op->dead)
			continue;
		/* 1. after what the new objects need */
		for (j = 0; j < n_news(op); j++) {
			qp_obj *o = news_at(op, j);
			for (k = 0; k < o->n_deps; k++)
				if ((error = edges_from(x, &x->prod, o->deps[k]->key, op)) < 0)
					return error;
			if (o->table && (error = edges_from(x, &x->prod, o->table->h.key, op)) < 0)
				return error;
			/* 3. after the drop of an object of the same name */
			if ((error = edge_from_drop(x, o->key, op)) < 0)
				return error;
		}
		if (op->kind == QP_OP_SEQ_OWNED && op->to) {
			const char *col = ((qp_sequence *)op->to)->owned_by;
			if ((error = edges_from(x, &x->prod, op->to->key, op)) < 0)
				return error;
			if (col && (error = edges_from(x, &x->prod, col, op)) < 0)
				return error;
			if (col) {
				/* the owner column's table, when it is made */
				qp_obj *c = qp_model_get(x->d->want, col);
				if (c && c->table && (error = edges_from(x, &x->prod, c->table->h.key, op)) < 0)
					return error;
			}
		}
		/* 2. dropping or breaking: after the ops on what depends on it */
		if (op->kind == QP_OP_DROP || op->breaks) {
			for (j = 0; j < n_olds(op); j++) {
				qp_obj *o = olds_at(op, j);
				size_t n_deps;
				qp_obj *const *deps = qp_diff_dependents(x->d, o, &n_deps);
				qp_ptrvec *seqs;
				for (k = 0; k < n_deps; k++)
					if ((error = releases_from(x, deps[k]->key, op)) < 0)
						return error;
				/* 4. sequences detached from a column before it goes */
				seqs = o->kind == QP_K_COLUMN ? qp_map_get(&x->owned, o->key) : NULL;
				for (k = 0; seqs && k < seqs->count; k++) {
					qp_ptrvec *sops = qp_map_get(&x->cons, ((qp_obj *)seqs->items[k])->key);
					size_t m;
					for (m = 0; sops && m < sops->count; m++) {
						qp_op *q = sops->items[m];
						if (q->kind == QP_OP_SEQ_OWNED && !q->to && (error = edge(x, q, op)) < 0)
							return error;
					}
				}
			}
		}
		/* 4. a rename first, then the other changes of that object */
		if (op->kind == QP_OP_RENAME && (error = edges_to(x, &x->cons, op->from->key, op, 1)) < 0)
			return error;
		/* 4. enum labels in order */
		if (op->kind == QP_OP_ENUM_ADD) {
			if (prev_enum_add && prev_enum_add->to == op->to && (error = edge(x, prev_enum_add, op)) < 0)
				return error;
			prev_enum_add = op;
		}
	}
	return 0;
}

/* ---- priority ---------------------------------------------------------- */

static int phase(const qp_op *op)
{
	switch (op->kind) {
	case QP_OP_DROP:
		return 0;
	case QP_OP_SEQ_OWNED:
		return op->to ? 2 : 0;
	case QP_OP_CREATE:
		return 2;
	default:
		return 1;
	}
}

/* v in exactly `width` decimal digits (v < 10^width) at p; returns the end. */
static char *put_digits(char *p, size_t v, int width)
{
	int i;

	for (i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + width;
}

static int make_key(octx *x, qp_op *op)
{
	qp_obj *o = op->to ? op->to : op->from;
	const qp_obj *g = o->table ? &o->table->h : o;
	int ph = phase(op);
	int grank = ph == 0 ? QP_K__COUNT - (int)g->kind : (int)g->kind;
	int krank = ph == 0 ? QP_K__COUNT - (int)o->kind : (int)o->kind;

	const char *oname = o == g ? "" : o->name;
	size_t ls = strlen(g->schema), lg = strlen(g->name), lo = strlen(oname);
	char *k, *p;

	if (o == g)
		krank = 0;
	/* "%d%02d%s.%s\x01%02d%s\x01%08zu", by hand: one key per op, and
	 * vsnprintf was a quarter of ordering 10,000 ops */
	if (ph < 0 || ph > 9 || grank < 0 || grank > 99 || krank < 0 || krank > 99 || op->id > 99999999) {
		op->sort_key = qp_arena_printf(&x->d->arena, "%d%02d%s.%s\x01%02d%s\x01%08zu", ph, grank, g->schema,
		                               g->name, krank, oname, op->id);
		return op->sort_key ? 0 : QUIPU_ENOMEM;
	}
	if (!(k = p = qp_arena_alloc(&x->d->arena, 3 + ls + 1 + lg + 1 + 2 + lo + 1 + 8 + 1)))
		return QUIPU_ENOMEM;
	*p++ = (char)('0' + ph);
	p = put_digits(p, (size_t)grank, 2);
	memcpy(p, g->schema, ls);
	p += ls;
	*p++ = '.';
	memcpy(p, g->name, lg);
	p += lg;
	*p++ = '\x01';
	p = put_digits(p, (size_t)krank, 2);
	memcpy(p, oname, lo);
	p += lo;
	*p++ = '\x01';
	p = put_digits(p, op->id, 8);
	*p = '\0';
	op->sort_key = k;
	return 0;
}

/* ---- the heap of ready ops -------------------------------------------- */

typedef struct heap {
	qp_op **v;
	size_t n, cap;
} heap;

static int less(const qp_op *a, const qp_op *b)
{
	return strcmp(a->sort_key, b->sort_key) < 0;
}

static int heap_push(heap *h, qp_op *op)
{
	size_t i;

	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 64;
		qp_op **v = realloc(h->v, cap * sizeof(*v));
		if (!v)
			return qp_error_oom();
		h->v = v;
		h->cap = cap;
	}
	i = h->n++;
	h->v[i] = op;
	while (i > 0 && less(h->v[i], h->v[(i - 1) / 2])) {
		qp_op *t = h->v[i];
		h->v[i] = h->v[(i - 1) / 2];
		h->v[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
	return 0;
}

static qp_op *heap_pop(heap *h)
{
	qp_op *top = h->v[0];
	size_t i = 0;

	h->v[0] = h->v[--h->n];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		qp_op *t;
		if (l < h->n && less(h->v[l], h->v[m]))
			m = l;
		if (r < h->n && less(h->v[r], h->v[m]))
			m = r;
		if (m == i)
			break;
		t = h->v[i];
		h->v[i] = h->v[m];
		h->v[m] = t;
		i = m;
	}
	return top;
}

/* ---- breaking cycles -------------------------------------------------- */

/* Takes one foreign key out of a stuck table op into an op of its own.
 * 0 when one was split, QUIPU_ENOTFOUND when there is none to split. */
static int split_one(octx *x, qp_op **stuck, size_t n_stuck)
{
	qp_op *best = NULL, *op;
	qp_obj *fk;
	size_t i;

	for (i = 0; i < n_stuck; i++)
		if (stuck[i]->fks.count && (!best || less(stuck[i], best)))
			best = stuck[i];
	if (!best)
		return QUIPU_ENOTFOUND;
	fk = best->fks.items[0];
	memmove(best->fks.items, best->fks.items + 1, (best->fks.count - 1) * sizeof(*best->fks.items));
	best->fks.count--;
	if (x->d->dialect == QP_DIALECT_SQLITE)
		return 0;   /* SQLite does not check them when tables are made: the order is only cosmetic */
	if (!(op = qp_arena_alloc(&x->d->arena, sizeof(*op))))
		return QUIPU_ENOMEM;
	op->kind = best->kind;
	op->split = 1;
	op->forced = best->forced;
	if (best->kind == QP_OP_CREATE) {
		op->to = fk;
		if (qp_ptrvec_push(&op->news, &x->d->arena, fk) < 0)
			return QUIPU_ENOMEM;
	} else {
		op->from = fk;
		if (qp_ptrvec_push(&op->olds, &x->d->arena, fk) < 0)
			return QUIPU_ENOMEM;
	}
	return qp_ptrvec_push(&x->d->ops, &x->d->arena, op);
}

/* ---- the sort --------------------------------------------------------- */

static int sort_once(octx *x, qp_ptrvec *out, int *stuck_out)
{
	heap h = {0}, follow = {0};
	qp_op **stuck = NULL;
	size_t i, j, placed = 0, live = 0, n_stuck = 0;
	int error = 0;

	*stuck_out = 0;
	maps_release(x);
	for (i = 0; i < x->d->ops.count; i++) {
		qp_op *op = x->d->ops.items[i];
		op->id = i;
		op->succ.count = 0;
		op->n_pred = 0;
		op->placed = 0;
		if (!op->dead) {
			live++;
			if ((error = make_key(x, op)) < 0)
				goto done;
		}
	}
	if ((error = build_maps(x)) < 0 || (error = build_edges(x)) < 0)
		goto done;
	for (i = 0; i < x->d->ops.count; i++) {
		qp_op *op = x->d->ops.items[i];
		if (!op->dead && op->n_pred == 0 && (error = heap_push(&h, op)) < 0)
			goto done;
	}
	out->count = 0;
	while (h.n || follow.n) {
		/* a table's indexes and triggers that it just made ready come right after it */
		qp_op *op = follow.n ? heap_pop(&follow) : heap_pop(&h);
		const qp_obj *made = op->kind == QP_OP_CREATE ? op->to : NULL;
		op->placed = 1;
		placed++;
		if ((error = qp_ptrvec_push(out, &x->d->arena, op)) < 0)
			goto done;
		for (j = 0; j < op->succ.count; j++) {
			qp_op *s = op->succ.items[j];
			const qp_obj *so = s->to ? s->to : s->from;
			int child = made && s->kind == QP_OP_CREATE && so && so->table && &so->table->h == made;
			if (--s->n_pred == 0 && (error = heap_push(child ? &follow : &h, s)) < 0)
				goto done;
		}
	}
	if (placed == live)
		goto done;
	/* a cycle */
	if (!(stuck = calloc(live - placed, sizeof(*stuck)))) {
		error = qp_error_oom();
		goto done;
	}
	for (i = 0; i < x->d->ops.count; i++) {
		qp_op *op = x->d->ops.items[i];
		if (!op->dead && !op->placed)
			stuck[n_stuck++] = op;
	}
	error = split_one(x, stuck, n_stuck);
	if (error == QUIPU_ENOTFOUND) {
		qp_buf b = QP_BUF_INIT;
		for (i = 0; i < n_stuck && i < 6; i++) {
			qp_obj *o = stuck[i]->to ? stuck[i]->to : stuck[i]->from;
			qp_buf_printf(&b, "%s%s %s", i ? ", " : "", qp_kind_name(o->kind), o->key);
		}
		error = qp_error_set(QUIPU_ERROR, "cannot order the changes: a dependency cycle between %s",
		                     qp_buf_cstr(&b));
		qp_buf_release(&b);
		goto done;
	}
	if (error == 0)
		*stuck_out = 1;
done:
	free(stuck);
	free(h.v);
	free(follow.v);
	return error;
}

int qp_order(qp_diff *d)
{
	octx x;
	qp_ptrvec out = QP_PTRVEC_INIT;
	size_t rounds = 0;
	int error, again = 1;

	memset(&x, 0, sizeof(x));
	x.d = d;
	while (again) {
		if (++rounds > 100000) {
			error = qp_error_set(QUIPU_ERROR, "cannot order the changes: too many foreign key cycles");
			goto done;
		}
		if ((error = sort_once(&x, &out, &again)) < 0)
			goto done;
	}
	d->ops = out;
done:
	maps_release(&x);
	return error;
}
