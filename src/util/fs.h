/*
 * fs.h: files and paths.
 */
#ifndef QP_UTIL_FS_H
#define QP_UTIL_FS_H

#include <stddef.h>
#include "util/strlist.h"

/* Reads a whole file into *out (NUL-terminated, caller frees). QUIPU_ENOTFOUND
 * when it does not exist, QUIPU_EIO otherwise; the message names the path. */
int qp_read_file(char **out, size_t *len_out, const char *path);
/* The same for `name` in the folder open as dfd, known (by fstatat) to be a
 * regular file of `expected` bytes: openat/read/close, three system calls.
 * path: the name used in messages. */
int qp_read_file_at(char **out, size_t *len_out, int dfd, const char *name, const char *path, size_t expected);
/* Writes data to path, failing with QUIPU_EEXISTS if it exists and !overwrite. */
int qp_write_file(const char *path, const char *data, size_t len, int overwrite);
/* The names (not paths) of the regular files in dir ending in `suffix`, sorted. */
int qp_list_dir(qp_strlist *out, const char *dir, const char *suffix);
int qp_mkdir_p(const char *path);
int qp_is_dir(const char *path);
int qp_exists(const char *path);
/* a/b, or b alone when b is absolute. Caller frees. */
char *qp_path_join(const char *a, const char *b);
/* The folder of a path ("." when none). Caller frees. */
char *qp_path_dirname(const char *path);
/* An absolute form of path (no symlink resolution). Caller frees. */
char *qp_path_absolute(const char *path);

#endif
