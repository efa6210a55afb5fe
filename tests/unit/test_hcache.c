/*
 * test_hcache.c: the revision header cache (src/core/hcache.c) through
 * quipu_project_open(headers_only): the cache is used (hits counted), and an
 * edited (same size), added or removed file is always seen; a fresh file is
 * not stored; a corrupt or unwritable cache is an empty one; QUIPU_NO_CACHE;
 * cache files unused for QP_HCACHE_PRUNE_DAYS are removed;
 * a headers_only project refuses to produce SQL.
 *
 * Files are made "settled" (older than QP_HCACHE_SETTLE_NS, so the cache may
 * store them) by sleeping: a file's ctime cannot be set back.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/hcache.h"
#include "core/project.h"
#include "util/err.h"

static char dir[] = "/tmp/quipu-test-hcache-XXXXXX";
static char ini[600], versions[600], cache_home[600];

static void settle(void)
{
	usleep((useconds_t)(QP_HCACHE_SETTLE_NS / 1000) + 200000);
}

static void write_rev(const char *file, const char *id, const char *down, const char *message)
{
	char path[800];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", versions, file);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "-- %s\n--\n-- Revision ID: %s\n-- Revises: %s\n-- Create Date: 2026-11-26 01:00:00\n\n"
	           "-- migrate:upgrade\nCREATE TABLE %s (id int);\n\n-- migrate:downgrade\nDROP TABLE %s;\n",
	        message, id, down, id, id);
	fclose(f);
}

static void remove_rev(const char *file)
{
	char path[800];
	snprintf(path, sizeof(path), "%s/%s", versions, file);
	assert_int_equal(unlink(path), 0);
}

static quipu_project *open_headers(void)
{
	quipu_open_opts o = QUIPU_OPEN_OPTS_INIT;
	quipu_project *p = NULL;

	o.config_path = ini;
	o.headers_only = 1;
	if (quipu_project_open(&p, &o) < 0)
		fail_msg("open: %s", quipu_error_last()->message);
	return p;
}

/* "id:message" of every head, joined by blanks. */
static const char *heads_of(quipu_project *p)
{
	static char out[400];
	quipu_revlist l = {0};
	size_t i;

	out[0] = '\0';
	assert_int_equal(quipu_heads(&l, p), 0);
	for (i = 0; i < l.count; i++)
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s:%s", i ? " " : "", l.items[i]->id,
		         l.items[i]->message);
	quipu_revlist_free(&l);
	return out;
}

static int setup(void **state)
{
	char path[700];
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/migrations", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(versions, sizeof(versions), "%s/migrations/versions", dir);
	assert_int_equal(mkdir(versions, 0700), 0);
	snprintf(ini, sizeof(ini), "%s/quipu.ini", dir);
	f = fopen(ini, "w");
	assert_non_null(f);
	fputs("[quipu]\nscript_location = %(here)s/migrations\nsqlalchemy.url = sqlite:///x.db\n", f);
	fclose(f);
	snprintf(cache_home, sizeof(cache_home), "%s/cache", dir);
	setenv("XDG_CACHE_HOME", cache_home, 1);
	unsetenv("QUIPU_NO_CACHE");
	return 0;
}

static int teardown(void **state)
{
	char cmd[700];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static size_t cache_files(void)
{
	char cmd[800], line[64];
	FILE *f;
	size_t n = 0;

	snprintf(cmd, sizeof(cmd), "ls '%s/quipu' 2>/dev/null | grep -c '^headers-'", cache_home);
	f = popen(cmd, "r");
	assert_non_null(f);
	if (fgets(line, sizeof(line), f))
		n = (size_t)atol(line);
	pclose(f);
	return n;
}

static void test_edit_add_remove(void **state)
{
	quipu_project *p;

	write_rev("a1_one.sql", "a1", "", "one");
	write_rev("a2_two.sql", "a2", "a1", "two");
	settle();

	/* first run: both read, stored */
	p = open_headers();
	assert_string_equal(heads_of(p), "a2:two");
	assert_int_equal(p->caches[0].n_hits, 0);
	quipu_project_free(p);
	assert_int_equal(cache_files(), 1);

	/* second run: both from the cache (no text) */
	p = open_headers();
	assert_string_equal(heads_of(p), "a2:two");
	assert_int_equal(p->caches[0].n_hits, 2);
	assert_int_equal(quipu_revision_count(p), 2);
	quipu_project_free(p);

	/* edited in place, same size: the new message and the new id are seen */
	write_rev("a2_two.sql", "b2", "a1", "TWO");
	p = open_headers();
	assert_string_equal(heads_of(p), "b2:TWO");
	assert_int_equal(p->caches[0].n_hits, 1);
	quipu_project_free(p);

	/* added: a new head */
	write_rev("a3_three.sql", "a3", "b2", "three");
	p = open_headers();
	assert_string_equal(heads_of(p), "a3:three");
	quipu_project_free(p);

	/* removed: the head is gone again (the cache still lists it until rewritten) */
	remove_rev("a3_three.sql");
	p = open_headers();
	assert_string_equal(heads_of(p), "b2:TWO");
	quipu_project_free(p);

	/* once settled, the edited file is stored and a hit again */
	settle();
	p = open_headers();
	assert_string_equal(heads_of(p), "b2:TWO");
	quipu_project_free(p);
	p = open_headers();
	assert_string_equal(heads_of(p), "b2:TWO");
	assert_int_equal(p->caches[0].n_hits, 2);
	quipu_project_free(p);

	/* a file replaced by another of the same size (a new inode): seen */
	write_rev("a2_tmp.sql", "c2", "a1", "two");
	{
		char from[800], to[800];
		snprintf(from, sizeof(from), "%s/a2_tmp.sql", versions);
		snprintf(to, sizeof(to), "%s/a2_two.sql", versions);
		assert_int_equal(rename(from, to), 0);
	}
	p = open_headers();
	assert_string_equal(heads_of(p), "c2:two");
	quipu_project_free(p);
}

static void test_fresh_file_not_stored(void **state)
{
	quipu_project *p;

	settle();
	p = open_headers();   /* stores a2_two.sql, settled now */
	quipu_project_free(p);
	write_rev("f1_fresh.sql", "f1", "c2", "fresh");
	p = open_headers();
	assert_string_equal(heads_of(p), "f1:fresh");
	quipu_project_free(p);
	/* changed less than QP_HCACHE_SETTLE_NS ago: read again, not a hit */
	p = open_headers();
	assert_string_equal(heads_of(p), "f1:fresh");
	assert_int_equal(p->caches[0].n_hits, 2);   /* a1, a2_two: not f1 */
	quipu_project_free(p);
	remove_rev("f1_fresh.sql");
}

static void test_corrupt_and_unwritable(void **state)
{
	char cmd[900];
	quipu_project *p;

	/* the last entry cut short: the first ones still hit, the file is rewritten */
	snprintf(cmd, sizeof(cmd), "for f in '%s'/quipu/headers-*; do truncate -s -3 \"$f\"; done", cache_home);
	assert_int_equal(system(cmd), 0);
	p = open_headers();
	assert_string_equal(heads_of(p), "c2:two");
	assert_int_equal(p->caches[0].n_hits, 1);
	quipu_project_free(p);
	p = open_headers();
	assert_string_equal(heads_of(p), "c2:two");
	assert_int_equal(p->caches[0].n_hits, 2);   /* repaired */
	quipu_project_free(p);

	/* every cache file cut to its header, then garbage: ignored */
	snprintf(cmd, sizeof(cmd), "for f in '%s'/quipu/headers-*; do truncate -s 100 \"$f\"; done", cache_home);
	assert_int_equal(system(cmd), 0);
	p = open_headers();
	assert_string_equal(heads_of(p), "c2:two");
	assert_int_equal(p->caches[0].n_hits, 0);
	quipu_project_free(p);
	snprintf(cmd, sizeof(cmd), "for f in '%s'/quipu/headers-*; do head -c 5000 /dev/urandom > \"$f\"; done",
	         cache_home);
	assert_int_equal(system(cmd), 0);
	p = open_headers();
	assert_string_equal(heads_of(p), "c2:two");
	quipu_project_free(p);

	/* a cache home that cannot be created (a regular file): no error */
	{
		char file_home[700];
		FILE *f;
		snprintf(file_home, sizeof(file_home), "%s/not-a-folder", dir);
		f = fopen(file_home, "w");
		assert_non_null(f);
		fclose(f);
		setenv("XDG_CACHE_HOME", file_home, 1);
		quipu_error_clear();
		p = open_headers();
		assert_string_equal(heads_of(p), "c2:two");
		assert_null(quipu_error_last());
		quipu_project_free(p);
		setenv("XDG_CACHE_HOME", cache_home, 1);
	}
}

static void test_no_cache_env(void **state)
{
	char cmd[800];
	quipu_project *p;

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", cache_home);
	assert_int_equal(system(cmd), 0);
	setenv("QUIPU_NO_CACHE", "1", 1);
	p = open_headers();
	assert_string_equal(heads_of(p), "c2:two");
	quipu_project_free(p);
	assert_int_equal(cache_files(), 0);
	unsetenv("QUIPU_NO_CACHE");
}

static void test_prune(void **state)
{
	char old[800], recent[800], qdir[700];
	struct timespec t[2];
	quipu_project *p;
	FILE *f;

	snprintf(qdir, sizeof(qdir), "%s/quipu", cache_home);
	mkdir(cache_home, 0700);
	mkdir(qdir, 0700);
	snprintf(old, sizeof(old), "%s/headers-0000000000000001", qdir);
	snprintf(recent, sizeof(recent), "%s/headers-0000000000000002", qdir);
	assert_non_null(f = fopen(old, "w"));
	fclose(f);
	assert_non_null(f = fopen(recent, "w"));
	fclose(f);
	clock_gettime(CLOCK_REALTIME, &t[0]);
	t[0].tv_sec -= (QP_HCACHE_PRUNE_DAYS + 1) * 86400L;
	t[1] = t[0];
	assert_int_equal(utimensat(AT_FDCWD, old, t, 0), 0);
	t[0].tv_sec += 2 * 86400L;   /* within the window */
	t[1] = t[0];
	assert_int_equal(utimensat(AT_FDCWD, recent, t, 0), 0);

	p = open_headers();   /* no cache of this folder yet: one is written, the old one pruned */
	quipu_project_free(p);
	assert_int_equal(access(old, F_OK), -1);
	assert_int_equal(access(recent, F_OK), 0);
	assert_int_equal(cache_files(), 2);
}

static void test_headers_only_refuses_sql(void **state)
{
	quipu_project *p = open_headers();
	quipu_plan *plan = NULL;
	char *sql = NULL;

	assert_int_equal(quipu_plan_offline(&plan, p, QUIPU_UP, NULL, "heads"), 0);
	assert_int_equal(quipu_plan_sql(&sql, p, plan, "sqlite"), QUIPU_EUSAGE);
	assert_null(sql);
	assert_non_null(strstr(quipu_error_last()->message, "headers_only"));
	quipu_plan_free(plan);
	quipu_project_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_edit_add_remove),
		cmocka_unit_test(test_fresh_file_not_stored),
		cmocka_unit_test(test_corrupt_and_unwritable),
		cmocka_unit_test(test_no_cache_env),
		cmocka_unit_test(test_prune),
		cmocka_unit_test(test_headers_only_refuses_sql),
	};
	int rc = cmocka_run_group_tests(tests, setup, teardown);
	quipu_error_clear();
	return rc;
}
