/*
 * swim_broadcast: infection-style dissemination.
 *
 * Every update is about a member, and the pending update about a member
 * is embedded in that member, so a newer update replaces an older one by
 * construction (memberlist invalidates by name the same way). Queued
 * members sit in buckets by how often their update was sent; packing
 * takes bucket 0 first, newest first within a bucket, which is SWIM's
 * "fewest-sent first" at O(1) per update instead of a sort per datagram.
 * An update is dropped after retransmit_mult * ceil(log10(n + 1)) sends.
 */
#include "internal.h"
#include "swim_broadcast.h"
#include "swim_lifeguard.h"
#include "swim_proto.h"
#include "swim_slab.h"

/* Take m out of its bucket, swim->bcast[m->transmits]. */
static void
link_unlink(struct swim *swim, struct swim_member *m)
{
	if (m->bcast_prev != 0)
		swim__member_ptr(swim, m->bcast_prev)->bcast_next =
			m->bcast_next;
	else
		swim->bcast[m->transmits] = m->bcast_next;
	if (m->bcast_next != 0)
		swim__member_ptr(swim, m->bcast_next)->bcast_prev =
			m->bcast_prev;
	m->bcast_prev = m->bcast_next = 0;
}

static void
link_push_front(struct swim *swim, unsigned bucket, struct swim_member *m)
{
	uint32_t ref = swim__member_ref(swim, m);
	m->bcast_prev = 0;
	m->bcast_next = swim->bcast[bucket];
	if (m->bcast_next != 0)
		swim__member_ptr(swim, m->bcast_next)->bcast_prev = ref;
	swim->bcast[bucket] = ref;
}

void
swim__bcast_init(struct swim *swim)
{
	for (int i = 0; i <= SWIM_TRANSMIT_MAX; i++)
		swim->bcast[i] = 0;
	swim->bcast_count = 0;
}

void
swim__bcast_queue(struct swim *swim, struct swim_member *m)
{
	if (m->transmits >= 0)
		link_unlink(swim, m);
	else
		swim->bcast_count++;
	m->transmits = 0;
	link_push_front(swim, 0, m);
}

void
swim__bcast_drop(struct swim *swim, struct swim_member *m)
{
	if (m->transmits < 0)
		return;
	link_unlink(swim, m);
	m->transmits = -1;
	swim->bcast_count--;
}

static unsigned
bcast_limit(const struct swim *swim)
{
	unsigned limit = swim_retransmit_limit(swim->cfg.retransmit_mult,
					       swim->live_count);
	return limit > SWIM_TRANSMIT_MAX ? SWIM_TRANSMIT_MAX : limit;
}

/* After a send: move up one bucket, or retire the update. */
static void
bcast_sent(struct swim *swim, struct swim_member *m, unsigned limit)
{
	link_unlink(swim, m);
	m->transmits++;
	if ((unsigned)m->transmits >= limit) {
		m->transmits = -1;
		swim->bcast_count--;
		return;
	}
	link_push_front(swim, (unsigned)m->transmits, m);
}

void
swim__bcast_fill(struct swim *swim, struct swim_encoder *enc)
{
	/* Collect first, then move: moving while walking a bucket would
	 * revisit the update in the next bucket. */
	struct swim_member *sent[SWIM_PACKET_MSGS_MAX];
	size_t sent_count = 0;
	unsigned limit = bcast_limit(swim);
	/* Stop after a few misses: the datagram is as good as full. */
	unsigned misses = 0;
	for (unsigned b = 0; b <= SWIM_TRANSMIT_MAX && misses < 4; b++) {
		uint32_t ref = swim->bcast[b];
		while (ref != 0 && misses < 4 &&
		       sent_count < SWIM_PACKET_MSGS_MAX) {
			struct swim_member *m = swim__member_ptr(swim, ref);
			uint32_t next = m->bcast_next;
			if (b >= limit) {
				/* The cluster shrank below this count. */
				swim__bcast_drop(swim, m);
			} else {
				struct swim_msg msg;
				swim__bcast_msg(swim, m, &msg);
				if (swim_encoder_add(enc, &msg) == 0)
					sent[sent_count++] = m;
				else
					misses++;
			}
			ref = next;
		}
	}
	for (size_t i = 0; i < sent_count; i++)
		bcast_sent(swim, sent[i], limit);
}

void
swim__bcast_msg(const struct swim *swim, const struct swim_member *m,
		struct swim_msg *msg)
{
	static const enum swim_msg_type types[swim_status_MAX] = {
		[SWIM_STATUS_ALIVE] = SWIM_MSG_ALIVE,
		[SWIM_STATUS_SUSPECT] = SWIM_MSG_SUSPECT,
		[SWIM_STATUS_FAILED] = SWIM_MSG_FAILED,
		[SWIM_STATUS_LEFT] = SWIM_MSG_LEFT,
	};
	*msg = (struct swim_msg){
		.type = types[m->status],
		.name = m->name,
		.name_len = m->name_len,
		.addr = swim__member_addr(m),
		.incarnation = m->incarnation,
	};
	struct swim_suspicion *sp;
	if (m->status == SWIM_STATUS_ALIVE) {
		msg->meta = swim__member_meta(swim, m, &msg->meta_size);
	} else if (m->status == SWIM_STATUS_SUSPECT &&
		   (sp = swim__member_suspicion(swim, m)) != NULL) {
		msg->from = sp->from;
		msg->from_len = sp->from_len;
	} else if (m->status != SWIM_STATUS_LEFT) {
		/* A failure is re-gossiped on our own word: the accuser
		 * matters only while confirmations are counted. */
		msg->from = swim->self->name;
		msg->from_len = swim->self->name_len;
	}
}
