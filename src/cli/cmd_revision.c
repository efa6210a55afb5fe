/*
 * cmd_revision.c: `quipu revision -m MSG`: a new revision file, hand-written,
 * or with --autogenerate the difference between the models and the
 * database ("No changes detected" and no file when they agree).
 */
#include "cli/cli.h"

#include <stdlib.h>

static const cli_opt opts[] = {
	{CLI_VALUE, 'm', "message", "MSG", "the revision's message (its first header line and file name slug)", 0},
	{CLI_FLAG, 0, "autogenerate", NULL, "write the difference between the models and the database as the revision", 0},
	{CLI_FLAG, 0, "from-migrations", NULL, "with --autogenerate: compare with the revisions replayed into a scratch "
	                                       "database, not with the database", 0},
	{CLI_MULTI, 0, "rename", "TABLE.OLD:NEW", "with --autogenerate: column OLD of TABLE was renamed to NEW (repeatable)", 0},
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
	quipu_db *db = NULL;
	quipu_autogen *ag = NULL;
	char *path = NULL, *id = NULL;
	size_t n_renames = 0;
	int rc;

	if ((cli_flag(a, "from-migrations") || cli_values(a, "rename", &n_renames)) && !cli_flag(a, "autogenerate"))
		return cli_usage_error(ctx, "--from-migrations and --rename go with --autogenerate");
	/* the revisions' SQL is read only to replay it (--from-migrations) */
	if ((rc = cli_flag(a, "from-migrations") ? cli_open(&p, ctx) : cli_open_headers(&p, ctx)) != 0)
		return rc;
	if (cli_flag(a, "autogenerate")) {
		quipu_autogen_opts ao = QUIPU_AUTOGEN_OPTS_INIT;
		size_t i;

		ao.from_migrations = cli_flag(a, "from-migrations");
		ao.renames = cli_values(a, "rename", &ao.n_renames);
		if ((rc = cli_connect(&db, p, ctx)) != 0)
			goto done;
		if (quipu_autogenerate(&ag, p, db, &ao) < 0) {
			rc = cli_fail(ctx);
			goto done;
		}
		for (i = 0; i < ag->n_warnings; i++)
			fprintf(stderr, "quipu: warning: %s\n", ag->warnings[i]);
		if (!ag->n_changes) {
			if (ctx->json)
				printf("{\"id\": null, \"path\": null, \"changes\": []}\n");
			else if (!ctx->quiet)
				printf("No changes detected\n");
			rc = CLI_EXIT_OK;
			goto done;
		}
		for (i = 0; i < ag->n_changes && !ctx->quiet && !ctx->json; i++)
			printf("Detected %s\n", ag->changes[i]);
		o.upgrade_sql = ag->upgrade_sql;
		o.downgrade_sql = ag->downgrade_sql;
	}
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
	if (ctx->json) {
		printf("{\"id\": ");
		cli_json_str(stdout, id);
		printf(", \"path\": ");
		cli_json_str(stdout, path);
		printf(", \"changes\": ");
		if (ag)
			cli_json_strs(stdout, (const char *const *)ag->changes, ag->n_changes);
		else
			printf("null");
		printf("}\n");
	} else if (!ctx->quiet) {
		printf("Generating %s ...  done\n", path);
	}
	rc = CLI_EXIT_OK;
done:
	free(path);
	free(id);
	quipu_autogen_free(ag);
	quipu_db_close(db);
	quipu_project_free(p);
	return rc;
}

const cli_cmd cli_cmd_revision = {"revision", "Create a new revision file.", opts, run};
