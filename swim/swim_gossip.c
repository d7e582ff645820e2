/*
 * swim_gossip: the rules by which status messages change the member table,
 * refutation, and the Lifeguard suspicion lifecycle.
 *
 * The gossip rules, for a message about member M at incarnation i:
 *
 *	alive(i)    wins over anything we hold at incarnation < i
 *	suspect(i)  wins over alive at <= i; at equal i over a suspect it
 *	            counts as an independent confirmation (Lifeguard)
 *	failed(i)   wins over alive and suspect at <= i
 *	left(i)     wins over alive, suspect and failed at <= i
 *
 * Only M raises its own incarnation: when it hears it is suspected,
 * failed or left (at >= its incarnation) while it is not leaving, it
 * refutes with alive(i + 1). A restarted node starts at a higher
 * incarnation (the agent keeps a counter), and if it starts too low the
 * first gossip about its old self makes it refute past it.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "swim_broadcast.h"
#include "swim_gossip.h"
#include "swim_lifeguard.h"
#include "swim_member.h"
#include "swim_output.h"
#include "swim_proto.h"
#include "swim_slab.h"

/* A change everyone should hear of: queue it and tell the driver. */
static void
member_changed(struct swim *swim, struct swim_member *m,
	       enum swim_event_type type)
{
	swim__bcast_queue(swim, m);
	swim__emit_event(swim, type, m);
}

static void
refute(struct swim *swim, uint64_t incarnation, uint64_t now_ms)
{
	struct swim_member *self = swim->self;
	if (incarnation >= self->incarnation)
		self->incarnation = incarnation + 1;
	else
		self->incarnation++;
	if (self->status != SWIM_STATUS_ALIVE)
		swim__member_set_status(swim, self, SWIM_STATUS_ALIVE, now_ms);
	swim->stats.refutations++;
	/* Lifeguard: being suspected hints that we are the slow one. */
	swim->awareness = swim_awareness_apply(swim->awareness, 1,
					       swim->cfg.awareness_max);
	member_changed(swim, self, SWIM_EVENT_STATUS);
}

/* Someone talks about us. Refute unless it is old news or we leave. */
static void
apply_about_self(struct swim *swim, const struct swim_msg *msg,
		 uint64_t now_ms)
{
	if (swim->leaving)
		return;
	if (msg->type == SWIM_MSG_ALIVE) {
		/* An alive claim above ours is our previous life. */
		if (msg->incarnation > swim->self->incarnation)
			refute(swim, msg->incarnation, now_ms);
		return;
	}
	if (msg->incarnation >= swim->self->incarnation)
		refute(swim, msg->incarnation, now_ms);
}

static void
apply_alive(struct swim *swim, const struct swim_msg *msg,
		  uint64_t now_ms)
{
	if (swim__is_self_name(swim, msg->name, msg->name_len)) {
		apply_about_self(swim, msg, now_ms);
		return;
	}
	struct swim_member *m = swim__member_find(swim, msg->name,
						  msg->name_len);
	if (m == NULL) {
		m = swim__member_add(swim, msg->name, msg->name_len,
				     &msg->addr, now_ms);
		if (m == NULL || swim__member_set_meta(swim, m, msg->meta,
						       msg->meta_size) != 0) {
			if (m != NULL)
				swim__member_remove(
					swim, swim__member_slot(swim, m));
			return;
		}
		m->incarnation = msg->incarnation;
		member_changed(swim, m, SWIM_EVENT_STATUS);
		return;
	}
	if (msg->incarnation <= m->incarnation)
		return;
	size_t meta_size;
	const uint8_t *meta = swim__member_meta(swim, m, &meta_size);
	bool moved = m->ip != msg->addr.ip || m->port != msg->addr.port ||
		     meta_size != msg->meta_size ||
		     (msg->meta_size > 0 &&
		      memcmp(meta, msg->meta, msg->meta_size) != 0);
	if (swim__member_set_meta(swim, m, msg->meta, msg->meta_size) != 0)
		return;
	enum swim_status old = m->status;
	m->ip = msg->addr.ip;
	m->port = msg->addr.port;
	m->incarnation = msg->incarnation;
	if (old != SWIM_STATUS_ALIVE) {
		swim__member_set_status(swim, m, SWIM_STATUS_ALIVE, now_ms);
		member_changed(swim, m, SWIM_EVENT_STATUS);
	}
	/* A failed member is back: a partition may have healed, and the
	 * refutations that settle it will miss some of our verdicts. */
	if (old == SWIM_STATUS_FAILED)
		swim__pull_soon(swim, now_ms);
	if (old == SWIM_STATUS_ALIVE && moved)
		member_changed(swim, m, SWIM_EVENT_UPDATE);
	else if (old == SWIM_STATUS_ALIVE)
		swim__bcast_queue(swim, m);
}

/* Arm the suspicion deadline from the current confirmations. */
static void
suspicion_arm(struct swim *swim, struct swim_suspicion *sp)
{
	uint64_t timeout = swim_suspicion_timeout_ms(sp->min_ms, sp->max_ms,
						     sp->k, sp->confirm_count);
	swim_heap_arm(&swim->timers, &sp->timer, sp->start_ms + timeout);
}

static struct swim_suspicion *
suspicion_new(struct swim *swim, struct swim_member *m, const char *from,
	      size_t from_len, uint64_t now_ms)
{
	struct swim_suspicion *sp = calloc(1, sizeof(*sp));
	if (sp == NULL)
		return NULL;
	size_t n = swim->live_count;
	swim_heap_node_init(&sp->timer);
	sp->member = swim__member_ref(swim, m);
	sp->start_ms = now_ms;
	sp->min_ms = swim_suspicion_min_ms(swim->cfg.suspicion_mult, n,
					   swim->cfg.probe_interval_ms);
	sp->max_ms = sp->min_ms * swim->cfg.suspicion_max_timeout_mult;
	sp->k = swim_suspicion_k(swim->cfg.suspicion_mult, n);
	sp->accuser_hash = swim__name_hash(from, from_len);
	memcpy(sp->from, from, from_len);
	sp->from[from_len] = '\0';
	sp->from_len = from_len;
	return sp;
}

/* Lifeguard: an independent suspicion shortens the timeout. Returns true
 * when `from` was new; the update is then re-gossiped in its name. */
static bool
suspicion_confirm(struct swim *swim, struct swim_suspicion *sp,
		  const char *from, size_t from_len)
{
	uint64_t h = swim__name_hash(from, from_len);
	if (h == sp->accuser_hash || sp->confirm_count >= sp->k ||
	    sp->confirm_count >= SWIM_CONFIRMERS_MAX)
		return false;
	for (unsigned i = 0; i < sp->confirm_count; i++) {
		if (sp->confirmers[i] == h)
			return false;
	}
	sp->confirmers[sp->confirm_count++] = h;
	memcpy(sp->from, from, from_len);
	sp->from[from_len] = '\0';
	sp->from_len = from_len;
	suspicion_arm(swim, sp);
	return true;
}

/* Move an alive member to suspect on someone's word. */
static void
member_suspect(struct swim *swim, struct swim_member *m, uint64_t inc,
	       const char *from, size_t from_len, uint64_t now_ms)
{
	struct swim_suspicion *sp = suspicion_new(swim, m, from, from_len,
						  now_ms);
	struct swim_extra *x = sp != NULL ? swim__extra_get(swim, m) : NULL;
	if (x == NULL) {
		free(sp);
		return;
	}
	x->suspicion = sp;
	m->incarnation = inc;
	swim__member_set_status(swim, m, SWIM_STATUS_SUSPECT, now_ms);
	suspicion_arm(swim, sp);
	swim->stats.suspicions++;
	member_changed(swim, m, SWIM_EVENT_STATUS);
}

static void
apply_suspect(struct swim *swim, const struct swim_msg *msg,
		    uint64_t now_ms)
{
	if (swim__is_self_name(swim, msg->name, msg->name_len)) {
		apply_about_self(swim, msg, now_ms);
		return;
	}
	struct swim_member *m = swim__member_find(swim, msg->name,
						  msg->name_len);
	if (m == NULL || msg->incarnation < m->incarnation)
		return;
	if (m->status == SWIM_STATUS_FAILED || m->status == SWIM_STATUS_LEFT)
		return;
	if (m->status == SWIM_STATUS_SUSPECT) {
		if (msg->incarnation > m->incarnation)
			m->incarnation = msg->incarnation;
		if (suspicion_confirm(swim, swim__member_suspicion(swim, m),
				      msg->from, msg->from_len))
			swim__bcast_queue(swim, m);
		return;
	}
	member_suspect(swim, m, msg->incarnation, msg->from, msg->from_len,
		       now_ms);
}

void
swim__suspect(struct swim *swim, struct swim_member *m, uint64_t now_ms)
{
	struct swim_member *self = swim->self;
	if (m->status == SWIM_STATUS_SUSPECT) {
		if (suspicion_confirm(swim, swim__member_suspicion(swim, m),
				      self->name, self->name_len))
			swim__bcast_queue(swim, m);
		return;
	}
	if (m->status != SWIM_STATUS_ALIVE)
		return;
	member_suspect(swim, m, m->incarnation, self->name, self->name_len,
		       now_ms);
}

void
swim__suspicion_expired(struct swim *swim, struct swim_member *m,
			uint64_t now_ms)
{
	if (m->status != SWIM_STATUS_SUSPECT)
		return;
	swim__member_set_status(swim, m, SWIM_STATUS_FAILED, now_ms);
	member_changed(swim, m, SWIM_EVENT_STATUS);
}

static void
apply_failed(struct swim *swim, const struct swim_msg *msg,
		   uint64_t now_ms)
{
	if (swim__is_self_name(swim, msg->name, msg->name_len)) {
		apply_about_self(swim, msg, now_ms);
		return;
	}
	struct swim_member *m = swim__member_find(swim, msg->name,
						  msg->name_len);
	if (m == NULL || msg->incarnation < m->incarnation)
		return;
	if (m->status == SWIM_STATUS_FAILED || m->status == SWIM_STATUS_LEFT)
		return;
	m->incarnation = msg->incarnation;
	swim__member_set_status(swim, m, SWIM_STATUS_FAILED, now_ms);
	member_changed(swim, m, SWIM_EVENT_STATUS);
}

static void
apply_left(struct swim *swim, const struct swim_msg *msg,
		 uint64_t now_ms)
{
	if (swim__is_self_name(swim, msg->name, msg->name_len)) {
		apply_about_self(swim, msg, now_ms);
		return;
	}
	struct swim_member *m = swim__member_find(swim, msg->name,
						  msg->name_len);
	if (m == NULL || msg->incarnation < m->incarnation ||
	    m->status == SWIM_STATUS_LEFT)
		return;
	m->incarnation = msg->incarnation;
	swim__member_set_status(swim, m, SWIM_STATUS_LEFT, now_ms);
	member_changed(swim, m, SWIM_EVENT_STATUS);
}

void
swim__apply_status(struct swim *swim, uint64_t now_ms,
		   const struct swim_msg *msg)
{
	switch (msg->type) {
	case SWIM_MSG_ALIVE:
		apply_alive(swim, msg, now_ms);
		break;
	case SWIM_MSG_SUSPECT:
		apply_suspect(swim, msg, now_ms);
		break;
	case SWIM_MSG_FAILED:
		apply_failed(swim, msg, now_ms);
		break;
	case SWIM_MSG_LEFT:
		apply_left(swim, msg, now_ms);
		break;
	default:
		/* USER and future types: not the core's business yet. */
		break;
	}
}
