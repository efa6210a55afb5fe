/*
 * scratch.c: throwaway databases (scratch.h) and the models read through
 * one: creating, connecting, loading the models, dropping.
 */
#include "schema/scratch.h"
#include "schema/diff.h"
#include "schema/parse_pg.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/misc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- copying a URL to another database -------------------------------- */

static int strdup_opt(char **dst, const char *src)
{
	*dst = NULL;
	if (src && !(*dst = strdup(src)))
		return qp_error_oom();
	return 0;
}

static int url_with_database(qp_url *out, const qp_url *in, const char *database)
{
	size_t i;
	int error;

	memset(out, 0, sizeof(*out));
	out->kind = in->kind;
	out->memory = in->memory;
	if ((error = strdup_opt(&out->scheme, in->scheme)) < 0 || (error = strdup_opt(&out->driver, in->driver)) < 0 ||
	    (error = strdup_opt(&out->user, in->user)) < 0 || (error = strdup_opt(&out->password, in->password)) < 0 ||
	    (error = strdup_opt(&out->host, in->host)) < 0 || (error = strdup_opt(&out->port, in->port)) < 0 ||
	    (error = strdup_opt(&out->database, database)) < 0)
		return error;
	for (i = 0; i < in->query_keys.count && i < in->query_values.count; i++)
		if ((error = qp_strlist_add(&out->query_keys, in->query_keys.items[i])) < 0 ||
		    (error = qp_strlist_add(&out->query_values, in->query_values.items[i])) < 0)
			return error;
	return 0;
}

/* A quipu_db on an already parsed URL (taken over, released on failure). */
static int db_open(quipu_db **out, qp_url *url, const char *redacted)
{
	quipu_db *db = calloc(1, sizeof(*db));
	int error;

	*out = NULL;
	if (!db) {
		qp_url_release(url);
		return qp_error_oom();
	}
	db->url = *url;
	memset(url, 0, sizeof(*url));
	if (!(db->drv = qp_driver_for(db->url.kind))) {
		error = qp_error_code();
		goto fail;
	}
	if (!(db->url_redacted = strdup(redacted))) {
		error = qp_error_oom();
		goto fail;
	}
	if ((error = db->drv->connect(&db->conn, &db->url)) < 0)
		goto fail;
	*out = db;
	return 0;
fail:
	quipu_db_close(db);
	return error;
}

/* ---- scratch databases ------------------------------------------------ */

/* Keeps the error being reported while cleaning up. */
typedef struct saved_error {
	int code;
	char *message;
} saved_error;

static void save_error(saved_error *s)
{
	const quipu_error *e = quipu_error_last();

	s->code = e ? e->code : QUIPU_ERROR;
	s->message = e && e->message ? strdup(e->message) : NULL;
}

static void restore_error(saved_error *s)
{
	qp_error_set(s->code, "%s", s->message ? s->message : "unknown error");
	free(s->message);
	s->message = NULL;
}

static int use_in_place(qp_scratch *s, const quipu_project *p);

/* The kind of the project's URL, read without connecting. */
static int url_kind(qp_dbkind *out, const quipu_project *p)
{
	qp_url u = QP_URL_INIT;
	int error;

	if (!p->cfg.url || !*p->cfg.url)
		return qp_error_set(QUIPU_ECONFIG,
		                    "%s: no database URL: set sqlalchemy.url in [%s], pass --url, or set QUIPU_DATABASE_URL "
		                    "(its kind, SQLite or PostgreSQL, picks the scratch database)", p->cfg.path, p->cfg.section);
	error = qp_url_parse(&u, p->cfg.url);
	*out = u.kind;
	qp_url_release(&u);
	return error;
}

int qp_scratch_open(qp_scratch *s, const quipu_project *p, quipu_db *live)
{
	qp_url url = QP_URL_INIT;
	qp_exec_error xe = {0};
	qp_buf sql = QP_BUF_INIT, redacted = QP_BUF_INIT;
	qp_dbkind kind = QP_DB_NONE;
	char hex[9];
	int error;

	memset(s, 0, sizeof(*s));
	if (live)
		kind = live->url.kind;
	else if ((error = url_kind(&kind, p)) < 0)
		return error;
	if (kind == QP_DB_SQLITE) {
		url.kind = QP_DB_SQLITE;
		url.memory = 1;
		return db_open(&s->db, &url, "sqlite://");
	}
	if (kind != QP_DB_POSTGRES)
		return qp_error_set(QUIPU_EUSAGE, "scratch databases (autogenerate, test) exist for PostgreSQL and "
		                                  "SQLite only");
	if (p->cfg.dev_url && *p->cfg.dev_url) {
		if ((error = quipu_db_connect(&s->admin, p, p->cfg.dev_url)) < 0)
			return qp_error_prefix("dev_url");
		s->admin_owned = 1;
		if (s->admin->url.kind != QP_DB_POSTGRES) {
			error = qp_error_set(QUIPU_ECONFIG, "dev_url must be a PostgreSQL URL like the database's");
			goto done;
		}
	} else if (live) {
		s->admin = live;
	} else {
		if ((error = quipu_db_connect(&s->admin, p, NULL)) < 0)
			return error;
		s->admin_owned = 1;
	}
	if ((error = qp_random_hex(hex, 8)) < 0)
		goto done;
	qp_buf_printf(&sql, "quipu_scratch_%ld_%s", (long)getpid(), hex);
	if (sql.oom || !(s->name = strdup(qp_buf_cstr(&sql)))) {
		error = qp_error_oom();
		goto done;
	}
	qp_buf_truncate(&sql, 0);
	qp_buf_puts(&sql, "CREATE DATABASE ");
	qp_buf_put_ident(&sql, s->name);
	if (sql.oom) {
		error = qp_error_oom();
		goto done;
	}
	if ((error = s->admin->drv->exec(s->admin->conn, qp_buf_cstr(&sql), &xe)) < 0) {
		const char *where = s->admin->drv->describe(s->admin->conn);
		free(s->name);
		s->name = NULL;
		if (s->admin_owned && !strcmp(xe.sqlstate, "42501")) {
			error = use_in_place(s, p);
			goto done;
		}
		if (!strcmp(xe.sqlstate, "42501"))
			error = qp_error_set(QUIPU_ECONNECT,
			                     "autogenerate and test work in a temporary database, but the role may not "
			                     "create one on %s (%s): give it CREATEDB (ALTER ROLE %s CREATEDB), or set "
			                     "dev_url in %s to a PostgreSQL server where it may create databases",
			                     where, xe.message ? xe.message : "permission denied", s->admin->drv->user(s->admin->conn),
			                     p->cfg.path);
		else
			error = qp_error_set(QUIPU_ESQL, "cannot create a scratch database on %s: %s%s",
			                     where, xe.message ? xe.message : "unknown error",
			                     s->admin_owned ? "" : " (set dev_url to use another server)");
		goto done;
	}
	qp_buf_printf(&redacted, "postgresql://.../%s", s->name);
	if ((error = url_with_database(&url, &s->admin->url, s->name)) < 0 ||
	    (error = db_open(&s->db, &url, redacted.oom ? "" : qp_buf_cstr(&redacted))) < 0)
		goto done;
	/* thrown away afterwards: no need to wait for the disk */
	error = s->db->drv->exec(s->db->conn, "SET synchronous_commit = off", &xe);
done:
	if (error < 0)
		qp_scratch_close(s, 1);
	qp_url_release(&url);
	qp_exec_error_release(&xe);
	qp_buf_release(&sql);
	qp_buf_release(&redacted);
	return error;
}

/* dev_url's database as the scratch database: only when it is empty. */
static int use_in_place(qp_scratch *s, const quipu_project *p)
{
	qp_model m = QP_MODEL_INIT;
	qp_exec_error xe = {0};
	int error;

	quipu_error_clear();
	if ((error = qp_introspect(&m, s->admin->drv, s->admin->conn, NULL)) < 0)
		goto done;
	if (m.n_objs) {
		error = qp_error_set(QUIPU_ECONFIG,
		                     "dev_url (%s): the role may not create databases there, and that database is not "
		                     "empty (%zu objects); autogenerate and test need either CREATEDB on that server or an empty "
		                     "database it may fill and empty again", s->admin->drv->describe(s->admin->conn), m.n_objs);
		goto done;
	}
	s->db = s->admin;
	s->admin = NULL;
	s->admin_owned = 0;
	s->in_place = 1;
	error = s->db->drv->exec(s->db->conn, "SET synchronous_commit = off", &xe);
done:
	qp_model_release(&m);
	qp_exec_error_release(&xe);
	return error;
}

/* Drops a PostgreSQL scratch database. `failing`: an error is being
 * reported already and stays the one reported. */
int qp_scratch_close(qp_scratch *s, int failing)
{
	qp_exec_error xe = {0};
	qp_buf sql = QP_BUF_INIT;
	saved_error saved = {0, NULL};
	int error = 0;

	if (failing)
		save_error(&saved);
	if (s->in_place && s->db) {
		s->db->drv->rollback(s->db->conn);
		/* everything the role made there; public goes too when the role owns it */
		if ((error = s->db->drv->exec(s->db->conn, "DROP OWNED BY CURRENT_USER; CREATE SCHEMA IF NOT EXISTS public",
		                              &xe)) < 0)
			error = qp_error_set(QUIPU_ESQL, "cannot empty the dev_url database again: %s; empty it by hand",
			                     xe.message ? xe.message : "unknown error");
		s->in_place = 0;
	}
	quipu_db_close(s->db);
	s->db = NULL;
	if (s->name && s->admin) {
		qp_buf_puts(&sql, "DROP DATABASE IF EXISTS ");
		qp_buf_put_ident(&sql, s->name);
		qp_buf_puts(&sql, " WITH (FORCE)");
		error = s->admin->drv->exec(s->admin->conn, qp_buf_cstr(&sql), &xe);
		if (error < 0 && !strcmp(xe.sqlstate, "42601")) {
			/* before PostgreSQL 13: no WITH (FORCE) */
			qp_buf_truncate(&sql, sql.len - strlen(" WITH (FORCE)"));
			error = s->admin->drv->exec(s->admin->conn, qp_buf_cstr(&sql), &xe);
		}
		if (error < 0)
			error = qp_error_set(QUIPU_ESQL, "cannot drop the scratch database %s: %s; drop it by hand",
			                     s->name, xe.message ? xe.message : "unknown error");
	}
	if (s->admin_owned)
		quipu_db_close(s->admin);
	s->admin = NULL;
	free(s->name);
	s->name = NULL;
	qp_exec_error_release(&xe);
	qp_buf_release(&sql);
	if (failing) {
		restore_error(&saved);
		return 0;
	}
	return error;
}

/* ---- loading the models ----------------------------------------------- */

int qp_models_files(qp_strlist *out, const quipu_project *p)
{
	qp_strlist names = QP_STRLIST_INIT;
	size_t i;
	int error = 0;

	if (!p->cfg.models || !*p->cfg.models)
		return qp_error_set(QUIPU_ECONFIG,
		                    "%s: no models: set `models` in [%s] to a .sql file or a folder of them (the "
		                    "desired schema as CREATE statements)", p->cfg.path, p->cfg.section);
	if (!qp_is_dir(p->cfg.models)) {
		if (!qp_exists(p->cfg.models))
			return qp_error_set(QUIPU_ENOTFOUND, "models %s: no such file or folder (set `models` in %s)",
			                    p->cfg.models, p->cfg.path);
		return qp_strlist_add(out, p->cfg.models);
	}
	if ((error = qp_list_dir(&names, p->cfg.models, ".sql")) < 0)
		goto done;
	for (i = 0; i < names.count; i++) {
		char *path = qp_path_join(p->cfg.models, names.items[i]);
		if (!path || (error = qp_strlist_take(out, path)) < 0) {
			error = qp_error_oom();
			goto done;
		}
	}
done:
	qp_strlist_release(&names);
	return error;
}

static int load_error(const char *path, const qp_exec_error *xe)
{
	qp_buf b = QP_BUF_INIT;
	int error;

	qp_buf_printf(&b, "the models do not load: %s:%d: %s", path, xe->line > 0 ? xe->line : 1,
	              xe->message ? xe->message : "unknown error");
	if (xe->detail)
		qp_buf_printf(&b, "\n  detail: %s", xe->detail);
	if (xe->hint)
		qp_buf_printf(&b, "\n  hint: %s", xe->hint);
	if (xe->statement)
		qp_buf_printf(&b, "\n  statement: %.300s%s", xe->statement, strlen(xe->statement) > 300 ? "..." : "");
	error = qp_error_set(QUIPU_ESQL, "%s", b.oom ? "the models do not load" : qp_buf_cstr(&b));
	qp_buf_release(&b);
	return error;
}

/* Runs each models file into the scratch database, statement by statement
 * (each commits on its own: a load of thousands of tables in one
 * transaction holds a lock per relation and runs twice as slowly on
 * PostgreSQL), so a failure names its file and line. */
int qp_models_load(qp_scratch *s, const qp_strlist *files)
{
	qp_exec_error xe = {0};
	char *text = NULL;
	size_t i, len;
	int error = 0;

	for (i = 0; i < files->count; i++) {
		free(text);
		text = NULL;
		if ((error = qp_read_file(&text, &len, files->items[i])) < 0)
			goto done;
		if ((error = s->db->drv->exec_script(s->db->conn, text, 0, NULL, NULL, NULL, &xe)) < 0) {
			error = load_error(files->items[i], &xe);
			goto done;
		}
	}
done:
	free(text);
	qp_exec_error_release(&xe);
	return error;
}


/* ---- rendering twice (PostgreSQL) --------------------------------------- */

/* When cur and *want differ, replaces *want by the model of a scratch
 * database made from want's own CREATE statements. */
int qp_model_rerender(qp_model *want, const quipu_project *p, quipu_db *live, const qp_model *cur,
                    const qp_introspect_opts *io)
{
	qp_model empty, again = QP_MODEL_INIT;
	qp_strlist changes = QP_STRLIST_INIT;
	qp_buf sql = QP_BUF_INIT, create = QP_BUF_INIT;
	qp_exec_error xe = {0};
	qp_scratch s;
	int error = 0;

	memset(&s, 0, sizeof(s));
	qp_model_init(&empty, QP_DIALECT_PG);
	/* the parser's model holds only fixed points of the server's rendering */
	if (want->parsed)
		goto done;
	if ((error = qp_schema_migrate(&sql, NULL, &changes, cur, want, NULL, 0)) < 0 || changes.count == 0)
		goto done;
	qp_buf_truncate(&sql, 0);
	if ((error = qp_schema_migrate(&create, NULL, NULL, &empty, want, NULL, 0)) < 0)
		goto done;
	qp_buf_puts(&sql, "BEGIN;\n");
	qp_buf_puts(&sql, qp_buf_cstr(&create));
	qp_buf_puts(&sql, "COMMIT;\n");
	if (sql.oom) {
		error = qp_error_oom();
		goto done;
	}
	if ((error = qp_scratch_open(&s, p, live)) < 0)
		goto done;
	if ((error = s.db->drv->exec(s.db->conn, qp_buf_cstr(&sql), &xe)) < 0) {
		error = qp_error_set(QUIPU_ERROR, "internal error: the models, rendered by the server, do not load again: "
		                     "%s\n  statement: %.300s", xe.message ? xe.message : "unknown error",
		                     xe.statement ? xe.statement : "");
		goto done;
	}
	if ((error = qp_introspect(&again, s.db->drv, s.db->conn, io)) < 0)
		goto done;
	if ((error = qp_scratch_close(&s, 0)) < 0)
		goto done;
	qp_model_release(want);
	*want = again;
	memset(&again, 0, sizeof(again));
done:
	if (s.db || s.name)
		qp_scratch_close(&s, error < 0);
	qp_model_release(&again);
	qp_model_release(&empty);
	qp_strlist_release(&changes);
	qp_buf_release(&sql);
	qp_buf_release(&create);
	qp_exec_error_release(&xe);
	return error;
}


/* Are the models for PostgreSQL (the live database's kind, or the URL's)? */
static int models_pg(const quipu_project *p, quipu_db *live)
{
	if (live)
		return live->url.kind == QP_DB_POSTGRES;
	return p->cfg.url && (!strncmp(p->cfg.url, "postgres", 8));
}

int qp_models_prepare(qp_models_job *j, const quipu_project *p, quipu_db *live, const qp_introspect_opts *io)
{
	static const qp_parse_opts po = QP_PARSE_OPTS_INIT;
	int error;

	memset(j, 0, sizeof(*j));
	j->po = po;
	qp_model_init(&j->model, QP_DIALECT_PG);
	if ((error = qp_models_files(&j->files, p)) < 0)
		return error;
	/* PostgreSQL: the parser first (schema/parse_pg.c); the scratch database
	 * when it cannot reproduce everything, or when parse_models = false */
	j->parse = p->cfg.parse_models && models_pg(p, live);
	j->po.version_table = io ? io->version_table : NULL;
	j->po.version_schema = io ? io->version_schema : NULL;
	j->po.role = live && !(p->cfg.dev_url && *p->cfg.dev_url) ? live->drv->user(live->conn) : NULL;
	return 0;
}

void qp_models_run(qp_models_job *j)
{
	const quipu_error *e;

	if (!j->parse)
		return;
	qp_model_release(&j->model);
	if ((j->error = qp_models_parse_pg(&j->model, &j->complete, NULL, &j->files, &j->po)) < 0) {
		e = quipu_error_last();
		j->message = strdup(e && e->message ? e->message : "out of memory");
		j->complete = 0;
	}
}

int qp_models_finish(qp_model *out, qp_models_job *j, const quipu_project *p, quipu_db *live,
                     const qp_introspect_opts *io)
{
	qp_scratch s;
	int error;

	memset(&s, 0, sizeof(s));
	qp_model_init(out, QP_DIALECT_PG);
	if (j->error < 0) {
		/* raised again on this thread, which may not be the one that ran it */
		error = j->message ? qp_error_set(j->error, "%s", j->message) : qp_error_oom();
		goto done;
	}
	if (j->parse && j->complete) {
		qp_model_release(out);
		*out = j->model;
		qp_model_init(&j->model, QP_DIALECT_PG);
		out->parsed = 1;
		error = 0;
		goto done;
	}
	if ((error = qp_scratch_open(&s, p, live)) < 0 || (error = qp_models_load(&s, &j->files)) < 0)
		goto done;
	qp_model_release(out);
	if ((error = qp_introspect(out, s.db->drv, s.db->conn, io)) < 0)
		goto done;
	error = qp_scratch_close(&s, 0);
done:
	if (s.db || s.name || s.admin)
		qp_scratch_close(&s, error < 0);
	return error;
}

void qp_models_job_release(qp_models_job *j)
{
	qp_strlist_release(&j->files);
	qp_model_release(&j->model);
	free(j->message);
	j->message = NULL;
}

int qp_models_read(qp_model *out, const quipu_project *p, quipu_db *live, const qp_introspect_opts *io)
{
	qp_models_job j;
	int error;

	if ((error = qp_models_prepare(&j, p, live, io)) < 0) {
		qp_model_init(out, QP_DIALECT_PG);
		goto done;
	}
	qp_models_run(&j);
	error = qp_models_finish(out, &j, p, live, io);
done:
	qp_models_job_release(&j);
	return error;
}
