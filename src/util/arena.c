/*
 * arena.c: the bump allocator (see arena.h). Blocks of at least 64 KiB;
 * a larger request gets a block of its own. Objects are aligned for any
 * type, text is not (packed end to end).
 */
#include "util/arena.h"
#include "util/err.h"

#include <stdarg.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_SIZE (64 * 1024)
#define ALIGN (alignof(max_align_t))

struct qp_arena_block {
	qp_arena_block *prev;   /* the block before this one */
	size_t size;            /* usable bytes in data */
	alignas(max_align_t) unsigned char data[];
};

/* n bytes at `align` (a power of two: ALIGN, or 1 for text) in the current
 * block, or in a new one. Not zeroed. */
static void *take(qp_arena *a, size_t n, size_t align)
{
	size_t off = a->head ? (a->used + align - 1) & ~(align - 1) : 0;
	void *p;

	if (!a->head || off + n > a->head->size) {
		size_t size = n > BLOCK_SIZE ? n : BLOCK_SIZE;
		qp_arena_block *b = malloc(sizeof(*b) + size);

		if (!b) {
			qp_error_oom();
			return NULL;
		}
		b->prev = a->head;
		b->size = size;
		a->head = b;
		a->total += size;
		off = 0;
	}
	p = a->head->data + off;
	a->used = off + n;
	return p;
}

void *qp_arena_alloc(qp_arena *a, size_t n)
{
	/* a zero-byte request still gets a pointer of its own */
	void *p = take(a, n ? n : 1, ALIGN);

	if (p)
		memset(p, 0, n);
	return p;
}

int qp_arena_extend(qp_arena *a, const void *p, size_t old_n, size_t more)
{
	const unsigned char *end = (const unsigned char *)p + old_n;

	if (!a->head || !p || end != a->head->data + a->used || more > a->head->size - a->used)
		return 0;
	a->used += more;
	return 1;
}

/* Text needs no alignment: strings are packed end to end (a model holds
 * tens of thousands of short names and keys; rounding each up to 16 bytes
 * cost about a sixth of their space). */
char *qp_arena_strndup(qp_arena *a, const char *s, size_t n)
{
	char *p = take(a, n + 1, 1);

	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *qp_arena_textalloc(qp_arena *a, size_t n)
{
	char *p = take(a, n ? n : 1, 1);

	if (p)
		p[0] = '\0';
	return p;
}

char *qp_arena_strdup(qp_arena *a, const char *s)
{
	return s ? qp_arena_strndup(a, s, strlen(s)) : NULL;
}

char *qp_arena_printf(qp_arena *a, const char *fmt, ...)
{
	va_list ap;
	char small[256];
	char *p;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	if ((size_t)n < sizeof(small))
		return qp_arena_strndup(a, small, (size_t)n);
	if (!(p = qp_arena_textalloc(a, (size_t)n + 1)))
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void qp_arena_release(qp_arena *a)
{
	qp_arena_block *b = a->head;

	while (b) {
		qp_arena_block *prev = b->prev;
		free(b);
		b = prev;
	}
	a->head = NULL;
	a->used = a->total = 0;
}

int qp_ptrvec_push(qp_ptrvec *v, qp_arena *a, void *item)
{
	if (v->count == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 4;
		void **items = qp_arena_alloc(a, cap * sizeof(*items));

		if (!items)
			return QUIPU_ENOMEM;
		if (v->count)
			memcpy(items, v->items, v->count * sizeof(*items));
		v->items = items;
		v->cap = cap;
	}
	v->items[v->count++] = item;
	return 0;
}
