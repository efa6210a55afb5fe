/*
 * cmd_test.c: `quipu test`: every revision up, down and up again on a
 * scratch database with the schema compared after each step, then the
 * models compared with the schema at head (quipu_test). Exit 0 when all
 * holds; 1 naming the revision and the difference when not.
 */
#include "cli/cli.h"

static const cli_opt opts[] = {{0, 0, NULL, NULL, NULL, 0}};

/* --json: each passed revision, or the models' verdict, into ctx->steps */
static void json_event(cli_ctx *ctx, const quipu_test_event *ev)
{
	FILE *f = ctx->steps;

	if (ctx->n_steps++)
		fputs(", ", f);
	if (ev->kind == QUIPU_TEST_REVISION) {
		fputs("{\"kind\": \"revision\", \"revision\": ", f);
		cli_json_str(f, ev->rev->id);
		cli_json_field(f, "message", ev->rev->message);
		fprintf(f, ", \"checks\": [\"upgrade\", \"downgrade\", \"upgrade again\"], \"elapsed_ms\": %.3f}",
		        ev->elapsed_ms);
	} else {
		fprintf(f, "{\"kind\": \"models\", \"result\": \"%s\", \"head\": ", ev->models ? "equal" : "not set");
		cli_json_str(f, ev->rev->id);
		fputc('}', f);
	}
}

/* The progress callback's payload: the context, and the head the library
 * names in its last (MODELS) event, for the closing line. */
typedef struct test_run {
	cli_ctx *ctx;
	char head[64];
} test_run;

static void progress(const quipu_test_event *ev, void *payload)
{
	test_run *tr = payload;
	cli_ctx *ctx = tr->ctx;

	if (ev->kind == QUIPU_TEST_MODELS && ev->rev)
		snprintf(tr->head, sizeof(tr->head), "%s", ev->rev->id);

	if (ctx->steps) {
		json_event(ctx, ev);
		return;
	}
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
	test_run tr = {ctx, ""};
	int rc;

	(void)a;
	if ((rc = cli_open(&p, ctx)) != 0)
		return rc;
	o.progress = progress;
	o.payload = &tr;
	if (cli_json_steps_begin(ctx) < 0) {
		rc = cli_error(ctx, QUIPU_ENOMEM, "out of memory");
		goto done;
	}
	if (quipu_test(p, &o) < 0) {
		rc = cli_fail(ctx);
		goto done;
	}
	if (ctx->json) {
		rc = CLI_EXIT_OK;
		goto done;
	}
	if (!ctx->quiet && tr.head[0])
		printf("OK: %zu revision%s, one head (%s)\n", quipu_revision_count(p),
		       quipu_revision_count(p) == 1 ? "" : "s", tr.head);
	rc = CLI_EXIT_OK;
done:
	cli_json_steps_end(ctx, rc == CLI_EXIT_OK);
	quipu_project_free(p);
	return rc;
}

const cli_cmd cli_cmd_test = {"test", "Run every revision up, down and up again on a scratch database, comparing the schema; check the models match.", opts, run};
