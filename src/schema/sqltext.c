/*
 * sqltext.c: SQL text where the server does not render it: a tokenizer,
 * the canonical form, and a CREATE TABLE parser (see sqltext.h). Keywords
 * are SQLite's own list (sqlite3_keyword_check).
 */
#include "schema/sqltext.h"
#include "util/err.h"

#include <ctype.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- tokens ----------------------------------------------------------- */

static int word_start(unsigned char c)
{
	return isalpha(c) || c == '_' || c >= 0x80;
}

static int word_char(unsigned char c)
{
	return isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

qp_tok qp_tok_next(const char *s, size_t len, size_t *pos)
{
	qp_tok t = {QP_TK_END, s + len, 0};
	size_t i = *pos, j;

	for (;;) {
		while (i < len && isspace((unsigned char)s[i]))
			i++;
		if (i + 1 < len && s[i] == '-' && s[i + 1] == '-') {
			while (i < len && s[i] != '\n')
				i++;
		} else if (i + 1 < len && s[i] == '/' && s[i + 1] == '*') {
			i += 2;
			while (i + 1 < len && !(s[i] == '*' && s[i + 1] == '/'))
				i++;
			i = i + 2 <= len ? i + 2 : len;
		} else {
			break;
		}
	}
	if (i >= len) {
		*pos = len;
		return t;
	}
	j = i;
	if ((s[i] == 'x' || s[i] == 'X') && i + 1 < len && s[i + 1] == '\'') {
		j = i + 2;
		while (j < len && s[j] != '\'')
			j++;
		t.type = QP_TK_BLOB;
		j = j < len ? j + 1 : len;
	} else if (word_start((unsigned char)s[i])) {
		while (j < len && word_char((unsigned char)s[j]))
			j++;
		t.type = QP_TK_WORD;
	} else if (s[i] == '"' || s[i] == '`' || s[i] == '[' || s[i] == '\'') {
		char close = s[i] == '[' ? ']' : s[i];
		j = i + 1;
		while (j < len) {
			if (s[j] == close) {
				if (close != ']' && j + 1 < len && s[j + 1] == close) {
					j += 2;
					continue;
				}
				break;
			}
			j++;
		}
		j = j < len ? j + 1 : len;
		t.type = s[i] == '\'' ? QP_TK_STRING : QP_TK_QUOTED;
	} else if (isdigit((unsigned char)s[i]) || (s[i] == '.' && i + 1 < len && isdigit((unsigned char)s[i + 1]))) {
		if (s[i] == '0' && i + 1 < len && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
			j = i + 2;
			while (j < len && isxdigit((unsigned char)s[j]))
				j++;
		} else {
			while (j < len && (isdigit((unsigned char)s[j]) || s[j] == '.' || s[j] == '_'))
				j++;
			if (j < len && (s[j] == 'e' || s[j] == 'E')) {
				j++;
				if (j < len && (s[j] == '+' || s[j] == '-'))
					j++;
				while (j < len && isdigit((unsigned char)s[j]))
					j++;
			}
		}
		t.type = QP_TK_NUMBER;
	} else if ((s[i] == '?' || s[i] == ':' || s[i] == '@' || s[i] == '$') && i + 1 < len &&
	           word_char((unsigned char)s[i + 1])) {
		j = i + 1;
		while (j < len && word_char((unsigned char)s[j]))
			j++;
		t.type = QP_TK_VAR;
	} else {
		static const char *const ops[] = {"->>", "<=", ">=", "<>", "!=", "==", "||", "<<", ">>", "->", NULL};
		size_t k;
		j = i + 1;
		for (k = 0; ops[k]; k++) {
			size_t n = strlen(ops[k]);
			if (i + n <= len && !strncmp(s + i, ops[k], n)) {
				j = i + n;
				break;
			}
		}
		t.type = QP_TK_PUNCT;
	}
	t.s = s + i;
	t.n = j - i;
	*pos = j;
	return t;
}

int qp_tok_is(const qp_tok *t, const char *word)
{
	return t->type == QP_TK_WORD && strlen(word) == t->n && !strncasecmp(t->s, word, t->n);
}

static int tok_punct(const qp_tok *t, char c)
{
	return t->type == QP_TK_PUNCT && t->n == 1 && t->s[0] == c;
}

void qp_tok_ident(qp_buf *b, const qp_tok *t)
{
	size_t i;

	qp_buf_truncate(b, 0);
	if (t->type != QP_TK_QUOTED && t->type != QP_TK_STRING) {
		qp_buf_put(b, t->s, t->n);
		return;
	}
	for (i = 1; i + 1 < t->n; i++) {
		qp_buf_putc(b, t->s[i]);
		if (t->s[0] != '[' && t->s[i] == t->s[0] && i + 2 < t->n && t->s[i + 1] == t->s[0])
			i++;
	}
	if (!b->ptr)
		qp_buf_puts(b, "");
}

static int is_keyword(const char *s, size_t n)
{
	return n < 32 && sqlite3_keyword_check(s, (int)n);
}

/* Would s need quotes as an identifier? */
static int needs_quotes(const char *s, size_t n)
{
	size_t i;

	if (!n || !word_start((unsigned char)s[0]) || (unsigned char)s[0] >= 0x80)
		return 1;
	for (i = 0; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
			return 1;
	return is_keyword(s, n);
}

/* Appends an identifier's value in canonical form. */
static void put_ident_value(qp_buf *out, const char *s, size_t n)
{
	size_t i;

	if (!needs_quotes(s, n)) {
		qp_buf_put(out, s, n);
		return;
	}
	qp_buf_putc(out, '"');
	for (i = 0; i < n; i++) {
		if (s[i] == '"')
			qp_buf_putc(out, '"');
		qp_buf_putc(out, s[i]);
	}
	qp_buf_putc(out, '"');
}

void qp_sql_canon(qp_buf *out, const char *text, size_t len)
{
	size_t pos = 0;
	qp_tok prev = {QP_TK_END, NULL, 0}, t;
	qp_buf id = QP_BUF_INIT;
	int prev_ident = 0;

	while ((t = qp_tok_next(text, len, &pos)).type != QP_TK_END) {
		int kw = t.type == QP_TK_WORD && is_keyword(t.s, t.n);
		int space = prev.type != QP_TK_END;

		if (tok_punct(&t, ')') || tok_punct(&t, ',') || tok_punct(&t, '.') || tok_punct(&t, ';'))
			space = 0;
		if (tok_punct(&prev, '(') || tok_punct(&prev, '.'))
			space = 0;
		if (tok_punct(&t, '(') && prev_ident)
			space = 0;
		if (space)
			qp_buf_putc(out, ' ');
		if (kw) {
			size_t i;
			for (i = 0; i < t.n; i++)
				qp_buf_putc(out, (char)toupper((unsigned char)t.s[i]));
		} else if (t.type == QP_TK_QUOTED) {
			qp_tok_ident(&id, &t);
			put_ident_value(out, id.ptr ? id.ptr : "", id.len);
		} else {
			qp_buf_put(out, t.s, t.n);
		}
		prev_ident = (t.type == QP_TK_WORD && !kw) || t.type == QP_TK_QUOTED;
		prev = t;
	}
	if (!out->ptr)
		qp_buf_puts(out, "");
	qp_buf_release(&id);
}

/* ---- CREATE TABLE ----------------------------------------------------- */

typedef struct toks {
	const char *text;
	size_t len;
	qp_tok *v;       /* owned */
	size_t *at;      /* owned: start offset of each token */
	size_t n, cap;
} toks;

static int tokenize(toks *ts, const char *text)
{
	size_t pos = 0;
	qp_tok t;

	ts->text = text;
	ts->len = strlen(text);
	while ((t = qp_tok_next(text, ts->len, &pos)).type != QP_TK_END) {
		if (ts->n == ts->cap) {
			size_t cap = ts->cap ? ts->cap * 2 : 64;
			qp_tok *v = realloc(ts->v, cap * sizeof(*v));
			size_t *at;
			if (!v)
				return qp_error_oom();
			ts->v = v;
			if (!(at = realloc(ts->at, cap * sizeof(*at))))
				return qp_error_oom();
			ts->at = at;
			ts->cap = cap;
		}
		ts->v[ts->n] = t;
		ts->at[ts->n] = (size_t)(t.s - text);
		ts->n++;
	}
	return 0;
}

static int is_kw(const toks *ts, size_t i, const char *w)
{
	return i < ts->n && qp_tok_is(&ts->v[i], w);
}

static int is_p(const toks *ts, size_t i, char c)
{
	return i < ts->n && tok_punct(&ts->v[i], c);
}

/* The index just past the parenthesised group opening at i. */
static size_t skip_group(const toks *ts, size_t i)
{
	int depth = 0;

	for (; i < ts->n; i++) {
		if (is_p(ts, i, '('))
			depth++;
		else if (is_p(ts, i, ')') && --depth == 0)
			return i + 1;
	}
	return ts->n;
}

/* End offset in the text of token i - 1 (for spans [start, end)). */
static size_t end_of(const toks *ts, size_t i)
{
	return i ? ts->at[i - 1] + ts->v[i - 1].n : 0;
}

/* Canonical text of tokens [a, b) (a copy, caller frees). */
static char *canon_range(const toks *ts, size_t a, size_t b)
{
	qp_buf out = QP_BUF_INIT;

	if (a < b)
		qp_sql_canon(&out, ts->text + ts->at[a], end_of(ts, b) - ts->at[a]);
	else
		qp_buf_puts(&out, "");
	return qp_buf_detach(&out);
}

static char *ident_of(const toks *ts, size_t i)
{
	qp_buf b = QP_BUF_INIT;

	if (i >= ts->n)
		return strdup("");
	qp_tok_ident(&b, &ts->v[i]);
	return qp_buf_detach(&b);
}

static int add_con(qp_ptable *t, size_t *cap, qp_pcon **out)
{
	if (t->n_cons == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		qp_pcon *v = realloc(t->cons, ncap * sizeof(*v));
		if (!v)
			return qp_error_oom();
		t->cons = v;
		*cap = ncap;
	}
	*out = &t->cons[t->n_cons++];
	memset(*out, 0, sizeof(**out));
	return 0;
}

/* A column constraint keyword (ends the type name). */
static int constraint_start(const toks *ts, size_t i)
{
	static const char *const kws[] = {"CONSTRAINT", "PRIMARY", "NOT", "NULL", "UNIQUE", "CHECK", "DEFAULT",
	                                  "COLLATE", "REFERENCES", "GENERATED", "AS", NULL};
	size_t k;

	for (k = 0; kws[k]; k++)
		if (is_kw(ts, i, kws[k]))
			return 1;
	return 0;
}

/* Parses "REFERENCES t [(cols)] [clauses]" at i into c; returns the index after it. */
static size_t parse_references(const toks *ts, size_t i, size_t end, qp_pcon *c)
{
	size_t d0 = 0, d1 = 0;

	i++;   /* REFERENCES */
	c->ref_table = ident_of(ts, i);
	i++;
	if (is_p(ts, i, '('))
		i = skip_group(ts, i);
	while (i < end && !is_p(ts, i, ',')) {
		if (is_kw(ts, i, "NOT") && is_kw(ts, i + 1, "DEFERRABLE")) {
			d0 = i;
			i += 2;
		} else if (is_kw(ts, i, "DEFERRABLE")) {
			d0 = i;
			i++;
		} else if (d0 && is_kw(ts, i, "INITIALLY")) {
			i += 2;
		} else if (constraint_start(ts, i) && !is_kw(ts, i, "NOT") && !is_kw(ts, i, "NULL")) {
			break;
		} else {
			i++;
			continue;
		}
		d1 = i;
	}
	if (d0 && d1 > d0)
		c->deferrable = canon_range(ts, d0, d1);
	return i;
}

/* One column definition in [i, end). */
static int parse_column(qp_ptable *t, size_t *cap_cons, const toks *ts, size_t i, size_t end, qp_pcol *col)
{
	char *pending = NULL;
	qp_pcon *c = NULL;
	int error = 0;

	col->name = ident_of(ts, i);
	col->start = ts->at[i];
	col->end = end_of(ts, end);
	i++;
	while (i < end && !constraint_start(ts, i))
		i = is_p(ts, i, '(') ? skip_group(ts, i) : i + 1;
	while (i < end) {
		if (is_kw(ts, i, "CONSTRAINT")) {
			free(pending);
			pending = ident_of(ts, i + 1);
			i += 2;
		} else if (is_kw(ts, i, "PRIMARY")) {
			col->pk = 1;
			if ((error = add_con(t, cap_cons, &c)) < 0)
				goto done;
			c->kind = 'p';
			c->column_level = 1;
			c->col = strdup(col->name);
			c->name = pending;
			pending = NULL;
			{
				qp_buf b = QP_BUF_INIT;
				put_ident_value(&b, col->name, strlen(col->name));
				c->cols = qp_buf_detach(&b);
			}
			i += 2;
			while (i < end && !constraint_start(ts, i)) {
				if (is_kw(ts, i, "AUTOINCREMENT"))
					col->autoincrement = 1;
				i++;
			}
		} else if (is_kw(ts, i, "UNIQUE")) {
			qp_buf b = QP_BUF_INIT;
			col->unique = 1;
			if ((error = add_con(t, cap_cons, &c)) < 0)
				goto done;
			c->kind = 'u';
			c->column_level = 1;
			c->col = strdup(col->name);
			c->name = pending;
			pending = NULL;
			put_ident_value(&b, col->name, strlen(col->name));
			c->cols = qp_buf_detach(&b);
			i++;
			while (i < end && !constraint_start(ts, i))
				i++;
		} else if (is_kw(ts, i, "CHECK") && is_p(ts, i + 1, '(')) {
			size_t close = skip_group(ts, i + 1);
			col->has_check = 1;
			if ((error = add_con(t, cap_cons, &c)) < 0)
				goto done;
			c->kind = 'c';
			c->column_level = 1;
			c->col = strdup(col->name);
			c->name = pending;
			pending = NULL;
			c->expr = canon_range(ts, i + 2, close - 1);
			{
				qp_buf b = QP_BUF_INIT;
				put_ident_value(&b, col->name, strlen(col->name));
				c->cols = qp_buf_detach(&b);
			}
			i = close;
		} else if (is_kw(ts, i, "DEFAULT")) {
			i++;
			if (is_p(ts, i, '('))
				i = skip_group(ts, i);
			else if (is_p(ts, i, '-') || is_p(ts, i, '+'))
				i += 2;
			else
				i++;
		} else if (is_kw(ts, i, "COLLATE")) {
			free(col->collation);
			col->collation = canon_range(ts, i + 1, i + 2);
			i += 2;
		} else if (is_kw(ts, i, "REFERENCES")) {
			qp_buf b = QP_BUF_INIT;
			col->has_fk = 1;
			if ((error = add_con(t, cap_cons, &c)) < 0)
				goto done;
			c->kind = 'f';
			c->column_level = 1;
			c->col = strdup(col->name);
			c->name = pending;
			pending = NULL;
			put_ident_value(&b, col->name, strlen(col->name));
			c->cols = qp_buf_detach(&b);
			i = parse_references(ts, i, end, c);
		} else if (is_kw(ts, i, "GENERATED") || is_kw(ts, i, "AS")) {
			while (i < end && !is_p(ts, i, '('))
				i++;
			if (i < end) {
				size_t close = skip_group(ts, i);
				free(col->gen_expr);
				col->gen_expr = canon_range(ts, i + 1, close - 1);
				i = close;
			}
			col->gen_stored = is_kw(ts, i, "STORED");
			if (is_kw(ts, i, "STORED") || is_kw(ts, i, "VIRTUAL"))
				i++;
		} else {
			i++;
		}
	}
done:
	free(pending);
	return error;
}

/* One table constraint in [i, end). */
static int parse_table_constraint(qp_ptable *t, size_t *cap_cons, const toks *ts, size_t i, size_t end)
{
	qp_pcon *c = NULL;
	int error;

	if ((error = add_con(t, cap_cons, &c)) < 0)
		return error;
	if (is_kw(ts, i, "CONSTRAINT")) {
		c->name = ident_of(ts, i + 1);
		i += 2;
	}
	if (is_kw(ts, i, "PRIMARY") || is_kw(ts, i, "UNIQUE") || is_kw(ts, i, "FOREIGN")) {
		size_t open = i, close;
		c->kind = is_kw(ts, i, "PRIMARY") ? 'p' : is_kw(ts, i, "UNIQUE") ? 'u' : 'f';
		while (open < end && !is_p(ts, open, '('))
			open++;
		close = skip_group(ts, open);
		c->cols = canon_range(ts, open + 1, close - 1);
		if (c->kind == 'f' && is_kw(ts, close, "REFERENCES"))
			parse_references(ts, close, end, c);
	} else if (is_kw(ts, i, "CHECK") && is_p(ts, i + 1, '(')) {
		size_t close = skip_group(ts, i + 1);
		c->kind = 'c';
		c->expr = canon_range(ts, i + 2, close - 1);
	} else {
		c->kind = '?';
	}
	return 0;
}

int qp_parse_create_table(qp_ptable *out, const char *sql)
{
	toks ts = {0};
	size_t i = 0, close, item, cap_cons = 0, cap_cols = 0;
	int error = 0;

	memset(out, 0, sizeof(*out));
	if ((error = tokenize(&ts, sql)) < 0)
		goto done;
	if (!is_kw(&ts, i, "CREATE")) {
		error = qp_error_set(QUIPU_EPARSE, "not a CREATE TABLE statement");
		goto done;
	}
	i++;
	if (is_kw(&ts, i, "TEMP") || is_kw(&ts, i, "TEMPORARY"))
		i++;
	if (is_kw(&ts, i, "VIRTUAL")) {
		out->virtual_table = 1;
		i++;
	}
	if (!is_kw(&ts, i, "TABLE")) {
		error = qp_error_set(QUIPU_EPARSE, "not a CREATE TABLE statement");
		goto done;
	}
	i++;
	if (is_kw(&ts, i, "IF") && is_kw(&ts, i + 1, "NOT") && is_kw(&ts, i + 2, "EXISTS"))
		i += 3;
	if (is_p(&ts, i + 1, '.'))
		i += 2;
	if (i >= ts.n) {
		error = qp_error_set(QUIPU_EPARSE, "CREATE TABLE without a name");
		goto done;
	}
	out->name = ident_of(&ts, i);
	out->name_start = ts.at[i];
	out->name_end = ts.at[i] + ts.v[i].n;
	i++;
	if (out->virtual_table || !is_p(&ts, i, '('))
		goto done;
	close = skip_group(&ts, i);
	item = i + 1;
	while (item < close - 1) {
		size_t e = item;
		int depth = 0;
		while (e < close - 1) {
			if (is_p(&ts, e, '('))
				depth++;
			else if (is_p(&ts, e, ')'))
				depth--;
			else if (depth == 0 && is_p(&ts, e, ','))
				break;
			e++;
		}
		if (is_kw(&ts, item, "CONSTRAINT") || is_kw(&ts, item, "PRIMARY") || is_kw(&ts, item, "UNIQUE") ||
		    is_kw(&ts, item, "CHECK") || is_kw(&ts, item, "FOREIGN")) {
			if ((error = parse_table_constraint(out, &cap_cons, &ts, item, e)) < 0)
				goto done;
		} else if (e > item) {
			if (out->n_cols == cap_cols) {
				size_t ncap = cap_cols ? cap_cols * 2 : 16;
				qp_pcol *v = realloc(out->cols, ncap * sizeof(*v));
				if (!v) {
					error = qp_error_oom();
					goto done;
				}
				out->cols = v;
				cap_cols = ncap;
			}
			memset(&out->cols[out->n_cols], 0, sizeof(out->cols[0]));
			out->n_cols++;
			if ((error = parse_column(out, &cap_cons, &ts, item, e, &out->cols[out->n_cols - 1])) < 0)
				goto done;
		}
		item = e + 1;
	}
	if (close < ts.n) {
		char *opts = canon_range(&ts, close, ts.n);
		if (opts && *opts)
			out->options = opts;
		else
			free(opts);
	}
done:
	free(ts.v);
	free(ts.at);
	return error;
}

void qp_ptable_release(qp_ptable *t)
{
	size_t i;

	for (i = 0; i < t->n_cols; i++) {
		free(t->cols[i].name);
		free(t->cols[i].collation);
		free(t->cols[i].gen_expr);
	}
	for (i = 0; i < t->n_cons; i++) {
		free(t->cons[i].name);
		free(t->cons[i].cols);
		free(t->cons[i].expr);
		free(t->cons[i].ref_table);
		free(t->cons[i].deferrable);
		free(t->cons[i].col);
	}
	free(t->cols);
	free(t->cons);
	free(t->name);
	free(t->options);
	memset(t, 0, sizeof(*t));
}

void qp_sql_canon_unnamed(qp_buf *out, const char *sql)
{
	size_t len = strlen(sql), pos = 0, name_at = 0, after = 0;
	qp_tok t;
	int state = 0;

	/* CREATE [UNIQUE|TEMP...] INDEX|VIEW|TRIGGER [IF NOT EXISTS] [schema.]name */
	while ((t = qp_tok_next(sql, len, &pos)).type != QP_TK_END) {
		if (state == 0) {
			if (qp_tok_is(&t, "INDEX") || qp_tok_is(&t, "VIEW") || qp_tok_is(&t, "TRIGGER") ||
			    qp_tok_is(&t, "TABLE")) {
				state = 1;
				name_at = pos;
			}
			continue;
		}
		if (qp_tok_is(&t, "IF") || qp_tok_is(&t, "NOT") || qp_tok_is(&t, "EXISTS")) {
			name_at = pos;
			continue;
		}
		/* the name, possibly schema-qualified */
		after = pos;
		{
			size_t p2 = pos;
			qp_tok dot = qp_tok_next(sql, len, &p2);
			if (dot.type == QP_TK_PUNCT && dot.n == 1 && dot.s[0] == '.') {
				qp_tok_next(sql, len, &p2);
				after = p2;
			}
		}
		break;
	}
	if (!after) {
		qp_sql_canon(out, sql, len);
		return;
	}
	{
		/* the prefix up to INDEX/VIEW/TRIGGER, then the rest after the name */
		size_t kw_end = name_at;
		qp_buf tmp = QP_BUF_INIT;
		size_t p = 0;
		qp_tok k;
		while ((k = qp_tok_next(sql, len, &p)).type != QP_TK_END) {
			if (qp_tok_is(&k, "INDEX") || qp_tok_is(&k, "VIEW") || qp_tok_is(&k, "TRIGGER") ||
			    qp_tok_is(&k, "TABLE")) {
				kw_end = p;
				break;
			}
		}
		qp_buf_put(&tmp, sql, kw_end);
		qp_buf_putc(&tmp, ' ');
		qp_buf_puts(&tmp, sql + after);
		qp_sql_canon(out, qp_buf_cstr(&tmp), tmp.len);
		out->oom |= tmp.oom;
		qp_buf_release(&tmp);
	}
}
