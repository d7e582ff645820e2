/*
 * http_server: libmicrohttpd in the agent's loop (see http_server.h).
 *
 * MHD calls on_request() for a request at least twice: once when its
 * headers are in (we route it, parse its query and may refuse it at
 * once), then with each piece of its body, then once with none (the
 * request is whole: we answer it, or suspend it when it blocks). A
 * suspended request is resumed by http_server_pump() or by the timer,
 * and MHD then calls on_request() once more, where it is answered.
 * A resumed connection is only taken up by MHD's next MHD_run() (in
 * external epoll mode nothing wakes its descriptor for it), so whoever
 * wakes queries runs MHD right after. MHD_run() is never entered twice:
 * whatever a request sets off in the agent (a registration pumps the
 * node, which may wake blocking queries) only resumes connections and
 * asks the run it is inside of for one more round.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli/http/http_consul.h"
#include "cli/http/http_prom.h"
#include "cli/http/http_register.h"
#include "cli/http/http_route.h"
#include "http_answer.h"
#include "http_server.h"
#include "rumor/error.h"

/** What /v1/agent/self says we are. */
#define HTTP_SERVER_VERSION "rumor"
#define HTTP_LISTEN_BACKLOG 128

const int http_server_status_codes[http_server_status_MAX] = {
#define HTTP_SERVER_STATUS_CODE_(code) code,
	HTTP_SERVER_STATUS_CODES(HTTP_SERVER_STATUS_CODE_)
#undef HTTP_SERVER_STATUS_CODE_
};

/* One request, from its headers to its answer (MHD's con_cls). */
struct http_req {
	struct http_server *srv;
	struct MHD_Connection *conn;
	struct http_match match;
	struct http_query query;
	/* An answer is queued: later calls have nothing to do. */
	bool answered;
	/* Not 0: refuse with this once the body is in (413, 400). */
	int refuse;
	const char *refuse_why;
	/* The body, up to HTTP_SERVER_BODY_MAX; bytes dropped past it. */
	char *body;
	size_t body_size;
	size_t dropped;
	/* Waiting in srv->parked until deadline_ms or a change of the
	 * answer away from index (its query's hash: key). */
	bool parked;
	bool resumed;
	struct list link;
	uint64_t deadline_ms;
	uint64_t key;
};

static void
server_run(struct http_server *srv);

/* ---- answers ------------------------------------------------------------ */

static enum http_server_status
status_slot(int code)
{
	for (int i = 0; i < http_server_status_MAX; i++) {
		if (http_server_status_codes[i] == code)
			return (enum http_server_status)i;
	}
	return HTTP_SERVER_STATUS_500;
}

/* Queue an answer: body (malloc'd, taken; NULL for none) with its type,
 * and the blocking index when not 0. */
static enum MHD_Result
respond(struct http_req *r, int code, char *body, size_t size,
	const char *type, uint64_t index)
{
	struct http_server *srv = r->srv;
	r->answered = true;
	struct MHD_Response *res =
		body != NULL
			? MHD_create_response_from_buffer(size, body,
							  MHD_RESPMEM_MUST_FREE)
			: MHD_create_response_from_buffer(0, (void *)"",
							  MHD_RESPMEM_PERSISTENT);
	if (res == NULL) {
		free(body);
		return MHD_NO;
	}
	if (type != NULL)
		MHD_add_response_header(res, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (index != 0) {
		char text[24];
		snprintf(text, sizeof(text), "%llu", (unsigned long long)index);
		MHD_add_response_header(res, "X-Consul-Index", text);
		MHD_add_response_header(res, "X-Consul-Knownleader", "true");
		MHD_add_response_header(res, "X-Consul-Lastcontact", "0");
	}
	if (code == 405 && r->match.allow != NULL)
		MHD_add_response_header(res, MHD_HTTP_HEADER_ALLOW,
					r->match.allow);
	enum MHD_Result rc = MHD_queue_response(r->conn, (unsigned)code, res);
	MHD_destroy_response(res);
	srv->stats.status[status_slot(code)]++;
	if (code >= 400 && code < 500)
		srv->stats.bad_requests++;
	return rc;
}

/* An error answer: {"error": why}. */
static enum MHD_Result
respond_error(struct http_req *r, int code, const char *why)
{
	struct http_buf b;
	http_buf_init(&b);
	http_consul_error(&b, why);
	if (b.failed != 0) {
		http_buf_destroy(&b);
		return MHD_NO;
	}
	size_t size;
	char *body = http_buf_take(&b, &size);
	return respond(r, code, body, size, "application/json", 0);
}

/* A body the answer builders made (rc their verdict). */
static enum MHD_Result
respond_buf(struct http_req *r, int rc, struct http_buf *b, const char *type,
	    uint64_t index)
{
	if (rc != 0) {
		http_buf_destroy(b);
		return respond_error(r, 500, rc == RUMOR_ETOOBIG
					       ? "response too large"
					       : rumor_strerror(rc));
	}
	size_t size;
	char *body = http_buf_take(b, &size);
	return respond(r, 200, body, size, type, index);
}

/* A catalog verdict as an HTTP status. */
static int
status_of(int rc)
{
	switch (rc) {
	case 0:
		return 200;
	case RUMOR_ENOTFOUND:
		return 404;
	case RUMOR_EINVAL:
	case RUMOR_ETOOBIG:
	case RUMOR_ELIMIT:
	case RUMOR_ESTATE:
		return 400;
	default:
		return 500;
	}
}

/* ---- routes ------------------------------------------------------------- */

/* The body of a read route (not /metrics) into b. */
static int
read_body(struct http_server *srv, const struct http_req *r,
	  struct http_buf *b)
{
	switch (r->match.route) {
	case HTTP_ROUTE_MEMBERS:
		return http_answer_members(srv->node, b);
	case HTTP_ROUTE_SELF:
		return http_answer_self(srv->node, HTTP_SERVER_VERSION, b);
	case HTTP_ROUTE_SERVICES:
		return http_answer_services(srv->node, b);
	case HTTP_ROUTE_HEALTH:
		return http_answer_health(srv->node, r->match.arg, &r->query,
					  b);
	default:
		return RUMOR_EINVAL;
	}
}

/* The hash naming a blocking query: its route and what filters it. */
static uint64_t
query_key(const struct http_req *r)
{
	struct http_buf k;
	http_buf_init(&k);
	http_buf_printf(&k, "%d/%s/%d", (int)r->match.route, r->match.arg,
			(int)r->query.passing);
	for (size_t i = 0; i < r->query.tag_count; i++)
		http_buf_printf(&k, "/%s", r->query.tags[i]);
	uint64_t key = http_hash(k.data, k.size);
	http_buf_destroy(&k);
	return key;
}

/* The index the registry is at (never 0). */
static uint64_t
generation(const struct http_server *srv)
{
	return registry_generation(node_registry(srv->node)) + 1;
}

/* The index of a blocking query's answer in b (already built). */
static uint64_t
index_of(struct http_server *srv, uint64_t key, const struct http_buf *b)
{
	return http_index_update(&srv->index, key, http_hash(b->data, b->size),
				 generation(srv));
}

/* Wait for a change: MHD keeps the connection until it is resumed. */
static enum MHD_Result
park(struct http_req *r, uint64_t now_ms)
{
	struct http_server *srv = r->srv;
	if (srv->stats.blocking == HTTP_SERVER_BLOCKING_MAX) {
		srv->stats.blocking_refused++;
		return respond_error(r, 429, "too many blocking queries "
					     "waiting; try again later");
	}
	uint64_t wait = r->query.wait_ms;
	uint64_t jitter = swim_rand_below(&srv->rand, wait / 16 + 1);
	r->deadline_ms = now_ms + wait + jitter;
	r->parked = true;
	list_insert_tail(&srv->parked, &r->link);
	srv->stats.blocking++;
	MHD_suspend_connection(r->conn);
	return MHD_YES;
}

/* A blocking route's answer into b, and its index: from the cache while
 * the registry has not moved, else built (and kept). */
static int
blocking_body(struct http_server *srv, struct http_req *r,
	      struct http_buf *b, uint64_t *index)
{
	r->key = query_key(r);
	uint64_t gen = generation(srv);
	struct http_cached *c = &srv->cache[r->key % HTTP_SERVER_CACHE_SLOTS];
	if (c->key == r->key && c->generation == gen) {
		http_buf_put(b, c->body, c->size);
		*index = c->index;
		return b->failed;
	}
	int rc = read_body(srv, r, b);
	if (rc != 0)
		return rc;
	*index = index_of(srv, r->key, b);
	if (b->size > HTTP_SERVER_CACHE_BODY_MAX)
		return 0;
	char *copy = c->size >= b->size ? c->body : realloc(c->body, b->size);
	if (copy == NULL && b->size > 0)
		return 0;
	memcpy(copy, b->data, b->size);
	*c = (struct http_cached){.key = r->key, .generation = gen,
				  .index = *index, .body = copy,
				  .size = b->size};
	return 0;
}

static enum MHD_Result
route_read(struct http_req *r)
{
	struct http_server *srv = r->srv;
	struct http_buf b;
	http_buf_init(&b);
	if (r->match.route == HTTP_ROUTE_METRICS) {
		srv->metrics(srv, &b);
		return respond_buf(r, b.failed, &b, HTTP_PROM_CONTENT_TYPE, 0);
	}
	uint64_t index = 0;
	int rc = r->match.blocking ? blocking_body(srv, r, &b, &index)
				   : read_body(srv, r, &b);
	if (rc == 0 && r->match.blocking && r->query.has_index &&
	    r->query.index == index && r->query.wait_ms > 0 && !r->resumed) {
		http_buf_destroy(&b);
		return park(r, uv_now(srv->loop));
	}
	return respond_buf(r, rc, &b, "application/json", index);
}

static enum MHD_Result
route_change(struct http_req *r)
{
	struct http_server *srv = r->srv;
	char err[LOG_ERR_SIZE];
	uint64_t now = uv_now(srv->loop);
	int rc;
	if (r->match.route == HTTP_ROUTE_REGISTER) {
		struct service *s = NULL;
		char why[HTTP_WHY_SIZE];
		rc = http_register_decode(&s, r->body ? r->body : "",
					  r->body_size, why);
		if (rc == RUMOR_EINVAL) {
			srv->stats.bad_bodies++;
			return respond_error(r, 400, why);
		}
		if (rc == 0)
			rc = catalog_register(srv->catalog, s, now, err);
		else
			log_err(err, rc, "%s", why);
		free(s);
	} else if (r->match.route == HTTP_ROUTE_DEREGISTER) {
		rc = catalog_deregister(srv->catalog, r->match.arg, now, err);
	} else {
		rc = catalog_pass(srv->catalog, r->match.arg, now, err);
	}
	if (rc != 0)
		return respond_error(r, status_of(rc), err);
	enum MHD_Result res = respond(r, 200, NULL, 0, NULL, 0);
	srv->changed(srv);
	return res;
}

/* ---- requests ----------------------------------------------------------- */

struct query_ctx {
	struct http_query *q;
	const char *why;
};

static enum MHD_Result
query_arg(void *cls, enum MHD_ValueKind kind, const char *key,
	  const char *value)
{
	(void)kind;
	struct query_ctx *ctx = cls;
	return http_query_set(ctx->q, key, value, &ctx->why) == 0 ? MHD_YES
								   : MHD_NO;
}

/* A request's headers are in: route it and refuse what we can now. */
static enum MHD_Result
request_begin(struct http_server *srv, struct MHD_Connection *conn,
	      const char *url, const char *method, void **con_cls)
{
	struct http_req *r = calloc(1, sizeof(*r));
	if (r == NULL)
		return MHD_NO;
	*con_cls = r;
	r->srv = srv;
	r->conn = conn;
	list_init(&r->link);
	http_query_init(&r->query);
	srv->stats.requests++;
	if (http_route_match(&r->match, method, url) != 200)
		return respond_error(r, r->match.status, r->match.why);
	struct query_ctx ctx = {&r->query, NULL};
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, query_arg, &ctx);
	if (ctx.why != NULL)
		return respond_error(r, 400, ctx.why);
	const char *len = MHD_lookup_connection_value(
		conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (len != NULL && strtoull(len, NULL, 10) > HTTP_SERVER_BODY_MAX)
		return respond_error(r, 413, "request body too large (at most "
					     "65536 bytes)");
	return MHD_YES;
}

/* A piece of the body. */
static enum MHD_Result
request_body(struct http_req *r, const char *data, size_t size)
{
	if (r->dropped > 0 || r->body_size + size > HTTP_SERVER_BODY_MAX) {
		r->dropped += size;
		r->refuse = 413;
		r->refuse_why = "request body too large (at most 65536 bytes)";
		return r->dropped > HTTP_SERVER_DISCARD_MAX ? MHD_NO : MHD_YES;
	}
	if (r->body == NULL && (r->body = malloc(HTTP_SERVER_BODY_MAX)) == NULL)
		return MHD_NO;
	memcpy(r->body + r->body_size, data, size);
	r->body_size += size;
	return MHD_YES;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url,
	   const char *method, const char *version, const char *upload,
	   size_t *upload_size, void **con_cls)
{
	(void)version;
	struct http_server *srv = cls;
	struct http_req *r = *con_cls;
	if (r == NULL)
		return request_begin(srv, conn, url, method, con_cls);
	if (r->answered) {
		*upload_size = 0;
		return MHD_YES;
	}
	if (*upload_size != 0) {
		enum MHD_Result rc = request_body(r, upload, *upload_size);
		*upload_size = 0;
		return rc;
	}
	if (r->parked) {
		/* Resumed: answer with the state as it is now. */
		r->parked = false;
		r->resumed = true;
		if (srv->closed)
			return respond_error(r, 503, "the agent is shutting "
						     "down");
	}
	if (r->refuse != 0)
		return respond_error(r, r->refuse, r->refuse_why);
	return r->match.route == HTTP_ROUTE_REGISTER ||
			       r->match.route == HTTP_ROUTE_DEREGISTER ||
			       r->match.route == HTTP_ROUTE_PASS
		       ? route_change(r)
		       : route_read(r);
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
	     enum MHD_RequestTerminationCode toe)
{
	(void)conn;
	(void)toe;
	struct http_server *srv = cls;
	struct http_req *r = *con_cls;
	if (r == NULL)
		return;
	if (r->parked) {
		list_remove(&r->link);
		srv->stats.blocking--;
	}
	free(r->body);
	free(r);
	*con_cls = NULL;
}

static void
on_connection(void *cls, struct MHD_Connection *conn, void **socket_ctx,
	      enum MHD_ConnectionNotificationCode code)
{
	(void)conn;
	(void)socket_ctx;
	struct http_server *srv = cls;
	if (code == MHD_CONNECTION_NOTIFY_STARTED)
		srv->stats.conns_open++;
	else if (srv->stats.conns_open > 0)
		srv->stats.conns_open--;
}

/* What MHD reports on its own: a request it refused (malformed, headers
 * too large) or a connection it gave up; counted, logged at a limited
 * rate. */
__attribute__((format(printf, 2, 0))) static void
on_log(void *cls, const char *fmt, va_list ap)
{
	struct http_server *srv = cls;
	char text[256];
	vsnprintf(text, sizeof(text), fmt, ap);
	/* One line, without the HTML page MHD quotes for its own errors. */
	text[strcspn(text, "\n")] = '\0';
	char *page = strstr(text, " ('<");
	if (page != NULL)
		strcpy(page, ")");
	srv->stats.protocol_errors++;
	log_limited(&srv->limit_log, uv_now(srv->loop), LOG_WARN, "http: %s",
		    text);
}

/* ---- the loop ----------------------------------------------------------- */

/* Resume a waiting query: MHD answers it on its next run. */
static void
wake(struct http_req *r)
{
	list_remove(&r->link);
	r->srv->stats.blocking--;
	MHD_resume_connection(r->conn);
}

/* Whether a waiting query's answer is no longer at its index. */
static bool
changed(struct http_server *srv, struct http_req *r)
{
	uint64_t index;
	if (http_index_known(&srv->index, r->key, generation(srv), &index))
		return index != r->query.index;
	struct http_buf b;
	http_buf_init(&b);
	int rc = read_body(srv, r, &b);
	if (rc == 0)
		index = index_of(srv, r->key, &b);
	http_buf_destroy(&b);
	/* One that cannot be computed now is answered (with the error). */
	return rc != 0 || index != r->query.index;
}

/* Wake the waiting queries whose time is up, and, when the registry
 * moved, those whose answer changed. */
static void
check_parked(struct http_server *srv, uint64_t now_ms)
{
	bool moved = srv->generation != generation(srv);
	srv->generation = generation(srv);
	struct list *it, *tmp;
	list_foreach_safe(it, tmp, &srv->parked) {
		struct http_req *r = list_entry(it, struct http_req, link);
		if (now_ms >= r->deadline_ms || (moved && changed(srv, r)))
			wake(r);
	}
}

static void
timer_fired(uv_timer_t *t);

/* Arm the timer at MHD's next timeout or the first wait's end. */
static void
rearm(struct http_server *srv)
{
	if (srv->daemon == NULL || srv->closed)
		return;
	uint64_t now = uv_now(srv->loop), next = UINT64_MAX;
	MHD_UNSIGNED_LONG_LONG ms;
	if (MHD_get_timeout(srv->daemon, &ms) == MHD_YES)
		next = now + ms;
	struct list *it;
	list_foreach(it, &srv->parked) {
		struct http_req *r = list_entry(it, struct http_req, link);
		if (r->deadline_ms < next)
			next = r->deadline_ms;
	}
	if (next == UINT64_MAX)
		uv_timer_stop(&srv->timer);
	else
		uv_timer_start(&srv->timer, timer_fired,
			       next > now ? next - now : 0, 0);
}

static void
finish_close(struct http_server *srv);

/* Let MHD do what is ready: accept, read, answer, write, time out. */
static void
server_run(struct http_server *srv)
{
	if (srv->daemon == NULL || srv->in_run)
		return;
	srv->in_run = true;
	do {
		srv->run_again = false;
		MHD_run(srv->daemon);
	} while (srv->run_again && !srv->close_pending);
	srv->in_run = false;
	if (srv->close_pending)
		finish_close(srv);
	else
		rearm(srv);
}

static void
timer_fired(uv_timer_t *t)
{
	struct http_server *srv = t->data;
	check_parked(srv, uv_now(srv->loop));
	server_run(srv);
}

static void
poll_ready(uv_poll_t *p, int status, int events)
{
	(void)status;
	(void)events;
	server_run(p->data);
}

void
http_server_pump(struct http_server *srv)
{
	if (srv->daemon == NULL || srv->closed || list_empty(&srv->parked) ||
	    srv->generation == generation(srv))
		return;
	check_parked(srv, uv_now(srv->loop));
	/* MHD answers the woken ones when it runs next: now, or right
	 * after the run we are inside of (a registration over HTTP). */
	if (srv->in_run)
		srv->run_again = true;
	else
		server_run(srv);
}

/* ---- start and stop ----------------------------------------------------- */

void
http_server_init(struct http_server *srv, uv_loop_t *loop,
		 struct node *node, struct catalog *catalog,
		 uint64_t rand_seed, http_server_changed_cb changed_cb,
		 http_server_metrics_cb metrics)
{
	*srv = (struct http_server){.loop = loop, .node = node,
				    .catalog = catalog, .changed = changed_cb,
				    .metrics = metrics};
	list_init(&srv->parked);
	http_index_init(&srv->index);
	swim_rand_init(&srv->rand, rand_seed);
}

/* A listening socket at addr: the descriptor, or -errno. */
static int
listen_at(const struct swim_addr *addr)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			0);
	if (fd < 0)
		return -errno;
	int on = 1;
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons(addr->port),
				 .sin_addr.s_addr = htonl(addr->ip)};
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 ||
	    bind(fd, (const struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(fd, HTTP_LISTEN_BACKLOG) != 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

static struct MHD_Daemon *
daemon_start(struct http_server *srv, int fd)
{
	return MHD_start_daemon(
		MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG,
		0, NULL, NULL, on_request, srv,
		/* First, so that MHD logs nothing by itself. */
		MHD_OPTION_EXTERNAL_LOGGER, on_log, srv,
		MHD_OPTION_LISTEN_SOCKET, fd,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTP_SERVER_CONNS_MAX,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_SERVER_IDLE_S,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT,
		(size_t)HTTP_SERVER_HEADER_MAX,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
		MHD_OPTION_STRICT_FOR_CLIENT, 1,
		MHD_OPTION_END);
}

int
http_server_start(struct http_server *srv, const struct swim_addr *addr,
		  bool required, char *err)
{
	swim_addr_str(addr, srv->addr, sizeof(srv->addr));
	int fd = listen_at(addr);
	if (fd == -EADDRINUSE && !required) {
		srv->busy = true;
		return 0;
	}
	if (fd < 0)
		return log_err(err, RUMOR_EIO, "http %s: %s", srv->addr,
			       log_strerror(-fd));
	srv->daemon = daemon_start(srv, fd);
	const union MHD_DaemonInfo *info =
		srv->daemon ? MHD_get_daemon_info(srv->daemon,
						  MHD_DAEMON_INFO_EPOLL_FD)
			    : NULL;
	if (info == NULL) {
		if (srv->daemon != NULL)
			MHD_stop_daemon(srv->daemon);
		else
			close(fd);
		srv->daemon = NULL;
		return log_err(err, RUMOR_EIO, "http %s: cannot start the "
			       "HTTP server", srv->addr);
	}
	uv_timer_init(srv->loop, &srv->timer);
	srv->timer.data = srv;
	srv->timer_open = true;
	int rc = uv_poll_init(srv->loop, &srv->poll, info->epoll_fd);
	if (rc == 0) {
		srv->poll.data = srv;
		srv->poll_open = true;
		rc = uv_poll_start(&srv->poll, UV_READABLE, poll_ready);
	}
	if (rc != 0)
		return log_err(err, RUMOR_EIO, "http %s: %s", srv->addr,
			       uv_strerror(rc));
	srv->generation = generation(srv);
	srv->public = (addr->ip >> 24) != 127;
	rearm(srv);
	return 0;
}

void
http_server_announce(const struct http_server *srv)
{
	if (srv->busy)
		log_line(LOG_WARN, "http %s: %s; the HTTP API is off (choose "
			 "another with --http IP:PORT)", srv->addr,
			 log_strerror(EADDRINUSE));
	if (srv->daemon == NULL)
		return;
	log_line(LOG_INFO, "http API on http://%s/", srv->addr);
	if (srv->public)
		log_line(LOG_WARN, "http API on %s is reachable from other "
			 "hosts: whoever can connect can register and "
			 "deregister services", srv->addr);
}

void
http_server_stats(const struct http_server *srv,
		  struct http_server_stats *out)
{
	*out = srv->stats;
}

/* The waiting queries answered (503), the handles closed, MHD stopped:
 * MHD refuses to stop while a connection is suspended. */
static void
finish_close(struct http_server *srv)
{
	srv->close_pending = false;
	struct list *it, *tmp;
	list_foreach_safe(it, tmp, &srv->parked)
		wake(list_entry(it, struct http_req, link));
	srv->in_run = true;
	MHD_run(srv->daemon);
	srv->in_run = false;
	/* Stop watching the descriptor before MHD closes it. */
	if (srv->poll_open && !uv_is_closing((uv_handle_t *)&srv->poll))
		uv_close((uv_handle_t *)&srv->poll, NULL);
	if (srv->timer_open && !uv_is_closing((uv_handle_t *)&srv->timer))
		uv_close((uv_handle_t *)&srv->timer, NULL);
	srv->poll_open = srv->timer_open = false;
	MHD_stop_daemon(srv->daemon);
	srv->daemon = NULL;
}

void
http_server_close(struct http_server *srv)
{
	if (srv->closed)
		return;
	srv->closed = true;
	for (size_t i = 0; i < HTTP_SERVER_CACHE_SLOTS; i++) {
		free(srv->cache[i].body);
		srv->cache[i] = (struct http_cached){.key = 0};
	}
	if (srv->daemon == NULL)
		return;
	if (srv->in_run)
		srv->close_pending = true;
	else
		finish_close(srv);
}
