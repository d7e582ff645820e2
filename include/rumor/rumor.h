/*
 * rumor.h: the C client library for a local rumor agent. A service
 * registers itself, heartbeats its TTL and looks its peers up, all through
 * the agent's Unix socket; the agent answers from its copy of the whole
 * cluster's catalog.
 *
 *	struct rumor *r;
 *	if (rumor_connect(NULL, &r) != 0) ...          // $RUMOR_SOCKET or
 *	                                               // /tmp/rumor-<uid>.sock
 *	const char *tags[] = {"v2"};
 *	struct rumor_service web = {.name = "web", .port = 8080,
 *	                            .tags = tags, .tag_count = 1,
 *	                            .ttl_ms = 10000};
 *	rumor_register(r, &web);                       // then rumor_pass(r,
 *	                                               // "web") every < 10 s
 *	struct rumor_instance in;
 *	if (rumor_pick(r, "db", NULL, RUMOR_PICK_ROUND_ROBIN, &in) == 0)
 *		connect_to(in.address, in.port);
 *	rumor_close(r);
 *
 * Calls block (each step at most 5 s, then RUMOR_EIO) and return 0
 * or a negative RUMOR_E* code (rumor/error.h): the agent's own code when
 * it refused the request (rumor_last_refused() is then true), and
 * rumor_last_error() has the reason in words. What a call hands out by
 * pointer (lists, tags, meta, strings of a member or a counter) belongs to
 * the handle and stays valid until the next call on it. A handle is for
 * one thread at a time. Link with -lrumor_client and msgpack-c
 * (pkg-config msgpack).
 */
#ifndef RUMOR_RUMOR_H
#define RUMOR_RUMOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rumor/error.h"

/** Bytes in a name: a node's, a service's, an id, a tag or a meta key. */
#define RUMOR_NAME_MAX 64
/** Bytes in an address: an instance's, or a member's "IP:PORT". */
#define RUMOR_ADDRESS_MAX 255
/** Tags and meta pairs a service may have. */
#define RUMOR_TAGS_MAX 32
#define RUMOR_META_MAX 32
/** Bytes in a meta value. */
#define RUMOR_META_VALUE_MAX 512
/** Bytes in a socket path (the room in struct sockaddr_un, less the
 *  NUL). */
#define RUMOR_SOCKET_PATH_MAX 107

struct rumor;

/** The agent's socket when none is given: $RUMOR_SOCKET when set and not
 *  empty, else /tmp/rumor-<uid>.sock written into buf (size bytes, e.g.
 *  RUMOR_SOCKET_PATH_MAX + 1). */
const char *
rumor_default_socket(char *buf, size_t size);

/** Connect to the agent at socket_path (NULL: rumor_default_socket()).
 *  0, or RUMOR_EINVAL (path too long), RUMOR_EIO (errno says why) or
 *  RUMOR_ENOMEM. */
int
rumor_connect(const char *socket_path, struct rumor **out);

/** Close the connection and free the handle (NULL: nothing). */
void
rumor_close(struct rumor *r);

/** The handle's socket, for an event loop (poll, epoll, libuv's
 *  uv_poll_t) to wait on; never read or write it. After rumor_watch()
 *  it turns readable when the next event begins to arrive: the library
 *  reads one frame per call and nothing ahead, so an event is never
 *  left waiting in the handle while the socket looks idle. */
int
rumor_fd(const struct rumor *r);

/** Why the last call failed, in words (never NULL). */
const char *
rumor_last_error(const struct rumor *r);

/** Whether the last call failed because the agent refused it (its code
 *  returned, its reason in rumor_last_error()), rather than on the way. */
bool
rumor_last_refused(const struct rumor *r);

/** One meta pair. */
struct rumor_kv {
	const char *key;
	const char *value;
};

enum rumor_check_kind {
	RUMOR_CHECK_NONE = 0,
	/** target "A.B.C.D:PORT": passing when a connection opens. */
	RUMOR_CHECK_TCP = 1,
	/** target "http://A.B.C.D[:PORT]/path": passing on a 2xx. */
	RUMOR_CHECK_HTTP = 2,
	/** target: a /bin/sh command line: passing when it exits 0. */
	RUMOR_CHECK_EXEC = 3,
};

/** A health check the agent runs for a service (not with a TTL). */
struct rumor_check {
	enum rumor_check_kind kind;
	const char *target;
	/** How often it runs, and how long one run may take. */
	uint64_t interval_ms;
	uint64_t timeout_ms;
};

/** A service to register (strings are copied). */
struct rumor_service {
	/** Unique on this agent; NULL: the name. */
	const char *id;
	const char *name;
	/** NULL or "": the agent's own address. */
	const char *address;
	uint16_t port;
	const char *const *tags;
	size_t tag_count;
	const struct rumor_kv *meta;
	size_t meta_count;
	/** A TTL check: call rumor_pass() at least this often. 0: none. */
	uint64_t ttl_ms;
	/** Or a check the agent runs (kind RUMOR_CHECK_NONE: none). A
	 *  checked service is critical until its first check passes. */
	struct rumor_check check;
};

/** Whether s may be registered (what rumor_register() checks before it
 *  sends anything): 0, or RUMOR_EINVAL with *why a static phrase. */
int
rumor_service_validate(const struct rumor_service *s, const char **why);

/** Register (or replace, by id) a service on the agent. */
int
rumor_register(struct rumor *r, const struct rumor_service *s);

/** Remove a service registered on the agent (RUMOR_ENOTFOUND: none with
 *  that id). */
int
rumor_deregister(struct rumor *r, const char *id);

/** A TTL service's heartbeat. */
int
rumor_pass(struct rumor *r, const char *id);

/** One instance from a lookup or a pick. */
struct rumor_instance {
	char node[RUMOR_NAME_MAX + 1];
	char id[RUMOR_NAME_MAX + 1];
	char service[RUMOR_NAME_MAX + 1];
	/** Its own address, or its node's when it has none. */
	char address[RUMOR_ADDRESS_MAX + 1];
	uint16_t port;
	/** Passing and its node up. */
	bool healthy;
	/** Valid until the next call on the handle. */
	const char *const *tags;
	size_t tag_count;
	const struct rumor_kv *meta;
	size_t meta_count;
};

/**
 * Instances of `name` (with `tag` unless NULL; critical ones too with
 * all), ordered by (node, id), into out[0..cap); *count gets how many
 * there are in all.
 */
int
rumor_lookup(struct rumor *r, const char *name, const char *tag, bool all,
	     struct rumor_instance *out, size_t cap, size_t *count);

/** The same lookup, every instance: *list (valid until the next call on
 *  the handle) holds *count of them. */
int
rumor_lookup_all(struct rumor *r, const char *name, const char *tag,
		 bool all, const struct rumor_instance **list, size_t *count);

enum rumor_policy {
	RUMOR_PICK_RANDOM = 0,
	RUMOR_PICK_ROUND_ROBIN = 1,
};

/** One healthy instance of name; RUMOR_ENOTFOUND when there is none. */
int
rumor_pick(struct rumor *r, const char *name, const char *tag,
	   enum rumor_policy policy, struct rumor_instance *out);

/** One service name with its instance counts. */
struct rumor_summary {
	const char *name;
	uint64_t healthy;
	uint64_t total;
};

/** Every service in the cluster, by name (list valid until the next
 *  call on the handle). */
int
rumor_services(struct rumor *r, const struct rumor_summary **list,
	       size_t *count);

enum rumor_status {
	RUMOR_STATUS_ALIVE = 0,
	RUMOR_STATUS_SUSPECT = 1,
	RUMOR_STATUS_FAILED = 2,
	RUMOR_STATUS_LEFT = 3,
};

/** "alive", "suspect", "failed", "left" (NULL for anything else). */
const char *
rumor_status_str(enum rumor_status status);

/** One member of the cluster as the agent sees it. */
struct rumor_member {
	const char *name;
	/** "IP:PORT". */
	const char *address;
	enum rumor_status status;
	uint64_t incarnation;
};

/** Every member the agent knows, itself included, in no particular order
 *  (list valid until the next call on the handle). */
int
rumor_members(struct rumor *r, const struct rumor_member **list,
	      size_t *count);

/** One of the agent's counters. */
struct rumor_stat {
	const char *name;
	uint64_t value;
};

/** The agent's counters, in its order (list valid until the next call
 *  on the handle). */
int
rumor_stats(struct rumor *r, const struct rumor_stat **list, size_t *count);

/** Make the agent leave the cluster; returns once the leave has gone
 *  out, and the agent then exits by itself. */
int
rumor_leave(struct rumor *r);

enum rumor_event_type {
	RUMOR_EVENT_ADDED = 0,
	RUMOR_EVENT_REMOVED = 1,
	/** Its health as lookups see it changed. */
	RUMOR_EVENT_HEALTH = 2,
	/** Address, port, tags or meta changed. */
	RUMOR_EVENT_UPDATED = 3,
};

/** "added", "removed", "health", "updated" (NULL for anything else). */
const char *
rumor_event_type_str(enum rumor_event_type type);

/** One change to the cluster's services. */
struct rumor_event {
	enum rumor_event_type type;
	char node[RUMOR_NAME_MAX + 1];
	char id[RUMOR_NAME_MAX + 1];
	char service[RUMOR_NAME_MAX + 1];
	char address[RUMOR_ADDRESS_MAX + 1];
	uint16_t port;
	/** Passing and its node up (false once removed). */
	bool healthy;
};

/**
 * Watch the instances of service `name` (NULL: of every service). From
 * then on the handle only serves rumor_watch_next(), which first returns
 * an RUMOR_EVENT_ADDED per instance there is, then one event per change.
 */
int
rumor_watch(struct rumor *r, const char *name);

/** The next event of a watch, waiting as long as it takes: 0, or
 *  RUMOR_EIO when the agent closed the stream, RUMOR_EPROTO for a bad
 *  frame, or the agent's error (RUMOR_ELIMIT: it cut the watch off
 *  because the events were not read fast enough; rumor_last_error()
 *  says so). */
int
rumor_watch_next(struct rumor *r, struct rumor_event *out);

#endif /* RUMOR_RUMOR_H */
