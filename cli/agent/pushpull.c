/*
 * Push-pull streams over libuv TCP. A stream owns two handles (the socket
 * and its deadline timer) and is freed when the second one has closed.
 * Nothing here interprets state: received bytes go to node_stream_feed()
 * as they arrive and the whole stream to node_stream_apply(); our side is
 * whatever node_stream_encode() produces. What is decided here is who
 * gets a slot, for how long, and how much all streams may buffer
 * (pushpull.h).
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
	/** In pp->streams, oldest first. */
	struct list link;
	struct swim_addr peer;
	/** We opened it (a push-pull the node asked for). */
	bool outgoing;
	/** Holds a slot of its pool (incoming: once admitted). */
	bool slotted;
	/** Our state is a join request. */
	bool join;
	/** The peer's header opened: it holds the key (or we are in
	 *  plaintext mode). Stays set once the stream is merged. */
	bool authenticated;
	/** Closing or closed: ignore everything that still arrives. */
	bool done;
	int open_handles;
	/** uv_now() when it began, for the overall deadline. */
	uint64_t start_ms;
	/** What the peer sent so far. */
	struct stream_rx rx;
	/** Our stream while it is being written. */
	uint8_t *out;
};

/* Live (not closing) streams holding a slot, per direction. */
static size_t
slots_used(const struct pushpull *pp, bool outgoing)
{
	size_t n = 0;
	const struct list *it;
	list_foreach(it, &pp->streams) {
		const struct pushpull_stream *s =
			list_entry(it, struct pushpull_stream, link);
		n += s->slotted && !s->done && s->outgoing == outgoing;
	}
	return n;
}

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
	stream_rx_destroy(&s->rx, &s->pp->budget);
	free(s->out);
	free(s);
}

static void
stream_close(struct pushpull_stream *s)
{
	if (s->done)
		return;
	s->done = true;
	if (s->slotted && !s->outgoing)
		s->pp->stats.streams_in--;
	/* What it buffered goes back to the budget now, not at the close
	 * callback. */
	stream_rx_destroy(&s->rx, &s->pp->budget);
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
	struct pushpull_stream *s = t->data;
	if (!s->outgoing && !s->authenticated) {
		s->pp->stats.streams_auth_timeouts++;
		stream_fail(s, "sent no authenticated header in time",
			    UV_ETIMEDOUT);
		return;
	}
	s->pp->stats.streams_timeouts++;
	stream_fail(s, "timed out", UV_ETIMEDOUT);
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

static void
stream_drop(struct pushpull_stream *s, enum node_drop drop, uint64_t now)
{
	char peer[32];
	log_limited(&s->pp->limit_drop[drop], now, LOG_WARN,
		    "drop stream %s %s %s", node_drop_strs[drop],
		    s->outgoing ? "to" : "from",
		    swim_addr_str(&s->peer, peer, sizeof(peer)));
	stream_close(s);
}

/* An incoming stream past its header: the rest of the overall
 * deadline. */
static void
deadline_rest(struct pushpull_stream *s)
{
	uint64_t spent = pushpull_now(s->pp) - s->start_ms;
	uv_timer_start(&s->deadline, stream_timeout,
		       spent < PUSHPULL_TIMEOUT_MS ? PUSHPULL_TIMEOUT_MS - spent
						   : 0, 0);
}

/* The whole stream is in: merge it; a responder then answers. */
static void
stream_complete(struct pushpull_stream *s)
{
	struct pushpull *pp = s->pp;
	uint64_t now = pushpull_now(pp);
	uv_read_stop((uv_stream_t *)&s->tcp);
	enum node_drop drop = node_stream_apply(pp->node, now, &s->peer,
						&s->rx);
	/* Merged: its buffers go back to the budget before our reply. */
	stream_rx_destroy(&s->rx, &pp->budget);
	if (drop != NODE_DROP_NONE) {
		stream_drop(s, drop, now);
	} else if (s->outgoing) {
		stream_close(s);
	} else {
		int rc = stream_send_state(s, false);
		if (rc != 0)
			stream_fail(s, "reply failed", rc);
	}
	pp->on_input(pp);
}

static void
stream_read(uv_stream_t *h, ssize_t nread, const uv_buf_t *buf)
{
	struct pushpull_stream *s = h->data;
	struct pushpull *pp = s->pp;
	if (s->done)
		return;
	if (nread < 0) {
		stream_fail(s, nread == UV_EOF ? "closed early" : "read failed",
			    nread == UV_EOF ? 0 : (int)nread);
		return;
	}
	bool done = false;
	enum node_drop drop = node_stream_feed(pp->node, &s->rx, &pp->budget,
					       (const uint8_t *)buf->base,
					       (size_t)nread, &done);
	if (pp->budget.used > pp->stats.stream_bytes_peak)
		pp->stats.stream_bytes_peak = pp->budget.used;
	if (drop != NODE_DROP_NONE) {
		stream_drop(s, drop, pushpull_now(pp));
		return;
	}
	if (!s->authenticated && s->rx.authenticated) {
		s->authenticated = true;
		if (!s->outgoing)
			deadline_rest(s);
	}
	if (done)
		stream_complete(s);
}

/* A stream with its handles, first in nothing but the list. */
static struct pushpull_stream *
stream_new(struct pushpull *pp, bool outgoing)
{
	struct pushpull_stream *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->pp = pp;
	s->outgoing = outgoing;
	s->start_ms = pushpull_now(pp);
	node_stream_begin(pp->node, &s->rx);
	uv_tcp_init(pp->loop, &s->tcp);
	uv_timer_init(pp->loop, &s->deadline);
	s->tcp.data = s->deadline.data = s;
	s->open_handles = 2;
	list_insert_tail(&pp->streams, &s->link);
	pp->stats.streams_open++;
	return s;
}

/* It holds a slot now, and its deadline runs. */
static void
stream_admit(struct pushpull_stream *s)
{
	struct pushpull *pp = s->pp;
	s->slotted = true;
	pp->stats.streams_started++;
	if (!s->outgoing)
		pp->stats.streams_in++;
	uv_timer_start(&s->deadline, stream_timeout,
		       s->outgoing ? PUSHPULL_TIMEOUT_MS
				   : PUSHPULL_AUTH_TIMEOUT_MS, 0);
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
	if (pp->closed)
		return;
	if (slots_used(pp, true) >= PUSHPULL_OUT_MAX) {
		pp->stats.streams_refused++;
		log_limited(&pp->limit_refuse, pushpull_now(pp), LOG_WARN,
			    "outgoing stream limit (%d) reached",
			    PUSHPULL_OUT_MAX);
		return;
	}
	struct pushpull_stream *s = stream_new(pp, true);
	if (s == NULL)
		return;
	stream_admit(s);
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

/* The oldest unauthenticated incoming stream (from ip only, unless
 * any_ip), and how many there are. */
static struct pushpull_stream *
preauth_oldest(struct pushpull *pp, uint32_t ip, bool any_ip, size_t *count)
{
	struct pushpull_stream *oldest = NULL;
	*count = 0;
	struct list *it;
	list_foreach(it, &pp->streams) {
		struct pushpull_stream *o =
			list_entry(it, struct pushpull_stream, link);
		if (o->done || o->outgoing || !o->slotted ||
		    o->authenticated || (!any_ip && o->peer.ip != ip))
			continue;
		if (oldest == NULL)
			oldest = o; /* the list is oldest first */
		(*count)++;
	}
	return oldest;
}

/*
 * Whether s, just accepted, gets a slot. A new connection is given the
 * place of the oldest unauthenticated one, of its own address past
 * PUSHPULL_PREAUTH_PER_IP and of anyone's when the pool is full: an idle
 * attacker only ever churns its own slots, and a peer with the key,
 * whose header follows its connect within a round trip, always gets in.
 */
static bool
incoming_admit(struct pushpull *pp, struct pushpull_stream *s)
{
	char peer[32];
	swim_addr_str(&s->peer, peer, sizeof(peer));
	size_t n;
	struct pushpull_stream *old = preauth_oldest(pp, s->peer.ip, false,
						     &n);
	if (n >= PUSHPULL_PREAUTH_PER_IP) {
		pp->stats.streams_evicted_per_ip++;
		log_limited(&pp->limit_refuse, pushpull_now(pp), LOG_WARN,
			    "stream from %s: %d unauthenticated streams from "
			    "its address, closing the oldest", peer,
			    PUSHPULL_PREAUTH_PER_IP);
		stream_close(old);
	}
	if (slots_used(pp, false) < PUSHPULL_IN_MAX)
		return true;
	old = preauth_oldest(pp, 0, true, &n);
	if (old == NULL) {
		pp->stats.streams_refused_full++;
		log_limited(&pp->limit_refuse, pushpull_now(pp), LOG_WARN,
			    "stream from %s refused: incoming stream limit "
			    "(%d) reached", peer, PUSHPULL_IN_MAX);
		return false;
	}
	pp->stats.streams_evicted++;
	log_limited(&pp->limit_refuse, pushpull_now(pp), LOG_WARN,
		    "incoming stream limit (%d) reached: closing the oldest "
		    "unauthenticated stream for one from %s", PUSHPULL_IN_MAX,
		    peer);
	stream_close(old);
	return true;
}

/* Take one connection off the listener's queue. */
static void
accept_one(struct pushpull *pp)
{
	uv_stream_t *server = (uv_stream_t *)&pp->listener;
	pp->accepted_this_turn++;
	struct pushpull_stream *s = pp->closed ? NULL : stream_new(pp, false);
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
	    !peer_addr(&s->tcp, &s->peer) || !incoming_admit(pp, s)) {
		stream_close(s);
		return;
	}
	stream_admit(s);
	if (uv_read_start((uv_stream_t *)&s->tcp, stream_alloc,
			  stream_read) != 0)
		stream_close(s);
}

/*
 * At most PUSHPULL_ACCEPT_BATCH connections per turn of the loop: libuv
 * accepts all that are queued at once otherwise, and a flood of new
 * connections would push a peer's out (as the oldest unauthenticated)
 * before the loop got to read the header it already sent. A connection
 * left queued stops libuv watching the listener until the check handle
 * takes it, after this turn's reads.
 */
static void
listener_connection(uv_stream_t *server, int status)
{
	struct pushpull *pp = server->data;
	if (status != 0)
		return;
	if (pp->accepted_this_turn >= PUSHPULL_ACCEPT_BATCH) {
		pp->accept_deferred = true;
		return;
	}
	accept_one(pp);
}

static void
turn_ended(uv_check_t *check)
{
	struct pushpull *pp = check->data;
	pp->accepted_this_turn = 0;
	if (pp->accept_deferred && !pp->closed) {
		pp->accept_deferred = false;
		accept_one(pp);
	}
}

void
pushpull_init(struct pushpull *pp, uv_loop_t *loop, struct node *node,
	      pushpull_input_cb on_input)
{
	pp->loop = loop;
	pp->node = node;
	pp->on_input = on_input;
	pp->budget = (struct stream_budget){.max = PUSHPULL_BUFFER_MAX};
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
	if (rc == 0) {
		uv_check_init(pp->loop, &pp->turn);
		pp->turn.data = pp;
		pp->turn_open = true;
		uv_check_start(&pp->turn, turn_ended);
		return 0;
	}
	char text[32];
	return log_err(err, RUMOR_EIO, "bind tcp %s: %s",
		       swim_addr_str(bind, text, sizeof(text)),
		       uv_strerror(rc));
}

void
pushpull_stats(const struct pushpull *pp, struct pushpull_stats *out)
{
	*out = pp->stats;
	out->stream_bytes = pp->budget.used;
}

void
pushpull_close(struct pushpull *pp)
{
	pp->closed = true;
	if (pp->listener_open) {
		uv_close((uv_handle_t *)&pp->listener, NULL);
		pp->listener_open = false;
	}
	if (pp->turn_open) {
		uv_close((uv_handle_t *)&pp->turn, NULL);
		pp->turn_open = false;
	}
	struct list *it;
	list_foreach(it, &pp->streams)
		stream_close(list_entry(it, struct pushpull_stream, link));
}
