/*
 * schema_cases.h: the golden table of autogenerate edit cases, after jq's
 * tests/jq.test: each tests/autogen/cases/NAME.case holds schema A, schema
 * B and the SQL expected from A to B (upgrade) and back (downgrade), per
 * backend. For each case and backend the runner
 *   1. loads A and B into two real databases and introspects both,
 *   2. asserts the generated upgrade and downgrade SQL (and warnings),
 *   3. runs the upgrade on A's database and asserts its schema is now B's
 *      (canonical model dumps equal, and a new diff finds nothing),
 *   4. runs the downgrade and asserts the schema is exactly A's again.
 *
 * File format: lines up to the first "==>" are comments ("#") and
 * directives ("renames: t.old:new, ...", "backends: pg sqlite"). Then
 * sections, each opened by a line "==> NAME":
 *   ==> A            ==> B             (both backends)
 *   ==> A pg         ==> B sqlite ...  (one backend; beats the above)
 *   ==> upgrade pg   ==> downgrade pg   ==> warnings pg
 *   ==> upgrade sqlite ...
 * QUIPU_UPDATE_CASES=1 rewrites the expected sections from what the code
 * produces (review the diff before committing).
 */
#ifndef SCHEMA_CASES_H
#define SCHEMA_CASES_H

#include "schema_testlib.h"
#include "util/fs.h"

typedef struct sc_section {
	char *name;   /* "A", "B pg", "upgrade sqlite" */
	char *body;   /* text, each line ending in \n */
} sc_section;

typedef struct sc_case {
	char *path;
	char *header;           /* everything before the first section */
	sc_section *sec;
	size_t n_sec;
	char *renames;          /* directive value or NULL */
	char *backends;         /* directive value or NULL (both) */
} sc_case;

static void sc_free(sc_case *c)
{
	size_t i;

	for (i = 0; i < c->n_sec; i++) {
		free(c->sec[i].name);
		free(c->sec[i].body);
	}
	free(c->sec);
	free(c->header);
	free(c->renames);
	free(c->backends);
	free(c->path);
	memset(c, 0, sizeof(*c));
}

static char *sc_directive(const char *header, const char *key)
{
	const char *p = header;
	size_t kl = strlen(key);

	while (p && *p) {
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);
		if (n > kl + 1 && !strncmp(p, key, kl) && p[kl] == ':') {
			const char *v = p + kl + 1;
			while (*v == ' ')
				v++;
			return strndup(v, n - (size_t)(v - p));
		}
		p = eol ? eol + 1 : NULL;
	}
	return NULL;
}

static int sc_load(sc_case *c, const char *path)
{
	char *text = NULL;
	size_t len, i = 0;
	qp_buf hdr = QP_BUF_INIT, body = QP_BUF_INIT;
	char *name = NULL;

	memset(c, 0, sizeof(*c));
	c->path = strdup(path);
	if (qp_read_file(&text, &len, path) < 0)
		return -1;
	while (i < len) {
		char *eol = strchr(text + i, '\n');
		size_t n = eol ? (size_t)(eol - (text + i)) : len - i;
		if (n >= 4 && !strncmp(text + i, "==> ", 4)) {
			if (name) {
				c->sec = realloc(c->sec, (c->n_sec + 1) * sizeof(*c->sec));
				c->sec[c->n_sec].name = name;
				c->sec[c->n_sec].body = qp_buf_detach(&body);
				c->n_sec++;
			}
			name = strndup(text + i + 4, n - 4);
			while (name[0] && name[strlen(name) - 1] == ' ')
				name[strlen(name) - 1] = '\0';
		} else if (name) {
			qp_buf_put(&body, text + i, n);
			qp_buf_putc(&body, '\n');
		} else {
			qp_buf_put(&hdr, text + i, n);
			qp_buf_putc(&hdr, '\n');
		}
		i += n + 1;
	}
	if (name) {
		c->sec = realloc(c->sec, (c->n_sec + 1) * sizeof(*c->sec));
		c->sec[c->n_sec].name = name;
		c->sec[c->n_sec].body = qp_buf_detach(&body);
		c->n_sec++;
	}
	c->header = qp_buf_detach(&hdr);
	c->renames = sc_directive(c->header, "renames");
	c->backends = sc_directive(c->header, "backends");
	qp_buf_release(&hdr);
	qp_buf_release(&body);
	free(text);
	return 0;
}

static sc_section *sc_find(sc_case *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->n_sec; i++)
		if (!strcmp(c->sec[i].name, name))
			return &c->sec[i];
	return NULL;
}

/* "A pg" if present, else "A". */
static const char *sc_schema(sc_case *c, const char *which, const char *backend)
{
	char name[64];
	sc_section *s;

	snprintf(name, sizeof(name), "%s %s", which, backend);
	if ((s = sc_find(c, name)) || (s = sc_find(c, which)))
		return s->body;
	return "";
}

static void sc_set(sc_case *c, const char *name, const char *body)
{
	sc_section *s = sc_find(c, name);

	if (!s) {
		c->sec = realloc(c->sec, (c->n_sec + 1) * sizeof(*c->sec));
		s = &c->sec[c->n_sec++];
		s->name = strdup(name);
		s->body = NULL;
	}
	free(s->body);
	s->body = strdup(body);
}

/* Writes the case back: header, schemas, then per backend upgrade,
 * downgrade and warnings. */
static int sc_write(sc_case *c)
{
	static const char *const order[] = {"A", "A pg", "A sqlite", "B", "B pg", "B sqlite", "upgrade pg",
	                                    "downgrade pg", "warnings pg", "upgrade sqlite", "downgrade sqlite",
	                                    "warnings sqlite", NULL};
	FILE *f = fopen(c->path, "w");
	size_t i;

	if (!f)
		return -1;
	fputs(c->header, f);
	for (i = 0; order[i]; i++) {
		sc_section *s = sc_find(c, order[i]);
		if (!s || (!strncmp(order[i], "warnings", 8) && !*s->body))
			continue;
		fprintf(f, "==> %s\n%s", s->name, s->body);
	}
	return fclose(f);
}

/* Text with trailing blank lines cut, ending in one \n ("" stays ""). */
static char *sc_norm(const char *s)
{
	size_t n = strlen(s);
	char *out;

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' '))
		n--;
	out = malloc(n + 2);
	memcpy(out, s, n);
	if (n)
		out[n++] = '\n';
	out[n] = '\0';
	return out;
}

/* A fresh database for a case: SQLite in memory, PostgreSQL `name`. */
static qp_conn *sc_db(const qp_driver *drv, const char *name)
{
	if (drv == &qp_driver_pg && st_pg_newdb(name) < 0)
		return NULL;
	return st_connect(drv, drv == &qp_driver_pg ? name : NULL);
}

static int sc_load_schema(const qp_driver *drv, qp_conn *c, const char *sql)
{
	return *sql ? st_exec(drv, c, sql) : 0;
}

/* Runs a migration as the runner would: in one transaction. */
static int sc_apply(const qp_driver *drv, qp_conn *c, const char *sql)
{
	qp_exec_error xe = {0};
	int error = drv->begin(c, &xe);

	if (error >= 0)
		error = drv->exec_script(c, sql, 0, NULL, NULL, NULL, &xe);
	if (error >= 0)
		error = drv->commit(c, &xe);
	if (error < 0) {
		fprintf(stderr, "migration failed: %s\n  statement: %s\n", xe.message ? xe.message : "?",
		        xe.statement ? xe.statement : "?");
		drv->rollback(c);
	}
	qp_exec_error_release(&xe);
	return error < 0 ? -1 : 0;
}

static int sc_model(qp_model *m, const qp_driver *drv, qp_conn *c)
{
	qp_introspect_opts o = {"alembic_version", NULL};
	int error = qp_introspect(m, drv, c, &o);

	if (error < 0)
		fprintf(stderr, "introspect: %s\n", quipu_error_last()->message);
	return error;
}

static char *sc_dump(const qp_model *m)
{
	qp_buf b = QP_BUF_INIT;
	qp_model_dump(&b, m);
	return qp_buf_detach(&b);
}

static int sc_parse_renames(qp_rename *fwd, qp_rename *back, size_t *n, qp_arena *a, const char *spec)
{
	char *copy = spec ? strdup(spec) : NULL, *tok, *save = NULL;

	*n = 0;
	for (tok = copy ? strtok_r(copy, ", ", &save) : NULL; tok && *n < 8; tok = strtok_r(NULL, ", ", &save)) {
		if (qp_rename_parse(&fwd[*n], a, tok) < 0) {
			free(copy);
			return -1;
		}
		back[*n] = fwd[*n];
		back[*n].from = fwd[*n].to;
		back[*n].to = fwd[*n].from;
		(*n)++;
	}
	free(copy);
	return 0;
}

/* Compares, or in update mode records; prints both on a mismatch. */
static int sc_expect(sc_case *c, const char *section, const char *got, int update, int *dirty)
{
	sc_section *s = sc_find(c, section);
	char *want = sc_norm(s ? s->body : ""), *have = sc_norm(got);
	int ok = !strcmp(want, have);

	if (!ok && update) {
		sc_set(c, section, have);
		*dirty = 1;
		ok = 1;
	} else if (!ok) {
		fprintf(stderr, "%s: ==> %s differs\n--- expected:\n%s--- got:\n%s---\n", c->path, section, want, have);
	}
	free(want);
	free(have);
	return ok;
}

/* One case on one backend. 0 when it passes. */
static int sc_run(const char *path, const qp_driver *drv)
{
	const char *backend = drv == &qp_driver_pg ? "pg" : "sqlite";
	sc_case c;
	qp_conn *da = NULL, *db = NULL;
	qp_model ma = QP_MODEL_INIT, mb = QP_MODEL_INIT, mc = QP_MODEL_INIT;
	qp_buf up = QP_BUF_INIT, down = QP_BUF_INIT, again = QP_BUF_INIT, w = QP_BUF_INIT;
	qp_strlist warnings = QP_STRLIST_INIT;
	qp_rename fwd[8], back[8];
	qp_arena arena = QP_ARENA_INIT;
	size_t n_ren = 0, i;
	char *dump_a = NULL, *dump_b = NULL, *dump_c = NULL, name[64];
	int update = getenv("QUIPU_UPDATE_CASES") != NULL, dirty = 0, ok = 0;

	if (sc_load(&c, path) < 0) {
		fprintf(stderr, "%s: cannot read\n", path);
		return -1;
	}
	if (c.backends && !strstr(c.backends, backend)) {
		sc_free(&c);
		return 0;
	}
	if (sc_parse_renames(fwd, back, &n_ren, &arena, c.renames) < 0)
		goto done;
	snprintf(name, sizeof(name), "qp_case_a");
	if (!(da = sc_db(drv, name)) || sc_load_schema(drv, da, sc_schema(&c, "A", backend)) < 0)
		goto done;
	snprintf(name, sizeof(name), "qp_case_b");
	if (!(db = sc_db(drv, name)) || sc_load_schema(drv, db, sc_schema(&c, "B", backend)) < 0)
		goto done;
	if (sc_model(&ma, drv, da) < 0 || sc_model(&mb, drv, db) < 0)
		goto done;
	if (qp_schema_migrate(&up, &warnings, NULL, &ma, &mb, fwd, n_ren) < 0 ||
	    qp_schema_migrate(&down, NULL, NULL, &mb, &ma, back, n_ren) < 0) {
		fprintf(stderr, "%s: %s\n", path, quipu_error_last()->message);
		goto done;
	}
	for (i = 0; i < warnings.count; i++)
		qp_buf_printf(&w, "%s\n", warnings.items[i]);
	ok = 1;
	snprintf(name, sizeof(name), "upgrade %s", backend);
	ok &= sc_expect(&c, name, qp_buf_cstr(&up), update, &dirty);
	snprintf(name, sizeof(name), "downgrade %s", backend);
	ok &= sc_expect(&c, name, qp_buf_cstr(&down), update, &dirty);
	snprintf(name, sizeof(name), "warnings %s", backend);
	ok &= sc_expect(&c, name, qp_buf_cstr(&w), update, &dirty);

	/* the upgrade makes A into B exactly, the downgrade B into A */
	dump_a = sc_dump(&ma);
	dump_b = sc_dump(&mb);
	if (sc_apply(drv, da, qp_buf_cstr(&up)) < 0) {
		fprintf(stderr, "%s (%s): the upgrade does not run\n", path, backend);
		ok = 0;
		goto done;
	}
	if (sc_model(&mc, drv, da) < 0)
		goto fail;
	dump_c = sc_dump(&mc);
	if (strcmp(dump_c, dump_b)) {
		fprintf(stderr, "%s (%s): after the upgrade the schema is not B\n--- B:\n%s--- got:\n%s", path, backend,
		        dump_b, dump_c);
		ok = 0;
	}
	if (qp_schema_migrate(&again, NULL, NULL, &mc, &mb, NULL, 0) < 0 || again.len) {
		fprintf(stderr, "%s (%s): after the upgrade a diff still finds:\n%s\n", path, backend, qp_buf_cstr(&again));
		ok = 0;
	}
	qp_model_release(&mc);
	free(dump_c);
	dump_c = NULL;
	if (sc_apply(drv, da, qp_buf_cstr(&down)) < 0) {
		fprintf(stderr, "%s (%s): the downgrade does not run\n", path, backend);
		goto fail;
	}
	if (sc_model(&mc, drv, da) < 0)
		goto fail;
	dump_c = sc_dump(&mc);
	if (strcmp(dump_c, dump_a)) {
		fprintf(stderr, "%s (%s): after the downgrade the schema is not A\n--- A:\n%s--- got:\n%s", path, backend,
		        dump_a, dump_c);
		ok = 0;
	}
	if (dirty && sc_write(&c) < 0)
		fprintf(stderr, "%s: cannot write\n", path);
	goto done;
fail:
	ok = 0;
done:
	if (da)
		drv->close(da);
	if (db)
		drv->close(db);
	qp_model_release(&ma);
	qp_model_release(&mb);
	qp_model_release(&mc);
	qp_buf_release(&up);
	qp_buf_release(&down);
	qp_buf_release(&again);
	qp_buf_release(&w);
	qp_strlist_release(&warnings);
	qp_arena_release(&arena);
	free(dump_a);
	free(dump_b);
	free(dump_c);
	sc_free(&c);
	return ok ? 0 : -1;
}

/* The case files, sorted (caller frees with qp_strlist_release). */
static int sc_list(qp_strlist *out)
{
	const char *src = getenv("QUIPU_SRC");
	qp_strlist names = QP_STRLIST_INIT;
	char dir[4096];
	size_t i;

	snprintf(dir, sizeof(dir), "%s/tests/autogen/cases", src ? src : ".");
	if (qp_list_dir(&names, dir, ".case") < 0) {
		fprintf(stderr, "no edit cases in %s (QUIPU_SRC)\n", dir);
		return -1;
	}
	for (i = 0; i < names.count; i++) {
		char path[8192];
		snprintf(path, sizeof(path), "%s/%s", dir, names.items[i]);
		qp_strlist_add(out, path);
	}
	qp_strlist_release(&names);
	return 0;
}

#endif
