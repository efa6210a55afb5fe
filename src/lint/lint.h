/*
 * lint.h: `quipu lint` inside the library: destructive and lock-heavy
 * statements in revision files, found by parsing each statement with
 * libpg_query (rules.c) and walking its parse tree.
 *
 * Everything here is pure over SQL text: sections go in, findings come out
 * in a quipu_lint_report; nothing prints and nothing touches a database
 * (quipu_lint in lint.c adds the database's pending set and table sizes).
 *
 * Revisions are fed in topological order to one qp_lint_state. Sections
 * fed with check = 0 (applied history) only teach the state the schema:
 * column types and CHECK constraints. Sections fed with check = 1 (the
 * revisions being linted) are checked, and the tables and schemas they create
 * count as new: statements on a new table lock or lose nothing anyone has.
 */
#ifndef QP_LINT_LINT_H
#define QP_LINT_LINT_H

#include <stddef.h>
#include "quipu.h"
#include "lint/json.h"
#include "util/strlist.h"

/* One rule: the stable id users write in lint-ignore comments. */
typedef struct qp_lint_rule {
	const char *id;        /* "drop-column" */
	const char *category;  /* "data-loss", "locking" or "failure" */
	int pg_only;           /* about PostgreSQL locks or syntax: off for SQLite */
	const char *summary;   /* one line: why it matters */
	const char *fix;       /* one line: what to do instead */
} qp_lint_rule;

extern const qp_lint_rule qp_lint_rules[];
extern const size_t qp_lint_rule_count;
/* The rule with this id, or NULL. */
const qp_lint_rule *qp_lint_rule_find(const char *id);

/* A finding and the storage its public view points into. */
typedef struct qp_lint_item {
	quipu_lint_finding pub;  /* the public view: strings point at the fields below or static text */
	char *message;           /* owned */
	char *statement;         /* owned */
	char *table;             /* owned "schema.table" or "table", NULL when none */
	char *schema;            /* owned, NULL when the statement did not qualify the table */
	char *relname;           /* owned, NULL when no table */
	char *path;              /* owned, NULL when none */
	char *revision;          /* owned, NULL when none */
} qp_lint_item;

typedef struct qp_lint_items {
	qp_lint_item *items;     /* owned */
	size_t count;
	size_t cap;
} qp_lint_items;

struct quipu_lint_report {
	qp_lint_items findings;  /* rule hits, in file and line order */
	qp_lint_items notes;     /* statements that could not be parsed (rule "unparsed") */
	size_t n_revisions;      /* revisions checked */
	int sized;               /* table sizes were read from the database */
};

/* What the linter knows about the schema; opaque (rules.c). */
typedef struct qp_lint_state qp_lint_state;

/* A new state; `pg` turns the PostgreSQL-only rules on. Caller frees. */
int qp_lint_state_new(qp_lint_state **out, int pg);
void qp_lint_state_free(qp_lint_state *st);
/* Forgets which tables and schemas count as new (offline linting judges each
 * revision on its own: nothing says which revisions will run together). */
void qp_lint_state_forget_new(qp_lint_state *st);

/* One upgrade section to lint. Everything borrowed. */
typedef struct qp_lint_src {
	const char *sql;         /* the section's text (need not be NUL-terminated) */
	size_t len;
	int first_line;          /* line of sql[0] in the file */
	int transaction;         /* 0 for `transaction:false` */
	const char *down_sql;    /* the revision's downgrade section, NULL when none */
	size_t down_len;
	const char *path;        /* for the findings; may be NULL */
	const char *revision;    /* for the findings; may be NULL */
} qp_lint_src;

/* Lints (check = 1) or only learns from (check = 0) one section, appending
 * findings and notes to report. 0, or QUIPU_ENOMEM. Statements that do not
 * parse become notes, never errors. */
int qp_lint_section(quipu_lint_report *report, qp_lint_state *st, const qp_lint_src *src, int check);

/* Lints sql as one pending section starting at line 1 with a fresh state:
 * the unit tests' entry point. `pg` as for qp_lint_state_new. */
int qp_lint_sql(quipu_lint_report **out, const char *sql, int transaction, int pg);

/* ---- between lint.c and rules.c ---- */

/* One parsed statement being checked. */
typedef struct qp_lint_stmt {
	quipu_lint_report *report;  /* where findings go */
	qp_lint_state *st;
	const qp_lint_src *src;
	int check;                  /* 0: learn only */
	int line;                   /* the statement's line in the file */
	const char *text;           /* the statement, trimmed; borrowed */
	const qp_strlist *ignored;  /* rule ids named by lint-ignore comments ("all" too) */
} qp_lint_stmt;

/* Runs every rule over one statement's node ({"DropStmt": {...}}) and then
 * updates the state. 0 or QUIPU_ENOMEM. */
int qp_lint__statement(qp_lint_stmt *s, const qp_json *node);

/* Appends a finding for rule `id` unless the rule is off, suppressed or
 * s->check is 0. schema/relname: the table (NULL when none). */
int qp_lint__emit(qp_lint_stmt *s, const char *id, const char *schema, const char *relname,
                  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* 1 when the state's PostgreSQL rules are on. */
int qp_lint__pg(const qp_lint_state *st);

#endif
