/*
 * graph.h: the revision graph with Alembic's semantics (DESIGN §4).
 *
 * Nodes are revisions; edges go from a revision to its parents (`Revises`)
 * and to its dependencies (`Depends On`). Branch labels name a revision and,
 * as in Alembic, are inherited by its descendants along the branch for
 * `label@...` targets. Every query here is pure: the database's current
 * heads are passed in, never read.
 */
#ifndef QP_CORE_GRAPH_H
#define QP_CORE_GRAPH_H

#include <stddef.h>
#include "quipu.h"
#include "core/script.h"
#include "util/hash.h"
#include "util/strlist.h"

typedef struct qp_rev {
	quipu_revinfo info;         /* the public view; strings borrowed from script */
	qp_script *script;          /* borrowed from the graph's array */
	struct qp_rev **parents;    /* resolved `Revises`: a slice of the graph's parent_block */
	size_t n_parents;
	struct qp_rev **deps;       /* resolved `Depends On`, owned array */
	size_t n_deps;
	struct qp_rev **children;   /* revisions that name this one in Revises, id order: a slice
	                               of the graph's child_block */
	size_t n_children;
	struct qp_rev **dependents; /* revisions that name this one in Depends On */
	size_t n_dependents;
	struct qp_rev **norm_deps;  /* deps minus those an ancestor already depends on
	                               (Alembic's _normalized_resolved_dependencies); owned */
	size_t n_norm_deps;
	qp_strlist branches;        /* branch labels that apply here (own + inherited) */
	size_t order;               /* position in qp_graph.revs (topological) */
	const char **next_ids;      /* info.next storage: a slice of the graph's next_block */
} qp_rev;

typedef struct qp_graph {
	qp_script *scripts;         /* owned array of n_scripts (taken from the caller) */
	size_t n_scripts;
	qp_rev *nodes;              /* owned, one per script */
	qp_rev **parent_block;      /* owned: every node's parents, back to back */
	size_t n_parent_block;      /* used so far (while linking) */
	qp_rev **child_block;       /* owned: every node's children, back to back */
	const char **next_block;    /* owned: every node's info.next, back to back */
	qp_rev **revs;              /* topological order: parents and dependencies
	                               before children; ties broken by id */
	size_t count;
	qp_map by_id;               /* id -> qp_rev* */
	qp_map by_label;            /* label (declared) -> qp_rev* */
	qp_rev **heads;             /* no children, id order */
	size_t n_heads;
	qp_rev **bases;             /* no parents, id order */
	size_t n_bases;
} qp_graph;

#define QP_GRAPH_INIT {0}

/*
 * Builds the graph from parsed scripts, taking ownership of the array (it is
 * freed by qp_graph_release, also on failure). Checks everything at once and
 * reports every problem in one QUIPU_EGRAPH error, one line per problem,
 * each naming the file(s): duplicate ids (both files), missing parents or
 * dependencies, cycles, labels declared twice, ids too long for the version
 * column or with forbidden characters.
 */
int qp_graph_build(qp_graph *g, qp_script *scripts, size_t n_scripts);
void qp_graph_release(qp_graph *g);

/* Exact id, else unique prefix. QUIPU_ENOTFOUND ("Can't locate revision
 * identified by 'x'") or QUIPU_EAMBIGUOUS listing the candidates. */
int qp_graph_lookup(qp_rev **out, const qp_graph *g, const char *id);

/* A set of revisions, in the graph's topological order unless said otherwise. */
typedef struct qp_revset {
	qp_rev **items;
	size_t count;
	size_t cap;
} qp_revset;
#define QP_REVSET_INIT {NULL, 0, 0}
void qp_revset_release(qp_revset *s);

/*
 * Resolves a target to revisions: head, heads, base (empty set), full id,
 * prefix, label, label@head, label@base, label@<rev>, <rev>@head, <rev>+N,
 * <rev>-N, +N, -N (relative to `current`), head-N, label@+N, current.
 * `current` are the database's rows (may be NULL/0 when not connected; then
 * relative-to-current targets fail with a clear error).
 */
int qp_graph_resolve(qp_revset *out, const qp_graph *g, const char *target,
                     const char *const *current, size_t n_current);

/* One step of a run. */
typedef struct qp_step {
	qp_rev *rev;
	int direction;              /* +1 up, -1 down */
} qp_step;

typedef struct qp_steps {
	qp_step *items;
	size_t count;
	size_t cap;
} qp_steps;
#define QP_STEPS_INIT {NULL, 0, 0}
void qp_steps_release(qp_steps *s);

/*
 * The steps `upgrade TARGET` runs from `current` (version-table rows; ids
 * not in the graph are an error naming them: "database is at X, which is
 * not in the scripts"). Visits exactly what Alembic visits, parents and
 * dependencies first. An empty plan is not an error.
 */
int qp_graph_plan_upgrade(qp_steps *out, const qp_graph *g,
                          const char *const *current, size_t n_current, const char *target);
/* The steps `downgrade TARGET` runs: descendants first. Refuses where
 * Alembic guesses (see DESIGN §4) with the targets meant instead. */
int qp_graph_plan_downgrade(qp_steps *out, const qp_graph *g,
                            const char *const *current, size_t n_current, const char *target);

/* history -r START:END: revisions newest first. Either side may be empty. */
int qp_graph_history(qp_revset *out, const qp_graph *g, const char *range,
                     const char *const *current, size_t n_current);

/*
 * Version-table bookkeeping as Alembic's HeadMaintainer does it: given the
 * current head rows (`heads`, updated in place) and a step, produce the
 * statements' operations in order.
 */
typedef enum { QP_VOP_INSERT = 1, QP_VOP_DELETE, QP_VOP_UPDATE } qp_vop_kind;
typedef struct qp_vop {
	qp_vop_kind kind;
	const char *from;           /* DELETE, UPDATE: the row's old value (borrowed from the graph) */
	const char *to;             /* INSERT, UPDATE: the new value (borrowed from the graph) */
} qp_vop;
typedef struct qp_vops {
	qp_vop items[8];            /* inline; more spill to `more` */
	size_t count;
	qp_vop *more;
	size_t cap_more;
} qp_vops;
#define QP_VOPS_INIT {{{0, NULL, NULL}}, 0, NULL, 0}
const qp_vop *qp_vops_at(const qp_vops *v, size_t i);
void qp_vops_release(qp_vops *v);

/* `heads` holds strings owned by the caller's list (qp_strlist); it is updated
 * to the rows after the step. */
int qp_graph_version_ops(qp_vops *out, const qp_graph *g, qp_strlist *heads, const qp_step *step);

/*
 * `stamp TARGET`: the rows the version table should hold afterwards (in
 * `out`, copies), computed as Alembic does from the current rows (purge:
 * from nothing). TARGET may name several revisions, separated by blanks or
 * commas (`stamp a b`); relative targets are refused, as Alembic fails on them.
 */
int qp_graph_stamp_rows(qp_strlist *out, const qp_graph *g, const char *const *current,
                        size_t n_current, const char *target, int purge);

#endif
