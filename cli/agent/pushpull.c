/*
 * Push-pull streams over libuv TCP. A stream owns two handles (the socket
 * and its deadline timer) and is freed when the second one has closed.
 * Nothing here interprets state: frames go to node_stream_handle() as
 * they are, and our side is whatever node_stream_encode() produces.
 */
#include <stdlib.h>
#include <string.h>

#include "pushpull.h"
#include "rumor/error.h"

struct pushpull_stream {
	uv_tcp_t tcp;
	uv_timer_t deadline;
	uv_write_t write_req;
	uv_connect_t connect_req;
	struct pushpull *pp;
	/** In pp->streams. */
	struct list link;
	struct swim_addr peer;
	/** We opened it (a push-pull the node asked for). */
	bool outgoing;
	/** Our state is a join request. */
	bool join;
	/** Closing or closed: ignore everything that still arrives. */
	bool done;
	int open_handles;
	uint8_t prefix[NODE_STREAM_PREFIX];
	size_t prefix_got;
	/** The frame length from the prefix. */
	uint32_t len;
	/** The frame so far: got bytes in a buffer of cap (<= len). */
	uint8_t *buf;
	size_t got;
	size_t cap;
	/** Our frame while it is being written. */
	uint8_t *out;
};

static uint64_t
pushpull_now(struct pushpull *pp)
{
	uv_update_time(pp->loop);
	return uv_now(pp->loop);
}

static void
stream_closed(uv_handle_t *h)
{
	struct pushpull_stream *s = h->data;
	if (--s->open_handles > 0)
		return;
	list_remove(&s->link);
	s->pp->stats.streams_open--;
	free(s->buf);
	free(s->out);
	free(s);
}

static void
stream_close(struct pushpull_stream *s)
{
	if (s->done)
		return;
	s->done = true;
	uv_close((uv_handle_t *)&s->deadline, stream_closed);
	uv_close((uv_handle_t *)&s->tcp, stream_closed);
}

/* Log (rate-limited), count and close. err is a libuv error or 0. */
static void
stream_fail(struct pushpull_stream *s, const char *what, int err)
{
	struct pushpull *pp = s->pp;
	if (s->done)
		return;
	pp->stats.streams_failed++;
	if (!pp->closed) {
		char peer[32];
		swim_addr_str(&s->peer, peer, sizeof(peer));
		log_limited(&pp->limit_fail, pushpull_now(pp), LOG_WARN,
			    "stream %s %s %s: %s",
			    s->outgoing ? "to" : "from", peer, what,
			    err != 0 ? uv_strerror(err) : "rejected");
	}
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
	struct pushpull_stream *s = h->data;
	*buf = uv_buf_init((char *)s->pp->read_buf,
			   sizeof(s->pp->read_buf));
}

static void
stream_written(uv_write_t *req, int status)
{
	struct pushpull_stream *s = req->data;
	free(s->out);
	s->out = NULL;
	if (status == UV_ECANCELED)
		return; /* closed under us */
	if (status != 0) {
		stream_fail(s, "write failed", status);
		return;
	}
	/* The responder is done once its answer is out. */
	if (!s->outgoing)
		stream_close(s);
}

static int
stream_send_state(struct pushpull_stream *s, bool join)
{
	size_t size;
	if (node_stream_encode(s->pp->node, join, &s->out, &size) != 0)
		return UV_ENOMEM;
	uv_buf_t buf = uv_buf_init((char *)s->out, (unsigned)size);
	s->write_req.data = s;
	return uv_write(&s->write_req, (uv_stream_t *)&s->tcp, &buf, 1,
			stream_written);
}

/* A whole frame arrived: merge it; a responder then answers. */
static void
stream_frame(struct pushpull_stream *s)
{
	struct pushpull *pp = s->pp;
	uint64_t now = pushpull_now(pp);
	uv_read_stop((uv_stream_t *)&s->tcp);
	enum node_drop drop = node_stream_handle(pp->node, now, &s->peer,
						 s->buf, s->got);
	if (drop != NODE_DROP_NONE) {
		char peer[32];
		log_limited(&pp->limit_drop[drop], now, LOG_WARN,
			    "drop stream %s from %s", node_drop_strs[drop],
			    swim_addr_str(&s->peer, peer, sizeof(peer)));
		stream_close(s);
	} else if (s->outgoing) {
		/* The peer we dialed answered (a `rumor join` waits for it). */
		pp->last_answer = s->peer;
		pp->answers++;
		stream_close(s);
	} else {
		int rc = stream_send_state(s, false);
		if (rc != 0)
			stream_fail(s, "reply failed", rc);
	}
	pp->on_input(pp);
}

/* Take bytes into the prefix, then into the growing frame buffer. */
static int
stream_take(struct pushpull_stream *s, const uint8_t *p, size_t n)
{
	while (n > 0 && s->prefix_got < NODE_STREAM_PREFIX) {
		s->prefix[s->prefix_got++] = *p++;
		n--;
		if (s->prefix_got < NODE_STREAM_PREFIX)
			continue;
		s->len = (uint32_t)s->prefix[0] << 24 |
			 (uint32_t)s->prefix[1] << 16 |
			 (uint32_t)s->prefix[2] << 8 | s->prefix[3];
		if (s->len == 0 || s->len > NODE_STREAM_FRAME_MAX)
			return UV_EPROTO;
	}
	if (n == 0)
		return 0;
	if (n > s->len - s->got)
		return UV_EPROTO; /* more than one frame: not our protocol */
	if (s->got + n > s->cap) {
		size_t cap = s->cap != 0 ? s->cap : 4096;
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
	struct pushpull_stream *s = h->data;
	if (s->done)
		return;
	if (nread < 0) {
		stream_fail(s, nread == UV_EOF ? "closed early" : "read failed",
			    nread == UV_EOF ? 0 : (int)nread);
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

static struct pushpull_stream *
stream_new(struct pushpull *pp)
{
	if (pp->closed)
		return NULL;
	if (pp->stats.streams_open >= PUSHPULL_STREAMS_MAX) {
		pp->stats.streams_refused++;
		log_limited(&pp->limit_fail, pushpull_now(pp), LOG_WARN,
			    "stream limit (%d) reached", PUSHPULL_STREAMS_MAX);
		return NULL;
	}
	struct pushpull_stream *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->pp = pp;
	uv_tcp_init(pp->loop, &s->tcp);
	uv_timer_init(pp->loop, &s->deadline);
	s->tcp.data = s->deadline.data = s;
	s->open_handles = 2;
	list_insert_head(&pp->streams, &s->link);
	pp->stats.streams_open++;
	pp->stats.streams_started++;
	uv_timer_start(&s->deadline, stream_timeout, PUSHPULL_TIMEOUT_MS, 0);
	return s;
}

static void
stream_connected(uv_connect_t *req, int status)
{
	struct pushpull_stream *s = req->data;
	if (status == UV_ECANCELED)
		return;
	if (status != 0) {
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

void
pushpull_connect(struct pushpull *pp, const struct swim_stream_req *req)
{
	struct pushpull_stream *s = stream_new(pp);
	if (s == NULL)
		return;
	s->outgoing = true;
	s->join = req->join;
	s->peer = req->to;
	struct sockaddr_in sa = {
		.sin_family = AF_INET,
		.sin_port = htons(req->to.port),
		.sin_addr.s_addr = htonl(req->to.ip),
	};
	s->connect_req.data = s;
	int rc = uv_tcp_connect(&s->connect_req, &s->tcp,
				(const struct sockaddr *)&sa,
				stream_connected);
	if (rc != 0)
		stream_fail(s, "connect failed", rc);
}

static bool
peer_addr(uv_tcp_t *tcp, struct swim_addr *out)
{
	struct sockaddr_storage ss;
	int len = sizeof(ss);
	if (uv_tcp_getpeername(tcp, (struct sockaddr *)&ss, &len) != 0 ||
	    ss.ss_family != AF_INET)
		return false;
	const struct sockaddr_in *in = (const struct sockaddr_in *)&ss;
	out->ip = ntohl(in->sin_addr.s_addr);
	out->port = ntohs(in->sin_port);
	return true;
}

static void
listener_connection(uv_stream_t *server, int status)
{
	struct pushpull *pp = server->data;
	if (status != 0)
		return;
	struct pushpull_stream *s = stream_new(pp);
	if (s == NULL) {
		/* Accept and drop, so the backlog does not fill up. */
		uv_tcp_t *tmp = malloc(sizeof(*tmp));
		if (tmp == NULL)
			return;
		uv_tcp_init(pp->loop, tmp);
		uv_accept(server, (uv_stream_t *)tmp);
		uv_close((uv_handle_t *)tmp, (uv_close_cb)free);
		return;
	}
	if (uv_accept(server, (uv_stream_t *)&s->tcp) != 0 ||
	    !peer_addr(&s->tcp, &s->peer) ||
	    uv_read_start((uv_stream_t *)&s->tcp, stream_alloc,
			  stream_read) != 0)
		stream_close(s);
}

void
pushpull_init(struct pushpull *pp, uv_loop_t *loop, struct node *node,
	      pushpull_input_cb on_input)
{
	pp->loop = loop;
	pp->node = node;
	pp->on_input = on_input;
	list_init(&pp->streams);
}

int
pushpull_start(struct pushpull *pp, const struct swim_addr *bind, char *err)
{
	struct sockaddr_in sa = {
		.sin_family = AF_INET,
		.sin_port = htons(bind->port),
		.sin_addr.s_addr = htonl(bind->ip),
	};
	uv_tcp_init(pp->loop, &pp->listener);
	pp->listener.data = pp;
	pp->listener_open = true;
	int rc = uv_tcp_bind(&pp->listener, (const struct sockaddr *)&sa, 0);
	if (rc == 0)
		rc = uv_listen((uv_stream_t *)&pp->listener, 128,
			       listener_connection);
	if (rc == 0)
		return 0;
	char text[32];
	return log_err(err, RUMOR_EIO, "bind tcp %s: %s",
		       swim_addr_str(bind, text, sizeof(text)),
		       uv_strerror(rc));
}

void
pushpull_stats(const struct pushpull *pp, struct pushpull_stats *out)
{
	*out = pp->stats;
}

void
pushpull_close(struct pushpull *pp)
{
	pp->closed = true;
	if (pp->listener_open) {
		uv_close((uv_handle_t *)&pp->listener, NULL);
		pp->listener_open = false;
	}
	struct list *it;
	list_foreach(it, &pp->streams)
		stream_close(list_entry(it, struct pushpull_stream, link));
}
