/*
 * dns_server: UDP and TCP in the agent's loop (see dns_server.h).
 *
 * UDP. The socket reads with recvmmsg (UV_UDP_RECVMMSG): libuv hands a
 * batch of up to DNS_SERVER_BATCH datagrams out of one receive buffer,
 * one callback each, then one last callback (UV_UDP_MMSG_FREE) when the
 * batch is done. Each query is answered into a slot of the send batch
 * at once, and the whole batch leaves in one sendmmsg at that last
 * callback: two system calls for up to 20 queries instead of 40. Where
 * libuv reads one datagram at a time (no recvmmsg), each answer is sent
 * on its own. The socket is non-blocking; a send the kernel refuses
 * (its buffer full) loses that answer, counted, as the network could.
 *
 * TCP. A connection reads into its own buffer of one whole message
 * (2 + DNS_QUERY_MAX bytes), answers every complete message in it in
 * order, and keeps the partial one. An answer is written with
 * uv_try_write; what the kernel does not take at once is queued, and
 * until that has gone out the connection reads and answers nothing more
 * (one answer waits at most per connection). A sweep once a second
 * closes connections idle past DNS_SERVER_TCP_IDLE_MS, a stuck writer
 * included.
 *
 * Every answer comes from dns_answer() with a draw from the server's
 * PRNG (seeded from libsodium at start), which samples and shuffles the
 * instances.
 */
#define _GNU_SOURCE /* sendmmsg */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <sodium.h>

#include "dns_server.h"
#include "rumor/error.h"

/** Datagrams per recvmmsg and sendmmsg (libuv's recvmmsg width). */
#define DNS_SERVER_BATCH 20
/** The receive buffer's slot per datagram in a recvmmsg batch (libuv's
 *  UV__UDP_DGRAM_MAXSIZE: a whole datagram always fits). */
#define DNS_SERVER_RECV_CHUNK (64 * 1024)
/** How often idle TCP connections are looked for. */
#define DNS_SERVER_SWEEP_MS 1000
/** The listen backlog (connections not yet accepted). */
#define DNS_SERVER_BACKLOG 128

/* Answers waiting for one sendmmsg. */
struct dns_udp_batch {
	size_t count;
	/** Bytes of each answer slot (the largest UDP answer). */
	size_t slot_size;
	struct sockaddr_in to[DNS_SERVER_BATCH];
	struct iovec iov[DNS_SERVER_BATCH];
	struct mmsghdr msgs[DNS_SERVER_BATCH];
	/** DNS_SERVER_BATCH slots of slot_size bytes. */
	uint8_t slots[];
};

struct dns_conn {
	uv_tcp_t tcp;
	/** In srv->conns, most recently active first. */
	struct list link;
	struct dns_server *srv;
	/** The last byte read or written (uv_now). */
	uint64_t active_ms;
	/** An answer is queued: read nothing more until it is written. */
	bool paused;
	/** The client is done sending: close once the answers are out. */
	bool eof;
	bool closing;
	/** Received bytes not answered yet (at most one message). */
	size_t in_size;
	uint8_t in[2 + DNS_QUERY_MAX];
};

/* A queued TCP answer (the part the kernel did not take at once). */
struct dns_write {
	uv_write_t req;
	struct dns_conn *conn;
	size_t size;
	uint8_t data[];
};

void
dns_server_config_default(struct dns_server_config *cfg)
{
	*cfg = (struct dns_server_config){.enabled = true};
	int rc = swim_addr_parse(DNS_LISTEN_DEFAULT, &cfg->addr);
	(void)rc; /* a constant that parses */
	dns_config_default(&cfg->dns);
}

void
dns_server_init(struct dns_server *srv, uv_loop_t *loop)
{
	*srv = (struct dns_server){.loop = loop};
	list_init(&srv->conns);
}

void
dns_server_member_event(struct dns_server *srv, const struct swim_event *ev)
{
	if (srv->dns != NULL)
		dns_view_member_event(&srv->view, ev);
}

void
dns_server_stats(const struct dns_server *srv, struct dns_server_stats *out)
{
	*out = srv->stats;
	if (srv->dns == NULL)
		return;
	const struct dns_stats *st = dns_stats(srv->dns);
	memcpy(out->outcome, st->outcome, sizeof(out->outcome));
	out->outcome[DNS_OUTCOME_DROPPED] += srv->stats.udp_dropped;
	out->truncated = st->truncated;
}

/* -------------------------------------------------------------------------- */

/* Send the batch; what the kernel refuses is lost (and counted). */
static void
udp_flush(struct dns_server *srv)
{
	struct dns_udp_batch *b = srv->batch;
	int fd = -1;
	size_t i = 0;
	if (b->count == 0 || uv_fileno((uv_handle_t *)&srv->udp,
				       (uv_os_fd_t *)&fd) != 0) {
		srv->stats.udp_send_failed += b->count;
		b->count = 0;
		return;
	}
	while (i < b->count) {
		int sent = sendmmsg(fd, &b->msgs[i], (unsigned)(b->count - i),
				    MSG_DONTWAIT);
		if (sent > 0) {
			i += (size_t)sent;
			continue;
		}
		if (sent < 0 && errno == EINTR)
			continue;
		int why = sent < 0 ? errno : EIO;
		if (why == EAGAIN || why == EWOULDBLOCK || why == ENOBUFS) {
			/* The socket buffer is full: the rest would fail
			 * too. */
			srv->stats.udp_send_failed += b->count - i;
			break;
		}
		/* This one datagram failed (the client's address, its
		 * size): skip it, send the others. */
		srv->stats.udp_send_failed++;
		log_limited(&srv->limit_send, uv_now(srv->loop), LOG_WARN,
			    "dns: udp send failed: %s", log_strerror(why));
		i++;
	}
	b->count = 0;
}

/* Answer one datagram into the next slot of the batch. */
static void
udp_answer(struct dns_server *srv, const uint8_t *query, size_t size,
	   const struct sockaddr_in *from)
{
	struct dns_udp_batch *b = srv->batch;
	if (b->count == DNS_SERVER_BATCH)
		udp_flush(srv);
	uint8_t *slot = b->slots + b->count * b->slot_size;
	size_t out_size = b->slot_size;
	srv->stats.udp_queries++;
	dns_answer(srv->dns, query, size, false, swim_rand_next(&srv->rand),
		   slot, &out_size);
	if (out_size == 0)
		return;
	size_t k = b->count++;
	b->to[k] = *from;
	b->iov[k] = (struct iovec){.iov_base = slot, .iov_len = out_size};
	b->msgs[k] = (struct mmsghdr){
		.msg_hdr = {.msg_name = &b->to[k],
			    .msg_namelen = sizeof(b->to[k]),
			    .msg_iov = &b->iov[k],
			    .msg_iovlen = 1}};
}

static void
udp_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	(void)suggested;
	struct dns_server *srv = h->data;
	*buf = uv_buf_init((char *)srv->recv_buf, (unsigned)srv->recv_size);
}

static void
udp_read(uv_udp_t *h, ssize_t nread, const uv_buf_t *buf,
	 const struct sockaddr *sa, unsigned flags)
{
	struct dns_server *srv = h->data;
	if (nread < 0) {
		log_limited(&srv->limit_recv, uv_now(srv->loop), LOG_WARN,
			    "dns: udp receive failed: %s",
			    uv_strerror((int)nread));
		return;
	}
	if ((flags & UV_UDP_MMSG_FREE) != 0) {
		/* The end of a recvmmsg batch: its answers go out. */
		udp_flush(srv);
		return;
	}
	if (sa == NULL)
		return; /* nothing more to read */
	if (sa->sa_family != AF_INET || (flags & UV_UDP_PARTIAL) != 0) {
		srv->stats.udp_dropped++;
		return;
	}
	udp_answer(srv, (const uint8_t *)buf->base, (size_t)nread,
		   (const struct sockaddr_in *)sa);
	/* Read one at a time: no batch end will come. */
	if ((flags & UV_UDP_MMSG_CHUNK) == 0)
		udp_flush(srv);
}

static int
udp_start(struct dns_server *srv, const struct sockaddr_in *sa)
{
	int rc = uv_udp_init_ex(srv->loop, &srv->udp,
				AF_INET | UV_UDP_RECVMMSG);
	if (rc != 0)
		return rc;
	srv->udp.data = srv;
	srv->udp_open = true;
	rc = uv_udp_bind(&srv->udp, (const struct sockaddr *)sa, 0);
	if (rc == 0)
		rc = uv_udp_recv_start(&srv->udp, udp_alloc, udp_read);
	return rc;
}

/* -------------------------------------------------------------------------- */

static void
conn_free(uv_handle_t *h)
{
	free(h->data);
}

/* Closing connections no longer count as open: their memory is freed by
 * the close callback, within the same loop iteration. */
static void
conn_close(struct dns_conn *c)
{
	if (c->closing)
		return;
	c->closing = true;
	c->srv->stats.tcp_conns_open--;
	list_remove(&c->link);
	uv_close((uv_handle_t *)&c->tcp, conn_free);
}

/* The connection did something: it is now the most recently active. */
static void
conn_touch(struct dns_conn *c)
{
	c->active_ms = uv_now(c->srv->loop);
	list_remove(&c->link);
	list_insert_head(&c->srv->conns, &c->link);
}

static void
conn_read_start(struct dns_conn *c);

static void
conn_process(struct dns_conn *c);

static void
conn_written(uv_write_t *req, int status)
{
	struct dns_write *w = req->data;
	struct dns_conn *c = w->conn;
	free(w);
	if (c->closing)
		return;
	if (status != 0) {
		conn_close(c);
		return;
	}
	conn_touch(c);
	if (c->tcp.write_queue_size > 0)
		return;
	/* Everything is out: answer what waited, then read on. */
	c->paused = false;
	conn_process(c);
	if (c->closing || c->paused)
		return;
	if (c->eof)
		conn_close(c);
	else
		conn_read_start(c);
}

/* Send answer[0..size) (its length prefix included), queuing what the
 * kernel does not take at once. False when the connection was closed. */
static bool
conn_send(struct dns_conn *c, const uint8_t *answer, size_t size)
{
	uv_buf_t buf = uv_buf_init((char *)answer, (unsigned)size);
	int sent = uv_try_write((uv_stream_t *)&c->tcp, &buf, 1);
	if (sent == UV_EAGAIN)
		sent = 0;
	if (sent < 0) {
		conn_close(c);
		return false;
	}
	if ((size_t)sent == size)
		return true;
	size_t rest = size - (size_t)sent;
	struct dns_write *w = malloc(sizeof(*w) + rest);
	if (w == NULL) {
		conn_close(c);
		return false;
	}
	w->conn = c;
	w->size = rest;
	w->req.data = w;
	memcpy(w->data, answer + sent, rest);
	buf = uv_buf_init((char *)w->data, (unsigned)rest);
	if (uv_write(&w->req, (uv_stream_t *)&c->tcp, &buf, 1,
		     conn_written) != 0) {
		free(w);
		conn_close(c);
		return false;
	}
	c->paused = true;
	uv_read_stop((uv_stream_t *)&c->tcp);
	return true;
}

/* Answer one message (without its length prefix). */
static bool
conn_answer(struct dns_conn *c, const uint8_t *query, size_t size)
{
	struct dns_server *srv = c->srv;
	size_t out_size = DNS_TCP_MAX;
	srv->stats.tcp_queries++;
	dns_answer(srv->dns, query, size, true, swim_rand_next(&srv->rand),
		   srv->out + 2, &out_size);
	if (out_size == 0)
		return true;
	srv->out[0] = (uint8_t)(out_size >> 8);
	srv->out[1] = (uint8_t)out_size;
	return conn_send(c, srv->out, out_size + 2);
}

/* Answer every whole message in the buffer, in order, until one has to
 * wait for the client to read. */
static void
conn_process(struct dns_conn *c)
{
	size_t at = 0;
	while (!c->paused && c->in_size - at >= 2) {
		size_t len = (size_t)c->in[at] << 8 | c->in[at + 1];
		if (len == 0 || len > DNS_QUERY_MAX) {
			/* Not a DNS message we would answer: the stream
			 * has lost its framing. */
			c->srv->stats.tcp_bad_frames++;
			conn_close(c);
			return;
		}
		if (c->in_size - at < 2 + len)
			break;
		if (!conn_answer(c, c->in + at + 2, len))
			return;
		at += 2 + len;
	}
	memmove(c->in, c->in + at, c->in_size - at);
	c->in_size -= at;
}

static void
conn_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	(void)suggested;
	struct dns_conn *c = h->data;
	*buf = uv_buf_init((char *)c->in + c->in_size,
			   (unsigned)(sizeof(c->in) - c->in_size));
}

static void
conn_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	(void)buf;
	struct dns_conn *c = s->data;
	if (nread == 0)
		return;
	if (nread < 0) {
		/* EOF: the answers already queued still go out. */
		if (nread == UV_EOF && c->paused) {
			c->eof = true;
			uv_read_stop(s);
			return;
		}
		conn_close(c);
		return;
	}
	c->in_size += (size_t)nread;
	conn_touch(c);
	conn_process(c);
}

static void
conn_read_start(struct dns_conn *c)
{
	if (uv_read_start((uv_stream_t *)&c->tcp, conn_alloc, conn_read) != 0)
		conn_close(c);
}

/* Make room for one more connection: close the longest-idle one if it
 * has idled long enough. False when every connection is busy. */
static bool
conns_make_room(struct dns_server *srv)
{
	if (srv->stats.tcp_conns_open < DNS_SERVER_TCP_CONNS_MAX)
		return true;
	/* The list's tail is the longest idle. */
	if (list_empty(&srv->conns))
		return false;
	struct dns_conn *idle =
		list_entry(srv->conns.prev, struct dns_conn, link);
	if (uv_now(srv->loop) - idle->active_ms <
	    DNS_SERVER_TCP_EVICT_IDLE_MS)
		return false;
	srv->stats.tcp_conns_evicted++;
	conn_close(idle);
	return true;
}

static void
free_handle(uv_handle_t *h)
{
	free(h);
}

/* Accept and close at once (libuv stops watching the listener until a
 * connection is accepted, so the backlog keeps moving). */
static void
conn_refuse(struct dns_server *srv, uv_stream_t *listener)
{
	srv->stats.tcp_conns_refused++;
	uv_tcp_t *tmp = malloc(sizeof(*tmp));
	if (tmp == NULL)
		return;
	uv_tcp_init(srv->loop, tmp);
	(void)uv_accept(listener, (uv_stream_t *)tmp);
	uv_close((uv_handle_t *)tmp, free_handle);
}

static void
tcp_connection(uv_stream_t *listener, int status)
{
	struct dns_server *srv = listener->data;
	if (status != 0 || srv->closed)
		return;
	if (!conns_make_room(srv)) {
		conn_refuse(srv, listener);
		return;
	}
	struct dns_conn *c = malloc(sizeof(*c));
	if (c == NULL) {
		conn_refuse(srv, listener);
		return;
	}
	*c = (struct dns_conn){.srv = srv, .active_ms = uv_now(srv->loop)};
	uv_tcp_init(srv->loop, &c->tcp);
	c->tcp.data = c;
	list_init(&c->link);
	list_insert_head(&srv->conns, &c->link);
	srv->stats.tcp_conns_open++;
	if (uv_accept(listener, (uv_stream_t *)&c->tcp) != 0) {
		conn_close(c);
		return;
	}
	srv->stats.tcp_conns_accepted++;
	/* Answers are small and pipelined: send each at once. */
	uv_tcp_nodelay(&c->tcp, 1);
	conn_read_start(c);
}

/* Close connections without progress for DNS_SERVER_TCP_IDLE_MS: one
 * that sends nothing, half a message, or never reads its answer. */
static void
tcp_sweep(uv_timer_t *t)
{
	struct dns_server *srv = t->data;
	uint64_t now = uv_now(srv->loop);
	struct list *it, *tmp;
	list_foreach_safe(it, tmp, &srv->conns) {
		struct dns_conn *c = list_entry(it, struct dns_conn, link);
		if (now - c->active_ms < DNS_SERVER_TCP_IDLE_MS)
			continue;
		srv->stats.tcp_conns_idle_closed++;
		conn_close(c);
	}
}

static int
tcp_start(struct dns_server *srv, const struct sockaddr_in *sa)
{
	uv_tcp_init(srv->loop, &srv->tcp);
	srv->tcp.data = srv;
	srv->tcp_open = true;
	int rc = uv_tcp_bind(&srv->tcp, (const struct sockaddr *)sa, 0);
	if (rc == 0)
		rc = uv_listen((uv_stream_t *)&srv->tcp, DNS_SERVER_BACKLOG,
			       tcp_connection);
	if (rc != 0)
		return rc;
	uv_timer_init(srv->loop, &srv->sweep);
	srv->sweep.data = srv;
	srv->sweep_open = true;
	uv_timer_start(&srv->sweep, tcp_sweep, DNS_SERVER_SWEEP_MS,
		       DNS_SERVER_SWEEP_MS);
	return 0;
}

/* -------------------------------------------------------------------------- */

static void
close_handle(uv_handle_t *h, bool *open)
{
	if (*open && !uv_is_closing(h))
		uv_close(h, NULL);
	*open = false;
}

/* The answerer and the buffers; RUMOR_EINVAL or RUMOR_ENOMEM. */
static int
dns_server_alloc(struct dns_server *srv, const struct dns_server_config *cfg,
		 struct node *node, char *err)
{
	if (dns_config_check(&cfg->dns) != 0)
		return log_err(err, RUMOR_EINVAL, "dns: invalid settings");
	dns_view_init(&srv->view, node);
	struct dns_directory dir = dns_view_directory(&srv->view);
	srv->dns = dns_new(&cfg->dns, &dir);
	size_t slot = cfg->dns.udp_payload_max;
	srv->batch = malloc(sizeof(*srv->batch) + DNS_SERVER_BATCH * slot);
	srv->recv_size = DNS_SERVER_BATCH * DNS_SERVER_RECV_CHUNK;
	srv->recv_buf = malloc(srv->recv_size);
	if (srv->dns == NULL || srv->batch == NULL || srv->recv_buf == NULL)
		return log_err(err, RUMOR_ENOMEM, "dns: out of memory");
	srv->batch->count = 0;
	srv->batch->slot_size = slot;
	uint64_t seed;
	randombytes_buf(&seed, sizeof(seed));
	swim_rand_init(&srv->rand, seed);
	return 0;
}

/* Free what dns_server_alloc made (the handles are closed already). */
static void
dns_server_free(struct dns_server *srv)
{
	dns_delete(srv->dns);
	srv->dns = NULL;
	dns_view_close(&srv->view);
	free(srv->batch);
	srv->batch = NULL;
	free(srv->recv_buf);
	srv->recv_buf = NULL;
}

int
dns_server_start(struct dns_server *srv, const struct dns_server_config *cfg,
		 struct node *node, char *err)
{
	if (!cfg->enabled)
		return 0;
	int rc = dns_server_alloc(srv, cfg, node, err);
	if (rc != 0)
		return rc;
	struct sockaddr_in sa = {
		.sin_family = AF_INET,
		.sin_port = htons(cfg->addr.port),
		.sin_addr.s_addr = htonl(cfg->addr.ip),
	};
	const char *proto = "udp";
	int uvrc = udp_start(srv, &sa);
	if (uvrc == 0) {
		proto = "tcp";
		uvrc = tcp_start(srv, &sa);
	}
	char text[32];
	swim_addr_str(&cfg->addr, text, sizeof(text));
	if (uvrc != 0) {
		/* Nothing half-open stays: both sockets or none. */
		close_handle((uv_handle_t *)&srv->udp, &srv->udp_open);
		close_handle((uv_handle_t *)&srv->tcp, &srv->tcp_open);
		close_handle((uv_handle_t *)&srv->sweep, &srv->sweep_open);
		dns_server_free(srv);
		if (cfg->explicit_addr || uvrc != UV_EADDRINUSE)
			return log_err(err, RUMOR_EIO, "dns: bind %s %s: %s",
				       proto, text, uv_strerror(uvrc));
		log_line(LOG_WARN, "dns: %s %s is in use: no DNS interface "
			 "(--dns IP:PORT for another address, --dns off to "
			 "say so)", proto, text);
		return 0;
	}
	bool loopback = (cfg->addr.ip >> 24) == 127;
	log_line(loopback ? LOG_INFO : LOG_WARN,
		 "dns: listening on %s (udp, tcp)%s", text,
		 loopback ? "" : ", not loopback: whoever reaches it can read "
				 "the catalog");
	return 0;
}

void
dns_server_close(struct dns_server *srv)
{
	if (srv->closed)
		return;
	srv->closed = true;
	close_handle((uv_handle_t *)&srv->udp, &srv->udp_open);
	close_handle((uv_handle_t *)&srv->tcp, &srv->tcp_open);
	close_handle((uv_handle_t *)&srv->sweep, &srv->sweep_open);
	struct list *it, *tmp;
	list_foreach_safe(it, tmp, &srv->conns)
		conn_close(list_entry(it, struct dns_conn, link));
	dns_server_free(srv);
}
