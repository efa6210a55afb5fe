/*
 * cmd_downgrade.c: `quipu downgrade TARGET` (the body is cli_migrate in cmd_upgrade.c).
 */
#include "cli/cli.h"

static const cli_opt opts[] = {
	{CLI_POS, 0, "revision", "TARGET", "base, an id or prefix, -N, <rev>-N, label@base... (--sql: from:to)", 1},
	{CLI_FLAG, 0, "sql", NULL, "print the SQL instead of running it (offline mode, no connection)", 0},
	{CLI_VALUE, 0, "tag", "TAG", "accepted for Alembic compatibility; does nothing", 0},
	{CLI_VALUE, 0, "lock-timeout", "SECONDS", "give up when another run holds the lock this long (default: wait)", 0},
	{CLI_FLAG, 0, "strict", NULL, "refuse to run when `validate` finds a problem (default: warn)", 0},
	{0, 0, NULL, NULL, NULL, 0},
};

static int run(cli_ctx *ctx, cli_args *a)
{
	return cli_migrate(ctx, a, QUIPU_DOWN);
}

const cli_cmd cli_cmd_downgrade = {"downgrade", "Revert to a previous version.", opts, run};
