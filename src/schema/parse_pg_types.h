/*
 * parse_pg_types.h: the built-in types parse_pg.c reproduces
 * (parse_pg_types.c), private to the parse path.
 */
#ifndef QP_SCHEMA_PARSE_PG_TYPES_H
#define QP_SCHEMA_PARSE_PG_TYPES_H

#include "util/buf.h"

#include <stddef.h>

typedef enum qp_pg_tmod { TM_NONE, TM_LEN, TM_NUMERIC, TM_PREC } qp_pg_tmod;

typedef struct qp_pg_builtin {
	const char *name;      /* pg_catalog name */
	const char *fmt;       /* format_type without typmod */
	qp_pg_tmod mod;        /* what its typmods are */
	char family;           /* 'i' integers, 'n' numeric, 'f' floats, 's' strings, 'b' boolean,
	                          't' timestamps and dates, 'o' other */
	int btree;             /* has a default btree operator class */
} qp_pg_builtin;

/* The built-in type of pg_catalog name `name` (e.g. "int4"), NULL when it
 * is not one reproduced here. */
const qp_pg_builtin *qp_pg_find_builtin(const char *name);
/* Is `name` (unqualified) a pg_catalog type (arrays and pg_* included)? */
int qp_pg_is_catalog_type(const char *name);
/* format_type of b with typmods tm[0, n_tm); -1 when not reproduced. */
int qp_pg_format_builtin(qp_buf *out, const qp_pg_builtin *b, const long *tm, size_t n_tm);

#endif
