/*
 * misc.h: sha256, clocks, dates and random ids.
 */
#ifndef QP_UTIL_MISC_H
#define QP_UTIL_MISC_H

#include <stddef.h>

/* 64 lowercase hex characters and a NUL into out[65]. */
int qp_sha256_hex(char out[65], const void *data, size_t len);
/* Monotonic milliseconds. */
double qp_now_ms(void);
/* "2026-11-25 22:01:00.123456" in the given zone (NULL/"": local time; "UTC"). */
void qp_format_date(char out[40], const char *tz);
/* n lowercase hex characters from the system's random source, NUL-terminated. */
int qp_random_hex(char *out, size_t n);

#endif
