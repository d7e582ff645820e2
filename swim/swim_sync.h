/*
 * swim_sync: anti-entropy and healing: push-pull state exchange, joining
 * through seeds, reconnecting to failed members, reaping the long gone,
 * and installing a running cluster's members at once. Included through
 * swim.h.
 */
#ifndef RUMOR_SWIM_SYNC_H
#define RUMOR_SWIM_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rumor/error.h"
#include "swim_addr.h"
#include "swim_types.h"

struct swim;

/**
 * Join through seed addresses: the core asks for push-pull streams to them
 * (swim_poll_stream) and retries with doubling backoff until it knows some
 * other member. Addresses are copied (at most SWIM_JOIN_ADDRS_MAX).
 * Returns 0, RUMOR_EINVAL (no address, or too many) or RUMOR_ESTATE
 * (leaving); nothing changed on error.
 */
RUMOR_MUST_CHECK int
swim_join(struct swim *swim, uint64_t now_ms, const struct swim_addr *addrs,
	  size_t count);

/**
 * Encode this node's full membership view for a push-pull exchange into a
 * buffer from the node's allocator (swim_config.allocator), for the caller
 * to release with swim_state_free(). Returns 0 or RUMOR_ENOMEM/ETOOBIG;
 * nothing changes either way.
 */
RUMOR_MUST_CHECK int
swim_state_encode(struct swim *swim, bool join, uint8_t **out, size_t *size);

/** Release a buffer from swim_state_encode(). NULL is a no-op. */
void
swim_state_free(struct swim *swim, uint8_t *state);

/**
 * Merge a peer's full state received over a stream. Same drop reasons and
 * rules as swim_handle_datagram(). A responder calls this
 * first and then swim_state_encode(), so its reply already reflects what
 * it just learned (a refutation, for instance).
 */
enum swim_drop
swim_handle_state(struct swim *swim, uint64_t now_ms,
		  const struct swim_addr *from, const uint8_t *data,
		  size_t size);

/**
 * Install members known from a snapshot of a running cluster, silently:
 * each named member that is new here is added alive at its incarnation,
 * with no gossip and no event, because the rest of the cluster is taken to
 * know it already. Self and known members are skipped. The first
 * push-pull is then rescheduled at a random point of the interval scaled
 * for the new size. From there on the protocol is the usual one: a member
 * that is not really there is found by the probes.
 *
 * All or nothing: returns 0 with every member installed, or RUMOR_EINVAL
 * (a name that is not valid, metadata over SWIM_META_MAX) or RUMOR_ENOMEM
 * with none installed and the node as it was (its PRNG included).
 *
 * The simulator starts a warm cluster with it (a 10,000-node cluster that
 * has been up for a while, without simulating its join storm first).
 */
RUMOR_MUST_CHECK int
swim_restore(struct swim *swim, uint64_t now_ms,
	     const struct swim_self *members, size_t count);

/* Inside the core (swim__*): the periodic work, fired by
 * swim_handle_timeout() when its deadline (a field of struct swim) is due. */

/** We know someone besides ourselves: a join in progress is done. */
void
swim__join_check(struct swim *swim, uint64_t now_ms);
void
swim__pushpull_tick(struct swim *swim, uint64_t now_ms);
void
swim__reconnect_tick(struct swim *swim, uint64_t now_ms);
void
swim__reap_tick(struct swim *swim, uint64_t now_ms);
void
swim__join_tick(struct swim *swim, uint64_t now_ms);

#endif /* RUMOR_SWIM_SYNC_H */
