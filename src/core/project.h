/*
 * project.h: the library-internal shape of the public handles
 * (quipu_project, quipu_db, quipu_plan) shared by project.c, runner.c,
 * plan.c and revision.c.
 */
#ifndef QP_CORE_PROJECT_H
#define QP_CORE_PROJECT_H

#include "quipu.h"
#include "core/config.h"
#include "core/graph.h"
#include "core/url.h"
#include "drivers/driver.h"

struct quipu_project {
	qp_config cfg;            /* owned */
	qp_graph graph;           /* owned */
	char *url_redacted;       /* owned, NULL when no URL */
	int headers_only;         /* opened with quipu_open_opts.headers_only: no script text */
	struct qp_hcache *caches; /* owned, one per version location when headers_only: the
	                             header caches the graph's scripts borrow from */
	size_t n_caches;
};

/* 0, or QUIPU_EUSAGE when p was opened headers_only (its scripts have no
 * text): the check at the top of every function that reads the SQL. */
int qp_project_need_sql(const quipu_project *p);

struct quipu_db {
	const qp_driver *drv;     /* static */
	qp_conn *conn;            /* owned */
	qp_url url;               /* owned */
	char *url_redacted;       /* owned */
};

typedef enum { QP_PLAN_UPGRADE = 1, QP_PLAN_DOWNGRADE, QP_PLAN_STAMP } qp_plan_kind;

struct quipu_plan {
	qp_plan_kind kind;
	char *target;             /* owned: what the user asked for */
	int purge;                /* stamp --purge */
	qp_strlist start_rows;    /* the version rows the plan starts from */
	qp_strlist stamp_rows;    /* stamp: the rows afterwards */
	quipu_step *steps;        /* owned array */
	size_t count;
	int offline;              /* planned without a database (--sql) */
};

/* The qp_rev behind a public revinfo (revinfo is its first member). */
#define QP_REV(info) ((qp_rev *)(void *)(info))

/* Reads the version table's rows: none when it does not exist. */
int qp_db_read_rows(qp_strlist *out, quipu_db *db, const qp_config *cfg, qp_exec_error *xe);
/* The schema-qualified, quoted version table name. */
void qp_version_table_sql(qp_buf *out, const qp_config *cfg);
/* Plans `kind` to `target` from `rows` into a fresh plan. */
int qp_plan_make(quipu_plan **out, const quipu_project *p, qp_plan_kind kind, const char *target,
                 int purge, const char *const *rows, size_t n_rows);
/* A plan of one step: `rev` run in direction `dir` from the version rows
 * `rows` (the test command's up, down, up). Its target is the revision's
 * id, so if the rows changed under it the run replans to nothing useful:
 * only for databases nobody else uses. */
int qp_plan_single(quipu_plan **out, const quipu_revinfo *rev, quipu_direction dir, const qp_strlist *rows);

#endif
