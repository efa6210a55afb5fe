/*
 * fs.c: files and paths (see fs.h).
 */
#include "util/fs.h"
#include "util/err.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Reads fd to *out (NUL-terminated). expected: the size stat() gave; the
 * read stops there, as at the end of the file, unless the buffer (one byte
 * more) fills up: then the file grew and is read to its end. */
static int read_fd(char **out, size_t *len_out, int fd, const char *path, size_t expected)
{
	size_t cap = expected + 1, n = 0;
	char *data = malloc(cap + 1), *grown;

	*out = NULL;
	if (!data)
		return qp_error_oom();
	for (;;) {
		ssize_t r = read(fd, data + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(data);
			return qp_error_set(QUIPU_EIO, "%s: read error: %s", path, strerror(errno));
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n == expected)
			break;   /* one read for a file that did not change */
		if (n == cap) {
			if (!(grown = realloc(data, cap * 2 + 1))) {
				free(data);
				return qp_error_oom();
			}
			data = grown;
			cap *= 2;
		}
	}
	data[n] = '\0';
	if (len_out)
		*len_out = n;
	*out = data;
	return 0;
}

static int open_error(const char *path)
{
	if (errno == ENOENT)
		return qp_error_set(QUIPU_ENOTFOUND, "%s: no such file", path);
	return qp_error_set(QUIPU_EIO, "%s: cannot open: %s", path, strerror(errno));
}

int qp_read_file(char **out, size_t *len_out, const char *path)
{
	struct stat st;
	int fd, error;

	/* open/fstat/read/close: four system calls a file (stdio adds a
	 * second fstat), which counts when a history has thousands of files */
	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return open_error(path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		error = qp_error_set(QUIPU_EIO, "%s: not a regular file", path);
	else
		error = read_fd(out, len_out, fd, path, (size_t)st.st_size);
	close(fd);
	return error;
}

int qp_read_file_at(char **out, size_t *len_out, int dfd, const char *name, const char *path, size_t expected)
{
	int fd, error;

	*out = NULL;
	fd = openat(dfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return open_error(path);
	error = read_fd(out, len_out, fd, path, expected);
	close(fd);
	return error;
}

int qp_write_file(const char *path, const char *data, size_t len, int overwrite)
{
	int fd, flags = O_WRONLY | O_CREAT | (overwrite ? O_TRUNC : O_EXCL);
	size_t off = 0;

	fd = open(path, flags, 0644);
	if (fd < 0) {
		if (errno == EEXIST)
			return qp_error_set(QUIPU_EEXISTS, "%s already exists", path);
		return qp_error_set(QUIPU_EIO, "%s: cannot create: %s", path, strerror(errno));
	}
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return qp_error_set(QUIPU_EIO, "%s: write error: %s", path, strerror(errno));
		}
		off += (size_t)w;
	}
	if (close(fd) < 0)
		return qp_error_set(QUIPU_EIO, "%s: write error: %s", path, strerror(errno));
	return 0;
}

int qp_list_dir(qp_strlist *out, const char *dir, const char *suffix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t sl = suffix ? strlen(suffix) : 0;

	if (!d) {
		if (errno == ENOENT)
			return qp_error_set(QUIPU_ENOTFOUND, "%s: no such folder", dir);
		return qp_error_set(QUIPU_EIO, "%s: cannot read folder: %s", dir, strerror(errno));
	}
	while ((e = readdir(d)) != NULL) {
		size_t nl = strlen(e->d_name);
		if (e->d_name[0] == '.')
			continue;
		if (sl && (nl < sl || strcmp(e->d_name + nl - sl, suffix)))
			continue;
		if (e->d_type != DT_REG && e->d_type != DT_UNKNOWN && e->d_type != DT_LNK)
			continue;
		if (qp_strlist_add(out, e->d_name) < 0) {
			closedir(d);
			return QUIPU_ENOMEM;
		}
	}
	closedir(d);
	qp_strlist_sort(out);
	return 0;
}

int qp_mkdir_p(const char *path)
{
	char *p = strdup(path), *s;

	if (!p)
		return qp_error_oom();
	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			goto fail;
		*s = '/';
	}
	if (mkdir(p, 0755) < 0 && errno != EEXIST)
		goto fail;
	free(p);
	return 0;
fail:
	qp_error_set(QUIPU_EIO, "cannot create folder %s: %s", p, strerror(errno));
	free(p);
	return QUIPU_EIO;
}

int qp_is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int qp_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

char *qp_path_join(const char *a, const char *b)
{
	size_t la;
	char *r;

	if (!a || !*a || b[0] == '/')
		return strdup(b);
	la = strlen(a);
	while (la > 1 && a[la - 1] == '/')
		la--;
	r = malloc(la + strlen(b) + 2);
	if (!r)
		return NULL;
	memcpy(r, a, la);
	r[la] = '/';
	strcpy(r + la + 1, b);
	return r;
}

char *qp_path_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

char *qp_path_absolute(const char *path)
{
	char cwd[PATH_MAX];

	if (path[0] == '/')
		return strdup(path);
	if (!getcwd(cwd, sizeof(cwd)))
		return strdup(path);
	if (!strcmp(path, "."))
		return strdup(cwd);
	return qp_path_join(cwd, path[0] == '.' && path[1] == '/' ? path + 2 : path);
}
