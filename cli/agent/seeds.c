/*
 * seeds: parsing, resolving and the start-up join's retries (seeds.h).
 *
 * A batch resolves every seed of a list at once: numeric ones need
 * nothing, each name gets a uv_getaddrinfo request (AF_INET, UDP: one
 * entry per address). When the last request is back, the callback gets
 * the addresses in the order of the seeds, without duplicates.
 */
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rumor/error.h"
#include "seeds.h"

struct seeds_batch {
	uv_loop_t *loop;
	seeds_resolved_cb cb;
	void *arg;
	size_t count;
	size_t pending;
	/** Requests still with libuv (the batch is freed when none is). */
	size_t live;
	struct seed seeds[SEEDS_MAX];
	uv_getaddrinfo_t reqs[SEEDS_MAX];
	/** reqs[i] is with libuv. */
	bool active[SEEDS_MAX];
	/** Per seed: its addresses, or why none. */
	struct swim_addr addrs[SEEDS_MAX][SEEDS_MAX];
	size_t addr_count[SEEDS_MAX];
	int status[SEEDS_MAX];
	/** A numeric-only batch reports from this timer. */
	uv_timer_t timer;
	bool timer_used;
};

static bool
host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

int
seed_parse(const char *text, struct seed *out, char *err)
{
	*out = (struct seed){0};
	if (swim_addr_is_ipv6(text))
		return log_err(err, RUMOR_EINVAL, "\"%s\": IPv6 is not "
			       "supported yet (the protocol carries IPv4 "
			       "addresses; see docs/protocol.md)", text);
	const char *colon = strrchr(text, ':');
	size_t len = colon != NULL ? (size_t)(colon - text) : 0;
	bool ok = colon != NULL && len > 0 && len <= SEED_HOST_MAX;
	for (size_t i = 0; ok && i < len; i++)
		ok = host_char(text[i]);
	char *end = NULL;
	unsigned long port = ok ? strtoul(colon + 1, &end, 10) : 0;
	if (!ok || colon[1] < '0' || colon[1] > '9' || *end != '\0' ||
	    port == 0 || port > 65535)
		return log_err(err, RUMOR_EINVAL, "bad seed \"%.300s\" (want "
			       "IP:PORT or NAME:PORT, port 1-65535)", text);
	memcpy(out->host, text, len);
	out->port = (uint16_t)port;
	out->numeric = swim_addr_parse(text, &out->addr) == 0;
	if (!out->numeric) {
		/* Dotted digits that are no address are a typo, not a
		 * name ("10.0.0.300:7946"). */
		bool digits = true;
		for (size_t i = 0; i < len; i++)
			digits = digits && (text[i] == '.' ||
					    (text[i] >= '0' && text[i] <= '9'));
		if (digits)
			return log_err(err, RUMOR_EINVAL, "bad seed \"%.300s\" "
				       "(not an IPv4 address)", text);
	}
	return 0;
}

static void
batch_free(uv_handle_t *h)
{
	free(h->data);
}

/* Everything resolved: the callback, then the batch goes. */
static void
batch_done(struct seeds_batch *b)
{
	struct swim_addr all[SEEDS_MAX];
	size_t n = 0;
	char failures[LOG_ERR_SIZE] = "";
	size_t used = 0;
	for (size_t i = 0; i < b->count; i++) {
		if (b->addr_count[i] == 0 && used < sizeof(failures) - 1) {
			int w = snprintf(failures + used,
					 sizeof(failures) - used, "%s%s: %s",
					 used > 0 ? "; " : "", b->seeds[i].host,
					 b->status[i] != 0
						 ? uv_strerror(b->status[i])
						 : "no IPv4 address");
			if (w > 0)
				used += (size_t)w;
		}
		for (size_t k = 0; k < b->addr_count[i] && n < SEEDS_MAX;
		     k++) {
			const struct swim_addr *a = &b->addrs[i][k];
			bool dup = false;
			for (size_t j = 0; j < n && !dup; j++)
				dup = all[j].ip == a->ip &&
				      all[j].port == a->port;
			if (!dup)
				all[n++] = *a;
		}
	}
	if (b->cb != NULL)
		b->cb(b->arg, all, n, failures);
	b->cb = NULL;
}

/* A request came back (or was cancelled); the last one finishes. */
static void
release(struct seeds_batch *b)
{
	if (--b->live > 0)
		return;
	if (b->timer_used) {
		uv_close((uv_handle_t *)&b->timer, batch_free);
		return;
	}
	free(b);
}

static void
resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
	struct seeds_batch *b = req->data;
	size_t i = (size_t)(req - b->reqs);
	b->active[i] = false;
	b->status[i] = status;
	for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
		if (ai->ai_family != AF_INET ||
		    b->addr_count[i] == SEEDS_MAX)
			continue;
		const struct sockaddr_in *in =
			(const struct sockaddr_in *)ai->ai_addr;
		b->addrs[i][b->addr_count[i]++] = (struct swim_addr){
			.ip = ntohl(in->sin_addr.s_addr),
			.port = b->seeds[i].port};
	}
	uv_freeaddrinfo(res);
	if (--b->pending == 0)
		batch_done(b);
	release(b);
}

static void
numeric_done(uv_timer_t *t)
{
	struct seeds_batch *b = t->data;
	batch_done(b);
	release(b);
}

int
seeds_resolve(uv_loop_t *loop, const struct seed *seeds, size_t count,
	      seeds_resolved_cb cb, void *arg, struct seeds_batch **out)
{
	struct seeds_batch *b = calloc(1, sizeof(*b));
	if (b == NULL)
		return RUMOR_ENOMEM;
	*b = (struct seeds_batch){.loop = loop, .cb = cb, .arg = arg,
				  .count = count > SEEDS_MAX ? SEEDS_MAX
							     : count};
	struct addrinfo hints = {.ai_family = AF_INET,
				 .ai_socktype = SOCK_DGRAM};
	for (size_t i = 0; i < b->count; i++) {
		b->seeds[i] = seeds[i];
		if (seeds[i].numeric) {
			b->addrs[i][0] = seeds[i].addr;
			b->addr_count[i] = 1;
			continue;
		}
		b->reqs[i].data = b;
		int rc = uv_getaddrinfo(loop, &b->reqs[i], resolved,
					seeds[i].host, NULL, &hints);
		if (rc != 0) {
			b->status[i] = rc;
			continue;
		}
		b->active[i] = true;
		b->pending++;
		b->live++;
	}
	if (b->pending == 0) {
		/* Nothing to wait for: report from the loop all the same. */
		uv_timer_init(loop, &b->timer);
		b->timer.data = b;
		b->timer_used = true;
		b->live++;
		uv_timer_start(&b->timer, numeric_done, 0, 0);
	}
	*out = b;
	return 0;
}

void
seeds_cancel(struct seeds_batch *b)
{
	b->cb = NULL;
	for (size_t i = 0; i < b->count; i++) {
		if (b->active[i])
			uv_cancel((uv_req_t *)&b->reqs[i]);
	}
}

/* ---- the start-up seeds ------------------------------------------------- */

bool
seeds_node_joined(const struct node *node)
{
	const struct swim *swim = node_swim(node);
	size_t count = swim_member_count(swim);
	for (size_t i = 0; i < count; i++) {
		struct swim_member_info m;
		swim_member_at(swim, i, &m);
		if (!m.is_self && (m.status == SWIM_STATUS_ALIVE ||
				   m.status == SWIM_STATUS_SUSPECT))
			return true;
	}
	return false;
}

static void
retry_fired(uv_timer_t *t);

static void
retry_arm(struct seeds *s)
{
	uv_timer_start(&s->timer, retry_fired, s->backoff_ms, 0);
	s->backoff_ms *= 2;
	if (s->backoff_ms > s->retry_max_ms)
		s->backoff_ms = s->retry_max_ms;
}

static bool
same(const struct swim_addr *a, size_t na, const struct swim_addr *b,
     size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++) {
		if (a[i].ip != b[i].ip || a[i].port != b[i].port)
			return false;
	}
	return true;
}

static void
start_resolved(void *arg, const struct swim_addr *addrs, size_t count,
	       const char *failures)
{
	struct seeds *s = arg;
	s->batch = NULL;
	s->resolutions++;
	if (failures[0] != '\0') {
		s->resolve_failures++;
		log_line(count > 0 ? LOG_WARN : LOG_ERROR, "join: %s%s",
			 failures, count > 0 ? "" : " (retrying)");
	}
	/* A new answer is tried at once; the same one the core retries by
	 * itself. */
	if (count > 0 && !same(addrs, count, s->current, s->current_count)) {
		char text[32];
		for (size_t i = 0; i < count; i++)
			log_line(LOG_DEBUG, "join: seed address %s",
				 swim_addr_str(&addrs[i], text, sizeof(text)));
		memcpy(s->current, addrs, count * sizeof(*addrs));
		s->current_count = count;
		if (node_join(s->node, uv_now(s->loop), addrs, count) != 0)
			log_line(LOG_WARN, "join refused by the node");
		s->joined(s->joined_arg);
	}
	retry_arm(s);
}

static void
retry_fired(uv_timer_t *t)
{
	struct seeds *s = t->data;
	if (seeds_node_joined(s->node) && s->current_count > 0) {
		/* Not alone: look again later, in case we are then. */
		s->backoff_ms = s->retry_min_ms;
		uv_timer_start(&s->timer, retry_fired, s->retry_max_ms, 0);
		return;
	}
	if (seeds_resolve(s->loop, s->list, s->count, start_resolved, s,
			  &s->batch) != 0)
		retry_arm(s);
}

void
seeds_init(struct seeds *s, uv_loop_t *loop, struct node *node,
	   const struct swim_config *cfg, void (*joined)(void *arg),
	   void *arg)
{
	*s = (struct seeds){.loop = loop, .node = node, .joined = joined,
			    .joined_arg = arg,
			    .retry_min_ms = cfg->join_retry_min_ms,
			    .retry_max_ms = cfg->join_retry_max_ms};
	s->backoff_ms = s->retry_min_ms;
}

void
seeds_start(struct seeds *s, const struct seed *list, size_t count)
{
	s->count = count > SEEDS_MAX ? SEEDS_MAX : count;
	memcpy(s->list, list, s->count * sizeof(*list));
	for (size_t i = 0; i < s->count; i++)
		s->named |= !s->list[i].numeric;
	if (s->count == 0)
		return;
	if (!s->named) {
		/* Addresses only: the core retries them by itself. */
		for (size_t i = 0; i < s->count; i++)
			s->current[i] = s->list[i].addr;
		s->current_count = s->count;
		if (node_join(s->node, uv_now(s->loop), s->current,
			      s->current_count) != 0)
			log_line(LOG_WARN, "join refused by the node");
		return;
	}
	uv_timer_init(s->loop, &s->timer);
	s->timer.data = s;
	s->timer_open = true;
	if (seeds_resolve(s->loop, s->list, s->count, start_resolved, s,
			  &s->batch) != 0)
		retry_arm(s);
}

void
seeds_close(struct seeds *s)
{
	if (s->batch != NULL) {
		seeds_cancel(s->batch);
		s->batch = NULL;
	}
	if (s->timer_open) {
		uv_close((uv_handle_t *)&s->timer, NULL);
		s->timer_open = false;
	}
}
