/*
 * parse_pg_split.c: a long models text parsed as two halves at the same
 * time (see parse_pg_split.h). libpg_query's parse and its JSON, read back
 * by lint/json.c, are two thirds of reading the models, and one text is
 * one call: cut at a statement boundary, the halves go to two cores.
 *
 * The cut is found by a small lexer that knows what can hide a semicolon
 * from PostgreSQL's: -- and nested block comments, 'strings' (E'...' with
 * backslash escapes), "identifiers" and $tag$ dollar quotes $tag$. It errs
 * on the side of not cutting (any doubt: no cut), and a cut it got wrong
 * leaves something unterminated in the first half, which libpg_query then
 * refuses, and the caller parses the whole text instead.
 */
#include "schema/parse_pg_split.h"
#include "util/err.h"

#include <pg_query.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int ident_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$' ||
	       c >= 0x80;
}

/* At s[i] == '$': the length of a dollar-quote delimiter ($$, $tag$)
 * starting there, 0 when it is not one (a parameter $1, or part of an
 * identifier such as a$b, which the caller rules out). */
static size_t dollar_delim(const char *s, size_t i, size_t len)
{
	size_t j = i + 1;
	unsigned char c;

	if (j < len && s[j] == '$')
		return 2;
	c = (unsigned char)(j < len ? s[j] : 0);
	if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80))
		return 0;
	for (j++; j < len; j++) {
		c = (unsigned char)s[j];
		if (c == '$')
			return j - i + 1;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c >= 0x80))
			return 0;
	}
	return 0;
}

size_t qp_pg_split_point(const char *s, size_t len)
{
	size_t i = 0, mid = len / 2;

	/* a setting that changes what a backslash in a string means: no cut */
	for (i = 0; i + 27 <= len; i++)
		if ((s[i] == 's' || s[i] == 'S') && !strncasecmp(s + i, "standard_conforming_strings", 27))
			return 0;
	i = 0;
	while (i < len) {
		char c = s[i];
		if (c == '-' && i + 1 < len && s[i + 1] == '-') {
			while (i < len && s[i] != '\n')
				i++;
		} else if (c == '/' && i + 1 < len && s[i + 1] == '*') {
			int depth = 1;
			for (i += 2; i < len && depth > 0; i++) {
				if (s[i] == '/' && i + 1 < len && s[i + 1] == '*') {
					depth++;
					i++;
				} else if (s[i] == '*' && i + 1 < len && s[i + 1] == '/') {
					depth--;
					i++;
				}
			}
			if (depth > 0)
				return 0;
		} else if (c == '\'' || c == '"') {
			/* E'...' (or e'...'), not the end of an identifier such as "type'" */
			int esc = c == '\'' && i > 0 && (s[i - 1] == 'E' || s[i - 1] == 'e') &&
			          (i < 2 || !ident_char((unsigned char)s[i - 2]));
			for (i++;; i++) {
				if (i >= len)
					return 0;
				if (esc && s[i] == '\\') {
					i++;
					continue;
				}
				if (s[i] == c) {
					if (i + 1 < len && s[i + 1] == c) {
						i++;
						continue;
					}
					break;
				}
			}
			i++;
		} else if (c == '$' && (i == 0 || !ident_char((unsigned char)s[i - 1]))) {
			size_t n = dollar_delim(s, i, len), j;
			if (!n) {
				i++;
				continue;
			}
			for (j = i + n;; j++) {
				if (j + n > len)
					return 0;
				if (s[j] == '$' && !memcmp(s + j, s + i, n))
					break;
			}
			i = j + n;
		} else if (c == ';' && i >= mid) {
			/* past the middle: cut after the semicolon, if a statement follows */
			size_t k;
			for (k = i + 1; k < len && (s[k] == ' ' || s[k] == '\t' || s[k] == '\n' || s[k] == '\r'); k++)
				;
			return k < len ? i + 1 : 0;
		} else if (ident_char((unsigned char)c)) {
			/* a word (a $ inside it is its own, not a dollar quote) */
			while (i < len && ident_char((unsigned char)s[i]))
				i++;
		} else {
			i++;
		}
	}
	return 0;
}

/* ---- the two halves -------------------------------------------------- */

typedef struct half {
	const char *sql;   /* borrowed, NUL-terminated */
	qp_json *tree;     /* owned: the result, NULL when it did not parse */
} half;

static void parse_half(half *h)
{
	PgQueryParseResult r = pg_query_parse(h->sql);

	h->tree = NULL;
	if (!r.error) {
		/* taken over by the tree, freed with it */
		if (qp_json_parse_take(&h->tree, r.parse_tree) < 0)
			h->tree = NULL;
		r.parse_tree = NULL;
	}
	pg_query_free_parse_result(r);
}

static void *half_thread(void *arg)
{
	/* libpg_query frees this thread's memory when it ends */
	parse_half(arg);
	return NULL;
}

int qp_pg_parse_halves(qp_json **first, qp_json **second, const char *sql, size_t split)
{
	half a, b;
	char *head;
	pthread_t th;
	int threaded;

	*first = *second = NULL;
	if (!(head = malloc(split + 1)))
		return -1;
	memcpy(head, sql, split);
	head[split] = '\0';
	a.sql = head;
	b.sql = sql + split;
	threaded = pthread_create(&th, NULL, half_thread, &b) == 0;
	parse_half(&a);
	if (threaded)
		pthread_join(th, NULL);
	else
		parse_half(&b);
	free(head);
	if (!a.tree || !b.tree) {
		qp_json_free(a.tree);
		qp_json_free(b.tree);
		/* whatever went wrong is found again, and reported, on the whole text */
		quipu_error_clear();
		return -1;
	}
	*first = a.tree;
	*second = b.tree;
	return 0;
}
