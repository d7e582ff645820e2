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
 * Calls block (each at most a few seconds, then RUMOR_EIO) and return 0 or
 * a negative RUMOR_E* code (rumor/error.h); when the agent refused a
 * request, rumor_last_error() has its reason. A handle is for one thread
 * at a time. Link with -lrumor_client and its dependencies (pkg-config
 * msgpack, libsodium).
 */
#ifndef RUMOR_RUMOR_H
#define RUMOR_RUMOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rumor/error.h"

struct rumor;

/** Connect to the agent at socket_path (NULL: $RUMOR_SOCKET, else
 *  /tmp/rumor-<uid>.sock). 0, or RUMOR_EIO / RUMOR_ENOMEM. */
int
rumor_connect(const char *socket_path, struct rumor **out);

void
rumor_close(struct rumor *r);

/** Why the last call failed, in words (never NULL). */
const char *
rumor_last_error(const struct rumor *r);

struct rumor_kv {
	const char *key;
	const char *value;
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
};

/** Register (or replace, by id) a service on the agent. */
int
rumor_register(struct rumor *r, const struct rumor_service *s);

int
rumor_deregister(struct rumor *r, const char *id);

/** A TTL service's heartbeat. */
int
rumor_pass(struct rumor *r, const char *id);

/** One instance from a lookup or a pick (tags and meta not included). */
struct rumor_instance {
	char node[65];
	char id[65];
	char service[65];
	char address[256];
	uint16_t port;
	/** Passing and its node up. */
	bool healthy;
};

/**
 * Instances of `name` (with `tag` unless NULL; critical ones too with
 * all) into out[0..cap); *count gets how many there are in all.
 */
int
rumor_lookup(struct rumor *r, const char *name, const char *tag, bool all,
	     struct rumor_instance *out, size_t cap, size_t *count);

enum rumor_policy {
	RUMOR_PICK_RANDOM = 0,
	RUMOR_PICK_ROUND_ROBIN = 1,
};

/** One healthy instance of name; RUMOR_ENOTFOUND when there is none. */
int
rumor_pick(struct rumor *r, const char *name, const char *tag,
	   enum rumor_policy policy, struct rumor_instance *out);

#endif /* RUMOR_RUMOR_H */
