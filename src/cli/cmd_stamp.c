/*
 * cmd_stamp.c: `quipu stamp TARGET... [--purge]`: record revisions in the
 * version table without running any migration. Several targets, as in
 * Alembic (`stamp a b`), are joined into one blank-separated target, which
 * qp_graph_stamp_rows splits again.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

static const cli_opt opts[] = {
	{CLI_POS_MULTI, 0, "revisions", "TARGET", "the revision(s) to record: an id, head, heads, base...", 1},
	{CLI_FLAG, 0, "sql", NULL, "print the SQL instead of running it", 0},
	{CLI_FLAG, 0, "purge", NULL, "delete every row of the version table first", 0},
	{CLI_VALUE, 0, "tag", "TAG", "accepted for Alembic compatibility; does nothing", 0},
	{0, 0, NULL, NULL, NULL, 0},
};

static int run(cli_ctx *ctx, cli_args *a)
{
	size_t n_targets = 0, i, len = 1;
	const char *const *targets = cli_values(a, "revisions", &n_targets);
	char *target = NULL;
	int purge = cli_flag(a, "purge");
	quipu_project *p = NULL;
	quipu_db *db = NULL;
	quipu_plan *plan = NULL;
	quipu_apply_opts ao = QUIPU_APPLY_OPTS_INIT;
	char *sql = NULL;
	int rc;

	for (i = 0; i < n_targets; i++)
		len += strlen(targets[i]) + 1;
	if (!(target = calloc(1, len)))
		return cli_error(ctx, QUIPU_ENOMEM, "out of memory");
	for (i = 0; i < n_targets; i++) {
		if (i)
			strcat(target, " ");
		strcat(target, targets[i]);
	}
	if ((rc = cli_open(&p, ctx)) != 0) {
		free(target);
		return rc;
	}
	if (cli_flag(a, "sql")) {
		if (purge) {
			rc = cli_usage_error(ctx, "Can't use --purge with --sql mode");
			goto done;
		}
		char *colon = strchr(target, ':');
		int err;
		if (colon) {
			/* stamp --sql FROM:TO, as Alembic */
			*colon = '\0';
			err = quipu_plan_stamp_offline(&plan, p, target, colon + 1);
		} else {
			err = quipu_plan_stamp(&plan, p, NULL, target, 0);
		}
		if (err < 0 || quipu_plan_sql(&sql, p, plan, NULL) < 0) {
			rc = cli_fail(ctx);
			goto done;
		}
		cli_print_sql(ctx, sql);
		rc = CLI_EXIT_OK;
		goto done;
	}
	if ((rc = cli_connect(&db, p, ctx)) != 0)
		goto done;
	if (quipu_plan_stamp(&plan, p, db, target, purge) < 0) {
		rc = cli_fail(ctx);
		goto done;
	}
	ao.progress = cli_progress;
	ao.payload = ctx;
	if (cli_json_steps_begin(ctx) < 0) {
		rc = cli_error(ctx, QUIPU_ENOMEM, "out of memory");
		goto done;
	}
	if (quipu_apply(db, p, plan, &ao) < 0) {
		rc = cli_fail(ctx);
		goto done;
	}
	rc = CLI_EXIT_OK;
done:
	cli_json_steps_end(ctx, rc == CLI_EXIT_OK);
	free(target);
	free(sql);
	quipu_plan_free(plan);
	quipu_db_close(db);
	quipu_project_free(p);
	return rc;
}

const cli_cmd cli_cmd_stamp = {"stamp", "Record a revision in the version table without running migrations.", opts, run};
