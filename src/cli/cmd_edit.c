/*
 * cmd_edit.c: `quipu edit REV`: open a revision file in $EDITOR.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static const cli_opt opts[] = {
	{CLI_POS, 0, "revision", "REV", "the revision to edit (an id, prefix, head...)", 1},
	{0, 0, NULL, NULL, NULL, 0},
};

static int run(cli_ctx *ctx, cli_args *a)
{
	const char *editor = getenv("VISUAL");
	quipu_project *p = NULL;
	quipu_revlist list = {0};
	pid_t pid;
	int rc, status = 0;

	if (!editor || !*editor)
		editor = getenv("EDITOR");
	if (!editor || !*editor)
		editor = "vi";
	if ((rc = cli_open(&p, ctx)) != 0)
		return rc;
	if (quipu_resolve(&list, p, cli_value(a, "revision"), NULL, 0) < 0) {
		rc = cli_fail(ctx);
		goto done;
	}
	if (list.count != 1) {
		rc = cli_usage_error(ctx, "edit needs exactly one revision; '%s' names %zu",
		                     cli_value(a, "revision"), list.count);
		goto done;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		/* through the shell, so EDITOR may carry arguments ("code -w") */
		execl("/bin/sh", "sh", "-c", "exec $0 \"$1\"", editor, list.items[0]->path, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "quipu: error: the editor '%s' failed on %s\n", editor, list.items[0]->path);
		rc = CLI_EXIT_ERROR;
		goto done;
	}
	rc = CLI_EXIT_OK;
done:
	quipu_revlist_free(&list);
	quipu_project_free(p);
	return rc;
}

const cli_cmd cli_cmd_edit = {"edit", "Open a revision file in $EDITOR.", opts, run};
