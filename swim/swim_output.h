/*
 * swim_output: what the core wants done, drained by the driver after each
 * input: datagrams to send, push-pull streams to open, membership events.
 * Included through swim.h.
 */
#ifndef RUMOR_SWIM_OUTPUT_H
#define RUMOR_SWIM_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rumor/error.h"
#include "swim_addr.h"
#include "swim_types.h"

struct swim;
struct swim_encoder;
struct swim_member;
struct swim_msg;

/** One datagram to send, copied out. */
struct swim_datagram {
	struct swim_addr to;
	/** The member it is for (the driver binds the sealed datagram to
	 *  this name, so it opens nowhere else). */
	size_t to_name_len;
	char to_name[SWIM_NAME_MAX + 1];
	size_t size;
	uint8_t data[SWIM_DATAGRAM_MAX];
};

/** Take the next datagram to send; false when there is none. */
bool
swim_poll_datagram(struct swim *swim, struct swim_datagram *out);

/**
 * A push-pull exchange the core wants: open a stream to `to`, send
 * swim_state_encode()'s bytes, read the peer's state and hand it to
 * swim_handle_state(). `join` marks joins (the peer then answers with its
 * state even if it has never heard of us).
 */
struct swim_stream_req {
	struct swim_addr to;
	bool join;
};

/** Take the next stream request; false when there is none. */
bool
swim_poll_stream(struct swim *swim, struct swim_stream_req *out);

/** Event kinds; the event carries the member's state after the change. */
enum swim_event_type {
	SWIM_EVENT_STATUS = 0, /* status changed (incl. first seen) */
	SWIM_EVENT_UPDATE,     /* address or meta changed, status same */
	SWIM_EVENT_REMOVED,    /* forgotten after reconnect/tombstone time */
	swim_event_type_MAX
};

/** A membership change, copied out. */
struct swim_event {
	enum swim_event_type type;
	char name[SWIM_NAME_MAX + 1];
	struct swim_addr addr;
	enum swim_status status;
	uint64_t incarnation;
	/** True when the member is this node (e.g. a refutation). */
	bool is_self;
};

/** Take the next event; false when there is none. */
bool
swim_poll_event(struct swim *swim, struct swim_event *out);

/* Inside the core (swim__*): filling the queues. */

/** Set up and free the queues (swim_new, swim_delete). */
void
swim__output_create(struct swim *swim);
void
swim__output_destroy(struct swim *swim);

/** Start a datagram to `to`, for the member named to_name[0,
 *  to_name_len) (a valid name); NULL if the outbox is full. Finish it
 *  with swim__send_finish (which piggybacks and queues it). */
RUMOR_MUST_CHECK struct swim_datagram *
swim__send_begin(struct swim *swim, const struct swim_addr *to,
		 const char *to_name, size_t to_name_len,
		 struct swim_encoder *enc);
/** Give up the datagram begun last (its one message did not fit). */
void
swim__send_cancel(struct swim *swim);
/** Add a message that only rides along (a buddy's suspicion, a verdict on
 *  an ack): whether it fit, which its sender need not check, as gossip
 *  carries it too. */
bool
swim__send_add_optional(struct swim_encoder *enc, const struct swim_msg *msg);
/** Piggyback queued gossip (when asked), then queue the datagram, or give
 *  it up when it holds no message. */
void
swim__send_finish(struct swim *swim, struct swim_datagram *dg,
		  struct swim_encoder *enc, bool piggyback);
/** Room for the next event, so that emitting it cannot fail: a change
 *  the driver must hear of reserves its event before it changes
 *  anything. 0 or RUMOR_ENOMEM. */
RUMOR_MUST_CHECK int
swim__event_reserve(struct swim *swim);
/** Queue an event about m (its state now); reserved first, it cannot
 *  be lost. */
void
swim__emit_event(struct swim *swim, enum swim_event_type type,
		 const struct swim_member *m);
void
swim__request_stream(struct swim *swim, const struct swim_addr *to,
		     bool join);

#endif /* RUMOR_SWIM_OUTPUT_H */
