/*
 * parse_pg.c: qp_models_parse_pg(): the models' SQL, parsed by libpg_query
 * (pg_query_parse's JSON tree, read with lint/json.c), made into the schema
 * model introspect_pg.c would read from a scratch database holding them
 * (see parse_pg.h for what is and is not reproduced).
 *
 * Each supported statement is replayed the way PostgreSQL 15 executes it:
 * names given by the server (ChooseRelationName / ChooseConstraintName /
 * makeObjectName with their 63-byte truncation and the "1", "2"... retries
 * on a clash, serial sequences before the table, the primary key's index
 * before the other unique ones, foreign keys last), types as format_type
 * prints them, defaults as pg_get_expr prints the few literal forms known
 * here, constraints as pg_get_constraintdef, indexes as pg_get_indexdef,
 * and the dependencies pg_depend would hold. Whenever a statement is
 * anything else, or names something that does not resolve, or would make
 * the server fail, parsing stops with complete = 0 and the reason.
 *
 * Ownership: the model owns everything it holds (its arena); the side
 * tables here (name maps, per-table key lists) live in a private arena
 * freed at the end.
 *
 * Beside it: parse_pg_names.c (the server's implicit names),
 * parse_pg_types.c (built-in types and format_type), parse_pg_split.c (the
 * text cut into statements, parsed one at a time).
 */
#include "schema/parse_pg.h"
#include "schema/parse_pg_split.h"
#include "schema/parse_pg_types.h"
#include "lint/json.h"
#include "util/err.h"
#include "util/fs.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pg_query.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NAMEMAX 63    /* NAMEDATALEN - 1 */
#define STOP 1        /* a handler's "incomplete": stop reading */

/* ---- the state of one read --------------------------------------------- */

/* A key a foreign key may reference: a primary key, a unique constraint or
 * a unique index, in creation order (PostgreSQL takes the first match). */
typedef struct ukey {
	const char **cols;
	size_t n;
	qp_obj *obj;           /* the constraint or index (what the FK depends on) */
	int primary, deferrable;
	struct ukey *next;
} ukey;

/* What is known of a table beyond the model. */
typedef struct tinfo {
	qp_table *t;
	ukey *keys, *last;
	int next_num;          /* attnum of the next column */
} tinfo;

/* A column's type as the parser resolved it. */
typedef struct ctype {
	const qp_pg_builtin *b;      /* built-in base type, or NULL for an enum */
	qp_enum *e;            /* enum base type */
	int array;
	const char *fmt;       /* format_type (arena) */
	struct ctype *next;    /* another type with the same fmt text (ctype_by_fmt) */
} ctype;

/* A relation name taken in a schema. */
typedef struct relent {
	char kind;             /* 't' table, 'S' sequence, 'i' index, 'k' index of a constraint,
	                          'I' identity sequence */
	qp_obj *obj;           /* the model object (NULL for 'I') */
	tinfo *ti;             /* 't' */
} relent;

typedef struct pp {
	qp_model *m;           /* borrowed: being filled */
	const qp_parse_opts *o;
	qp_arena a;            /* owned: side tables */
	qp_map rels;           /* "schema\1name" -> relent* */
	qp_map cons;           /* "schema\1name" -> (void *)1: constraint names of a schema */
	ctype **ctypes;        /* owned (malloc): a column's type by its h.pos (its place in the
	                          model until qp_model_finish), NULL for other objects: no map */
	size_t n_ctypes;
	qp_map types;          /* format_type text -> its one copy in the model's arena */
	qp_map ctype_by_fmt;   /* that copy -> the ctypes of that text: one per distinct type, shared
	                          by the columns (not one per column) */
	qp_buf *reason;        /* borrowed, may be NULL */
	int incomplete;
	int path_empty;        /* pg_dump's set_config('search_path', '', false) */
	int n_schemas;         /* schemas the models created */
	const char *file;      /* the file being read (for reasons) */
	const char *text;      /* the file's text */
	size_t text_len;
	size_t base;           /* where the tree being read starts in text (its locations count from there) */
	size_t line_pos;       /* line counting: offset reached and its line */
	int line;
	int stmt_loc;
} pp;

static int stop(pp *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Records the first reason and says "incomplete". */
static int stop(pp *x, const char *fmt, ...)
{
	va_list ap;

	if (!x->incomplete && x->reason) {
		size_t i;
		for (i = x->line_pos; x->text && i < (size_t)x->stmt_loc && x->text[i]; i++)
			x->line += x->text[i] == '\n';
		x->line_pos = i;
		/* the statement's own line: past its leading blanks and comments */
		{
			const char *p = x->text ? x->text + x->line_pos : NULL;
			int line = x->line;
			while (p && *p) {
				if (*p == '\n')
					line++;
				if (isspace((unsigned char)*p)) {
					p++;
				} else if (p[0] == '-' && p[1] == '-') {
					while (*p && *p != '\n')
						p++;
				} else {
					break;
				}
			}
			qp_buf_printf(x->reason, "%s:%d: ", x->file, line);
		}
		va_start(ap, fmt);
		qp_buf_vprintf(x->reason, fmt, ap);
		va_end(ap);
	}
	x->incomplete = 1;
	return STOP;
}

static const char *nskey(pp *x, const char *schema, const char *name)
{
	return qp_arena_printf(&x->a, "%s\1%s", schema, name);
}

static relent *rel_get(pp *x, const char *schema, const char *name)
{
	char buf[300];

	snprintf(buf, sizeof(buf), "%s\1%s", schema, name);
	return qp_map_get(&x->rels, buf);
}

static int rel_put(pp *x, const char *schema, const char *name, char kind, qp_obj *obj, tinfo *ti)
{
	relent *r = qp_arena_alloc(&x->a, sizeof(*r));
	const char *k = nskey(x, schema, name);

	if (!r || !k)
		return QUIPU_ENOMEM;
	r->kind = kind;
	r->obj = obj;
	r->ti = ti;
	return qp_map_put(&x->rels, k, r);
}

static int con_used(pp *x, const char *schema, const char *name)
{
	char buf[300];

	snprintf(buf, sizeof(buf), "%s\1%s", schema, name);
	return qp_map_get(&x->cons, buf) != NULL;
}

static int con_put(pp *x, const char *schema, const char *name)
{
	const char *k = nskey(x, schema, name);

	return k ? qp_map_put(&x->cons, k, (void *)1) : QUIPU_ENOMEM;
}

/* ChooseRelationName (constraint: ChooseRelationName with isconstraint, or,
 * with `only_cons`, ChooseConstraintName). NULL on OOM. */
static const char *choose_name(pp *x, const char *schema, const char *name1, const char *name2,
                               const char *label, int constraint, int only_cons)
{
	qp_buf b = QP_BUF_INIT;
	char mod[32];
	const char *out = NULL;
	int pass = 0;

	for (;;) {
		qp_buf_truncate(&b, 0);
		if (pass)
			snprintf(mod, sizeof(mod), "%s%d", label, pass);
		qp_pg_object_name(&b, name1, name2, pass ? mod : label);
		if (b.oom)
			break;
		if ((only_cons || !rel_get(x, schema, qp_buf_cstr(&b))) &&
		    (!(constraint || only_cons) || !con_used(x, schema, qp_buf_cstr(&b)))) {
			out = qp_arena_strdup(&x->a, qp_buf_cstr(&b));
			break;
		}
		pass++;
	}
	qp_buf_release(&b);
	return out;
}

/* ---- reading the tree -------------------------------------------------- */

/* The text of a String node ({"String": {"sval": ...}}); "" when empty. */
static const char *sval(const qp_json *node)
{
	const qp_json *s = qp_json_get(node, "String");
	const char *v;

	if (!s)
		return NULL;
	v = qp_json_get_str(s, "sval");
	return v ? v : "";
}

/* The names of a list of String nodes into names[] (up to max); -1 when not all strings. */
static int name_list(const qp_json *list, const char **names, size_t max, size_t *n)
{
	size_t i;

	*n = qp_json_len(list);
	if (*n > max)
		return -1;
	for (i = 0; i < *n; i++)
		if (!(names[i] = sval(qp_json_at(list, i))))
			return -1;
	return 0;
}

static int is_public_visible(const char *schema)
{
	return !strcmp(schema, "public");
}

/* The schema an unqualified name would be created in or found in, as
 * search_path ("$user", public) resolves it. NULL when it cannot be told. */
static const char *default_schema(pp *x)
{
	if (x->path_empty)
		return NULL;
	if (x->n_schemas) {
		qp_obj *own;
		if (!x->o->role)
			return NULL;
		own = qp_model_find(x->m, QP_K_SCHEMA, "", NULL, x->o->role);
		if (own)
			return NULL;
	}
	return "public";
}

/* A schema named in the models: public or one they created. */
static int schema_exists(pp *x, const char *schema)
{
	return !strcmp(schema, "public") ||
	       qp_model_find(x->m, QP_K_SCHEMA, "", NULL, schema) != NULL;
}

/* A RangeVar's schema and name; STOP when it cannot be resolved. */
static int range_var(pp *x, const qp_json *rv, const char **schema, const char **name)
{
	const char *s, *n;

	if (!rv || qp_json_get(rv, "catalogname"))
		return stop(x, "a relation name that is not resolved here");
	n = qp_json_get_str(rv, "relname");
	s = qp_json_get_str(rv, "schemaname");
	if (!n)
		return stop(x, "a relation without a name");
	if (!strncmp(n, "pg_", 3) || strlen(n) > NAMEMAX)
		return stop(x, "relation name %s (reserved prefix or longer than 63 bytes)", n);
	if (!s && !(s = default_schema(x)))
		return stop(x, "unqualified name %s where search_path is not known here", n);
	if (!schema_exists(x, s))
		return stop(x, "schema %s is not created by the models", s);
	if (qp_json_get_str(rv, "relpersistence") && strcmp(qp_json_get_str(rv, "relpersistence"), "p") &&
	    strcmp(qp_json_get_str(rv, "relpersistence"), "u"))
		return stop(x, "temporary relation %s", n);
	*schema = s;
	*name = n;
	return 0;
}

/* The key's column object in table t, NULL when none. */
static qp_column *column_of(const qp_table *t, const char *name)
{
	return qp_table_column(t, name);
}

static ctype *ctype_of(pp *x, const qp_column *c)
{
	return c->h.pos < x->n_ctypes ? x->ctypes[c->h.pos] : NULL;
}

/* The one ctype equal to *t (read only once made: columns share it). */
static ctype *ctype_intern(pp *x, const ctype *t)
{
	ctype *head = t->fmt ? qp_map_get(&x->ctype_by_fmt, t->fmt) : NULL, *c;

	for (c = head; c; c = c->next)
		if (c->b == t->b && c->e == t->e && c->array == t->array)
			return c;
	if (!(c = qp_arena_alloc(&x->a, sizeof(*c))))
		return NULL;
	*c = *t;
	c->next = head;
	if (t->fmt && qp_map_put(&x->ctype_by_fmt, t->fmt, c) < 0)
		return NULL;
	return c;
}

static const char *arena_dup(pp *x, const char *s)
{
	return qp_arena_strdup(&x->m->arena, s);
}

/* Is name a key of an enum the models made (by schema and name)? */
static qp_enum *enum_get(pp *x, const char *schema, const char *name)
{
	qp_obj *o = qp_model_find(x->m, QP_K_ENUM, schema, NULL, name);

	return o && o->kind == QP_K_ENUM ? (qp_enum *)o : NULL;
}

/* A TypeName: built-in or an enum of the models, with format_type's text.
 * serial: set to 2, 4 or 8 for the serial types (NULL: not allowed). */
static int type_name(pp *x, const qp_json *tn, ctype *out, int *serial)
{
	const char *names[3];
	long tm[2];
	size_t n, n_tm, i;
	const qp_json *mods = qp_json_get(tn, "typmods"), *bounds = qp_json_get(tn, "arrayBounds");
	qp_buf b = QP_BUF_INIT;

	memset(out, 0, sizeof(*out));
	if (serial)
		*serial = 0;
	if (!tn || name_list(qp_json_get(tn, "names"), names, 3, &n) < 0 || n == 0 || qp_json_true(qp_json_get(tn, "setof")) ||
	    qp_json_true(qp_json_get(tn, "pct_type")))
		return stop(x, "a type that is not resolved here");
	n_tm = qp_json_len(mods);
	if (n_tm > 2)
		return stop(x, "type modifiers of %s", names[n - 1]);
	for (i = 0; i < n_tm; i++) {
		const qp_json *c = qp_json_get(qp_json_at(mods, i), "A_Const");
		const qp_json *iv = qp_json_get(c, "ival");
		if (!iv)
			return stop(x, "type modifiers of %s", names[n - 1]);
		tm[i] = qp_json_int(qp_json_get(iv, "ival"), 0);
	}
	out->array = qp_json_len(bounds) > 0;
	if (n == 1 && serial && !n_tm && !out->array) {
		const char *s = names[0];
		if (!strcmp(s, "serial") || !strcmp(s, "serial4"))
			*serial = 4;
		else if (!strcmp(s, "bigserial") || !strcmp(s, "serial8"))
			*serial = 8;
		else if (!strcmp(s, "smallserial") || !strcmp(s, "serial2"))
			*serial = 2;
		if (*serial) {
			out->b = qp_pg_find_builtin(*serial == 4 ? "int4" : *serial == 8 ? "int8" : "int2");
			out->fmt = out->b->fmt;
			return 0;
		}
	}
	if ((n == 2 && !strcmp(names[0], "pg_catalog")) || (n == 1 && qp_pg_is_catalog_type(names[0]))) {
		if (!(out->b = qp_pg_find_builtin(names[n - 1])) || qp_pg_format_builtin(&b, out->b, tm, n_tm) < 0) {
			qp_buf_release(&b);
			return stop(x, "type %s%s is not reproduced here", names[n - 1], n_tm ? " with modifiers" : "");
		}
	} else {
		const char *schema = n == 2 ? names[0] : NULL;
		if (n > 2 || n_tm)
			return stop(x, "type %s is not reproduced here", names[n - 1]);
		if (!schema && !(schema = default_schema(x)))
			return stop(x, "unqualified type %s where search_path is not known here", names[0]);
		if (!(out->e = enum_get(x, schema, names[n - 1])))
			return stop(x, "type %s is not one the models create as an enum", names[n - 1]);
		if (!is_public_visible(schema)) {
			qp_sql_ident(&b, QP_DIALECT_PG, schema);
			qp_buf_putc(&b, '.');
		}
		qp_sql_ident(&b, QP_DIALECT_PG, out->e->h.name);
	}
	if (out->array)
		qp_buf_puts(&b, "[]");
	/* one copy of each type's text in the model (thousands of columns share
	 * a handful of types) */
	out->fmt = b.oom ? NULL : qp_map_get(&x->types, qp_buf_cstr(&b));
	if (!out->fmt && !b.oom && (out->fmt = arena_dup(x, qp_buf_cstr(&b))) &&
	    qp_map_put(&x->types, out->fmt, (void *)out->fmt) < 0)
		out->fmt = NULL;
	qp_buf_release(&b);
	return out->fmt ? 0 : QUIPU_ENOMEM;
}

/* regclass output of a relation: unqualified in public, else qualified. */
static void put_relname(qp_buf *b, const char *schema, const char *name)
{
	if (!is_public_visible(schema)) {
		qp_sql_ident(b, QP_DIALECT_PG, schema);
		qp_buf_putc(b, '.');
	}
	qp_sql_ident(b, QP_DIALECT_PG, name);
}

/* Splits a regclass literal ("a.b", "\"Mixed\"") as the server does
 * (stringToQualifiedNameList); -1 when it is anything unusual. */
static int parse_regclass(pp *x, const char *s, const char **schema, const char **name)
{
	char parts[2][NAMEMAX + 1];
	size_t n = 0, len;

	while (*s) {
		if (n == 2)
			return -1;
		len = 0;
		if (*s == '"') {
			for (s++; *s && !(*s == '"' && s[1] != '"'); s++) {
				if (*s == '"')
					s++;
				if (len >= NAMEMAX)
					return -1;
				parts[n][len++] = *s;
			}
			if (*s != '"')
				return -1;
			s++;
		} else {
			for (; *s && *s != '.'; s++) {
				unsigned char c = (unsigned char)*s;
				if (!(isalnum(c) || c == '_' || c == '$') || len >= NAMEMAX)
					return -1;
				parts[n][len++] = (char)tolower(c);
			}
		}
		parts[n][len] = '\0';
		if (!len)
			return -1;
		n++;
		if (*s == '.')
			s++;
		else if (*s)
			return -1;
	}
	if (n == 2) {
		*schema = qp_arena_strdup(&x->a, parts[0]);
		*name = qp_arena_strdup(&x->a, parts[1]);
	} else if (n == 1) {
		if (!(*schema = default_schema(x)))
			return -1;
		*name = qp_arena_strdup(&x->a, parts[0]);
	} else {
		return -1;
	}
	return *schema && *name ? 0 : -1;
}

/* Canonical decimal integer (no sign, no leading zero) within int32? */
static int canonical_int(const char *s, long *v)
{
	const char *p = s;
	char *end;

	if (*p == '-')
		p++;
	if (!isdigit((unsigned char)*p) || (p[0] == '0' && p[1]) || (s[0] == '-' && !strcmp(p, "0")))
		return 0;
	errno = 0;
	*v = strtol(s, &end, 10);
	return !*end && !errno && *v >= INT32_MIN && *v <= INT32_MAX;
}

/* The integer written at `loc` of the text ("0", "-12", "- 3"): -1 when
 * it is anything else. */
static int const_at(pp *x, long loc, long *out)
{
	const char *p, *digits;
	char *end;
	int neg = 0;

	if (!x->text || loc < 0 || x->base + (size_t)loc >= x->text_len)
		return -1;
	p = x->text + x->base + loc;
	if (*p == '-') {
		neg = 1;
		for (p++; *p == ' ' || *p == '\t' || *p == '\n'; p++)
			;
	}
	digits = p;
	if (!isdigit((unsigned char)*p))
		return -1;
	errno = 0;
	*out = strtol(digits, &end, 10);
	if (errno || isalnum((unsigned char)*end) || *end == '.' || *end == '_' || *out > INT32_MAX)
		return -1;
	if (neg)
		*out = -*out;
	return 0;
}

/* A decimal with digits on both sides of the point, optional minus sign. */
static int plain_decimal(const char *s)
{
	const char *p = s + (*s == '-');
	size_t d = strspn(p, "0123456789");

	return d > 0 && p[d] == '.' && strspn(p + d + 1, "0123456789") > 0 && !p[d + 1 + strspn(p + d + 1, "0123456789")];
}

/* A numeric constant as get_const_expr prints it. */
static void put_numeric_const(qp_buf *b, const char *v)
{
	if (v[0] == '-')
		qp_buf_printf(b, "'%s'::numeric", v);
	else
		qp_buf_puts(b, v);
}

static void put_int_const(qp_buf *b, long v)
{
	if (v < 0)
		qp_buf_printf(b, "'%ld'::integer", v);
	else
		qp_buf_printf(b, "%ld", v);
}

static int is_family(const ctype *t, char f)
{
	return t->b && !t->array && t->b->family == f;
}

/* A string literal typed as the column: text, varchar, bpchar or an enum
 * (the label must exist). -1 when not reproduced. */
static int put_string_const(pp *x, qp_buf *b, const ctype *t, const char *s)
{
	if (t->array)
		return -1;
	if (t->e) {
		size_t i;
		for (i = 0; i < t->e->n_vals; i++)
			if (!strcmp(t->e->vals[i], s))
				break;
		if (i == t->e->n_vals)
			return -1;
		qp_buf_put_literal(b, s);
		qp_buf_printf(b, "::%s", t->fmt);
		return 0;
	}
	if (!is_family(t, 's'))
		return -1;
	qp_buf_put_literal(b, s);
	qp_buf_printf(b, "::%s", !strcmp(t->b->name, "varchar") ? "character varying" : t->b->name);
	return 0;
}

/* A default expression as pg_get_expr prints it (NULL: no default), with
 * the sequence it depends on. STOP when not reproduced. */
static int render_default(pp *x, const qp_json *e, const ctype *t, const char **out, qp_obj **dep)
{
	qp_buf b = QP_BUF_INIT;
	const qp_json *v;
	const char *kind = qp_json_node(e, &v);
	int ok = 0;

	*out = NULL;
	*dep = NULL;
	if (!kind)
		return stop(x, "a default expression that is not reproduced here");
	if (!strcmp(kind, "A_Const")) {
		const qp_json *iv = qp_json_get(v, "ival"), *fv = qp_json_get(v, "fval"), *sv = qp_json_get(v, "sval"),
		              *bv = qp_json_get(v, "boolval");
		if (qp_json_true(qp_json_get(v, "isnull"))) {
			/* a NULL constant is no default, unless a length or precision coercion
			 * wraps it (NULL::character varying) */
			if (!strchr(t->fmt, '('))
				return 0;
			if (is_family(t, 's') && !strcmp(t->b->name, "varchar")) {
				qp_buf_puts(&b, "NULL::character varying");
				ok = 1;
			} else if (is_family(t, 'n')) {
				qp_buf_puts(&b, "NULL::numeric");
				ok = 1;
			}
		} else if (iv && (is_family(t, 'i') || is_family(t, 'n') || is_family(t, 'f'))) {
			long n = qp_json_int(qp_json_get(iv, "ival"), 0);
			/* libpg_query 15's JSON writes a negative integer constant as {}, like
			 * 0: the source text at the constant's location tells */
			ok = qp_json_get(iv, "ival") || const_at(x, qp_json_int(qp_json_get(v, "location"), -1), &n) == 0;
			if (ok)
				put_int_const(&b, n);
		} else if (fv && (is_family(t, 'n') || is_family(t, 'f')) && plain_decimal(qp_json_get_str(fv, "fval"))) {
			put_numeric_const(&b, qp_json_get_str(fv, "fval"));
			ok = 1;
		} else if (sv) {
			const char *s = qp_json_get_str(sv, "sval");
			ok = put_string_const(x, &b, t, s ? s : "") == 0;
		} else if (bv && is_family(t, 'b')) {
			qp_buf_puts(&b, qp_json_true(qp_json_get(bv, "boolval")) ? "true" : "false");
			ok = 1;
		}
	} else if (!strcmp(kind, "TypeCast")) {
		/* 'x'::character varying, '-1'::integer, as the server prints them back */
		ctype ct;
		const qp_json *cv = qp_json_get(qp_json_get(v, "arg"), "A_Const");
		const char *s = qp_json_get_str(qp_json_get(cv, "sval"), "sval");
		long n;
		int error;
		if (cv && s && (error = type_name(x, qp_json_get(v, "typeName"), &ct, NULL)) != 0)
			return error;
		if (cv && s && !ct.array) {
			if (ct.e && t->e == ct.e) {
				ok = put_string_const(x, &b, t, s) == 0;
			} else if (ct.b && t->b && !t->array && ct.b == t->b && ct.b->family == 's' && !strchr(ct.fmt, '(') &&
			           strcmp(ct.b->name, "bpchar")) {
				ok = put_string_const(x, &b, t, s) == 0;
			} else if (ct.b && !strcmp(ct.b->name, "int4") && is_family(t, 'i') && canonical_int(s, &n)) {
				put_int_const(&b, n);
				ok = 1;
			} else if (ct.b && !strcmp(ct.b->name, "numeric") && !strchr(ct.fmt, '(') && is_family(t, 'n') &&
			           plain_decimal(s)) {
				put_numeric_const(&b, s);
				ok = 1;
			}
		}
	} else if (!strcmp(kind, "FuncCall")) {
		const char *names[2];
		size_t n;
		const qp_json *args = qp_json_get(v, "args");
		if (name_list(qp_json_get(v, "funcname"), names, 2, &n) == 0 && (n == 1 || !strcmp(names[0], "pg_catalog")) &&
		    !qp_json_get(v, "agg_order") && !qp_json_get(v, "agg_filter") && !qp_json_get(v, "over") &&
		    !qp_json_true(qp_json_get(v, "agg_star")) && !qp_json_true(qp_json_get(v, "agg_distinct")) &&
		    !qp_json_true(qp_json_get(v, "func_variadic"))) {
			const char *f = names[n - 1];
			if (!strcmp(f, "now") && !qp_json_len(args) && t->b && !t->array && t->b->family == 't') {
				qp_buf_puts(&b, "now()");
				ok = 1;
			} else if (!strcmp(f, "nextval") && qp_json_len(args) == 1 && is_family(t, 'i')) {
				const qp_json *a0 = qp_json_at(args, 0), *av;
				const char *ak = qp_json_node(a0, &av), *lit = NULL, *schema, *name;
				if (ak && !strcmp(ak, "A_Const")) {
					lit = qp_json_get_str(qp_json_get(av, "sval"), "sval");
				} else if (ak && !strcmp(ak, "TypeCast")) {
					const char *tn[2];
					size_t tnn;
					if (name_list(qp_json_path(av, "typeName", "names", NULL), tn, 2, &tnn) == 0 &&
					    !strcmp(tn[tnn - 1], "regclass") && (tnn == 1 || !strcmp(tn[0], "pg_catalog")) &&
					    !qp_json_get(qp_json_get(av, "typeName"), "typmods") &&
					    !qp_json_get(qp_json_get(av, "typeName"), "arrayBounds"))
						lit = qp_json_get_str(qp_json_path(av, "arg", "A_Const", "sval", NULL), "sval");
				}
				if (lit && parse_regclass(x, lit, &schema, &name) == 0) {
					relent *r = rel_get(x, schema, name);
					if (r && r->kind == 'S') {
						qp_buf nm = QP_BUF_INIT;
						put_relname(&nm, schema, name);
						qp_buf_puts(&b, "nextval(");
						qp_buf_put_literal(&b, qp_buf_cstr(&nm));
						qp_buf_puts(&b, "::regclass)");
						b.oom |= nm.oom;
						qp_buf_release(&nm);
						*dep = r->obj;
						ok = 1;
					}
				}
			}
		}
	} else if (!strcmp(kind, "SQLValueFunction")) {
		const char *op = qp_json_get_str(v, "op");
		long tm = qp_json_int(qp_json_get(v, "typmod"), -1);
		if (op && tm == -1 && t->b && !t->array && t->b->family == 't') {
			if (!strcmp(op, "SVFOP_CURRENT_TIMESTAMP"))
				qp_buf_puts(&b, "CURRENT_TIMESTAMP"), ok = 1;
			else if (!strcmp(op, "SVFOP_CURRENT_DATE"))
				qp_buf_puts(&b, "CURRENT_DATE"), ok = 1;
			else if (!strcmp(op, "SVFOP_LOCALTIMESTAMP"))
				qp_buf_puts(&b, "LOCALTIMESTAMP"), ok = 1;
		}
	}
	if (!ok) {
		qp_buf_release(&b);
		return stop(x, "a default (%s) on a %s column that is not reproduced here: the scratch database renders it",
		            kind, t->fmt);
	}
	*out = b.oom ? NULL : arena_dup(x, qp_buf_cstr(&b));
	qp_buf_release(&b);
	return *out ? 0 : QUIPU_ENOMEM;
}

/* ---- sequences --------------------------------------------------------- */

typedef struct seqopts {
	int type;              /* 2, 4, 8 */
	int64_t start, inc, min, max, cache;
	int has_start, has_min, has_max, cycle;
	const qp_json *owned_by;
} seqopts;

static int num_value(const qp_json *arg, int64_t *out)
{
	const qp_json *iv = qp_json_get(arg, "Integer"), *fv = qp_json_get(arg, "Float");
	char *end;

	if (iv) {
		/* {"Integer": {}} is 0 or a negative number in libpg_query 15's JSON */
		if (!qp_json_get(iv, "ival"))
			return -1;
		*out = qp_json_int(qp_json_get(iv, "ival"), 0);
		return 0;
	}
	if (fv && qp_json_get_str(fv, "fval")) {
		errno = 0;
		*out = strtoll(qp_json_get_str(fv, "fval"), &end, 10);
		return *end || errno ? -1 : 0;
	}
	return -1;
}

/* Sequence options (CREATE SEQUENCE, identity); fills the defaults as
 * PostgreSQL does. `type` preset by the caller (identity: the column's). */
static int seq_options(pp *x, const qp_json *list, seqopts *s, int type_fixed)
{
	size_t i;
	int64_t tmin, tmax;

	s->inc = 1;
	s->cache = 1;
	for (i = 0; i < qp_json_len(list); i++) {
		const qp_json *d = qp_json_get(qp_json_at(list, i), "DefElem"), *arg = qp_json_get(d, "arg");
		const char *name = qp_json_get_str(d, "defname");
		int64_t v = 0;
		if (!name)
			return stop(x, "a sequence option that is not reproduced here");
		if (!strcmp(name, "as") && !type_fixed) {
			ctype t;
			int error = type_name(x, qp_json_get(arg, "TypeName"), &t, NULL);
			if (error)
				return error;
			if (!is_family(&t, 'i'))
				return stop(x, "a sequence of type %s", t.fmt);
			s->type = t.b->name[3] - '0';
		} else if (!strcmp(name, "owned_by")) {
			s->owned_by = arg;
		} else if (!strcmp(name, "cycle")) {
			s->cycle = qp_json_true(qp_json_path(arg, "Boolean", "boolval", NULL));
		} else if (!strcmp(name, "minvalue") || !strcmp(name, "maxvalue")) {
			if (arg && num_value(arg, &v) < 0)
				return stop(x, "sequence option %s", name);
			if (arg && name[1] == 'i')
				s->min = v, s->has_min = 1;
			else if (arg)
				s->max = v, s->has_max = 1;
		} else if (!strcmp(name, "start") || !strcmp(name, "increment") || !strcmp(name, "cache")) {
			if (num_value(arg, &v) < 0)
				return stop(x, "sequence option %s", name);
			if (name[0] == 's')
				s->start = v, s->has_start = 1;
			else if (name[0] == 'i')
				s->inc = v;
			else
				s->cache = v;
		} else {
			return stop(x, "sequence option %s is not reproduced here", name);
		}
	}
	tmax = s->type == 2 ? INT16_MAX : s->type == 4 ? INT32_MAX : INT64_MAX;
	tmin = s->type == 2 ? INT16_MIN : s->type == 4 ? INT32_MIN : INT64_MIN;
	if (s->inc == 0 || s->cache < 1)
		return stop(x, "sequence options the server refuses");
	if (!s->has_min)
		s->min = s->inc > 0 ? 1 : tmin;
	if (!s->has_max)
		s->max = s->inc > 0 ? tmax : -1;
	if (!s->has_start)
		s->start = s->inc > 0 ? s->min : s->max;
	if (s->min < tmin || s->max > tmax || s->min >= s->max || s->start < s->min || s->start > s->max)
		return stop(x, "sequence options the server refuses");
	return 0;
}

static const char *i64(pp *x, int64_t v)
{
	return qp_arena_printf(&x->m->arena, "%lld", (long long)v);
}

static int seq_create(pp *x, qp_sequence **out, const char *schema, const char *name, const seqopts *o)
{
	qp_sequence *s = qp_model_add(x->m, sizeof(*s), QP_K_SEQUENCE, schema, name, NULL);
	qp_obj *sch;

	if (!s)
		return qp_error_code() ? qp_error_code() : QUIPU_ENOMEM;
	s->type = o->type == 2 ? "smallint" : o->type == 4 ? "integer" : "bigint";
	s->start = i64(x, o->start);
	s->inc = i64(x, o->inc);
	s->min = i64(x, o->min);
	s->max = i64(x, o->max);
	s->cache = i64(x, o->cache);
	s->cycle = o->cycle;
	if (!s->start || !s->inc || !s->min || !s->max || !s->cache)
		return QUIPU_ENOMEM;
	if ((sch = qp_model_find(x->m, QP_K_SCHEMA, "", NULL, schema)))
		qp_model_dep(x->m, &s->h, sch);
	*out = s;
	return rel_put(x, schema, name, 'S', &s->h, NULL);
}

/* OWNED BY table.column (same schema as the sequence), or NONE. */
static int seq_owned_by(pp *x, qp_sequence *s, const qp_json *arg)
{
	const char *names[3], *schema, *tname;
	size_t n;
	relent *r;
	qp_column *c;

	if (name_list(qp_json_get(arg, "List") ? qp_json_path(arg, "List", "items", NULL) : NULL, names, 3, &n) < 0 || n < 1)
		return stop(x, "OWNED BY that is not reproduced here");
	if (n == 1 && !strcasecmp(names[0], "none")) {
		s->owned_by = NULL;
		return 0;
	}
	if (n < 2)
		return stop(x, "OWNED BY that is not reproduced here");
	schema = n == 3 ? names[0] : default_schema(x);
	tname = names[n - 2];
	if (!schema || !(r = rel_get(x, schema, tname)) || r->kind != 't' || !(c = column_of(r->ti->t, names[n - 1])))
		return stop(x, "OWNED BY a column that is not found here");
	if (strcmp(schema, s->h.schema))
		return stop(x, "OWNED BY a table in another schema (the server refuses it)");
	s->owned_by = c->h.key;
	return 0;
}

/* ---- constraints and indexes ------------------------------------------- */

static void put_cols(qp_buf *b, const char *const *cols, size_t n)
{
	size_t i;

	qp_buf_putc(b, '(');
	for (i = 0; i < n; i++) {
		if (i)
			qp_buf_puts(b, ", ");
		qp_sql_ident(b, QP_DIALECT_PG, cols[i]);
	}
	qp_buf_putc(b, ')');
}

/* Reads a Constraint's column list (keys, fk_attrs, pk_attrs) into the side arena. */
static int key_list(pp *x, const qp_json *list, const char ***cols, size_t *n)
{
	size_t i, j;

	*n = qp_json_len(list);
	if (!(*cols = qp_arena_alloc(&x->a, (*n + 1) * sizeof(**cols))))
		return QUIPU_ENOMEM;
	for (i = 0; i < *n; i++) {
		if (!((*cols)[i] = sval(qp_json_at(list, i))))
			return stop(x, "a key that is not a column list");
		for (j = 0; j < i; j++)
			if (!strcmp((*cols)[j], (*cols)[i]))
				return stop(x, "a column twice in one key (the server refuses it)");
	}
	return 0;
}

static int deps_on_cols(pp *x, qp_obj *o, qp_table *t, const char *const *cols, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		qp_column *c = column_of(t, cols[i]);
		if (!c)
			return stop(x, "column %s of %s is not found", cols[i], t->h.name);
		if (qp_model_dep(x->m, o, &c->h) < 0)
			return QUIPU_ENOMEM;
	}
	return 0;
}

static void put_deferral(qp_buf *b, int deferrable, int deferred)
{
	if (deferrable)
		qp_buf_puts(b, " DEFERRABLE");
	if (deferred)
		qp_buf_puts(b, " INITIALLY DEFERRED");
}

/* Constraint options the parser does not reproduce. */
static int con_unsupported(pp *x, const qp_json *k)
{
	static const char *const bad[] = {"including", "options", "indexname", "indexspace", "exclusions",
	                                  "where_clause", "fk_del_set_cols", "raw_expr", "cooked_expr", "access_method"};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (qp_json_get(k, bad[i]))
			return stop(x, "a constraint with %s, not reproduced here", bad[i]);
	if (qp_json_true(qp_json_get(k, "nulls_not_distinct")) || qp_json_true(qp_json_get(k, "skip_validation")) ||
	    qp_json_true(qp_json_get(k, "reset_default_tblspc")))
		return stop(x, "a constraint option that is not reproduced here");
	return 0;
}

static int add_ukey(pp *x, tinfo *ti, const char **cols, size_t n, qp_obj *obj, int primary, int deferrable)
{
	ukey *u = qp_arena_alloc(&x->a, sizeof(*u));
	const char **own = qp_arena_alloc(&x->a, (n + 1) * sizeof(*own));
	size_t i;

	if (!u || !own)
		return QUIPU_ENOMEM;
	/* kept past this statement, whose tree the names point into: copied */
	for (i = 0; i < n; i++)
		if (!(own[i] = qp_arena_strdup(&x->a, cols[i])))
			return QUIPU_ENOMEM;
	own[n] = NULL;
	u->cols = own;
	u->n = n;
	u->obj = obj;
	u->primary = primary;
	u->deferrable = deferrable;
	if (ti->last)
		ti->last->next = u;
	else
		ti->keys = u;
	ti->last = u;
	return 0;
}

/* PRIMARY KEY or UNIQUE on table ti (its columns exist). */
static int add_key(pp *x, tinfo *ti, const qp_json *k, int primary, const char **cols, size_t n, int deferrable,
                   int deferred)
{
	qp_table *t = ti->t;
	const char *name = qp_json_get_str(k, "conname");
	qp_constraint *c;
	qp_buf def = QP_BUF_INIT, add = QP_BUF_INIT;
	size_t i;
	int error;

	if ((error = con_unsupported(x, k)) != 0)
		return error;
	if (!n)
		return stop(x, "a key without columns");
	for (i = 0; i < n; i++)
		if (!column_of(t, cols[i]))
			return stop(x, "column %s of %s is not found", cols[i], t->h.name);
	if (primary) {
		ukey *u;
		for (u = ti->keys; u; u = u->next)
			if (u->primary)
				return stop(x, "a second primary key on %s (the server refuses it)", t->h.name);
	}
	if (name) {
		if (strlen(name) > NAMEMAX || rel_get(x, t->h.schema, name) ||
		    qp_model_find(x->m, QP_K_PKEY, t->h.schema, t->h.name, name))
			return stop(x, "constraint name %s is taken or too long", name);
	} else {
		qp_pg_name_addition(&add, cols, n);
		name = choose_name(x, t->h.schema, t->h.name, primary ? NULL : qp_buf_cstr(&add), primary ? "pkey" : "key", 1, 0);
		qp_buf_release(&add);
		if (!name)
			return QUIPU_ENOMEM;
	}
	if (!(c = qp_model_add(x->m, sizeof(*c), primary ? QP_K_PKEY : QP_K_UNIQUE, t->h.schema, name, t)))
		return qp_error_code() ? qp_error_code() : QUIPU_ENOMEM;
	qp_buf_puts(&def, primary ? "PRIMARY KEY " : "UNIQUE ");
	put_cols(&def, cols, n);
	put_deferral(&def, deferrable, deferred);
	c->def = def.oom ? NULL : arena_dup(x, qp_buf_cstr(&def));
	qp_buf_release(&def);
	c->deferrable = deferrable;
	c->deferred = deferred;
	c->named = 1;
	if (!c->def)
		return QUIPU_ENOMEM;
	if ((error = deps_on_cols(x, &c->h, t, cols, n)) != 0)
		return error;
	if (primary) {
		for (i = 0; i < n; i++)
			column_of(t, cols[i])->not_null = 1;
	}
	if ((error = rel_put(x, t->h.schema, name, 'k', &c->h, NULL)) < 0 || (error = con_put(x, t->h.schema, name)) < 0)
		return error;
	return add_ukey(x, ti, cols, n, &c->h, primary, deferrable);
}

/* Types a foreign key may join: equal, or both integers, or both strings. */
static int fk_types_ok(const ctype *a, const ctype *b)
{
	if (!strcmp(a->fmt, b->fmt))
		return 1;
	return (is_family(a, 'i') && is_family(b, 'i')) ||
	       (is_family(a, 's') && is_family(b, 's') && strcmp(a->b->name, "bpchar") && strcmp(b->b->name, "bpchar"));
}

static const char *fk_action(char a)
{
	switch (a) {
	case 'a': return "";
	case 'r': return "RESTRICT";
	case 'c': return "CASCADE";
	case 'n': return "SET NULL";
	case 'd': return "SET DEFAULT";
	default: return NULL;
	}
}

static int add_fkey(pp *x, tinfo *ti, const qp_json *k, const char **cols, size_t n, int deferrable, int deferred)
{
	qp_table *t = ti->t;
	const char *name = qp_json_get_str(k, "conname"), *rs, *rn;
	const char *match = qp_json_get_str(k, "fk_matchtype"), *upd = qp_json_get_str(k, "fk_upd_action"),
	           *del = qp_json_get_str(k, "fk_del_action");
	const char **ref = NULL;
	size_t n_ref, i;
	relent *r;
	ukey *u;
	qp_constraint *c;
	qp_buf def = QP_BUF_INIT, add = QP_BUF_INIT;
	int error;

	if ((error = con_unsupported(x, k)) != 0)
		return error;
	if (!qp_json_true(qp_json_get(k, "initially_valid")))
		return stop(x, "a NOT VALID foreign key");
	if ((error = range_var(x, qp_json_get(k, "pktable"), &rs, &rn)) != 0)
		return error;
	if (!(r = rel_get(x, rs, rn)) || r->kind != 't')
		return stop(x, "a foreign key to %s, which the models do not create as a table before it", rn);
	if ((error = key_list(x, qp_json_get(k, "pk_attrs"), &ref, &n_ref)) != 0)
		return error;
	if (!n_ref) {
		for (u = r->ti->keys; u && !u->primary; u = u->next)
			;
		if (!u)
			return stop(x, "a foreign key to %s, which has no primary key", rn);
		ref = u->cols;
		n_ref = u->n;
	}
	if (n_ref != n || !n)
		return stop(x, "a foreign key whose column counts differ");
	for (i = 0; i < n; i++) {
		qp_column *a = column_of(t, cols[i]), *b = column_of(r->ti->t, ref[i]);
		if (!a || !b)
			return stop(x, "a foreign key column that is not found");
		if (!fk_types_ok(ctype_of(x, a), ctype_of(x, b)))
			return stop(x, "a foreign key between %s and %s, types not reproduced here", ctype_of(x, a)->fmt,
			            ctype_of(x, b)->fmt);
	}
	/* the first unique key (creation order) whose columns are the referenced set */
	for (u = r->ti->keys; u; u = u->next) {
		size_t j, hit = 0;
		if (u->n != n_ref || u->deferrable)
			continue;
		for (i = 0; i < n_ref; i++)
			for (j = 0; j < u->n; j++)
				hit += !strcmp(ref[i], u->cols[j]);
		if (hit == n_ref)
			break;
	}
	if (!u)
		return stop(x, "a foreign key to %s whose columns are no unique key there", rn);
	if (!match || !upd || !del || !fk_action(upd[0]) || !fk_action(del[0]) || (match[0] != 's' && match[0] != 'f'))
		return stop(x, "a foreign key option that is not reproduced here");
	if (name) {
		if (strlen(name) > NAMEMAX || qp_model_find(x->m, QP_K_FKEY, t->h.schema, t->h.name, name))
			return stop(x, "constraint name %s is taken or too long", name);
	} else {
		qp_pg_name_addition(&add, cols, n);
		name = choose_name(x, t->h.schema, t->h.name, qp_buf_cstr(&add), "fkey", 0, 1);
		qp_buf_release(&add);
		if (!name)
			return QUIPU_ENOMEM;
	}
	if (!(c = qp_model_add(x->m, sizeof(*c), QP_K_FKEY, t->h.schema, name, t)))
		return qp_error_code() ? qp_error_code() : QUIPU_ENOMEM;
	qp_buf_puts(&def, "FOREIGN KEY ");
	put_cols(&def, cols, n);
	qp_buf_puts(&def, " REFERENCES ");
	put_relname(&def, rs, rn);
	put_cols(&def, ref, n_ref);
	if (match[0] == 'f')
		qp_buf_puts(&def, " MATCH FULL");
	if (*fk_action(upd[0]))
		qp_buf_printf(&def, " ON UPDATE %s", fk_action(upd[0]));
	if (*fk_action(del[0]))
		qp_buf_printf(&def, " ON DELETE %s", fk_action(del[0]));
	put_deferral(&def, deferrable, deferred);
	c->def = def.oom ? NULL : arena_dup(x, qp_buf_cstr(&def));
	qp_buf_release(&def);
	c->deferrable = deferrable;
	c->deferred = deferred;
	c->named = 1;
	c->ref_key = r->ti->t->h.key;
	if (!c->def)
		return QUIPU_ENOMEM;
	if ((error = deps_on_cols(x, &c->h, t, cols, n)) != 0 || (error = deps_on_cols(x, &c->h, r->ti->t, ref, n_ref)) != 0)
		return error;
	if (qp_model_dep(x->m, &c->h, u->obj) < 0)
		return QUIPU_ENOMEM;
	return con_put(x, t->h.schema, name);
}

/* Deferral of a constraint: its own flags (table constraints) or the
 * CONSTR_ATTR_* nodes after it (column constraints, `attrs`). */
static int deferral(pp *x, const qp_json *k, const qp_json *const *attrs, size_t n, int *deferrable, int *deferred)
{
	size_t i;
	int saw_def = 0, saw_init = 0;

	*deferrable = qp_json_true(qp_json_get(k, "deferrable"));
	*deferred = qp_json_true(qp_json_get(k, "initdeferred"));
	for (i = 0; i < n; i++) {
		const char *ct = qp_json_get_str(attrs[i], "contype");
		if (!strcmp(ct, "CONSTR_ATTR_DEFERRABLE") || !strcmp(ct, "CONSTR_ATTR_NOT_DEFERRABLE")) {
			if (saw_def++)
				return stop(x, "conflicting constraint attributes");
			*deferrable = ct[12] == 'D';
			if (!*deferrable && *deferred)
				return stop(x, "conflicting constraint attributes");
		} else {
			if (saw_init++)
				return stop(x, "conflicting constraint attributes");
			*deferred = !strcmp(ct, "CONSTR_ATTR_DEFERRED");
			if (*deferred && saw_def && !*deferrable)
				return stop(x, "conflicting constraint attributes");
			if (*deferred)
				*deferrable = 1;
		}
	}
	if (*deferred && !*deferrable)
		*deferrable = 1;
	return 0;
}

/* ---- tables ----------------------------------------------------------- */

typedef struct pending {
	const qp_json *k;      /* the Constraint */
	const char **cols;     /* its columns */
	size_t n;
	int deferrable, deferred;
	char type;             /* 'p', 'u', 'f' */
	struct pending *next;
} pending;

static int version_table(pp *x, const char *schema, const char *name)
{
	const char *vs = x->o->version_schema ? x->o->version_schema : "public";
	size_t n;

	if (!x->o->version_table || strcmp(schema, vs))
		return 0;
	n = strlen(x->o->version_table);
	return !strcmp(name, x->o->version_table) || (!strncmp(name, x->o->version_table, n) && !strcmp(name + n, "_log"));
}

/* A column of a CREATE TABLE or ALTER TABLE ADD COLUMN: the column, its
 * serial sequence or identity, NOT NULL, default; its key and foreign key
 * constraints go to *pend (in order). */
/* Does a ColumnDef carry an option not reproduced here? One pass over its
 * members (a lookup per option was a tenth of reading a column). */
static int column_option(const qp_json *cd)
{
	static const char *const options[] = {"collClause", "raw_default", "cooked_default", "fdwoptions",
	                                      "compression", "storage", "identitySequence", "generated"};
	const char *key;
	size_t i, k;

	for (i = 0; qp_json_member(cd, i, &key); i++)
		for (k = 0; k < sizeof(options) / sizeof(options[0]); k++)
			if (key[0] == options[k][0] && !strcmp(key, options[k]))
				return 1;
	return 0;
}

static int add_column(pp *x, tinfo *ti, const qp_json *cd, pending **pend, pending **pend_last)
{
	qp_table *t = ti->t;
	const char *name = qp_json_get_str(cd, "colname");
	const qp_json *cons = qp_json_get(cd, "constraints");
	const qp_json *dflt = NULL, *ident = NULL;
	ctype parsed, *ty = &parsed;
	qp_column *c;
	qp_obj *dep = NULL;
	size_t i;
	int serial = 0, error, saw_null = 0, saw_notnull = 0;

	if (!name || strlen(name) > NAMEMAX)
		return stop(x, "a column name that is not reproduced here");
	if (column_option(cd))
		return stop(x, "column %s: an option that is not reproduced here", name);
	if (column_of(t, name))
		return stop(x, "column %s twice in %s (the server refuses it)", name, t->h.name);
	if ((error = type_name(x, qp_json_get(cd, "typeName"), &parsed, &serial)) != 0)
		return error;
	if (!(ty = ctype_intern(x, &parsed)))
		return QUIPU_ENOMEM;
	if (!(c = qp_model_add(x->m, sizeof(*c), QP_K_COLUMN, t->h.schema, name, t)))
		return qp_error_code() ? qp_error_code() : QUIPU_ENOMEM;
	c->num = ti->next_num++;
	c->type = ty->fmt;
	if (c->h.pos >= x->n_ctypes) {
		size_t n = x->n_ctypes ? x->n_ctypes * 2 : 1024;
		ctype **grown;
		while (n <= c->h.pos)
			n *= 2;
		if (!(grown = realloc(x->ctypes, n * sizeof(*grown))))
			return QUIPU_ENOMEM;
		memset(grown + x->n_ctypes, 0, (n - x->n_ctypes) * sizeof(*grown));
		x->ctypes = grown;
		x->n_ctypes = n;
	}
	x->ctypes[c->h.pos] = ty;
	if (ty->e && qp_model_dep(x->m, &c->h, &ty->e->h) < 0)
		return QUIPU_ENOMEM;
	for (i = 0; i < qp_json_len(cons); i++) {
		const qp_json *k = qp_json_get(qp_json_at(cons, i), "Constraint");
		const char *ct = qp_json_get_str(k, "contype");
		const qp_json *attrs[2];
		size_t n_attrs = 0;
		pending *p;
		if (!ct)
			return stop(x, "a column constraint that is not reproduced here");
		if (!strcmp(ct, "CONSTR_NOTNULL")) {
			if (saw_null)
				return stop(x, "conflicting NULL/NOT NULL (the server refuses it)");
			saw_notnull = 1;
			c->not_null = 1;
			continue;
		}
		if (!strcmp(ct, "CONSTR_NULL")) {
			if (saw_notnull)
				return stop(x, "conflicting NULL/NOT NULL (the server refuses it)");
			saw_null = 1;
			continue;
		}
		if (!strcmp(ct, "CONSTR_DEFAULT")) {
			if (dflt)
				return stop(x, "two defaults for one column (the server refuses it)");
			dflt = qp_json_get(k, "raw_expr");
			continue;
		}
		if (!strcmp(ct, "CONSTR_IDENTITY")) {
			if (ident)
				return stop(x, "two identities for one column");
			ident = k;
			continue;
		}
		if (strcmp(ct, "CONSTR_PRIMARY") && strcmp(ct, "CONSTR_UNIQUE") && strcmp(ct, "CONSTR_FOREIGN"))
			return stop(x, "column %s: a constraint (%s) that is not reproduced here: the scratch database renders it",
			            name, ct + 7);
		if (qp_json_get(k, "conname") && strlen(qp_json_get_str(k, "conname")) > NAMEMAX)
			return stop(x, "a constraint name longer than 63 bytes");
		while (i + 1 < qp_json_len(cons) && n_attrs < 2) {
			const qp_json *nk = qp_json_get(qp_json_at(cons, i + 1), "Constraint");
			const char *nct = qp_json_get_str(nk, "contype");
			if (!nct || strncmp(nct, "CONSTR_ATTR_", 12))
				break;
			attrs[n_attrs++] = nk;
			i++;
		}
		if (!(p = qp_arena_alloc(&x->a, sizeof(*p))) || !(p->cols = qp_arena_alloc(&x->a, sizeof(*p->cols))))
			return QUIPU_ENOMEM;
		p->k = k;
		p->cols[0] = c->h.name;
		p->n = 1;
		p->type = ct[7] == 'P' ? 'p' : ct[7] == 'U' ? 'u' : 'f';
		if ((error = deferral(x, k, attrs, n_attrs, &p->deferrable, &p->deferred)) != 0)
			return error;
		if (*pend_last)
			(*pend_last)->next = p;
		else
			*pend = p;
		*pend_last = p;
	}
	if (serial && (dflt || ident))
		return stop(x, "a serial column with a default (the server refuses it)");
	if (dflt && ident)
		return stop(x, "an identity column with a default (the server refuses it)");
	if (serial) {
		seqopts so;
		qp_sequence *s;
		const char *sn = choose_name(x, t->h.schema, t->h.name, name, "seq", 0, 0);
		qp_buf d = QP_BUF_INIT, nm = QP_BUF_INIT;
		if (!sn)
			return QUIPU_ENOMEM;
		memset(&so, 0, sizeof(so));
		so.type = serial;
		if ((error = seq_options(x, NULL, &so, 1)) != 0 || (error = seq_create(x, &s, t->h.schema, sn, &so)) < 0)
			return error;
		s->owned_by = c->h.key;
		put_relname(&nm, t->h.schema, sn);
		qp_buf_puts(&d, "nextval(");
		qp_buf_put_literal(&d, qp_buf_cstr(&nm));
		qp_buf_puts(&d, "::regclass)");
		c->dflt = d.oom || nm.oom ? NULL : arena_dup(x, qp_buf_cstr(&d));
		qp_buf_release(&d);
		qp_buf_release(&nm);
		if (!c->dflt)
			return QUIPU_ENOMEM;
		c->not_null = 1;
		dep = &s->h;
	} else if (ident) {
		seqopts so;
		qp_buf b = QP_BUF_INIT;
		const char *when = qp_json_get_str(ident, "generated_when"), *sn;
		if (!is_family(ty, 'i'))
			return stop(x, "an identity column of type %s (the server refuses it)", ty->fmt);
		if (saw_null)
			return stop(x, "conflicting NULL/NOT NULL (the server refuses it)");
		memset(&so, 0, sizeof(so));
		so.type = ty->b->name[3] - '0';
		if ((error = seq_options(x, qp_json_get(ident, "options"), &so, 1)) != 0)
			return error;
		if (so.owned_by)
			return stop(x, "an identity with OWNED BY");
		if (!(sn = choose_name(x, t->h.schema, t->h.name, name, "seq", 0, 0)) ||
		    rel_put(x, t->h.schema, sn, 'I', NULL, NULL) < 0)
			return QUIPU_ENOMEM;
		c->identity = when && when[0] == 'a' ? 'a' : 'd';
		c->not_null = 1;
		qp_seq_options(&b, c->type, i64(x, so.start), i64(x, so.inc), i64(x, so.min), i64(x, so.max),
		               i64(x, so.cache), so.cycle);
		c->ident_opts = b.oom ? NULL : arena_dup(x, qp_buf_cstr(&b));
		qp_buf_release(&b);
		if (!c->ident_opts)
			return QUIPU_ENOMEM;
	} else if (dflt) {
		if ((error = render_default(x, dflt, ty, &c->dflt, &dep)) != 0)
			return error;
	}
	if (dep && qp_model_dep(x->m, &c->h, dep) < 0)
		return QUIPU_ENOMEM;
	return 0;
}

/* Names and makes the keys (primary key first), then the foreign keys. */
static int add_constraints(pp *x, tinfo *ti, pending *pend)
{
	pending *p, *q;
	int pass, error;

	/* the server drops a key that repeats another's columns: not reproduced */
	for (p = pend; p; p = p->next)
		for (q = p->next; q; q = q->next)
			if (p->type != 'f' && q->type != 'f' && p->n == q->n) {
				size_t i;
				for (i = 0; i < p->n && !strcmp(p->cols[i], q->cols[i]); i++)
					;
				if (i == p->n)
					return stop(x, "two keys on the same columns of %s", ti->t->h.name);
			}
	for (pass = 0; pass < 3; pass++)
		for (p = pend; p; p = p->next) {
			if ((pass == 0 && p->type != 'p') || (pass == 1 && p->type != 'u') || (pass == 2 && p->type != 'f'))
				continue;
			if (p->type == 'f')
				error = add_fkey(x, ti, p->k, p->cols, p->n, p->deferrable, p->deferred);
			else
				error = add_key(x, ti, p->k, p->type == 'p', p->cols, p->n, p->deferrable, p->deferred);
			if (error)
				return error;
		}
	return 0;
}

/* A table constraint (CREATE TABLE's or ALTER TABLE ADD) as a pending entry. */
static int table_constraint(pp *x, const qp_json *k, pending **pend, pending **last)
{
	const char *ct = qp_json_get_str(k, "contype");
	pending *p;
	int error;

	if (!ct || (strcmp(ct, "CONSTR_PRIMARY") && strcmp(ct, "CONSTR_UNIQUE") && strcmp(ct, "CONSTR_FOREIGN")))
		return stop(x, "a table constraint (%s) that is not reproduced here: the scratch database renders it",
		            ct ? ct + 7 : "?");
	if (qp_json_get(k, "conname") && strlen(qp_json_get_str(k, "conname")) > NAMEMAX)
		return stop(x, "a constraint name longer than 63 bytes");
	if (!(p = qp_arena_alloc(&x->a, sizeof(*p))))
		return QUIPU_ENOMEM;
	p->k = k;
	p->type = ct[7] == 'P' ? 'p' : ct[7] == 'U' ? 'u' : 'f';
	if ((error = key_list(x, qp_json_get(k, p->type == 'f' ? "fk_attrs" : "keys"), &p->cols, &p->n)) != 0 ||
	    (error = deferral(x, k, NULL, 0, &p->deferrable, &p->deferred)) != 0)
		return error;
	if (*last)
		(*last)->next = p;
	else
		*pend = p;
	*last = p;
	return 0;
}

static int create_table(pp *x, const qp_json *st)
{
	static const char *const bad[] = {"inhRelations", "partbound", "partspec", "ofTypename", "options",
	                                  "tablespacename", "accessMethod", "constraints"};
	const char *schema, *name, *oc = qp_json_get_str(st, "oncommit");
	const qp_json *elts = qp_json_get(st, "tableElts");
	qp_table *t;
	tinfo *ti;
	qp_obj *sch;
	pending *pend = NULL, *last = NULL;
	size_t i, n_cols;
	int error;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (qp_json_get(st, bad[i]))
			return stop(x, "CREATE TABLE with %s, not reproduced here", bad[i]);
	if (oc && strcmp(oc, "ONCOMMIT_NOOP"))
		return stop(x, "CREATE TABLE ... ON COMMIT");
	if ((error = range_var(x, qp_json_get(st, "relation"), &schema, &name)) != 0)
		return error;
	if (rel_get(x, schema, name)) {
		if (qp_json_true(qp_json_get(st, "if_not_exists")))
			return 0;
		return stop(x, "relation %s already exists (the server refuses it)", name);
	}
	if (qp_model_find(x->m, QP_K_ENUM, schema, NULL, name))
		return stop(x, "table %s has the name of a type (the server refuses it)", name);
	if (version_table(x, schema, name))
		return stop(x, "the models create the version table %s", name);
	if (!(t = qp_model_add(x->m, sizeof(*t), QP_K_TABLE, schema, name, NULL)) || !(ti = qp_arena_alloc(&x->a, sizeof(*ti))))
		return qp_error_code() ? qp_error_code() : QUIPU_ENOMEM;
	t->persistence = qp_json_get_str(qp_json_get(st, "relation"), "relpersistence")[0];
	ti->t = t;
	ti->next_num = 1;
	/* the column list at its size (grown by doubling it would leave its
	 * smaller copies behind in the arena) */
	for (i = 0, n_cols = 0; i < qp_json_len(elts); i++) {
		const qp_json *v;
		const char *kind = qp_json_node(qp_json_at(elts, i), &v);
		n_cols += kind && !strcmp(kind, "ColumnDef");
	}
	if ((error = qp_table_reserve_cols(x->m, t, n_cols)) < 0)
		return error;
	if ((sch = qp_model_find(x->m, QP_K_SCHEMA, "", NULL, schema)))
		qp_model_dep(x->m, &t->h, sch);
	for (i = 0; i < qp_json_len(elts); i++) {
		const qp_json *v;
		const char *kind = qp_json_node(qp_json_at(elts, i), &v);
		if (kind && !strcmp(kind, "ColumnDef"))
			error = add_column(x, ti, v, &pend, &last);
		else if (kind && !strcmp(kind, "Constraint"))
			error = table_constraint(x, v, &pend, &last);
		else
			return stop(x, "CREATE TABLE with %s, not reproduced here", kind ? kind : "?");
		if (error)
			return error;
	}
	/* the table's name is taken after its serial sequences were named */
	if ((error = rel_put(x, schema, name, 't', &t->h, ti)) < 0)
		return error;
	return add_constraints(x, ti, pend);
}

/* ---- ALTER TABLE ------------------------------------------------------- */

static int alter_table(pp *x, const qp_json *st)
{
	const char *schema, *name, *ot = qp_json_get_str(st, "objtype");
	const qp_json *cmds = qp_json_get(st, "cmds");
	relent *r;
	size_t i;
	int error;

	if (ot && strcmp(ot, "OBJECT_TABLE"))
		return stop(x, "ALTER %s, not reproduced here", ot + 7);
	if ((error = range_var(x, qp_json_get(st, "relation"), &schema, &name)) != 0)
		return error;
	if (!(r = rel_get(x, schema, name)) || r->kind != 't') {
		if (qp_json_true(qp_json_get(st, "missing_ok")) && !r)
			return 0;
		return stop(x, "ALTER TABLE %s, which the models do not create as a table before it", name);
	}
	for (i = 0; i < qp_json_len(cmds); i++) {
		const qp_json *c = qp_json_get(qp_json_at(cmds, i), "AlterTableCmd");
		const char *sub = qp_json_get_str(c, "subtype"), *cn = qp_json_get_str(c, "name");
		qp_column *col;
		if (!sub)
			return stop(x, "an ALTER TABLE command that is not reproduced here");
		if (!strcmp(sub, "AT_AddConstraint")) {
			pending *pend = NULL, *last = NULL;
			if ((error = table_constraint(x, qp_json_get(qp_json_get(c, "def"), "Constraint"), &pend, &last)) != 0 ||
			    (error = add_constraints(x, r->ti, pend)) != 0)
				return error;
		} else if (!strcmp(sub, "AT_ColumnDefault") && cn && (col = column_of(r->ti->t, cn))) {
			qp_obj *dep = NULL;
			const qp_json *d = qp_json_get(c, "def");
			if (col->identity)
				return stop(x, "a default on an identity column (the server refuses it)");
			if (col->dflt)
				return stop(x, "a second default on %s.%s, not reproduced here", name, cn);
			if (d && (error = render_default(x, d, ctype_of(x, col), &col->dflt, &dep)) != 0)
				return error;
			if (dep && qp_model_dep(x->m, &col->h, dep) < 0)
				return QUIPU_ENOMEM;
		} else if (!strcmp(sub, "AT_SetNotNull") && cn && (col = column_of(r->ti->t, cn))) {
			col->not_null = 1;
		} else if (!strcmp(sub, "AT_AddColumn") && !qp_json_true(qp_json_get(c, "missing_ok"))) {
			pending *pend = NULL, *last = NULL;
			if ((error = add_column(x, r->ti, qp_json_get(qp_json_get(c, "def"), "ColumnDef"), &pend, &last)) != 0 ||
			    (error = add_constraints(x, r->ti, pend)) != 0)
				return error;
		} else {
			return stop(x, "ALTER TABLE %s (%s), not reproduced here", name, sub + 3);
		}
	}
	return 0;
}

/* ---- CREATE INDEX ------------------------------------------------------ */

static int create_index(pp *x, const qp_json *st)
{
	static const char *const bad[] = {"indexIncludingParams", "options", "whereClause", "excludeOpNames",
	                                  "tableSpace", "idxcomment", "indexOid", "oldNode"};
	const char *schema, *tname, *name = qp_json_get_str(st, "idxname"), *am = qp_json_get_str(st, "accessMethod");
	const qp_json *params = qp_json_get(st, "indexParams");
	const char **cols;
	size_t n = qp_json_len(params), i, j;
	int unique = qp_json_true(qp_json_get(st, "unique")), error;
	relent *r;
	qp_table *t;
	qp_index *ix;
	qp_buf head = QP_BUF_INIT, tail = QP_BUF_INIT, add = QP_BUF_INIT;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (qp_json_get(st, bad[i]))
			return stop(x, "CREATE INDEX with %s, not reproduced here: the scratch database renders it", bad[i]);
	if (qp_json_true(qp_json_get(st, "nulls_not_distinct")) || qp_json_true(qp_json_get(st, "primary")) ||
	    qp_json_true(qp_json_get(st, "isconstraint")))
		return stop(x, "a CREATE INDEX option that is not reproduced here");
	if (am && strcmp(am, "btree"))
		return stop(x, "a %s index, not reproduced here: the scratch database renders it", am);
	if ((error = range_var(x, qp_json_get(st, "relation"), &schema, &tname)) != 0)
		return error;
	if (!(r = rel_get(x, schema, tname)) || r->kind != 't')
		return stop(x, "an index on %s, which the models do not create as a table before it", tname);
	t = r->ti->t;
	if (!n || !(cols = qp_arena_alloc(&x->a, n * sizeof(*cols))))
		return n ? QUIPU_ENOMEM : stop(x, "an index without columns");
	qp_buf_puts(&tail, " ON ");
	qp_sql_ident(&tail, QP_DIALECT_PG, schema);
	qp_buf_putc(&tail, '.');
	qp_sql_ident(&tail, QP_DIALECT_PG, tname);
	qp_buf_puts(&tail, " USING btree (");
	for (i = 0; i < n; i++) {
		const qp_json *e = qp_json_get(qp_json_at(params, i), "IndexElem");
		const char *cn = qp_json_get_str(e, "name"), *ord = qp_json_get_str(e, "ordering"),
		           *nulls = qp_json_get_str(e, "nulls_ordering");
		qp_column *c;
		ctype *ct;
		int desc, nfirst;
		if (!e || !cn || qp_json_get(e, "expr") || qp_json_get(e, "collation") || qp_json_get(e, "opclass") ||
		    qp_json_get(e, "opclassopts") || qp_json_get(e, "indexcolname")) {
			error = stop(x, "an index on an expression or with an operator class or collation, not reproduced here");
			goto done;
		}
		if (!(c = column_of(t, cn)) || !(ct = ctype_of(x, c)) || (ct->b && !ct->b->btree)) {
			error = stop(x, "an index on column %s, not found or without a btree operator class", cn);
			goto done;
		}
		for (j = 0; j < i; j++)
			if (!strcmp(cols[j], cn)) {
				error = stop(x, "an index naming a column twice, not reproduced here");
				goto done;
			}
		cols[i] = c->h.name;
		desc = ord && !strcmp(ord, "SORTBY_DESC");
		if (ord && strcmp(ord, "SORTBY_DESC") && strcmp(ord, "SORTBY_ASC") && strcmp(ord, "SORTBY_DEFAULT")) {
			error = stop(x, "an index ordering that is not reproduced here");
			goto done;
		}
		nfirst = nulls && !strcmp(nulls, "SORTBY_NULLS_FIRST") ? 1 : nulls && !strcmp(nulls, "SORTBY_NULLS_LAST") ? 0 : desc;
		if (i)
			qp_buf_puts(&tail, ", ");
		qp_sql_ident(&tail, QP_DIALECT_PG, cn);
		if (desc)
			qp_buf_puts(&tail, nfirst ? " DESC" : " DESC NULLS LAST");
		else if (nfirst)
			qp_buf_puts(&tail, " NULLS FIRST");
	}
	qp_buf_putc(&tail, ')');
	if (name) {
		if (strlen(name) > NAMEMAX) {
			error = stop(x, "an index name longer than 63 bytes");
			goto done;
		}
		if (rel_get(x, schema, name)) {
			error = qp_json_true(qp_json_get(st, "if_not_exists")) ? 0 : stop(x, "relation %s already exists", name);
			goto done;
		}
	} else {
		qp_pg_name_addition(&add, cols, n);
		if (!(name = choose_name(x, schema, tname, qp_buf_cstr(&add), "idx", 0, 0))) {
			error = QUIPU_ENOMEM;
			goto done;
		}
	}
	if (!(ix = qp_model_add(x->m, sizeof(*ix), QP_K_INDEX, schema, name, t))) {
		error = qp_error_code() ? qp_error_code() : QUIPU_ENOMEM;
		goto done;
	}
	qp_buf_puts(&head, unique ? "CREATE UNIQUE INDEX" : "CREATE INDEX");
	ix->cmp = head.oom || tail.oom ? NULL : qp_arena_printf(&x->m->arena, "%s%s", qp_buf_cstr(&head), qp_buf_cstr(&tail));
	qp_buf_putc(&head, ' ');
	qp_sql_ident(&head, QP_DIALECT_PG, name);
	ix->def = head.oom ? NULL : qp_arena_printf(&x->m->arena, "%s%s", qp_buf_cstr(&head), qp_buf_cstr(&tail));
	ix->unique = unique;
	if (!ix->cmp || !ix->def) {
		error = QUIPU_ENOMEM;
		goto done;
	}
	if ((error = deps_on_cols(x, &ix->h, t, cols, n)) != 0 || (error = rel_put(x, schema, name, 'i', &ix->h, NULL)) < 0)
		goto done;
	if (unique)
		error = add_ukey(x, r->ti, cols, n, &ix->h, 0, 0);
done:
	qp_buf_release(&head);
	qp_buf_release(&tail);
	qp_buf_release(&add);
	return error;
}

/* ---- sequences, enums, schemas, comments -------------------------------- */

static int create_sequence(pp *x, const qp_json *st)
{
	const char *schema, *name;
	seqopts so;
	qp_sequence *s;
	int error;

	if ((error = range_var(x, qp_json_get(st, "sequence"), &schema, &name)) != 0)
		return error;
	if (rel_get(x, schema, name))
		return qp_json_true(qp_json_get(st, "if_not_exists")) ? 0 : stop(x, "relation %s already exists", name);
	if (qp_json_get(st, "ownerId") || qp_json_true(qp_json_get(st, "for_identity")))
		return stop(x, "a CREATE SEQUENCE option that is not reproduced here");
	memset(&so, 0, sizeof(so));
	so.type = 8;
	if ((error = seq_options(x, qp_json_get(st, "options"), &so, 0)) != 0 ||
	    (error = seq_create(x, &s, schema, name, &so)) < 0)
		return error;
	return so.owned_by ? seq_owned_by(x, s, so.owned_by) : 0;
}

static int alter_sequence(pp *x, const qp_json *st)
{
	const char *schema, *name;
	const qp_json *opts = qp_json_get(st, "options");
	relent *r;
	int error;

	if ((error = range_var(x, qp_json_get(st, "sequence"), &schema, &name)) != 0)
		return error;
	if (!(r = rel_get(x, schema, name)) || r->kind != 'S')
		return stop(x, "ALTER SEQUENCE %s, which the models do not create before it", name);
	if (qp_json_len(opts) != 1 || strcmp(qp_json_get_str(qp_json_get(qp_json_at(opts, 0), "DefElem"), "defname") ?
	                                     qp_json_get_str(qp_json_get(qp_json_at(opts, 0), "DefElem"), "defname") : "",
	                                     "owned_by"))
		return stop(x, "ALTER SEQUENCE other than OWNED BY, not reproduced here");
	return seq_owned_by(x, (qp_sequence *)r->obj, qp_json_get(qp_json_get(qp_json_at(opts, 0), "DefElem"), "arg"));
}

static int create_enum(pp *x, const qp_json *st)
{
	const char *names[2], *schema;
	const qp_json *vals = qp_json_get(st, "vals");
	size_t n, i, j;
	qp_enum *e;
	qp_obj *sch;

	if (name_list(qp_json_get(st, "typeName"), names, 2, &n) < 0 || n < 1)
		return stop(x, "a type name that is not resolved here");
	schema = n == 2 ? names[0] : default_schema(x);
	if (!schema || !schema_exists(x, schema))
		return stop(x, "a type in a schema that is not resolved here");
	if (strlen(names[n - 1]) > NAMEMAX || qp_pg_is_catalog_type(names[n - 1]) || rel_get(x, schema, names[n - 1]) ||
	    qp_model_find(x->m, QP_K_ENUM, schema, NULL, names[n - 1]))
		return stop(x, "type name %s is taken, reserved or shadowed by a system type", names[n - 1]);
	if (!(e = qp_model_add(x->m, sizeof(*e), QP_K_ENUM, schema, names[n - 1], NULL)))
		return qp_error_code() ? qp_error_code() : QUIPU_ENOMEM;
	e->n_vals = qp_json_len(vals);
	if (!(e->vals = qp_arena_alloc(&x->m->arena, (e->n_vals + 1) * sizeof(*e->vals))))
		return QUIPU_ENOMEM;
	for (i = 0; i < e->n_vals; i++) {
		const char *v = sval(qp_json_at(vals, i));
		if (!v || strlen(v) > NAMEMAX || !*v)
			return stop(x, "an enum label that is not reproduced here");
		for (j = 0; j < i; j++)
			if (!strcmp(e->vals[j], v))
				return stop(x, "an enum label twice (the server refuses it)");
		if (!(e->vals[i] = arena_dup(x, v)))
			return QUIPU_ENOMEM;
	}
	if ((sch = qp_model_find(x->m, QP_K_SCHEMA, "", NULL, schema)))
		qp_model_dep(x->m, &e->h, sch);
	return 0;
}

static int create_schema(pp *x, const qp_json *st)
{
	const char *name = qp_json_get_str(st, "schemaname");

	if (!name || qp_json_get(st, "authrole") || qp_json_get(st, "schemaElts"))
		return stop(x, "CREATE SCHEMA with AUTHORIZATION or elements, not reproduced here");
	if (schema_exists(x, name))
		return qp_json_true(qp_json_get(st, "if_not_exists")) ? 0 : stop(x, "schema %s already exists", name);
	if (!strncmp(name, "pg_", 3) || strlen(name) > NAMEMAX || !strcmp(name, "information_schema"))
		return stop(x, "schema name %s is reserved", name);
	if (!qp_model_add(x->m, sizeof(qp_defobj), QP_K_SCHEMA, "", name, NULL))
		return qp_error_code() ? qp_error_code() : QUIPU_ENOMEM;
	x->n_schemas++;
	return 0;
}

/* The table named by the first n names of a COMMENT's object list. */
static relent *comment_rel(pp *x, const char *const *names, size_t n)
{
	const char *schema = n == 2 ? names[0] : default_schema(x);

	if (n < 1 || n > 2 || !schema)
		return NULL;
	return rel_get(x, schema, names[n - 1]);
}

static int comment(pp *x, const qp_json *st)
{
	const char *ot = qp_json_get_str(st, "objtype"), *text = qp_json_get_str(st, "comment");
	const qp_json *obj = qp_json_get(st, "object");
	const qp_json *items = qp_json_path(obj, "List", "items", NULL);
	const char *names[4];
	size_t n = 0;
	qp_obj *o = NULL;
	relent *r;

	if (!ot)
		return stop(x, "a COMMENT that is not reproduced here");
	if (items && name_list(items, names, 4, &n) < 0)
		return stop(x, "a COMMENT on an object that is not resolved here");
	if (!strcmp(ot, "OBJECT_TABLE") || !strcmp(ot, "OBJECT_SEQUENCE") || !strcmp(ot, "OBJECT_INDEX")) {
		r = comment_rel(x, names, n);
		if (!r || (ot[7] == 'T' && r->kind != 't') || (ot[7] == 'S' && r->kind != 'S') ||
		    (ot[7] == 'I' && r->kind != 'i' && r->kind != 'k'))
			return stop(x, "a COMMENT on a relation the models do not create before it");
		if (r->kind == 'k')
			return 0;   /* the index of a key: not read by introspection either */
		o = r->obj;
	} else if (!strcmp(ot, "OBJECT_COLUMN")) {
		if (n < 2 || !(r = comment_rel(x, names, n - 1)) || r->kind != 't' || !(o = (qp_obj *)column_of(r->ti->t, names[n - 1])))
			return stop(x, "a COMMENT on a column that is not found here");
	} else if (!strcmp(ot, "OBJECT_TABCONSTRAINT")) {
		size_t i;
		if (n < 2 || !(r = comment_rel(x, names, n - 1)) || r->kind != 't')
			return stop(x, "a COMMENT on a constraint that is not found here");
		for (i = 0; i < r->ti->t->n_cons; i++)
			if (!strcmp(r->ti->t->cons[i]->h.name, names[n - 1]))
				o = &r->ti->t->cons[i]->h;
		if (!o)
			return stop(x, "a COMMENT on a constraint that is not found here");
	} else if (!strcmp(ot, "OBJECT_SCHEMA")) {
		const char *s = sval(obj);
		if (s && !strcmp(s, "public"))
			return 0;   /* public itself is not part of the model */
		if (!s || !(o = qp_model_find(x->m, QP_K_SCHEMA, "", NULL, s)))
			return stop(x, "a COMMENT on a schema the models do not create");
	} else if (!strcmp(ot, "OBJECT_TYPE")) {
		ctype t;
		int error = type_name(x, qp_json_get(obj, "TypeName"), &t, NULL);
		if (error)
			return error;
		if (!t.e || t.array)
			return stop(x, "a COMMENT on a type that is not an enum of the models");
		o = &t.e->h;
	} else {
		return stop(x, "COMMENT ON %s, not reproduced here", ot + 7);
	}
	o->comment = text && *text ? arena_dup(x, text) : NULL;
	return text && *text && !o->comment ? QUIPU_ENOMEM : 0;
}

/* ---- settings, transactions, drops -------------------------------------- */

static int variable_set(pp *x, const qp_json *st)
{
	/* settings that do not change what the statements make */
	static const char *const harmless[] = {"statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout",
	                                       "client_min_messages", "check_function_bodies", "xmloption",
	                                       "row_security", "default_with_oids", "synchronous_commit"};
	const char *name = qp_json_get_str(st, "name"), *kind = qp_json_get_str(st, "kind");
	const qp_json *args = qp_json_get(st, "args");
	const qp_json *svn = qp_json_len(args) == 1 ? qp_json_path(qp_json_at(args, 0), "A_Const", "sval", NULL) : NULL;
	const char *val = svn ? (qp_json_get_str(svn, "sval") ? qp_json_get_str(svn, "sval") : "") : NULL;
	size_t i;

	if (!name || !kind || strcmp(kind, "VAR_SET_VALUE"))
		return stop(x, "a SET that is not reproduced here");
	for (i = 0; i < sizeof(harmless) / sizeof(harmless[0]); i++)
		if (!strcmp(name, harmless[i]))
			return 0;
	if ((!strcmp(name, "client_encoding") && val && (!strcasecmp(val, "utf8") || !strcasecmp(val, "utf-8"))) ||
	    (!strcmp(name, "standard_conforming_strings") && val && !strcmp(val, "on")) ||
	    (!strcmp(name, "default_tablespace") && val && !*val) ||
	    (!strcmp(name, "default_table_access_method") && val && !strcmp(val, "heap")))
		return 0;
	if (!strcmp(name, "standard_conforming_strings") && qp_json_len(args) == 1 &&
	    qp_json_path(qp_json_at(args, 0), "A_Const", "sval", NULL) == NULL)
		return stop(x, "SET standard_conforming_strings, not reproduced here");
	return stop(x, "SET %s, not reproduced here", name);
}

/* pg_dump's SELECT pg_catalog.set_config('search_path', '', false). */
static int select_stmt(pp *x, const qp_json *st)
{
	const qp_json *tl = qp_json_get(st, "targetList"), *f, *args;
	const char *names[2], *a0, *a1;
	size_t n;

	if (qp_json_len(tl) != 1 || qp_json_get(st, "fromClause") || qp_json_get(st, "whereClause"))
		return stop(x, "a SELECT statement, not reproduced here");
	f = qp_json_path(qp_json_at(tl, 0), "ResTarget", "val", "FuncCall", NULL);
	args = qp_json_get(f, "args");
	if (!f || name_list(qp_json_get(f, "funcname"), names, 2, &n) < 0 || strcmp(names[n - 1], "set_config") ||
	    (n == 2 && strcmp(names[0], "pg_catalog")) || qp_json_len(args) != 3)
		return stop(x, "a SELECT statement, not reproduced here");
	a0 = qp_json_get_str(qp_json_path(qp_json_at(args, 0), "A_Const", "sval", NULL), "sval");
	a1 = qp_json_get_str(qp_json_path(qp_json_at(args, 1), "A_Const", "sval", NULL), "sval");
	if (!qp_json_path(qp_json_at(args, 1), "A_Const", "sval", NULL))
		return stop(x, "a SELECT statement, not reproduced here");
	if (!a0 || strcmp(a0, "search_path") || (a1 && *a1))
		return stop(x, "set_config other than an empty search_path, not reproduced here");
	x->path_empty = 1;
	return 0;
}

static int transaction(pp *x, const qp_json *st)
{
	const char *kind = qp_json_get_str(st, "kind");

	if (kind && (!strcmp(kind, "TRANS_STMT_BEGIN") || !strcmp(kind, "TRANS_STMT_START") ||
	             !strcmp(kind, "TRANS_STMT_COMMIT")) && !qp_json_get(st, "options"))
		return 0;
	return stop(x, "a transaction statement (%s), not reproduced here", kind ? kind : "?");
}

/* DROP ... IF EXISTS of something the models have not made: nothing. */
static int drop(pp *x, const qp_json *st)
{
	const char *rt = qp_json_get_str(st, "removeType");
	const qp_json *objs = qp_json_get(st, "objects");
	size_t i;

	if (!qp_json_true(qp_json_get(st, "missing_ok")) || !rt || qp_json_true(qp_json_get(st, "concurrent")))
		return stop(x, "a DROP, not reproduced here");
	for (i = 0; i < qp_json_len(objs); i++) {
		const char *names[3], *schema;
		size_t n;
		if (!strcmp(rt, "OBJECT_TABLE") || !strcmp(rt, "OBJECT_SEQUENCE") || !strcmp(rt, "OBJECT_INDEX") ||
		    !strcmp(rt, "OBJECT_VIEW")) {
			if (name_list(qp_json_path(qp_json_at(objs, i), "List", "items", NULL), names, 3, &n) < 0 || n < 1 || n > 2)
				return stop(x, "a DROP, not reproduced here");
			schema = n == 2 ? names[0] : default_schema(x);
			if (!schema || rel_get(x, schema, names[n - 1]) || !strncmp(names[n - 1], "pg_", 3))
				return stop(x, "a DROP of something that exists, not reproduced here");
		} else {
			return stop(x, "DROP %s, not reproduced here", rt + 7);
		}
	}
	return 0;
}

/* What a statement kind is, for the reason. */
static const char *describe(const char *kind)
{
	static const struct {
		const char *node, *what;
	} names[] = {
		{"ViewStmt", "a view"}, {"CreateTableAsStmt", "a materialized view or CREATE TABLE AS"},
		{"CreateFunctionStmt", "a function"}, {"CreateTrigStmt", "a trigger"},
		{"CreateExtensionStmt", "an extension"}, {"CreateDomainStmt", "a domain"},
		{"CompositeTypeStmt", "a composite type"}, {"InsertStmt", "data (INSERT)"},
		{"DefineStmt", "an aggregate, operator or type"}, {"RuleStmt", "a rule"},
		{"CreatePolicyStmt", "a policy"}, {"GrantStmt", "a GRANT"}, {"DoStmt", "a DO block"},
		{"AlterOwnerStmt", "an OWNER TO"}, {"CreateEventTrigStmt", "an event trigger"},
		{"UpdateStmt", "data (UPDATE)"}, {"DeleteStmt", "data (DELETE)"},
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(names[i].node, kind))
			return names[i].what;
	return kind;
}

static int statement(pp *x, const qp_json *stmt)
{
	const qp_json *v;
	const char *kind = qp_json_node(stmt, &v);

	if (!kind)
		return stop(x, "an empty statement");
	if (!strcmp(kind, "CreateStmt"))
		return create_table(x, v);
	if (!strcmp(kind, "IndexStmt"))
		return create_index(x, v);
	if (!strcmp(kind, "AlterTableStmt"))
		return alter_table(x, v);
	if (!strcmp(kind, "CreateSeqStmt"))
		return create_sequence(x, v);
	if (!strcmp(kind, "AlterSeqStmt"))
		return alter_sequence(x, v);
	if (!strcmp(kind, "CreateEnumStmt"))
		return create_enum(x, v);
	if (!strcmp(kind, "CreateSchemaStmt"))
		return create_schema(x, v);
	if (!strcmp(kind, "CommentStmt"))
		return comment(x, v);
	if (!strcmp(kind, "VariableSetStmt"))
		return variable_set(x, v);
	if (!strcmp(kind, "SelectStmt"))
		return select_stmt(x, v);
	if (!strcmp(kind, "TransactionStmt"))
		return transaction(x, v);
	if (!strcmp(kind, "DropStmt"))
		return drop(x, v);
	return stop(x, "%s, not reproduced here: the scratch database renders it", describe(kind));
}

/* ---- the entry points --------------------------------------------------- */

/* The statements of one tree, whose locations count from `base` in x->text. */
static int statements(pp *x, const qp_json *tree, size_t base)
{
	const qp_json *stmts = qp_json_get(tree, "stmts");
	size_t i;
	int error = 0;

	x->base = base;
	for (i = 0; i < qp_json_len(stmts) && !error; i++) {
		const qp_json *raw = qp_json_at(stmts, i);
		x->stmt_loc = (int)(base + (size_t)qp_json_int(qp_json_get(raw, "stmt_location"), 0));
		error = statement(x, qp_json_get(raw, "stmt"));
	}
	return error;
}

/* sql parsed by one pg_query_parse and made into the model; its locations
 * count from `loc` in the whole text (0: sql is the whole text). The JSON
 * and the tree are freed on return. */
static int parse_at(pp *x, const char *sql, size_t loc)
{
	PgQueryParseResult r = pg_query_parse(sql);
	qp_json *tree = NULL;
	int error = 0;

	if (r.error) {
		/* where the whole text's parse would have stopped: its line */
		x->stmt_loc = (int)(loc + (size_t)(r.error->cursorpos > 0 ? r.error->cursorpos - 1 : 0));
		error = stop(x, "does not parse (%s): the scratch database reports it", r.error->message);
		goto done;
	}
	if (x->o->max_json && strlen(r.parse_tree) > *x->o->max_json)
		*x->o->max_json = strlen(r.parse_tree);
	/* the tree takes the JSON text over (no copy): the result no longer frees it */
	error = qp_json_parse_take(&tree, r.parse_tree);
	r.parse_tree = NULL;
	if (error < 0)
		goto done;
	error = statements(x, tree, loc);
done:
	qp_json_free(tree);
	pg_query_free_parse_result(r);
	return error;
}

/* The whole text in one pg_query_parse (qp_parse_opts.whole: what the
 * tests compare the statement-by-statement reading with). */
static int parse_whole(pp *x, const char *sql)
{
	return parse_at(x, sql, 0);
}

/* One piece of the text, x->text[loc, loc + len) (a statement with the
 * blanks and comments before it, starting where the whole text's
 * statement would: just past the previous semicolon), parsed alone and
 * made into the model; its JSON and tree are freed before the next. `buf`
 * (owned by the caller, reused) holds its NUL-terminated copy. */
static int parse_piece(pp *x, qp_buf *buf, size_t loc, size_t len)
{
	qp_buf_truncate(buf, 0);
	qp_buf_put(buf, x->text + loc, len);
	if (buf->oom)
		return QUIPU_ENOMEM;
	return parse_at(x, qp_buf_cstr(buf), loc);
}

/* A text, statement by statement (parse_pg_split.c cuts it): each is
 * parsed, read into the model and freed before the next, so what is held
 * at once is one statement's JSON and tree, not the whole text's (tens of
 * megabytes for thousands of tables). Locations count from the whole text,
 * so reasons name the same file and line as a parse in one piece. */
static int parse_text(pp *x, const char *sql, const char *name)
{
	qp_buf buf = QP_BUF_INIT;
	size_t pos = 0, end;
	int error = 0;

	x->file = name;
	x->text = sql;
	x->text_len = strlen(sql);
	x->base = 0;
	x->line = 1;
	x->line_pos = 0;
	x->stmt_loc = 0;
	if (x->o->whole)
		return parse_whole(x, sql);
	while (pos < x->text_len && !error) {
		end = qp_pg_stmt_end(sql, x->text_len, pos);
		error = parse_piece(x, &buf, pos, end - pos);
		pos = end;
	}
	qp_buf_release(&buf);
	return error;
}

static void pp_release(pp *x)
{
	qp_map_release(&x->rels);
	qp_map_release(&x->cons);
	free(x->ctypes);
	x->ctypes = NULL;
	x->n_ctypes = 0;
	qp_map_release(&x->types);
	qp_map_release(&x->ctype_by_fmt);
	qp_arena_release(&x->a);
}

static int finish(pp *x, int error, int *complete)
{
	*complete = error == 0 && !x->incomplete;
	if (error == STOP)
		error = 0;
	if (error == 0 && *complete)
		qp_model_finish(x->m);
	if (error < 0 && !qp_error_code())
		error = qp_error_oom();
	pp_release(x);
	return error;
}

static void pp_init(pp *x, qp_model *out, qp_buf *reason, const qp_parse_opts *opts)
{
	static const qp_parse_opts none = QP_PARSE_OPTS_INIT;

	memset(x, 0, sizeof(*x));
	qp_model_init(out, QP_DIALECT_PG);
	x->m = out;
	x->o = opts ? opts : &none;
	x->reason = reason;
}

int qp_models_parse_pg_text(qp_model *out, int *complete, qp_buf *reason, const char *sql, const char *name,
                            const qp_parse_opts *opts)
{
	pp x;

	pp_init(&x, out, reason, opts);
	return finish(&x, parse_text(&x, sql, name), complete);
}

int qp_models_parse_pg(qp_model *out, int *complete, qp_buf *reason, const qp_strlist *files,
                       const qp_parse_opts *opts)
{
	pp x;
	char *text = NULL;
	size_t i, len;
	int error = 0;

	pp_init(&x, out, reason, opts);
	for (i = 0; i < files->count && !error; i++) {
		free(text);
		text = NULL;
		if ((error = qp_read_file(&text, &len, files->items[i])) < 0)
			break;
		if (strlen(text) != len)
			error = stop(&x, "a NUL byte in the file");
		else
			error = parse_text(&x, text, files->items[i]);
	}
	free(text);
	return finish(&x, error, complete);
}
