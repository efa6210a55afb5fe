/*
 * cmd_lint.c: `quipu lint [REV...] [--offline] [--rules]`: destructive and
 * lock-heavy statements in the pending revisions (or the ones named), one
 * block per finding, or a JSON array with --json. Exit 1 on findings.
 */
#include "cli/cli.h"

#include <string.h>

static const cli_opt opts[] = {
	{CLI_POS_MULTI, 0, "revisions", "REV", "revisions to lint: ids, prefixes, targets, ranges START:END (default: the pending ones)", 0},
	{CLI_FLAG, 0, "offline", NULL, "do not connect: lint every revision, each on its own, without table sizes", 0},
	{CLI_FLAG, 0, "rules", NULL, "list the rules and exit", 0},
	{0, 0, NULL, NULL, NULL, 0},
};

/* 8.5 MB */
static void print_size(FILE *f, long long bytes)
{
	static const char *const units[] = {"bytes", "kB", "MB", "GB", "TB"};
	double v = (double)bytes;
	int u = 0;
	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		fprintf(f, "%lld bytes", bytes);
	else
		fprintf(f, "%.1f %s", v, units[u]);
}

/* The statement's first line, cut at 100 characters. */
static void print_excerpt(FILE *f, const char *stmt)
{
	size_t n = strcspn(stmt, "\n");
	int more = stmt[n] != '\0' || n > 100;
	if (n > 100)
		n = 100;
	fprintf(f, "%.*s%s", (int)n, stmt, more ? " ..." : "");
}

static void print_text(const quipu_lint_finding *f)
{
	printf("%s:%d: %s [%s]\n", f->path ? f->path : "-", f->line, f->rule, f->category);
	printf("  %s\n", f->message);
	printf("  statement: ");
	print_excerpt(stdout, f->statement);
	putchar('\n');
	if (f->table && (f->rows >= 0 || f->bytes >= 0)) {
		printf("  table %s: ", f->table);
		if (f->rows >= 0)
			printf("~%.0f rows", f->rows);
		else
			printf("rows unknown (never analyzed)");
		if (f->bytes >= 0) {
			printf(", ");
			print_size(stdout, f->bytes);
		}
		putchar('\n');
	}
	printf("  fix: %s\n", f->fix);
	printf("  silence: -- quipu:lint-ignore %s\n\n", f->rule);
}

static void print_json(const quipu_lint_report *r)
{
	size_t i, n = quipu_lint_count(r);

	fputs("[", stdout);
	for (i = 0; i < n; i++) {
		const quipu_lint_finding *f = quipu_lint_get(r, i);
		printf("%s\n  {\"rule\": ", i ? "," : "");
		cli_json_str(stdout, f->rule);
		cli_json_field(stdout, "category", f->category);
		cli_json_field(stdout, "revision", f->revision);
		cli_json_field(stdout, "path", f->path);
		printf(", \"line\": %d, \"message\": ", f->line);
		cli_json_str(stdout, f->message);
		cli_json_field(stdout, "fix", f->fix);
		cli_json_field(stdout, "statement", f->statement);
		cli_json_field(stdout, "table", f->table);
		if (f->rows >= 0)
			printf(", \"rows\": %.0f", f->rows);
		else
			fputs(", \"rows\": null", stdout);
		if (f->bytes >= 0)
			printf(", \"bytes\": %lld}", f->bytes);
		else
			fputs(", \"bytes\": null}", stdout);
	}
	fputs(n ? "\n]\n" : "]\n", stdout);
}

static int list_rules(const cli_ctx *ctx)
{
	size_t i, n = quipu_lint_rule_count();

	if (ctx->json)
		fputs("[", stdout);
	for (i = 0; i < n; i++) {
		const char *id, *category, *summary, *fix;
		quipu_lint_rule_get(i, &id, &category, &summary, &fix);
		if (ctx->json) {
			printf("%s\n  {\"rule\": ", i ? "," : "");
			cli_json_str(stdout, id);
			cli_json_field(stdout, "category", category);
			cli_json_field(stdout, "summary", summary);
			cli_json_field(stdout, "fix", fix);
			fputs("}", stdout);
		} else {
			printf("%s [%s]\n  %s\n  fix: %s\n", id, category, summary, fix);
		}
	}
	if (ctx->json)
		fputs("\n]\n", stdout);
	return CLI_EXIT_OK;
}

static int run(cli_ctx *ctx, cli_args *a)
{
	size_t n_revs = 0, i, count;
	const char *const *revs = cli_values(a, "revisions", &n_revs);
	quipu_project *p = NULL;
	quipu_db *db = NULL;
	quipu_lint_report *r = NULL;
	int rc;

	if (cli_flag(a, "rules"))
		return list_rules(ctx);
	if ((rc = cli_open(&p, ctx)) != 0)
		return rc;
	if (!cli_flag(a, "offline") && quipu_project_url_redacted(p)) {
		if (quipu_db_connect(&db, p, NULL) < 0) {
			const quipu_error *e = quipu_error_last();
			if (!ctx->quiet)
				fprintf(stderr, "quipu: warning: cannot reach the database, linting %s offline: %s\n",
				        n_revs ? "the named revisions" : "every revision",
				        e && e->message ? e->message : "unknown error");
			quipu_error_clear();
			db = NULL;
		}
	}
	if (quipu_lint(&r, p, db, revs, n_revs) < 0) {
		rc = cli_fail(ctx);
		goto done;
	}
	for (i = 0; i < quipu_lint_note_count(r); i++) {
		const quipu_lint_finding *f = quipu_lint_note(r, i);
		fprintf(stderr, "quipu: warning: %s:%d: %s\n", f->path ? f->path : "-", f->line, f->message);
	}
	count = quipu_lint_count(r);
	if (ctx->json) {
		print_json(r);
	} else {
		for (i = 0; i < count; i++)
			print_text(quipu_lint_get(r, i));
		if (!ctx->quiet)
			printf("%zu finding%s in %zu revision%s%s.\n", count, count == 1 ? "" : "s",
			       quipu_lint_revision_count(r), quipu_lint_revision_count(r) == 1 ? "" : "s",
			       db ? "" : " (offline: no table sizes)");
	}
	rc = count ? CLI_EXIT_ERROR : CLI_EXIT_OK;
done:
	quipu_lint_report_free(r);
	quipu_db_close(db);
	quipu_project_free(p);
	return rc;
}

const cli_cmd cli_cmd_lint = {"lint", "Find destructive and lock-heavy statements in pending revisions.", opts, run};
