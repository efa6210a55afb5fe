/*
 * hcache.c: the revision header cache (see hcache.h).
 *
 * File format (host byte order; a file written by another build or machine
 * fails the header check and is ignored):
 *
 *   "QPHC" u32 format, u32 sizeof(qp_fstamp), u32 entry count,
 *   quipu version NUL, folder path NUL,
 *   then per entry, in strcmp order of the name:
 *     qp_fstamp; u32 up flags, u32 up line, u64 up offset, u64 up length,
 *     the same for the downgrade section; u32 n_down, n_labels, n_depends;
 *     name NUL, id NUL, message NUL, create_date NUL, the list items NUL each.
 *
 * Reading never trusts the file: every length is checked against the end of
 * the blob, and any inconsistency makes the whole cache empty.
 */
#include "core/hcache.h"
#include "quipu.h"
#include "util/hash.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#ifndef QUIPU_VERSION_STRING
#define QUIPU_VERSION_STRING "unknown"
#endif

#define MAGIC "QPHC"
#define FORMAT 1u
/* in the put buffer, the name follows the fixed part of an entry */
#define PUT_NAME_OFFSET (sizeof(qp_fstamp) + 2 * 24 + 3 * 4)

void qp_fstamp_of(qp_fstamp *out, const struct stat *st)
{
	memset(out, 0, sizeof(*out));
	out->size = (uint64_t)st->st_size;
	out->ino = (uint64_t)st->st_ino;
	out->dev = (uint64_t)st->st_dev;
	out->mt_s = (int64_t)st->st_mtim.tv_sec;
	out->mt_ns = (int64_t)st->st_mtim.tv_nsec;
	out->ct_s = (int64_t)st->st_ctim.tv_sec;
	out->ct_ns = (int64_t)st->st_ctim.tv_nsec;
}

/* ---------------------------------------------------------------- reading */

static void unmap(qp_hcache *c)
{
	if (c->blob)
		munmap((void *)c->blob, c->blob_len);
	c->blob = NULL;
	c->blob_len = 0;
	c->n_old = 0;
	free(c->hit);
	c->hit = NULL;
}

typedef struct cursor {
	const char *p, *end;
	int bad;
} cursor;

static void take(cursor *c, void *dst, size_t n)
{
	if (c->bad || (size_t)(c->end - c->p) < n) {
		c->bad = 1;
		memset(dst, 0, n);
		return;
	}
	memcpy(dst, c->p, n);
	c->p += n;
}

static uint32_t take_u32(cursor *c)
{
	uint32_t v;
	take(c, &v, sizeof(v));
	return v;
}

static uint64_t take_u64(cursor *c)
{
	uint64_t v;
	take(c, &v, sizeof(v));
	return v;
}

/* A NUL-terminated string inside the blob (borrowed), or "" and c->bad. */
static const char *take_str(cursor *c)
{
	const char *s = c->p, *nul;

	if (c->bad || !(nul = memchr(c->p, '\0', (size_t)(c->end - c->p)))) {
		c->bad = 1;
		return "";
	}
	c->p = nul + 1;
	return s;
}

static void take_section(cursor *c, qp_section *s)
{
	uint32_t flags = take_u32(c);

	s->present = (flags & 1u) != 0;
	s->transaction = (flags & 2u) != 0;
	s->line = (int)take_u32(c);
	s->offset = (size_t)take_u64(c);
	s->length = (size_t)take_u64(c);
}

/* One entry, with its strings borrowed from the blob. */
typedef struct entry {
	const char *start, *end;   /* the record's bytes */
	qp_fstamp st;
	qp_section up, down;
	uint32_t n_lists[3];       /* down, labels, depends */
	const char *name, *id, *message, *create_date;
	const char *items;         /* n_lists[0] + [1] + [2] strings back to back */
} entry;

static int read_entry(cursor *c, entry *e)
{
	uint32_t i, n;

	e->start = c->p;
	take(c, &e->st, sizeof(e->st));
	take_section(c, &e->up);
	take_section(c, &e->down);
	for (i = 0; i < 3; i++)
		e->n_lists[i] = take_u32(c);
	e->name = take_str(c);
	e->id = take_str(c);
	e->message = take_str(c);
	e->create_date = take_str(c);
	e->items = c->p;
	n = e->n_lists[0] + e->n_lists[1] + e->n_lists[2];
	if (n > (uint32_t)(c->end - c->p))   /* also catches a wrapped sum */
		c->bad = 1;
	for (i = 0; i < n && !c->bad; i++)
		take_str(c);
	e->end = c->p;
	return c->bad ? -1 : 0;
}

/* Checks the header; positions c->pos after it. The entries are checked as
 * the lookups reach them (qp_hcache_get). 0 when the blob is usable. */
static int check_blob(qp_hcache *c)
{
	cursor k = {c->blob, c->blob + c->blob_len, 0};
	char magic[4];
	uint32_t format, stamp_size, count;

	take(&k, magic, 4);
	format = take_u32(&k);
	stamp_size = take_u32(&k);
	count = take_u32(&k);
	if (k.bad || memcmp(magic, MAGIC, 4) || format != FORMAT || stamp_size != sizeof(qp_fstamp))
		return -1;
	if (strcmp(take_str(&k), QUIPU_VERSION_STRING) || k.bad || strcmp(take_str(&k), c->dir) || k.bad)
		return -1;
	c->first = c->pos = (size_t)(k.p - c->blob);
	c->n_old = count;
	return 0;
}

static void load(qp_hcache *c)
{
	struct stat st;
	void *m;
	int fd = open(c->file, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	/* mapped, not read: the pages come from the page cache as they are
	 * (a read() would copy them into fresh heap pages, and a fresh page
	 * costs more than the copy on some virtual machines) */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0)) != MAP_FAILED) {
		c->blob = m;
		c->blob_len = (size_t)st.st_size;
		if (check_blob(c) < 0)
			unmap(c);
	}
	close(fd);
}

/* ---------------------------------------------------------------- writing */

static void put_u32(qp_buf *b, uint32_t v)
{
	qp_buf_put(b, (const char *)&v, sizeof(v));
}

static void put_u64(qp_buf *b, uint64_t v)
{
	qp_buf_put(b, (const char *)&v, sizeof(v));
}

static void put_str(qp_buf *b, const char *s)
{
	qp_buf_put(b, s ? s : "", strlen(s ? s : "") + 1);
}

static void put_section(qp_buf *b, const qp_section *s)
{
	put_u32(b, (s->present ? 1u : 0u) | (s->transaction ? 2u : 0u));
	put_u32(b, (uint32_t)s->line);
	put_u64(b, (uint64_t)s->offset);
	put_u64(b, (uint64_t)s->length);
}

static int mkdir_quiet(const char *path)
{
	return mkdir(path, 0700) == 0 || errno == EEXIST ? 0 : -1;
}

/* The name of the entry at *pos, and *pos moved past it. */
static const char *entry_at(const qp_hcache *c, size_t *pos, const char **start)
{
	cursor k = {c->blob + *pos, c->blob + c->blob_len, 0};
	entry e;

	read_entry(&k, &e);   /* checked by qp_hcache_get */
	*start = e.start;
	*pos = (size_t)(k.p - c->blob);
	return e.name;
}

/* The old entries still valid (hit) and the new ones (put), merged in name
 * order: both come in name order already. */
static void merge_entries(qp_buf *b, qp_hcache *c)
{
	size_t pos = c->first, i = 0, npos = 0;
	const char *ostart = NULL, *oname = NULL, *nname;
	size_t oend = 0, nlen;

	for (;;) {
		while (!oname && i < c->idx) {   /* the entries looked at: checked, some hit */
			size_t at = pos;
			oname = entry_at(c, &pos, &ostart);
			oend = pos;
			if (!c->hit[i++])
				oname = NULL;
			(void)at;
		}
		nname = NULL;
		if (npos < c->put.len) {
			memcpy(&nlen, c->put.ptr + npos, sizeof(nlen));
			nname = c->put.ptr + npos + sizeof(nlen) + PUT_NAME_OFFSET;
		}
		if (!oname && !nname)
			break;
		if (oname && (!nname || strcmp(oname, nname) < 0)) {
			qp_buf_put(b, ostart, (size_t)(c->blob + oend - ostart));
			oname = NULL;
		} else {
			qp_buf_put(b, c->put.ptr + npos + sizeof(nlen), nlen);
			npos += sizeof(nlen) + nlen;
		}
	}
}

/* Removes the cache files of folders no run has looked at for
 * QP_HCACHE_PRUNE_DAYS (a deleted project's cache would stay forever
 * otherwise). Only when a cache is written, so a read costs nothing. */
static void prune(const char *file)
{
	char *dir = strdup(file), *slash;
	struct dirent *e;
	struct stat st;
	time_t old = time(NULL) - (time_t)QP_HCACHE_PRUNE_DAYS * 86400;
	DIR *d;

	if (!dir || !(slash = strrchr(dir, '/')) || !(*slash = '\0', d = opendir(dir))) {
		free(dir);
		return;
	}
	while ((e = readdir(d)) != NULL)
		if (!strncmp(e->d_name, "headers-", 8) && fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode) && st.st_mtime < old && st.st_atime < old)
			unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
	free(dir);
}

static void write_file(qp_hcache *c)
{
	qp_buf b = QP_BUF_INIT;
	char *tmp = NULL, *slash;
	size_t off = 0;
	int fd = -1;

	qp_buf_put(&b, MAGIC, 4);
	put_u32(&b, FORMAT);
	put_u32(&b, (uint32_t)sizeof(qp_fstamp));
	put_u32(&b, (uint32_t)(c->n_hits + c->n_put));
	put_str(&b, QUIPU_VERSION_STRING);
	put_str(&b, c->dir);
	merge_entries(&b, c);
	if (b.oom || !(tmp = malloc(strlen(c->file) + 32)))
		goto done;
	/* <cache home>/quipu: create both levels if needed (the user's own) */
	strcpy(tmp, c->file);
	if ((slash = strrchr(tmp, '/')) && slash != tmp) {
		*slash = '\0';
		if ((slash = strrchr(tmp, '/')) && slash != tmp) {
			*slash = '\0';
			mkdir_quiet(tmp);
			*slash = '/';
		}
		if (mkdir_quiet(tmp) < 0)
			goto done;
	}
	snprintf(tmp, strlen(c->file) + 32, "%s.%ld.tmp", c->file, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		goto done;
	while (off < b.len) {
		ssize_t w = write(fd, b.ptr + off, b.len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (close(fd) < 0 || off != b.len || rename(tmp, c->file) < 0)
		unlink(tmp);
	fd = -1;
	prune(c->file);
done:
	if (fd >= 0) {
		close(fd);
		unlink(tmp);
	}
	free(tmp);
	qp_buf_release(&b);
}

/* ---------------------------------------------------------------- API */

static int env_off(void)
{
	const char *v = getenv("QUIPU_NO_CACHE");
	return v && *v && strcmp(v, "0");
}

void qp_hcache_open(qp_hcache *c, const char *dir, const char *cache_home)
{
	const char *home;
	char *base = NULL;
	struct timespec now;
	size_t n;

	memset(c, 0, sizeof(*c));
	if (env_off() || !dir || dir[0] != '/')
		return;
	if (!cache_home) {
		cache_home = getenv("XDG_CACHE_HOME");
		if (!cache_home || cache_home[0] != '/') {   /* XDG: a relative value is ignored */
			home = getenv("HOME");
			if (!home || home[0] != '/')
				return;
			n = strlen(home) + sizeof("/.cache");
			if (!(base = malloc(n)))
				return;
			snprintf(base, n, "%s/.cache", home);
			cache_home = base;
		}
	}
	n = strlen(cache_home) + sizeof("/quipu/headers-") + 16;
	c->file = malloc(n);
	c->dir = strdup(dir);
	if (!c->file || !c->dir) {
		free(c->file);
		free(c->dir);
		c->file = c->dir = NULL;
		goto done;
	}
	snprintf(c->file, n, "%s/quipu/headers-%016llx", cache_home, (unsigned long long)qp_hash_str(dir));
	clock_gettime(CLOCK_REALTIME, &now);
	c->settle_s = (int64_t)now.tv_sec - QP_HCACHE_SETTLE_NS / 1000000000LL;
	c->settle_ns = (int64_t)now.tv_nsec;
	c->enabled = 1;
	load(c);
	if (c->n_old && !(c->hit = calloc(c->n_old, 1)))
		unmap(c);
done:
	free(base);
}

static int same_stamp(const qp_fstamp *a, const qp_fstamp *b)
{
	return a->size == b->size && a->ino == b->ino && a->dev == b->dev && a->mt_s == b->mt_s &&
	       a->mt_ns == b->mt_ns && a->ct_s == b->ct_s && a->ct_ns == b->ct_ns;
}

/* Points l at n strings starting at *items (borrowed), its array in the arena. */
static int fill_list(qp_hcache *c, qp_strlist *l, const char **items, uint32_t n)
{
	uint32_t i;

	if (!n)
		return 0;
	if (!(l->items = qp_arena_alloc(&c->arena, n * sizeof(*l->items))))
		return -1;
	for (i = 0; i < n; i++) {
		l->items[i] = (char *)*items;
		*items += strlen(*items) + 1;
	}
	l->count = l->cap = n;
	return 0;
}

int qp_hcache_get(qp_hcache *c, const char *name, const char *path, const qp_fstamp *st, qp_script *out)
{
	cursor k;
	entry e;
	int cmp = 1;
	const char *items;

	if (!c->enabled || !c->blob || c->damaged)
		return 0;
	k.end = c->blob + c->blob_len;
	k.bad = 0;
	/* skip the entries of files that are gone (names before this one) */
	while (c->idx < c->n_old) {
		k.p = c->blob + c->pos;
		if (read_entry(&k, &e) < 0 || (c->prev && strcmp(c->prev, e.name) >= 0)) {
			c->damaged = 1;   /* from here on: ignored, and the file rewritten */
			return 0;
		}
		cmp = strcmp(e.name, name);
		if (cmp >= 0)
			break;
		c->prev = e.name;
		c->pos = (size_t)(k.p - c->blob);
		c->idx++;
	}
	if (cmp != 0 || c->idx >= c->n_old)
		return 0;
	c->prev = e.name;
	c->pos = (size_t)(k.p - c->blob);
	c->idx++;
	if (!same_stamp(&e.st, st))
		return 0;
	memset(out, 0, sizeof(*out));
	out->borrowed = 1;
	items = e.items;
	if (!(out->path = qp_arena_strdup(&c->arena, path)) || fill_list(c, &out->down, &items, e.n_lists[0]) < 0 ||
	    fill_list(c, &out->labels, &items, e.n_lists[1]) < 0 ||
	    fill_list(c, &out->depends, &items, e.n_lists[2]) < 0) {
		memset(out, 0, sizeof(*out));
		return QUIPU_ENOMEM;
	}
	out->id = (char *)e.id;
	out->message = (char *)e.message;
	out->create_date = (char *)e.create_date;
	out->up = e.up;
	out->downgrade = e.down;
	c->hit[c->idx - 1] = 1;
	c->n_hits++;
	return 1;
}

static void put_list(qp_buf *b, const qp_strlist *l)
{
	size_t i;
	for (i = 0; i < l->count; i++)
		put_str(b, l->items[i]);
}

void qp_hcache_put(qp_hcache *c, const char *name, const qp_fstamp *st, const qp_script *s)
{
	size_t at, len;

	if (!c->enabled)
		return;
	/* changed too recently: a second change in the same tick would go unseen */
	if (st->ct_s > c->settle_s || (st->ct_s == c->settle_s && st->ct_ns >= c->settle_ns))
		return;
	/* [size_t length][the entry] */
	at = c->put.len;
	len = 0;
	qp_buf_put(&c->put, (const char *)&len, sizeof(len));
	qp_buf_put(&c->put, (const char *)st, sizeof(*st));
	put_section(&c->put, &s->up);
	put_section(&c->put, &s->downgrade);
	put_u32(&c->put, (uint32_t)s->down.count);
	put_u32(&c->put, (uint32_t)s->labels.count);
	put_u32(&c->put, (uint32_t)s->depends.count);
	put_str(&c->put, name);
	put_str(&c->put, s->id);
	put_str(&c->put, s->message);
	put_str(&c->put, s->create_date);
	put_list(&c->put, &s->down);
	put_list(&c->put, &s->labels);
	put_list(&c->put, &s->depends);
	if (c->put.oom)
		return;
	len = c->put.len - at - sizeof(len);
	memcpy(c->put.ptr + at, &len, sizeof(len));
	c->n_put++;
}

void qp_hcache_flush(qp_hcache *c)
{
	if (c->enabled && !c->put.oom && (c->n_put || c->damaged || c->n_hits != c->n_old))
		write_file(c);
	qp_buf_release(&c->put);
	free(c->hit);
	c->hit = NULL;
	c->n_put = 0;
	c->enabled = 0;   /* done: gets and puts are over */
}

void qp_hcache_release(qp_hcache *c)
{
	if (!c)
		return;
	qp_buf_release(&c->put);
	unmap(c);
	qp_arena_release(&c->arena);
	free(c->file);
	free(c->dir);
	memset(c, 0, sizeof(*c));
}
