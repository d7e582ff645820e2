/*
 * swim: the SWIM + Lifeguard membership protocol as a sans-IO state machine.
 *
 * The core owns no sockets, reads no clock, arms no timers, keeps no
 * globals and draws randomness only from the seed it is given. Everything
 * that happens to it is an input call carrying the current time; everything
 * it wants done is an output the driver drains after each input:
 *
 *	apply one input          swim_handle_datagram / swim_handle_timeout /
 *	                         swim_handle_state / swim_join / swim_leave
 *	drain datagrams          swim_poll_datagram  -> send over UDP
 *	drain stream requests    swim_poll_stream    -> push-pull over TCP
 *	drain events             swim_poll_event     -> log, registry, watchers
 *	re-arm the one timer     swim_next_deadline_ms
 *
 * The core never calls back into the driver. The libuv agent (cli/) and the
 * simulator (sim/) run exactly this loop, so what the simulator shows is
 * what production does.
 *
 * Identity is the node name, not the address: a node restarted on another
 * address is the same member, and it outranks its old self by incarnation.
 */
#ifndef RUMOR_SWIM_H
#define RUMOR_SWIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The parts of the API defined below swim.c, each in its own header:
 * names and addresses, shared types and limits, the configuration, the
 * outputs to drain, push-pull, join and restore, and the invariants. */
#include "rumor/error.h"
#include "swim_addr.h"
#include "swim_check.h"
#include "swim_config.h"
#include "swim_output.h"
#include "swim_sync.h"
#include "swim_types.h"

struct swim;

/**
 * Create a node that knows only itself. The configuration is copied and
 * must pass swim_config_check(); rand_seed is the only entropy it will
 * ever use. Returns NULL on out-of-memory or invalid arguments.
 */
RUMOR_MUST_CHECK struct swim *
swim_new(const struct swim_config *cfg, const struct swim_self *self,
	 uint64_t rand_seed, uint64_t now_ms);

/** Free everything. NULL is a no-op. */
void
swim_delete(struct swim *swim);

/**
 * Handle one received plaintext datagram from `from`. Returns
 * SWIM_DROP_NONE when it was accepted, otherwise why it was dropped (and
 * counted); a dropped datagram changes nothing else.
 *
 * Out of memory is not a drop reason: each message of an accepted
 * datagram is applied whole or, when what it needs cannot be allocated,
 * not at all, as if the network had lost it (the protocol recovers from
 * that). The same holds for the outputs the core cannot queue: a
 * datagram or stream request is lost like one the network drops, while
 * an event is reserved before the change it reports, so the driver never
 * misses one.
 */
enum swim_drop
swim_handle_datagram(struct swim *swim, uint64_t now_ms,
		     const struct swim_addr *from, const uint8_t *data,
		     size_t size);

/** Fire whatever deadlines are due at now_ms. Always safe to call. */
void
swim_handle_timeout(struct swim *swim, uint64_t now_ms);

/**
 * Leave gracefully: mark self left, broadcast it, stop probing. Poll
 * swim_leave_done() to know when the broadcast has had its chance.
 * Returns 0 (also when already leaving) or RUMOR_ENOMEM, nothing changed.
 */
RUMOR_MUST_CHECK int
swim_leave(struct swim *swim, uint64_t now_ms);

/**
 * Mark a failed member left, here and, by gossip, everywhere (Serf's
 * force-leave): its services go at once instead of at the reconnect
 * timeout, and the core stops trying to reach it. Returns 0 (also when
 * it is left already), RUMOR_ENOTFOUND for a name we do not know,
 * RUMOR_EINVAL for ourselves, RUMOR_ESTATE for a member that is alive or
 * suspect (or while we leave), or RUMOR_ENOMEM; nothing changed on
 * error.
 */
RUMOR_MUST_CHECK int
swim_force_leave(struct swim *swim, uint64_t now_ms, const char *name);

/** True once a leave was asked and the leave message went out enough
 *  times, or leave_timeout_ms passed, or nobody was there to tell. */
bool
swim_leave_done(const struct swim *swim, uint64_t now_ms);

/** Replace this node's metadata (copied) and announce it. Returns 0,
 *  RUMOR_ETOOBIG, RUMOR_ESTATE (leaving) or RUMOR_ENOMEM; nothing
 *  changed on error. */
RUMOR_MUST_CHECK int
swim_set_meta(struct swim *swim, uint64_t now_ms, const uint8_t *meta,
	      size_t meta_size);

/** Absolute time of the next deadline; the driver arms one timer at it.
 *  UINT64_MAX when nothing is pending. */
uint64_t
swim_next_deadline_ms(const struct swim *swim);

/** A member as this node sees it. Pointers valid until the next call. */
struct swim_member_info {
	const char *name;
	struct swim_addr addr;
	enum swim_status status;
	uint64_t incarnation;
	const uint8_t *meta;
	size_t meta_size;
	bool is_self;
};

/** Members known, self included. */
size_t
swim_member_count(const struct swim *swim);

/** The i-th member (0 <= i < count), in no particular order. */
void
swim_member_at(const struct swim *swim, size_t i,
	       struct swim_member_info *out);

/** Look a member up by name; returns RUMOR_ENOTFOUND if unknown (*out
 *  untouched then). */
RUMOR_MUST_CHECK int
swim_member_find(const struct swim *swim, const char *name,
		 struct swim_member_info *out);

/** The counters (struct swim_stats, swim_types.h) as of now. */
void
swim_stats(const struct swim *swim, struct swim_stats *out);

/** This node's name (as given to swim_new). */
const char *
swim_self_name(const struct swim *swim);

/** This node's current incarnation (grows with every refutation). */
uint64_t
swim_self_incarnation(const struct swim *swim);

/** Whether swim_leave() was called (no more metadata changes then). */
bool
swim_is_leaving(const struct swim *swim);

#endif /* RUMOR_SWIM_H */
