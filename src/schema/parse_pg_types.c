/*
 * parse_pg_types.c: the built-in types the parse path reproduces, with
 * format_type's text for each (typmods, arrays), and pg_catalog's type
 * names (an unqualified one is the system's, never a user's type).
 */
#include "schema/parse_pg_types.h"
#include "schema/parse_pg.h"

#include <stdlib.h>
#include <string.h>

static const qp_pg_builtin builtins[] = {
	{"bool", "boolean", TM_NONE, 'b', 1},
	{"bpchar", "character", TM_LEN, 's', 1},
	{"bytea", "bytea", TM_NONE, 'o', 1},
	{"cidr", "cidr", TM_NONE, 'o', 1},
	{"date", "date", TM_NONE, 't', 1},
	{"float4", "real", TM_NONE, 'f', 1},
	{"float8", "double precision", TM_NONE, 'f', 1},
	{"inet", "inet", TM_NONE, 'o', 1},
	{"int2", "smallint", TM_NONE, 'i', 1},
	{"int4", "integer", TM_NONE, 'i', 1},
	{"int8", "bigint", TM_NONE, 'i', 1},
	{"interval", "interval", TM_NONE, 'o', 1},
	{"json", "json", TM_NONE, 'o', 0},
	{"jsonb", "jsonb", TM_NONE, 'o', 1},
	{"macaddr", "macaddr", TM_NONE, 'o', 1},
	{"money", "money", TM_NONE, 'o', 1},
	{"numeric", "numeric", TM_NUMERIC, 'n', 1},
	{"oid", "oid", TM_NONE, 'o', 1},
	{"text", "text", TM_NONE, 's', 1},
	{"time", "time", TM_PREC, 'o', 1},
	{"timestamp", "timestamp", TM_PREC, 't', 1},
	{"timestamptz", "timestamp", TM_PREC, 't', 1},
	{"timetz", "time", TM_PREC, 'o', 1},
	{"tsvector", "tsvector", TM_NONE, 'o', 1},
	{"uuid", "uuid", TM_NONE, 'o', 1},
	{"varchar", "character varying", TM_LEN, 's', 1},
	{"xml", "xml", TM_NONE, 'o', 0},
};

/* pg_catalog's type names (PostgreSQL 15, without arrays and pg_*): an
 * unqualified name among them is the system's type, never a user's. */
static const char *const catalog_types[] = {
	"aclitem", "any", "anyarray", "anycompatible", "anycompatiblearray", "anycompatiblemultirange",
	"anycompatiblenonarray", "anycompatiblerange", "anyelement", "anyenum", "anymultirange", "anynonarray",
	"anyrange", "bit", "bool", "box", "bpchar", "bytea", "char", "cid", "cidr", "circle", "cstring", "date",
	"datemultirange", "daterange", "event_trigger", "fdw_handler", "float4", "float8", "gtsvector",
	"index_am_handler", "inet", "int2", "int2vector", "int4", "int4multirange", "int4range", "int8",
	"int8multirange", "int8range", "internal", "interval", "json", "jsonb", "jsonpath", "language_handler",
	"line", "lseg", "macaddr", "macaddr8", "money", "name", "numeric", "nummultirange", "numrange", "oid",
	"oidvector", "path", "point", "polygon", "record", "refcursor", "regclass", "regcollation", "regconfig",
	"regdictionary", "regnamespace", "regoper", "regoperator", "regproc", "regprocedure", "regrole", "regtype",
	"table_am_handler", "text", "tid", "time", "timestamp", "timestamptz", "timetz", "trigger", "tsm_handler",
	"tsmultirange", "tsquery", "tsrange", "tstzmultirange", "tstzrange", "tsvector", "txid_snapshot", "unknown",
	"uuid", "varbit", "varchar", "void", "xid", "xid8", "xml",
};

/* bsearch over the two tables above, both in strcmp order (and a unit
 * test, test_parse_pg_types, keeps them so). */
static int by_name(const void *key, const void *elem)
{
	return strcmp(*(const char *const *)key, *(const char *const *)elem);
}

int qp_pg_is_catalog_type(const char *name)
{
	if (!strncmp(name, "pg_", 3) || name[0] == '_')
		return 1;
	return bsearch(&name, catalog_types, sizeof(catalog_types) / sizeof(catalog_types[0]), sizeof(catalog_types[0]),
	               by_name) != NULL;
}

const qp_pg_builtin *qp_pg_find_builtin(const char *name)
{
	/* a qp_pg_builtin starts with its name: by_name reads both as a string pointer */
	return bsearch(&name, builtins, sizeof(builtins) / sizeof(builtins[0]), sizeof(builtins[0]), by_name);
}

/* Renders a built-in type; -1 when not reproduced (unknown, bad typmods). */
int qp_pg_format_builtin(qp_buf *out, const qp_pg_builtin *b, const long *tm, size_t n_tm)
{
	int tz = !strcmp(b->name, "timestamptz") || !strcmp(b->name, "timetz");

	switch (b->mod) {
	case TM_NONE:
		if (n_tm)
			return -1;
		qp_buf_puts(out, b->fmt);
		return 0;
	case TM_LEN:
		if (n_tm > 1 || (n_tm == 1 && (tm[0] < 1 || tm[0] > 10485760)))
			return -1;
		/* bpchar without a length is "bpchar" (the grammar gives CHAR a length of 1) */
		if (!n_tm && !strcmp(b->name, "bpchar"))
			qp_buf_puts(out, "bpchar");
		else
			qp_buf_puts(out, b->fmt);
		if (n_tm)
			qp_buf_printf(out, "(%ld)", tm[0]);
		return 0;
	case TM_NUMERIC:
		if (n_tm > 2 || (n_tm >= 1 && (tm[0] < 1 || tm[0] > 1000)) || (n_tm == 2 && (tm[1] < 0 || tm[1] > tm[0])))
			return -1;
		qp_buf_puts(out, "numeric");
		if (n_tm)
			qp_buf_printf(out, "(%ld,%ld)", tm[0], n_tm == 2 ? tm[1] : 0L);
		return 0;
	case TM_PREC:
		if (n_tm > 1 || (n_tm == 1 && (tm[0] < 0 || tm[0] > 6)))
			return -1;
		qp_buf_puts(out, b->fmt);
		if (n_tm)
			qp_buf_printf(out, "(%ld)", tm[0]);
		qp_buf_puts(out, tz ? " with time zone" : " without time zone");
		return 0;
	}
	return -1;
}

int qp_pg_format_type(qp_buf *out, const char *const *names, size_t n_names, const long *typmods, size_t n_typmods,
                      int array)
{
	const qp_pg_builtin *b;

	if (n_names == 2 && strcmp(names[0], "pg_catalog"))
		return -1;
	if (n_names < 1 || n_names > 2 || !(b = qp_pg_find_builtin(names[n_names - 1])))
		return -1;
	if (qp_pg_format_builtin(out, b, typmods, n_typmods) < 0)
		return -1;
	if (array)
		qp_buf_puts(out, "[]");
	return 0;
}
