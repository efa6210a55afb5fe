/*
 * test_config.c: quipu.ini loading (src/core/config.c): keys, defaults,
 * interpolation (%(here)s, %(key)s, %%, ${VAR}), URL precedence, section
 * choice, and the errors with their file:line.
 *
 * Each test runs in a fresh mkdtemp folder (also the current directory) with
 * QUIPU_CONFIG, QUIPU_DATABASE_URL and DATABASE_URL unset.
 */
#define _GNU_SOURCE   /* nftw, realpath */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "util/err.h"
#include "util/fs.h"

typedef struct fixture {
	char dir[PATH_MAX];     /* the temp folder (its real path) */
	char oldcwd[PATH_MAX];
} fixture;

static const char *last_message(void)
{
	const quipu_error *e = quipu_error_last();
	return e && e->message ? e->message : "";
}

static int setup(void **state)
{
	fixture *fx = calloc(1, sizeof(*fx));
	char tmpl[] = "/tmp/qp_config_XXXXXX";

	if (!fx || !mkdtemp(tmpl) || !getcwd(fx->oldcwd, sizeof(fx->oldcwd)) ||
	    !realpath(tmpl, fx->dir) || chdir(fx->dir) < 0)
		return -1;
	unsetenv("QUIPU_CONFIG");
	unsetenv("QUIPU_DATABASE_URL");
	unsetenv("DATABASE_URL");
	unsetenv("QP_TEST_VAR");
	*state = fx;
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int teardown(void **state)
{
	fixture *fx = *state;
	int rc = chdir(fx->oldcwd);

	nftw(fx->dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	free(fx);
	quipu_error_clear();
	return rc;
}

static void write_text(const char *name, const char *text)
{
	assert_int_equal(qp_write_file(name, text, strlen(text), 1), 0);
}

/* "<dir>/<rel>" in a static buffer. */
static const char *in_dir(const fixture *fx, const char *rel)
{
	static char buf[PATH_MAX + 64];
	snprintf(buf, sizeof(buf), "%s/%s", fx->dir, rel);
	return buf;
}

static void test_all_keys(void **state)
{
	fixture *fx = *state;
	qp_config c;

	write_text("quipu.ini",
		"# a comment\n"
		"[quipu]\n"
		"script_location = %(here)s/migrations\n"
		"sqlalchemy.url = postgresql+asyncpg://khipu:khipu_dev_password@localhost:5432/khipu_dev\n"
		"models = %(here)s/models\n"
		"dev_url = postgresql://localhost/scratch\n"
		"version_table = my_versions\n"
		"version_table_schema = meta\n"
		"transaction_per_migration = false\n"
		"file_template = %%(rev)s_%%(slug)s_x\n"
		"truncate_slug_length = 20\n"
		"timezone = UTC\n"
		"lock_timeout = 2.5\n"
		"\n"
		"[loggers]\n"
		"keys = root\n");
	assert_int_equal(qp_config_load(&c, NULL, NULL, NULL, NULL, 0), 0);
	assert_string_equal(c.path, in_dir(fx, "quipu.ini"));
	assert_string_equal(c.here, fx->dir);
	assert_string_equal(c.section, "quipu");
	assert_string_equal(c.script_location, in_dir(fx, "migrations"));
	assert_int_equal(c.version_locations.count, 1);
	assert_string_equal(c.version_locations.items[0], in_dir(fx, "migrations/versions"));
	assert_string_equal(c.url, "postgresql+asyncpg://khipu:khipu_dev_password@localhost:5432/khipu_dev");
	assert_string_equal(c.url_source, "file");
	assert_string_equal(c.models, in_dir(fx, "models"));
	assert_string_equal(c.dev_url, "postgresql://localhost/scratch");
	assert_string_equal(c.version_table, "my_versions");
	assert_string_equal(c.version_table_schema, "meta");
	assert_int_equal(c.transaction_per_migration, 0);
	assert_string_equal(c.file_template, "%(rev)s_%(slug)s_x");
	assert_int_equal(c.truncate_slug_length, 20);
	assert_string_equal(c.timezone, "UTC");
	assert_true(c.lock_timeout > 2.49 && c.lock_timeout < 2.51);
	qp_config_release(&c);
}

static void test_defaults(void **state)
{
	fixture *fx = *state;
	qp_config c;

	/* relative script_location: from the current directory, as Alembic */
	write_text("quipu.ini", "[quipu]\nscript_location = migrations\n");
	assert_int_equal(qp_config_load(&c, NULL, NULL, NULL, NULL, 0), 0);
	assert_string_equal(c.script_location, in_dir(fx, "migrations"));
	assert_string_equal(c.version_locations.items[0], in_dir(fx, "migrations/versions"));
	assert_null(c.url);
	assert_null(c.url_source);
	assert_null(c.models);
	assert_null(c.dev_url);
	assert_string_equal(c.version_table, "alembic_version");
	assert_null(c.version_table_schema);
	assert_int_equal(c.transaction_per_migration, 1);
	assert_string_equal(c.file_template, "%(rev)s_%(slug)s");
	assert_int_equal(c.truncate_slug_length, 40);
	assert_null(c.timezone);
	assert_true(c.lock_timeout == 0.0);
	qp_config_release(&c);

	/* the config in a sub folder, read from the parent: relative paths stay
	 * relative to the current directory, %(here)s is the file's folder */
	assert_int_equal(qp_mkdir_p("sub"), 0);
	write_text("sub/q.ini", "[quipu]\nscript_location = db\nmodels = %(here)s/m.sql\n");
	assert_int_equal(qp_config_load(&c, "sub/q.ini", NULL, NULL, NULL, 0), 0);
	assert_string_equal(c.path, in_dir(fx, "sub/q.ini"));
	assert_string_equal(c.here, in_dir(fx, "sub"));
	assert_string_equal(c.script_location, in_dir(fx, "db"));
	assert_string_equal(c.models, in_dir(fx, "sub/m.sql"));
	qp_config_release(&c);
}

static void test_key_interpolation(void **state)
{
	qp_config c;

	write_text("quipu.ini",
		"[DEFAULT]\n"
		"root = /srv/app\n"
		"[quipu]\n"
		"Script_Location = %(root)s/%(name)s\n"
		"name = db\n"
		"models = %(Root)s/models\n"
		"version_table = v_%%\n"
		"sqlalchemy.url = sqlite:///%(root)s/app.db\n");
	assert_int_equal(qp_config_load(&c, NULL, NULL, NULL, NULL, 0), 0);
	assert_string_equal(c.script_location, "/srv/app/db");
	assert_string_equal(c.models, "/srv/app/models");
	assert_string_equal(c.version_table, "v_%");
	assert_string_equal(c.url, "sqlite:////srv/app/app.db");
	qp_config_release(&c);

	/* an unknown key */
	write_text("quipu.ini", "[quipu]\nscript_location = m\nmodels = %(nope)s/x\n");
	assert_int_equal(qp_config_load(&c, NULL, NULL, NULL, NULL, 0), QUIPU_ECONFIG);
	assert_string_equal(last_message(),
		"quipu.ini:3: %(nope)s names no key of [quipu] or [DEFAULT]; add `nope = ...`, or write %% for a literal %");

	/* a lone % */
	write_text("quipu.ini", "[quipu]\nscript_location = m\nversion_table = 50%off\n");
	assert_int_equal(qp_config_load(&c, NULL, NULL, NULL, NULL, 0), QUIPU_ECONFIG);
	assert_non_null(strstr(last_message(), "quipu.ini:3: a lone '%'"));

	/* a loop */
	write_text("quipu.ini", "[quipu]\nscript_location = m\na = %(b)s\nb = %(a)s\nmodels = %(a)s\n");
	assert_int_equal(qp_config_load(&c, NULL, NULL, NULL, NULL, 0), QUIPU_ECONFIG);
	assert_non_null(strstr(last_message(), "refers to itself"));
	/* failure leaves *out released */
	assert_null(c.path);
	assert_null(c.script_location);
}

static void test_env_and_xargs(void **state)
{
	qp_config c;
	const char *xa[] = {"QP_TEST_VAR=from_x", "other", "QP_TEST_VAR=from_x2"};

	write_text("quipu.ini",
		"[quipu]\n"
		"script_location = migrations\n"
		"sqlalchemy.url = postgresql://u:${QP_TEST_VAR}@h/${QP_TEST_DB}\n"
		"timezone = $HOME ${not a var} $${x\n");
	setenv("QP_TEST_VAR", "from_env", 1);
	setenv("QP_TEST_DB", "khipu", 1);
	assert_int_equal(qp_config_load(&c, NULL, NULL, NULL, NULL, 0), 0);
	assert_string_equal(c.url, "postgresql://u:from_env@h/khipu");
	assert_string_equal(c.timezone, "$HOME ${not a var} $${x");
	qp_config_release(&c);

	/* -x wins over the environment; the last -x of a name wins */
	assert_int_equal(qp_config_load(&c, NULL, NULL, NULL, xa, 3), 0);
	assert_string_equal(c.url, "postgresql://u:from_x2@h/khipu");
	qp_config_release(&c);

	/* -x alone */
	unsetenv("QP_TEST_VAR");
	assert_int_equal(qp_config_load(&c, NULL, NULL, NULL, xa, 1), 0);
	assert_string_equal(c.url, "postgresql://u:from_x@h/khipu");
	qp_config_release(&c);
	unsetenv("QP_TEST_DB");
}

static void test_unset_var_names_line(void **state)
{
	qp_config c;

	write_text("quipu.ini",
		"; line 1\n"
		"[quipu]\n"
		"script_location = migrations\n"
		"\n"
		"# line 5\n"
		"version_table = alembic_version\n"
		"sqlalchemy.url = postgresql://u:${FOO_QP_UNSET}@h/d\n");
	unsetenv("FOO_QP_UNSET");
	assert_int_equal(qp_config_load(&c, NULL, NULL, NULL, NULL, 0), QUIPU_ECONFIG);
	assert_string_equal(last_message(),
		"quipu.ini:7: ${FOO_QP_UNSET} is not set; export FOO_QP_UNSET or pass -x FOO_QP_UNSET=value");

	/* not needed when --url overrides the file's URL */
	assert_int_equal(qp_config_load(&c, NULL, NULL, "sqlite://", NULL, 0), 0);
	assert_string_equal(c.url, "sqlite://");
	qp_config_release(&c);

	/* through %(key)s: the line of the key that holds the ${VAR} */
	write_text("quipu.ini",
		"[DEFAULT]\n"
		"base = ${FOO_QP_UNSET}\n"
		"[quipu]\n"
		"script_location = %(base)s/m\n");
	assert_int_equal(qp_config_load(&c, NULL, NULL, NULL, NULL, 0), QUIPU_ECONFIG);
	assert_non_null(strstr(last_message(), "quipu.ini:2: ${FOO_QP_UNSET} is not set"));
}

static void test_url_precedence(void **state)
{
	qp_config c;

	write_text("quipu.ini",
		"[quipu]\nscript_location = m\nsqlalchemy.url = postgresql://file/db\nurl = sqlite:///alias.db\n");
	setenv("DATABASE_URL", "postgresql://env2/db", 1);
	setenv("QUIPU_DATABASE_URL", "postgresql://env1/db", 1);

	assert_int_equal(qp_config_load(&c, NULL, NULL, "postgresql://flag/db", NULL, 0), 0);
	assert_string_equal(c.url, "postgresql://flag/db");
	assert_string_equal(c.url_source, "--url");
	qp_config_release(&c);

	assert_int_equal(qp_config_load(&c, NULL, NULL, NULL, NULL, 0), 0);
	assert_string_equal(c.url, "postgresql://env1/db");
	assert_string_equal(c.url_source, "QUIPU_DATABASE_URL");
	qp_config_release(&c);

	unsetenv("QUIPU_DATABASE_URL");
	assert_int_equal(qp_config_load(&c, NULL, NULL, NULL, NULL, 0), 0);
	assert_string_equal(c.url, "postgresql://env2/db");
	assert_string_equal(c.url_source, "DATABASE_URL");
	qp_config_release(&c);

	setenv("DATABASE_URL", "", 1);    /* empty counts as unset */
	assert_int_equal(qp_config_load(&c, NULL, NULL, NULL, NULL, 0), 0);
	assert_string_equal(c.url, "postgresql://file/db");
	assert_string_equal(c.url_source, "file");
	qp_config_release(&c);
	unsetenv("DATABASE_URL");

	/* the alias `url` when sqlalchemy.url is absent */
	write_text("quipu.ini", "[quipu]\nscript_location = m\nurl = sqlite:///alias.db\n");
	assert_int_equal(qp_config_load(&c, NULL, NULL, NULL, NULL, 0), 0);
	assert_string_equal(c.url, "sqlite:///alias.db");
	assert_string_equal(c.url_source, "file");
	qp_config_release(&c);
}

static void test_sections(void **state)
{
	qp_config c;

	/* no [quipu] but [alembic]: read [alembic] */
	write_text("alembic.ini",
		"[alembic]\nscript_location = alembic\nsqlalchemy.url = sqlite:///a.db\n"
		"[other]\nscript_location = other_m\n");
	assert_int_equal(qp_config_load(&c, "alembic.ini", NULL, NULL, NULL, 0), 0);
	assert_string_equal(c.section, "alembic");
	assert_string_equal(c.url, "sqlite:///a.db");
	qp_config_release(&c);

	/* -n other */
	assert_int_equal(qp_config_load(&c, "alembic.ini", "other", NULL, NULL, 0), 0);
	assert_string_equal(c.section, "other");
	assert_null(c.url);
	qp_config_release(&c);

	/* [quipu] wins over [alembic] */
	write_text("both.ini", "[alembic]\nscript_location = a\n[quipu]\nscript_location = q\n");
	assert_int_equal(qp_config_load(&c, "both.ini", NULL, NULL, NULL, 0), 0);
	assert_string_equal(c.section, "quipu");
	qp_config_release(&c);

	/* a missing section names the file and its sections */
	assert_int_equal(qp_config_load(&c, "alembic.ini", "nope", NULL, NULL, 0), QUIPU_ECONFIG);
	assert_string_equal(last_message(),
		"alembic.ini: no [nope] section (the file has the sections [alembic], [other]); add a [nope] section, or pass another -n NAME");
	write_text("x.ini", "[db1]\nscript_location = a\n[empty]\n");
	assert_int_equal(qp_config_load(&c, "x.ini", NULL, NULL, NULL, 0), QUIPU_ECONFIG);
	assert_string_equal(last_message(),
		"x.ini: no [quipu] section (the file has the sections [db1], [empty]); add a [quipu] section, or pass -n NAME");
	write_text("y.ini", "# nothing\n");
	assert_int_equal(qp_config_load(&c, "y.ini", NULL, NULL, NULL, 0), QUIPU_ECONFIG);
	assert_non_null(strstr(last_message(), "(the file has no sections)"));

	/* a section without keys exists but lacks script_location */
	assert_int_equal(qp_config_load(&c, "x.ini", "empty", NULL, NULL, 0), QUIPU_ECONFIG);
	assert_non_null(strstr(last_message(), "x.ini: no script_location in [empty]; add `script_location ="));
}

static void test_file_lookup(void **state)
{
	fixture *fx = *state;
	qp_config c;

	assert_int_equal(qp_config_load(&c, NULL, NULL, NULL, NULL, 0), QUIPU_ENOTFOUND);
	assert_string_equal(last_message(),
		"No config file 'quipu.ini' found; run `quipu init migrations` to create one, or pass -c FILE");
	assert_int_equal(qp_config_load(&c, "other.ini", NULL, NULL, NULL, 0), QUIPU_ENOTFOUND);
	assert_non_null(strstr(last_message(), "No config file 'other.ini' found"));

	/* $QUIPU_CONFIG before ./quipu.ini; an explicit path before both */
	write_text("quipu.ini", "[quipu]\nscript_location = from_cwd\n");
	write_text("env.ini", "[quipu]\nscript_location = from_env\n");
	write_text("flag.ini", "[quipu]\nscript_location = from_flag\n");
	setenv("QUIPU_CONFIG", "env.ini", 1);
	assert_int_equal(qp_config_load(&c, NULL, NULL, NULL, NULL, 0), 0);
	assert_string_equal(c.script_location, in_dir(fx, "from_env"));
	qp_config_release(&c);
	assert_int_equal(qp_config_load(&c, "flag.ini", NULL, NULL, NULL, 0), 0);
	assert_string_equal(c.script_location, in_dir(fx, "from_flag"));
	qp_config_release(&c);
	unsetenv("QUIPU_CONFIG");
	assert_int_equal(qp_config_load(&c, NULL, NULL, NULL, NULL, 0), 0);
	assert_string_equal(c.script_location, in_dir(fx, "from_cwd"));
	qp_config_release(&c);
}

static void test_booleans_and_numbers(void **state)
{
	static const char *yes[] = {"true", "True", "yes", "1", "on"};
	static const char *no[] = {"false", "NO", "0", "off"};
	char text[256];
	qp_config c;
	size_t i;

	for (i = 0; i < 5; i++) {
		snprintf(text, sizeof(text), "[quipu]\nscript_location = m\ntransaction_per_migration = %s\n", yes[i]);
		write_text("quipu.ini", text);
		assert_int_equal(qp_config_load(&c, NULL, NULL, NULL, NULL, 0), 0);
		assert_int_equal(c.transaction_per_migration, 1);
		qp_config_release(&c);
	}
	for (i = 0; i < 4; i++) {
		snprintf(text, sizeof(text), "[quipu]\nscript_location = m\ntransaction_per_migration = %s\n", no[i]);
		write_text("quipu.ini", text);
		assert_int_equal(qp_config_load(&c, NULL, NULL, NULL, NULL, 0), 0);
		assert_int_equal(c.transaction_per_migration, 0);
		qp_config_release(&c);
	}
	write_text("quipu.ini", "[quipu]\nscript_location = m\n\ntransaction_per_migration = maybe\n");
	assert_int_equal(qp_config_load(&c, NULL, NULL, NULL, NULL, 0), QUIPU_ECONFIG);
	assert_non_null(strstr(last_message(),
		"quipu.ini:4: transaction_per_migration = 'maybe' is not a boolean; write true or false"));

	write_text("quipu.ini", "[quipu]\nscript_location = m\ntruncate_slug_length = 4o\n");
	assert_int_equal(qp_config_load(&c, NULL, NULL, NULL, NULL, 0), QUIPU_ECONFIG);
	assert_non_null(strstr(last_message(), "quipu.ini:3: truncate_slug_length = '4o'"));

	write_text("quipu.ini", "[quipu]\nscript_location = m\ntruncate_slug_length = 0\n");
	assert_int_equal(qp_config_load(&c, NULL, NULL, NULL, NULL, 0), 0);
	assert_int_equal(c.truncate_slug_length, 40);
	qp_config_release(&c);

	write_text("quipu.ini", "[quipu]\nscript_location = m\nlock_timeout = soon\n");
	assert_int_equal(qp_config_load(&c, NULL, NULL, NULL, NULL, 0), QUIPU_ECONFIG);
	assert_non_null(strstr(last_message(), "quipu.ini:3: lock_timeout = 'soon' is not a number of seconds"));
	write_text("quipu.ini", "[quipu]\nscript_location = m\nlock_timeout = -1\n");
	assert_int_equal(qp_config_load(&c, NULL, NULL, NULL, NULL, 0), QUIPU_ECONFIG);
	write_text("quipu.ini", "[quipu]\nscript_location = m\nlock_timeout = 30\n");
	assert_int_equal(qp_config_load(&c, NULL, NULL, NULL, NULL, 0), 0);
	assert_true(c.lock_timeout == 30.0);
	qp_config_release(&c);
}

static void test_version_locations(void **state)
{
	fixture *fx = *state;
	qp_config c;

	write_text("quipu.ini",
		"[quipu]\nscript_location = m\nversion_locations = %(here)s/a, b  /abs/c,d\n");
	assert_int_equal(qp_config_load(&c, NULL, NULL, NULL, NULL, 0), 0);
	assert_int_equal(c.version_locations.count, 4);
	assert_string_equal(c.version_locations.items[0], in_dir(fx, "a"));
	assert_string_equal(c.version_locations.items[1], in_dir(fx, "b"));
	assert_string_equal(c.version_locations.items[2], "/abs/c");
	assert_string_equal(c.version_locations.items[3], in_dir(fx, "d"));
	qp_config_release(&c);

	write_text("quipu.ini",
		"[quipu]\nscript_location = m\nversion_path_separator = os\nversion_locations = /x y:/z\n");
	assert_int_equal(qp_config_load(&c, NULL, NULL, NULL, NULL, 0), 0);
	assert_int_equal(c.version_locations.count, 2);
	assert_string_equal(c.version_locations.items[0], "/x y");
	assert_string_equal(c.version_locations.items[1], "/z");
	qp_config_release(&c);

	write_text("quipu.ini",
		"[quipu]\nscript_location = m\nversion_path_separator = ;\nversion_locations = /x,y;/z\n");
	assert_int_equal(qp_config_load(&c, NULL, NULL, NULL, NULL, 0), 0);
	assert_int_equal(c.version_locations.count, 2);
	assert_string_equal(c.version_locations.items[0], "/x,y");
	qp_config_release(&c);

	/* continuation lines */
	write_text("quipu.ini",
		"[quipu]\nscript_location = m\nversion_locations =\n    /one\n    /two\n");
	assert_int_equal(qp_config_load(&c, NULL, NULL, NULL, NULL, 0), 0);
	assert_int_equal(c.version_locations.count, 2);
	assert_string_equal(c.version_locations.items[0], "/one");
	assert_string_equal(c.version_locations.items[1], "/two");
	qp_config_release(&c);

	write_text("quipu.ini",
		"[quipu]\nscript_location = m\nversion_path_separator = tab\nversion_locations = /a\n");
	assert_int_equal(qp_config_load(&c, NULL, NULL, NULL, NULL, 0), QUIPU_ECONFIG);
	assert_non_null(strstr(last_message(), "quipu.ini:3: version_path_separator = 'tab'"));
}

static void test_file_syntax(void **state)
{
	qp_config c;
	char text[1024], url[600];

	/* a line longer than inih's 200 bytes, ' ;' and ':' kept in values,
	 * `key: value` lines */
	memset(url, 'a', sizeof(url));
	memcpy(url, "postgresql://h/", 15);
	url[sizeof(url) - 1] = '\0';
	snprintf(text, sizeof(text),
	         "[quipu]\nscript_location: m\nsqlalchemy.url = %s\ntimezone = Europe/Paris ; not a comment\n"
	         "version_table = vt\n", url);
	write_text("quipu.ini", text);
	assert_int_equal(qp_config_load(&c, NULL, NULL, NULL, NULL, 0), 0);
	assert_string_equal(c.url, url);
	assert_string_equal(c.timezone, "Europe/Paris ; not a comment");
	assert_string_equal(c.version_table, "vt");
	assert_non_null(strstr(c.script_location, "/m"));
	qp_config_release(&c);

	/* the line after a long line keeps its number */
	snprintf(text, sizeof(text), "[quipu]\nscript_location = m\nmodels = /%s\nlock_timeout = x\n", url);
	write_text("quipu.ini", text);
	assert_int_equal(qp_config_load(&c, NULL, NULL, NULL, NULL, 0), QUIPU_ECONFIG);
	assert_non_null(strstr(last_message(), "quipu.ini:4: lock_timeout = 'x'"));

	/* a UTF-8 BOM and CRLF line ends */
	write_text("quipu.ini", "\xEF\xBB\xBF[quipu]\r\nscript_location = m\r\n\r\nversion_table = vt \r\nlock_timeout = 1\r\n");
	assert_int_equal(qp_config_load(&c, NULL, NULL, NULL, NULL, 0), 0);
	assert_string_equal(c.version_table, "vt");
	assert_true(c.lock_timeout == 1.0);
	qp_config_release(&c);

	write_text("quipu.ini", "[quipu]\nscript_location = m\nversion_table = a\nversion_table = b\n");
	assert_int_equal(qp_config_load(&c, NULL, NULL, NULL, NULL, 0), QUIPU_ECONFIG);
	assert_string_equal(last_message(),
		"quipu.ini:4: 'version_table' is set twice in [quipu] (first on line 3); keep one");

	write_text("quipu.ini", "script_location = m\n[quipu]\n");
	assert_int_equal(qp_config_load(&c, NULL, NULL, NULL, NULL, 0), QUIPU_ECONFIG);
	assert_non_null(strstr(last_message(), "quipu.ini:1: 'script_location' is outside any section"));

	write_text("quipu.ini", "[quipu]\nscript_location = m\njust words\n");
	assert_int_equal(qp_config_load(&c, NULL, NULL, NULL, NULL, 0), QUIPU_ECONFIG);
	assert_non_null(strstr(last_message(), "quipu.ini:3: not a `key = value` line"));
}

static void test_expand(void **state)
{
	char *out = NULL;
	const char *xa[] = {"V=x-value"};

	setenv("QP_TEST_VAR", "env-value", 1);
	assert_int_equal(qp_config_expand(&out, "%(here)s/m %% ${QP_TEST_VAR} ${V} %(rev)s_%%(slug)s",
	                                  "/proj", xa, 1, "quipu.ini:3"), 0);
	assert_string_equal(out, "/proj/m % env-value x-value %(rev)s_%(slug)s");
	free(out);
	unsetenv("QP_TEST_VAR");
	assert_int_equal(qp_config_expand(&out, "${QP_TEST_VAR}", "/proj", NULL, 0, "quipu.ini:9"),
	                 QUIPU_ECONFIG);
	assert_null(out);
	assert_string_equal(last_message(),
		"quipu.ini:9: ${QP_TEST_VAR} is not set; export QP_TEST_VAR or pass -x QP_TEST_VAR=value");
	assert_int_equal(qp_config_expand(&out, "", "/proj", NULL, 0, NULL), 0);
	assert_string_equal(out, "");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_all_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_interpolation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_env_and_xargs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unset_var_names_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_url_precedence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sections, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_lookup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_booleans_and_numbers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_version_locations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_syntax, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expand, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
