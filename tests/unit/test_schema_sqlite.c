/*
 * test_schema_sqlite.c: the schema model on SQLite: the SQL tokenizer and
 * canonical form, the CREATE TABLE parser, introspection of real SQLite
 * databases (what the model holds, a constant number of queries whatever
 * the number of tables), and comparing models through their dumps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "schema_testlib.h"
#include "schema/sqltext.h"

static const qp_driver *drv = &qp_driver_sqlite;

static char *canon(const char *sql)
{
	qp_buf b = QP_BUF_INIT;
	qp_sql_canon(&b, sql, strlen(sql));
	return qp_buf_detach(&b);
}

static void test_canon(void **state)
{
	char *a = canon("CREATE  INDEX \"ix\" ON [t]( a ,b )  -- comment\n WHERE x>1"), *b;

	assert_string_equal(a, "CREATE INDEX ix ON t(a, b) WHERE x > 1");
	free(a);
	/* quotes kept where needed: spaces, keywords, upper case */
	a = canon("SELECT \"my col\", \"order\", \"Name\", `x` FROM [t]");
	assert_string_equal(a, "SELECT \"my col\", \"order\", Name, x FROM t");
	free(a);
	/* keywords upper-cased, strings untouched */
	a = canon("check (plan in ('free','Pro'))");
	b = canon("CHECK(plan IN ( 'free' , 'Pro' ))");
	assert_string_equal(a, b);
	/* "plan" is a keyword too (EXPLAIN QUERY PLAN): case does not matter to SQLite */
	assert_string_equal(a, "CHECK (PLAN IN ('free', 'Pro'))");
	free(a);
	free(b);
	a = canon("x'00ff' || ?1 || :name || 1.5e3 || 0x1F");
	assert_string_equal(a, "x'00ff' || ?1 || :name || 1.5e3 || 0x1F");
	free(a);
}

static void test_unnamed(void **state)
{
	qp_buf a = QP_BUF_INIT, b = QP_BUF_INIT;

	qp_sql_canon_unnamed(&a, "CREATE UNIQUE INDEX IF NOT EXISTS main.ix_a ON t (a)");
	qp_sql_canon_unnamed(&b, "create unique index \"other name\" on t(a)");
	assert_string_equal(qp_buf_cstr(&a), "CREATE UNIQUE INDEX ON t(a)");
	assert_string_equal(qp_buf_cstr(&a), qp_buf_cstr(&b));
	qp_buf_release(&a);
	qp_buf_release(&b);
}

static void test_parse_create_table(void **state)
{
	qp_ptable t;
	const char *sql =
		"CREATE TABLE IF NOT EXISTS \"users\" (\n"
		"  id INTEGER CONSTRAINT pk PRIMARY KEY AUTOINCREMENT,\n"
		"  email TEXT NOT NULL COLLATE NOCASE UNIQUE,\n"
		"  tenant_id INT REFERENCES tenants(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,\n"
		"  total INT GENERATED ALWAYS AS (a + b) STORED,\n"
		"  v AS (lower(email)),\n"
		"  n NUMERIC(10, 2) DEFAULT (1 + 2) CHECK (n > 0),\n"
		"  CONSTRAINT ck_total CHECK (total >= 0),\n"
		"  FOREIGN KEY (a, b) REFERENCES other (x, y)\n"
		") STRICT, WITHOUT ROWID";

	assert_int_equal(qp_parse_create_table(&t, sql), 0);
	assert_string_equal(t.name, "users");
	assert_int_equal(t.n_cols, 6);
	assert_string_equal(t.cols[0].name, "id");
	assert_true(t.cols[0].pk && t.cols[0].autoincrement);
	assert_string_equal(t.cols[1].collation, "NOCASE");
	assert_true(t.cols[1].unique);
	assert_true(t.cols[2].has_fk);
	assert_string_equal(t.cols[3].gen_expr, "a + b");
	assert_true(t.cols[3].gen_stored);
	assert_string_equal(t.cols[4].gen_expr, "lower(email)");
	assert_false(t.cols[4].gen_stored);
	assert_true(t.cols[5].has_check);
	/* the column's text, for ALTER TABLE ADD COLUMN */
	assert_int_equal(strncmp(sql + t.cols[5].start, "n NUMERIC(10, 2) DEFAULT (1 + 2) CHECK (n > 0)",
	                         t.cols[5].end - t.cols[5].start), 0);
	assert_string_equal(t.options, "STRICT, WITHOUT ROWID");
	/* constraints: pk, unique, fk, check (column) + check, fk (table) */
	assert_int_equal(t.n_cons, 6);
	assert_int_equal(t.cons[0].kind, 'p');
	assert_string_equal(t.cons[0].name, "pk");
	assert_int_equal(t.cons[2].kind, 'f');
	assert_string_equal(t.cons[2].ref_table, "tenants");
	assert_string_equal(t.cons[2].deferrable, "DEFERRABLE INITIALLY DEFERRED");
	assert_int_equal(t.cons[4].kind, 'c');
	assert_string_equal(t.cons[4].name, "ck_total");
	assert_string_equal(t.cons[4].expr, "total >= 0");
	assert_int_equal(t.cons[5].kind, 'f');
	assert_string_equal(t.cons[5].cols, "a, b");
	assert_null(t.cons[5].name);
	assert_int_equal(sql[t.name_start], '"');
	qp_ptable_release(&t);

	assert_int_equal(qp_parse_create_table(&t, "CREATE VIRTUAL TABLE f USING fts5(body)"), 0);
	assert_true(t.virtual_table);
	qp_ptable_release(&t);
	assert_int_equal(qp_parse_create_table(&t, "CREATE INDEX i ON t(a)"), QUIPU_EPARSE);
	qp_ptable_release(&t);
	quipu_error_clear();
}

static const char *khipu_like =
	"CREATE TABLE tenants (id VARCHAR(36) NOT NULL, slug varchar(100) NOT NULL, plan VARCHAR(20) NOT NULL "
	"DEFAULT 'free', CONSTRAINT pk_tenants PRIMARY KEY (id), CONSTRAINT uq_tenants_slug UNIQUE (slug), "
	"CONSTRAINT ck_tenants_plan CHECK (plan IN ('free', 'pro')));\n"
	"CREATE TABLE users (id INTEGER PRIMARY KEY, tenant_id VARCHAR(36) NOT NULL REFERENCES tenants (id) "
	"ON DELETE CASCADE, email TEXT COLLATE NOCASE, n INT CHECK (n > 0), g INT GENERATED ALWAYS AS (n * 2));\n"
	"CREATE INDEX ix_users_email ON users (email) WHERE email IS NOT NULL;\n"
	"CREATE VIEW v_users AS SELECT id, email FROM users;\n"
	"CREATE TRIGGER tr_users AFTER INSERT ON users BEGIN UPDATE users SET n = 1 WHERE id = NEW.id; END;\n"
	"CREATE VIRTUAL TABLE docs USING fts5(body);\n"
	"CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY);\n"
	"CREATE TABLE alembic_version_log (id INTEGER PRIMARY KEY);\n";

static void test_introspect(void **state)
{
	qp_conn *c = st_connect(drv, NULL);
	char *dump;

	assert_non_null(c);
	assert_int_equal(st_exec(drv, c, khipu_like), 0);
	dump = st_dump(drv, c);
	assert_non_null(dump);
	assert_true(st_has_line(dump, "table rel .tenants persistence=p"));
	assert_true(st_has_line(dump, "column col .tenants.plan type=VARCHAR(20) not_null=1 default='free'"));
	assert_true(st_has_line(dump, "column col .tenants.slug type=VARCHAR(100) not_null=1"));
	assert_true(st_has_line(dump, "primary key con .tenants.pk_tenants def=PRIMARY KEY (id) named=1"));
	assert_true(st_has_line(dump, "unique constraint con .tenants.uq_tenants_slug def=UNIQUE (slug) named=1"));
	assert_true(st_has_line(dump, "check constraint con .tenants.ck_tenants_plan def=CHECK (PLAN IN ('free', 'pro')) named=1"));
	assert_true(st_has_line(dump, "primary key con .users.(PRIMARY KEY (id)) def=PRIMARY KEY (id) named=0"));
	assert_true(st_has_line(dump, "foreign key con .users.(FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE "
	                              "CASCADE) def=FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE named=0"));
	assert_true(st_has_line(dump, "column col .users.email type=TEXT not_null=0 collation=NOCASE"));
	assert_true(st_has_line(dump, "column col .users.g type=INT not_null=0 generated=v expression=n * 2"));
	assert_true(st_has_line(dump, "check constraint con .users.(CHECK (n > 0)) def=CHECK (n > 0) named=0"));
	assert_true(st_has_line(dump, "index rel .users.ix_users_email def=CREATE INDEX ON users(email) WHERE email IS NOT NULL"));
	assert_true(st_has_line(dump, "view rel .v_users def=CREATE VIEW AS SELECT id, email FROM users"));
	assert_non_null(strstr(dump, "trigger trig .users.tr_users def=CREATE TRIGGER AFTER INSERT ON users BEGIN"));
	assert_true(st_has_line(dump, "virtual table rel .docs def=CREATE VIRTUAL TABLE USING fts5(body)"));
	/* fts5 shadow tables, the version table and its log are not part of the schema */
	assert_null(strstr(dump, "docs_data"));
	assert_null(strstr(dump, "alembic_version"));
	free(dump);
	drv->close(c);
}

/* The same number of catalog queries for 1 table and for 300. */
static void test_constant_queries(void **state)
{
	qp_conn *c = st_connect(drv, NULL);
	qp_introspect_opts o = {NULL, NULL};
	qp_model m;
	qp_buf sql = QP_BUF_INIT;
	size_t one, many;
	int i;

	assert_non_null(c);
	assert_int_equal(st_exec(drv, c, "CREATE TABLE t0 (id INTEGER PRIMARY KEY, p INT REFERENCES t0(id), u TEXT UNIQUE);"), 0);
	assert_int_equal(qp_introspect(&m, drv, c, &o), 0);
	one = m.n_queries;
	qp_model_release(&m);
	for (i = 1; i < 300; i++)
		qp_buf_printf(&sql, "CREATE TABLE t%d (id INTEGER PRIMARY KEY, p INT REFERENCES t%d(id), u TEXT UNIQUE);\n"
		                    "CREATE INDEX ix%d ON t%d (p);\n", i, i - 1, i, i);
	assert_int_equal(st_exec(drv, c, qp_buf_cstr(&sql)), 0);
	assert_int_equal(qp_introspect(&m, drv, c, &o), 0);
	many = m.n_queries;
	assert_int_equal(qp_model_count(&m, QP_K_TABLE), 300);
	assert_int_equal(qp_model_count(&m, QP_K_FKEY), 300);
	assert_int_equal(qp_model_count(&m, QP_K_UNIQUE), 300);
	assert_int_equal(qp_model_count(&m, QP_K_INDEX), 299);
	assert_int_equal(one, many);
	assert_true(many <= 5);
	qp_model_release(&m);
	qp_buf_release(&sql);
	drv->close(c);
}

/* Two spellings of one schema have the same dump; a real change does not. */
static void test_compare(void **state)
{
	qp_conn *a = st_connect(drv, NULL), *b = st_connect(drv, NULL), *c = st_connect(drv, NULL);
	char *da, *db, *dc;

	assert_int_equal(st_exec(drv, a, "CREATE TABLE t (id INTEGER PRIMARY KEY, name varchar(20) DEFAULT 'x', "
	                                 "CHECK (id>0)); CREATE INDEX i ON t(name);"), 0);
	assert_int_equal(st_exec(drv, b, "create table \"t\" ( \"id\" integer primary key , [name] VARCHAR(20) default "
	                                 "'x' , check ( id > 0 ) ) ; create index \"i\" on t ( name ) ;"), 0);
	assert_int_equal(st_exec(drv, c, "CREATE TABLE t (id INTEGER PRIMARY KEY, name varchar(20) DEFAULT 'y', "
	                                 "CHECK (id>0)); CREATE INDEX i ON t(name);"), 0);
	da = st_dump(drv, a);
	db = st_dump(drv, b);
	dc = st_dump(drv, c);
	assert_string_equal(da, db);
	assert_string_not_equal(da, dc);
	free(da);
	free(db);
	free(dc);
	drv->close(a);
	drv->close(b);
	drv->close(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canon),
		cmocka_unit_test(test_unnamed),
		cmocka_unit_test(test_parse_create_table),
		cmocka_unit_test(test_introspect),
		cmocka_unit_test(test_constant_queries),
		cmocka_unit_test(test_compare),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
