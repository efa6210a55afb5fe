/*
 * json.c: --json output. Every command then writes exactly one JSON object
 * on stdout: its data on success; {"error": {...}} (with what was done
 * before the failure, e.g. the steps of an upgrade) on failure, the text
 * message still going to stderr. docs/commands.md "JSON output" has the
 * shapes.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

void cli_json_str(FILE *f, const char *s)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c == '\r')
			fputs("\\r", f);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void cli_json_field(FILE *f, const char *key, const char *value)
{
	fputs(", ", f);
	cli_json_str(f, key);
	fputs(": ", f);
	cli_json_str(f, value);
}

void cli_json_strs(FILE *f, const char *const *items, size_t n)
{
	size_t i;

	fputc('[', f);
	for (i = 0; i < n; i++) {
		if (i)
			fputs(", ", f);
		cli_json_str(f, items[i]);
	}
	fputc(']', f);
}

static const char *tf(int b)
{
	return b ? "true" : "false";
}

static void json_applied(FILE *f, const quipu_applied *a)
{
	if (!a) {
		fputs("null", f);
		return;
	}
	fputs("{\"direction\": ", f);
	cli_json_str(f, a->direction);
	cli_json_field(f, "started_at", a->started_at);
	fprintf(f, ", \"duration_ms\": %.3f, \"db_user\": ", a->duration_ms);
	cli_json_str(f, a->db_user);
	cli_json_field(f, "tool_version", a->tool_version);
	cli_json_field(f, "status", a->status);
	fprintf(f, ", \"statements_done\": %ld, \"checksum\": ", a->statements_done);
	cli_json_str(f, a->checksum);
	fputc('}', f);
}

void cli_json_rev(FILE *f, const quipu_revinfo *r, const cli_json_extra *x)
{
	fputs("{\"id\": ", f);
	cli_json_str(f, r->id);
	cli_json_field(f, "message", r->message);
	cli_json_field(f, "path", r->path);
	cli_json_field(f, "create_date", r->create_date);
	fputs(", \"down_revisions\": ", f);
	cli_json_strs(f, r->down, r->n_down);
	fputs(", \"branch_labels\": ", f);
	cli_json_strs(f, r->labels, r->n_labels);
	fputs(", \"depends_on\": ", f);
	cli_json_strs(f, r->depends, r->n_depends);
	fputs(", \"next\": ", f);
	cli_json_strs(f, r->next, r->n_next);
	fprintf(f, ", \"is_head\": %s, \"is_effective_head_only\": %s, \"is_base\": %s, \"is_merge\": %s, "
	           "\"is_branch_point\": %s",
	        tf(r->is_head && !r->has_dependents), tf(r->is_head && r->has_dependents), tf(r->is_base),
	        tf(r->is_merge), tf(r->is_branch_point));
	if (x && x->with_current)
		fprintf(f, ", \"current\": %s", tf(x->current));
	if (x && x->with_applied) {
		const quipu_applied *last = NULL;
		size_t i;
		for (i = 0; i < x->n_log; i++)
			if (!strcmp(x->log[i].revision, r->id))
				last = &x->log[i];
		fputs(", \"applied\": ", f);
		json_applied(f, last);
	}
	fputc('}', f);
}

void cli_json_revs(FILE *f, const char *key, const quipu_revlist *l, const cli_json_extra *x, char *const *rows,
                   size_t n_rows)
{
	cli_json_extra each = {0};
	size_t i;

	if (x)
		each = *x;
	fputs("{", f);
	cli_json_str(f, key);
	fputs(": [", f);
	for (i = 0; i < l->count; i++) {
		if (i)
			fputs(", ", f);
		if (each.with_current)
			each.current = cli_is_current(l->items[i], rows, n_rows);
		cli_json_rev(f, l->items[i], &each);
	}
	fputs("]}\n", f);
}

void cli_json_error(FILE *f, const cli_ctx *ctx, int code, const char *message)
{
	fputc('{', f);
	if (ctx && ctx->steps) {
		fflush(ctx->steps);
		fprintf(f, "\"steps\": [%.*s], ", (int)ctx->steps_len, ctx->steps_buf ? ctx->steps_buf : "");
	}
	fputs("\"error\": {\"kind\": ", f);
	cli_json_str(f, quipu_error_name(code));
	fprintf(f, ", \"code\": %d, \"message\": ", code);
	cli_json_str(f, message);
	fputs("}}\n", f);
}

int cli_json_steps_begin(cli_ctx *ctx)
{
	if (!ctx->json)
		return 0;
	if (!(ctx->steps = open_memstream(&ctx->steps_buf, &ctx->steps_len)))
		return -1;
	return 0;
}

void cli_json_steps_end(cli_ctx *ctx, int print)
{
	if (!ctx->steps)
		return;
	fflush(ctx->steps);
	if (print)
		printf("{\"steps\": [%.*s]}\n", (int)ctx->steps_len, ctx->steps_buf ? ctx->steps_buf : "");
	fclose(ctx->steps);
	ctx->steps = NULL;
	free(ctx->steps_buf);
	ctx->steps_buf = NULL;
	ctx->steps_len = 0;
	ctx->n_steps = 0;
}
