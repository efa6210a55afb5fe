/*
 * hash.h: a string-keyed hash map of borrowed keys to pointers
 * (open addressing, linear probing, each slot keeping its key's hash).
 * The map never owns keys or values.
 */
#ifndef QP_UTIL_HASH_H
#define QP_UTIL_HASH_H

#include <stddef.h>

typedef struct qp_map_entry {
	const char *key;   /* borrowed; NULL for an empty slot */
	void *value;
	unsigned long long hash;  /* of key (hash.c's own function) */
} qp_map_entry;

typedef struct qp_map {
	qp_map_entry *slots;
	size_t cap;        /* a power of two */
	size_t count;
} qp_map;

#define QP_MAP_INIT {NULL, 0, 0}

/* Inserts or replaces. 0 or QUIPU_ENOMEM. */
int qp_map_put(qp_map *m, const char *key, void *value);
/* The value, or NULL. */
void *qp_map_get(const qp_map *m, const char *key);
void qp_map_release(qp_map *m);
unsigned long qp_hash_str(const char *s);

#endif
