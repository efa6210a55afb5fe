/*
 * emit_pg.c: the PostgreSQL statements of an ordered diff (see diff.h).
 *
 * Definitions the server rendered (types, defaults, constraint, index,
 * view, function and trigger definitions) are written as the server gave
 * them; names go through quoting helpers, quoted only where PostgreSQL
 * needs it (quote_ident's rule: not lower-case letters, digits and _, or a
 * keyword that is not unreserved). Objects in the public schema are
 * written unqualified. A data-losing step is preceded by "-- WARNING: ...".
 */
#include "schema/diff.h"
#include "util/err.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static void ident(qp_buf *b, const char *s)
{
	qp_sql_ident(b, QP_DIALECT_PG, s);
}

static int in_public(const char *schema)
{
	return !schema || !*schema || !strcmp(schema, "public");
}

/* [schema.]name */
static void qname(qp_buf *b, const char *schema, const char *name)
{
	if (!in_public(schema)) {
		ident(b, schema);
		qp_buf_putc(b, '.');
	}
	ident(b, name);
}

static void obj_name(qp_buf *b, const qp_obj *o)
{
	qname(b, o->schema, o->name);
}

static void table_name(qp_buf *b, const qp_obj *o)
{
	obj_name(b, o->table ? &o->table->h : o);
}

/* Text with trailing blanks and semicolons removed. */
static void put_trimmed(qp_buf *b, const char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (isspace((unsigned char)s[n - 1]) || s[n - 1] == ';'))
		n--;
	while (n > 0 && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	qp_buf_put(b, s, n);
}

static void end(qp_buf *b)
{
	qp_buf_puts(b, ";\n");
}

/* ---- pieces ----------------------------------------------------------- */

static void column_def(qp_buf *b, const qp_column *c)
{
	ident(b, c->h.name);
	qp_buf_putc(b, ' ');
	qp_buf_puts(b, c->type);
	if (c->collation) {
		qp_buf_puts(b, " COLLATE ");
		qp_buf_puts(b, c->collation);
	}
	if (c->generated)
		qp_buf_printf(b, " GENERATED ALWAYS AS (%s) STORED", c->gen_expr ? c->gen_expr : "NULL");
	if (c->identity) {
		qp_buf_printf(b, " GENERATED %s AS IDENTITY", c->identity == 'a' ? "ALWAYS" : "BY DEFAULT");
		if (c->ident_opts && *c->ident_opts)
			qp_buf_printf(b, " (%s)", c->ident_opts + 1);
	}
	if (c->dflt && !c->generated) {
		qp_buf_puts(b, " DEFAULT ");
		qp_buf_puts(b, c->dflt);
	}
	if (c->not_null)
		qp_buf_puts(b, " NOT NULL");
}

static void constraint_def(qp_buf *b, const qp_constraint *k)
{
	qp_buf_puts(b, "CONSTRAINT ");
	ident(b, k->h.name);
	qp_buf_putc(b, ' ');
	qp_buf_puts(b, k->def);
}

static const char *function_keyword(const qp_defobj *f)
{
	return f->subkind == 'p' ? "PROCEDURE" : f->subkind == 'a' ? "AGGREGATE" : "FUNCTION";
}

/* An operator's name, always qualified (it is not an identifier). */
static void operator_name(qp_buf *b, const qp_obj *o)
{
	ident(b, o->schema && *o->schema ? o->schema : "public");
	qp_buf_printf(b, ".%s", o->name);
}

/* ALTER ... SET STATISTICS for a column or an index's columns. */
static void column_stats(qp_buf *b, const qp_column *c, int even_default)
{
	if (!c->stats && !even_default)
		return;
	qp_buf_puts(b, "ALTER TABLE ");
	table_name(b, &c->h);
	qp_buf_puts(b, " ALTER COLUMN ");
	ident(b, c->h.name);
	qp_buf_printf(b, " SET STATISTICS %s", c->stats ? c->stats : "-1");
	end(b);
}

static void index_stats(qp_buf *b, const qp_index *ix)
{
	const char *p = ix->stats;

	while (p && *p) {
		long col = strtol(p, (char **)&p, 10), target = strtol(p, (char **)&p, 10);
		qp_buf_puts(b, "ALTER INDEX ");
		qname(b, ix->h.schema, ix->h.name);
		qp_buf_printf(b, " ALTER COLUMN %ld SET STATISTICS %ld", col, target);
		end(b);
		if (*p == ',')
			p++;
	}
}

/* COMMENT ON's object clause. */
static void comment_target(qp_buf *b, const qp_obj *o)
{
	switch (o->kind) {
	case QP_K_COLUMN:
		qp_buf_puts(b, "COLUMN ");
		table_name(b, o);
		qp_buf_putc(b, '.');
		ident(b, o->name);
		break;
	case QP_K_PKEY:
	case QP_K_UNIQUE:
	case QP_K_CHECK:
	case QP_K_EXCLUDE:
	case QP_K_FKEY:
	case QP_K_TRIGGER:
		qp_buf_puts(b, o->kind == QP_K_TRIGGER ? "TRIGGER " : "CONSTRAINT ");
		ident(b, o->name);
		qp_buf_puts(b, " ON ");
		table_name(b, o);
		break;
	case QP_K_INDEX:
		qp_buf_puts(b, "INDEX ");
		qname(b, o->schema, o->name);
		break;
	case QP_K_FUNCTION: {
		const qp_defobj *f = (const qp_defobj *)o;
		qp_buf_printf(b, "%s ", function_keyword(f));
		obj_name(b, o);
		qp_buf_printf(b, "(%s)", f->extra ? f->extra : "");
		break;
	}
	case QP_K_OPERATOR:
		qp_buf_puts(b, "OPERATOR ");
		operator_name(b, o);
		qp_buf_printf(b, " (%s)", ((const qp_defobj *)o)->extra);
		break;
	case QP_K_ENUM:
		qp_buf_puts(b, "TYPE ");
		obj_name(b, o);
		break;
	case QP_K_SCHEMA:
	case QP_K_EXTENSION:
		qp_buf_printf(b, "%s ", qp_kind_sql(o->kind));
		ident(b, o->name);
		break;
	default:
		qp_buf_printf(b, "%s ", qp_kind_sql(o->kind));
		obj_name(b, o);
		break;
	}
}

static void comment(qp_buf *b, const qp_obj *o, int even_if_none)
{
	if (!o->comment && !even_if_none)
		return;
	qp_buf_puts(b, "COMMENT ON ");
	comment_target(b, o);
	qp_buf_puts(b, " IS ");
	if (o->comment)
		qp_buf_put_literal(b, o->comment);
	else
		qp_buf_puts(b, "NULL");
	end(b);
}

static void sequence_options(qp_buf *b, const qp_sequence *s)
{
	qp_seq_options(b, s->type, s->start, s->inc, s->min, s->max, s->cache, s->cycle);
}

/* The parent of a partition, in the desired model. */
static const qp_table *parent_of(const qp_diff *d, const qp_table *t)
{
	qp_obj *p = t->parent_key ? qp_model_get(d->want, t->parent_key) : NULL;
	return p && p->kind == QP_K_TABLE ? (const qp_table *)p : NULL;
}

static int op_has(const qp_op *op, const qp_obj *o)
{
	size_t i;

	for (i = 0; i < op->news.count; i++)
		if (op->news.items[i] == o)
			return 1;
	for (i = 0; i < op->fks.count; i++)
		if (op->fks.items[i] == o)
			return 1;
	return 0;
}

static void create_table(qp_buf *b, const qp_diff *d, const qp_op *op)
{
	const qp_table *t = (const qp_table *)op->to, *parent = parent_of(d, t);
	size_t i;
	int first = 1, k;

	if (parent) {
		qp_buf_puts(b, "CREATE TABLE ");
		obj_name(b, &t->h);
		qp_buf_puts(b, " PARTITION OF ");
		obj_name(b, &parent->h);
		qp_buf_printf(b, " %s", t->bound ? t->bound : "DEFAULT");
		if (t->partkey)
			qp_buf_printf(b, " PARTITION BY %s", t->partkey);
		end(b);
		/* what differs from the columns the partition gets from its parent */
		for (i = 0; i < t->n_cols; i++) {
			const qp_column *c = t->cols[i], *pc = qp_table_column(parent, c->h.name);
			if (pc && (c->dflt ? !pc->dflt || strcmp(c->dflt, pc->dflt) : pc->dflt != NULL) && !c->generated) {
				qp_buf_puts(b, "ALTER TABLE ");
				obj_name(b, &t->h);
				qp_buf_puts(b, " ALTER COLUMN ");
				ident(b, c->h.name);
				if (c->dflt)
					qp_buf_printf(b, " SET DEFAULT %s", c->dflt);
				else
					qp_buf_puts(b, " DROP DEFAULT");
				end(b);
			}
			if (pc && c->not_null && !pc->not_null) {
				qp_buf_puts(b, "ALTER TABLE ");
				obj_name(b, &t->h);
				qp_buf_puts(b, " ALTER COLUMN ");
				ident(b, c->h.name);
				qp_buf_puts(b, " SET NOT NULL");
				end(b);
			}
		}
		for (i = 0; i < t->n_cons; i++) {
			if (!op_has(op, &t->cons[i]->h))
				continue;
			qp_buf_puts(b, "ALTER TABLE ");
			obj_name(b, &t->h);
			qp_buf_puts(b, " ADD ");
			constraint_def(b, t->cons[i]);
			end(b);
		}
		return;
	}
	qp_buf_puts(b, t->persistence == 'u' ? "CREATE UNLOGGED TABLE " : "CREATE TABLE ");
	obj_name(b, &t->h);
	qp_buf_puts(b, " (");
	for (i = 0; i < t->n_cols; i++) {
		qp_buf_puts(b, first ? "\n    " : ",\n    ");
		first = 0;
		column_def(b, t->cols[i]);
	}
	/* keys, checks, then foreign keys; by name within each */
	for (k = QP_K_PKEY; k <= QP_K_FKEY; k++) {
		for (i = 0; i < t->n_cons; i++) {
			if (t->cons[i]->h.kind != (qp_kind)k || !op_has(op, &t->cons[i]->h))
				continue;
			qp_buf_puts(b, first ? "\n    " : ",\n    ");
			first = 0;
			constraint_def(b, t->cons[i]);
		}
	}
	qp_buf_puts(b, first ? ")" : "\n)");
	if (t->partkey)
		qp_buf_printf(b, " PARTITION BY %s", t->partkey);
	if (t->options)
		qp_buf_printf(b, " WITH (%s)", t->options);
	end(b);
}

static void create(qp_buf *b, const qp_diff *d, const qp_op *op)
{
	const qp_obj *o = op->to;
	size_t i;

	switch (o->kind) {
	case QP_K_SCHEMA:
		qp_buf_puts(b, "CREATE SCHEMA ");
		ident(b, o->name);
		end(b);
		break;
	case QP_K_EXTENSION:
		qp_buf_puts(b, "CREATE EXTENSION ");
		ident(b, o->name);
		qp_buf_puts(b, " WITH SCHEMA ");
		ident(b, o->schema);
		end(b);
		break;
	case QP_K_ENUM: {
		const qp_enum *e = (const qp_enum *)o;
		qp_buf_puts(b, "CREATE TYPE ");
		obj_name(b, o);
		qp_buf_puts(b, " AS ENUM (");
		for (i = 0; i < e->n_vals; i++) {
			if (i)
				qp_buf_puts(b, ", ");
			qp_buf_put_literal(b, e->vals[i]);
		}
		qp_buf_putc(b, ')');
		end(b);
		break;
	}
	case QP_K_DOMAIN: {
		const qp_domain *dm = (const qp_domain *)o;
		qp_buf_puts(b, "CREATE DOMAIN ");
		obj_name(b, o);
		qp_buf_printf(b, " AS %s", dm->type);
		if (dm->collation)
			qp_buf_printf(b, " COLLATE %s", dm->collation);
		if (dm->dflt)
			qp_buf_printf(b, " DEFAULT %s", dm->dflt);
		if (dm->not_null)
			qp_buf_puts(b, " NOT NULL");
		for (i = 0; i < dm->n_checks; i++) {
			qp_buf_puts(b, " CONSTRAINT ");
			ident(b, dm->check_names[i]);
			qp_buf_printf(b, " %s", dm->check_defs[i]);
		}
		end(b);
		break;
	}
	case QP_K_FUNCTION:
	case QP_K_OPERATOR:
		put_trimmed(b, ((const qp_defobj *)o)->def);
		end(b);
		break;
	case QP_K_SEQUENCE: {
		const qp_sequence *s = (const qp_sequence *)o;
		qp_buf_puts(b, "CREATE SEQUENCE ");
		obj_name(b, o);
		if (s->type && strcmp(s->type, "bigint"))
			qp_buf_printf(b, " AS %s", s->type);
		sequence_options(b, s);
		end(b);
		break;
	}
	case QP_K_TABLE:
		create_table(b, d, op);
		break;
	case QP_K_COLUMN:
		qp_buf_puts(b, "ALTER TABLE ");
		table_name(b, o);
		qp_buf_puts(b, " ADD COLUMN ");
		column_def(b, (const qp_column *)o);
		end(b);
		column_stats(b, (const qp_column *)o, 0);
		break;
	case QP_K_PKEY:
	case QP_K_UNIQUE:
	case QP_K_CHECK:
	case QP_K_EXCLUDE:
	case QP_K_FKEY:
		qp_buf_puts(b, "ALTER TABLE ");
		table_name(b, o);
		qp_buf_puts(b, " ADD ");
		constraint_def(b, (const qp_constraint *)o);
		end(b);
		break;
	case QP_K_INDEX:
		put_trimmed(b, ((const qp_index *)o)->def);
		end(b);
		index_stats(b, (const qp_index *)o);
		break;
	case QP_K_VIEW:
	case QP_K_MATVIEW: {
		const qp_table *v = (const qp_table *)o;
		qp_buf_puts(b, o->kind == QP_K_VIEW ? "CREATE VIEW " : "CREATE MATERIALIZED VIEW ");
		obj_name(b, o);
		if (v->options)
			qp_buf_printf(b, " WITH (%s)", v->options);
		qp_buf_puts(b, " AS\n");
		put_trimmed(b, v->def ? v->def : "SELECT");
		end(b);
		break;
	}
	case QP_K_TRIGGER:
		put_trimmed(b, ((const qp_defobj *)o)->def);
		end(b);
		break;
	default:
		break;
	}
	/* comments of what was made */
	comment(b, o, 0);
	if (o->kind == QP_K_TABLE) {
		const qp_table *t = (const qp_table *)o;
		for (i = 0; i < t->n_cols; i++)
			column_stats(b, t->cols[i], 0);
		for (i = 0; i < t->n_cols; i++)
			comment(b, &t->cols[i]->h, 0);
		for (i = 0; i < t->n_cons; i++)
			if (op_has(op, &t->cons[i]->h))
				comment(b, &t->cons[i]->h, 0);
	}
}

static void drop(qp_buf *b, const qp_op *op)
{
	const qp_obj *o = op->from;

	switch (o->kind) {
	case QP_K_SCHEMA:
	case QP_K_EXTENSION:
		qp_buf_printf(b, "DROP %s ", qp_kind_sql(o->kind));
		ident(b, o->name);
		break;
	case QP_K_ENUM:
		qp_buf_puts(b, "DROP TYPE ");
		obj_name(b, o);
		break;
	case QP_K_FUNCTION: {
		const qp_defobj *f = (const qp_defobj *)o;
		qp_buf_printf(b, "DROP %s ", function_keyword(f));
		obj_name(b, o);
		qp_buf_printf(b, "(%s)", f->extra ? f->extra : "");
		break;
	}
	case QP_K_COLUMN:
		qp_buf_puts(b, "ALTER TABLE ");
		table_name(b, o);
		qp_buf_puts(b, " DROP COLUMN ");
		ident(b, o->name);
		break;
	case QP_K_PKEY:
	case QP_K_UNIQUE:
	case QP_K_CHECK:
	case QP_K_EXCLUDE:
	case QP_K_FKEY:
		qp_buf_puts(b, "ALTER TABLE ");
		table_name(b, o);
		qp_buf_puts(b, " DROP CONSTRAINT ");
		ident(b, o->name);
		break;
	case QP_K_INDEX:
		qp_buf_puts(b, "DROP INDEX ");
		qname(b, o->schema, o->name);
		break;
	case QP_K_OPERATOR:
		qp_buf_puts(b, "DROP OPERATOR ");
		operator_name(b, o);
		qp_buf_printf(b, " (%s)", ((const qp_defobj *)o)->extra);
		break;
	case QP_K_TRIGGER:
		qp_buf_puts(b, "DROP TRIGGER ");
		ident(b, o->name);
		qp_buf_puts(b, " ON ");
		table_name(b, o);
		break;
	default:
		qp_buf_printf(b, "DROP %s ", qp_kind_sql(o->kind));
		obj_name(b, o);
		break;
	}
	end(b);
}

static void alter_column(qp_buf *b, const qp_op *op)
{
	const qp_column *c = (const qp_column *)op->from, *n = (const qp_column *)op->to;

#define ALTER_COLUMN() do { qp_buf_puts(b, "ALTER TABLE "); table_name(b, &n->h); \
	qp_buf_puts(b, " ALTER COLUMN "); ident(b, n->h.name); } while (0)
	if ((op->changes & QP_CH_IDENTITY) && c->identity) {
		ALTER_COLUMN();
		qp_buf_puts(b, " DROP IDENTITY");
		end(b);
	}
	if ((op->changes & (QP_CH_DEFAULT | QP_CH_TYPE)) && c->dflt && (!n->dflt || (op->changes & QP_CH_TYPE))) {
		ALTER_COLUMN();
		qp_buf_puts(b, " DROP DEFAULT");
		end(b);
	}
	if (op->changes & QP_CH_TYPE) {
		ALTER_COLUMN();
		qp_buf_printf(b, " TYPE %s", n->type);
		if (n->collation)
			qp_buf_printf(b, " COLLATE %s", n->collation);
		qp_buf_puts(b, " USING ");
		ident(b, n->h.name);
		qp_buf_printf(b, "::%s", n->type);
		end(b);
	}
	if ((op->changes & QP_CH_NULL)) {
		ALTER_COLUMN();
		qp_buf_puts(b, n->not_null ? " SET NOT NULL" : " DROP NOT NULL");
		end(b);
	}
	if ((op->changes & (QP_CH_DEFAULT | QP_CH_TYPE)) && n->dflt &&
	    ((op->changes & QP_CH_TYPE) ? 1 : !c->dflt || strcmp(c->dflt, n->dflt))) {
		if ((op->changes & QP_CH_TYPE) || (op->changes & QP_CH_DEFAULT)) {
			ALTER_COLUMN();
			qp_buf_printf(b, " SET DEFAULT %s", n->dflt);
			end(b);
		}
	}
	if (op->changes & QP_CH_STATS)
		column_stats(b, n, 1);
	if ((op->changes & QP_CH_IDENTITY) && n->identity) {
		ALTER_COLUMN();
		qp_buf_printf(b, " ADD GENERATED %s AS IDENTITY", n->identity == 'a' ? "ALWAYS" : "BY DEFAULT");
		if (n->ident_opts && *n->ident_opts)
			qp_buf_printf(b, " (%s)", n->ident_opts + 1);
		end(b);
	}
#undef ALTER_COLUMN
}

static void alter(qp_buf *b, const qp_op *op)
{
	const qp_obj *o = op->to;
	size_t i, j;

	switch (o->kind) {
	case QP_K_COLUMN:
		alter_column(b, op);
		break;
	case QP_K_TABLE: {
		const qp_table *c = (const qp_table *)op->from, *n = (const qp_table *)o;
		if (op->changes & QP_CH_PERSIST) {
			qp_buf_puts(b, "ALTER TABLE ");
			obj_name(b, o);
			qp_buf_puts(b, n->persistence == 'u' ? " SET UNLOGGED" : " SET LOGGED");
			end(b);
		}
		if (op->changes & QP_CH_OPTIONS) {
			if (c->options) {
				/* RESET takes the keys of "k=v, k2=v2" */
				const char *p = c->options;
				qp_buf_puts(b, "ALTER TABLE ");
				obj_name(b, o);
				qp_buf_puts(b, " RESET (");
				while (*p) {
					size_t k = strcspn(p, "=,");
					qp_buf_put(b, p, k);
					p += k;
					p += strcspn(p, ",");
					if (*p == ',') {
						qp_buf_puts(b, ", ");
						p++;
						while (*p == ' ')
							p++;
					}
				}
				qp_buf_putc(b, ')');
				end(b);
			}
			if (n->options) {
				qp_buf_puts(b, "ALTER TABLE ");
				obj_name(b, o);
				qp_buf_printf(b, " SET (%s)", n->options);
				end(b);
			}
		}
		break;
	}
	case QP_K_DOMAIN: {
		const qp_domain *c = (const qp_domain *)op->from, *n = (const qp_domain *)o;
		if (op->changes & QP_CH_DEFAULT) {
			qp_buf_puts(b, "ALTER DOMAIN ");
			obj_name(b, o);
			if (n->dflt)
				qp_buf_printf(b, " SET DEFAULT %s", n->dflt);
			else
				qp_buf_puts(b, " DROP DEFAULT");
			end(b);
		}
		if (c->not_null != n->not_null) {
			qp_buf_puts(b, "ALTER DOMAIN ");
			obj_name(b, o);
			qp_buf_puts(b, n->not_null ? " SET NOT NULL" : " DROP NOT NULL");
			end(b);
		}
		for (i = 0; i < c->n_checks; i++) {
			int kept = 0;
			for (j = 0; j < n->n_checks && !kept; j++)
				kept = !strcmp(c->check_names[i], n->check_names[j]) && !strcmp(c->check_defs[i], n->check_defs[j]);
			if (kept)
				continue;
			qp_buf_puts(b, "ALTER DOMAIN ");
			obj_name(b, o);
			qp_buf_puts(b, " DROP CONSTRAINT ");
			ident(b, c->check_names[i]);
			end(b);
		}
		for (j = 0; j < n->n_checks; j++) {
			int had = 0;
			for (i = 0; i < c->n_checks && !had; i++)
				had = !strcmp(c->check_names[i], n->check_names[j]) && !strcmp(c->check_defs[i], n->check_defs[j]);
			if (had)
				continue;
			qp_buf_puts(b, "ALTER DOMAIN ");
			obj_name(b, o);
			qp_buf_puts(b, " ADD CONSTRAINT ");
			ident(b, n->check_names[j]);
			qp_buf_printf(b, " %s", n->check_defs[j]);
			end(b);
		}
		break;
	}
	case QP_K_FUNCTION:
		put_trimmed(b, ((const qp_defobj *)o)->def);
		end(b);
		break;
	case QP_K_SEQUENCE: {
		const qp_sequence *c = (const qp_sequence *)op->from, *n = (const qp_sequence *)o;
		qp_buf_puts(b, "ALTER SEQUENCE ");
		obj_name(b, o);
#define SEQ_FIELD(f, kw) if (strcmp(c->f ? c->f : "", n->f ? n->f : "")) qp_buf_printf(b, " " kw " %s", n->f)
		SEQ_FIELD(type, "AS");
		SEQ_FIELD(inc, "INCREMENT BY");
		SEQ_FIELD(min, "MINVALUE");
		SEQ_FIELD(max, "MAXVALUE");
		SEQ_FIELD(start, "START WITH");
		SEQ_FIELD(cache, "CACHE");
#undef SEQ_FIELD
		if (c->cycle != n->cycle)
			qp_buf_puts(b, n->cycle ? " CYCLE" : " NO CYCLE");
		end(b);
		break;
	}
	case QP_K_EXTENSION:
		qp_buf_puts(b, "ALTER EXTENSION ");
		ident(b, o->name);
		qp_buf_puts(b, " SET SCHEMA ");
		ident(b, o->schema);
		end(b);
		break;
	default:
		break;
	}
}

static void rename_op(qp_buf *b, const qp_op *op)
{
	const qp_obj *o = op->from;

	if (o->kind == QP_K_INDEX) {
		qp_buf_puts(b, "ALTER INDEX ");
		qname(b, o->schema, o->name);
		qp_buf_puts(b, " RENAME");
	} else {
		qp_buf_puts(b, "ALTER TABLE ");
		table_name(b, o);
		qp_buf_puts(b, o->kind == QP_K_COLUMN ? " RENAME COLUMN " : " RENAME CONSTRAINT ");
		ident(b, o->name);
	}
	qp_buf_puts(b, " TO ");
	ident(b, op->to->name);
	end(b);
}

static void enum_rebuild(qp_buf *b, const qp_op *op)
{
	const qp_enum *e = (const qp_enum *)op->to;
	qp_buf old = QP_BUF_INIT;
	size_t i, j;

	qp_buf_printf(&old, "%s__quipu_old", e->h.name);
	qp_buf_puts(b, "ALTER TYPE ");
	obj_name(b, &e->h);
	qp_buf_puts(b, " RENAME TO ");
	ident(b, qp_buf_cstr(&old));
	end(b);
	qp_buf_puts(b, "CREATE TYPE ");
	obj_name(b, &e->h);
	qp_buf_puts(b, " AS ENUM (");
	for (i = 0; i < e->n_vals; i++) {
		if (i)
			qp_buf_puts(b, ", ");
		qp_buf_put_literal(b, e->vals[i]);
	}
	qp_buf_putc(b, ')');
	end(b);
	for (i = 0; i < op->olds.count; i++) {
		const qp_column *c = op->olds.items[i], *n = NULL;
		if (c->h.kind != QP_K_COLUMN)
			continue;
		for (j = 0; j < op->news.count; j++) {
			const qp_obj *x = op->news.items[j];
			if (x->kind == QP_K_COLUMN && !strcmp(x->key, c->h.key))
				n = (const qp_column *)x;
		}
		if (!n)
			continue;
#define ALTER_COLUMN() do { qp_buf_puts(b, "ALTER TABLE "); table_name(b, &n->h); \
	qp_buf_puts(b, " ALTER COLUMN "); ident(b, n->h.name); } while (0)
		if (c->dflt) {
			ALTER_COLUMN();
			qp_buf_puts(b, " DROP DEFAULT");
			end(b);
		}
		ALTER_COLUMN();
		qp_buf_printf(b, " TYPE %s USING ", n->type);
		ident(b, n->h.name);
		qp_buf_printf(b, "::text::%s", n->type);
		end(b);
		if (n->dflt) {
			ALTER_COLUMN();
			qp_buf_printf(b, " SET DEFAULT %s", n->dflt);
			end(b);
		}
#undef ALTER_COLUMN
	}
	qp_buf_puts(b, "DROP TYPE ");
	qname(b, e->h.schema, qp_buf_cstr(&old));
	end(b);
	b->oom |= old.oom;
	qp_buf_release(&old);
}

static int multiline(const qp_op *op)
{
	return (op->kind == QP_OP_CREATE && op->to && (op->to->kind == QP_K_TABLE || op->to->kind == QP_K_VIEW ||
	                                               op->to->kind == QP_K_MATVIEW || op->to->kind == QP_K_FUNCTION)) ||
	       (op->kind == QP_OP_ALTER && op->to && op->to->kind == QP_K_FUNCTION) || op->kind == QP_OP_ENUM_REBUILD;
}

int qp_emit_pg(qp_buf *out, const qp_diff *d)
{
	size_t i;
	int prev_multi = 0, functions = 0;

	for (i = 0; i < d->ops.count; i++) {
		const qp_op *op = d->ops.items[i];
		functions |= op->to && op->to->kind == QP_K_FUNCTION && (op->kind == QP_OP_CREATE || op->kind == QP_OP_ALTER);
	}
	if (functions)
		/* SQL function bodies may name tables made later in this script */
		qp_buf_puts(out, "SET LOCAL check_function_bodies = off;\n");
	for (i = 0; i < d->ops.count; i++) {
		const qp_op *op = d->ops.items[i];
		int multi = multiline(op);

		if (op->dead)
			continue;
		if ((multi || prev_multi) && out->len)
			qp_buf_putc(out, '\n');
		prev_multi = multi;
		if (op->warning)
			qp_buf_printf(out, "-- WARNING: %s\n", op->warning);
		if (op->note)
			qp_buf_printf(out, "-- %s\n", op->note);
		switch (op->kind) {
		case QP_OP_CREATE:
			create(out, d, op);
			break;
		case QP_OP_DROP:
			drop(out, op);
			break;
		case QP_OP_ALTER:
			alter(out, op);
			break;
		case QP_OP_RENAME:
			rename_op(out, op);
			break;
		case QP_OP_ENUM_ADD:
			qp_buf_puts(out, "ALTER TYPE ");
			obj_name(out, op->to);
			qp_buf_puts(out, " ADD VALUE ");
			qp_buf_put_literal(out, op->value);
			if (op->neighbour) {
				qp_buf_puts(out, op->before ? " BEFORE " : " AFTER ");
				qp_buf_put_literal(out, op->neighbour);
			}
			end(out);
			break;
		case QP_OP_ENUM_REBUILD:
			enum_rebuild(out, op);
			break;
		case QP_OP_SEQ_OWNED:
			qp_buf_puts(out, "ALTER SEQUENCE ");
			obj_name(out, op->to ? op->to : op->from);
			qp_buf_puts(out, " OWNED BY ");
			if (op->to && ((const qp_sequence *)op->to)->owned_by) {
				const qp_obj *col = qp_model_get(d->want, ((const qp_sequence *)op->to)->owned_by);
				if (col) {
					table_name(out, col);
					qp_buf_putc(out, '.');
					ident(out, col->name);
				} else {
					qp_buf_puts(out, "NONE");
				}
			} else {
				qp_buf_puts(out, "NONE");
			}
			end(out);
			break;
		case QP_OP_COMMENT:
			comment(out, op->to, 1);
			break;
		case QP_OP_REBUILD:
			break;
		}
	}
	return out->oom ? qp_error_oom() : 0;
}
