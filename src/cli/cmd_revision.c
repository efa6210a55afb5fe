/*
 * cmd_revision.c: `quipu revision -m MSG`: a new hand-written revision file.
 */
#include "cli/cli.h"

#include <stdlib.h>

static const cli_opt opts[] = {
	{CLI_VALUE, 'm', "message", "MSG", "the revision's message (its first header line and file name slug)", 0},
	{CLI_FLAG, 0, "autogenerate", NULL, "compare the models with the database (not built yet)", 0},
	{CLI_MULTI, 0, "head", "REV", "the parent revision (default: the single head; `base` for a new root)", 0},
	{CLI_FLAG, 0, "splice", NULL, "allow --head to name a revision that is not a head (a new branch)", 0},
	{CLI_VALUE, 0, "branch-label", "LABEL", "a branch label for the new revision", 0},
	{CLI_VALUE, 0, "version-path", "DIR", "the versions folder to write to (one of version_locations)", 0},
	{CLI_VALUE, 0, "rev-id", "ID", "the revision id (default: 12 random hex characters)", 0},
	{CLI_MULTI, 0, "depends-on", "REV", "a revision this one depends on (repeatable)", 0},
	{CLI_FLAG, 0, "sql", NULL, "accepted for Alembic compatibility; does nothing", 0},
	{0, 0, NULL, NULL, NULL, 0},
};

static int run(cli_ctx *ctx, cli_args *a)
{
	quipu_project *p = NULL;
	quipu_revision_opts o = {0};
	char *path = NULL, *id = NULL;
	int rc;

	if (cli_flag(a, "autogenerate"))
		return cli_usage_error(ctx, "revision --autogenerate is not built yet (planned); write the SQL by hand "
		                            "in the file `quipu revision -m MSG` creates");
	if ((rc = cli_open(&p, ctx)) != 0)
		return rc;
	o.message = cli_value(a, "message");
	o.rev_id = cli_value(a, "rev-id");
	o.heads = cli_values(a, "head", &o.n_heads);
	o.splice = cli_flag(a, "splice");
	o.branch_label = cli_value(a, "branch-label");
	o.depends_on = cli_values(a, "depends-on", &o.n_depends_on);
	o.version_path = cli_value(a, "version-path");
	if (quipu_revision_create(&path, &id, p, &o) < 0) {
		rc = cli_fail(ctx);
		goto done;
	}
	if (!ctx->quiet)
		printf("Generating %s ...  done\n", path);
	rc = CLI_EXIT_OK;
done:
	free(path);
	free(id);
	quipu_project_free(p);
	return rc;
}

const cli_cmd cli_cmd_revision = {"revision", "Create a new revision file.", opts, run};
