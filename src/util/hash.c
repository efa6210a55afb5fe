/*
 * hash.c: string-keyed open-addressing hash map (see hash.h).
 */
#include "util/hash.h"
#include "util/err.h"

#include <stdlib.h>
#include <string.h>

unsigned long qp_hash_str(const char *s)
{
	unsigned long h = 1469598103934665603UL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211UL;
	}
	return h;
}

/* FNV-1a's low bits are weak (a multiply only carries upwards), and the
 * slot is taken from them: keys such as "c16384" and "c16385" would crowd
 * together. A final mix (MurmurHash3's fmix64) spreads them. */
static size_t slot_of(const char *key, size_t cap)
{
	unsigned long long h = qp_hash_str(key);

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return (size_t)h & (cap - 1);
}

static qp_map_entry *find(qp_map_entry *slots, size_t cap, const char *key)
{
	size_t i = slot_of(key, cap);
	while (slots[i].key && strcmp(slots[i].key, key))
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static int resize(qp_map *m, size_t cap)
{
	qp_map_entry *n = calloc(cap, sizeof(*n));
	size_t i;

	if (!n)
		return qp_error_oom();
	for (i = 0; i < m->cap; i++)
		if (m->slots[i].key)
			*find(n, cap, m->slots[i].key) = m->slots[i];
	free(m->slots);
	m->slots = n;
	m->cap = cap;
	return 0;
}

int qp_map_put(qp_map *m, const char *key, void *value)
{
	qp_map_entry *e;

	if ((m->count + 1) * 2 > m->cap && resize(m, m->cap ? m->cap * 2 : 16) < 0)
		return QUIPU_ENOMEM;
	e = find(m->slots, m->cap, key);
	if (!e->key) {
		e->key = key;
		m->count++;
	}
	e->value = value;
	return 0;
}

void *qp_map_get(const qp_map *m, const char *key)
{
	if (!m->cap)
		return NULL;
	return find(m->slots, m->cap, key)->value;
}

void qp_map_release(qp_map *m)
{
	free(m->slots);
	m->slots = NULL;
	m->cap = m->count = 0;
}
