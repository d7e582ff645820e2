/*
 * swim_verify: the final check of a suspicion.
 *
 * SWIM declares a suspect failed when its suspicion times out unrefuted.
 * That verdict is only as good as the evidence behind it, and the evidence
 * can be old: a suspicion raised during a partition times out after the
 * heal; the refutation that would have cancelled it missed this node (it
 * reaches each node with probability about 1 - e^-R); or it came from
 * someone else's verdict, made across a cut we are not on. memberlist
 * declares all of these, and a healed 10 s split at 128 nodes cost
 * thousands of false failures.
 *
 * So a suspicion ends in a check of our own: during the last probe
 * interval of its timeout we ping the suspect directly (carrying the
 * suspicion, Lifeguard's buddy rule, so it refutes at once) and through
 * indirect_checks alive members, and ping it directly once more halfway.
 * Any answer means the suspect is reachable from here both ways: it is
 * alive again locally, and its refutation follows in the ack. Only a check
 * nobody answered makes the verdict. The check costs no time when the
 * member really failed (it overlaps the timeout) and turns "the subject did
 * not refute in time" into "the subject did not answer us just now".
 *
 * A check that started before a partition healed can still fail after it.
 * When contact with any member we held suspect or failed resumed while the
 * check ran (swim->evidence_ms, see swim_gossip.c), the check is run again
 * instead of declaring.
 *
 * Check datagrams carry no gossip: they aim at suspects, not at random
 * members, and piggybacking would spend the updates' send budget on a
 * biased few (a burst of checks after a heal exhausted a refutation's
 * budget on the other side of the cut and left one node holding it wrong
 * for 50 s in the simulator).
 *
 * At most SWIM_VERIFY_MAX checks run at once; a suspicion that finds no
 * slot is retried a probe timeout later, so a mass failure is checked at a
 * bounded rate (SWIM_VERIFY_MAX datagram bursts per probe interval) rather
 * than all at once. Slots are freed lazily: a slot is free when its
 * sequence number is no longer the one its member's suspicion is checking.
 */
#include <string.h>

#include "internal.h"
#include "swim_broadcast.h"
#include "swim_member.h"
#include "swim_output.h"
#include "swim_proto.h"
#include "swim_slab.h"
#include "swim_verify.h"

/* The suspicion a slot checks, or NULL when the slot is free or stale. */
static struct swim_suspicion *
slot_suspicion(const struct swim *swim, size_t i)
{
	const struct swim_verify_slot *v = &swim->verify[i];
	if (v->member == 0)
		return NULL;
	struct swim_member *m = swim__member_ptr(swim, v->member);
	struct swim_suspicion *sp = swim__member_suspicion(swim, m);
	if (sp == NULL || sp->check_stage == 0 || sp->check_seq != v->seq)
		return NULL;
	return sp;
}

/* The bit of a check's sender filter for a name hash (its top six bits
 * once multiplied by the golden ratio, as FNV-1a's top bits vary little
 * between short names). */
static uint64_t
sender_bit(uint64_t hash)
{
	return 1ull << ((hash * 0x9e3779b97f4a7c15ull) >> 58);
}

/* One datagram of a check to member `to`: the ping (with the suspicion)
 * or a ping-req. */
static void
send_check(struct swim *swim, const struct swim_member *to,
	   const struct swim_msg *msg, const struct swim_member *buddy)
{
	struct swim_encoder enc;
	struct swim_addr addr = swim__member_addr(to);
	struct swim_datagram *dg = swim__send_begin(swim, &addr, to->name,
						    to->name_len, &enc);
	if (dg == NULL)
		return;
	if (swim_encoder_add(&enc, msg) != 0) {
		swim__send_cancel(swim);
		return;
	}
	if (buddy != NULL) {
		struct swim_msg suspect;
		swim__bcast_msg(swim, buddy, &suspect);
		swim__send_add_optional(&enc, &suspect);
	}
	swim__send_finish(swim, dg, &enc, false);
}

void
swim__verify_ping(struct swim *swim, struct swim_member *m, uint64_t seq)
{
	struct swim_msg ping = {.type = SWIM_MSG_PING, .seq = seq,
				.name = m->name, .name_len = m->name_len};
	send_check(swim, m, &ping, m);
}

static bool
helper_eligible(const struct swim *swim, const struct swim_member *m,
		uint64_t now_ms)
{
	(void)now_ms;
	return !swim__member_is_self(swim, m) &&
	       m->status == SWIM_STATUS_ALIVE;
}

int
swim__verify_start(struct swim *swim, struct swim_member *m,
		   uint64_t *seq)
{
	size_t slot = SWIM_VERIFY_MAX;
	for (size_t i = 0; i < SWIM_VERIFY_MAX && slot == SWIM_VERIFY_MAX;
	     i++) {
		if (slot_suspicion(swim, i) == NULL)
			slot = i;
	}
	if (slot == SWIM_VERIFY_MAX)
		return RUMOR_ENOSPACE;
	*seq = swim->next_seq++;
	struct swim_verify_slot *v = &swim->verify[slot];
	*v = (struct swim_verify_slot){
		.seq = *seq,
		.member = swim__member_ref(swim, m),
		.senders = sender_bit(swim__name_hash(m->name, m->name_len)),
	};
	swim->stats.verifications++;
	swim__verify_ping(swim, m, *seq);
	return 0;
}

/* The slot of m's check under seq (taken by swim__verify_start), or
 * NULL. */
static struct swim_verify_slot *
slot_of(struct swim *swim, const struct swim_member *m, uint64_t seq)
{
	uint32_t ref = swim__member_ref(swim, m);
	for (size_t i = 0; i < SWIM_VERIFY_MAX; i++) {
		if (swim->verify[i].seq == seq && swim->verify[i].member == ref)
			return &swim->verify[i];
	}
	return NULL;
}

size_t
swim__verify_relay(struct swim *swim, struct swim_member *m, uint64_t seq,
		   uint64_t now_ms)
{
	struct swim_verify_slot *v = slot_of(swim, m, seq);
	if (v == NULL)
		return 0;
	struct swim_member *helpers[SWIM_INDIRECT_MAX];
	size_t count = swim__random_members(swim, helpers,
					    swim->cfg.indirect_checks, m,
					    helper_eligible, now_ms);
	struct swim_msg req = {
		.type = SWIM_MSG_PING_REQ,
		.seq = seq,
		.name = m->name,
		.name_len = m->name_len,
		.addr = swim__member_addr(m),
	};
	for (size_t i = 0; i < count; i++) {
		v->senders |= sender_bit(swim__name_hash(helpers[i]->name,
							 helpers[i]->name_len));
		send_check(swim, helpers[i], &req, NULL);
	}
	return count;
}

void
swim__verify_nacked(struct swim *swim, uint64_t sender, uint64_t seq)
{
	for (size_t i = 0; i < SWIM_VERIFY_MAX; i++) {
		if (swim->verify[i].seq != seq)
			continue;
		if ((swim->verify[i].senders & sender_bit(sender)) == 0)
			return;
		struct swim_suspicion *sp = slot_suspicion(swim, i);
		if (sp != NULL && sp->check_nacks < sp->check_nacks_expected)
			sp->check_nacks++;
		return;
	}
}

bool
swim__verify_acked(struct swim *swim, uint64_t now_ms, uint64_t sender,
		   uint64_t seq)
{
	for (size_t i = 0; i < SWIM_VERIFY_MAX; i++) {
		if (swim->verify[i].seq != seq ||
		    (swim->verify[i].senders & sender_bit(sender)) == 0 ||
		    slot_suspicion(swim, i) == NULL)
			continue;
		struct swim_member *m =
			swim__member_ptr(swim, swim->verify[i].member);
		swim->verify[i].member = 0;
		if (swim__event_reserve(swim) != 0)
			return true; /* as if the ack was lost */
		swim->stats.verified_alive++;
		swim__member_set_status(swim, m, SWIM_STATUS_ALIVE, now_ms);
		swim__emit_event(swim, SWIM_EVENT_STATUS, m);
		return true;
	}
	return false;
}
