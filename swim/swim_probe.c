/*
 * swim_probe: SWIM's failure detector with Lifeguard's corrections.
 *
 * Every period (probe_interval scaled by the local health multiplier) we
 * probe one member (whom: below):
 *
 *	t0                       ping(seq, target name) [+ suspect(target)]
 *	t0 + timeout * (lhm+1)   no ack yet: ping-req to k random members,
 *	                         each relays a ping and answers ack or, at
 *	                         80% of its timeout, nack
 *	t0 + period              no ack at all: suspect the target
 *
 * A ping to a member we suspect carries the suspicion (Lifeguard's buddy
 * system), so the member learns it at once and can refute. The local
 * health multiplier goes down on a timely direct ack, up by the nacks we
 * did not get (or 1 when no indirect probe was possible) on a failed
 * probe, and up when we have to refute a suspicion of ourselves. Only
 * members we have heard from count there (SWIM_MEMBER_HEARD): a member
 * that exists only in someone's gossip (a member invented by a liar with
 * the key, say) failing its probe says nothing about our own health, and
 * neither does the nack such a member never sends; if they counted, a
 * few dozen invented members would push every node's multiplier to its
 * maximum and slow every probe eightfold.
 *
 * An ack counts only from whom it can come: for our probe, the target or
 * a member we asked to relay (the relay acks in its own name); for a
 * relay we serve, the member we pinged; for a final check, the suspect or
 * a helper. Sequence numbers start at a random value in each life, and
 * datagrams are refused when replayed (membership/node_replay.c), so an
 * ack recorded earlier matches no probe.
 *
 * Whom to probe. SWIM's round robin over a list each node shuffles for
 * itself probes every member once per pass from every prober, but the
 * probers of a member in a given period are independent: with n probers
 * nobody probes it in a period with probability (1 - 1/n)^n, about 1/e,
 * so the wait for the first probe of a crashed member has an exponential
 * tail (over 20 runs at 32 nodes, the slowest first probe came 4 to 5 s
 * after the crash). rumor's probers take turns instead: every node sorts
 * the members into a ring by a well-mixed hash of their names (the same
 * ring everywhere, whatever the names look like), and in round r the node
 * at position p probes position p + 1 + r mod (n - 1). With equal rounds
 * and views, every member has exactly one prober per round. Rounds agree
 * because every ping carries its prober's round and a node two or more
 * behind catches up (not one behind: two nodes a phase apart would push
 * each other forward without end). Members that are not probe-eligible
 * are skipped to the next one, and while the view changes faster than
 * the ring is re-sorted (a join storm), probes go to random members.
 * Rounds are also a wire field older nodes ignore; they then probe in
 * their shuffled order, as before. (probe_ring false: SWIM's order.)
 */
#include <string.h>

#include "internal.h"
#include "swim_broadcast.h"
#include "swim_gossip.h"
#include "swim_lifeguard.h"
#include "swim_member.h"
#include "swim_output.h"
#include "swim_probe.h"
#include "swim_proto.h"
#include "swim_verify.h"

static bool
probe_eligible(const struct swim *swim, const struct swim_member *m)
{
	return !swim__member_is_self(swim, m) &&
	       (m->status == SWIM_STATUS_ALIVE ||
		m->status == SWIM_STATUS_SUSPECT);
}

/* Fisher-Yates over the member array: the next pass's probe order. */
static void
probe_shuffle(struct swim *swim)
{
	for (size_t i = swim->member_count; i > 1; i--) {
		size_t j = swim_rand_below(&swim->rand, i);
		uint32_t tmp = swim->members[i - 1];
		swim->members[i - 1] = swim->members[j];
		swim->members[j] = tmp;
	}
	swim->probe_cursor = 0;
}

/* The ring's order: the name hash, mixed (splitmix64's finalizer) so that
 * similar names (n80, n81; racks, subnets) do not sit together. */
static uint64_t
ring_key(const struct swim_member *m)
{
	uint64_t z = swim__name_hash(m->name, m->name_len);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

struct ring_item {
	uint64_t key;
	uint32_t ref;
};

/* Sort the probe order into the ring (LSD radix sort on the 64-bit key,
 * 8 bits a pass: linear, and no allocation behind the allocator's back as
 * qsort may do). Returns false, the order unchanged, on out-of-memory. */
static bool
ring_sort(struct swim *swim)
{
	size_t n = swim->member_count;
	const struct swim_allocator *al = swim->cfg.allocator;
	struct ring_item *a = swim_mem_calloc(al, 2 * n, sizeof(*a));
	if (a == NULL)
		return false;
	struct ring_item *b = a + n;
	for (size_t i = 0; i < n; i++)
		a[i] = (struct ring_item){
			.key = ring_key(swim__member_at(swim, i)),
			.ref = swim->members[i]};
	for (unsigned shift = 0; shift < 64; shift += 8) {
		size_t count[257] = {0};
		for (size_t i = 0; i < n; i++)
			count[((a[i].key >> shift) & 0xff) + 1]++;
		for (size_t k = 1; k < 257; k++)
			count[k] += count[k - 1];
		for (size_t i = 0; i < n; i++)
			b[count[(a[i].key >> shift) & 0xff]++] = a[i];
		struct ring_item *t = a;
		a = b;
		b = t;
	}
	/* Eight passes: the sorted run is back in the first half. */
	uint32_t self = swim__member_ref(swim, swim->self);
	for (size_t i = 0; i < n; i++) {
		swim->members[i] = a[i].ref;
		if (a[i].ref == self)
			swim->ring_self = i;
	}
	swim_mem_free(al, a);
	swim->ring_dirty = false;
	swim->ring_sorted_round = swim->round;
	return true;
}

static bool
random_eligible(const struct swim *swim, const struct swim_member *m,
		uint64_t now_ms)
{
	(void)now_ms;
	return probe_eligible(swim, m);
}

/* This round's target on the ring (see the top of the file). */
static struct swim_member *
ring_next_target(struct swim *swim, uint64_t now_ms)
{
	size_t n = swim->member_count;
	if (n < 2)
		return NULL;
	if (swim->ring_dirty &&
	    (swim->round - swim->ring_sorted_round >= SWIM_RING_SORT_ROUNDS ||
	     swim->ring_sorted_round == 0))
		(void)ring_sort(swim);
	if (swim->ring_dirty) {
		struct swim_member *m;
		return swim__random_members(swim, &m, 1, NULL, random_eligible,
					    now_ms) == 1 ? m : NULL;
	}
	for (size_t step = 0; step < n - 1; step++) {
		size_t at = (swim->ring_self + 1 +
			     (swim->round + step) % (n - 1)) % n;
		struct swim_member *m = swim__member_at(swim, at);
		if (probe_eligible(swim, m))
			return m;
	}
	return NULL;
}

static struct swim_member *
probe_next_target(struct swim *swim)
{
	for (size_t steps = 0; steps <= swim->member_count; steps++) {
		if (swim->probe_cursor >= swim->member_count)
			probe_shuffle(swim);
		struct swim_member *m =
			swim__member_at(swim, swim->probe_cursor++);
		if (probe_eligible(swim, m))
			return m;
	}
	return NULL;
}

/* Send a ping for `seq` to `to`, naming the member we mean. */
static void
send_ping(struct swim *swim, const struct swim_addr *to, uint64_t seq,
	  const char *name, size_t name_len, const struct swim_member *buddy)
{
	struct swim_encoder enc;
	struct swim_datagram *dg = swim__send_begin(swim, to, name, name_len,
						    &enc);
	if (dg == NULL)
		return;
	struct swim_msg ping = {
		.type = SWIM_MSG_PING,
		.seq = seq,
		.name = name,
		.name_len = name_len,
		.round = swim->cfg.probe_ring ? swim->round : 0,
	};
	/* A ping fits any datagram swim_config_check() allows. */
	if (swim_encoder_add(&enc, &ping) != 0) {
		swim__send_cancel(swim);
		return;
	}
	if (buddy != NULL && buddy->status == SWIM_STATUS_SUSPECT) {
		struct swim_msg suspect;
		swim__bcast_msg(swim, buddy, &suspect);
		swim__send_add_optional(&enc, &suspect);
	}
	swim__send_finish(swim, dg, &enc, true);
}

/* An ack or nack for `seq` to the requester of relay r. */
static void
send_seq_msg(struct swim *swim, const struct swim_relay *r,
	     enum swim_msg_type type, uint64_t seq)
{
	struct swim_encoder enc;
	struct swim_datagram *dg = swim__send_begin(
		swim, &r->requester, r->requester_name, r->requester_len, &enc);
	if (dg == NULL)
		return;
	struct swim_msg msg = {.type = type, .seq = seq};
	if (swim_encoder_add(&enc, &msg) != 0) {
		swim__send_cancel(swim);
		return;
	}
	swim__send_finish(swim, dg, &enc, true);
}

/* The period ended: judge the probe in flight. */
static void
probe_finish(struct swim *swim, uint64_t now_ms)
{
	struct swim_probe *p = &swim->probe;
	p->active = false;
	if (p->acked)
		return;
	swim->stats.probes_failed++;
	/* Lifeguard's evidence of our own slowness, from members that
	 * exist only: the nacks missing from helpers we have heard from, or
	 * 1 when there were none to ask; nothing for a target we have never
	 * heard from (see the top of the file). */
	int delta = 0;
	if (p->target_heard && p->helper_heard == 0)
		delta = 1;
	else if (p->target_heard)
		delta = __builtin_popcount(p->helper_heard & ~p->helper_nacked);
	swim->awareness = swim_awareness_apply(swim->awareness, delta,
					       swim->cfg.awareness_max);
	struct swim_member *m = swim__member_find(swim, p->target,
						  strlen(p->target));
	if (m != NULL && probe_eligible(swim, m))
		swim__suspect(swim, m, now_ms);
}

void
swim__probe_tick(struct swim *swim, uint64_t now_ms)
{
	struct swim_probe *p = &swim->probe;
	if (p->active)
		probe_finish(swim, now_ms);
	if (swim->leaving) {
		swim->probe_ms = UINT64_MAX;
		return;
	}
	uint64_t period = swim_awareness_scale(swim->awareness,
					       swim->cfg.probe_interval_ms);
	swim->probe_ms = now_ms + period;
	swim->round++;
	struct swim_member *m = swim->cfg.probe_ring
					? ring_next_target(swim, now_ms)
					: probe_next_target(swim);
	if (m == NULL)
		return;
	uint64_t timeout = swim_awareness_scale(swim->awareness,
						swim->cfg.probe_timeout_ms);
	*p = (struct swim_probe){
		.active = true,
		.target_heard = (m->flags & SWIM_MEMBER_HEARD) != 0,
		.seq = swim->next_seq++,
		.target_hash = swim__name_hash(m->name, m->name_len),
		.start_ms = now_ms,
		.ack_deadline_ms = now_ms + timeout,
	};
	memcpy(p->target, m->name, m->name_len + 1);
	swim->stats.probes_sent++;
	struct swim_addr to = swim__member_addr(m);
	send_ping(swim, &to, p->seq, m->name, m->name_len, m);
}

static bool
indirect_eligible(const struct swim *swim, const struct swim_member *m,
		  uint64_t now_ms)
{
	(void)now_ms;
	return !swim__member_is_self(swim, m) &&
	       m->status == SWIM_STATUS_ALIVE;
}

void
swim__probe_ack_timeout(struct swim *swim, uint64_t now_ms)
{
	struct swim_probe *p = &swim->probe;
	if (!p->active || p->acked || p->indirect_sent)
		return;
	p->indirect_sent = true;
	struct swim_member *target = swim__member_find(swim, p->target,
						       strlen(p->target));
	if (target == NULL || swim->cfg.indirect_checks == 0)
		return;
	struct swim_member *helpers[SWIM_INDIRECT_MAX];
	size_t count = swim__random_members(swim, helpers,
					    swim->cfg.indirect_checks, target,
					    indirect_eligible, now_ms);
	if (count == 0)
		return;
	swim->stats.indirect_probes++;
	p->helper_count = (unsigned)count;
	for (size_t i = 0; i < count; i++) {
		p->helper_hash[i] = swim__name_hash(helpers[i]->name,
						    helpers[i]->name_len);
		if (helpers[i]->flags & SWIM_MEMBER_HEARD)
			p->helper_heard |= 1u << i;
	}
	struct swim_msg req = {
		.type = SWIM_MSG_PING_REQ,
		.seq = p->seq,
		.name = target->name,
		.name_len = target->name_len,
		.addr = swim__member_addr(target),
	};
	for (size_t i = 0; i < count; i++) {
		struct swim_encoder enc;
		struct swim_addr to = swim__member_addr(helpers[i]);
		struct swim_datagram *dg = swim__send_begin(
			swim, &to, helpers[i]->name, helpers[i]->name_len, &enc);
		if (dg == NULL)
			return;
		if (swim_encoder_add(&enc, &req) != 0) {
			swim__send_cancel(swim);
			continue;
		}
		swim__send_finish(swim, dg, &enc, true);
	}
}

void
swim__handle_ping(struct swim *swim, uint64_t now_ms,
		  const struct swim_addr *from, const struct swim_packet *pkt,
		  const struct swim_msg *msg)
{
	(void)now_ms;
	/* Catch up with a prober two or more rounds ahead (not one: see
	 * the top of the file). */
	if (msg->round > swim->round + 1)
		swim->round = msg->round - 1;
	/* A ping meant for whoever had this address before us. */
	if (!swim__is_self_name(swim, msg->name, msg->name_len))
		return;
	struct swim_encoder enc;
	struct swim_datagram *dg = swim__send_begin(swim, from, pkt->sender,
						    pkt->sender_len, &enc);
	if (dg == NULL)
		return;
	struct swim_msg ack = {.type = SWIM_MSG_ACK, .seq = msg->seq};
	if (swim_encoder_add(&enc, &ack) != 0) {
		swim__send_cancel(swim);
		return;
	}
	/* The pinger is alive, yet we hold it suspect or failed: our
	 * verdict rides on the ack so it can correct us (it refutes, or
	 * answers a stale verdict with its current alive). */
	const struct swim_member *sender =
		swim__member_find(swim, pkt->sender, pkt->sender_len);
	if (sender != NULL && (sender->status == SWIM_STATUS_SUSPECT ||
			       sender->status == SWIM_STATUS_FAILED)) {
		struct swim_msg verdict;
		swim__bcast_msg(swim, sender, &verdict);
		swim__send_add_optional(&enc, &verdict);
	}
	swim__send_finish(swim, dg, &enc, true);
}

void
swim__handle_ping_req(struct swim *swim, uint64_t now_ms,
		      const struct swim_addr *from,
		      const struct swim_packet *pkt,
		      const struct swim_msg *msg)
{
	struct swim_relay *slot = NULL;
	for (size_t i = 0; i < SWIM_RELAYS_MAX && slot == NULL; i++) {
		if (!swim->relays[i].active)
			slot = &swim->relays[i];
	}
	if (slot == NULL)
		return;
	uint64_t timeout = swim->cfg.probe_timeout_ms;
	*slot = (struct swim_relay){
		.active = true,
		.seq = swim->next_seq++,
		.req_seq = msg->seq,
		.requester = *from,
		.requester_len = (uint8_t)pkt->sender_len,
		.target_hash = swim__name_hash(msg->name, msg->name_len),
		.nack_ms = now_ms + timeout * SWIM_NACK_PERCENT / 100,
		.expire_ms = now_ms + timeout,
	};
	memcpy(slot->requester_name, pkt->sender, pkt->sender_len);
	slot->requester_name[pkt->sender_len] = '\0';
	send_ping(swim, &msg->addr, slot->seq, msg->name, msg->name_len,
		  NULL);
}

/* RFC 6298: srtt += (r - srtt) / 8, rttvar += (|r - srtt| - rttvar) / 4,
 * from the first sample on (srtt = r, rttvar = r / 2). */
static void
rtt_sample(struct swim *swim, uint64_t rtt_us)
{
	if (swim->srtt_us == 0) {
		swim->srtt_us = rtt_us > 0 ? rtt_us : 1;
		swim->rttvar_us = rtt_us / 2;
		return;
	}
	uint64_t diff = rtt_us > swim->srtt_us ? rtt_us - swim->srtt_us
					       : swim->srtt_us - rtt_us;
	swim->rttvar_us = (3 * swim->rttvar_us + diff) / 4;
	swim->srtt_us = (7 * swim->srtt_us + rtt_us) / 8;
	if (swim->srtt_us == 0)
		swim->srtt_us = 1;
}

/* Index of the helper of our probe named by hash h, or -1. */
static int
probe_helper(const struct swim_probe *p, uint64_t h)
{
	for (unsigned i = 0; i < p->helper_count; i++) {
		if (p->helper_hash[i] == h)
			return (int)i;
	}
	return -1;
}

void
swim__handle_ack(struct swim *swim, uint64_t now_ms,
		 const struct swim_packet *pkt, const struct swim_msg *msg)
{
	struct swim_probe *p = &swim->probe;
	uint64_t sender = swim__name_hash(pkt->sender, pkt->sender_len);
	if (p->active && !p->acked && msg->seq == p->seq &&
	    (sender == p->target_hash || probe_helper(p, sender) >= 0)) {
		p->acked = true;
		if (!p->indirect_sent)
			rtt_sample(swim, (now_ms - p->start_ms) * 1000);
		/* Only a timely direct ack is evidence of our own health. */
		if (!p->indirect_sent && now_ms <= p->ack_deadline_ms)
			swim->awareness = swim_awareness_apply(
				swim->awareness, -1, swim->cfg.awareness_max);
		return;
	}
	for (size_t i = 0; i < SWIM_RELAYS_MAX; i++) {
		struct swim_relay *r = &swim->relays[i];
		if (r->active && !r->acked && r->seq == msg->seq &&
		    r->target_hash == sender) {
			r->acked = true;
			r->active = false;
			send_seq_msg(swim, r, SWIM_MSG_ACK, r->req_seq);
			return;
		}
	}
	(void)swim__verify_acked(swim, now_ms, sender, msg->seq);
}

void
swim__handle_nack(struct swim *swim, const struct swim_packet *pkt,
		  const struct swim_msg *msg)
{
	struct swim_probe *p = &swim->probe;
	uint64_t sender = swim__name_hash(pkt->sender, pkt->sender_len);
	if (p->active && msg->seq == p->seq) {
		int i = probe_helper(p, sender);
		if (i >= 0)
			p->helper_nacked |= 1u << i;
		return;
	}
	swim__verify_nacked(swim, sender, msg->seq);
}

void
swim__relays_tick(struct swim *swim, uint64_t now_ms)
{
	for (size_t i = 0; i < SWIM_RELAYS_MAX; i++) {
		struct swim_relay *r = &swim->relays[i];
		if (!r->active)
			continue;
		if (!r->nack_sent && now_ms >= r->nack_ms) {
			r->nack_sent = true;
			send_seq_msg(swim, r, SWIM_MSG_NACK, r->req_seq);
		}
		if (now_ms >= r->expire_ms)
			r->active = false;
	}
}

uint64_t
swim__relays_deadline(const struct swim *swim)
{
	uint64_t next = UINT64_MAX;
	for (size_t i = 0; i < SWIM_RELAYS_MAX; i++) {
		const struct swim_relay *r = &swim->relays[i];
		if (!r->active)
			continue;
		uint64_t t = r->nack_sent ? r->expire_ms : r->nack_ms;
		if (t < next)
			next = t;
	}
	return next;
}
