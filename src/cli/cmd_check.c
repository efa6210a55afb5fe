/*
 * cmd_check.c: `quipu check`: are the models and the database the same
 * schema? Exit 0 when they are ("No new upgrade operations detected."),
 * 1 listing the pending operations when they are not (Alembic's wording).
 */
#include "cli/cli.h"

static const cli_opt opts[] = {
	{CLI_FLAG, 0, "from-migrations", NULL, "compare with the revisions replayed into a scratch database, "
	                                       "not with the database", 0},
	{CLI_MULTI, 0, "rename", "TABLE.OLD:NEW", "column OLD of TABLE was renamed to NEW (repeatable)", 0},
	{0, 0, NULL, NULL, NULL, 0},
};

static int run(cli_ctx *ctx, cli_args *a)
{
	quipu_autogen_opts o = QUIPU_AUTOGEN_OPTS_INIT;
	quipu_project *p = NULL;
	quipu_db *db = NULL;
	quipu_autogen *ag = NULL;
	size_t i;
	int rc;

	o.from_migrations = cli_flag(a, "from-migrations");
	o.renames = cli_values(a, "rename", &o.n_renames);
	/* the revisions' SQL is read only to replay it (--from-migrations) */
	if ((rc = o.from_migrations ? cli_open(&p, ctx) : cli_open_headers(&p, ctx)) != 0)
		return rc;
	if ((rc = cli_connect(&db, p, ctx)) != 0)
		goto done;
	if (quipu_autogenerate(&ag, p, db, &o) < 0) {
		rc = cli_fail(ctx);
		goto done;
	}
	if (ctx->json) {
		printf("{\"changes\": ");
		cli_json_strs(stdout, (const char *const *)ag->changes, ag->n_changes);
		printf("}\n");
		rc = ag->n_changes ? CLI_EXIT_ERROR : CLI_EXIT_OK;
		goto done;
	}
	if (!ag->n_changes) {
		if (!ctx->quiet)
			printf("No new upgrade operations detected.\n");
		rc = CLI_EXIT_OK;
		goto done;
	}
	printf("New upgrade operations detected:\n");
	for (i = 0; i < ag->n_changes; i++)
		printf("  %s\n", ag->changes[i]);
	for (i = 0; i < ag->n_warnings; i++)
		fprintf(stderr, "quipu: warning: %s\n", ag->warnings[i]);
	rc = CLI_EXIT_ERROR;
done:
	quipu_autogen_free(ag);
	quipu_db_close(db);
	quipu_project_free(p);
	return rc;
}

const cli_cmd cli_cmd_check = {"check", "Check whether the models and the database agree (exit 1 if not).",
                               opts, run};
