/*
 * output.c: everything the CLI prints that more than one command shares:
 * errors and their exit codes (the one place that maps them), progress
 * lines, and Alembic's formats for a revision.
 */
#include "cli/cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int cli_fail(const cli_ctx *ctx)
{
	const quipu_error *e = quipu_error_last();
	int code = e ? e->code : QUIPU_ERROR;

	if (ctx && ctx->raiseerr)
		fprintf(stderr, "quipu: error [%s, %d]: %s\n", quipu_error_name(code), code,
		        e && e->message ? e->message : "unknown error");
	else
		fprintf(stderr, "quipu: error: %s\n", e && e->message ? e->message : "unknown error");
	if (ctx && ctx->json)
		cli_json_error(stdout, ctx, code, e && e->message ? e->message : "unknown error");
	/* exit 2 is for a command line that does not parse (cli_usage_error);
	 * everything the library refuses, a bad target included, is 1 */
	return CLI_EXIT_ERROR;
}

/* "quipu: error: <message>" on stderr, and with --json the error object. */
static void report(const cli_ctx *ctx, int code, const char *fmt, va_list ap)
{
	char msg[2048];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	fprintf(stderr, "quipu: error: %s\n", msg);
	if (ctx && ctx->json)
		cli_json_error(stdout, ctx, code, msg);
}

int cli_error(const cli_ctx *ctx, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(ctx, code, fmt, ap);
	va_end(ap);
	return CLI_EXIT_ERROR;
}

int cli_usage_error(const cli_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(ctx, QUIPU_EUSAGE, fmt, ap);
	va_end(ap);
	return CLI_EXIT_USAGE;
}

/* --sql's output: the SQL, or {"sql": "..."} with --json. */
void cli_print_sql(const cli_ctx *ctx, const char *sql)
{
	if (!ctx->json) {
		fputs(sql, stdout);
		return;
	}
	fputs("{\"sql\": ", stdout);
	cli_json_str(stdout, sql);
	fputs("}\n", stdout);
}

static int open_project(quipu_project **out, const cli_ctx *ctx, int headers_only)
{
	quipu_open_opts o = QUIPU_OPEN_OPTS_INIT;
	o.headers_only = headers_only;
	o.config_path = ctx->config;
	o.section = ctx->name;
	o.url = ctx->url;
	o.xargs = ctx->xargs;
	o.n_xargs = ctx->n_xargs;
	if (quipu_project_open(out, &o) < 0)
		return cli_fail(ctx);
	return 0;
}

int cli_open(quipu_project **out, const cli_ctx *ctx)
{
	return open_project(out, ctx, 0);
}

int cli_open_headers(quipu_project **out, const cli_ctx *ctx)
{
	return open_project(out, ctx, 1);
}

int cli_connect(quipu_db **out, const quipu_project *p, const cli_ctx *ctx)
{
	if (quipu_db_connect(out, p, NULL) < 0)
		return cli_fail(ctx);
	return 0;
}

/* --json: one step object appended to ctx->steps. */
static void json_step(cli_ctx *ctx, const quipu_event *ev)
{
	FILE *f = ctx->steps;

	if (ctx->n_steps++)
		fputs(", ", f);
	fputs("{\"kind\": ", f);
	if (ev->kind == QUIPU_EVENT_STAMP) {
		cli_json_str(f, "stamp");
	} else {
		cli_json_str(f, ev->step->direction == QUIPU_UP ? "upgrade" : "downgrade");
		cli_json_field(f, "revision", ev->step->rev->id);
		cli_json_field(f, "message", ev->step->rev->message);
	}
	/* base is null */
	cli_json_field(f, "from", ev->from && *ev->from ? ev->from : NULL);
	cli_json_field(f, "to", ev->to && *ev->to ? ev->to : NULL);
	if (ev->kind == QUIPU_EVENT_DONE)
		fprintf(f, ", \"elapsed_ms\": %.3f", ev->elapsed_ms);
	fputc('}', f);
}

void cli_progress(const quipu_event *ev, void *payload)
{
	cli_ctx *ctx = payload;

	if (ctx->steps && (ev->kind == QUIPU_EVENT_DONE || ev->kind == QUIPU_EVENT_STAMP)) {
		json_step(ctx, ev);
		return;
	}
	switch (ev->kind) {
	case QUIPU_EVENT_START:
		break;
	case QUIPU_EVENT_DONE:
		if (ctx->quiet)
			break;
		printf("Running %s %s -> %s, %s (%.1f ms)\n",
		       ev->step->direction == QUIPU_UP ? "upgrade" : "downgrade", ev->from, ev->to,
		       ev->step->rev->message, ev->elapsed_ms);
		fflush(stdout);
		break;
	case QUIPU_EVENT_STAMP:
		if (!ctx->quiet)
			printf("Running stamp_revision %s -> %s\n", ev->from, ev->to);
		break;
	case QUIPU_EVENT_WAIT_LOCK:
	case QUIPU_EVENT_INFO:
		if (!ctx->quiet)
			fprintf(stderr, "quipu: %s\n", ev->message);
		break;
	}
}

void cli_print_down(FILE *f, const quipu_revinfo *r)
{
	size_t i;
	if (!r->n_down) {
		fputs("<base>", f);
		return;
	}
	for (i = 0; i < r->n_down; i++) {   /* fputs: a history prints thousands of these */
		if (i)
			fputs(", ", f);
		fputs(r->down[i], f);
	}
}

static void print_list(FILE *f, const char *const *items, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++) {
		if (i)
			fputs(", ", f);
		fputs(items[i], f);
	}
}

int cli_is_current(const quipu_revinfo *r, char *const *rows, size_t n_rows)
{
	size_t i;
	for (i = 0; i < n_rows; i++)
		if (!strcmp(rows[i], r->id))
			return 1;
	return 0;
}

void cli_print_head_only(FILE *f, const quipu_revinfo *r, const cli_fmt *fmt)
{
	if (fmt->include_parents) {
		cli_print_down(f, r);
		if (r->n_depends) {
			fputs(" (", f);
			print_list(f, r->depends, r->n_depends);
			fputs(")", f);
		}
		fputs(" -> ", f);
	}
	fputs(r->id, f);
	if (fmt->include_branches && r->n_labels) {
		fputs(" (", f);
		print_list(f, r->labels, r->n_labels);
		fputs(")", f);
	}
	if (fmt->head_indicators || fmt->tree_indicators) {
		if (r->is_head && !r->has_dependents)
			fputs(" (head)", f);
		if (r->is_head && r->has_dependents)
			fputs(" (effective head)", f);
		if (fmt->current)
			fputs(" (current)", f);
	}
	if (fmt->tree_indicators) {
		if (r->is_branch_point)
			fputs(" (branchpoint)", f);
		if (r->is_merge)
			fputs(" (mergepoint)", f);
	}
	if (fmt->include_doc) {
		fputs(", ", f);
		fputs(r->message, f);
	}
}

void cli_print_log_entry(FILE *f, const quipu_revinfo *r, int current)
{
	fprintf(f, "Rev: %s%s%s%s%s\n", r->id, r->is_head ? " (head)" : "",
	        r->is_branch_point ? " (branchpoint)" : "", r->is_merge ? " (mergepoint)" : "",
	        current ? " (current)" : "");
	fputs(r->is_merge ? "Merges: " : "Parent: ", f);
	cli_print_down(f, r);
	fputc('\n', f);
	if (r->n_depends) {
		fputs("Also depends on: ", f);
		print_list(f, r->depends, r->n_depends);
		fputc('\n', f);
	}
	if (r->is_branch_point) {
		fputs("Branches into: ", f);
		print_list(f, r->next, r->n_next);
		fputc('\n', f);
	}
	if (r->n_labels) {
		fputs("Branch names: ", f);
		print_list(f, r->labels, r->n_labels);
		fputc('\n', f);
	}
	fprintf(f, "Path: %s\n\n", r->path);
	/* the docstring Alembic would show: the header as written */
	fprintf(f, "    %s\n    \n    Revision ID: %s\n    Revises: ", r->message, r->id);
	print_list(f, r->down, r->n_down);
	fprintf(f, "\n    Create Date: %s\n", r->create_date);
}

void cli_print_applied(FILE *f, const quipu_revinfo *r, const quipu_applied *log, size_t n)
{
	const quipu_applied *last = NULL;
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(log[i].revision, r->id))
			last = &log[i];
	if (!last)
		return;
	if (!strcmp(last->direction, "stamp"))
		fprintf(f, "    Stamped: %s by %s (%s)\n", last->started_at, last->db_user, last->tool_version);
	else if (!strcmp(last->status, "running"))
		fprintf(f, "    Unfinished %s: started %s by %s, %ld statement(s) of its transaction:false section ran (%s)\n",
		        last->direction, last->started_at, last->db_user, last->statements_done, last->tool_version);
	else
		fprintf(f, "    %s: %s by %s in %.1f ms (%s)\n", !strcmp(last->direction, "upgrade") ? "Applied" : "Downgraded",
		        last->started_at, last->db_user, last->duration_ms, last->tool_version);
}
