/*
 * diff.h: comparing two schema models (diff.c), ordering the operations
 * that turn one into the other (order.c) and writing their SQL (emit_pg.c,
 * emit_sqlite.c). qp_schema_migrate() runs the three.
 *
 * The downgrade is the same machinery run the other way: the desired and
 * current models swap, and so do the renames, so each direction is built
 * from the models themselves rather than by inverting statements.
 */
#ifndef QP_SCHEMA_DIFF_H
#define QP_SCHEMA_DIFF_H

#include "schema/model.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/strlist.h"

typedef enum qp_op_kind {
	QP_OP_CREATE = 1,  /* create `to` (a table with its columns and inline constraints) */
	QP_OP_DROP,        /* drop `from` (a table with everything in it) */
	QP_OP_ALTER,       /* change `from` into `to` in place (`changes` says what) */
	QP_OP_RENAME,      /* rename `from` to `to`'s name (columns; constraints and indexes
	                      whose definition is unchanged) */
	QP_OP_ENUM_ADD,    /* ALTER TYPE `to` ADD VALUE `value` */
	QP_OP_ENUM_REBUILD,/* a value was removed or moved: rename, create, convert columns, drop */
	QP_OP_REBUILD,     /* SQLite: a new table, copy the rows, drop, rename */
	QP_OP_SEQ_OWNED,   /* ALTER SEQUENCE `to` OWNED BY (once its column exists) */
	QP_OP_COMMENT      /* COMMENT ON `to` (NULL comment: remove it) */
} qp_op_kind;

/* What a QP_OP_ALTER changes. */
#define QP_CH_TYPE      0x0001u  /* column type or collation */
#define QP_CH_NULL      0x0002u  /* column nullability */
#define QP_CH_DEFAULT   0x0004u  /* column or domain default */
#define QP_CH_IDENTITY  0x0008u  /* column identity */
#define QP_CH_REPLACE   0x0010u  /* function: CREATE OR REPLACE */
#define QP_CH_SEQUENCE  0x0020u  /* sequence parameters */
#define QP_CH_PERSIST   0x0040u  /* table LOGGED / UNLOGGED */
#define QP_CH_OPTIONS   0x0080u  /* table storage options */
#define QP_CH_DOMAIN    0x0100u  /* domain NOT NULL or CHECK constraints */
#define QP_CH_SCHEMA    0x0200u  /* extension schema */
#define QP_CH_RESET_DEFAULT 0x0400u /* column default dropped and set again around a type change */
#define QP_CH_STATS     0x0800u  /* column statistics target */

typedef struct qp_op qp_op;

struct qp_op {
	qp_op_kind kind;
	qp_obj *from;          /* in the current model (NULL for creates) */
	qp_obj *to;            /* in the desired model (NULL for drops) */
	unsigned changes;      /* QP_CH_* for ALTER */
	const char *value;     /* ENUM_ADD: the new label */
	const char *neighbour; /* ENUM_ADD: the label it goes after (or before, see `before`) */
	int before;            /* ENUM_ADD: BEFORE neighbour */
	const char *warning;   /* a data-loss warning written before the statement, or NULL */
	const char *note;      /* a comment written before the statement (not a warning), or NULL */
	qp_ptrvec olds;        /* objects of the current model this op drops or changes (a DROP
	                          TABLE: the table and everything in it) */
	qp_ptrvec news;        /* objects of the desired model it makes (a CREATE TABLE: the
	                          table, its columns and its constraints but foreign keys) */
	qp_ptrvec fks;         /* CREATE/DROP TABLE: foreign keys that go with it (may be split out) */
	qp_ptrvec copy_from;   /* REBUILD: for each column of `to`, the column of `from` copied into it */
	int breaks;            /* dependents of `from` must be dropped first (type change, rebuild...) */
	int forced;            /* a drop or create only because something it depends on is rebuilt */
	int split;             /* a foreign key taken out of its table's CREATE/DROP to break a cycle */
	int dead;              /* superseded by another op (e.g. a COMMENT inside a forced re-create) */
	/* ordering state (order.c) */
	size_t id;
	qp_ptrvec succ;        /* ops that must come after this one */
	size_t n_pred;         /* ops that must come before it, not yet placed */
	const char *sort_key;  /* tie-break: phase, group, kind, name */
	int placed;
};

typedef struct qp_rename {
	const char *table;     /* table name (as the key's name part) */
	const char *from;      /* the column's old name */
	const char *to;        /* its new name */
} qp_rename;

/* All the ops of one direction, in an arena. */
typedef struct qp_diff {
	qp_arena arena;        /* owns the ops */
	const qp_model *cur;   /* borrowed: the database as it is */
	const qp_model *want;  /* borrowed: as it should be */
	qp_dialect dialect;
	qp_ptrvec ops;         /* qp_op*, in creation order; after qp_order, in execution order */
	qp_strlist warnings;   /* rename hints and other notes for the user (owned) */
	unsigned *rdep_start;  /* owned, made by qp_diff_rdeps: cur's object i's dependents are
	                          rdep_items[rdep_start[i], rdep_start[i + 1]) */
	qp_obj **rdep_items;   /* owned */
} qp_diff;

/* Compares cur with want into d (initialised here; release with
 * qp_diff_release even on failure). renames: "table.old:new" entries were
 * parsed by the caller. */
int qp_diff_models(qp_diff *d, const qp_model *cur, const qp_model *want, const qp_rename *renames,
                   size_t n_renames);
void qp_diff_release(qp_diff *d);

/* The current model's reverse dependencies, made once per diff and kept
 * (the diff's cascade and qp_order both need them): for each object, the
 * objects of cur that depend on it, its children counting as its
 * dependents, in cur's order. Two flat arrays (4 bytes an object, 8 a
 * dependency) rather than a map of vectors keyed by strings. 0 or an
 * error. */
int qp_diff_rdeps(qp_diff *d);
/* The dependents of o, an object of d->cur (or of the object of d->cur
 * with o's key), after qp_diff_rdeps; *n receives their count. */
qp_obj *const *qp_diff_dependents(const qp_diff *d, const qp_obj *o, size_t *n);

/* Orders d->ops by dependency with a per-kind priority (drops of dependents
 * first, then changes, then creations; types and tables before the foreign
 * keys and views that use them); a cycle of foreign keys is broken by
 * splitting one out of its table into ALTER TABLE ... ADD / DROP
 * CONSTRAINT. Deterministic. */
int qp_order(qp_diff *d);

/* Appends the SQL of the ordered ops to out (nothing when there are none). */
int qp_emit_pg(qp_buf *out, const qp_diff *d);
int qp_emit_sqlite(qp_buf *out, const qp_diff *d);
/* One line per op ("add column users.phone_number") into lines. */
int qp_describe_ops(qp_strlist *lines, const qp_diff *d);

/* Parses "table.old:new" (or "schema.table.old:new") into r (strings in arena). */
int qp_rename_parse(qp_rename *r, qp_arena *a, const char *text);

/* The whole of one direction: diff, order, emit. sql receives the
 * statements; warnings (may be NULL) the notes; changes (may be NULL) one
 * line per operation. */
int qp_schema_migrate(qp_buf *sql, qp_strlist *warnings, qp_strlist *changes, const qp_model *cur,
                      const qp_model *want, const qp_rename *renames, size_t n_renames);

#endif
