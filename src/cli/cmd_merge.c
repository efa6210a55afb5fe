/*
 * cmd_merge.c: `quipu merge REVS... -m MSG`: a revision that joins heads.
 */
#include "cli/cli.h"

#include <stdlib.h>

static const cli_opt opts[] = {
	{CLI_POS_MULTI, 0, "revisions", "REV", "the revisions to merge (`heads` for all heads)", 1},
	{CLI_VALUE, 'm', "message", "MSG", "the merge revision's message", 0},
	{CLI_VALUE, 0, "branch-label", "LABEL", "a branch label for the merge revision", 0},
	{CLI_VALUE, 0, "rev-id", "ID", "the revision id (default: random)", 0},
	{0, 0, NULL, NULL, NULL, 0},
};

static int run(cli_ctx *ctx, cli_args *a)
{
	quipu_project *p = NULL;
	quipu_revision_opts o = {0};
	char *path = NULL, *id = NULL;
	int rc;

	if ((rc = cli_open(&p, ctx)) != 0)
		return rc;
	o.message = cli_value(a, "message");
	o.rev_id = cli_value(a, "rev-id");
	o.branch_label = cli_value(a, "branch-label");
	o.merge = cli_values(a, "revisions", &o.n_merge);
	if (quipu_revision_create(&path, &id, p, &o) < 0) {
		rc = cli_fail(ctx);
		goto done;
	}
	if (ctx->json) {
		printf("{\"id\": ");
		cli_json_str(stdout, id);
		printf(", \"path\": ");
		cli_json_str(stdout, path);
		printf("}\n");
	} else if (!ctx->quiet) {
		printf("Generating %s ...  done\n", path);
	}
	rc = CLI_EXIT_OK;
done:
	free(path);
	free(id);
	quipu_project_free(p);
	return rc;
}

const cli_cmd cli_cmd_merge = {"merge", "Merge two or more revisions (heads) into one.", opts, run};
