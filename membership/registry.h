/*
 * registry: the service catalog one agent holds for the whole cluster.
 * Each node's services arrive as one set versioned by that node (the
 * owner); a newer version replaces the whole set, an older one is stale.
 * Membership is an input too: while a node is not up (failed, left) its
 * services stay known but count as critical, so they vanish from healthy
 * lookups everywhere, and come back with the node; and a node's address
 * is where its services without one are, so answers and change events
 * are built from the registry alone.
 *
 * Sans-IO like the rest of membership/: no clock, no randomness of its
 * own (a pick takes the caller's draw), no callbacks. Changes are queued
 * as events for the driver to drain (watch streams).
 */
#ifndef RUMOR_REGISTRY_H
#define RUMOR_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "service.h"
#include "swim/swim.h"

/** Events queued before the oldest is dropped (and counted). */
#define REGISTRY_EVENTS_MAX 4096

struct registry;

/** NULL on out-of-memory or an allocator that fails swim_mem_check().
 *  The registry's own memory comes from alloc (borrowed, it must outlive
 *  the registry; NULL is libc's, as in struct swim_allocator), the
 *  service sets it takes over stay in libc's heap, where service.c
 *  allocates them. */
RUMOR_MUST_CHECK struct registry *
registry_new(const struct swim_allocator *alloc);

void
registry_delete(struct registry *r);

/**
 * A node's set (from its gossip, a push-pull or our own registrations).
 * Applied when its version is above the one held (or none is held): the
 * registry takes the set's services and empties *set. Returns 1 when
 * applied, 0 when stale (*set untouched), RUMOR_EINVAL for a node name
 * longer than SWIM_NAME_MAX or RUMOR_ENOMEM (nothing changed).
 */
RUMOR_MUST_CHECK int
registry_apply(struct registry *r, const char *node,
	       struct service_set *set);

/** The version held for node, or 0 with false when none is. */
bool
registry_version(const struct registry *r, const char *node,
		 uint64_t *version);

/** Bytes of a node's host as answers give it: a dotted IPv4 address and
 *  its NUL. */
#define REGISTRY_HOST_SIZE 16

/**
 * Membership: whether node is up (alive or suspect) or not (failed,
 * left), and, unless addr is NULL, the address it gossips from: its host
 * is where answers say its services without an address of their own are.
 * A node never heard of is up, at no known host (""). A change of up
 * emits HEALTH for the node's passing services, a change of host UPDATED
 * for its services without an address. Returns 0, RUMOR_EINVAL (name too
 * long) or RUMOR_ENOMEM; on error nothing changed. Only a node the
 * registry does not hold yet costs memory: once this call or
 * registry_apply succeeded for a node, neither can fail for it with
 * RUMOR_ENOMEM until it is forgotten.
 */
RUMOR_MUST_CHECK int
registry_set_node(struct registry *r, const char *node, bool up,
		  const struct swim_addr *addr);

/** A number that changes with everything a query could see (sets, node
 *  up or down, a node's host, forgets): an answer computed at one
 *  generation holds while the generation stays. */
uint64_t
registry_generation(const struct registry *r);

/** What the registry holds about one node's membership. */
struct registry_node_state {
	/** Valid until the next change, as host is. */
	const char *name;
	bool up;
	/** Its host ("" while unknown); valid until the next change. */
	const char *host;
	/** Whether a set was applied, and its version. */
	bool has_set;
	uint64_t version;
};

/** The node's state as registry_set_node() and registry_apply() left
 *  it; RUMOR_ENOTFOUND when the registry holds nothing about it (*out
 *  untouched then). */
RUMOR_MUST_CHECK int
registry_node_find(const struct registry *r, const char *node,
		   struct registry_node_state *out);

/** Nodes held, with a set or without (registry_node_count counts those
 *  with a set). */
size_t
registry_node_total(const struct registry *r);

/** The i-th node held (0 <= i < registry_node_total()), in name order. */
void
registry_node_at(const struct registry *r, size_t i,
		 struct registry_node_state *out);

/**
 * The registry's own invariants: nodes sorted by name and each one's
 * services by id, no name twice; the instance count is their sum; a node
 * without a set holds no services; every service passes
 * service_validate(); the event ring and the query index within their
 * bounds, the index (when current) in (name, node, id) order. Returns 0,
 * or RUMOR_ESTATE with *why (when why is not NULL) a static sentence
 * naming the first broken one. O(instances); read only, no allocation:
 * for tests and the simulator (node_check()).
 */
RUMOR_MUST_CHECK int
registry_check(const struct registry *r, const char **why);

/** Drop everything about node (it was reaped). */
void
registry_forget(struct registry *r, const char *node);

/** One instance as a query returns it; valid until the next change. */
struct registry_instance {
	const char *node;
	const struct service *service;
	/** Where it is: the service's own address, else its node's host
	 *  ("" while membership has not told the registry that). */
	const char *address;
	/** Passing and its node up. */
	bool healthy;
};

/** What to look up: a service name, an optional tag, and whether
 *  critical instances count. */
struct registry_query {
	const char *name;
	const char *tag;
	bool include_critical;
	/** Match names ignoring ASCII case, as DNS does: "web" also finds
	 *  "Web" (the tag is still matched exactly). */
	bool ignore_case;
};

/**
 * Instances matching q, ordered by (node, id), into out[0..cap); returns
 * how many match in all (more than cap when out was too small). With
 * ignore_case, the instances of each spelling of the name come together,
 * spellings in byte order ("Web" before "web"), each in (node, id) order.
 * Either way it is a binary search and a walk over the matches.
 */
size_t
registry_lookup(struct registry *r, const struct registry_query *q,
		struct registry_instance *out, size_t cap);

enum registry_policy {
	REGISTRY_PICK_RANDOM = 0,
	REGISTRY_PICK_ROUND_ROBIN,
	registry_policy_MAX
};

extern const char *const registry_policy_strs[registry_policy_MAX];

/**
 * One healthy instance for q (include_critical is ignored), in (node, id)
 * order: with RANDOM the (draw % count)-th, with ROUND_ROBIN the
 * (k % count)-th where k counts the picks of that name so far. Returns 0,
 * RUMOR_ENOTFOUND when none is healthy, or RUMOR_ENOMEM.
 */
RUMOR_MUST_CHECK int
registry_pick(struct registry *r, const struct registry_query *q,
	      enum registry_policy policy, uint64_t draw,
	      struct registry_instance *out);

/** One service name with its instance counts. */
struct registry_summary {
	const char *name;
	size_t healthy;
	size_t total;
};

/** Every service name, sorted ignoring ASCII case and then by bytes,
 *  into out[0..cap); returns the number of names in all (0 also when out
 *  of memory). Names point into the registry until its next change. */
size_t
registry_services(struct registry *r, struct registry_summary *out,
		  size_t cap);

/** Instances in all, and nodes with a set. */
size_t
registry_instance_count(const struct registry *r);
size_t
registry_node_count(const struct registry *r);

enum registry_event_type {
	/** A new instance (its first health included). */
	REGISTRY_EVENT_ADDED = 0,
	/** The instance is gone (deregistered, or its node forgotten). */
	REGISTRY_EVENT_REMOVED,
	/** Its health as lookups see it changed (the check, or its node
	 *  went down or came back). */
	REGISTRY_EVENT_HEALTH,
	/** Address (its own, or its node's host when it has none), port,
	 *  tags or meta changed. */
	REGISTRY_EVENT_UPDATED,
	registry_event_type_MAX
};

extern const char *const registry_event_type_strs[registry_event_type_MAX];

/** A change, copied out (valid after later changes). */
struct registry_event {
	enum registry_event_type type;
	char node[SWIM_NAME_MAX + 1];
	char id[SERVICE_NAME_MAX + 1];
	char name[SERVICE_NAME_MAX + 1];
	/** Where it is, as registry_instance.address says, at the change. */
	char address[SERVICE_ADDRESS_MAX + 1];
	uint16_t port;
	/** Passing and its node up (false once removed). */
	bool healthy;
};

/** Take the oldest queued change; false when there is none. */
bool
registry_poll_event(struct registry *r, struct registry_event *out);

/** Events dropped because nobody drained the queue. */
uint64_t
registry_events_dropped(const struct registry *r);

#endif /* RUMOR_REGISTRY_H */
