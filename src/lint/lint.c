/*
 * lint.c: `quipu lint` in the library: splitting sections into statements
 * with libpg_query's scanner, lint-ignore comments, the report, and
 * quipu_lint (which revisions, and the live tables' sizes). The rules
 * themselves are in rules.c.
 */
#include "util/sqlscan.h"
#include "lint/lint.h"
#include "core/project.h"
#include "drivers/driver.h"
#include "util/buf.h"
#include "util/err.h"

#include <ctype.h>
#include <pg_query.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define IGNORE_MARK "quipu:lint-ignore"

/* ---- the report ------------------------------------------------------- */

static void item_release(qp_lint_item *it)
{
	free(it->message);
	free(it->statement);
	free(it->table);
	free(it->schema);
	free(it->relname);
	free(it->path);
	free(it->revision);
}

static void items_release(qp_lint_items *l)
{
	size_t i;
	for (i = 0; i < l->count; i++)
		item_release(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

void quipu_lint_report_free(quipu_lint_report *r)
{
	if (!r)
		return;
	items_release(&r->findings);
	items_release(&r->notes);
	free(r);
}

/* Appends a finding: rule (static), message (taken, even on failure) and
 * copies of the rest. */
static int items_add(qp_lint_items *l, const qp_lint_rule *rule, const char *rule_id, char *message,
                     const qp_lint_src *src, int line, const char *statement, const char *schema,
                     const char *relname)
{
	qp_lint_item *it;
	qp_buf table = QP_BUF_INIT;

	if (l->count == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 8;
		qp_lint_item *p = realloc(l->items, ncap * sizeof(*p));
		if (!p) {
			free(message);
			return qp_error_oom();
		}
		l->items = p;
		l->cap = ncap;
	}
	it = &l->items[l->count];
	memset(it, 0, sizeof(*it));
	it->message = message;
	it->statement = strdup(statement);
	it->path = src->path ? strdup(src->path) : NULL;
	it->revision = src->revision ? strdup(src->revision) : NULL;
	if (relname) {
		if (schema)
			qp_buf_printf(&table, "%s.", schema);
		qp_buf_puts(&table, relname);
		it->table = qp_buf_detach(&table);
		it->schema = schema ? strdup(schema) : NULL;
		it->relname = strdup(relname);
	}
	if (!it->message || !it->statement || (src->path && !it->path) || (src->revision && !it->revision) ||
	    (relname && (!it->table || !it->relname || (schema && !it->schema)))) {
		item_release(it);
		return qp_error_oom();
	}
	it->pub.rule = rule ? rule->id : rule_id;
	it->pub.category = rule ? rule->category : "note";
	it->pub.fix = rule ? rule->fix : "Check the statement by hand; it is not linted.";
	it->pub.message = it->message;
	it->pub.statement = it->statement;
	it->pub.path = it->path;
	it->pub.revision = it->revision;
	it->pub.table = it->table;
	it->pub.line = line;
	it->pub.rows = -1;
	it->pub.bytes = -1;
	l->count++;
	return 0;
}

int qp_lint__emit(qp_lint_stmt *s, const char *id, const char *schema, const char *relname,
                  const char *fmt, ...)
{
	const qp_lint_rule *rule = qp_lint_rule_find(id);
	qp_buf msg = QP_BUF_INIT;
	va_list ap;

	if (!rule || !s->check || (rule->pg_only && !qp_lint__pg(s->st)))
		return 0;
	if (qp_strlist_contains(s->ignored, id) || qp_strlist_contains(s->ignored, "all"))
		return 0;
	va_start(ap, fmt);
	qp_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	if (msg.oom)
		return qp_error_oom();
	return items_add(&s->report->findings, rule, id, qp_buf_detach(&msg), s->src, s->line, s->text, schema,
	                 relname);
}

/* ---- statements and comments ------------------------------------------ */


/* Adds the rule ids of every `-- quipu:lint-ignore a,b` in s[from, to). */
static int collect_ignores(qp_strlist *out, const char *s, size_t from, size_t to)
{
	size_t i = from, mlen = strlen(IGNORE_MARK);
	int error;

	while (i + mlen <= to) {
		size_t line = i, k;
		if (strncmp(s + i, IGNORE_MARK, mlen)) {
			i++;
			continue;
		}
		/* only inside a -- comment: a "--" earlier on the same line */
		while (line > from && s[line - 1] != '\n')
			line--;
		for (k = line; k + 1 < i && !(s[k] == '-' && s[k + 1] == '-'); k++)
			;
		i += mlen;
		if (k + 1 >= i - mlen)
			continue;
		for (;;) {
			size_t start;
			while (i < to && (s[i] == ' ' || s[i] == '\t'))
				i++;
			start = i;
			while (i < to && (isalnum((unsigned char)s[i]) || s[i] == '-' || s[i] == '_'))
				i++;
			if (i > start) {
				char *id = strndup(s + start, i - start);
				if (!id)
					return qp_error_oom();
				if ((error = qp_strlist_take(out, id)) < 0)
					return error;
			}
			while (i < to && (s[i] == ' ' || s[i] == '\t'))
				i++;
			if (i < to && s[i] == ',') {
				i++;
				continue;
			}
			break;
		}
	}
	return 0;
}

/* The rules a statement at s[start, end) silences: lint-ignore comments on
 * the comment lines directly above it and on its own lines (up to the end of
 * the line holding its end, where a trailing `; -- ...` sits). */
static int statement_ignores(qp_strlist *out, const char *s, size_t len, size_t start, size_t end)
{
	size_t first = start, last = end, above;
	int error;

	while (first > 0 && s[first - 1] != '\n')
		first--;
	while (last < len && s[last] != '\n')
		last++;
	if ((error = collect_ignores(out, s, first, last)) < 0)
		return error;
	/* the comment lines just above */
	above = first;
	while (above > 0) {
		size_t b = above - 1, lb, k;
		while (b > 0 && s[b - 1] != '\n')
			b--;
		lb = b;
		for (k = lb; k < above && (s[k] == ' ' || s[k] == '\t'); k++)
			;
		if (k + 1 >= above || s[k] != '-' || s[k + 1] != '-')
			break;
		if ((error = collect_ignores(out, s, lb, above - 1)) < 0)
			return error;
		above = lb;
	}
	return 0;
}

/* A copy of s[start, end) without surrounding blanks and semicolons. */
static char *trimmed_copy(const char *s, size_t start, size_t end)
{
	while (start < end && isspace((unsigned char)s[start]))
		start++;
	while (end > start && (isspace((unsigned char)s[end - 1]) || s[end - 1] == ';'))
		end--;
	return strndup(s + start, end - start);
}

/* A note that one statement (or the whole section) could not be parsed. */
static int add_note(quipu_lint_report *report, const qp_lint_src *src, int line, const char *stmt,
                    const char *why)
{
	qp_buf msg = QP_BUF_INIT;
	qp_buf_printf(&msg, "not linted: libpg_query cannot parse it as PostgreSQL SQL (%s)", why);
	if (msg.oom)
		return qp_error_oom();
	return items_add(&report->notes, NULL, "unparsed", qp_buf_detach(&msg), src, line, stmt, NULL, NULL);
}

/* Parses and lints one statement text. */
static int lint_one(qp_lint_stmt *s)
{
	PgQueryParseResult r = pg_query_parse(s->text);
	qp_json *tree = NULL;
	const qp_json *stmts;
	size_t i;
	int error = 0;

	if (r.error) {
		if (s->check)
			error = add_note(s->report, s->src, s->line, s->text, r.error->message);
		goto done;
	}
	if ((error = qp_json_parse(&tree, r.parse_tree)) < 0)
		goto done;
	stmts = qp_json_get(tree, "stmts");
	for (i = 0; i < qp_json_len(stmts) && error == 0; i++)
		error = qp_lint__statement(s, qp_json_get(qp_json_at(stmts, i), "stmt"));
done:
	qp_json_free(tree);
	pg_query_free_parse_result(r);
	return error;
}

int qp_lint_section(quipu_lint_report *report, qp_lint_state *st, const qp_lint_src *src, int check)
{
	PgQuerySplitResult split;
	qp_strlist ignored = QP_STRLIST_INIT;
	char *sql = malloc(src->len + 1), *text = NULL;
	int i, error = 0, have_split = 0;

	if (!sql)
		return qp_error_oom();
	memcpy(sql, src->sql, src->len);
	sql[src->len] = '\0';
	/* libpg_query stops at a NUL: cut there too */
	split = pg_query_split_with_scanner(sql);
	have_split = 1;
	if (split.error) {
		size_t start = qp_sql_skip_blank(sql, 0, strlen(sql));
		if (check && start < strlen(sql)) {
			if (!(text = trimmed_copy(sql, start, strlen(sql)))) {
				error = qp_error_oom();
				goto done;
			}
			error = add_note(report, src, qp_line_at(sql, start, src->first_line), text, split.error->message);
		}
		goto done;
	}
	for (i = 0; i < split.n_stmts && error == 0; i++) {
		size_t len = strlen(sql), loc = (size_t)split.stmts[i]->stmt_location;
		size_t end = split.stmts[i]->stmt_len > 0 ? loc + (size_t)split.stmts[i]->stmt_len : len, start;
		qp_lint_stmt s;

		if (loc > len)
			loc = len;
		if (end > len)
			end = len;
		start = qp_sql_skip_blank(sql, loc, end);
		if (start >= end)
			continue;
		free(text);
		qp_strlist_release(&ignored);
		if (!(text = trimmed_copy(sql, start, end))) {
			error = qp_error_oom();
			goto done;
		}
		if ((error = statement_ignores(&ignored, sql, len, start, end)) < 0)
			goto done;
		s.report = report;
		s.st = st;
		s.src = src;
		s.check = check;
		s.line = qp_line_at(sql, start, src->first_line);
		s.text = text;
		s.ignored = &ignored;
		error = lint_one(&s);
	}
done:
	if (have_split)
		pg_query_free_split_result(split);
	qp_strlist_release(&ignored);
	free(text);
	free(sql);
	return error;
}

static int report_new(quipu_lint_report **out)
{
	if (!(*out = calloc(1, sizeof(**out))))
		return qp_error_oom();
	return 0;
}

int qp_lint_sql(quipu_lint_report **out, const char *sql, int transaction, int pg)
{
	quipu_lint_report *r = NULL;
	qp_lint_state *st = NULL;
	qp_lint_src src;
	int error;

	*out = NULL;
	memset(&src, 0, sizeof(src));
	src.sql = sql;
	src.len = strlen(sql);
	src.first_line = 1;
	src.transaction = transaction;
	if ((error = report_new(&r)) < 0 || (error = qp_lint_state_new(&st, pg)) < 0)
		goto done;
	if ((error = qp_lint_section(r, st, &src, 1)) < 0)
		goto done;
	*out = r;
	r = NULL;
done:
	qp_lint_state_free(st);
	quipu_lint_report_free(r);
	return error;
}

/* ---- quipu_lint: which revisions, and the live sizes ------------------- */

/* Marks in `pick` (by graph order) what `revs` name, or what is pending. */
static int pick_revisions(unsigned char *pick, const quipu_project *p, const qp_strlist *rows,
                          const char *const *revs, size_t n)
{
	const qp_graph *g = &p->graph;
	const char *const *cur = (const char *const *)rows->items;
	size_t i, k;
	int error = 0;

	if (n == 0) {
		qp_steps steps = QP_STEPS_INIT;
		if ((error = qp_graph_plan_upgrade(&steps, g, cur, rows->count, "heads")) < 0)
			return error;
		for (i = 0; i < steps.count; i++)
			pick[steps.items[i].rev->order] = 1;
		qp_steps_release(&steps);
		return 0;
	}
	for (i = 0; i < n && error == 0; i++) {
		qp_revset set = QP_REVSET_INIT;
		if (strchr(revs[i], ':'))
			error = qp_graph_history(&set, g, revs[i], cur, rows->count);
		else
			error = qp_graph_resolve(&set, g, revs[i], cur, rows->count);
		for (k = 0; error == 0 && k < set.count; k++)
			pick[set.items[k]->order] = 1;
		qp_revset_release(&set);
	}
	return error;
}

/* Marks in `learn` the ancestors (parents and dependencies) of the picked
 * revisions that are not picked themselves. */
static int mark_ancestors(unsigned char *learn, const unsigned char *pick, const qp_graph *g)
{
	qp_rev **stack = malloc((g->count + 1) * sizeof(*stack));
	unsigned char *seen = calloc(g->count + 1, 1);
	size_t top = 0, i, k;
	int error = 0;

	if (!stack || !seen) {
		error = qp_error_oom();
		goto done;
	}
	for (i = 0; i < g->count; i++)
		if (pick[i]) {
			seen[i] = 1;
			stack[top++] = g->revs[i];
		}
	while (top > 0) {
		qp_rev *r = stack[--top];
		for (k = 0; k < r->n_parents + r->n_deps; k++) {
			qp_rev *a = k < r->n_parents ? r->parents[k] : r->deps[k - r->n_parents];
			if (seen[a->order])
				continue;
			seen[a->order] = 1;
			learn[a->order] = 1;
			stack[top++] = a;
		}
	}
done:
	free(stack);
	free(seen);
	return error;
}

/* Fills rows and bytes of the findings from pg_class, in one query. A
 * failure leaves them unknown: sizes are a help, not the verdict. */
static void read_sizes(quipu_lint_report *r, quipu_db *db)
{
	qp_buf sql = QP_BUF_INIT, name = QP_BUF_INIT;
	qp_strlist names = QP_STRLIST_INIT, out = QP_STRLIST_INIT;
	qp_exec_error xe = {0};
	size_t i, k;

	for (i = 0; i < r->findings.count; i++) {
		const qp_lint_item *it = &r->findings.items[i];
		if (!it->relname)
			continue;
		qp_buf_truncate(&name, 0);
		if (it->schema) {
			qp_buf_put_ident_quoted(&name, it->schema);
			qp_buf_putc(&name, '.');
		}
		qp_buf_put_ident_quoted(&name, it->relname);
		if (name.oom)
			goto done;
		if (!qp_strlist_contains(&names, qp_buf_cstr(&name)) && qp_strlist_add(&names, qp_buf_cstr(&name)) < 0)
			goto done;
	}
	if (!names.count)
		goto done;
	qp_buf_puts(&sql, "SELECT coalesce(c.reltuples::bigint::text, '') || ' ' || "
	                  "coalesce(pg_total_relation_size(c.oid)::text, '') FROM unnest(ARRAY[");
	for (i = 0; i < names.count; i++) {
		if (i)
			qp_buf_puts(&sql, ", ");
		qp_buf_put_literal(&sql, names.items[i]);
	}
	qp_buf_puts(&sql, "]::text[]) WITH ORDINALITY AS n(name, i) "
	                  "LEFT JOIN pg_catalog.pg_class c ON c.oid = pg_catalog.to_regclass(n.name) ORDER BY n.i");
	if (sql.oom || db->drv->query_strings(&out, db->conn, qp_buf_cstr(&sql), &xe) < 0 || out.count != names.count)
		goto done;
	r->sized = 1;
	for (i = 0; i < r->findings.count; i++) {
		qp_lint_item *it = &r->findings.items[i];
		if (!it->relname)
			continue;
		qp_buf_truncate(&name, 0);
		if (it->schema) {
			qp_buf_put_ident_quoted(&name, it->schema);
			qp_buf_putc(&name, '.');
		}
		qp_buf_put_ident_quoted(&name, it->relname);
		for (k = 0; k < names.count; k++)
			if (!strcmp(names.items[k], qp_buf_cstr(&name))) {
				const char *v = out.items[k];
				char *end = NULL;
				long long rows = strtoll(v, &end, 10);
				if (end != v) {
					it->pub.rows = rows < 0 ? -1 : (double)rows;
					v = end;
					it->pub.bytes = strtoll(v, &end, 10);
					if (end == v)
						it->pub.bytes = -1;
				}
			}
	}
done:
	/* a failed size query is not the command's failure */
	if (xe.message)
		quipu_error_clear();
	qp_exec_error_release(&xe);
	qp_strlist_release(&out);
	qp_strlist_release(&names);
	qp_buf_release(&name);
	qp_buf_release(&sql);
}

/* Is the project's database SQLite (from its URL)? */
static int project_is_sqlite(const quipu_project *p)
{
	qp_url url = QP_URL_INIT;
	int sqlite = 0;
	if (p->cfg.url && qp_url_parse(&url, p->cfg.url) == 0)
		sqlite = url.kind == QP_DB_SQLITE;
	else
		quipu_error_clear();
	qp_url_release(&url);
	return sqlite;
}

int quipu_lint(quipu_lint_report **out, const quipu_project *p, quipu_db *db, const char *const *revs, size_t n)
{
	const qp_graph *g = &p->graph;
	quipu_lint_report *r = NULL;
	qp_lint_state *st = NULL;
	qp_strlist rows = QP_STRLIST_INIT;
	qp_exec_error xe = {0};
	unsigned char *pick = NULL, *learn = NULL;
	int pg, error = 0, offline_all = !db && n == 0;
	size_t i;

	*out = NULL;
	if ((error = qp_project_need_sql(p)) < 0)
		return error;
	pg = db ? strcmp(quipu_db_dialect(db), "sqlite") != 0 : !project_is_sqlite(p);
	if ((error = report_new(&r)) < 0 || (error = qp_lint_state_new(&st, pg)) < 0)
		goto done;
	pick = calloc(g->count + 1, 1);
	learn = calloc(g->count + 1, 1);
	if (!pick || !learn) {
		error = qp_error_oom();
		goto done;
	}
	if (db && (error = qp_db_read_rows(&rows, db, &p->cfg, &xe)) < 0)
		goto done;
	if ((error = pick_revisions(pick, p, &rows, revs, n)) < 0 || (error = mark_ancestors(learn, pick, g)) < 0)
		goto done;
	for (i = 0; i < g->count; i++) {
		const qp_script *sc = g->revs[i]->script;
		qp_lint_src src;
		if (!pick[i] && !learn[i])
			continue;
		if (!sc->up.present)
			continue;
		memset(&src, 0, sizeof(src));
		src.sql = sc->text + sc->up.offset;
		src.len = sc->up.length;
		src.first_line = sc->up.line;
		src.transaction = sc->up.transaction;
		if (sc->downgrade.present) {
			src.down_sql = sc->text + sc->downgrade.offset;
			src.down_len = sc->downgrade.length;
		}
		src.path = sc->path;
		src.revision = sc->id;
		if (offline_all && pick[i])
			qp_lint_state_forget_new(st);
		if ((error = qp_lint_section(r, st, &src, pick[i])) < 0)
			goto done;
		r->n_revisions += pick[i];
	}
	if (db && pg)
		read_sizes(r, db);
	*out = r;
	r = NULL;
done:
	qp_exec_error_release(&xe);
	qp_strlist_release(&rows);
	free(pick);
	free(learn);
	qp_lint_state_free(st);
	quipu_lint_report_free(r);
	return error;
}

size_t quipu_lint_count(const quipu_lint_report *r)
{
	return r ? r->findings.count : 0;
}

const quipu_lint_finding *quipu_lint_get(const quipu_lint_report *r, size_t i)
{
	return r && i < r->findings.count ? &r->findings.items[i].pub : NULL;
}

size_t quipu_lint_note_count(const quipu_lint_report *r)
{
	return r ? r->notes.count : 0;
}

const quipu_lint_finding *quipu_lint_note(const quipu_lint_report *r, size_t i)
{
	return r && i < r->notes.count ? &r->notes.items[i].pub : NULL;
}

size_t quipu_lint_revision_count(const quipu_lint_report *r)
{
	return r ? r->n_revisions : 0;
}

size_t quipu_lint_rule_count(void)
{
	return qp_lint_rule_count;
}

void quipu_lint_rule_get(size_t i, const char **id, const char **category, const char **summary,
                         const char **fix)
{
	const qp_lint_rule *rule = i < qp_lint_rule_count ? &qp_lint_rules[i] : NULL;
	if (id)
		*id = rule ? rule->id : NULL;
	if (category)
		*category = rule ? rule->category : NULL;
	if (summary)
		*summary = rule ? rule->summary : NULL;
	if (fix)
		*fix = rule ? rule->fix : NULL;
}
