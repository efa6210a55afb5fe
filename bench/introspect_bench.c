/*
 * introspect_bench.c: times the schema introspection alone (qp_introspect,
 * src/schema/introspect_*.c) against a live database, the way `quipu
 * check` reads the database side, with no models loaded and no diff.
 *
 *   introspect_bench URL [RUNS] [DUMP_FILE]
 *
 * Introspects RUNS times (default 5; the version table alembic_version is
 * skipped as the CLI does), each time on a new connection as every quipu
 * command does (a new server backend starts with cold catalog caches), and
 * prints, per run, the wall time of connect + introspection, the objects
 * read, the catalog queries run and the connections they ran on (PostgreSQL:
 * one or two, see introspect.h; QUIPU_INTROSPECT_CONNECTIONS forces it), then the median and min-max. DUMP_FILE (optional) gets qp_model_dump() of the last run:
 * two builds are compared byte for byte with it. Built by `bench.py
 * autogen` with gcc against build/libquipu.a and the internal headers
 * (src/): this is a developer's tool, not part of the CLI.
 *
 * Ownership: everything is released before exit; errors go to stderr and
 * exit 1.
 */
#include "core/url.h"
#include "drivers/driver.h"
#include "schema/introspect.h"
#include "util/misc.h"

#include <quipu.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	qp_url url = QP_URL_INIT;
	qp_conn *c = NULL;
	const qp_driver *drv = NULL;
	qp_introspect_opts o = {"alembic_version", NULL};
	qp_buf dump = QP_BUF_INIT;
	double *ms = NULL;
	int runs = argc > 2 ? atoi(argv[2]) : 5, i, rc = 1;

	if (argc < 2 || runs < 1) {
		fprintf(stderr, "usage: %s URL [RUNS] [DUMP_FILE]\n", argv[0]);
		return 2;
	}
	if (qp_url_parse(&url, argv[1]) < 0 || !(drv = qp_driver_for(url.kind))) {
		fprintf(stderr, "%s\n", quipu_error_last()->message);
		goto done;
	}
	if (!(ms = calloc((size_t)runs, sizeof(*ms))))
		goto done;
	for (i = 0; i < runs; i++) {
		qp_model m;
		double t0 = qp_now_ms();
		int error;

		if (drv->connect(&c, &url) < 0) {
			fprintf(stderr, "%s\n", quipu_error_last()->message);
			goto done;
		}
		error = qp_introspect(&m, drv, c, &o);
		drv->close(c);
		c = NULL;
		ms[i] = qp_now_ms() - t0;
		if (error < 0) {
			fprintf(stderr, "introspection failed: %s\n", quipu_error_last()->message);
			qp_model_release(&m);
			goto done;
		}
		printf("run %d: %.1f ms, %zu objects (%zu tables), %zu queries, %d connection(s)\n", i + 1, ms[i],
		       m.n_objs, qp_model_count(&m, QP_K_TABLE), m.n_queries,
		       strcmp(drv->name, "postgresql") ? 1 : qp_introspect_pg_connections());
		if (i == runs - 1 && argc > 3) {
			FILE *f = fopen(argv[3], "w");
			if (qp_model_dump(&dump, &m) < 0 || !f || fwrite(dump.ptr ? dump.ptr : "", 1, dump.len, f) != dump.len) {
				fprintf(stderr, "cannot write %s\n", argv[3]);
				if (f)
					fclose(f);
				qp_model_release(&m);
				goto done;
			}
			fclose(f);
		}
		qp_model_release(&m);
	}
	qsort(ms, (size_t)runs, sizeof(*ms), cmp_double);
	printf("median %.1f ms (min %.1f, max %.1f) over %d runs\n", ms[runs / 2], ms[0], ms[runs - 1], runs);
	rc = 0;
done:
	if (c)
		drv->close(c);
	qp_url_release(&url);
	qp_buf_release(&dump);
	free(ms);
	return rc;
}
