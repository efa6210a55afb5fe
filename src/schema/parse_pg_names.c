/*
 * parse_pg_names.c: the names PostgreSQL 15 gives to what the models leave
 * unnamed, as makeObjectName and ChooseIndexNameAddition build them (63
 * bytes, truncated without cutting a UTF-8 sequence); parse_pg.c adds the
 * "1", "2"... retries against what a schema already holds.
 */
#include "schema/parse_pg.h"

#include <string.h>

#define NAMEMAX 63    /* NAMEDATALEN - 1 */

/* Bytes of s that fit in `len` without cutting a UTF-8 sequence (pg_mbcliplen). */
static size_t utf8_clip(const char *s, size_t len)
{
	while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
		len--;
	return len;
}

void qp_pg_object_name(qp_buf *out, const char *name1, const char *name2, const char *label)
{
	size_t overhead = 0, avail, n1 = strlen(name1), n2 = 0;

	if (name2) {
		n2 = strlen(name2);
		overhead += 1;
	}
	if (label)
		overhead += strlen(label) + 1;
	avail = NAMEMAX - overhead;
	while (n1 + n2 > avail) {
		if (n1 > n2)
			n1--;
		else
			n2--;
	}
	n1 = utf8_clip(name1, n1);
	qp_buf_put(out, name1, n1);
	if (name2) {
		qp_buf_putc(out, '_');
		qp_buf_put(out, name2, utf8_clip(name2, n2));
	}
	if (label) {
		qp_buf_putc(out, '_');
		qp_buf_puts(out, label);
	}
}

void qp_pg_name_addition(qp_buf *out, const char *const *cols, size_t n)
{
	size_t i, start = out->len;

	for (i = 0; i < n; i++) {
		size_t len = strlen(cols[i]);
		if (out->len > start)
			qp_buf_putc(out, '_');
		/* strlcpy(buf + buflen, name, NAMEDATALEN) */
		qp_buf_put(out, cols[i], len > NAMEMAX ? NAMEMAX : len);
		if (out->len - start >= NAMEMAX + 1)
			break;
	}
}
