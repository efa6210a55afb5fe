/*
 * test_graph.c: the revision graph (src/core/graph*.c) against Alembic 1.8.
 *
 * Graphs are built in memory from a compact spec, the format of the
 * Alembic harness used to check them ("id:down1+down2:label1+label2:dep1+dep2",
 * space separated). A `db` is the version table's rows; run() plays a
 * command on it the way the runner does (plan, then qp_graph_version_ops
 * per step) and returns a trace in the harness's format:
 *
 *   "UP a; INSERT a; UP b; UPDATE a->b | b"      steps, row operations | rows after
 *   "ERROR <message>"                             the command failed
 *
 * Cases marked "Alembic 1.8.1" were run through the real Alembic
 * (python3-alembic 1.8.1, sqlite, a throwaway project with these revisions)
 * and assert what it did: which revisions ran, in which order, the
 * alembic_version statements and the rows left.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/graph.h"
#include "util/buf.h"
#include "util/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ---------------------------------------------------------- */

static void split_plus(qp_strlist *l, const char *s)
{
	assert_int_equal(qp_strlist_split(l, s, '+'), 0);
}

/* Builds scripts from a spec; the graph takes them. Returns build's result. */
static int build(qp_graph *g, const char *spec)
{
	qp_strlist items = QP_STRLIST_INIT;
	qp_script *scripts;
	size_t i;
	int error;

	assert_int_equal(qp_strlist_split(&items, spec, ' '), 0);
	scripts = calloc(items.count ? items.count : 1, sizeof(*scripts));
	assert_non_null(scripts);
	for (i = 0; i < items.count; i++) {
		char *f[4] = {NULL, NULL, NULL, NULL}, *p = items.items[i];
		size_t k = 0;
		qp_buf path = QP_BUF_INIT;

		f[k++] = p;
		while ((p = strchr(p, ':')) && k < 4) {
			*p++ = '\0';
			f[k++] = p;
		}
		scripts[i].id = strdup(f[0]);
		qp_buf_printf(&path, "versions/%s_rev.sql", f[0]);
		scripts[i].path = qp_buf_detach(&path);
		if (f[1])
			split_plus(&scripts[i].down, f[1]);
		if (f[2])
			split_plus(&scripts[i].labels, f[2]);
		if (f[3])
			split_plus(&scripts[i].depends, f[3]);
	}
	error = qp_graph_build(g, scripts, items.count);
	qp_strlist_release(&items);
	return error;
}

static void mk(qp_graph *g, const char *spec)
{
	int error = build(g, spec);
	if (error < 0)
		fail_msg("build failed: %s", quipu_error_last()->message);
}

static char *rows_str(const qp_strlist *rows)
{
	qp_strlist copy = QP_STRLIST_INIT;
	size_t i;
	char *s;

	for (i = 0; i < rows->count; i++)
		qp_strlist_add(&copy, rows->items[i]);
	qp_strlist_sort(&copy);
	s = qp_strlist_join(&copy, ",");
	qp_strlist_release(&copy);
	return s ? s : strdup("");
}

static char *error_trace(void)
{
	qp_buf b = QP_BUF_INIT;
	qp_buf_printf(&b, "ERROR %s", quipu_error_last()->message);
	return qp_buf_detach(&b);
}

/* Plays `cmd` ("upgrade X", "downgrade X", "stamp X", "stamp --purge X",
 * "history R", "resolve X") on the rows. Caller frees the trace. */
static char *run(const qp_graph *g, qp_strlist *rows, const char *cmd)
{
	qp_buf b = QP_BUF_INIT;
	qp_steps steps = QP_STEPS_INIT;
	qp_revset set = QP_REVSET_INIT;
	const char *arg = strchr(cmd, ' ') ? strchr(cmd, ' ') + 1 : "";
	size_t i, j;
	char *r;
	int error = 0;

	if (!strncmp(cmd, "upgrade ", 8) || !strncmp(cmd, "downgrade ", 10)) {
		int up = cmd[0] == 'u';
		error = up ? qp_graph_plan_upgrade(&steps, g, (const char *const *)rows->items, rows->count, arg)
		           : qp_graph_plan_downgrade(&steps, g, (const char *const *)rows->items, rows->count, arg);
		if (error < 0)
			return error_trace();
		for (i = 0; i < steps.count; i++) {
			qp_vops ops = QP_VOPS_INIT;
			qp_buf_printf(&b, "%s%s %s", i ? "; " : "", up ? "UP" : "DOWN", steps.items[i].rev->info.id);
			if (qp_graph_version_ops(&ops, g, rows, &steps.items[i]) < 0) {
				qp_buf_release(&b);
				qp_steps_release(&steps);
				return error_trace();
			}
			for (j = 0; j < ops.count; j++) {
				const qp_vop *op = qp_vops_at(&ops, j);
				if (op->kind == QP_VOP_INSERT)
					qp_buf_printf(&b, "; INSERT %s", op->to);
				else if (op->kind == QP_VOP_DELETE)
					qp_buf_printf(&b, "; DELETE %s", op->from);
				else
					qp_buf_printf(&b, "; UPDATE %s->%s", op->from, op->to);
			}
			qp_vops_release(&ops);
		}
		qp_steps_release(&steps);
	} else if (!strncmp(cmd, "stamp ", 6)) {
		qp_strlist out = QP_STRLIST_INIT;
		int purge = !strncmp(arg, "--purge ", 8);
		if (purge)
			arg += 8;
		if (qp_graph_stamp_rows(&out, g, (const char *const *)rows->items, rows->count, arg, purge) < 0)
			return error_trace();
		qp_strlist_release(rows);
		*rows = out;
	} else if (!strncmp(cmd, "history", 7) || !strncmp(cmd, "resolve ", 8)) {
		error = cmd[0] == 'h' ? qp_graph_history(&set, g, arg, (const char *const *)rows->items, rows->count)
		                      : qp_graph_resolve(&set, g, arg, (const char *const *)rows->items, rows->count);
		if (error < 0)
			return error_trace();
		qp_buf_puts(&b, cmd[0] == 'h' ? "HIST" : "REVS");
		for (i = 0; i < set.count; i++)
			qp_buf_printf(&b, " %s", set.items[i]->info.id);
		qp_revset_release(&set);
		return qp_buf_detach(&b);
	} else {
		fail_msg("unknown command %s", cmd);
	}
	r = rows_str(rows);
	qp_buf_printf(&b, "%s| %s", b.len ? " " : " ", r);
	free(r);
	return qp_buf_detach(&b);
}

#define RUN(g, rows, cmd, expect)                                   \
	do {                                                            \
		char *t_ = run((g), (rows), (cmd));                         \
		if (strcmp(t_, (expect)))                                   \
			fail_msg("%s\n  got:      %s\n  expected: %s", (cmd), t_, (expect)); \
		free(t_);                                                   \
	} while (0)

/* The command fails with `code` and a message containing each of the
 * NULL-terminated substrings. The rows are left as they were. */
static void run_err(const qp_graph *g, qp_strlist *rows, const char *cmd, int code, ...)
{
	char *before = rows_str(rows), *t = run(g, rows, cmd), *after;
	const char *s;
	va_list ap;

	if (strncmp(t, "ERROR ", 6))
		fail_msg("%s: expected an error, got %s", cmd, t);
	if (quipu_error_last()->code != code)
		fail_msg("%s: code %d, expected %d (%s)", cmd, quipu_error_last()->code, code, t);
	va_start(ap, code);
	while ((s = va_arg(ap, const char *)))
		if (!strstr(t, s))
			fail_msg("%s: message lacks \"%s\":\n  %s", cmd, s, t);
	va_end(ap);
	after = rows_str(rows);
	assert_string_equal(before, after);
	free(before);
	free(after);
	free(t);
}
#define RUN_ERR(g, rows, cmd, code, ...) run_err((g), (rows), (cmd), (code), __VA_ARGS__, NULL)

static void set_rows(qp_strlist *rows, const char *csv)
{
	qp_strlist_release(rows);
	assert_int_equal(qp_strlist_split(rows, csv, ','), 0);
}

/* ---- linear history --------------------------------------------------- */

static const char *chain = "a b:a c:b d:c";

static void test_linear_build(void **state)
{
	qp_graph g = QP_GRAPH_INIT;
	size_t i;

	mk(&g, chain);
	assert_int_equal(g.count, 4);
	for (i = 0; i < 4; i++)
		assert_int_equal(g.revs[i]->order, i);
	assert_string_equal(g.revs[0]->info.id, "a");
	assert_string_equal(g.revs[3]->info.id, "d");
	assert_int_equal(g.n_heads, 1);
	assert_string_equal(g.heads[0]->info.id, "d");
	assert_int_equal(g.n_bases, 1);
	assert_string_equal(g.bases[0]->info.id, "a");
	assert_true(g.revs[0]->info.is_base);
	assert_true(g.revs[3]->info.is_head);
	assert_int_equal(g.revs[1]->info.n_next, 1);
	assert_string_equal(g.revs[1]->info.next[0], "c");
	assert_string_equal(g.revs[2]->info.down[0], "b");
	qp_graph_release(&g);
}

/* Alembic 1.8.1: the same commands in the same order on one database. */
static void test_linear_upgrade_downgrade(void **state)
{
	qp_graph g = QP_GRAPH_INIT;
	qp_strlist db = QP_STRLIST_INIT;

	mk(&g, chain);
	RUN(&g, &db, "upgrade head", "UP a; INSERT a; UP b; UPDATE a->b; UP c; UPDATE b->c; UP d; UPDATE c->d | d");
	RUN(&g, &db, "downgrade -2", "DOWN d; UPDATE d->c; DOWN c; UPDATE c->b | b");
	RUN_ERR(&g, &db, "downgrade -5", QUIPU_ENOTFOUND, "Relative revision -5 didn't produce 5 migrations",
	        "only 2 below it", "downgrade base");
	RUN(&g, &db, "upgrade +1", "UP c; UPDATE b->c | c");
	RUN(&g, &db, "upgrade c+1", "UP d; UPDATE c->d | d");
	RUN(&g, &db, "downgrade base", "DOWN d; UPDATE d->c; DOWN c; UPDATE c->b; DOWN b; UPDATE b->a; DOWN a; DELETE a | ");
	RUN(&g, &db, "upgrade d-1", "UP a; INSERT a; UP b; UPDATE a->b; UP c; UPDATE b->c | c");
	RUN(&g, &db, "upgrade a", " | c");
	RUN(&g, &db, "upgrade heads", "UP d; UPDATE c->d | d");
	RUN(&g, &db, "upgrade head", " | d");
	qp_strlist_release(&db);
	qp_graph_release(&g);
}

/* Alembic 1.8.1: relative steps and their failures. */
static void test_linear_relative(void **state)
{
	qp_graph g = QP_GRAPH_INIT;
	qp_strlist db = QP_STRLIST_INIT;

	mk(&g, chain);
	RUN(&g, &db, "upgrade +2", "UP a; INSERT a; UP b; UPDATE a->b | b");
	RUN(&g, &db, "upgrade +1", "UP c; UPDATE b->c | c");
	RUN(&g, &db, "upgrade head-1", " | c");
	RUN(&g, &db, "upgrade d-3", " | c");
	RUN_ERR(&g, &db, "upgrade +5", QUIPU_ENOTFOUND, "Relative revision +5 didn't produce 5 migrations",
	        "only 1 above 'c'");
	RUN_ERR(&g, &db, "upgrade -1", QUIPU_EUSAGE, "Relative revision -1 didn't produce 1 migrations",
	        "quipu downgrade -1");
	RUN_ERR(&g, &db, "downgrade +1", QUIPU_EUSAGE, "Relative revision +1 didn't produce 1 migrations",
	        "quipu upgrade +1");
	RUN(&g, &db, "downgrade b+1", " | c");
	RUN(&g, &db, "downgrade c", " | c");
	RUN_ERR(&g, &db, "downgrade d", QUIPU_EUSAGE, "Destination d is not a valid downgrade target from current head(s) c",
	        "quipu upgrade d");
	/* a-1 is base: everything goes */
	RUN(&g, &db, "downgrade a-1", "DOWN c; UPDATE c->b; DOWN b; UPDATE b->a; DOWN a; DELETE a | ");
	RUN_ERR(&g, &db, "downgrade -1", QUIPU_ENOTFOUND, "Relative revision -1 didn't produce 1 migrations",
	        "nothing to downgrade");
	/* Alembic fails with an AssertionError on head-4 (= base); quipu has nothing to do */
	RUN(&g, &db, "upgrade head-4", " | ");
	RUN(&g, &db, "upgrade head", "UP a; INSERT a; UP b; UPDATE a->b; UP c; UPDATE b->c; UP d; UPDATE c->d | d");
	RUN(&g, &db, "downgrade d-2", "DOWN d; UPDATE d->c; DOWN c; UPDATE c->b | b");
	RUN_ERR(&g, &db, "downgrade head-1", QUIPU_EUSAGE, "Destination c is not a valid downgrade target");
	RUN_ERR(&g, &db, "downgrade head-5", QUIPU_ENOTFOUND, "Relative revision -5 didn't produce 5 migrations",
	        "only 4 below 'd'");
	RUN(&g, &db, "upgrade heads", "UP c; UPDATE b->c; UP d; UPDATE c->d | d");
	qp_strlist_release(&db);
	qp_graph_release(&g);
}

/* Alembic 1.8.1: stamp on a chain. */
static void test_linear_stamp(void **state)
{
	qp_graph g = QP_GRAPH_INIT;
	qp_strlist db = QP_STRLIST_INIT;

	mk(&g, chain);
	set_rows(&db, "d");
	RUN(&g, &db, "stamp b", " | b");
	RUN(&g, &db, "stamp base", " | ");
	RUN(&g, &db, "stamp head", " | d");
	RUN(&g, &db, "stamp --purge c", " | c");
	set_rows(&db, "zzz");
	RUN_ERR(&g, &db, "stamp a", QUIPU_ESTATE, "the database is at 'zzz', which is not in the revision files",
	        "--purge");
	RUN(&g, &db, "stamp --purge a", " | a");
	qp_strlist_release(&db);
	qp_graph_release(&g);
}

/* Alembic 1.8.1: history ranges, newest first. */
static void test_linear_history(void **state)
{
	qp_graph g = QP_GRAPH_INIT;
	qp_strlist db = QP_STRLIST_INIT;

	mk(&g, chain);
	set_rows(&db, "c");
	RUN(&g, &db, "history", "HIST d c b a");
	RUN(&g, &db, "history :c", "HIST c b a");
	RUN(&g, &db, "history b:c", "HIST c b");
	RUN(&g, &db, "history :d-1", "HIST c b a");
	RUN(&g, &db, "history current:", "HIST d c");
	RUN(&g, &db, "history :current", "HIST c b a");
	RUN_ERR(&g, &db, "history c:b", QUIPU_EUSAGE,
	        "Requested range c:b does not refer to ancestor/descendant revisions along the same branch");
	RUN_ERR(&g, &db, "history c", QUIPU_EUSAGE, "History range requires [start]:[end], [start]:, or :[end]");
	qp_strlist_release(&db);
	qp_graph_release(&g);
}

static void test_lookup_prefix(void **state)
{
	qp_graph g = QP_GRAPH_INIT;
	qp_strlist db = QP_STRLIST_INIT;
	qp_rev *r = NULL;

	mk(&g, "ae1027a6acf0 27c6a30d7c24:ae1027a6acf0 27c6b11111aa:27c6a30d7c24");
	assert_int_equal(qp_graph_lookup(&r, &g, "ae1027a6acf0"), 0);
	assert_string_equal(r->info.id, "ae1027a6acf0");
	assert_int_equal(qp_graph_lookup(&r, &g, "ae10"), 0);
	assert_string_equal(r->info.id, "ae1027a6acf0");
	assert_int_equal(qp_graph_lookup(&r, &g, "a"), 0); /* Alembic too: any unique prefix */
	assert_int_equal(qp_graph_lookup(&r, &g, "27c6"), QUIPU_EAMBIGUOUS);
	assert_non_null(strstr(quipu_error_last()->message, "Multiple revisions start with '27c6': 27c6a30d7c24, 27c6b11111aa"));
	assert_int_equal(qp_graph_lookup(&r, &g, "ffff"), QUIPU_ENOTFOUND);
	assert_non_null(strstr(quipu_error_last()->message, "Can't locate revision identified by 'ffff'"));
	assert_int_equal(qp_graph_lookup(&r, &g, "27c6a"), 0);
	assert_string_equal(r->info.id, "27c6a30d7c24");

	RUN(&g, &db, "resolve 27c6a", "REVS 27c6a30d7c24");
	RUN(&g, &db, "upgrade 27c6a", "UP ae1027a6acf0; INSERT ae1027a6acf0; UP 27c6a30d7c24; "
	    "UPDATE ae1027a6acf0->27c6a30d7c24 | 27c6a30d7c24");
	RUN_ERR(&g, &db, "upgrade 27c6", QUIPU_EAMBIGUOUS, "Multiple revisions start with '27c6'");
	RUN_ERR(&g, &db, "upgrade nope", QUIPU_ENOTFOUND, "Can't locate revision identified by 'nope'");
	RUN(&g, &db, "resolve head", "REVS 27c6b11111aa");
	RUN(&g, &db, "resolve base", "REVS");
	RUN(&g, &db, "resolve current", "REVS 27c6a30d7c24");
	RUN(&g, &db, "resolve +1", "REVS 27c6b11111aa");
	RUN(&g, &db, "resolve -1", "REVS ae1027a6acf0");
	RUN(&g, &db, "resolve head-2", "REVS ae1027a6acf0");
	RUN(&g, &db, "resolve ae10+1", "REVS 27c6a30d7c24");
	qp_strlist_release(&db);
	qp_graph_release(&g);
}

static void test_resolve_not_connected(void **state)
{
	qp_graph g = QP_GRAPH_INIT;
	qp_revset s = QP_REVSET_INIT;

	mk(&g, chain);
	assert_int_equal(qp_graph_resolve(&s, &g, "-1", NULL, 0), QUIPU_EUSAGE);
	assert_non_null(strstr(quipu_error_last()->message, "connect to a database"));
	assert_int_equal(qp_graph_resolve(&s, &g, "head-1", NULL, 0), 0);
	assert_int_equal(s.count, 1);
	assert_string_equal(s.items[0]->info.id, "c");
	qp_revset_release(&s);
	qp_graph_release(&g);
}


/* ---- branches --------------------------------------------------------- */

static const char *branches = "a b1:a:x c1:b1 b2:a:y c2:b2";

static void test_branches_build(void **state)
{
	qp_graph g = QP_GRAPH_INIT;
	qp_rev *r = NULL;

	mk(&g, branches);
	assert_int_equal(g.n_heads, 2);
	assert_string_equal(g.heads[0]->info.id, "c1");
	assert_string_equal(g.heads[1]->info.id, "c2");
	assert_int_equal(qp_graph_lookup(&r, &g, "a"), 0);
	assert_true(r->info.is_branch_point);
	assert_int_equal(r->info.n_next, 2);
	assert_int_equal(r->branches.count, 0); /* a is a branch point: labels stop below it */
	assert_int_equal(qp_graph_lookup(&r, &g, "c1"), 0);
	assert_true(qp_strlist_contains(&r->branches, "x"));
	assert_false(qp_strlist_contains(&r->branches, "y"));
	assert_ptr_equal(qp_map_get(&g.by_label, "y"), qp_map_get(&g.by_id, "b2"));
	qp_graph_release(&g);
}

/* Alembic 1.8.1 (same commands, same order), except where quipu refuses. */
static void test_branches_upgrade_downgrade(void **state)
{
	qp_graph g = QP_GRAPH_INIT;
	qp_strlist db = QP_STRLIST_INIT;

	mk(&g, branches);
	/* upgrade <rev> applies its ancestors, not the sibling branch */
	RUN(&g, &db, "upgrade c1", "UP a; INSERT a; UP b1; UPDATE a->b1; UP c1; UPDATE b1->c1 | c1");
	/* the new branch opens with an INSERT */
	RUN(&g, &db, "upgrade heads", "UP b2; INSERT b2; UP c2; UPDATE b2->c2 | c1,c2");
	/* Alembic warns and steps down c1 (the first row); quipu refuses */
	RUN_ERR(&g, &db, "downgrade -1", QUIPU_EAMBIGUOUS, "`downgrade -1` is ambiguous",
	        "several current heads (c1, c2)", "`downgrade c1@-1` or `downgrade c2@-1`");
	RUN(&g, &db, "downgrade c1@-1", "DOWN c1; UPDATE c1->b1 | b1,c2");
	/* the last revision of a branch goes with a DELETE */
	RUN(&g, &db, "downgrade x@-1", "DOWN b1; DELETE b1 | c2");
	RUN(&g, &db, "downgrade y@base", "DOWN c2; UPDATE c2->b2; DOWN b2; UPDATE b2->a; DOWN a; DELETE a | ");
	RUN(&g, &db, "upgrade x@head", "UP a; INSERT a; UP b1; UPDATE a->b1; UP c1; UPDATE b1->c1 | c1");
	RUN(&g, &db, "upgrade y@head", "UP b2; INSERT b2; UP c2; UPDATE b2->c2 | c1,c2");
	RUN_ERR(&g, &db, "upgrade +1", QUIPU_EAMBIGUOUS, "several current heads (c1, c2)",
	        "`upgrade c1@+1` or `upgrade c2@+1`");
	RUN(&g, &db, "downgrade b1", "DOWN c1; UPDATE c1->b1 | b1,c2");
	RUN(&g, &db, "downgrade x@a", "DOWN b1; DELETE b1 | c2");
	RUN(&g, &db, "downgrade base", "DOWN c2; UPDATE c2->b2; DOWN b2; UPDATE b2->a; DOWN a; DELETE a | ");
	RUN_ERR(&g, &db, "upgrade head", QUIPU_EAMBIGUOUS, "Multiple head revisions are present (c1, c2)",
	        "use `heads` to upgrade them all, `label@head` or `<rev>@head` for one branch, or `quipu merge heads` to join them");
	RUN(&g, &db, "upgrade y@+1", "UP a; INSERT a | a");
	RUN_ERR(&g, &db, "upgrade +1", QUIPU_EAMBIGUOUS, "revision 'a' is a branch point, followed by b1, b2",
	        "`upgrade b1` or `upgrade b2`");
	RUN(&g, &db, "upgrade x@+2", "UP b1; UPDATE a->b1; UP c1; UPDATE b1->c1 | c1");
	RUN_ERR(&g, &db, "upgrade +1", QUIPU_ENOTFOUND, "Relative revision +1 didn't produce 1 migrations");
	RUN(&g, &db, "upgrade c2@head", "UP b2; INSERT b2; UP c2; UPDATE b2->c2 | c1,c2");
	/* a partial downgrade of one branch leaves the other alone */
	RUN(&g, &db, "downgrade y@a", "DOWN c2; UPDATE c2->b2; DOWN b2; DELETE b2 | c1");
	qp_strlist_release(&db);
	qp_graph_release(&g);
}

static void test_branches_resolve(void **state)
{
	qp_graph g = QP_GRAPH_INIT;
	qp_strlist db = QP_STRLIST_INIT;

	mk(&g, branches);
	RUN(&g, &db, "resolve heads", "REVS c1 c2");
	RUN(&g, &db, "resolve x@head", "REVS c1");
	RUN(&g, &db, "resolve x@heads", "REVS c1");
	RUN(&g, &db, "resolve b2@head", "REVS c2");
	RUN(&g, &db, "resolve y", "REVS b2");
	RUN(&g, &db, "resolve y@base", "REVS");
	RUN(&g, &db, "resolve x@c1", "REVS c1");
	RUN(&g, &db, "resolve a@heads", "REVS c1 c2");
	RUN_ERR(&g, &db, "resolve a@head", QUIPU_EAMBIGUOUS, "Multiple heads are present for 'a@head' (c1, c2)");
	RUN_ERR(&g, &db, "resolve x@c2", QUIPU_ENOTFOUND, "Revision c2 is not a member of branch 'x'");
	RUN_ERR(&g, &db, "resolve nope@head", QUIPU_ENOTFOUND, "Can't locate revision identified by 'nope'");
	RUN_ERR(&g, &db, "resolve head", QUIPU_EAMBIGUOUS, "Multiple head revisions are present (c1, c2)");
	RUN_ERR(&g, &db, "resolve heads-1", QUIPU_EAMBIGUOUS, "Multiple head revisions are present (c1, c2)");
	RUN(&g, &db, "resolve x@head-1", "REVS b1");
	RUN(&g, &db, "resolve c2-2", "REVS a");
	qp_strlist_release(&db);
	qp_graph_release(&g);
}

/* Alembic 1.8.1. Between independent branches Alembic's order follows the
 * file listing (os.listdir), quipu's the ids (see graph.c); here they agree. */
static void test_branches_history_stamp(void **state)
{
	qp_graph g = QP_GRAPH_INIT;
	qp_strlist db = QP_STRLIST_INIT;

	mk(&g, branches);
	RUN(&g, &db, "history", "HIST c2 b2 c1 b1 a");
	RUN(&g, &db, "history x@base:", "HIST c1 b1 a");
	RUN(&g, &db, "history b2:", "HIST c2 b2");
	RUN_ERR(&g, &db, "history b1:c2", QUIPU_EUSAGE, "does not refer to ancestor/descendant revisions");
	/* stamp: Alembic 1.8.1 */
	set_rows(&db, "c1,c2");
	RUN(&g, &db, "stamp b1", " | b1,c2");
	RUN(&g, &db, "stamp y@base", " | b1");
	RUN(&g, &db, "stamp heads", " | c1,c2");
	RUN(&g, &db, "stamp a", " | a");
	RUN(&g, &db, "stamp c1 c2", " | c1,c2");
	qp_strlist_release(&db);
	qp_graph_release(&g);
}

/* ---- merges ----------------------------------------------------------- */

static const char *merge = "a b:a c:a m:b+c d:m";

/* Alembic 1.8.1, same commands in the same order. */
static void test_merge_upgrade_downgrade(void **state)
{
	qp_graph g = QP_GRAPH_INIT;
	qp_strlist db = QP_STRLIST_INIT;
	qp_rev *m = NULL;

	mk(&g, merge);
	assert_int_equal(qp_graph_lookup(&m, &g, "m"), 0);
	assert_true(m->info.is_merge);
	RUN(&g, &db, "upgrade b", "UP a; INSERT a; UP b; UPDATE a->b | b");
	/* c opens a branch (INSERT), the merge DELETEs one row and UPDATEs the other */
	RUN(&g, &db, "upgrade head", "UP c; INSERT c; UP m; DELETE b; UPDATE c->m; UP d; UPDATE m->d | d");
	RUN(&g, &db, "downgrade -1", "DOWN d; UPDATE d->m | m");
	/* Alembic: "Ambiguous walk"; quipu names the targets */
	RUN_ERR(&g, &db, "downgrade -1", QUIPU_EAMBIGUOUS,
	        "`downgrade -1` is ambiguous at the merge point 'm', which merges b, c: use `downgrade b` or `downgrade c`");
	RUN(&g, &db, "upgrade head", "UP d; UPDATE m->d | d");
	/* undoing the merge: INSERT one parent, UPDATE the row to the other */
	RUN(&g, &db, "downgrade b", "DOWN d; UPDATE d->m; DOWN m; INSERT b; UPDATE m->c | b,c");
	RUN(&g, &db, "downgrade c", " | b,c");
	RUN(&g, &db, "upgrade m", "UP m; DELETE b; UPDATE c->m | m");
	RUN(&g, &db, "downgrade c", "DOWN m; INSERT b; UPDATE m->c | b,c");
	RUN(&g, &db, "upgrade head", "UP m; DELETE b; UPDATE c->m; UP d; UPDATE m->d | d");
	RUN(&g, &db, "downgrade a", "DOWN d; UPDATE d->m; DOWN m; INSERT b; UPDATE m->c; DOWN b; DELETE b; DOWN c; UPDATE c->a | a");
	RUN(&g, &db, "upgrade m", "UP c; UPDATE a->c; UP b; INSERT b; UP m; DELETE b; UPDATE c->m | m");
	RUN(&g, &db, "stamp b", " | b");
	RUN(&g, &db, "stamp m", " | m");
	RUN(&g, &db, "stamp c", " | c");
	RUN(&g, &db, "upgrade m", "UP b; INSERT b; UP m; DELETE b; UPDATE c->m | m");
	RUN(&g, &db, "downgrade base", "DOWN m; INSERT b; UPDATE m->c; DOWN b; DELETE b; DOWN c; UPDATE c->a; DOWN a; DELETE a | ");
	RUN(&g, &db, "upgrade heads", "UP a; INSERT a; UP c; UPDATE a->c; UP b; INSERT b; UP m; DELETE b; UPDATE c->m; UP d; UPDATE m->d | d");
	RUN(&g, &db, "history b:", "HIST d m b");
	RUN(&g, &db, "history c:m", "HIST m c");
	RUN_ERR(&g, &db, "downgrade -3", QUIPU_EAMBIGUOUS, "ambiguous at the merge point 'm'", "`downgrade b-1` or `downgrade c-1`");
	qp_strlist_release(&db);
	qp_graph_release(&g);
}


/* Alembic 1.8.1: relative steps on one branch while another is current. */
static void test_branches_relative(void **state)
{
	qp_graph g = QP_GRAPH_INIT;
	qp_strlist db = QP_STRLIST_INIT;

	mk(&g, branches);
	RUN(&g, &db, "upgrade c1", "UP a; INSERT a; UP b1; UPDATE a->b1; UP c1; UPDATE b1->c1 | c1");
	/* y is not current: start from its newest applied revision, a */
	RUN(&g, &db, "upgrade y@+1", "UP b2; INSERT b2 | b2,c1");
	RUN(&g, &db, "upgrade b2@+1", "UP c2; UPDATE b2->c2 | c1,c2");
	RUN(&g, &db, "downgrade c1@-2", "DOWN c1; UPDATE c1->b1; DOWN b1; DELETE b1 | c2");
	RUN_ERR(&g, &db, "upgrade y@+1", QUIPU_ENOTFOUND, "Relative revision +1 didn't produce 1 migrations");
	RUN(&g, &db, "stamp c1", " | c1,c2");
	RUN(&g, &db, "stamp --purge heads", " | c1,c2");
	RUN(&g, &db, "stamp b1", " | b1,c2");
	RUN(&g, &db, "downgrade y@-1", "DOWN c2; UPDATE c2->b2 | b1,b2");
	RUN(&g, &db, "history :current", "HIST b2 b1 a");
	RUN(&g, &db, "history current:", "HIST c2 b2 c1 b1");
	qp_strlist_release(&db);
	qp_graph_release(&g);
}

/* Alembic 1.8.1: stamping around a merge. */
static void test_merge_stamp(void **state)
{
	qp_graph g = QP_GRAPH_INIT;
	qp_strlist db = QP_STRLIST_INIT;

	mk(&g, merge);
	RUN(&g, &db, "upgrade b", "UP a; INSERT a; UP b; UPDATE a->b | b");
	RUN(&g, &db, "stamp c", " | b,c");
	RUN(&g, &db, "stamp m", " | m");
	/* Alembic fails here with a KeyError half-way (rows left: b) */
	RUN(&g, &db, "stamp b c", " | b,c");
	RUN(&g, &db, "upgrade heads", "UP m; DELETE b; UPDATE c->m; UP d; UPDATE m->d | d");
	RUN(&g, &db, "history b:current", "HIST d m b");
	qp_strlist_release(&db);
	qp_graph_release(&g);
}


/* Alembic 1.8.1: two bases; several heads going down together. */
static void test_two_bases(void **state)
{
	qp_graph g = QP_GRAPH_INIT;
	qp_strlist db = QP_STRLIST_INIT;

	mk(&g, "a b:a x y:x");
	RUN_ERR(&g, &db, "upgrade +1", QUIPU_EAMBIGUOUS, "there are several base revisions, a, x",
	        "`upgrade a` or `upgrade x`");
	RUN(&g, &db, "upgrade b", "UP a; INSERT a; UP b; UPDATE a->b | b");
	RUN(&g, &db, "upgrade heads", "UP x; INSERT x; UP y; UPDATE x->y | b,y");
	RUN(&g, &db, "downgrade base", "DOWN y; UPDATE y->x; DOWN x; DELETE x; DOWN b; UPDATE b->a; DOWN a; DELETE a | ");
	qp_graph_release(&g);
	mk(&g, branches);
	RUN(&g, &db, "upgrade heads", "UP a; INSERT a; UP b1; UPDATE a->b1; UP c1; UPDATE b1->c1; "
	    "UP b2; INSERT b2; UP c2; UPDATE b2->c2 | c1,c2");
	RUN(&g, &db, "downgrade base", "DOWN c2; UPDATE c2->b2; DOWN b2; DELETE b2; DOWN c1; UPDATE c1->b1; "
	    "DOWN b1; UPDATE b1->a; DOWN a; DELETE a | ");
	qp_strlist_release(&db);
	qp_graph_release(&g);
}

/* The version table disagrees with the files. */
static void test_database_state_errors(void **state)
{
	qp_graph g = QP_GRAPH_INIT;
	qp_strlist db = QP_STRLIST_INIT;

	mk(&g, chain);
	set_rows(&db, "abc123");
	RUN_ERR(&g, &db, "upgrade head", QUIPU_ESTATE,
	        "the database is at 'abc123', which is not in the revision files: was the file deleted or the wrong "
	        "script_location configured? `quipu stamp <rev> --purge` re-records the state");
	RUN_ERR(&g, &db, "downgrade -1", QUIPU_ESTATE, "'abc123'");
	set_rows(&db, "b,d");
	RUN_ERR(&g, &db, "upgrade head", QUIPU_ESTATE, "holds both 'd' and its ancestor 'b'", "`quipu stamp d --purge`");
	qp_strlist_release(&db);
	qp_graph_release(&g);
}


/* Targets Alembic rejects or crashes on, and quipu's refusals. */
static void test_refusals(void **state)
{
	qp_graph g = QP_GRAPH_INIT;
	qp_strlist db = QP_STRLIST_INIT;

	mk(&g, branches);
	RUN_ERR(&g, &db, "upgrade x@", QUIPU_EUSAGE, "'x@' names no revision after '@'", "`x@head`");
	RUN_ERR(&g, &db, "downgrade nolabel@base", QUIPU_ENOTFOUND, "No such branch: 'nolabel'");
	/* Alembic: "Can't locate revision identified by '-1'" once rows exist */
	RUN_ERR(&g, &db, "stamp -1", QUIPU_EUSAGE, "stamp takes absolute revisions", "relative `-1`");
	RUN_ERR(&g, &db, "stamp head-1", QUIPU_EUSAGE, "relative `head-1`");
	RUN_ERR(&g, &db, "upgrade ", QUIPU_EUSAGE, "upgrade needs a target");
	/* Alembic: AssertionError */
	RUN(&g, &db, "upgrade c1-3", " | ");
	set_rows(&db, "c2,c1");
	/* Alembic: "Multiple head revisions are present for given argument 'x@head'" */
	RUN(&g, &db, "downgrade x@head", " | c1,c2");
	RUN_ERR(&g, &db, "downgrade -2", QUIPU_EAMBIGUOUS, "several current heads (c1, c2)",
	        "`downgrade c1@-2` or `downgrade c2@-2`");
	qp_graph_release(&g);

	/* a redundant merge (c is already below j). Alembic 1.8.1: the same
	 * upgrade, then `downgrade j` leaves rows c,j (a row below another row)
	 * and `upgrade heads` fails on them; quipu keeps only j */
	mk(&g, "a b:a c:b x j:x::c k:j+c");
	set_rows(&db, "");
	RUN(&g, &db, "upgrade k", "UP a; INSERT a; UP b; UPDATE a->b; UP c; UPDATE b->c; UP x; INSERT x; "
	    "UP j; DELETE x; UPDATE c->j; UP k; UPDATE j->k | k");
	RUN(&g, &db, "downgrade j", "DOWN k; UPDATE k->j | j");
	RUN(&g, &db, "upgrade heads", "UP k; UPDATE j->k | k");
	qp_strlist_release(&db);
	qp_graph_release(&g);
}

/* ---- dependencies ----------------------------------------------------- */

/* Alembic 1.8.1: c revises b and depends on x, the base of another line. */
static void test_depends_on(void **state)
{
	qp_graph g = QP_GRAPH_INIT;
	qp_strlist db = QP_STRLIST_INIT;

	mk(&g, "a b:a x::other y:x c:b::x d:c");
	/* the dependency is applied first; y (x's child) is not */
	RUN(&g, &db, "upgrade c", "UP x; INSERT x; UP a; INSERT a; UP b; UPDATE a->b; UP c; DELETE b; UPDATE x->c | c");
	RUN(&g, &db, "upgrade heads", "UP d; UPDATE c->d; UP y; INSERT y | d,y");
	RUN(&g, &db, "downgrade x", "DOWN y; DELETE y | d");
	RUN(&g, &db, "downgrade base", "DOWN d; UPDATE d->c; DOWN c; INSERT b; UPDATE c->x; DOWN b; UPDATE b->a; DOWN a; DELETE a; DOWN x; DELETE x | ");
	RUN(&g, &db, "upgrade d", "UP x; INSERT x; UP a; INSERT a; UP b; UPDATE a->b; UP c; DELETE b; UPDATE x->c; UP d; UPDATE c->d | d");
	RUN(&g, &db, "downgrade b", "DOWN d; UPDATE d->c; DOWN c; INSERT b; UPDATE c->x | b,x");
	RUN(&g, &db, "downgrade other@base", "DOWN x; DELETE x | b");
	qp_strlist_release(&db);
	qp_graph_release(&g);
}

/* Alembic 1.8.1: a dependency on a label; `heads` leaves out a head
 * another revision depends on (y), `head` does not. */
static void test_depends_on_label(void **state)
{
	qp_graph g = QP_GRAPH_INIT;
	qp_strlist db = QP_STRLIST_INIT;

	mk(&g, "a b:a x::other y:x c:b::y");
	RUN(&g, &db, "upgrade a", "UP a; INSERT a | a");
	RUN(&g, &db, "upgrade b", "UP b; UPDATE a->b | b");
	RUN(&g, &db, "upgrade c", "UP x; INSERT x; UP y; UPDATE x->y; UP c; DELETE b; UPDATE y->c | c");
	RUN(&g, &db, "downgrade -1", "DOWN c; INSERT b; UPDATE c->y | b,y");
	RUN(&g, &db, "downgrade x", "DOWN y; UPDATE y->x | b,x");
	RUN(&g, &db, "upgrade heads", "UP y; UPDATE x->y; UP c; DELETE b; UPDATE y->c | c");
	RUN(&g, &db, "resolve heads", "REVS c");
	assert_int_equal(g.n_heads, 2); /* c and y, as `alembic heads` shows them */
	RUN(&g, &db, "downgrade -1", "DOWN c; INSERT b; UPDATE c->y | b,y");
	qp_strlist_release(&db);
	qp_graph_release(&g);
}

/* ---- validation ------------------------------------------------------- */

static void test_validation_lists_every_problem(void **state)
{
	qp_graph g = QP_GRAPH_INIT;
	const char *m;
	int error;

	error = build(&g, "a b:a b:a c:zz d:c:lbl e:d:lbl f:e::nothere x:y y:x bad-id:a s:s");
	assert_int_equal(error, QUIPU_EGRAPH);
	m = quipu_error_last()->message;
	assert_non_null(strstr(m, "duplicate revision id 'b' in versions/b_rev.sql and versions/b_rev.sql"));
	assert_non_null(strstr(m, "versions/c_rev.sql: revision 'c' revises 'zz', which is not in the revision files"));
	assert_non_null(strstr(m, "branch label 'lbl' is declared by both versions/d_rev.sql (revision 'd') and versions/e_rev.sql"));
	assert_non_null(strstr(m, "versions/f_rev.sql: revision 'f' depends on 'nothere'"));
	assert_non_null(strstr(m, "cycle in Revises/Depends On among revisions x (versions/x_rev.sql), y (versions/y_rev.sql)"));
	assert_non_null(strstr(m, "versions/bad-id_rev.sql: 'bad-id' cannot be a revision id"));
	assert_non_null(strstr(m, "versions/s_rev.sql: revision 's' revises itself"));
	assert_non_null(strstr(m, "have 7 problems:\n"));
	/* the graph is empty again, scripts freed (ASan checks the latter) */
	assert_int_equal(g.count, 0);
	assert_null(g.scripts);
}

static void test_validation_long_id(void **state)
{
	qp_graph g = QP_GRAPH_INIT;

	assert_int_equal(build(&g, "a0123456789012345678901234567890123456789"), QUIPU_EGRAPH);
	assert_non_null(strstr(quipu_error_last()->message, "versions/a0123456789012345678901234567890123456789_rev.sql:"));
	assert_int_equal(build(&g, "head:"), 0); /* odd but allowed, as in Alembic */
	qp_graph_release(&g);
	assert_int_equal(build(&g, ""), 0);
	assert_int_equal(g.count, 0);
	qp_graph_release(&g);
}

/* ---- 10,000 revisions ------------------------------------------------- */

static void test_long_chain(void **state)
{
	enum { N = 10000 };
	qp_graph g = QP_GRAPH_INIT;
	qp_strlist db = QP_STRLIST_INIT;
	qp_script *s = calloc(N, sizeof(*s));
	qp_steps steps = QP_STEPS_INIT;
	qp_revset set = QP_REVSET_INIT;
	char id[32];
	size_t i;

	assert_non_null(s);
	for (i = 0; i < N; i++) {
		snprintf(id, sizeof(id), "r%05zu", i);
		s[i].id = strdup(id);
		s[i].path = strdup(id);
		if (i) {
			snprintf(id, sizeof(id), "r%05zu", i - 1);
			qp_strlist_add(&s[i].down, id);
		}
		if (i == 5000)
			qp_strlist_add(&s[i].labels, "mid");
	}
	assert_int_equal(qp_graph_build(&g, s, N), 0);
	assert_int_equal(g.count, N);
	assert_int_equal(qp_graph_plan_upgrade(&steps, &g, NULL, 0, "heads"), 0);
	assert_int_equal(steps.count, N);
	assert_string_equal(steps.items[0].rev->info.id, "r00000");
	assert_string_equal(steps.items[N - 1].rev->info.id, "r09999");
	qp_steps_release(&steps);
	set_rows(&db, "r09999");
	assert_int_equal(qp_graph_plan_downgrade(&steps, &g, (const char *const *)db.items, db.count, "base"), 0);
	assert_int_equal(steps.count, N);
	assert_string_equal(steps.items[0].rev->info.id, "r09999");
	qp_steps_release(&steps);
	assert_int_equal(qp_graph_plan_downgrade(&steps, &g, (const char *const *)db.items, db.count, "-9999"), 0);
	assert_int_equal(steps.count, 9999);
	qp_steps_release(&steps);
	assert_int_equal(qp_graph_history(&set, &g, NULL, NULL, 0), 0);
	assert_int_equal(set.count, N);
	qp_revset_release(&set);
	assert_int_equal(qp_graph_resolve(&set, &g, "mid@head", NULL, 0), 0);
	assert_string_equal(set.items[0]->info.id, "r09999");
	qp_revset_release(&set);
	assert_int_equal(qp_graph_resolve(&set, &g, "r0500", NULL, 0), QUIPU_EAMBIGUOUS);
	qp_strlist_release(&db);
	qp_graph_release(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_linear_build),
		cmocka_unit_test(test_linear_upgrade_downgrade),
		cmocka_unit_test(test_linear_relative),
		cmocka_unit_test(test_linear_stamp),
		cmocka_unit_test(test_linear_history),
		cmocka_unit_test(test_lookup_prefix),
		cmocka_unit_test(test_resolve_not_connected),
		cmocka_unit_test(test_branches_build),
		cmocka_unit_test(test_branches_upgrade_downgrade),
		cmocka_unit_test(test_branches_resolve),
		cmocka_unit_test(test_branches_history_stamp),
		cmocka_unit_test(test_branches_relative),
		cmocka_unit_test(test_merge_upgrade_downgrade),
		cmocka_unit_test(test_merge_stamp),
		cmocka_unit_test(test_two_bases),
		cmocka_unit_test(test_database_state_errors),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_depends_on),
		cmocka_unit_test(test_depends_on_label),
		cmocka_unit_test(test_validation_lists_every_problem),
		cmocka_unit_test(test_validation_long_id),
		cmocka_unit_test(test_long_chain),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
