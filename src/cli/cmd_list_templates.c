/*
 * cmd_list_templates.c: `quipu list_templates`.
 */
#include "cli/cli.h"

static const cli_opt opts[] = {{0, 0, NULL, NULL, NULL, 0}};

static int run(cli_ctx *ctx, cli_args *a)
{
	size_t i;
	(void)a;
	if (ctx->json) {
		printf("{\"templates\": [");
		for (i = 0; i < quipu_template_count(); i++) {
			const char *name, *desc;
			quipu_template_get(i, &name, &desc);
			printf("%s{\"name\": ", i ? ", " : "");
			cli_json_str(stdout, name);
			printf(", \"description\": ");
			cli_json_str(stdout, desc);
			printf("}");
		}
		printf("]}\n");
		return CLI_EXIT_OK;
	}
	printf("Available templates:\n\n");
	for (i = 0; i < quipu_template_count(); i++) {
		const char *name, *desc;
		quipu_template_get(i, &name, &desc);
		printf("%s - %s\n", name, desc);
	}
	printf("\nTemplates are used via the 'init' command, e.g.:\n\n  quipu init --template generic ./migrations\n");
	return CLI_EXIT_OK;
}

const cli_cmd cli_cmd_list_templates = {"list_templates", "List the available project templates.", opts, run};
