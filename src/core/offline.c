/*
 * offline.c: `upgrade --sql` / `downgrade --sql` / `stamp --sql`: the SQL a
 * run would execute, transaction and version-table statements included,
 * written out without connecting (Alembic's offline mode).
 */
#include "core/project.h"
#include "util/err.h"

#include <stdlib.h>
#include <string.h>

static void version_table(qp_buf *b, const qp_config *cfg)
{
	qp_version_table_sql(b, cfg);
}

static void create_version_table(qp_buf *b, const qp_config *cfg)
{
	qp_buf pk = QP_BUF_INIT;
	qp_buf_puts(b, "CREATE TABLE ");
	version_table(b, cfg);
	qp_buf_puts(b, " (\n    version_num VARCHAR(32) NOT NULL, \n    CONSTRAINT ");
	qp_buf_printf(&pk, "%s_pkc", cfg->version_table);
	qp_buf_put_ident(b, qp_buf_cstr(&pk));
	qp_buf_puts(b, " PRIMARY KEY (version_num)\n);\n\n");
	qp_buf_release(&pk);
}

static void vop(qp_buf *b, const qp_config *cfg, const qp_vop *op)
{
	switch (op->kind) {
	case QP_VOP_INSERT:
		qp_buf_puts(b, "INSERT INTO ");
		version_table(b, cfg);
		qp_buf_puts(b, " (version_num) VALUES (");
		qp_buf_put_literal(b, op->to);
		qp_buf_puts(b, ");\n\n");
		break;
	case QP_VOP_DELETE:
		qp_buf_puts(b, "DELETE FROM ");
		version_table(b, cfg);
		qp_buf_puts(b, " WHERE version_num = ");
		qp_buf_put_literal(b, op->from);
		qp_buf_puts(b, ";\n\n");
		break;
	case QP_VOP_UPDATE:
		qp_buf_puts(b, "UPDATE ");
		version_table(b, cfg);
		qp_buf_puts(b, " SET version_num=");
		qp_buf_put_literal(b, op->to);
		qp_buf_puts(b, " WHERE version_num = ");
		qp_buf_put_literal(b, op->from);
		qp_buf_puts(b, ";\n\n");
		break;
	}
}

/* Appends a section's SQL, ending it with a newline. */
static void section(qp_buf *b, const qp_script *s, const qp_section *sec)
{
	const char *sql = s->text + sec->offset;
	size_t n = sec->length;

	while (n && (sql[0] == '\n' || sql[0] == '\r'))
		sql++, n--;
	while (n && (sql[n - 1] == '\n' || sql[n - 1] == ' ' || sql[n - 1] == '\r' || sql[n - 1] == '\t'))
		n--;
	if (!n)
		return;
	qp_buf_put(b, sql, n);
	qp_buf_puts(b, "\n\n");
}

static int stamp_sql(qp_buf *b, const quipu_project *p, const quipu_plan *plan)
{
	const qp_config *cfg = &p->cfg;
	size_t i;

	qp_buf_puts(b, "BEGIN;\n\n");
	if (!plan->start_rows.count)
		create_version_table(b, cfg);
	if (plan->start_rows.count == 1 && plan->stamp_rows.count == 1) {
		/* one row moving is an UPDATE, as online (runner.c) and in Alembic */
		qp_vop op = {QP_VOP_UPDATE, plan->start_rows.items[0], plan->stamp_rows.items[0]};
		if (strcmp(op.from, op.to))
			vop(b, cfg, &op);
		qp_buf_puts(b, "COMMIT;\n\n");
		return 0;
	}
	for (i = 0; i < plan->start_rows.count; i++) {
		qp_vop op = {QP_VOP_DELETE, plan->start_rows.items[i], NULL};
		if (!qp_strlist_contains(&plan->stamp_rows, op.from))
			vop(b, cfg, &op);
	}
	for (i = 0; i < plan->stamp_rows.count; i++) {
		qp_vop op = {QP_VOP_INSERT, NULL, plan->stamp_rows.items[i]};
		if (!qp_strlist_contains(&plan->start_rows, op.to))
			vop(b, cfg, &op);
	}
	qp_buf_puts(b, "COMMIT;\n\n");
	return 0;
}

int quipu_plan_sql(char **out, const quipu_project *p, const quipu_plan *plan, const char *dialect)
{
	const qp_config *cfg = &p->cfg;
	qp_buf b = QP_BUF_INIT;
	qp_strlist heads = QP_STRLIST_INIT;
	qp_vops ops = QP_VOPS_INIT;
	size_t i, j;
	int error = 0, per = cfg->transaction_per_migration, in_tx = 0;

	(void)dialect; /* the same SQL on both for now; dialect-specific output joins with MySQL */
	*out = NULL;
	if ((error = qp_project_need_sql(p)) < 0)
		return error;
	if (plan->kind == QP_PLAN_STAMP) {
		stamp_sql(&b, p, plan);
		goto finish;
	}
	for (i = 0; i < plan->start_rows.count; i++)
		if ((error = qp_strlist_add(&heads, plan->start_rows.items[i])) < 0)
			goto done;
	if (!per && plan->count) {
		qp_buf_puts(&b, "BEGIN;\n\n");
		in_tx = 1;
	}
	for (i = 0; i < plan->count; i++) {
		const quipu_step *st = &plan->steps[i];
		qp_rev *rev = QP_REV(st->rev);
		const qp_section *sec = st->direction == QUIPU_UP ? &rev->script->up : &rev->script->downgrade;
		qp_step gs = {rev, st->direction == QUIPU_UP ? 1 : -1};

		if (st->direction == QUIPU_DOWN && !sec->present) {
			error = qp_error_set(QUIPU_EUSAGE,
			                     "revision %s cannot be downgraded: %s has no `-- migrate:downgrade` section",
			                     rev->info.id, rev->script->path);
			goto done;
		}
		if (!sec->transaction && in_tx) {
			qp_buf_puts(&b, "COMMIT;\n\n");
			in_tx = 0;
		}
		if (sec->transaction && !in_tx) {
			qp_buf_puts(&b, "BEGIN;\n\n");
			in_tx = 1;
		}
		if (!heads.count)
			create_version_table(&b, cfg);
		qp_buf_printf(&b, "-- Running %s ", st->direction == QUIPU_UP ? "upgrade" : "downgrade");
		if (st->direction == QUIPU_UP) {
			for (j = 0; j < rev->info.n_down; j++)
				qp_buf_printf(&b, "%s%s", j ? ", " : "", rev->info.down[j]);
			qp_buf_printf(&b, " -> %s\n\n", rev->info.id);
		} else {
			qp_buf_printf(&b, "%s -> ", rev->info.id);
			for (j = 0; j < rev->info.n_down; j++)
				qp_buf_printf(&b, "%s%s", j ? ", " : "", rev->info.down[j]);
			qp_buf_puts(&b, "\n\n");
		}
		section(&b, rev->script, sec);
		if (!sec->transaction) {
			qp_buf_puts(&b, "BEGIN;\n\n");
			in_tx = 1;
		}
		qp_vops_release(&ops);
		if ((error = qp_graph_version_ops(&ops, &p->graph, &heads, &gs)) < 0)
			goto done;
		for (j = 0; j < ops.count; j++)
			vop(&b, cfg, qp_vops_at(&ops, j));
		if (!heads.count) {
			qp_buf_puts(&b, "DROP TABLE ");
			version_table(&b, cfg);
			qp_buf_puts(&b, ";\n\n");
		}
		if ((per || !sec->transaction) && in_tx) {
			qp_buf_puts(&b, "COMMIT;\n\n");
			in_tx = 0;
		}
		if (!per && !in_tx && i + 1 < plan->count) {
			qp_buf_puts(&b, "BEGIN;\n\n");
			in_tx = 1;
		}
	}
	if (in_tx)
		qp_buf_puts(&b, "COMMIT;\n\n");
finish:
	if (b.oom) {
		error = qp_error_oom();
		goto done;
	}
	*out = qp_buf_detach(&b);
done:
	qp_vops_release(&ops);
	qp_strlist_release(&heads);
	qp_buf_release(&b);
	return error;
}
