/*
 * swim_net.h: a few SWIM cores wired by a zero-latency test network
 * (datagrams and push-pull streams delivered at once, nodes can be taken
 * down, links cut), fixed seeds, virtual time. Shared by the unit tests
 * that drive the core by hand (test_swim.c, test_swim_accuracy.c).
 */
#ifndef RUMOR_TESTS_SWIM_NET_H
#define RUMOR_TESTS_SWIM_NET_H

#include <stdlib.h>

#include "rumor/error.h"
#include "swim/swim.h"
#include "swim/internal.h"
#include "swim/swim_member.h"
#include "swim/swim_proto.h"
#include "test.h"

#define NET_MAX 24
#define SEED 42
#define T0 10000

struct net {
	struct swim *n[NET_MAX];
	struct swim_addr addr[NET_MAX];
	bool down[NET_MAX];
	/* Drop datagrams from a to b when cut[a][b]. */
	bool cut[NET_MAX][NET_MAX];
	size_t count;
	uint64_t now;
	struct swim_config cfg;
	/* Counts of a message type about a subject sent by one node. */
	size_t watch_sender;
	int watch_type;
	const char *watch_name;
	unsigned watch_seen;
};

static inline void
net_init_cfg(struct net *net, size_t count, const struct swim_config *cfg)
{
	*net = (struct net){.count = count, .now = T0, .cfg = *cfg};
	for (size_t i = 0; i < count; i++) {
		char name[24];
		snprintf(name, sizeof(name), "n%zu", i);
		net->addr[i] = (struct swim_addr){0x0a000001 + (uint32_t)i,
						  7946};
		struct swim_self self = {.name = name, .addr = net->addr[i]};
		net->n[i] = swim_new(&net->cfg, &self, SEED + i, net->now);
	}
}

static inline void
net_init(struct net *net, size_t count)
{
	struct swim_config cfg;
	swim_config_lan(&cfg);
	net_init_cfg(net, count, &cfg);
}

static inline void
net_free(struct net *net)
{
	for (size_t i = 0; i < net->count; i++)
		swim_delete(net->n[i]);
}

static inline int
net_index(const struct net *net, const struct swim_addr *a)
{
	for (size_t i = 0; i < net->count; i++) {
		if (net->addr[i].ip == a->ip && net->addr[i].port == a->port)
			return (int)i;
	}
	return -1;
}

static inline void
net_watch(struct net *net, const uint8_t *data, size_t size)
{
	if (net->watch_name == NULL)
		return;
	struct swim_packet pkt;
	if (swim_packet_decode(&pkt, data, size) != SWIM_DROP_NONE)
		return;
	for (size_t i = 0; i < pkt.msg_count; i++) {
		const struct swim_msg *m = &pkt.msgs[i];
		if ((int)m->type == net->watch_type &&
		    m->name_len == strlen(net->watch_name) &&
		    memcmp(m->name, net->watch_name, m->name_len) == 0)
			net->watch_seen++;
	}
	swim_packet_destroy(&pkt);
}

static inline void
net_exchange(struct net *net, size_t i, const struct swim_stream_req *req)
{
	int j = net_index(net, &req->to);
	if (j < 0 || net->down[j] || net->cut[i][j] || net->cut[j][i])
		return;
	uint8_t *buf;
	size_t size;
	if (swim_state_encode(net->n[i], req->join, &buf, &size) != 0)
		return;
	swim_handle_state(net->n[j], net->now, &net->addr[i], buf, size);
	swim_state_free(net->n[i], buf);
	if (swim_state_encode(net->n[j], false, &buf, &size) != 0)
		return;
	swim_handle_state(net->n[i], net->now, &net->addr[j], buf, size);
	swim_state_free(net->n[j], buf);
}

/* Deliver everything in flight until the network is quiet. */
static inline void
net_flush(struct net *net)
{
	bool any = true;
	while (any) {
		any = false;
		for (size_t i = 0; i < net->count; i++) {
			struct swim_datagram dg;
			struct swim_stream_req req;
			struct swim_event ev;
			while (swim_poll_datagram(net->n[i], &dg)) {
				any = true;
				if (i == net->watch_sender)
					net_watch(net, dg.data, dg.size);
				int j = net_index(net, &dg.to);
				if (j < 0 || net->down[i] || net->down[j] ||
				    net->cut[i][j])
					continue;
				swim_handle_datagram(net->n[j], net->now,
						     &net->addr[i], dg.data,
						     dg.size);
			}
			while (swim_poll_stream(net->n[i], &req)) {
				any = true;
				if (!net->down[i])
					net_exchange(net, i, &req);
			}
			while (swim_poll_event(net->n[i], &ev))
				;
		}
	}
}

static inline void
net_run(struct net *net, uint64_t duration_ms)
{
	uint64_t end = net->now + duration_ms;
	net_flush(net);
	for (;;) {
		uint64_t next = UINT64_MAX;
		for (size_t i = 0; i < net->count; i++) {
			uint64_t d = swim_next_deadline_ms(net->n[i]);
			if (!net->down[i] && d < next)
				next = d;
		}
		if (next > end)
			break;
		net->now = next;
		for (size_t i = 0; i < net->count; i++) {
			if (!net->down[i] &&
			    swim_next_deadline_ms(net->n[i]) <= net->now)
				swim_handle_timeout(net->n[i], net->now);
		}
		net_flush(net);
		/* Every core stays coherent through every step. */
		for (size_t i = 0; i < net->count; i++) {
			const char *why = NULL;
			if (swim_check(net->n[i], &why) != 0) {
				fprintf(stderr, "  n%zu: %s\n", i, why);
				ASSERT_OK(swim_check(net->n[i], NULL));
			}
		}
	}
	net->now = end;
}

/* Everyone joins through n0. */
static inline void
net_join_all(struct net *net)
{
	for (size_t i = 1; i < net->count; i++)
		ASSERT_OK(swim_join(net->n[i], net->now, &net->addr[0], 1));
	net_run(net, 5000);
}

static inline enum swim_status
status_of(const struct net *net, size_t observer, size_t subject)
{
	char name[24];
	snprintf(name, sizeof(name), "n%zu", subject);
	struct swim_member_info info;
	if (swim_member_find(net->n[observer], name, &info) != 0)
		return swim_status_MAX;
	return info.status;
}

static inline uint64_t
incarnation_of(const struct net *net, size_t observer, size_t subject)
{
	char name[24];
	snprintf(name, sizeof(name), "n%zu", subject);
	struct swim_member_info info;
	if (swim_member_find(net->n[observer], name, &info) != 0)
		return UINT64_MAX;
	return info.incarnation;
}

/* Hand a core one datagram holding one status message. */
static inline enum swim_drop
inject(struct net *net, size_t to, const char *sender,
       const struct swim_msg *msg)
{
	uint8_t buf[SWIM_DATAGRAM_MAX];
	struct swim_encoder enc;
	if (swim_encoder_begin(&enc, buf, sizeof(buf), sender,
			       strlen(sender)) != 0 ||
	    swim_encoder_add(&enc, msg) != 0)
		return swim_drop_MAX;
	size_t size = swim_encoder_finish(&enc);
	struct swim_addr from = {0x0a0000ff, 7946};
	enum swim_drop drop = swim_handle_datagram(net->n[to], net->now,
						   &from, buf, size);
	net_flush(net);
	return drop;
}

static inline struct swim_msg
status_msg(enum swim_msg_type type, const char *name, uint64_t inc,
	   const char *from)
{
	return (struct swim_msg){
		.type = type,
		.name = name,
		.name_len = strlen(name),
		.addr = {0x0a000001, 7946},
		.incarnation = inc,
		.from = from,
		.from_len = from ? strlen(from) : 0,
	};
}

#endif /* RUMOR_TESTS_SWIM_NET_H */
