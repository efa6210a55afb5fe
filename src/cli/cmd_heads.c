/*
 * cmd_heads.c: `quipu heads [-v] [--resolve-dependencies]`.
 */
#include "cli/cli.h"

static const cli_opt opts[] = {
	{CLI_FLAG, 'v', "verbose", NULL, "the full entry of each head", 0},
	{CLI_FLAG, 0, "resolve-dependencies", NULL, "treat dependencies as parents (heads nothing depends on)", 0},
	{0, 0, NULL, NULL, NULL, 0},
};

static int run(cli_ctx *ctx, cli_args *a)
{
	int verbose = cli_flag(a, "verbose");
	quipu_project *p = NULL;
	quipu_revlist heads = {0};
	size_t i;
	int rc, err;

	if ((rc = cli_open_headers(&p, ctx)) != 0)
		return rc;
	err = cli_flag(a, "resolve-dependencies") ? quipu_resolve(&heads, p, "heads", NULL, 0) : quipu_heads(&heads, p);
	if (err < 0) {
		rc = cli_fail(ctx);
		goto done;
	}
	if (ctx->json) {
		cli_json_revs(stdout, "heads", &heads, NULL, NULL, 0);
		rc = CLI_EXIT_OK;
		goto done;
	}
	for (i = 0; i < heads.count; i++) {
		if (verbose) {
			cli_print_log_entry(stdout, heads.items[i], 0);
			fputc('\n', stdout);   /* a blank line between entries, as Alembic */
		} else {
			cli_fmt f = {0};
			f.include_branches = 1;
			f.head_indicators = 1;
			cli_print_head_only(stdout, heads.items[i], &f);
			fputc('\n', stdout);
		}
	}
	rc = CLI_EXIT_OK;
done:
	quipu_revlist_free(&heads);
	quipu_project_free(p);
	return rc;
}

const cli_cmd cli_cmd_heads = {"heads", "Show the head revisions of the scripts.", opts, run};
