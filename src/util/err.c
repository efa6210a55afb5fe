/*
 * err.c: the per-thread last error (quipu_error_last and friends).
 */
#include "util/err.h"
#include "util/buf.h"

#include <stdlib.h>
#include <string.h>

static _Thread_local quipu_error last;
static _Thread_local int has_last;

const quipu_error *quipu_error_last(void)
{
	return has_last ? &last : NULL;
}

void quipu_error_clear(void)
{
	free(last.message);
	last.message = NULL;
	last.code = 0;
	has_last = 0;
}

const char *quipu_error_name(int code)
{
	switch (code) {
#define QUIPU__NAME(name, value, text) case value: return text;
	QUIPU_ERROR_MAP(QUIPU__NAME)
#undef QUIPU__NAME
	}
	return "error";
}

static void store(int code, char *msg)
{
	free(last.message);
	last.message = msg ? msg : strdup("out of memory");
	last.code = code;
	has_last = 1;
}

int qp_error_set(int code, const char *fmt, ...)
{
	qp_buf b = QP_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	qp_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	store(code, qp_buf_detach(&b));
	return code;
}

int qp_error_prefix(const char *fmt, ...)
{
	qp_buf b = QP_BUF_INIT;
	va_list ap;
	int code = has_last ? last.code : QUIPU_ERROR;

	va_start(ap, fmt);
	qp_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (has_last && last.message)
		qp_buf_printf(&b, ": %s", last.message);
	store(code, qp_buf_detach(&b));
	return code;
}

int qp_error_oom(void)
{
	store(QUIPU_ENOMEM, strdup("out of memory"));
	return QUIPU_ENOMEM;
}

int qp_error_code(void)
{
	return has_last ? last.code : QUIPU_OK;
}
