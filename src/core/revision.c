/*
 * revision.c: writing files: `init` (a new project) and `revision` /
 * `merge` (a new revision file from the hand-written template).
 */
#include "core/project.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/misc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct {
	const char *name;
	const char *description;
} templates[] = {
	{"generic", "Generic single-database configuration (SQLite by default; set sqlalchemy.url)."},
};

size_t quipu_template_count(void)
{
	return sizeof(templates) / sizeof(templates[0]);
}

void quipu_template_get(size_t i, const char **name, const char **description)
{
	*name = i < quipu_template_count() ? templates[i].name : NULL;
	*description = i < quipu_template_count() ? templates[i].description : NULL;
}

static const char ini_template[] =
	"# quipu configuration (written by `quipu init`).\n"
	"# Keys are Alembic's where Alembic has one; see docs/config.md.\n"
	"\n"
	"[quipu]\n"
	"# folder holding versions/ (%%(here)s is this file's folder)\n"
	"script_location = %%(here)s/%s\n"
	"\n"
	"# extra folders of revision files, space separated (replace versions/ when set)\n"
	"# version_locations = %%(here)s/bar %%(here)s/bat\n"
	"\n"
	"# the desired schema for autogenerate: a .sql file or a folder of them\n"
	"models = %%(here)s/models\n"
	"\n"
	"# the database; --url, QUIPU_DATABASE_URL and DATABASE_URL override it.\n"
	"# ${VAR} reads an environment variable. Examples:\n"
	"#   postgresql://user:password@localhost:5432/dbname\n"
	"#   postgresql+asyncpg://khipu:${KHIPU_DB_PASSWORD}@localhost:5432/khipu_dev\n"
	"#   sqlite:///%%(here)s/app.db\n"
	"sqlalchemy.url = sqlite:///%%(here)s/quipu.db\n"
	"\n"
	"# version_table = alembic_version\n"
	"# version_table_schema =\n"
	"\n"
	"# one transaction per revision (true), or one for the whole run (false)\n"
	"transaction_per_migration = true\n"
	"\n"
	"# new file names: %%%%(rev)s, %%%%(slug)s, %%%%(year)d, %%%%(month).2d, %%%%(day).2d,\n"
	"# %%%%(hour).2d, %%%%(minute).2d, %%%%(second).2d, %%%%(epoch)s\n"
	"file_template = %%%%(rev)s_%%%%(slug)s\n"
	"truncate_slug_length = 40\n"
	"\n"
	"# time zone of Create Date (default: local time), e.g. UTC\n"
	"# timezone =\n"
	"\n"
	"# seconds to wait for another quipu run's lock before giving up (0: wait)\n"
	"# lock_timeout = 0\n";

int quipu_init(const char *dir, const char *config_path, const char *template_name)
{
	qp_buf ini = QP_BUF_INIT;
	char *versions = NULL, *models = NULL, *cfg_dir = NULL, *rel = NULL;
	qp_strlist existing = QP_STRLIST_INIT;
	int error = 0;

	if (!config_path)
		config_path = "quipu.ini";
	if (template_name && strcmp(template_name, "generic"))
		return qp_error_set(QUIPU_EUSAGE, "no template named '%s'; `quipu list_templates` lists them",
		                    template_name);
	if (qp_exists(config_path))
		return qp_error_set(QUIPU_EEXISTS, "%s already exists; remove it or pass -c with another file name",
		                    config_path);
	if (qp_is_dir(dir) && qp_list_dir(&existing, dir, NULL) == 0 && existing.count) {
		error = qp_error_set(QUIPU_EEXISTS, "Directory %s already exists and is not empty", dir);
		goto done;
	}
	if (!(versions = qp_path_join(dir, "versions")) || !(cfg_dir = qp_path_dirname(config_path))) {
		error = qp_error_oom();
		goto done;
	}
	if (!(models = qp_path_join(cfg_dir, "models"))) {
		error = qp_error_oom();
		goto done;
	}
	if ((error = qp_mkdir_p(versions)) < 0 || (error = qp_mkdir_p(models)) < 0)
		goto done;
	/* script_location relative to the config's folder */
	{
		size_t n = strlen(cfg_dir);
		if (dir[0] == '/' || strcmp(cfg_dir, ".") == 0)
			rel = strdup(dir);
		else if (!strncmp(dir, cfg_dir, n) && dir[n] == '/')
			rel = strdup(dir + n + 1);
		else
			rel = qp_path_absolute(dir);
		if (!rel) {
			error = qp_error_oom();
			goto done;
		}
	}
	qp_buf_printf(&ini, ini_template, rel);
	if (ini.oom) {
		error = qp_error_oom();
		goto done;
	}
	error = qp_write_file(config_path, ini.ptr, ini.len, 0);
done:
	qp_strlist_release(&existing);
	qp_buf_release(&ini);
	free(versions);
	free(models);
	free(cfg_dir);
	free(rel);
	return error;
}

/* Expands file_template's %(name)s / %(name)d / %(name).2d tokens. */
static int expand_template(qp_buf *out, const char *tmpl, const char *rev, const char *slug, time_t now,
                           const char *tz)
{
	struct tm tm;
	const char *s = tmpl;

	if (tz && (!strcasecmp(tz, "UTC") || !strcasecmp(tz, "GMT")))
		gmtime_r(&now, &tm);
	else
		localtime_r(&now, &tm);
	while (*s) {
		const char *close;
		char name[32], conv[8];
		size_t nl, cl;
		long v = -1;

		if (s[0] != '%' || s[1] != '(') {
			qp_buf_putc(out, *s++);
			continue;
		}
		close = strchr(s, ')');
		if (!close || (size_t)(close - s - 2) >= sizeof(name))
			return qp_error_set(QUIPU_ECONFIG, "file_template '%s': unterminated %%(...) token", tmpl);
		nl = (size_t)(close - s - 2);
		memcpy(name, s + 2, nl);
		name[nl] = '\0';
		/* the conversion: up to the first letter among s, d */
		cl = strcspn(close + 1, "sd");
		if (!close[1 + cl] || cl >= sizeof(conv) - 1)
			return qp_error_set(QUIPU_ECONFIG, "file_template '%s': token %%(%s) lacks s or d", tmpl, name);
		memcpy(conv, close + 1, cl + 1);
		conv[cl + 1] = '\0';
		s = close + 2 + cl;
		if (!strcmp(name, "rev")) {
			qp_buf_puts(out, rev);
			continue;
		}
		if (!strcmp(name, "slug")) {
			qp_buf_puts(out, slug);
			continue;
		}
		if (!strcmp(name, "epoch"))
			v = (long)now;
		else if (!strcmp(name, "year"))
			v = tm.tm_year + 1900;
		else if (!strcmp(name, "month"))
			v = tm.tm_mon + 1;
		else if (!strcmp(name, "day"))
			v = tm.tm_mday;
		else if (!strcmp(name, "hour"))
			v = tm.tm_hour;
		else if (!strcmp(name, "minute"))
			v = tm.tm_min;
		else if (!strcmp(name, "second"))
			v = tm.tm_sec;
		else
			return qp_error_set(QUIPU_ECONFIG,
			                    "file_template: unknown token %%(%s); known: rev, slug, epoch, year, month, "
			                    "day, hour, minute, second", name);
		{
			char fmt[16];
			snprintf(fmt, sizeof(fmt), "%%%.*sl%c", (int)cl, conv, conv[cl] == 's' ? 'd' : conv[cl]);
			qp_buf_printf(out, fmt, v);
		}
	}
	return 0;
}

/* Resolves --head / merge revisions into parent ids (NULL entries for base). */
static int resolve_heads(qp_strlist *out, const quipu_project *p, const quipu_revision_opts *o,
                         int *is_merge)
{
	const qp_graph *g = &p->graph;
	qp_revset set = QP_REVSET_INIT;
	size_t i;
	int error = 0;

	*is_merge = o->n_merge > 0;
	if (o->n_merge) {
		for (i = 0; i < o->n_merge; i++) {
			size_t j;
			qp_revset_release(&set);
			if ((error = qp_graph_resolve(&set, g, o->merge[i], NULL, 0)) < 0)
				goto done;
			for (j = 0; j < set.count; j++) {
				if (qp_strlist_contains(out, set.items[j]->info.id)) {
					error = qp_error_set(QUIPU_EUSAGE, "Duplicate head revisions specified: %s",
					                     set.items[j]->info.id);
					goto done;
				}
				if ((error = qp_strlist_add(out, set.items[j]->info.id)) < 0)
					goto done;
			}
		}
		if (out->count < 2) {
			error = qp_error_set(QUIPU_EUSAGE, "a merge needs at least two revisions; got %zu (%s)",
			                     out->count, out->count ? out->items[0] : "none");
			goto done;
		}
		goto done;
	}
	if (!o->n_heads) {
		if (g->n_heads > 1) {
			qp_buf names = QP_BUF_INIT;
			for (i = 0; i < g->n_heads; i++)
				qp_buf_printf(&names, "%s%s", i ? ", " : "", g->heads[i]->info.id);
			error = qp_error_set(QUIPU_EAMBIGUOUS,
			                     "Multiple heads are present (%s); please specify the head revision on which "
			                     "the new revision should be based (--head), or perform a merge "
			                     "(`quipu merge heads -m MSG`)", qp_buf_cstr(&names));
			qp_buf_release(&names);
			goto done;
		}
		if (g->n_heads == 1)
			error = qp_strlist_add(out, g->heads[0]->info.id);
		goto done;
	}
	for (i = 0; i < o->n_heads; i++) {
		size_t j;
		if (!strcmp(o->heads[i], "base"))
			continue;
		qp_revset_release(&set);
		if ((error = qp_graph_resolve(&set, g, o->heads[i], NULL, 0)) < 0)
			goto done;
		if (set.count > 1) {
			error = qp_error_set(QUIPU_EAMBIGUOUS,
			                     "--head %s names %zu revisions; name one, or use `quipu merge` to join them",
			                     o->heads[i], set.count);
			goto done;
		}
		for (j = 0; j < set.count; j++) {
			if (!o->splice && set.items[j]->n_children) {
				error = qp_error_set(QUIPU_EUSAGE,
				                     "Revision %s is not a head revision; please specify --splice to create "
				                     "a new branch from this revision", set.items[j]->info.id);
				goto done;
			}
			if ((error = qp_strlist_add(out, set.items[j]->info.id)) < 0)
				goto done;
		}
	}
done:
	qp_revset_release(&set);
	return error;
}

int quipu_revision_create(char **out_path, char **out_id, const quipu_project *p,
                          const quipu_revision_opts *o)
{
	const qp_config *cfg = &p->cfg;
	const qp_graph *g = &p->graph;
	qp_strlist down = QP_STRLIST_INIT, labels = QP_STRLIST_INIT, deps = QP_STRLIST_INIT;
	qp_buf name = QP_BUF_INIT, text = QP_BUF_INIT;
	qp_revset set = QP_REVSET_INIT;
	char id[QP_REVID_MAX + 1], date[40];
	char *slug = NULL, *path = NULL, *vdir = NULL;
	const char *message = o->message ? o->message : "empty message";
	qp_script_new n;
	size_t i;
	int error = 0, is_merge = 0;

	*out_path = NULL;
	if (out_id)
		*out_id = NULL;
	/* the id */
	if (o->rev_id) {
		if ((error = qp_revid_check(o->rev_id)) < 0)
			goto done;
		if (qp_map_get(&g->by_id, o->rev_id)) {
			error = qp_error_set(QUIPU_EEXISTS, "Revision %s is already present in %s", o->rev_id,
			                     ((qp_rev *)qp_map_get(&g->by_id, o->rev_id))->script->path);
			goto done;
		}
		snprintf(id, sizeof(id), "%s", o->rev_id);
	} else {
		do {
			if ((error = qp_random_hex(id, 12)) < 0)
				goto done;
		} while (qp_map_get(&g->by_id, id));
	}
	if ((error = resolve_heads(&down, p, o, &is_merge)) < 0)
		goto done;
	if (o->branch_label) {
		if ((error = qp_strlist_split(&labels, o->branch_label, ',')) < 0)
			goto done;
		for (i = 0; i < labels.count; i++) {
			qp_rev *owner = qp_map_get(&g->by_label, labels.items[i]);
			if (owner) {
				error = qp_error_set(QUIPU_EEXISTS,
				                     "Branch name '%s' is already used by revision %s (%s); pick another",
				                     labels.items[i], owner->info.id, owner->script->path);
				goto done;
			}
			if ((error = qp_revid_check(labels.items[i])) < 0) {
				error = qp_error_prefix("branch label '%s'", labels.items[i]);
				goto done;
			}
		}
	}
	for (i = 0; i < o->n_depends_on; i++) {
		qp_rev *r = NULL;
		if (qp_map_get(&g->by_label, o->depends_on[i])) {
			if ((error = qp_strlist_add(&deps, o->depends_on[i])) < 0)
				goto done;
			continue;
		}
		if ((error = qp_graph_lookup(&r, g, o->depends_on[i])) < 0)
			goto done;
		if ((error = qp_strlist_add(&deps, r->info.id)) < 0)
			goto done;
	}
	/* the folder */
	if (o->version_path) {
		if (!(vdir = qp_path_absolute(o->version_path))) {
			error = qp_error_oom();
			goto done;
		}
		if (!qp_strlist_contains(&cfg->version_locations, vdir)) {
			error = qp_error_set(QUIPU_EUSAGE,
			                     "Path %s is not represented in current version locations (%s: "
			                     "script_location / version_locations)", o->version_path, cfg->path);
			goto done;
		}
	} else if (cfg->version_locations.count > 1) {
		qp_rev *h = down.count ? qp_map_get(&g->by_id, down.items[0]) : NULL;
		if (!h) {
			error = qp_error_set(QUIPU_EUSAGE,
			                     "Multiple version locations present, please specify --version-path");
			goto done;
		}
		vdir = qp_path_dirname(h->script->path);
	} else {
		vdir = strdup(cfg->version_locations.items[0]);
	}
	if (!vdir) {
		error = qp_error_oom();
		goto done;
	}
	if ((error = qp_mkdir_p(vdir)) < 0)
		goto done;

	if (!(slug = qp_slugify(message, cfg->truncate_slug_length))) {
		error = qp_error_oom();
		goto done;
	}
	if ((error = expand_template(&name, cfg->file_template, id, slug, time(NULL), cfg->timezone)) < 0)
		goto done;
	qp_buf_puts(&name, ".sql");
	if (!(path = qp_path_join(vdir, qp_buf_cstr(&name)))) {
		error = qp_error_oom();
		goto done;
	}
	qp_format_date(date, cfg->timezone);
	memset(&n, 0, sizeof(n));
	n.id = id;
	n.message = message;
	n.create_date = date;
	n.down = &down;
	n.labels = &labels;
	n.depends = &deps;
	n.upgrade_sql = o->upgrade_sql;
	n.downgrade_sql = o->downgrade_sql;
	if ((error = qp_script_render(&text, &n)) < 0)
		goto done;
	if (text.oom) {
		error = qp_error_oom();
		goto done;
	}
	if ((error = qp_write_file(path, text.ptr, text.len, 0)) < 0)
		goto done;
	(void)is_merge;
	*out_path = path;
	path = NULL;
	if (out_id && !(*out_id = strdup(id))) {
		error = qp_error_oom();
		goto done;
	}
done:
	qp_revset_release(&set);
	qp_strlist_release(&down);
	qp_strlist_release(&labels);
	qp_strlist_release(&deps);
	qp_buf_release(&name);
	qp_buf_release(&text);
	free(slug);
	free(path);
	free(vdir);
	return error;
}
