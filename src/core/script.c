/*
 * script.c: revision files (see script.h, DESIGN §2): parsing, rendering,
 * revision id rules and Alembic's slug for file names.
 *
 * A file is read line by line. Everything before the first `-- migrate:`
 * marker is the header: `--` comment lines (the first is the message, the
 * others may carry `Key: value`) and blank lines; any other text there is an
 * error. Markers are recognised at the start of a line (after blanks), so a
 * marker inside a string or a dollar-quoted body still counts as one, as in
 * dbmate.
 */
#include "core/script.h"
#include "util/err.h"
#include "util/fs.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define REVID_RULES "(at most 32 characters, the width of alembic_version.version_num)"

/* Why id is not a valid revision id, or NULL. The text is static. */
static const char *revid_problem(const char *id)
{
	const char *p;

	if (!id || !*id)
		return "it is empty";
	if (strlen(id) > QP_REVID_MAX)
		return "it is longer than 32 characters";
	for (p = id; *p; p++) {
		switch (*p) {
		case '@': return "it contains '@'";
		case '-': return "it contains '-'";
		case '+': return "it contains '+'";
		case ':': return "it contains ':'";
		case ',': return "it contains ','";
		}
		if (isspace((unsigned char)*p))
			return "it contains a blank";
		if (iscntrl((unsigned char)*p))
			return "it contains a control character";
	}
	return NULL;
}

int qp_revid_check(const char *id)
{
	const char *why = revid_problem(id);

	if (!why)
		return 0;
	return qp_error_set(QUIPU_EUSAGE,
	                    "'%s' cannot be a revision id: %s; use letters, digits and '_' " REVID_RULES,
	                    id ? id : "", why);
}

/* One line of the file: [start, end) without the line break. */
typedef struct line {
	const char *start;
	const char *end;      /* before "\r\n" / "\n" */
	const char *next;     /* the start of the following line, or the end of text */
	int no;               /* 1-based */
} line;

static int next_line(line *l, const char *text, size_t len, const char *pos, int no)
{
	const char *stop = text + len, *nl;

	if (pos >= stop)
		return 0;
	nl = memchr(pos, '\n', (size_t)(stop - pos));
	l->start = pos;
	l->next = nl ? nl + 1 : stop;
	l->end = nl ? nl : stop;
	if (l->end > l->start && l->end[-1] == '\r')
		l->end--;
	l->no = no;
	return 1;
}

static const char *skip_blanks(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

static const char *trim_end(const char *start, const char *end)
{
	while (end > start && isspace((unsigned char)end[-1]))
		end--;
	return end;
}

/* After leading blanks, does the line begin with `--`? Sets *body past it. */
static int is_comment(const line *l, const char **body)
{
	const char *p = skip_blanks(l->start, l->end);

	if (l->end - p < 2 || p[0] != '-' || p[1] != '-')
		return 0;
	*body = p + 2;
	return 1;
}

static int is_blank(const line *l)
{
	return skip_blanks(l->start, l->end) == trim_end(l->start, l->end);
}

/* `-- migrate:...`: returns 1 and sets *word past "migrate:". */
static int is_marker(const line *l, const char **word)
{
	const char *p;

	if (!is_comment(l, &p))
		return 0;
	p = skip_blanks(p, l->end);
	if (l->end - p < 8 || memcmp(p, "migrate:", 8))
		return 0;
	*word = p + 8;
	return 1;
}

static int span_is(const char *s, const char *e, const char *word)
{
	size_t n = strlen(word);
	return (size_t)(e - s) == n && !memcmp(s, word, n);
}

/* Parses the marker line's direction and options into *sec. *is_up: 1 upgrade, 0 downgrade. */
static int parse_marker(const char *path, const line *l, const char *word,
                        qp_section *sec, int *is_up)
{
	const char *w = word, *e;

	e = w;
	while (e < l->end && !isspace((unsigned char)*e))
		e++;
	if (span_is(w, e, "upgrade"))
		*is_up = 1;
	else if (span_is(w, e, "downgrade"))
		*is_up = 0;
	else
		return qp_error_set(QUIPU_EPARSE,
		                    "%s:%d: unknown marker '-- migrate:%.*s'; write `-- migrate:upgrade` or `-- migrate:downgrade`",
		                    path, l->no, (int)(e - w), w);
	sec->present = 1;
	sec->transaction = 1;
	for (;;) {
		w = skip_blanks(e, l->end);
		e = w;
		while (e < l->end && !isspace((unsigned char)*e))
			e++;
		if (w == e)
			break;
		if (span_is(w, e, "transaction:false"))
			sec->transaction = 0;
		else if (span_is(w, e, "transaction:true"))
			sec->transaction = 1;
		else
			return qp_error_set(QUIPU_EPARSE,
			                    "%s:%d: unknown option '%.*s' after -- migrate:%s; the known options are transaction:false and transaction:true",
			                    path, l->no, (int)(e - w), w, *is_up ? "upgrade" : "downgrade");
	}
	return 0;
}

/* "Key:" at p (after `--` and blanks)? Sets *value to the trimmed rest. */
static int header_key(const char *p, const char *end, const char *key,
                      const char **value, const char **value_end)
{
	size_t n = strlen(key);

	if ((size_t)(end - p) < n || memcmp(p, key, n))
		return 0;
	*value = skip_blanks(p + n, end);
	*value_end = trim_end(*value, end);
	return 1;
}

/* Splits a comma list; when ids, each item must be a valid revision id. */
static int split_list(qp_strlist *out, const char *path, int lineno, const char *what,
                      const char *v, const char *ve, int ids)
{
	char *copy = strndup(v, (size_t)(ve - v));
	size_t i;
	int error = 0;

	if (!copy)
		return qp_error_oom();
	if ((error = qp_strlist_split(out, copy, ',')) < 0)
		goto done;
	for (i = 0; ids && i < out->count; i++) {
		const char *why = revid_problem(out->items[i]);
		if (why) {
			error = qp_error_set(QUIPU_EPARSE,
			                     "%s:%d: '%s' in '-- %s' cannot be a revision id: %s; fix the id " REVID_RULES,
			                     path, lineno, out->items[i], what, why);
			goto done;
		}
	}
done:
	free(copy);
	return error;
}

/* Which header keys were seen, on which line (0: not yet). */
typedef struct header_seen {
	int id, down, date, labels, depends;
} header_seen;

static int duplicate(const char *path, int lineno, const char *key, int first)
{
	return qp_error_set(QUIPU_EPARSE, "%s:%d: a second '-- %s' line (the first is on line %d); keep one",
	                    path, lineno, key, first);
}

static int parse_header_line(qp_script *s, const char *path, const line *l,
                             const char *body, int first_comment, header_seen *seen)
{
	const char *p = skip_blanks(body, l->end), *v, *ve;
	int error = 0;

	if (header_key(p, l->end, "Revision ID:", &v, &ve)) {
		const char *why;
		if (seen->id)
			return duplicate(path, l->no, "Revision ID:", seen->id);
		seen->id = l->no;
		if (!(s->id = strndup(v, (size_t)(ve - v))))
			return qp_error_oom();
		if ((why = revid_problem(s->id)))
			return qp_error_set(QUIPU_EPARSE,
			                    "%s:%d: '%s' cannot be a revision id: %s; fix the id " REVID_RULES,
			                    path, l->no, s->id, why);
	} else if (header_key(p, l->end, "Revises:", &v, &ve)) {
		if (seen->down)
			return duplicate(path, l->no, "Revises:", seen->down);
		seen->down = l->no;
		error = split_list(&s->down, path, l->no, "Revises:", v, ve, 1);
	} else if (header_key(p, l->end, "Create Date:", &v, &ve)) {
		if (seen->date)
			return duplicate(path, l->no, "Create Date:", seen->date);
		seen->date = l->no;
		free(s->create_date);
		if (!(s->create_date = strndup(v, (size_t)(ve - v))))
			return qp_error_oom();
	} else if (header_key(p, l->end, "Branch Labels:", &v, &ve)) {
		if (seen->labels)
			return duplicate(path, l->no, "Branch Labels:", seen->labels);
		seen->labels = l->no;
		error = split_list(&s->labels, path, l->no, "Branch Labels:", v, ve, 0);
	} else if (header_key(p, l->end, "Depends On:", &v, &ve)) {
		if (seen->depends)
			return duplicate(path, l->no, "Depends On:", seen->depends);
		seen->depends = l->no;
		error = split_list(&s->depends, path, l->no, "Depends On:", v, ve, 0);
	} else if (first_comment) {
		free(s->message);
		if (!(s->message = strndup(p, (size_t)(trim_end(p, l->end) - p))))
			return qp_error_oom();
	}
	return error;
}

int qp_script_parse(qp_script *out, const char *path, char *text, size_t len)
{
	qp_script s;
	header_seen seen = {0, 0, 0, 0, 0};
	line l;
	const char *pos, *word, *body;
	qp_section *open = NULL;     /* the section being read */
	int no = 1, in_header = 1, first_comment = 1, up_line = 0, down_line = 0;
	int last_line = 0, error = 0;

	memset(&s, 0, sizeof(s));
	memset(out, 0, sizeof(*out));
	s.text = text;
	s.text_len = len;
	if (!(s.path = strdup(path)) || !(s.message = strdup("")) ||
	    !(s.create_date = strdup(""))) {
		error = qp_error_oom();
		goto done;
	}
	pos = text;
	if (len >= 3 && !memcmp(pos, "\xEF\xBB\xBF", 3))   /* a UTF-8 BOM */
		pos += 3;

	for (; next_line(&l, text, len, pos, no); pos = l.next, no++) {
		last_line = l.no;
		if (is_marker(&l, &word)) {
			qp_section sec = {0, 0, 0, 0, 1};
			int is_up = 0;

			if ((error = parse_marker(path, &l, word, &sec, &is_up)) < 0)
				goto done;
			if (open)
				open->length = (size_t)(l.start - (text + open->offset));
			if (is_up && up_line) {
				error = qp_error_set(QUIPU_EPARSE,
				                     "%s:%d: a second '-- migrate:upgrade' (the first is on line %d); keep one upgrade section",
				                     path, l.no, up_line);
				goto done;
			}
			if (!is_up && down_line) {
				error = qp_error_set(QUIPU_EPARSE,
				                     "%s:%d: a second '-- migrate:downgrade' (the first is on line %d); keep one downgrade section",
				                     path, l.no, down_line);
				goto done;
			}
			if (!is_up && !up_line) {
				error = qp_error_set(QUIPU_EPARSE,
				                     "%s:%d: '-- migrate:downgrade' comes before '-- migrate:upgrade'; put the upgrade section first",
				                     path, l.no);
				goto done;
			}
			sec.offset = (size_t)(l.next - text);
			sec.line = l.no + 1;
			if (is_up) {
				up_line = l.no;
				s.up = sec;
				open = &s.up;
			} else {
				down_line = l.no;
				s.downgrade = sec;
				open = &s.downgrade;
			}
			in_header = 0;
			continue;
		}
		if (!in_header)
			continue;
		if (is_comment(&l, &body)) {
			if ((error = parse_header_line(&s, path, &l, body, first_comment, &seen)) < 0)
				goto done;
			first_comment = 0;
		} else if (!is_blank(&l)) {
			error = qp_error_set(QUIPU_EPARSE,
			                     "%s:%d: SQL before '-- migrate:upgrade'; put a `-- migrate:upgrade` line above it",
			                     path, l.no);
			goto done;
		}
	}
	if (open)
		open->length = len - open->offset;

	if (!seen.id) {
		error = qp_error_set(QUIPU_EPARSE,
		                     "%s:1: no '-- Revision ID:' line in the header; add `-- Revision ID: <id>`",
		                     path);
		goto done;
	}
	if (!up_line) {
		error = qp_error_set(QUIPU_EPARSE,
		                     "%s:%d: no '-- migrate:upgrade' line; add `-- migrate:upgrade` after the header, above the upgrade SQL",
		                     path, last_line ? last_line : 1);
		goto done;
	}
	*out = s;
	memset(&s, 0, sizeof(s));
done:
	qp_script_release(&s);
	return error;
}

int qp_script_load(qp_script *out, const char *path)
{
	char *text = NULL;
	size_t len = 0;
	int error;

	memset(out, 0, sizeof(*out));
	if ((error = qp_read_file(&text, &len, path)) < 0)
		return error;
	return qp_script_parse(out, path, text, len);   /* takes text */
}

void qp_script_release(qp_script *s)
{
	if (!s)
		return;
	if (s->borrowed) {
		memset(s, 0, sizeof(*s));
		return;
	}
	free(s->path);
	free(s->id);
	free(s->message);
	free(s->create_date);
	qp_strlist_release(&s->down);
	qp_strlist_release(&s->labels);
	qp_strlist_release(&s->depends);
	free(s->text);
	memset(s, 0, sizeof(*s));
}

/* "-- Key: a, b" (no trailing blank when the list is empty). */
static void render_list(qp_buf *b, const char *key, const qp_strlist *l)
{
	size_t i;

	qp_buf_printf(b, "-- %s:", key);
	for (i = 0; l && i < l->count; i++)
		qp_buf_printf(b, "%s%s", i ? ", " : " ", l->items[i]);
	qp_buf_putc(b, '\n');
}

/* One line of text with every line break turned into a blank. */
static void render_one_line(qp_buf *b, const char *s)
{
	for (; s && *s; s++)
		qp_buf_putc(b, *s == '\n' || *s == '\r' ? ' ' : *s);
}

static void render_sql(qp_buf *b, const char *sql, const char *placeholder)
{
	size_t n;

	if (!sql)
		sql = placeholder;
	n = strlen(sql);
	qp_buf_put(b, sql, n);
	if (n && sql[n - 1] != '\n')
		qp_buf_putc(b, '\n');
}

int qp_script_render(qp_buf *out, const qp_script_new *n)
{
	const char *why = revid_problem(n->id);
	size_t i;

	if (why)
		return qp_revid_check(n->id);
	for (i = 0; n->down && i < n->down->count; i++)
		if (revid_problem(n->down->items[i]))
			return qp_revid_check(n->down->items[i]);

	qp_buf_puts(out, "--");
	if (n->message && *n->message) {
		qp_buf_putc(out, ' ');
		render_one_line(out, n->message);
	}
	qp_buf_puts(out, "\n--\n");
	qp_buf_printf(out, "-- Revision ID: %s\n", n->id);
	render_list(out, "Revises", n->down);
	qp_buf_puts(out, "-- Create Date:");
	if (n->create_date && *n->create_date) {
		qp_buf_putc(out, ' ');
		render_one_line(out, n->create_date);
	}
	qp_buf_putc(out, '\n');
	render_list(out, "Branch Labels", n->labels);
	render_list(out, "Depends On", n->depends);
	qp_buf_puts(out, "\n-- migrate:upgrade\n");
	render_sql(out, n->upgrade_sql, "-- write the upgrade SQL here\n");
	qp_buf_puts(out, "\n-- migrate:downgrade\n");
	render_sql(out, n->downgrade_sql, "-- write the SQL that undoes the upgrade here\n");
	return out->oom ? qp_error_oom() : 0;
}

/*
 * Alembic (script/base.py, _rev_path):
 *   slug = "_".join(re.findall(r"\w+", message)).lower()
 *   if len(slug) > truncate_slug_length:
 *       slug = slug[:truncate_slug_length].rsplit("_", 1)[0] + "_"
 * \w is [A-Za-z0-9_] plus, in Python 3, every non-ASCII letter or digit;
 * here every non-ASCII byte counts as a word character and lengths are
 * counted in UTF-8 characters, as Python counts them. Lowercasing is ASCII.
 */
char *qp_slugify(const char *message, int max)
{
	qp_buf b = QP_BUF_INIT;
	const unsigned char *p = (const unsigned char *)(message ? message : "");
	size_t chars = 0, i, cut = 0, n;
	int in_word = 0;

	if (max <= 0)
		max = 40;           /* Alembic: truncate_slug_length or 40 */
	for (; *p; p++) {
		int w = isalnum(*p) || *p == '_' || *p >= 0x80;
		if (w) {
			if (!in_word && b.len)
				qp_buf_putc(&b, '_');
			qp_buf_putc(&b, (char)tolower(*p));
		}
		in_word = w;
	}
	if (b.oom)
		return NULL;
	if (!b.ptr)
		return strdup("");
	for (i = 0; i < b.len; i++)
		if (((unsigned char)b.ptr[i] & 0xC0) != 0x80)
			chars++;
	if (chars <= (size_t)max)
		return qp_buf_detach(&b);
	/* slug[:max]: the byte offset where character number max starts */
	for (i = 0, n = 0; i < b.len; i++) {
		if (((unsigned char)b.ptr[i] & 0xC0) != 0x80) {
			if (n == (size_t)max)
				break;
			n++;
		}
	}
	cut = i;
	/* .rsplit("_", 1)[0] + "_" */
	for (i = cut; i > 0; i--)
		if (b.ptr[i - 1] == '_')
			break;
	qp_buf_truncate(&b, i > 0 ? i : cut);
	if (i == 0)
		qp_buf_putc(&b, '_');
	return qp_buf_detach(&b);
}
