/*
 * url.c: database URLs in SQLAlchemy's form (see url.h, DESIGN §3).
 *
 * The grammar follows SQLAlchemy's URL pattern:
 *
 *   scheme://[user[:password]@][host|[ipv6]][:port][/database][?query]
 *
 * The user runs to the first ':' or '/', the password to the first '@' (as
 * SQLAlchemy: an '@' inside a password must be written %40). SQLite URLs keep
 * everything after "sqlite:///" as the file path. Every error message quotes
 * the URL through qp_url_redact(), so a password never reaches a message.
 */
#include "core/url.h"
#include "util/buf.h"
#include "util/err.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define QP_URL_FORMS "postgresql://user:password@host:5432/database, " \
	"sqlite:///relative.db, sqlite:////absolute.db or mysql://user:password@host/database"

/* Redacts one password=VALUE at *p if it starts there; returns 1 when done. */
static int redact_password_param(qp_buf *b, const char **p, const char *start)
{
	const char *s = *p;
	static const char key[] = "password=";

	if (strncasecmp(s, key, sizeof(key) - 1))
		return 0;
	if (s != start && !strchr("?&; \t", s[-1]))
		return 0;
	qp_buf_put(b, s, sizeof(key) - 1);
	s += sizeof(key) - 1;
	if (*s == '\'') {                  /* libpq conninfo: password='a b' */
		s++;
		while (*s && *s != '\'') {
			if (*s == '\\' && s[1])
				s++;
			s++;
		}
		if (*s)
			s++;
	} else {
		while (*s && !strchr("& \t\r\n", *s))
			s++;
	}
	qp_buf_puts(b, "***");
	*p = s;
	return 1;
}

/*
 * Redacts the password of the authority that starts at s (just after "://",
 * or the start of a scheme-less text). Appends what it consumed to b and
 * returns the position after it.
 */
static const char *redact_authority(qp_buf *b, const char *s)
{
	const char *user_end = s, *last_at = NULL, *p;

	/* as the parser: the user runs to the first ':' or '/' */
	while (*user_end && *user_end != ':' && *user_end != '/')
		user_end++;
	if (*user_end != ':')
		return s;
	/*
	 * SQLAlchemy lets a password hold anything but '@' (even '/', '?' or
	 * blanks); hide everything up to the last '@' before the next URL or
	 * the end, so that an unencoded '@' inside a password is hidden too
	 * (over-redacting is the safe side). The parser ends the password at
	 * the first '@' whatever comes before it (even "://"), so that one is
	 * hidden in any case.
	 */
	if (!(last_at = strchr(user_end + 1, '@')))
		return s;                  /* host:port, no password */
	for (p = last_at; *p && strncmp(p, "://", 3); p++)
		if (*p == '@')
			last_at = p;
	qp_buf_put(b, s, (size_t)(user_end - s));
	qp_buf_puts(b, ":***");
	return last_at;
}

char *qp_url_redact(const char *text)
{
	qp_buf b = QP_BUF_INIT;
	const char *p = text;

	if (!text)
		return NULL;
	if (!strstr(text, "://"))
		p = redact_authority(&b, p);
	while (*p) {
		if (p[0] == ':' && p[1] == '/' && p[2] == '/') {
			qp_buf_puts(&b, "://");
			p = redact_authority(&b, p + 3);
			continue;
		}
		if (redact_password_param(&b, &p, text))
			continue;
		qp_buf_putc(&b, *p++);
	}
	if (!b.ptr && !b.oom)
		return strdup("");
	return qp_buf_detach(&b);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Percent-decodes s[0..n) into a new string in *out (NULL when n is 0 and
 * !keep_empty). plus_space: '+' means ' ' (query strings). Returns 0, or -1
 * on a bad escape, or QUIPU_ENOMEM.
 */
static int decode(char **out, const char *s, size_t n, int plus_space, int keep_empty)
{
	char *r, *w;
	size_t i;

	*out = NULL;
	if (n == 0 && !keep_empty)
		return 0;
	r = malloc(n + 1);
	if (!r)
		return qp_error_oom();
	for (i = 0, w = r; i < n; i++) {
		if (s[i] == '%') {
			int hi = i + 1 < n ? hexval((unsigned char)s[i + 1]) : -1;
			int lo = i + 2 < n ? hexval((unsigned char)s[i + 2]) : -1;
			if (hi < 0 || lo < 0) {
				free(r);
				return -1;
			}
			*w++ = (char)(hi * 16 + lo);
			i += 2;
		} else if (plus_space && s[i] == '+') {
			*w++ = ' ';
		} else {
			*w++ = s[i];
		}
	}
	*w = '\0';
	*out = r;
	return 0;
}

/* The error for a URL: "<problem> in database URL '<redacted>'; <fix>". */
static int url_error(const char *text, const char *problem, const char *fix)
{
	char *red = qp_url_redact(text);
	int error = qp_error_set(QUIPU_ECONFIG, "%s in database URL '%s'; %s",
	                         problem, red ? red : "(unprintable)", fix);
	free(red);
	return error;
}

/* Decodes a component, or fails naming only the component (never its text). */
static int decode_part(char **out, const char *text, const char *what,
                       const char *s, size_t n, int plus_space, int keep_empty)
{
	int rc = decode(out, s, n, plus_space, keep_empty);
	char problem[96];

	if (rc == -1) {
		snprintf(problem, sizeof(problem), "a bad %%-escape in the %s", what);
		return url_error(text, problem, "write a literal '%' as %25");
	}
	return rc;
}

static int parse_query(qp_url *u, const char *text, const char *q)
{
	while (*q) {
		const char *amp = strchr(q, '&'), *eq;
		size_t n = amp ? (size_t)(amp - q) : strlen(q);
		char *k = NULL, *v = NULL;
		int error;

		eq = memchr(q, '=', n);
		if (n > 0) {
			size_t kn = eq ? (size_t)(eq - q) : n;
			if ((error = decode_part(&k, text, "query", q, kn, 1, 1)) < 0)
				return error;
			if (eq)
				error = decode_part(&v, text, "query", eq + 1, n - kn - 1, 1, 1);
			else if (!(v = strdup("")))
				error = qp_error_oom();
			if (error < 0) {
				free(k);
				return error;
			}
			if ((error = qp_strlist_take(&u->query_keys, k)) < 0) {
				free(v);
				return error;
			}
			if ((error = qp_strlist_take(&u->query_values, v)) < 0)
				return error;
		}
		q += n;
		if (*q == '&')
			q++;
	}
	return 0;
}

static int is_port(const char *s, size_t n)
{
	size_t i;
	long v = 0;

	if (n == 0 || n > 5)
		return 0;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	return v >= 1 && v <= 65535;
}

int qp_url_parse(qp_url *out, const char *text)
{
	qp_url u = QP_URL_INIT;
	const char *sep, *p, *at = NULL, *auth_end, *host, *host_end, *port = NULL,
		*port_end = NULL, *query;
	char *base = NULL;
	size_t i, slen;
	int error = 0;

	*out = u;
	if (!text || !*text)
		return qp_error_set(QUIPU_ECONFIG, "the database URL is empty; set it as "
		                    QP_URL_FORMS);
	sep = strstr(text, "://");
	slen = sep ? (size_t)(sep - text) : 0;
	for (i = 0; i < slen; i++)
		if (!isalnum((unsigned char)text[i]) && text[i] != '+' && text[i] != '_')
			break;
	if (!sep || slen == 0 || i < slen) {
		error = url_error(text, "no scheme://", "write it as " QP_URL_FORMS);
		goto done;
	}
	if (!(u.scheme = strndup(text, slen))) {
		error = qp_error_oom();
		goto done;
	}
	{
		char *plus = strchr(u.scheme, '+');
		base = plus ? strndup(u.scheme, (size_t)(plus - u.scheme)) : strdup(u.scheme);
		if (!base || (plus && !(u.driver = strdup(plus + 1)))) {
			error = qp_error_oom();
			goto done;
		}
		for (i = 0; base[i]; i++)
			base[i] = (char)tolower((unsigned char)base[i]);
	}
	if (!strcmp(base, "postgresql") || !strcmp(base, "postgres") ||
	    !strcmp(base, "pgsql"))
		u.kind = QP_DB_POSTGRES;
	else if (!strcmp(base, "sqlite"))
		u.kind = QP_DB_SQLITE;
	else if (!strcmp(base, "mysql") || !strcmp(base, "mariadb"))
		u.kind = QP_DB_MYSQL;
	else {
		char problem[160];
		snprintf(problem, sizeof(problem), "unknown scheme '%.100s'", base);
		error = url_error(text, problem,
		                  "use postgresql://, sqlite:/// or mysql:// (a +driver suffix such as postgresql+asyncpg:// is accepted)");
		goto done;
	}

	p = sep + 3;
	query = strchr(p, '?');
	if (!query)
		query = p + strlen(p);

	if (u.kind == QP_DB_SQLITE) {
		/* sqlite://[host]/path: everything after the third slash is the file. */
		const char *slash = memchr(p, '/', (size_t)(query - p));
		if (slash != p && (slash || query != p)) {
			error = url_error(text, "a host part in an SQLite URL",
			                  "write sqlite:///relative.db (three slashes) or sqlite:////absolute.db (four)");
			goto done;
		}
		if (slash && slash + 1 < query &&
		    (error = decode_part(&u.database, text, "database path", slash + 1,
		                         (size_t)(query - slash - 1), 0, 0)) < 0)
			goto done;
		if (!u.database || !strcmp(u.database, ":memory:")) {
			free(u.database);
			u.database = NULL;
			u.memory = 1;
		}
		goto query;
	}

	/*
	 * [user[:password]@], as SQLAlchemy's pattern `(?P<username>[^:/]*)
	 * (?::(?P<password>[^@]*))?@` matches it: the user runs to the first
	 * ':' or '/'; after a ':' the password runs to the first '@' (it may
	 * hold '/' or '?'); without one, the user ends at its last '@'.
	 */
	{
		const char *r = p, *colon = NULL, *a;
		while (*r && *r != ':' && *r != '/')
			r++;
		if (*r == ':' && (a = strchr(r + 1, '@'))) {
			colon = r;
			at = a;
		} else {
			for (a = p; a < r; a++)
				if (*a == '@')
					at = a;
		}
		if (at && (error = decode_part(&u.user, text, "user name", p,
		                               (size_t)((colon ? colon : at) - p), 0, 0)) < 0)
			goto done;
		if (colon && (error = decode_part(&u.password, text, "password", colon + 1,
		                                  (size_t)(at - colon - 1), 0, 1)) < 0)
			goto done;
	}
	query = strchr(at ? at + 1 : p, '?');
	if (!query)
		query = p + strlen(p);
	host = at ? at + 1 : p;
	auth_end = host;
	while (auth_end < query && *auth_end != '/')
		auth_end++;
	if (memchr(host, '@', (size_t)(auth_end - host))) {
		error = url_error(text, "an '@' after the user part",
		                  "percent-encode an '@' in the user name or password as %40");
		goto done;
	}
	if (host < auth_end && *host == '[') {
		const char *close = memchr(host, ']', (size_t)(auth_end - host));
		if (!close) {
			error = url_error(text, "an IPv6 host without its closing ']'",
			                  "write it as [::1]:5432");
			goto done;
		}
		if ((error = decode_part(&u.host, text, "host", host + 1,
		                         (size_t)(close - host - 1), 0, 0)) < 0)
			goto done;
		host_end = close + 1;
		if (host_end < auth_end && *host_end != ':') {
			error = url_error(text, "text after the IPv6 host's ']'",
			                  "write it as [::1]:5432");
			goto done;
		}
	} else {
		host_end = host;
		while (host_end < auth_end && *host_end != ':')
			host_end++;
		if ((error = decode_part(&u.host, text, "host", host,
		                         (size_t)(host_end - host), 0, 0)) < 0)
			goto done;
	}
	if (host_end < auth_end) {             /* ':' port */
		port = host_end + 1;
		port_end = auth_end;
		if (!is_port(port, (size_t)(port_end - port))) {
			error = url_error(text, "a port that is not a number from 1 to 65535",
			                  "write host:5432, or leave the port out");
			goto done;
		}
		if (!(u.port = strndup(port, (size_t)(port_end - port)))) {
			error = qp_error_oom();
			goto done;
		}
	}
	if (auth_end < query &&
	    (error = decode_part(&u.database, text, "database name", auth_end + 1,
	                         (size_t)(query - auth_end - 1), 0, 0)) < 0)
		goto done;

query:
	if (*query == '?' && (error = parse_query(&u, text, query + 1)) < 0)
		goto done;
	*out = u;
	memset(&u, 0, sizeof(u));
done:
	free(base);
	qp_url_release(&u);
	return error;
}

void qp_url_release(qp_url *url)
{
	if (!url)
		return;
	free(url->scheme);
	free(url->driver);
	free(url->user);
	if (url->password) {
		/* Do not leave the secret lying in freed memory. */
		volatile char *v = url->password;
		while (*v)
			*v++ = '\0';
	}
	free(url->password);
	free(url->host);
	free(url->port);
	free(url->database);
	qp_strlist_release(&url->query_keys);
	qp_strlist_release(&url->query_values);
	memset(url, 0, sizeof(*url));
}

const char *qp_url_query(const qp_url *url, const char *key)
{
	size_t i;

	for (i = url->query_keys.count; i > 0; i--)   /* the last one wins */
		if (!strcmp(url->query_keys.items[i - 1], key))
			return url->query_values.items[i - 1];
	return NULL;
}
