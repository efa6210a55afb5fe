/*
 * vlog.h: the applied-revision log (see vlog.c for the table).
 */
#ifndef QP_CORE_VLOG_H
#define QP_CORE_VLOG_H

#include "core/project.h"

typedef struct qp_log_entry {
	const char *revision;
	const char *direction;   /* "upgrade", "downgrade", "stamp" */
	const char *checksum;    /* hex sha256, or NULL */
	const char *started_at;  /* qp_log_now() */
	double duration_ms;
	const char *duration_sql; /* NULL, or an SQL expression added to duration_ms */
	const char *db_user;
	const char *status;      /* "done", "running" */
	long statements_done;
} qp_log_entry;

/* The quoted, schema-qualified log table name. */
void qp_log_table_sql(qp_buf *out, const qp_config *cfg);
int qp_log_exists(int *out, quipu_db *db, const qp_config *cfg);
/* Creates the table when missing (inside the caller's transaction). */
int qp_log_ensure(quipu_db *db, const qp_config *cfg);
/* UTC now as the log writes it. */
void qp_log_now(char out[40]);
/* Appends a row; *id_out (may be NULL) receives its id. */
int qp_log_insert(long *id_out, quipu_db *db, const qp_config *cfg, const qp_log_entry *e);
/* The INSERT statement of qp_log_insert (no RETURNING), appended to out: the
 * runner sends it in the same round trip as the version-table change. */
void qp_log_insert_sql(qp_buf *out, const qp_config *cfg, const qp_log_entry *e);
/* The same in two parts, for one INSERT of several rows: "INSERT INTO log
 * (...) VALUES " and one "(...)" tuple per row (comma-separated by the caller). */
void qp_log_insert_head_sql(qp_buf *out, const qp_config *cfg);
void qp_log_values_sql(qp_buf *out, const qp_log_entry *e);
/* statements_done < 0 / duration_ms < 0 leave those columns as they are. */
int qp_log_update(quipu_db *db, const qp_config *cfg, long id, const char *status, long statements_done,
                  double duration_ms);
/* Every row, oldest first (none when the table does not exist). */
int qp_log_read(quipu_applied **out, size_t *n_out, quipu_db *db, const qp_config *cfg);

#endif
