/*
 * json.c: a small recursive-descent JSON reader into a tree (see json.h).
 */
#include "lint/json.h"
#include "util/err.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define QP_JSON_MAX_DEPTH 1000  /* parse trees are deep, not this deep */

typedef struct reader {
	const char *s;   /* the text, borrowed */
	size_t i;        /* the next byte */
	int depth;       /* nesting of arrays and objects */
} reader;

static int parse_value(qp_json **out, reader *r);

static void skip_ws(reader *r)
{
	while (r->s[r->i] == ' ' || r->s[r->i] == '\t' || r->s[r->i] == '\n' || r->s[r->i] == '\r')
		r->i++;
}

static int syntax(const reader *r, const char *what)
{
	return qp_error_set(QUIPU_EPARSE, "parse tree JSON: %s at byte %zu", what, r->i);
}

/* Appends code point cp as UTF-8 to buf at *len (buf has room for 4 more). */
static void put_utf8(char *buf, size_t *len, unsigned long cp)
{
	if (cp < 0x80) {
		buf[(*len)++] = (char)cp;
	} else if (cp < 0x800) {
		buf[(*len)++] = (char)(0xC0 | (cp >> 6));
		buf[(*len)++] = (char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		buf[(*len)++] = (char)(0xE0 | (cp >> 12));
		buf[(*len)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
		buf[(*len)++] = (char)(0x80 | (cp & 0x3F));
	} else {
		buf[(*len)++] = (char)(0xF0 | (cp >> 18));
		buf[(*len)++] = (char)(0x80 | ((cp >> 12) & 0x3F));
		buf[(*len)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
		buf[(*len)++] = (char)(0x80 | (cp & 0x3F));
	}
}

static int hex4(reader *r, unsigned long *out)
{
	unsigned long v = 0;
	int k;
	for (k = 0; k < 4; k++) {
		char c = r->s[r->i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned long)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned long)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned long)(c - 'A' + 10);
		else
			return syntax(r, "bad \\u escape");
		r->i++;
	}
	*out = v;
	return 0;
}

/* A string at r->i (the opening quote) into *out (caller frees). */
static int parse_string(char **out, reader *r)
{
	size_t start = ++r->i, len = 0, cap;
	char *buf;
	int error;

	/* the decoded text is never longer than the raw text */
	while (r->s[r->i] && r->s[r->i] != '"')
		r->i += (r->s[r->i] == '\\' && r->s[r->i + 1]) ? 2 : 1;
	if (r->s[r->i] != '"')
		return syntax(r, "unterminated string");
	cap = r->i - start + 1;
	r->i = start;
	if (!(buf = malloc(cap)))
		return qp_error_oom();
	while (r->s[r->i] != '"') {
		char c = r->s[r->i++];
		unsigned long cp = 0;
		if (c != '\\') {
			buf[len++] = c;
			continue;
		}
		c = r->s[r->i++];
		switch (c) {
		case 'n': buf[len++] = '\n'; break;
		case 't': buf[len++] = '\t'; break;
		case 'r': buf[len++] = '\r'; break;
		case 'b': buf[len++] = '\b'; break;
		case 'f': buf[len++] = '\f'; break;
		case 'u':
			if ((error = hex4(r, &cp)) < 0) {
				free(buf);
				return error;
			}
			/* a lone surrogate (libpg_query never writes pairs) becomes U+FFFD */
			if (cp >= 0xD800 && cp <= 0xDFFF)
				cp = 0xFFFD;
			if (cp == 0)
				cp = 0xFFFD;
			/* \uXXXX is 6 raw bytes, at most 3 decoded: fits */
			put_utf8(buf, &len, cp);
			break;
		default: buf[len++] = c; break;  /* \" \\ \/ */
		}
	}
	r->i++;
	buf[len] = '\0';
	*out = buf;
	return 0;
}

/* Appends item (and key) to j, growing its arrays. Takes both on success. */
static int push(qp_json *j, size_t *cap, char *key, qp_json *item)
{
	if (j->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 4;
		qp_json **items = realloc(j->items, ncap * sizeof(*items));
		if (!items)
			return qp_error_oom();
		j->items = items;
		if (j->type == QP_JSON_OBJECT) {
			char **keys = realloc(j->keys, ncap * sizeof(*keys));
			if (!keys)
				return qp_error_oom();
			j->keys = keys;
		}
		*cap = ncap;
	}
	if (j->type == QP_JSON_OBJECT)
		j->keys[j->n] = key;
	j->items[j->n++] = item;
	return 0;
}

static int parse_container(qp_json *j, reader *r)
{
	char close = j->type == QP_JSON_ARRAY ? ']' : '}';
	size_t cap = 0;
	int error = 0;

	if (++r->depth > QP_JSON_MAX_DEPTH)
		return syntax(r, "nesting too deep");
	r->i++;
	skip_ws(r);
	if (r->s[r->i] == close) {
		r->i++;
		goto done;
	}
	for (;;) {
		char *key = NULL;
		qp_json *item = NULL;

		skip_ws(r);
		if (j->type == QP_JSON_OBJECT) {
			if (r->s[r->i] != '"') {
				error = syntax(r, "expected a member name");
				goto done;
			}
			if ((error = parse_string(&key, r)) < 0)
				goto done;
			skip_ws(r);
			if (r->s[r->i] != ':') {
				free(key);
				error = syntax(r, "expected ':'");
				goto done;
			}
			r->i++;
		}
		if ((error = parse_value(&item, r)) < 0) {
			free(key);
			goto done;
		}
		if ((error = push(j, &cap, key, item)) < 0) {
			free(key);
			qp_json_free(item);
			goto done;
		}
		skip_ws(r);
		if (r->s[r->i] == ',') {
			r->i++;
			continue;
		}
		if (r->s[r->i] == close) {
			r->i++;
			break;
		}
		error = syntax(r, "expected ',' or a closing bracket");
		goto done;
	}
done:
	r->depth--;
	return error;
}

static int parse_value(qp_json **out, reader *r)
{
	qp_json *j = calloc(1, sizeof(*j));
	int error = 0;

	*out = NULL;
	if (!j)
		return qp_error_oom();
	skip_ws(r);
	switch (r->s[r->i]) {
	case '{':
		j->type = QP_JSON_OBJECT;
		error = parse_container(j, r);
		break;
	case '[':
		j->type = QP_JSON_ARRAY;
		error = parse_container(j, r);
		break;
	case '"':
		j->type = QP_JSON_STRING;
		error = parse_string(&j->str, r);
		break;
	case 't':
	case 'f':
	case 'n': {
		static const struct { const char *word; qp_json_type type; } words[] = {
			{"true", QP_JSON_TRUE}, {"false", QP_JSON_FALSE}, {"null", QP_JSON_NULL}};
		size_t k;
		error = syntax(r, "unexpected word");
		for (k = 0; k < 3; k++)
			if (!strncmp(r->s + r->i, words[k].word, strlen(words[k].word))) {
				j->type = words[k].type;
				r->i += strlen(words[k].word);
				error = 0;
				break;
			}
		break;
	}
	default: {
		char *end = NULL;
		if (r->s[r->i] != '-' && (r->s[r->i] < '0' || r->s[r->i] > '9')) {
			error = syntax(r, "unexpected character");
			break;
		}
		j->type = QP_JSON_NUMBER;
		j->number = strtod(r->s + r->i, &end);
		r->i = (size_t)(end - r->s);
		break;
	}
	}
	if (error < 0) {
		qp_json_free(j);
		return error;
	}
	*out = j;
	return 0;
}

int qp_json_parse(qp_json **out, const char *text)
{
	reader r = {text, 0, 0};
	qp_json *j = NULL;
	int error;

	*out = NULL;
	if ((error = parse_value(&j, &r)) < 0)
		return error;
	skip_ws(&r);
	if (r.s[r.i]) {
		qp_json_free(j);
		return syntax(&r, "trailing text");
	}
	*out = j;
	return 0;
}

void qp_json_free(qp_json *j)
{
	size_t i;
	if (!j)
		return;
	for (i = 0; i < j->n; i++) {
		if (j->keys)
			free(j->keys[i]);
		qp_json_free(j->items[i]);
	}
	free(j->keys);
	free(j->items);
	free(j->str);
	free(j);
}

const qp_json *qp_json_get(const qp_json *j, const char *key)
{
	size_t i;
	if (!j || j->type != QP_JSON_OBJECT)
		return NULL;
	for (i = 0; i < j->n; i++)
		if (!strcmp(j->keys[i], key))
			return j->items[i];
	return NULL;
}

const qp_json *qp_json_path(const qp_json *j, ...)
{
	va_list ap;
	const char *key;

	va_start(ap, j);
	while (j && (key = va_arg(ap, const char *)) != NULL)
		j = qp_json_get(j, key);
	va_end(ap);
	return j;
}

const char *qp_json_str(const qp_json *j)
{
	return j && j->type == QP_JSON_STRING ? j->str : NULL;
}

const char *qp_json_get_str(const qp_json *j, const char *key)
{
	return qp_json_str(qp_json_get(j, key));
}

long qp_json_int(const qp_json *j, long dflt)
{
	return j && j->type == QP_JSON_NUMBER ? (long)j->number : dflt;
}

int qp_json_true(const qp_json *j)
{
	return j && j->type == QP_JSON_TRUE;
}

size_t qp_json_len(const qp_json *j)
{
	return j && j->type == QP_JSON_ARRAY ? j->n : 0;
}

const qp_json *qp_json_at(const qp_json *j, size_t i)
{
	return j && j->type == QP_JSON_ARRAY && i < j->n ? j->items[i] : NULL;
}

const char *qp_json_node(const qp_json *j, const qp_json **value)
{
	if (!j || j->type != QP_JSON_OBJECT || j->n != 1)
		return NULL;
	if (value)
		*value = j->items[0];
	return j->keys[0];
}
