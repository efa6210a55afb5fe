/*
 * fuzz_config.c: config files (src/core/config.c, libinih underneath):
 * qp_config_load on any file text, with a -x variable, and
 * qp_config_expand on the text as one value.
 */
#include "fuzz.h"
#include "core/config.h"
#include "quipu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *const fuzz_dict[] = {"[quipu]\n", "[alembic]\n", "script_location = ", "sqlalchemy.url = ",
                                 "version_table = ", "models = ", "dev_url = ", "file_template = ",
                                 "transaction_per_migration = ", "truncate_slug_length = ", "timezone = ",
                                 "version_locations = ", "lock_timeout = ", "%(here)s", "%%", "${A}", "${",
                                 "%(", ")s", "\n", " = ", "true", "false", "-1", "99999999999999999999"};
const size_t fuzz_dict_len = sizeof(fuzz_dict) / sizeof(fuzz_dict[0]);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	const char *xargs[] = {"A=value"};
	char *text = fuzz_cstr(data, size), *out = NULL;
	qp_config cfg;
	FILE *f;

	if (!text)
		return 0;
	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/quipu-fuzz-config-%ld.ini", (long)getpid());
	if ((f = fopen(path, "wb"))) {
		fwrite(data, 1, size, f);
		fclose(f);
		memset(&cfg, 0, sizeof(cfg));
		if (qp_config_load(&cfg, path, NULL, NULL, xargs, 1) == 0)
			qp_config_release(&cfg);
		unlink(path);
	}
	if (qp_config_expand(&out, text, "/here", xargs, 1, "fuzz.ini:1") == 0)
		free(out);
	quipu_error_clear();
	free(text);
	return 0;
}
