/*
 * config.c: quipu.ini (see config.h, DESIGN §3).
 *
 * libinih finds the structure of the file (sections, `key = value` and
 * `key: value` lines, indented continuation lines, comments). It is fed
 * through a reader that hands it one line at a time, so the handler knows
 * the line it is called for; the handler then takes the value from that raw
 * line itself, as Python's configparser does (inih would cut a value at
 * " ;", configparser keeps it; inih's 200-byte line limit does not apply
 * either, since long lines reach inih shortened).
 *
 * Values are then expanded the way Alembic's ConfigParser does (`%(name)s`,
 * `%%`, with `here` predefined) plus quipu's `${VAR}`.
 * Relative paths (script_location, version_locations, models) are taken from
 * the current directory, as Alembic does; write `%(here)s/...` to anchor
 * them to the file's folder.
 */
#include "core/config.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/fs.h"

#include <ini.h>

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_DEPTH 10        /* configparser's MAX_INTERPOLATION_DEPTH */

/* One `key = value` of the file. */
typedef struct entry {
	char *section;       /* as written */
	char *key;           /* lowercased, as configparser does */
	qp_buf value;        /* raw (unexpanded); continuation lines joined by '\n' */
	int line;            /* 1-based line of the key */
} entry;

/* The parsed file and the state of the inih callbacks. */
typedef struct ini {
	const char *display; /* the path as given, for messages (borrowed) */
	const char *text;    /* the file (borrowed) */
	size_t len;
	size_t pos;          /* reader: offset of the next line */
	int lineno;          /* reader: the line last handed to inih */
	const char *cur;     /* reader: that line, without its line break */
	size_t cur_len;
	entry *items;        /* owned */
	size_t count, cap;
	size_t last;         /* 1 + the index of the entry a continuation line
	                        extends; 0 after a [section] line */
	qp_strlist sections; /* names in file order, [DEFAULT] excluded */
	int error;           /* set by the handler; the message is in the error slot */
} ini;

/* The expansion context of one value. */
typedef struct expander {
	const ini *file;             /* NULL: no `%(key)s` lookups (qp_config_expand) */
	const char *section;
	const char *here;
	const char *const *xargs;
	size_t n_xargs;
} expander;

static void ini_release(ini *f)
{
	size_t i;

	for (i = 0; i < f->count; i++) {
		free(f->items[i].section);
		free(f->items[i].key);
		qp_buf_release(&f->items[i].value);
	}
	free(f->items);
	qp_strlist_release(&f->sections);
	f->items = NULL;
	f->count = f->cap = 0;
}

static const char *lskip(const char *s, const char *end)
{
	while (s < end && isspace((unsigned char)*s))
		s++;
	return s;
}

static const char *rskip(const char *start, const char *end)
{
	while (end > start && isspace((unsigned char)end[-1]))
		end--;
	return end;
}

/*
 * The ini_reader: copies the next line into str. A line that does not fit
 * inih's buffer is handed over shortened to its structure (comment, key, or
 * continuation); the handler reads the value from the raw line anyway.
 */
static char *reader(char *str, int num, void *stream)
{
	ini *f = stream;
	const char *start, *nl, *end, *p;
	size_t n;

	if (f->pos >= f->len || num < 8)
		return NULL;
	start = f->text + f->pos;
	nl = memchr(start, '\n', f->len - f->pos);
	end = nl ? nl : f->text + f->len;
	f->pos = (size_t)((nl ? nl + 1 : end) - f->text);
	f->lineno++;
	f->cur = start;
	f->cur_len = (size_t)(end - start);
	n = f->cur_len;

	/* remember section names, including those without keys */
	p = lskip(start, end);
	if (p < end && *p == '[') {
		const char *close = memchr(p, ']', (size_t)(end - p));
		f->last = 0;                         /* as inih forgets the key */
		if (close && !(close - p - 1 == 7 && !memcmp(p + 1, "DEFAULT", 7))) {
			char *name = strndup(p + 1, (size_t)(close - p - 1));
			if (!qp_strlist_contains(&f->sections, name ? name : "")) {
				if (qp_strlist_take(&f->sections, name) < 0)
					f->error = QUIPU_ENOMEM;
			} else {
				free(name);
			}
		}
	}

	if (n + 2 <= (size_t)num) {
		memcpy(str, start, n);
		str[n] = '\n';
		str[n + 1] = '\0';
		return str;
	}
	if (p < end && (*p == '#' || *p == ';')) {
		strcpy(str, "#\n");
	} else if (p > start) {
		strcpy(str, " x\n");                 /* a continuation line */
	} else {
		const char *d = p;
		while (d < end && *d != '=' && *d != ':')
			d++;
		if (d < end && (size_t)(d - start) + 4 <= (size_t)num) {
			memcpy(str, start, (size_t)(d - start));
			strcpy(str + (d - start), "=x\n");
		} else {
			memcpy(str, start, (size_t)num - 2);   /* inih will reject it */
			str[num - 2] = '\n';
			str[num - 1] = '\0';
		}
	}
	return str;
}

static entry *find_entry(const ini *f, const char *section, const char *key)
{
	size_t i;

	for (i = 0; i < f->count; i++)
		if (!strcmp(f->items[i].section, section) && !strcmp(f->items[i].key, key))
			return &f->items[i];
	return NULL;
}

/* A key of section, else of [DEFAULT]; NULL when neither has it. */
static const entry *lookup(const ini *f, const char *section, const char *key)
{
	const entry *e = find_entry(f, section, key);
	return e ? e : find_entry(f, "DEFAULT", key);
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	ini *f = user;
	const char *line = f->cur, *end = f->cur + f->cur_len, *v;
	entry *e;
	size_t i;

	(void)value;
	if (f->error)
		return 0;
	if (!*section) {
		f->error = qp_error_set(QUIPU_ECONFIG,
		                        "%s:%d: '%s' is outside any section; put it under a [quipu] line",
		                        f->display, f->lineno, name);
		return 0;
	}
	if (line < end && isspace((unsigned char)*line) && f->last) {
		/* an indented continuation of the previous key's value */
		qp_buf *b = &f->items[f->last - 1].value;
		v = lskip(line, end);
		qp_buf_putc(b, '\n');
		qp_buf_put(b, v, (size_t)(rskip(v, end) - v));
		if (b->oom) {
			f->error = qp_error_oom();
			return 0;
		}
		return 1;
	}
	v = line;
	while (v < end && *v != '=' && *v != ':')
		v++;
	v = v < end ? lskip(v + 1, end) : end;

	if (f->count == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		entry *n = realloc(f->items, cap * sizeof(*n));
		if (!n) {
			f->error = qp_error_oom();
			return 0;
		}
		f->items = n;
		f->cap = cap;
	}
	e = &f->items[f->count];
	memset(e, 0, sizeof(*e));
	e->section = strdup(section);
	e->key = strdup(name);
	e->line = f->lineno;
	if (!e->section || !e->key) {
		free(e->section);
		free(e->key);
		f->error = qp_error_oom();
		return 0;
	}
	for (i = 0; e->key[i]; i++)
		e->key[i] = (char)tolower((unsigned char)e->key[i]);
	{
		const entry *first = find_entry(f, e->section, e->key);
		if (first) {
			f->error = qp_error_set(QUIPU_ECONFIG,
			                        "%s:%d: '%s' is set twice in [%s] (first on line %d); keep one",
			                        f->display, f->lineno, e->key, e->section, first->line);
			free(e->section);
			free(e->key);
			return 0;
		}
	}
	qp_buf_put(&e->value, v, (size_t)(rskip(v, end) - v));
	f->count++;
	f->last = f->count;
	if (e->value.oom) {
		f->error = qp_error_oom();
		return 0;
	}
	return 1;
}

/* Parses text into f. */
static int ini_load(ini *f, const char *display, const char *text, size_t len)
{
	int rc;

	memset(f, 0, sizeof(*f));
	f->display = display;
	f->text = text;
	f->len = len;
	if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
		f->pos = 3;                  /* a UTF-8 BOM */
	rc = ini_parse_stream(reader, f, handler, f);
	if (f->error)
		return f->error;
	if (rc == -2)
		return qp_error_oom();
	if (rc != 0)
		return qp_error_set(QUIPU_ECONFIG,
		                    "%s:%d: not a `key = value` line, a [section] line or a comment; fix or remove it",
		                    display, rc);
	return 0;
}

/* The value of -x NAME=VALUE (the last one given), or NULL. */
static const char *xarg(const char *const *xargs, size_t n, const char *name, size_t name_len)
{
	size_t i;

	for (i = n; i > 0; i--) {
		const char *a = xargs[i - 1];
		if (a && !strncmp(a, name, name_len) && a[name_len] == '=')
			return a + name_len + 1;
	}
	return NULL;
}

/* `${NAME}` at p? Returns the length of NAME (0: not a reference). */
static size_t var_ref(const char *p)
{
	size_t n = 0;

	if (p[0] != '$' || p[1] != '{')
		return 0;
	p += 2;
	if (!isalpha((unsigned char)*p) && *p != '_')
		return 0;
	while (isalnum((unsigned char)p[n]) || p[n] == '_')
		n++;
	return p[n] == '}' ? n : 0;
}

static int expand(qp_buf *out, const expander *x, const char *value, const char *where, int depth);

/* Appends the expansion of `%(name)s`. */
static int expand_name(qp_buf *out, const expander *x, const char *name, size_t n,
                       const char *where, int depth)
{
	char *key = strndup(name, n);
	const entry *e = NULL;
	size_t i;
	int error = 0;

	if (!key)
		return qp_error_oom();
	for (i = 0; key[i]; i++)
		key[i] = (char)tolower((unsigned char)key[i]);
	if (x->file)
		e = lookup(x->file, x->section, key);
	if (e) {
		char ewhere[64 + 4096];
		if (depth >= MAX_DEPTH) {
			error = qp_error_set(QUIPU_ECONFIG,
			                     "%s: %%(%s)s refers to itself through other keys; break the loop",
			                     where, key);
			goto done;
		}
		snprintf(ewhere, sizeof(ewhere), "%s:%d", x->file->display, e->line);
		error = expand(out, x, qp_buf_cstr(&e->value), ewhere, depth + 1);
	} else if (!strcmp(key, "here") && x->here) {
		qp_buf_puts(out, x->here);
	} else if (!x->file) {
		qp_buf_printf(out, "%%(%.*s)s", (int)n, name);   /* left for a later step */
	} else {
		error = qp_error_set(QUIPU_ECONFIG,
		                     "%s: %%(%s)s names no key of [%s] or [DEFAULT]; add `%s = ...`, or write %%%% for a literal %%",
		                     where, key, x->section, key);
	}
done:
	free(key);
	return error;
}

/*
 * Appends the expansion of value: `%%` -> `%`, `%(name)s` -> the expanded
 * value of key name (or the file's folder for `here`), `${VAR}` -> -x VAR,
 * else $VAR.
 */
static int expand(qp_buf *out, const expander *x, const char *value, const char *where, int depth)
{
	const char *p = value;
	int error;

	while (*p) {
		size_t n;
		if (p[0] == '%' && p[1] == '%') {
			qp_buf_putc(out, '%');
			p += 2;
		} else if (p[0] == '%' && p[1] == '(') {
			const char *close = strstr(p + 2, ")s");
			if (!close || close == p + 2 || memchr(p + 2, ')', (size_t)(close - p - 2))) {
				if (!x->file) {
					qp_buf_putc(out, *p++);
					continue;
				}
				return qp_error_set(QUIPU_ECONFIG,
				                    "%s: a '%%(' without its ')s'; write %%(name)s, or %%%% for a literal %%",
				                    where);
			}
			if ((error = expand_name(out, x, p + 2, (size_t)(close - p - 2), where, depth)) < 0)
				return error;
			p = close + 2;
		} else if (p[0] == '%') {
			if (!x->file) {
				qp_buf_putc(out, *p++);
				continue;
			}
			return qp_error_set(QUIPU_ECONFIG,
			                    "%s: a lone '%%' (configparser syntax: %%(name)s inserts a key); write %%%% for a literal %%",
			                    where);
		} else if ((n = var_ref(p)) > 0) {
			const char *name = p + 2, *v = xarg(x->xargs, x->n_xargs, name, n);
			if (!v) {
				char env[256];
				if (n < sizeof(env)) {
					memcpy(env, name, n);
					env[n] = '\0';
					v = getenv(env);
				}
			}
			if (!v)
				return qp_error_set(QUIPU_ECONFIG,
				                    "%s: ${%.*s} is not set; export %.*s or pass -x %.*s=value",
				                    where, (int)n, name, (int)n, name, (int)n, name);
			qp_buf_puts(out, v);
			p += n + 3;
		} else {
			qp_buf_putc(out, *p++);
		}
	}
	return out->oom ? qp_error_oom() : 0;
}

int qp_config_expand(char **out, const char *value, const char *here,
                     const char *const *xargs, size_t n_xargs, const char *where)
{
	expander x = {NULL, NULL, here, xargs, n_xargs};
	qp_buf b = QP_BUF_INIT;
	int error;

	*out = NULL;
	if ((error = expand(&b, &x, value, where ? where : "quipu.ini", 0)) < 0) {
		qp_buf_release(&b);
		return error;
	}
	*out = b.ptr ? qp_buf_detach(&b) : strdup("");
	return *out ? 0 : qp_error_oom();
}

/*
 * The expanded value of key in *out (NULL when the key is absent or, unless
 * keep_empty, empty). *line_out gets its line (0 when absent).
 */
static int get_value(char **out, int *line_out, const ini *f, const expander *x,
                     const char *key, int keep_empty)
{
	const entry *e = lookup(f, x->section, key);
	qp_buf b = QP_BUF_INIT;
	char where[4096 + 32];
	int error;

	*out = NULL;
	if (line_out)
		*line_out = e ? e->line : 0;
	if (!e)
		return 0;
	snprintf(where, sizeof(where), "%s:%d", f->display, e->line);
	if ((error = expand(&b, x, qp_buf_cstr(&e->value), where, 0)) < 0) {
		qp_buf_release(&b);
		return error;
	}
	if (!b.len && !keep_empty)
		return 0;
	*out = b.ptr ? qp_buf_detach(&b) : strdup("");
	return *out ? 0 : qp_error_oom();
}

/* configparser's getboolean() words. */
static int parse_bool(int *out, const char *s)
{
	static const char *yes[] = {"1", "yes", "true", "on"}, *no[] = {"0", "no", "false", "off"};
	size_t i;

	for (i = 0; i < 4; i++) {
		if (!strcasecmp(s, yes[i])) {
			*out = 1;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

/* Splits version_locations as Alembic does (version_path_separator). */
static int split_locations(qp_strlist *out, const char *s, const char *sepname,
                           const char *display, int sep_line)
{
	char sep = 0;
	const char *p = s;

	if (sepname) {
		if (!strcmp(sepname, "space"))
			sep = ' ';
		else if (!strcmp(sepname, "os"))
			sep = ':';               /* os.pathsep on POSIX */
		else if (!strcmp(sepname, ":") || !strcmp(sepname, ";"))
			sep = sepname[0];
		else
			return qp_error_set(QUIPU_ECONFIG,
			                    "%s:%d: version_path_separator = '%s' is not one of space, os, ':' or ';'; use one of them",
			                    display, sep_line, sepname);
	}
	while (*p) {
		const char *e = p;
		/* no separator named: commas and blanks (Alembic's ", *| +"); a
		 * continuation line's line break counts as a blank either way */
		while (*e && *e != '\n' && !(sep ? *e == sep : (*e == ',' || *e == ' ' || *e == '\t')))
			e++;
		if (e > p) {
			const char *a = lskip(p, e), *z = rskip(a, e);
			if (z > a && qp_strlist_take(out, strndup(a, (size_t)(z - a))) < 0)
				return QUIPU_ENOMEM;
		}
		p = *e ? e + 1 : e;
	}
	return 0;
}

/* Makes *path absolute (relative to the current directory). */
static int absolutize(char **path)
{
	char *abs;

	if (!*path)
		return 0;
	if (!(abs = qp_path_absolute(*path)))
		return qp_error_oom();
	free(*path);
	*path = abs;
	return 0;
}

/* The sections of the file as "[a], [b]" or "no sections". Caller frees. */
static char *section_names(const ini *f)
{
	qp_buf b = QP_BUF_INIT;
	size_t i;

	if (!f->sections.count)
		return strdup("no sections");
	qp_buf_puts(&b, "the sections ");
	for (i = 0; i < f->sections.count; i++)
		qp_buf_printf(&b, "%s[%s]", i ? ", " : "", f->sections.items[i]);
	return qp_buf_detach(&b);
}

void qp_config_release(qp_config *cfg)
{
	if (!cfg)
		return;
	free(cfg->path);
	free(cfg->here);
	free(cfg->section);
	free(cfg->script_location);
	qp_strlist_release(&cfg->version_locations);
	free(cfg->url);
	free(cfg->models);
	free(cfg->dev_url);
	free(cfg->version_table);
	free(cfg->version_table_schema);
	free(cfg->file_template);
	free(cfg->timezone);
	memset(cfg, 0, sizeof(*cfg));
}

int qp_config_load(qp_config *out, const char *path, const char *section,
                   const char *url_override, const char *const *xargs, size_t n_xargs)
{
	qp_config cfg;
	ini f;
	expander x;
	const char *display, *env;
	char *text = NULL, *s = NULL, *sep = NULL;
	size_t len = 0, i;
	int error = 0, line = 0, sep_line = 0;

	memset(&cfg, 0, sizeof(cfg));
	memset(&f, 0, sizeof(f));
	memset(out, 0, sizeof(*out));

	if (path && *path)
		display = path;
	else if ((env = getenv("QUIPU_CONFIG")) && *env)
		display = env;
	else
		display = "quipu.ini";
	if ((error = qp_read_file(&text, &len, display)) < 0) {
		if (error == QUIPU_ENOTFOUND)
			error = qp_error_set(QUIPU_ENOTFOUND,
			                     "No config file '%s' found; run `quipu init migrations` to create one, or pass -c FILE",
			                     display);
		goto done;
	}
	if ((error = ini_load(&f, display, text, len)) < 0)
		goto done;

	/* the section */
	if (section && *section) {
		cfg.section = strdup(section);
	} else if (!qp_strlist_contains(&f.sections, "quipu") &&
	           qp_strlist_contains(&f.sections, "alembic")) {
		cfg.section = strdup("alembic");
	} else {
		cfg.section = strdup("quipu");
	}
	if (!cfg.section) {
		error = qp_error_oom();
		goto done;
	}
	if (!qp_strlist_contains(&f.sections, cfg.section)) {
		char *names = section_names(&f);
		error = qp_error_set(QUIPU_ECONFIG,
		                     "%s: no [%s] section (the file has %s); add a [%s] section%s",
		                     display, cfg.section, names ? names : "?", cfg.section,
		                     section && *section ? ", or pass another -n NAME" : ", or pass -n NAME");
		free(names);
		goto done;
	}

	if (!(cfg.path = qp_path_absolute(display)) || !(cfg.here = qp_path_dirname(cfg.path))) {
		error = qp_error_oom();
		goto done;
	}
	x.file = &f;
	x.section = cfg.section;
	x.here = cfg.here;
	x.xargs = xargs;
	x.n_xargs = n_xargs;

	/* script_location, version_locations */
	if ((error = get_value(&cfg.script_location, &line, &f, &x, "script_location", 0)) < 0)
		goto done;
	if (!cfg.script_location) {
		error = qp_error_set(QUIPU_ECONFIG,
		                     "%s: no script_location in [%s]; add `script_location = %%(here)s/migrations` (the folder that holds versions/)",
		                     display, cfg.section);
		goto done;
	}
	if ((error = absolutize(&cfg.script_location)) < 0)
		goto done;
	if ((error = get_value(&sep, &sep_line, &f, &x, "version_path_separator", 0)) < 0)
		goto done;
	if ((error = get_value(&s, &line, &f, &x, "version_locations", 0)) < 0)
		goto done;
	if (s && (error = split_locations(&cfg.version_locations, s, sep, display,
	                                  sep_line)) < 0)
		goto done;
	for (i = 0; i < cfg.version_locations.count; i++)
		if ((error = absolutize(&cfg.version_locations.items[i])) < 0)
			goto done;
	if (!cfg.version_locations.count &&
	    (error = qp_strlist_take(&cfg.version_locations,
	                             qp_path_join(cfg.script_location, "versions"))) < 0)
		goto done;
	free(s);
	s = NULL;

	/* the URL: --url, $QUIPU_DATABASE_URL, $DATABASE_URL, the file */
	if (url_override && *url_override) {
		cfg.url = strdup(url_override);
		cfg.url_source = "--url";
	} else if ((env = getenv("QUIPU_DATABASE_URL")) && *env) {
		cfg.url = strdup(env);
		cfg.url_source = "QUIPU_DATABASE_URL";
	} else if ((env = getenv("DATABASE_URL")) && *env) {
		cfg.url = strdup(env);
		cfg.url_source = "DATABASE_URL";
	} else {
		if ((error = get_value(&cfg.url, &line, &f, &x, "sqlalchemy.url", 0)) < 0)
			goto done;
		if (!cfg.url && (error = get_value(&cfg.url, &line, &f, &x, "url", 0)) < 0)
			goto done;
		if (cfg.url)
			cfg.url_source = "file";
	}
	if (cfg.url_source && !cfg.url) {
		error = qp_error_oom();
		goto done;
	}

	if ((error = get_value(&cfg.models, &line, &f, &x, "models", 0)) < 0 ||
	    (error = absolutize(&cfg.models)) < 0 ||
	    (error = get_value(&cfg.dev_url, &line, &f, &x, "dev_url", 0)) < 0 ||
	    (error = get_value(&cfg.version_table, &line, &f, &x, "version_table", 0)) < 0 ||
	    (error = get_value(&cfg.version_table_schema, &line, &f, &x, "version_table_schema", 0)) < 0 ||
	    (error = get_value(&cfg.file_template, &line, &f, &x, "file_template", 0)) < 0 ||
	    (error = get_value(&cfg.timezone, &line, &f, &x, "timezone", 0)) < 0)
		goto done;
	if (!cfg.version_table && !(cfg.version_table = strdup("alembic_version"))) {
		error = qp_error_oom();
		goto done;
	}
	if (!cfg.file_template && !(cfg.file_template = strdup("%(rev)s_%(slug)s"))) {
		error = qp_error_oom();
		goto done;
	}

	cfg.transaction_per_migration = 1;
	if ((error = get_value(&s, &line, &f, &x, "transaction_per_migration", 0)) < 0)
		goto done;
	if (s && parse_bool(&cfg.transaction_per_migration, s) < 0) {
		error = qp_error_set(QUIPU_ECONFIG,
		                     "%s:%d: transaction_per_migration = '%s' is not a boolean; write true or false (yes/no, on/off and 1/0 work too)",
		                     display, line, s);
		goto done;
	}
	free(s);
	s = NULL;

	cfg.parse_models = 1;
	if ((error = get_value(&s, &line, &f, &x, "parse_models", 0)) < 0)
		goto done;
	if (s && parse_bool(&cfg.parse_models, s) < 0) {
		error = qp_error_set(QUIPU_ECONFIG,
		                     "%s:%d: parse_models = '%s' is not a boolean; write true or false (false: always load the models into a scratch database)",
		                     display, line, s);
		goto done;
	}
	free(s);
	s = NULL;

	cfg.truncate_slug_length = 40;
	if ((error = get_value(&s, &line, &f, &x, "truncate_slug_length", 0)) < 0)
		goto done;
	if (s) {
		char *end;
		long v;
		errno = 0;
		v = strtol(s, &end, 10);
		if (errno || end == s || *lskip(end, end + strlen(end)) || v < 0 || v > 1000) {
			error = qp_error_set(QUIPU_ECONFIG,
			                     "%s:%d: truncate_slug_length = '%s' is not a whole number from 0 to 1000; write e.g. 40",
			                     display, line, s);
			goto done;
		}
		cfg.truncate_slug_length = v ? (int)v : 40;   /* Alembic: `or 40` */
	}
	free(s);
	s = NULL;

	if ((error = get_value(&s, &line, &f, &x, "lock_timeout", 0)) < 0)
		goto done;
	if (s) {
		char *end;
		double v;
		errno = 0;
		v = strtod(s, &end);
		if (errno || end == s || *lskip(end, end + strlen(end)) || !isfinite(v) || v < 0) {
			error = qp_error_set(QUIPU_ECONFIG,
			                     "%s:%d: lock_timeout = '%s' is not a number of seconds; write e.g. 30 or 2.5 (0 waits for ever)",
			                     display, line, s);
			goto done;
		}
		cfg.lock_timeout = v;
	}

	*out = cfg;
	memset(&cfg, 0, sizeof(cfg));
done:
	free(s);
	free(sep);
	ini_release(&f);
	free(text);
	qp_config_release(&cfg);
	return error;
}
