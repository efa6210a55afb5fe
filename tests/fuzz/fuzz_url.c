/*
 * fuzz_url.c: database URLs (src/core/url.c): qp_url_parse, qp_url_query
 * and qp_url_redact on any text. A parsed password must never survive
 * redaction.
 */
#include "fuzz.h"
#include "core/url.h"
#include "quipu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const fuzz_dict[] = {"postgresql://", "postgresql+asyncpg://", "sqlite:///", "sqlite:////",
                                 "sqlite://", "mysql+pymysql://", "@", ":", "/", "?", "&", "=", "%", "%2F",
                                 "%40", "%3A", "[::1]", "localhost", ":5432", "host=", "sslmode=require",
                                 ":memory:", "user:pw@", "***"};
const size_t fuzz_dict_len = sizeof(fuzz_dict) / sizeof(fuzz_dict[0]);

static size_t occurrences(const char *hay, const char *needle)
{
	size_t n = 0;

	while ((hay = strstr(hay, needle))) {
		n++;
		hay++;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size), *red;
	qp_url u = QP_URL_INIT;

	if (!text)
		return 0;
	if (qp_url_parse(&u, text) == 0) {
		(void)qp_url_query(&u, "sslmode");
		red = qp_url_redact(text);
		/* a password of 3+ characters written as such must be gone from the
		 * redacted text (counted: the same characters may occur elsewhere) */
		if (red && u.password && strlen(u.password) >= 3 && !strstr(u.password, "***") &&
		    occurrences(red, u.password) >= occurrences(text, u.password) && occurrences(text, u.password)) {
			fprintf(stderr, "fuzz_url: the password survives redaction: [%s] -> [%s] (password [%s])\n", text,
			        red, u.password);
			abort();
		}
		free(red);
	} else {
		free(qp_url_redact(text));
	}
	qp_url_release(&u);
	quipu_error_clear();
	free(text);
	return 0;
}
