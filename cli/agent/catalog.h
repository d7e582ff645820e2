/*
 * catalog: the agent's side of the service catalog. It keeps the services
 * registered on this agent (persisted in the data dir as `services`, in
 * the membership/service.h set codec, written atomically before a
 * registration is acknowledged, so an acknowledged registration survives
 * a crash), hands them to the node to announce, and answers the socket's
 * register, deregister, lookup, pick and services requests from the
 * node's registry of the whole cluster.
 */
#ifndef RUMOR_CATALOG_H
#define RUMOR_CATALOG_H

#include <msgpack.h>
#include <stdint.h>

#include "cli/ipc/ipc_proto.h"
#include "checks.h"
#include "ipc_server.h"
#include "membership/node.h"

/** Lookup answers kept (direct-mapped by query), and the largest kept. */
#define CATALOG_CACHE_SLOTS 512
#define CATALOG_CACHE_FRAME_MAX (16 * 1024)

/** A lookup's whole answer frame, valid at one registry generation. */
struct catalog_cached {
	char name[SERVICE_NAME_MAX + 1];
	char tag[SERVICE_NAME_MAX + 1];
	bool all;
	/** registry_generation() when made; 0: empty. */
	uint64_t generation;
	msgpack_sbuffer frame;
};

struct catalog {
	struct node *node;
	/** Borrowed: the data dir, and our file in it. */
	const char *dir;
	char path[4096];
	struct service *local[SERVICE_PER_NODE_MAX];
	/** When each TTL service turns critical without a pass. */
	uint64_t deadline_ms[SERVICE_PER_NODE_MAX];
	/** Defined by a --config-dir file (not kept in our file: the
	 *  directory is their record). */
	bool from_config[SERVICE_PER_NODE_MAX];
	size_t count;
	/** Picks' random draws (seeded by the agent). */
	uint64_t rand_state;
	/** The last error text that names a path. */
	char err[4096 + 256];
	/** Health checks of our services, and whom to tell of a change. */
	struct checks checks;
	uv_loop_t *loop;
	void (*changed)(void *arg);
	void *changed_arg;
	/** Lookups answer from here until the registry changes. */
	struct catalog_cached cache[CATALOG_CACHE_SLOTS];
	uint64_t cache_hits;
	uint64_t cache_misses;
};

/**
 * Load the registrations kept in dir (NULL: none kept) and announce
 * them. Returns 0, or -1
 * after one line "rumor: services file ...: why" (a file we cannot read
 * or decode stops the agent rather than lose registrations silently).
 */
int
catalog_open(struct catalog *c, struct node *node, const char *dir,
	     uint64_t rand_seed, uv_loop_t *loop, void (*changed)(void *),
	     void *changed_arg);

/**
 * Make `list` (from config_load_dir) the config-defined services: added,
 * replaced by id (a socket registration with the same id is taken over),
 * or removed when their file is gone. Takes the services on success
 * (frees them otherwise). Returns NULL or why nothing changed.
 */
const char *
catalog_set_config(struct catalog *c, struct service **list, size_t count,
		   uint64_t now_ms);

/** Stop the health checks (before the loop closes its handles). */
void
catalog_stop(struct catalog *c);

void
catalog_close(struct catalog *c);

/** Answer a catalog request with a whole response frame in out, which
 *  must be empty. */
void
catalog_request(struct catalog *c, const struct ipc_request *req,
		uint64_t now_ms, msgpack_sbuffer *out);

/** TTL checks: mark the services whose TTL passed critical. */
void
catalog_tick(struct catalog *c, uint64_t now_ms);

/** When catalog_tick() next has something to do (UINT64_MAX: never). */
uint64_t
catalog_next_deadline_ms(const struct catalog *c);

/** A watch begins: the ok frame, then an "added" frame per instance
 *  there is now (critical ones too), into out. */
void
catalog_watch_start(struct catalog *c, const struct ipc_request *req,
		    msgpack_sbuffer *out);

/** Hand the registry's queued changes to the socket's watchers. */
void
catalog_pump(struct catalog *c, struct ipc_server *srv);

#endif /* RUMOR_CATALOG_H */
