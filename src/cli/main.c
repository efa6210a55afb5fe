/*
 * main.c: the quipu command-line program: global options, then dispatch
 * through the command table to one cmd_<name>.c per command.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

int cli_parse_globals(cli_ctx *ctx, int argc, char **argv, int *help, int *version);
void cli_global_usage(FILE *f);

static const cli_cmd *const commands[] = {
	&cli_cmd_init, &cli_cmd_revision, &cli_cmd_upgrade, &cli_cmd_downgrade, &cli_cmd_current,
	&cli_cmd_history, &cli_cmd_heads, &cli_cmd_branches, &cli_cmd_show, &cli_cmd_stamp,
	&cli_cmd_merge, &cli_cmd_edit, &cli_cmd_list_templates,
	&cli_cmd_lint,
	&cli_cmd_validate, &cli_cmd_test,
	&cli_cmd_check, &cli_cmd_diff,
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	size_t i;
	fprintf(f, "usage: quipu [global options] COMMAND [options]\n\n"
	           "quipu %s: database schema migrations, Alembic's workflow in one small binary.\n\n"
	           "commands:\n", QUIPU_VERSION);
	for (i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-16s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(f, "\nglobal options:\n");
	cli_global_usage(f);
	fprintf(f, "  %-28s %s\n", "--version", "print the version");
	fprintf(f, "\n`quipu COMMAND --help` describes a command.\n");
}

const char *cli_env_added;

int main(int argc, char **argv)
{
	cli_ctx ctx;
	cli_args args;
	const cli_cmd *cmd = NULL;
	int help = 0, version = 0, k, rc;
	size_t i;

#ifdef __GLIBC__
	/* One malloc arena for the program's few threads (autogenerate parses
	 * the models and diffs the downgrade on a second thread): memory one
	 * thread frees is reused by the other instead of staying resident in a
	 * per-thread arena. Peak RSS of `revision --autogenerate` on 2,000
	 * tables: bench/README.md. */
	mallopt(M_ARENA_MAX, 1);
#endif
	/* libpq, loaded with the first PostgreSQL connection, brings GnuTLS in
	 * through libldap (LDAP lookups of connection services), and GnuTLS
	 * initialises itself on load: its configuration, p11-kit's modules,
	 * about 0.7 MiB resident, for a library quipu never calls (libpq's
	 * TLS is OpenSSL; libldap calls gnutls_global_init() itself when an
	 * ldaps:// lookup needs it). A value the user set is kept; children
	 * (`quipu edit`'s editor) get the environment quipu started with. */
	if (!getenv("GNUTLS_NO_IMPLICIT_INIT") && setenv("GNUTLS_NO_IMPLICIT_INIT", "1", 0) == 0)
		cli_env_added = "GNUTLS_NO_IMPLICIT_INIT";
	memset(&ctx, 0, sizeof(ctx));
	k = cli_parse_globals(&ctx, argc - 1, argv + 1, &help, &version);
	if (k < 0) {
		rc = CLI_EXIT_USAGE;
		goto done;
	}
	if (version) {
		printf("quipu %s\n", QUIPU_VERSION);
		rc = CLI_EXIT_OK;
		goto done;
	}
	if (k >= argc - 1) {
		usage(help ? stdout : stderr);
		rc = help ? CLI_EXIT_OK : CLI_EXIT_USAGE;
		goto done;
	}
	ctx.command = argv[1 + k];
	for (i = 0; i < N_COMMANDS; i++)
		if (!strcmp(commands[i]->name, ctx.command))
			cmd = commands[i];
	if (!cmd) {
		rc = cli_usage_error(&ctx, "unknown command '%s'; run `quipu --help` for the list", ctx.command);
		goto done;
	}
	if (help) {
		cli_usage(stdout, cmd);
		rc = CLI_EXIT_OK;
		goto done;
	}
	rc = cli_parse(&args, &ctx, cmd, argc - 2 - k, argv + 2 + k);
	if (rc == 0)
		rc = cmd->run(&ctx, &args);
	else if (rc == 1)
		rc = CLI_EXIT_OK; /* --help */
	cli_args_release(&args);
done:
	free(ctx.xargs);
	quipu_error_clear();
	return rc;
}
