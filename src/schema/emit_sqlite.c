/*
 * emit_sqlite.c: the SQLite statements of an ordered diff (see diff.h).
 *
 * SQLite keeps every CREATE statement as written, so tables, indexes,
 * views and triggers are made with their stored text, and a new column
 * with its text from the CREATE TABLE. What ALTER TABLE cannot do becomes
 * a rebuild, as SQLite's documentation describes it: create the new table
 * under a temporary name, copy the rows, drop the old table, rename the
 * new one (with legacy_alter_table on, so views and triggers naming the
 * table are left as they are), then check its foreign keys; its indexes
 * and triggers are made again by the ops that follow.
 */
#include "schema/diff.h"
#include "schema/sqltext.h"
#include "util/err.h"

#include <ctype.h>
#include <string.h>

static void ident(qp_buf *b, const char *s)
{
	qp_sql_ident(b, QP_DIALECT_SQLITE, s);
}

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

static const char *stored_sql(const qp_obj *o)
{
	switch (o->kind) {
	case QP_K_TABLE:
	case QP_K_VIEW:
		return ((const qp_table *)o)->sql;
	case QP_K_INDEX:
		return ((const qp_index *)o)->sql;
	default:
		return ((const qp_defobj *)o)->sql;
	}
}

static int has_fk(const qp_table *t)
{
	size_t i;

	for (i = 0; i < t->n_cons; i++)
		if (t->cons[i]->h.kind == QP_K_FKEY)
			return 1;
	return 0;
}

static int rebuild(qp_buf *b, const qp_op *op)
{
	const qp_table *c = (const qp_table *)op->from, *n = (const qp_table *)op->to;
	qp_ptable pt;
	qp_buf tmp = QP_BUF_INIT;
	size_t i;
	int first = 1, error;

	if ((error = qp_parse_create_table(&pt, n->sql)) < 0)
		goto done;
	qp_buf_printf(&tmp, "_quipu_new_%s", n->h.name);
	/* the new table: its stored text under the temporary name */
	qp_buf_put(b, n->sql, pt.name_start);
	qp_buf_put_ident_quoted(b, qp_buf_cstr(&tmp));
	qp_buf_puts(b, n->sql + pt.name_end);
	end(b);
	qp_buf_puts(b, "INSERT INTO ");
	qp_buf_put_ident_quoted(b, qp_buf_cstr(&tmp));
	qp_buf_puts(b, " (");
	for (i = 0; i < n->n_cols && i < op->copy_from.count; i++) {
		if (!op->copy_from.items[i])
			continue;
		if (!first)
			qp_buf_puts(b, ", ");
		first = 0;
		ident(b, n->cols[i]->h.name);
	}
	qp_buf_puts(b, ") SELECT ");
	first = 1;
	for (i = 0; i < n->n_cols && i < op->copy_from.count; i++) {
		const qp_column *from = op->copy_from.items[i];
		if (!from)
			continue;
		if (!first)
			qp_buf_puts(b, ", ");
		first = 0;
		ident(b, from->h.name);
	}
	qp_buf_puts(b, " FROM ");
	ident(b, c->h.name);
	end(b);
	if (first) {
		/* no column to copy: "INSERT INTO t () SELECT" is not SQL */
		const char *last = strstr(b->ptr, "INSERT INTO ");
		const char *p = last;
		while (p && (p = strstr(p + 1, "INSERT INTO ")) != NULL)
			last = p;
		if (last)
			qp_buf_truncate(b, (size_t)(last - b->ptr));
	}
	qp_buf_puts(b, "DROP TABLE ");
	ident(b, c->h.name);
	end(b);
	qp_buf_puts(b, "PRAGMA legacy_alter_table = ON;\nALTER TABLE ");
	qp_buf_put_ident_quoted(b, qp_buf_cstr(&tmp));
	qp_buf_puts(b, " RENAME TO ");
	ident(b, n->h.name);
	end(b);
	qp_buf_puts(b, "PRAGMA legacy_alter_table = OFF;\n");
	if (has_fk(n)) {
		qp_buf_printf(b, "-- fails when a row of %s breaks one of its foreign keys\n", n->h.name);
		qp_buf_puts(b, "CREATE TEMP TABLE _quipu_fk_check (foreign_key_violations INTEGER "
		               "CHECK (foreign_key_violations = 0));\n");
		qp_buf_puts(b, "INSERT INTO _quipu_fk_check SELECT count(*) FROM pragma_foreign_key_check(");
		qp_buf_put_literal(b, n->h.name);
		qp_buf_puts(b, ");\nDROP TABLE _quipu_fk_check;\n");
	}
done:
	b->oom |= tmp.oom;
	qp_buf_release(&tmp);
	qp_ptable_release(&pt);
	return error;
}

int qp_emit_sqlite(qp_buf *out, const qp_diff *d)
{
	size_t i;
	int prev_multi = 0, error;

	for (i = 0; i < d->ops.count; i++) {
		const qp_op *op = d->ops.items[i];
		const qp_obj *o = op->to ? op->to : op->from;
		int multi = op->kind == QP_OP_REBUILD || (op->kind == QP_OP_CREATE && strchr(
		                stored_sql(o) && o->kind != QP_K_COLUMN ? stored_sql(o) : "", '\n'));

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
			if (o->kind == QP_K_COLUMN) {
				qp_buf_puts(out, "ALTER TABLE ");
				ident(out, o->table->h.name);
				qp_buf_puts(out, " ADD COLUMN ");
				put_trimmed(out, ((const qp_column *)o)->def_text);
			} else if (stored_sql(o)) {
				/* as stored, to the byte (trailing blanks and all) */
				qp_buf_puts(out, stored_sql(o));
			}
			end(out);
			break;
		case QP_OP_DROP:
			if (o->kind == QP_K_COLUMN) {
				qp_buf_puts(out, "ALTER TABLE ");
				ident(out, o->table->h.name);
				qp_buf_puts(out, " DROP COLUMN ");
				ident(out, o->name);
			} else {
				qp_buf_printf(out, "DROP %s ", o->kind == QP_K_VTABLE ? "TABLE" : qp_kind_sql(o->kind));
				ident(out, o->name);
			}
			end(out);
			break;
		case QP_OP_RENAME:
			qp_buf_puts(out, "ALTER TABLE ");
			ident(out, op->from->table->h.name);
			qp_buf_puts(out, " RENAME COLUMN ");
			ident(out, op->from->name);
			qp_buf_puts(out, " TO ");
			ident(out, op->to->name);
			end(out);
			break;
		case QP_OP_REBUILD:
			if ((error = rebuild(out, op)) < 0)
				return error;
			break;
		default:
			/* comments, sequences, enums: PostgreSQL only */
			break;
		}
	}
	return out->oom ? qp_error_oom() : 0;
}
