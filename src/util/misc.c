/*
 * misc.c: sha256 (OpenSSL's libcrypto, opened on first use), clocks, dates, random ids.
 */
#include "util/misc.h"
#include "util/err.h"

#include <dlfcn.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

/*
 * libcrypto is opened on the first checksum rather than linked: most commands
 * never hash, and its relocations were a large part of start-up.
 */
static struct {
	__typeof__(EVP_Digest) *digest;
	__typeof__(EVP_sha256) *sha256;
} crypto;
static pthread_once_t crypto_once = PTHREAD_ONCE_INIT;
static char crypto_error[256];

static void crypto_load_once(void)
{
	void *h = dlopen("libcrypto.so.3", RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(crypto_error, sizeof(crypto_error), "%s", dlerror());
		return;
	}
	*(void **)(&crypto.digest) = dlsym(h, "EVP_Digest");
	*(void **)(&crypto.sha256) = dlsym(h, "EVP_sha256");
	if (!crypto.digest || !crypto.sha256)
		snprintf(crypto_error, sizeof(crypto_error), "libcrypto.so.3 lacks EVP_Digest or EVP_sha256");
}

int qp_sha256_hex(char out[65], const void *data, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;

	pthread_once(&crypto_once, crypto_load_once);
	if (crypto_error[0])
		return qp_error_set(QUIPU_ERROR, "cannot load OpenSSL's libcrypto for sha256: %s; install libssl3",
		                    crypto_error);
	if (!crypto.digest(data, len, md, &mdlen, crypto.sha256(), NULL))
		return qp_error_set(QUIPU_ERROR, "sha256 failed");
	for (i = 0; i < mdlen && i < 32; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
	out[64] = '\0';
	return 0;
}

double qp_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void qp_format_date(char out[40], const char *tz)
{
	struct timespec ts;
	struct tm tm;
	char base[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	if (tz && *tz && (!strcasecmp(tz, "UTC") || !strcasecmp(tz, "GMT"))) {
		gmtime_r(&ts.tv_sec, &tm);
	} else if (tz && *tz) {
		char *old = getenv("TZ") ? strdup(getenv("TZ")) : NULL;
		setenv("TZ", tz, 1);
		tzset();
		localtime_r(&ts.tv_sec, &tm);
		if (old) {
			setenv("TZ", old, 1);
			free(old);
		} else {
			unsetenv("TZ");
		}
		tzset();
	} else {
		localtime_r(&ts.tv_sec, &tm);
	}
	strftime(base, sizeof(base), "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(out, 40, "%.30s.%06d", base, (int)(ts.tv_nsec / 1000) % 1000000);
}

int qp_random_hex(char *out, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char bytes[64];
	size_t i;

	if (n > 2 * sizeof(bytes))
		n = 2 * sizeof(bytes);
	if (getrandom(bytes, (n + 1) / 2, 0) < 0)
		return qp_error_set(QUIPU_EIO, "cannot read random bytes");
	for (i = 0; i < n; i++)
		out[i] = hex[(bytes[i / 2] >> ((i & 1) ? 0 : 4)) & 0xf];
	out[n] = '\0';
	return 0;
}
