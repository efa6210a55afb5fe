/*
 * project.c: opening a project (config + every revision file) and the
 * read-only queries on its revision graph (quipu_heads, quipu_resolve, ...).
 */
#include "core/project.h"
#include "core/hcache.h"
#include "util/err.h"
#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* One revision file of folder dfd: from the header cache when headers_only
 * and its stat identity is unchanged, else read and parsed (and offered to
 * the cache). fstatat + openat/read/close: the stat is the cache key and
 * the type check, and gives the size so one read takes the file. */
static int load_one(qp_script *out, qp_hcache *hc, int dfd, const char *name, char *path, int headers_only)
{
	struct stat st;
	qp_fstamp stamp;
	char *text = NULL;
	size_t len = 0;
	int hit, error;

	memset(out, 0, sizeof(*out));
	if (fstatat(dfd, name, &st, 0) < 0) {
		if (errno == ENOENT)
			error = qp_error_set(QUIPU_ENOTFOUND, "%s: no such file", path);
		else
			error = qp_error_set(QUIPU_EIO, "%s: cannot open: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		error = qp_error_set(QUIPU_EIO, "%s: not a regular file", path);
		goto fail;
	}
	qp_fstamp_of(&stamp, &st);
	if (headers_only && (hit = qp_hcache_get(hc, name, path, &stamp, out)) != 0) {
		if (hit < 0) {
			error = qp_error_oom();
			goto fail;
		}
		free(path);
		return 0;
	}
	if ((error = qp_read_file_at(&text, &len, dfd, name, path, (size_t)st.st_size)) < 0)
		goto fail;
	if ((error = qp_script_parse(out, path, text, len)) < 0)   /* takes text */
		goto fail;
	free(path);
	if (headers_only) {
		qp_hcache_put(hc, name, &stamp, out);
		free(out->text);   /* not kept: a cache hit has none either */
		out->text = NULL;
		out->text_len = 0;
	}
	return 0;
fail:
	free(path);
	return error;
}

/* Reads every *.sql file of every version location. All parse errors are
 * gathered into one message, one line per file, as graph errors are. */
static int load_scripts(qp_script **out, size_t *n_out, char **parse_problems, size_t *n_parse_problems,
                        const qp_config *cfg, int headers_only, qp_hcache *caches)
{
	qp_script *scripts = NULL;
	size_t n = 0, cap = 0, i, j;
	qp_buf problems = QP_BUF_INIT;
	size_t n_problems = 0;
	qp_hcache none, *hc = &none;
	int dfd = -1, error = 0;

	memset(&none, 0, sizeof(none));
	for (i = 0; i < cfg->version_locations.count; i++) {
		const char *dir = cfg->version_locations.items[i];
		qp_strlist names = QP_STRLIST_INIT;
		char *abs;

		if (!qp_is_dir(dir)) {
			error = qp_error_set(QUIPU_ECONFIG,
			                     "%s: the versions folder %s does not exist; create it or run `quipu init`, "
			                     "or fix script_location / version_locations",
			                     cfg->path, dir);
			goto done;
		}
		if ((error = qp_list_dir(&names, dir, ".sql")) < 0)
			goto done;
		if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
			qp_strlist_release(&names);
			error = qp_error_set(QUIPU_EIO, "%s: cannot read folder: %s", dir, strerror(errno));
			goto done;
		}
		if (headers_only) {
			if (!(abs = qp_path_absolute(dir))) {
				qp_strlist_release(&names);
				error = qp_error_oom();
				goto done;
			}
			hc = &caches[i];
			qp_hcache_open(hc, abs, NULL);
			free(abs);
		}
		if (n + names.count > cap) {
			size_t ncap = n + names.count;
			qp_script *ns = realloc(scripts, (ncap ? ncap : 1) * sizeof(*ns));
			if (!ns) {
				qp_strlist_release(&names);
				error = qp_error_oom();
				goto done;
			}
			scripts = ns;
			cap = ncap;
		}
		for (j = 0; j < names.count; j++) {
			char *path = qp_path_join(dir, names.items[j]);
			if (!path) {
				qp_strlist_release(&names);
				error = qp_error_oom();
				goto done;
			}
			if (load_one(&scripts[n], hc, dfd, names.items[j], path, headers_only) < 0) { /* takes path */
				const quipu_error *e = quipu_error_last();
				if (e && e->code == QUIPU_ENOMEM) {
					qp_strlist_release(&names);
					error = QUIPU_ENOMEM;
					goto done;
				}
				qp_buf_printf(&problems, "\n  %s", e ? e->message : names.items[j]);
				n_problems++;
			} else {
				n++;
			}
		}
		qp_strlist_release(&names);
		qp_hcache_flush(hc);
		close(dfd);
		dfd = -1;
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
	if (dfd >= 0)
		close(dfd);
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
	if (opts->headers_only && p->cfg.version_locations.count) {
		/* the scripts will borrow from the caches: they live as long as p */
		if (!(p->caches = calloc(p->cfg.version_locations.count, sizeof(*p->caches)))) {
			error = qp_error_oom();
			goto done;
		}
		p->n_caches = p->cfg.version_locations.count;
	}
	if ((error = load_scripts(&scripts, &n, &parse_problems, &n_parse_problems, &p->cfg, opts->headers_only,
	                          p->caches)) < 0)
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
	p->headers_only = opts->headers_only;
	*out = p;
	p = NULL;
done:
	free(parse_problems);
	quipu_project_free(p);
	return error;
}

void quipu_project_free(quipu_project *p)
{
	size_t i;

	if (!p)
		return;
	qp_graph_release(&p->graph);
	for (i = 0; i < p->n_caches; i++)
		qp_hcache_release(&p->caches[i]);
	free(p->caches);
	qp_config_release(&p->cfg);
	free(p->url_redacted);
	free(p);
}

int qp_project_need_sql(const quipu_project *p)
{
	if (p && p->headers_only)
		return qp_error_set(QUIPU_EUSAGE, "the project was opened with headers_only: its revisions' SQL "
		                                  "was not read; open it without headers_only to run, plan, "
		                                  "validate or lint");
	return 0;
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
