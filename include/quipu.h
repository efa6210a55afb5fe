/*
 * quipu.h: the public API of libquipu, a database schema migration library.
 *
 * The command-line program (src/cli) uses nothing but this header; an
 * application that migrates itself at start-up can do the same.
 *
 * Conventions (after libgit2):
 *  - functions return 0 on success or a negative QUIPU_E* code;
 *  - the full message of the last failure on this thread is in
 *    quipu_error_last(); lower-level errors are passed up, not overwritten;
 *  - out-parameters come first and are named `out`; what `*out` receives is
 *    owned by the caller and released with the matching *_free();
 *  - `const quipu_revinfo *` pointers are borrowed from the project and stay
 *    valid until quipu_project_free();
 *  - the library never prints and never exits: progress reaches the caller
 *    through a callback.
 */
#ifndef QUIPU_H
#define QUIPU_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define QUIPU_VERSION "0.1.0"

/* Error codes: one X-macro generates the enum and quipu_error_name(). */
#define QUIPU_ERROR_MAP(X)                                                   \
	X(QUIPU_OK, 0, "ok")                                                     \
	X(QUIPU_ERROR, -1, "error")                                              \
	X(QUIPU_ENOTFOUND, -3, "not found")                                      \
	X(QUIPU_EEXISTS, -4, "already exists")                                   \
	X(QUIPU_EAMBIGUOUS, -5, "ambiguous")                                     \
	X(QUIPU_EUSAGE, -6, "usage")                                             \
	X(QUIPU_ECONFIG, -10, "configuration")                                   \
	X(QUIPU_EPARSE, -11, "parse")                                            \
	X(QUIPU_EGRAPH, -12, "revision graph")                                   \
	X(QUIPU_ECONNECT, -13, "connection")                                     \
	X(QUIPU_ESQL, -14, "sql")                                                \
	X(QUIPU_ELOCKED, -15, "locked")                                          \
	X(QUIPU_ENOMEM, -16, "out of memory")                                    \
	X(QUIPU_EIO, -17, "i/o")                                                 \
	X(QUIPU_ESTATE, -18, "database state")                                  \
	X(QUIPU_ETEST, -19, "test failed")

typedef enum {
#define QUIPU__ENUM(name, value, text) name = value,
	QUIPU_ERROR_MAP(QUIPU__ENUM)
#undef QUIPU__ENUM
} quipu_error_code;

typedef struct quipu_error {
	int code;        /* a quipu_error_code */
	char *message;   /* complete, human-readable, may span lines; never holds a password */
} quipu_error;

/* The last error raised on this thread, or NULL. Borrowed. */
const quipu_error *quipu_error_last(void);
void quipu_error_clear(void);
/* Short name of a code ("not found"). Static storage. */
const char *quipu_error_name(int code);

/* ---- project: configuration + revision scripts, no connection ---------- */

typedef struct quipu_project quipu_project;

typedef struct quipu_open_opts {
	const char *config_path;   /* NULL: $QUIPU_CONFIG, then ./quipu.ini */
	const char *section;       /* NULL: "quipu" */
	const char *url;           /* NULL: $QUIPU_DATABASE_URL, $DATABASE_URL, then the file */
	const char *const *xargs;  /* -x KEY=VALUE pairs: variables for ${KEY} (beat the environment) */
	size_t n_xargs;
	int headers_only;          /* only the graph is needed, not the SQL: the revision headers may
	                              come from the header cache (docs/file-format.md); the project
	                              then cannot plan SQL, apply, validate or lint (QUIPU_EUSAGE) */
} quipu_open_opts;
#define QUIPU_OPEN_OPTS_INIT {NULL, NULL, NULL, NULL, 0, 0}

/* Reads the config and every revision file. Reports every problem in the
 * versions folders at once (file names included) with QUIPU_EGRAPH. */
int quipu_project_open(quipu_project **out, const quipu_open_opts *opts);
void quipu_project_free(quipu_project *p);

/* The configuration as resolved. Borrowed strings; NULL when unset. */
const char *quipu_project_config_path(const quipu_project *p);
const char *quipu_project_script_location(const quipu_project *p);
const char *quipu_project_version_table(const quipu_project *p);
/* The URL with the password replaced by ***. NULL when none is configured. */
const char *quipu_project_url_redacted(const quipu_project *p);

/* One revision, as read from its file. */
typedef struct quipu_revinfo {
	const char *id;
	const char *message;        /* first line of the header */
	const char *path;           /* the file */
	const char *create_date;    /* as written, may be "" */
	const char *const *down;    /* Revises: parents (empty for a base) */
	size_t n_down;
	const char *const *labels;  /* Branch Labels: */
	size_t n_labels;
	const char *const *depends; /* Depends On: */
	size_t n_depends;
	const char *const *next;    /* children, in id order */
	size_t n_next;
	int is_head;                /* no revision revises it */
	int has_dependents;         /* some revision depends on it (so it is only an "effective head") */
	int is_base;                /* revises nothing */
	int is_branch_point;        /* revised by more than one revision */
	int is_merge;               /* revises more than one revision */
} quipu_revinfo;

/* A list of borrowed revision pointers; the array is the caller's. */
typedef struct quipu_revlist {
	const quipu_revinfo **items;
	size_t count;
} quipu_revlist;
void quipu_revlist_free(quipu_revlist *list); /* frees the array, not the revisions */

size_t quipu_revision_count(const quipu_project *p);
/* Exact id or unique prefix. QUIPU_ENOTFOUND / QUIPU_EAMBIGUOUS (listing the candidates). */
int quipu_revision_lookup(const quipu_revinfo **out, const quipu_project *p, const char *id);

int quipu_heads(quipu_revlist *out, const quipu_project *p);
int quipu_bases(quipu_revlist *out, const quipu_project *p);
/* Revisions that are a parent of more than one child. */
int quipu_branch_points(quipu_revlist *out, const quipu_project *p);
/* Every revision, newest first (heads to bases), as `history` lists them. */
int quipu_history_all(quipu_revlist *out, const quipu_project *p);

/* Resolves a symbolic target (head, heads, base, id, prefix, label@head,
 * rev+N, ...) to zero or more revisions. `current` may be NULL when the
 * target does not need the database. */
int quipu_resolve(quipu_revlist *out, const quipu_project *p, const char *target,
                  const char *const *current, size_t n_current);

/* history -r START:END. Either side may be NULL/"" (open). `current` as above. */
int quipu_history_range(quipu_revlist *out, const quipu_project *p, const char *range,
                        const char *const *current, size_t n_current);

/* ---- database connection --------------------------------------------- */

typedef struct quipu_db quipu_db;

/* Connects with the project's URL (or `url` when not NULL). QUIPU_ECONNECT
 * errors say which host, port, database and user, and the likely cause. */
int quipu_db_connect(quipu_db **out, const quipu_project *p, const char *url);
void quipu_db_close(quipu_db *db);
/* "postgresql" or "sqlite". Static storage. */
const char *quipu_db_dialect(const quipu_db *db);

/* The rows of the version table (empty when the table does not exist). The
 * caller frees the array and each string with quipu_strings_free(). */
int quipu_db_current(char ***out, size_t *n_out, quipu_db *db, const quipu_project *p);
void quipu_strings_free(char **strings, size_t n);

/* ---- the applied-revision log and validation ------------------------ */

/* One row of the log table (<version_table>_log): what ran, when, by whom. */
typedef struct quipu_applied {
	char *revision;
	char *direction;      /* "upgrade", "downgrade", "stamp" */
	char *checksum;       /* sha256 (hex) of the file as it ran; "" for stamp */
	char *started_at;     /* UTC, "YYYY-MM-DD HH:MM:SS.ffffffZ" */
	double duration_ms;
	char *db_user;
	char *tool_version;
	char *status;         /* "done", or "running" for an unfinished transaction:false section */
	long statements_done; /* progress of a transaction:false section */
} quipu_applied;

/* Every row of the log, oldest first; none when the table does not exist. */
int quipu_db_log(quipu_applied **out, size_t *n_out, quipu_db *db, const quipu_project *p);
void quipu_applied_free(quipu_applied *list, size_t n);

/* Checks that every applied revision's file still matches the checksum the
 * log recorded when it ran, and still exists. *out receives one message per
 * problem (each naming the file), caller frees with quipu_strings_free();
 * *n_checked the number of applied revisions compared. 0 with *n_out = 0
 * when all is well. */
int quipu_validate(char ***out, size_t *n_out, size_t *n_checked, const quipu_project *p, quipu_db *db);

/* ---- plans and running them ------------------------------------------ */

typedef enum { QUIPU_UP = 1, QUIPU_DOWN = -1 } quipu_direction;

typedef struct quipu_plan quipu_plan;

/* One step of a plan: run `rev` up or down (or, for stamp, only move the
 * version table). `from` are the version rows this step replaces. */
typedef struct quipu_step {
	const quipu_revinfo *rev;
	quipu_direction direction;
	int stamp_only;
} quipu_step;

/* Plans from the database's current rows (read through `db`), or from
 * `from` when db is NULL (offline --sql "from:to"). */
int quipu_plan_upgrade(quipu_plan **out, const quipu_project *p, quipu_db *db, const char *target);
int quipu_plan_downgrade(quipu_plan **out, const quipu_project *p, quipu_db *db, const char *target);
int quipu_plan_stamp(quipu_plan **out, const quipu_project *p, quipu_db *db, const char *target, int purge);
/* Offline: plan from a stated start (NULL or "base" for empty) */
int quipu_plan_offline(quipu_plan **out, const quipu_project *p, quipu_direction dir,
                       const char *from, const char *to);
/* Offline stamp (`stamp --sql FROM:TO`): from the rows FROM names. */
int quipu_plan_stamp_offline(quipu_plan **out, const quipu_project *p, const char *from, const char *to);
size_t quipu_plan_count(const quipu_plan *plan);
const quipu_step *quipu_plan_step(const quipu_plan *plan, size_t i);
void quipu_plan_free(quipu_plan *plan);

typedef enum {
	QUIPU_EVENT_START = 1,   /* a step begins */
	QUIPU_EVENT_DONE,        /* a step committed (or, in one-transaction mode, ran) */
	QUIPU_EVENT_INFO,        /* a notice: message holds it */
	QUIPU_EVENT_WAIT_LOCK,   /* another runner holds the lock; waiting */
	QUIPU_EVENT_STAMP        /* the version table was stamped: from -> to */
} quipu_event_kind;

typedef struct quipu_event {
	quipu_event_kind kind;
	const quipu_step *step;  /* NULL for INFO and WAIT_LOCK */
	const char *from;        /* "a, b" the rows this step leaves, "" for base */
	const char *to;          /* the rows it reaches */
	double elapsed_ms;       /* DONE: time this step took */
	const char *message;     /* INFO */
} quipu_event;

typedef void (*quipu_progress_cb)(const quipu_event *ev, void *payload);

typedef struct quipu_apply_opts {
	quipu_progress_cb progress;
	void *payload;
	int transaction_per_migration; /* -1: the config's value; 0 or 1 override */
	double lock_timeout_s;         /* <= 0: wait for ever */
} quipu_apply_opts;
#define QUIPU_APPLY_OPTS_INIT {NULL, NULL, -1, 0}

/* Runs a plan: each revision in one transaction with its version-table
 * change, under a lock against other runners. On failure the error says
 * file:line, the statement, the server's message and hint, and the state the
 * database was left in. */
int quipu_apply(quipu_db *db, const quipu_project *p, const quipu_plan *plan,
                const quipu_apply_opts *opts);

/* Writes the SQL a run would execute (transactions and version-table
 * statements included) without connecting: `upgrade --sql`. `dialect` is
 * "postgresql" or "sqlite" (NULL: from the project's URL). The returned
 * string is the caller's: free(). */
int quipu_plan_sql(char **out, const quipu_project *p, const quipu_plan *plan, const char *dialect);

/* ---- writing files ---------------------------------------------------- */

/* Writes quipu.ini (in the current folder unless config_path says
 * otherwise), DIR/versions/ and models/. */
int quipu_init(const char *dir, const char *config_path, const char *template_name);
/* The available templates: name and a one-line description. */
size_t quipu_template_count(void);
void quipu_template_get(size_t i, const char **name, const char **description);

typedef struct quipu_revision_opts {
	const char *message;
	const char *rev_id;        /* NULL: 12 random hex characters */
	const char *const *heads;  /* --head: parents (NULL/0: the current head) */
	size_t n_heads;
	int splice;
	const char *branch_label;
	const char *const *depends_on;
	size_t n_depends_on;
	const char *version_path;  /* NULL: script_location/versions */
	const char *upgrade_sql;   /* NULL: the empty hand-written template */
	const char *downgrade_sql;
	const char *const *merge;  /* for `merge`: the revisions to join */
	size_t n_merge;
} quipu_revision_opts;

/* Creates a revision file. *out_path (caller frees) names it. */
int quipu_revision_create(char **out_path, char **out_id, const quipu_project *p,
                          const quipu_revision_opts *opts);

/* ---- lint: destructive and lock-heavy statements (docs/lint.md) ------- */

typedef struct quipu_lint_report quipu_lint_report;

/* One finding. Strings are borrowed from the report. */
typedef struct quipu_lint_finding {
	const char *rule;       /* stable id, e.g. "drop-column" (static) */
	const char *category;   /* "data-loss", "locking" or "failure" (static) */
	const char *message;    /* what this statement does, one line */
	const char *fix;        /* what to do instead, one line (static) */
	const char *revision;   /* the revision id; NULL for bare SQL */
	const char *path;       /* the file; NULL for bare SQL */
	int line;               /* 1-based line of the statement in the file */
	const char *statement;  /* the statement, trimmed */
	const char *table;      /* the table concerned as written ("s.t"), NULL when none */
	double rows;            /* live estimate (pg_class.reltuples), -1 when unknown */
	long long bytes;        /* pg_total_relation_size, -1 when unknown */
} quipu_lint_finding;

/*
 * Lints the upgrade sections of `revs` (ids, prefixes, targets such as
 * `head`, or ranges `start:end`), or, when n is 0, of the pending revisions:
 * those `upgrade heads` would run from the database's version table. Tables
 * created earlier in that set count as new (empty: nothing to lock or lose).
 * With db NULL and n 0, every revision, each judged on its own against what
 * its ancestors create. With a PostgreSQL `db` the findings carry the
 * live tables' estimated rows and size. The rules that concern PostgreSQL
 * locks are off for SQLite. The caller frees *out with quipu_lint_report_free.
 */
int quipu_lint(quipu_lint_report **out, const quipu_project *p, quipu_db *db_or_null,
               const char *const *revs, size_t n);
size_t quipu_lint_count(const quipu_lint_report *r);
const quipu_lint_finding *quipu_lint_get(const quipu_lint_report *r, size_t i);
/* Statements that could not be parsed, so were not linted (rule "unparsed"). */
size_t quipu_lint_note_count(const quipu_lint_report *r);
const quipu_lint_finding *quipu_lint_note(const quipu_lint_report *r, size_t i);
/* How many revisions were linted. */
size_t quipu_lint_revision_count(const quipu_lint_report *r);
void quipu_lint_report_free(quipu_lint_report *r);
/* The rules: id, category, a one-line summary and fix. Static storage. */
size_t quipu_lint_rule_count(void);
void quipu_lint_rule_get(size_t i, const char **id, const char **category, const char **summary,
                         const char **fix);

/* ---- autogenerate: the models compared with the database -------------- */

typedef struct quipu_autogen_opts {
	int from_migrations;         /* the current state is the revisions replayed into a scratch
	                                database, not the live database */
	const char *const *renames;  /* "table.old:new" (or "schema.table.old:new"): a column renamed,
	                                written as RENAME COLUMN instead of DROP and ADD */
	size_t n_renames;
} quipu_autogen_opts;
#define QUIPU_AUTOGEN_OPTS_INIT {0, NULL, 0}

/* What autogenerate found. Everything in it is owned by the struct:
 * quipu_autogen_free(). */
typedef struct quipu_autogen {
	char *upgrade_sql;           /* "" when the models and the database agree */
	char *downgrade_sql;         /* the exact inverse of upgrade_sql */
	char **changes;              /* one line per operation ("add column users.phone_number") */
	size_t n_changes;            /* 0: no changes detected */
	char **warnings;             /* for the user: renames suspected ("run again with --rename
	                                users.name:full_name"), ...; data-losing steps are also marked
	                                "-- WARNING:" in the SQL */
	size_t n_warnings;
} quipu_autogen;

/* Compares the desired schema (the config's `models`: a .sql file or a
 * folder of them, loaded in name order into a scratch database: SQLite in
 * memory, PostgreSQL a temporary database created and dropped on the same
 * server or on dev_url) with the current one (the live database, which
 * must be at head, else QUIPU_ESTATE "Target database is not up to date."
 * naming what is pending; or, with opts->from_migrations, the revisions
 * replayed into a scratch database). Both go through the same
 * introspection. A models file that does not load is QUIPU_ESQL naming
 * file:line and the server's message. opts may be NULL. */
int quipu_autogenerate(quipu_autogen **out, const quipu_project *p, quipu_db *db,
                       const quipu_autogen_opts *opts);
void quipu_autogen_free(quipu_autogen *a);

/* ---- test: every revision up, down and up again on a scratch database --- */

typedef enum {
	QUIPU_TEST_REVISION = 1,     /* a revision passed: up, down, up, schema compared after each */
	QUIPU_TEST_MODELS            /* the models were compared with the schema at head */
} quipu_test_event_kind;

typedef struct quipu_test_event {
	quipu_test_event_kind kind;
	const quipu_revinfo *rev;    /* REVISION: the revision; MODELS: the head */
	size_t index;                /* REVISION: 0-based place in the run */
	size_t count;                /* revisions in the run */
	double elapsed_ms;           /* REVISION: its three steps and three introspections */
	int models;                  /* MODELS: 1 compared and equal, 0 no models configured */
	const char *where;           /* the scratch database ("SQLite in memory", a PG name) */
} quipu_test_event;

typedef void (*quipu_test_cb)(const quipu_test_event *ev, void *payload);

typedef struct quipu_test_opts {
	quipu_test_cb progress;      /* may be NULL */
	void *payload;
} quipu_test_opts;
#define QUIPU_TEST_OPTS_INIT {NULL, NULL}

/* The checks people write by hand with pytest-alembic, on a scratch
 * database made beside the project's URL (SQLite in memory; PostgreSQL a
 * temporary database on the same server or on dev_url's, dropped
 * afterwards); the project's own database is never connected to on SQLite
 * nor changed on PostgreSQL. There must be exactly one head (else
 * QUIPU_ETEST naming the heads). From base, each revision in order is
 * upgraded, downgraded and upgraded again, the schema introspected after
 * each step: after the downgrade it must equal the schema before the
 * upgrade, after the second upgrade the one after the first. Then, when
 * `models` is set, the models must equal the schema at head. The first
 * failure is QUIPU_ETEST naming the revision, its file, and the difference
 * (what would make the schema right); a statement that fails is the
 * runner's error (file:line, statement, server message). opts may be NULL. */
int quipu_test(const quipu_project *p, const quipu_test_opts *opts);

#ifdef __cplusplus
}
#endif
#endif /* QUIPU_H */
