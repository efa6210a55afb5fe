/*
 * introspect_pg.c: a schema model from PostgreSQL's catalogs.
 *
 * Thirteen queries, whatever the size of the schema: the server, schemas,
 * extensions, types (enums and domains), sequences, relations (tables,
 * views, materialized views), columns, constraints, indexes, routines,
 * operators and triggers, then pg_depend for the dependencies between all
 * of them. Every
 * definition is the server's own rendering (format_type, pg_get_expr,
 * pg_get_constraintdef, pg_get_indexdef, pg_get_viewdef,
 * pg_get_functiondef, pg_get_triggerdef), read with search_path = public so
 * objects in public come unqualified and the rest qualified; but for plain
 * btree indexes, primary keys, unique constraints and foreign keys, written
 * here in pg_get_indexdef's and pg_get_constraintdef's form from their
 * columns (index_render, key_render: on a fresh backend the server would
 * open each table, or look up each column, to write them), with a
 * fourteenth query for any it cannot write.
 *
 * Skipped: system schemas, the public schema itself, objects that belong
 * to an extension, plpgsql, the version table and "<version_table>_log",
 * partitions of indexes and inherited constraints (the server makes them),
 * identity sequences (they belong to their column), internal triggers.
 *
 * On a large schema (pg_class of SIDE_MIN_PGCLASS bytes or more) the
 * sequences, indexes and constraints, about half of the server's work, are
 * read on a second connection sharing the first one's snapshot (introspect_pg_side.c),
 * so two backends work at once; their rows are read into the model on this
 * thread as soon as they are in, and the model is the same either way.
 */
#include "schema/introspect.h"
#include "schema/introspect_pg_side.h"
#include "util/err.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The size of pg_class from which the second connection pays for its start
 * (a backend that builds its caches and faults the shared buffers in again):
 * about 2,000 tables of ~1.45 KB of pg_class each (bench/README.md; at 300
 * tables two connections were slower, at 1,000 no faster). */
#define SIDE_MIN_PGCLASS (3 * 1024 * 1024)

/* How many connections the last introspection on this thread read on. */
static _Thread_local int last_connections;

int qp_introspect_pg_connections(void)
{
	return last_connections;
}

/* How many index and key definitions it wrote itself (index_render,
 * key_render). */
static _Thread_local size_t last_written;

size_t qp_introspect_pg_defs_written(void)
{
	return last_written;
}

/* Objects by catalog and OID: an open-addressing map of 64-bit keys (the
 * string-keyed qp_map costs a string per row here, and the rows number
 * hundreds of thousands on a large schema). Key 0 marks an empty slot. */
typedef struct oidmap {
	uint64_t *keys;        /* owned */
	void **vals;           /* owned */
	size_t cap, count;
} oidmap;

static size_t oidmap_slot(uint64_t k, size_t cap)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return (size_t)k & (cap - 1);
}

static int oidmap_put(oidmap *m, uint64_t k, void *v)
{
	size_t i;

	/* up to 3/4 full (columns are not here, see find()): at 2,000 tables
	 * (~10,000 entries) the map stays at 16 Ki slots (256 KiB) rather
	 * than doubling while the previous table is still held */
	if ((m->count + 1) * 4 > m->cap * 3) {
		size_t cap = m->cap ? m->cap * 2 : 1024, j;
		uint64_t *keys = calloc(cap, sizeof(*keys));
		void **vals = calloc(cap, sizeof(*vals));
		if (!keys || !vals) {
			free(keys);
			free(vals);
			return qp_error_oom();
		}
		for (j = 0; j < m->cap; j++) {
			if (!m->keys[j])
				continue;
			for (i = oidmap_slot(m->keys[j], cap); keys[i]; i = (i + 1) & (cap - 1))
				;
			keys[i] = m->keys[j];
			vals[i] = m->vals[j];
		}
		free(m->keys);
		free(m->vals);
		m->keys = keys;
		m->vals = vals;
		m->cap = cap;
	}
	for (i = oidmap_slot(k, m->cap); m->keys[i] && m->keys[i] != k; i = (i + 1) & (m->cap - 1))
		;
	if (!m->keys[i]) {
		m->keys[i] = k;
		m->count++;
	}
	m->vals[i] = v;
	return 0;
}

static void *oidmap_get(const oidmap *m, uint64_t k)
{
	size_t i;

	if (!m->cap)
		return NULL;
	for (i = oidmap_slot(k, m->cap); m->keys[i]; i = (i + 1) & (m->cap - 1))
		if (m->keys[i] == k)
			return m->vals[i];
	return NULL;
}

static void oidmap_release(oidmap *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

/* The state of one introspection. */
typedef struct pgx {
	qp_model *m;           /* borrowed: being filled */
	const qp_driver *drv;  /* borrowed */
	qp_conn *c;            /* borrowed */
	oidmap by_oid;         /* (catalog letter, oid, attnum) -> qp_obj*: 'c' relations (their
	                          columns through find()), 't' types, 'p' routines, 'k'
	                          constraints, 'g' triggers, 'n' schemas, 'x' extensions,
	                          'o' operators */
	qp_exec_error xe;      /* the last failure */
	int version;           /* server_version_num */
	long long pgclass_size; /* pg_relation_size('pg_class') */
	char snapshot[64];     /* pg_export_snapshot(), "" when none */
	char *current_schema;  /* owned: current_schema() before search_path is set */
	qp_ptrvec seqs;        /* sequences with an OWNED BY to resolve (in the arena) */
	qp_ptrvec seq_owner;   /* their owner's key (uint64_t *, in the arena) */
	qp_ptrvec parts;       /* partitions whose parent to resolve */
	qp_ptrvec part_parent; /* each parent's key (uint64_t *, in the arena) */
	qp_arena tmp;          /* what lives only as long as the introspection */
	qp_ptrvec plain;       /* plain_index *: plain indexes to write once the columns are in (tmp) */
	qp_ptrvec later;       /* uint64_t *: (kind << 56 | oid) of the indexes ('i') and keys ('k')
	                          the server writes after all (tmp) */
	qp_buf text;           /* a definition being written (index_render, key_render) */
	qp_pgside *side;       /* owned: the second connection's reads, or NULL */
	const char *side_sql[3]; /* borrowed: what it reads (or the first, without it) */
	qp_row_cb side_cb[3];
	size_t side_n, side_next; /* how many, and the next to read into the model */
	size_t side_open;      /* how many of them may be read into the model yet (the
	                          constraints only once the columns are in: key_render) */
	int side_eager;        /* QUIPU_INTROSPECT_SIDE_EAGER=1 (tests): read each into the model
	                          as soon as it is open, waiting for it, not when it happens to be in */
	const char *types[256]; /* borrowed (the model's arena): type names lately copied, by hash */
} pgx;

#define NSFILTER(n) n ".nspname NOT IN ('pg_catalog', 'information_schema') " \
	"AND " n ".nspname !~ '^pg_(toast|temp_|toast_temp_)'"
#define NOT_EXT(cls, oid) "NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '" cls \
	"'::regclass AND e.objid = " oid " AND e.deptype = 'e')"
/* The comment of an object, joined rather than looked up row by row
 * (obj_description() runs a query per call). */
#define DESCR(alias, oid, cat, sub) " LEFT JOIN pg_description " alias " ON " alias ".objoid = " oid \
	" AND " alias ".classoid = '" cat "'::regclass AND " alias ".objsubid = " sub " "
/* A collation written only when it differs from the type's default. */
#define COLLATION(coll, typcoll) "CASE WHEN " coll " <> 0 AND " coll " <> " typcoll " THEN " \
	"(SELECT CASE WHEN cn.nspname = 'pg_catalog' THEN '' ELSE quote_ident(cn.nspname) || '.' END " \
	"|| quote_ident(co.collname) FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace " \
	"WHERE co.oid = " coll ") END"

/* The decimal number at the start of s (an OID or attnum as the server
 * prints them); strtoull's locale and sign handling cost 11 % of the
 * client's instructions at 10,000 tables, for digits only. */
static uint64_t decimal(const char *s)
{
	uint64_t v = 0;

	for (; *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (uint64_t)(*s - '0');
	return v;
}

/* The map key of (catalog letter, oid, attnum or 0). */
static uint64_t numkey(char cls, uint64_t oid, uint64_t sub)
{
	return ((uint64_t)(unsigned char)cls << 56) | ((oid & 0xffffffffULL) << 16) | (sub & 0xffff);
}

static uint64_t oidkey(char cls, const char *oid, const char *sub)
{
	return numkey(cls, decimal(oid), sub ? decimal(sub) : 0);
}

/* The object of a map key. Columns are not in the map (at 2,000 tables
 * they would be 20,000 of its 30,000 entries): the key of a column of
 * pg_class (relation oid, attnum) finds its table, then the column among
 * the table's. Once the rows are sorted attnum k is the k-th, or before
 * it when columns were dropped; while reading they may come in any order. */
static void *find(const pgx *x, uint64_t key)
{
	uint64_t attnum = key & 0xffff;
	qp_table *t;
	size_t i, n;

	if (!attnum || (key >> 56) != 'c')
		return oidmap_get(&x->by_oid, key);
	t = oidmap_get(&x->by_oid, key & ~(uint64_t)0xffff);
	if (!t || t->h.kind != QP_K_TABLE || !(n = t->n_cols))
		return NULL;
	/* the rows are not sorted: look from that place down, then up */
	for (i = attnum <= n ? attnum - 1 : n - 1; i < n; i--)
		if ((uint64_t)t->cols[i]->num == attnum)
			return t->cols[i];
	for (i = attnum < n ? attnum : n; i < n; i++)
		if ((uint64_t)t->cols[i]->num == attnum)
			return t->cols[i];
	return NULL;
}

static qp_obj *by_oid(pgx *x, char cls, const char *oid, const char *sub)
{
	if (!oid)
		return NULL;
	return find(x, oidkey(cls, oid, sub));
}

static int put_oid(pgx *x, char cls, const char *oid, const char *sub, void *obj)
{
	return oidmap_put(&x->by_oid, oidkey(cls, oid, sub), obj);
}

static const char *dup(pgx *x, const char *s)
{
	return qp_arena_strdup(&x->m->arena, s);
}

/* A column's or sequence's type name: 20,000 columns name a few dozen
 * types, so a copy made for an earlier one is shared (a direct-mapped
 * cache of 256: a miss only costs a copy). */
static const char *dup_type(pgx *x, const char *s)
{
	uint32_t h = 2166136261u;
	const char *p, **slot;

	if (!s)
		return NULL;
	for (p = s; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	slot = &x->types[h & 255];
	if (!*slot || strcmp(*slot, s))
		*slot = dup(x, s);
	return *slot;
}

/* NULL for NULL and for "" */
static const char *dup_nonempty(pgx *x, const char *s)
{
	return s && *s ? qp_arena_strdup(&x->m->arena, s) : NULL;
}

static int is_true(const char *v)
{
	return v && v[0] == 't';
}

static int query(pgx *x, const char *sql, qp_row_cb cb)
{
	int error = x->drv->query_each(x->c, sql, cb, x, &x->xe);

	x->m->n_queries++;
	if (error < 0 && qp_error_code() == QUIPU_ESQL)
		return qp_error_set(QUIPU_ESQL, "cannot read the PostgreSQL catalogs: %s",
		                    x->xe.message ? x->xe.message : "unknown error");
	return error;
}

/* The constraints. pg_get_constraintdef() looks up every key column and
 * referenced table one by one in the system caches: at 10,000 tables 0.5 s
 * of the 0.57 s this query took on a fresh backend. So primary keys, unique
 * constraints and foreign keys without what only the server knows how to
 * print (INCLUDE, NULLS NOT DISTINCT, ON DELETE SET NULL (columns)) come
 * as their attnums and action letters, written here (key_render) as the
 * server writes them; checks and exclusions come rendered. */
static void sql_constraints(qp_buf *b, int version, int server_defs)
{
	qp_buf_puts(b,
	        "SELECT k.oid, k.conrelid, k.contypid, k.conname, k.contype, "
	        "CASE WHEN NOT p.plain THEN pg_get_constraintdef(k.oid) END, "
	        "k.condeferrable, k.condeferred, k.conindid, ds.description, k.confrelid, "
	        "CASE WHEN p.plain THEN k.conkey::text END, CASE WHEN p.plain THEN k.confkey::text END, "
	        "CASE WHEN p.plain THEN k.confmatchtype::text || k.confupdtype::text || k.confdeltype::text END, k.convalidated "
	        "FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace " DESCR("ds", "k.oid", "pg_constraint", "0")
	        "LEFT JOIN pg_index ix ON ix.indexrelid = k.conindid AND k.contype IN ('p', 'u') "
	        "CROSS JOIN LATERAL (SELECT ");
	if (server_defs) {
		qp_buf_puts(b, "false");
	} else {
		qp_buf_puts(b, "k.contypid = 0 AND ((k.contype = 'f'");
		if (version >= 150000)
			qp_buf_puts(b, " AND k.confdelsetcols IS NULL");
		qp_buf_puts(b, ") OR (k.contype IN ('p', 'u') AND ix.indexrelid IS NOT NULL");
		if (version >= 110000)
			qp_buf_puts(b, " AND ix.indnatts = ix.indnkeyatts");
		if (version >= 150000)
			qp_buf_puts(b, " AND NOT ix.indnullsnotdistinct");
		qp_buf_puts(b, "))");
	}
	qp_buf_puts(b, " AS plain) p "
	        "WHERE " NSFILTER("n") " AND k.contype IN ('p', 'u', 'f', 'c', 'x') AND k.conislocal ");
}

/* The indexes not backing a constraint. pg_get_indexdef() opens the
 * index's table to deparse it, building a relcache entry per table (at
 * 10,000 tables most of the index query's time on a fresh backend). So a
 * plain btree index -- its key columns only, default operator classes and
 * collations, no expression, predicate or storage option -- is sent as its
 * key attnums and options, and written here from the columns read anyway
 * (index_render), as the server would write it; the rest come rendered.
 * "plain" is decided on the index's own pg_attribute rows, which the
 * statistics targets are read from anyway: a key whose operator class is
 * the default one for exactly its type (GetDefaultOpClass's exact match;
 * varchar uses text_ops) and whose collation is the default or none. */
static void sql_indexes(qp_buf *b, int version, int server_defs)
{
	qp_buf_puts(b,
	        "SELECT i.indexrelid, i.indrelid, c.relname, CASE WHEN NOT x.plain THEN pg_get_indexdef(i.indexrelid) END, "
	        "i.indisunique, ds.description, c.relkind, x.stats, CASE WHEN x.plain THEN i.indkey::text END, "
	        "CASE WHEN x.plain THEN i.indoption::text END "
	        "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid " DESCR("ds", "i.indexrelid", "pg_class", "0")
	        "JOIN pg_namespace n ON n.oid = c.relnamespace "
	        "CROSS JOIN LATERAL (SELECT string_agg(ia.attnum || ' ' || ia.attstattarget, ',' ORDER BY ia.attnum) "
	        "FILTER (WHERE ia.attstattarget >= 0) AS stats, ");
	if (server_defs) {
		qp_buf_puts(b, "false AS plain ");
	} else {
		qp_buf_puts(b,
		        "coalesce(bool_and(ia.attoptions IS NULL AND ia.attcollation IN (0, 100) AND EXISTS (SELECT 1 "
		        "FROM pg_opclass oc WHERE oc.oid = i.indclass[ia.attnum - 1] AND oc.opcdefault AND (oc.opcintype "
		        "= ia.atttypid OR (ia.atttypid = 'varchar'::regtype AND oc.opcintype = 'text'::regtype)))), false) "
		        "AND i.indexprs IS NULL AND i.indpred IS NULL AND c.reloptions IS NULL AND c.relkind = 'i' "
		        "AND c.relam = 403 ");
		if (version >= 110000)
			qp_buf_puts(b, "AND i.indnkeyatts = i.indnatts ");
		if (version >= 150000)
			qp_buf_puts(b, "AND NOT i.indnullsnotdistinct ");
		qp_buf_puts(b, "AS plain ");
	}
	qp_buf_puts(b,
	        "FROM pg_attribute ia WHERE ia.attrelid = i.indexrelid) x "
	        "WHERE " NSFILTER("n") " AND NOT c.relispartition AND NOT EXISTS (SELECT 1 FROM pg_constraint k "
	        "WHERE k.conindid = i.indexrelid AND k.contype IN ('p', 'u', 'x')) ");
}

/* Query i of the second connection's list, read there when it runs (side
 * not NULL), else here on the first one. */
static int side_query(pgx *x, qp_pgside *side, size_t i, const char *sql, qp_row_cb cb)
{
	int r = side ? qp_pgside_rows(side, i, cb, x) : 0;

	if (r == 0)
		return query(x, sql, cb);
	if (r > 0)
		x->m->n_queries++;
	return r < 0 ? r : 0;
}

/* Reads the second connection's queries into the model, in order: with
 * wait, all that are left (run here when there is no second connection);
 * without, only those already read there and open (x->side_open). Their
 * rows look up schemas and tables, and the constraints' also columns (so
 * they open once the columns are in), and nothing read later looks up what
 * they add but pg_depend, so when they come in makes no difference to the
 * model. */
static int side_drain(pgx *x, int wait)
{
	int error;

	while (x->side_next < x->side_n) {
		if (!wait && (x->side_next >= x->side_open || !x->side ||
		              (!x->side_eager && !qp_pgside_ready(x->side, x->side_next))))
			return 0;
		if ((error = side_query(x, x->side, x->side_next, x->side_sql[x->side_next], x->side_cb[x->side_next])) < 0)
			return error;
		x->side_next++;
	}
	return 0;
}

/* ---- the server ------------------------------------------------------- */

static int row_server(const char *const *v, size_t n, void *payload)
{
	pgx *x = payload;

	x->version = atoi(v[0]);
	x->pgclass_size = v[2] ? atoll(v[2]) : 0;
	free(x->current_schema);
	x->current_schema = strdup(v[1] ? v[1] : "public");
	return x->current_schema ? 0 : qp_error_oom();
}

/* ---- schemas and extensions ------------------------------------------- */

static int row_schema(const char *const *v, size_t n, void *payload)
{
	pgx *x = payload;
	qp_defobj *o = qp_model_add(x->m, sizeof(*o), QP_K_SCHEMA, "", v[1], NULL);

	if (!o)
		return qp_error_code() ? qp_error_code() : QUIPU_ENOMEM;
	o->h.comment = dup(x, v[2]);
	return put_oid(x, 'n', v[0], NULL, o);
}

static int row_extension(const char *const *v, size_t n, void *payload)
{
	pgx *x = payload;
	qp_defobj *o = qp_model_add(x->m, sizeof(*o), QP_K_EXTENSION, v[2], v[1], NULL);

	if (!o)
		return qp_error_code() ? qp_error_code() : QUIPU_ENOMEM;
	qp_model_dep(x->m, &o->h, by_oid(x, 'n', v[3], NULL));
	return put_oid(x, 'x', v[0], NULL, o);
}

/* ---- enums and domains ------------------------------------------------ */

/* oid, schema, name, typtype, base type, notnull, default, collation,
 * comment, enum label (one row per label), array type oid, namespace oid */
static int row_type(const char *const *v, size_t n, void *payload)
{
	pgx *x = payload;
	qp_obj *o = by_oid(x, 't', v[0], NULL);
	int error;

	if (!o) {
		if (v[3][0] == 'e') {
			o = qp_model_add(x->m, sizeof(qp_enum), QP_K_ENUM, v[1], v[2], NULL);
		} else {
			qp_domain *d = qp_model_add(x->m, sizeof(qp_domain), QP_K_DOMAIN, v[1], v[2], NULL);
			if (d) {
				d->type = dup(x, v[4]);
				d->not_null = is_true(v[5]);
				d->dflt = dup(x, v[6]);
				d->collation = dup(x, v[7]);
			}
			o = d ? &d->h : NULL;
		}
		if (!o)
			return qp_error_code() ? qp_error_code() : QUIPU_ENOMEM;
		o->comment = dup(x, v[8]);
		if ((error = put_oid(x, 't', v[0], NULL, o)) < 0)
			return error;
		if (v[10] && strcmp(v[10], "0") && (error = put_oid(x, 't', v[10], NULL, o)) < 0)
			return error;
		qp_model_dep(x->m, o, by_oid(x, 'n', v[11], NULL));
	}
	if (o->kind == QP_K_ENUM && v[9]) {
		qp_enum *e = (qp_enum *)o;
		const char **vals = qp_arena_alloc(&x->m->arena, (e->n_vals + 1) * sizeof(*vals));
		/* few labels per enum: copying is cheaper than bookkeeping */
		if (!vals)
			return QUIPU_ENOMEM;
		if (e->n_vals)
			memcpy(vals, e->vals, e->n_vals * sizeof(*vals));
		if (!(vals[e->n_vals] = dup(x, v[9])))
			return QUIPU_ENOMEM;
		e->vals = vals;
		e->n_vals++;
	}
	return 0;
}

/* ---- sequences -------------------------------------------------------- */

/* oid, schema, name, type, start, inc, min, max, cache, cycle, comment,
 * owner "relid.attnum", namespace oid */
static int row_sequence(const char *const *v, size_t n, void *payload)
{
	pgx *x = payload;
	qp_sequence *s = qp_model_add(x->m, sizeof(*s), QP_K_SEQUENCE, v[1], v[2], NULL);
	int error;

	if (!s)
		return qp_error_code() ? qp_error_code() : QUIPU_ENOMEM;
	s->type = dup_type(x, v[3]);
	s->start = dup(x, v[4]);
	s->inc = dup(x, v[5]);
	s->min = dup(x, v[6]);
	s->max = dup(x, v[7]);
	s->cache = dup(x, v[8]);
	s->cycle = is_true(v[9]);
	s->h.comment = dup(x, v[10]);
	if (v[11]) {
		/* "relid.attnum" */
		const char *dot = strchr(v[11], '.');
		uint64_t *owner = qp_arena_alloc(&x->m->arena, sizeof(*owner));
		char rel[24];
		if (!owner)
			return QUIPU_ENOMEM;
		snprintf(rel, sizeof(rel), "%.*s", dot ? (int)(dot - v[11]) : (int)strlen(v[11]), v[11]);
		*owner = oidkey('c', rel, dot ? dot + 1 : NULL);
		if (qp_ptrvec_push(&x->seqs, &x->m->arena, s) < 0 || qp_ptrvec_push(&x->seq_owner, &x->m->arena, owner) < 0)
			return QUIPU_ENOMEM;
	}
	qp_model_dep(x->m, &s->h, by_oid(x, 'n', v[12], NULL));
	if ((error = put_oid(x, 'c', v[0], NULL, s)) < 0)
		return error;
	return 0;
}

/* ---- relations -------------------------------------------------------- */

/* oid, schema, name, relkind, persistence, options, partkey, parent oid,
 * bound, viewdef, comment, row type oid, namespace oid, number of columns
 * (dropped ones included) */
static int row_relation(const char *const *v, size_t n, void *payload)
{
	pgx *x = payload;
	char rk = v[3][0];
	qp_kind kind = rk == 'v' ? QP_K_VIEW : rk == 'm' ? QP_K_MATVIEW : QP_K_TABLE;
	qp_table *t = qp_model_add(x->m, sizeof(*t), kind, v[1], v[2], NULL);
	int error;

	if (!t)
		return qp_error_code() ? qp_error_code() : QUIPU_ENOMEM;
	t->persistence = v[4][0];
	t->options = dup_nonempty(x, v[5]);
	t->partkey = dup_nonempty(x, v[6]);
	if (v[7]) {
		uint64_t *parent = qp_arena_alloc(&x->m->arena, sizeof(*parent));
		if (!parent)
			return QUIPU_ENOMEM;
		*parent = oidkey('c', v[7], NULL);
		if (qp_ptrvec_push(&x->parts, &x->m->arena, t) < 0 || qp_ptrvec_push(&x->part_parent, &x->m->arena, parent) < 0)
			return QUIPU_ENOMEM;
	}
	t->bound = dup_nonempty(x, v[8]);
	t->def = dup(x, v[9]);
	t->h.comment = dup(x, v[10]);
	qp_model_dep(x->m, &t->h, by_oid(x, 'n', v[12], NULL));
	/* the columns' rows come mixed with other tables': their list is made
	 * at its size now */
	if (kind == QP_K_TABLE && v[13] && (error = qp_table_reserve_cols(x->m, t, (size_t)atoi(v[13]))) < 0)
		return error;
	if ((error = put_oid(x, 'c', v[0], NULL, t)) < 0)
		return error;
	if (v[11] && strcmp(v[11], "0") && (error = put_oid(x, 't', v[11], NULL, t)) < 0)
		return error;
	return 0;
}

/* ---- columns ---------------------------------------------------------- */

/* relid, attnum, name, type, notnull, default, identity, generated,
 * collation, comment, identity sequence "start inc min max cache cycle",
 * statistics target */
static int row_column(const char *const *v, size_t n, void *payload)
{
	pgx *x = payload;
	qp_table *t = (qp_table *)by_oid(x, 'c', v[0], NULL);
	qp_column *c;

	if (!t || t->h.kind != QP_K_TABLE)
		return 0;
	if (!(c = qp_model_add(x->m, sizeof(*c), QP_K_COLUMN, t->h.schema, v[2], t)))
		return qp_error_code() ? qp_error_code() : QUIPU_ENOMEM;
	c->num = atoi(v[1]);
	c->type = dup_type(x, v[3]);
	c->not_null = is_true(v[4]);
	c->identity = v[6] ? v[6][0] : 0;
	c->generated = v[7] ? v[7][0] : 0;
	if (c->generated) {
		c->gen_expr = dup(x, v[5]);
	} else {
		c->dflt = dup(x, v[5]);
	}
	c->collation = dup(x, v[8]);
	c->h.comment = dup(x, v[9]);
	c->stats = dup(x, v[11]);
	if (c->identity) {
		/* "start increment min max cache cycle" */
		char f[6][24] = {{0}};
		qp_buf b = QP_BUF_INIT;
		if (v[10])
			sscanf(v[10], "%23s %23s %23s %23s %23s %23s", f[0], f[1], f[2], f[3], f[4], f[5]);
		qp_seq_options(&b, c->type, f[0], f[1], f[2], f[3], f[4], f[5][0] == 't');
		c->ident_opts = dup(x, b.oom ? NULL : qp_buf_cstr(&b));
		qp_buf_release(&b);
		if (!c->ident_opts)
			return QUIPU_ENOMEM;
	}
	return 0;
}

/* ---- constraints ------------------------------------------------------ */

/* Appends the columns of relation relid named by an attnum array ("{2,3}")
 * as "b, c"; 0 when one is not a column read here. */
static int put_columns(qp_buf *b, pgx *x, uint64_t relid, const char *arr)
{
	const char *s = arr;
	int first = 1;

	if (!s || *s++ != '{')
		return 0;
	while (*s >= '0' && *s <= '9') {
		qp_obj *col = find(x, numkey('c', relid, decimal(s)));
		if (!col || col->kind != QP_K_COLUMN)
			return 0;
		if (!first)
			qp_buf_puts(b, ", ");
		first = 0;
		qp_sql_ident(b, QP_DIALECT_PG, col->name);
		while (*s >= '0' && *s <= '9')
			s++;
		if (*s == ',')
			s++;
	}
	return !first && s[0] == '}' && !s[1];
}

/* A foreign key's action letter (pg_constraint.confupdtype) as the
 * server writes it; NULL for NO ACTION (not written), "" for unknown. */
static const char *fk_action(char c)
{
	switch (c) {
	case 'a': return NULL;
	case 'r': return "RESTRICT";
	case 'c': return "CASCADE";
	case 'n': return "SET NULL";
	case 'd': return "SET DEFAULT";
	default: return "";
	}
}

/* pg_get_constraintdef()'s text of a primary key, unique constraint or
 * foreign key from its attnums (sql_constraints): "PRIMARY KEY (id)",
 * "FOREIGN KEY (a) REFERENCES t(id) ON DELETE CASCADE DEFERRABLE". *ok is 0
 * when it cannot be written here: a column or the referenced table not
 * read, or a table in public whose name a pg_catalog relation could hide
 * (the server then qualifies it). */
static int key_render(qp_buf *b, pgx *x, const char *const *v, int *ok)
{
	char type = v[4][0];
	const char *acts = v[13], *a;

	*ok = 0;
	qp_buf_truncate(b, 0);
	qp_buf_puts(b, type == 'p' ? "PRIMARY KEY (" : type == 'u' ? "UNIQUE (" : "FOREIGN KEY (");
	if (!put_columns(b, x, decimal(v[1]), v[11]))
		return 0;
	qp_buf_puts(b, ")");
	if (type == 'f') {
		qp_obj *ref = by_oid(x, 'c', v[10], NULL);
		if (!ref || ref->kind != QP_K_TABLE || !acts || strlen(acts) != 3)
			return 0;
		qp_buf_puts(b, " REFERENCES ");
		if (strcmp(ref->schema, "public")) {
			qp_sql_ident(b, QP_DIALECT_PG, ref->schema);
			qp_buf_puts(b, ".");
		} else if (!strncmp(ref->name, "pg_", 3)) {
			return 0;
		}
		qp_sql_ident(b, QP_DIALECT_PG, ref->name);
		qp_buf_puts(b, "(");
		if (!put_columns(b, x, decimal(v[10]), v[12]))
			return 0;
		qp_buf_puts(b, ")");
		if (acts[0] == 'f')
			qp_buf_puts(b, " MATCH FULL");
		else if (acts[0] == 'p')
			qp_buf_puts(b, " MATCH PARTIAL");
		else if (acts[0] != 's')
			return 0;
		if ((a = fk_action(acts[1])) && !*a)
			return 0;
		if (a)
			qp_buf_printf(b, " ON UPDATE %s", a);
		if ((a = fk_action(acts[2])) && !*a)
			return 0;
		if (a)
			qp_buf_printf(b, " ON DELETE %s", a);
	}
	if (is_true(v[6]))
		qp_buf_puts(b, " DEFERRABLE");
	if (is_true(v[7]))
		qp_buf_puts(b, " INITIALLY DEFERRED");
	if (!is_true(v[14]))
		qp_buf_puts(b, " NOT VALID");
	if (b->oom)
		return qp_error_oom();
	*ok = 1;
	return 0;
}

/* Asks the server for the definition of object oid (kind 'i' an index,
 * 'k' a constraint) at the end of the introspection (defs_finish). */
static int later(pgx *x, char kind, uint64_t oid)
{
	uint64_t *p = qp_arena_alloc(&x->tmp, sizeof(*p));

	if (!p)
		return QUIPU_ENOMEM;
	*p = ((uint64_t)(unsigned char)kind << 56) | (oid & 0xffffffffULL);
	return qp_ptrvec_push(&x->later, &x->tmp, p);
}

/* oid, relid, typid, name, contype, def (NULL: written here), deferrable,
 * deferred, index oid, comment, referenced relid, and for a key written
 * here its attnums, the referenced attnums, the match type and actions
 * ("sac"), and whether it is validated */
static int row_constraint(const char *const *v, size_t n, void *payload)
{
	pgx *x = payload;
	qp_kind kind;
	qp_table *t;
	qp_constraint *k;
	int error, ok = 0;

	if (strcmp(v[2], "0")) {
		qp_domain *d = (qp_domain *)by_oid(x, 't', v[2], NULL);
		if (!d || d->h.kind != QP_K_DOMAIN || v[4][0] != 'c')
			return 0;
		return qp_domain_add_check(x->m, d, v[3], v[5]);
	}
	t = (qp_table *)by_oid(x, 'c', v[1], NULL);
	if (!t || t->h.kind != QP_K_TABLE)
		return 0;
	switch (v[4][0]) {
	case 'p': kind = QP_K_PKEY; break;
	case 'u': kind = QP_K_UNIQUE; break;
	case 'f': kind = QP_K_FKEY; break;
	case 'c': kind = QP_K_CHECK; break;
	case 'x': kind = QP_K_EXCLUDE; break;
	default: return 0;
	}
	if (!(k = qp_model_add(x->m, sizeof(*k), kind, t->h.schema, v[3], t)))
		return qp_error_code() ? qp_error_code() : QUIPU_ENOMEM;
	if (v[5]) {
		k->def = dup(x, v[5]);
	} else {
		if ((error = key_render(&x->text, x, v, &ok)) < 0)
			return error;
		if (ok) {
			k->def = dup(x, qp_buf_cstr(&x->text));
			last_written++;
		} else if ((error = later(x, 'k', decimal(v[0]))) < 0) {
			return error;
		}
	}
	k->deferrable = is_true(v[6]);
	k->deferred = is_true(v[7]);
	k->named = 1;
	k->h.comment = dup(x, v[9]);
	if (kind == QP_K_FKEY) {
		qp_obj *ref = by_oid(x, 'c', v[10], NULL);
		k->ref_key = ref ? ref->key : NULL;
	}
	if ((error = put_oid(x, 'k', v[0], NULL, k)) < 0)
		return error;
	/* the index behind a key stands for its constraint in pg_depend */
	if ((kind == QP_K_PKEY || kind == QP_K_UNIQUE || kind == QP_K_EXCLUDE) && v[8] && strcmp(v[8], "0") &&
	    (error = put_oid(x, 'c', v[8], NULL, k)) < 0)
		return error;
	return 0;
}

/* ---- indexes ---------------------------------------------------------- */

/* A copy of def with "INDEX <name> ON [ONLY] " reduced to "INDEX ON ":
 * what two indexes are compared by. On a partitioned table ONLY is taken
 * out of the definition too: the index is created on every partition. */
static const char *index_cmp(pgx *x, const char *def, const char *name, int strip_only_in_def,
                             const char **def_out)
{
	qp_buf b = QP_BUF_INIT, d = QP_BUF_INIT;
	const char *on = strstr(def, " ON ");
	const char *result = NULL;

	*def_out = NULL;
	if (!on) {
		*def_out = dup(x, def);
		return *def_out;
	}
	/* prefix: "CREATE [UNIQUE] INDEX" */
	{
		const char *ix = strstr(def, "INDEX ");
		size_t plen = ix && ix < on ? (size_t)(ix - def) + 5 : 0;
		qp_buf_put(&b, def, plen);
	}
	on += 4;
	if (!strncmp(on, "ONLY ", 5)) {
		on += 5;
		if (strip_only_in_def) {
			qp_buf_put(&d, def, (size_t)(on - 5 - def));
			qp_buf_puts(&d, on);
		}
	}
	qp_buf_puts(&b, " ON ");
	qp_buf_puts(&b, on);
	(void)name;
	if (!b.oom && !d.oom) {
		result = dup(x, qp_buf_cstr(&b));
		*def_out = dup(x, d.len ? qp_buf_cstr(&d) : def);
	}
	qp_buf_release(&b);
	qp_buf_release(&d);
	return result;
}

/* Sets an index's definition and what it is compared by. */
static int index_set_def(pgx *x, qp_index *ix, const char *def)
{
	ix->cmp = index_cmp(x, def, ix->h.name, ix->h.table->partkey != NULL, &ix->def);
	if (!ix->cmp || !ix->def)
		return QUIPU_ENOMEM;
	if (ix->stats) {
		/* the statistics targets are part of what an index is compared by */
		if (!(ix->cmp = qp_arena_printf(&x->m->arena, "%s STATISTICS %s", ix->cmp, ix->stats)))
			return QUIPU_ENOMEM;
	}
	return 0;
}

/* A plain index waiting for its table's columns (in x->tmp). */
typedef struct plain_index {
	qp_index *ix;          /* its table: ix->h.table */
	uint64_t oid, relid;
	const char *keys;      /* indkey: "2 3" */
	const char *options;   /* indoption: "0 3" */
} plain_index;

/* oid, relid, name, def (NULL when plain), unique, comment, relkind,
 * statistics targets, and for a plain index its keys and their options */
static int row_index(const char *const *v, size_t n, void *payload)
{
	pgx *x = payload;
	qp_table *t = (qp_table *)by_oid(x, 'c', v[1], NULL);
	qp_index *ix;
	plain_index *p;
	int error;

	if (!t || (t->h.kind != QP_K_TABLE && t->h.kind != QP_K_MATVIEW))
		return 0;
	if (!(ix = qp_model_add(x->m, sizeof(*ix), QP_K_INDEX, t->h.schema, v[2], t)))
		return qp_error_code() ? qp_error_code() : QUIPU_ENOMEM;
	ix->unique = is_true(v[4]);
	ix->h.comment = dup(x, v[5]);
	if (v[7] && !(ix->stats = dup(x, v[7])))
		return QUIPU_ENOMEM;
	if ((error = put_oid(x, 'c', v[0], NULL, ix)) < 0)
		return error;
	if (v[3] || !v[8] || !v[9])
		return index_set_def(x, ix, v[3] ? v[3] : "");
	/* written once the columns are in (index_render) */
	if (!(p = qp_arena_alloc(&x->tmp, sizeof(*p))) || !(p->keys = qp_arena_strdup(&x->tmp, v[8])) ||
	    !(p->options = qp_arena_strdup(&x->tmp, v[9])))
		return QUIPU_ENOMEM;
	p->ix = ix;
	p->oid = decimal(v[0]);
	p->relid = decimal(v[1]);
	return qp_ptrvec_push(&x->plain, &x->tmp, p);
}

/* pg_get_indexdef()'s text of a plain index, from its table's columns:
 * "CREATE [UNIQUE] INDEX name ON schema.table USING btree (a, b DESC)".
 * *ok is 0 when a key is not a column read here or has a collation of its
 * own (the server then writes it: index_fallback). */
static int index_render(qp_buf *b, pgx *x, const plain_index *p, int *ok)
{
	const char *k = p->keys, *o = p->options;
	char *end;

	*ok = 0;
	qp_buf_truncate(b, 0);
	qp_buf_puts(b, p->ix->unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ");
	qp_sql_ident(b, QP_DIALECT_PG, p->ix->h.name);
	qp_buf_puts(b, " ON ");
	qp_sql_ident(b, QP_DIALECT_PG, p->ix->h.table->h.schema);
	qp_buf_puts(b, ".");
	qp_sql_ident(b, QP_DIALECT_PG, p->ix->h.table->h.name);
	qp_buf_puts(b, " USING btree (");
	while (*k) {
		unsigned long attnum = strtoul(k, &end, 10), opt;
		qp_column *col;
		uint64_t key = numkey('c', p->relid, attnum);
		if (end == k || attnum == 0 || attnum > 0xffff)
			return 0;
		k = end + strspn(end, " ");
		opt = strtoul(o, &end, 10);
		if (end == o)
			return 0;
		o = end + strspn(end, " ");
		col = find(x, key);
		if (!col || col->h.kind != QP_K_COLUMN || col->h.table != p->ix->h.table || col->collation)
			return 0;
		if (b->len && b->ptr[b->len - 1] != '(')
			qp_buf_puts(b, ", ");
		qp_sql_ident(b, QP_DIALECT_PG, col->h.name);
		/* INDOPTION_DESC 1, INDOPTION_NULLS_FIRST 2; NULLS FIRST is DESC's default */
		if (opt & 1)
			qp_buf_puts(b, opt & 2 ? " DESC" : " DESC NULLS LAST");
		else if (opt & 2)
			qp_buf_puts(b, " NULLS FIRST");
	}
	qp_buf_puts(b, ")");
	if (b->oom)
		return qp_error_oom();
	*ok = 1;
	return 0;
}

/* kind ('i' index, 'k' constraint), oid, def: what the server writes
 * after all (index_render or key_render gave up) */
static int row_later(const char *const *v, size_t n, void *payload)
{
	pgx *x = payload;

	if (!v[2])
		return 0;
	if (v[0][0] == 'i') {
		qp_index *ix = (qp_index *)by_oid(x, 'c', v[1], NULL);
		if (!ix || ix->h.kind != QP_K_INDEX)
			return 0;
		return index_set_def(x, ix, v[2]);
	} else {
		qp_constraint *k = (qp_constraint *)by_oid(x, 'k', v[1], NULL);
		if (!k || !qp_kind_is_constraint(k->h.kind))
			return 0;
		return (k->def = dup(x, v[2])) ? 0 : QUIPU_ENOMEM;
	}
}

/* Writes the plain indexes' definitions, then asks the server in one more
 * query for those of the indexes and keys that could not be written here. */
static int defs_finish(pgx *x)
{
	qp_buf sql = QP_BUF_INIT, ids[2] = {QP_BUF_INIT, QP_BUF_INIT};
	size_t i;
	int error = 0, ok;

	for (i = 0; i < x->plain.count; i++) {
		plain_index *p = x->plain.items[i];
		if ((error = index_render(&x->text, x, p, &ok)) < 0)
			goto done;
		if (ok) {
			if ((error = index_set_def(x, p->ix, qp_buf_cstr(&x->text))) < 0)
				goto done;
			last_written++;
		} else if ((error = later(x, 'i', p->oid)) < 0) {
			goto done;
		}
	}
	if (!x->later.count)
		goto done;
	/* "1, 2, 3": the indexes' oids in ids[0], the constraints' in ids[1] */
	for (i = 0; i < x->later.count; i++) {
		uint64_t l = *(uint64_t *)x->later.items[i];
		qp_buf *b = &ids[(char)(l >> 56) == 'k'];
		qp_buf_printf(b, "%s%llu", b->len ? ", " : "", (unsigned long long)(l & 0xffffffffULL));
	}
	if (ids[0].len)
		qp_buf_printf(&sql, "SELECT 'i', i.indexrelid, pg_get_indexdef(i.indexrelid) FROM pg_index i "
		                    "WHERE i.indexrelid IN (%s)", qp_buf_cstr(&ids[0]));
	if (ids[0].len && ids[1].len)
		qp_buf_puts(&sql, " UNION ALL ");
	if (ids[1].len)
		qp_buf_printf(&sql, "SELECT 'k', k.oid, pg_get_constraintdef(k.oid) FROM pg_constraint k "
		                    "WHERE k.oid IN (%s)", qp_buf_cstr(&ids[1]));
	if (sql.oom || ids[0].oom || ids[1].oom) {
		error = qp_error_oom();
		goto done;
	}
	error = query(x, qp_buf_cstr(&sql), row_later);
done:
	qp_buf_release(&sql);
	qp_buf_release(&ids[0]);
	qp_buf_release(&ids[1]);
	return error;
}

/* ---- routines --------------------------------------------------------- */

/* An aggregate's CREATE statement (pg_get_functiondef does not do them). */
static const char *aggregate_def(pgx *x, const char *const *v)
{
	qp_buf b = QP_BUF_INIT;
	const char *out = NULL;

	qp_buf_puts(&b, "CREATE AGGREGATE ");
	if (strcmp(v[1], "public")) {
		qp_sql_ident(&b, QP_DIALECT_PG, v[1]);
		qp_buf_putc(&b, '.');
	}
	qp_sql_ident(&b, QP_DIALECT_PG, v[2]);
	qp_buf_printf(&b, "(%s) (\n    SFUNC = %s,\n    STYPE = %s", v[3], v[9], v[10]);
	if (v[11] && strcmp(v[11], "-"))
		qp_buf_printf(&b, ",\n    FINALFUNC = %s", v[11]);
	if (v[12] && strcmp(v[12], "-"))
		qp_buf_printf(&b, ",\n    COMBINEFUNC = %s", v[12]);
	if (v[13]) {
		qp_buf_puts(&b, ",\n    INITCOND = ");
		qp_buf_put_literal(&b, v[13]);
	}
	qp_buf_puts(&b, "\n)");
	if (!b.oom)
		out = dup(x, qp_buf_cstr(&b));
	qp_buf_release(&b);
	return out;
}

/* oid, schema, name, identity args, prokind, def, result, comment,
 * namespace oid, agg: transfn, transtype, finalfn, combinefn, initval */
static int row_routine(const char *const *v, size_t n, void *payload)
{
	pgx *x = payload;
	const char *sig = qp_arena_printf(&x->m->arena, "%s(%s)", v[2], v[3]);
	qp_defobj *f;
	int error;

	if (!sig)
		return QUIPU_ENOMEM;
	if (!(f = qp_model_add(x->m, sizeof(*f), QP_K_FUNCTION, v[1], sig, NULL)))
		return qp_error_code() ? qp_error_code() : QUIPU_ENOMEM;
	f->h.name = dup(x, v[2]);
	f->extra = dup(x, v[3]);
	f->subkind = v[4][0];
	f->def = f->subkind == 'a' ? aggregate_def(x, v) : dup(x, v[5]);
	f->result = dup(x, v[6]);
	f->h.comment = dup(x, v[7]);
	if (!f->def || !f->extra)
		return QUIPU_ENOMEM;
	qp_model_dep(x->m, &f->h, by_oid(x, 'n', v[8], NULL));
	if ((error = put_oid(x, 'p', v[0], NULL, f)) < 0)
		return error;
	return 0;
}

/* ---- operators -------------------------------------------------------- */

/* oid, schema, name, left type, right type, function, commutator,
 * negator, restrict, join, hashes, merges, comment, namespace oid */
static int row_operator(const char *const *v, size_t n, void *payload)
{
	pgx *x = payload;
	const char *left = v[3] ? v[3] : "NONE", *right = v[4] ? v[4] : "NONE";
	const char *sig = qp_arena_printf(&x->m->arena, "%s(%s, %s)", v[2], left, right);
	qp_buf b = QP_BUF_INIT;
	qp_defobj *o;
	int error;

	if (!sig)
		return QUIPU_ENOMEM;
	if (!(o = qp_model_add(x->m, sizeof(*o), QP_K_OPERATOR, v[1], sig, NULL)))
		return qp_error_code() ? qp_error_code() : QUIPU_ENOMEM;
	o->h.name = dup(x, v[2]);
	o->extra = qp_arena_printf(&x->m->arena, "%s, %s", left, right);
	qp_buf_puts(&b, "CREATE OPERATOR ");
	qp_sql_ident(&b, QP_DIALECT_PG, v[1]);
	qp_buf_printf(&b, ".%s (\n    FUNCTION = %s", v[2], v[5]);
	if (v[3])
		qp_buf_printf(&b, ",\n    LEFTARG = %s", v[3]);
	if (v[4])
		qp_buf_printf(&b, ",\n    RIGHTARG = %s", v[4]);
	if (v[6])
		qp_buf_printf(&b, ",\n    COMMUTATOR = OPERATOR(%s)", v[6]);
	if (v[7])
		qp_buf_printf(&b, ",\n    NEGATOR = OPERATOR(%s)", v[7]);
	if (v[8] && strcmp(v[8], "-"))
		qp_buf_printf(&b, ",\n    RESTRICT = %s", v[8]);
	if (v[9] && strcmp(v[9], "-"))
		qp_buf_printf(&b, ",\n    JOIN = %s", v[9]);
	if (is_true(v[10]))
		qp_buf_puts(&b, ",\n    HASHES");
	if (is_true(v[11]))
		qp_buf_puts(&b, ",\n    MERGES");
	qp_buf_puts(&b, "\n)");
	o->def = b.oom ? NULL : dup(x, qp_buf_cstr(&b));
	qp_buf_release(&b);
	o->h.comment = dup(x, v[12]);
	if (!o->def || !o->extra || !o->h.name)
		return QUIPU_ENOMEM;
	qp_model_dep(x->m, &o->h, by_oid(x, 'n', v[13], NULL));
	if ((error = put_oid(x, 'o', v[0], NULL, o)) < 0)
		return error;
	return 0;
}

/* ---- triggers --------------------------------------------------------- */

/* oid, relid, name, def, comment */
static int row_trigger(const char *const *v, size_t n, void *payload)
{
	pgx *x = payload;
	qp_table *t = (qp_table *)by_oid(x, 'c', v[1], NULL);
	qp_defobj *g;
	int error;

	if (!t)
		return 0;
	if (!(g = qp_model_add(x->m, sizeof(*g), QP_K_TRIGGER, t->h.schema, v[2], t)))
		return qp_error_code() ? qp_error_code() : QUIPU_ENOMEM;
	g->def = dup(x, v[3]);
	g->h.comment = dup(x, v[4]);
	if ((error = put_oid(x, 'g', v[0], NULL, g)) < 0)
		return error;
	return 0;
}

/* ---- dependencies ----------------------------------------------------- */

/* class, objid, objsubid, refclass, refobjid, refobjsubid */
static int row_depend(const char *const *v, size_t n, void *payload)
{
	pgx *x = payload;
	qp_obj *obj = by_oid(x, v[0][0], v[1], v[2]);
	qp_obj *ref = by_oid(x, v[3][0], v[4], v[5]);

	if (!obj && v[0][0] == 'c' && v[2] && strcmp(v[2], "0"))
		obj = by_oid(x, 'c', v[1], NULL);   /* a column we do not model: its relation */
	if (!ref && v[3][0] == 'c' && v[5] && strcmp(v[5], "0"))
		ref = by_oid(x, 'c', v[4], NULL);
	if (!obj || !ref || obj == ref)
		return 0;
	/* a sequence OWNED BY a column: kept as owned_by, not an ordering edge
	 * (the column's default needs the sequence first) */
	if (obj->kind == QP_K_SEQUENCE && ref->kind == QP_K_COLUMN)
		return 0;
	/* a column or constraint of a table already depends on it */
	if (obj->table && &obj->table->h == ref)
		return 0;
	return qp_model_dep(x->m, obj, ref);
}

/* ---- putting it together ---------------------------------------------- */

static int resolve(pgx *x)
{
	size_t i;

	for (i = 0; i < x->seqs.count; i++) {
		qp_sequence *s = x->seqs.items[i];
		qp_obj *col = find(x, *(uint64_t *)x->seq_owner.items[i]);
		if (col && col->kind == QP_K_COLUMN)
			s->owned_by = col->key;
	}
	for (i = 0; i < x->parts.count; i++) {
		qp_table *t = x->parts.items[i];
		qp_obj *parent = find(x, *(uint64_t *)x->part_parent.items[i]);
		if (parent) {
			t->parent_key = parent->key;
			if (qp_model_dep(x->m, &t->h, parent) < 0)
				return QUIPU_ENOMEM;
		}
	}
	return 0;
}

/* " AND NOT (<ns>.nspname = 'public' AND <rel>.relname IN ('alembic_version', 'alembic_version_log'))";
 * inside NOT EXISTS the caller inverts it: "AND (<ns>... )" */
static void skip_condition(qp_buf *b, const char *ns, const char *rel, const qp_introspect_opts *opts,
                           const char *current_schema)
{
	qp_buf log = QP_BUF_INIT;

	qp_buf_printf(&log, "%s_log", opts->version_table);
	qp_buf_printf(b, " AND %s(%s.nspname = ", strcmp(ns, "n") ? "" : "NOT ", ns);
	qp_buf_put_literal(b, opts->version_schema ? opts->version_schema : current_schema);
	qp_buf_printf(b, " AND %s.relname IN (", rel);
	qp_buf_put_literal(b, opts->version_table);
	qp_buf_puts(b, ", ");
	qp_buf_put_literal(b, qp_buf_cstr(&log));
	qp_buf_puts(b, "))");
	b->oom |= log.oom;
	qp_buf_release(&log);
}

/* The transaction of the catalog reads, on both connections. JIT off: the
 * column query's estimated cost passes jit_above_cost on a large schema,
 * and compiling it took longer (up to 1 s at 10,000 tables) than running
 * it. No parallel workers: each is a new process that faults the shared
 * buffers in again, for scans of a few MB. */
#define BEGIN_RR "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; "
#define SETUP_11 "SET LOCAL search_path = public; SET LOCAL jit = off; SET LOCAL max_parallel_workers_per_gather = 0"
#define SETUP_10 "SET LOCAL search_path = public; SET LOCAL max_parallel_workers_per_gather = 0"

static int row_snapshot(const char *const *v, size_t n, void *payload)
{
	pgx *x = payload;

	snprintf(x->snapshot, sizeof(x->snapshot), "%s", v[0] ? v[0] : "");
	return 0;
}

/* QUIPU_INTROSPECT_CONNECTIONS=1 or 2 forces one or two connections (tests,
 * bench); otherwise two from SIDE_MIN_PGCLASS bytes of pg_class. */
static int want_side(const pgx *x)
{
	const char *env = getenv("QUIPU_INTROSPECT_CONNECTIONS");

	if (env && (env[0] == '1' || env[0] == '2') && !env[1])
		return env[0] == '2';
	return x->pgclass_size >= SIDE_MIN_PGCLASS;
}

/* QUIPU_INTROSPECT_DEFS=server: every index and key definition written by
 * the server (tests compare the two ways). */
static int server_defs(void)
{
	const char *env = getenv("QUIPU_INTROSPECT_DEFS");

	return env && !strcmp(env, "server");
}

/* Starts the second connection's reads in a transaction on the first one's
 * snapshot; *out stays NULL when any step fails (the first connection then
 * reads everything, its transaction unchanged: a failed export is rolled
 * back and the transaction begun again; that failing is the only error). */
static int start_side(qp_pgside **out, pgx *x, const char *begin, const char *setup, const char *const *sqls,
                      size_t n)
{
	qp_conn *more = NULL;

	*out = NULL;
	if (x->drv != &qp_driver_pg)
		return 0;
	if (x->drv->query_each(x->c, "SELECT pg_export_snapshot()", row_snapshot, x, &x->xe) < 0 || !x->snapshot[0]) {
		x->drv->rollback(x->c);
		quipu_error_clear();
		return x->drv->exec(x->c, begin, &x->xe);
	}
	if (qp_pg_connect_more(&more, x->c) < 0) {
		quipu_error_clear();
		return 0;
	}
	*out = qp_pgside_start(x->drv, more, x->snapshot, setup, sqls, n);
	return 0;
}

int qp_introspect_pg(qp_model *out, const qp_driver *drv, qp_conn *c, const qp_introspect_opts *opts)
{
	pgx x;
	const char *setup, *begin;
	qp_buf skip = QP_BUF_INIT, seqskip = QP_BUF_INIT, seqsql = QP_BUF_INIT, sql = QP_BUF_INIT, ixsql = QP_BUF_INIT,
	       consql = QP_BUF_INIT;
	int error = 0, in_tx = 0;

	memset(&x, 0, sizeof(x));
	qp_model_init(out, QP_DIALECT_PG);
	x.m = out;
	x.drv = drv;
	x.c = c;

	last_connections = 1;
	last_written = 0;
	if ((error = query(&x, "SELECT current_setting('server_version_num'), current_schema(), "
	                       "pg_relation_size('pg_catalog.pg_class')", row_server)) < 0)
		goto done;
	if (x.version < 100000) {
		error = qp_error_set(QUIPU_EUSAGE, "autogenerate needs PostgreSQL 10 or later (this server is %d)",
		                     x.version);
		goto done;
	}
	setup = x.version >= 110000 ? SETUP_11 : SETUP_10;
	begin = x.version >= 110000 ? BEGIN_RR SETUP_11 : BEGIN_RR SETUP_10;
	if ((error = drv->exec(c, begin, &x.xe)) < 0)
		goto done;
	in_tx = 1;

	/* the version tables are not part of the schema */
	if (opts && opts->version_table) {
		skip_condition(&skip, "n", "c", opts, x.current_schema);
		qp_buf_puts(&seqskip, " AND NOT EXISTS (SELECT 1 FROM pg_depend od JOIN pg_class oc ON oc.oid = od.refobjid "
		                      "JOIN pg_namespace onn ON onn.oid = oc.relnamespace WHERE od.classid = 'pg_class'::regclass "
		                      "AND od.objid = c.oid AND od.refclassid = 'pg_class'::regclass AND od.deptype = 'a' ");
		skip_condition(&seqskip, "onn", "oc", opts, x.current_schema);
		qp_buf_puts(&seqskip, ")");
	}
	if (skip.oom || seqskip.oom) {
		error = qp_error_oom();
		goto done;
	}
	qp_buf_puts(&seqsql,
	        "SELECT c.oid, n.nspname, c.relname, format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, "
	        "s.seqmin, s.seqmax, s.seqcache, s.seqcycle, ds.description, "
	        "ow.refobjid || '.' || ow.refobjsubid, n.oid "
	        "FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid "
	        "JOIN pg_namespace n ON n.oid = c.relnamespace " DESCR("ds", "c.oid", "pg_class", "0")
	        "LEFT JOIN pg_depend ow ON ow.classid = 'pg_class'::regclass AND ow.objid = c.oid "
	        "AND ow.refclassid = 'pg_class'::regclass AND ow.refobjsubid > 0 AND ow.deptype = 'a' "
	        "WHERE " NSFILTER("n") " AND " NOT_EXT("pg_class", "c.oid") " AND NOT EXISTS (SELECT 1 FROM pg_depend d "
	        "WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'i')");
	qp_buf_puts(&seqsql, qp_buf_cstr(&seqskip));
	qp_buf_puts(&seqsql, " ORDER BY n.nspname, c.relname");
	if (seqsql.oom) {
		error = qp_error_oom();
		goto done;
	}
	x.side_sql[0] = qp_buf_cstr(&seqsql);
	x.side_cb[0] = row_sequence;
	sql_indexes(&ixsql, x.version, server_defs());
	sql_constraints(&consql, x.version, server_defs());
	if (ixsql.oom || consql.oom) {
		error = qp_error_oom();
		goto done;
	}
	x.side_sql[1] = qp_buf_cstr(&ixsql);
	x.side_cb[1] = row_index;
	x.side_sql[2] = qp_buf_cstr(&consql);
	x.side_cb[2] = row_constraint;
	x.side_n = 3;
	x.side_open = 2;
	x.side_eager = getenv("QUIPU_INTROSPECT_SIDE_EAGER") != NULL;
	if (want_side(&x)) {
		if ((error = start_side(&x.side, &x, begin, setup, x.side_sql, x.side_n)) < 0)
			goto done;
		if (x.side)
			last_connections = 2;
	}

	if ((error = query(&x,
	        "SELECT n.oid, n.nspname, ds.description FROM pg_namespace n " DESCR("ds", "n.oid", "pg_namespace", "0")
	        "WHERE " NSFILTER("n") " AND n.nspname <> 'public' AND " NOT_EXT("pg_namespace", "n.oid")
	        " ORDER BY n.nspname", row_schema)) < 0)
		goto done;
	if ((error = query(&x,
	        "SELECT e.oid, e.extname, n.nspname, n.oid FROM pg_extension e "
	        "JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname <> 'plpgsql' ORDER BY e.extname",
	        row_extension)) < 0)
		goto done;
	if ((error = query(&x,
	        "SELECT t.oid, n.nspname, t.typname, t.typtype, format_type(t.typbasetype, t.typtypmod), "
	        "t.typnotnull, pg_get_expr(t.typdefaultbin, 0), "
	        COLLATION("t.typcollation", "coalesce(bt.typcollation, 0)") ", "
	        "ds.description, en.enumlabel, t.typarray, n.oid "
	        "FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace " DESCR("ds", "t.oid", "pg_type", "0")
	        "LEFT JOIN pg_type bt ON bt.oid = t.typbasetype "
	        "LEFT JOIN pg_enum en ON en.enumtypid = t.oid "
	        "WHERE t.typtype IN ('e', 'd') AND " NSFILTER("n") " AND " NOT_EXT("pg_type", "t.oid")
	        " ORDER BY n.nspname, t.typname, en.enumsortorder", row_type)) < 0)
		goto done;
	qp_buf_puts(&sql,
	        "SELECT c.oid, n.nspname, c.relname, c.relkind, c.relpersistence, "
	        "array_to_string(c.reloptions, ', '), "
	        "CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END, "
	        "CASE WHEN c.relispartition THEN (SELECT i.inhparent FROM pg_inherits i WHERE i.inhrelid = c.oid) END, "
	        "CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END, "
	        "CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END, "
	        "ds.description, c.reltype, n.oid, c.relnatts "
	        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace " DESCR("ds", "c.oid", "pg_class", "0")
	        "WHERE c.relkind IN ('r', 'p', 'v', 'm') AND " NSFILTER("n") " AND " NOT_EXT("pg_class", "c.oid"));
	qp_buf_puts(&sql, qp_buf_cstr(&skip));
	/* parents before partitions: partitions are resolved afterwards anyway */
	qp_buf_puts(&sql, " ORDER BY n.nspname, c.relname");
	if (sql.oom) {
		error = qp_error_oom();
		goto done;
	}
	if ((error = query(&x, qp_buf_cstr(&sql), row_relation)) < 0)
		goto done;
	/* from here on, whenever the second connection has read something */
	if ((error = side_drain(&x, 0)) < 0)
		goto done;
	if ((error = query(&x,
	        "SELECT a.attrelid, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
	        /* a default cannot name a column: rendering it without its table (0)
	         * spares the server opening every table */
	        "CASE WHEN a.attgenerated = '' THEN pg_get_expr(ad.adbin, 0) ELSE pg_get_expr(ad.adbin, ad.adrelid) END, "
	        "nullif(a.attidentity, ''), nullif(a.attgenerated, ''), "
	        COLLATION("a.attcollation", "t.typcollation") ", ds.description, "
	        /* an identity column's sequence, looked up for those columns only */
	        "CASE WHEN a.attidentity <> '' THEN (SELECT s.seqstart || ' ' || s.seqincrement || ' ' || s.seqmin || ' ' "
	        "|| s.seqmax || ' ' || s.seqcache || ' ' || s.seqcycle FROM pg_depend sd JOIN pg_sequence s ON "
	        "s.seqrelid = sd.objid WHERE sd.refclassid = 'pg_class'::regclass AND sd.refobjid = a.attrelid AND "
	        "sd.refobjsubid = a.attnum AND sd.classid = 'pg_class'::regclass AND sd.deptype = 'i') END, "
	        "CASE WHEN a.attstattarget >= 0 THEN a.attstattarget END "
	        "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
	        "JOIN pg_namespace n ON n.oid = c.relnamespace "
	        "JOIN pg_type t ON t.oid = a.atttypid " DESCR("ds", "a.attrelid", "pg_class", "a.attnum")
	        "LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum "
	        "WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p') AND " NSFILTER("n"),
	        row_column)) < 0)
		goto done;
	/* the constraints' keys are written from the columns */
	x.side_open = 3;
	if ((error = side_drain(&x, 0)) < 0)
		goto done;
	if ((error = query(&x,
	        "SELECT p.oid, n.nspname, p.proname, pg_get_function_identity_arguments(p.oid), p.prokind, "
	        "CASE WHEN p.prokind <> 'a' THEN pg_get_functiondef(p.oid) END, pg_get_function_result(p.oid), "
	        "ds.description, n.oid, "
	        "a.aggtransfn::regproc, format_type(a.aggtranstype, NULL), a.aggfinalfn::regproc, "
	        "a.aggcombinefn::regproc, a.agginitval "
	        "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace " DESCR("ds", "p.oid", "pg_proc", "0")
	        "LEFT JOIN pg_aggregate a ON a.aggfnoid = p.oid "
	        "WHERE " NSFILTER("n") " AND " NOT_EXT("pg_proc", "p.oid")
	        " ORDER BY n.nspname, p.proname, 4", row_routine)) < 0)
		goto done;
	if ((error = side_drain(&x, 0)) < 0)
		goto done;
	if ((error = query(&x,
	        "SELECT o.oid, n.nspname, o.oprname, CASE WHEN o.oprleft <> 0 THEN format_type(o.oprleft, NULL) END, "
	        "CASE WHEN o.oprright <> 0 THEN format_type(o.oprright, NULL) END, o.oprcode::regproc, "
	        "(SELECT quote_ident(cn.nspname) || '.' || co.oprname FROM pg_operator co JOIN pg_namespace cn "
	        "ON cn.oid = co.oprnamespace WHERE co.oid = o.oprcom), "
	        "(SELECT quote_ident(cn.nspname) || '.' || co.oprname FROM pg_operator co JOIN pg_namespace cn "
	        "ON cn.oid = co.oprnamespace WHERE co.oid = o.oprnegate), "
	        "o.oprrest::regproc, o.oprjoin::regproc, o.oprcanhash, o.oprcanmerge, ds.description, n.oid "
	        "FROM pg_operator o JOIN pg_namespace n ON n.oid = o.oprnamespace "
	        DESCR("ds", "o.oid", "pg_operator", "0")
	        "WHERE " NSFILTER("n") " AND " NOT_EXT("pg_operator", "o.oid") " ORDER BY n.nspname, o.oprname, 4, 5",
	        row_operator)) < 0)
		goto done;
	if ((error = side_drain(&x, 0)) < 0)
		goto done;
	if ((error = query(&x, x.version >= 130000
	        ? "SELECT t.oid, t.tgrelid, t.tgname, pg_get_triggerdef(t.oid), ds.description "
	          "FROM pg_trigger t " DESCR("ds", "t.oid", "pg_trigger", "0") "WHERE NOT t.tgisinternal AND t.tgparentid = 0 ORDER BY t.tgrelid, t.tgname"
	        : "SELECT t.oid, t.tgrelid, t.tgname, pg_get_triggerdef(t.oid), ds.description "
	          "FROM pg_trigger t " DESCR("ds", "t.oid", "pg_trigger", "0") "WHERE NOT t.tgisinternal ORDER BY t.tgrelid, t.tgname", row_trigger)) < 0)
		goto done;
	/* the sequences and indexes, when not read in yet (on one connection:
	 * here) */
	if ((error = side_drain(&x, 1)) < 0 || (error = defs_finish(&x)) < 0)
		goto done;
	if ((error = query(&x,
	        "SELECT CASE d.classid WHEN 'pg_class'::regclass THEN 'c' WHEN 'pg_rewrite'::regclass THEN 'c' "
	        "WHEN 'pg_attrdef'::regclass THEN 'c' WHEN 'pg_type'::regclass THEN 't' "
	        "WHEN 'pg_proc'::regclass THEN 'p' WHEN 'pg_constraint'::regclass THEN 'k' "
	        "WHEN 'pg_trigger'::regclass THEN 'g' WHEN 'pg_operator'::regclass THEN 'o' END, "
	        "CASE d.classid WHEN 'pg_rewrite'::regclass THEN r.ev_class WHEN 'pg_attrdef'::regclass "
	        "THEN ad.adrelid ELSE d.objid END, "
	        "CASE d.classid WHEN 'pg_rewrite'::regclass THEN 0 WHEN 'pg_attrdef'::regclass THEN ad.adnum "
	        "ELSE d.objsubid END, "
	        "CASE d.refclassid WHEN 'pg_class'::regclass THEN 'c' WHEN 'pg_type'::regclass THEN 't' "
	        "WHEN 'pg_proc'::regclass THEN 'p' WHEN 'pg_constraint'::regclass THEN 'k' "
	        "WHEN 'pg_namespace'::regclass THEN 'n' WHEN 'pg_extension'::regclass THEN 'x' "
	        "WHEN 'pg_operator'::regclass THEN 'o' END, "
	        "d.refobjid, d.refobjsubid "
	        "FROM pg_depend d "
	        "LEFT JOIN pg_rewrite r ON d.classid = 'pg_rewrite'::regclass AND r.oid = d.objid "
	        "LEFT JOIN pg_attrdef ad ON d.classid = 'pg_attrdef'::regclass AND ad.oid = d.objid "
	        "WHERE d.deptype IN ('n', 'a') AND d.objid >= 16384 AND d.refobjid >= 16384 "
	        "AND d.classid IN ('pg_class'::regclass, 'pg_rewrite'::regclass, 'pg_attrdef'::regclass, "
	        "'pg_type'::regclass, 'pg_proc'::regclass, 'pg_constraint'::regclass, 'pg_trigger'::regclass, "
	        "'pg_operator'::regclass) "
	        "AND d.refclassid IN ('pg_class'::regclass, 'pg_type'::regclass, 'pg_proc'::regclass, "
	        "'pg_constraint'::regclass, 'pg_namespace'::regclass, 'pg_extension'::regclass, "
	        "'pg_operator'::regclass) "
	        , row_depend)) < 0)
		goto done;
	if ((error = resolve(&x)) < 0)
		goto done;
	/* the big queries are not sorted by the server: the order is made here */
	qp_model_finish(out);
done:
	/* before the rollback: the exported snapshot lives as long as the first
	 * transaction */
	qp_pgside_end(x.side);
	if (in_tx)
		drv->rollback(c);
	oidmap_release(&x.by_oid);
	qp_exec_error_release(&x.xe);
	free(x.current_schema);
	qp_buf_release(&skip);
	qp_buf_release(&seqskip);
	qp_buf_release(&seqsql);
	qp_buf_release(&sql);
	qp_buf_release(&ixsql);
	qp_buf_release(&consql);
	qp_buf_release(&x.text);
	qp_arena_release(&x.tmp);
	return error;
}
