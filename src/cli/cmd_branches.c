/*
 * cmd_branches.c: `quipu branches [-v]`: the branch points.
 */
#include "cli/cli.h"

#include <string.h>

static const cli_opt opts[] = {
	{CLI_FLAG, 'v', "verbose", NULL, "the full entry of each branch point", 0},
	{0, 0, NULL, NULL, NULL, 0},
};

static int run(cli_ctx *ctx, cli_args *a)
{
	int verbose = cli_flag(a, "verbose");
	quipu_project *p = NULL;
	quipu_revlist bp = {0};
	size_t i, j;
	int rc;

	if ((rc = cli_open_headers(&p, ctx)) != 0)
		return rc;
	if (quipu_branch_points(&bp, p) < 0) {
		rc = cli_fail(ctx);
		goto done;
	}
	if (ctx->json) {
		cli_json_revs(stdout, "branch_points", &bp, NULL, NULL, 0);
		rc = CLI_EXIT_OK;
		goto done;
	}
	for (i = 0; i < bp.count; i++) {
		const quipu_revinfo *r = bp.items[i];
		cli_fmt f = {0};
		f.include_branches = 1;
		f.tree_indicators = 1;
		if (verbose)
			cli_print_log_entry(stdout, r, 0);
		else
			cli_print_head_only(stdout, r, &f);
		fputc('\n', stdout);
		for (j = 0; j < r->n_next; j++) {
			const quipu_revinfo *c = NULL;
			cli_fmt cf = {0};
			cf.include_branches = 1;
			cf.tree_indicators = 1;
			cf.include_doc = verbose;
			if (quipu_revision_lookup(&c, p, r->next[j]) < 0)
				continue;
			printf("%*s -> ", (int)strlen(r->id), "");
			cli_print_head_only(stdout, c, &cf);
			fputc('\n', stdout);
		}
		fputc('\n', stdout);
	}
	rc = CLI_EXIT_OK;
done:
	quipu_revlist_free(&bp);
	quipu_project_free(p);
	return rc;
}

const cli_cmd cli_cmd_branches = {"branches", "Show the branch points.", opts, run};
