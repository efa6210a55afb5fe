/*
 * json.c: a small recursive-descent JSON reader into a tree (see json.h).
 *
 * Built for libpg_query's parse trees, which for a large models file are
 * tens of megabytes and millions of nodes, so nothing is allocated per node
 * or per string: strings are decoded in place in the text (taken over, or
 * copied once) (decoding never lengthens them, so a string ends at or
 * before its closing quote, where its NUL goes); a container's children are
 * gathered on a scratch stack and copied, by value, into one array of the
 * tree's arena when the container closes. The tree is the arena: freeing
 * the root frees everything at once.
 */
#include "lint/json.h"
#include "util/arena.h"
#include "util/err.h"

#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define QP_JSON_MAX_DEPTH 1000  /* parse trees are deep, not this deep */

/* What qp_json_parse returns a pointer into: the root first, so that
 * qp_json_free can get back to the rest. Owned by the caller of
 * qp_json_parse through the root. */
typedef struct doc {
	qp_json root;
	qp_arena arena;  /* owned: every container's array */
	char *text;      /* owned: the text the strings point into */
} doc;

typedef struct reader {
	char *s;         /* the copy of the text, decoded in place */
	size_t i;        /* the next byte */
	int depth;       /* nesting of arrays and objects */
	qp_arena *arena; /* borrowed: the tree's arena */
	qp_json *stack;  /* owned: children of the open containers */
	size_t sp, cap;
} reader;

static int parse_value(qp_json *out, reader *r);

static void skip_ws(reader *r)
{
	while (r->s[r->i] == ' ' || r->s[r->i] == '\t' || r->s[r->i] == '\n' || r->s[r->i] == '\r')
		r->i++;
}

static int syntax(const reader *r, const char *what)
{
	return qp_error_set(QUIPU_EPARSE, "parse tree JSON: %s at byte %zu", what, r->i);
}

/* Writes code point cp as UTF-8 at s[*w] (room for 4 bytes is there). */
static void put_utf8(char *s, size_t *w, unsigned long cp)
{
	if (cp < 0x80) {
		s[(*w)++] = (char)cp;
	} else if (cp < 0x800) {
		s[(*w)++] = (char)(0xC0 | (cp >> 6));
		s[(*w)++] = (char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		s[(*w)++] = (char)(0xE0 | (cp >> 12));
		s[(*w)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
		s[(*w)++] = (char)(0x80 | (cp & 0x3F));
	} else {
		s[(*w)++] = (char)(0xF0 | (cp >> 18));
		s[(*w)++] = (char)(0x80 | ((cp >> 12) & 0x3F));
		s[(*w)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
		s[(*w)++] = (char)(0x80 | (cp & 0x3F));
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

/* The bytes that end a run of plain string characters: the closing
 * quote, an escape, the end of the text. */
static const unsigned char string_stop[256] = {['\0'] = 1, ['"'] = 1, ['\\'] = 1};

/* A string at r->i (the opening quote), decoded in place: *out points into
 * the text copy. Every escape is at least as long as what it decodes to, so
 * the write position w never passes the read position r->i. */
static int parse_string(const char **out, reader *r)
{
	char *s = r->s;
	size_t start = ++r->i, w, i = start;
	int error;

	/* the common case: no escape (one table lookup a byte, in a local
	 * index: this loop reads most of a parse tree's text) */
	while (!string_stop[(unsigned char)s[i]])
		i++;
	if (s[i] == '"') {
		s[i] = '\0';
		r->i = i + 1;
		*out = s + start;
		return 0;
	}
	r->i = w = i;
	while (s[r->i] != '"') {
		char c = s[r->i++];
		unsigned long cp = 0;
		if (c == '\0') {
			r->i--;
			return syntax(r, "unterminated string");
		}
		if (c != '\\') {
			s[w++] = c;
			continue;
		}
		c = s[r->i++];
		switch (c) {
		case '\0':
			r->i--;
			return syntax(r, "unterminated string");
		case 'n': s[w++] = '\n'; break;
		case 't': s[w++] = '\t'; break;
		case 'r': s[w++] = '\r'; break;
		case 'b': s[w++] = '\b'; break;
		case 'f': s[w++] = '\f'; break;
		case 'u':
			if ((error = hex4(r, &cp)) < 0)
				return error;
			/* a lone surrogate (libpg_query never writes pairs) becomes U+FFFD */
			if (cp >= 0xD800 && cp <= 0xDFFF)
				cp = 0xFFFD;
			if (cp == 0)
				cp = 0xFFFD;
			/* \uXXXX is 6 raw bytes, at most 3 decoded */
			put_utf8(s, &w, cp);
			break;
		default: s[w++] = c; break;  /* \" \\ \/ */
		}
	}
	s[w] = '\0';
	r->i++;
	*out = s + start;
	return 0;
}

/* Pushes a finished child onto the scratch stack. */
static int push(reader *r, const qp_json *item)
{
	if (r->sp == r->cap) {
		size_t ncap = r->cap ? r->cap * 2 : 256;
		qp_json *st = realloc(r->stack, ncap * sizeof(*st));
		if (!st)
			return qp_error_oom();
		r->stack = st;
		r->cap = ncap;
	}
	r->stack[r->sp++] = *item;
	return 0;
}

static int parse_container(qp_json *j, reader *r)
{
	char close = j->type == QP_JSON_ARRAY ? ']' : '}';
	size_t base = r->sp;
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
		qp_json item;
		const char *key = NULL;

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
				error = syntax(r, "expected ':'");
				goto done;
			}
			r->i++;
		}
		if ((error = parse_value(&item, r)) < 0)
			goto done;
		item.key = key;
		if ((error = push(r, &item)) < 0)
			goto done;
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
	if (r->sp - base > UINT_MAX) {
		error = syntax(r, "too many elements");
		goto done;
	}
	j->n = (unsigned)(r->sp - base);
	if (!(j->v.items = qp_arena_alloc(r->arena, j->n * sizeof(qp_json)))) {
		error = QUIPU_ENOMEM;
		goto done;
	}
	memcpy(j->v.items, r->stack + base, j->n * sizeof(qp_json));
done:
	r->sp = base;
	r->depth--;
	return error;
}

/* A number: libpg_query writes integers; anything else goes to strtod. */
static int parse_number(qp_json *j, reader *r)
{
	const char *p = r->s + r->i;
	char *end = NULL;
	int neg = *p == '-';
	double v = 0;

	if (neg)
		p++;
	if (*p < '0' || *p > '9')
		return syntax(r, "unexpected character");
	while (*p >= '0' && *p <= '9' && v < 1e15)
		v = v * 10 + (*p++ - '0');
	j->type = QP_JSON_NUMBER;
	if (*p == '.' || *p == 'e' || *p == 'E' || (*p >= '0' && *p <= '9')) {
		j->v.number = strtod(r->s + r->i, &end);
		r->i = (size_t)(end - r->s);
		return 0;
	}
	j->v.number = neg ? -v : v;
	r->i = (size_t)(p - r->s);
	return 0;
}

static int parse_value(qp_json *j, reader *r)
{
	memset(j, 0, sizeof(*j));
	skip_ws(r);
	switch (r->s[r->i]) {
	case '{':
		j->type = QP_JSON_OBJECT;
		return parse_container(j, r);
	case '[':
		j->type = QP_JSON_ARRAY;
		return parse_container(j, r);
	case '"':
		j->type = QP_JSON_STRING;
		return parse_string(&j->v.str, r);
	case 't':
	case 'f':
	case 'n': {
		static const struct { const char *word; size_t len; qp_json_type type; } words[] = {
			{"true", 4, QP_JSON_TRUE}, {"false", 5, QP_JSON_FALSE}, {"null", 4, QP_JSON_NULL}};
		size_t k;
		for (k = 0; k < 3; k++)
			if (!strncmp(r->s + r->i, words[k].word, words[k].len)) {
				j->type = words[k].type;
				r->i += words[k].len;
				return 0;
			}
		return syntax(r, "unexpected word");
	}
	default:
		return parse_number(j, r);
	}
}

/* Reads d->text (owned by d) into d->root. */
static int parse_doc(doc *d)
{
	reader r;
	int error;

	memset(&r, 0, sizeof(r));
	r.s = d->text;
	r.arena = &d->arena;
	if ((error = parse_value(&d->root, &r)) < 0)
		goto done;
	skip_ws(&r);
	if (r.s[r.i])
		error = syntax(&r, "trailing text");
done:
	free(r.stack);
	return error;
}

int qp_json_parse_take(qp_json **out, char *text)
{
	doc *d;
	int error;

	*out = NULL;
	if (!(d = calloc(1, sizeof(*d)))) {
		free(text);
		return qp_error_oom();
	}
	d->text = text;
	if ((error = parse_doc(d)) < 0) {
		qp_json_free(&d->root);
		return error;
	}
	*out = &d->root;
	return 0;
}

int qp_json_parse(qp_json **out, const char *text)
{
	size_t len = strlen(text);
	char *copy = malloc(len + 1);

	*out = NULL;
	if (!copy)
		return qp_error_oom();
	memcpy(copy, text, len + 1);
	return qp_json_parse_take(out, copy);
}

void qp_json_free(qp_json *j)
{
	doc *d;

	if (!j)
		return;
	d = (doc *)(void *)((char *)j - offsetof(doc, root));
	qp_arena_release(&d->arena);
	free(d->text);
	free(d);
}

const qp_json *qp_json_get(const qp_json *j, const char *key)
{
	size_t i;
	if (!j || j->type != QP_JSON_OBJECT)
		return NULL;
	for (i = 0; i < j->n; i++)
		if (j->v.items[i].key[0] == key[0] && !strcmp(j->v.items[i].key, key))
			return &j->v.items[i];
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
	return j && j->type == QP_JSON_STRING ? j->v.str : NULL;
}

const char *qp_json_get_str(const qp_json *j, const char *key)
{
	return qp_json_str(qp_json_get(j, key));
}

long qp_json_int(const qp_json *j, long dflt)
{
	return j && j->type == QP_JSON_NUMBER ? (long)j->v.number : dflt;
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
	return j && j->type == QP_JSON_ARRAY && i < j->n ? &j->v.items[i] : NULL;
}

const qp_json *qp_json_member(const qp_json *j, size_t i, const char **key)
{
	if (!j || j->type != QP_JSON_OBJECT || i >= j->n)
		return NULL;
	if (key)
		*key = j->v.items[i].key;
	return &j->v.items[i];
}

const char *qp_json_node(const qp_json *j, const qp_json **value)
{
	if (!j || j->type != QP_JSON_OBJECT || j->n != 1)
		return NULL;
	if (value)
		*value = &j->v.items[0];
	return j->v.items[0].key;
}
