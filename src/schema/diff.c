/*
 * diff.c: comparing two schema models into a list of operations (see
 * diff.h).
 *
 * Objects are matched by key. Constraints and indexes are matched by
 * definition first, so a constraint or index that only changed its name is
 * renamed and a CHECK is compared by its expression, not its name. A
 * column is renamed only when the caller says so (--rename table.old:new);
 * a column that disappears while one of the same type appears is a drop
 * and an add, with a warning naming the --rename that would keep the data.
 *
 * When something is dropped or changed in a way its dependents cannot
 * survive (a column's type, a replaced view or function, an enum losing a
 * value), the dependents that remain are dropped first and created again
 * afterwards ("forced" ops). On SQLite a table whose change ALTER TABLE
 * cannot make is rebuilt.
 */
#include "schema/diff.h"
#include "schema/sqltext.h"
#include "util/err.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct dctx {
	qp_diff *d;
	const qp_rename *renames;
	size_t n_renames;
	qp_map dropped;        /* key of a current object -> its DROP op (or the op absorbing it) */
	qp_map created;        /* key of a desired object -> its CREATE op */
	const qp_rename **rn;  /* SQLite: columns renamed in the table being compared */
	size_t n_rn;
} dctx;

static int same(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

static int oom_or(int code)
{
	return code ? code : QUIPU_ENOMEM;
}

static qp_op *new_op(dctx *x, qp_op_kind kind, qp_obj *from, qp_obj *to)
{
	qp_op *op = qp_arena_alloc(&x->d->arena, sizeof(*op));

	if (!op)
		return NULL;
	op->kind = kind;
	op->from = from;
	op->to = to;
	if (qp_ptrvec_push(&x->d->ops, &x->d->arena, op) < 0)
		return NULL;
	if (from && qp_ptrvec_push(&op->olds, &x->d->arena, from) < 0)
		return NULL;
	if (to && kind != QP_OP_SEQ_OWNED && qp_ptrvec_push(&op->news, &x->d->arena, to) < 0)
		return NULL;
	return op;
}

static int add_old(dctx *x, qp_op *op, qp_obj *o)
{
	return qp_ptrvec_push(&op->olds, &x->d->arena, o);
}

static int add_new(dctx *x, qp_op *op, qp_obj *o)
{
	return qp_ptrvec_push(&op->news, &x->d->arena, o);
}

static const char *printf_arena(dctx *x, const char *fmt, const char *a, const char *b, const char *c)
{
	return qp_arena_printf(&x->d->arena, fmt, a ? a : "", b ? b : "", c ? c : "");
}

/* "public.users" -> "users"; "s.t" stays: how names appear in messages. */
static const char *display(const qp_obj *o)
{
	return o->name;
}

static int warn(dctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int warn(dctx *x, const char *fmt, ...)
{
	qp_buf b = QP_BUF_INIT;
	va_list ap;
	int error;

	va_start(ap, fmt);
	qp_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (b.oom)
		return qp_error_oom();
	error = qp_strlist_take(&x->d->warnings, qp_buf_detach(&b));
	return error;
}

/* ---- creating and dropping whole objects ------------------------------ */

static int is_fk(const qp_obj *o)
{
	return o->kind == QP_K_FKEY;
}

/* CREATE of a top-level object: a table brings its columns and
 * constraints (foreign keys attached, so a cycle can split them out), and
 * its indexes and triggers come as ops of their own. */
static int create_obj(dctx *x, qp_obj *o, int forced);

static int create_children(dctx *x, qp_table *t, int forced)
{
	size_t i;
	int error;

	for (i = 0; i < t->n_idx; i++)
		if ((error = create_obj(x, &t->idx[i]->h, forced)) < 0)
			return error;
	for (i = 0; i < t->n_trigs; i++)
		if ((error = create_obj(x, t->trigs[i], forced)) < 0)
			return error;
	return 0;
}

static int create_obj(dctx *x, qp_obj *o, int forced)
{
	qp_op *op = new_op(x, QP_OP_CREATE, NULL, o);
	size_t i;
	int error;

	if (!op)
		return oom_or(qp_error_code());
	op->forced = forced;
	if ((error = qp_map_put(&x->created, o->key, op)) < 0)
		return error;
	if (o->kind == QP_K_TABLE) {
		qp_table *t = (qp_table *)o;
		for (i = 0; i < t->n_cols; i++)
			if ((error = add_new(x, op, &t->cols[i]->h)) < 0)
				return error;
		for (i = 0; i < t->n_cons; i++) {
			qp_obj *k = &t->cons[i]->h;
			if ((error = is_fk(k) ? qp_ptrvec_push(&op->fks, &x->d->arena, k) : add_new(x, op, k)) < 0)
				return error;
		}
	}
	if (o->kind == QP_K_TABLE || o->kind == QP_K_MATVIEW || o->kind == QP_K_VIEW)
		return create_children(x, (qp_table *)o, forced);
	return 0;
}

/* Puts everything inside table t into a DROP op's olds. */
static int absorb_children(dctx *x, qp_op *op, qp_table *t)
{
	size_t i;
	int error;

	for (i = 0; i < t->n_cols; i++)
		if ((error = add_old(x, op, &t->cols[i]->h)) < 0 ||
		    (error = qp_map_put(&x->dropped, t->cols[i]->h.key, op)) < 0)
			return error;
	for (i = 0; i < t->n_cons; i++) {
		qp_obj *k = &t->cons[i]->h;
		if ((error = is_fk(k) ? qp_ptrvec_push(&op->fks, &x->d->arena, k) : add_old(x, op, k)) < 0 ||
		    (error = qp_map_put(&x->dropped, k->key, op)) < 0)
			return error;
	}
	for (i = 0; i < t->n_idx; i++)
		if ((error = add_old(x, op, &t->idx[i]->h)) < 0 ||
		    (error = qp_map_put(&x->dropped, t->idx[i]->h.key, op)) < 0)
			return error;
	for (i = 0; i < t->n_trigs; i++)
		if ((error = add_old(x, op, t->trigs[i])) < 0 ||
		    (error = qp_map_put(&x->dropped, t->trigs[i]->key, op)) < 0)
			return error;
	return 0;
}

static int drop_obj(dctx *x, qp_obj *o, int forced)
{
	qp_op *op;
	int error;

	if (qp_map_get(&x->dropped, o->key))
		return 0;
	if (!(op = new_op(x, QP_OP_DROP, o, NULL)))
		return oom_or(qp_error_code());
	op->forced = forced;
	op->breaks = 1;
	if ((error = qp_map_put(&x->dropped, o->key, op)) < 0)
		return error;
	switch (o->kind) {
	case QP_K_TABLE:
		op->warning = printf_arena(x, "drops table %s and all its rows", display(o), NULL, NULL);
		return absorb_children(x, op, (qp_table *)o);
	case QP_K_MATVIEW:
	case QP_K_VIEW:
		return absorb_children(x, op, (qp_table *)o);
	case QP_K_COLUMN:
		op->warning = printf_arena(x, "drops column %s.%s and its data", o->table->h.name, o->name, NULL);
		return 0;
	case QP_K_VTABLE:
		op->warning = printf_arena(x, "drops virtual table %s and its rows", o->name, NULL, NULL);
		return 0;
	case QP_K_SEQUENCE:
		if (!forced)
			op->warning = printf_arena(x, "drops sequence %s (its current value is lost)", o->name, NULL, NULL);
		return 0;
	default:
		return 0;
	}
}

/* ---- comments --------------------------------------------------------- */

static int diff_comment(dctx *x, qp_obj *c, qp_obj *d)
{
	if (same(c->comment, d->comment))
		return 0;
	return new_op(x, QP_OP_COMMENT, c, d) ? 0 : oom_or(qp_error_code());
}

/* ---- columns ---------------------------------------------------------- */

static const qp_rename *find_rename(dctx *x, const qp_table *t, const char *to)
{
	size_t i;

	for (i = 0; i < x->n_renames; i++) {
		const qp_rename *r = &x->renames[i];
		if (!strcmp(r->to, to) && (!strcmp(r->table, t->h.name) ||
		                           !strcmp(r->table, printf_arena(x, "%s.%s%s", t->h.schema, t->h.name, NULL))))
			return r;
	}
	return NULL;
}

/* The column of `cur` that d comes from: renamed (--rename) or of the same
 * name; NULL for a new column. *renamed says which. */
static qp_column *source_column(dctx *x, const qp_table *cur, const qp_table *want, const qp_column *d,
                                int *renamed)
{
	const qp_rename *r = find_rename(x, want, d->h.name);
	qp_column *c;

	*renamed = 0;
	if (r && (c = qp_table_column(cur, r->from)) != NULL && !qp_table_column(cur, d->h.name) &&
	    !qp_table_column(want, r->from)) {
		*renamed = 1;
		return c;
	}
	return qp_table_column(cur, d->h.name);
}

static unsigned column_changes(const qp_column *c, const qp_column *d)
{
	unsigned ch = 0;

	if (!same(c->type, d->type) || !same(c->collation, d->collation))
		ch |= QP_CH_TYPE;
	if (c->not_null != d->not_null)
		ch |= QP_CH_NULL;
	if (!same(c->dflt, d->dflt))
		ch |= QP_CH_DEFAULT;
	if (c->identity != d->identity || !same(c->ident_opts, d->ident_opts))
		ch |= QP_CH_IDENTITY;
	if (!same(c->stats, d->stats))
		ch |= QP_CH_STATS;
	return ch;
}

/* "character varying(20)" to "character varying(50)": the same type,
 * longer (or a length limit removed): nothing is lost. */
static int widens(const char *from, const char *to)
{
	const char *pf = strchr(from, '('), *pt = strchr(to, '(');
	static const char *const sized[] = {"character varying", "varchar", "character", "bit varying", NULL};
	size_t i;

	for (i = 0; sized[i]; i++) {
		size_t n = strlen(sized[i]);
		if (strncmp(from, sized[i], n) || (from[n] && from[n] != '('))
			continue;
		if (!strncmp(to, sized[i], n) && !to[n] && pf)
			return strcmp(sized[i], "character") != 0;   /* varchar(n) -> varchar */
		if (!pf || !pt || strncmp(to, sized[i], n) || to[n] != '(')
			return 0;
		return strchr(pf, ',') == NULL && atol(pt + 1) >= atol(pf + 1);
	}
	if (!strcmp(from, "smallint"))
		return !strcmp(to, "integer") || !strcmp(to, "bigint");
	if (!strcmp(from, "integer"))
		return !strcmp(to, "bigint");
	if (!strcmp(from, "real"))
		return !strcmp(to, "double precision");
	return 0;
}

static int generation_differs(const qp_column *c, const qp_column *d)
{
	return c->generated != d->generated || !same(c->gen_expr, d->gen_expr);
}

/* Warns about columns that look renamed: one disappears while another of
 * the same type appears in the same table. */
static int rename_hints(dctx *x, const qp_table *t, qp_column **gone, size_t n_gone, qp_column *const *added_in,
                        size_t n_added)
{
	qp_column **added = calloc(n_added + 1, sizeof(*added));
	size_t i, j;
	int error = 0;

	if (!added)
		return qp_error_oom();
	if (n_added)
		memcpy(added, added_in, n_added * sizeof(*added));
	for (i = 0; i < n_gone; i++) {
		for (j = 0; j < n_added; j++) {
			if (!added[j] || !same(gone[i]->type, added[j]->type))
				continue;
			if ((error = warn(x, "column %s.%s disappears and %s.%s of the same type (%s) appears: written "
			                     "as DROP and ADD, which loses the data in %s; if it is a rename, run again "
			                     "with --rename %s.%s:%s",
			                  t->h.name, gone[i]->h.name, t->h.name, added[j]->h.name, gone[i]->type,
			                  gone[i]->h.name, t->h.name, gone[i]->h.name, added[j]->h.name)) < 0)
				goto done;
			added[j] = NULL;
			break;
		}
	}
done:
	free(added);
	return error;
}

static int diff_columns_pg(dctx *x, qp_table *ct, qp_table *dt)
{
	qp_column **gone = NULL, **added = NULL, **src = NULL;
	size_t i, n_gone = 0, n_added = 0;
	int error = 0;

	gone = calloc(ct->n_cols + 1, sizeof(*gone));
	added = calloc(dt->n_cols + 1, sizeof(*added));
	src = calloc(dt->n_cols + 1, sizeof(*src));   /* src[i]: where dt's column i comes from */
	if (!gone || !added || !src) {
		error = qp_error_oom();
		goto done;
	}
	for (i = 0; i < dt->n_cols; i++) {
		qp_column *d = dt->cols[i], *c;
		int renamed;
		unsigned ch;
		qp_op *op;

		c = src[i] = source_column(x, ct, dt, d, &renamed);
		if (!c) {
			if ((error = create_obj(x, &d->h, 0)) < 0)
				goto done;
			added[n_added++] = d;
			continue;
		}
		if (renamed && !new_op(x, QP_OP_RENAME, &c->h, &d->h)) {
			error = oom_or(qp_error_code());
			goto done;
		}
		if (generation_differs(c, d)) {
			/* a generation expression cannot be altered: drop and add */
			if ((error = drop_obj(x, &c->h, 0)) < 0 || (error = create_obj(x, &d->h, 0)) < 0)
				goto done;
			if (c->generated) {
				qp_op *dop = qp_map_get(&x->dropped, c->h.key);
				dop->warning = NULL;   /* a generated column's data is computed */
			}
			continue;
		}
		ch = column_changes(c, d);
		if (ch) {
			if (!(op = new_op(x, QP_OP_ALTER, &c->h, &d->h))) {
				error = oom_or(qp_error_code());
				goto done;
			}
			op->changes = ch;
			if (ch & QP_CH_TYPE) {
				op->breaks = 1;
				if (!same(c->type, d->type) && !widens(c->type, d->type))
					op->warning = qp_arena_printf(&x->d->arena,
					                              "changes the type of %s.%s from %s to %s: values are "
					                              "converted, which may fail or lose precision", dt->h.name,
					                              d->h.name, c->type, d->type);
			}
			if (ch & QP_CH_IDENTITY)
				op->breaks = 1;
		}
		if ((error = diff_comment(x, &c->h, &d->h)) < 0)
			goto done;
	}
	for (i = 0; i < ct->n_cols; i++) {
		qp_column *c = ct->cols[i];
		size_t j;
		int used = 0;

		/* (src, not source_column again: that made this loop cubic in the columns) */
		for (j = 0; j < dt->n_cols && !used; j++)
			used = src[j] == c;
		if (used)
			continue;
		if ((error = drop_obj(x, &c->h, 0)) < 0)
			goto done;
		gone[n_gone++] = c;
	}
	error = rename_hints(x, dt, gone, n_gone, added, n_added);
done:
	free(gone);
	free(added);
	free(src);
	return error;
}

/* ---- constraints, indexes, triggers ----------------------------------- */

/* What an index or constraint is compared by. */
static const char *cmp_text(const qp_obj *o)
{
	if (o->kind == QP_K_INDEX)
		return ((const qp_index *)o)->cmp;
	if (qp_kind_is_constraint(o->kind))
		return ((const qp_constraint *)o)->def;
	return ((const qp_defobj *)o)->def;
}

static const char *rename_in(dctx *x, const char *text, const char *old, const char *new_name);

/* The same for an object of the current model, with the columns being
 * renamed already renamed. */
static const char *cmp_text_cur(dctx *x, const qp_obj *o)
{
	const char *t = cmp_text(o);
	size_t i;

	for (i = 0; i < x->n_rn; i++)
		t = rename_in(x, t, x->rn[i]->from, x->rn[i]->to);
	return t;
}

/* Matches two lists of a table's children: by key with an equal text, then
 * by equal text alone (a rename when `renames`; SQLite constraints have
 * none), the rest dropped and created. */
static int diff_children(dctx *x, qp_obj **cs, size_t nc, qp_obj **ds, size_t nd, int renames)
{
	char *cused = calloc(nc + 1, 1), *dused = calloc(nd + 1, 1);
	size_t i, j;
	int error = 0;

	if (!cused || !dused) {
		error = qp_error_oom();
		goto done;
	}
	/* same key, same definition */
	for (i = 0; i < nd; i++) {
		for (j = 0; j < nc; j++) {
			if (cused[j] || ds[i]->kind != cs[j]->kind || strcmp(ds[i]->key, cs[j]->key))
				continue;
			if (!same(cmp_text(ds[i]), cmp_text_cur(x, cs[j])))
				continue;
			cused[j] = dused[i] = 1;
			if ((error = diff_comment(x, cs[j], ds[i])) < 0)
				goto done;
			break;
		}
	}
	/* same definition, another name */
	for (i = 0; i < nd && renames; i++) {
		if (dused[i] || !ds[i]->name[0])
			continue;
		for (j = 0; j < nc; j++) {
			if (cused[j] || ds[i]->kind != cs[j]->kind || !cs[j]->name[0] ||
			    !same(cmp_text(ds[i]), cmp_text_cur(x, cs[j])))
				continue;
			if (ds[i]->kind == QP_K_TRIGGER)
				continue;
			cused[j] = dused[i] = 1;
			if (!new_op(x, QP_OP_RENAME, cs[j], ds[i])) {
				error = oom_or(qp_error_code());
				goto done;
			}
			if ((error = diff_comment(x, cs[j], ds[i])) < 0)
				goto done;
			break;
		}
	}
	for (j = 0; j < nc; j++)
		if (!cused[j] && (error = drop_obj(x, cs[j], 0)) < 0)
			goto done;
	for (i = 0; i < nd; i++)
		if (!dused[i] && (error = create_obj(x, ds[i], 0)) < 0)
			goto done;
done:
	free(cused);
	free(dused);
	return error;
}

/* The table's constraints, indexes and triggers, compared as if its
 * renamed columns (--rename) were renamed already: ALTER TABLE RENAME
 * COLUMN carries them along. */
static int diff_children_renamed(dctx *x, qp_table *ct, qp_table *dt);

static int diff_table_children(dctx *x, qp_table *ct, qp_table *dt)
{
	int error, renames = x->d->dialect == QP_DIALECT_PG;

	if ((error = diff_children(x, (qp_obj **)ct->cons, ct->n_cons, (qp_obj **)dt->cons, dt->n_cons, renames)) < 0)
		return error;
	if ((error = diff_children(x, (qp_obj **)ct->idx, ct->n_idx, (qp_obj **)dt->idx, dt->n_idx, renames)) < 0)
		return error;
	return diff_children(x, ct->trigs, ct->n_trigs, dt->trigs, dt->n_trigs, 0);
}

static int diff_children_renamed(dctx *x, qp_table *ct, qp_table *dt)
{
	const qp_rename **rn = calloc(dt->n_cols + 1, sizeof(*rn));
	size_t i, n = 0;
	int error;

	if (!rn)
		return qp_error_oom();
	for (i = 0; i < dt->n_cols; i++) {
		int renamed;
		if (source_column(x, ct, dt, dt->cols[i], &renamed) && renamed)
			rn[n++] = find_rename(x, dt, dt->cols[i]->h.name);
	}
	x->rn = rn;
	x->n_rn = n;
	error = diff_table_children(x, ct, dt);
	x->rn = NULL;
	x->n_rn = 0;
	free(rn);
	return error;
}

/* ---- SQLite tables ---------------------------------------------------- */

/* Does identifier `name` occur in text (canonical SQL)? */
static int mentions(const char *text, const char *name)
{
	size_t pos = 0, len = text ? strlen(text) : 0;
	qp_buf id = QP_BUF_INIT;
	qp_tok t;
	int hit = 0;

	while (!hit && (t = qp_tok_next(text, len, &pos)).type != QP_TK_END) {
		if (t.type != QP_TK_WORD && t.type != QP_TK_QUOTED && t.type != QP_TK_STRING)
			continue;
		qp_tok_ident(&id, &t);
		hit = !strcasecmp(qp_buf_cstr(&id), name);
	}
	qp_buf_release(&id);
	return hit;
}

/* A copy of a definition with identifier `old` replaced by `new_name`
 * (columns being renamed), everything else kept as it is. PostgreSQL's
 * rendering writes a plain name unquoted, so a match there is exact;
 * SQLite's names are case-insensitive. In the arena. */
static const char *rename_in(dctx *x, const char *text, const char *old, const char *new_name)
{
	size_t pos = 0, len = text ? strlen(text) : 0, last = 0;
	qp_buf out = QP_BUF_INIT, id = QP_BUF_INIT;
	qp_tok t;
	const char *result;
	int pg = x->d->dialect == QP_DIALECT_PG;

	if (!text)
		return NULL;
	while ((t = qp_tok_next(text, len, &pos)).type != QP_TK_END) {
		if (t.type != QP_TK_WORD && t.type != QP_TK_QUOTED)
			continue;
		qp_tok_ident(&id, &t);
		if (pg ? strcmp(qp_buf_cstr(&id), old) : strcasecmp(qp_buf_cstr(&id), old))
			continue;
		qp_buf_put(&out, text + last, (size_t)(t.s - text) - last);
		if (pg) {
			qp_sql_ident(&out, QP_DIALECT_PG, new_name);
		} else {
			/* SQLite's texts are canonical (sqltext.c): so is the name */
			qp_buf_truncate(&id, 0);
			qp_buf_put_ident_quoted(&id, new_name);
			qp_sql_canon(&out, qp_buf_cstr(&id), id.len);
		}
		last = (size_t)(t.s - text) + t.n;
	}
	qp_buf_puts(&out, text + last);
	result = out.oom ? NULL : qp_arena_strdup(&x->d->arena, qp_buf_cstr(&out));
	qp_buf_release(&out);
	qp_buf_release(&id);
	return result;
}

/* Why ALTER TABLE ADD COLUMN cannot add d (a key, a stored generated
 * column, a non-constant default, NOT NULL without a default, a foreign
 * key with a default), or NULL when it can. */
static const char *not_addable(const qp_table *dt, const qp_column *d)
{
	size_t i;

	if (!d->def_text)
		return "its definition was not understood";
	if (d->generated == 's')
		return "a STORED generated column";
	if (d->inline_pk)
		return "a PRIMARY KEY column";
	if (d->dflt && (d->dflt[0] == '(' || !strncasecmp(d->dflt, "CURRENT_", 8)))
		return "its default is not a constant";
	if (d->not_null && !d->generated && (!d->dflt || !strcasecmp(d->dflt, "NULL")))
		return "NOT NULL without a default";
	for (i = 0; i < dt->n_cons; i++) {
		const qp_constraint *k = dt->cons[i];
		if ((k->h.kind == QP_K_PKEY || k->h.kind == QP_K_UNIQUE) && mentions(k->def, d->h.name))
			return k->h.kind == QP_K_PKEY ? "it is in the PRIMARY KEY" : "it is in a UNIQUE constraint";
		if (k->h.kind == QP_K_FKEY && k->inline_col && !strcasecmp(k->inline_col, d->h.name) && d->dflt &&
		    strcasecmp(d->dflt, "NULL"))
			return "a foreign key with a default";
	}
	return NULL;
}

/* Why a column needs a rebuild on SQLite, for the note. */
static const char *column_change_reason(dctx *x, const qp_table *t, const qp_column *c, const qp_column *d)
{
	const char *what;

	if (generation_differs(c, d))
		what = "its generation changes";
	else if (!same(c->type, d->type))
		return qp_arena_printf(&x->d->arena, "the type of %s.%s changes from %s to %s", t->h.name, d->h.name,
		                       c->type, d->type);
	else if (!same(c->collation, d->collation))
		what = "its collation changes";
	else if (c->not_null != d->not_null)
		what = d->not_null ? "it becomes NOT NULL" : "it becomes nullable";
	else
		what = "its default changes";
	return qp_arena_printf(&x->d->arena, "%s.%s: %s", t->h.name, d->h.name, what);
}

/* ALTER TABLE DROP COLUMN refuses a column used anywhere: keep it simple
 * and rebuild when the name appears in anything but its own definition. */
static int droppable(const qp_model *m, const qp_table *ct, const qp_column *c)
{
	size_t i;

	if (c->inline_pk)
		return 0;
	for (i = 0; i < ct->n_cons; i++)
		if (mentions(ct->cons[i]->def, c->h.name))
			return 0;
	for (i = 0; i < ct->n_idx; i++)
		if (mentions(ct->idx[i]->cmp, c->h.name))
			return 0;
	for (i = 0; i < ct->n_cols; i++)
		if (ct->cols[i] != c && ct->cols[i]->gen_expr && mentions(ct->cols[i]->gen_expr, c->h.name))
			return 0;
	for (i = 0; i < m->n_objs; i++) {
		const qp_obj *o = m->objs[i];
		if ((o->kind == QP_K_VIEW && mentions(((const qp_table *)o)->def, c->h.name)) ||
		    (o->kind == QP_K_TRIGGER && mentions(((const qp_defobj *)o)->def, c->h.name)))
			return 0;
	}
	return 1;
}

/* A constraint's identity for comparing constraint sets: kind, written
 * name, definition. */
static const char *con_ident(dctx *x, const qp_constraint *k, const char *def)
{
	return qp_arena_printf(&x->d->arena, "%d|%s|%s", (int)k->h.kind, k->named ? k->h.name : "", def);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Would renaming, adding and dropping columns leave the constraints as
 * `want` has them? */
static int constraints_follow(dctx *x, qp_table *ct, qp_table *dt, qp_column **added, size_t n_added,
                              const qp_rename **rn, size_t n_rn)
{
	const char **a = calloc(ct->n_cons + dt->n_cons + 1, sizeof(*a));
	const char **b = calloc(dt->n_cons + 1, sizeof(*b));
	size_t i, j, na = 0, nb = 0;
	int ok = 0;

	if (!a || !b)
		goto done;
	for (i = 0; i < ct->n_cons; i++) {
		const char *def = ct->cons[i]->def;
		for (j = 0; j < n_rn; j++)
			def = rename_in(x, def, rn[j]->from, rn[j]->to);
		a[na++] = con_ident(x, ct->cons[i], def);
	}
	for (i = 0; i < dt->n_cons; i++) {
		const qp_constraint *k = dt->cons[i];
		b[nb++] = con_ident(x, k, k->def);
		for (j = 0; j < n_added; j++)
			if (k->inline_col && !strcasecmp(k->inline_col, added[j]->h.name))
				a[na++] = b[nb - 1];
	}
	if (na != nb)
		goto done;
	for (i = 0; i < na; i++)
		if (!a[i] || !b[i])
			goto done;
	qsort(a, na, sizeof(*a), cmp_str);
	qsort(b, nb, sizeof(*b), cmp_str);
	ok = 1;
	for (i = 0; i < na && ok; i++)
		ok = !strcmp(a[i], b[i]);
done:
	free(a);
	free(b);
	return ok;
}

static int sqlite_rebuild(dctx *x, qp_table *ct, qp_table *dt, const char *why)
{
	qp_op *op = new_op(x, QP_OP_REBUILD, &ct->h, &dt->h);
	qp_buf lost = QP_BUF_INIT;
	size_t i;
	int error = 0;

	if (!op)
		return oom_or(qp_error_code());
	op->breaks = 0;
	if ((error = qp_map_put(&x->dropped, ct->h.key, op)) < 0)
		goto done;
	/* the old table's contents go with it; the new one's come back */
	for (i = 0; i < ct->n_cols; i++)
		if ((error = add_old(x, op, &ct->cols[i]->h)) < 0)
			goto done;
	for (i = 0; i < ct->n_cons; i++)
		if ((error = add_old(x, op, &ct->cons[i]->h)) < 0)
			goto done;
	for (i = 0; i < ct->n_idx; i++)
		if ((error = add_old(x, op, &ct->idx[i]->h)) < 0 ||
		    (error = qp_map_put(&x->dropped, ct->idx[i]->h.key, op)) < 0)
			goto done;
	for (i = 0; i < ct->n_trigs; i++)
		if ((error = add_old(x, op, ct->trigs[i])) < 0 ||
		    (error = qp_map_put(&x->dropped, ct->trigs[i]->key, op)) < 0)
			goto done;
	for (i = 0; i < dt->n_cols; i++)
		if ((error = add_new(x, op, &dt->cols[i]->h)) < 0)
			goto done;
	for (i = 0; i < dt->n_cons; i++)
		if ((error = add_new(x, op, &dt->cons[i]->h)) < 0)
			goto done;
	for (i = 0; i < dt->n_cols; i++) {
		qp_column *d = dt->cols[i], *c = NULL;
		int renamed;
		if (!d->generated)
			c = source_column(x, ct, dt, d, &renamed);
		if (c && c->generated)
			c = NULL;
		if ((error = qp_ptrvec_push(&op->copy_from, &x->d->arena, c)) < 0)
			goto done;
	}
	for (i = 0; i < ct->n_cols; i++) {
		size_t j;
		int kept = 0;
		for (j = 0; j < op->copy_from.count; j++)
			kept |= op->copy_from.items[j] == ct->cols[i];
		if (!kept && !ct->cols[i]->generated)
			qp_buf_printf(&lost, "%s%s", lost.len ? ", " : "", ct->cols[i]->h.name);
	}
	if (lost.oom) {
		error = qp_error_oom();
		goto done;
	}
	if (lost.len)
		op->warning = qp_arena_printf(&x->d->arena, "rebuilds table %s (%s): drops column%s %s and its data",
		                              dt->h.name, why, strchr(qp_buf_cstr(&lost), ',') ? "s" : "", qp_buf_cstr(&lost));
	else
		op->note = qp_arena_printf(&x->d->arena, "rebuild table %s (%s), copying its rows", dt->h.name, why);
	/* indexes and triggers go with the old table: make the new ones */
	error = create_children(x, dt, 1);
done:
	qp_buf_release(&lost);
	return error;
}

static int diff_table_sqlite(dctx *x, qp_table *ct, qp_table *dt)
{
	qp_column **added = NULL, **gone = NULL, **src = NULL;
	const qp_rename **rn = NULL;
	size_t i, n_added = 0, n_gone = 0, n_rn = 0;
	const char *why = NULL;
	int error = 0;

	added = calloc(dt->n_cols + 1, sizeof(*added));
	gone = calloc(ct->n_cols + 1, sizeof(*gone));
	rn = calloc(dt->n_cols + 1, sizeof(*rn));
	src = calloc(dt->n_cols + 1, sizeof(*src));   /* src[i]: where dt's column i comes from */
	if (!added || !gone || !rn || !src) {
		error = qp_error_oom();
		goto done;
	}
	if (!same(ct->options, dt->options))
		why = "table options change";
	if (ct->autoincrement != dt->autoincrement)
		why = "AUTOINCREMENT changes";
	for (i = 0; i < dt->n_cols; i++) {
		qp_column *d = dt->cols[i], *c;
		int renamed;
		c = src[i] = source_column(x, ct, dt, d, &renamed);
		if (!c) {
			added[n_added++] = d;
			if (!why && (why = not_addable(dt, d)) != NULL)
				why = qp_arena_printf(&x->d->arena, "ALTER TABLE ADD COLUMN cannot add %s.%s: %s", dt->h.name,
				                      d->h.name, why);
			continue;
		}
		if (renamed)
			rn[n_rn++] = find_rename(x, dt, d->h.name);
		if (!why && (column_changes(c, d) || generation_differs(c, d)))
			why = column_change_reason(x, dt, c, d);
	}
	for (i = 0; i < ct->n_cols; i++) {
		size_t j;
		int used = 0;
		/* (src, not source_column again: that made this loop cubic in the columns) */
		for (j = 0; j < dt->n_cols && !used; j++)
			used = src[j] == ct->cols[i];
		if (used)
			continue;
		gone[n_gone++] = ct->cols[i];
		if (!why && !droppable(x->d->cur, ct, ct->cols[i]))
			why = qp_arena_printf(&x->d->arena, "ALTER TABLE DROP COLUMN cannot drop %s.%s, which is used by an "
			                      "index, a constraint, a view or a trigger", ct->h.name, ct->cols[i]->h.name);
	}
	if (!why && !constraints_follow(x, ct, dt, added, n_added, rn, n_rn))
		why = "its constraints change";
	if (why && !strcmp(why, "table options change"))
		why = qp_arena_printf(&x->d->arena, "its options change from %s to %s", ct->options ? ct->options : "none",
		                      dt->options ? dt->options : "none");
	if ((error = rename_hints(x, dt, gone, n_gone, added, n_added)) < 0)
		goto done;
	if (why) {
		error = sqlite_rebuild(x, ct, dt, why);
		goto done;
	}
	for (i = 0; i < dt->n_cols; i++) {
		qp_column *d = dt->cols[i], *c;
		int renamed;
		c = source_column(x, ct, dt, d, &renamed);
		if (renamed && !new_op(x, QP_OP_RENAME, &c->h, &d->h)) {
			error = oom_or(qp_error_code());
			goto done;
		}
	}
	for (i = 0; i < n_added; i++)
		if ((error = create_obj(x, &added[i]->h, 0)) < 0)
			goto done;
	for (i = 0; i < n_gone; i++)
		if ((error = drop_obj(x, &gone[i]->h, 0)) < 0)
			goto done;
	/* indexes and triggers, compared after the renames */
	x->rn = rn;
	x->n_rn = n_rn;
	if ((error = diff_children(x, (qp_obj **)ct->idx, ct->n_idx, (qp_obj **)dt->idx, dt->n_idx, 0)) < 0)
		goto done;
	error = diff_children(x, ct->trigs, ct->n_trigs, dt->trigs, dt->n_trigs, 0);
done:
	x->rn = NULL;
	x->n_rn = 0;
	free(added);
	free(gone);
	free(rn);
	free(src);
	return error;
}

/* ---- whole objects ---------------------------------------------------- */

/* The texts of an object that may hold a label of an enum. */
static int holds_literal(const qp_obj *o, const char *lit)
{
	switch (o->kind) {
	case QP_K_COLUMN:
		return (((const qp_column *)o)->dflt && strstr(((const qp_column *)o)->dflt, lit)) ||
		       (((const qp_column *)o)->gen_expr && strstr(((const qp_column *)o)->gen_expr, lit));
	case QP_K_VIEW:
	case QP_K_MATVIEW:
		return ((const qp_table *)o)->def && strstr(((const qp_table *)o)->def, lit);
	case QP_K_INDEX:
		return strstr(((const qp_index *)o)->def, lit) != NULL;
	case QP_K_DOMAIN: {
		const qp_domain *dm = (const qp_domain *)o;
		size_t i;
		if (dm->dflt && strstr(dm->dflt, lit))
			return 1;
		for (i = 0; i < dm->n_checks; i++)
			if (strstr(dm->check_defs[i], lit))
				return 1;
		return 0;
	}
	default:
		if (qp_kind_is_constraint(o->kind))
			return strstr(((const qp_constraint *)o)->def, lit) != NULL;
		if (o->kind == QP_K_FUNCTION || o->kind == QP_K_TRIGGER)
			return ((const qp_defobj *)o)->def && strstr(((const qp_defobj *)o)->def, lit);
		return 0;
	}
}

/* Does anything in the desired schema that depends on enum d name one of
 * the labels c does not have? */
static int uses_new_label(dctx *x, const qp_enum *c, const qp_enum *d)
{
	const qp_model *m = x->d->want;
	qp_buf lit = QP_BUF_INIT;
	size_t i, j, k;
	int used = 0;

	for (j = 0; j < d->n_vals && !used; j++) {
		int old = 0;
		for (k = 0; k < c->n_vals && !old; k++)
			old = same(c->vals[k], d->vals[j]);
		if (old)
			continue;
		qp_buf_truncate(&lit, 0);
		qp_buf_put_literal(&lit, d->vals[j]);
		for (i = 0; i < m->n_objs && !used; i++) {
			const qp_obj *o = m->objs[i];
			for (k = 0; k < o->n_deps && !used; k++)
				if (o->deps[k] == &d->h)
					used = holds_literal(o, qp_buf_cstr(&lit));
		}
	}
	qp_buf_release(&lit);
	return used;
}

static int diff_enum(dctx *x, qp_enum *c, qp_enum *d)
{
	size_t i, j, k;
	int subsequence = 1;
	const char *rebuild_reason = NULL;
	qp_op *op;

	if (c->n_vals == d->n_vals) {
		for (i = 0; i < c->n_vals && same(c->vals[i], d->vals[i]); i++)
			;
		if (i == c->n_vals)
			return 0;
	}
	/* are the old labels still there, in the same order? then add in place */
	for (i = 0, j = 0; i < c->n_vals; i++) {
		while (j < d->n_vals && !same(d->vals[j], c->vals[i]))
			j++;
		if (j == d->n_vals) {
			subsequence = 0;
			break;
		}
		j++;
	}
	if (subsequence && uses_new_label(x, c, d)) {
		/* ALTER TYPE ... ADD VALUE's label cannot be used before the
		 * transaction commits: rebuild the type instead */
		subsequence = 0;
		rebuild_reason = "a new value is used in the same migration";
	}
	if (subsequence) {
		for (j = 0; j < d->n_vals; j++) {
			int old = 0;
			for (k = 0; k < c->n_vals && !old; k++)
				old = same(c->vals[k], d->vals[j]);
			if (old)
				continue;
			if (!(op = new_op(x, QP_OP_ENUM_ADD, &c->h, &d->h)))
				return oom_or(qp_error_code());
			op->value = d->vals[j];
			op->neighbour = j > 0 ? d->vals[j - 1] : (d->n_vals > 1 ? d->vals[1] : NULL);
			op->before = j == 0;
		}
		return 0;
	}
	if (!(op = new_op(x, QP_OP_ENUM_REBUILD, &c->h, &d->h)))
		return oom_or(qp_error_code());
	op->breaks = 1;
	if (!rebuild_reason)
		op->warning = qp_arena_printf(&x->d->arena, "rebuilds enum %s: a value is removed or moved; rows holding a "
		                              "removed value make the conversion fail", d->h.name);
	else
		op->note = qp_arena_printf(&x->d->arena, "rebuild enum %s: %s, which ALTER TYPE ... ADD VALUE does not "
		                           "allow in one transaction", d->h.name, rebuild_reason);
	/* the columns of this type are converted by the op */
	for (i = 0; i < x->d->cur->n_objs; i++) {
		qp_obj *o = x->d->cur->objs[i];
		qp_obj *dcol;
		if (o->kind != QP_K_COLUMN)
			continue;
		for (k = 0; k < o->n_deps; k++) {
			if (o->deps[k] != &c->h)
				continue;
			if (add_old(x, op, o) < 0)
				return QUIPU_ENOMEM;
			dcol = qp_model_get(x->d->want, o->key);
			if (dcol && add_new(x, op, dcol) < 0)
				return QUIPU_ENOMEM;
			break;
		}
	}
	return 0;
}

static int domain_checks_equal(const qp_domain *c, const qp_domain *d)
{
	size_t i;

	if (c->n_checks != d->n_checks)
		return 0;
	for (i = 0; i < c->n_checks; i++)
		if (!same(c->check_names[i], d->check_names[i]) || !same(c->check_defs[i], d->check_defs[i]))
			return 0;
	return 1;
}

static int diff_object(dctx *x, qp_obj *c, qp_obj *d)
{
	qp_op *op;
	int error;

	switch (d->kind) {
	case QP_K_TABLE: {
		qp_table *ct = (qp_table *)c, *dt = (qp_table *)d;
		if (!same(ct->partkey, dt->partkey) || !same(ct->parent_key, dt->parent_key) ||
		    !same(ct->bound, dt->bound)) {
			if ((error = drop_obj(x, c, 0)) < 0 || (error = create_obj(x, d, 0)) < 0)
				return error;
			return 0;
		}
		if ((error = diff_comment(x, c, d)) < 0)
			return error;
		if (x->d->dialect == QP_DIALECT_SQLITE)
			return diff_table_sqlite(x, ct, dt);
		if (ct->persistence != dt->persistence || !same(ct->options, dt->options)) {
			if (!(op = new_op(x, QP_OP_ALTER, c, d)))
				return oom_or(qp_error_code());
			op->changes = (ct->persistence != dt->persistence ? QP_CH_PERSIST : 0) |
			              (!same(ct->options, dt->options) ? QP_CH_OPTIONS : 0);
		}
		if ((error = diff_columns_pg(x, ct, dt)) < 0)
			return error;
		return diff_children_renamed(x, ct, dt);
	}
	case QP_K_VIEW:
	case QP_K_MATVIEW: {
		qp_table *cv = (qp_table *)c, *dv = (qp_table *)d;
		if (!same(cv->def, dv->def) || !same(cv->options, dv->options)) {
			if ((error = drop_obj(x, c, 0)) < 0 || (error = create_obj(x, d, 0)) < 0)
				return error;
			return 0;
		}
		if ((error = diff_comment(x, c, d)) < 0)
			return error;
		if ((error = diff_children(x, (qp_obj **)cv->idx, cv->n_idx, (qp_obj **)dv->idx, dv->n_idx,
		                           x->d->dialect == QP_DIALECT_PG)) < 0)
			return error;
		return diff_children(x, cv->trigs, cv->n_trigs, dv->trigs, dv->n_trigs, 0);
	}
	case QP_K_ENUM:
		if ((error = diff_enum(x, (qp_enum *)c, (qp_enum *)d)) < 0)
			return error;
		return diff_comment(x, c, d);
	case QP_K_DOMAIN: {
		qp_domain *cd = (qp_domain *)c, *dd = (qp_domain *)d;
		unsigned ch = 0;
		if (!same(cd->type, dd->type) || !same(cd->collation, dd->collation)) {
			if ((error = drop_obj(x, c, 0)) < 0 || (error = create_obj(x, d, 0)) < 0)
				return error;
			return 0;
		}
		if (!same(cd->dflt, dd->dflt))
			ch |= QP_CH_DEFAULT;
		if (cd->not_null != dd->not_null || !domain_checks_equal(cd, dd))
			ch |= QP_CH_DOMAIN;
		if (ch) {
			if (!(op = new_op(x, QP_OP_ALTER, c, d)))
				return oom_or(qp_error_code());
			op->changes = ch;
		}
		return diff_comment(x, c, d);
	}
	case QP_K_OPERATOR:
		if (!same(((qp_defobj *)c)->def, ((qp_defobj *)d)->def)) {
			if ((error = drop_obj(x, c, 0)) < 0 || (error = create_obj(x, d, 0)) < 0)
				return error;
			return 0;
		}
		return diff_comment(x, c, d);
	case QP_K_FUNCTION: {
		qp_defobj *cf = (qp_defobj *)c, *df = (qp_defobj *)d;
		if (same(cf->def, df->def))
			return diff_comment(x, c, d);
		if (cf->subkind == df->subkind && (df->subkind == 'f' || df->subkind == 'p') &&
		    same(cf->result, df->result)) {
			if (!(op = new_op(x, QP_OP_ALTER, c, d)))
				return oom_or(qp_error_code());
			op->changes = QP_CH_REPLACE;
			return diff_comment(x, c, d);
		}
		if ((error = drop_obj(x, c, 0)) < 0 || (error = create_obj(x, d, 0)) < 0)
			return error;
		return 0;
	}
	case QP_K_SEQUENCE: {
		qp_sequence *cs = (qp_sequence *)c, *ds = (qp_sequence *)d;
		if (!same(cs->type, ds->type) || !same(cs->start, ds->start) || !same(cs->inc, ds->inc) ||
		    !same(cs->min, ds->min) || !same(cs->max, ds->max) || !same(cs->cache, ds->cache) ||
		    cs->cycle != ds->cycle) {
			if (!(op = new_op(x, QP_OP_ALTER, c, d)))
				return oom_or(qp_error_code());
			op->changes = QP_CH_SEQUENCE;
		}
		if (!same(cs->owned_by, ds->owned_by) && !new_op(x, QP_OP_SEQ_OWNED, c, d))
			return oom_or(qp_error_code());
		return diff_comment(x, c, d);
	}
	case QP_K_EXTENSION:
		if (!same(c->schema, d->schema)) {
			if (!(op = new_op(x, QP_OP_ALTER, c, d)))
				return oom_or(qp_error_code());
			op->changes = QP_CH_SCHEMA;
		}
		return 0;
	case QP_K_VTABLE:
		if (!same(((qp_defobj *)c)->def, ((qp_defobj *)d)->def)) {
			if ((error = drop_obj(x, c, 0)) < 0 || (error = create_obj(x, d, 0)) < 0)
				return error;
		}
		return 0;
	default:
		return diff_comment(x, c, d);
	}
}

/* ---- dependents of what is dropped or broken --------------------------- */

/* Objects of `cur` that depend on each object (children count as
 * dependents of their table): counted, then placed, so each object's run
 * of dependents is in cur's order. */
int qp_diff_rdeps(qp_diff *d)
{
	const qp_model *m = d->cur;
	size_t i, j, n = m->n_objs, total = 0;
	unsigned *start = NULL, *fill = NULL;
	qp_obj **items = NULL;
	int error = 0;

	if (d->rdep_start)
		return 0;
	if (!(start = calloc(n + 2, sizeof(*start))) || !(fill = calloc(n + 1, sizeof(*fill)))) {
		error = qp_error_oom();
		goto done;
	}
	for (i = 0; i < n; i++) {
		const qp_obj *o = m->objs[i];
		if (o->pos != i) {
			error = qp_error_set(QUIPU_ERROR, "internal error: object %s out of place in its model", o->key);
			goto done;
		}
	}
	for (i = 0; i < n; i++) {
		const qp_obj *o = m->objs[i];
		for (j = 0; j < o->n_deps; j++)
			start[o->deps[j]->pos + 1]++;
		if (o->table)
			start[o->table->h.pos + 1]++;
		total += o->n_deps + (o->table != NULL);
	}
	if (total >= 0xffffffffu) {
		error = qp_error_oom();
		goto done;
	}
	for (i = 0; i < n; i++)
		start[i + 1] += start[i];
	memcpy(fill, start, n * sizeof(*fill));
	if (!(items = malloc((total ? total : 1) * sizeof(*items)))) {
		error = qp_error_oom();
		goto done;
	}
	for (i = 0; i < n; i++) {
		qp_obj *o = m->objs[i];
		for (j = 0; j < o->n_deps; j++)
			items[fill[o->deps[j]->pos]++] = o;
		if (o->table)
			items[fill[o->table->h.pos]++] = o;
	}
	d->rdep_start = start;
	d->rdep_items = items;
	start = NULL;
done:
	free(start);
	free(fill);
	return error;
}

qp_obj *const *qp_diff_dependents(const qp_diff *d, const qp_obj *o, size_t *n)
{
	const qp_model *m = d->cur;

	*n = 0;
	if (!d->rdep_start)
		return NULL;
	/* an object of the other model: its namesake's, as a lookup by key */
	if ((o->pos >= m->n_objs || m->objs[o->pos] != o) && !(o = qp_model_get(m, o->key)))
		return NULL;
	*n = d->rdep_start[o->pos + 1] - d->rdep_start[o->pos];
	return d->rdep_items + d->rdep_start[o->pos];
}

/* Can this kind be dropped and created again to follow a change in what
 * it depends on? */
static int recreatable(qp_kind k)
{
	switch (k) {
	case QP_K_VIEW:
	case QP_K_MATVIEW:
	case QP_K_TRIGGER:
	case QP_K_INDEX:
	case QP_K_PKEY:
	case QP_K_UNIQUE:
	case QP_K_CHECK:
	case QP_K_EXCLUDE:
	case QP_K_FKEY:
	case QP_K_FUNCTION:
		return 1;
	default:
		return 0;
	}
}

/* Does a change of a column's type (or an enum's rebuild) break a
 * dependent of this kind? PostgreSQL rebuilds indexes and constraints
 * itself; views, materialized views and triggers it refuses. */
static int breaks_on_type_change(qp_kind k)
{
	return k == QP_K_VIEW || k == QP_K_MATVIEW || k == QP_K_TRIGGER;
}

static int cascade(dctx *x)
{
	qp_ptrvec work = QP_PTRVEC_INIT;
	qp_ptrvec level = QP_PTRVEC_INIT;   /* parallel to work: NULL full, non-NULL views only */
	size_t i, j, n, n_deps;
	int error = 0;

	n = x->d->ops.count;
	for (i = 0; i < n; i++) {
		qp_op *op = x->d->ops.items[i];
		int partial = op->kind == QP_OP_ALTER || op->kind == QP_OP_ENUM_REBUILD;
		if (!op->breaks || op->dead)
			continue;
		for (j = 0; j < op->olds.count + op->fks.count; j++) {
			qp_obj *o = j < op->olds.count ? op->olds.items[j] : op->fks.items[j - op->olds.count];
			if ((error = qp_ptrvec_push(&work, &x->d->arena, o)) < 0 ||
			    (error = qp_ptrvec_push(&level, &x->d->arena,
			                            partial && o->kind == QP_K_COLUMN ? (void *)o : NULL)) < 0)
				goto done;
		}
	}
	/* the dependents only when something breaks */
	if (work.count && (error = qp_diff_rdeps(x->d)) < 0)
		goto done;
	for (i = 0; i < work.count; i++) {
		qp_obj *broken = work.items[i];
		qp_obj *const *deps = qp_diff_dependents(x->d, broken, &n_deps);
		for (j = 0; j < n_deps; j++) {
			qp_obj *y = deps[j], *yd;
			size_t k;
			if (qp_map_get(&x->dropped, y->key) || !recreatable(y->kind))
				continue;
			if (level.items[i] && !breaks_on_type_change(y->kind))
				continue;
			if (y->table && qp_map_get(&x->dropped, y->table->h.key))
				continue;
			yd = qp_model_get(x->d->want, y->key);
			if (!yd || yd->kind != y->kind)
				continue;   /* dropped by the diff itself */
			if (qp_map_get(&x->created, yd->key))
				continue;
			/* ops already planned on it are superseded */
			for (k = 0; k < x->d->ops.count; k++) {
				qp_op *o = x->d->ops.items[k];
				if ((o->from == y || o->to == yd) && (o->kind == QP_OP_COMMENT || o->kind == QP_OP_ALTER ||
				                                       o->kind == QP_OP_RENAME))
					o->dead = 1;
			}
			if ((error = drop_obj(x, y, 1)) < 0 || (error = create_obj(x, yd, 1)) < 0)
				goto done;
			if ((error = qp_ptrvec_push(&work, &x->d->arena, y)) < 0 ||
			    (error = qp_ptrvec_push(&level, &x->d->arena, NULL)) < 0)
				goto done;
		}
	}
done:
	return error;
}

/* Sequences owned by a column that is dropped go with it (PostgreSQL drops
 * them); one the desired schema keeps is detached first. */
static int owned_sequences(dctx *x)
{
	const qp_model *m = x->d->cur;
	size_t i;
	int error;

	for (i = 0; i < m->n_objs; i++) {
		qp_sequence *s = (qp_sequence *)m->objs[i];
		qp_op *owner_drop, *op;
		qp_obj *ds;
		if (s->h.kind != QP_K_SEQUENCE || !s->owned_by)
			continue;
		if (!(owner_drop = qp_map_get(&x->dropped, s->owned_by)))
			continue;
		ds = qp_model_get(x->d->want, s->h.key);
		if (!ds || ds->kind != QP_K_SEQUENCE) {
			/* dropped with its owner */
			op = qp_map_get(&x->dropped, s->h.key);
			if (op && op->from == &s->h)
				op->dead = 1;
			if ((error = add_old(x, owner_drop, &s->h)) < 0 ||
			    (error = qp_map_put(&x->dropped, s->h.key, owner_drop)) < 0)
				return error;
			continue;
		}
		/* kept: OWNED BY NONE before the owner goes, and owned again later */
		if (!(op = new_op(x, QP_OP_SEQ_OWNED, &s->h, NULL)))
			return oom_or(qp_error_code());
		if (((qp_sequence *)ds)->owned_by) {
			size_t k;
			int planned = 0;
			for (k = 0; k < x->d->ops.count; k++) {
				qp_op *o = x->d->ops.items[k];
				planned |= o->kind == QP_OP_SEQ_OWNED && o->to == ds;
			}
			if (!planned && !new_op(x, QP_OP_SEQ_OWNED, &s->h, ds))
				return oom_or(qp_error_code());
		}
	}
	return 0;
}

/* An enum rebuild converts its columns and sets their defaults itself:
 * other changes of type or default to those columns are done by it. */
static void enum_rebuild_columns(dctx *x)
{
	size_t i, j, k;

	for (i = 0; i < x->d->ops.count; i++) {
		qp_op *rb = x->d->ops.items[i];
		if (rb->kind != QP_OP_ENUM_REBUILD)
			continue;
		for (j = 1; j < rb->olds.count; j++) {
			for (k = 0; k < x->d->ops.count; k++) {
				qp_op *op = x->d->ops.items[k];
				if (op->kind != QP_OP_ALTER || op->from != rb->olds.items[j])
					continue;
				op->changes &= ~(QP_CH_DEFAULT | QP_CH_TYPE);
				if (!op->changes)
					op->dead = 1;
			}
		}
	}
}

/* ---- the entry point -------------------------------------------------- */

int qp_diff_models(qp_diff *d, const qp_model *cur, const qp_model *want, const qp_rename *renames,
                   size_t n_renames)
{
	dctx x;
	size_t i;
	int error = 0;

	memset(d, 0, sizeof(*d));
	memset(&x, 0, sizeof(x));
	d->cur = cur;
	d->want = want;
	d->dialect = want->dialect;
	x.d = d;
	x.renames = renames;
	x.n_renames = n_renames;

	for (i = 0; i < want->n_objs; i++) {
		qp_obj *o = want->objs[i], *c;
		if (o->table)
			continue;
		c = qp_model_get(cur, o->key);
		if (!c)
			error = create_obj(&x, o, 0);
		else if (c->kind != o->kind) {
			if ((error = drop_obj(&x, c, 0)) == 0)
				error = create_obj(&x, o, 0);
		} else
			error = diff_object(&x, c, o);
		if (error < 0)
			goto done;
	}
	for (i = 0; i < cur->n_objs; i++) {
		qp_obj *o = cur->objs[i], *w;
		if (o->table)
			continue;
		w = qp_model_get(want, o->key);
		if (!w && (error = drop_obj(&x, o, 0)) < 0)
			goto done;
	}
	/* new sequences owned by a column */
	for (i = 0; i < want->n_objs; i++) {
		qp_sequence *s = (qp_sequence *)want->objs[i];
		qp_obj *c;
		if (s->h.kind != QP_K_SEQUENCE || !s->owned_by)
			continue;
		c = qp_model_get(cur, s->h.key);
		if ((!c || c->kind != QP_K_SEQUENCE || qp_map_get(&x.created, s->h.key)) &&
		    !new_op(&x, QP_OP_SEQ_OWNED, NULL, &s->h)) {
			error = oom_or(qp_error_code());
			goto done;
		}
	}
	if ((error = owned_sequences(&x)) < 0)
		goto done;
	enum_rebuild_columns(&x);
	/* SQLite does not hold views and triggers to what they name */
	if (d->dialect == QP_DIALECT_PG)
		error = cascade(&x);
done:
	qp_map_release(&x.dropped);
	qp_map_release(&x.created);
	return error;
}

void qp_diff_release(qp_diff *d)
{
	free(d->rdep_start);
	free(d->rdep_items);
	qp_strlist_release(&d->warnings);
	qp_arena_release(&d->arena);
	memset(d, 0, sizeof(*d));
}

int qp_rename_parse(qp_rename *r, qp_arena *a, const char *text)
{
	const char *colon = strchr(text, ':'), *dot;

	memset(r, 0, sizeof(*r));
	if (!colon || colon == text || !colon[1])
		goto bad;
	dot = colon;
	while (dot > text && dot[-1] != '.')
		dot--;
	if (dot == text || dot - 1 == text)
		goto bad;
	r->table = qp_arena_strndup(a, text, (size_t)(dot - 1 - text));
	r->from = qp_arena_strndup(a, dot, (size_t)(colon - dot));
	r->to = qp_arena_strdup(a, colon + 1);
	if (!r->table || !r->from || !r->to)
		return QUIPU_ENOMEM;
	if (!*r->from)
		goto bad;
	return 0;
bad:
	return qp_error_set(QUIPU_EUSAGE, "--rename %s: expected TABLE.OLD:NEW (a column of TABLE renamed from OLD "
	                                  "to NEW), e.g. --rename users.name:full_name", text);
}

/* ---- describing ops (`check`) and the whole of one direction ----------- */

static void describe_obj(qp_buf *b, const qp_obj *o)
{
	qp_buf_printf(b, "%s ", qp_kind_name(o->kind));
	if (o->schema && *o->schema && strcmp(o->schema, "public") && !o->table)
		qp_buf_printf(b, "%s.", o->schema);
	if (o->table)
		qp_buf_printf(b, "%s.", o->table->h.name);
	if (o->kind == QP_K_FUNCTION)
		qp_buf_printf(b, "%s(%s)", o->name, ((const qp_defobj *)o)->extra ? ((const qp_defobj *)o)->extra : "");
	else
		qp_buf_puts(b, o->name[0] ? o->name : cmp_text(o));
}

int qp_describe_ops(qp_strlist *lines, const qp_diff *d)
{
	qp_buf b = QP_BUF_INIT;
	size_t i;
	int error = 0;

	for (i = 0; i < d->ops.count && !error; i++) {
		const qp_op *op = d->ops.items[i];
		const qp_obj *o = op->to ? op->to : op->from;
		if (op->dead)
			continue;
		qp_buf_truncate(&b, 0);
		switch (op->kind) {
		case QP_OP_CREATE:
			qp_buf_puts(&b, o->kind == QP_K_COLUMN || qp_kind_is_constraint(o->kind) ? "add " : "create ");
			describe_obj(&b, o);
			break;
		case QP_OP_DROP:
			qp_buf_puts(&b, "drop ");
			describe_obj(&b, o);
			break;
		case QP_OP_ALTER:
			qp_buf_puts(&b, "alter ");
			describe_obj(&b, o);
			if (op->changes & (QP_CH_TYPE | QP_CH_NULL | QP_CH_DEFAULT | QP_CH_IDENTITY)) {
				qp_buf_printf(&b, " (%s%s%s%s)", op->changes & QP_CH_TYPE ? "type " : "",
				              op->changes & QP_CH_NULL ? "nullability " : "",
				              op->changes & QP_CH_DEFAULT ? "default " : "",
				              op->changes & QP_CH_IDENTITY ? "identity " : "");
				if (b.len >= 2 && b.ptr[b.len - 2] == ' ') {
					b.ptr[b.len - 2] = ')';
					qp_buf_truncate(&b, b.len - 1);
				}
			}
			break;
		case QP_OP_RENAME:
			qp_buf_puts(&b, "rename ");
			describe_obj(&b, op->from);
			qp_buf_printf(&b, " to %s", op->to->name);
			break;
		case QP_OP_ENUM_ADD:
			qp_buf_printf(&b, "add value '%s' to ", op->value);
			describe_obj(&b, o);
			break;
		case QP_OP_ENUM_REBUILD:
		case QP_OP_REBUILD:
			qp_buf_puts(&b, "rebuild ");
			describe_obj(&b, o);
			break;
		case QP_OP_SEQ_OWNED:
			qp_buf_puts(&b, "set the owner of ");
			describe_obj(&b, o);
			break;
		case QP_OP_COMMENT:
			qp_buf_puts(&b, "comment on ");
			describe_obj(&b, o);
			break;
		}
		if (b.oom)
			error = qp_error_oom();
		else
			error = qp_strlist_add(lines, qp_buf_cstr(&b));
	}
	qp_buf_release(&b);
	return error;
}

int qp_schema_migrate(qp_buf *sql, qp_strlist *warnings, qp_strlist *changes, const qp_model *cur,
                      const qp_model *want, const qp_rename *renames, size_t n_renames)
{
	qp_diff d;
	size_t i;
	int error;

	if ((error = qp_diff_models(&d, cur, want, renames, n_renames)) < 0)
		goto done;
	if ((error = qp_order(&d)) < 0)
		goto done;
	error = want->dialect == QP_DIALECT_SQLITE ? qp_emit_sqlite(sql, &d) : qp_emit_pg(sql, &d);
	if (error < 0)
		goto done;
	if (changes && (error = qp_describe_ops(changes, &d)) < 0)
		goto done;
	for (i = 0; warnings && i < d.warnings.count; i++)
		if ((error = qp_strlist_add(warnings, d.warnings.items[i])) < 0)
			goto done;
done:
	qp_diff_release(&d);
	return error;
}
