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

/* A string-keyed index of numbered items kept elsewhere (a model's objects
 * by key): each slot is 4 bytes, the item's number, against 24 for a qp_map
 * entry; keys are read back through `key_of` (to compare, and to hash again
 * when the slots grow). Numbers are below UINT32_MAX. */
typedef const char *(*qp_idmap_key_fn)(const void *ctx, unsigned id);

typedef struct qp_idmap {
	unsigned *slots;           /* owned: id + 1, 0 for an empty slot */
	size_t cap;                /* a power of two */
	size_t count;
} qp_idmap;

#define QP_IDMAP_INIT {NULL, 0, 0}

/* Inserts key as `id`, or renumbers it when present. 0 or QUIPU_ENOMEM. */
int qp_idmap_put(qp_idmap *m, const char *key, unsigned id, qp_idmap_key_fn key_of, const void *ctx);
/* key's id, or -1. */
long qp_idmap_get(const qp_idmap *m, const char *key, qp_idmap_key_fn key_of, const void *ctx);
/* Empties it, keeping its slots. */
void qp_idmap_clear(qp_idmap *m);
void qp_idmap_release(qp_idmap *m);

#endif
