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
#include "node_replay.h"
#include "registry.h"
#include "service.h"
#include "swim/swim.h"
#include "swim/swim_rand.h"

/* node_largeset.h */
struct node_largeset;
struct node_missing;

struct node {
	/* Where the node's own memory comes from (swim_config.allocator,
	 * borrowed; NULL is libc's). Service records and sets, and the
	 * large sets' bytes, come from service.c and stay in libc's heap. */
	const struct swim_allocator *alloc;
	struct swim *swim;
	/* NULL in plaintext mode. */
	const struct keyring *keyring;
	/* Datagram and stream nonces: two lives (seal.h). */
	struct seal_nonce nonce;
	struct seal_nonce stream_nonce;
	/* What we took, by sender life (node_replay.c). */
	struct node_replay replay;
	/* Wall clock = now_ms + wall_offset (mod 2^64). */
	uint64_t wall_offset;
	/* Datagrams are bound to our name. */
	size_t self_name_len;
	uint64_t drop_count[node_drop_MAX];
	/* Time of the latest input: what it changes is timed by it. */
	uint64_t now_ms;

	/* The registry follows membership (node_follow.c). */
	struct registry *registry;
	/* A failure left it behind membership: rebuild it. */
	bool registry_stale;
	uint64_t registry_resyncs;
	uint64_t bad_service_sets;
	/* Member events, applied and waiting for the driver (a ring). */
	struct swim_event *events;
	size_t ev_head, ev_count, ev_cap;
	uint64_t events_dropped;

	/* Large sets (node_largeset.c): those held, sorted by name, and
	 * where the next frame starts packing them when not all fit. */
	struct node_largeset *largesets;
	size_t largeset_count, largeset_cap;
	size_t largeset_cursor;
	/* Stubs whose large set we do not hold yet. */
	struct node_missing *missing;
	size_t missing_count, missing_cap;
	/* The next pull of a missing set: when, and a push-pull due now. */
	uint64_t pull_at_ms;
	uint64_t pull_jitter_ms;
	bool pull_due;
	struct swim_addr pull_to;
	/* Pull delays; apart from the core's draws. */
	struct swim_rand rand;
	uint64_t largeset_pulls;
	uint64_t largesets_received;
	/* Bytes of the large sets held, at most largesets_max (ours
	 * always fits: it is counted, never refused), and sets refused. */
	size_t largeset_bytes;
	size_t largesets_max;
	uint64_t largesets_refused;

	/* What we announce (node_services.c): our services (service_dup'd,
	 * libc) and our tags, encoded (tags_size 0: none). */
	struct service **own;
	size_t own_count;
	uint8_t *tags;
	size_t tags_size;
};

/* Whether a member in this status counts as up for its services. */
static inline bool
node__status_up(enum swim_status status)
{
	return status == SWIM_STATUS_ALIVE || status == SWIM_STATUS_SUSPECT;
}

#endif /* RUMOR_NODE_INTERNAL_H */
