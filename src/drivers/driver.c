/*
 * driver.c: picking a driver, and what every driver shares.
 */
#include "drivers/driver.h"
#include "util/err.h"

#include <stdlib.h>

const qp_driver *qp_driver_for(qp_dbkind kind)
{
	switch (kind) {
	case QP_DB_POSTGRES:
		return &qp_driver_pg;
	case QP_DB_SQLITE:
		return &qp_driver_sqlite;
	case QP_DB_MYSQL:
		qp_error_set(QUIPU_ECONFIG, "MySQL/MariaDB URLs are recognised but no MySQL driver is built yet; "
		             "use a postgresql:// or sqlite:// URL");
		return NULL;
	default:
		qp_error_set(QUIPU_ECONFIG, "no database URL: set sqlalchemy.url in the config, pass --url, or set QUIPU_DATABASE_URL");
		return NULL;
	}
}

void qp_exec_error_release(qp_exec_error *e)
{
	free(e->statement);
	free(e->message);
	free(e->detail);
	free(e->hint);
	e->statement = e->message = e->detail = e->hint = NULL;
	e->sqlstate[0] = '\0';
	e->duplicate_object = e->connection_lost = 0;
	e->stmt_index = 0;
	e->line = 0;
}

int qp_line_at(const char *text, size_t offset, int first)
{
	size_t i;
	int line = first;
	for (i = 0; i < offset && text[i]; i++)
		if (text[i] == '\n')
			line++;
	return line;
}
