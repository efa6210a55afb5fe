/*
 * opt.c: declarative option parsing and the --help text made from the same
 * specs (after libgit2's src/cli/opt.c, much smaller).
 */
#include "cli/cli.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* The global options: accepted before the command and among its options. */
static const cli_opt global_opts[] = {
	{CLI_VALUE, 'c', "config", "FILE", "config file (default: $QUIPU_CONFIG, then ./quipu.ini)", 0},
	{CLI_VALUE, 'n', "name", "SECTION", "config section (default: quipu)", 0},
	{CLI_MULTI, 'x', "x", "KEY=VALUE", "a variable for ${KEY} in the config (beats the environment)", 0},
	{CLI_VALUE, 0, "url", "URL", "database URL (beats QUIPU_DATABASE_URL, DATABASE_URL and the config)", 0},
	{CLI_FLAG, 'q', "quiet", NULL, "print nothing but errors and requested data", 0},
	{CLI_FLAG, 0, "raiseerr", NULL, "print the error's kind and code with its message", 0},
	{CLI_FLAG, 0, "json", NULL, "machine-readable output: one JSON object on stdout", 0},
	{CLI_FLAG, 'h', "help", NULL, "show this help", 0},
	{0, 0, NULL, NULL, NULL, 0},
};

static size_t spec_len(const cli_opt *spec)
{
	size_t n = 0;
	while (spec && spec[n].name)
		n++;
	return n;
}

static int push(const char ***arr, size_t *n, const char *v)
{
	const char **a = realloc(*arr, (*n + 1) * sizeof(**arr));
	if (!a)
		return -1;
	a[(*n)++] = v;
	*arr = a;
	return 0;
}

static int set_global(cli_ctx *ctx, const cli_opt *o, const char *v)
{
	if (!strcmp(o->name, "config"))
		ctx->config = v;
	else if (!strcmp(o->name, "name"))
		ctx->name = v;
	else if (!strcmp(o->name, "x"))
		return push(&ctx->xargs, &ctx->n_xargs, v);
	else if (!strcmp(o->name, "url"))
		ctx->url = v;
	else if (!strcmp(o->name, "quiet"))
		ctx->quiet = 1;
	else if (!strcmp(o->name, "raiseerr"))
		ctx->raiseerr = 1;
	else if (!strcmp(o->name, "json"))
		ctx->json = 1;
	return 0;
}

static const cli_opt *find_long(const cli_opt *spec, const char *name, size_t len)
{
	size_t i;
	for (i = 0; spec && spec[i].name; i++)
		if (spec[i].kind != CLI_POS && spec[i].kind != CLI_POS_MULTI && strlen(spec[i].name) == len &&
		    !strncmp(spec[i].name, name, len))
			return &spec[i];
	return NULL;
}

static const cli_opt *find_short(const cli_opt *spec, char c)
{
	size_t i;
	for (i = 0; spec && spec[i].name; i++)
		if (spec[i].shortname == c)
			return &spec[i];
	return NULL;
}

/* -1, -12: a relative revision, not an option (as argparse decides). */
static int is_negative_number(const char *s)
{
	if (s[0] != '-' || !isdigit((unsigned char)s[1]))
		return 0;
	for (s++; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

static int store(cli_args *a, cli_ctx *ctx, const cli_opt *o, const char *v)
{
	size_t idx;

	if (o >= global_opts && o < global_opts + spec_len(global_opts))
		return set_global(ctx, o, v);
	idx = (size_t)(o - a->spec);
	a->count[idx]++;
	if (v && push(&a->values[idx], &a->n_values[idx], v) < 0)
		return -1;
	return 0;
}

int cli_parse(cli_args *a, cli_ctx *ctx, const cli_cmd *cmd, int argc, char **argv)
{
	size_t pos = 0, i, n_pos_specs = 0;
	int k, only_pos = 0, help = 0;
	const cli_opt *pos_specs[CLI_MAX_OPTS];

	memset(a, 0, sizeof(*a));
	a->spec = cmd->opts;
	a->n_spec = spec_len(cmd->opts);
	for (i = 0; i < a->n_spec; i++)
		if (a->spec[i].kind == CLI_POS || a->spec[i].kind == CLI_POS_MULTI)
			pos_specs[n_pos_specs++] = &a->spec[i];

	for (k = 0; k < argc; k++) {
		const char *arg = argv[k];
		const cli_opt *o = NULL;
		const char *v = NULL;

		if (only_pos || arg[0] != '-' || !arg[1] || is_negative_number(arg)) {
			if (pos >= n_pos_specs) {
				return cli_usage_error(ctx, "%s: unexpected argument '%s'\n%s", cmd->name, arg,
				                       "run `quipu COMMAND --help` for its usage");
			}
			if (store(a, ctx, pos_specs[pos], arg) < 0)
				return cli_usage_error(ctx, "out of memory");
			if (pos_specs[pos]->kind == CLI_POS)
				pos++;
			continue;
		}
		if (!strcmp(arg, "--")) {
			only_pos = 1;
			continue;
		}
		if (arg[1] == '-') {
			const char *name = arg + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			if (!(o = find_long(a->spec, name, len)) && !(o = find_long(global_opts, name, len)))
				return cli_usage_error(ctx, "%s: unknown option --%.*s; run `quipu %s --help`", cmd->name,
				                       (int)len, name, cmd->name);
			if (eq) {
				if (o->kind == CLI_FLAG)
					return cli_usage_error(ctx, "%s: option --%s takes no value", cmd->name, o->name);
				v = eq + 1;
			}
		} else {
			if (!(o = find_short(a->spec, arg[1])) && !(o = find_short(global_opts, arg[1])))
				return cli_usage_error(ctx, "%s: unknown option -%c; run `quipu %s --help`", cmd->name,
				                       arg[1], cmd->name);
			if (arg[2]) {
				if (o->kind == CLI_FLAG) {
					/* -vi: a run of flags */
					const char *c;
					for (c = arg + 1; *c; c++) {
						const cli_opt *f = find_short(a->spec, *c);
						if (!f)
							f = find_short(global_opts, *c);
						if (!f || f->kind != CLI_FLAG)
							return cli_usage_error(ctx, "%s: bad option cluster %s", cmd->name, arg);
						if (!strcmp(f->name, "help"))
							help = 1;
						else if (store(a, ctx, f, NULL) < 0)
							return cli_usage_error(ctx, "out of memory");
					}
					continue;
				}
				v = arg + 2;
			}
		}
		if (!strcmp(o->name, "help")) {
			help = 1;
			continue;
		}
		if (o->kind != CLI_FLAG && !v) {
			if (k + 1 >= argc)
				return cli_usage_error(ctx, "%s: option --%s needs a value (%s)", cmd->name, o->name,
				                       o->value ? o->value : "VALUE");
			v = argv[++k];
		}
		if (store(a, ctx, o, v) < 0)
			return cli_usage_error(ctx, "out of memory");
	}
	if (help) {
		cli_usage(stdout, cmd);
		return 1;
	}
	for (i = 0; i < n_pos_specs; i++) {
		size_t idx = (size_t)(pos_specs[i] - a->spec);
		if (pos_specs[i]->required && !a->count[idx])
			return cli_usage_error(ctx, "%s: missing argument %s\nusage: see `quipu %s --help`", cmd->name,
			                       pos_specs[i]->value ? pos_specs[i]->value : pos_specs[i]->name, cmd->name);
	}
	return 0;
}

void cli_args_release(cli_args *a)
{
	size_t i;
	for (i = 0; i < CLI_MAX_OPTS; i++)
		free(a->values[i]);
	memset(a, 0, sizeof(*a));
}

static int index_of(const cli_args *a, const char *name)
{
	size_t i;
	for (i = 0; i < a->n_spec; i++)
		if (!strcmp(a->spec[i].name, name))
			return (int)i;
	return -1;
}

int cli_flag(const cli_args *a, const char *name)
{
	int i = index_of(a, name);
	return i < 0 ? 0 : a->count[i];
}

const char *cli_value(const cli_args *a, const char *name)
{
	int i = index_of(a, name);
	if (i < 0 || !a->n_values[i])
		return NULL;
	return a->values[i][a->n_values[i] - 1];
}

const char *const *cli_values(const cli_args *a, const char *name, size_t *n)
{
	int i = index_of(a, name);
	*n = i < 0 ? 0 : a->n_values[i];
	return i < 0 ? NULL : a->values[i];
}

static void print_opt(FILE *f, const cli_opt *o)
{
	char left[64];
	if (o->kind == CLI_POS || o->kind == CLI_POS_MULTI)
		snprintf(left, sizeof(left), "%s%s", o->value ? o->value : o->name,
		         o->kind == CLI_POS_MULTI ? "..." : "");
	else if (o->shortname && o->kind != CLI_FLAG)
		snprintf(left, sizeof(left), "-%c, --%s %s", o->shortname, o->name, o->value ? o->value : "VALUE");
	else if (o->shortname)
		snprintf(left, sizeof(left), "-%c, --%s", o->shortname, o->name);
	else if (o->kind != CLI_FLAG)
		snprintf(left, sizeof(left), "--%s %s", o->name, o->value ? o->value : "VALUE");
	else
		snprintf(left, sizeof(left), "--%s", o->name);
	fprintf(f, "  %-28s %s\n", left, o->help);
}

void cli_usage(FILE *f, const cli_cmd *cmd)
{
	const cli_opt *o;

	fprintf(f, "usage: quipu [global options] %s", cmd->name);
	for (o = cmd->opts; o && o->name; o++) {
		if (o->kind == CLI_POS)
			fprintf(f, o->required ? " %s" : " [%s]", o->value ? o->value : o->name);
		else if (o->kind == CLI_POS_MULTI)
			fprintf(f, o->required ? " %s..." : " [%s...]", o->value ? o->value : o->name);
		else if (o->kind == CLI_FLAG)
			fprintf(f, " [--%s]", o->name);
		else
			fprintf(f, " [--%s %s]", o->name, o->value ? o->value : "VALUE");
	}
	fprintf(f, "\n\n%s\n", cmd->summary);
	if (cmd->opts && cmd->opts->name) {
		fprintf(f, "\narguments and options:\n");
		for (o = cmd->opts; o->name; o++)
			print_opt(f, o);
	}
	fprintf(f, "\nglobal options:\n");
	for (o = global_opts; o->name; o++)
		print_opt(f, o);
}

/* The global options alone, for `quipu --help`. */
void cli_global_usage(FILE *f)
{
	const cli_opt *o;
	for (o = global_opts; o->name; o++)
		print_opt(f, o);
}

int cli_parse_globals(cli_ctx *ctx, int argc, char **argv, int *help, int *version)
{
	int k;
	for (k = 0; k < argc; k++) {
		const char *arg = argv[k];
		const cli_opt *o = NULL;
		const char *v = NULL;

		if (arg[0] != '-' || !arg[1])
			return k;
		if (!strcmp(arg, "--version")) {
			*version = 1;
			continue;
		}
		if (arg[1] == '-') {
			const char *name = arg + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			o = find_long(global_opts, name, len);
			if (eq)
				v = eq + 1;
		} else {
			o = find_short(global_opts, arg[1]);
			if (o && arg[2])
				v = arg + 2;
		}
		if (!o) {
			cli_usage_error(ctx, "unknown option %s; run `quipu --help`", arg);
			return -1;
		}
		if (!strcmp(o->name, "help")) {
			*help = 1;
			continue;
		}
		if (o->kind != CLI_FLAG && !v) {
			if (k + 1 >= argc) {
				cli_usage_error(ctx, "option --%s needs a value (%s)", o->name, o->value);
				return -1;
			}
			v = argv[++k];
		}
		if (set_global(ctx, o, v) < 0)
			return -1;
	}
	return k;
}
