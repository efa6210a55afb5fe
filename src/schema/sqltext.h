/*
 * sqltext.h: reading SQL text where a server does not render it for us
 * (SQLite keeps CREATE statements as written): a tokenizer, a canonical
 * form for comparing expressions and statements, and a parser for the
 * parts of CREATE TABLE that SQLite's pragmas do not report (constraint
 * names, CHECK expressions, generated columns, collations, DEFERRABLE,
 * AUTOINCREMENT, table options, each column's text).
 *
 * The parser never fails on text SQLite accepted: what it does not
 * understand it skips to the next comma at the same depth.
 */
#ifndef QP_SCHEMA_SQLTEXT_H
#define QP_SCHEMA_SQLTEXT_H

#include <stddef.h>
#include "util/buf.h"

typedef enum {
	QP_TK_END = 0,
	QP_TK_WORD,      /* bare identifier or keyword */
	QP_TK_QUOTED,    /* "ident", [ident], `ident` */
	QP_TK_STRING,    /* 'text' */
	QP_TK_NUMBER,
	QP_TK_BLOB,      /* x'00ff' */
	QP_TK_VAR,       /* ?1 :name @name $name */
	QP_TK_PUNCT      /* operators and ( ) , ; . */
} qp_tk_type;

typedef struct qp_tok {
	qp_tk_type type;
	const char *s;   /* borrowed: into the text */
	size_t n;
} qp_tok;

/* The next token at or after *pos (blanks and comments skipped); *pos
 * moves past it. QP_TK_END at the end. */
qp_tok qp_tok_next(const char *text, size_t len, size_t *pos);
/* Is the token this keyword (case-insensitive, bare word)? */
int qp_tok_is(const qp_tok *t, const char *word);
/* The token's identifier value (quotes removed, doubled quotes undone),
 * into b (replacing its contents). */
void qp_tok_ident(qp_buf *b, const qp_tok *t);

/* Appends text[0, len) in a canonical form: one space between tokens
 * (none inside parentheses' edges, before a comma or around a dot),
 * keywords upper case, identifiers unquoted where SQLite does not need
 * quotes, comments dropped. Equal forms mean equal SQL. */
void qp_sql_canon(qp_buf *out, const char *text, size_t len);

/* One column of a parsed CREATE TABLE. Spans index the parsed text. */
typedef struct qp_pcol {
	char *name;            /* owned */
	size_t start, end;     /* the column's whole definition */
	char *collation;       /* owned, NULL when none */
	char *gen_expr;        /* owned: canonical generation expression, NULL when none */
	int gen_stored;        /* STORED (else VIRTUAL) */
	int autoincrement;     /* PRIMARY KEY ... AUTOINCREMENT */
	int pk, unique, has_fk, has_check;  /* column constraints written on it */
} qp_pcol;

/* A table constraint, or a column constraint seen as one. */
typedef struct qp_pcon {
	char kind;             /* 'p', 'u', 'c', 'f' */
	char *name;            /* owned, NULL when unnamed */
	char *cols;            /* owned: canonical "a, b" (PK, UNIQUE, FK) */
	char *expr;            /* owned: canonical CHECK expression */
	char *ref_table;       /* owned: FK target (identifier value) */
	char *deferrable;      /* owned: canonical "DEFERRABLE INITIALLY DEFERRED", NULL when none */
	int column_level;      /* written on a column (cols is that column) */
	char *col;             /* owned: that column's name, NULL for a table constraint */
} qp_pcon;

typedef struct qp_ptable {
	char *name;            /* owned */
	size_t name_start, name_end;  /* where the name is in the text (for a rebuild's new name) */
	qp_pcol *cols;         /* owned array */
	size_t n_cols;
	qp_pcon *cons;         /* owned array */
	size_t n_cons;
	char *options;         /* owned: "WITHOUT ROWID", "STRICT", "STRICT, WITHOUT ROWID"... NULL */
	int virtual_table;     /* CREATE VIRTUAL TABLE */
} qp_ptable;

/* Parses a CREATE [VIRTUAL] TABLE statement. 0, or QUIPU_EPARSE when the
 * text is not one; release *out in both cases. */
int qp_parse_create_table(qp_ptable *out, const char *sql);
void qp_ptable_release(qp_ptable *t);

/* The name of a CREATE INDEX / VIEW / TRIGGER statement replaced by
 * nothing, IF NOT EXISTS dropped, then canonical: what such statements
 * are compared by. */
void qp_sql_canon_unnamed(qp_buf *out, const char *sql);

#endif
