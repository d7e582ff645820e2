/*
 * ipc_server: the agent's local Unix socket. Framed msgpack requests in
 * (cli/ipc/ipc_proto.h), framed responses out, many requests per connection,
 * answered in order; a client may send several before reading
 * (pipelining), and one that does not read holds at most one pending
 * reply before the server stops reading it. One connection gets a share
 * of each turn of the loop (32 reads, or one change), so a client that
 * pipelines thousands of requests does not hold up the others.
 *
 * Limits: IPC_REQUEST_MAX bytes per request (a longer announced length
 * gets an error frame and closes the connection: the framing is lost),
 * IPC_SERVER_CONNS_MAX connections (a new one evicts the longest-idle,
 * preferring those that never sent a request; if all are busy it is
 * accepted, told so and closed at once), IPC_SERVER_IDLE_MS without a
 * byte read or written for a connection that never sent a request or
 * sits on half of one (watchers excepted, IPC_SERVER_WATCHERS_MAX of
 * them; a client between requests stays until eviction needs its
 * slot). A connection closed for any of these gets an error frame saying
 * why first, when its socket takes it at once.
 * Undecodable
 * requests get an error frame (RUMOR_EMALFORMED); nothing a client sends
 * can do more than that.
 *
 * The socket file is created 0600, a stale one (nobody accepting) is
 * replaced, a live one is left alone and is an error, and the file is
 * removed by ipc_server_close().
 */
#ifndef RUMOR_IPC_SERVER_H
#define RUMOR_IPC_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

#include "cli/ipc/ipc_proto.h"
#include "list.h"
#include "log.h"

/** Open connections, well below the usual 1024-descriptor limit, which
 *  gossip streams also need. One more evicts the longest-idle one. */
#define IPC_SERVER_CONNS_MAX 256
/** A connection that never asked, or holds half a request, is closed
 *  after this long without a byte (a deferred request is not idle). */
#define IPC_SERVER_IDLE_MS 10000
/** Watch connections at most (they never idle out). */
#define IPC_SERVER_WATCHERS_MAX 64
/** Bytes a watcher that does not read may hold (its queued frames as
 *  allocated, with the piece in flight: 64 KiB at most past this) before
 *  it is cut off: an error
 *  frame (RUMOR_ELIMIT) then goes after the piece in flight (64 KiB at
 *  most), and the connection closes once it is out, or after
 *  IPC_SERVER_CUT_GRACE_MS (it can watch again and get the current
 *  state). */
#define IPC_SERVER_WATCH_PENDING_MAX (4u << 20)
#define IPC_SERVER_CUT_GRACE_MS 60000

/** What a request callback did with the request. */
enum ipc_server_reply {
	/** `out` holds the whole response frame: send it now. */
	IPC_SERVER_REPLY_NOW,
	/** Answer later through ipc_server_answer_deferred(). */
	IPC_SERVER_REPLY_DEFER,
	/** Send `out`, then keep the connection as a watcher of the
	 *  request's name: ipc_server_watch_send() frames go to it. */
	IPC_SERVER_REPLY_WATCH,
};

struct ipc_server;
struct ipc_conn;

/** Handle one decoded request: an empty `out` is given to fill with
 *  one whole frame (cli/ipc/ipc_proto.h encoders). An `out` left empty
 *  for IPC_SERVER_REPLY_NOW (no memory even for an error frame) closes
 *  the connection: the client sees it fail rather than wait. */
typedef enum ipc_server_reply (*ipc_server_request_cb)(
	struct ipc_server *srv, const struct ipc_request *req,
	msgpack_sbuffer *out);

/** Counters for `rumor stats`. */
struct ipc_server_stats {
	uint64_t requests;
	/** Undecodable, or a frame over IPC_REQUEST_MAX. */
	uint64_t bad_requests;
	size_t conns_open;
	uint64_t conns_refused;
	uint64_t conns_idle_closed;
	size_t watchers;
	/** Watchers cut off for not reading. */
	uint64_t watchers_cut;
};

struct ipc_server {
	uv_loop_t *loop;
	uv_pipe_t pipe;
	/** Borrowed; the file we created and remove. */
	const char *path;
	bool pipe_open;
	/** Closes idle connections once a second. */
	uv_timer_t sweep;
	bool sweep_open;
	/** Goes on, next turn, with connections that had more requests
	 *  than their share of one turn (IPC_TURN_REQUESTS). */
	uv_idle_t resume;
	bool resume_open;
	/** We own the file at path (remove it on close). */
	bool bound;
	bool closed;
	/** Open connections (struct ipc_conn.link), newest first. */
	struct list conns;
	/** Of stats.conns_open, closing (their close callback still to
	 *  run). */
	size_t closing_count;
	struct ipc_server_stats stats;
	struct log_limit limit_cut;
	ipc_server_request_cb on_request;
};

/** Set up srv (nothing to fail); ipc_server_close() is then enough. */
void
ipc_server_init(struct ipc_server *srv, uv_loop_t *loop,
		ipc_server_request_cb on_request);

/**
 * Listen at path. Returns 0, or RUMOR_EIO / RUMOR_EINVAL with err (path
 * too long, a live agent there, bind failure); ipc_server_close() must be
 * called either way.
 */
int
ipc_server_start(struct ipc_server *srv, const char *path, char *err);

/** Answer every deferred request with {"ok": true}. */
void
ipc_server_answer_deferred(struct ipc_server *srv);

/** Send a whole frame to every watcher of `service` (and of all). */
void
ipc_server_watch_send(struct ipc_server *srv, const char *service,
		      const uint8_t *frame, size_t size);

/** Watch connections open now (none: no event needs encoding). */
size_t
ipc_server_watcher_count(const struct ipc_server *srv);

/** The counters as they are now. */
void
ipc_server_stats(const struct ipc_server *srv, struct ipc_server_stats *out);

/** Stop listening, close every connection, remove the socket file. The
 *  struct must stay valid until the loop has run the close callbacks. */
void
ipc_server_close(struct ipc_server *srv);

#endif /* RUMOR_IPC_SERVER_H */
