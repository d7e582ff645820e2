/*
 * agent: drives struct node with libuv.
 *
 * The loop is the one every driver of the core runs (membership/node.h):
 * apply one input (a datagram, a stream frame, the timer, a join or a
 * leave), then agent_pump() drains what the node wants done: datagrams
 * are sent with uv_udp_try_send, stream requests open TCP connections,
 * events become log lines, and the single timer is re-armed at the node's
 * next deadline. Nothing here decides anything about membership.
 *
 * Streams carry one push-pull each way: a 4-byte big-endian length and a
 * sealed state. Incoming data is accumulated in a buffer that grows with
 * what actually arrived (never with what a peer announced), every stream
 * has a 10 s deadline, and at most AGENT_STREAMS_MAX run at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <uv.h>

#include <sodium.h>

#include "agent.h"
#include "ipc_proto.h"
#include "log.h"
#include "membership/node.h"
#include "rumor/error.h"

/** Concurrent push-pull streams (memberlist: 128). */
#define AGENT_STREAMS_MAX 128
/** A stream must finish within this long. */
#define AGENT_STREAM_TIMEOUT_MS 10000
/** Local socket clients at once. */
#define AGENT_IPC_CONNS_MAX 1024
/** After a leave completes, let the replies drain this long. */
#define AGENT_EXIT_GRACE_MS 100

struct agent;

/* A push-pull stream, either direction. */
struct stream {
	uv_tcp_t tcp;
	uv_timer_t deadline;
	uv_write_t write_req;
	uv_connect_t connect_req;
	struct agent *agent;
	struct swim_addr peer;
	bool outgoing;
	bool join;
	bool done;
	int open_handles;
	uint8_t prefix[NODE_STREAM_PREFIX];
	size_t prefix_got;
	uint32_t len;
	uint8_t *buf;
	size_t got;
	size_t cap;
	uint8_t *out;
};

/* A local socket client. */
struct ipc_conn {
	uv_pipe_t pipe;
	uv_write_t write_req;
	struct agent *agent;
	struct ipc_conn *next;
	uint8_t prefix[IPC_PREFIX];
	size_t prefix_got;
	uint32_t len;
	uint8_t *buf;
	size_t got;
	bool writing;
	bool waiting_leave;
	bool closing;
	msgpack_sbuffer out;
};

struct agent {
	const struct agent_config *cfg;
	uv_loop_t loop;
	uv_udp_t udp;
	uv_tcp_t listener;
	uv_pipe_t ipc;
	uv_timer_t timer;
	uv_signal_t sigint;
	uv_signal_t sigterm;
	uv_signal_t sighup;
	struct node *node;
	int lock_fd;
	size_t stream_count;
	struct ipc_conn *conns;
	size_t conn_count;
	bool leaving;
	bool exiting;
	bool closed;
	uint64_t exit_at_ms;
	bool ipc_bound;
	uint64_t send_failures;
	struct log_limit limit_drop[node_drop_MAX];
	struct log_limit limit_send;
	struct log_limit limit_stream;
	uint8_t recv_buf[65536];
};

static void
agent_pump(struct agent *a);

static uint64_t
agent_now(struct agent *a)
{
	uv_update_time(&a->loop);
	return uv_now(&a->loop);
}

static void
addr_to_sockaddr(const struct swim_addr *addr, struct sockaddr_in *out)
{
	memset(out, 0, sizeof(*out));
	out->sin_family = AF_INET;
	out->sin_port = htons(addr->port);
	out->sin_addr.s_addr = htonl(addr->ip);
}

static bool
sockaddr_to_addr(const struct sockaddr *sa, struct swim_addr *out)
{
	if (sa == NULL || sa->sa_family != AF_INET)
		return false;
	const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
	out->ip = ntohl(in->sin_addr.s_addr);
	out->port = ntohs(in->sin_port);
	return true;
}

/* ---- streams ---------------------------------------------------------- */

static void
stream_closed(uv_handle_t *h)
{
	struct stream *s = h->data;
	if (--s->open_handles > 0)
		return;
	s->agent->stream_count--;
	free(s->buf);
	free(s->out);
	free(s);
}

static void
stream_close(struct stream *s)
{
	if (s->done)
		return;
	s->done = true;
	uv_timer_stop(&s->deadline);
	uv_close((uv_handle_t *)&s->deadline, stream_closed);
	uv_close((uv_handle_t *)&s->tcp, stream_closed);
}

static void
stream_fail(struct stream *s, const char *what, int err)
{
	char peer[32];
	struct agent *a = s->agent;
	log_limited(&a->limit_stream, agent_now(a), LOG_WARN,
		    "stream %s %s: %s", swim_addr_str(&s->peer, peer,
						      sizeof(peer)),
		    what, err ? uv_strerror(err) : "rejected");
	stream_close(s);
}

static void
stream_timeout(uv_timer_t *t)
{
	stream_fail(t->data, "timed out", UV_ETIMEDOUT);
}

static void
stream_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	(void)suggested;
	struct stream *s = h->data;
	struct agent *a = s->agent;
	/* One read at a time per loop iteration: the shared buffer is
	 * consumed before the next alloc. */
	*buf = uv_buf_init((char *)a->recv_buf, sizeof(a->recv_buf));
}

static void
stream_written(uv_write_t *req, int status)
{
	struct stream *s = req->data;
	free(s->out);
	s->out = NULL;
	if (status != 0) {
		stream_fail(s, "write failed", status);
		return;
	}
	/* The responder is done once its answer is out. */
	if (!s->outgoing)
		stream_close(s);
}

/* Send our state on the stream. */
static int
stream_send_state(struct stream *s, bool join)
{
	size_t size;
	if (node_stream_encode(s->agent->node, join, &s->out, &size) != 0)
		return UV_ENOMEM;
	uv_buf_t buf = uv_buf_init((char *)s->out, (unsigned)size);
	s->write_req.data = s;
	return uv_write(&s->write_req, (uv_stream_t *)&s->tcp, &buf, 1,
			stream_written);
}

/* A whole frame arrived: merge it; a responder then answers. */
static void
stream_frame(struct stream *s)
{
	struct agent *a = s->agent;
	uint64_t now = agent_now(a);
	enum node_drop drop = node_stream_handle(a->node, now, &s->peer,
						 s->buf, s->got);
	if (drop != NODE_DROP_NONE) {
		char peer[32];
		log_limited(&a->limit_drop[drop], now, LOG_WARN,
			    "drop stream %s from %s", node_drop_strs[drop],
			    swim_addr_str(&s->peer, peer, sizeof(peer)));
	}
	uv_read_stop((uv_stream_t *)&s->tcp);
	if (s->outgoing || drop != NODE_DROP_NONE) {
		stream_close(s);
	} else {
		int rc = stream_send_state(s, false);
		if (rc != 0)
			stream_fail(s, "reply failed", rc);
	}
	agent_pump(a);
}

/* Consume bytes into the prefix, then the growing payload buffer. */
static int
stream_take(struct stream *s, const uint8_t *p, size_t n)
{
	while (n > 0 && s->prefix_got < NODE_STREAM_PREFIX) {
		s->prefix[s->prefix_got++] = *p++;
		n--;
		if (s->prefix_got == NODE_STREAM_PREFIX) {
			s->len = ipc_frame_len(s->prefix);
			if (s->len == 0 || s->len > NODE_STREAM_FRAME_MAX)
				return UV_EPROTO;
		}
	}
	if (n == 0)
		return 0;
	if (n > s->len - s->got)
		return UV_EPROTO; /* more than one frame: not our protocol */
	if (s->got + n > s->cap) {
		size_t cap = s->cap ? s->cap : 4096;
		while (cap < s->got + n)
			cap *= 2;
		if (cap > s->len)
			cap = s->len;
		uint8_t *grown = realloc(s->buf, cap);
		if (grown == NULL)
			return UV_ENOMEM;
		s->buf = grown;
		s->cap = cap;
	}
	memcpy(s->buf + s->got, p, n);
	s->got += n;
	return 0;
}

static void
stream_read(uv_stream_t *h, ssize_t nread, const uv_buf_t *buf)
{
	struct stream *s = h->data;
	if (nread < 0) {
		stream_fail(s, "read failed", (int)nread);
		return;
	}
	int rc = stream_take(s, (const uint8_t *)buf->base, (size_t)nread);
	if (rc != 0) {
		stream_fail(s, "bad frame", rc);
		return;
	}
	if (s->prefix_got == NODE_STREAM_PREFIX && s->got == s->len)
		stream_frame(s);
}

static struct stream *
stream_new(struct agent *a)
{
	if (a->stream_count >= AGENT_STREAMS_MAX)
		return NULL;
	struct stream *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->agent = a;
	uv_tcp_init(&a->loop, &s->tcp);
	uv_timer_init(&a->loop, &s->deadline);
	s->tcp.data = s->deadline.data = s;
	s->open_handles = 2;
	a->stream_count++;
	uv_timer_start(&s->deadline, stream_timeout, AGENT_STREAM_TIMEOUT_MS,
		       0);
	return s;
}

static void
stream_connected(uv_connect_t *req, int status)
{
	struct stream *s = req->data;
	if (status != 0) {
		if (status != UV_ECANCELED)
			stream_fail(s, "connect failed", status);
		return;
	}
	int rc = stream_send_state(s, s->join);
	if (rc == 0)
		rc = uv_read_start((uv_stream_t *)&s->tcp, stream_alloc,
				   stream_read);
	if (rc != 0)
		stream_fail(s, "start failed", rc);
}

static void
stream_open(struct agent *a, const struct swim_stream_req *req)
{
	struct stream *s = stream_new(a);
	if (s == NULL) {
		log_limited(&a->limit_stream, agent_now(a), LOG_WARN,
			    "stream limit reached");
		return;
	}
	s->outgoing = true;
	s->join = req->join;
	s->peer = req->to;
	struct sockaddr_in sa;
	addr_to_sockaddr(&req->to, &sa);
	s->connect_req.data = s;
	int rc = uv_tcp_connect(&s->connect_req, &s->tcp,
				(const struct sockaddr *)&sa,
				stream_connected);
	if (rc != 0)
		stream_fail(s, "connect failed", rc);
}

static void
listener_connection(uv_stream_t *server, int status)
{
	struct agent *a = server->data;
	if (status != 0)
		return;
	struct stream *s = stream_new(a);
	if (s == NULL) {
		/* Accept and drop, so the backlog does not fill. */
		uv_tcp_t *tmp = malloc(sizeof(*tmp));
		if (tmp != NULL) {
			uv_tcp_init(&a->loop, tmp);
			tmp->data = NULL;
			uv_accept(server, (uv_stream_t *)tmp);
			uv_close((uv_handle_t *)tmp, (uv_close_cb)free);
		}
		return;
	}
	struct sockaddr_storage ss;
	int len = sizeof(ss);
	if (uv_accept(server, (uv_stream_t *)&s->tcp) != 0 ||
	    uv_tcp_getpeername(&s->tcp, (struct sockaddr *)&ss, &len) != 0 ||
	    !sockaddr_to_addr((struct sockaddr *)&ss, &s->peer) ||
	    uv_read_start((uv_stream_t *)&s->tcp, stream_alloc,
			  stream_read) != 0)
		stream_close(s);
}

/* ---- gossip ----------------------------------------------------------- */

static void
udp_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	(void)suggested;
	struct agent *a = h->data;
	*buf = uv_buf_init((char *)a->recv_buf, sizeof(a->recv_buf));
}

static void
udp_read(uv_udp_t *h, ssize_t nread, const uv_buf_t *buf,
	 const struct sockaddr *sa, unsigned flags)
{
	(void)flags;
	struct agent *a = h->data;
	struct swim_addr from;
	if (nread <= 0 || !sockaddr_to_addr(sa, &from))
		return;
	uint64_t now = agent_now(a);
	enum node_drop drop = node_handle_datagram(
		a->node, now, &from, (const uint8_t *)buf->base,
		(size_t)nread);
	if (drop != NODE_DROP_NONE) {
		char peer[32];
		log_limited(&a->limit_drop[drop], now, LOG_WARN,
			    "drop %s from %s", node_drop_strs[drop],
			    swim_addr_str(&from, peer, sizeof(peer)));
	}
	agent_pump(a);
}

static void
timer_fired(uv_timer_t *t)
{
	struct agent *a = t->data;
	node_handle_timeout(a->node, agent_now(a));
	agent_pump(a);
}

/* ---- the pump ----------------------------------------------------------- */

static void
log_event(const struct swim_event *ev)
{
	char addr[32];
	swim_addr_str(&ev->addr, addr, sizeof(addr));
	if (ev->type == SWIM_EVENT_REMOVED) {
		log_line(LOG_INFO, "member %s removed %s", ev->name, addr);
		return;
	}
	log_line(LOG_INFO, "member %s %s %s incarnation=%llu", ev->name,
		 ev->type == SWIM_EVENT_UPDATE ? "updated"
					       : swim_status_strs[ev->status],
		 addr, (unsigned long long)ev->incarnation);
}

static void
agent_shutdown(struct agent *a);

static void ipc_reply_leave(struct agent *a);

static void
agent_pump(struct agent *a)
{
	if (a->closed)
		return;
	struct node_datagram dg;
	while (node_poll_datagram(a->node, &dg)) {
		struct sockaddr_in sa;
		addr_to_sockaddr(&dg.to, &sa);
		uv_buf_t buf = uv_buf_init((char *)dg.data,
					   (unsigned)dg.size);
		int rc = uv_udp_try_send(&a->udp, &buf, 1,
					 (const struct sockaddr *)&sa);
		if (rc < 0) {
			a->send_failures++;
			log_limited(&a->limit_send, agent_now(a), LOG_WARN,
				    "send to %s failed: %s",
				    swim_addr_str(&dg.to, (char[32]){0}, 32),
				    uv_strerror(rc));
		}
	}
	struct swim_stream_req req;
	while (node_poll_stream(a->node, &req))
		stream_open(a, &req);
	struct swim_event ev;
	while (node_poll_event(a->node, &ev))
		log_event(&ev);
	uint64_t now = agent_now(a);
	if (a->leaving && !a->exiting && node_leave_done(a->node, now)) {
		log_line(LOG_INFO, "left the cluster");
		a->exiting = true;
		a->exit_at_ms = now + AGENT_EXIT_GRACE_MS;
		ipc_reply_leave(a);
	}
	if (a->exiting && now >= a->exit_at_ms) {
		agent_shutdown(a);
		return;
	}
	uint64_t next = node_next_deadline_ms(a->node);
	if (a->exiting && a->exit_at_ms < next)
		next = a->exit_at_ms;
	if (next == UINT64_MAX) {
		uv_timer_stop(&a->timer);
		return;
	}
	uv_timer_start(&a->timer, timer_fired, next > now ? next - now : 0,
		       0);
}

static void
agent_leave(struct agent *a)
{
	if (a->leaving)
		return;
	a->leaving = true;
	log_line(LOG_INFO, "leaving the cluster");
	node_leave(a->node, agent_now(a));
	agent_pump(a);
}

/* ---- local socket ------------------------------------------------------ */

static void
ipc_closed(uv_handle_t *h)
{
	struct ipc_conn *c = h->data;
	struct agent *a = c->agent;
	for (struct ipc_conn **pp = &a->conns; *pp != NULL;
	     pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	a->conn_count--;
	free(c->buf);
	msgpack_sbuffer_destroy(&c->out);
	free(c);
}

static void
ipc_close(struct ipc_conn *c)
{
	if (c->closing)
		return;
	c->closing = true;
	uv_close((uv_handle_t *)&c->pipe, ipc_closed);
}

static void ipc_read(uv_stream_t *h, ssize_t nread, const uv_buf_t *buf);
static void ipc_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf);

static void
ipc_written(uv_write_t *req, int status)
{
	struct ipc_conn *c = req->data;
	c->writing = false;
	msgpack_sbuffer_clear(&c->out);
	if (status != 0 || c->agent->exiting) {
		ipc_close(c);
		return;
	}
	/* Ready for the next request on the same connection. */
	c->prefix_got = 0;
	c->got = 0;
	if (uv_read_start((uv_stream_t *)&c->pipe, ipc_alloc, ipc_read) != 0)
		ipc_close(c);
}

static void
ipc_send(struct ipc_conn *c)
{
	uv_buf_t buf = uv_buf_init(c->out.data, (unsigned)c->out.size);
	c->writing = true;
	c->write_req.data = c;
	if (uv_write(&c->write_req, (uv_stream_t *)&c->pipe, &buf, 1,
		     ipc_written) != 0) {
		c->writing = false;
		ipc_close(c);
	}
}

static void
ipc_pack_members(struct agent *a, msgpack_packer *pk)
{
	const struct swim *swim = node_swim(a->node);
	size_t count = swim_member_count(swim);
	msgpack_pack_map(pk, 2);
	ipc_pack_cstr(pk, "ok");
	msgpack_pack_true(pk);
	ipc_pack_cstr(pk, "members");
	msgpack_pack_array(pk, count);
	for (size_t i = 0; i < count; i++) {
		struct swim_member_info m;
		swim_member_at(swim, i, &m);
		char addr[32];
		swim_addr_str(&m.addr, addr, sizeof(addr));
		msgpack_pack_map(pk, 4);
		ipc_pack_cstr(pk, "name");
		ipc_pack_cstr(pk, m.name);
		ipc_pack_cstr(pk, "addr");
		ipc_pack_cstr(pk, addr);
		ipc_pack_cstr(pk, "status");
		ipc_pack_cstr(pk, swim_status_strs[m.status]);
		ipc_pack_cstr(pk, "incarnation");
		msgpack_pack_uint64(pk, m.incarnation);
	}
}

static void
pack_counter(msgpack_packer *pk, const char *name, uint64_t value)
{
	ipc_pack_cstr(pk, name);
	msgpack_pack_uint64(pk, value);
}

static void
ipc_pack_stats(struct agent *a, msgpack_packer *pk)
{
	struct node_stats st;
	node_stats(a->node, &st);
	msgpack_pack_map(pk, 2);
	ipc_pack_cstr(pk, "ok");
	msgpack_pack_true(pk);
	ipc_pack_cstr(pk, "stats");
	msgpack_pack_map(pk, 14 + swim_drop_MAX - 1 + node_drop_MAX - 1);
	pack_counter(pk, "datagrams_sent", st.swim.datagrams_sent);
	pack_counter(pk, "datagrams_received", st.swim.datagrams_received);
	pack_counter(pk, "bytes_sent", st.swim.bytes_sent);
	pack_counter(pk, "bytes_received", st.swim.bytes_received);
	pack_counter(pk, "probes_sent", st.swim.probes_sent);
	pack_counter(pk, "probes_failed", st.swim.probes_failed);
	pack_counter(pk, "indirect_probes", st.swim.indirect_probes);
	pack_counter(pk, "suspicions", st.swim.suspicions);
	pack_counter(pk, "refutations", st.swim.refutations);
	pack_counter(pk, "pushpulls", st.swim.pushpulls);
	pack_counter(pk, "reconnects", st.swim.reconnects);
	pack_counter(pk, "awareness", st.swim.awareness);
	pack_counter(pk, "broadcast_queue", st.swim.broadcast_queue);
	pack_counter(pk, "send_failures", a->send_failures);
	for (int i = 1; i < swim_drop_MAX; i++) {
		char key[48];
		snprintf(key, sizeof(key), "drop_core_%s", swim_drop_strs[i]);
		pack_counter(pk, key, st.swim.drop_count[i]);
	}
	for (int i = 1; i < node_drop_MAX; i++) {
		char key[48];
		snprintf(key, sizeof(key), "drop_%s", node_drop_strs[i]);
		pack_counter(pk, key, st.drop_count[i]);
	}
}

/* Answer everyone waiting for the leave to finish. */
static void
ipc_reply_leave(struct agent *a)
{
	for (struct ipc_conn *c = a->conns; c != NULL; c = c->next) {
		if (!c->waiting_leave || c->closing)
			continue;
		c->waiting_leave = false;
		msgpack_packer pk;
		msgpack_packer_init(&pk, &c->out, msgpack_sbuffer_write);
		ipc_frame_begin(&c->out);
		msgpack_pack_map(&pk, 1);
		ipc_pack_cstr(&pk, "ok");
		msgpack_pack_true(&pk);
		ipc_frame_end(&c->out);
		ipc_send(c);
	}
}

static void
ipc_request(struct ipc_conn *c)
{
	struct agent *a = c->agent;
	struct ipc_request req;
	const char *why = NULL;
	uv_read_stop((uv_stream_t *)&c->pipe);
	if (ipc_request_decode(&req, c->buf, c->got, &why) != 0) {
		ipc_error_encode(&c->out, why);
		ipc_send(c);
		return;
	}
	msgpack_packer pk;
	msgpack_packer_init(&pk, &c->out, msgpack_sbuffer_write);
	ipc_frame_begin(&c->out);
	switch (req.op) {
	case IPC_OP_MEMBERS:
		ipc_pack_members(a, &pk);
		break;
	case IPC_OP_STATS:
		ipc_pack_stats(a, &pk);
		break;
	case IPC_OP_LEAVE:
		msgpack_sbuffer_clear(&c->out);
		c->waiting_leave = true;
		if (a->exiting)
			ipc_reply_leave(a); /* already left: say so now */
		else
			agent_leave(a);
		return;
	default:
		break;
	}
	if (ipc_frame_end(&c->out) != 0) {
		msgpack_sbuffer_clear(&c->out);
		ipc_error_encode(&c->out, "response too large");
	}
	ipc_send(c);
}

static void
ipc_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	(void)suggested;
	struct ipc_conn *c = h->data;
	if (c->prefix_got < IPC_PREFIX) {
		*buf = uv_buf_init((char *)c->prefix + c->prefix_got,
				   (unsigned)(IPC_PREFIX - c->prefix_got));
		return;
	}
	*buf = uv_buf_init((char *)c->buf + c->got,
			   (unsigned)(c->len - c->got));
}

static void
ipc_read(uv_stream_t *h, ssize_t nread, const uv_buf_t *buf)
{
	(void)buf;
	struct ipc_conn *c = h->data;
	if (nread < 0) {
		ipc_close(c);
		return;
	}
	if (c->prefix_got < IPC_PREFIX) {
		c->prefix_got += (size_t)nread;
		if (c->prefix_got < IPC_PREFIX)
			return;
		c->len = ipc_frame_len(c->prefix);
		if (c->len == 0 || c->len > IPC_REQUEST_MAX) {
			/* Not worth answering: the framing is gone. */
			ipc_close(c);
			return;
		}
		uint8_t *grown = realloc(c->buf, c->len);
		if (grown == NULL) {
			ipc_close(c);
			return;
		}
		c->buf = grown;
		return;
	}
	c->got += (size_t)nread;
	if (c->got == c->len)
		ipc_request(c);
}

static void
ipc_connection(uv_stream_t *server, int status)
{
	struct agent *a = server->data;
	if (status != 0)
		return;
	struct ipc_conn *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return;
	c->agent = a;
	msgpack_sbuffer_init(&c->out);
	uv_pipe_init(&a->loop, &c->pipe, 0);
	c->pipe.data = c;
	c->next = a->conns;
	a->conns = c;
	a->conn_count++;
	if (uv_accept(server, (uv_stream_t *)&c->pipe) != 0 ||
	    a->conn_count > AGENT_IPC_CONNS_MAX || a->exiting ||
	    uv_read_start((uv_stream_t *)&c->pipe, ipc_alloc, ipc_read) != 0)
		ipc_close(c);
}

/* ---- start and stop ------------------------------------------------------ */

static void
signal_received(uv_signal_t *h, int signum)
{
	struct agent *a = h->data;
	if (signum == SIGHUP) {
		log_line(LOG_INFO, "SIGHUP: nothing to reload");
		return;
	}
	if (a->leaving) {
		log_line(LOG_WARN, "second signal: exiting now");
		agent_shutdown(a);
		return;
	}
	log_line(LOG_INFO, "signal %d: leaving", signum);
	agent_leave(a);
}

static void
close_walk(uv_handle_t *h, void *arg)
{
	(void)arg;
	if (uv_is_closing(h))
		return;
	/* Streams and connections own their handles: close through them
	 * so their memory is freed with the last handle. */
	if (h->type == UV_TCP && h->data != NULL &&
	    h != (uv_handle_t *)&((struct agent *)arg)->listener) {
		stream_close(h->data);
		return;
	}
	if (h->type == UV_TIMER && h->data != NULL &&
	    h != (uv_handle_t *)&((struct agent *)arg)->timer)
		return; /* a stream deadline, closed by stream_close */
	if (h->type == UV_NAMED_PIPE &&
	    h != (uv_handle_t *)&((struct agent *)arg)->ipc) {
		ipc_close(h->data);
		return;
	}
	uv_close(h, NULL);
}

static void
agent_shutdown(struct agent *a)
{
	a->closed = true;
	if (a->ipc_bound) {
		unlink(a->cfg->socket_path);
		a->ipc_bound = false;
	}
	uv_walk(&a->loop, close_walk, a);
}

/* Refuse to replace a live agent's socket; replace a stale one. */
static int
socket_path_check(const char *path)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "rumor: socket path too long: %s\n", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	struct stat st;
	if (lstat(path, &st) != 0)
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		fprintf(stderr, "rumor: %s exists and is not a socket\n",
			path);
		return -1;
	}
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd >= 0 &&
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
		close(fd);
		fprintf(stderr, "rumor: another agent is listening on %s\n",
			path);
		return -1;
	}
	if (fd >= 0)
		close(fd);
	unlink(path);
	return 0;
}

static int
ipc_listen(struct agent *a)
{
	const char *path = a->cfg->socket_path;
	if (socket_path_check(path) != 0)
		return -1;
	uv_pipe_init(&a->loop, &a->ipc, 0);
	a->ipc.data = a;
	mode_t old = umask(0077);
	int rc = uv_pipe_bind(&a->ipc, path);
	umask(old);
	if (rc == 0)
		rc = uv_listen((uv_stream_t *)&a->ipc, 511, ipc_connection);
	if (rc != 0) {
		fprintf(stderr, "rumor: socket %s: %s\n", path,
			uv_strerror(rc));
		return -1;
	}
	a->ipc_bound = true;
	chmod(path, 0600);
	return 0;
}

static int
bind_failed(const char *proto, const char *addr, int rc)
{
	fprintf(stderr, "rumor: bind %s %s: %s\n", proto, addr,
		uv_strerror(rc));
	return -1;
}

static int
net_listen(struct agent *a)
{
	char text[32];
	swim_addr_str(&a->cfg->bind, text, sizeof(text));
	struct sockaddr_in sa;
	addr_to_sockaddr(&a->cfg->bind, &sa);
	uv_udp_init(&a->loop, &a->udp);
	a->udp.data = a;
	int rc = uv_udp_bind(&a->udp, (const struct sockaddr *)&sa, 0);
	if (rc == 0)
		rc = uv_udp_recv_start(&a->udp, udp_alloc, udp_read);
	if (rc != 0)
		return bind_failed("udp", text, rc);
	uv_tcp_init(&a->loop, &a->listener);
	a->listener.data = a;
	rc = uv_tcp_bind(&a->listener, (const struct sockaddr *)&sa, 0);
	if (rc == 0)
		rc = uv_listen((uv_stream_t *)&a->listener, 128,
			       listener_connection);
	if (rc != 0)
		return bind_failed("tcp", text, rc);
	return 0;
}

/* mkdir -p with mode 0700 for what we create. */
static int
make_dirs(const char *path)
{
	char buf[4096];
	if (strlen(path) >= sizeof(buf))
		return -1;
	strcpy(buf, path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0700) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, 0700) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* Replace path's content so that a crash leaves the old or the new file,
 * never a torn one: write a temp file, fsync it, rename it over. */
static int
write_atomic(const char *path, const char *text)
{
	char tmp[4200];
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >=
	    sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	size_t len = strlen(text);
	bool ok = write(fd, text, len) == (ssize_t)len && fsync(fd) == 0;
	int saved = errno;
	if (close(fd) != 0 && ok) {
		ok = false;
		saved = errno;
	}
	if (!ok || rename(tmp, path) != 0) {
		if (ok)
			saved = errno;
		unlink(tmp);
		errno = saved;
		return -1;
	}
	return 0;
}

/*
 * Lock the data dir and take the next incarnation from it: a restarted
 * agent starts above what it used before. The counter is written (tmp,
 * fsync, rename) before we join, so a crash cannot hand it out twice.
 */
static int
data_dir_open(struct agent *a, uint64_t *incarnation)
{
	const char *dir = a->cfg->data_dir;
	char path[4200];
	if (make_dirs(dir) != 0) {
		fprintf(stderr, "rumor: data dir %s: %s\n", dir,
			strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/lock", dir);
	a->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (a->lock_fd < 0) {
		fprintf(stderr, "rumor: data dir %s: %s\n", dir,
			strerror(errno));
		return -1;
	}
	if (flock(a->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		fprintf(stderr, "rumor: data dir %s is in use by another "
			"agent\n", dir);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/incarnation", dir);
	unsigned long long next = 0;
	FILE *f = fopen(path, "r");
	if (f != NULL) {
		if (fscanf(f, "%llu", &next) != 1)
			next = 0;
		fclose(f);
	}
	char text[32];
	snprintf(text, sizeof(text), "%llu\n", next + 1);
	if (write_atomic(path, text) != 0) {
		fprintf(stderr, "rumor: data dir %s: cannot write: %s\n", dir,
			strerror(errno));
		return -1;
	}
	*incarnation = next;
	return 0;
}

static int
agent_start(struct agent *a)
{
	const struct agent_config *cfg = a->cfg;
	uint64_t incarnation = 0;
	if (cfg->data_dir != NULL && data_dir_open(a, &incarnation) != 0)
		return -1;
	if (net_listen(a) != 0 || ipc_listen(a) != 0)
		return -1;
	struct node_config ncfg = {
		.swim = cfg->swim,
		.self = {.name = cfg->name, .addr = cfg->advertise,
			 .incarnation = incarnation},
		.keyring = cfg->keyring,
	};
	randombytes_buf(ncfg.nonce_prefix, sizeof(ncfg.nonce_prefix));
	randombytes_buf(&ncfg.rand_seed, sizeof(ncfg.rand_seed));
	a->node = node_new(&ncfg, agent_now(a));
	if (a->node == NULL) {
		fprintf(stderr, "rumor: cannot create the node\n");
		return -1;
	}
	uv_timer_init(&a->loop, &a->timer);
	a->timer.data = a;
	uv_signal_t *sigs[] = {&a->sigint, &a->sigterm, &a->sighup};
	int nums[] = {SIGINT, SIGTERM, SIGHUP};
	for (int i = 0; i < 3; i++) {
		uv_signal_init(&a->loop, sigs[i]);
		sigs[i]->data = a;
		uv_signal_start(sigs[i], signal_received, nums[i]);
	}
	char addr[32];
	swim_addr_str(&cfg->advertise, addr, sizeof(addr));
	log_line(LOG_INFO, "member %s alive %s incarnation=%llu", cfg->name,
		 addr, (unsigned long long)incarnation);
	if (cfg->join_count > 0)
		node_join(a->node, agent_now(a), cfg->join, cfg->join_count);
	agent_pump(a);
	return 0;
}

int
agent_run(const struct agent_config *cfg)
{
	struct agent *a = calloc(1, sizeof(*a));
	if (a == NULL) {
		fprintf(stderr, "rumor: out of memory\n");
		return 1;
	}
	a->cfg = cfg;
	a->lock_fd = -1;
	setvbuf(stderr, NULL, _IOLBF, 0);
	uv_loop_init(&a->loop);
	int rc = agent_start(a);
	if (rc != 0)
		agent_shutdown(a);
	uv_run(&a->loop, UV_RUN_DEFAULT);
	/* Close whatever a failed start left, then drain the callbacks. */
	uv_walk(&a->loop, close_walk, a);
	uv_run(&a->loop, UV_RUN_DEFAULT);
	uv_loop_close(&a->loop);
	node_delete(a->node);
	if (a->lock_fd >= 0)
		close(a->lock_fd);
	free(a);
	return rc == 0 ? 0 : 1;
}
