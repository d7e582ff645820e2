/*
 * answer: read-only replies (see answer.h).
 *
 * The hot one is a lookup: a service's instances, asked for again and
 * again while nothing changes. Its whole answer frame is kept in a
 * direct-mapped cache slot, tagged with the registry's generation, so a
 * repeated lookup is one hash and one copy; any change to the registry
 * moves the generation and the next lookup builds its frame afresh.
 *
 * The shapes of the frames are the protocol's (cli/ipc/ipc_proto.h);
 * this file only says what goes in them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "cli/http/http_prom.h"
#include "rumor/error.h"

/* The protocol's enums follow the core's, value for value. */
_Static_assert(SWIM_NAME_MAX == IPC_NAME_MAX, "node names fit the socket");
_Static_assert((int)swim_status_MAX == (int)ipc_status_MAX &&
		       (int)SWIM_STATUS_ALIVE == (int)IPC_STATUS_ALIVE &&
		       (int)SWIM_STATUS_SUSPECT == (int)IPC_STATUS_SUSPECT &&
		       (int)SWIM_STATUS_FAILED == (int)IPC_STATUS_FAILED &&
		       (int)SWIM_STATUS_LEFT == (int)IPC_STATUS_LEFT,
	       "member statuses");
_Static_assert((int)registry_event_type_MAX == (int)ipc_event_type_MAX &&
		       (int)REGISTRY_EVENT_ADDED == (int)IPC_EVENT_ADDED &&
		       (int)REGISTRY_EVENT_REMOVED == (int)IPC_EVENT_REMOVED &&
		       (int)REGISTRY_EVENT_HEALTH == (int)IPC_EVENT_HEALTH &&
		       (int)REGISTRY_EVENT_UPDATED == (int)IPC_EVENT_UPDATED,
	       "event types");
_Static_assert((int)registry_policy_MAX == (int)ipc_policy_MAX &&
		       (int)REGISTRY_PICK_RANDOM == (int)IPC_POLICY_RANDOM &&
		       (int)REGISTRY_PICK_ROUND_ROBIN ==
			       (int)IPC_POLICY_ROUND_ROBIN,
	       "pick policies");

/* Most answers fit the stack; a bigger one is asked again. */
#define ANSWER_LOOKUP_STACK 64
/** Most counters `rumor stats` reports. */
#define ANSWER_STATS_MAX 256

void
answer_init(struct answer *a, struct node *node, uint64_t rand_seed)
{
	a->node = node;
	swim_rand_init(&a->rand, rand_seed);
	a->cache_hits = 0;
	a->cache_misses = 0;
	for (size_t i = 0; i < ANSWER_CACHE_SLOTS; i++)
		a->cache[i] = (struct answer_cached){.generation = 0};
}

void
answer_close(struct answer *a)
{
	for (size_t i = 0; i < ANSWER_CACHE_SLOTS; i++) {
		if (a->cache[i].frame.data != NULL)
			msgpack_sbuffer_destroy(&a->cache[i].frame);
		a->cache[i] = (struct answer_cached){.generation = 0};
	}
}

void
answer_error(msgpack_sbuffer *out, int code, const char *why)
{
	msgpack_sbuffer_clear(out);
	ipc_error_encode(out, code, why);
}

void
answer_ok(msgpack_sbuffer *out)
{
	if (ipc_ok_encode(out) != 0)
		msgpack_sbuffer_clear(out);
}

/* An answer the writer could not finish (sb back as it was). */
static void
answer_failed(msgpack_sbuffer *out, int rc)
{
	answer_error(out, rc, rc == RUMOR_ETOOBIG ? "response too large"
						  : rumor_strerror(rc));
}

/* A registry instance as the protocol carries it. The registry says where
 * it is: its own address, else its node's host. */
static struct ipc_instance
instance_of(const struct registry_instance *in)
{
	const struct service *s = in->service;
	return (struct ipc_instance){
		.node = in->node, .id = s->id, .service = s->name,
		.address = in->address,
		.port = s->port, .tags = s->tags, .tag_count = s->tag_count,
		.meta = s->meta, .meta_count = s->meta_count,
		.healthy = in->healthy,
	};
}

/* A member as the socket shows it: its address written into addr (32
 * bytes), its tags decoded into tags (none when unreadable). */
static struct ipc_member
member_of(const struct swim_member_info *m, char *addr,
	  struct node_tags *tags)
{
	swim_addr_str(&m->addr, addr, 32);
	if (node_tags_decode(m->meta, m->meta_size, tags) != 0)
		tags->count = 0;
	return (struct ipc_member){
		.name = m->name, .addr = addr,
		.status = (enum ipc_status)m->status,
		.incarnation = m->incarnation, .tags = tags->tags,
		.tag_count = tags->count,
	};
}

void
answer_members(struct answer *a, msgpack_sbuffer *out)
{
	const struct swim *swim = node_swim(a->node);
	size_t count = swim_member_count(swim);
	struct ipc_writer w;
	ipc_writer_begin(&w, out, IPC_BODY_MEMBERS, count);
	struct node_tags tags;
	for (size_t i = 0; i < count; i++) {
		struct swim_member_info m;
		swim_member_at(swim, i, &m);
		char addr[32];
		struct ipc_member im = member_of(&m, addr, &tags);
		ipc_write_member(&w, &im);
	}
	int rc = ipc_writer_end(&w);
	if (rc != 0)
		answer_failed(out, rc);
}

int
answer_watch_members(struct answer *a, msgpack_sbuffer *out)
{
	const struct swim *swim = node_swim(a->node);
	size_t count = swim_member_count(swim);
	int rc = ipc_ok_encode(out);
	struct node_tags tags;
	for (size_t i = 0; rc == 0 && i < count; i++) {
		struct swim_member_info m;
		swim_member_at(swim, i, &m);
		char addr[32];
		struct ipc_member im = member_of(&m, addr, &tags);
		rc = ipc_admin_member_event_encode(out, IPC_MEMBER_STATUS,
						   &im);
	}
	if (rc != 0)
		answer_failed(out, rc);
	return rc;
}

void
answer_member_event(struct answer *a, struct ipc_server *srv,
		    const struct swim_event *ev)
{
	if (srv->streams[IPC_SERVER_STREAM_MEMBERS] == 0)
		return;
	struct swim_member_info m = {
		.name = ev->name, .addr = ev->addr, .status = ev->status,
		.incarnation = ev->incarnation, .is_self = ev->is_self,
	};
	/* The event lacks the metadata: what the member has now. A removed
	 * member has none any more. */
	struct swim_member_info now;
	if (ev->type != SWIM_EVENT_REMOVED &&
	    swim_member_find(node_swim(a->node), ev->name, &now) == 0) {
		m.meta = now.meta;
		m.meta_size = now.meta_size;
	}
	char addr[32];
	struct node_tags tags;
	struct ipc_member im = member_of(&m, addr, &tags);
	msgpack_sbuffer sb;
	msgpack_sbuffer_init(&sb);
	if (ipc_admin_member_event_encode(&sb,
					  (enum ipc_member_event)ev->type,
					  &im) == 0)
		ipc_server_stream_send(srv, IPC_SERVER_STREAM_MEMBERS, "", 0,
				       (const uint8_t *)sb.data, sb.size);
	msgpack_sbuffer_destroy(&sb);
}

struct counters {
	size_t count;
	char names[ANSWER_STATS_MAX][32];
	struct ipc_stat list[ANSWER_STATS_MAX];
};

static void
counter_add(struct counters *c, const char *prefix, const char *name,
	    uint64_t value)
{
	if (c->count == ANSWER_STATS_MAX)
		return;
	snprintf(c->names[c->count], sizeof(c->names[0]), "%s%s", prefix,
		 name);
	c->list[c->count] = (struct ipc_stat){c->names[c->count], value};
	c->count++;
}

/* The DNS interface's: queries by outcome ("dns_noerror", ...), then
 * its sockets. */
static void
collect_dns_stats(const struct dns_server_stats *d, struct counters *c)
{
	for (int i = 0; i < dns_outcome_MAX; i++)
		counter_add(c, "dns_", dns_outcome_strs[i], d->outcome[i]);
	counter_add(c, "", "dns_truncated", d->truncated);
	counter_add(c, "", "dns_udp_queries", d->udp_queries);
	counter_add(c, "", "dns_tcp_queries", d->tcp_queries);
	counter_add(c, "", "dns_udp_send_failed", d->udp_send_failed);
	counter_add(c, "", "dns_tcp_conns_accepted", d->tcp_conns_accepted);
	counter_add(c, "", "dns_tcp_conns_open", d->tcp_conns_open);
	counter_add(c, "", "dns_tcp_conns_refused", d->tcp_conns_refused);
	counter_add(c, "", "dns_tcp_conns_evicted", d->tcp_conns_evicted);
	counter_add(c, "", "dns_tcp_conns_idle_closed",
		    d->tcp_conns_idle_closed);
	counter_add(c, "", "dns_tcp_bad_frames", d->tcp_bad_frames);
}

/* The HTTP API's (cli/agent/http_server.h). */
static void
http_counters(struct counters *c, const struct http_server_stats *h)
{
	counter_add(c, "", "http_requests", h->requests);
	for (int i = 0; i < http_server_status_MAX; i++) {
		char name[4];
		snprintf(name, sizeof(name), "%03u",
			 (unsigned)http_server_status_codes[i] % 1000u);
		counter_add(c, "http_status_", name, h->status[i]);
	}
	counter_add(c, "", "http_bad_requests", h->bad_requests);
	counter_add(c, "", "http_bad_bodies", h->bad_bodies);
	counter_add(c, "", "http_protocol_errors", h->protocol_errors);
	counter_add(c, "", "http_conns_open", h->conns_open);
	counter_add(c, "", "http_blocking", h->blocking);
	counter_add(c, "", "http_blocking_refused", h->blocking_refused);
}

/* The node's counters first, then each module's, then drops by reason:
 * the order `rumor stats` prints. */
static void
collect_stats(struct answer *a, const struct answer_stats *st,
	      struct counters *c)
{
	struct node_stats ns;
	node_stats(a->node, &ns);
	const struct swim_stats *s = &ns.swim;
	const struct swim *swim = node_swim(a->node);
	struct registry *r = node_registry(a->node);
	counter_add(c, "", "members", swim_member_count(swim));
	counter_add(c, "", "incarnation", swim_self_incarnation(swim));
	counter_add(c, "", "datagrams_sent", s->datagrams_sent);
	counter_add(c, "", "datagrams_received", s->datagrams_received);
	counter_add(c, "", "bytes_sent", s->bytes_sent);
	counter_add(c, "", "bytes_received", s->bytes_received);
	counter_add(c, "", "probes_sent", s->probes_sent);
	counter_add(c, "", "probes_failed", s->probes_failed);
	counter_add(c, "", "indirect_probes", s->indirect_probes);
	counter_add(c, "", "suspicions", s->suspicions);
	counter_add(c, "", "refutations", s->refutations);
	counter_add(c, "", "pushpulls", s->pushpulls);
	counter_add(c, "", "reconnects", s->reconnects);
	counter_add(c, "", "awareness", s->awareness);
	counter_add(c, "", "broadcast_queue", s->broadcast_queue);
	counter_add(c, "", "send_failures", st->send_failures);
	counter_add(c, "", "send_eagain", st->send_eagain);
	counter_add(c, "", "recv_oversize", st->recv_oversize);
	counter_add(c, "", "udp_kernel_drops", st->udp_kernel_drops);
	counter_add(c, "", "udp_rcvbuf", st->udp_rcvbuf);
	counter_add(c, "", "seed_resolutions", st->seed_resolutions);
	counter_add(c, "", "seed_resolve_failures", st->seed_resolve_failures);
	counter_add(c, "", "streams_open", st->pushpull.streams_open);
	counter_add(c, "", "streams_started", st->pushpull.streams_started);
	counter_add(c, "", "streams_failed", st->pushpull.streams_failed);
	counter_add(c, "", "streams_refused", st->pushpull.streams_refused);
	counter_add(c, "", "streams_in", st->pushpull.streams_in);
	counter_add(c, "", "streams_refused_full",
		    st->pushpull.streams_refused_full);
	counter_add(c, "", "streams_evicted", st->pushpull.streams_evicted);
	counter_add(c, "", "streams_evicted_per_ip",
		    st->pushpull.streams_evicted_per_ip);
	counter_add(c, "", "streams_auth_timeouts",
		    st->pushpull.streams_auth_timeouts);
	counter_add(c, "", "streams_timeouts", st->pushpull.streams_timeouts);
	counter_add(c, "", "stream_bytes", st->pushpull.stream_bytes);
	counter_add(c, "", "stream_bytes_peak",
		    st->pushpull.stream_bytes_peak);
	counter_add(c, "", "ipc_requests", st->ipc.requests);
	counter_add(c, "", "ipc_bad_requests", st->ipc.bad_requests);
	counter_add(c, "", "ipc_conns_open", st->ipc.conns_open);
	counter_add(c, "", "ipc_conns_refused", st->ipc.conns_refused);
	counter_add(c, "", "ipc_conns_idle_closed",
		    st->ipc.conns_idle_closed);
	counter_add(c, "", "watchers", st->ipc.watchers);
	counter_add(c, "", "watchers_cut", st->ipc.watchers_cut);
	counter_add(c, "", "monitor_dropped", st->ipc.monitor_dropped);
	http_counters(c, &st->http);
	counter_add(c, "", "services_local", st->catalog.services_local);
	counter_add(c, "", "checks_run", st->catalog.checks.runs);
	counter_add(c, "", "checks_failed", st->catalog.checks.failures);
	counter_add(c, "", "services_cluster", registry_instance_count(r));
	counter_add(c, "", "watch_events_dropped", registry_events_dropped(r));
	counter_add(c, "", "lookup_cache_hits", a->cache_hits);
	counter_add(c, "", "lookup_cache_misses", a->cache_misses);
	counter_add(c, "", "bad_service_sets", ns.bad_service_sets);
	counter_add(c, "", "large_sets_held", ns.large_sets_held);
	counter_add(c, "", "large_sets_missing", ns.large_sets_missing);
	counter_add(c, "", "large_sets_refused", ns.large_sets_refused);
	counter_add(c, "", "set_pulls", ns.set_pulls);
	counter_add(c, "", "sets_received", ns.sets_received);
	counter_add(c, "", "replay_lives", ns.replay_lives);
	counter_add(c, "", "replay_lives_peak", ns.replay_lives_peak);
	counter_add(c, "", "replay_evictions", ns.replay_evictions);
	counter_add(c, "", "incarnations_refused", s->incarnations_refused);
	counter_add(c, "", "moves_refused", s->moves_refused);
	collect_dns_stats(&st->dns, c);
	for (int i = 1; i < swim_drop_MAX; i++)
		counter_add(c, "drop_core_", swim_drop_strs[i],
			    s->drop_count[i]);
	for (int i = 1; i < node_drop_MAX; i++)
		counter_add(c, "drop_", node_drop_strs[i], ns.drop_count[i]);
}

void
answer_stats(struct answer *a, const struct answer_stats *st,
	     msgpack_sbuffer *out)
{
	struct counters *c = malloc(sizeof(*c));
	if (c == NULL) {
		answer_error(out, RUMOR_ENOMEM, "out of memory");
		return;
	}
	c->count = 0;
	collect_stats(a, st, c);
	struct ipc_writer w;
	ipc_writer_begin(&w, out, IPC_BODY_STATS, c->count);
	for (size_t i = 0; i < c->count; i++)
		ipc_write_stat(&w, &c->list[i]);
	free(c);
	int rc = ipc_writer_end(&w);
	if (rc != 0)
		answer_failed(out, rc);
}

/* The gauges only /metrics has, counted now. */
static void
gauges(struct answer *a, const struct swim_stats *s, struct http_gauges *g)
{
	*g = (struct http_gauges){.local_health_multiplier = s->awareness + 1};
	const struct swim *swim = node_swim(a->node);
	size_t count = swim_member_count(swim);
	for (size_t i = 0; i < count; i++) {
		struct swim_member_info m;
		swim_member_at(swim, i, &m);
		if ((unsigned)m.status < swim_status_MAX)
			g->members[m.status]++;
	}
	struct registry *r = node_registry(a->node);
	size_t cap = registry_instance_count(r);
	struct registry_summary *list = malloc((cap ? cap : 1) *
					       sizeof(*list));
	size_t n = list != NULL ? registry_services(r, list, cap) : 0;
	g->services = n;
	for (size_t i = 0; i < n; i++) {
		g->instances_passing += list[i].healthy;
		g->instances_critical += list[i].total - list[i].healthy;
	}
	free(list);
}

void
answer_metrics(struct answer *a, const struct answer_stats *st,
	       struct http_buf *out)
{
	struct counters *c = malloc(sizeof(*c));
	struct http_stat *list = malloc(ANSWER_STATS_MAX * sizeof(*list));
	if (c == NULL || list == NULL) {
		free(c);
		free(list);
		out->failed = RUMOR_ENOMEM;
		return;
	}
	c->count = 0;
	collect_stats(a, st, c);
	for (size_t i = 0; i < c->count; i++)
		list[i] = (struct http_stat){c->list[i].name,
					     c->list[i].value};
	struct swim_stats ss;
	swim_stats(node_swim(a->node), &ss);
	struct http_gauges g;
	gauges(a, &ss, &g);
	http_prom_write(out, list, c->count, &g);
	free(list);
	free(c);
}

/* ---- lookups ------------------------------------------------------------ */

/* The cache slot of a lookup (FNV-1a over name, tag and the flag). */
static struct answer_cached *
cache_slot(struct answer *a, const struct ipc_request *req)
{
	uint32_t h = 2166136261u;
	for (const char *p = req->name; *p != '\0'; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	h = (h ^ 0xff) * 16777619u;
	for (const char *p = req->tag; *p != '\0'; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	h = (h ^ (uint8_t)req->all) * 16777619u;
	return &a->cache[h % ANSWER_CACHE_SLOTS];
}

/* A lookup answered from its cache slot e into the empty out; false on a
 * miss. */
static bool
cache_answer(struct answer *a, const struct answer_cached *e,
	     const struct ipc_request *req, msgpack_sbuffer *out)
{
	if (e->generation != registry_generation(node_registry(a->node)) ||
	    e->all != req->all || strcmp(e->name, req->name) != 0 ||
	    strcmp(e->tag, req->tag) != 0 ||
	    msgpack_sbuffer_write(out, e->frame.data, e->frame.size) != 0) {
		a->cache_misses++;
		return false;
	}
	a->cache_hits++;
	return true;
}

/* Keep a lookup's answer frame in its cache slot e for the next same
 * lookup. */
static void
cache_keep(struct answer *a, struct answer_cached *e,
	   const struct ipc_request *req, const msgpack_sbuffer *out)
{
	if (out->size > ANSWER_CACHE_FRAME_MAX)
		return;
	if (e->frame.data == NULL)
		msgpack_sbuffer_init(&e->frame);
	e->generation = 0;
	msgpack_sbuffer_clear(&e->frame);
	if (msgpack_sbuffer_write(&e->frame, out->data, out->size) != 0)
		return;
	strcpy(e->name, req->name);
	strcpy(e->tag, req->tag);
	e->all = req->all;
	e->generation = registry_generation(node_registry(a->node));
}

/* The lookup's frame into out: 0 or the writer's error. */
static int
lookup(struct answer *a, const struct ipc_request *req, msgpack_sbuffer *out)
{
	struct registry *r = node_registry(a->node);
	struct registry_query q = {.name = req->name,
				   .tag = req->tag[0] ? req->tag : NULL,
				   .include_critical = req->all};
	struct registry_instance small[ANSWER_LOOKUP_STACK], *list = small;
	size_t n = registry_lookup(r, &q, small, ANSWER_LOOKUP_STACK);
	if (n > ANSWER_LOOKUP_STACK) {
		list = malloc(n * sizeof(*list));
		if (list == NULL)
			return RUMOR_ENOMEM;
		n = registry_lookup(r, &q, list, n);
	}
	struct ipc_writer w;
	ipc_writer_begin(&w, out, IPC_BODY_INSTANCES, n);
	for (size_t i = 0; i < n; i++) {
		struct ipc_instance in = instance_of(&list[i]);
		ipc_write_instance(&w, &in);
	}
	if (list != small)
		free(list);
	return ipc_writer_end(&w);
}

void
answer_lookup(struct answer *a, const struct ipc_request *req,
	      msgpack_sbuffer *out)
{
	struct answer_cached *cached = cache_slot(a, req);
	if (cache_answer(a, cached, req, out))
		return;
	int rc = lookup(a, req, out);
	if (rc != 0)
		answer_failed(out, rc);
	else
		cache_keep(a, cached, req, out);
}

void
answer_pick(struct answer *a, const struct ipc_request *req,
	    msgpack_sbuffer *out)
{
	struct registry_query q = {.name = req->name,
				   .tag = req->tag[0] ? req->tag : NULL};
	struct registry_instance in;
	int rc = registry_pick(node_registry(a->node), &q,
			       (enum registry_policy)req->policy,
			       swim_rand_next(&a->rand), &in);
	if (rc != 0) {
		answer_error(out, rc, rc == RUMOR_ENOTFOUND
					      ? "no healthy instance"
					      : rumor_strerror(rc));
		return;
	}
	struct ipc_instance one = instance_of(&in);
	struct ipc_writer w;
	ipc_writer_begin(&w, out, IPC_BODY_INSTANCE, 1);
	ipc_write_instance(&w, &one);
	rc = ipc_writer_end(&w);
	if (rc != 0)
		answer_failed(out, rc);
}

void
answer_services(struct answer *a, msgpack_sbuffer *out)
{
	struct registry *r = node_registry(a->node);
	/* There are no more names than instances: one call fills it. */
	size_t cap = registry_instance_count(r);
	struct registry_summary *list = malloc((cap ? cap : 1) *
					       sizeof(*list));
	if (list == NULL) {
		answer_error(out, RUMOR_ENOMEM, "out of memory");
		return;
	}
	size_t n = registry_services(r, list, cap);
	struct ipc_writer w;
	ipc_writer_begin(&w, out, IPC_BODY_SERVICES, n);
	for (size_t i = 0; i < n; i++) {
		struct ipc_summary s = {list[i].name, list[i].healthy,
					list[i].total};
		ipc_write_summary(&w, &s);
	}
	free(list);
	int rc = ipc_writer_end(&w);
	if (rc != 0)
		answer_failed(out, rc);
}

/* ---- watches ------------------------------------------------------------ */

/* One event frame appended to sb. */
static int
event_frame(msgpack_sbuffer *sb, enum ipc_event_type type,
	    const char *node, const struct service *s, const char *address,
	    bool healthy)
{
	struct ipc_event ev = {
		.type = type, .node = node, .id = s->id, .service = s->name,
		.address = address, .port = s->port, .healthy = healthy,
	};
	return ipc_event_encode(sb, &ev);
}

/* "added" frames for the instances of name (every service when "") as
 * they are now, so a watcher starts from the current state. */
static int
snapshot(struct answer *a, const char *name, msgpack_sbuffer *out)
{
	struct registry *r = node_registry(a->node);
	size_t cap = registry_instance_count(r);
	struct registry_summary *list = malloc((cap ? cap : 1) *
					       sizeof(*list));
	struct registry_instance *in = malloc((cap ? cap : 1) * sizeof(*in));
	int rc = list != NULL && in != NULL ? 0 : RUMOR_ENOMEM;
	size_t names = rc == 0 ? registry_services(r, list, cap) : 0;
	for (size_t i = 0; rc == 0 && i < names; i++) {
		if (name[0] != '\0' && strcmp(name, list[i].name) != 0)
			continue;
		struct registry_query q = {.name = list[i].name,
					   .include_critical = true};
		size_t n = registry_lookup(r, &q, in, cap);
		for (size_t k = 0; rc == 0 && k < n; k++)
			rc = event_frame(out, IPC_EVENT_ADDED, in[k].node,
					 in[k].service, in[k].address,
					 in[k].healthy);
	}
	free(in);
	free(list);
	return rc;
}

int
answer_watch(struct answer *a, const struct ipc_request *req,
	     msgpack_sbuffer *out)
{
	int rc = ipc_ok_encode(out);
	if (rc == 0)
		rc = snapshot(a, req->name, out);
	if (rc != 0)
		answer_failed(out, rc);
	return rc;
}

void
answer_pump(struct answer *a, struct ipc_server *srv)
{
	struct registry_event ev;
	while (registry_poll_event(node_registry(a->node), &ev)) {
		if (srv->streams[IPC_SERVER_STREAM_SERVICES] ==
		    0)
			continue;
		/* The event's fields as a service, for event_frame. */
		struct service s = {.id = ev.id, .name = ev.name,
				    .address = ev.address, .port = ev.port};
		msgpack_sbuffer sb;
		msgpack_sbuffer_init(&sb);
		if (event_frame(&sb, (enum ipc_event_type)ev.type, ev.node,
				&s, ev.address, ev.healthy) == 0)
			ipc_server_stream_send(srv,
					       IPC_SERVER_STREAM_SERVICES,
					       ev.name, 0,
					       (const uint8_t *)sb.data,
					       sb.size);
		msgpack_sbuffer_destroy(&sb);
	}
}
