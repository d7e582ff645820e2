/*
 * swim.c: lifecycle, the input entry points, the output queues and the
 * periodic work that is not probing.
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
 *
 * Anti-entropy and healing. Push-pull exchanges full state with one random
 * live member every pushpull_interval (scaled above 32 members). Failed
 * members are kept for reconnect_timeout and one of them is tried every
 * reconnect_interval with probability failed/live (Serf's rule, so the
 * cluster as a whole makes about one attempt per failed member); a node
 * alone also retries its join addresses. A push-pull's remote "failed"
 * becomes a local "suspect" (memberlist mergeState), so a healed partition
 * turns each side's verdicts into suspicions that their subjects refute.
 */
#include <stdlib.h>
#include <string.h>

#include "rumor/error.h"
#include "swim_internal.h"
#include "swim_lifeguard.h"

/* ---- FIFOs ------------------------------------------------------------ */

static void
fifo_create(struct swim_fifo *q, size_t item_size, size_t max)
{
	*q = (struct swim_fifo){.item_size = item_size, .max = max};
}

static void
fifo_destroy(struct swim_fifo *q)
{
	free(q->items);
	q->items = NULL;
}

/* A slot at the tail; when full past `max`, the oldest item is dropped
 * (and counted) rather than failing the newest. NULL on OOM only. */
static void *
fifo_push(struct swim_fifo *q)
{
	if (q->count == q->max) {
		q->head = (q->head + 1) % q->cap;
		q->count--;
		q->overflow_count++;
	}
	if (q->count == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 8;
		if (cap > q->max)
			cap = q->max;
		uint8_t *items = malloc(cap * q->item_size);
		if (items == NULL)
			return NULL;
		for (size_t i = 0; i < q->count; i++)
			memcpy(items + i * q->item_size,
			       q->items + ((q->head + i) % q->cap) * q->item_size,
			       q->item_size);
		free(q->items);
		q->items = items;
		q->cap = cap;
		q->head = 0;
	}
	void *slot = q->items + ((q->head + q->count) % q->cap) * q->item_size;
	q->count++;
	return slot;
}

/* Undo the last push (a datagram that turned out empty). */
static void
fifo_unpush(struct swim_fifo *q)
{
	q->count--;
}

static bool
fifo_pop(struct swim_fifo *q, void *out)
{
	if (q->count == 0)
		return false;
	memcpy(out, q->items + q->head * q->item_size, q->item_size);
	q->head = (q->head + 1) % q->cap;
	q->count--;
	return true;
}

/* ---- outputs ---------------------------------------------------------- */

struct swim_datagram *
swim__send_begin(struct swim *swim, const struct swim_addr *to,
		 struct swim_encoder *enc)
{
	struct swim_datagram *dg = fifo_push(&swim->outbox);
	if (dg == NULL)
		return NULL;
	dg->to = *to;
	const struct swim_member *self = swim->self;
	if (swim_encoder_begin(enc, dg->data, swim->cfg.datagram_size_max,
			       self->name, self->name_len) != 0) {
		fifo_unpush(&swim->outbox);
		return NULL;
	}
	return dg;
}

void
swim__send_finish(struct swim *swim, struct swim_datagram *dg,
		  struct swim_encoder *enc, bool piggyback)
{
	if (piggyback)
		swim__bcast_fill(swim, enc);
	if (enc->msg_count == 0) {
		fifo_unpush(&swim->outbox);
		return;
	}
	dg->size = swim_encoder_finish(enc);
	swim->stats.datagrams_sent++;
	swim->stats.bytes_sent += dg->size;
}

void
swim__emit_event(struct swim *swim, enum swim_event_type type,
		 const struct swim_member *m)
{
	struct swim_event *ev = fifo_push(&swim->events);
	if (ev == NULL)
		return;
	ev->type = type;
	memcpy(ev->name, m->name, m->name_len + 1);
	ev->addr = swim__member_addr(m);
	ev->status = m->status;
	ev->incarnation = m->incarnation;
	ev->is_self = swim__member_is_self(swim, m);
}

void
swim__request_stream(struct swim *swim, const struct swim_addr *to,
		     bool join)
{
	struct swim_stream_req *req = fifo_push(&swim->streams);
	if (req == NULL)
		return;
	req->to = *to;
	req->join = join;
}

bool
swim_poll_datagram(struct swim *swim, struct swim_datagram *out)
{
	return fifo_pop(&swim->outbox, out);
}

bool
swim_poll_stream(struct swim *swim, struct swim_stream_req *out)
{
	return fifo_pop(&swim->streams, out);
}

bool
swim_poll_event(struct swim *swim, struct swim_event *out)
{
	return fifo_pop(&swim->events, out);
}

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
	struct swim *swim = calloc(1, sizeof(*swim));
	if (swim == NULL)
		return NULL;
	swim->cfg = *cfg;
	swim_rand_init(&swim->rand, rand_seed);
	swim_heap_create(&swim->timers);
	swim__bcast_init(swim);
	fifo_create(&swim->outbox, sizeof(struct swim_datagram),
		    SWIM_OUTBOX_MAX);
	fifo_create(&swim->events, sizeof(struct swim_event),
		    SWIM_EVENTS_MAX);
	fifo_create(&swim->streams, sizeof(struct swim_stream_req),
		    SWIM_STREAMS_MAX);
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
	swim->next_seq = 1;
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
	fifo_destroy(&swim->outbox);
	fifo_destroy(&swim->events);
	fifo_destroy(&swim->streams);
	free(swim);
}

/* ---- inputs ----------------------------------------------------------- */

static bool
msg_is_about_self(const struct swim *swim, const struct swim_msg *msg)
{
	return msg->name_len == swim->self->name_len &&
	       memcmp(msg->name, swim->self->name, msg->name_len) == 0;
}

/*
 * The sender believes an old verdict about us (suspect, failed or left
 * below our incarnation): the refutation that settled it missed the
 * sender. Tell it directly rather than waiting for a push-pull.
 */
static void
correct_stale_verdict(struct swim *swim, const struct swim_addr *from,
		      const struct swim_msg *msg)
{
	if (swim->leaving || msg->type == SWIM_MSG_ALIVE ||
	    msg->incarnation >= swim->self->incarnation ||
	    !msg_is_about_self(swim, msg))
		return;
	struct swim_encoder enc;
	struct swim_datagram *dg = swim__send_begin(swim, from, &enc);
	if (dg == NULL)
		return;
	struct swim_msg alive;
	swim__member_to_msg(swim, swim->self, &alive);
	swim_encoder_add(&enc, &alive);
	swim__send_finish(swim, dg, &enc, false);
}

static void
apply_msg(struct swim *swim, uint64_t now_ms, const struct swim_addr *from,
	  const struct swim_packet *pkt, const struct swim_msg *msg)
{
	switch (msg->type) {
	case SWIM_MSG_PING:
		swim__handle_ping(swim, now_ms, from, pkt, msg);
		break;
	case SWIM_MSG_PING_REQ:
		swim__handle_ping_req(swim, now_ms, from, msg);
		break;
	case SWIM_MSG_ACK:
		swim__handle_ack(swim, now_ms, msg);
		break;
	case SWIM_MSG_NACK:
		swim__handle_nack(swim, msg);
		break;
	default:
		swim__apply_status(swim, now_ms, msg);
		if (pkt != NULL)
			correct_stale_verdict(swim, from, msg);
		break;
	}
}

static bool
sender_is_self(const struct swim *swim, const char *name, size_t len)
{
	return len == swim->self->name_len &&
	       memcmp(name, swim->self->name, len) == 0;
}

static enum swim_drop
count_drop(struct swim *swim, enum swim_drop drop)
{
	swim->stats.drop_count[drop]++;
	return drop;
}

void
swim__pull_soon(struct swim *swim, uint64_t now_ms)
{
	if (swim->cfg.pushpull_interval_ms == 0 || swim->leaving ||
	    now_ms < swim->early_pull_ms)
		return;
	swim->early_pull_ms = now_ms + swim->cfg.reconnect_interval_ms;
	uint64_t early = now_ms + 2 * swim->cfg.probe_interval_ms;
	if (early < swim->pushpull_ms)
		swim->pushpull_ms = early;
}

/*
 * We know someone besides ourselves: the join is done. The seed's state
 * was a snapshot; members that joined at the same time reach us by gossip,
 * which misses a few with small probability, so pull once more soon.
 */
static void
join_check(struct swim *swim, uint64_t now_ms)
{
	if (swim->join_ms == UINT64_MAX || swim->live_count <= 1)
		return;
	swim->join_ms = UINT64_MAX;
	swim__pull_soon(swim, now_ms);
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

enum swim_drop
swim_handle_datagram(struct swim *swim, uint64_t now_ms,
		     const struct swim_addr *from, const uint8_t *data,
		     size_t size)
{
	if (swim->leaving && swim_leave_done(swim, now_ms))
		return count_drop(swim, SWIM_DROP_LEFT);
	if (size > swim->cfg.datagram_size_max)
		return count_drop(swim, SWIM_DROP_OVER_LIMIT);
	struct swim_packet pkt;
	enum swim_drop drop = swim_packet_decode(&pkt, data, size);
	if (drop != SWIM_DROP_NONE)
		return count_drop(swim, drop);
	if (sender_is_self(swim, pkt.sender, pkt.sender_len)) {
		swim_packet_destroy(&pkt);
		return count_drop(swim, SWIM_DROP_FROM_SELF);
	}
	swim->stats.datagrams_received++;
	swim->stats.bytes_received += size;
	for (size_t i = 0; i < pkt.msg_count; i++)
		apply_msg(swim, now_ms, from, &pkt, &pkt.msgs[i]);
	pull_if_unknown(swim, now_ms, from, &pkt);
	swim_packet_destroy(&pkt);
	join_check(swim, now_ms);
	return SWIM_DROP_NONE;
}

/* ---- state exchange --------------------------------------------------- */

/* swim_state_member_cb over the member table, in probe order. */
static void
state_member(void *ctx, size_t i, struct swim_msg *msg)
{
	struct swim *swim = ctx;
	/* The probe order is shuffled: each record is a cache miss unless
	 * asked for ahead. */
	if (i + SWIM_PREFETCH_AHEAD < swim->member_count)
		__builtin_prefetch(
			swim__member_at(swim, i + SWIM_PREFETCH_AHEAD));
	swim__member_to_msg(swim, swim__member_at(swim, i), msg);
}

int
swim_state_encode(struct swim *swim, bool join, uint8_t **out, size_t *size)
{
	const struct swim_member *self = swim->self;
	return swim_state_pack(self->name, self->name_len, join,
			       swim->member_count, out, size, state_member,
			       swim);
}

/* Ask for the index slot of the message 2 * SWIM_PREFETCH_AHEAD ahead and the
 * record of the one SWIM_PREFETCH_AHEAD ahead. */
static void
prefetch_state(const struct swim *swim, const struct swim_state_def *st,
	       size_t i)
{
	size_t far = i + 2 * SWIM_PREFETCH_AHEAD, near = i + SWIM_PREFETCH_AHEAD;
	if (far < st->member_count)
		swim__member_prefetch(swim, st->members[far].name,
				      st->members[far].name_len, false);
	if (near < st->member_count)
		swim__member_prefetch(swim, st->members[near].name,
				      st->members[near].name_len, true);
}

enum swim_drop
swim_handle_state(struct swim *swim, uint64_t now_ms,
		  const struct swim_addr *from, const uint8_t *data,
		  size_t size)
{
	/* The reply carries our state, so stale verdicts about us are
	 * corrected by the exchange itself. */
	(void)from;
	if (swim->leaving && swim_leave_done(swim, now_ms))
		return count_drop(swim, SWIM_DROP_LEFT);
	struct swim_state_def st;
	enum swim_drop drop = swim_state_decode(&st, data, size);
	if (drop != SWIM_DROP_NONE)
		return count_drop(swim, drop);
	if (sender_is_self(swim, st.sender, st.sender_len)) {
		swim_state_destroy(&st);
		return count_drop(swim, SWIM_DROP_FROM_SELF);
	}
	swim->stats.pushpulls++;
	for (size_t i = 0; i < st.member_count; i++) {
		prefetch_state(swim, &st, i);
		struct swim_msg msg = st.members[i];
		/* Their verdict is our suspicion (memberlist mergeState):
		 * the subject gets a chance to refute before we agree. */
		if (msg.type == SWIM_MSG_FAILED)
			msg.type = SWIM_MSG_SUSPECT;
		swim__apply_status(swim, now_ms, &msg);
	}
	swim_state_destroy(&st);
	join_check(swim, now_ms);
	return SWIM_DROP_NONE;
}

int
swim_restore(struct swim *swim, uint64_t now_ms,
	     const struct swim_self *members, size_t count)
{
	if (count > SWIM_MEMBERS_MAX)
		count = SWIM_MEMBERS_MAX;
	/* Names are measured once: a warm simulator start restores every
	 * node with every member. */
	uint8_t *lens = malloc(count ? count : 1);
	if (lens == NULL)
		return RUMOR_ENOMEM;
	for (size_t i = 0; i < count; i++) {
		const char *name = members[i].name;
		size_t len = name ? strlen(name) : 0;
		if (!swim_name_valid(name, len)) {
			free(lens);
			return RUMOR_EINVAL;
		}
		lens[i] = (uint8_t)len;
	}
	/* Append in a random order (the probe order, as if each had been
	 * inserted at random), with the table sized once. */
	uint32_t *order = malloc((count ? count : 1) * sizeof(*order));
	if (order == NULL ||
	    swim__member_reserve(swim, swim->member_count + count) != 0) {
		free(order);
		free(lens);
		return RUMOR_ENOMEM;
	}
	for (size_t i = 0; i < count; i++)
		order[i] = (uint32_t)i;
	for (size_t i = count; i > 1; i--) {
		size_t j = swim_rand_below(&swim->rand, i);
		uint32_t t = order[i - 1];
		order[i - 1] = order[j];
		order[j] = t;
	}
	int rc = 0;
	for (size_t k = 0; k < count && rc == 0; k++) {
		/* The input is read in shuffled order: ask for it ahead
		 * (the entry, then its name once the entry has arrived,
		 * then the name's index slot once the name has). */
		size_t a = SWIM_PREFETCH_AHEAD;
		if (k + 3 * a < count)
			__builtin_prefetch(&members[order[k + 3 * a]]);
		if (k + 2 * a < count)
			__builtin_prefetch(members[order[k + 2 * a]].name);
		if (k + a < count)
			swim__member_prefetch(swim, members[order[k + a]].name,
					      lens[order[k + a]], false);
		const struct swim_self *in = &members[order[k]];
		/* Self is in the table too: it is skipped like a
		 * duplicate. */
		bool added;
		struct swim_member *m = swim__member_find_or_append(
			swim, in->name, lens[order[k]], &in->addr, now_ms,
			&added);
		if (m != NULL && !added)
			continue;
		if (m == NULL ||
		    swim__member_set_meta(swim, m, in->meta, in->meta_size) !=
			    0) {
			/* Appended last, so it sits in the last slot. */
			if (m != NULL)
				swim__member_remove(swim,
						    swim->member_count - 1);
			rc = RUMOR_ENOMEM;
			break;
		}
		m->incarnation = in->incarnation;
	}
	free(order);
	free(lens);
	uint64_t interval = swim_pushpull_scale(swim->cfg.pushpull_interval_ms,
						swim->live_count);
	if (interval != 0)
		swim->pushpull_ms = now_ms + 1 +
				    swim_rand_below(&swim->rand, interval);
	return rc;
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
		struct swim_datagram *dg = swim__send_begin(swim, &to, &enc);
		if (dg == NULL)
			return;
		swim__send_finish(swim, dg, &enc, true);
	}
}

static void
pushpull_tick(struct swim *swim, uint64_t now_ms)
{
	swim->pushpull_ms = now_ms + swim_pushpull_scale(
		swim->cfg.pushpull_interval_ms, swim->live_count);
	struct swim_member *peer;
	if (swim__random_members(swim, &peer, 1, NULL, swim__is_live,
				 now_ms) == 1) {
		struct swim_addr to = swim__member_addr(peer);
		swim__request_stream(swim, &to, false);
	}
}

static bool
reconnect_eligible(const struct swim *swim, const struct swim_member *m,
		   uint64_t now_ms)
{
	(void)swim;
	(void)now_ms;
	return m->status == SWIM_STATUS_FAILED;
}

static void
join_attempt(struct swim *swim)
{
	for (size_t i = 0; i < swim->join_count; i++)
		swim__request_stream(swim, &swim->join_addrs[i], true);
}

static void
reconnect_tick(struct swim *swim, uint64_t now_ms)
{
	swim->reconnect_ms = now_ms + swim->cfg.reconnect_interval_ms;
	if (swim->leaving)
		return;
	/* Alone: our seeds are the only way back (partitions heal by
	 * themselves, however long they lasted). */
	if (swim->live_count <= 1 && swim->join_ms == UINT64_MAX)
		join_attempt(swim);
	if (swim->failed_count == 0)
		return;
	/* Serf: try with probability failed / alive, so the cluster makes
	 * about one attempt per failed member per interval. */
	if (!swim_rand_chance(&swim->rand, swim->failed_count,
			      swim->live_count))
		return;
	struct swim_member *peer;
	if (swim__random_members(swim, &peer, 1, NULL, reconnect_eligible,
				 now_ms) == 1) {
		swim->stats.reconnects++;
		struct swim_addr to = swim__member_addr(peer);
		swim__request_stream(swim, &to, false);
	}
}

static void
reap_tick(struct swim *swim, uint64_t now_ms)
{
	swim->reap_ms = now_ms + SWIM_REAP_INTERVAL_MS;
	/* Nothing can expire: skip the walk over every member. */
	if (swim->failed_count == 0 && swim->left_count == 0)
		return;
	for (size_t i = 0; i < swim->member_count;) {
		struct swim_member *m = swim__member_at(swim, i);
		uint64_t age = now_ms - m->status_ms;
		bool expired =
			(m->status == SWIM_STATUS_FAILED &&
			 age >= swim->cfg.reconnect_timeout_ms) ||
			(m->status == SWIM_STATUS_LEFT &&
			 !swim__member_is_self(swim, m) &&
			 age >= swim->cfg.tombstone_timeout_ms);
		if (!expired) {
			i++;
			continue;
		}
		swim__emit_event(swim, SWIM_EVENT_REMOVED, m);
		swim__member_remove(swim, i);
	}
}

static void
join_tick(struct swim *swim, uint64_t now_ms)
{
	join_attempt(swim);
	swim->join_ms = now_ms + swim->join_backoff_ms;
	swim->join_backoff_ms *= 2;
	if (swim->join_backoff_ms > swim->cfg.join_retry_max_ms)
		swim->join_backoff_ms = swim->cfg.join_retry_max_ms;
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
		pushpull_tick(swim, now_ms);
	if (now_ms >= swim->reconnect_ms)
		reconnect_tick(swim, now_ms);
	if (now_ms >= swim->reap_ms)
		reap_tick(swim, now_ms);
	if (now_ms >= swim->join_ms)
		join_tick(swim, now_ms);
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
swim_join(struct swim *swim, uint64_t now_ms, const struct swim_addr *addrs,
	  size_t count)
{
	if (swim->leaving)
		return RUMOR_ESTATE;
	if (count == 0 || count > SWIM_JOIN_ADDRS_MAX)
		return RUMOR_EINVAL;
	size_t kept = 0;
	for (size_t i = 0; i < count; i++) {
		const struct swim_addr *a = &addrs[i];
		/* A seed list that names us is common (same config file
		 * on every node); joining ourselves is pointless. */
		if (a->ip == swim->self->ip && a->port == swim->self->port)
			continue;
		swim->join_addrs[kept++] = *a;
	}
	swim->join_count = kept;
	if (kept == 0)
		return 0;
	swim->join_backoff_ms = swim->cfg.join_retry_min_ms;
	join_tick(swim, now_ms);
	return 0;
}

int
swim_leave(struct swim *swim, uint64_t now_ms)
{
	if (swim->leaving)
		return 0;
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

bool
swim_leave_done(const struct swim *swim, uint64_t now_ms)
{
	if (!swim->leaving)
		return false;
	if (swim->live_count == 0 ||
	    now_ms >= swim->leave_start_ms + swim->cfg.leave_timeout_ms)
		return true;
	/* Sent as often as any update is: everyone has likely heard. */
	return swim->self->transmits < 0;
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
