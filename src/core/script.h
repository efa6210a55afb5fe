/*
 * script.h: revision files (DESIGN §2).
 *
 *   -- Add phone_number to users           <- message (first line)
 *   --
 *   -- Revision ID: 3f2a9c1b7d4e
 *   -- Revises: e8a14672d2af               <- empty for a base; "a, b" for a merge
 *   -- Create Date: 2026-11-25 22:01:00.123456
 *   -- Branch Labels:                      <- optional, comma-separated
 *   -- Depends On:                         <- optional, comma-separated
 *
 *   -- migrate:upgrade [transaction:false]
 *   ...SQL...
 *   -- migrate:downgrade [transaction:false]
 *   ...SQL...
 *
 * A file without a `-- migrate:downgrade` marker cannot be downgraded (an
 * empty section is a valid no-op).
 */
#ifndef QP_CORE_SCRIPT_H
#define QP_CORE_SCRIPT_H

#include <stddef.h>
#include "util/strlist.h"
#include "util/buf.h"

#define QP_REVID_MAX 32  /* the width of alembic_version.version_num */

typedef struct qp_section {
	int present;         /* the marker was found */
	size_t offset;       /* byte offset of the SQL (just after the marker line) in text */
	size_t length;       /* bytes of SQL, up to the next marker or end of file */
	int line;            /* 1-based line number in the file of the SQL's first line */
	int transaction;     /* 1 unless `transaction:false` */
} qp_section;

typedef struct qp_script {
	char *path;          /* the file, as found (folder + name) */
	char *id;            /* Revision ID */
	char *message;       /* first header line, "" when none */
	char *create_date;   /* "" when none */
	qp_strlist down;     /* Revises */
	qp_strlist labels;   /* Branch Labels */
	qp_strlist depends;  /* Depends On */
	char *text;          /* the whole file, NUL-terminated; owned */
	size_t text_len;
	qp_section up;
	qp_section downgrade;
	int borrowed;        /* from the header cache: every pointer above (path, id, message,
	                        create_date, the lists' arrays and strings) points into storage the
	                        cache owns, and qp_script_release frees nothing; text is NULL */
} qp_script;

/*
 * Parses a revision file's text. Takes ownership of `text` (freed on failure
 * too). Errors are QUIPU_EPARSE, "path:line: what is wrong; the fix".
 */
int qp_script_parse(qp_script *out, const char *path, char *text, size_t len);
/* Reads and parses a file. */
int qp_script_load(qp_script *out, const char *path);
void qp_script_release(qp_script *s);

/* 0 when id can be a revision id (1..32 chars, no `@ - + :`, no blanks or
 * commas); else QUIPU_EUSAGE saying why. */
int qp_revid_check(const char *id);

/* The text of a new revision file (DESIGN §2). NULL upgrade/downgrade give
 * the hand-written template's placeholder comments. */
typedef struct qp_script_new {
	const char *id;
	const char *message;
	const char *create_date;
	const qp_strlist *down;
	const qp_strlist *labels;
	const qp_strlist *depends;
	const char *upgrade_sql;
	const char *downgrade_sql;
} qp_script_new;
int qp_script_render(qp_buf *out, const qp_script_new *n);

/* "Add phone_number to users" -> "add_phone_number_to_users", cut at
 * `max` characters on a word boundary as Alembic does. Caller frees. */
char *qp_slugify(const char *message, int max);

#endif
