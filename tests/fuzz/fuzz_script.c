/*
 * fuzz_script.c: revision files (src/core/script.c): qp_script_parse on any
 * text, and qp_revid_check on its first line.
 */
#include "fuzz.h"
#include "core/script.h"
#include "quipu.h"

#include <stdlib.h>
#include <string.h>

const char *const fuzz_dict[] = {"-- Revision ID: ", "-- Revises: ", "-- Create Date: ", "-- Branch Labels: ",
                                 "-- Depends On: ", "-- migrate:upgrade", "-- migrate:downgrade",
                                 " transaction:false", "\n", "--\n", ", ", "e8a14672d2af", "\r\n", "\t",
                                 "CREATE TABLE t (id int);", "/*", "*/", "'", "$$", "\xef\xbb\xbf"};
const size_t fuzz_dict_len = sizeof(fuzz_dict) / sizeof(fuzz_dict[0]);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *line;
	qp_script s;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if ((line = strndup(text, strcspn(text, "\n")))) {
		(void)qp_revid_check(line);
		free(line);
	}
	memset(&s, 0, sizeof(s));
	if (qp_script_parse(&s, "versions/fuzz.sql", text, size) == 0) /* takes text */
		qp_script_release(&s);
	quipu_error_clear();
	return 0;
}
