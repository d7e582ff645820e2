/*
 * pushpull: the TCP side of the agent. A listener on the gossip address
 * answers push-pull exchanges, and pushpull_connect() starts the ones
 * the node asks for (node_poll_stream). One frame each way (framing in
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

#include "list.h"
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

/** Counters for `rumor stats`. */
struct pushpull_stats {
	/** Streams open now. */
	size_t streams_open;
	uint64_t streams_started;
	uint64_t streams_failed;
	/** Not started: over PUSHPULL_STREAMS_MAX. */
	uint64_t streams_refused;
};

struct pushpull {
	uv_loop_t *loop;
	/** Borrowed. */
	struct node *node;
	uv_tcp_t listener;
	bool listener_open;
	/** Set by pushpull_close(): no more streams, no more logging. */
	bool closed;
	/** Open streams (struct pushpull_stream.link), for
	 *  pushpull_close(). */
	struct list streams;
	struct pushpull_stats stats;
	/** The address of the last push-pull we started whose peer
	 *  answered, and how many did: on_input reads them. */
	struct swim_addr last_answer;
	uint64_t answers;
	struct log_limit limit_fail;
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
