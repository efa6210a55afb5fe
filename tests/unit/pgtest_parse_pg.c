/*
 * pgtest_parse_pg.c: the parse path (schema/parse_pg.c) against the check
 * of record, the server: for each SQL text, whenever qp_models_parse_pg
 * says complete, the same text is loaded into a fresh database on the
 * fixture's PostgreSQL and introspected, and both models must be equal
 * byte for byte (qp_model_dump, plus every object's dependencies).
 *
 *   - cases: the normalisation rules (types, implicit names and their
 *     63-byte truncation, serial, identity, defaults, keys, foreign keys,
 *     indexes, enums, schemas, comments, pg_dump's forms): each must be
 *     complete and equal;
 *   - refusals: what the parser must not claim (views, CHECK, expression
 *     and partial indexes, extensions, statements the server rejects...);
 *   - the peers' autogen workload (../shared/peers/gen.py autogen, 200
 *     tables, both variants, as SQLAlchemy's create_all DDL): must be
 *     complete and equal;
 *   - every PostgreSQL schema of ../shared/corpus: complete and equal, or
 *     a fallback with its reason (printed).
 *
 * Every text is read statement by statement (what the binary does,
 * parse_pg_split.c) and also parsed in one piece, and both must give the
 * same completeness, reason and model; test_parse_pg_split checks the cuts
 * themselves.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "schema/parse_pg.h"
#include "schema/parse_pg_split.h"
#include "schema_testlib.h"
#include "util/fs.h"

#include <dirent.h>

static const char *DB = "qp_parse_pg";

/* dump + "deps KEY -> KEY KEY" lines */
static char *full_dump(const qp_model *m)
{
	qp_buf b = QP_BUF_INIT;
	size_t i, j;

	if (qp_model_dump(&b, m) < 0)
		return NULL;
	for (i = 0; i < m->n_objs; i++) {
		const qp_obj *o = m->objs[i];
		if (!o->n_deps)
			continue;
		qp_buf_printf(&b, "deps %s ->", o->key);
		for (j = 0; j < o->n_deps; j++)
			qp_buf_printf(&b, " %s", o->deps[j]->key);
		qp_buf_putc(&b, '\n');
	}
	return qp_buf_detach(&b);
}

/* Prints the lines of a not in b (prefix). */
static void show_missing(const char *a, const char *b, const char *prefix)
{
	const char *p = a;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *line = strndup(p, n);
		if (!st_has_line(b, line))
			fprintf(stderr, "  %s %s\n", prefix, line);
		free(line);
		p += n + (nl ? 1 : 0);
	}
}

/* The server's model of sql (loaded into a fresh database): its full dump,
 * NULL when it does not load. */
static char *server_dump(const char *sql)
{
	qp_conn *c;
	qp_model m;
	qp_introspect_opts o = {"alembic_version", NULL};
	char *out = NULL;

	if (st_pg_newdb(DB) < 0 || !(c = st_connect(&qp_driver_pg, DB)))
		return NULL;
	if (st_exec(&qp_driver_pg, c, sql) == 0) {
		if (qp_introspect(&m, &qp_driver_pg, c, &o) == 0)
			out = full_dump(&m);
		qp_model_release(&m);
	}
	qp_driver_pg.close(c);
	return out;
}

/* Parses sql; when complete, compares with the server. Returns 1 complete
 * and equal, 0 incomplete (reason in *why), -1 complete but different or
 * not loading (a failure: printed). */
static int n_split;  /* texts of several statements compared by split_agrees */

/* The line of a reason "name:line: ..." (0 when it is not one). */
static long reason_line(const char *reason, const char *name)
{
	size_t n = strlen(name);

	return !strncmp(reason, name, n) && reason[n] == ':' ? strtol(reason + n + 1, NULL, 10) : 0;
}

/* Parses sql again in one piece (qp_parse_opts.whole) and checks it gives
 * what the statement-by-statement reading gave. */
static void split_agrees(const char *sql, const char *name, int complete, const char *reason, const qp_model *m)
{
	qp_model m2;
	qp_buf reason2 = QP_BUF_INIT;
	qp_parse_opts po = {"alembic_version", NULL, "postgres", 1, NULL};
	int complete2 = -1;
	size_t len = strlen(sql);

	if (qp_pg_stmt_end(sql, len, 0) < len)
		n_split++;
	assert_int_equal(qp_models_parse_pg_text(&m2, &complete2, &reason2, sql, name, &po), 0);
	/* the same reason, but for one case: in one piece, a statement that does
	 * not parse is found before any is read; statement by statement, what
	 * comes first in the text (an earlier statement not reproduced) */
	if (complete2 != complete ||
	    (strcmp(qp_buf_cstr(&reason2), reason) &&
	     !(strstr(qp_buf_cstr(&reason2), ": does not parse (") &&
	       reason_line(reason, name) <= reason_line(qp_buf_cstr(&reason2), name))))
		fail_msg("%s: in one piece: complete=%d (%s), statement by statement: complete=%d (%s)", name, complete2,
		         qp_buf_cstr(&reason2), complete, reason);
	if (complete) {
		char *a = full_dump(m), *b = full_dump(&m2);
		assert_non_null(a);
		assert_non_null(b);
		if (strcmp(a, b)) {
			show_missing(a, b, "by statement only:");
			show_missing(b, a, "one piece only:   ");
			fail_msg("%s: the model in one piece differs", name);
		}
		free(a);
		free(b);
	}
	qp_buf_release(&reason2);
	qp_model_release(&m2);
}

static int compare(const char *sql, const char *name, char **why)
{
	qp_model m;
	qp_buf reason = QP_BUF_INIT;
	qp_parse_opts po = {"alembic_version", NULL, "postgres", 0, NULL};
	int complete = 0, rc;
	char *mine = NULL, *theirs = NULL;

	assert_int_equal(qp_models_parse_pg_text(&m, &complete, &reason, sql, name, &po), 0);
	split_agrees(sql, name, complete, qp_buf_cstr(&reason), &m);
	if (why)
		*why = qp_buf_detach(&reason);
	qp_buf_release(&reason);
	if (!complete) {
		qp_model_release(&m);
		return 0;
	}
	mine = full_dump(&m);
	/* and a fixed point: the model's own CREATE statements, run by the
	 * server, read back the same (so qp_model_rerender may skip it) */
	{
		qp_model empty;
		qp_buf create = QP_BUF_INIT;
		qp_model_init(&empty, QP_DIALECT_PG);
		assert_int_equal(qp_schema_migrate(&create, NULL, NULL, &empty, &m, NULL, 0), 0);
		theirs = server_dump(qp_buf_cstr(&create));
		if (!theirs || strcmp(mine, theirs)) {
			fprintf(stderr, "%s: the parsed model's own CREATE statements do not read back the same\n", name);
			if (theirs) {
				show_missing(mine, theirs, "parse only: ");
				show_missing(theirs, mine, "again only: ");
			}
			free(mine);
			free(theirs);
			qp_buf_release(&create);
			qp_model_release(&empty);
			qp_model_release(&m);
			return -1;
		}
		free(theirs);
		qp_buf_release(&create);
		qp_model_release(&empty);
	}
	qp_model_release(&m);
	theirs = server_dump(sql);
	if (!theirs) {
		fprintf(stderr, "%s: the parse path says complete, but the server does not load it\n", name);
		rc = -1;
	} else if (strcmp(mine, theirs)) {
		fprintf(stderr, "%s: the parse path and the server differ:\n", name);
		show_missing(mine, theirs, "parse only: ");
		show_missing(theirs, mine, "server only:");
		rc = -1;
	} else {
		rc = 1;
	}
	free(mine);
	free(theirs);
	return rc;
}

/* ---- the normalisation rules -------------------------------------------- */

static const char *const cases[] = {
	/* types as format_type prints them */
	"CREATE TABLE t (a int, b integer, c int4, d smallint, e bigint, f int8, g real, h float, i float(10),\n"
	"  j double precision, k numeric, l numeric(10), m numeric(12, 2), n decimal(5,1), o varchar, p varchar(20),\n"
	"  q character varying(30), r char, s char(3), t text, u bool, v boolean, w timestamp, x timestamp(3),\n"
	"  y timestamptz, z timestamp with time zone, aa time, ab timetz, ac time(2) with time zone, ad date,\n"
	"  ae interval, af bytea, ag uuid, ah json, ai jsonb, aj inet, ak cidr, al macaddr, am money, an int[],\n"
	"  ao varchar(5)[], ap text[][], aq xml, ar tsvector, \"Mixed\" int, \"select\" int, bpc bpchar);",
	/* serial types: integer + sequence + nextval default + NOT NULL; the sequence's name clashes */
	"CREATE TABLE s (id serial PRIMARY KEY, b bigserial, c smallserial, d serial4, e serial8);\n"
	"CREATE SEQUENCE t_id_seq;\n"
	"CREATE TABLE t (id serial);\n"
	"CREATE TABLE \"Mixed Case\" (\"Id\" serial PRIMARY KEY);",
	/* names at the 63-byte limit: makeObjectName truncates the longer part */
	"CREATE TABLE a_table_name_that_is_quite_long_for_postgres_identifiers_abc (\n"
	"  a_column_name_that_is_also_quite_long_for_identifiers_xyz serial PRIMARY KEY,\n"
	"  other_column_with_a_long_name_too_for_the_truncation_rule int UNIQUE,\n"
	"  short int REFERENCES a_table_name_that_is_quite_long_for_postgres_identifiers_abc);\n"
	"CREATE INDEX ON a_table_name_that_is_quite_long_for_postgres_identifiers_abc (short, \n"
	"  other_column_with_a_long_name_too_for_the_truncation_rule);",
	/* multibyte names cut on a character boundary */
	"CREATE TABLE \"tablé_ñame_with_àccents_that_goes_on_and_on_for_quite_some_bytes\" (\n"
	"  \"colümn_ñame_with_àccents_that_goes_on_and_on_for_quite_a_while\" serial PRIMARY KEY);",
	/* implicit key, unique and foreign key names, clashes ("key1", "fkey1") and the pkey-first order */
	"CREATE TABLE p (a int, b int, UNIQUE (a, b), PRIMARY KEY (a), UNIQUE (b));\n"
	"CREATE TABLE q (x int REFERENCES p, y int, z int, FOREIGN KEY (y, z) REFERENCES p (a, b) ON DELETE CASCADE\n"
	"  ON UPDATE SET NULL, FOREIGN KEY (y) REFERENCES p (b) MATCH FULL DEFERRABLE INITIALLY DEFERRED);\n"
	"CREATE TABLE q_x (fkey int);\n"
	"CREATE TABLE r (q int REFERENCES p (a) ON DELETE RESTRICT, x int REFERENCES p (a) ON DELETE SET DEFAULT);\n"
	"ALTER TABLE r ADD FOREIGN KEY (q) REFERENCES p;\n"
	"CREATE TABLE u (a int CONSTRAINT u_a_key UNIQUE, b int UNIQUE DEFERRABLE, c int UNIQUE INITIALLY DEFERRED);\n"
	"CREATE TABLE v (u_a_key int);\n"
	"CREATE TABLE w (u_a int, UNIQUE (u_a));",
	/* named constraints and pg_dump's forms: sequences, SET DEFAULT, OWNED BY, ADD CONSTRAINT */
	"SET statement_timeout = 0;\nSET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\n"
	"SELECT pg_catalog.set_config('search_path', '', false);\nSET default_tablespace = '';\n"
	"CREATE TABLE public.users (id integer NOT NULL, email character varying(100) NOT NULL, tenant integer);\n"
	"CREATE SEQUENCE public.users_id_seq AS integer START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1;\n"
	"ALTER SEQUENCE public.users_id_seq OWNED BY public.users.id;\n"
	"CREATE SEQUENCE public.odd START WITH 10 INCREMENT BY 2 MAXVALUE 100 CACHE 5 CYCLE;\n"
	"ALTER TABLE ONLY public.users ALTER COLUMN id SET DEFAULT nextval('public.users_id_seq'::regclass);\n"
	"ALTER TABLE ONLY public.users ADD CONSTRAINT users_pk PRIMARY KEY (id);\n"
	"ALTER TABLE ONLY public.users ADD CONSTRAINT users_email UNIQUE (email);\n"
	"ALTER TABLE ONLY public.users ADD CONSTRAINT users_tenant_fk FOREIGN KEY (tenant) REFERENCES public.users(id);\n"
	"CREATE INDEX users_tenant_idx ON public.users USING btree (tenant);",
	/* defaults as pg_get_expr prints them */
	"CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');\n"
	"CREATE SEQUENCE counter;\n"
	"CREATE TABLE d (a int DEFAULT 0, b int DEFAULT -1, c bigint DEFAULT 7, d smallint DEFAULT -3,\n"
	"  e numeric(12,2) DEFAULT 0, f numeric DEFAULT 1.50, g numeric DEFAULT -2.5, h real DEFAULT 1.5,\n"
	"  i double precision DEFAULT 2, j varchar(20) DEFAULT 'free', k text DEFAULT 'it''s', l char(2) DEFAULT 'xy',\n"
	"  m bool DEFAULT true, n boolean DEFAULT false, o timestamptz DEFAULT now(), p timestamp DEFAULT now(),\n"
	"  q timestamp DEFAULT CURRENT_TIMESTAMP, r date DEFAULT CURRENT_DATE, s timestamptz DEFAULT CURRENT_TIMESTAMP,\n"
	"  t mood DEFAULT 'ok', u varchar(10) DEFAULT NULL, v int DEFAULT NULL, w bigint DEFAULT nextval('counter'),\n"
	"  x varchar(20) DEFAULT 'a'::character varying, y int DEFAULT '-5'::integer, z text DEFAULT 'b'::text,\n"
	"  aa mood DEFAULT 'sad'::mood, ab timestamp DEFAULT LOCALTIMESTAMP, ac numeric DEFAULT '-1.25'::numeric,\n"
	"  ad mood[], ae integer DEFAULT nextval('counter'::regclass), af int DEFAULT - 7, ag text DEFAULT NULL,\n"
	"  ah numeric(5,2) DEFAULT NULL, ai varchar DEFAULT NULL, aj int DEFAULT 0);",
	/* identity columns */
	"CREATE TABLE i (a int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, b bigint GENERATED BY DEFAULT AS IDENTITY\n"
	"  (START WITH 100 INCREMENT BY 5 CACHE 10), c smallint GENERATED ALWAYS AS IDENTITY (MINVALUE 3));\n"
	"CREATE TABLE i2 (x serial);\nCREATE SEQUENCE i_a_seq1;",
	/* indexes as pg_get_indexdef prints them */
	"CREATE TABLE x (a int, b text, \"Camel\" int, \"order\" int);\n"
	"CREATE INDEX ix_a ON x (a);\nCREATE UNIQUE INDEX ON x (b DESC);\nCREATE INDEX ON x (a DESC NULLS LAST, b NULLS FIRST);\n"
	"CREATE INDEX ON x (a ASC NULLS LAST, b DESC NULLS FIRST);\nCREATE INDEX ON x USING btree (\"Camel\", \"order\");\n"
	"CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_a ON x (b);\nCREATE INDEX ON x (a);\n"
	"CREATE TABLE y (k text REFERENCES x (b));",
	/* schemas, enums in them, comments, IF NOT EXISTS, harmless statements */
	"BEGIN;\nCREATE SCHEMA app;\nCREATE SCHEMA IF NOT EXISTS app;\nCREATE TYPE app.state AS ENUM ('on', 'off');\n"
	"CREATE TABLE app.things (id bigserial PRIMARY KEY, st app.state NOT NULL DEFAULT 'on', sts app.state[]);\n"
	"CREATE TABLE IF NOT EXISTS app.things (x int);\n"
	"CREATE TABLE refs (id int PRIMARY KEY, thing bigint REFERENCES app.things);\n"
	"CREATE INDEX ON app.things (st);\n"
	"COMMENT ON SCHEMA app IS 'the app';\nCOMMENT ON TABLE app.things IS 'things';\n"
	"COMMENT ON COLUMN app.things.st IS 'state';\nCOMMENT ON INDEX app.things_st_idx IS 'by state';\n"
	"COMMENT ON CONSTRAINT refs_thing_fkey ON refs IS 'to things';\nCOMMENT ON TYPE app.state IS 'on/off';\n"
	"COMMENT ON SEQUENCE app.things_id_seq IS 'ids';\nCOMMENT ON TABLE refs IS 'x';\nCOMMENT ON TABLE refs IS NULL;\n"
	"DROP TABLE IF EXISTS nothing_here;\nCOMMIT;",
	/* ALTER TABLE ADD COLUMN, SET NOT NULL, unlogged tables */
	"CREATE UNLOGGED TABLE l (a int);\nALTER TABLE l ADD COLUMN b serial;\nALTER TABLE l ADD COLUMN c text NOT NULL "
	"DEFAULT 'x';\nALTER TABLE l ALTER COLUMN a SET NOT NULL;\nALTER TABLE l ADD PRIMARY KEY (b);",
};

static void test_cases(void **state)
{
	size_t i;
	int failures = 0;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char name[32], *why = NULL;
		int rc;
		snprintf(name, sizeof(name), "case %zu", i + 1);
		rc = compare(cases[i], name, &why);
		if (rc == 0)
			fprintf(stderr, "%s: incomplete: %s\n", name, why);
		failures += rc != 1;
		free(why);
	}
	assert_int_equal(failures, 0);
}

/* ---- what the parse path must leave to the server ----------------------- */

static const struct {
	const char *sql, *reason;   /* reason: a part of the expected reason */
} refusals[] = {
	{"CREATE TABLE t (a int);\nCREATE VIEW v AS SELECT a FROM t;", "2: a view"},
	{"CREATE TABLE t (a int CHECK (a > 0));", "CHECK"},
	{"CREATE TABLE t (a int, CONSTRAINT c CHECK (a > 0));", "CHECK"},
	{"CREATE TABLE t (a text);\nCREATE INDEX ON t (lower(a));", "expression"},
	{"CREATE TABLE t (a int);\nCREATE INDEX ON t (a) WHERE a > 0;", "whereClause"},
	{"CREATE TABLE t (a int);\nCREATE INDEX ON t USING gin (a);", "gin"},
	{"CREATE EXTENSION citext;", "an extension"},
	{"CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';", "a function"},
	{"CREATE TABLE t (a int DEFAULT 1 + 1);", "default"},
	{"CREATE TABLE t (a date DEFAULT '2020-1-1');", "default"},
	{"CREATE TABLE t (a int DEFAULT 3000000000);", "default"},
	{"CREATE TABLE t (a int REFERENCES nowhere);", "nowhere"},
	{"CREATE TABLE t (a int);\nCREATE TABLE t (b int);", "already exists"},
	{"CREATE TABLE t (a point);", "point"},
	{"CREATE TABLE t (a int);\nINSERT INTO t VALUES (1);", "INSERT"},
	{"CREATE TABLE t (a int, b int, UNIQUE (a), UNIQUE (a));", "same columns"},
	{"CREATE TABLE t (a int GENERATED ALWAYS AS (1) STORED);", "not reproduced"},
	{"CREATE TABLE t (a text COLLATE \"C\");", "option"},
	{"SET search_path = app;", "SET search_path"},
	{"CREATE SCHEMA postgres;\nCREATE TABLE t (a int);", "search_path"},
	{"CREATE SEQUENCE s INCREMENT BY -2;", "sequence option"},
	{"CREATE TABLE t (a int) PARTITION BY RANGE (a);", "partspec"},
	{"CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY);", "version table"},
	{"CREATE TABLE t (a int;", "does not parse"},
	{"CREATE TABLE t (a json);\nCREATE INDEX ON t (a);", "btree"},
	{"CREATE TABLE t (a int, b int, FOREIGN KEY (a) REFERENCES t (b));", "no unique key"},
	{"CREATE TABLE t (a text PRIMARY KEY);\nCREATE TABLE u (b int REFERENCES t);", "types"},
	{"ALTER TABLE t OWNER TO postgres;", "t"},
};

static void test_refusals(void **state)
{
	size_t i;
	int failures = 0;

	for (i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		qp_model m;
		qp_buf reason = QP_BUF_INIT;
		qp_parse_opts po = {"alembic_version", NULL, "postgres", 0, NULL};
		int complete = 1;
		assert_int_equal(qp_models_parse_pg_text(&m, &complete, &reason, refusals[i].sql, "m.sql", &po), 0);
		split_agrees(refusals[i].sql, "m.sql", complete, qp_buf_cstr(&reason), &m);
		if (complete || !strstr(qp_buf_cstr(&reason), refusals[i].reason)) {
			fprintf(stderr, "refusal %zu: complete=%d reason=%s (expected %s)\n", i + 1, complete,
			        qp_buf_cstr(&reason), refusals[i].reason);
			failures++;
		}
		qp_buf_release(&reason);
		qp_model_release(&m);
	}
	assert_int_equal(failures, 0);
}

/* ---- the peers' workload and the corpus ---------------------------------- */

static char *run_capture(const char *cmd)
{
	FILE *p = popen(cmd, "r");
	qp_buf b = QP_BUF_INIT;
	char chunk[65536];
	size_t n;

	if (!p)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		qp_buf_put(&b, chunk, n);
	if (pclose(p) != 0) {
		qp_buf_release(&b);
		return NULL;
	}
	return qp_buf_detach(&b);
}

static void test_peers_workload(void **state)
{
	const char *src = getenv("QUIPU_SRC");
	const char *py = access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
	const char *variants[] = {"v1", "v2"};
	size_t i;

	assert_non_null(src);
	for (i = 0; i < 2; i++) {
		char cmd[1024], *sql, *why = NULL;
		snprintf(cmd, sizeof(cmd), "%s %s/tests/pg/peers_autogen_sql.py --tables 200 --variant %s", py, src,
		         variants[i]);
		sql = run_capture(cmd);
		if (!sql)
			fail_msg("cannot make the peers' workload: %s (needs ../shared/peers and SQLAlchemy)", cmd);
		assert_non_null(strstr(sql, "CREATE TABLE at0199"));
		assert_int_equal(compare(sql, variants[i], &why), 1);
		free(why);
		free(sql);
	}
}

static void test_corpus(void **state)
{
	const char *src = getenv("QUIPU_SRC");
	char dir[1024], *names[64];
	size_t n = 0, i;
	int complete = 0, failures = 0;
	DIR *d;
	struct dirent *e;

	assert_non_null(src);
	snprintf(dir, sizeof(dir), "%s/../shared/corpus/postgres", src);
	assert_non_null(d = opendir(dir));
	while ((e = readdir(d)) && n < 64)
		if (strlen(e->d_name) > 4 && !strcmp(e->d_name + strlen(e->d_name) - 4, ".sql"))
			names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, n, sizeof(*names), st_by_name);
	assert_true(n >= 10);
	for (i = 0; i < n; i++) {
		char path[1300], *sql, *why = NULL;
		int rc;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		assert_non_null(sql = st_corpus_text(path));
		rc = compare(sql, names[i], &why);
		if (rc == 1)
			printf("corpus %-28s complete, equal to the scratch database\n", names[i]);
		else if (rc == 0)
			printf("corpus %-28s fallback (%s)\n", names[i], why);
		complete += rc == 1;
		failures += rc < 0;
		free(why);
		free(sql);
		free(names[i]);
	}
	printf("corpus: %d of %zu schemas complete through the parser, all equal to the scratch database\n", complete, n);
	assert_int_equal(failures, 0);
	printf("texts of several statements so far, each read the same statement by statement and in one piece: %d\n",
	       n_split);
	assert_true(n_split >= 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_peers_workload),
		cmocka_unit_test(test_corpus),
	};
	int rc;

	if (st_pg_find() < 0)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	st_pg_dropdb(DB);
	return rc;
}
