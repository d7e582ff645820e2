/*
 * node_services: our announcement (node_services.c). node.h includes
 * this header: the functions below are part of the node's API.
 */
#ifndef RUMOR_NODE_SERVICES_H
#define RUMOR_NODE_SERVICES_H

#include <stddef.h>
#include <stdint.h>

#include "node_tags.h"
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

/**
 * Replace this node's tags (copied; node_tags.h has the limits). They go
 * out in the same announcement as the services, which is made again with
 * them, under a raised incarnation. Returns 0, RUMOR_EINVAL or
 * RUMOR_ETOOBIG with a sentence in why_buf (naming the tag and the
 * limit), RUMOR_ESTATE while leaving, or RUMOR_ENOMEM; on error nothing
 * changed. No tags (count 0) removes them; the tags we have already
 * (in any order) change nothing.
 */
RUMOR_MUST_CHECK int
node_set_tags(struct node *node, uint64_t now_ms,
	      const struct service_kv *tags, size_t count, char *why_buf,
	      size_t why_size);

/** A member's tags (ourselves included) as its metadata has them: 0,
 *  RUMOR_ENOTFOUND for a name we do not know, or RUMOR_EINVAL for tags
 *  we cannot read (*out then holds none). */
int
node_tags_of(const struct node *node, const char *name,
	     struct node_tags *out);

#endif /* RUMOR_NODE_SERVICES_H */
