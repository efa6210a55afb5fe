/*
 * scratch.h: throwaway databases, and the models read through one.
 *
 * autogenerate (autogen.c) and `quipu test` (selftest.c) both need a
 * database that exists for one command: SQLite in memory; on PostgreSQL
 * "quipu_scratch_<pid>_<hex>", created on the live database's server (or
 * dev_url's) with synchronous_commit off and dropped afterwards, on failure
 * too. When the role may not create databases on dev_url's server, dev_url's
 * database itself is used if it is empty, and emptied again afterwards.
 *
 * The models (the `models` key: a .sql file or a folder of them) become a
 * qp_model by being loaded into a scratch database and introspected.
 */
#ifndef QP_SCHEMA_SCRATCH_H
#define QP_SCHEMA_SCRATCH_H

#include "core/project.h"
#include "schema/introspect.h"
#include "schema/parse_pg.h"
#include "util/strlist.h"

typedef struct qp_scratch {
	quipu_db *db;          /* owned: the connection to it */
	quipu_db *admin;       /* PG: where it was created (borrowed live db, or owned) */
	int admin_owned;
	char *name;            /* PG: its name, to drop (owned) */
	int in_place;          /* PG: dev_url's own (empty) database, cleaned with DROP OWNED */
} qp_scratch;

/* Opens a scratch database beside `live` (the project's database), or,
 * when live is NULL, beside the project's URL without touching that
 * database when it can: SQLite needs nothing of it, PostgreSQL connects to
 * dev_url's server when set, else to the project's URL. */
int qp_scratch_open(qp_scratch *s, const quipu_project *p, quipu_db *live);
/* Drops it. `failing`: an error is being reported already and stays the
 * one reported (returns 0). Safe on a zeroed or already closed scratch. */
int qp_scratch_close(qp_scratch *s, int failing);

/* The models' .sql files, in name order (config error when `models` is unset). */
int qp_models_files(qp_strlist *out, const quipu_project *p);
/* Runs each file into the scratch database; a failure names file:line. */
int qp_models_load(qp_scratch *s, const qp_strlist *files);
/* The desired schema: the models, loaded into a scratch database opened as
 * qp_scratch_open(live) does, read by introspection. *out is initialised
 * here (release it even on failure). */
int qp_models_read(qp_model *out, const quipu_project *p, quipu_db *live, const qp_introspect_opts *io);

/* qp_models_read in three steps, so that the parse can run on another
 * thread while `live` is busy (autogen.c reads the live schema meanwhile):
 * qp_models_prepare (on live's thread) takes from p and live all the parse
 * needs: the files, the options, live's role; qp_models_run (any thread)
 * parses them when the parser applies (PostgreSQL, parse_models), touching
 * neither p, live nor any connection, and keeps the error it met, if any;
 * qp_models_finish (live's thread) raises that error again, or gives the
 * parsed model, or, when the parser did not apply or could not reproduce
 * everything, reads the models through a scratch database. *out is
 * initialised by finish (release it even on failure); release the job
 * after prepare, whatever happened. */
typedef struct qp_models_job {
	qp_strlist files;   /* owned: the models' files, in order */
	qp_parse_opts po;   /* its strings borrowed from p's configuration and live */
	int parse;          /* the parser applies */
	int complete;       /* after run: the parse reproduced everything */
	int error;          /* after run: < 0 when the parse failed */
	char *message;      /* after run, on failure: the error's message (owned) */
	qp_model model;     /* after run: the parsed model (owned, taken by finish) */
} qp_models_job;

int qp_models_prepare(qp_models_job *j, const quipu_project *p, quipu_db *live, const qp_introspect_opts *io);
void qp_models_run(qp_models_job *j);
int qp_models_finish(qp_model *out, qp_models_job *j, const quipu_project *p, quipu_db *live,
                     const qp_introspect_opts *io);
void qp_models_job_release(qp_models_job *j);

/* PostgreSQL's rendering of an expression is not always a fixed point:
 * when cur and *want differ, replaces *want by the model of a scratch
 * database made from want's own CREATE statements, so both sides went
 * through the server's rendering as often. */
int qp_model_rerender(qp_model *want, const quipu_project *p, quipu_db *live, const qp_model *cur,
                      const qp_introspect_opts *io);

#endif
