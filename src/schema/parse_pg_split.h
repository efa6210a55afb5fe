/*
 * parse_pg_split.h: a long models text parsed by libpg_query as two halves
 * at the same time, one on a second thread (parse_pg.c's parse_text uses
 * it; see parse_pg_split.c for how the cut is found and why a wrong one is
 * harmless).
 */
#ifndef QP_SCHEMA_PARSE_PG_SPLIT_H
#define QP_SCHEMA_PARSE_PG_SPLIT_H

#include "lint/json.h"

#include <stddef.h>

/* Texts shorter than this are parsed in one piece. */
#define QP_PG_SPLIT_MIN (256 * 1024)

/* Where s (len bytes, NUL-terminated) can be cut in two: just after the
 * first semicolon at or past the middle that ends a statement (not in a
 * comment, string, quoted identifier or dollar quote) and is followed by
 * more than blanks. 0: nowhere (or the text sets standard_conforming_strings). */
size_t qp_pg_split_point(const char *s, size_t len);

/* Parses sql[0, split) and sql + split (to its NUL) at the same time into
 * two trees of pg_query_parse's JSON (caller frees both; the second's
 * locations count from split). -1, with no tree and no error left behind,
 * when either half does not parse or memory runs out: the caller then
 * parses the whole text, which finds and reports what went wrong. */
int qp_pg_parse_halves(qp_json **first, qp_json **second, const char *sql, size_t split);

#endif
