/*
 * json.h: a small read-only JSON tree, just enough for libpg_query's parse
 * trees (pg_query_parse). Objects keep their keys in order; lookups are
 * linear, which is fine for parse-tree nodes of a handful of keys.
 *
 * Why JSON and not pg_query_parse_protobuf: the protobuf-c runtime is inside
 * libpg_query.a, but Debian's libpg-query-dev does not ship the
 * <protobuf-c/protobuf-c.h> header its pg_query.pb-c.h includes, so the
 * structs cannot be compiled against without another dependency. The JSON
 * form carries the same tree and this reader is self-contained.
 */
#ifndef QP_LINT_JSON_H
#define QP_LINT_JSON_H

#include <stddef.h>

typedef enum {
	QP_JSON_NULL = 0,
	QP_JSON_FALSE,
	QP_JSON_TRUE,
	QP_JSON_NUMBER,
	QP_JSON_STRING,
	QP_JSON_ARRAY,
	QP_JSON_OBJECT
} qp_json_type;

/* A node. Read it through the functions below. A whole tree lives in one
 * arena owned by its root (qp_json_parse / qp_json_free): nodes, strings
 * and arrays are never allocated or freed one by one. */
typedef struct qp_json {
	unsigned type;          /* a qp_json_type (24 bytes a node: a large models file makes
	                           hundreds of thousands) */
	unsigned n;             /* ARRAY: elements; OBJECT: members */
	const char *key;        /* the member name of this node in its parent object, else NULL */
	union {
		double number;          /* QP_JSON_NUMBER */
		const char *str;        /* QP_JSON_STRING: decoded, NUL-terminated */
		struct qp_json *items;  /* ARRAY: n elements; OBJECT: n members (each with its key) */
	} v;
} qp_json;

/* Parses text into a new tree (*out, caller frees with qp_json_free; the
 * tree copies what it needs, text is not kept). QUIPU_EPARSE on malformed
 * input, QUIPU_ENOMEM. */
int qp_json_parse(qp_json **out, const char *text);
/* The same, taking over text (malloc'd; freed with the tree, or here on
 * failure) and decoding its strings in place: no copy. */
int qp_json_parse_take(qp_json **out, char *text);
/* Frees a whole tree: j must be a root from qp_json_parse (or NULL). */
void qp_json_free(qp_json *j);

/* The member `key` of an object, or NULL (also when j is NULL or not an object). */
const qp_json *qp_json_get(const qp_json *j, const char *key);
/* Follows a path of member names ("AlterTableCmd", "def", NULL-terminated). */
const qp_json *qp_json_path(const qp_json *j, ...);
/* The string value, or NULL when j is not a string. Borrowed. */
const char *qp_json_str(const qp_json *j);
/* The member `key` as a string, or NULL. Borrowed. */
const char *qp_json_get_str(const qp_json *j, const char *key);
/* A number's value, or `dflt` when j is not a number. */
long qp_json_int(const qp_json *j, long dflt);
/* 1 for true, 0 for anything else (libpg_query omits false members). */
int qp_json_true(const qp_json *j);
/* Elements of an array (0 when j is not an array). */
size_t qp_json_len(const qp_json *j);
const qp_json *qp_json_at(const qp_json *j, size_t i);
/* The i-th member of an object (in order) and its name (*key, when key is
 * not NULL); NULL past the last, or when j is not an object. */
const qp_json *qp_json_member(const qp_json *j, size_t i, const char **key);
/* For a one-member object {"Kind": {...}}: the member name and value.
 * libpg_query wraps every node this way. NULL when j is not such an object. */
const char *qp_json_node(const qp_json *j, const qp_json **value);

#endif
