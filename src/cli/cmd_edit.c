/*
 * cmd_edit.c: `quipu edit REV`: open a revision file in $EDITOR. As in
 * Alembic, a target naming several revisions (`heads`, `current` with
 * several rows) opens each in turn, and `current` reads the database.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const cli_opt opts[] = {
	{CLI_POS, 0, "revision", "REV", "the revision(s) to edit (an id, prefix, head, current...)", 1},
	{0, 0, NULL, NULL, NULL, 0},
};

static int run(cli_ctx *ctx, cli_args *a)
{
	const char *editor = getenv("VISUAL");
	const char *target = cli_value(a, "revision");
	quipu_project *p = NULL;
	quipu_db *db = NULL;
	quipu_revlist list = {0};
	char **rows = NULL;
	size_t n_rows = 0, i;
	pid_t pid;
	int rc, status = 0;

	if (!editor || !*editor)
		editor = getenv("EDITOR");
	if (!editor || !*editor)
		editor = "vi";
	if ((rc = cli_open(&p, ctx)) != 0)
		return rc;
	if (strstr(target, "current")) {
		if ((rc = cli_connect(&db, p, ctx)) != 0)
			goto done;
		if (quipu_db_current(&rows, &n_rows, db, p) < 0) {
			rc = cli_fail(ctx);
			goto done;
		}
		if (!n_rows && !strcmp(target, "current")) {
			rc = cli_error(ctx, QUIPU_ENOTFOUND,
			               "No current revisions: the database is at base, there is no file to edit");
			goto done;
		}
	}
	if (quipu_resolve(&list, p, target, (const char *const *)rows, n_rows) < 0) {
		rc = cli_fail(ctx);
		goto done;
	}
	if (!list.count) {
		rc = cli_error(ctx, QUIPU_ENOTFOUND, "No revision files indicated by symbol '%s'", target);
		goto done;
	}
	for (i = 0; i < list.count; i++) {
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			/* through the shell, so EDITOR may carry arguments ("code -w") */
			if (cli_env_added)
				unsetenv(cli_env_added);
			execl("/bin/sh", "sh", "-c", "exec $0 \"$1\"", editor, list.items[i]->path, (char *)NULL);
			_exit(127);
		}
		if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
			rc = cli_error(ctx, QUIPU_ERROR, "the editor '%s' failed on %s", editor, list.items[i]->path);
			goto done;
		}
	}
	if (ctx->json)
		cli_json_revs(stdout, "edited", &list, NULL, NULL, 0);
	rc = CLI_EXIT_OK;
done:
	quipu_revlist_free(&list);
	quipu_strings_free(rows, n_rows);
	quipu_db_close(db);
	quipu_project_free(p);
	return rc;
}

const cli_cmd cli_cmd_edit = {"edit", "Open a revision file in $EDITOR.", opts, run};
