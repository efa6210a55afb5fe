/*
 * url.h: database URLs in SQLAlchemy's form (DESIGN §3).
 *
 *   postgresql[+driver]://user:password@host:port/database?key=value&...
 *   sqlite:///relative.db   sqlite:////absolute.db   sqlite://  (memory)
 *   mysql[+driver]://...
 * The +driver part is accepted and ignored. user, password, host, database
 * and query values are percent-decoded. A password is never printed:
 * qp_url_redact() replaces it with ***.
 */
#ifndef QP_CORE_URL_H
#define QP_CORE_URL_H

#include "util/strlist.h"

typedef enum {
	QP_DB_NONE = 0,
	QP_DB_POSTGRES,
	QP_DB_SQLITE,
	QP_DB_MYSQL
} qp_dbkind;

typedef struct qp_url {
	qp_dbkind kind;
	char *scheme;            /* as written, e.g. "postgresql+asyncpg" */
	char *driver;            /* "asyncpg", or NULL */
	char *user;              /* decoded; NULL when absent */
	char *password;          /* decoded; NULL when absent; never print it */
	char *host;              /* NULL when absent ("localhost" is kept as written) */
	char *port;              /* NULL when absent */
	char *database;          /* PG/MySQL: the name; SQLite: the file path; NULL for memory */
	qp_strlist query_keys;   /* decoded, in order */
	qp_strlist query_values; /* decoded, parallel to query_keys */
	int memory;              /* sqlite:// or sqlite:///:memory: */
} qp_url;

#define QP_URL_INIT {QP_DB_NONE, NULL, NULL, NULL, NULL, NULL, NULL, NULL, QP_STRLIST_INIT, QP_STRLIST_INIT, 0}

/* Parses text. QUIPU_ECONFIG with a message that quotes the URL redacted and
 * says what is wrong (unknown scheme: lists the known ones). */
int qp_url_parse(qp_url *out, const char *text);
void qp_url_release(qp_url *url);
/* A copy of a URL with the password part replaced by ***. Works on text that
 * does not parse, too. Caller frees. */
char *qp_url_redact(const char *text);
/* The value of query parameter key, or NULL. */
const char *qp_url_query(const qp_url *url, const char *key);

#endif
