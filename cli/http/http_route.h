/*
 * http_route: which endpoint a request is for, and what its query string
 * asks. Pure (no I/O), so tests/fuzz/fuzz_http.c feeds it any bytes.
 *
 *	GET  /v1/agent/members                  every member (Consul shape)
 *	GET  /v1/agent/self                     this agent (Config, Member)
 *	GET  /v1/catalog/services               {name: [tags]}      blocking
 *	GET  /v1/health/service/<name>          [{Node, Service, Checks}]
 *	                                        ?passing ?tag=       blocking
 *	PUT  /v1/agent/service/register         a service definition (JSON)
 *	PUT  /v1/agent/service/deregister/<id>
 *	PUT  /v1/agent/check/pass/<id>          a TTL service's heartbeat;
 *	                                        <id> or "service:<id>"
 *	GET  /metrics                           Prometheus text format
 *
 * GET routes answer HEAD too. A path that names no endpoint is 404, a
 * known path with another method 405 (with the methods it takes), a
 * name or id that could never be valid 400. "Blocking" routes take
 * ?index=N&wait=D (Consul's blocking query; docs/http.md).
 */
#ifndef RUMOR_HTTP_ROUTE_H
#define RUMOR_HTTP_ROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "membership/service.h"

enum http_route {
	HTTP_ROUTE_MEMBERS,
	HTTP_ROUTE_SELF,
	HTTP_ROUTE_SERVICES,
	HTTP_ROUTE_HEALTH,
	HTTP_ROUTE_REGISTER,
	HTTP_ROUTE_DEREGISTER,
	HTTP_ROUTE_PASS,
	HTTP_ROUTE_METRICS,
	http_route_MAX
};

/** The route's path as the table above gives it ("/v1/health/service/"
 *  for those with an argument). */
extern const char *const http_route_strs[http_route_MAX];

/** Longest path accepted (a longer one is 404: no endpoint has one). */
#define HTTP_PATH_MAX 256

/** What a request line names. */
struct http_match {
	/** 200 (route and arg set), 400, 404 or 405. */
	int status;
	/** http_route_MAX for a 404. */
	enum http_route route;
	/** The service name (health) or id (deregister, pass; without a
	 *  "service:" prefix), else "". */
	char arg[SERVICE_NAME_MAX + 1];
	/** Not 200: one line why. 405: the methods the path takes (for an
	 *  Allow header), else NULL. */
	const char *why;
	const char *allow;
	/** The route takes a body (PUT register). */
	bool has_body;
	/** The route can block (?index). */
	bool blocking;
};

/** Match a method and a path (no query string; percent-decoded, as an
 *  HTTP server hands it over). Always fills *m; returns m->status. */
int
http_route_match(struct http_match *m, const char *method, const char *path);

/** Tags a health query may ask for at once (each must match). */
#define HTTP_QUERY_TAGS_MAX 8
/** The longest and the default wait of a blocking query (Consul's). */
#define HTTP_WAIT_MAX_MS (10 * 60 * 1000)
#define HTTP_WAIT_DEFAULT_MS (5 * 60 * 1000)

/** What a query string asks. */
struct http_query {
	/** ?passing: only instances whose every check passes. */
	bool passing;
	/** ?tag=T (repeatable): instances carrying every one. */
	char tags[HTTP_QUERY_TAGS_MAX][SERVICE_NAME_MAX + 1];
	size_t tag_count;
	/** ?index=N: block until the answer's index is not N. */
	bool has_index;
	uint64_t index;
	/** ?wait=D (swim_duration's grammar, "30s"): how long to block at
	 *  most; capped at HTTP_WAIT_MAX_MS, HTTP_WAIT_DEFAULT_MS when not
	 *  given. */
	uint64_t wait_ms;
};

/** An empty query (no filter, no blocking). */
void
http_query_init(struct http_query *q);

/**
 * One parameter, decoded: value NULL when it had no "=" (?passing).
 * Parameters Consul's clients send that change nothing here (dc, stale,
 * consistent, cached, token, near, note, pretty, ns, partition,
 * replace-existing-checks) are taken and ignored; any other name is
 * refused, so a filter we do not implement is never silently ignored.
 * Returns 0, or RUMOR_EINVAL with *why set to a static sentence.
 */
int
http_query_set(struct http_query *q, const char *key, const char *value,
	       const char **why);

/** A whole raw query string ("passing&tag=v%31&wait=30s", without the
 *  "?"): split at "&" and "=", percent-decoded ("+" is a space), each
 *  parameter through http_query_set. Returns 0, or RUMOR_EINVAL with
 *  *why; at most 64 parameters of up to 1024 bytes each. */
int
http_query_parse(struct http_query *q, const char *raw, const char **why);

#endif /* RUMOR_HTTP_ROUTE_H */
