/*
 * cmd_test.c: `quipu test`: every revision up, down and up again on a
 * scratch database with the schema compared after each step, then the
 * models compared with the schema at head (quipu_test). Exit 0 when all
 * holds; 1 naming the revision and the difference when not.
 */
#include "cli/cli.h"

static const cli_opt opts[] = {{0, 0, NULL, NULL, NULL, 0}};

static void progress(const quipu_test_event *ev, void *payload)
{
	const cli_ctx *ctx = payload;

	if (ctx->quiet)
		return;
	if (ev->kind == QUIPU_TEST_REVISION) {
		if (ev->index == 0)
			printf("Testing %zu revision%s on a scratch database (%s): upgrade, downgrade, upgrade again, "
			       "the schema compared after each step\n",
			       ev->count, ev->count == 1 ? "" : "s", ev->where ? ev->where : "?");
		printf("  ok  %s  %s (%.1f ms)\n", ev->rev->id, ev->rev->message, ev->elapsed_ms);
	} else if (ev->models) {
		printf("  ok  the models equal the schema at head (%s)\n", ev->rev->id);
	} else {
		printf("  --  the models: not compared, `models` is not set\n");
	}
	fflush(stdout);
}

static int run(cli_ctx *ctx, cli_args *a)
{
	quipu_test_opts o = QUIPU_TEST_OPTS_INIT;
	quipu_project *p = NULL;
	quipu_revlist heads = {0};
	int rc;

	(void)a;
	if ((rc = cli_open(&p, ctx)) != 0)
		return rc;
	o.progress = progress;
	o.payload = ctx;
	if (quipu_test(p, &o) < 0) {
		rc = cli_fail(ctx);
		goto done;
	}
	if (!ctx->quiet && quipu_heads(&heads, p) == 0 && heads.count == 1)
		printf("OK: %zu revision%s, one head (%s)\n", quipu_revision_count(p),
		       quipu_revision_count(p) == 1 ? "" : "s", heads.items[0]->id);
	rc = CLI_EXIT_OK;
done:
	quipu_revlist_free(&heads);
	quipu_project_free(p);
	return rc;
}

const cli_cmd cli_cmd_test = {"test", "Run every revision up, down and up again on a scratch database, comparing the schema; check the models match.", opts, run};
