/*
 * arena.h: a bump allocator for data that lives and dies together (one
 * schema snapshot, one diff). Allocations are never freed one by one:
 * qp_arena_release() frees them all at once.
 *
 *   qp_arena a = QP_ARENA_INIT;
 *   char *s = qp_arena_strdup(&a, "users");
 *   ...
 *   qp_arena_release(&a);
 *
 * Every function returns NULL when memory runs out (and raises QUIPU_ENOMEM);
 * qp_arena_strdup(a, NULL) returns NULL without an error.
 */
#ifndef QP_UTIL_ARENA_H
#define QP_UTIL_ARENA_H

#include <stddef.h>

typedef struct qp_arena_block qp_arena_block;

typedef struct qp_arena {
	qp_arena_block *head;   /* owned: the current block, chained to older ones */
	size_t used;            /* bytes used in head */
	size_t total;           /* bytes allocated over all blocks (statistics) */
} qp_arena;

#define QP_ARENA_INIT {NULL, 0, 0}

/* n bytes, zeroed, aligned for any type. */
void *qp_arena_alloc(qp_arena *a, size_t n);
/* n bytes for text, not aligned (strings are packed end to end), the first
 * one set to NUL. Never store anything but chars there. */
char *qp_arena_textalloc(qp_arena *a, size_t n);
/* A copy of s (NULL for NULL; text: not aligned). */
char *qp_arena_strdup(qp_arena *a, const char *s);
/* A copy of s[0, n) with a NUL after it. */
char *qp_arena_strndup(qp_arena *a, const char *s, size_t n);
/* printf into the arena. */
char *qp_arena_printf(qp_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Grows, in place, the allocation p of old_n bytes by `more` bytes when it
 * is the last one made in a's current block and the block has room: 1 when
 * it did (the new bytes are not zeroed), 0 when the caller must allocate
 * anew. Arrays filled one after another (a table's columns, then its
 * constraints) then take no more than they hold. */
int qp_arena_extend(qp_arena *a, const void *p, size_t old_n, size_t more);
/* Frees every block and re-initialises a. */
void qp_arena_release(qp_arena *a);

/* A growable array of pointers whose storage lives in an arena (growth
 * leaves the old storage behind: at most twice the final size). */
typedef struct qp_ptrvec {
	void **items;
	size_t count;
	size_t cap;
} qp_ptrvec;

#define QP_PTRVEC_INIT {NULL, 0, 0}

/* 0 or QUIPU_ENOMEM. */
int qp_ptrvec_push(qp_ptrvec *v, qp_arena *a, void *item);

#endif
