/*
 * project.c: opening a project (config + every revision file) and the
 * read-only queries on its revision graph (quipu_heads, quipu_resolve, ...).
 */
#include "core/project.h"
#include "util/err.h"
#include "util/fs.h"

#include <stdlib.h>
#include <string.h>

/* Reads every *.sql file of every version location. All parse errors are
 * gathered into one message, one line per file, as graph errors are. */
static int load_scripts(qp_script **out, size_t *n_out, char **parse_problems, size_t *n_parse_problems,
                        const qp_config *cfg)
{
	qp_script *scripts = NULL;
	size_t n = 0, cap = 0, i, j;
	qp_buf problems = QP_BUF_INIT;
	size_t n_problems = 0;
	int error = 0;

	for (i = 0; i < cfg->version_locations.count; i++) {
		const char *dir = cfg->version_locations.items[i];
		qp_strlist names = QP_STRLIST_INIT;

		if (!qp_is_dir(dir)) {
			error = qp_error_set(QUIPU_ECONFIG,
			                     "%s: the versions folder %s does not exist; create it or run `quipu init`, "
			                     "or fix script_location / version_locations",
			                     cfg->path, dir);
			goto done;
		}
		if ((error = qp_list_dir(&names, dir, ".sql")) < 0)
			goto done;
		for (j = 0; j < names.count; j++) {
			char *path = qp_path_join(dir, names.items[j]);
			if (!path) {
				qp_strlist_release(&names);
				error = qp_error_oom();
				goto done;
			}
			if (n == cap) {
				size_t ncap = cap ? cap * 2 : 64;
				qp_script *ns = realloc(scripts, ncap * sizeof(*ns));
				if (!ns) {
					free(path);
					qp_strlist_release(&names);
					error = qp_error_oom();
					goto done;
				}
				scripts = ns;
				cap = ncap;
			}
			memset(&scripts[n], 0, sizeof(scripts[n]));
			if (qp_script_load(&scripts[n], path) < 0) {
				const quipu_error *e = quipu_error_last();
				qp_buf_printf(&problems, "\n  %s", e ? e->message : path);
				n_problems++;
			} else {
				n++;
			}
			free(path);
		}
		qp_strlist_release(&names);
	}
	if (n_problems) {
		/* keep going: the graph checks of the files that did parse are
		 * reported with these, all at once (quipu_project_open) */
		*parse_problems = qp_buf_detach(&problems);
		if (!*parse_problems) {
			error = qp_error_oom();
			goto done;
		}
		*n_parse_problems = n_problems;
	}
	*out = scripts;
	*n_out = n;
	scripts = NULL;
	n = 0;
done:
	for (i = 0; i < n; i++)
		qp_script_release(&scripts[i]);
	free(scripts);
	qp_buf_release(&problems);
	return error;
}

/* The public flags of every revision, from the graph's edges. */
static void mark(qp_graph *g)
{
	size_t i;
	for (i = 0; i < g->count; i++) {
		qp_rev *r = g->revs[i];
		r->info.is_head = r->n_children == 0;
		r->info.has_dependents = r->n_dependents > 0;
		r->info.is_base = r->n_parents == 0;
		r->info.is_branch_point = r->n_children > 1;
		r->info.is_merge = r->n_parents > 1;
	}
}

int quipu_project_open(quipu_project **out, const quipu_open_opts *opts)
{
	quipu_open_opts none = QUIPU_OPEN_OPTS_INIT;
	quipu_project *p = NULL;
	qp_script *scripts = NULL;
	char *parse_problems = NULL;
	size_t n = 0, n_parse_problems = 0;
	int error;

	*out = NULL;
	if (!opts)
		opts = &none;
	p = calloc(1, sizeof(*p));
	if (!p)
		return qp_error_oom();
	if ((error = qp_config_load(&p->cfg, opts->config_path, opts->section, opts->url,
	                            opts->xargs, opts->n_xargs)) < 0) {
		free(p);
		return error;
	}
	if (p->cfg.url && !(p->url_redacted = qp_url_redact(p->cfg.url))) {
		error = qp_error_oom();
		goto done;
	}
	if ((error = load_scripts(&scripts, &n, &parse_problems, &n_parse_problems, &p->cfg)) < 0)
		goto done;
	error = qp_graph_build(&p->graph, scripts, n); /* takes scripts */
	scripts = NULL;
	if (parse_problems) {
		/* every problem at once: the unreadable files, then the graph's */
		const quipu_error *ge = error < 0 ? quipu_error_last() : NULL;
		error = qp_error_set(QUIPU_EPARSE, "%zu revision file%s could not be read:%s%s%s", n_parse_problems,
		                     n_parse_problems == 1 ? "" : "s", parse_problems, ge ? "\nand: " : "",
		                     ge && ge->message ? ge->message : "");
		goto done;
	}
	if (error < 0)
		goto done;
	mark(&p->graph);
	*out = p;
	p = NULL;
done:
	free(parse_problems);
	quipu_project_free(p);
	return error;
}

void quipu_project_free(quipu_project *p)
{
	if (!p)
		return;
	qp_graph_release(&p->graph);
	qp_config_release(&p->cfg);
	free(p->url_redacted);
	free(p);
}

const char *quipu_project_config_path(const quipu_project *p)
{
	return p->cfg.path;
}

const char *quipu_project_script_location(const quipu_project *p)
{
	return p->cfg.script_location;
}

const char *quipu_project_version_table(const quipu_project *p)
{
	return p->cfg.version_table;
}

const char *quipu_project_url_redacted(const quipu_project *p)
{
	return p->url_redacted;
}

void quipu_revlist_free(quipu_revlist *list)
{
	if (!list)
		return;
	free(list->items);
	list->items = NULL;
	list->count = 0;
}

static int fill(quipu_revlist *out, qp_rev *const *revs, size_t n)
{
	size_t i;

	out->items = NULL;
	out->count = 0;
	if (!n)
		return 0;
	out->items = malloc(n * sizeof(*out->items));
	if (!out->items)
		return qp_error_oom();
	for (i = 0; i < n; i++)
		out->items[i] = &revs[i]->info;
	out->count = n;
	return 0;
}

static int fill_set(quipu_revlist *out, qp_revset *set)
{
	int error = fill(out, set->items, set->count);
	qp_revset_release(set);
	return error;
}

size_t quipu_revision_count(const quipu_project *p)
{
	return p->graph.count;
}

int quipu_revision_lookup(const quipu_revinfo **out, const quipu_project *p, const char *id)
{
	qp_rev *r = NULL;
	int error = qp_graph_lookup(&r, &p->graph, id);

	*out = error < 0 ? NULL : &r->info;
	return error;
}

int quipu_heads(quipu_revlist *out, const quipu_project *p)
{
	return fill(out, p->graph.heads, p->graph.n_heads);
}

int quipu_bases(quipu_revlist *out, const quipu_project *p)
{
	return fill(out, p->graph.bases, p->graph.n_bases);
}

int quipu_branch_points(quipu_revlist *out, const quipu_project *p)
{
	qp_rev **bp = NULL;
	size_t i, n = 0;
	int error;

	if (p->graph.count && !(bp = malloc(p->graph.count * sizeof(*bp))))
		return qp_error_oom();
	/* newest first, as `history` walks */
	for (i = p->graph.count; i-- > 0;)
		if (p->graph.revs[i]->n_children > 1)
			bp[n++] = p->graph.revs[i];
	error = fill(out, bp, n);
	free(bp);
	return error;
}

int quipu_history_all(quipu_revlist *out, const quipu_project *p)
{
	return quipu_history_range(out, p, NULL, NULL, 0);
}

int quipu_resolve(quipu_revlist *out, const quipu_project *p, const char *target,
                  const char *const *current, size_t n_current)
{
	qp_revset set = QP_REVSET_INIT;
	int error;

	out->items = NULL;
	out->count = 0;
	if ((error = qp_graph_resolve(&set, &p->graph, target, current, n_current)) < 0) {
		qp_revset_release(&set);
		return error;
	}
	return fill_set(out, &set);
}

int quipu_history_range(quipu_revlist *out, const quipu_project *p, const char *range,
                        const char *const *current, size_t n_current)
{
	qp_revset set = QP_REVSET_INIT;
	int error;

	out->items = NULL;
	out->count = 0;
	if ((error = qp_graph_history(&set, &p->graph, range, current, n_current)) < 0) {
		qp_revset_release(&set);
		return error;
	}
	return fill_set(out, &set);
}

void quipu_strings_free(char **strings, size_t n)
{
	size_t i;
	if (!strings)
		return;
	for (i = 0; i < n; i++)
		free(strings[i]);
	free(strings);
}
