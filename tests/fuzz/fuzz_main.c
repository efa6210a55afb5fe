/*
 * fuzz_main.c: a main() for the fuzz targets when they are not linked with
 * libFuzzer (gcc, CTest). Replays every file given (folders: every file in
 * them), then, with --mutate N, runs N mutations of each (byte flips,
 * inserts of random bytes and of tokens from the target's dictionary,
 * deletions, duplications, splices with another input), from a fixed
 * --seed so a failure replays. Under ASan + UBSan (the suite's second
 * phase) any memory error or undefined behaviour fails the run.
 *
 * With clang, `-DQUIPU_FUZZ=ON` links the same targets with libFuzzer
 * instead (docs/fuzzing.md).
 */
#include "fuzz.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_INPUTS 256
#define MAX_LEN 4096

typedef struct input {
	unsigned char *data;
	size_t len;
} input;

static input inputs[MAX_INPUTS];
static size_t n_inputs;
static unsigned long long rng = 0x9e3779b97f4a7c15ull;

static unsigned long long next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void add_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	size_t len;

	if (!f || n_inputs >= MAX_INPUTS) {
		if (f)
			fclose(f);
		return;
	}
	buf = malloc(MAX_LEN);
	len = buf ? fread(buf, 1, MAX_LEN, f) : 0;
	fclose(f);
	if (!buf)
		return;
	inputs[n_inputs].data = buf;
	inputs[n_inputs].len = len;
	n_inputs++;
}

static void add_path(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	char full[4096];

	if (stat(path, &st) < 0) {
		fprintf(stderr, "fuzz: %s: no such file or folder\n", path);
		exit(2);
	}
	if (!S_ISDIR(st.st_mode)) {
		add_file(path);
		return;
	}
	if (!(d = opendir(path)))
		return;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.') {
			snprintf(full, sizeof(full), "%s/%s", path, e->d_name);
			add_file(full);
		}
	closedir(d);
}

/* One mutation of src into dst (capacity MAX_LEN); returns the length. */
static size_t mutate(unsigned char *dst, const input *src)
{
	size_t len = src->len, ops = 1 + next() % 4, i;

	memcpy(dst, src->data, len);
	for (i = 0; i < ops; i++) {
		size_t at = len ? next() % (len + 1) : 0, k;
		switch (next() % 6) {
		case 0: /* flip a byte */
			if (len)
				dst[at % len] ^= (unsigned char)(1u << (next() % 8));
			break;
		case 1: /* insert a random byte */
			if (len < MAX_LEN) {
				memmove(dst + at + 1, dst + at, len - at);
				dst[at] = (unsigned char)next();
				len++;
			}
			break;
		case 2: { /* insert a dictionary token */
			const char *tok = fuzz_dict[next() % fuzz_dict_len];
			size_t tl = strlen(tok);
			if (len + tl <= MAX_LEN) {
				memmove(dst + at + tl, dst + at, len - at);
				memcpy(dst + at, tok, tl);
				len += tl;
			}
			break;
		}
		case 3: /* delete a range */
			if (len) {
				k = 1 + next() % 8;
				if (at + k > len)
					k = len - at;
				memmove(dst + at, dst + at + k, len - at - k);
				len -= k;
			}
			break;
		case 4: /* duplicate a range */
			if (len) {
				size_t from = next() % len;
				k = 1 + next() % 16;
				if (from + k > len)
					k = len - from;
				if (len + k <= MAX_LEN) {
					memmove(dst + at + k, dst + at, len - at);
					memmove(dst + at, at <= from ? dst + from + k : dst + from, k);
					len += k;
				}
			}
			break;
		default: { /* splice: the tail of another input */
			const input *o = &inputs[next() % n_inputs];
			size_t from = o->len ? next() % o->len : 0;
			k = o->len - from;
			if (at + k > MAX_LEN)
				k = MAX_LEN - at;
			memcpy(dst + at, o->data + from, k);
			len = at + k;
			break;
		}
		}
	}
	return len;
}

int main(int argc, char **argv)
{
	unsigned long mutations = 0, i, j;
	unsigned char *buf;
	int a;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--mutate") && a + 1 < argc)
			mutations = strtoul(argv[++a], NULL, 10);
		else if (!strcmp(argv[a], "--seed") && a + 1 < argc)
			rng = strtoull(argv[++a], NULL, 10) | 1;
		else
			add_path(argv[a]);
	}
	if (!n_inputs) {
		fprintf(stderr, "fuzz: no inputs (give corpus files or folders)\n");
		return 2;
	}
	if (!(buf = malloc(MAX_LEN)))
		return 2;
	for (i = 0; i < n_inputs; i++)
		LLVMFuzzerTestOneInput(inputs[i].data, inputs[i].len);
	for (j = 0; j < mutations; j++)
		for (i = 0; i < n_inputs; i++) {
			size_t len = mutate(buf, &inputs[i]);
			LLVMFuzzerTestOneInput(buf, len);
		}
	printf("fuzz: %zu inputs replayed, %lu mutations each, no crash\n", n_inputs, mutations);
	free(buf);
	for (i = 0; i < n_inputs; i++)
		free(inputs[i].data);
	return 0;
}
