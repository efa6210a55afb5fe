/*
 * introspect_sqlite.c: a schema model from SQLite's sqlite_master and
 * pragma table-valued functions.
 *
 * Five queries, whatever the number of tables: pragma_table_list (to tell
 * virtual and shadow tables apart), the objects of sqlite_master, every
 * table's columns (pragma_table_xinfo), foreign keys
 * (pragma_foreign_key_list) and unique constraints (pragma_index_list
 * joined with pragma_index_info), each joined with sqlite_master in one
 * SELECT. What the pragmas do not give (constraint names, CHECK
 * expressions, generation expressions, collations, DEFERRABLE,
 * AUTOINCREMENT, WITHOUT ROWID / STRICT) comes from parsing the stored
 * CREATE TABLE text (sqltext.c). Indexes, views and triggers are compared
 * by their canonical text without their name and emitted verbatim.
 */
#include "schema/introspect.h"
#include "schema/sqltext.h"
#include "util/err.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct sqx {
	qp_model *m;           /* borrowed */
	const qp_driver *drv;  /* borrowed */
	qp_conn *c;            /* borrowed */
	const qp_introspect_opts *opts;
	qp_exec_error xe;
	qp_map parsed;         /* table name -> qp_ptable* (owned, malloc) */
	qp_map lower_names;    /* lower-cased relation name -> qp_obj* (names are case-insensitive) */
	qp_map table_kind;     /* name -> "shadow" / "virtual" (pragma_table_list) */
	int no_table_list;     /* SQLite before 3.37 */
	qp_ptrvec pending_fk;  /* FK constraints whose target to resolve */
	qp_ptrvec pending_ref; /* their referenced table names */
	/* the foreign key being assembled (pragma rows come one per column) */
	qp_table *fk_table;
	char fk_id[24];
	qp_buf fk_from, fk_to, fk_rest, fk_target;
	/* the unique constraint being assembled */
	qp_table *uq_table;
	qp_buf uq_name, uq_cols;
	/* the primary key being assembled: pk columns by position */
	qp_table *pk_table;
	const char *pk_cols[64];
	size_t n_pk;
} sqx;

static const char *dup(sqx *x, const char *s)
{
	return qp_arena_strdup(&x->m->arena, s);
}

static int query(sqx *x, const char *sql, qp_row_cb cb)
{
	int error = x->drv->query_each(x->c, sql, cb, x, &x->xe);

	x->m->n_queries++;
	if (error < 0 && qp_error_code() == QUIPU_ESQL)
		return qp_error_set(QUIPU_ESQL, "cannot read the SQLite schema: %s",
		                    x->xe.message ? x->xe.message : "unknown error");
	return error;
}

/* The canonical text of s as a new arena string (NULL for NULL). */
static const char *canon(sqx *x, const char *s, int upper)
{
	qp_buf b = QP_BUF_INIT;
	const char *out;
	size_t i;

	if (!s)
		return NULL;
	qp_sql_canon(&b, s, strlen(s));
	if (upper)
		for (i = 0; i < b.len; i++)
			b.ptr[i] = (char)toupper((unsigned char)b.ptr[i]);
	out = b.oom ? NULL : dup(x, qp_buf_cstr(&b));
	qp_buf_release(&b);
	return out;
}

static const char *canon_unnamed(sqx *x, const char *sql)
{
	qp_buf b = QP_BUF_INIT;
	const char *out;

	qp_sql_canon_unnamed(&b, sql);
	out = b.oom ? NULL : dup(x, qp_buf_cstr(&b));
	qp_buf_release(&b);
	return out;
}

/* An identifier in canonical form ("a", "\"my col\""), into b. */
static void put_ident(qp_buf *b, const char *name)
{
	qp_buf q = QP_BUF_INIT;

	qp_buf_put_ident_quoted(&q, name);
	qp_sql_canon(b, qp_buf_cstr(&q), q.len);
	b->oom |= q.oom;
	qp_buf_release(&q);
}

static int remember_name(sqx *x, qp_obj *o)
{
	char *lower = qp_arena_strdup(&x->m->arena, o->name);
	size_t i;

	if (!lower)
		return QUIPU_ENOMEM;
	for (i = 0; lower[i]; i++)
		lower[i] = (char)tolower((unsigned char)lower[i]);
	return qp_map_put(&x->lower_names, lower, o);
}

static qp_obj *find_name(sqx *x, const char *name)
{
	char buf[256];
	size_t i;

	if (!name || strlen(name) >= sizeof(buf))
		return NULL;
	for (i = 0; name[i]; i++)
		buf[i] = (char)tolower((unsigned char)name[i]);
	buf[i] = '\0';
	return qp_map_get(&x->lower_names, buf);
}

/* Adds a constraint of `kind` to t; an unnamed one is keyed by its
 * definition (and a counter if the same definition comes twice). */
static qp_constraint *add_constraint(sqx *x, qp_table *t, qp_kind kind, const char *name, const char *def)
{
	qp_constraint *k;
	char *keyname;
	int n;

	if (name && *name) {
		if (qp_model_get(x->m, qp_model_key(x->m, kind, "", t->h.name, name)))
			name = NULL;   /* SQLite allows two constraints of one name; key the second by def */
	}
	if (name && *name) {
		k = qp_model_add(x->m, sizeof(*k), kind, "", name, t);
		if (k)
			k->named = 1;
	} else {
		for (n = 1;; n++) {
			keyname = n == 1 ? qp_arena_printf(&x->m->arena, "(%s)", def)
			                 : qp_arena_printf(&x->m->arena, "(%s)#%d", def, n);
			if (!keyname)
				return NULL;
			if (!qp_model_get(x->m, qp_model_key(x->m, kind, "", t->h.name, keyname)))
				break;
		}
		k = qp_model_add(x->m, sizeof(*k), kind, "", keyname, t);
		if (k)
			k->h.name = "";
	}
	if (!k)
		return NULL;
	k->def = dup(x, def);
	return k;
}

/* The parsed constraint of kind with canonical cols (or, for FKs, cols and
 * target) equal, or NULL. */
static const qp_pcon *parsed_con(const qp_ptable *pt, char kind, const char *cols, const char *target)
{
	size_t i;

	if (!pt)
		return NULL;
	for (i = 0; i < pt->n_cons; i++) {
		const qp_pcon *c = &pt->cons[i];
		if (c->kind != kind || !c->cols || strcasecmp(c->cols, cols))
			continue;
		if (target && (!c->ref_table || strcasecmp(c->ref_table, target)))
			continue;
		return c;
	}
	return NULL;
}

/* ---- sqlite_master ---------------------------------------------------- */

/* name, type ("shadow" or "virtual") */
static int row_table_kind(const char *const *v, size_t n, void *payload)
{
	sqx *x = payload;
	const char *name = qp_arena_strdup(&x->m->arena, v[0]);

	if (!name)
		return QUIPU_ENOMEM;
	return qp_map_put(&x->table_kind, name, (void *)(v[1][0] == 's' ? "shadow" : "virtual"));
}

/* Before pragma_table_list: is `name` a shadow table of one of the virtual
 * tables seen so far (FTS3/4/5, R*Tree)? */
static int shadow_by_name(sqx *x, const char *name)
{
	static const char *const suffixes[] = {"_content", "_segments", "_segdir", "_docsize", "_stat", "_data",
	                                       "_idx", "_config", "_node", "_parent", "_rowid", NULL};
	size_t i, n = strlen(name);

	for (i = 0; suffixes[i]; i++) {
		size_t sl = strlen(suffixes[i]);
		char base[256];
		qp_obj *v;
		if (n <= sl || strcmp(name + n - sl, suffixes[i]) || n - sl >= sizeof(base))
			continue;
		memcpy(base, name, n - sl);
		base[n - sl] = '\0';
		if ((v = find_name(x, base)) && v->kind == QP_K_VTABLE)
			return 1;
	}
	return 0;
}

/* type, name, tbl_name, sql */
static int row_object(const char *const *v, size_t n, void *payload)
{
	sqx *x = payload;
	const char *type = v[0], *name = v[1], *sql = v[3];
	const char *ltype = x->no_table_list ? NULL : qp_map_get(&x->table_kind, name);
	qp_table *owner;
	int error;

	if (!sql)
		return 0;   /* automatic indexes */
	if (x->opts && x->opts->version_table && !strcmp(type, "table")) {
		size_t vl = strlen(x->opts->version_table);
		if (!strcasecmp(name, x->opts->version_table) ||
		    (!strncasecmp(name, x->opts->version_table, vl) && !strcasecmp(name + vl, "_log")))
			return 0;
	}
	if (ltype ? !strcmp(ltype, "shadow") : (x->no_table_list && !strcmp(type, "table") && shadow_by_name(x, name)))
		return 0;
	if (!strcmp(type, "table") && (ltype ? !strcmp(ltype, "virtual") : !strncasecmp(sql, "CREATE VIRTUAL", 14))) {
		qp_defobj *vt = qp_model_add(x->m, sizeof(*vt), QP_K_VTABLE, "", name, NULL);
		if (!vt)
			return qp_error_code() ? qp_error_code() : QUIPU_ENOMEM;
		vt->sql = dup(x, sql);
		vt->def = canon_unnamed(x, sql);
		return remember_name(x, &vt->h);
	}
	if (!strcmp(type, "table")) {
		qp_table *t = qp_model_add(x->m, sizeof(*t), QP_K_TABLE, "", name, NULL);
		qp_ptable *pt = calloc(1, sizeof(*pt));
		size_t i;

		if (!t || !pt) {
			free(pt);
			return qp_error_code() ? qp_error_code() : QUIPU_ENOMEM;
		}
		t->persistence = 'p';
		t->sql = dup(x, sql);
		if (qp_parse_create_table(pt, sql) < 0) {
			qp_ptable_release(pt);
			free(pt);
			quipu_error_clear();
			pt = NULL;
		} else {
			t->options = pt->options ? canon(x, pt->options, 1) : NULL;
			for (i = 0; i < pt->n_cols; i++)
				t->autoincrement |= pt->cols[i].autoincrement;
			if ((error = qp_map_put(&x->parsed, t->h.name, pt)) < 0) {
				qp_ptable_release(pt);
				free(pt);
				return error;
			}
		}
		return remember_name(x, &t->h);
	}
	if (!strcmp(type, "view")) {
		qp_table *vw = qp_model_add(x->m, sizeof(*vw), QP_K_VIEW, "", name, NULL);
		if (!vw)
			return qp_error_code() ? qp_error_code() : QUIPU_ENOMEM;
		vw->sql = dup(x, sql);
		vw->def = canon_unnamed(x, sql);
		return remember_name(x, &vw->h);
	}
	owner = (qp_table *)find_name(x, v[2]);
	if (!owner || (owner->h.kind != QP_K_TABLE && owner->h.kind != QP_K_VIEW))
		return 0;   /* on a skipped or virtual table */
	if (!strcmp(type, "index")) {
		qp_index *ix = qp_model_add(x->m, sizeof(*ix), QP_K_INDEX, "", name, owner);
		if (!ix)
			return qp_error_code() ? qp_error_code() : QUIPU_ENOMEM;
		ix->sql = dup(x, sql);
		ix->def = ix->sql;
		ix->cmp = canon_unnamed(x, sql);
		ix->unique = !strncasecmp(ix->cmp ? ix->cmp : "", "CREATE UNIQUE", 13);
		return 0;
	}
	if (!strcmp(type, "trigger")) {
		qp_defobj *g = qp_model_add(x->m, sizeof(*g), QP_K_TRIGGER, "", name, owner);
		if (!g)
			return qp_error_code() ? qp_error_code() : QUIPU_ENOMEM;
		g->sql = dup(x, sql);
		g->def = canon_unnamed(x, sql);
		return 0;
	}
	return 0;
}

/* ---- columns and primary keys ----------------------------------------- */

static int flush_pk(sqx *x)
{
	qp_buf def = QP_BUF_INIT, cols = QP_BUF_INIT;
	const qp_pcon *pc;
	qp_constraint *k;
	size_t i;
	int error = 0;

	if (!x->pk_table || !x->n_pk)
		goto done;
	for (i = 0; i < x->n_pk; i++) {
		if (!x->pk_cols[i])
			continue;
		if (cols.len)
			qp_buf_puts(&cols, ", ");
		put_ident(&cols, x->pk_cols[i]);
	}
	qp_buf_printf(&def, "PRIMARY KEY (%s)", qp_buf_cstr(&cols));
	if (def.oom || cols.oom) {
		error = qp_error_oom();
		goto done;
	}
	pc = parsed_con(qp_map_get(&x->parsed, x->pk_table->h.name), 'p', qp_buf_cstr(&cols), NULL);
	if (!(k = add_constraint(x, x->pk_table, QP_K_PKEY, pc ? pc->name : NULL, qp_buf_cstr(&def))))
		error = qp_error_code() ? qp_error_code() : QUIPU_ENOMEM;
	else if (pc && pc->col)
		k->inline_col = dup(x, pc->col);
done:
	x->pk_table = NULL;
	x->n_pk = 0;
	memset(x->pk_cols, 0, sizeof(x->pk_cols));
	qp_buf_release(&def);
	qp_buf_release(&cols);
	return error;
}

/* table, cid, name, type, notnull, dflt_value, pk, hidden */
static int row_column(const char *const *v, size_t n, void *payload)
{
	sqx *x = payload;
	qp_table *t = (qp_table *)qp_model_get(x->m, qp_model_key(x->m, QP_K_TABLE, "", NULL, v[0]));
	const qp_ptable *pt;
	qp_column *c;
	int hidden = v[7] ? atoi(v[7]) : 0, pk = v[6] ? atoi(v[6]) : 0, error;
	size_t i;

	if (!t || t->h.kind != QP_K_TABLE)
		return 0;
	if (x->pk_table != t && (error = flush_pk(x)) < 0)
		return error;
	if (hidden == 1)
		return 0;
	if (!(c = qp_model_add(x->m, sizeof(*c), QP_K_COLUMN, "", v[2], t)))
		return qp_error_code() ? qp_error_code() : QUIPU_ENOMEM;
	c->num = atoi(v[1]);
	c->type = canon(x, v[3] ? v[3] : "", 1);
	c->not_null = v[4] && atoi(v[4]);
	c->dflt = canon(x, v[5], 0);
	c->generated = hidden == 2 ? 'v' : hidden == 3 ? 's' : 0;
	pt = qp_map_get(&x->parsed, t->h.name);
	for (i = 0; pt && i < pt->n_cols; i++) {
		const qp_pcol *pc = &pt->cols[i];
		if (strcasecmp(pc->name, v[2]))
			continue;
		c->def_text = qp_arena_strndup(&x->m->arena, t->sql + pc->start, pc->end - pc->start);
		c->collation = pc->collation ? canon(x, pc->collation, 1) : NULL;
		if (c->generated)
			c->gen_expr = dup(x, pc->gen_expr);
		c->inline_pk = pc->pk != 0;
		break;
	}
	if (pk > 0 && (size_t)pk <= sizeof(x->pk_cols) / sizeof(x->pk_cols[0])) {
		x->pk_table = t;
		x->pk_cols[pk - 1] = c->h.name;
		if ((size_t)pk > x->n_pk)
			x->n_pk = (size_t)pk;
	}
	return 0;
}

/* ---- foreign keys ----------------------------------------------------- */

static const char *action(const char *a)
{
	return a && strcasecmp(a, "NO ACTION") ? a : NULL;
}

static int flush_fk(sqx *x)
{
	qp_buf def = QP_BUF_INIT;
	const qp_pcon *pc;
	qp_constraint *k;
	int error = 0;

	if (!x->fk_table)
		return 0;
	pc = parsed_con(qp_map_get(&x->parsed, x->fk_table->h.name), 'f', qp_buf_cstr(&x->fk_from),
	                qp_buf_cstr(&x->fk_target));
	qp_buf_printf(&def, "FOREIGN KEY (%s) REFERENCES ", qp_buf_cstr(&x->fk_from));
	put_ident(&def, qp_buf_cstr(&x->fk_target));
	if (x->fk_to.len)
		qp_buf_printf(&def, " (%s)", qp_buf_cstr(&x->fk_to));
	qp_buf_puts(&def, qp_buf_cstr(&x->fk_rest));
	if (pc && pc->deferrable)
		qp_buf_printf(&def, " %s", pc->deferrable);
	if (def.oom) {
		error = qp_error_oom();
		goto done;
	}
	if (!(k = add_constraint(x, x->fk_table, QP_K_FKEY, pc ? pc->name : NULL, qp_buf_cstr(&def)))) {
		error = qp_error_code() ? qp_error_code() : QUIPU_ENOMEM;
		goto done;
	}
	if (pc && pc->col)
		k->inline_col = dup(x, pc->col);
	k->deferrable = pc && pc->deferrable && strncmp(pc->deferrable, "NOT", 3);
	k->deferred = k->deferrable && strstr(pc->deferrable, "DEFERRED") != NULL;
	if (qp_ptrvec_push(&x->pending_fk, &x->m->arena, k) < 0 ||
	    qp_ptrvec_push(&x->pending_ref, &x->m->arena, (void *)dup(x, qp_buf_cstr(&x->fk_target))) < 0)
		error = QUIPU_ENOMEM;
done:
	x->fk_table = NULL;
	qp_buf_release(&def);
	qp_buf_truncate(&x->fk_from, 0);
	qp_buf_truncate(&x->fk_to, 0);
	qp_buf_truncate(&x->fk_rest, 0);
	qp_buf_truncate(&x->fk_target, 0);
	return error;
}

/* table, id, seq, target, from, to, on_update, on_delete, match */
static int row_fk(const char *const *v, size_t n, void *payload)
{
	sqx *x = payload;
	qp_table *t = (qp_table *)qp_model_get(x->m, qp_model_key(x->m, QP_K_TABLE, "", NULL, v[0]));
	int error;

	if (!t || t->h.kind != QP_K_TABLE)
		return 0;
	if (x->fk_table && (x->fk_table != t || strcmp(x->fk_id, v[1])) && (error = flush_fk(x)) < 0)
		return error;
	if (!x->fk_table) {
		x->fk_table = t;
		snprintf(x->fk_id, sizeof(x->fk_id), "%s", v[1]);
		qp_buf_puts(&x->fk_target, v[3] ? v[3] : "");
		if (action(v[6]))
			qp_buf_printf(&x->fk_rest, " ON UPDATE %s", v[6]);
		if (action(v[7]))
			qp_buf_printf(&x->fk_rest, " ON DELETE %s", v[7]);
		if (v[8] && strcasecmp(v[8], "NONE"))
			qp_buf_printf(&x->fk_rest, " MATCH %s", v[8]);
	}
	if (x->fk_from.len)
		qp_buf_puts(&x->fk_from, ", ");
	put_ident(&x->fk_from, v[4] ? v[4] : "");
	if (v[5]) {
		if (x->fk_to.len)
			qp_buf_puts(&x->fk_to, ", ");
		put_ident(&x->fk_to, v[5]);
	}
	return x->fk_from.oom || x->fk_to.oom || x->fk_rest.oom ? qp_error_oom() : 0;
}

/* ---- unique constraints ----------------------------------------------- */

static int flush_unique(sqx *x)
{
	qp_buf def = QP_BUF_INIT;
	const qp_pcon *pc;
	qp_constraint *k;
	int error = 0;

	if (!x->uq_table)
		return 0;
	pc = parsed_con(qp_map_get(&x->parsed, x->uq_table->h.name), 'u', qp_buf_cstr(&x->uq_cols), NULL);
	qp_buf_printf(&def, "UNIQUE (%s)", qp_buf_cstr(&x->uq_cols));
	if (def.oom)
		error = qp_error_oom();
	else if (!(k = add_constraint(x, x->uq_table, QP_K_UNIQUE, pc ? pc->name : NULL, qp_buf_cstr(&def))))
		error = qp_error_code() ? qp_error_code() : QUIPU_ENOMEM;
	else if (pc && pc->col)
		k->inline_col = dup(x, pc->col);
	x->uq_table = NULL;
	qp_buf_truncate(&x->uq_name, 0);
	qp_buf_truncate(&x->uq_cols, 0);
	qp_buf_release(&def);
	return error;
}

/* table, index name, seqno, column */
static int row_unique(const char *const *v, size_t n, void *payload)
{
	sqx *x = payload;
	qp_table *t = (qp_table *)qp_model_get(x->m, qp_model_key(x->m, QP_K_TABLE, "", NULL, v[0]));
	int error;

	if (!t || t->h.kind != QP_K_TABLE)
		return 0;
	if (x->uq_table && (x->uq_table != t || strcmp(qp_buf_cstr(&x->uq_name), v[1])) &&
	    (error = flush_unique(x)) < 0)
		return error;
	if (!x->uq_table) {
		x->uq_table = t;
		qp_buf_puts(&x->uq_name, v[1]);
	}
	if (x->uq_cols.len)
		qp_buf_puts(&x->uq_cols, ", ");
	put_ident(&x->uq_cols, v[3] ? v[3] : "");
	return x->uq_cols.oom || x->uq_name.oom ? qp_error_oom() : 0;
}

/* ---- what the pragmas do not give ------------------------------------- */

/* CHECK constraints from the parsed CREATE TABLE texts, and dependencies. */
static int finish(sqx *x)
{
	qp_buf def = QP_BUF_INIT;
	size_t i, j, n_objs = x->m->n_objs;
	int error = 0;

	for (i = 0; i < n_objs; i++) {
		qp_obj *o = x->m->objs[i];
		const qp_ptable *pt;
		qp_constraint *k;

		if (o->kind == QP_K_TABLE && (pt = qp_map_get(&x->parsed, o->name)) != NULL) {
			for (j = 0; j < pt->n_cons; j++) {
				if (pt->cons[j].kind != 'c')
					continue;
				qp_buf_truncate(&def, 0);
				qp_buf_printf(&def, "CHECK (%s)", pt->cons[j].expr ? pt->cons[j].expr : "");
				if (def.oom) {
					error = qp_error_oom();
					goto done;
				}
				if (!(k = add_constraint(x, (qp_table *)o, QP_K_CHECK, pt->cons[j].name, qp_buf_cstr(&def)))) {
					error = qp_error_code() ? qp_error_code() : QUIPU_ENOMEM;
					goto done;
				}
				if (pt->cons[j].col)
					k->inline_col = dup(x, pt->cons[j].col);
			}
		}
		/* views and triggers depend on the relations they name */
		if (o->kind == QP_K_VIEW || o->kind == QP_K_TRIGGER) {
			const char *sql = o->kind == QP_K_VIEW ? ((qp_table *)o)->sql : ((qp_defobj *)o)->sql;
			size_t pos = 0, len = strlen(sql);
			qp_buf id = QP_BUF_INIT;
			qp_tok t;
			while ((t = qp_tok_next(sql, len, &pos)).type != QP_TK_END) {
				qp_obj *ref;
				if (t.type != QP_TK_WORD && t.type != QP_TK_QUOTED)
					continue;
				qp_tok_ident(&id, &t);
				ref = find_name(x, qp_buf_cstr(&id));
				if (ref && ref != o && qp_model_dep(x->m, o, ref) < 0) {
					qp_buf_release(&id);
					error = QUIPU_ENOMEM;
					goto done;
				}
			}
			qp_buf_release(&id);
		}
	}
	for (i = 0; i < x->pending_fk.count; i++) {
		qp_constraint *k = x->pending_fk.items[i];
		qp_obj *ref = find_name(x, x->pending_ref.items[i]);
		if (ref) {
			k->ref_key = ref->key;
			if (qp_model_dep(x->m, &k->h, ref) < 0) {
				error = QUIPU_ENOMEM;
				goto done;
			}
		}
	}
done:
	qp_buf_release(&def);
	return error;
}

#define NOT_INTERNAL "m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"

int qp_introspect_sqlite(qp_model *out, const qp_driver *drv, qp_conn *c, const qp_introspect_opts *opts)
{
	sqx x;
	size_t i;
	int error;

	memset(&x, 0, sizeof(x));
	qp_model_init(out, QP_DIALECT_SQLITE);
	x.m = out;
	x.drv = drv;
	x.c = c;
	x.opts = opts;

	/* pragma_table_list (3.37) tells virtual and shadow tables apart; read
	 * once (joined with sqlite_master, SQLite would list every table for
	 * every row). Before 3.37, shadow tables are known by their names. */
	if (query(&x, "SELECT name, type FROM pragma_table_list WHERE schema = 'main' AND type IN ('shadow', 'virtual')",
	          row_table_kind) < 0) {
		quipu_error_clear();
		x.no_table_list = 1;
	}
	if ((error = query(&x, "SELECT m.type, m.name, m.tbl_name, m.sql FROM main.sqlite_master m WHERE "
	                       NOT_INTERNAL " ORDER BY m.rowid", row_object)) < 0)
		goto done;
	if ((error = query(&x,
	        "SELECT m.name, p.cid, p.name, p.type, p.\"notnull\", p.dflt_value, p.pk, p.hidden "
	        "FROM main.sqlite_master m JOIN pragma_table_xinfo(m.name) p "
	        "WHERE m.type = 'table' AND " NOT_INTERNAL " AND m.sql NOT LIKE 'CREATE VIRTUAL%' "
	        "ORDER BY m.name, p.cid", row_column)) < 0)
		goto done;
	if ((error = flush_pk(&x)) < 0)
		goto done;
	if ((error = query(&x,
	        "SELECT m.name, p.id, p.seq, p.\"table\", p.\"from\", p.\"to\", p.on_update, p.on_delete, p.\"match\" "
	        "FROM main.sqlite_master m JOIN pragma_foreign_key_list(m.name) p "
	        "WHERE m.type = 'table' AND " NOT_INTERNAL " AND m.sql NOT LIKE 'CREATE VIRTUAL%' "
	        "ORDER BY m.name, p.id, p.seq", row_fk)) < 0)
		goto done;
	if ((error = flush_fk(&x)) < 0)
		goto done;
	if ((error = query(&x,
	        "SELECT m.name, il.name, ii.seqno, ii.name "
	        "FROM main.sqlite_master m JOIN pragma_index_list(m.name) il JOIN pragma_index_info(il.name) ii "
	        "WHERE m.type = 'table' AND " NOT_INTERNAL " AND m.sql NOT LIKE 'CREATE VIRTUAL%' "
	        "AND il.origin = 'u' ORDER BY m.name, il.name, ii.seqno", row_unique)) < 0)
		goto done;
	if ((error = flush_unique(&x)) < 0)
		goto done;
	if ((error = finish(&x)) < 0)
		goto done;
	qp_model_finish(out);
done:
	for (i = 0; i < x.parsed.cap; i++) {
		qp_ptable *pt = x.parsed.slots ? x.parsed.slots[i].value : NULL;
		if (pt) {
			qp_ptable_release(pt);
			free(pt);
		}
	}
	qp_map_release(&x.parsed);
	qp_map_release(&x.lower_names);
	qp_map_release(&x.table_kind);
	qp_exec_error_release(&x.xe);
	qp_buf_release(&x.fk_from);
	qp_buf_release(&x.fk_to);
	qp_buf_release(&x.fk_rest);
	qp_buf_release(&x.fk_target);
	qp_buf_release(&x.uq_name);
	qp_buf_release(&x.uq_cols);
	return error;
}
