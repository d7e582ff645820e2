/*
 * pushpull: the TCP side of the agent. A listener on the gossip address
 * answers push-pull exchanges, and pushpull_open() starts the ones the
 * node asks for (node_poll_stream). One frame each way (framing in
 * membership/node.h):
 *
 *	initiator                         responder
 *	connect, write our state  ----->  read one frame, node_stream_handle
 *	read one frame            <-----  write our state, close
 *	node_stream_handle, close
 *
 * Every stream has a PUSHPULL_TIMEOUT_MS deadline, at most
 * PUSHPULL_STREAMS_MAX run at once, and incoming bytes are buffered as
 * they arrive (never allocated from the length a peer announces).
 */
#ifndef RUMOR_PUSHPULL_H
#define RUMOR_PUSHPULL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "log.h"
#include "membership/node.h"

/** Concurrent streams, both directions (memberlist: 128). */
#define PUSHPULL_STREAMS_MAX 128
/** A stream must be done within this long. */
#define PUSHPULL_TIMEOUT_MS 10000
/** Bytes read from a socket at once. */
#define PUSHPULL_READ_SIZE 65536

struct pushpull;
struct pushpull_stream;

/** Called after a received frame went into the node, so the driver can
 *  drain what the node wants done. */
typedef void (*pushpull_input_cb)(struct pushpull *pp);

struct pushpull {
	uv_loop_t *loop;
	/** Borrowed; set before the loop runs. */
	struct node *node;
	uv_tcp_t listener;
	bool listener_open;
	/** Set by pushpull_close(): no more streams, no more logging. */
	bool closed;
	/** Open streams (a list, for pushpull_close). */
	struct pushpull_stream *streams;
	size_t stream_count;
	/** Counters for `rumor stats`. */
	uint64_t streams_started;
	uint64_t streams_failed;
	uint64_t streams_refused; /* over PUSHPULL_STREAMS_MAX */
	struct log_limit limit_fail;
	struct log_limit limit_drop[node_drop_MAX];
	pushpull_input_cb on_input;
	/** Every read lands here first; libuv reads one stream at a time. */
	uint8_t read_buf[PUSHPULL_READ_SIZE];
};

/**
 * Set up pp and listen on `bind` (SO_REUSEADDR is libuv's default for
 * TCP; a port with a live listener still fails). Returns 0 or a libuv
 * error; on error pushpull_close() still must be called.
 */
int
pushpull_start(struct pushpull *pp, uv_loop_t *loop, struct node *node,
	       const struct swim_addr *bind, pushpull_input_cb on_input);

/** Start the exchange the node asked for. Failures are logged and
 *  counted; nothing is returned because nothing can be done about them. */
void
pushpull_open(struct pushpull *pp, const struct swim_stream_req *req);

/** Close the listener and every stream; memory goes with the last close
 *  callback, so pp must stay valid until the loop has run them. */
void
pushpull_close(struct pushpull *pp);

#endif /* RUMOR_PUSHPULL_H */
