/*
 * node_follow: the registry follows membership. Each member event passes
 * its member's services (read from its metadata), its up/down state and
 * its address into the registry.
 */
#include <string.h>

#include "node_follow.h"
#include "node_largeset.h"

/*
 * A member's services, read from its metadata as its events pass, and
 * versioned by the member's incarnation (metadata only changes with a
 * higher one), so an older set never replaces a newer. A stub is filled
 * from the large set of its digest when we hold it; else it is missing,
 * and the older set stays until it comes.
 */
static void
services_from_meta(struct node *node, const struct swim_event *ev)
{
	struct swim_member_info m;
	if (swim_member_find(node->swim, ev->name, &m) != 0)
		return;
	uint64_t held;
	if (registry_version(node->registry, m.name, &held) &&
	    held >= m.incarnation)
		return;
	struct service_set set = {0};
	if (m.meta_size > 0 &&
	    service_set_decode(&set, m.meta, m.meta_size, NULL) != 0) {
		node->bad_service_sets++;
		return;
	}
	if (set.full_size == 0) {
		node__largeset_drop(node, m.name);
		node__largeset_filled(node, m.name);
		set.version = m.incarnation;
		if (registry_apply(node->registry, m.name, &set) < 0)
			node->bad_service_sets++;
		service_set_destroy(&set);
		return;
	}
	uint8_t digest[SERVICE_SET_DIGEST_SIZE];
	memcpy(digest, set.digest, sizeof(digest));
	service_set_destroy(&set);
	const struct node_largeset *b = node__largeset_find(node, m.name, NULL);
	if (b == NULL || memcmp(b->digest, digest, sizeof(digest)) != 0)
		node__largeset_missing(node, m.name, digest);
	else
		node__largeset_apply(node, b, &m);
}

void
node__registry_follow(struct node *node, const struct swim_event *ev)
{
	if (ev->type == SWIM_EVENT_REMOVED) {
		registry_forget(node->registry, ev->name);
		node__largeset_drop(node, ev->name);
		return;
	}
	if (ev->is_self)
		return; /* our own set is applied when we set it */
	services_from_meta(node, ev);
	registry_set_node(node->registry, ev->name,
			  node__status_up(ev->status), &ev->addr);
}
