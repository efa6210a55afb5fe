/*
 * hash.c: string-keyed open-addressing hash maps (see hash.h): qp_map of
 * borrowed keys to pointers, qp_idmap of keys to numbers.
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

/* The map's own hash (qp_hash_str stays FNV-1a: callers keep its values).
 * Keys here are long and alike (model keys such as "c\1public\1at0050\1name"),
 * so they are read eight bytes at a time, each word folded in with a
 * multiply, and the result mixed (MurmurHash3's fmix64) so that the low bits
 * the slot is taken from depend on every byte. */
static unsigned long long map_hash(const char *key)
{
	size_t len = strlen(key), i;
	unsigned long long h = 0x9E3779B97F4A7C15ULL ^ len, w;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, key + i, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 29;
	}
	if (i < len) {
		w = 0;
		memcpy(&w, key + i, len - i);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
	}
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/* The slot holding key (hash h), or the empty one where it would go. The
 * stored hashes spare most string comparisons. */
static qp_map_entry *find(qp_map_entry *slots, size_t cap, const char *key, unsigned long long h)
{
	size_t i = (size_t)h & (cap - 1);
	while (slots[i].key && (slots[i].hash != h || strcmp(slots[i].key, key)))
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
		if (m->slots[i].key) {
			size_t j = (size_t)m->slots[i].hash & (cap - 1);
			while (n[j].key)
				j = (j + 1) & (cap - 1);
			n[j] = m->slots[i];
		}
	free(m->slots);
	m->slots = n;
	m->cap = cap;
	return 0;
}

int qp_map_put(qp_map *m, const char *key, void *value)
{
	qp_map_entry *e;
	unsigned long long h;

	if ((m->count + 1) * 2 > m->cap && resize(m, m->cap ? m->cap * 2 : 16) < 0)
		return QUIPU_ENOMEM;
	h = map_hash(key);
	e = find(m->slots, m->cap, key, h);
	if (!e->key) {
		e->key = key;
		e->hash = h;
		m->count++;
	}
	e->value = value;
	return 0;
}

void *qp_map_get(const qp_map *m, const char *key)
{
	if (!m->cap)
		return NULL;
	return find(m->slots, m->cap, key, map_hash(key))->value;
}

void qp_map_release(qp_map *m)
{
	free(m->slots);
	m->slots = NULL;
	m->cap = m->count = 0;
}

/* ---- qp_idmap ----------------------------------------------------------- */

/* The slot holding key (hash h), or the empty one where it would go. */
static unsigned *idmap_find(const qp_idmap *m, const char *key, unsigned long long h, qp_idmap_key_fn key_of,
                            const void *ctx)
{
	size_t i = (size_t)h & (m->cap - 1);
	unsigned s;

	while ((s = m->slots[i]) != 0 && strcmp(key_of(ctx, s - 1), key))
		i = (i + 1) & (m->cap - 1);
	return &m->slots[i];
}

static int idmap_resize(qp_idmap *m, size_t cap, qp_idmap_key_fn key_of, const void *ctx)
{
	unsigned *n = calloc(cap, sizeof(*n));
	size_t i, j;

	if (!n)
		return qp_error_oom();
	for (i = 0; i < m->cap; i++)
		if (m->slots[i]) {
			for (j = (size_t)map_hash(key_of(ctx, m->slots[i] - 1)) & (cap - 1); n[j]; j = (j + 1) & (cap - 1))
				;
			n[j] = m->slots[i];
		}
	free(m->slots);
	m->slots = n;
	m->cap = cap;
	return 0;
}

int qp_idmap_put(qp_idmap *m, const char *key, unsigned id, qp_idmap_key_fn key_of, const void *ctx)
{
	unsigned *s;

	if (id >= 0xffffffffu)
		return qp_error_oom();
	if ((m->count + 1) * 2 > m->cap && idmap_resize(m, m->cap ? m->cap * 2 : 16, key_of, ctx) < 0)
		return QUIPU_ENOMEM;
	s = idmap_find(m, key, map_hash(key), key_of, ctx);
	if (!*s)
		m->count++;
	*s = id + 1;
	return 0;
}

long qp_idmap_get(const qp_idmap *m, const char *key, qp_idmap_key_fn key_of, const void *ctx)
{
	unsigned s;

	if (!m->cap)
		return -1;
	s = *idmap_find(m, key, map_hash(key), key_of, ctx);
	return s ? (long)s - 1 : -1;
}

void qp_idmap_clear(qp_idmap *m)
{
	if (m->slots)
		memset(m->slots, 0, m->cap * sizeof(*m->slots));
	m->count = 0;
}

void qp_idmap_release(qp_idmap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->cap = m->count = 0;
}
