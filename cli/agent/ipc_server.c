/*
 * The local socket server. Each connection reads what is there into its
 * input buffer and answers every complete frame in it, in order (a client
 * may send several requests before reading), gathering the replies into
 * one write that usually completes at once (uv_try_write). Only when
 * replies must wait for the socket, or for the agent (a deferred leave),
 * does the connection stop reading until they are out; so a client that
 * does not read holds one read's worth of replies, not more. A frame
 * announcing more than IPC_REQUEST_MAX bytes closes the connection: the
 * framing is gone.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "frameq.h"
#include "ipc_server.h"
#include "log.h"
#include "rumor/error.h"
#include "sockpath.h"

struct ipc_conn {
	uv_pipe_t pipe;
	uv_write_t write_req;
	struct ipc_server *srv;
	/** In srv->conns. */
	struct list link;
	/** Bytes read and not yet answered: in[0, in_len). */
	uint8_t *in;
	size_t in_len;
	size_t in_cap;
	/** Reading (uv_read_start with conn_read) is on. */
	bool reading;
	/** A reply is on its way through uv_write. */
	bool writing;
	/** A deferred request waits for ipc_server_answer_deferred(). */
	bool deferred;
	/** Its share of this turn is spent: server_resume goes on. */
	bool yielded;
	/** It has sent a request (it is a client, not just a socket). */
	bool asked;
	/** Its answer came while a write was in flight: sent after it. */
	bool answer_due;
	bool closing;
	/** uv_now() of the last byte read or written. */
	uint64_t active_ms;
	/** A watcher: of this service ("" for all). */
	bool watching;
	char watch[SERVICE_NAME_MAX + 1];
	/** A watcher's frames, queued and being written: what it has
	 *  allocated counts toward IPC_SERVER_WATCH_PENDING_MAX. */
	struct frameq wq;
	/** Cut off for not reading: only its error frame is left to go,
	 *  until cut_ms + IPC_SERVER_CUT_GRACE_MS at most. */
	bool cut;
	uint64_t cut_ms;
	/** Scratch for reads while watching (anything read ends it). */
	char scratch[64];
	/** One response as the agent makes it. */
	msgpack_sbuffer out;
	/** Responses gathered for one write, or being written. */
	msgpack_sbuffer replies;
};

/* Gathered replies past this are written before more requests are read
 * from the same input. */
#define IPC_REPLIES_FLUSH (64 * 1024)
/* Requests of one connection answered per turn of the loop at most, a
 * change (register, deregister, pass, leave: a file write with its fsync)
 * counting as all of them: a client that pipelines many requests does
 * not hold the loop while other clients wait. */
#define IPC_TURN_REQUESTS 32

static void watch_flush(struct ipc_conn *c);

static void
conn_closed(uv_handle_t *h)
{
	struct ipc_conn *c = h->data;
	struct ipc_server *srv = c->srv;
	list_remove(&c->link);
	srv->stats.conns_open--;
	srv->closing_count--;
	srv->stats.watchers -= c->watching;
	free(c->in);
	frameq_free(&c->wq);
	msgpack_sbuffer_destroy(&c->out);
	msgpack_sbuffer_destroy(&c->replies);
	free(c);
}

static void
conn_close(struct ipc_conn *c)
{
	if (c->closing)
		return;
	c->closing = true;
	c->srv->closing_count++;
	uv_close((uv_handle_t *)&c->pipe, conn_closed);
}

/*
 * Close c, telling it why first in an error frame when the socket takes
 * it at once and nothing else is half-written: a client that comes back
 * to a connection the agent closed reads it as the answer to its next
 * request, rather than a bare "connection closed".
 */
static void
conn_refuse(struct ipc_conn *c, int code, const char *why)
{
	if (!c->closing && !c->writing && !c->watching) {
		msgpack_sbuffer sb;
		msgpack_sbuffer_init(&sb);
		if (ipc_error_encode(&sb, code, why) == 0) {
			uv_buf_t buf = uv_buf_init(sb.data, (unsigned)sb.size);
			(void)uv_try_write((uv_stream_t *)&c->pipe, &buf, 1);
		}
		msgpack_sbuffer_destroy(&sb);
	}
	conn_close(c);
}

/* Room for the rest of the frame under way, and at least a chunk. */
#define IPC_READ_CHUNK 4096

static void
conn_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	(void)suggested;
	struct ipc_conn *c = h->data;
	size_t want = c->in_len + IPC_READ_CHUNK;
	if (c->in_len >= IPC_PREFIX) {
		/* conn_process let only a valid length through. */
		size_t frame = IPC_PREFIX + ipc_frame_len(c->in);
		if (frame > want)
			want = frame;
	}
	if (want > c->in_cap) {
		uint8_t *grown = realloc(c->in, want);
		if (grown == NULL) {
			*buf = uv_buf_init(NULL, 0); /* UV_ENOBUFS: closed */
			return;
		}
		c->in = grown;
		c->in_cap = want;
	}
	*buf = uv_buf_init((char *)c->in + c->in_len,
			   (unsigned)(c->in_cap - c->in_len));
}

static void conn_read(uv_stream_t *h, ssize_t nread, const uv_buf_t *buf);

static void
watch_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	(void)suggested;
	struct ipc_conn *c = h->data;
	*buf = uv_buf_init(c->scratch, sizeof(c->scratch));
}

/* A watcher only listens: EOF, an error or any byte ends it. */
static void
watch_read(uv_stream_t *h, ssize_t nread, const uv_buf_t *buf)
{
	(void)buf;
	if (nread != 0)
		conn_close(h->data);
}

static void
conn_read_set(struct ipc_conn *c, bool on)
{
	if (c->reading == on || c->closing)
		return;
	c->reading = on;
	if (!on) {
		uv_read_stop((uv_stream_t *)&c->pipe);
		return;
	}
	if (uv_read_start((uv_stream_t *)&c->pipe, conn_alloc, conn_read) !=
	    0)
		conn_close(c);
}

/* The reply to a watch request is out: from now on, only listen. */
static void
conn_become_watcher(struct ipc_conn *c)
{
	conn_read_set(c, false);
	/* A watcher keeps neither its snapshot nor request buffers. */
	msgpack_sbuffer_destroy(&c->out);
	msgpack_sbuffer_init(&c->out);
	msgpack_sbuffer_destroy(&c->replies);
	msgpack_sbuffer_init(&c->replies);
	/* Anything sent after the watch request ends the watch too. */
	if (c->in_len > 0 ||
	    uv_read_start((uv_stream_t *)&c->pipe, watch_alloc,
			  watch_read) != 0) {
		conn_close(c);
		return;
	}
	/* Events that came while the snapshot was being written. */
	watch_flush(c);
}

static void conn_process(struct ipc_conn *c);
static void server_resume(uv_idle_t *idle);
static void conn_answer_ok(struct ipc_conn *c);

static void
conn_written(uv_write_t *req, int status)
{
	struct ipc_conn *c = req->data;
	c->writing = false;
	c->active_ms = uv_now(c->srv->loop);
	msgpack_sbuffer_clear(&c->replies);
	if (status != 0 || c->srv->closed) {
		conn_close(c);
		return;
	}
	if (c->answer_due) {
		c->answer_due = false;
		conn_answer_ok(c);
	}
	/* Requests that came in the same read, then read on (or become a
	 * watcher). */
	conn_process(c);
}

/* Write the gathered replies: at once when the socket takes them all,
 * else through uv_write with reading stopped until they are out
 * (c->writing). */
static void
conn_flush(struct ipc_conn *c)
{
	if (c->replies.size == 0 || c->writing || c->closing)
		return;
	uv_buf_t buf = uv_buf_init(c->replies.data,
				   (unsigned)c->replies.size);
	int n = uv_try_write((uv_stream_t *)&c->pipe, &buf, 1);
	if (n == (int)c->replies.size) {
		c->active_ms = uv_now(c->srv->loop);
		msgpack_sbuffer_clear(&c->replies);
		return;
	}
	if (n < 0 && n != UV_EAGAIN) {
		conn_close(c);
		return;
	}
	size_t done = n > 0 ? (size_t)n : 0;
	buf = uv_buf_init(c->replies.data + done,
			  (unsigned)(c->replies.size - done));
	c->write_req.data = c;
	c->writing = true;
	conn_read_set(c, false);
	if (uv_write(&c->write_req, (uv_stream_t *)&c->pipe, &buf, 1,
		     conn_written) != 0) {
		c->writing = false;
		conn_close(c);
	}
}

/* Move the response in c->out to the gathered replies (none there: no
 * memory was left even for an error frame, so the connection closes and
 * the client fails at once instead of waiting for its timeout). */
static void
conn_reply(struct ipc_conn *c)
{
	if (c->out.size == 0) {
		conn_close(c);
		return;
	}
	if (c->replies.size == 0) {
		/* The usual case, one reply: no copy, one buffer kept. */
		msgpack_sbuffer empty = c->replies;
		c->replies = c->out;
		c->out = empty;
		return;
	}
	if (msgpack_sbuffer_write(&c->replies, c->out.data, c->out.size) != 0)
		conn_close(c);
	msgpack_sbuffer_clear(&c->out);
}

/* The answer to a deferred request (a leave): ok. */
static void
conn_answer_ok(struct ipc_conn *c)
{
	ipc_ok_encode(&c->out);
	conn_reply(c);
}

/* One complete request frame's payload; returns its cost toward
 * IPC_TURN_REQUESTS. */
static int
conn_request(struct ipc_conn *c, const uint8_t *data, size_t size)
{
	int cost = 1;
	struct ipc_server *srv = c->srv;
	c->asked = true;
	struct ipc_request req;
	const char *why = "malformed request";
	srv->stats.requests++;
	if (ipc_request_decode(&req, data, size, &why) != 0) {
		srv->stats.bad_requests++;
		ipc_error_encode(&c->out, RUMOR_EMALFORMED, why);
		conn_reply(c);
		return cost;
	}
	if (req.op == IPC_OP_REGISTER || req.op == IPC_OP_DEREGISTER ||
	    req.op == IPC_OP_PASS || req.op == IPC_OP_LEAVE)
		cost = IPC_TURN_REQUESTS;
	enum ipc_server_reply reply = srv->on_request(srv, &req, &c->out);
	if (reply == IPC_SERVER_REPLY_WATCH &&
	    srv->stats.watchers >= IPC_SERVER_WATCHERS_MAX) {
		msgpack_sbuffer_clear(&c->out);
		ipc_error_encode(&c->out, RUMOR_ELIMIT,
				 "too many watchers on this agent");
		reply = IPC_SERVER_REPLY_NOW;
	}
	if (reply == IPC_SERVER_REPLY_WATCH) {
		c->watching = true;
		strcpy(c->watch, req.name);
		srv->stats.watchers++;
	}
	ipc_request_destroy(&req);
	if (reply == IPC_SERVER_REPLY_DEFER) {
		msgpack_sbuffer_clear(&c->out);
		c->deferred = true; /* conn_process stops reading */
		return cost;
	}
	conn_reply(c);
	return cost;
}

/*
 * Answer the complete frames in the input, in order, until one reply has
 * to wait or the turn's share is spent (then the server's idle handle
 * goes on next turn); keep the rest for later; read on when nothing
 * waits.
 */
static void
conn_process(struct ipc_conn *c)
{
	size_t off = 0;
	int spent = 0;
	c->yielded = false;
	while (!c->closing && !c->writing && !c->deferred && !c->watching) {
		size_t avail = c->in_len - off;
		if (avail < IPC_PREFIX)
			break;
		uint32_t len = ipc_frame_len(c->in + off);
		if (len == 0 || len > IPC_REQUEST_MAX) {
			/* The framing is lost: say why, then close. */
			char why[96];
			snprintf(why, sizeof(why), "a request of %" PRIu32
				 " bytes (1 to %d): closing", len,
				 IPC_REQUEST_MAX);
			c->srv->stats.bad_requests++;
			conn_refuse(c, len == 0 ? RUMOR_EMALFORMED
						: RUMOR_ETOOBIG, why);
			return;
		}
		if (avail - IPC_PREFIX < len)
			break;
		if (spent >= IPC_TURN_REQUESTS) {
			/* Another whole request waits, and this turn's share
			 * is spent (yielding with nothing left to answer
			 * would only stop and restart reading). */
			c->yielded = true;
			uv_idle_start(&c->srv->resume, server_resume);
			break;
		}
		spent += conn_request(c, c->in + off + IPC_PREFIX, len);
		off += IPC_PREFIX + len;
		if (c->replies.size >= IPC_REPLIES_FLUSH)
			conn_flush(c);
	}
	conn_flush(c);
	if (c->closing)
		return;
	memmove(c->in, c->in + off, c->in_len - off);
	c->in_len -= off;
	if (c->watching) {
		if (!c->writing)
			conn_become_watcher(c);
		return;
	}
	conn_read_set(c, !c->writing && !c->deferred && !c->yielded);
}

/* The next turn: connections that had more to answer go on. */
static void
server_resume(uv_idle_t *idle)
{
	struct ipc_server *srv = idle->data;
	uv_idle_stop(idle);
	struct list *it, *tmp;
	list_foreach_safe(it, tmp, &srv->conns) {
		struct ipc_conn *c = list_entry(it, struct ipc_conn, link);
		if (c->yielded && !c->closing)
			conn_process(c); /* may start the idle handle again */
	}
}

static void
conn_read(uv_stream_t *h, ssize_t nread, const uv_buf_t *buf)
{
	(void)buf;
	struct ipc_conn *c = h->data;
	if (c->closing)
		return;
	if (nread < 0) {
		conn_close(c); /* EOF or error, maybe mid-frame: fine */
		return;
	}
	if (nread == 0)
		return;
	c->active_ms = uv_now(c->srv->loop);
	c->in_len += (size_t)nread;
	conn_process(c);
}

static void
free_handle(uv_handle_t *h)
{
	free(h);
}

/* The connection to close for a new one: the longest idle of those that
 * never asked anything (a flood of idle connections churns itself, a
 * client that uses its connection keeps it), else of all; NULL when all
 * are busy. */
static struct ipc_conn *
conn_evictable(struct ipc_server *srv, const struct ipc_conn *c)
{
	struct ipc_conn *idle = NULL;
	struct list *it;
	list_foreach(it, &srv->conns) {
		struct ipc_conn *o = list_entry(it, struct ipc_conn, link);
		if (o == c || o->closing || o->deferred || o->watching)
			continue;
		if (idle == NULL || (!o->asked && idle->asked) ||
		    (o->asked == idle->asked && o->active_ms < idle->active_ms))
			idle = o;
	}
	return idle;
}

static void
server_connection(uv_stream_t *server, int status)
{
	struct ipc_server *srv = server->data;
	if (status != 0)
		return;
	struct ipc_conn *c = calloc(1, sizeof(*c));
	if (c == NULL) {
		/* Still accept (libuv stops watching the listener until we
		 * do), then drop it. */
		uv_pipe_t *tmp = malloc(sizeof(*tmp));
		if (tmp == NULL)
			return;
		uv_pipe_init(srv->loop, tmp, 0);
		uv_accept(server, (uv_stream_t *)tmp);
		uv_close((uv_handle_t *)tmp, free_handle);
		srv->stats.conns_refused++;
		return;
	}
	c->srv = srv;
	c->active_ms = uv_now(srv->loop);
	msgpack_sbuffer_init(&c->out);
	msgpack_sbuffer_init(&c->replies);
	uv_pipe_init(srv->loop, &c->pipe, 0);
	c->pipe.data = c;
	list_insert_head(&srv->conns, &c->link);
	srv->stats.conns_open++;
	/* Over the limit: make room by closing an idle connection (a new
	 * client beats one that sends nothing); if every other one is busy,
	 * accept and close, so the backlog keeps moving. */
	bool over = srv->stats.conns_open - srv->closing_count >
		    IPC_SERVER_CONNS_MAX;
	if (over) {
		struct ipc_conn *idle = conn_evictable(srv, c);
		if (idle != NULL) {
			srv->stats.conns_idle_closed++;
			conn_refuse(idle, RUMOR_ELIMIT, "closed while idle: "
				    "the agent needed the slot for a new "
				    "client (too many connections)");
			over = false;
		} else {
			srv->stats.conns_refused++;
		}
	}
	if (uv_accept(server, (uv_stream_t *)&c->pipe) != 0) {
		conn_close(c);
		return;
	}
	if (over) {
		char why[96];
		snprintf(why, sizeof(why), "too many connections to this "
			 "agent (%d, none idle); try again later",
			 IPC_SERVER_CONNS_MAX);
		conn_refuse(c, RUMOR_ELIMIT, why);
		return;
	}
	conn_read_set(c, true);
}

/* Close connections idle past IPC_SERVER_IDLE_MS: a client that
 * connects and sends nothing (or half a frame) must not hold a slot. A
 * client that has asked and waits between requests at a frame boundary
 * is left alone (an application keeps one connection to its agent and
 * asks before each call; `rumor render` does): past
 * IPC_SERVER_CONNS_MAX, eviction reclaims the longest idle anyway. */
static void
server_sweep(uv_timer_t *t)
{
	struct ipc_server *srv = t->data;
	uint64_t now = uv_now(srv->loop);
	struct list *it;
	list_foreach(it, &srv->conns) {
		struct ipc_conn *c = list_entry(it, struct ipc_conn, link);
		if (c->cut && !c->closing &&
		    now - c->cut_ms >= IPC_SERVER_CUT_GRACE_MS) {
			conn_close(c); /* its error frame never went out */
			continue;
		}
		if (c->closing || c->deferred || c->watching ||
		    (c->asked && c->in_len == 0) ||
		    now - c->active_ms < IPC_SERVER_IDLE_MS)
			continue;
		srv->stats.conns_idle_closed++;
		char why[64];
		snprintf(why, sizeof(why), "closed after %d s without a "
			 "request", IPC_SERVER_IDLE_MS / 1000);
		conn_refuse(c, RUMOR_ELIMIT, why);
	}
}

void
ipc_server_init(struct ipc_server *srv, uv_loop_t *loop,
		ipc_server_request_cb on_request)
{
	*srv = (struct ipc_server){.loop = loop, .on_request = on_request};
	list_init(&srv->conns);
}

int
ipc_server_start(struct ipc_server *srv, const char *path, char *err)
{
	uv_loop_t *loop = srv->loop;
	srv->path = path;
	int rc = sockpath_prepare(path, err);
	if (rc != 0)
		return rc;
	uv_timer_init(loop, &srv->sweep);
	srv->sweep.data = srv;
	srv->sweep_open = true;
	uv_idle_init(loop, &srv->resume);
	srv->resume.data = srv;
	srv->resume_open = true;
	uv_timer_start(&srv->sweep, server_sweep, 1000, 1000);
	uv_pipe_init(loop, &srv->pipe, 0);
	srv->pipe.data = srv;
	srv->pipe_open = true;
	/* Created 0600 from the start: no window where others may connect. */
	mode_t old = umask(0077);
	rc = uv_pipe_bind(&srv->pipe, path);
	umask(old);
	if (rc == 0) {
		srv->bound = true;
		rc = uv_listen((uv_stream_t *)&srv->pipe, 511,
			       server_connection);
	}
	if (rc != 0)
		return log_err(err, RUMOR_EIO, "socket %s: %s", path,
			       uv_strerror(rc));
	return 0;
}

void
ipc_server_answer_deferred(struct ipc_server *srv)
{
	struct list *it;
	list_foreach(it, &srv->conns) {
		struct ipc_conn *c = list_entry(it, struct ipc_conn, link);
		if (!c->deferred || c->closing)
			continue;
		c->deferred = false;
		if (c->writing) {
			c->answer_due = true; /* after what is in flight */
			continue;
		}
		conn_answer_ok(c);
		conn_process(c);
	}
}

void
ipc_server_close(struct ipc_server *srv)
{
	srv->closed = true;
	if (srv->bound) {
		unlink(srv->path);
		srv->bound = false;
	}
	if (srv->pipe_open) {
		uv_close((uv_handle_t *)&srv->pipe, NULL);
		srv->pipe_open = false;
	}
	if (srv->sweep_open) {
		uv_close((uv_handle_t *)&srv->sweep, NULL);
		srv->sweep_open = false;
	}
	if (srv->resume_open) {
		uv_close((uv_handle_t *)&srv->resume, NULL);
		srv->resume_open = false;
	}
	struct list *it;
	list_foreach(it, &srv->conns)
		conn_close(list_entry(it, struct ipc_conn, link));
}

/* ---- watchers ------------------------------------------------------- */

/* A watcher's write hands libuv at most this much (whole frames), so a
 * watcher cut off gets its error frame right after it. */
#define IPC_WATCH_WRITE_MAX (64 * 1024)

static void
watch_written(uv_write_t *req, int status)
{
	struct ipc_conn *c = req->data;
	c->writing = false;
	if (status != 0 || c->srv->closed) {
		conn_close(c);
		return;
	}
	c->active_ms = uv_now(c->srv->loop);
	watch_flush(c);
}

/*
 * Hand queued frames to the socket, a piece of whole frames at a time: at
 * once as long as the socket takes them (uv_try_write), else what is left
 * of the piece through one uv_write from the staging buffer while new
 * frames queue. A cut watcher closes once its error frame is out.
 */
static void
watch_flush(struct ipc_conn *c)
{
	while (!c->writing && !c->closing && c->watching) {
		size_t piece = frameq_piece(&c->wq, IPC_WATCH_WRITE_MAX);
		if (piece == 0) {
			if (c->cut)
				conn_close(c);
			return;
		}
		uv_buf_t buf = uv_buf_init((char *)frameq_head(&c->wq),
					   (unsigned)piece);
		int n = uv_try_write((uv_stream_t *)&c->pipe, &buf, 1);
		size_t done = n > 0 ? (size_t)n : 0;
		size_t rest = piece - done;
		if ((n < 0 && n != UV_EAGAIN) ||
		    (rest > 0 && !frameq_stage(&c->wq, frameq_head(&c->wq) +
							       done, rest))) {
			conn_close(c);
			return;
		}
		frameq_take(&c->wq, piece, IPC_WATCH_WRITE_MAX);
		if (rest == 0)
			continue;
		buf = uv_buf_init((char *)c->wq.out, (unsigned)rest);
		c->write_req.data = c;
		c->writing = true;
		if (uv_write(&c->write_req, (uv_stream_t *)&c->pipe, &buf, 1,
			     watch_written) != 0) {
			c->writing = false;
			conn_close(c);
		}
	}
}

/* It does not read: drop what is queued, send only an error frame
 * saying so (after the piece uv_write already has), then close. */
static void
watch_cut(struct ipc_conn *c)
{
	struct ipc_server *srv = c->srv;
	srv->stats.watchers_cut++;
	c->cut = true;
	c->cut_ms = uv_now(srv->loop);
	frameq_clear(&c->wq);
	msgpack_sbuffer sb;
	msgpack_sbuffer_init(&sb);
	char why[160];
	snprintf(why, sizeof(why), "watch cut off: the client did not read "
		 "its events (%u MiB queued); watch again to get the current "
		 "state", IPC_SERVER_WATCH_PENDING_MAX >> 20);
	/* The error frame may pass the cap: it is the last thing sent. */
	if (ipc_error_encode(&sb, RUMOR_ELIMIT, why) == 0)
		(void)frameq_push(&c->wq, (const uint8_t *)sb.data, sb.size,
				  SIZE_MAX);
	msgpack_sbuffer_destroy(&sb);
	log_limited(&srv->limit_cut, c->cut_ms, LOG_WARN, "%s", why);
	watch_flush(c);
}

void
ipc_server_watch_send(struct ipc_server *srv, const char *service,
		      const uint8_t *frame, size_t size)
{
	struct list *it;
	list_foreach(it, &srv->conns) {
		struct ipc_conn *c = list_entry(it, struct ipc_conn, link);
		if (!c->watching || c->closing || c->cut ||
		    (c->watch[0] != '\0' && strcmp(c->watch, service) != 0))
			continue;
		if (!frameq_push(&c->wq, frame, size,
				 IPC_SERVER_WATCH_PENDING_MAX)) {
			watch_cut(c);
			continue;
		}
		watch_flush(c);
	}
}

size_t
ipc_server_watcher_count(const struct ipc_server *srv)
{
	return srv->stats.watchers;
}

void
ipc_server_stats(const struct ipc_server *srv, struct ipc_server_stats *out)
{
	*out = srv->stats;
}
