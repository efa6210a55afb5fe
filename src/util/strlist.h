/*
 * strlist.h: a growable array of owned strings.
 */
#ifndef QP_UTIL_STRLIST_H
#define QP_UTIL_STRLIST_H

#include <stddef.h>

typedef struct qp_strlist {
	char **items;   /* each owned by the list */
	size_t count;
	size_t cap;
} qp_strlist;

#define QP_STRLIST_INIT {NULL, 0, 0}

/* Appends a copy of s. 0 or QUIPU_ENOMEM. */
int qp_strlist_add(qp_strlist *l, const char *s);
/* Appends s itself; the list takes ownership (frees s on failure). */
int qp_strlist_take(qp_strlist *l, char *s);
/* Splits s on `sep`, trimming blanks around each piece and dropping empty ones. */
int qp_strlist_split(qp_strlist *l, const char *s, char sep);
int qp_strlist_contains(const qp_strlist *l, const char *s);
void qp_strlist_sort(qp_strlist *l);
/* "a, b, c" into a new string (caller frees). */
char *qp_strlist_join(const qp_strlist *l, const char *sep);
void qp_strlist_release(qp_strlist *l);

#endif
