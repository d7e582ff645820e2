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
#include <string.h>

#include "internal.h"
#include "swim_broadcast.h"
#include "swim_gossip.h"
#include "swim_lifeguard.h"
#include "swim_member.h"
#include "swim_output.h"
#include "swim_proto.h"
#include "swim_slab.h"

/*
 * On error, nothing changed. A message that would change a member reserves
 * everything it needs first (the event the driver must hear of, the
 * suspicion's deadline, its memory) and changes the member only then; a
 * message we cannot afford is dropped whole, as if the network had lost
 * it, and the protocol recovers from it the same way.
 */

/* A change everyone should hear of: queue it and tell the driver (its
 * event reserved by the caller). */
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
	if (swim__event_reserve(swim) != 0)
		return;
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

/* A member first heard of, alive, with its metadata; NULL, and nothing
 * changed, when out of memory. */
static RUMOR_MUST_CHECK struct swim_member *
member_new(struct swim *swim, const struct swim_msg *msg, uint64_t now_ms)
{
	/* Adding draws its place in the probe order. */
	struct swim_rand rand_before = swim->rand;
	struct swim_member *m = swim__member_add(swim, msg->name,
						 msg->name_len, &msg->addr,
						 now_ms);
	if (m == NULL)
		return NULL;
	if (swim__member_set_meta(swim, m, msg->meta, msg->meta_size) != 0) {
		swim__member_remove(swim, swim__member_slot(swim, m));
		swim->rand = rand_before;
		return NULL;
	}
	m->incarnation = msg->incarnation;
	return m;
}

static void
apply_alive(struct swim *swim, const struct swim_msg *msg, uint64_t now_ms)
{
	struct swim_member *m = swim__member_find(swim, msg->name,
						  msg->name_len);
	if (m != NULL && msg->incarnation <= m->incarnation)
		return;
	if (swim__event_reserve(swim) != 0)
		return;
	if (m == NULL) {
		m = member_new(swim, msg, now_ms);
		if (m != NULL)
			member_changed(swim, m, SWIM_EVENT_STATUS);
		return;
	}
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

static RUMOR_MUST_CHECK struct swim_suspicion *
suspicion_new(struct swim *swim, struct swim_member *m, const char *from,
	      size_t from_len, uint64_t now_ms)
{
	struct swim_suspicion *sp = swim_mem_calloc(swim->cfg.allocator, 1,
						    sizeof(*sp));
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
	if (swim__event_reserve(swim) != 0 ||
	    swim_heap_reserve(&swim->timers, 1) != 0)
		return;
	struct swim_suspicion *sp = suspicion_new(swim, m, from, from_len,
						  now_ms);
	struct swim_extra *x = sp != NULL ? swim__extra_get(swim, m) : NULL;
	if (x == NULL) {
		swim_mem_free(swim->cfg.allocator, sp);
		return;
	}
	x->suspicion = sp;
	m->incarnation = inc;
	swim__member_set_status(swim, m, SWIM_STATUS_SUSPECT, now_ms);
	suspicion_arm(swim, sp);
	swim->stats.suspicions++;
	member_changed(swim, m, SWIM_EVENT_STATUS);
}

/*
 * The member a verdict (suspect, failed, left) at msg->incarnation may
 * change: NULL when we do not know it, hold it at a higher incarnation,
 * or hold a verdict this one cannot override (left overrides everything
 * but left; suspect and failed neither failed nor left).
 */
static struct swim_member *
verdict_subject(const struct swim *swim, const struct swim_msg *msg)
{
	struct swim_member *m = swim__member_find(swim, msg->name,
						  msg->name_len);
	if (m == NULL || msg->incarnation < m->incarnation ||
	    m->status == SWIM_STATUS_LEFT)
		return NULL;
	if (m->status == SWIM_STATUS_FAILED && msg->type != SWIM_MSG_LEFT)
		return NULL;
	return m;
}

static void
apply_suspect(struct swim *swim, const struct swim_msg *msg,
	      uint64_t now_ms)
{
	struct swim_member *m = verdict_subject(swim, msg);
	if (m == NULL)
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
	if (swim__event_reserve(swim) != 0) {
		/* Still suspect; its deadline, just taken out of the heap,
		 * goes back a probe period later and fits where it was. */
		struct swim_suspicion *sp = swim__member_suspicion(swim, m);
		swim_heap_arm(&swim->timers, &sp->timer,
			      now_ms + swim->cfg.probe_interval_ms);
		return;
	}
	swim__member_set_status(swim, m, SWIM_STATUS_FAILED, now_ms);
	member_changed(swim, m, SWIM_EVENT_STATUS);
}

/* Failed or left: the member takes the verdict's status. */
static void
apply_verdict(struct swim *swim, const struct swim_msg *msg,
	      enum swim_status status, uint64_t now_ms)
{
	struct swim_member *m = verdict_subject(swim, msg);
	if (m == NULL || swim__event_reserve(swim) != 0)
		return;
	m->incarnation = msg->incarnation;
	swim__member_set_status(swim, m, status, now_ms);
	member_changed(swim, m, SWIM_EVENT_STATUS);
}

void
swim__apply_status(struct swim *swim, uint64_t now_ms,
		   const struct swim_msg *msg)
{
	/* USER and future types: not the core's business yet. */
	if (!swim__proto_is_status(msg->type))
		return;
	if (swim__is_self_name(swim, msg->name, msg->name_len)) {
		apply_about_self(swim, msg, now_ms);
		return;
	}
	switch (msg->type) {
	case SWIM_MSG_ALIVE:
		apply_alive(swim, msg, now_ms);
		break;
	case SWIM_MSG_SUSPECT:
		apply_suspect(swim, msg, now_ms);
		break;
	case SWIM_MSG_FAILED:
		apply_verdict(swim, msg, SWIM_STATUS_FAILED, now_ms);
		break;
	default:
		apply_verdict(swim, msg, SWIM_STATUS_LEFT, now_ms);
		break;
	}
}
