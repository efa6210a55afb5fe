/*
 * cmd_history.c: `quipu history [-r START:END] [-v] [-i]`: the revisions,
 * newest first, as Alembic lists them.
 */
#include "cli/cli.h"

#include <string.h>

static const cli_opt opts[] = {
	{CLI_VALUE, 'r', "rev-range", "START:END", "only this range ([start]:[end]; `current` allowed)", 0},
	{CLI_FLAG, 'v', "verbose", NULL, "the full entry of each revision", 0},
	{CLI_FLAG, 'i', "indicate-current", NULL, "mark the database's current revision(s) (connects)", 0},
	{0, 0, NULL, NULL, NULL, 0},
};

static int run(cli_ctx *ctx, cli_args *a)
{
	const char *range = cli_value(a, "rev-range");
	int verbose = cli_flag(a, "verbose"), indicate = cli_flag(a, "indicate-current");
	quipu_project *p = NULL;
	quipu_db *db = NULL;
	quipu_revlist list = {0};
	quipu_applied *log = NULL;
	size_t n_log = 0;
	char **rows = NULL;
	size_t n = 0, i;
	int rc;

	if (range && !strchr(range, ':'))
		return cli_usage_error(ctx, "History range requires [start]:[end], [start]:, or :[end]");
	if ((rc = cli_open_headers(&p, ctx)) != 0)
		return rc;
	if (indicate || (range && strstr(range, "current"))) {
		if ((rc = cli_connect(&db, p, ctx)) != 0)
			goto done;
		if (quipu_db_current(&rows, &n, db, p) < 0) {
			rc = cli_fail(ctx);
			goto done;
		}
	}
	if (verbose && !db && quipu_project_url_redacted(p)) {
		/* -v shows when and by whom each applied revision ran, if the database can be reached */
		if (quipu_db_connect(&db, p, NULL) < 0) {
			const quipu_error *e = quipu_error_last();
			fprintf(stderr, "quipu: note: not showing when revisions were applied: %s\n",
			        e && e->message ? e->message : "cannot connect");
			quipu_error_clear();
		}
	}
	if (verbose && db && quipu_db_log(&log, &n_log, db, p) < 0) {
		rc = cli_fail(ctx);
		goto done;
	}
	if (quipu_history_range(&list, p, range, (const char *const *)rows, n) < 0) {
		rc = cli_fail(ctx);
		goto done;
	}
	if (ctx->json) {
		cli_json_extra x = {0};
		x.with_current = indicate;
		x.with_applied = verbose && db;
		x.log = log;
		x.n_log = n_log;
		cli_json_revs(stdout, "revisions", &list, &x, rows, n);
		rc = CLI_EXIT_OK;
		goto done;
	}
	for (i = 0; i < list.count; i++) {
		const quipu_revinfo *r = list.items[i];
		int cur = indicate && cli_is_current(r, rows, n);
		if (verbose) {
			cli_print_log_entry(stdout, r, cur);
			cli_print_applied(stdout, r, log, n_log);
			fputc('\n', stdout);
		} else {
			cli_fmt f = {0};
			f.include_branches = f.include_doc = f.include_parents = f.tree_indicators = 1;
			f.current = cur;
			cli_print_head_only(stdout, r, &f);
			fputc('\n', stdout);
		}
	}
	rc = CLI_EXIT_OK;
done:
	quipu_revlist_free(&list);
	quipu_applied_free(log, n_log);
	quipu_strings_free(rows, n);
	quipu_db_close(db);
	quipu_project_free(p);
	return rc;
}

const cli_cmd cli_cmd_history = {"history", "List the revisions, newest first.", opts, run};
