/*
 * graph_bench: loading and resolving a large branched revision graph through
 * libquipu's public API (include/quipu.h), for issue 3's benchmark.
 *
 *   graph_bench QUIPU_INI TARGETS_FILE [ITERATIONS=1000] [OPENS=10]
 *
 * TARGETS_FILE (written by bench/gen_quipu.py graph) has lines "name target".
 * Prints, for each operation, the median over 5 batches of the time per
 * operation, and the result size (number of revisions) as a sanity check.
 * Built by bench/bench.py graph:
 *   gcc -O2 -I include bench/graph_bench.c build/libquipu.a \
 *       $(pkg-config --libs libpq sqlite3 inih libcrypto) -lpg_query -lpthread -lm
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "quipu.h"

#define BATCHES 5

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void die(const char *what)
{
	const quipu_error *e = quipu_error_last();
	fprintf(stderr, "graph_bench: %s: %s\n", what, e ? e->message : "(no message)");
	exit(1);
}

static void report(const char *name, double *per_op, int n, size_t count)
{
	double m = median(per_op, n);
	if (m >= 1e-3)
		printf("%-34s %10.3f ms/op  (min %.3f, max %.3f)  -> %zu revision(s)\n", name, m * 1e3,
		       per_op[0] * 1e3, per_op[n - 1] * 1e3, count);
	else
		printf("%-34s %10.3f us/op  (min %.3f, max %.3f)  -> %zu revision(s)\n", name, m * 1e6,
		       per_op[0] * 1e6, per_op[n - 1] * 1e6, count);
}

enum op { OP_HEADS, OP_HISTORY, OP_RESOLVE, OP_LOOKUP };

static size_t run_op(enum op op, const quipu_project *p, const char *target)
{
	quipu_revlist l = {0};
	const quipu_revinfo *ri;
	size_t count;
	switch (op) {
	case OP_HEADS:
		if (quipu_heads(&l, p) < 0)
			die("quipu_heads");
		break;
	case OP_HISTORY:
		if (quipu_history_all(&l, p) < 0)
			die("quipu_history_all");
		break;
	case OP_RESOLVE:
		if (quipu_resolve(&l, p, target, NULL, 0) < 0)
			die(target);
		break;
	case OP_LOOKUP:
		if (quipu_revision_lookup(&ri, p, target) < 0)
			die(target);
		return 1;
	}
	count = l.count;
	quipu_revlist_free(&l);
	return count;
}

static void bench_op(const char *name, enum op op, const quipu_project *p, const char *target, int iters)
{
	double per_op[BATCHES];
	size_t count = 0;
	for (int b = 0; b < BATCHES; b++) {
		double t0 = now_s();
		for (int i = 0; i < iters; i++)
			count = run_op(op, p, target);
		per_op[b] = (now_s() - t0) / iters;
	}
	report(name, per_op, BATCHES, count);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: graph_bench QUIPU_INI TARGETS_FILE [ITERATIONS] [OPENS]\n");
		return 2;
	}
	int iters = argc > 3 ? atoi(argv[3]) : 1000;
	int opens = argc > 4 ? atoi(argv[4]) : 10;
	if (iters < 1 || opens < 1)
		return 2;

	/* 1. quipu_project_open: config + every revision file + graph build + validation. */
	quipu_open_opts o = QUIPU_OPEN_OPTS_INIT;
	o.config_path = argv[1];
	double *open_t = calloc((size_t)opens, sizeof *open_t);
	quipu_project *p = NULL;
	for (int i = 0; i < opens; i++) {
		double t0 = now_s();
		if (quipu_project_open(&p, &o) < 0)
			die("quipu_project_open");
		open_t[i] = now_s() - t0;
		if (i + 1 < opens)
			quipu_project_free(p);
	}
	printf("revisions: %zu\n", quipu_revision_count(p));
	report("quipu_project_open (load+build)", open_t, opens, quipu_revision_count(p));
	free(open_t);

	/* 2. resolving targets on the loaded graph. */
	bench_op("quipu_heads", OP_HEADS, p, NULL, iters);
	bench_op("quipu_history_all", OP_HISTORY, p, NULL, iters < 100 ? iters : iters / 10);

	FILE *f = fopen(argv[2], "r");
	if (!f) {
		perror(argv[2]);
		return 1;
	}
	char name[128], target[256], label[512];
	while (fscanf(f, "%127s %255s", name, target) == 2) {
		snprintf(label, sizeof label, "resolve %s", target);
		bench_op(label, OP_RESOLVE, p, target, iters);
		if (strcmp(name, "prefix") == 0 || strcmp(name, "full_id") == 0) {
			snprintf(label, sizeof label, "lookup %s", target);
			bench_op(label, OP_LOOKUP, p, target, iters);
		}
	}
	fclose(f);

	/* history -r over a range on one branch. */
	quipu_revlist l = {0};
	if (quipu_resolve(&l, p, "feature_a@head", NULL, 0) < 0 || l.count != 1)
		die("feature_a@head");
	snprintf(target, sizeof target, "base:%s", l.items[0]->id);
	quipu_revlist_free(&l);
	{
		double per_op[BATCHES];
		size_t count = 0;
		int it = iters < 100 ? iters : iters / 10;
		for (int b = 0; b < BATCHES; b++) {
			double t0 = now_s();
			for (int i = 0; i < it; i++) {
				quipu_revlist r = {0};
				if (quipu_history_range(&r, p, target, NULL, 0) < 0)
					die("quipu_history_range");
				count = r.count;
				quipu_revlist_free(&r);
			}
			per_op[b] = (now_s() - t0) / it;
		}
		report("history_range base:feature_a@head", per_op, BATCHES, count);
	}
	quipu_project_free(p);
	return 0;
}
