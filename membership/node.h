/*
 * node: the object both drivers own. A SWIM core, the seal layer and the
 * service registry that follows membership, with the same sans-IO shape
 * as swim.h one level up: ciphertext in, ciphertext out.
 *
 *	apply one input     node_handle_datagram / node_handle_timeout /
 *	                    node_stream_handle / node_join / node_leave /
 *	                    node_restore / node_set_services
 *	drain               node_poll_datagram (sealed, ready for sendto),
 *	                    node_poll_stream (push-pull to open),
 *	                    node_poll_event
 *	re-arm the timer    node_next_deadline_ms
 *
 * Each input brings the registry up to date with what it changed before
 * it returns; draining only copies outputs out.
 *
 * Streams: a push-pull is one stream each way, framed by crypto/stream.h
 * (a small sealed header, then sealed chunks). The initiator sends
 * node_stream_encode() and takes the reply; the responder takes the
 * request first and then answers with node_stream_encode(). Taking a
 * stream is node_stream_feed() as its bytes arrive, then
 * node_stream_apply() once it is whole (node_stream_handle() does both
 * for a stream received whole). A stream's plaintext is the core's state,
 * then the large service sets the node holds (node_largeset.c).
 */
#ifndef RUMOR_NODE_H
#define RUMOR_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/keyring.h"
#include "crypto/seal.h"
#include "crypto/stream.h"
#include "node_drop.h"
#include "node_services.h"
#include "registry.h"
#include "service.h"
#include "swim/swim.h"

/** Largest sealed datagram on the wire. */
#define NODE_DATAGRAM_MAX SWIM_DATAGRAM_MAX
/** Bytes of large service sets a node holds at most, across members
 *  (128 sets of the largest size): past it a set that arrives is refused
 *  (node_stats.large_sets_refused) and not pulled again until its owner
 *  announces another, so members invented with the key cannot make every
 *  node hold and serve an unbounded amount. */
#define NODE_LARGESETS_BYTES_MAX ((size_t)32 * 1024 * 1024)
/** Largest stream plaintext (the state and the large sets). */
#define NODE_STREAM_BYTES_MAX SWIM_STATE_MAX

struct node_config {
	/** Protocol timings; datagram_size_max is lowered by the node to
	 *  leave room for the seal overhead. Its allocator serves the node
	 *  and its registry too (all but the service records, which
	 *  service.c takes from libc). */
	struct swim_config swim;
	/** Identity; copied. */
	struct swim_self self;
	/** Keys; borrowed, must outlive the node. NULL means plaintext
	 *  (--no-encrypt): the node then drops every sealed frame. */
	const struct keyring *keyring;
	/** Random bytes that name this life in the nonces we seal
	 *  (crypto/seal.h): the first SEAL_LIFE_SIZE are our datagrams'
	 *  life, and our streams' is the same with its top bit flipped; the
	 *  rest are unused. The agent draws them with randombytes_buf, the
	 *  simulator from its PRNG. */
	uint8_t nonce_prefix[16];
	/** Seed of the SWIM core's PRNG. */
	uint64_t rand_seed;
	/** The wall clock (ms since the Unix epoch) at the now_ms given to
	 *  node_new: frames are stamped with it and judged against it
	 *  (node_replay.h). 0 runs the clock from now_ms itself, which does
	 *  for nodes that share one clock (tests). node_set_wall_clock()
	 *  follows later corrections. */
	uint64_t wall_ms;
	/** The clock skew allowed between nodes; 0 is NODE_REPLAY_SKEW_MS. */
	uint64_t replay_skew_ms;
	/** Bytes of other members' large service sets held at most, all
	 *  together; 0 is NODE_LARGESETS_BYTES_MAX. */
	size_t largesets_bytes_max;
};

/** Names of the drop reasons ("unknown_key"), for stats and logs. */
extern const char *const node_drop_strs[node_drop_MAX];

struct node;

/** NULL on out-of-memory or invalid configuration (see
 *  swim_config_check). */
RUMOR_MUST_CHECK struct node *
node_new(const struct node_config *cfg, uint64_t now_ms);

/** Free the node and all it holds (NULL is fine). */
void
node_delete(struct node *node);

/** A received UDP payload. Returns NODE_DROP_NONE when accepted. */
enum node_drop
node_handle_datagram(struct node *node, uint64_t now_ms,
		     const struct swim_addr *from, const uint8_t *data,
		     size_t size);

/** The timer armed at node_next_deadline_ms() fired (early is fine). */
void
node_handle_timeout(struct node *node, uint64_t now_ms);

/** The wall clock reads wall_ms at now_ms (the driver's clock was set or
 *  stepped): stamps and judgements follow it from now on. */
void
node_set_wall_clock(struct node *node, uint64_t now_ms, uint64_t wall_ms);

/** swim_restore(): install members of a running cluster silently (no
 *  events); the registry takes the services of those with metadata. */
RUMOR_MUST_CHECK int
node_restore(struct node *node, uint64_t now_ms,
	     const struct swim_self *members, size_t count);

/** swim_join(): join through seed addresses (push-pulls to them, retried
 *  until another member is known); 0 or swim_join()'s error. */
int
node_join(struct node *node, uint64_t now_ms, const struct swim_addr *addrs,
	  size_t count);

/** swim_leave(): leave gracefully; 0 or swim_leave()'s error. */
int
node_leave(struct node *node, uint64_t now_ms);

/** swim_force_leave(): a failed member, marked left everywhere; 0 or
 *  swim_force_leave()'s error. */
RUMOR_MUST_CHECK int
node_force_leave(struct node *node, uint64_t now_ms, const char *name);

/** Whether the leave broadcast has had its chance (swim_leave_done()). */
bool
node_leave_done(const struct node *node, uint64_t now_ms);

/** A sealed datagram to send. */
struct node_datagram {
	struct swim_addr to;
	size_t size;
	uint8_t data[NODE_DATAGRAM_MAX];
};

/** Take the next datagram to send, sealed; false when there is none. */
bool
node_poll_datagram(struct node *node, struct node_datagram *out);

/** Take the next push-pull to open (the core's, or a pull of a missing
 *  large set); false when there is none. */
bool
node_poll_stream(struct node *node, struct swim_stream_req *out);

/** Our state as one complete stream (crypto/stream.h) in a malloc'd
 *  buffer the caller frees. */
RUMOR_MUST_CHECK int
node_stream_encode(struct node *node, bool join, uint8_t **out,
		   size_t *size);

/** Start taking a stream into rx (stream_rx_init with our limit). */
void
node_stream_begin(const struct node *node, struct stream_rx *rx);

/**
 * Received bytes of a stream, in order, as they arrive: nothing is kept
 * that did not authenticate (crypto/stream.h), and every byte kept is
 * charged to budget. NODE_DROP_NONE while it goes well (*done once the
 * stream is whole), else why it was refused (counted in node_stats):
 * the caller then drops the stream (stream_rx_destroy) and closes.
 */
enum node_drop
node_stream_feed(struct node *node, struct stream_rx *rx,
		 struct stream_budget *budget, const uint8_t *data,
		 size_t size, bool *done);

/** A whole stream (node_stream_feed said *done): its state goes in. */
enum node_drop
node_stream_apply(struct node *node, uint64_t now_ms,
		  const struct swim_addr *from, const struct stream_rx *rx);

/** A stream received whole, as node_stream_encode() made it: feed and
 *  apply (a stream cut short is NODE_DROP_TRUNCATED). */
enum node_drop
node_stream_handle(struct node *node, uint64_t now_ms,
		   const struct swim_addr *from, const uint8_t *data,
		   size_t size);

/**
 * Take the next membership event. The registry already holds what the
 * event says (each input applies its events before returning), so a
 * driver that drains late sees a current registry all the same. Events
 * left undrained past a bound (NODE_EVENTS_MAX, node_follow.h) lose the
 * oldest (node_stats.events_dropped).
 */
bool
node_poll_event(struct node *node, struct swim_event *out);

/** The cluster's services as this node knows them (lookups, picks,
 *  change events for watches). */
struct registry *
node_registry(struct node *node);

/** When to call node_handle_timeout() next (absolute; UINT64_MAX when
 *  nothing is pending). */
uint64_t
node_next_deadline_ms(const struct node *node);

/** The core, for read-only queries (members, stats). */
const struct swim *
node_swim(const struct node *node);

struct node_stats {
	/** The core's own. */
	struct swim_stats swim;
	/** Frames dropped before or by the core, by reason. */
	uint64_t drop_count[node_drop_MAX];
	/** Members whose metadata is not a service set we can read. */
	uint64_t bad_service_sets;
	/** Large sets held (ours included), and stubs not filled yet. */
	uint64_t large_sets_held;
	uint64_t large_sets_missing;
	/** Large sets refused: holding them would pass
	 *  NODE_LARGESETS_BYTES_MAX. */
	uint64_t large_sets_refused;
	/** Push-pulls asked for to fetch a large set, and large sets
	 *  received and applied. */
	uint64_t set_pulls;
	uint64_t sets_received;
	/** Member events the driver never got: past NODE_EVENTS_MAX
	 *  undrained, or out of memory. */
	uint64_t events_dropped;
	/** Times the registry was rebuilt from membership because an
	 *  allocation failed while following it. */
	uint64_t registry_resyncs;
	/** Sender lives whose frames we remember now, at most, and
	 *  forgotten before their frames were stale (node_replay.h). */
	uint64_t replay_lives;
	uint64_t replay_lives_peak;
	uint64_t replay_evictions;
};

/** Counters, copied into *out. */
void
node_stats(const struct node *node, struct node_stats *out);

/**
 * Verify the invariants that hold between any two calls into the node:
 * the core's (swim_check()), the registry's own (registry_check()), the
 * node's queues and large sets within their bounds and in order, and,
 * unless a failed allocation left the registry to be rebuilt at the next
 * input, the registry following membership: it holds only the core's
 * members, each up while alive or suspect and at the host it gossips
 * from, none with a set newer than its incarnation, and every member but
 * those a restore installed without metadata (unchanged since: up, with
 * no services, as the registry takes an unknown node to be).
 *
 * Returns 0, or RUMOR_ESTATE with *why (when why is not NULL) set to a
 * static sentence naming the first broken invariant. O(members *
 * log(members) + services), read only, no allocation: for tests and the
 * simulator, after any input (rumor-sim --check, --alloc-fail). A failed
 * check is a bug.
 */
RUMOR_MUST_CHECK int
node_check(const struct node *node, const char **why);

#endif /* RUMOR_NODE_H */
