/*
 * swim.c: lifecycle, the input entry points, the timeout dispatch, leave,
 * metadata and queries. The mechanisms live below it, one per file:
 * swim_probe (failure detection), swim_gossip (the rules a status message
 * follows), swim_broadcast (what to piggyback), swim_sync (push-pull, join,
 * reconnect, reap), swim_output (what the driver drains), swim_member and
 * swim_slab (the table).
 *
 * Time. The core keeps its own deadlines: a handful of periodic ones
 * (probe, gossip, push-pull, reconnect, reap, join retry, leave) as plain
 * fields, per-member suspicion deadlines in a heap, and ping-req relays in
 * a small table. swim_next_deadline_ms() is their minimum; the driver arms
 * one timer at it and calls swim_handle_timeout(), which fires everything
 * due. No timer tokens, nothing stale.
 *
 * Gossip. Besides piggybacking on every ping, ack and ping-req, a gossip
 * tick sends queued updates to gossip_nodes random members, including
 * members failed less than gossip_to_dead_ms ago (so a member wrongly
 * declared failed hears it and refutes).
 */
#include <string.h>

#include "rumor/error.h"
#include "internal.h"
#include "swim.h"
#include "swim_broadcast.h"
#include "swim_gossip.h"
#include "swim_member.h"
#include "swim_probe.h"
#include "swim_proto.h"
#include "swim_slab.h"

/* ---- lifecycle ---------------------------------------------------------- */

struct swim *
swim_new(const struct swim_config *cfg, const struct swim_self *self,
	 uint64_t rand_seed, uint64_t now_ms)
{
	size_t name_len = self->name ? strlen(self->name) : 0;
	if (swim_config_check(cfg, NULL) != 0 ||
	    !swim_name_valid(self->name, name_len) ||
	    self->meta_size > SWIM_META_MAX)
		return NULL;
	struct swim *swim = swim_mem_calloc(cfg->allocator, 1, sizeof(*swim));
	if (swim == NULL)
		return NULL;
	swim->cfg = *cfg;
	swim_rand_init(&swim->rand, rand_seed);
	swim_heap_create(&swim->timers, cfg->allocator);
	swim__bcast_init(swim);
	swim__output_create(swim);
	swim->self = swim__member_add(swim, self->name, name_len, &self->addr,
				      now_ms);
	if (swim->self == NULL ||
	    swim__member_set_meta(swim, swim->self, self->meta,
				  self->meta_size)) {
		swim_delete(swim);
		return NULL;
	}
	swim->self->incarnation = self->incarnation;
	/* Announce ourselves to whoever we meet first (memberlist's
	 * joiner broadcasts its own alive, too). */
	swim__bcast_queue(swim, swim->self);
	/* Sequence numbers start anywhere: an ack recorded from an earlier
	 * life of this node (its numbers also started somewhere) never
	 * matches a probe of this one. */
	swim->next_seq = swim_rand_next(&swim->rand) | 1;
	/* Spread the first probes of nodes started together. */
	swim->probe_ms = now_ms + swim_rand_below(&swim->rand,
						  cfg->probe_interval_ms);
	swim->gossip_ms = cfg->gossip_interval_ms ? now_ms +
				  cfg->gossip_interval_ms : UINT64_MAX;
	/* And their first push-pulls (memberlist staggers them the same
	 * way): a cluster started at once must not exchange every state in
	 * the same second, interval_ms later. */
	swim->pushpull_ms = cfg->pushpull_interval_ms ? now_ms + 1 +
		swim_rand_below(&swim->rand, cfg->pushpull_interval_ms) :
		UINT64_MAX;
	swim->reconnect_ms = now_ms + cfg->reconnect_interval_ms;
	swim->reap_ms = now_ms + SWIM_REAP_INTERVAL_MS;
	swim->join_ms = UINT64_MAX;
	swim->leave_ms = UINT64_MAX;
	return swim;
}

void
swim_delete(struct swim *swim)
{
	if (swim == NULL)
		return;
	/* The heap points into members: empty it first. */
	swim_heap_destroy(&swim->timers);
	swim__member_table_destroy(swim);
	swim__output_destroy(swim);
	swim_mem_free(swim->cfg.allocator, swim);
}

/* ---- inputs ----------------------------------------------------------- */

static void
apply_msg(struct swim *swim, uint64_t now_ms, const struct swim_addr *from,
	  const struct swim_packet *pkt, const struct swim_msg *msg)
{
	switch (msg->type) {
	case SWIM_MSG_PING:
		swim__handle_ping(swim, now_ms, from, pkt, msg);
		break;
	case SWIM_MSG_PING_REQ:
		swim__handle_ping_req(swim, now_ms, from, pkt, msg);
		break;
	case SWIM_MSG_ACK:
		swim__handle_ack(swim, now_ms, pkt, msg);
		break;
	case SWIM_MSG_NACK:
		swim__handle_nack(swim, pkt, msg);
		break;
	default:
		swim__apply_status(swim, now_ms, msg);
		swim__correct_stale(swim, now_ms, from, pkt, msg);
		break;
	}
}

/*
 * A datagram from a member we have never heard of, that did not introduce
 * itself either, proves our view is incomplete: dissemination reaches
 * everyone only with high probability, and a miss would otherwise wait
 * for the next push-pull (memberlist and Serf wait; at 128 nodes that is
 * 90 s). Ask the sender for its state, at most once a second.
 */
static void
pull_if_unknown(struct swim *swim, uint64_t now_ms,
		const struct swim_addr *from, const struct swim_packet *pkt)
{
	if (swim->leaving || now_ms < swim->unknown_pull_ms ||
	    swim__member_find(swim, pkt->sender, pkt->sender_len) != NULL)
		return;
	swim->unknown_pull_ms = now_ms + SWIM_UNKNOWN_PULL_MS;
	swim__request_stream(swim, from, false);
}

/* We heard from pkt's sender (what the datagram said is applied, so a
 * sender that introduced itself is a member now): it exists, and if it
 * is alive where we hold it, it is reachable there. */
static void
heard_from(struct swim *swim, const struct swim_addr *from,
	   const struct swim_packet *pkt)
{
	struct swim_member *m =
		swim__member_find(swim, pkt->sender, pkt->sender_len);
	if (m == NULL)
		return;
	m->flags |= SWIM_MEMBER_HEARD;
	if (m->status == SWIM_STATUS_ALIVE && m->ip == from->ip &&
	    m->port == from->port)
		m->flags |= SWIM_MEMBER_DIRECT;
}

enum swim_drop
swim_handle_datagram(struct swim *swim, uint64_t now_ms,
		     const struct swim_addr *from, const uint8_t *data,
		     size_t size)
{
	if (swim->leaving && swim__leave_done(swim, now_ms))
		return swim__count_drop(swim, SWIM_DROP_LEFT);
	if (size > swim->cfg.datagram_size_max)
		return swim__count_drop(swim, SWIM_DROP_OVER_LIMIT);
	struct swim_packet pkt;
	enum swim_drop drop = swim_packet_decode(&pkt, data, size);
	if (drop != SWIM_DROP_NONE)
		return swim__count_drop(swim, drop);
	if (swim__is_self_name(swim, pkt.sender, pkt.sender_len)) {
		swim_packet_destroy(&pkt);
		return swim__count_drop(swim, SWIM_DROP_FROM_SELF);
	}
	swim->stats.datagrams_received++;
	swim->stats.bytes_received += size;
	for (size_t i = 0; i < pkt.msg_count; i++)
		apply_msg(swim, now_ms, from, &pkt, &pkt.msgs[i]);
	heard_from(swim, from, &pkt);
	swim__sender_contact(swim, now_ms, from, &pkt);
	pull_if_unknown(swim, now_ms, from, &pkt);
	swim_packet_destroy(&pkt);
	swim__join_check(swim, now_ms);
	return SWIM_DROP_NONE;
}

/* ---- periodic work ---------------------------------------------------- */

static bool
gossip_eligible(const struct swim *swim, const struct swim_member *m,
		uint64_t now_ms)
{
	if (swim__member_is_self(swim, m))
		return false;
	if (m->status == SWIM_STATUS_ALIVE || m->status == SWIM_STATUS_SUSPECT)
		return true;
	return m->status == SWIM_STATUS_FAILED &&
	       now_ms - m->status_ms < swim->cfg.gossip_to_dead_ms;
}

static void
gossip_tick(struct swim *swim, uint64_t now_ms)
{
	swim->gossip_ms = now_ms + swim->cfg.gossip_interval_ms;
	if (swim->bcast_count == 0)
		return;
	struct swim_member *targets[16];
	size_t count = swim__random_members(swim, targets,
					    swim->cfg.gossip_nodes, NULL,
					    gossip_eligible, now_ms);
	for (size_t i = 0; i < count && swim->bcast_count > 0; i++) {
		struct swim_encoder enc;
		struct swim_addr to = swim__member_addr(targets[i]);
		struct swim_datagram *dg = swim__send_begin(
			swim, &to, targets[i]->name, targets[i]->name_len,
			&enc);
		if (dg == NULL)
			return;
		if (targets[i]->status == SWIM_STATUS_ALIVE) {
			swim__send_finish(swim, dg, &enc, true);
			continue;
		}
		/* A member we hold suspect or failed gets its own verdict,
		 * so it can refute, and not the queue: sent to a member
		 * that may be cut off, updates would spend their send
		 * budget where it reaches nobody (a 50/50 split halves it,
		 * and some pairs then miss a verdict for good). */
		struct swim_msg verdict;
		swim__bcast_msg(swim, targets[i], &verdict);
		swim__send_add_optional(&enc, &verdict);
		swim__send_finish(swim, dg, &enc, false);
	}
}

void
swim_handle_timeout(struct swim *swim, uint64_t now_ms)
{
	struct swim_heap_node *t;
	while ((t = swim_heap_top(&swim->timers)) != NULL &&
	       t->deadline_ms <= now_ms) {
		struct swim_suspicion *sp = (struct swim_suspicion *)(
			(char *)t - offsetof(struct swim_suspicion, timer));
		swim_heap_disarm(&swim->timers, t);
		swim__suspicion_expired(
			swim, swim__member_ptr(swim, sp->member), now_ms);
	}
	swim__relays_tick(swim, now_ms);
	if (swim->probe.active && now_ms >= swim->probe.ack_deadline_ms)
		swim__probe_ack_timeout(swim, now_ms);
	if (now_ms >= swim->probe_ms)
		swim__probe_tick(swim, now_ms);
	if (now_ms >= swim->gossip_ms)
		gossip_tick(swim, now_ms);
	if (now_ms >= swim->pushpull_ms)
		swim__pushpull_tick(swim, now_ms);
	if (now_ms >= swim->reconnect_ms)
		swim__reconnect_tick(swim, now_ms);
	if (now_ms >= swim->reap_ms)
		swim__reap_tick(swim, now_ms);
	if (now_ms >= swim->join_ms)
		swim__join_tick(swim, now_ms);
	/* Wake the driver once when the leave timeout passes. */
	if (now_ms >= swim->leave_ms)
		swim->leave_ms = UINT64_MAX;
}

static uint64_t
min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

uint64_t
swim_next_deadline_ms(const struct swim *swim)
{
	/* The gossip tick only matters with something to gossip: an idle
	 * node wakes once per probe instead of five times. A broadcast
	 * queued later finds gossip_ms passed and goes out at once. */
	uint64_t next = swim->bcast_count > 0
		? min_u64(swim->probe_ms, swim->gossip_ms) : swim->probe_ms;
	next = min_u64(next, swim->pushpull_ms);
	next = min_u64(next, swim->reconnect_ms);
	next = min_u64(next, swim->reap_ms);
	next = min_u64(next, swim->join_ms);
	next = min_u64(next, swim__relays_deadline(swim));
	const struct swim_probe *p = &swim->probe;
	if (p->active && !p->acked && !p->indirect_sent)
		next = min_u64(next, p->ack_deadline_ms);
	const struct swim_heap_node *t = swim_heap_top(&swim->timers);
	if (t != NULL)
		next = min_u64(next, t->deadline_ms);
	return min_u64(next, swim->leave_ms);
}

/* ---- user operations -------------------------------------------------- */

int
swim_leave(struct swim *swim, uint64_t now_ms)
{
	if (swim->leaving)
		return 0;
	if (swim__event_reserve(swim) != 0)
		return RUMOR_ENOMEM;
	swim->leaving = true;
	swim->leave_start_ms = now_ms;
	swim->leave_ms = now_ms + swim->cfg.leave_timeout_ms;
	swim->join_ms = UINT64_MAX;
	swim->probe.active = false;
	swim->probe_ms = UINT64_MAX;
	struct swim_member *self = swim->self;
	swim__member_set_status(swim, self, SWIM_STATUS_LEFT, now_ms);
	swim__bcast_queue(swim, self);
	swim__emit_event(swim, SWIM_EVENT_STATUS, self);
	/* Tell a few members right now rather than at the next tick. */
	if (swim->cfg.gossip_interval_ms != 0)
		gossip_tick(swim, now_ms);
	return 0;
}

int
swim_force_leave(struct swim *swim, uint64_t now_ms, const char *name)
{
	size_t len = strlen(name);
	struct swim_member *m = len <= SWIM_NAME_MAX
					? swim__member_find(swim, name, len)
					: NULL;
	if (m == NULL)
		return RUMOR_ENOTFOUND;
	if (m == swim->self)
		return RUMOR_EINVAL;
	if (m->status == SWIM_STATUS_LEFT)
		return 0;
	if (m->status != SWIM_STATUS_FAILED || swim->leaving)
		return RUMOR_ESTATE;
	if (swim__event_reserve(swim) != 0)
		return RUMOR_ENOMEM;
	/* left(i) at the incarnation we hold: it overrides failed(i)
	 * everywhere, and the member itself, if it is alive after all,
	 * refutes it as it would any verdict. */
	swim__member_set_status(swim, m, SWIM_STATUS_LEFT, now_ms);
	swim__bcast_queue(swim, m);
	swim__emit_event(swim, SWIM_EVENT_STATUS, m);
	return 0;
}

bool
swim_leave_done(const struct swim *swim, uint64_t now_ms)
{
	return swim__leave_done(swim, now_ms);
}

int
swim_set_meta(struct swim *swim, uint64_t now_ms, const uint8_t *meta,
	      size_t meta_size)
{
	(void)now_ms;
	if (meta_size > SWIM_META_MAX)
		return RUMOR_ETOOBIG;
	if (swim->leaving)
		return RUMOR_ESTATE;
	int rc = swim__member_set_meta(swim, swim->self, meta, meta_size);
	if (rc != 0)
		return rc;
	if (swim->self->incarnation < UINT64_MAX)
		swim->self->incarnation++;
	swim__bcast_queue(swim, swim->self);
	return 0;
}

/* ---- queries ---------------------------------------------------------- */

size_t
swim_member_count(const struct swim *swim)
{
	return swim->member_count;
}

static void
member_info(const struct swim *swim, const struct swim_member *m,
	    struct swim_member_info *out)
{
	*out = (struct swim_member_info){
		.name = m->name,
		.addr = swim__member_addr(m),
		.status = m->status,
		.incarnation = m->incarnation,
		.is_self = swim__member_is_self(swim, m),
	};
	out->meta = swim__member_meta(swim, m, &out->meta_size);
}

void
swim_member_at(const struct swim *swim, size_t i,
	       struct swim_member_info *out)
{
	member_info(swim, swim__member_at(swim, i), out);
}

int
swim_member_find(const struct swim *swim, const char *name,
		 struct swim_member_info *out)
{
	const struct swim_member *m = swim__member_find(swim, name,
							strlen(name));
	if (m == NULL)
		return RUMOR_ENOTFOUND;
	member_info(swim, m, out);
	return 0;
}

void
swim_stats(const struct swim *swim, struct swim_stats *out)
{
	*out = swim->stats;
	out->awareness = swim->awareness;
	out->broadcast_queue = swim->bcast_count;
}

const char *
swim_self_name(const struct swim *swim)
{
	return swim->self->name;
}

uint64_t
swim_self_incarnation(const struct swim *swim)
{
	return swim->self->incarnation;
}

bool
swim_is_leaving(const struct swim *swim)
{
	return swim->leaving;
}
