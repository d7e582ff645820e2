/*
 * node_follow: the registry follows membership. After every input the
 * node hands to its core, the core's member events are applied to the
 * registry at once (a member's services, read from its metadata; its
 * up/down state and its address) and then kept for the driver. Polling
 * only copies events out: the registry is current after each input,
 * whenever the driver drains.
 *
 * On error a member is never half applied. registry_set_node is the one
 * registry call that allocates for a member, so it comes first; once it
 * succeeded, applying the member's set cannot fail for lack of memory.
 * When something still fails for lack of memory (that call, decoding a
 * set, recording a missing large set), the registry is marked stale and
 * rebuilt from the core's member table at the end of the input and, until
 * that succeeds, of every later one. Membership is the truth and the
 * registry a view of it, so applying every member again is always right;
 * it is slow, but only runs after an allocation failed.
 */
#include <stdlib.h>
#include <string.h>

#include "node_follow.h"
#include "node_largeset.h"
#include "rumor/error.h"

/*
 * m's services, read from its metadata and versioned by its incarnation
 * (metadata only changes with a higher one), so an older set never
 * replaces a newer. A stub is filled from the large set of its digest
 * when we hold it; else that set is missing, and the older set stays
 * until it comes. False when it could not be done for lack of memory;
 * metadata that is no service set is counted and ignored.
 */
static bool
services_from_meta(struct node *node, const struct swim_member_info *m)
{
	uint64_t held;
	if (registry_version(node->registry, m->name, &held) &&
	    held >= m->incarnation)
		return true;
	struct service_set set = {0};
	int rc = 0;
	if (m->meta_size > 0)
		rc = service_set_decode(&set, m->meta, m->meta_size, NULL);
	if (rc == RUMOR_ENOMEM)
		return false;
	if (rc != 0) {
		node->bad_service_sets++;
		return true;
	}
	if (set.full_size == 0) {
		node__largeset_drop(node, m->name);
		node__largeset_filled(node, m->name);
		set.version = m->incarnation;
		/* The member's entry exists (registry_set_node came first),
		 * so only a name swim would not have taken can fail. */
		if (registry_apply(node->registry, m->name, &set) < 0)
			node->bad_service_sets++;
		service_set_destroy(&set);
		return true;
	}
	uint8_t digest[SERVICE_SET_DIGEST_SIZE];
	memcpy(digest, set.digest, sizeof(digest));
	size_t full_size = set.full_size;
	service_set_destroy(&set);
	const struct node_largeset *b =
		node__largeset_find(node, m->name, NULL);
	if (b == NULL || memcmp(b->digest, digest, sizeof(digest)) != 0)
		return node__largeset_missing(node, m->name, digest,
					      full_size) == 0;
	return node__largeset_apply(node, b, m) != RUMOR_ENOMEM;
}

/* m's state (up, at addr) and then its services; false when the
 * registry could not follow for lack of memory (nothing changed for m
 * when registry_set_node failed). */
static bool
follow_member(struct node *node, const struct swim_member_info *m, bool up,
	      const struct swim_addr *addr)
{
	int rc = registry_set_node(node->registry, m->name, up, addr);
	if (rc != 0)
		return rc != RUMOR_ENOMEM; /* else a name the core refuses */
	return services_from_meta(node, m);
}

/* One event, as the core emitted it. */
static void
follow_event(struct node *node, const struct swim_event *ev)
{
	if (ev->type == SWIM_EVENT_REMOVED) {
		registry_forget(node->registry, ev->name);
		node__largeset_drop(node, ev->name);
		return;
	}
	if (ev->is_self)
		return; /* our own set is applied when we set it */
	/* The event lacks the member's metadata: look it up. Gone already
	 * means reaped by the same input, and its REMOVED event follows. */
	struct swim_member_info m;
	if (swim_member_find(node->swim, ev->name, &m) != 0)
		return;
	if (!follow_member(node, &m, node__status_up(ev->status), &ev->addr))
		node->registry_stale = true;
}

/* Apply every member again (after a failure); stays stale while one
 * still fails. */
static void
resync(struct node *node)
{
	node->registry_stale = false;
	size_t count = swim_member_count(node->swim);
	for (size_t i = 0; i < count; i++) {
		struct swim_member_info m;
		swim_member_at(node->swim, i, &m);
		if (m.is_self)
			continue;
		if (!follow_member(node, &m, node__status_up(m.status),
				   &m.addr))
			node->registry_stale = true;
	}
	node->registry_resyncs++;
}

void
node__follow_restored(struct node *node, const struct swim_self *members,
		      size_t count)
{
	for (size_t i = 0; i < count; i++) {
		struct swim_member_info m;
		if (members[i].meta_size == 0 ||
		    swim_member_find(node->swim, members[i].name, &m) != 0 ||
		    m.is_self)
			continue;
		if (!follow_member(node, &m, node__status_up(m.status),
				   &m.addr))
			node->registry_stale = true;
	}
}

/* Keep ev for the driver; past NODE_EVENTS_MAX undrained the oldest
 * goes, and without memory the newest does (both counted). */
static void
event_push(struct node *node, const struct swim_event *ev)
{
	if (node->ev_count == node->ev_cap && node->ev_cap < NODE_EVENTS_MAX) {
		size_t cap = node->ev_cap ? 2 * node->ev_cap : 16;
		struct swim_event *grown =
			swim_mem_alloc(node->alloc, cap * sizeof(*grown));
		if (grown != NULL) {
			for (size_t k = 0; k < node->ev_count; k++)
				grown[k] = node->events[(node->ev_head + k) %
							node->ev_cap];
			swim_mem_free(node->alloc, node->events);
			node->events = grown;
			node->ev_head = 0;
			node->ev_cap = cap;
		}
	}
	if (node->ev_count == node->ev_cap) {
		if (node->ev_cap < NODE_EVENTS_MAX) {
			node->events_dropped++; /* could not grow */
			return;
		}
		node->ev_head = (node->ev_head + 1) % node->ev_cap;
		node->ev_count--;
		node->events_dropped++;
	}
	node->events[(node->ev_head + node->ev_count++) % node->ev_cap] = *ev;
}

void
node__follow(struct node *node)
{
	struct swim_event ev;
	while (swim_poll_event(node->swim, &ev)) {
		follow_event(node, &ev);
		event_push(node, &ev);
	}
	if (node->registry_stale)
		resync(node);
}

bool
node__event_pop(struct node *node, struct swim_event *out)
{
	if (node->ev_count == 0)
		return false;
	*out = node->events[node->ev_head];
	node->ev_head = (node->ev_head + 1) % node->ev_cap;
	node->ev_count--;
	return true;
}
