/*
 * node_internal.h: struct node and what the node's files share (node__*
 * names). It sits below node.h, the public facade, and includes only
 * lower headers; nothing outside membership/node*.c includes it.
 */
#ifndef RUMOR_NODE_INTERNAL_H
#define RUMOR_NODE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/keyring.h"
#include "crypto/seal.h"
#include "node_drop.h"
#include "registry.h"
#include "service.h"
#include "swim/swim.h"
#include "swim/swim_rand.h"

/*
 * A set too big for one announcement, as its owner encoded it, known by
 * its digest (the one its owner's stub announces): what we serve onward
 * in push-pulls.
 */
struct node_largeset {
	char name[SWIM_NAME_MAX + 1];
	uint8_t digest[SERVICE_SET_DIGEST_SIZE];
	uint8_t *bytes;
	size_t size;
};

/* A stub we saw for a set we do not hold yet. */
struct node_missing {
	char name[SWIM_NAME_MAX + 1];
	uint8_t digest[SERVICE_SET_DIGEST_SIZE];
};

struct node {
	struct swim *swim;
	const struct keyring *keyring;
	struct seal_nonce nonce;
	uint64_t drop_count[node_drop_MAX];
	struct registry *registry;
	uint64_t bad_service_sets;
	/* Time of the latest input: events are drained after it. */
	uint64_t now_ms;
	/* Large sets held (sorted by name), and those still missing. */
	struct node_largeset *largesets;
	size_t largeset_count, largeset_cap;
	/* Where the next frame starts packing sets, when not all fit. */
	size_t largeset_cursor;
	struct node_missing *missing;
	size_t missing_count, missing_cap;
	/* The next pull of a missing set: when, and a push-pull due now. */
	uint64_t pull_at_ms;
	uint64_t pull_jitter_ms;
	bool pull_due;
	struct swim_addr pull_to;
	struct swim_rand rand;
	uint64_t largeset_pulls;
	uint64_t largesets_received;
};

/* Whether a member in this status counts as up for its services. */
static inline bool
node__status_up(enum swim_status status)
{
	return status == SWIM_STATUS_ALIVE || status == SWIM_STATUS_SUSPECT;
}

#endif /* RUMOR_NODE_INTERNAL_H */
