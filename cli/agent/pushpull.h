/*
 * pushpull: the TCP side of the agent. A listener on the gossip address
 * answers push-pull exchanges, and pushpull_connect() starts the ones
 * the node asks for (node_poll_stream). One stream each way (framing in
 * crypto/stream.h: a small sealed header, then sealed chunks):
 *
 *	initiator                          responder
 *	connect, write our state  ----->   take one stream, node_stream_apply
 *	take one stream           <-----   write our state, close
 *	node_stream_apply, close
 *
 * A hostile network must not cost more than bounded memory, nor keep
 * peers out:
 * - Incoming and outgoing streams have pools of their own
 *   (PUSHPULL_IN_MAX, PUSHPULL_OUT_MAX): connections to our port cannot
 *   stop our own push-pulls.
 * - An incoming stream must deliver its authenticated header within
 *   PUSHPULL_AUTH_TIMEOUT_MS. A new connection takes the place of the
 *   oldest unauthenticated stream from its own address when that address
 *   has PUSHPULL_PREAUTH_PER_IP of them, and of anyone's when the
 *   incoming pool is full: a peer with the key is past its header within
 *   a round trip, an idle attacker never is, so it only churns its own
 *   slots. When every incoming slot is authenticated, a connection is
 *   accepted and closed at once, so the kernel's backlog keeps moving.
 * - Before its header authenticated a stream holds no buffer of its own
 *   (the bytes go through one shared read buffer); after it, chunks are
 *   kept only once opened, and all streams together hold at most
 *   PUSHPULL_BUFFER_MAX bytes (a struct stream_budget).
 * - Every stream is done within PUSHPULL_TIMEOUT_MS.
 * Every refusal is counted by reason (struct pushpull_stats) and logged
 * at a limited rate.
 */
#ifndef RUMOR_PUSHPULL_H
#define RUMOR_PUSHPULL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "list.h"
#include "log.h"
#include "membership/node.h"

/** Concurrent incoming streams (memberlist: 128, both directions). An
 *  unauthenticated one costs its descriptor and ~1 KiB, no buffer, so
 *  the pool is twice memberlist's: a new connection then has twice as
 *  long to send its header under a flood of connections. */
#define PUSHPULL_IN_MAX 256
/** Concurrent outgoing streams: push-pulls, joins and set pulls are a
 *  few at a time; the rest is headroom. */
#define PUSHPULL_OUT_MAX 64
/** A stream must be done within this long. */
#define PUSHPULL_TIMEOUT_MS 10000
/** An incoming stream must have delivered its authenticated header
 *  within this long (a peer with the key sends it at once). */
#define PUSHPULL_AUTH_TIMEOUT_MS 2000
/** Unauthenticated incoming streams from one IP address at once. */
#define PUSHPULL_PREAUTH_PER_IP 16
/** Bytes all streams may buffer together: three states of the largest
 *  size (SWIM_STATE_MAX) at once, with room for chunks. */
#define PUSHPULL_BUFFER_MAX (64u << 20)
/** Connections accepted per turn of the loop at most (the rest wait in
 *  the kernel's backlog until the streams we have were read). */
#define PUSHPULL_ACCEPT_BATCH 16
/** Bytes read from a socket at once. */
#define PUSHPULL_READ_SIZE 65536

struct pushpull;
struct pushpull_stream;

/** Called after a received frame went into the node, so the driver can
 *  drain what the node wants done. */
typedef void (*pushpull_input_cb)(struct pushpull *pp);

/** Counters for `rumor stats`. */
struct pushpull_stats {
	/** Streams open now, and of those incoming. */
	size_t streams_open;
	size_t streams_in;
	uint64_t streams_started;
	/** Ended on an error (refusals by the node are in its drop_*
	 *  counters, timeouts below). */
	uint64_t streams_failed;
	/** Not started: the outgoing pool was full. */
	uint64_t streams_refused;
	/** Incoming connections accepted and closed at once: every incoming
	 *  slot held an authenticated stream. */
	uint64_t streams_refused_full;
	/** Unauthenticated incoming streams closed to make room for a newer
	 *  one: the pool was full, or its address had
	 *  PUSHPULL_PREAUTH_PER_IP. */
	uint64_t streams_evicted;
	uint64_t streams_evicted_per_ip;
	/** Closed for want of a header by PUSHPULL_AUTH_TIMEOUT_MS, and
	 *  for not finishing in PUSHPULL_TIMEOUT_MS. */
	uint64_t streams_auth_timeouts;
	uint64_t streams_timeouts;
	/** Bytes buffered by all streams now, and the most ever. */
	size_t stream_bytes;
	size_t stream_bytes_peak;
};

struct pushpull {
	uv_loop_t *loop;
	/** Borrowed. */
	struct node *node;
	uv_tcp_t listener;
	bool listener_open;
	/** Ends each turn of the loop: the accept count starts again. */
	uv_check_t turn;
	bool turn_open;
	size_t accepted_this_turn;
	/** libuv holds a connection we have not accepted yet. */
	bool accept_deferred;
	/** Set by pushpull_close(): no more streams, no more logging. */
	bool closed;
	/** Open streams (struct pushpull_stream.link), oldest first. */
	struct list streams;
	/** What all streams buffer, together. */
	struct stream_budget budget;
	struct pushpull_stats stats;
	struct log_limit limit_fail;
	struct log_limit limit_refuse;
	struct log_limit limit_drop[node_drop_MAX];
	pushpull_input_cb on_input;
	/** Every read lands here first; libuv reads one stream at a time. */
	uint8_t read_buf[PUSHPULL_READ_SIZE];
};

/** Set up pp (nothing to fail); pushpull_close() is then enough. */
void
pushpull_init(struct pushpull *pp, uv_loop_t *loop, struct node *node,
	      pushpull_input_cb on_input);

/**
 * Listen on `bind` (SO_REUSEADDR is libuv's default for TCP; a port with
 * a live listener still fails). Returns 0, or RUMOR_EIO with err ("bind
 * tcp IP:PORT: why"); pushpull_close() must be called either way.
 */
int
pushpull_start(struct pushpull *pp, const struct swim_addr *bind, char *err);

/** Connect to the peer the node asked for and run the exchange. Failures
 *  are logged and counted; nothing is returned because nothing can be
 *  done about them. */
void
pushpull_connect(struct pushpull *pp, const struct swim_stream_req *req);

/** The counters as they are now. */
void
pushpull_stats(const struct pushpull *pp, struct pushpull_stats *out);

/** Close the listener and every stream; memory goes with the last close
 *  callback, so pp must stay valid until the loop has run them. */
void
pushpull_close(struct pushpull *pp);

#endif /* RUMOR_PUSHPULL_H */
