/*
 * graph_internal.h: helpers shared by the graph_*.c files (not part of the
 * graph's interface; see graph.h for that).
 *
 * Sets of revisions are byte arrays indexed by qp_rev.order (calloc'd with
 * g->count bytes by the caller). The vocabulary follows Alembic's
 * RevisionMap, whose semantics these files port:
 *   versioned edges  parents (`Revises`) / children;
 *   dependency edges parents + dependencies / children + dependents
 *                    (Alembic's _normalized_down_revisions / _all_nextrev).
 */
#ifndef QP_CORE_GRAPH_INTERNAL_H
#define QP_CORE_GRAPH_INTERNAL_H

#include "core/graph.h"
#include "util/buf.h"

enum { QP_G_VERSIONED = 0, QP_G_DEPS = 1 };

/* A set of revisions: one byte per revision, indexed by qp_rev.order. */
unsigned char *qp_graph__set_new(const qp_graph *g);

/* Marks (sets mark[order] = 1) `from` and every ancestor of them. */
int qp_graph__ancestors(unsigned char *mark, const qp_graph *g, qp_rev *const *from, size_t n,
                        int deps);
/* Marks `from` and every descendant of them. */
int qp_graph__descendants(unsigned char *mark, const qp_graph *g, qp_rev *const *from, size_t n,
                          int deps);
/* Marks every revision sharing a line with `rev`: its ancestors and descendants
 * (Alembic's _shares_lineage, seen from the other side). */
int qp_graph__lineage(unsigned char *mark, const qp_graph *g, qp_rev *rev, int deps);

/*
 * Alembic's _topological_sort: the revisions marked in `todo` (cleared as
 * they are emitted), newest first, walking down from `heads` one branch at a
 * time. Appends to out.
 */
int qp_graph__topo_newest_first(qp_revset *out, const qp_graph *g, unsigned char *todo,
                                qp_rev *const *heads, size_t n_heads);

int qp_revset__add(qp_revset *s, qp_rev *r);
int qp_revset__has(const qp_revset *s, const qp_rev *r);
/* Sorts by id (the order Alembic's map gives revisions once files are listed). */
void qp_revset__sort_id(qp_revset *s);

/* "a, b, c" of the revisions' ids into b. */
void qp_graph__put_ids(qp_buf *b, qp_rev *const *revs, size_t n);

/* Revisions with neither children nor dependents (Alembic's _real_heads), id order. */
int qp_graph__real_heads(qp_revset *out, const qp_graph *g);

/*
 * The database's rows as revisions, deduplicated. Unknown ids are a
 * QUIPU_ESTATE error naming them and the fix.
 */
int qp_graph__current(qp_revset *out, const qp_graph *g, const char *const *current,
                      size_t n_current);

/*
 * Alembic's RevisionMap.get_revisions for one string: head, heads, base,
 * label@head, label@heads, label@<rev>, <rev>@head, ids, prefixes, labels,
 * current (when `cur` is not NULL). Appends to out.
 */
int qp_graph__get_revisions(qp_revset *out, const qp_graph *g, const char *id,
                            const qp_revset *cur);
/* get_revision: like get_revisions but one revision at most (*out NULL for base). */
int qp_graph__get_revision(qp_rev **out, const qp_graph *g, const char *id, const qp_revset *cur);
/* A branch label, or a revision named as one (Alembic's _resolve_branch). */
int qp_graph__resolve_branch(qp_rev **out, const qp_graph *g, const char *label);

/*
 * Alembic's _parse_upgrade_target: the revisions `target` names, relative
 * forms counted from `cur` (NULL: not connected). An empty set is `base`.
 */
int qp_graph__parse_upgrade_target(qp_revset *out, const qp_graph *g, const qp_revset *cur,
                                   const char *target, int assert_length);
/*
 * Alembic's _parse_downgrade_target: *out the revision to go down to (NULL:
 * base), *branch the branch the target was restricted to (NULL: none).
 * Refuses where Alembic guesses (several current heads, merge points).
 */
int qp_graph__parse_downgrade_target(qp_rev **out, qp_rev **branch, const qp_graph *g,
                                     const qp_revset *cur, const char *target, int assert_length);

#endif
