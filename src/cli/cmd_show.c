/*
 * cmd_show.c: `quipu show REV`: the full entry of a revision.
 */
#include "cli/cli.h"

#include <string.h>

static const cli_opt opts[] = {
	{CLI_POS, 0, "revision", "REV", "an id, prefix, head, label@head, current...", 1},
	{0, 0, NULL, NULL, NULL, 0},
};

static int run(cli_ctx *ctx, cli_args *a)
{
	const char *target = cli_value(a, "revision");
	quipu_project *p = NULL;
	quipu_db *db = NULL;
	quipu_revlist list = {0};
	char **rows = NULL;
	size_t n = 0, i;
	int rc;

	if ((rc = cli_open(&p, ctx)) != 0)
		return rc;
	if (strstr(target, "current")) {
		if ((rc = cli_connect(&db, p, ctx)) != 0)
			goto done;
		if (quipu_db_current(&rows, &n, db, p) < 0) {
			rc = cli_fail(ctx);
			goto done;
		}
	}
	if (quipu_resolve(&list, p, target, (const char *const *)rows, n) < 0) {
		rc = cli_fail(ctx);
		goto done;
	}
	if (ctx->json) {
		cli_json_revs(stdout, "revisions", &list, NULL, NULL, 0);
		rc = CLI_EXIT_OK;
		goto done;
	}
	for (i = 0; i < list.count; i++) {
		cli_print_log_entry(stdout, list.items[i], 0);
		fputc('\n', stdout);   /* a blank line after each entry, as Alembic */
	}
	rc = CLI_EXIT_OK;
done:
	quipu_revlist_free(&list);
	quipu_strings_free(rows, n);
	quipu_db_close(db);
	quipu_project_free(p);
	return rc;
}

const cli_cmd cli_cmd_show = {"show", "Show the full entry of a revision.", opts, run};
