/*
 * cmd_current.c: `quipu current [-v] [--check-heads]`: the revision(s) the
 * database is at.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

static const cli_opt opts[] = {
	{CLI_FLAG, 'v', "verbose", NULL, "show the full entry of each revision", 0},
	{CLI_FLAG, 0, "check-heads", NULL, "fail unless the database is at the head revision(s)", 0},
	{0, 0, NULL, NULL, NULL, 0},
};

static int run(cli_ctx *ctx, cli_args *a)
{
	int verbose = cli_flag(a, "verbose");
	quipu_project *p = NULL;
	quipu_db *db = NULL;
	quipu_revlist heads = {0}, cur = {0};
	quipu_applied *log = NULL;
	size_t n_log = 0;
	char **rows = NULL;
	size_t n = 0, i;
	int rc;

	if ((rc = cli_open_headers(&p, ctx)) != 0)
		return rc;
	if ((rc = cli_connect(&db, p, ctx)) != 0)
		goto done;
	if (quipu_db_current(&rows, &n, db, p) < 0) {
		rc = cli_fail(ctx);
		goto done;
	}
	if (verbose && quipu_db_log(&log, &n_log, db, p) < 0) {
		rc = cli_fail(ctx);
		goto done;
	}
	if (verbose && !ctx->json)
		printf("Current revision(s) for %s:\n", quipu_project_url_redacted(p) ? quipu_project_url_redacted(p) : "");
	for (i = 0; i < n; i++) {
		const quipu_revinfo *r = NULL;
		if (quipu_revision_lookup(&r, p, rows[i]) < 0 || strcmp(r->id, rows[i])) {
			rc = cli_error(ctx, QUIPU_ESTATE, "the database is at '%s', which is not in the revision files "
			               "(%s): was the file deleted, or is script_location wrong? `quipu stamp <rev> "
			               "--purge` re-records the state", rows[i], quipu_project_script_location(p));
			goto done;
		}
		if (ctx->json) {
			const quipu_revinfo **grown = realloc((void *)cur.items, (cur.count + 1) * sizeof(*cur.items));
			if (!grown) {
				rc = cli_error(ctx, QUIPU_ENOMEM, "out of memory");
				goto done;
			}
			cur.items = grown;
			cur.items[cur.count++] = r;
		} else if (verbose) {
			cli_print_log_entry(stdout, r, 0);
			cli_print_applied(stdout, r, log, n_log);
		} else {
			cli_fmt f = {0};
			f.tree_indicators = 1;
			cli_print_head_only(stdout, r, &f);
			fputc('\n', stdout);
		}
	}
	if (cli_flag(a, "check-heads")) {
		int ok = 1;
		/* the heads nothing depends on: the rows `upgrade heads` leaves (a
		 * head that another head depends on has no row of its own) */
		if (quipu_resolve(&heads, p, "heads", NULL, 0) < 0) {
			rc = cli_fail(ctx);
			goto done;
		}
		if (heads.count != n)
			ok = 0;
		for (i = 0; ok && i < heads.count; i++)
			if (!cli_is_current(heads.items[i], rows, n))
				ok = 0;
		if (!ok) {
			rc = cli_error(ctx, QUIPU_ESTATE, "the database is not at the head revision(s); run `quipu upgrade %s`",
			               heads.count > 1 ? "heads" : "head");
			goto done;
		}
	}
	if (ctx->json) {
		cli_json_extra x = {0};
		x.with_applied = verbose;
		x.log = log;
		x.n_log = n_log;
		cli_json_revs(stdout, "current", &cur, &x, NULL, 0);
	}
	rc = CLI_EXIT_OK;
done:
	quipu_revlist_free(&heads);
	quipu_revlist_free(&cur);
	quipu_applied_free(log, n_log);
	quipu_strings_free(rows, n);
	quipu_db_close(db);
	quipu_project_free(p);
	return rc;
}

const cli_cmd cli_cmd_current = {"current", "Display the current revision(s) of the database.", opts, run};
