/*
 * swim_probe: SWIM's failure detector with Lifeguard's corrections.
 *
 * Every period (probe_interval scaled by the local health multiplier) we
 * probe the next member of the shuffled round robin:
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
 * probe, and up when we have to refute a suspicion of ourselves.
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
	struct swim_datagram *dg = swim__send_begin(swim, to, &enc);
	if (dg == NULL)
		return;
	struct swim_msg ping = {
		.type = SWIM_MSG_PING,
		.seq = seq,
		.name = name,
		.name_len = name_len,
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

static void
send_seq_msg(struct swim *swim, const struct swim_addr *to,
	     enum swim_msg_type type, uint64_t seq)
{
	struct swim_encoder enc;
	struct swim_datagram *dg = swim__send_begin(swim, to, &enc);
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
	int delta = 1;
	if (p->nacks_expected > 0)
		delta = (int)(p->nacks_expected - p->nacks_received);
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
	struct swim_member *m = probe_next_target(swim);
	if (m == NULL)
		return;
	uint64_t timeout = swim_awareness_scale(swim->awareness,
						swim->cfg.probe_timeout_ms);
	*p = (struct swim_probe){
		.active = true,
		.seq = swim->next_seq++,
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
	struct swim_member *helpers[16];
	size_t count = swim__random_members(swim, helpers,
					    swim->cfg.indirect_checks, target,
					    indirect_eligible, now_ms);
	if (count == 0)
		return;
	swim->stats.indirect_probes++;
	p->nacks_expected = (unsigned)count;
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
		struct swim_datagram *dg = swim__send_begin(swim, &to, &enc);
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
	/* A ping meant for whoever had this address before us. */
	if (!swim__is_self_name(swim, msg->name, msg->name_len))
		return;
	struct swim_encoder enc;
	struct swim_datagram *dg = swim__send_begin(swim, from, &enc);
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
		.nack_ms = now_ms + timeout * SWIM_NACK_PERCENT / 100,
		.expire_ms = now_ms + timeout,
	};
	send_ping(swim, &msg->addr, slot->seq, msg->name, msg->name_len,
		  NULL);
}

void
swim__handle_ack(struct swim *swim, uint64_t now_ms,
		 const struct swim_msg *msg)
{
	struct swim_probe *p = &swim->probe;
	if (p->active && !p->acked && msg->seq == p->seq) {
		p->acked = true;
		/* Only a timely direct ack is evidence of our own health. */
		if (!p->indirect_sent && now_ms <= p->ack_deadline_ms)
			swim->awareness = swim_awareness_apply(
				swim->awareness, -1, swim->cfg.awareness_max);
		return;
	}
	for (size_t i = 0; i < SWIM_RELAYS_MAX; i++) {
		struct swim_relay *r = &swim->relays[i];
		if (r->active && !r->acked && r->seq == msg->seq) {
			r->acked = true;
			r->active = false;
			send_seq_msg(swim, &r->requester, SWIM_MSG_ACK,
				     r->req_seq);
			return;
		}
	}
}

void
swim__handle_nack(struct swim *swim, const struct swim_msg *msg)
{
	struct swim_probe *p = &swim->probe;
	if (p->active && msg->seq == p->seq &&
	    p->nacks_received < p->nacks_expected)
		p->nacks_received++;
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
			send_seq_msg(swim, &r->requester, SWIM_MSG_NACK,
				     r->req_seq);
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
