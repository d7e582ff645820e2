/*
 * node_services: our announcement (node_services.c). node.h includes
 * this header: the functions below are part of the node's API.
 */
#ifndef RUMOR_NODE_SERVICES_H
#define RUMOR_NODE_SERVICES_H

#include <stddef.h>
#include <stdint.h>

#include "service.h"
#include "swim/swim.h"

struct node;

/** A node's encoded service set travels as its SWIM metadata while it
 *  fits in this many bytes (a few services), so it piggybacks on every
 *  alive message about the node. A larger set (up to
 *  SERVICE_SET_BYTES_MAX) is announced as a stub and travels in push-pull
 *  frames (node_largeset.c, "large sets"). */
#define NODE_SERVICES_GOSSIP_MAX SWIM_META_MAX

/**
 * Replace the services this node offers (copied). The set is versioned by
 * the node's incarnation, which the announcement raises, and spreads with
 * the alive message about this node (or, past NODE_SERVICES_GOSSIP_MAX,
 * in push-pulls). Returns 0; RUMOR_EINVAL with *why for an invalid
 * service or an id given twice; RUMOR_ETOOBIG when the encoded set passes
 * SERVICE_SET_BYTES_MAX or SERVICE_PER_NODE_MAX; or
 * RUMOR_ESTATE while leaving, or RUMOR_ENOMEM. On error nothing changed.
 */
RUMOR_MUST_CHECK int
node_set_services(struct node *node, uint64_t now_ms,
		  const struct service *const *services, size_t count,
		  const char **why);

/** node_set_services()'s checks alone (nothing changes): 0, or its
 *  errors with *why, RUMOR_ESTATE when the node is leaving. */
RUMOR_MUST_CHECK int
node_check_services(const struct node *node,
		    const struct service *const *services, size_t count,
		    const char **why);

#endif /* RUMOR_NODE_SERVICES_H */
