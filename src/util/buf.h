/*
 * buf.h: the growable string buffer used everywhere in quipu.
 *
 * A qp_buf owns its storage. The error is sticky (after SQLite's
 * StrAccum): once an allocation fails every append is a no-op and `oom` stays
 * set, so a caller appends freely and checks once at the end.
 *
 *   qp_buf b = QP_BUF_INIT;
 *   qp_buf_printf(&b, "%s", x);
 *   if (b.oom) ...;
 *   use(qp_buf_cstr(&b));
 *   qp_buf_release(&b);          // or: char *s = qp_buf_detach(&b); ... free(s);
 */
#ifndef QP_UTIL_BUF_H
#define QP_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct qp_buf {
	char *ptr;    /* NUL-terminated when len > 0, NULL before the first append */
	size_t len;   /* bytes used, not counting the NUL */
	size_t cap;   /* bytes allocated */
	int oom;      /* sticky: an allocation failed */
} qp_buf;

#define QP_BUF_INIT {NULL, 0, 0, 0}

void qp_buf_put(qp_buf *b, const char *data, size_t len);
void qp_buf_puts(qp_buf *b, const char *s);
void qp_buf_putc(qp_buf *b, char c);
void qp_buf_printf(qp_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void qp_buf_vprintf(qp_buf *b, const char *fmt, va_list ap);
/* Appends s as an SQL string literal: 'it''s'. */
void qp_buf_put_literal(qp_buf *b, const char *s);
/* Appends s as an SQL identifier, double-quoted only where needed. */
void qp_buf_put_ident(qp_buf *b, const char *s);
/* Appends s as an SQL identifier, always double-quoted. */
void qp_buf_put_ident_quoted(qp_buf *b, const char *s);
void qp_buf_truncate(qp_buf *b, size_t len);
/* Never NULL: "" for an empty buffer. Borrowed. */
const char *qp_buf_cstr(const qp_buf *b);
/* Hands the storage to the caller (free()) and re-initialises b. Never NULL unless oom. */
char *qp_buf_detach(qp_buf *b);
/* Frees the storage and re-initialises b. */
void qp_buf_release(qp_buf *b);

#endif
