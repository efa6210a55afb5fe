/*
 * cmd_validate.c: `quipu validate`: the applied revisions still match their
 * files (checksums in the log), and the revision files form a sound graph
 * (opening the project checks that, reporting every problem at once).
 */
#include "cli/cli.h"

static const cli_opt opts[] = {{0, 0, NULL, NULL, NULL, 0}};

static int run(cli_ctx *ctx, cli_args *a)
{
	quipu_project *p = NULL;
	quipu_db *db = NULL;
	char **problems = NULL;
	size_t n = 0, checked = 0, i;
	int rc;

	(void)a;
	if ((rc = cli_open(&p, ctx)) != 0)
		return rc;
	if ((rc = cli_connect(&db, p, ctx)) != 0)
		goto done;
	if (quipu_validate(&problems, &n, &checked, p, db) < 0) {
		rc = cli_fail(ctx);
		goto done;
	}
	if (ctx->json) {
		printf("{\"ok\": %s, \"revision_files\": %zu, \"applied_checked\": %zu, \"problems\": ",
		       n ? "false" : "true", quipu_revision_count(p), checked);
		cli_json_strs(stdout, (const char *const *)problems, n);
		printf("}\n");
	}
	for (i = 0; i < n; i++)
		fprintf(stderr, "quipu: validate: %s\n", problems[i]);
	if (n) {
		fprintf(stderr, "quipu: validate: %zu problem%s\n", n, n == 1 ? "" : "s");
		rc = CLI_EXIT_ERROR;
		goto done;
	}
	if (!ctx->quiet && !ctx->json)
		printf("OK: %zu revision files, %zu applied revision%s match their recorded checksums\n",
		       quipu_revision_count(p), checked, checked == 1 ? "" : "s");
	rc = CLI_EXIT_OK;
done:
	quipu_strings_free(problems, n);
	quipu_db_close(db);
	quipu_project_free(p);
	return rc;
}

const cli_cmd cli_cmd_validate = {"validate", "Check that applied revisions still match their files (checksums) and the graph is sound.", opts, run};
