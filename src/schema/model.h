/*
 * model.h: the schema model that autogenerate introspects, compares and
 * emits (DESIGN §6). One model is one snapshot of one database.
 *
 * After pg_dump's DumpableObject, every object starts with a common head,
 * qp_obj: its kind, schema, name, owning table (for columns, constraints,
 * indexes and triggers), the objects it depends on, and its comment.
 * Definitions are kept as the server renders them (format_type,
 * pg_get_expr, pg_get_constraintdef, pg_get_indexdef, pg_get_viewdef; on
 * SQLite the normalised text of sqlite_master), so normalisation is the
 * server's job and both sides of a comparison go through the same code.
 *
 * Ownership: a qp_model owns everything in it through its arena; objects
 * point at each other freely. qp_model_release() frees it all.
 */
#ifndef QP_SCHEMA_MODEL_H
#define QP_SCHEMA_MODEL_H

#include <stddef.h>
#include "util/arena.h"
#include "util/buf.h"
#include "util/hash.h"

typedef enum qp_dialect { QP_DIALECT_PG = 1, QP_DIALECT_SQLITE } qp_dialect;

/* The kinds, in pg_dump's creation priority (the sort's tie-break). */
typedef enum qp_kind {
	QP_K_SCHEMA = 0,
	QP_K_EXTENSION,
	QP_K_ENUM,
	QP_K_DOMAIN,
	QP_K_FUNCTION,     /* functions, procedures, aggregates */
	QP_K_OPERATOR,
	QP_K_SEQUENCE,
	QP_K_TABLE,
	QP_K_VTABLE,       /* SQLite virtual table (FTS...) */
	QP_K_COLUMN,
	QP_K_PKEY,
	QP_K_UNIQUE,
	QP_K_CHECK,
	QP_K_EXCLUDE,
	QP_K_INDEX,
	QP_K_FKEY,
	QP_K_VIEW,
	QP_K_MATVIEW,
	QP_K_TRIGGER,
	QP_K__COUNT
} qp_kind;

/* "table", "column", "foreign key"... static storage. */
const char *qp_kind_name(qp_kind k);
/* The SQL keyword of a kind for DROP/COMMENT ON ("TABLE", "INDEX", ...). */
const char *qp_kind_sql(qp_kind k);
/* Constraints: primary key, unique, check, exclude, foreign key. */
int qp_kind_is_constraint(qp_kind k);

typedef struct qp_obj qp_obj;
typedef struct qp_table qp_table;

/* The common head (64 bytes: the counts are 32-bit and fill the holes
 * beside the pointers). */
struct qp_obj {
	qp_kind kind;
	unsigned n_deps;
	const char *schema;    /* PostgreSQL schema; "" on SQLite (one copy per model for a run
	                          of objects in the same schema: compare with strcmp) */
	const char *name;      /* object name (a function's without its arguments); as added, the
	                          tail of `key` (no copy of its own) */
	qp_table *table;       /* owning table (columns, constraints, indexes, triggers), else NULL */
	const char *key;       /* identity in its model, e.g. "table public.users"; equal keys
	                          in two models name the same object */
	const char *comment;   /* COMMENT ON, NULL when none */
	qp_obj **deps;         /* what it needs: created before it, dropped after it (n_deps) */
	unsigned cap_deps;
	unsigned pos;          /* order of introspection (deterministic tie-breaks) */
};

/* (The small members are grouped after the pointers, the flags in chars:
 * 128 bytes, no padding. A model of 2,000 tables holds 20,000 columns;
 * autogenerate holds two models at once.) */
typedef struct qp_column {
	qp_obj h;
	const char *type;      /* server-formatted (PG format_type; SQLite: declared type, upper case) */
	const char *dflt;      /* server-rendered default, NULL when none */
	const char *ident_opts;/* PG identity sequence options beyond the defaults ("" when none) */
	const char *gen_expr;  /* generation expression */
	const char *collation; /* non-default collation, NULL when none */
	const char *def_text;  /* SQLite: the column's text in CREATE TABLE (for ADD COLUMN) */
	const char *stats;     /* PG: SET STATISTICS target when not the default, NULL */
	int num;               /* attnum / cid: column order */
	signed char not_null;  /* 0 or 1 */
	signed char inline_pk; /* SQLite: PRIMARY KEY written on the column (0 or 1) */
	char identity;         /* PG: 'a' ALWAYS, 'd' BY DEFAULT, 0 none */
	char generated;        /* 's' STORED, 'v' VIRTUAL (SQLite), 0 none */
} qp_column;

typedef struct qp_constraint {
	qp_obj h;              /* SQLite unnamed constraints get a name "" and a key from def */
	const char *def;       /* server-rendered: "PRIMARY KEY (id)", "CHECK ((x > 0))", "FOREIGN KEY ..." */
	const char *ref_key;   /* FK: key of the referenced table ("table public.users") */
	int deferrable;
	int deferred;
	int named;             /* SQLite: written with CONSTRAINT name */
	const char *inline_col;/* SQLite: the column whose definition holds it, NULL for a table
	                          constraint */
	const char **cols;     /* key columns (PK, UNIQUE, FK), in order */
	size_t n_cols;
} qp_constraint;

typedef struct qp_index {
	qp_obj h;
	const char *def;       /* server-rendered CREATE INDEX text (SQLite: normalised) */
	const char *cmp;       /* def with the index name and IF NOT EXISTS taken out: what is compared */
	int unique;
	const char *sql;       /* SQLite: the statement as stored (emitted verbatim) */
	const char *stats;     /* PG: statistics targets of its columns, "2 3000,3 100" (attnum target), NULL */
} qp_index;

/* Relations: tables (PG relkind r/p; SQLite tables), and views and
 * materialized views (kind QP_K_VIEW / QP_K_MATVIEW: `def` holds the query,
 * there are no columns, a materialized view may have indexes). */
struct qp_table {
	qp_obj h;
	qp_column **cols;      /* in column order */
	size_t n_cols, cap_cols;
	qp_constraint **cons;  /* local constraints */
	size_t n_cons, cap_cons;
	qp_index **idx;        /* indexes not backing a constraint */
	size_t n_idx, cap_idx;
	qp_obj **trigs;        /* triggers (qp_defobj) */
	size_t n_trigs, cap_trigs;
	char persistence;      /* PG: 'p' permanent, 'u' unlogged */
	const char *options;   /* PG reloptions "fillfactor=70" ("check_option=local" for a view);
	                          SQLite "WITHOUT ROWID", "STRICT"... NULL when none */
	const char *partkey;   /* PG: "RANGE (payment_date)" of a partitioned table, else NULL */
	const char *parent_key;/* PG: key of the partitioned table this is a partition of, else NULL */
	const char *bound;     /* PG: "FOR VALUES FROM (...) TO (...)" of a partition */
	const char *def;       /* views: the query as the server renders it (SQLite: the canonical
	                          statement without its name) */
	const char *sql;       /* SQLite: CREATE statement as stored in sqlite_master */
	int autoincrement;     /* SQLite: AUTOINCREMENT on its INTEGER PRIMARY KEY */
};

typedef struct qp_domain {
	qp_obj h;
	const char *type;      /* base type, server-formatted */
	const char *collation; /* non-default collation, NULL when none */
	const char *dflt;      /* NULL when none */
	int not_null;
	const char **check_names; /* its CHECK constraints, by name */
	const char **check_defs;  /* "CHECK (VALUE >= 1901)" */
	size_t n_checks, cap_checks;
} qp_domain;

typedef struct qp_enum {
	qp_obj h;
	const char **vals;     /* in sort order */
	size_t n_vals;
} qp_enum;

typedef struct qp_sequence {
	qp_obj h;
	const char *type;      /* "bigint" */
	const char *start, *inc, *min, *max, *cache;
	int cycle;
	const char *owned_by;  /* key of the owning column, NULL when none */
} qp_sequence;

/* Objects whose definition is one server-rendered text: functions,
 * triggers, schemas, extensions, SQLite virtual tables. */
typedef struct qp_defobj {
	qp_obj h;
	const char *def;       /* the CREATE statement (compared) */
	const char *extra;     /* functions: identity arguments "integer, text"; operators: "text, text" */
	const char *result;    /* functions: result type (a change needs DROP + CREATE) */
	char subkind;          /* functions: prokind f/p/a/w */
	const char *sql;       /* SQLite: the statement as stored (emitted verbatim) */
} qp_defobj;

typedef struct qp_model {
	qp_dialect dialect;
	qp_arena arena;        /* owns everything below */
	qp_obj **objs;         /* every object, in introspection order (malloc'd) */
	size_t n_objs, cap_objs;
	qp_idmap by_key;       /* key -> its place in objs (4 bytes a slot) */
	size_t n_queries;      /* catalog queries the introspection ran */
	int parsed;            /* made by parse_pg.c from the models' text, with only forms the
	                          server renders as fixed points (so rendering again changes nothing) */
	const char *last_schema;  /* the schema of the object added last (arena): the next object
	                             of the same schema shares the copy */
	qp_arena lists;        /* owns the pointer arrays: a table's columns, constraints, indexes
	                          and triggers, an object's dependencies. Apart from the objects, an
	                          array filled without a break grows in place (qp_arena_extend) */
} qp_model;

#define QP_MODEL_INIT {0, QP_ARENA_INIT, NULL, 0, 0, QP_IDMAP_INIT, 0, 0, NULL, QP_ARENA_INIT}

void qp_model_init(qp_model *m, qp_dialect d);
void qp_model_release(qp_model *m);

/* Allocates a zeroed object of `size` bytes (>= sizeof(qp_obj)) of `kind`,
 * copies schema and name into the arena, builds its key, links it to its
 * table (which appends it to the table's list) and registers it. A second
 * object with the same key is QUIPU_EEXISTS. NULL on failure (error set). */
void *qp_model_add(qp_model *m, size_t size, qp_kind kind, const char *schema, const char *name,
                   qp_table *table);
/* Room for n columns in t's list, made before they are added: rows that
 * come mixed with other tables' would otherwise grow it by copies left
 * behind in the arena. Nothing to do when it has room. 0 or QUIPU_ENOMEM. */
int qp_table_reserve_cols(qp_model *m, qp_table *t, size_t n);
/* The key an object of this kind would have (arena-allocated). For
 * functions `name` is "name(args)". */
const char *qp_model_key(qp_model *m, qp_kind kind, const char *schema, const char *table,
                         const char *name);
qp_obj *qp_model_get(const qp_model *m, const char *key);
/* qp_model_get of the key qp_model_key would make, made on the stack
 * instead of in the model's arena (a lookup leaves nothing behind). NULL
 * when absent (or out of memory for a key over 255 bytes). */
qp_obj *qp_model_find(const qp_model *m, qp_kind kind, const char *schema, const char *table, const char *name);
/* Records that `obj` depends on `on` (ignores duplicates and self). */
int qp_model_dep(qp_model *m, qp_obj *obj, qp_obj *on);
/* Appends a CHECK constraint to a domain (strings copied). */
int qp_domain_add_check(qp_model *m, qp_domain *d, const char *name, const char *def);
/* The column named name in t, or NULL. */
qp_column *qp_table_column(const qp_table *t, const char *name);

/* Puts everything in a fixed order whatever order the catalogs returned
 * it in: objects and their parts by key, columns by position, a domain's
 * checks by name, each object's dependencies by key. The introspections
 * call it last, so the same schema always gives the same output. */
void qp_model_finish(qp_model *m);

/* A canonical text of the whole model: one line per object and attribute,
 * sorted, columns in name order (column order is not compared), SQLite
 * constraint names only where written. Two models are the same schema when
 * their dumps are equal. */
int qp_model_dump(qp_buf *out, const qp_model *m);

/* Appends an identifier, double-quoted only where the dialect needs it:
 * not lower-case letters, digits and _ (so case is kept), or a keyword
 * (PostgreSQL: those quote_ident() quotes; SQLite: its keyword list).
 * Built on qp_buf_put_ident / qp_buf_put_ident_quoted. */
void qp_sql_ident(qp_buf *b, qp_dialect d, const char *name);

/* Appends the options of a sequence that differ from PostgreSQL's defaults
 * for its type and direction (" INCREMENT BY 2 CACHE 20"), nothing when all
 * are defaults. type: "smallint", "integer" or "bigint" (NULL: bigint). */
void qp_seq_options(qp_buf *b, const char *type, const char *start, const char *inc, const char *min,
                    const char *max, const char *cache, int cycle);

/* Statistics: objects of each kind. */
size_t qp_model_count(const qp_model *m, qp_kind k);

#endif
