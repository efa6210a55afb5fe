/*
 * fuzz.h: what each fuzz target (fuzz_<name>.c) provides: libFuzzer's entry
 * point and a dictionary of tokens its grammar knows, which fuzz_main.c's
 * mutator inserts (libFuzzer gets the same tokens from -dict= files).
 */
#ifndef QUIPU_FUZZ_H
#define QUIPU_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern const char *const fuzz_dict[];
extern const size_t fuzz_dict_len;

/* A NUL-terminated copy of the input (caller frees), or NULL. */
char *fuzz_cstr(const uint8_t *data, size_t size);

#endif
