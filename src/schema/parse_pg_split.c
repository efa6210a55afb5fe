/*
 * parse_pg_split.c: a models text cut into its statements, so that
 * parse_pg.c parses, reads and frees one statement at a time (see
 * parse_pg_split.h). libpg_query's JSON of a whole text of thousands of
 * tables is tens of megabytes, and our tree of it as much again; one
 * statement's is a few kilobytes.
 *
 * The cuts are found by a small lexer that knows what can hide a semicolon
 * from PostgreSQL's: -- and nested block comments, 'strings' (E'...' with
 * backslash escapes; plain strings without, as libpg_query's scanner reads
 * them whatever standard_conforming_strings says, and parse_pg.c refuses a
 * models text that sets it off), "identifiers" and $tag$ dollar quotes
 * $tag$. Pieces are contiguous: each runs from just past the previous cut
 * to just past its own semicolon, so each holds the blanks and comments
 * before its statement, and their concatenation is the text. Where the
 * lexer is wrong (something unterminated, a semicolon inside BEGIN ATOMIC
 * ... END) the piece does not parse, so the text is not claimed: it never
 * makes a model the whole text would not.
 */
#include "schema/parse_pg_split.h"

#include <stddef.h>
#include <string.h>

static int ident_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$' ||
	       c >= 0x80;
}

/* At s[i] == '$': the length of a dollar-quote delimiter ($$, $tag$)
 * starting there, 0 when it is not one (a parameter $1, or part of an
 * identifier such as a$b, which the caller rules out). */
static size_t dollar_delim(const char *s, size_t i, size_t len)
{
	size_t j = i + 1;
	unsigned char c;

	if (j < len && s[j] == '$')
		return 2;
	c = (unsigned char)(j < len ? s[j] : 0);
	if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80))
		return 0;
	for (j++; j < len; j++) {
		c = (unsigned char)s[j];
		if (c == '$')
			return j - i + 1;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c >= 0x80))
			return 0;
	}
	return 0;
}

size_t qp_pg_stmt_end(const char *s, size_t len, size_t from)
{
	size_t i = from;

	while (i < len) {
		char c = s[i];
		if (c == '-' && i + 1 < len && s[i + 1] == '-') {
			while (i < len && s[i] != '\n')
				i++;
		} else if (c == '/' && i + 1 < len && s[i + 1] == '*') {
			int depth = 1;
			for (i += 2; i < len && depth > 0; i++) {
				if (s[i] == '/' && i + 1 < len && s[i + 1] == '*') {
					depth++;
					i++;
				} else if (s[i] == '*' && i + 1 < len && s[i + 1] == '/') {
					depth--;
					i++;
				}
			}
			if (depth > 0)
				return len;
		} else if (c == '\'' || c == '"') {
			/* E'...' (or e'...'), not the end of an identifier such as "type'" */
			int esc = c == '\'' && i > 0 && (s[i - 1] == 'E' || s[i - 1] == 'e') &&
			          (i < 2 || !ident_char((unsigned char)s[i - 2]));
			for (i++;; i++) {
				if (i >= len)
					return len;
				if (esc && s[i] == '\\') {
					i++;
					continue;
				}
				if (s[i] == c) {
					if (i + 1 < len && s[i + 1] == c) {
						i++;
						continue;
					}
					break;
				}
			}
			i++;
		} else if (c == '$' && (i == 0 || !ident_char((unsigned char)s[i - 1]))) {
			size_t n = dollar_delim(s, i, len), j;
			if (!n) {
				i++;
				continue;
			}
			for (j = i + n;; j++) {
				if (j + n > len)
					return len;
				if (s[j] == '$' && !memcmp(s + j, s + i, n))
					break;
			}
			i = j + n;
		} else if (c == ';') {
			return i + 1;
		} else if (ident_char((unsigned char)c)) {
			/* a word (a $ inside it is its own, not a dollar quote) */
			while (i < len && ident_char((unsigned char)s[i]))
				i++;
		} else {
			i++;
		}
	}
	return len;
}
