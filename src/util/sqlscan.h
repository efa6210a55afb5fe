/*
 * sqlscan.h: the little SQL lexing that several modules share.
 */
#ifndef QP_UTIL_SQLSCAN_H
#define QP_UTIL_SQLSCAN_H

#include <stddef.h>

/* Skips blanks, -- comments and block comments (nested, as PostgreSQL
 * nests them) in s[i, end); returns the offset of the first significant
 * character, or end when there is none. */
size_t qp_sql_skip_blank(const char *s, size_t i, size_t end);

#endif
