/*
 * cmd_init.c: `quipu init DIR`: a new project (quipu.ini, DIR/versions/, models/).
 */
#include "cli/cli.h"

static const cli_opt opts[] = {
	{CLI_POS, 0, "directory", "DIRECTORY", "the folder for versions/ (e.g. migrations)", 1},
	{CLI_VALUE, 't', "template", "NAME", "the template (default: generic; see list_templates)", 0},
	{CLI_FLAG, 0, "package", NULL, "accepted for Alembic compatibility; does nothing", 0},
	{0, 0, NULL, NULL, NULL, 0},
};

static int run(cli_ctx *ctx, cli_args *a)
{
	const char *dir = cli_value(a, "directory");
	const char *cfg = ctx->config ? ctx->config : "quipu.ini";

	if (quipu_init(dir, cfg, cli_value(a, "template")) < 0)
		return cli_fail(ctx);
	if (ctx->json) {
		printf("{\"versions\": ");
		cli_json_str(stdout, dir);
		printf(", \"config\": ");
		cli_json_str(stdout, cfg);
		printf(", \"models\": \"models\"}\n");
	} else if (!ctx->quiet) {
		printf("Creating directory %s/versions ...  done\n", dir);
		printf("Creating directory models ...  done\n");
		printf("Generating %s ...  done\n", cfg);
		printf("Please edit the database URL (sqlalchemy.url) in %s before proceeding;\n"
		       "it points at a SQLite file next to it by default.\n", cfg);
	}
	return CLI_EXIT_OK;
}

const cli_cmd cli_cmd_init = {"init", "Initialize a new project: quipu.ini, DIR/versions/ and models/.", opts, run};
