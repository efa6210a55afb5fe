/*
 * fuzz_target.c: the target grammar (src/core/graph_resolve.c and the
 * walks): any text as a target to resolve, to upgrade and downgrade to
 * (from base and from two heads), and as a history range, on a fixed graph
 * with branches, a merge, labels and a dependency. Each planned run is
 * played through qp_graph_version_ops as the runner does.
 */
#include "fuzz.h"
#include "core/graph.h"
#include "quipu.h"
#include "util/buf.h"

#include <stdlib.h>
#include <string.h>

const char *const fuzz_dict[] = {"head", "heads", "base", "current", "@", "+", "-", ":", "a1", "b2", "c3",
                                 "d4", "e5", "f6", "g7", "core", "feat", "aux", "@head", "@base", "@+1",
                                 "-1", "+2", "head-1", "heads-1", "a1:", ":e5", "99999999999999999999"};
const size_t fuzz_dict_len = sizeof(fuzz_dict) / sizeof(fuzz_dict[0]);

/* id, parents ("+"-separated), labels, depends */
static const char *const spec[][4] = {
	{"a1", "", "core", ""}, {"b2", "a1", "", ""},     {"c3", "b2", "feat", ""}, {"d4", "b2", "", ""},
	{"e5", "c3+d4", "", ""}, {"f6", "", "aux", ""},    {"g7", "f6", "", "c3"},
};
#define N_REVS (sizeof(spec) / sizeof(spec[0]))

static qp_graph graph;
static int built;

static void add_list(qp_strlist *l, const char *s)
{
	if (*s)
		qp_strlist_split(l, s, '+');
}

static int build(void)
{
	qp_script *scripts = calloc(N_REVS, sizeof(*scripts));
	qp_buf path = QP_BUF_INIT;
	size_t i;

	if (!scripts)
		return -1;
	for (i = 0; i < N_REVS; i++) {
		scripts[i].id = strdup(spec[i][0]);
		qp_buf_truncate(&path, 0);
		qp_buf_printf(&path, "versions/%s.sql", spec[i][0]);
		scripts[i].path = strdup(qp_buf_cstr(&path));
		scripts[i].message = strdup(spec[i][0]);
		add_list(&scripts[i].down, spec[i][1]);
		add_list(&scripts[i].labels, spec[i][2]);
		add_list(&scripts[i].depends, spec[i][3]);
	}
	qp_buf_release(&path);
	return qp_graph_build(&graph, scripts, N_REVS);
}

/* Plays steps on rows as the runner does. */
static void play(const qp_steps *steps, const char *const *rows, size_t n_rows)
{
	qp_strlist heads = QP_STRLIST_INIT;
	size_t i;

	for (i = 0; i < n_rows; i++)
		qp_strlist_add(&heads, rows[i]);
	for (i = 0; i < steps->count; i++) {
		qp_vops ops = QP_VOPS_INIT;
		int error = qp_graph_version_ops(&ops, &graph, &heads, &steps->items[i]);
		qp_vops_release(&ops);
		if (error < 0)
			break;
	}
	qp_strlist_release(&heads);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const at_heads[] = {"e5", "g7"};
	static const char *const at_mid[] = {"b2", "f6"};
	const char *const *starts[] = {NULL, at_heads, at_mid};
	const size_t n_starts[] = {0, 2, 2};
	char *target;
	size_t k;

	if (!built) {
		if (build() < 0)
			abort(); /* the fixed graph is valid */
		built = 1;
	}
	if (size > 256 || !(target = fuzz_cstr(data, size)))
		return 0;
	for (k = 0; k < 3; k++) {
		qp_revset set = QP_REVSET_INIT;
		qp_steps steps = QP_STEPS_INIT;
		qp_strlist rows = QP_STRLIST_INIT;

		qp_graph_resolve(&set, &graph, target, starts[k], n_starts[k]);
		qp_revset_release(&set);
		if (qp_graph_plan_upgrade(&steps, &graph, starts[k], n_starts[k], target) == 0)
			play(&steps, starts[k], n_starts[k]);
		qp_steps_release(&steps);
		if (qp_graph_plan_downgrade(&steps, &graph, starts[k], n_starts[k], target) == 0)
			play(&steps, starts[k], n_starts[k]);
		qp_steps_release(&steps);
		qp_graph_history(&set, &graph, target, starts[k], n_starts[k]);
		qp_revset_release(&set);
		qp_graph_stamp_rows(&rows, &graph, starts[k], n_starts[k], target, (int)(k == 2));
		qp_strlist_release(&rows);
	}
	quipu_error_clear();
	free(target);
	return 0;
}
