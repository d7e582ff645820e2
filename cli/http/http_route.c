/*
 * http_route: the endpoint table and the query-string parser (see
 * http_route.h).
 */
#include <stdlib.h>
#include <string.h>

#include "http_route.h"
#include "rumor/error.h"
#include "swim/swim_duration.h"

const char *const http_route_strs[http_route_MAX] = {
	[HTTP_ROUTE_MEMBERS] = "/v1/agent/members",
	[HTTP_ROUTE_SELF] = "/v1/agent/self",
	[HTTP_ROUTE_SERVICES] = "/v1/catalog/services",
	[HTTP_ROUTE_HEALTH] = "/v1/health/service/",
	[HTTP_ROUTE_REGISTER] = "/v1/agent/service/register",
	[HTTP_ROUTE_DEREGISTER] = "/v1/agent/service/deregister/",
	[HTTP_ROUTE_PASS] = "/v1/agent/check/pass/",
	[HTTP_ROUTE_METRICS] = "/metrics",
};

/* Which routes end in an argument, take a body, can block, and whether
 * they read (GET, HEAD) or change (PUT). */
static const struct {
	bool has_arg;
	bool put;
	bool blocking;
} routes[http_route_MAX] = {
	[HTTP_ROUTE_SERVICES] = {.blocking = true},
	[HTTP_ROUTE_HEALTH] = {.has_arg = true, .blocking = true},
	[HTTP_ROUTE_REGISTER] = {.put = true},
	[HTTP_ROUTE_DEREGISTER] = {.has_arg = true, .put = true},
	[HTTP_ROUTE_PASS] = {.has_arg = true, .put = true},
};

/* Consul's prefix for the check of a service registered with one. */
#define CHECK_PREFIX "service:"

static int
refuse(struct http_match *m, int status, const char *why)
{
	m->status = status;
	m->why = why;
	return status;
}

/* The route whose path is `path` (or, for one with an argument, whose
 * path is a prefix of it, the argument after): http_route_MAX if none. */
static enum http_route
find(const char *path, const char **arg)
{
	for (int r = 0; r < http_route_MAX; r++) {
		const char *p = http_route_strs[r];
		size_t n = strlen(p);
		if (routes[r].has_arg ? strncmp(path, p, n) == 0
				      : strcmp(path, p) == 0) {
			*arg = path + n;
			return (enum http_route)r;
		}
	}
	return http_route_MAX;
}

/* The argument, checked as a service name or id would be. */
static int
take_arg(struct http_match *m, const char *arg)
{
	if (m->route == HTTP_ROUTE_PASS &&
	    strncmp(arg, CHECK_PREFIX, strlen(CHECK_PREFIX)) == 0)
		arg += strlen(CHECK_PREFIX);
	struct service probe = {.id = arg, .name = arg};
	if (strlen(arg) > SERVICE_NAME_MAX ||
	    service_validate(&probe, NULL) != 0)
		return refuse(m, 400, m->route == HTTP_ROUTE_HEALTH
			? "a service name is 1-64 of A-Z a-z 0-9 . _ -"
			: "a service id is 1-64 of A-Z a-z 0-9 . _ -");
	strcpy(m->arg, arg);
	return 200;
}

int
http_route_match(struct http_match *m, const char *method, const char *path)
{
	*m = (struct http_match){.status = 200, .route = http_route_MAX};
	const char *arg = "";
	if (strlen(path) > HTTP_PATH_MAX ||
	    (m->route = find(path, &arg)) == http_route_MAX) {
		m->route = http_route_MAX;
		return refuse(m, 404, "no such endpoint (see docs/http.md)");
	}
	bool put = routes[m->route].put;
	bool ok = put ? strcmp(method, "PUT") == 0
		      : strcmp(method, "GET") == 0 ||
				strcmp(method, "HEAD") == 0;
	if (!ok) {
		m->allow = put ? "PUT" : "GET, HEAD";
		return refuse(m, 405, put ? "method not allowed (use PUT)"
					  : "method not allowed (use GET)");
	}
	m->has_body = m->route == HTTP_ROUTE_REGISTER;
	m->blocking = routes[m->route].blocking;
	return routes[m->route].has_arg ? (m->status = take_arg(m, arg)) : 200;
}

/* ---- query strings ------------------------------------------------------ */

void
http_query_init(struct http_query *q)
{
	*q = (struct http_query){.wait_ms = HTTP_WAIT_DEFAULT_MS};
}

/* Parameters Consul's clients send that change nothing here. */
static const char *const ignored[] = {
	"dc", "stale", "consistent", "cached", "token", "near", "note",
	"pretty", "ns", "partition", "replace-existing-checks", NULL,
};

static int
bad(const char **why, const char *text)
{
	if (why != NULL)
		*why = text;
	return RUMOR_EINVAL;
}

/* A flag: present (no value, "", 1, true) or 0/false. */
static int
flag_of(const char *value, bool *out)
{
	if (value == NULL || value[0] == '\0' || strcmp(value, "1") == 0 ||
	    strcmp(value, "true") == 0) {
		*out = true;
		return 0;
	}
	if (strcmp(value, "0") == 0 || strcmp(value, "false") == 0) {
		*out = false;
		return 0;
	}
	return -1;
}

/* A decimal uint64 without sign or space. */
static int
u64_of(const char *value, uint64_t *out)
{
	if (value == NULL || value[0] == '\0' || strlen(value) > 20)
		return -1;
	uint64_t v = 0;
	for (const char *p = value; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		unsigned d = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

static int
set_tag(struct http_query *q, const char *value, const char **why)
{
	struct service probe = {.id = "x", .name = "x",
				.tags = (const char *const[]){value},
				.tag_count = 1};
	if (value == NULL || strlen(value) > SERVICE_NAME_MAX ||
	    service_validate(&probe, NULL) != 0)
		return bad(why, "tag: 1-64 printable characters without "
				"spaces");
	if (q->tag_count == HTTP_QUERY_TAGS_MAX)
		return bad(why, "tag: at most 8 of them");
	strcpy(q->tags[q->tag_count++], value);
	return 0;
}

int
http_query_set(struct http_query *q, const char *key, const char *value,
	       const char **why)
{
	if (strcmp(key, "passing") == 0)
		return flag_of(value, &q->passing) == 0
			? 0 : bad(why, "passing: want no value, 1/true or "
				       "0/false");
	if (strcmp(key, "tag") == 0)
		return set_tag(q, value, why);
	if (strcmp(key, "index") == 0) {
		if (u64_of(value, &q->index) != 0)
			return bad(why, "index: want a decimal number");
		q->has_index = true;
		return 0;
	}
	if (strcmp(key, "wait") == 0) {
		uint64_t ms;
		if (value == NULL || swim_duration_parse(value, &ms, NULL) != 0)
			return bad(why, "wait: want a duration like \"30s\" "
				       "or \"5m\"");
		q->wait_ms = ms < HTTP_WAIT_MAX_MS ? ms : HTTP_WAIT_MAX_MS;
		return 0;
	}
	for (size_t i = 0; ignored[i] != NULL; i++) {
		if (strcmp(key, ignored[i]) == 0)
			return 0;
	}
	return bad(why, "unknown query parameter (rumor takes passing, tag, "
			"index, wait)");
}

/* The value of a hex digit, or -1. */
static int
hex_of(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decode src[0, len) into dst (room for len + 1): the decoded
 * length, or -1 for a bad escape or a NUL. */
static long
unescape(char *dst, const char *src, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		char c = src[i];
		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			if (i + 2 >= len)
				return -1;
			int hi = hex_of(src[i + 1]), lo = hex_of(src[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			c = (char)(hi * 16 + lo);
			i += 2;
		}
		if (c == '\0')
			return -1;
		dst[n++] = c;
	}
	dst[n] = '\0';
	return (long)n;
}

#define QUERY_PARAMS_MAX 64
#define QUERY_PARAM_MAX 1024

int
http_query_parse(struct http_query *q, const char *raw, const char **why)
{
	char key[QUERY_PARAM_MAX + 1], value[QUERY_PARAM_MAX + 1];
	size_t params = 0;
	const char *p = raw;
	while (*p != '\0') {
		size_t len = strcspn(p, "&");
		const char *eq = memchr(p, '=', len);
		size_t klen = eq ? (size_t)(eq - p) : len;
		size_t vlen = eq ? len - klen - 1 : 0;
		if (len > 0) {
			if (++params > QUERY_PARAMS_MAX)
				return bad(why, "too many query parameters");
			if (klen > QUERY_PARAM_MAX || vlen > QUERY_PARAM_MAX)
				return bad(why, "a query parameter is too "
						"long");
			if (unescape(key, p, klen) < 0 ||
			    (eq && unescape(value, eq + 1, vlen) < 0))
				return bad(why, "bad %-escape in the query "
						"string");
			int rc = http_query_set(q, key, eq ? value : NULL,
						why);
			if (rc != 0)
				return rc;
		}
		p += len;
		if (*p == '&')
			p++;
	}
	return 0;
}
