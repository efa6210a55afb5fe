/*
 * err.h: raising errors inside the library.
 *
 * The message lives in a per-thread quipu_error (see quipu_error_last()).
 * qp_error_set() replaces it; qp_error_prefix() adds context in front of a
 * lower-level message rather than overwriting it. Both return the code so a
 * caller can write `return qp_error_set(QUIPU_ENOTFOUND, "...")`.
 */
#ifndef QP_UTIL_ERR_H
#define QP_UTIL_ERR_H

#include "quipu.h"

int qp_error_set(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "<prefix>: <old message>", keeping the old code. */
int qp_error_prefix(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int qp_error_oom(void);
/* The current code (QUIPU_OK when none). */
int qp_error_code(void);

#endif
