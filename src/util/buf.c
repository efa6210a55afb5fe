/*
 * buf.c: the growable string buffer (see buf.h).
 */
#include "util/buf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int grow(qp_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (b->oom)
		return -1;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	p = realloc(b->ptr, cap);
	if (!p) {
		b->oom = 1;
		return -1;
	}
	b->ptr = p;
	b->cap = cap;
	return 0;
}

void qp_buf_put(qp_buf *b, const char *data, size_t len)
{
	if (grow(b, len) < 0)
		return;
	if (len)
		memcpy(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
}

void qp_buf_puts(qp_buf *b, const char *s)
{
	qp_buf_put(b, s, strlen(s));
}

void qp_buf_putc(qp_buf *b, char c)
{
	qp_buf_put(b, &c, 1);
}

void qp_buf_vprintf(qp_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	if (b->oom)
		return;
	/* into the room there is first: a second vsnprintf only when it did not fit */
	if (b->cap > b->len) {
		va_copy(cp, ap);
		n = vsnprintf(b->ptr + b->len, b->cap - b->len, fmt, cp);
		va_end(cp);
		if (n >= 0 && (size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		b->ptr[b->len] = '\0';
	} else {
		va_copy(cp, ap);
		n = vsnprintf(NULL, 0, fmt, cp);
		va_end(cp);
	}
	if (n < 0 || grow(b, (size_t)n) < 0)
		return;
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void qp_buf_printf(qp_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	qp_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void qp_buf_put_literal(qp_buf *b, const char *s)
{
	qp_buf_putc(b, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			qp_buf_putc(b, '\'');
		qp_buf_putc(b, *s);
	}
	qp_buf_putc(b, '\'');
}

void qp_buf_put_ident_quoted(qp_buf *b, const char *s)
{
	qp_buf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			qp_buf_putc(b, '"');
		qp_buf_putc(b, *s);
	}
	qp_buf_putc(b, '"');
}

/* Lower-case letters, digits and _ not starting with a digit need no quotes
 * (a reserved word would; the identifiers quipu emits are checked against the
 * few that matter by the caller). */
void qp_buf_put_ident(qp_buf *b, const char *s)
{
	const char *c;
	int plain = *s && !isdigit((unsigned char)*s);

	for (c = s; *c && plain; c++)
		if (!(islower((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '_'))
			plain = 0;
	if (plain)
		qp_buf_puts(b, s);
	else
		qp_buf_put_ident_quoted(b, s);
}

void qp_buf_truncate(qp_buf *b, size_t len)
{
	if (len < b->len) {
		b->len = len;
		b->ptr[len] = '\0';
	}
}

const char *qp_buf_cstr(const qp_buf *b)
{
	return b->ptr ? b->ptr : "";
}

char *qp_buf_detach(qp_buf *b)
{
	char *p;

	if (b->oom) {
		qp_buf_release(b);
		return NULL;
	}
	p = b->ptr ? b->ptr : strdup("");
	b->ptr = NULL;
	b->len = b->cap = 0;
	return p;
}

void qp_buf_release(qp_buf *b)
{
	free(b->ptr);
	b->ptr = NULL;
	b->len = b->cap = 0;
	b->oom = 0;
}
