/*
 * hcache.h: the revision header cache (docs/file-format.md, "The header
 * cache").
 *
 * Commands that only read the revision graph (heads, current, history,
 * branches) need each file's header, not its SQL. The cache keeps the parsed
 * header of every file of one versions folder, keyed by the file's name and
 * its stat identity (size, mtime, ctime, inode, device), so a run costs one
 * fstatat() per file instead of open/read/close. Any change to a file changes
 * its ctime (which no user call can set back), so an edited, added, removed
 * or renamed file is always read again.
 *
 * A file whose ctime is less than QP_HCACHE_SETTLE_NS before the run started
 * is read but not stored: a second edit within the same timestamp tick would
 * leave its stat identity unchanged (git's "racily clean" problem).
 *
 * The cache lives in $XDG_CACHE_HOME/quipu/ (else ~/.cache/quipu/), one file
 * per versions folder; writing one removes those neither read nor written for
 * QP_HCACHE_PRUNE_DAYS. QUIPU_NO_CACHE=1 turns it off. Every failure to read
 * or write it is silent: a corrupt, missing or unwritable cache is an empty
 * one and never fails a command, and no function here raises an error.
 */
#ifndef QP_CORE_HCACHE_H
#define QP_CORE_HCACHE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "core/script.h"
#include "util/arena.h"
#include "util/buf.h"

#define QP_HCACHE_SETTLE_NS 1000000000LL   /* 1 s */
#define QP_HCACHE_PRUNE_DAYS 30             /* cache files untouched this long are removed */

/* A file's identity for the cache. */
typedef struct qp_fstamp {
	uint64_t size, ino, dev;
	int64_t mt_s, mt_ns, ct_s, ct_ns;
} qp_fstamp;

void qp_fstamp_of(qp_fstamp *out, const struct stat *st);

typedef struct qp_hcache {
	int enabled;          /* 0: gets miss, puts are dropped */
	char *file;           /* owned: the cache file's path */
	char *dir;            /* owned: the versions folder it describes */
	const char *blob;     /* owned: the old cache file, mapped read-only */
	size_t blob_len;
	size_t first;         /* offset of the first entry */
	size_t pos, idx;      /* the next old entry to look at: offset, index (the entries
	                         before it were checked: well-formed, in name order) */
	const char *prev;     /* the name of the entry before pos */
	int damaged;          /* an entry at pos is malformed or out of order */
	size_t n_old;         /* entries in the old file */
	unsigned char *hit;   /* owned: n_old flags, the old entries still valid */
	size_t n_hits;
	qp_buf put;           /* entries stored since open: [size_t length][entry] each */
	size_t n_put;
	int64_t settle_s, settle_ns;  /* files changed at or after this are not stored */
	qp_arena arena;       /* path copies and list arrays of the scripts handed out */
} qp_hcache;

/* The cache of versions folder `dir` (an absolute path). cache_home: the
 * folder that holds quipu/ (NULL: from the environment, as documented
 * above). Maps the old file. Never fails. */
void qp_hcache_open(qp_hcache *c, const char *dir, const char *cache_home);
/* Lookups in strictly increasing strcmp order of name. A hit fills *out with
 * the header and returns 1: out->borrowed is set, its strings point into
 * the cache (valid until qp_hcache_release), text is NULL, path a copy of
 * `path`. A miss returns 0; out of memory QUIPU_ENOMEM. */
int qp_hcache_get(qp_hcache *c, const char *name, const char *path, const qp_fstamp *st, qp_script *out);
/* Records a file read after a miss (same order as the lookups). */
void qp_hcache_put(qp_hcache *c, const char *name, const qp_fstamp *st, const qp_script *s);
/* After the last get/put: writes the cache file when it changed (temporary
 * file + rename; errors ignored). The scripts handed out stay valid. */
void qp_hcache_flush(qp_hcache *c);
/* Unmaps and frees everything; the scripts handed out become invalid. */
void qp_hcache_release(qp_hcache *c);

#endif
