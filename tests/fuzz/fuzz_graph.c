/*
 * fuzz_graph.c: building the revision graph (src/core/graph.c) from any
 * headers: each input line is "id:parents:labels:depends" (lists separated
 * by '+'), as test_graph.c writes graphs. Duplicate ids, missing parents,
 * cycles, labels twice... must all be errors, never crashes; a graph that
 * builds is walked up to heads and down to base, with its version-table
 * bookkeeping.
 */
#include "fuzz.h"
#include "core/graph.h"
#include "quipu.h"
#include "util/buf.h"

#include <stdlib.h>
#include <string.h>

const char *const fuzz_dict[] = {"\n", ":", "+", "a", "b", "c", "d", "lbl", "a:", "b:a", "c:a+b",
                                 "d:c::a", "x:y", "::", "heads", "base", "@", "-", "a:a"};
const size_t fuzz_dict_len = sizeof(fuzz_dict) / sizeof(fuzz_dict[0]);

#define MAX_REVS 32

static void field(qp_strlist *l, const char *s)
{
	if (s && *s)
		qp_strlist_split(l, s, '+');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size), *line, *save = NULL;
	qp_script *scripts = calloc(MAX_REVS, sizeof(*scripts));
	qp_graph g;
	qp_buf path = QP_BUF_INIT;
	size_t n = 0;

	if (!text || !scripts) {
		free(text);
		free(scripts);
		return 0;
	}
	for (line = strtok_r(text, "\n", &save); line && n < MAX_REVS; line = strtok_r(NULL, "\n", &save)) {
		char *f[4] = {line, NULL, NULL, NULL}, *p = line;
		size_t k = 1;
		while (k < 4 && (p = strchr(p, ':'))) {
			*p++ = '\0';
			f[k++] = p;
		}
		scripts[n].id = strdup(f[0]);
		qp_buf_truncate(&path, 0);
		qp_buf_printf(&path, "versions/%zu.sql", n);
		scripts[n].path = strdup(qp_buf_cstr(&path));
		scripts[n].message = strdup("m");
		field(&scripts[n].down, f[1]);
		field(&scripts[n].labels, f[2]);
		field(&scripts[n].depends, f[3]);
		n++;
	}
	memset(&g, 0, sizeof(g));
	if (qp_graph_build(&g, scripts, n) == 0) { /* takes scripts */
		qp_steps up = QP_STEPS_INIT, down = QP_STEPS_INIT;
		qp_strlist heads = QP_STRLIST_INIT;
		size_t i;
		if (qp_graph_plan_upgrade(&up, &g, NULL, 0, "heads") == 0) {
			for (i = 0; i < up.count; i++) {
				qp_vops ops = QP_VOPS_INIT;
				int error = qp_graph_version_ops(&ops, &g, &heads, &up.items[i]);
				qp_vops_release(&ops);
				if (error < 0)
					break;
			}
			if (i == up.count &&
			    qp_graph_plan_downgrade(&down, &g, (const char *const *)heads.items, heads.count, "base") == 0) {
				for (i = 0; i < down.count; i++) {
					qp_vops ops = QP_VOPS_INIT;
					int error = qp_graph_version_ops(&ops, &g, &heads, &down.items[i]);
					qp_vops_release(&ops);
					if (error < 0)
						break;
				}
				/* a full downgrade to base leaves no rows */
				if (i == down.count && heads.count)
					abort();
			}
		}
		qp_steps_release(&up);
		qp_steps_release(&down);
		qp_strlist_release(&heads);
	}
	qp_graph_release(&g);
	qp_buf_release(&path);
	quipu_error_clear();
	free(text);
	return 0;
}
