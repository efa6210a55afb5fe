/*
 * sqlscan.c: the little SQL lexing that several modules share (sqlscan.h).
 */
#include "util/sqlscan.h"

#include <ctype.h>

size_t qp_sql_skip_blank(const char *s, size_t i, size_t end)
{
	while (i < end) {
		if (isspace((unsigned char)s[i])) {
			i++;
		} else if (s[i] == '-' && i + 1 < end && s[i + 1] == '-') {
			while (i < end && s[i] != '\n')
				i++;
		} else if (s[i] == '/' && i + 1 < end && s[i + 1] == '*') {
			int depth = 1;
			i += 2;
			while (i < end && depth > 0) {
				if (s[i] == '/' && i + 1 < end && s[i + 1] == '*') {
					depth++;
					i += 2;
				} else if (s[i] == '*' && i + 1 < end && s[i + 1] == '/') {
					depth--;
					i += 2;
				} else {
					i++;
				}
			}
		} else {
			break;
		}
	}
	return i;
}
