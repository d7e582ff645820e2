/*
 * catalog: the services registered on this agent. It keeps them
 * (persisted in the data dir as `services`, in the membership/service.h
 * set codec, written atomically before a registration is acknowledged,
 * so an acknowledged registration survives a crash), hands them to the
 * node to announce, runs their health checks and TTLs, and takes the
 * socket's register, deregister and pass requests and the config dir's
 * definitions. Answers about the whole cluster are cli/agent/answer.c's.
 *
 * Every change is all or nothing: a call that fails leaves the services,
 * the file and the announcement as they were (and says why in err, the
 * agent's convention in log.h).
 */
#ifndef RUMOR_CATALOG_H
#define RUMOR_CATALOG_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "checks.h"
#include "membership/node.h"

/** Told after a health check changed one of our services (announce it). */
typedef void (*catalog_changed_cb)(void *arg);

/** Counters for `rumor stats`. */
struct catalog_stats {
	/** Services registered on this agent. */
	size_t services_local;
	struct checks_stats checks;
};

struct catalog {
	struct node *node;
	/** Borrowed: the data dir (NULL: none), and our file in it. */
	const char *dir;
	char path[4096];
	struct service *local[SERVICE_PER_NODE_MAX];
	/** When each TTL service turns critical without a pass. */
	uint64_t deadline_ms[SERVICE_PER_NODE_MAX];
	/** Defined by a --config-dir file (not kept in our file: the
	 *  directory is their record). */
	bool from_config[SERVICE_PER_NODE_MAX];
	size_t count;
	/** Health checks of our services, and whom to tell of a change. */
	struct checks checks;
	uv_loop_t *loop;
	catalog_changed_cb changed;
	void *changed_arg;
};

/** Set up c with no services (nothing to fail). */
void
catalog_init(struct catalog *c, struct node *node, uv_loop_t *loop,
	     catalog_changed_cb changed, void *changed_arg);

/**
 * Load the registrations kept in dir (NULL: none kept) and announce
 * them. Returns 0, or a RUMOR_E* code with err ("services file PATH:
 * why"): a file we cannot read or decode stops the agent rather than
 * lose registrations silently.
 */
int
catalog_start(struct catalog *c, const char *dir, char *err);

/** Register s (a copy is kept), replacing the service of the same id. */
int
catalog_register(struct catalog *c, const struct service *s,
		 uint64_t now_ms, char *err);

/** Remove the service with this id (RUMOR_ENOTFOUND: none). */
int
catalog_deregister(struct catalog *c, const char *id, uint64_t now_ms,
		   char *err);

/** A TTL service's heartbeat: passing for one more TTL (RUMOR_ENOTFOUND:
 *  no such id; RUMOR_ESTATE: it has no TTL). */
int
catalog_pass(struct catalog *c, const char *id, uint64_t now_ms, char *err);

/**
 * Make `list` (from config_load_dir) the config-defined services: added,
 * replaced by id (a socket registration with the same id is taken over),
 * or removed when their file is gone. Takes the services and the array
 * either way.
 */
int
catalog_set_config(struct catalog *c, struct service **list, size_t count,
		   uint64_t now_ms, char *err);

/** TTL checks: mark the services whose TTL passed critical. */
void
catalog_tick(struct catalog *c, uint64_t now_ms);

/** When catalog_tick() next has something to do (UINT64_MAX: never). */
uint64_t
catalog_next_deadline_ms(const struct catalog *c);

/** The counters as they are now. */
void
catalog_stats(const struct catalog *c, struct catalog_stats *out);

/** Stop the health checks (before the loop closes its handles). */
void
catalog_stop(struct catalog *c);

/** Free the services. */
void
catalog_close(struct catalog *c);

#endif /* RUMOR_CATALOG_H */
