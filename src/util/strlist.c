/*
 * strlist.c: a growable array of owned strings (see strlist.h).
 */
#include "util/strlist.h"
#include "util/buf.h"
#include "util/err.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

int qp_strlist_take(qp_strlist *l, char *s)
{
	if (!s)
		return qp_error_oom();
	if (l->count == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		char **n = realloc(l->items, cap * sizeof(*n));
		if (!n) {
			free(s);
			return qp_error_oom();
		}
		l->items = n;
		l->cap = cap;
	}
	l->items[l->count++] = s;
	return 0;
}

int qp_strlist_add(qp_strlist *l, const char *s)
{
	return qp_strlist_take(l, strdup(s));
}

int qp_strlist_split(qp_strlist *l, const char *s, char sep)
{
	while (s && *s) {
		const char *end = strchr(s, sep), *a = s, *z;
		if (!end)
			end = s + strlen(s);
		z = end;
		while (a < z && isspace((unsigned char)*a))
			a++;
		while (z > a && isspace((unsigned char)z[-1]))
			z--;
		if (z > a && qp_strlist_take(l, strndup(a, (size_t)(z - a))) < 0)
			return QUIPU_ENOMEM;
		s = *end ? end + 1 : end;
	}
	return 0;
}

int qp_strlist_contains(const qp_strlist *l, const char *s)
{
	size_t i;
	for (i = 0; i < l->count; i++)
		if (!strcmp(l->items[i], s))
			return 1;
	return 0;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void qp_strlist_sort(qp_strlist *l)
{
	if (l->count > 1)
		qsort(l->items, l->count, sizeof(char *), cmp);
}

char *qp_strlist_join(const qp_strlist *l, const char *sep)
{
	qp_buf b = QP_BUF_INIT;
	size_t i;

	for (i = 0; i < l->count; i++) {
		if (i)
			qp_buf_puts(&b, sep);
		qp_buf_puts(&b, l->items[i]);
	}
	return qp_buf_detach(&b);
}

void qp_strlist_release(qp_strlist *l)
{
	size_t i;
	for (i = 0; i < l->count; i++)
		free(l->items[i]);
	free(l->items);
	l->items = NULL;
	l->count = l->cap = 0;
}
