/*
 * rules.c: the lint rules (docs/lint.md) over libpg_query parse trees, and
 * the schema knowledge they need (qp_lint_state): the tables and schemas the
 * linted revisions create, every column's type and the CHECK constraints
 * seen in the history so far.
 */
#include "lint/lint.h"
#include "util/buf.h"
#include "util/err.h"

#include <limits.h>
#include <pg_query.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const qp_lint_rule qp_lint_rules[] = {
	/* data loss */
	{"drop-table", "data-loss", 0, "DROP TABLE deletes the table and every row in it.",
	 "Stop using the table in one release, back it up or rename it, and drop it in a later revision."},
	{"drop-column", "data-loss", 0, "DROP COLUMN deletes the column's data; running code that uses it breaks.",
	 "Stop reading and writing the column in one release, then drop it in a later revision."},
	{"drop-schema", "data-loss", 0, "DROP SCHEMA deletes the schema (with CASCADE, everything in it).",
	 "Drop the objects inside one by one (each is linted), then the empty schema without CASCADE."},
	{"truncate", "data-loss", 0, "TRUNCATE deletes every row of the table.",
	 "Delete only the rows meant to go (DELETE ... WHERE), or back the table up first."},
	{"delete-without-where", "data-loss", 0, "DELETE without WHERE deletes every row of the table.",
	 "Add a WHERE clause naming the rows to delete; suppress the rule if emptying the table is intended."},
	{"narrow-type", "data-loss", 0,
	 "The new column type holds less than the old one: values that do not fit fail the statement or are rounded.",
	 "Check every value fits first (SELECT max(length(col)) ...), or add a new column, backfill it and switch."},
	{"drop-not-null", "data-loss", 0,
	 "Once NULLs are written, the downgrade's SET NOT NULL fails: the way back loses data or is blocked.",
	 "Make the downgrade fill the NULLs first (UPDATE t SET col = ... WHERE col IS NULL) before SET NOT NULL."},
	/* locking */
	{"create-index-without-concurrently", "locking", 1,
	 "CREATE INDEX blocks every write to the table until the index is built.",
	 "Use CREATE INDEX CONCURRENTLY in a `-- migrate:upgrade transaction:false` section."},
	{"alter-column-type", "locking", 1,
	 "ALTER COLUMN TYPE rewrites the table and its indexes under an ACCESS EXCLUSIVE lock.",
	 "Add a new column, backfill it in batches, switch the application over, then drop the old column."},
	{"add-foreign-key", "locking", 1,
	 "ADD FOREIGN KEY scans the whole table while blocking writes to it and to the referenced table.",
	 "Add the constraint NOT VALID, then ALTER TABLE ... VALIDATE CONSTRAINT in a later statement."},
	{"add-check", "locking", 1, "ADD CHECK scans the whole table under an ACCESS EXCLUSIVE lock.",
	 "Add the constraint NOT VALID, then ALTER TABLE ... VALIDATE CONSTRAINT in a later statement."},
	{"set-not-null", "locking", 1,
	 "SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock unless a validated CHECK proves it.",
	 "ADD CONSTRAINT c CHECK (col IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT c, then SET NOT NULL."},
	{"add-column-volatile-default", "locking", 1,
	 "ADD COLUMN with a volatile default (random(), gen_random_uuid(), serial, identity, stored generated) rewrites the table.",
	 "Add the column without the default, set the default afterwards, and backfill existing rows in batches."},
	{"rename-table", "locking", 0, "Renaming a table breaks every running application that still uses the old name.",
	 "Deploy code that no longer needs the old name first, or leave a view under the old name."},
	{"rename-column", "locking", 0, "Renaming a column breaks every running application that still uses the old name.",
	 "Add the new column, write both, backfill, switch reads, then drop the old column in a later revision."},
	/* statements that cannot run as written */
	{"concurrently-in-transaction", "failure", 1,
	 "CREATE/DROP INDEX CONCURRENTLY cannot run inside a transaction block: this revision fails.",
	 "Mark the section `-- migrate:upgrade transaction:false` (one statement at a time, no transaction)."},
};
const size_t qp_lint_rule_count = sizeof(qp_lint_rules) / sizeof(qp_lint_rules[0]);

const qp_lint_rule *qp_lint_rule_find(const char *id)
{
	size_t i;
	for (i = 0; i < qp_lint_rule_count; i++)
		if (!strcmp(qp_lint_rules[i].id, id))
			return &qp_lint_rules[i];
	return NULL;
}

/* ---- the state -------------------------------------------------------- */

/* A table as written: schema NULL when unqualified. Owned strings. */
typedef struct lint_table {
	char *schema;
	char *rel;
} lint_table;

/* A column type, normalised: "int4", "varchar", "bpchar", "numeric"... */
typedef struct lint_type {
	char name[64];
	int m1;           /* first type modifier (length, precision), -1 when none */
	int m2;           /* second (scale), -1 when none */
	int array;        /* an array of name */
} lint_type;

typedef struct lint_col {
	lint_table table;  /* owned */
	char *column;      /* owned */
	lint_type type;
} lint_col;

typedef struct lint_check {
	lint_table table;  /* owned */
	char *name;        /* owned, NULL when unnamed */
	char *not_null;    /* owned: the column of a `col IS NOT NULL` check, else NULL */
	int validated;
} lint_check;

struct qp_lint_state {
	int pg;                 /* PostgreSQL rules on */
	lint_table *new_tables; /* created by the checked sections; owned */
	size_t n_new_tables, cap_new_tables;
	qp_strlist new_schemas; /* created by the checked sections */
	lint_col *cols;         /* every column seen, owned */
	size_t n_cols, cap_cols;
	lint_check *checks;     /* every CHECK constraint seen, owned */
	size_t n_checks, cap_checks;
};

int qp_lint_state_new(qp_lint_state **out, int pg)
{
	qp_lint_state *st = calloc(1, sizeof(*st));
	*out = NULL;
	if (!st)
		return qp_error_oom();
	st->pg = pg;
	*out = st;
	return 0;
}

static void table_release(lint_table *t)
{
	free(t->schema);
	free(t->rel);
	t->schema = t->rel = NULL;
}

void qp_lint_state_free(qp_lint_state *st)
{
	size_t i;
	if (!st)
		return;
	for (i = 0; i < st->n_new_tables; i++)
		table_release(&st->new_tables[i]);
	for (i = 0; i < st->n_cols; i++) {
		table_release(&st->cols[i].table);
		free(st->cols[i].column);
	}
	for (i = 0; i < st->n_checks; i++) {
		table_release(&st->checks[i].table);
		free(st->checks[i].name);
		free(st->checks[i].not_null);
	}
	free(st->new_tables);
	free(st->cols);
	free(st->checks);
	qp_strlist_release(&st->new_schemas);
	free(st);
}

void qp_lint_state_forget_new(qp_lint_state *st)
{
	size_t i;
	for (i = 0; i < st->n_new_tables; i++)
		table_release(&st->new_tables[i]);
	st->n_new_tables = 0;
	qp_strlist_release(&st->new_schemas);
}

int qp_lint__pg(const qp_lint_state *st)
{
	return st->pg;
}

/* Grows *items (of `size`-byte elements) to hold one more. */
static int grow(void **items, size_t *cap, size_t count, size_t size)
{
	void *p;
	size_t ncap;
	if (count < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 8;
	if (!(p = realloc(*items, ncap * size)))
		return qp_error_oom();
	*items = p;
	*cap = ncap;
	return 0;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* Copies a table name. */
static int table_set(lint_table *t, const char *schema, const char *rel)
{
	t->schema = dup_or_null(schema);
	t->rel = strdup(rel);
	if ((schema && !t->schema) || !t->rel) {
		table_release(t);
		return qp_error_oom();
	}
	return 0;
}

/* The same table: same name, and same schema where both name one. */
static int table_is(const lint_table *t, const char *schema, const char *rel)
{
	return !strcmp(t->rel, rel) && (!t->schema || !schema || !strcmp(t->schema, schema));
}

static int is_new_table(const qp_lint_state *st, const char *schema, const char *rel)
{
	size_t i;
	if (schema && qp_strlist_contains(&st->new_schemas, schema))
		return 1;
	for (i = 0; i < st->n_new_tables; i++)
		if (table_is(&st->new_tables[i], schema, rel))
			return 1;
	return 0;
}

static int add_new_table(qp_lint_state *st, const char *schema, const char *rel)
{
	int error;
	if ((error = grow((void **)&st->new_tables, &st->cap_new_tables, st->n_new_tables,
	                  sizeof(*st->new_tables))) < 0)
		return error;
	if ((error = table_set(&st->new_tables[st->n_new_tables], schema, rel)) < 0)
		return error;
	st->n_new_tables++;
	return 0;
}

static lint_col *find_col(qp_lint_state *st, const char *schema, const char *rel, const char *column)
{
	size_t i;
	/* newest first: a later definition wins */
	for (i = st->n_cols; i-- > 0;)
		if (table_is(&st->cols[i].table, schema, rel) && !strcmp(st->cols[i].column, column))
			return &st->cols[i];
	return NULL;
}

static int set_col(qp_lint_state *st, const char *schema, const char *rel, const char *column,
                   const lint_type *type)
{
	lint_col *c = find_col(st, schema, rel, column);
	int error;

	if (c) {
		c->type = *type;
		return 0;
	}
	if ((error = grow((void **)&st->cols, &st->cap_cols, st->n_cols, sizeof(*st->cols))) < 0)
		return error;
	c = &st->cols[st->n_cols];
	if ((error = table_set(&c->table, schema, rel)) < 0)
		return error;
	if (!(c->column = strdup(column))) {
		table_release(&c->table);
		return qp_error_oom();
	}
	c->type = *type;
	st->n_cols++;
	return 0;
}

static int add_check(qp_lint_state *st, const char *schema, const char *rel, const char *name,
                     const char *not_null, int validated)
{
	lint_check *k;
	int error;

	if ((error = grow((void **)&st->checks, &st->cap_checks, st->n_checks, sizeof(*st->checks))) < 0)
		return error;
	k = &st->checks[st->n_checks];
	memset(k, 0, sizeof(*k));
	if ((error = table_set(&k->table, schema, rel)) < 0)
		return error;
	k->name = dup_or_null(name);
	k->not_null = dup_or_null(not_null);
	if ((name && !k->name) || (not_null && !k->not_null)) {
		table_release(&k->table);
		free(k->name);
		free(k->not_null);
		return qp_error_oom();
	}
	k->validated = validated;
	st->n_checks++;
	return 0;
}

/* ---- reading parse trees ---------------------------------------------- */

/* A RangeVar's schema (NULL when unqualified) and name. 0 when j is not one. */
static int range_var(const qp_json *rv, const char **schema, const char **rel)
{
	const qp_json *inner = qp_json_get(rv, "RangeVar");
	if (inner)
		rv = inner;
	*schema = qp_json_get_str(rv, "schemaname");
	*rel = qp_json_get_str(rv, "relname");
	return *rel != NULL;
}

/* A qualified name list [{"String": {"sval": "s"}}, {"String": {"sval": "t"}}]
 * (DropStmt objects): the last two parts. 0 when it is not one. */
static int name_list(const qp_json *list, const char **schema, const char **rel)
{
	const qp_json *items = qp_json_path(list, "List", "items", NULL);
	size_t n;

	if (!items)
		items = list; /* a bare array */
	n = qp_json_len(items);
	if (n == 0) {
		/* a single String node (DROP SCHEMA objects) */
		*schema = NULL;
		*rel = qp_json_str(qp_json_path(list, "String", "sval", NULL));
		return *rel != NULL;
	}
	*rel = qp_json_str(qp_json_path(qp_json_at(items, n - 1), "String", "sval", NULL));
	*schema = n >= 2 ? qp_json_str(qp_json_path(qp_json_at(items, n - 2), "String", "sval", NULL)) : NULL;
	return *rel != NULL;
}

static const char *const type_aliases[][2] = {
	{"int", "int4"}, {"integer", "int4"}, {"bigint", "int8"}, {"smallint", "int2"},
	{"serial", "int4"}, {"serial4", "int4"}, {"bigserial", "int8"}, {"serial8", "int8"},
	{"smallserial", "int2"}, {"serial2", "int2"}, {"decimal", "numeric"}, {"real", "float4"},
	{"float", "float8"}, {"double precision", "float8"}, {"character varying", "varchar"},
	{"character", "bpchar"}, {"char", "bpchar"}, {"boolean", "bool"},
	{"timestamp with time zone", "timestamptz"}, {"timestamp without time zone", "timestamp"},
};

/* A TypeName node into *t. The name is the last part, aliases resolved. */
static void type_of(lint_type *t, const qp_json *type_name)
{
	const qp_json *names = qp_json_get(type_name, "names"), *mods = qp_json_get(type_name, "typmods");
	const char *name = qp_json_str(qp_json_path(qp_json_at(names, qp_json_len(names) - 1), "String", "sval", NULL));
	size_t k;

	memset(t, 0, sizeof(*t));
	t->m1 = t->m2 = -1;
	if (!name)
		name = "?";
	for (k = 0; k < sizeof(type_aliases) / sizeof(type_aliases[0]); k++)
		if (!strcmp(name, type_aliases[k][0]))
			name = type_aliases[k][1];
	snprintf(t->name, sizeof(t->name), "%s", name);
	for (k = 0; k < qp_json_len(mods) && k < 2; k++) {
		const qp_json *c = qp_json_get(qp_json_at(mods, k), "A_Const");
		const qp_json *iv = qp_json_get(c, "ival");
		int v = iv ? (int)qp_json_int(qp_json_get(iv, "ival"), 0) : -1;
		if (k == 0)
			t->m1 = v;
		else
			t->m2 = v;
	}
	/* numeric(p) means numeric(p,0) */
	if (!strcmp(t->name, "numeric") && t->m1 >= 0 && t->m2 < 0)
		t->m2 = 0;
	t->array = qp_json_get(type_name, "arrayBounds") != NULL;
}

/* The raw name a TypeName was written with (before aliases): for serial. */
static const char *type_raw_name(const qp_json *type_name)
{
	const qp_json *names = qp_json_get(type_name, "names");
	return qp_json_str(qp_json_path(qp_json_at(names, qp_json_len(names) - 1), "String", "sval", NULL));
}

static void type_str(qp_buf *b, const lint_type *t)
{
	qp_buf_puts(b, t->name);
	if (t->m1 >= 0 && t->m2 >= 0)
		qp_buf_printf(b, "(%d,%d)", t->m1, t->m2);
	else if (t->m1 >= 0)
		qp_buf_printf(b, "(%d)", t->m1);
	if (t->array)
		qp_buf_puts(b, "[]");
}

static int type_eq(const lint_type *a, const lint_type *b)
{
	return !strcmp(a->name, b->name) && a->m1 == b->m1 && a->m2 == b->m2 && a->array == b->array;
}

static int int_rank(const char *name)
{
	if (!strcmp(name, "int2"))
		return 1;
	if (!strcmp(name, "int4"))
		return 2;
	if (!strcmp(name, "int8"))
		return 3;
	return 0;
}

/* The character capacity of a string type: INT_MAX when unbounded, 0 when
 * not a string type. char without a length is char(1). */
static int str_cap(const lint_type *t)
{
	if (!strcmp(t->name, "text"))
		return INT_MAX;
	if (!strcmp(t->name, "varchar"))
		return t->m1 >= 0 ? t->m1 : INT_MAX;
	if (!strcmp(t->name, "bpchar"))
		return t->m1 >= 0 ? t->m1 : 1;
	return 0;
}

/* Does old -> new lose values? */
static int narrows(const lint_type *from, const lint_type *to)
{
	int a, b;

	if (from->array != to->array)
		return 0;
	if ((a = str_cap(from)) && (b = str_cap(to)))
		return b < a;
	if ((a = int_rank(from->name)) && (b = int_rank(to->name)))
		return b < a;
	if (int_rank(to->name) && (!strcmp(from->name, "numeric") || !strcmp(from->name, "float4") ||
	                           !strcmp(from->name, "float8")))
		return 1; /* the fraction is lost */
	if (!strcmp(from->name, "float8") && !strcmp(to->name, "float4"))
		return 1;
	if (!strcmp(from->name, "numeric") && !strcmp(to->name, "numeric")) {
		/* unbounded numeric holds anything */
		if (to->m1 < 0)
			return 0;
		if (from->m1 < 0)
			return 1;
		return to->m2 < from->m2 || (to->m1 - to->m2) < (from->m1 - from->m2);
	}
	if ((!strcmp(from->name, "timestamp") || !strcmp(from->name, "timestamptz")) &&
	    !strcmp(to->name, "date"))
		return 1; /* the time of day is lost */
	return 0;
}

/* Can old -> new change without a table rewrite? (PostgreSQL's binary
 * coercions and typmod-only changes that its support functions elide.) */
static int no_rewrite(const lint_type *from, const lint_type *to)
{
	if (type_eq(from, to))
		return 1;
	if (from->array != to->array)
		return 0;
	if (!strcmp(from->name, "varchar") &&
	    (!strcmp(to->name, "text") || (!strcmp(to->name, "varchar") && str_cap(to) >= str_cap(from))))
		return 1;
	if (!strcmp(from->name, "text") && !strcmp(to->name, "varchar") && to->m1 < 0)
		return 1;
	if (!strcmp(from->name, "numeric") && !strcmp(to->name, "numeric") &&
	    (to->m1 < 0 || (from->m1 >= 0 && to->m2 == from->m2 && to->m1 >= from->m1)))
		return 1;
	return 0;
}

/* Is the expression `col IS NOT NULL`? Returns the column or NULL. */
static const char *is_not_null_check(const qp_json *expr)
{
	const qp_json *nt = qp_json_get(expr, "NullTest"), *fields;
	const char *kind = qp_json_get_str(nt, "nulltesttype");

	if (!kind || strcmp(kind, "IS_NOT_NULL"))
		return NULL;
	fields = qp_json_path(nt, "arg", "ColumnRef", "fields", NULL);
	if (qp_json_len(fields) != 1)
		return NULL;
	return qp_json_str(qp_json_path(qp_json_at(fields, 0), "String", "sval", NULL));
}

static int has_validated_not_null(const qp_lint_state *st, const char *schema, const char *rel,
                                  const char *column)
{
	size_t i;
	for (i = 0; i < st->n_checks; i++)
		if (st->checks[i].validated && st->checks[i].not_null && table_is(&st->checks[i].table, schema, rel) &&
		    !strcmp(st->checks[i].not_null, column))
			return 1;
	return 0;
}

static void validate_check(qp_lint_state *st, const char *schema, const char *rel, const char *name)
{
	size_t i;
	for (i = 0; i < st->n_checks; i++)
		if (st->checks[i].name && !strcmp(st->checks[i].name, name) && table_is(&st->checks[i].table, schema, rel))
			st->checks[i].validated = 1;
}

static void drop_check(qp_lint_state *st, const char *schema, const char *rel, const char *name)
{
	size_t i;
	for (i = 0; i < st->n_checks; i++)
		if (st->checks[i].name && !strcmp(st->checks[i].name, name) && table_is(&st->checks[i].table, schema, rel)) {
			free(st->checks[i].not_null);
			st->checks[i].not_null = NULL;
			st->checks[i].validated = 0;
		}
}

/* Learns a Constraint node of table (schema, rel); column for a column constraint. */
static int learn_constraint(qp_lint_state *st, const char *schema, const char *rel, const qp_json *con,
                            const char *column)
{
	const char *type = qp_json_get_str(con, "contype");
	const char *nn;

	if (!type || strcmp(type, "CONSTR_CHECK"))
		return 0;
	nn = is_not_null_check(qp_json_get(con, "raw_expr"));
	(void)column;
	return add_check(st, schema, rel, qp_json_get_str(con, "conname"), nn,
	                 !qp_json_true(qp_json_get(con, "skip_validation")));
}

/* Learns a ColumnDef: its type and its CHECK constraints. */
static int learn_column(qp_lint_state *st, const char *schema, const char *rel, const qp_json *coldef)
{
	const char *name = qp_json_get_str(coldef, "colname");
	const qp_json *cons = qp_json_get(coldef, "constraints");
	lint_type t;
	size_t i;
	int error;

	if (!name)
		return 0;
	type_of(&t, qp_json_get(coldef, "typeName"));
	if ((error = set_col(st, schema, rel, name, &t)) < 0)
		return error;
	for (i = 0; i < qp_json_len(cons); i++)
		if ((error = learn_constraint(st, schema, rel, qp_json_get(qp_json_at(cons, i), "Constraint"), name)) < 0)
			return error;
	return 0;
}

/* ---- the rules, by statement kind ------------------------------------- */

static int on_create_table(qp_lint_stmt *s, const qp_json *n)
{
	const char *schema, *rel;
	const qp_json *elts = qp_json_get(n, "tableElts");
	size_t i;
	int error;

	if (!range_var(qp_json_get(n, "relation"), &schema, &rel))
		return 0;
	if (s->check && (error = add_new_table(s->st, schema, rel)) < 0)
		return error;
	for (i = 0; i < qp_json_len(elts); i++) {
		const qp_json *e = qp_json_at(elts, i), *v = NULL;
		const char *kind = qp_json_node(e, &v);
		if (!kind)
			continue;
		if (!strcmp(kind, "ColumnDef"))
			error = learn_column(s->st, schema, rel, v);
		else if (!strcmp(kind, "Constraint"))
			error = learn_constraint(s->st, schema, rel, v, NULL);
		else
			error = 0;
		if (error < 0)
			return error;
	}
	return 0;
}

static int on_drop(qp_lint_stmt *s, const qp_json *n)
{
	const char *kind = qp_json_get_str(n, "removeType"), *behavior = qp_json_get_str(n, "behavior");
	const qp_json *objects = qp_json_get(n, "objects");
	int cascade = behavior && !strcmp(behavior, "DROP_CASCADE");
	size_t i;
	int error = 0;

	if (!kind)
		return 0;
	if (!strcmp(kind, "OBJECT_INDEX") && qp_json_true(qp_json_get(n, "concurrent")) && s->src->transaction)
		return qp_lint__emit(s, "concurrently-in-transaction", NULL, NULL,
		                     "DROP INDEX CONCURRENTLY in a transactional section fails at run time");
	for (i = 0; i < qp_json_len(objects) && error == 0; i++) {
		const char *schema, *rel;
		if (!name_list(qp_json_at(objects, i), &schema, &rel))
			continue;
		if (!strcmp(kind, "OBJECT_TABLE") && !is_new_table(s->st, schema, rel))
			error = qp_lint__emit(s, "drop-table", schema, rel, "DROP TABLE %s%s%s deletes the table and all its rows%s",
			                      schema ? schema : "", schema ? "." : "", rel,
			                      cascade ? " (CASCADE: and everything that depends on it)" : "");
		else if (!strcmp(kind, "OBJECT_SCHEMA") && !qp_strlist_contains(&s->st->new_schemas, rel))
			error = qp_lint__emit(s, "drop-schema", NULL, NULL, "DROP SCHEMA %s%s", rel,
			                      cascade ? " CASCADE deletes every table in it and all their rows"
			                              : " deletes the schema");
	}
	return error;
}

static int on_truncate(qp_lint_stmt *s, const qp_json *n)
{
	const qp_json *rels = qp_json_get(n, "relations");
	size_t i;
	int error = 0;

	for (i = 0; i < qp_json_len(rels) && error == 0; i++) {
		const char *schema, *rel;
		if (range_var(qp_json_at(rels, i), &schema, &rel) && !is_new_table(s->st, schema, rel))
			error = qp_lint__emit(s, "truncate", schema, rel, "TRUNCATE %s%s%s deletes every row", schema ? schema : "",
			                      schema ? "." : "", rel);
	}
	return error;
}

static int on_delete(qp_lint_stmt *s, const qp_json *n)
{
	const char *schema, *rel;

	if (qp_json_get(n, "whereClause") || !range_var(qp_json_get(n, "relation"), &schema, &rel) ||
	    is_new_table(s->st, schema, rel))
		return 0;
	return qp_lint__emit(s, "delete-without-where", schema, rel, "DELETE FROM %s%s%s without WHERE deletes every row",
	                     schema ? schema : "", schema ? "." : "", rel);
}

static int on_index(qp_lint_stmt *s, const qp_json *n)
{
	const char *schema, *rel;
	int concurrent = qp_json_true(qp_json_get(n, "concurrent"));

	if (!range_var(qp_json_get(n, "relation"), &schema, &rel))
		return 0;
	if (concurrent && s->src->transaction)
		return qp_lint__emit(s, "concurrently-in-transaction", schema, rel,
		                     "CREATE INDEX CONCURRENTLY on %s%s%s in a transactional section fails at run time",
		                     schema ? schema : "", schema ? "." : "", rel);
	if (concurrent || is_new_table(s->st, schema, rel))
		return 0;
	return qp_lint__emit(s, "create-index-without-concurrently", schema, rel,
	                     "CREATE %sINDEX%s%s on %s%s%s blocks writes to the table while it builds",
	                     qp_json_true(qp_json_get(n, "unique")) ? "UNIQUE " : "",
	                     qp_json_get_str(n, "idxname") ? " " : "",
	                     qp_json_get_str(n, "idxname") ? qp_json_get_str(n, "idxname") : "", schema ? schema : "",
	                     schema ? "." : "", rel);
}

/* Does the downgrade section hold an UPDATE of table that sets column? */
static int downgrade_fills(const qp_lint_stmt *s, const char *schema, const char *rel, const char *column)
{
	PgQueryParseResult r;
	qp_json *tree = NULL;
	const qp_json *stmts;
	char *sql;
	size_t i, k;
	int found = 0;

	if (!s->src->down_sql || !(sql = malloc(s->src->down_len + 1)))
		return 0;
	memcpy(sql, s->src->down_sql, s->src->down_len);
	sql[s->src->down_len] = '\0';
	r = pg_query_parse(sql);
	if (!r.error && qp_json_parse(&tree, r.parse_tree) == 0) {
		stmts = qp_json_get(tree, "stmts");
		for (i = 0; i < qp_json_len(stmts) && !found; i++) {
			const qp_json *u = qp_json_path(qp_json_at(stmts, i), "stmt", "UpdateStmt", NULL);
			const qp_json *targets = qp_json_get(u, "targetList");
			const char *us, *ur;
			if (!u || !range_var(qp_json_get(u, "relation"), &us, &ur) ||
			    strcmp(ur, rel) || (schema && us && strcmp(schema, us)))
				continue;
			for (k = 0; k < qp_json_len(targets); k++) {
				const char *name = qp_json_get_str(qp_json_get(qp_json_at(targets, k), "ResTarget"), "name");
				if (name && !strcmp(name, column))
					found = 1;
			}
		}
	}
	qp_json_free(tree);
	pg_query_free_parse_result(r);
	free(sql);
	return found;
}

static int on_alter_column_type(qp_lint_stmt *s, const char *schema, const char *rel, const qp_json *cmd)
{
	const char *column = qp_json_get_str(cmd, "name");
	const qp_json *def = qp_json_path(cmd, "def", "ColumnDef", NULL);
	const char *table_q = schema ? "." : "";
	lint_col *old;
	lint_type to;
	qp_buf from_s = QP_BUF_INIT, to_s = QP_BUF_INIT;
	int using = qp_json_get(def, "raw_default") != NULL, error = 0;

	if (!column || !def)
		return 0;
	type_of(&to, qp_json_get(def, "typeName"));
	old = find_col(s->st, schema, rel, column);
	type_str(&to_s, &to);
	if (old)
		type_str(&from_s, &old->type);
	if (!is_new_table(s->st, schema, rel)) {
		if (old && narrows(&old->type, &to))
			error = qp_lint__emit(s, "narrow-type", schema, rel, "%s%s%s.%s narrows from %s to %s",
			                      schema ? schema : "", table_q, rel, column, qp_buf_cstr(&from_s),
			                      qp_buf_cstr(&to_s));
		if (error == 0 && (!old || using || !no_rewrite(&old->type, &to))) {
			if (old)
				error = qp_lint__emit(s, "alter-column-type", schema, rel,
				                      "%s%s%s.%s from %s to %s%s rewrites the table under an ACCESS EXCLUSIVE lock",
				                      schema ? schema : "", table_q, rel, column, qp_buf_cstr(&from_s),
				                      qp_buf_cstr(&to_s), using ? " with USING" : "");
			else
				error = qp_lint__emit(s, "alter-column-type", schema, rel,
				                      "%s%s%s.%s to %s rewrites the table under an ACCESS EXCLUSIVE lock "
				                      "(its current type is unknown, so a widening cannot be proven)",
				                      schema ? schema : "", table_q, rel, column, qp_buf_cstr(&to_s));
		}
	}
	qp_buf_release(&from_s);
	qp_buf_release(&to_s);
	if (error == 0 && (from_s.oom || to_s.oom))
		error = qp_error_oom();
	if (error == 0)
		error = set_col(s->st, schema, rel, column, &to);
	return error;
}

static const char *const volatile_funcs[] = {
	"random", "gen_random_uuid", "uuid_generate_v1", "uuid_generate_v1mc", "uuid_generate_v4",
	"clock_timestamp", "timeofday", "nextval", "txid_current", "gen_random_bytes",
};

/* Why ADD COLUMN coldef rewrites the table, or NULL when it does not. */
static const char *volatile_default(const qp_json *coldef)
{
	const qp_json *cons = qp_json_get(coldef, "constraints");
	const char *raw = type_raw_name(qp_json_get(coldef, "typeName"));
	size_t i, k;

	if (raw && (!strcmp(raw, "serial") || !strcmp(raw, "bigserial") || !strcmp(raw, "smallserial") ||
	            !strcmp(raw, "serial2") || !strcmp(raw, "serial4") || !strcmp(raw, "serial8")))
		return "a serial type (a nextval() default)";
	for (i = 0; i < qp_json_len(cons); i++) {
		const qp_json *c = qp_json_get(qp_json_at(cons, i), "Constraint");
		const char *type = qp_json_get_str(c, "contype");
		const qp_json *fn, *names;
		const char *fname;
		if (!type)
			continue;
		if (!strcmp(type, "CONSTR_IDENTITY"))
			return "an identity column";
		if (!strcmp(type, "CONSTR_GENERATED"))
			return "a stored generated column";
		if (strcmp(type, "CONSTR_DEFAULT"))
			continue;
		fn = qp_json_path(c, "raw_expr", "FuncCall", NULL);
		names = qp_json_get(fn, "funcname");
		fname = qp_json_str(qp_json_path(qp_json_at(names, qp_json_len(names) - 1), "String", "sval", NULL));
		for (k = 0; fname && k < sizeof(volatile_funcs) / sizeof(volatile_funcs[0]); k++)
			if (!strcmp(fname, volatile_funcs[k]))
				return volatile_funcs[k];
	}
	return NULL;
}

static int on_alter_table(qp_lint_stmt *s, const qp_json *n)
{
	const char *schema, *rel, *objtype = qp_json_get_str(n, "objtype");
	const qp_json *cmds = qp_json_get(n, "cmds");
	const char *dot;
	int is_new;
	size_t i;
	int error = 0;

	if ((objtype && strcmp(objtype, "OBJECT_TABLE")) || !range_var(qp_json_get(n, "relation"), &schema, &rel))
		return 0;
	is_new = is_new_table(s->st, schema, rel);
	dot = schema ? "." : "";
	for (i = 0; i < qp_json_len(cmds) && error == 0; i++) {
		const qp_json *cmd = qp_json_get(qp_json_at(cmds, i), "AlterTableCmd");
		const char *sub = qp_json_get_str(cmd, "subtype"), *name = qp_json_get_str(cmd, "name");
		const char *sch = schema ? schema : "";
		if (!sub)
			continue;
		if (!strcmp(sub, "AT_AlterColumnType")) {
			error = on_alter_column_type(s, schema, rel, cmd);
		} else if (!strcmp(sub, "AT_DropColumn")) {
			if (!is_new && name)
				error = qp_lint__emit(s, "drop-column", schema, rel, "drops column %s%s%s.%s and its data",
				                      sch, dot, rel, name);
		} else if (!strcmp(sub, "AT_SetNotNull")) {
			if (!is_new && name && !has_validated_not_null(s->st, schema, rel, name))
				error = qp_lint__emit(s, "set-not-null", schema, rel,
				                      "SET NOT NULL on %s%s%s.%s scans the table under an ACCESS EXCLUSIVE lock "
				                      "(no validated CHECK (%s IS NOT NULL) seen)", sch, dot, rel, name, name);
		} else if (!strcmp(sub, "AT_DropNotNull")) {
			if (!is_new && name && !downgrade_fills(s, schema, rel, name))
				error = qp_lint__emit(s, "drop-not-null", schema, rel,
				                      "DROP NOT NULL on %s%s%s.%s: the downgrade cannot restore NOT NULL once NULLs "
				                      "are written (it sets no value for %s)", sch, dot, rel, name, name);
		} else if (!strcmp(sub, "AT_AddConstraint")) {
			const qp_json *con = qp_json_path(cmd, "def", "Constraint", NULL);
			const char *ct = qp_json_get_str(con, "contype"), *cn = qp_json_get_str(con, "conname");
			int not_valid = qp_json_true(qp_json_get(con, "skip_validation"));
			if (!ct)
				continue;
			if (!is_new && !not_valid && !strcmp(ct, "CONSTR_FOREIGN"))
				error = qp_lint__emit(s, "add-foreign-key", schema, rel,
				                      "ADD FOREIGN KEY%s%s on %s%s%s without NOT VALID checks every row while blocking writes",
				                      cn ? " " : "", cn ? cn : "", sch, dot, rel);
			else if (!is_new && !not_valid && !strcmp(ct, "CONSTR_CHECK"))
				error = qp_lint__emit(s, "add-check", schema, rel,
				                      "ADD CHECK%s%s on %s%s%s without NOT VALID checks every row under an ACCESS EXCLUSIVE lock",
				                      cn ? " " : "", cn ? cn : "", sch, dot, rel);
			if (error == 0)
				error = learn_constraint(s->st, schema, rel, con, NULL);
		} else if (!strcmp(sub, "AT_ValidateConstraint")) {
			if (name)
				validate_check(s->st, schema, rel, name);
		} else if (!strcmp(sub, "AT_DropConstraint")) {
			if (name)
				drop_check(s->st, schema, rel, name);
		} else if (!strcmp(sub, "AT_AddColumn")) {
			const qp_json *coldef = qp_json_path(cmd, "def", "ColumnDef", NULL);
			const char *why = volatile_default(coldef);
			if (!is_new && why)
				error = qp_lint__emit(s, "add-column-volatile-default", schema, rel,
				                      "ADD COLUMN %s%s%s.%s with %s rewrites the table under an ACCESS EXCLUSIVE lock",
				                      sch, dot, rel, qp_json_get_str(coldef, "colname") ? qp_json_get_str(coldef, "colname") : "?",
				                      why);
			if (error == 0 && coldef)
				error = learn_column(s->st, schema, rel, coldef);
		}
	}
	return error;
}

static int on_rename(qp_lint_stmt *s, const qp_json *n)
{
	const char *kind = qp_json_get_str(n, "renameType"), *newname = qp_json_get_str(n, "newname");
	const char *schema, *rel, *dot;
	size_t i;

	if (!kind || !newname || !range_var(qp_json_get(n, "relation"), &schema, &rel))
		return 0;
	dot = schema ? "." : "";
	if (!strcmp(kind, "OBJECT_TABLE")) {
		int error = 0;
		if (!is_new_table(s->st, schema, rel))
			error = qp_lint__emit(s, "rename-table", schema, rel, "renames table %s%s%s to %s",
			                      schema ? schema : "", dot, rel, newname);
		if (error < 0)
			return error;
		/* follow the rename in what we know */
		for (i = 0; i < s->st->n_new_tables; i++)
			if (table_is(&s->st->new_tables[i], schema, rel)) {
				char *copy = strdup(newname);
				if (!copy)
					return qp_error_oom();
				free(s->st->new_tables[i].rel);
				s->st->new_tables[i].rel = copy;
			}
		for (i = 0; i < s->st->n_cols; i++)
			if (table_is(&s->st->cols[i].table, schema, rel)) {
				char *copy = strdup(newname);
				if (!copy)
					return qp_error_oom();
				free(s->st->cols[i].table.rel);
				s->st->cols[i].table.rel = copy;
			}
		return 0;
	}
	if (!strcmp(kind, "OBJECT_COLUMN")) {
		const char *column = qp_json_get_str(n, "subname");
		lint_col *c;
		int error = 0;
		if (!column)
			return 0;
		if (!is_new_table(s->st, schema, rel))
			error = qp_lint__emit(s, "rename-column", schema, rel, "renames column %s%s%s.%s to %s",
			                      schema ? schema : "", dot, rel, column, newname);
		if (error == 0 && (c = find_col(s->st, schema, rel, column)) != NULL) {
			char *copy = strdup(newname);
			if (!copy)
				return qp_error_oom();
			free(c->column);
			c->column = copy;
		}
		return error;
	}
	return 0;
}

static int on_create_schema(qp_lint_stmt *s, const qp_json *n)
{
	const char *name = qp_json_get_str(n, "schemaname");
	if (!s->check || !name || qp_strlist_contains(&s->st->new_schemas, name))
		return 0;
	return qp_strlist_add(&s->st->new_schemas, name);
}

int qp_lint__statement(qp_lint_stmt *s, const qp_json *node)
{
	const qp_json *n = NULL;
	const char *kind = qp_json_node(node, &n);

	if (!kind)
		return 0;
	if (!strcmp(kind, "CreateStmt"))
		return on_create_table(s, n);
	if (!strcmp(kind, "CreateSchemaStmt"))
		return on_create_schema(s, n);
	if (!strcmp(kind, "DropStmt"))
		return on_drop(s, n);
	if (!strcmp(kind, "TruncateStmt"))
		return on_truncate(s, n);
	if (!strcmp(kind, "DeleteStmt"))
		return on_delete(s, n);
	if (!strcmp(kind, "IndexStmt"))
		return on_index(s, n);
	if (!strcmp(kind, "AlterTableStmt"))
		return on_alter_table(s, n);
	if (!strcmp(kind, "RenameStmt"))
		return on_rename(s, n);
	return 0;
}
