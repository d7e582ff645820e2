/*
 * http_server: the agent's HTTP API (docs/http.md) on libmicrohttpd,
 * run in the agent's one libuv loop: MHD's epoll descriptor is watched
 * by a uv_poll_t and its timeouts by a uv_timer_t, and MHD_run() is
 * called from them, so every request is handled on the loop's thread
 * like every other input. The router, parsers and JSON are
 * cli/http/'s (pure); this file is the glue: limits, the answers of each
 * route, and the blocking queries.
 *
 * Limits: HTTP_SERVER_CONNS_MAX connections (more wait in the listen
 * backlog until one closes);
 * HTTP_SERVER_HEADER_MAX bytes of request line and headers per
 * connection (MHD answers 414 or 431 past it); HTTP_SERVER_BODY_MAX
 * bytes of body (413: at once when Content-Length says so, else when
 * the body ends; a chunked body that goes on past
 * HTTP_SERVER_DISCARD_MAX closes the connection); a connection silent
 * for HTTP_SERVER_IDLE_S seconds is closed (slow clients); at most
 * HTTP_SERVER_BLOCKING_MAX blocking queries wait at once (429 past it).
 * Every error the server makes itself has a JSON {"error": "..."} body
 * and is counted (rumor stats: http_*; /metrics: rumor_http_*).
 *
 * Registration goes through catalog_register/_deregister/_pass, the
 * socket's own path (so it is persisted the same way), then
 * `changed` tells the agent to pump.
 *
 * A blocking query (?index=N) whose answer's index (cli/http/http_index.h)
 * is N waits: its connection is suspended until http_server_pump() sees
 * the registry's generation move and its answer change, or until its
 * wait (default 5 min, at most 10 min, plus up to wait/16 of jitter,
 * as Consul does) runs out; then it is answered as any request is.
 */
#ifndef RUMOR_HTTP_SERVER_H
#define RUMOR_HTTP_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "catalog.h"
#include "cli/http/http_buf.h"
#include "cli/http/http_index.h"
#include "list.h"
#include "log.h"
#include "membership/node.h"
#include "swim/swim_rand.h"

/** The default address (loopback: only this host can reach it). */
#define HTTP_SERVER_DEFAULT_IP 0x7f000001u
#define HTTP_SERVER_DEFAULT_PORT 8500
/** Connections at once. */
#define HTTP_SERVER_CONNS_MAX 256
/** Request line and headers, per connection (MHD's memory pool). */
#define HTTP_SERVER_HEADER_MAX (64 * 1024)
/** A request body. */
#define HTTP_SERVER_BODY_MAX (64 * 1024)
/** A chunked body past the limit is read and dropped up to this, for
 *  its 413; past it the connection is closed. */
#define HTTP_SERVER_DISCARD_MAX (1024 * 1024)
/** Seconds without a byte in or out before a connection is closed. */
#define HTTP_SERVER_IDLE_S 10
/** Blocking queries waiting at once. */
#define HTTP_SERVER_BLOCKING_MAX 128

/** Blocking-route answers kept (direct-mapped by query) until the
 *  registry moves, and the largest kept. */
#define HTTP_SERVER_CACHE_SLOTS 64
#define HTTP_SERVER_CACHE_BODY_MAX (64 * 1024)

/** Status codes counted one by one (http_status_<code>). */
#define HTTP_SERVER_STATUS_CODES(XX)                                          \
	XX(200) XX(400) XX(404) XX(405) XX(413) XX(429) XX(500) XX(503)

enum http_server_status {
#define HTTP_SERVER_STATUS_ENUM_(code) HTTP_SERVER_STATUS_##code,
	HTTP_SERVER_STATUS_CODES(HTTP_SERVER_STATUS_ENUM_)
#undef HTTP_SERVER_STATUS_ENUM_
	http_server_status_MAX
};

/** The codes, in the enum's order. */
extern const int http_server_status_codes[http_server_status_MAX];

/** Counters for `rumor stats`. */
struct http_server_stats {
	/** Requests routed (MHD handed them to us). */
	uint64_t requests;
	/** Responses by status (enum http_server_status). */
	uint64_t status[http_server_status_MAX];
	/** Requests refused for bad input: every 4xx. */
	uint64_t bad_requests;
	/** Register bodies refused (bad JSON or an invalid service). */
	uint64_t bad_bodies;
	/** What MHD refused or closed on its own (malformed requests,
	 *  headers too large), as it reports them. */
	uint64_t protocol_errors;
	size_t conns_open;
	/** Blocking queries waiting now, and refused over the limit. */
	size_t blocking;
	uint64_t blocking_refused;
};

struct http_server;

/** One query's answer at one registry generation. */
struct http_cached {
	/** The query's hash (0: empty) and the generation it is for. */
	uint64_t key;
	uint64_t generation;
	/** Its blocking index, and the body (malloc'd). */
	uint64_t index;
	char *body;
	size_t size;
};

/** Our services changed (a registration): pump the node. */
typedef void (*http_server_changed_cb)(struct http_server *srv);
/** Write the /metrics body into out (the agent's counters). */
typedef void (*http_server_metrics_cb)(struct http_server *srv,
				       struct http_buf *out);

struct http_server {
	uv_loop_t *loop;
	/** Borrowed. */
	struct node *node;
	struct catalog *catalog;
	http_server_changed_cb changed;
	http_server_metrics_cb metrics;
	/** Started; NULL when the API is off. */
	struct MHD_Daemon *daemon;
	/** MHD's epoll descriptor, watched; and its timeouts and the
	 *  blocking queries' deadlines, in one timer. */
	uv_poll_t poll;
	bool poll_open;
	uv_timer_t timer;
	bool timer_open;
	/** Inside MHD_run() (never entered twice); a close asked for in
	 *  there is done when it returns. */
	bool in_run;
	/* Queries were woken during a run: run once more after it. */
	bool run_again;
	bool close_pending;
	bool closed;
	/** Blocking queries waiting (struct http_req.link). */
	struct list parked;
	/** The registry generation the waiting ones were checked at. */
	uint64_t generation;
	struct http_index index;
	/** Health and catalog answers, while the registry stays: a
	 *  repeated query is one hash and one copy. */
	struct http_cached cache[HTTP_SERVER_CACHE_SLOTS];
	/** Jitter of the waits. */
	struct swim_rand rand;
	struct http_server_stats stats;
	struct log_limit limit_log;
	/** "IP:PORT" we listen at; whether it is not loopback; whether the
	 *  default address was busy (the API is off). */
	char addr[32];
	bool public;
	bool busy;
};

/** Set up srv (nothing to fail); http_server_close() is then enough. */
void
http_server_init(struct http_server *srv, uv_loop_t *loop,
		 struct node *node, struct catalog *catalog,
		 uint64_t rand_seed, http_server_changed_cb changed,
		 http_server_metrics_cb metrics);

/**
 * Listen at addr. Returns 0, or RUMOR_EIO with err. A busy address is an
 * error when `required` (the user asked for this address), else a
 * warning and the API stays off (0).
 */
int
http_server_start(struct http_server *srv, const struct swim_addr *addr,
		  bool required, char *err);

/** Log where the API listens (and whether other hosts can reach it),
 *  or that the default address was busy: once the agent has started,
 *  so that a start-up failure stays one line. */
void
http_server_announce(const struct http_server *srv);

/** After every input: if the registry moved, answer the blocking
 *  queries whose answer changed. */
void
http_server_pump(struct http_server *srv);

/** The counters as they are now. */
void
http_server_stats(const struct http_server *srv,
		  struct http_server_stats *out);

/** Answer the waiting queries, close every connection and stop. The
 *  struct must stay valid until the loop has run the close callbacks. */
void
http_server_close(struct http_server *srv);

#endif /* RUMOR_HTTP_SERVER_H */
