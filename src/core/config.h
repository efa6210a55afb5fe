/*
 * config.h: quipu.ini (DESIGN §3), read with libinih.
 *
 * Lookup order for the file: the explicit path, $QUIPU_CONFIG, ./quipu.ini.
 * Section: the given one, else [quipu]; a file with no [quipu] section but an
 * [alembic] one is read from [alembic] (so `quipu -c alembic.ini` works on an
 * Alembic project's config).
 * Values: `%(here)s` is the config file's folder, `%(name)s` another key of
 * the same section or [DEFAULT], `%%` a literal %, `${VAR}` an -x variable,
 * else an environment variable (an unset one is an error naming file:line).
 * URL precedence: --url, $QUIPU_DATABASE_URL, $DATABASE_URL, then the file's
 * `sqlalchemy.url` (alias `url`).
 */
#ifndef QP_CORE_CONFIG_H
#define QP_CORE_CONFIG_H

#include "util/strlist.h"

typedef struct qp_config {
	char *path;                  /* absolute path of the file read */
	char *here;                  /* its folder, absolute */
	char *section;               /* the section read */
	char *script_location;       /* absolute (a relative value is taken from the
	                                current directory, as Alembic); required */
	qp_strlist version_locations;/* absolute folders holding revision files; the
	                                first is script_location/versions unless
	                                version_locations names others */
	char *url;                   /* after the overrides, NULL when none */
	const char *url_source;      /* "--url", "QUIPU_DATABASE_URL", "DATABASE_URL", "file" (static) */
	char *models;                /* absolute, NULL when unset */
	char *dev_url;               /* NULL when unset */
	int parse_models;            /* default 1: PostgreSQL models read by the parser when it can
	                                (schema/parse_pg.c); 0: always through a scratch database */
	char *version_table;         /* default "alembic_version" */
	char *version_table_schema;  /* NULL when unset */
	int transaction_per_migration; /* default 1 */
	char *file_template;         /* default "%(rev)s_%(slug)s" (after %% unescaping) */
	int truncate_slug_length;    /* default 40 */
	char *timezone;              /* NULL: local time */
	double lock_timeout;         /* seconds, 0 = wait for ever (key lock_timeout) */
} qp_config;

/*
 * Reads the config. `path` NULL: $QUIPU_CONFIG, then ./quipu.ini. `section`
 * NULL: "quipu" (or "alembic", see above). `url_override` is --url or NULL.
 * xargs: "KEY=VALUE" strings from -x. Errors (QUIPU_ECONFIG / QUIPU_ENOTFOUND)
 * name the file and line and the fix. On failure *out is released.
 */
int qp_config_load(qp_config *out, const char *path, const char *section,
                   const char *url_override, const char *const *xargs, size_t n_xargs);
void qp_config_release(qp_config *cfg);

/* Expands `%(here)s`, `%%` and `${VAR}` in one value (used for file_template
 * tokens too). Exposed for tests. `where` names the place for errors
 * ("quipu.ini:7"). Caller frees *out. */
int qp_config_expand(char **out, const char *value, const char *here,
                     const char *const *xargs, size_t n_xargs, const char *where);

#endif
