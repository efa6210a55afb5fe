/*
 * parse_pg.h: the models' SQL read with libpg_query's parser straight into
 * a schema model (model.h), without a scratch database.
 *
 * The result must be identical (qp_model_dump, and the dependencies) to
 * what introspect_pg.c would read from a scratch database the same files
 * were loaded into. So the parser only claims a model when every statement
 * is one whose catalog rows it can reproduce exactly as PostgreSQL 15 makes
 * them: tables, columns of built-in, enum and serial types, identity
 * columns, NOT NULL, primary keys, unique constraints, foreign keys, plain
 * btree indexes on columns, sequences, enums, schemas, comments, a short
 * list of literal defaults, and the SET / set_config lines pg_dump writes.
 * Anything else (views, functions, triggers, CHECK constraints, index
 * expressions or predicates, extensions, data, an unresolved name, a
 * statement the server would reject...) makes it say "incomplete" with the
 * reason, and the caller loads the models into a scratch database, which
 * stays the check of record. It never guesses.
 */
#ifndef QP_SCHEMA_PARSE_PG_H
#define QP_SCHEMA_PARSE_PG_H

#include "schema/introspect.h"
#include "util/buf.h"
#include "util/strlist.h"

typedef struct qp_parse_opts {
	const char *version_table;   /* as qp_introspect_opts; NULL: none */
	const char *version_schema;  /* NULL: public */
	const char *role;            /* the role the scratch database would be made by (for
	                                search_path's "$user"); NULL: unknown, so unqualified
	                                names are not resolved once the models create a schema */
	int whole;                   /* 1: each text in one pg_query_parse instead of statement by
	                                statement (parse_pg_split.h); the tests compare both ways */
	size_t *max_json;            /* when not NULL: raised to the longest parse tree JSON held
	                                at once (bytes), for the tests */
} qp_parse_opts;

#define QP_PARSE_OPTS_INIT {NULL, NULL, NULL, 0, NULL}

/* Reads `files` (in order, as the scratch database would run them) into
 * *out (initialised here; release it with qp_model_release in every case).
 * *complete is 1 when *out is exactly the scratch database's model; 0 when
 * the models hold something the parser does not reproduce, with the first
 * such thing, as "file:line: what", appended to `reason` (may be NULL); the
 * model is then partial and must not be used. Returns 0, or a negative
 * error (a file that cannot be read, out of memory). A file that does not
 * parse is not an error here: it is incomplete, so the scratch database
 * reports it with the server's message. */
int qp_models_parse_pg(qp_model *out, int *complete, qp_buf *reason, const qp_strlist *files,
                       const qp_parse_opts *opts);

/* The same over one SQL text (`name` names it in the reason). */
int qp_models_parse_pg_text(qp_model *out, int *complete, qp_buf *reason, const char *sql, const char *name,
                            const qp_parse_opts *opts);

/* PostgreSQL's implicit names, exposed for the unit tests:
 * makeObjectName(name1, name2, label): name1[_name2][_label], the longer of
 * name1 and name2 shortened byte by byte until it fits in 63 bytes
 * (NAMEDATALEN - 1), never cutting a UTF-8 character. Appends to out. */
void qp_pg_object_name(qp_buf *out, const char *name1, const char *name2, const char *label);
/* Column names joined by "_", as ChooseIndexNameAddition and
 * ChooseForeignKeyConstraintNameAddition do (stops past 63 bytes). */
void qp_pg_name_addition(qp_buf *out, const char *const *cols, size_t n);
/* format_type() of a type written as `names` (e.g. {"pg_catalog", "varchar"})
 * with typmods (n of them) and array dimensions: "character varying(20)[]".
 * Built-in types only; 0, or -1 when the parser would not reproduce it. */
int qp_pg_format_type(qp_buf *out, const char *const *names, size_t n_names, const long *typmods, size_t n_typmods,
                      int array);

#endif
