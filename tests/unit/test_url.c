/*
 * test_url.c: database URL parsing and password redaction (src/core/url.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/url.h"
#include "util/err.h"

static const char *last_message(void)
{
	const quipu_error *e = quipu_error_last();
	return e && e->message ? e->message : "";
}

static void test_seed_asyncpg(void **state)
{
	qp_url u = QP_URL_INIT;

	assert_int_equal(qp_url_parse(&u,
		"postgresql+asyncpg://khipu:khipu_dev_password@localhost:5432/khipu_dev"), 0);
	assert_int_equal(u.kind, QP_DB_POSTGRES);
	assert_string_equal(u.scheme, "postgresql+asyncpg");
	assert_string_equal(u.driver, "asyncpg");
	assert_string_equal(u.user, "khipu");
	assert_string_equal(u.password, "khipu_dev_password");
	assert_string_equal(u.host, "localhost");
	assert_string_equal(u.port, "5432");
	assert_string_equal(u.database, "khipu_dev");
	assert_int_equal(u.query_keys.count, 0);
	assert_int_equal(u.memory, 0);
	qp_url_release(&u);
}

static void test_postgres_forms(void **state)
{
	qp_url u = QP_URL_INIT;

	assert_int_equal(qp_url_parse(&u, "postgresql+psycopg2://scott:tiger@db.example.com/app"), 0);
	assert_int_equal(u.kind, QP_DB_POSTGRES);
	assert_string_equal(u.driver, "psycopg2");
	assert_string_equal(u.user, "scott");
	assert_string_equal(u.password, "tiger");
	assert_string_equal(u.host, "db.example.com");
	assert_null(u.port);
	assert_string_equal(u.database, "app");
	qp_url_release(&u);

	assert_int_equal(qp_url_parse(&u, "postgresql://localhost/app"), 0);
	assert_int_equal(u.kind, QP_DB_POSTGRES);
	assert_null(u.driver);
	assert_null(u.user);
	assert_null(u.password);
	assert_string_equal(u.host, "localhost");
	assert_string_equal(u.database, "app");
	qp_url_release(&u);

	assert_int_equal(qp_url_parse(&u, "postgres://u@h:6543/d"), 0);
	assert_int_equal(u.kind, QP_DB_POSTGRES);
	assert_string_equal(u.scheme, "postgres");
	assert_string_equal(u.user, "u");
	assert_null(u.password);
	assert_string_equal(u.host, "h");
	assert_string_equal(u.port, "6543");
	assert_string_equal(u.database, "d");
	qp_url_release(&u);

	/* libpq's defaults: no host */
	assert_int_equal(qp_url_parse(&u, "postgresql+psycopg:///dbname"), 0);
	assert_int_equal(u.kind, QP_DB_POSTGRES);
	assert_string_equal(u.driver, "psycopg");
	assert_null(u.host);
	assert_null(u.user);
	assert_string_equal(u.database, "dbname");
	qp_url_release(&u);

	/* no host, no database */
	assert_int_equal(qp_url_parse(&u, "postgresql://"), 0);
	assert_null(u.host);
	assert_null(u.database);
	qp_url_release(&u);
}

static void test_socket_and_query(void **state)
{
	qp_url u = QP_URL_INIT;

	assert_int_equal(qp_url_parse(&u,
		"postgresql://postgres@/dbname?host=/tmp/sock&port=5433"), 0);
	assert_string_equal(u.user, "postgres");
	assert_null(u.password);
	assert_null(u.host);
	assert_null(u.port);
	assert_string_equal(u.database, "dbname");
	assert_int_equal(u.query_keys.count, 2);
	assert_string_equal(qp_url_query(&u, "host"), "/tmp/sock");
	assert_string_equal(qp_url_query(&u, "port"), "5433");
	assert_null(qp_url_query(&u, "sslmode"));
	qp_url_release(&u);

	assert_int_equal(qp_url_parse(&u,
		"postgresql://h/d?sslmode=require&application_name=my+app&host=%2Fvar%2Frun"), 0);
	assert_string_equal(qp_url_query(&u, "sslmode"), "require");
	assert_string_equal(qp_url_query(&u, "application_name"), "my app");
	assert_string_equal(qp_url_query(&u, "host"), "/var/run");
	assert_string_equal(u.query_keys.items[0], "sslmode");
	assert_string_equal(u.query_values.items[2], "/var/run");
	qp_url_release(&u);
}

static void test_percent_decoding(void **state)
{
	qp_url u = QP_URL_INIT;

	assert_int_equal(qp_url_parse(&u,
		"postgresql://us%40er:p%40ss%3Aw%2Frd@my%2Dhost:5432/my%20db"), 0);
	assert_string_equal(u.user, "us@er");
	assert_string_equal(u.password, "p@ss:w/rd");
	assert_string_equal(u.host, "my-host");
	assert_string_equal(u.database, "my db");
	qp_url_release(&u);

	/* SQLAlchemy's rules: the password runs to the first '@' and may hold
	 * '/', '?' or blanks; without a password the user ends at its last '@' */
	assert_int_equal(qp_url_parse(&u, "postgresql://u:pa?s/s w@h/d?sslmode=require"), 0);
	assert_string_equal(u.user, "u");
	assert_string_equal(u.password, "pa?s/s w");
	assert_string_equal(u.host, "h");
	assert_string_equal(u.database, "d");
	assert_string_equal(qp_url_query(&u, "sslmode"), "require");
	qp_url_release(&u);
	assert_int_equal(qp_url_parse(&u, "postgresql://a@b:secret@h:1/d"), 0);
	assert_string_equal(u.user, "a@b");
	assert_string_equal(u.password, "secret");
	assert_string_equal(u.port, "1");
	qp_url_release(&u);
	assert_int_equal(qp_url_parse(&u, "postgresql://u@h:5432/d"), 0);
	assert_string_equal(u.user, "u");
	assert_null(u.password);
	assert_string_equal(u.host, "h");
	qp_url_release(&u);

	/* An empty password is kept as "" (user: with nothing after). */
	assert_int_equal(qp_url_parse(&u, "postgresql://u:@h/d"), 0);
	assert_string_equal(u.user, "u");
	assert_string_equal(u.password, "");
	qp_url_release(&u);
}

static void test_ipv6(void **state)
{
	qp_url u = QP_URL_INIT;

	assert_int_equal(qp_url_parse(&u, "postgresql://u:pw@[::1]:5432/d"), 0);
	assert_string_equal(u.host, "::1");
	assert_string_equal(u.port, "5432");
	assert_string_equal(u.database, "d");
	qp_url_release(&u);

	assert_int_equal(qp_url_parse(&u, "postgresql://[fe80::1%25eth0]/d"), 0);
	assert_string_equal(u.host, "fe80::1%eth0");
	assert_null(u.port);
	qp_url_release(&u);

	assert_int_equal(qp_url_parse(&u, "postgresql://[::1/d"), QUIPU_ECONFIG);
	assert_non_null(strstr(last_message(), "']'"));
}

static void test_sqlite(void **state)
{
	qp_url u = QP_URL_INIT;

	assert_int_equal(qp_url_parse(&u, "sqlite:///relative.db"), 0);
	assert_int_equal(u.kind, QP_DB_SQLITE);
	assert_string_equal(u.database, "relative.db");
	assert_int_equal(u.memory, 0);
	assert_null(u.host);
	qp_url_release(&u);

	assert_int_equal(qp_url_parse(&u, "sqlite:///sub/dir/app.db"), 0);
	assert_string_equal(u.database, "sub/dir/app.db");
	qp_url_release(&u);

	assert_int_equal(qp_url_parse(&u, "sqlite:////absolute.db"), 0);
	assert_string_equal(u.database, "/absolute.db");
	assert_int_equal(u.memory, 0);
	qp_url_release(&u);

	assert_int_equal(qp_url_parse(&u, "sqlite://"), 0);
	assert_int_equal(u.memory, 1);
	assert_null(u.database);
	qp_url_release(&u);

	assert_int_equal(qp_url_parse(&u, "sqlite:///:memory:"), 0);
	assert_int_equal(u.memory, 1);
	assert_null(u.database);
	qp_url_release(&u);

	assert_int_equal(qp_url_parse(&u, "sqlite+pysqlite:///x.db?mode=ro"), 0);
	assert_int_equal(u.kind, QP_DB_SQLITE);
	assert_string_equal(u.driver, "pysqlite");
	assert_string_equal(u.database, "x.db");
	assert_string_equal(qp_url_query(&u, "mode"), "ro");
	qp_url_release(&u);

	/* Two slashes and a file name: a host, which SQLite has no use for. */
	assert_int_equal(qp_url_parse(&u, "sqlite://app.db"), QUIPU_ECONFIG);
	assert_non_null(strstr(last_message(), "sqlite:///relative.db"));
}

static void test_mysql(void **state)
{
	qp_url u = QP_URL_INIT;

	assert_int_equal(qp_url_parse(&u, "mysql+pymysql://root:secret@127.0.0.1:3306/shop?charset=utf8mb4"), 0);
	assert_int_equal(u.kind, QP_DB_MYSQL);
	assert_string_equal(u.driver, "pymysql");
	assert_string_equal(u.user, "root");
	assert_string_equal(u.password, "secret");
	assert_string_equal(u.host, "127.0.0.1");
	assert_string_equal(u.port, "3306");
	assert_string_equal(u.database, "shop");
	assert_string_equal(qp_url_query(&u, "charset"), "utf8mb4");
	qp_url_release(&u);

	assert_int_equal(qp_url_parse(&u, "mariadb://h/d"), 0);
	assert_int_equal(u.kind, QP_DB_MYSQL);
	qp_url_release(&u);
}

static void test_errors_never_show_password(void **state)
{
	qp_url u = QP_URL_INIT;
	const char *m;

	assert_int_equal(qp_url_parse(&u, "oracle://scott:hunter2@h/d"), QUIPU_ECONFIG);
	m = last_message();
	assert_null(strstr(m, "hunter2"));
	assert_non_null(strstr(m, "'oracle'"));
	assert_non_null(strstr(m, "oracle://scott:***@h/d"));
	assert_non_null(strstr(m, "postgresql://"));
	assert_non_null(strstr(m, "sqlite:///"));
	assert_non_null(strstr(m, "mysql://"));
	/* a failed parse leaves *out released */
	assert_null(u.scheme);
	assert_null(u.password);

	assert_int_equal(qp_url_parse(&u, "postgresql://u:hunter2@h:54x2/d"), QUIPU_ECONFIG);
	m = last_message();
	assert_null(strstr(m, "hunter2"));
	assert_non_null(strstr(m, "port"));
	assert_non_null(strstr(m, "u:***@h:54x2/d"));

	assert_int_equal(qp_url_parse(&u, "postgresql://u:hun%zzter2@h/d"), QUIPU_ECONFIG);
	m = last_message();
	assert_null(strstr(m, "hun"));
	assert_non_null(strstr(m, "%-escape in the password"));

	/* an unencoded '@' in the password: the error hides all of it */
	assert_int_equal(qp_url_parse(&u, "postgresql://u:hun@ter2@h/d"), QUIPU_ECONFIG);
	m = last_message();
	assert_null(strstr(m, "hun"));
	assert_null(strstr(m, "ter2"));
	assert_non_null(strstr(m, "%40"));

	assert_int_equal(qp_url_parse(&u, "u:hunter2@localhost/db"), QUIPU_ECONFIG);
	m = last_message();
	assert_null(strstr(m, "hunter2"));
	assert_non_null(strstr(m, "scheme"));

	assert_int_equal(qp_url_parse(&u, "postgresql://h/d?password=hunter2&x=%zz"), QUIPU_ECONFIG);
	m = last_message();
	assert_null(strstr(m, "hunter2"));

	assert_int_equal(qp_url_parse(&u, ""), QUIPU_ECONFIG);
	assert_int_equal(qp_url_parse(&u, "postgresql://h:0/d"), QUIPU_ECONFIG);
	assert_int_equal(qp_url_parse(&u, "postgresql://h:70000/d"), QUIPU_ECONFIG);
}

static void expect_redact(const char *in, const char *want)
{
	char *r = qp_url_redact(in);
	assert_non_null(r);
	assert_string_equal(r, want);
	free(r);
}

static void test_redact(void **state)
{
	expect_redact("postgresql+asyncpg://khipu:khipu_dev_password@localhost:5432/khipu_dev",
	              "postgresql+asyncpg://khipu:***@localhost:5432/khipu_dev");
	expect_redact("postgresql://khipu@localhost/d", "postgresql://khipu@localhost/d");
	expect_redact("postgresql://localhost:5432/d", "postgresql://localhost:5432/d");
	expect_redact("sqlite:///app.db", "sqlite:///app.db");
	expect_redact("postgresql://u:p@ss@h/d", "postgresql://u:***@h/d");
	expect_redact("postgresql://u:pa/ss@h/d", "postgresql://u:***@h/d");
	expect_redact("postgresql://h/d?user=u&password=s3cret&sslmode=require",
	              "postgresql://h/d?user=u&password=***&sslmode=require");
	expect_redact("postgresql://h/d?PASSWORD=s3cret", "postgresql://h/d?PASSWORD=***");
	/* text that is not a URL at all */
	expect_redact("u:s3cret@localhost/db", "u:***@localhost/db");
	expect_redact("host=h password=s3cret dbname=d", "host=h password=*** dbname=d");
	expect_redact("host=h password='s3 cret' dbname=d", "host=h password=*** dbname=d");
	expect_redact("cannot connect to postgresql://a:s3cret@h/d: refused",
	              "cannot connect to postgresql://a:***@h/d: refused");
	expect_redact("postgresql://u:pa?s/s w@h/d", "postgresql://u:***@h/d");
	expect_redact("postgresql://a@b:secret@h/d", "postgresql://a@b:***@h/d");
	expect_redact("from postgresql://a:one@h/d to mysql://b:two@k/e",
	              "from postgresql://a:***@h/d to mysql://b:***@k/e");
	/* found by tests/fuzz/fuzz_url.c: the parser's user runs to the first
	 * ':' or '/' (blanks included) and its password to the first '@' after
	 * it ("://" included); redaction must hide what the parser reads */
	expect_redact("postgresql://khipu\n:s3cret@h/d", "postgresql://khipu\n:***@h/d");
	expect_redact("postgresql://u v:s3cret@h/d", "postgresql://u v:***@h/d");
	expect_redact("postgresql://u:a://s3cret@h/d", "postgresql://u:***@h/d");
	expect_redact("", "");
	expect_redact("no url here: just text", "no url here: just text");
	assert_null(qp_url_redact(NULL));
}

/* The secret "Zq9pw" must vanish from the redacted text and from any parse
 * error, whatever else is wrong with the URL. */
static void test_secret_never_leaks(void **state)
{
	static const char *urls[] = {
		"postgresql://u:Zq9pw@h/d",
		"postgresql://u:Zq9pw@h:bad/d",
		"postgresql://u:Zq9pw@@h/d",
		"postgresql://u:x@Zq9pw@h/d",
		"postgresql://u:Zq9pw/x@[::1/d",
		"postgresql://u:Zq9pw?x@h/d%zz",
		"postgresql://u:Zq9pw x@h:99999/d",
		"nosuch://u:Zq9pw@h/d",
		"nosuch+drv://u:Zq9pw@h/d",
		"sqlite://u:Zq9pw@h/d",
		"postgresql://h/d?password=Zq9pw&port=x%",
		"postgresql://h/d?a=1&password=Zq9pw",
		"u:Zq9pw@h/d",
		"://u:Zq9pw@h/d",
		"postgresql:/u:Zq9pw@h/d",
	};
	size_t i;

	for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		qp_url u = QP_URL_INIT;
		char *r = qp_url_redact(urls[i]);
		assert_non_null(r);
		if (strstr(r, "Zq9pw"))
			fail_msg("redact(%s) = %s", urls[i], r);
		free(r);
		quipu_error_clear();
		if (qp_url_parse(&u, urls[i]) == 0) {
			qp_url_release(&u);
			continue;
		}
		if (strstr(last_message(), "Zq9pw"))
			fail_msg("parse(%s) error: %s", urls[i], last_message());
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed_asyncpg),
		cmocka_unit_test(test_postgres_forms),
		cmocka_unit_test(test_socket_and_query),
		cmocka_unit_test(test_percent_decoding),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_sqlite),
		cmocka_unit_test(test_mysql),
		cmocka_unit_test(test_errors_never_show_password),
		cmocka_unit_test(test_redact),
		cmocka_unit_test(test_secret_never_leaks),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	quipu_error_clear();
	return rc;
}
