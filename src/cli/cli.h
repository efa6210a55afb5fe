/*
 * cli.h: what the command-line program's files share: declarative options
 * (which also produce --help), the command table entry, the global options,
 * and output helpers. The CLI uses the library only through quipu.h.
 */
#ifndef QUIPU_CLI_H
#define QUIPU_CLI_H

#include <stdio.h>
#include "quipu.h"

/* Exit codes: one place maps library errors to them (output.c). */
#define CLI_EXIT_OK 0
#define CLI_EXIT_ERROR 1   /* the command failed (also: `check` found differences) */
#define CLI_EXIT_USAGE 2   /* bad command line */

typedef enum {
	CLI_FLAG,       /* --verbose */
	CLI_VALUE,      /* --rev-id ID (last one wins) */
	CLI_MULTI,      /* --head REV, repeatable */
	CLI_POS,        /* a positional argument */
	CLI_POS_MULTI   /* the remaining positional arguments */
} cli_kind;

typedef struct cli_opt {
	cli_kind kind;
	char shortname;     /* 0 when none */
	const char *name;   /* long name (no dashes), or the positional's name */
	const char *value;  /* placeholder in help, e.g. "ID" */
	const char *help;   /* one line */
	int required;       /* for positionals */
} cli_opt;

#define CLI_MAX_OPTS 24

typedef struct cli_args {
	const cli_opt *spec;             /* borrowed; terminated by name == NULL */
	size_t n_spec;
	int count[CLI_MAX_OPTS];         /* times each option was given */
	const char **values[CLI_MAX_OPTS]; /* owned arrays of borrowed argv strings */
	size_t n_values[CLI_MAX_OPTS];
} cli_args;

/* The global options, parsed before (or among) the command's. */
typedef struct cli_ctx {
	const char *config;      /* -c */
	const char *name;        /* -n */
	const char **xargs;      /* -x, owned array */
	size_t n_xargs;
	const char *url;         /* --url */
	int quiet;               /* -q */
	int raiseerr;            /* --raiseerr */
	int json;                /* --json */
	const char *command;     /* the command's name */
	/* --json: the steps of an upgrade/downgrade/stamp so far (a memstream,
	 * owned; see json.c), printed on success and with an error alike */
	FILE *steps;
	char *steps_buf;
	size_t steps_len;
	size_t n_steps;
} cli_ctx;

typedef struct cli_cmd {
	const char *name;
	const char *summary;
	const cli_opt *opts;
	int (*run)(cli_ctx *ctx, cli_args *args);
} cli_cmd;

/* The variable main() added to quipu's environment for its own sake (see
 * main.c), or NULL; a child process unsets it before exec. */
extern const char *cli_env_added;

/* Parses argv for one command; global options are accepted too. Prints the
 * problem and returns CLI_EXIT_USAGE on bad input; 1 + printing help when
 * --help was asked (caller exits 0); 0 when parsed. */
int cli_parse(cli_args *out, cli_ctx *ctx, const cli_cmd *cmd, int argc, char **argv);
void cli_args_release(cli_args *a);
void cli_usage(FILE *f, const cli_cmd *cmd);

int cli_flag(const cli_args *a, const char *name);
const char *cli_value(const cli_args *a, const char *name);
const char *const *cli_values(const cli_args *a, const char *name, size_t *n);

/* Opens the project with the global options. Prints the error on failure. */
int cli_open(quipu_project **out, const cli_ctx *ctx);
/* The same for a command that only reads the graph (heads, current,
 * history, branches): no SQL is kept and the header cache may answer. */
int cli_open_headers(quipu_project **out, const cli_ctx *ctx);
/* Connects. Prints the error on failure. */
int cli_connect(quipu_db **out, const quipu_project *p, const cli_ctx *ctx);
/* Prints the last library error as "quipu: <message>" on stderr and
 * returns the exit code for it. */
int cli_fail(const cli_ctx *ctx);
/* An error the CLI itself finds (code: a quipu_error_code for --json):
 * prints it (and, with --json, the error object) and returns CLI_EXIT_ERROR. */
int cli_error(const cli_ctx *ctx, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A usage error: prints it and returns CLI_EXIT_USAGE. */
int cli_usage_error(const cli_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* --sql's output: the SQL, or {"sql": "..."} with --json. */
void cli_print_sql(const cli_ctx *ctx, const char *sql);

/* Progress lines for upgrade/downgrade/stamp (Alembic's wording + time). */
void cli_progress(const quipu_event *ev, void *payload);

/* Alembic's one-line form of a revision (Script._head_only). */
typedef struct cli_fmt {
	int include_branches, include_doc, include_parents, tree_indicators, head_indicators;
	int current;   /* print " (current)" */
} cli_fmt;
void cli_print_head_only(FILE *f, const quipu_revinfo *r, const cli_fmt *fmt);
/* Alembic's verbose form (Script.log_entry). */
void cli_print_log_entry(FILE *f, const quipu_revinfo *r, int current);
/* "    Applied: <when> by <user> in <ms> (quipu x)" from the log's latest row for r, if any. */
void cli_print_applied(FILE *f, const quipu_revinfo *r, const quipu_applied *log, size_t n);
/* `a, b` or `<base>` */
void cli_print_down(FILE *f, const quipu_revinfo *r);
int cli_is_current(const quipu_revinfo *r, char *const *rows, size_t n_rows);

/* ---- --json (json.c) ---- */
typedef struct cli_json_extra {
	int with_current, current;     /* add "current": bool */
	int with_applied;              /* add "applied": the log's latest row for it, or null */
	const quipu_applied *log;
	size_t n_log;
} cli_json_extra;
/* A JSON string (null for NULL), an array of them. */
void cli_json_str(FILE *f, const char *s);
/* `, "key": "value"` (value NULL: null): one member after the first. */
void cli_json_field(FILE *f, const char *key, const char *value);
void cli_json_strs(FILE *f, const char *const *items, size_t n);
/* A revision object (x may be NULL). */
void cli_json_rev(FILE *f, const quipu_revinfo *r, const cli_json_extra *x);
/* {"<key>": [revision...]} and a newline; `current` of each from rows when x->with_current. */
void cli_json_revs(FILE *f, const char *key, const quipu_revlist *l, const cli_json_extra *x, char *const *rows,
                   size_t n_rows);
/* {"steps": [...], "error": {"kind", "code", "message"}} and a newline. */
void cli_json_error(FILE *f, const cli_ctx *ctx, int code, const char *message);
/* Collecting the steps of a run (cli_progress appends to them). */
int cli_json_steps_begin(cli_ctx *ctx);
void cli_json_steps_end(cli_ctx *ctx, int print);

extern const cli_cmd cli_cmd_validate, cli_cmd_test;
extern const cli_cmd cli_cmd_init, cli_cmd_revision, cli_cmd_upgrade, cli_cmd_downgrade,
	cli_cmd_current, cli_cmd_history, cli_cmd_heads, cli_cmd_branches, cli_cmd_show,
	cli_cmd_stamp, cli_cmd_list_templates, cli_cmd_merge, cli_cmd_edit;
extern const cli_cmd cli_cmd_lint;
extern const cli_cmd cli_cmd_check, cli_cmd_diff;

/* upgrade and downgrade share their body (cmd_upgrade.c). */
int cli_migrate(cli_ctx *ctx, cli_args *args, quipu_direction dir);

#endif
