/*
 * parse_pg_split.h: a models text cut into its statements (parse_pg.c's
 * parse_text parses them one at a time; see parse_pg_split.c for how the
 * cuts are found and why a wrong one is harmless).
 */
#ifndef QP_SCHEMA_PARSE_PG_SPLIT_H
#define QP_SCHEMA_PARSE_PG_SPLIT_H

#include <stddef.h>

/* The end of the piece of s (len bytes) that starts at `from`: just past
 * the first semicolon at or after `from` that ends a statement (not in a
 * comment, string, quoted identifier or dollar quote); len when there is
 * none, or when something is left unterminated (the rest is one piece). */
size_t qp_pg_stmt_end(const char *s, size_t len, size_t from);

#endif
