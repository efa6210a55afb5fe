/*
 * db.c: connecting to a database (quipu_db) and reading its version table.
 */
#include "core/project.h"
#include "util/err.h"

#include <stdlib.h>
#include <string.h>

int quipu_db_connect(quipu_db **out, const quipu_project *p, const char *url)
{
	quipu_db *db = NULL;
	int error;

	*out = NULL;
	if (!url)
		url = p->cfg.url;
	if (!url || !*url)
		return qp_error_set(QUIPU_ECONFIG,
		                    "%s: no database URL: set sqlalchemy.url in [%s], pass --url, or set QUIPU_DATABASE_URL",
		                    p->cfg.path, p->cfg.section);
	db = calloc(1, sizeof(*db));
	if (!db)
		return qp_error_oom();
	if (!(db->url_redacted = qp_url_redact(url))) {
		error = qp_error_oom();
		goto done;
	}
	if ((error = qp_url_parse(&db->url, url)) < 0)
		goto done;
	if (!(db->drv = qp_driver_for(db->url.kind))) {
		error = qp_error_code();
		goto done;
	}
	if ((error = db->drv->connect(&db->conn, &db->url)) < 0)
		goto done;
	*out = db;
	db = NULL;
done:
	quipu_db_close(db);
	return error;
}

void quipu_db_close(quipu_db *db)
{
	if (!db)
		return;
	if (db->conn)
		db->drv->close(db->conn);
	qp_url_release(&db->url);
	free(db->url_redacted);
	free(db);
}

const char *quipu_db_dialect(const quipu_db *db)
{
	return db->drv->name;
}

void qp_version_table_sql(qp_buf *out, const qp_config *cfg)
{
	if (cfg->version_table_schema && *cfg->version_table_schema) {
		qp_buf_put_ident(out, cfg->version_table_schema);
		qp_buf_putc(out, '.');
	}
	qp_buf_put_ident(out, cfg->version_table);
}

int qp_db_read_rows(qp_strlist *out, quipu_db *db, const qp_config *cfg, qp_exec_error *xe)
{
	qp_buf sql = QP_BUF_INIT;
	int exists = 0, error;

	if ((error = db->drv->table_exists(&exists, db->conn, cfg->version_table_schema, cfg->version_table)) < 0)
		return error;
	if (!exists)
		return 0;
	qp_buf_puts(&sql, "SELECT version_num FROM ");
	qp_version_table_sql(&sql, cfg);
	if (sql.oom)
		return qp_error_oom();
	error = db->drv->query_strings(out, db->conn, qp_buf_cstr(&sql), xe);
	qp_buf_release(&sql);
	if (error < 0 && xe)
		error = qp_error_set(QUIPU_ESQL, "cannot read the version table %s: %s", cfg->version_table,
		                     xe->message ? xe->message : "unknown error");
	if (!error)
		qp_strlist_sort(out);
	return error;
}

int quipu_db_current(char ***out, size_t *n_out, quipu_db *db, const quipu_project *p)
{
	qp_strlist rows = QP_STRLIST_INIT;
	qp_exec_error xe = {0};
	int error;

	*out = NULL;
	*n_out = 0;
	error = qp_db_read_rows(&rows, db, &p->cfg, &xe);
	qp_exec_error_release(&xe);
	if (error < 0) {
		qp_strlist_release(&rows);
		return error;
	}
	*out = rows.items;
	*n_out = rows.count;
	return 0;
}
