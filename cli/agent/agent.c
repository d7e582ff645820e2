/*
 * agent: drives struct node with libuv.
 *
 * The loop is the one every driver of the core runs (membership/node.h):
 * apply one input (a datagram, a stream frame, the timer, a join or a
 * leave), then agent_pump() drains what the node wants done: datagrams
 * are sent with uv_udp_try_send, stream requests become push-pull
 * connections (pushpull.c), events become log lines, registry changes go
 * to the socket's watchers (answer.c), and the single timer is re-armed
 * at the node's next deadline. Nothing here decides anything about
 * membership.
 *
 * Each request on the local socket is dispatched once, in
 * agent_request(): the ones that change something go to the catalog
 * (register, deregister, pass) or to the node (leave), and only these
 * are followed by a pump; the ones that only read are answered by
 * answer.c from the node as it is.
 *
 * Start-up order and shutdown: agent.h.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <uv.h>

#include <sodium.h>

#include "admin.h"
#include "agent.h"
#include "answer.h"
#include "catalog.h"
#include "config.h"
#include "datadir.h"
#include "dns_server.h"
#include "http_server.h"
#include "ipc_server.h"
#include "log.h"
#include "membership/node.h"
#include "monitor.h"
#include "pushpull.h"
#include "rumor/error.h"
#include "udpsock.h"

/** After a leave completes, let the replies drain this long. */
#define AGENT_EXIT_GRACE_MS 100
/** While leaving, look at node_leave_done() at least this often. */
#define AGENT_LEAVE_POLL_MS 100
/** UDP receive buffer: any IPv4 datagram fits, so none is truncated;
 *  AGENT_RECV_BATCH of them per system call (recvmmsg, where libuv has
 *  it), so a flood costs fewer calls. Pages of it the kernel never
 *  writes cost no memory. */
#define AGENT_RECV_SIZE 65536
#define AGENT_RECV_BATCH 16

enum agent_signal {
	AGENT_SIGINT,
	AGENT_SIGTERM,
	AGENT_SIGHUP,
	agent_signal_MAX
};

struct agent {
	const struct agent_config *cfg;
	uv_loop_t loop;
	uv_udp_t udp;
	uv_timer_t timer;
	uv_signal_t signals[agent_signal_MAX];
	struct node *node;
	struct datadir datadir;
	struct pushpull pushpull;
	struct ipc_server ipc;
	struct catalog catalog;
	struct answer answer;
	struct dns_server dns;
	struct http_server http;
	struct admin admin;
	struct monitor monitor;
	struct seeds seeds;
	uint64_t start_ms;
	/** pushpull.answers seen: a `rumor join` waits for them. */
	uint64_t answers_seen;
	bool leaving;
	/** The leave is done; shut down at exit_at_ms. */
	bool exiting;
	uint64_t exit_at_ms;
	/** Handles are closing; the loop is winding down. */
	bool closed;
	int exit_status;
	/** The last line we logged about ourselves, to skip repeats. */
	enum swim_status self_status;
	uint64_t self_incarnation;
	/** Counters for `rumor stats`. */
	uint64_t send_failures;
	uint64_t send_eagain;
	uint64_t recv_oversize;
	/** The receive buffer the kernel granted (udpsock_tune). */
	size_t udp_rcvbuf;
	struct log_limit limit_drop[node_drop_MAX];
	struct log_limit limit_oversize;
	struct log_limit limit_send;
	struct log_limit limit_recv;
	uint8_t recv_buf[AGENT_RECV_BATCH * AGENT_RECV_SIZE];
};

#define agent_of(ptr, member) \
	((struct agent *)((char *)(ptr) - offsetof(struct agent, member)))

static uint64_t
agent_now(struct agent *a)
{
	uv_update_time(&a->loop);
	return uv_now(&a->loop);
}

/* The wall clock (ms since the Unix epoch): sealed frames carry it, and
 * a receiver refuses frames stamped too far from its own (replay
 * protection, membership/node_replay.h). */
static uint64_t
agent_wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
agent_close(struct agent *a);

/* ---- output ------------------------------------------------------------- */

static void
log_member(const char *name, const char *what, enum swim_status status,
	   const struct swim_addr *addr, uint64_t incarnation)
{
	char text[32];
	swim_addr_str(addr, text, sizeof(text));
	/* A benchmark adapter parses exactly this shape. Suspect and
	 * failed are warnings; alive, left and updates news. */
	bool bad = status == SWIM_STATUS_SUSPECT ||
		   status == SWIM_STATUS_FAILED;
	log_line(bad && what == NULL ? LOG_WARN : LOG_INFO,
		 "member %s %s %s incarnation=%llu", name,
		 what != NULL ? what : swim_status_strs[status], text,
		 (unsigned long long)incarnation);
}

static void
agent_log_event(struct agent *a, const struct swim_event *ev)
{
	if (ev->type == SWIM_EVENT_REMOVED) {
		char text[32];
		log_line(LOG_INFO, "member %s removed %s", ev->name,
			 swim_addr_str(&ev->addr, text, sizeof(text)));
		return;
	}
	if (ev->is_self) {
		/* The ready line already said "alive" at this incarnation. */
		if (ev->status == a->self_status &&
		    ev->incarnation == a->self_incarnation &&
		    ev->type == SWIM_EVENT_STATUS)
			return;
		a->self_status = ev->status;
		a->self_incarnation = ev->incarnation;
	}
	log_member(ev->name, ev->type == SWIM_EVENT_UPDATE ? "updated" : NULL,
		   ev->status, &ev->addr, ev->incarnation);
}

static void
agent_send(struct agent *a, const struct node_datagram *dg)
{
	struct sockaddr_in sa = {
		.sin_family = AF_INET,
		.sin_port = htons(dg->to.port),
		.sin_addr.s_addr = htonl(dg->to.ip),
	};
	uv_buf_t buf = uv_buf_init((char *)dg->data, (unsigned)dg->size);
	int rc = uv_udp_try_send(&a->udp, &buf, 1,
				 (const struct sockaddr *)&sa);
	if (rc >= 0)
		return;
	/* A full socket buffer: the protocol tolerates loss, count it. */
	if (rc == UV_EAGAIN) {
		a->send_eagain++;
		return;
	}
	a->send_failures++;
	char to[32];
	log_limited(&a->limit_send, agent_now(a), LOG_WARN,
		    "send to %s failed: %s",
		    swim_addr_str(&dg->to, to, sizeof(to)), uv_strerror(rc));
}

static void
timer_fired(uv_timer_t *t);

/* Drain everything the node wants done, then re-arm the one timer. */
static void
agent_pump(struct agent *a)
{
	if (a->closed)
		return;
	struct node_datagram dg;
	while (node_poll_datagram(a->node, &dg))
		agent_send(a, &dg);
	struct swim_stream_req req;
	while (node_poll_stream(a->node, &req))
		pushpull_connect(&a->pushpull, &req);
	struct swim_event ev;
	while (node_poll_event(a->node, &ev)) {
		agent_log_event(a, &ev);
		dns_server_member_event(&a->dns, &ev);
		answer_member_event(&a->answer, &a->ipc, &ev);
	}
	answer_pump(&a->answer, &a->ipc);
	admin_pump(&a->admin);
	http_server_pump(&a->http);
	uint64_t now = agent_now(a);
	if (a->leaving && !a->exiting && node_leave_done(a->node, now)) {
		log_line(LOG_INFO, "left the cluster");
		a->exiting = true;
		a->exit_at_ms = now + AGENT_EXIT_GRACE_MS;
		ipc_server_answer_deferred(&a->ipc);
	}
	if (a->exiting && now >= a->exit_at_ms) {
		agent_close(a);
		return;
	}
	uint64_t next = node_next_deadline_ms(a->node);
	uint64_t ttl = catalog_next_deadline_ms(&a->catalog);
	if (ttl < next)
		next = ttl;
	if (a->exiting && a->exit_at_ms < next)
		next = a->exit_at_ms;
	if (a->leaving && !a->exiting && now + AGENT_LEAVE_POLL_MS < next)
		next = now + AGENT_LEAVE_POLL_MS;
	if (next == UINT64_MAX) {
		uv_timer_stop(&a->timer);
		return;
	}
	uv_timer_start(&a->timer, timer_fired, next > now ? next - now : 0,
		       0);
}

/* A health check changed a service: announce it now. */
static void
agent_pump_cb(void *arg)
{
	agent_pump(arg);
}

/* ---- inputs ------------------------------------------------------------ */

static void
timer_fired(uv_timer_t *t)
{
	struct agent *a = t->data;
	uint64_t now = agent_now(a);
	/* Follow steps of the wall clock (NTP, an operator). */
	node_set_wall_clock(a->node, now, agent_wall_ms());
	node_handle_timeout(a->node, now);
	catalog_tick(&a->catalog, now);
	agent_pump(a);
}

static void
udp_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	(void)suggested;
	struct agent *a = h->data;
	*buf = uv_buf_init((char *)a->recv_buf, sizeof(a->recv_buf));
}

static void
udp_drop_oversize(struct agent *a, const struct swim_addr *from,
		  size_t size)
{
	char text[32];
	a->recv_oversize++;
	log_limited(&a->limit_oversize, agent_now(a), LOG_WARN,
		    "drop oversize datagram (%zu bytes) from %s", size,
		    swim_addr_str(from, text, sizeof(text)));
}

static void
udp_read(uv_udp_t *h, ssize_t nread, const uv_buf_t *buf,
	 const struct sockaddr *sa, unsigned flags)
{
	struct agent *a = h->data;
	if (nread < 0) {
		log_limited(&a->limit_recv, agent_now(a), LOG_WARN,
			    "udp receive failed: %s", uv_strerror((int)nread));
		return;
	}
	if (sa == NULL || sa->sa_family != AF_INET)
		return; /* nothing more to read, or not IPv4 */
	const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
	struct swim_addr from = {.ip = ntohl(in->sin_addr.s_addr),
				 .port = ntohs(in->sin_port)};
	if ((flags & UV_UDP_PARTIAL) != 0 || nread > NODE_DATAGRAM_MAX) {
		udp_drop_oversize(a, &from, (size_t)nread);
		return;
	}
	uint64_t now = agent_now(a);
	enum node_drop drop = node_handle_datagram(
		a->node, now, &from, (const uint8_t *)buf->base,
		(size_t)nread);
	if (drop != NODE_DROP_NONE) {
		char text[32];
		/* Replay protection refuses frames of a clock far from
		 * ours as it refuses replays: say which it may be. */
		const char *hint =
			drop == NODE_DROP_CLOCK
				? " (stamped over 30 s ahead of our clock: "
				  "check the clocks)"
			: drop == NODE_DROP_STALE
				? " (a replay, or a clock over 30 s behind "
				  "ours)"
				: "";
		log_limited(&a->limit_drop[drop], now, LOG_WARN,
			    "drop %s from %s%s", node_drop_strs[drop],
			    swim_addr_str(&from, text, sizeof(text)), hint);
		/* Dropped before the core: nothing changed, nothing to
		 * drain (a flood of garbage costs no pump). */
		if (drop != NODE_DROP_CORE)
			return;
	}
	agent_pump(a);
}

static void
pushpull_input(struct pushpull *pp)
{
	struct agent *a = agent_of(pp, pushpull);
	if (pp->answers != a->answers_seen) {
		a->answers_seen = pp->answers;
		admin_answered(&a->admin, &pp->last_answer);
	}
	agent_pump(a);
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

/* Read the config dir and make its services ours. */
static int
config_apply(struct agent *a, char *err)
{
	struct service **list;
	size_t count;
	int rc = config_load_dir(a->cfg->config_dir, &list, &count, err);
	if (rc != 0)
		return rc;
	char why[LOG_ERR_SIZE];
	rc = catalog_set_config(&a->catalog, list, count, agent_now(a), why);
	if (rc != 0)
		log_err(err, rc, "%s: %s", a->cfg->config_dir, why);
	return rc;
}

/* SIGHUP and the configuration file: the log level and the tags take
 * effect; what needs a restart is named. A bad file changes nothing. */
static void
reload_file(struct agent *a)
{
	struct agent_reload r;
	char err[LOG_ERR_SIZE];
	if (a->cfg->reload(a->cfg->reload_arg, &r, err) != 0) {
		log_line(LOG_ERROR, "SIGHUP: %s (configuration kept)", err);
		return;
	}
	log_set_level(r.log_level);
	if (admin_set_tags(&a->admin, r.tags, r.tag_count, err) != 0)
		log_line(LOG_ERROR, "SIGHUP: tags: %s (tags kept)", err);
	if (r.not_applied[0] != '\0')
		log_line(LOG_WARN, "SIGHUP: not applied, restart the agent "
			 "to change: %s", r.not_applied);
	log_line(LOG_INFO, "SIGHUP: configuration reloaded (log level %s, "
		 "%zu tags)", log_level_strs[r.log_level], r.tag_count);
}

static void
signal_received(uv_signal_t *h, int signum)
{
	struct agent *a = h->data;
	if (signum == SIGHUP) {
		if (a->cfg->reload != NULL)
			reload_file(a);
		if (a->cfg->config_dir == NULL) {
			if (a->cfg->reload == NULL)
				log_line(LOG_INFO, "SIGHUP: no --config or "
					 "--config-dir to reload");
			agent_pump(a);
			return;
		}
		/* A bad file keeps the configuration we have. */
		char err[LOG_ERR_SIZE];
		if (config_apply(a, err) != 0)
			log_line(LOG_ERROR, "SIGHUP: %s (configuration kept)",
				 err);
		else
			log_line(LOG_INFO, "SIGHUP: %s reloaded",
				 a->cfg->config_dir);
		agent_pump(a);
		return;
	}
	if (a->leaving) {
		log_line(LOG_WARN, "second signal: exiting now");
		a->exit_status = 1;
		agent_close(a);
		return;
	}
	log_line(LOG_INFO, "%s: leaving", signum == SIGINT ? "SIGINT"
							  : "SIGTERM");
	agent_leave(a);
}

/* ---- local socket requests ------------------------------------------- */

/* Every module's counters, each through its own *_stats(). */
static void
agent_stats(struct agent *a, struct answer_stats *st)
{
	st->send_failures = a->send_failures;
	st->send_eagain = a->send_eagain;
	st->recv_oversize = a->recv_oversize;
	st->udp_rcvbuf = a->udp_rcvbuf;
	st->seed_resolutions = a->seeds.resolutions;
	st->seed_resolve_failures = a->seeds.resolve_failures;
	udpsock_drops(&a->udp, &st->udp_kernel_drops);
	pushpull_stats(&a->pushpull, &st->pushpull);
	ipc_server_stats(&a->ipc, &st->ipc);
	catalog_stats(&a->catalog, &st->catalog);
	st->ipc.monitor_dropped += monitor_dropped(&a->monitor);
	dns_server_stats(&a->dns, &st->dns);
	http_server_stats(&a->http, &st->http);
}

/* The HTTP API registered or deregistered a service. */
static void
agent_http_changed(struct http_server *srv)
{
	agent_pump(agent_of(srv, http));
}

/* GET /metrics: the same counters as `rumor stats`. */
static void
agent_http_metrics(struct http_server *srv, struct http_buf *out)
{
	struct agent *a = agent_of(srv, http);
	struct answer_stats st;
	agent_stats(a, &st);
	answer_metrics(&a->answer, &st, out);
}

/* The agent about itself, for `rumor info`. */
static void
agent_info(struct agent *a, msgpack_sbuffer *out)
{
	const struct agent_config *cfg = a->cfg;
	char addr[32], bind[32], gossip[64], http[48], dns[48];
	swim_addr_str(&cfg->advertise, addr, sizeof(addr));
	snprintf(gossip, sizeof(gossip), "udp+tcp %s",
		 swim_addr_str(&cfg->bind, bind, sizeof(bind)));
	snprintf(http, sizeof(http), "%s", !cfg->http_on ? "off"
					   : a->http.busy ? "off (busy)"
							  : a->http.addr);
	if (!cfg->dns.enabled || !a->dns.udp_open)
		snprintf(dns, sizeof(dns), "%s", cfg->dns.enabled ? "off (busy)"
								  : "off");
	else
		swim_addr_str(&cfg->dns.addr, dns, sizeof(dns));
	const struct service_kv listeners[] = {
		{"gossip", gossip}, {"socket", cfg->socket_path},
		{"http", http}, {"dns", dns},
	};
	struct ipc_info info = {
		.name = cfg->name, .addr = addr,
		.version = cfg->version ? cfg->version : "",
		.uptime_ms = agent_now(a) - a->start_ms,
		.listeners = listeners, .listener_count = 4,
		.config = cfg->settings, .config_count = cfg->setting_count,
	};
	admin_info(&a->admin, &info, out);
}

/* The one dispatch of a socket request. */
static enum ipc_server_reply
agent_request(struct ipc_server *srv, const struct ipc_request *req,
	      msgpack_sbuffer *out)
{
	struct agent *a = agent_of(srv, ipc);
	char err[LOG_ERR_SIZE];
	int rc;
	switch (req->op) {
	case IPC_OP_LEAVE:
		/* Answer once the leave is done: now if it already is (we
		 * had left, or were alone), else with the deferred ones. */
		agent_leave(a);
		if (!a->exiting)
			return IPC_SERVER_REPLY_DEFER;
		answer_ok(out);
		return IPC_SERVER_REPLY_NOW;
	case IPC_OP_REGISTER:
		rc = catalog_register(&a->catalog, req->reg.services[0],
				      agent_now(a), err);
		break;
	case IPC_OP_DEREGISTER:
		rc = catalog_deregister(&a->catalog, req->name, agent_now(a),
					err);
		break;
	case IPC_OP_PASS:
		rc = catalog_pass(&a->catalog, req->name, agent_now(a), err);
		break;
	case IPC_OP_WATCH:
		/* Pending changes go out first, to the watchers there are;
		 * the new one starts from the state after them. */
		answer_pump(&a->answer, &a->ipc);
		rc = req->admin.members ? answer_watch_members(&a->answer, out)
					: answer_watch(&a->answer, req, out);
		return rc == 0 ? IPC_SERVER_REPLY_WATCH : IPC_SERVER_REPLY_NOW;
	case IPC_OP_MONITOR:
		ipc_ok_encode(out);
		monitor_opened(&a->monitor,
			       req->admin.level_set ? (enum log_level)
							      req->admin.level
						    : LOG_INFO);
		return IPC_SERVER_REPLY_WATCH;
	case IPC_OP_JOIN:
		return admin_join(&a->admin, req, out);
	case IPC_OP_FORCE_LEAVE:
		admin_force_leave(&a->admin, req, out);
		return IPC_SERVER_REPLY_NOW;
	case IPC_OP_TAGS:
		admin_tags(&a->admin, req, out);
		return IPC_SERVER_REPLY_NOW;
	case IPC_OP_INFO:
		agent_info(a, out);
		return IPC_SERVER_REPLY_NOW;
	case IPC_OP_MEMBERS:
		answer_members(&a->answer, out);
		return IPC_SERVER_REPLY_NOW;
	case IPC_OP_STATS: {
		struct answer_stats st;
		agent_stats(a, &st);
		answer_stats(&a->answer, &st, out);
		return IPC_SERVER_REPLY_NOW;
	}
	case IPC_OP_LOOKUP:
		answer_lookup(&a->answer, req, out);
		return IPC_SERVER_REPLY_NOW;
	case IPC_OP_PICK:
		answer_pick(&a->answer, req, out);
		return IPC_SERVER_REPLY_NOW;
	case IPC_OP_SERVICES:
		answer_services(&a->answer, out);
		return IPC_SERVER_REPLY_NOW;
	default:
		answer_error(out, RUMOR_EINVAL, "unknown op");
		return IPC_SERVER_REPLY_NOW;
	}
	/* A change to our services: on error nothing changed; else the
	 * node has something to announce. */
	if (rc != 0) {
		answer_error(out, rc, err);
		return IPC_SERVER_REPLY_NOW;
	}
	answer_ok(out);
	agent_pump(a);
	return IPC_SERVER_REPLY_NOW;
}

/* ---- start and stop ----------------------------------------------------- */

static void
close_rest(uv_handle_t *h, void *arg)
{
	(void)arg;
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

/* Close every handle; the loop ends once their callbacks have run. */
static void
agent_close(struct agent *a)
{
	if (a->closed)
		return;
	a->closed = true;
	/* The modules that drive the node exist once the node does. */
	if (a->node != NULL) {
		catalog_stop(&a->catalog);
		pushpull_close(&a->pushpull);
		seeds_close(&a->seeds);
		admin_close(&a->admin);
	}
	monitor_close(&a->monitor);
	ipc_server_close(&a->ipc);
	dns_server_close(&a->dns);
	http_server_close(&a->http);
	/* What is left belongs to the agent itself: udp, timer, signals. */
	uv_walk(&a->loop, close_rest, NULL);
}

static int
udp_start(struct agent *a, char *err)
{
	const struct swim_addr *bind = &a->cfg->bind;
	struct sockaddr_in sa = {
		.sin_family = AF_INET,
		.sin_port = htons(bind->port),
		.sin_addr.s_addr = htonl(bind->ip),
	};
	/* Batched receives (one callback per datagram all the same). */
	if (uv_udp_init_ex(&a->loop, &a->udp, AF_INET | UV_UDP_RECVMMSG) != 0)
		uv_udp_init(&a->loop, &a->udp);
	a->udp.data = a;
	/* No UV_UDP_REUSEADDR: a port in use must fail, not be shared. */
	int rc = uv_udp_bind(&a->udp, (const struct sockaddr *)&sa, 0);
	if (rc == 0)
		a->udp_rcvbuf = udpsock_tune(&a->udp, UDPSOCK_RCVBUF);
	if (rc == 0)
		rc = uv_udp_recv_start(&a->udp, udp_alloc, udp_read);
	if (rc == 0)
		return 0;
	char text[32];
	return log_err(err, RUMOR_EIO, "bind udp %s: %s",
		       swim_addr_str(bind, text, sizeof(text)),
		       uv_strerror(rc));
}

/* The node, and the modules that drive it. */
static int
agent_node_start(struct agent *a, uint64_t incarnation, char *err)
{
	const struct agent_config *cfg = a->cfg;
	struct node_config ncfg = {
		.swim = cfg->swim,
		.self = {.name = cfg->name, .addr = cfg->advertise,
			 .incarnation = incarnation},
		.keyring = cfg->keyring,
	};
	randombytes_buf(ncfg.nonce_prefix, sizeof(ncfg.nonce_prefix));
	randombytes_buf(&ncfg.rand_seed, sizeof(ncfg.rand_seed));
	uint64_t start = agent_now(a);
	ncfg.wall_ms = agent_wall_ms();
	a->node = node_new(&ncfg, start);
	if (a->node == NULL)
		return log_err(err, RUMOR_ENOMEM, "cannot create the node (out "
			       "of memory or invalid configuration)");
	uint64_t pick_seed;
	randombytes_buf(&pick_seed, sizeof(pick_seed));
	answer_init(&a->answer, a->node, pick_seed);
	catalog_init(&a->catalog, a->node, &a->loop, agent_pump_cb, a);
	pushpull_init(&a->pushpull, &a->loop, a->node, pushpull_input);
	uint64_t http_seed;
	randombytes_buf(&http_seed, sizeof(http_seed));
	http_server_init(&a->http, &a->loop, a->node, &a->catalog, http_seed,
			 agent_http_changed, agent_http_metrics);
	admin_init(&a->admin, &a->loop, a->node, &a->ipc, agent_pump_cb, a);
	seeds_init(&a->seeds, &a->loop, a->node, &cfg->swim, agent_pump_cb,
		   a);
	/* The tags go out with the first announcement. */
	char why[LOG_ERR_SIZE];
	if (cfg->tag_count > 0 &&
	    admin_set_tags(&a->admin, cfg->tags, cfg->tag_count, why) != 0)
		return log_err(err, RUMOR_EINVAL, "tags: %s", why);
	return 0;
}

static void
signals_start(struct agent *a)
{
	static const int nums[agent_signal_MAX] = {SIGINT, SIGTERM, SIGHUP};
	for (int i = 0; i < agent_signal_MAX; i++) {
		uv_signal_init(&a->loop, &a->signals[i]);
		a->signals[i].data = a;
		uv_signal_start(&a->signals[i], signal_received, nums[i]);
	}
}

static int
agent_start(struct agent *a, char *err)
{
	const struct agent_config *cfg = a->cfg;
	uint64_t incarnation = 0;
	int rc = 0;
	if (cfg->data_dir != NULL)
		rc = datadir_start(&a->datadir, cfg->data_dir, &incarnation,
				   err);
	if (rc == 0)
		rc = agent_node_start(a, incarnation, err);
	if (rc == 0)
		rc = catalog_start(&a->catalog, cfg->data_dir, err);
	if (rc == 0 && cfg->config_dir != NULL) {
		char why[LOG_ERR_SIZE];
		rc = config_apply(a, why);
		if (rc != 0)
			log_err(err, rc, "config %s", why);
	}
	if (rc == 0)
		rc = udp_start(a, err);
	if (rc == 0)
		rc = pushpull_start(&a->pushpull, &cfg->bind, err);
	if (rc == 0 && cfg->http_on)
		rc = http_server_start(&a->http, &cfg->http, cfg->http_set,
				       err);
	if (rc == 0)
		rc = ipc_server_start(&a->ipc, cfg->socket_path, err);
	/* Last: it may log (where it listens, or that the default port is
	 * taken), and a start that fails says one line only. */
	if (rc == 0)
		rc = dns_server_start(&a->dns, &cfg->dns, a->node, err);
	if (rc != 0)
		return rc;
	uv_timer_init(&a->loop, &a->timer);
	a->timer.data = a;
	signals_start(a);
	http_server_announce(&a->http);
	a->self_status = SWIM_STATUS_ALIVE;
	a->self_incarnation = swim_self_incarnation(node_swim(a->node));
	log_member(cfg->name, NULL, SWIM_STATUS_ALIVE, &cfg->advertise,
		   a->self_incarnation);
	seeds_start(&a->seeds, cfg->join, cfg->join_count);
	agent_pump(a);
	return 0;
}

/* Socket clients, stream pools and checks need several hundred
 * descriptors at once under attack: take the hard limit, not the usual
 * soft 1,024 (a failure leaves the limit as it was). */
static void
raise_fd_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
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
	/* Peers that hang up must not kill us: writes return EPIPE. */
	signal(SIGPIPE, SIG_IGN);
	raise_fd_limit();
	setvbuf(stderr, NULL, _IOLBF, 0);
	int rc = uv_loop_init(&a->loop);
	if (rc != 0) {
		fprintf(stderr, "rumor: event loop: %s\n", uv_strerror(rc));
		free(a);
		return 1;
	}
	datadir_init(&a->datadir);
	ipc_server_init(&a->ipc, &a->loop, agent_request);
	monitor_init(&a->monitor, &a->loop, &a->ipc);
	a->start_ms = agent_now(a);
	dns_server_init(&a->dns, &a->loop);
	char err[LOG_ERR_SIZE];
	if (agent_start(a, err) != 0) {
		fprintf(stderr, "rumor: %s\n", err);
		a->exit_status = 1;
		agent_close(a);
	}
	uv_run(&a->loop, UV_RUN_DEFAULT);
	/* Only close callbacks can be left; run them, then the loop is
	 * empty. */
	agent_close(a);
	uv_run(&a->loop, UV_RUN_DEFAULT);
	if (uv_loop_close(&a->loop) != 0)
		log_line(LOG_ERROR, "event loop closed with handles open");
	catalog_close(&a->catalog);
	answer_close(&a->answer);
	node_delete(a->node);
	datadir_close(&a->datadir);
	int status = a->exit_status;
	free(a);
	return status;
}
