/*
 * cmd_diff.c: `quipu diff`: the SQL autogenerate would write (upgrade and
 * downgrade), printed, no file written.
 */
#include "cli/cli.h"

#include <stdlib.h>

static const cli_opt opts[] = {
	{CLI_FLAG, 0, "from-migrations", NULL, "compare with the revisions replayed into a scratch database, "
	                                       "not with the database", 0},
	{CLI_MULTI, 0, "rename", "TABLE.OLD:NEW", "column OLD of TABLE was renamed to NEW (repeatable)", 0},
	{CLI_FLAG, 0, "upgrade-only", NULL, "print the upgrade only", 0},
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
		fputs("{\"changes\": ", stdout);
		cli_json_strs(stdout, (const char *const *)ag->changes, ag->n_changes);
		fputs(", \"warnings\": ", stdout);
		cli_json_strs(stdout, (const char *const *)ag->warnings, ag->n_warnings);
		cli_json_field(stdout, "upgrade", ag->upgrade_sql);
		cli_json_field(stdout, "downgrade", ag->downgrade_sql);
		fputs("}\n", stdout);
		rc = CLI_EXIT_OK;
		goto done;
	}
	for (i = 0; i < ag->n_warnings; i++)
		fprintf(stderr, "quipu: warning: %s\n", ag->warnings[i]);
	if (!ag->n_changes) {
		if (!ctx->quiet)
			fprintf(stderr, "No changes detected\n");
		rc = CLI_EXIT_OK;
		goto done;
	}
	printf("-- migrate:upgrade\n%s", ag->upgrade_sql);
	if (!cli_flag(a, "upgrade-only"))
		printf("\n-- migrate:downgrade\n%s", ag->downgrade_sql);
	rc = CLI_EXIT_OK;
done:
	quipu_autogen_free(ag);
	quipu_db_close(db);
	quipu_project_free(p);
	return rc;
}

const cli_cmd cli_cmd_diff = {"diff", "Print the SQL autogenerate would write (models vs database); no file.",
                              opts, run};
