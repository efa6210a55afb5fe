/*
 * graph_resolve.c: the revision target grammar, ported from Alembic 1.8's
 * RevisionMap (get_revisions, _resolve_revision_number, _revision_for_ident,
 * _walk, _parse_upgrade_target, _parse_downgrade_target).
 *
 *   head heads base current        symbolic
 *   <id> <prefix> <label>          exact id, unique prefix, branch label
 *   label@head label@heads label@base label@<rev> <rev>@head
 *   +N -N label@+N label@-N        relative to the database's rows
 *   <rev>+N <rev>-N head-N         relative to a revision
 *
 * Where Alembic guesses (a relative step from several current heads, a
 * step across a merge point or a branch point) this file refuses and names
 * the explicit targets meant. Pure: no I/O.
 */
#include "core/graph_internal.h"
#include "util/err.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---- lookups ---------------------------------------------------------- */

static const char *multiple_heads_fix =
	"use `heads` to upgrade them all, `label@head` or `<rev>@head` for one branch, "
	"or `quipu merge heads` to join them";

/* Candidates for a prefix: distinct revisions whose id, or a label of
 * which, starts with `prefix` (as Alembic, keys of 4 characters or more),
 * restricted to `within` when not NULL. */
static int prefix_candidates(qp_revset *out, const qp_graph *g, const char *prefix,
                             const unsigned char *within, int labels)
{
	size_t i, n = strlen(prefix);
	int error;

	for (i = 0; i < g->count; i++) {
		qp_rev *r = g->revs[i];
		if (strlen(r->info.id) > 3 && !strncmp(r->info.id, prefix, n) &&
		    (!within || within[r->order]) && (error = qp_revset__add(out, r)) < 0)
			return error;
	}
	for (i = 0; labels && i < g->by_label.cap; i++) {
		const qp_map_entry *e = &g->by_label.slots[i];
		qp_rev *r = e->value;
		if (e->key && strlen(e->key) > 3 && !strncmp(e->key, prefix, n) &&
		    (!within || within[r->order]) && !qp_revset__has(out, r) &&
		    (error = qp_revset__add(out, r)) < 0)
			return error;
	}
	qp_revset__sort_id(out);
	return 0;
}

static int not_found(const char *id)
{
	return qp_error_set(QUIPU_ENOTFOUND, "Can't locate revision identified by '%s'%s; "
	                    "`quipu history` lists the revisions", id,
	                    strlen(id) < 4 ? " (a partial id needs at least 4 characters unless it is unique)" : "");
}

static int ambiguous(const char *id, const qp_revset *c)
{
	qp_buf b = QP_BUF_INIT;
	size_t n = c->count > 10 ? 10 : c->count;
	int error;

	qp_graph__put_ids(&b, c->items, n);
	if (c->count > n)
		qp_buf_printf(&b, " and %zu more", c->count - n);
	error = qp_error_set(QUIPU_EAMBIGUOUS, "Multiple revisions start with '%s': %s; give more characters "
	                     "of the id", id, qp_buf_cstr(&b));
	qp_buf_release(&b);
	return error;
}

int qp_graph_lookup(qp_rev **out, const qp_graph *g, const char *id)
{
	qp_revset c = QP_REVSET_INIT;
	int error = 0;

	*out = NULL;
	if (!id || !*id)
		return not_found("");
	if ((*out = qp_map_get(&g->by_id, id)))
		return 0;
	if ((error = prefix_candidates(&c, g, id, NULL, 0)) < 0)
		goto done;
	if (!c.count)
		error = not_found(id);
	else if (c.count > 1)
		error = ambiguous(id, &c);
	else
		*out = c.items[0];
done:
	qp_revset_release(&c);
	return error;
}

/* Does `r` share a line (ancestor, descendant or itself) with `with`? */
static int shares_lineage(const qp_graph *g, qp_rev *r, qp_rev *with, int *yes)
{
	unsigned char *m = qp_graph__set_new(g);
	int error;

	if (!m)
		return qp_error_oom();
	error = qp_graph__lineage(m, g, with, QP_G_VERSIONED);
	*yes = m[r->order];
	free(m);
	return error;
}

/* Alembic's _revision_for_ident: id, label, then prefix; restricted to the
 * lineage of `check_branch` when given. */
static int ident(qp_rev **out, const qp_graph *g, const char *id, const char *check_branch)
{
	qp_revset c = QP_REVSET_INIT;
	qp_rev *branch = NULL, *r;
	unsigned char *within = NULL;
	int error = 0, yes = 0;

	*out = NULL;
	if (check_branch && *check_branch && (error = qp_graph__resolve_branch(&branch, g, check_branch)) < 0)
		return error;
	if (!(r = qp_map_get(&g->by_id, id)))
		r = qp_map_get(&g->by_label, id);
	if (!r) {
		if (branch) {
			if (!(within = qp_graph__set_new(g)))
				return qp_error_oom();
			if ((error = qp_graph__lineage(within, g, branch, QP_G_VERSIONED)) < 0)
				goto done;
		}
		if ((error = prefix_candidates(&c, g, id, within, 1)) < 0)
			goto done;
		if (!c.count) {
			error = not_found(id);
			goto done;
		}
		if (c.count > 1) {
			error = ambiguous(id, &c);
			goto done;
		}
		r = c.items[0];
	}
	if (branch) {
		if ((error = shares_lineage(g, r, branch, &yes)) < 0)
			goto done;
		if (!yes) {
			error = qp_error_set(QUIPU_ENOTFOUND, "Revision %s is not a member of branch '%s' "
			                     "(neither an ancestor nor a descendant of '%s')",
			                     r->info.id, check_branch, branch->info.id);
			goto done;
		}
	}
	*out = r;
done:
	free(within);
	qp_revset_release(&c);
	return error;
}

int qp_graph__resolve_branch(qp_rev **out, const qp_graph *g, const char *label)
{
	int error;

	if ((*out = qp_map_get(&g->by_label, label)))
		return 0;
	if ((error = ident(out, g, label, NULL)) < 0 && error == QUIPU_ENOTFOUND)
		return qp_error_set(QUIPU_ENOTFOUND, "No such branch: '%s' is neither a branch label nor a "
		                    "revision; `quipu branches` lists the labels", label);
	return error;
}

/* The revisions of `in` sharing a line with the revision or label `with`. */
static int filter_lineage(qp_revset *out, const qp_graph *g, qp_rev *const *in, size_t n,
                          const char *with)
{
	qp_rev *b = NULL;
	unsigned char *m = NULL;
	size_t i;
	int error;

	if ((error = ident(&b, g, with, NULL)) < 0)
		return error;
	if (!(m = qp_graph__set_new(g)))
		return qp_error_oom();
	if ((error = qp_graph__lineage(m, g, b, QP_G_VERSIONED)) < 0)
		goto done;
	for (i = 0; i < n; i++)
		if (m[in[i]->order] && (error = qp_revset__add(out, in[i])) < 0)
			goto done;
done:
	free(m);
	return error;
}

int qp_graph__current(qp_revset *out, const qp_graph *g, const char *const *current,
                      size_t n_current)
{
	qp_buf bad = QP_BUF_INIT;
	size_t i, n_bad = 0;
	int error = 0;

	for (i = 0; i < n_current; i++) {
		qp_rev *r = qp_map_get(&g->by_id, current[i]);
		if (!r) {
			qp_buf_printf(&bad, "%s'%s'", n_bad++ ? ", " : "", current[i]);
			continue;
		}
		if (!qp_revset__has(out, r) && (error = qp_revset__add(out, r)) < 0)
			goto done;
	}
	if (n_bad)
		error = qp_error_set(QUIPU_ESTATE, "the database is at %s, which %s not in the revision files: "
		                     "was the file deleted or the wrong script_location configured? "
		                     "`quipu stamp <rev> --purge` re-records the state",
		                     qp_buf_cstr(&bad), n_bad > 1 ? "are" : "is");
done:
	qp_buf_release(&bad);
	return error;
}

static int not_connected(const char *target)
{
	return qp_error_set(QUIPU_EUSAGE, "`%s` is relative to the database's current revision, which is "
	                    "not known here; connect to a database, or give an absolute target such as "
	                    "`head-1` or `<rev>+1`", target);
}

/* ---- walking ----------------------------------------------------------- */

enum { WALK_REV, WALK_BASE, WALK_NONE };

typedef struct walk_ctx {
	const char *verb;    /* "upgrade", "downgrade" or NULL: for suggestions */
	const char *target;  /* as typed */
} walk_ctx;

static void suggest(qp_buf *b, const walk_ctx *w, qp_rev *const *alts, size_t n, long rest, char sign)
{
	size_t i;
	for (i = 0; i < n; i++) {
		qp_buf_printf(b, "%s`%s%s%s", i ? (i + 1 == n ? " or " : ", ") : "", w->verb ? w->verb : "",
		              w->verb ? " " : "", alts[i]->info.id);
		if (rest)
			qp_buf_printf(b, "%c%ld", sign, rest);
		qp_buf_putc(b, '`');
	}
}

/*
 * Alembic's _walk: `steps` up (> 0, along children, restricted to the
 * lineage of `branch` when given) or down (< 0, along Revises) from `start`
 * (NULL with *kind WALK_BASE on entry: from base). *kind is the result:
 * WALK_REV (*out), WALK_BASE, or WALK_NONE when walking past the end (with
 * no_overwalk; otherwise the walk stops where it is). *taken counts steps.
 */
static int walk(int *kind, qp_rev **out, long *taken, const qp_graph *g, qp_rev *start,
                long steps, qp_rev *branch, int no_overwalk, const walk_ctx *w)
{
	qp_rev *cur = start, **alts = NULL;
	unsigned char *lin = NULL;
	size_t n = 0, i;
	long k, total = steps < 0 ? -steps : steps;
	int at_base = !start && *kind == WALK_BASE, error = 0;

	*taken = 0;
	if (branch && steps > 0) {
		if (!(lin = qp_graph__set_new(g)))
			return qp_error_oom();
		if ((error = qp_graph__lineage(lin, g, branch, QP_G_VERSIONED)) < 0)
			goto done;
	}
	for (k = 0; k < total; k++) {
		qp_rev **from;
		size_t nf;

		if (steps > 0) {
			from = cur ? cur->children : g->bases;
			nf = cur ? cur->n_children : g->n_bases;
		} else if (at_base) {
			from = NULL;
			nf = 0;
		} else {
			from = cur ? cur->parents : g->heads;
			nf = cur ? cur->n_parents : g->n_heads;
		}
		free(alts);
		if (!(alts = malloc((nf + 1) * sizeof(*alts)))) {
			error = qp_error_oom();
			goto done;
		}
		for (i = n = 0; i < nf; i++)
			if (!lin || lin[from[i]->order])
				alts[n++] = from[i];
		if (steps < 0 && !at_base && cur && !n) {
			/* below a base revision lies `base` */
			at_base = 1;
			cur = NULL;
			++*taken;
			continue;
		}
		if (!n) {
			if (no_overwalk) {
				*kind = WALK_NONE;
				goto done;
			}
			break;
		}
		if (n > 1) {
			qp_buf b = QP_BUF_INIT;
			long rest = total - k - 1;
			if (steps > 0) {
				if (cur)
					qp_buf_printf(&b, "`%s` is ambiguous: revision '%s' is a branch point, followed by ",
					              w->target, cur->info.id);
				else
					qp_buf_printf(&b, "`%s` is ambiguous: there are several base revisions, ", w->target);
			} else if (cur) {
				qp_buf_printf(&b, "`%s` is ambiguous at the merge point '%s', which merges ",
				              w->target, cur->info.id);
			} else {
				qp_buf_printf(&b, "`%s` is ambiguous: there are several heads, ", w->target);
			}
			qp_graph__put_ids(&b, alts, n);
			qp_buf_puts(&b, ": use ");
			suggest(&b, w, alts, n, rest, steps > 0 ? '+' : '-');
			if (steps > 0 && (branch || g->by_label.count))
				qp_buf_puts(&b, " (or `label@+N` to follow one labelled branch)");
			error = qp_error_set(QUIPU_EAMBIGUOUS, "%s", qp_buf_cstr(&b));
			qp_buf_release(&b);
			goto done;
		}
		cur = alts[0];
		at_base = 0;
		++*taken;
	}
	*kind = at_base ? WALK_BASE : cur ? WALK_REV : WALK_BASE;
	*out = cur;
done:
	free(alts);
	free(lin);
	return error;
}

/* ---- get_revisions ----------------------------------------------------- */

/* Python's int(): optional blanks and sign, digits. */
static int parse_int(const char *s, long *v)
{
	char *end;
	while (isspace((unsigned char)*s))
		s++;
	if (!*s || (!isdigit((unsigned char)*s) && !((*s == '+' || *s == '-') && isdigit((unsigned char)s[1]))))
		return 0;
	errno = 0;
	*v = strtol(s, &end, 10);
	while (isspace((unsigned char)*end))
		end++;
	return !*end && !errno;
}

static int multiple_heads(const char *arg, qp_rev *const *heads, size_t n)
{
	qp_buf b = QP_BUF_INIT;
	int error;

	qp_graph__put_ids(&b, heads, n);
	if (!strcmp(arg, "head"))
		error = qp_error_set(QUIPU_EAMBIGUOUS, "Multiple head revisions are present (%s); %s",
		                     qp_buf_cstr(&b), multiple_heads_fix);
	else
		error = qp_error_set(QUIPU_EAMBIGUOUS, "Multiple heads are present for '%s' (%s): the branch "
		                     "splits; use `<rev>@head` for one of them, `heads` for all, or "
		                     "`quipu merge` to join them", arg, qp_buf_cstr(&b));
	qp_buf_release(&b);
	return error;
}

int qp_graph__get_revisions(qp_revset *out, const qp_graph *g, const char *id,
                            const qp_revset *cur)
{
	qp_revset tmp = QP_REVSET_INIT;
	char *label = NULL;
	const char *rest = id, *at = strchr(id, '@');
	long v;
	size_t i;
	int error = 0;

	if (at) {
		if (!(label = strndup(id, (size_t)(at - id))))
			return qp_error_oom();
		rest = at + 1;
		if (!*rest) {
			error = qp_error_set(QUIPU_EUSAGE, "'%s' names no revision after '@'; use `%shead`, `%sbase` "
			                     "or `%s<rev>`", id, id, id, id);
			goto done;
		}
		if (!strcmp(rest, "base") || !strcmp(rest, "current")) {
			/* Alembic ignores the label here; an unknown one is still a mistake */
			qp_rev *b = NULL;
			if ((error = qp_graph__resolve_branch(&b, g, label)) < 0)
				goto done;
		}
	}
	if (!strcmp(rest, "heads")) {
		if (label)
			error = filter_lineage(out, g, g->heads, g->n_heads, label);
		else
			error = qp_graph__real_heads(out, g);
	} else if (!strcmp(rest, "head")) {
		if (label)
			error = filter_lineage(&tmp, g, g->heads, g->n_heads, label);
		else
			for (i = 0; i < g->n_heads && !error; i++)
				error = qp_revset__add(&tmp, g->heads[i]);
		if (error < 0)
			goto done;
		if (tmp.count > 1) {
			error = multiple_heads(id, tmp.items, tmp.count);
			goto done;
		}
		if (tmp.count)
			error = qp_revset__add(out, tmp.items[0]);
	} else if (!strcmp(rest, "base") || !*rest) {
		/* the empty set */
	} else if (!strcmp(rest, "current")) {
		if (!cur) {
			error = not_connected(id);
			goto done;
		}
		for (i = 0; i < cur->count && !error; i++)
			if (!qp_revset__has(out, cur->items[i]))
				error = qp_revset__add(out, cur->items[i]);
	} else if (parse_int(rest, &v) && v < 0) {
		/* branch@-n: walk down from the heads (those carrying the label) */
		walk_ctx w = {NULL, id};
		if ((error = qp_graph__real_heads(&tmp, g)) < 0)
			goto done;
		for (i = 0; i < tmp.count; i++) {
			qp_rev *r = NULL;
			long taken;
			int kind = WALK_REV;
			if (label && !qp_strlist_contains(&tmp.items[i]->branches, label))
				continue;
			if ((error = walk(&kind, &r, &taken, g, tmp.items[i], v, NULL, 1, &w)) < 0)
				goto done;
			if (kind == WALK_NONE) {
				error = qp_error_set(QUIPU_ENOTFOUND, "Relative revision %s didn't produce %ld migrations "
				                     "(head '%s' has only %ld below it)", rest, -v,
				                     tmp.items[i]->info.id, taken);
				goto done;
			}
			if (kind == WALK_REV && !qp_revset__has(out, r) && (error = qp_revset__add(out, r)) < 0)
				goto done;
		}
	} else {
		qp_rev *r = NULL;
		if ((error = ident(&r, g, rest, label)) < 0)
			goto done;
		error = qp_revset__add(out, r);
	}
done:
	free(label);
	qp_revset_release(&tmp);
	return error;
}

int qp_graph__get_revision(qp_rev **out, const qp_graph *g, const char *id, const qp_revset *cur)
{
	qp_revset s = QP_REVSET_INIT;
	int error;

	*out = NULL;
	if ((error = qp_graph__get_revisions(&s, g, id, cur)) < 0)
		goto done;
	if (s.count > 1) {
		error = multiple_heads(!strcmp(id, "heads") ? "head" : id, s.items, s.count);
		goto done;
	}
	*out = s.count ? s.items[0] : NULL;
done:
	qp_revset_release(&s);
	return error;
}

/* ---- relative targets ------------------------------------------------- */

typedef struct relative {
	char *label;   /* before the last '@', or NULL; owned */
	char *symbol;  /* the \w+ before the sign, or NULL; owned */
	long n;        /* signed */
	const char *num; /* the signed number as typed, in the target */
} relative;

static void relative_release(relative *r)
{
	free(r->label);
	free(r->symbol);
}

/* Alembic's _relative_destination, `(?:(.+?)@)?(\w+)?((?:\+|-)\d+)`, here
 * matched against the whole target. 1: matched, 0: not, < 0: error. */
static int match_relative(relative *rel, const char *t)
{
	const char *sign = NULL, *p, *at = strrchr(t, '@'), *sym = at ? at + 1 : t;

	memset(rel, 0, sizeof(*rel));
	for (p = sym; *p; p++)
		if (*p == '+' || *p == '-')
			sign = p;
	if (!sign || !sign[1])
		return 0;
	for (p = sign + 1; *p; p++)
		if (!isdigit((unsigned char)*p))
			return 0;
	for (p = sym; p < sign; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			return 0;
	if (at && at == t)
		return 0;
	errno = 0;
	rel->n = strtol(sign, NULL, 10);
	if (errno)
		return 0;
	rel->num = sign;
	if (at && !(rel->label = strndup(t, (size_t)(at - t))))
		return qp_error_oom();
	if (sign > sym && !(rel->symbol = strndup(sym, (size_t)(sign - sym))))
		return qp_error_oom();
	return 1;
}

/* get_revision("label@symbol") or get_revision(symbol). */
static int symbol_rev(qp_rev **out, const qp_graph *g, const relative *rel, const qp_revset *cur)
{
	qp_buf b = QP_BUF_INIT;
	int error;

	if (!rel->label)
		return qp_graph__get_revision(out, g, rel->symbol, cur);
	qp_buf_printf(&b, "%s@%s", rel->label, rel->symbol);
	if (b.oom)
		return qp_error_oom();
	error = qp_graph__get_revision(out, g, qp_buf_cstr(&b), cur);
	qp_buf_release(&b);
	return error;
}

/* The tips (revisions without a child in the set) of the ancestors of cur,
 * within the lineage of `label` (Alembic's _get_all_current filtered). */
static int current_tips_on(qp_revset *out, const qp_graph *g, const qp_revset *cur, const char *label)
{
	qp_revset tips = QP_REVSET_INIT;
	unsigned char *a = qp_graph__set_new(g);
	size_t i, j;
	int error;

	if (!a)
		return qp_error_oom();
	if ((error = qp_graph__ancestors(a, g, cur->items, cur->count, QP_G_DEPS)) < 0)
		goto done;
	for (i = 0; i < g->count; i++) {
		qp_rev *r = g->revs[i];
		if (!a[i])
			continue;
		for (j = 0; j < r->n_children && !a[r->children[j]->order]; j++)
			;
		if (j == r->n_children && (error = qp_revset__add(&tips, r)) < 0)
			goto done;
	}
	error = filter_lineage(out, g, tips.items, tips.count, label);
done:
	free(a);
	qp_revset_release(&tips);
	return error;
}

static int overwalk(const char *num, long n, long taken, const char *from, int up)
{
	if (from)
		return qp_error_set(QUIPU_ENOTFOUND, "Relative revision %s didn't produce %ld migrations: "
		                    "only %ld %s '%s'; %s", num, n < 0 ? -n : n, taken,
		                    up ? "above" : "below", from,
		                    up ? "`quipu upgrade heads` applies everything"
		                       : "`quipu downgrade base` removes everything");
	return qp_error_set(QUIPU_ENOTFOUND, "Relative revision %s didn't produce %ld migrations: only %ld "
	                    "revision%s from base; `quipu upgrade heads` applies everything",
	                    num, n < 0 ? -n : n, taken, taken == 1 ? "" : "s");
}

/* The newest applied revisions on the line of `branch` when none of the
 * current rows is on it: the tips of (ancestors of cur) within its lineage. */
static int branch_tips(qp_revset *out, const qp_graph *g, const qp_revset *cur, qp_rev *branch)
{
	unsigned char *a = qp_graph__set_new(g), *lin = qp_graph__set_new(g);
	size_t i, j, k;
	int error = 0;

	if (!a || !lin) {
		error = qp_error_oom();
		goto done;
	}
	if ((error = qp_graph__ancestors(a, g, cur->items, cur->count, QP_G_DEPS)) < 0 ||
	    (error = qp_graph__lineage(lin, g, branch, QP_G_VERSIONED)) < 0)
		goto done;
	for (i = 0; i < g->count; i++) {
		qp_rev *x = g->revs[i];
		int below = 0;
		if (!a[i] || !lin[i])
			continue;
		/* not a tip when a revision of the set has it among its normalized down revisions */
		for (j = 0; j < x->n_children && !below; j++)
			below = a[x->children[j]->order] && lin[x->children[j]->order];
		for (j = 0; j < x->n_dependents && !below; j++) {
			qp_rev *y = x->dependents[j];
			if (!a[y->order] || !lin[y->order])
				continue;
			for (k = 0; k < y->n_norm_deps && !below; k++)
				below = y->norm_deps[k] == x;
		}
		if (!below && (error = qp_revset__add(out, x)) < 0)
			goto done;
	}
done:
	free(a);
	free(lin);
	return error;
}

int qp_graph__parse_upgrade_target(qp_revset *out, const qp_graph *g, const qp_revset *cur,
                                   const char *target, int assert_length)
{
	relative rel;
	qp_revset start = QP_REVSET_INIT;
	qp_rev *from = NULL, *r = NULL, *branch = NULL;
	walk_ctx w = {"upgrade", target};
	long taken = 0;
	int kind = WALK_REV, error, m;
	size_t i;

	if ((m = match_relative(&rel, target)) < 0)
		return m;
	if (!m)
		return qp_graph__get_revisions(out, g, target, cur);
	error = 0;
	if (rel.n > 0 && !rel.symbol) {
		/* +N from the database's rows */
		if (!cur) {
			error = not_connected(target);
			goto done;
		}
		if (rel.label && (error = qp_graph__resolve_branch(&branch, g, rel.label)) < 0)
			goto done;
		if (!rel.label) {
			for (i = 0; i < cur->count && !error; i++)
				error = qp_revset__add(&start, cur->items[i]);
		} else if (!(error = filter_lineage(&start, g, cur->items, cur->count, rel.label)) &&
		           !start.count && cur->count) {
			error = branch_tips(&start, g, cur, branch);
		}
		if (error < 0)
			goto done;
		if (start.count > 1) {
			qp_buf b = QP_BUF_INIT, s = QP_BUF_INIT;
			qp_revset__sort_id(&start);
			qp_graph__put_ids(&b, start.items, start.count);
			for (i = 0; i < start.count; i++)
				qp_buf_printf(&s, "%s`upgrade %s@%s`", i ? (i + 1 == start.count ? " or " : ", ") : "",
				              start.items[i]->info.id, rel.num);
			error = qp_error_set(QUIPU_EAMBIGUOUS, "`upgrade %s` is ambiguous: the database has several "
			                     "current heads (%s); use %s", target, qp_buf_cstr(&b), qp_buf_cstr(&s));
			qp_buf_release(&b);
			qp_buf_release(&s);
			goto done;
		}
		from = start.count ? start.items[0] : NULL;
		kind = from ? WALK_REV : WALK_BASE;
		if ((error = walk(&kind, &r, &taken, g, from, rel.n, branch, assert_length, &w)) < 0)
			goto done;
		if (kind == WALK_NONE) {
			error = overwalk(rel.num, rel.n, taken, from ? from->info.id : NULL, 1);
			goto done;
		}
	} else if (rel.n > 0) {
		/* <rev>+N */
		if (rel.label && (error = qp_graph__resolve_branch(&branch, g, rel.label)) < 0)
			goto done;
		if ((error = qp_graph__get_revision(&from, g, rel.symbol, cur)) < 0)
			goto done;
		kind = from ? WALK_REV : WALK_BASE;
		if ((error = walk(&kind, &r, &taken, g, from, rel.n, branch, assert_length, &w)) < 0)
			goto done;
		if (kind == WALK_NONE) {
			error = overwalk(rel.num, rel.n, taken, from ? from->info.id : NULL, 1);
			goto done;
		}
	} else {
		if (!rel.symbol) {
			error = qp_error_set(QUIPU_EUSAGE, "Relative revision %s didn't produce %ld migrations: "
			                     "an upgrade goes up; use `quipu downgrade %s`", target, -rel.n, target);
			goto done;
		}
		if ((error = symbol_rev(&from, g, &rel, cur)) < 0)
			goto done;
		kind = from ? WALK_REV : WALK_BASE;
		if ((error = walk(&kind, &r, &taken, g, from, rel.n, NULL, assert_length, &w)) < 0)
			goto done;
		if (kind == WALK_NONE) {
			error = overwalk(rel.num, rel.n, taken, from ? from->info.id : NULL, 0);
			goto done;
		}
	}
	if (kind == WALK_REV && r)
		error = qp_revset__add(out, r);
done:
	relative_release(&rel);
	qp_revset_release(&start);
	return error;
}

int qp_graph__parse_downgrade_target(qp_rev **out, qp_rev **branch, const qp_graph *g,
                                     const qp_revset *cur, const char *target, int assert_length)
{
	relative rel;
	qp_revset list = QP_REVSET_INIT;
	qp_rev *from = NULL, *r = NULL;
	walk_ctx w = {"downgrade", target};
	const char *label;
	long taken = 0;
	int kind = WALK_REV, error = 0, m;
	size_t i;

	*out = *branch = NULL;
	if ((m = match_relative(&rel, target)) < 0)
		return m;
	if (!m) {
		/* absolute: the label restricts which branch goes down */
		const char *at = strrchr(target, '@');
		if (at) {
			char *l = strndup(target, (size_t)(at - target));
			if (!l)
				return qp_error_oom();
			error = *l ? qp_graph__resolve_branch(branch, g, l) : 0;
			free(l);
			if (error < 0)
				return error;
		}
		return qp_graph__get_revision(out, g, target, cur);
	}
	label = rel.label;
	if (rel.n >= 0) {
		if (!rel.symbol) {
			error = qp_error_set(QUIPU_EUSAGE, "Relative revision %s didn't produce %ld migrations: a "
			                     "downgrade goes down; use `quipu upgrade %s`", target, rel.n, target);
			goto done;
		}
		if (label && (error = qp_graph__resolve_branch(branch, g, label)) < 0)
			goto done;
		if ((error = qp_graph__get_revision(&from, g, rel.symbol, cur)) < 0)
			goto done;
		kind = from ? WALK_REV : WALK_BASE;
		if ((error = walk(&kind, &r, &taken, g, from, rel.n, *branch, assert_length, &w)) < 0)
			goto done;
		if (kind == WALK_NONE) {
			error = overwalk(rel.num, rel.n, taken, from ? from->info.id : NULL, 1);
			goto done;
		}
		*out = kind == WALK_REV ? r : NULL;
		goto done;
	}
	if (!rel.symbol) {
		/* -N from the database's rows */
		if (!cur) {
			error = not_connected(target);
			goto done;
		}
		if (label) {
			if ((error = filter_lineage(&list, g, cur->items, cur->count, label)) < 0)
				goto done;
			if (!list.count && (error = current_tips_on(&list, g, cur, label)) < 0)
				goto done;
			if (!list.count) {
				error = qp_error_set(QUIPU_ENOTFOUND, "`downgrade %s`: no applied revision is on branch '%s', "
				                     "there is nothing to step down from", target, label);
				goto done;
			}
			if (list.count > 1) {
				qp_buf b = QP_BUF_INIT;
				qp_revset__sort_id(&list);
				qp_graph__put_ids(&b, list.items, list.count);
				error = qp_error_set(QUIPU_EAMBIGUOUS, "`downgrade %s` is ambiguous: several current "
				                     "revisions (%s) are on branch '%s'; use `<rev>@%s` with one of them",
				                     target, qp_buf_cstr(&b), label, rel.num);
				qp_buf_release(&b);
				goto done;
			}
			from = list.items[0];
		} else {
			if (!cur->count) {
				error = qp_error_set(QUIPU_ENOTFOUND, "Relative revision %s didn't produce %ld migrations: "
				                     "the database is at base, there is nothing to downgrade",
				                     rel.num, -rel.n);
				goto done;
			}
			if (cur->count > 1) {
				/* Alembic warns and takes the first row; refuse instead */
				qp_buf b = QP_BUF_INIT, s = QP_BUF_INIT;
				for (i = 0; i < cur->count && !error; i++)
					error = qp_revset__add(&list, cur->items[i]);
				if (error < 0)
					goto done;
				qp_revset__sort_id(&list);
				qp_graph__put_ids(&b, list.items, list.count);
				for (i = 0; i < list.count; i++)
					qp_buf_printf(&s, "%s`downgrade %s@%s`", i ? (i + 1 == list.count ? " or " : ", ") : "",
					              list.items[i]->info.id, rel.num);
				error = qp_error_set(QUIPU_EAMBIGUOUS, "`downgrade %s` is ambiguous: the database has "
				                     "several current heads (%s); use %s to step one branch down, or "
				                     "`downgrade base` for all", rel.num, qp_buf_cstr(&b), qp_buf_cstr(&s));
				qp_buf_release(&b);
				qp_buf_release(&s);
				goto done;
			}
			from = cur->items[0];
			label = from->info.id;
		}
	} else if ((error = symbol_rev(&from, g, &rel, cur)) < 0) {
		goto done;
	}
	if (label && (error = qp_graph__resolve_branch(branch, g, label)) < 0)
		goto done;
	{
		qp_buf t = QP_BUF_INIT;
		int relative_to_current = !rel.symbol;
		if (relative_to_current)
			qp_buf_printf(&t, "downgrade %s", target);
		else
			qp_buf_puts(&t, target);
		w.target = qp_buf_cstr(&t);
		kind = from ? WALK_REV : WALK_BASE;
		error = walk(&kind, &r, &taken, g, from, rel.n, NULL, assert_length, &w);
		qp_buf_release(&t);
		if (error < 0)
			goto done;
		if (kind == WALK_NONE) {
			error = relative_to_current
			        ? qp_error_set(QUIPU_ENOTFOUND, "Relative revision %s didn't produce %ld migrations: "
			                       "the database is at '%s', which has only %ld below it; "
			                       "`quipu downgrade base` removes everything",
			                       rel.num, -rel.n, from ? from->info.id : "base", taken)
			        : overwalk(rel.num, rel.n, taken, from ? from->info.id : NULL, 0);
			goto done;
		}
	}
	*out = kind == WALK_REV ? r : NULL;
done:
	relative_release(&rel);
	qp_revset_release(&list);
	return error;
}

/* ---- the public entry ------------------------------------------------- */

static int cmp_order(const void *a, const void *b)
{
	size_t x = (*(qp_rev *const *)a)->order, y = (*(qp_rev *const *)b)->order;
	return x < y ? -1 : x > y;
}

int qp_graph_resolve(qp_revset *out, const qp_graph *g, const char *target,
                     const char *const *current, size_t n_current)
{
	qp_revset cur = QP_REVSET_INIT;
	relative rel;
	int error, m, connected = current != NULL || n_current > 0;

	if (!target || !*target)
		return qp_error_set(QUIPU_EUSAGE, "empty revision target; use `head`, `heads`, `base`, an id, "
		                    "a label, `label@head`, `+N` or `-N`");
	if (connected && (error = qp_graph__current(&cur, g, current, n_current)) < 0)
		goto done;
	if ((m = match_relative(&rel, target)) < 0) {
		error = m;
		goto done;
	}
	relative_release(&rel);
	if (m && rel.n < 0) {
		qp_rev *r = NULL, *branch = NULL;
		if ((error = qp_graph__parse_downgrade_target(&r, &branch, g, connected ? &cur : NULL,
		                                              target, 1)) < 0)
			goto done;
		if (r)
			error = qp_revset__add(out, r);
	} else {
		error = qp_graph__parse_upgrade_target(out, g, connected ? &cur : NULL, target, 1);
	}
	if (!error && out->count > 1)
		qsort(out->items, out->count, sizeof(*out->items), cmp_order);
done:
	qp_revset_release(&cur);
	return error;
}
