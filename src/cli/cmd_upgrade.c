/*
 * cmd_upgrade.c: `quipu upgrade TARGET`, and the body `downgrade` shares:
 * plan from the database's rows (or, with --sql, from a stated start), run
 * under the lock, print each revision with the time it took.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

static const cli_opt opts[] = {
	{CLI_POS, 0, "revision", "TARGET", "head, heads, an id or prefix, +N, <rev>+N, label@head... (--sql: [from:]to)", 1},
	{CLI_FLAG, 0, "sql", NULL, "print the SQL instead of running it (offline mode, no connection)", 0},
	{CLI_VALUE, 0, "tag", "TAG", "accepted for Alembic compatibility; does nothing", 0},
	{CLI_VALUE, 0, "lock-timeout", "SECONDS", "give up when another run holds the lock this long (default: wait)", 0},
	{CLI_FLAG, 0, "strict", NULL, "refuse to run when `validate` finds a problem (default: warn)", 0},
	{0, 0, NULL, NULL, NULL, 0},
};

/* What `validate` would say, before anything runs: a warning, or with
 * --strict a refusal. */
static int precheck(cli_ctx *ctx, quipu_project *p, quipu_db *db, int strict)
{
	char **problems = NULL;
	size_t n = 0, i;
	int rc = CLI_EXIT_OK;

	if (quipu_validate(&problems, &n, NULL, p, db) < 0)
		return cli_fail(ctx);
	for (i = 0; i < n; i++)
		fprintf(stderr, "quipu: %s: %s\n", strict ? "error" : "warning", problems[i]);
	if (n && strict) {
		rc = cli_error(ctx, QUIPU_ESTATE, "refusing to run with --strict: `quipu validate` fails (%zu problem%s); "
		               "nothing was changed", n, n == 1 ? "" : "s");
	}
	quipu_strings_free(problems, n);
	return rc;
}

static int offline(cli_ctx *ctx, quipu_project *p, const char *target, quipu_direction dir)
{
	quipu_plan *plan = NULL;
	char *from = NULL, *sql = NULL;
	const char *to = target, *colon = strchr(target, ':');
	int rc = CLI_EXIT_OK;

	if (colon) {
		from = strndup(target, (size_t)(colon - target));
		to = colon + 1;
	} else if (dir == QUIPU_DOWN) {
		rc = cli_usage_error(ctx, "downgrade with --sql requires <fromrev>:<torev>");
		goto done;
	}
	if (quipu_plan_offline(&plan, p, dir, from, to) < 0 || quipu_plan_sql(&sql, p, plan, NULL) < 0) {
		rc = cli_fail(ctx);
		goto done;
	}
	cli_print_sql(ctx, sql);
done:
	free(sql);
	free(from);
	quipu_plan_free(plan);
	return rc;
}

int cli_migrate(cli_ctx *ctx, cli_args *a, quipu_direction dir)
{
	const char *target = cli_value(a, "revision");
	const char *lt = cli_value(a, "lock-timeout");
	quipu_project *p = NULL;
	quipu_db *db = NULL;
	quipu_plan *plan = NULL;
	quipu_apply_opts ao = QUIPU_APPLY_OPTS_INIT;
	int rc, err;

	if (lt) {
		char *end;
		ao.lock_timeout_s = strtod(lt, &end);
		if (*end || ao.lock_timeout_s < 0)
			return cli_usage_error(ctx, "--lock-timeout takes a number of seconds, not '%s'", lt);
	}
	if ((rc = cli_open(&p, ctx)) != 0)
		return rc;
	if (cli_flag(a, "sql")) {
		rc = offline(ctx, p, target, dir);
		goto done;
	}
	if (strchr(target, ':')) {
		rc = cli_usage_error(ctx, "a range %s is only for --sql mode; give a single target", target);
		goto done;
	}
	if ((rc = cli_connect(&db, p, ctx)) != 0)
		goto done;
	if ((rc = precheck(ctx, p, db, cli_flag(a, "strict"))) != 0)
		goto done;
	err = dir == QUIPU_UP ? quipu_plan_upgrade(&plan, p, db, target)
	                      : quipu_plan_downgrade(&plan, p, db, target);
	if (err < 0) {
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
	quipu_plan_free(plan);
	quipu_db_close(db);
	quipu_project_free(p);
	return rc;
}

static int run(cli_ctx *ctx, cli_args *a)
{
	return cli_migrate(ctx, a, QUIPU_UP);
}

const cli_cmd cli_cmd_upgrade = {"upgrade", "Upgrade to a later version.", opts, run};
