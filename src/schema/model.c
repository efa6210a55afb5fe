/*
 * model.c: the schema model (see model.h): creating objects in a model's
 * arena, keys and lookups, dependencies, and the canonical dump that tests
 * compare.
 */
#include "schema/model.h"
#include "util/err.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;   /* for messages */
	const char *sql;    /* DROP / COMMENT ON keyword */
	const char *prefix; /* key prefix: kinds sharing a namespace share it */
} kinds[QP_K__COUNT] = {
	[QP_K_SCHEMA] = {"schema", "SCHEMA", "schema"},
	[QP_K_EXTENSION] = {"extension", "EXTENSION", "ext"},
	[QP_K_ENUM] = {"enum", "TYPE", "type"},
	[QP_K_DOMAIN] = {"domain", "DOMAIN", "type"},
	[QP_K_FUNCTION] = {"function", "FUNCTION", "func"},
	[QP_K_OPERATOR] = {"operator", "OPERATOR", "oper"},
	[QP_K_SEQUENCE] = {"sequence", "SEQUENCE", "rel"},
	[QP_K_TABLE] = {"table", "TABLE", "rel"},
	[QP_K_VTABLE] = {"virtual table", "TABLE", "rel"},
	[QP_K_COLUMN] = {"column", "COLUMN", "col"},
	[QP_K_PKEY] = {"primary key", "CONSTRAINT", "con"},
	[QP_K_UNIQUE] = {"unique constraint", "CONSTRAINT", "con"},
	[QP_K_CHECK] = {"check constraint", "CONSTRAINT", "con"},
	[QP_K_EXCLUDE] = {"exclusion constraint", "CONSTRAINT", "con"},
	[QP_K_INDEX] = {"index", "INDEX", "rel"},
	[QP_K_FKEY] = {"foreign key", "CONSTRAINT", "con"},
	[QP_K_VIEW] = {"view", "VIEW", "rel"},
	[QP_K_MATVIEW] = {"materialized view", "MATERIALIZED VIEW", "rel"},
	[QP_K_TRIGGER] = {"trigger", "TRIGGER", "trig"},
};

const char *qp_kind_name(qp_kind k)
{
	return k < QP_K__COUNT ? kinds[k].name : "object";
}

const char *qp_kind_sql(qp_kind k)
{
	return k < QP_K__COUNT ? kinds[k].sql : "";
}

int qp_kind_is_constraint(qp_kind k)
{
	return k == QP_K_PKEY || k == QP_K_UNIQUE || k == QP_K_CHECK || k == QP_K_EXCLUDE || k == QP_K_FKEY;
}

void qp_model_init(qp_model *m, qp_dialect d)
{
	qp_model blank = QP_MODEL_INIT;

	*m = blank;
	m->dialect = d;
}

void qp_model_release(qp_model *m)
{
	qp_idmap_release(&m->by_key);
	qp_arena_release(&m->arena);
	qp_arena_release(&m->lists);
	m->last_schema = NULL;
	free(m->objs);
	m->objs = NULL;
	m->n_objs = m->cap_objs = 0;
}

/* A key's pieces: "<prefix> <name>", "<prefix> <schema>.<name>" or
 * "<prefix> <schema>.<table>.<name>" (the name last), concatenated by hand:
 * one key per object, and vsnprintf was a tenth of introspecting 10,000
 * tables. Returns the key's length. */
typedef struct keyparts {
	const char *parts[7];
	size_t lens[7], n;
} keyparts;

static size_t key_parts(keyparts *k, qp_kind kind, const char *schema, const char *table, const char *name)
{
	size_t i, total = 0;

	k->n = 0;
	k->parts[k->n++] = kind < QP_K__COUNT ? kinds[kind].prefix : "obj";
	k->parts[k->n++] = " ";
	if (kind != QP_K_SCHEMA && kind != QP_K_EXTENSION) {
		k->parts[k->n++] = schema ? schema : "";
		k->parts[k->n++] = ".";
		if (table) {
			k->parts[k->n++] = table;
			k->parts[k->n++] = ".";
		}
	}
	k->parts[k->n++] = name ? name : "";
	for (i = 0; i < k->n; i++)
		total += k->lens[i] = strlen(k->parts[i]);
	return total;
}

/* Writes the key and its NUL into dst (len + 1 bytes). */
static void key_write(char *dst, const keyparts *k)
{
	size_t i;

	for (i = 0; i < k->n; i++) {
		memcpy(dst, k->parts[i], k->lens[i]);
		dst += k->lens[i];
	}
	*dst = '\0';
}

/* qp_model_key, with the key's length in *len. */
static char *make_key(qp_model *m, qp_kind kind, const char *schema, const char *table, const char *name,
                      size_t *len)
{
	keyparts k;
	char *key;

	*len = key_parts(&k, kind, schema, table, name);
	if (!(key = qp_arena_textalloc(&m->arena, *len + 1)))
		return NULL;
	key_write(key, &k);
	return key;
}

qp_obj *qp_model_find(const qp_model *m, qp_kind kind, const char *schema, const char *table, const char *name)
{
	keyparts k;
	char small[256], *key = small;
	size_t len = key_parts(&k, kind, schema, table, name);
	qp_obj *o;

	if (len >= sizeof(small) && !(key = malloc(len + 1))) {
		qp_error_oom();
		return NULL;
	}
	key_write(key, &k);
	o = qp_model_get(m, key);
	if (key != small)
		free(key);
	return o;
}

const char *qp_model_key(qp_model *m, qp_kind kind, const char *schema, const char *table, const char *name)
{
	size_t len;

	return make_key(m, kind, schema, table, name, &len);
}

/* by_key reads keys back through the objects */
static const char *key_at(const void *ctx, unsigned id)
{
	return ((const qp_model *)ctx)->objs[id]->key;
}

/* The n pointers of an array copied to new storage of ncap in the arena
 * (the old storage is left behind). */
static int move_to(qp_arena *a, void ***items, size_t n, size_t *cap, size_t ncap)
{
	void **moved = qp_arena_alloc(a, ncap * sizeof(*moved));

	if (!moved)
		return QUIPU_ENOMEM;
	if (n)
		memcpy(moved, *items, n * sizeof(*moved));
	*items = moved;
	*cap = ncap;
	return 0;
}

/* Room for one more pointer in an array of the lists arena: in place when
 * the array is the arena's last allocation (a table's columns come one
 * after another, with no other array started between), else a copy at
 * twice the size (the old storage is left behind). `first`: the capacity
 * of a new array. */
static int grow(qp_arena *a, void ***items, size_t n, size_t *cap, size_t first)
{
	if (n < *cap)
		return 0;
	if (*cap && qp_arena_extend(a, *items, *cap * sizeof(**items), sizeof(**items))) {
		(*cap)++;
		return 0;
	}
	return move_to(a, items, n, cap, *cap ? *cap * 2 : first);
}

/* Appends p to a growable array of pointers in the lists arena. */
static int push(qp_arena *a, void ***items, size_t *n, size_t *cap, void *p)
{
	if (grow(a, items, *n, cap, 1) < 0)
		return QUIPU_ENOMEM;
	(*items)[(*n)++] = p;
	return 0;
}

int qp_table_reserve_cols(qp_model *m, qp_table *t, size_t n)
{
	if (n <= t->cap_cols)
		return 0;
	return move_to(&m->lists, (void ***)&t->cols, t->n_cols, &t->cap_cols, n);
}

void *qp_model_add(qp_model *m, size_t size, qp_kind kind, const char *schema, const char *name,
                   qp_table *table)
{
	qp_obj *o = qp_arena_alloc(&m->arena, size);
	char *key;
	size_t len;
	int error = 0;

	if (!o)
		return NULL;
	o->kind = kind;
	if (!schema)
		schema = "";
	/* objects come schema by schema: one copy of "public" for all of them */
	if (!m->last_schema || strcmp(m->last_schema, schema))
		m->last_schema = qp_arena_strdup(&m->arena, schema);
	o->schema = m->last_schema;
	if (!name)
		name = "";
	o->table = table;
	/* the key ends with the name: the name is that tail, not a copy */
	if (!o->schema || !(key = make_key(m, kind, o->schema, table ? table->h.name : NULL, name, &len)))
		return NULL;
	o->key = key;
	o->name = key + len - strlen(name);
	o->pos = (unsigned)m->n_objs;
	if (qp_model_get(m, o->key)) {
		qp_error_set(QUIPU_EEXISTS, "two objects named %s in one schema snapshot", o->key);
		return NULL;
	}
	if (m->n_objs >= 0xfffffffeu) {
		qp_error_oom();
		return NULL;
	}
	if (m->n_objs == m->cap_objs) {
		/* malloc'd, not in the arena: growing it leaves nothing behind */
		size_t ncap = m->cap_objs ? m->cap_objs * 2 : 64;
		qp_obj **grown = realloc(m->objs, ncap * sizeof(*grown));

		if (!grown) {
			qp_error_oom();
			return NULL;
		}
		m->objs = grown;
		m->cap_objs = ncap;
	}
	m->objs[m->n_objs] = o;
	if (qp_idmap_put(&m->by_key, o->key, (unsigned)m->n_objs, key_at, m) < 0)
		return NULL;
	m->n_objs++;
	if (table) {
		switch (kind) {
		case QP_K_COLUMN:
			error = push(&m->lists, (void ***)&table->cols, &table->n_cols, &table->cap_cols, o);
			break;
		case QP_K_INDEX:
			error = push(&m->lists, (void ***)&table->idx, &table->n_idx, &table->cap_idx, o);
			break;
		case QP_K_TRIGGER:
			error = push(&m->lists, (void ***)&table->trigs, &table->n_trigs, &table->cap_trigs, o);
			break;
		default:
			if (qp_kind_is_constraint(kind))
				error = push(&m->lists, (void ***)&table->cons, &table->n_cons, &table->cap_cons, o);
			break;
		}
		if (error < 0)
			return NULL;
	}
	return o;
}

qp_obj *qp_model_get(const qp_model *m, const char *key)
{
	long i = qp_idmap_get(&m->by_key, key, key_at, m);

	return i < 0 ? NULL : m->objs[i];
}

int qp_model_dep(qp_model *m, qp_obj *obj, qp_obj *on)
{
	size_t i;

	if (!obj || !on || obj == on)
		return 0;
	for (i = 0; i < obj->n_deps; i++)
		if (obj->deps[i] == on)
			return 0;
	if (obj->n_deps == obj->cap_deps) {
		/* most objects need one or two: start small */
		size_t cap = obj->cap_deps;

		if (cap >= 0x7fffffffu)
			return qp_error_oom();
		if (grow(&m->lists, (void ***)&obj->deps, obj->n_deps, &cap, 2) < 0)
			return QUIPU_ENOMEM;
		obj->cap_deps = (unsigned)cap;
	}
	obj->deps[obj->n_deps++] = on;
	return 0;
}

int qp_domain_add_check(qp_model *m, qp_domain *d, const char *name, const char *def)
{
	size_t n = d->n_checks, cap = d->cap_checks;
	const char *nm = qp_arena_strdup(&m->arena, name), *df = qp_arena_strdup(&m->arena, def);

	if (!nm || !df)
		return QUIPU_ENOMEM;
	if (push(&m->lists, (void ***)&d->check_names, &n, &cap, (void *)nm) < 0)
		return QUIPU_ENOMEM;
	n = d->n_checks;
	cap = d->cap_checks;
	if (push(&m->lists, (void ***)&d->check_defs, &n, &cap, (void *)df) < 0)
		return QUIPU_ENOMEM;
	d->n_checks = n;
	d->cap_checks = cap;
	return 0;
}

qp_column *qp_table_column(const qp_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->n_cols; i++)
		if (!strcmp(t->cols[i]->h.name, name))
			return t->cols[i];
	return NULL;
}

size_t qp_model_count(const qp_model *m, qp_kind k)
{
	size_t i, n = 0;

	for (i = 0; i < m->n_objs; i++)
		n += m->objs[i]->kind == k;
	return n;
}

/* ---- a deterministic order -------------------------------------------- */

static int by_key(const void *a, const void *b)
{
	return strcmp((*(qp_obj *const *)a)->key, (*(qp_obj *const *)b)->key);
}

static int by_num(const void *a, const void *b)
{
	int x = (*(qp_column *const *)a)->num, y = (*(qp_column *const *)b)->num;
	return (x > y) - (x < y);
}

void qp_model_finish(qp_model *m)
{
	size_t i, j, k;

	if (m->n_objs > 1)
		qsort(m->objs, m->n_objs, sizeof(*m->objs), by_key);
	/* the index holds places in objs: numbered again (no growth, so no
	 * failure) */
	qp_idmap_clear(&m->by_key);
	for (i = 0; i < m->n_objs; i++) {
		qp_obj *o = m->objs[i];
		qp_idmap_put(&m->by_key, o->key, (unsigned)i, key_at, m);
		o->pos = (unsigned)i;
		if (o->n_deps > 1)
			qsort(o->deps, o->n_deps, sizeof(*o->deps), by_key);
		if (o->kind == QP_K_TABLE || o->kind == QP_K_VIEW || o->kind == QP_K_MATVIEW) {
			qp_table *t = (qp_table *)o;
			if (t->n_cols > 1)
				qsort(t->cols, t->n_cols, sizeof(*t->cols), by_num);
			if (t->n_cons > 1)
				qsort(t->cons, t->n_cons, sizeof(*t->cons), by_key);
			if (t->n_idx > 1)
				qsort(t->idx, t->n_idx, sizeof(*t->idx), by_key);
			if (t->n_trigs > 1)
				qsort(t->trigs, t->n_trigs, sizeof(*t->trigs), by_key);
		} else if (o->kind == QP_K_DOMAIN) {
			/* few checks: insertion sort of the two parallel arrays by name */
			qp_domain *d = (qp_domain *)o;
			for (j = 1; j < d->n_checks; j++) {
				for (k = j; k > 0 && strcmp(d->check_names[k - 1], d->check_names[k]) > 0; k--) {
					const char *n = d->check_names[k], *df = d->check_defs[k];
					d->check_names[k] = d->check_names[k - 1];
					d->check_defs[k] = d->check_defs[k - 1];
					d->check_names[k - 1] = n;
					d->check_defs[k - 1] = df;
				}
			}
		}
	}
}

/* ---- identifiers ------------------------------------------------------ */

/* PostgreSQL 15's keywords that quote_ident() quotes (pg_get_keywords()
 * where catcode <> 'U'), sorted. */
static const char *const pg_keywords[] = {
	"all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "authorization", "between",
	"bigint", "binary", "bit", "boolean", "both", "case", "cast", "char", "character", "check", "coalesce",
	"collate", "collation", "column", "concurrently", "constraint", "create", "cross", "current_catalog",
	"current_date", "current_role", "current_schema", "current_time", "current_timestamp", "current_user", "dec",
	"decimal", "default", "deferrable", "desc", "distinct", "do", "else", "end", "except", "exists", "extract",
	"false", "fetch", "float", "for", "foreign", "freeze", "from", "full", "grant", "greatest", "group",
	"grouping", "having", "ilike", "in", "initially", "inner", "inout", "int", "integer", "intersect",
	"interval", "into", "is", "isnull", "join", "lateral", "leading", "least", "left", "like", "limit",
	"localtime", "localtimestamp", "national", "natural", "nchar", "none", "normalize", "not", "notnull", "null",
	"nullif", "numeric", "offset", "on", "only", "or", "order", "out", "outer", "overlaps", "overlay", "placing",
	"position", "precision", "primary", "real", "references", "returning", "right", "row", "select",
	"session_user", "setof", "similar", "smallint", "some", "substring", "symmetric", "table", "tablesample",
	"then", "time", "timestamp", "to", "trailing", "treat", "trim", "true", "union", "unique", "user", "using",
	"values", "varchar", "variadic", "verbose", "when", "where", "window", "with", "xmlattributes", "xmlconcat",
	"xmlelement", "xmlexists", "xmlforest", "xmlnamespaces", "xmlparse", "xmlpi", "xmlroot", "xmlserialize",
	"xmltable",
};

static int cmp_kw(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void qp_sql_ident(qp_buf *b, qp_dialect d, const char *s)
{
	int keyword = d == QP_DIALECT_PG
	                  ? bsearch(&s, pg_keywords, sizeof(pg_keywords) / sizeof(pg_keywords[0]), sizeof(pg_keywords[0]),
	                            cmp_kw) != NULL
	                  : sqlite3_keyword_check(s, (int)strlen(s)) != 0;

	if (keyword)
		qp_buf_put_ident_quoted(b, s);
	else
		qp_buf_put_ident(b, s);
}

/* ---- sequence options ------------------------------------------------- */

void qp_seq_options(qp_buf *b, const char *type, const char *start, const char *inc, const char *min,
                    const char *max, const char *cache, int cycle)
{
	const char *tmax = "9223372036854775807", *tmin = "-9223372036854775808";
	int desc = inc && inc[0] == '-';
	const char *dmin, *dmax, *dstart;

	if (type && !strcmp(type, "integer")) {
		tmax = "2147483647";
		tmin = "-2147483648";
	} else if (type && !strcmp(type, "smallint")) {
		tmax = "32767";
		tmin = "-32768";
	}
	dmin = desc ? tmin : "1";
	dmax = desc ? "-1" : tmax;
	dstart = desc ? (max ? max : dmax) : (min ? min : dmin);
	if (start && strcmp(start, dstart))
		qp_buf_printf(b, " START WITH %s", start);
	if (inc && strcmp(inc, "1"))
		qp_buf_printf(b, " INCREMENT BY %s", inc);
	if (min && strcmp(min, dmin))
		qp_buf_printf(b, " MINVALUE %s", min);
	if (max && strcmp(max, dmax))
		qp_buf_printf(b, " MAXVALUE %s", max);
	if (cache && strcmp(cache, "1"))
		qp_buf_printf(b, " CACHE %s", cache);
	if (cycle)
		qp_buf_puts(b, " CYCLE");
}

/* ---- the canonical dump ----------------------------------------------- */

static void field(qp_buf *b, const char *name, const char *value)
{
	if (!value)
		return;
	qp_buf_printf(b, " %s=", name);
	/* one line per object: newlines become \n */
	for (; *value; value++) {
		if (*value == '\n')
			qp_buf_puts(b, "\\n");
		else
			qp_buf_putc(b, *value);
	}
}

static void dump_obj(qp_buf *b, const qp_model *m, const qp_obj *o)
{
	qp_buf_printf(b, "%s %s", qp_kind_name(o->kind), o->key);
	switch (o->kind) {
	case QP_K_TABLE:
	case QP_K_VIEW:
	case QP_K_MATVIEW: {
		const qp_table *t = (const qp_table *)o;
		char p[2] = {t->persistence ? t->persistence : 'p', 0};
		if (o->kind == QP_K_TABLE)
			field(b, "persistence", p);
		field(b, "options", t->options);
		field(b, "partkey", t->partkey);
		field(b, "parent", t->parent_key);
		field(b, "bound", t->bound);
		field(b, "def", t->def);
		if (t->autoincrement)
			field(b, "autoincrement", "1");
		break;
	}
	case QP_K_DOMAIN: {
		const qp_domain *d = (const qp_domain *)o;
		size_t i;
		field(b, "type", d->type);
		field(b, "collation", d->collation);
		field(b, "default", d->dflt);
		field(b, "not_null", d->not_null ? "1" : "0");
		for (i = 0; i < d->n_checks; i++) {
			field(b, "check", d->check_names[i]);
			field(b, "def", d->check_defs[i]);
		}
		break;
	}
	case QP_K_COLUMN: {
		const qp_column *c = (const qp_column *)o;
		char id[2] = {c->identity, 0}, gen[2] = {c->generated, 0};
		field(b, "type", c->type);
		field(b, "not_null", c->not_null ? "1" : "0");
		field(b, "default", c->dflt);
		if (c->identity) {
			field(b, "identity", id);
			field(b, "identity_options", c->ident_opts);
		}
		if (c->generated) {
			field(b, "generated", gen);
			field(b, "expression", c->gen_expr);
		}
		field(b, "collation", c->collation);
		field(b, "statistics", c->stats);
		break;
	}
	case QP_K_PKEY:
	case QP_K_UNIQUE:
	case QP_K_CHECK:
	case QP_K_EXCLUDE:
	case QP_K_FKEY: {
		const qp_constraint *c = (const qp_constraint *)o;
		field(b, "def", c->def);
		if (m->dialect == QP_DIALECT_SQLITE)
			field(b, "named", c->named ? "1" : "0");
		break;
	}
	case QP_K_INDEX:
		field(b, "def", ((const qp_index *)o)->cmp);
		field(b, "statistics", ((const qp_index *)o)->stats);
		break;
	case QP_K_ENUM: {
		const qp_enum *e = (const qp_enum *)o;
		size_t i;
		qp_buf_puts(b, " values=");
		for (i = 0; i < e->n_vals; i++)
			qp_buf_printf(b, "%s'%s'", i ? "," : "", e->vals[i]);
		break;
	}
	case QP_K_SEQUENCE: {
		const qp_sequence *s = (const qp_sequence *)o;
		field(b, "type", s->type);
		field(b, "start", s->start);
		field(b, "increment", s->inc);
		field(b, "min", s->min);
		field(b, "max", s->max);
		field(b, "cache", s->cache);
		field(b, "cycle", s->cycle ? "1" : "0");
		field(b, "owned_by", s->owned_by);
		break;
	}
	case QP_K_EXTENSION:
		field(b, "schema", o->schema);
		break;
	case QP_K_SCHEMA:
		break;
	default: {
		const qp_defobj *d = (const qp_defobj *)o;
		field(b, "def", d->def);
		field(b, "extra", d->extra);
		break;
	}
	}
	field(b, "comment", o->comment);
	qp_buf_putc(b, '\n');
}

static int cmp_lines(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int qp_model_dump(qp_buf *out, const qp_model *m)
{
	qp_buf all = QP_BUF_INIT;
	char **lines = NULL;
	size_t i, n = 0, start;
	int error = 0;

	for (i = 0; i < m->n_objs; i++)
		dump_obj(&all, m, m->objs[i]);
	if (all.oom) {
		error = qp_error_oom();
		goto done;
	}
	if (!(lines = calloc(m->n_objs + 1, sizeof(*lines)))) {
		error = qp_error_oom();
		goto done;
	}
	/* split in place, sort, join */
	for (start = 0, i = 0; i < all.len; i++) {
		if (all.ptr[i] == '\n') {
			all.ptr[i] = '\0';
			lines[n++] = all.ptr + start;
			start = i + 1;
		}
	}
	qsort(lines, n, sizeof(*lines), cmp_lines);
	for (i = 0; i < n; i++) {
		qp_buf_puts(out, lines[i]);
		qp_buf_putc(out, '\n');
	}
	if (out->oom)
		error = qp_error_oom();
done:
	free(lines);
	qp_buf_release(&all);
	return error;
}
