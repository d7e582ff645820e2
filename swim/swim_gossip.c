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
 *
 * Where rumor departs from memberlist, to keep every verdict about a live
 * member from sticking (docs/protocol.md, "Accuracy"):
 *
 *  - A suspicion ends in a final check (swim_verify.c); failed(i) from
 *    someone else is not taken on their word: we suspect the member and
 *    check it ourselves at once.
 *  - A verdict at an incarnation below the alive one we hold is answered
 *    with that alive, whoever it is about (third-party correction, at a
 *    limited rate): otherwise only the subject could correct it, and only
 *    if the verdict reached it.
 *  - A datagram from a member we hold suspect or failed is contact
 *    resumed: the suspect is checked now, the failed member is told our
 *    verdict (it answers with its refutation), and our pending suspicions
 *    are announced again and a push-pull brought forward, so that
 *    suspicions raised during a partition reach their subjects after it.
 *
 * Bounds on what a member with the key can make stick by lying (each
 * refusal counted in stats):
 *
 *  - Incarnations: a message may raise the incarnation we hold for a
 *    member (ours, for a claim about us) by at most
 *    SWIM_INCARNATION_JUMP_MAX, and a member first heard of comes in at
 *    SWIM_INCARNATION_NEW_MAX at most. Without it one left(2^64 - 1) was
 *    for ever: its subject's refutation wrapped to 0 and nobody took it,
 *    restart or not. Now reaching the end of the incarnations takes some
 *    2^40 lies in a row, and refutation saturates rather than wraps.
 *  - Moves: an alive that moves a member we hold alive and have heard
 *    from at the address we hold (SWIM_MEMBER_DIRECT) is refused, and we
 *    suspect the member instead: the suspicion's final check asks it at
 *    the address we hold. A member that is there answers (and refutes,
 *    outranking the move everywhere); one that really moved does not, is
 *    declared failed here, and its next alive moves it (after a failed
 *    or suspect verdict moves are taken as before).
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
#include "swim_verify.h"

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
	/* Past both: saturating, never back to 0 (the bounds below keep
	 * honest incarnations far from the end). */
	uint64_t base = incarnation > self->incarnation ? incarnation
							: self->incarnation;
	self->incarnation = base < UINT64_MAX ? base + 1 : UINT64_MAX;
	if (self->status != SWIM_STATUS_ALIVE)
		swim__member_set_status(swim, self, SWIM_STATUS_ALIVE, now_ms);
	swim->stats.refutations++;
	/* Lifeguard: being suspected hints that we are the slow one. */
	swim->awareness = swim_awareness_apply(swim->awareness, 1,
					       swim->cfg.awareness_max);
	member_changed(swim, self, SWIM_EVENT_STATUS);
}

/* Whether inc is more than SWIM_INCARNATION_JUMP_MAX above held, which
 * no honest message is; counted. */
static bool
incarnation_jumps(struct swim *swim, uint64_t inc, uint64_t held)
{
	if (inc <= held || inc - held <= SWIM_INCARNATION_JUMP_MAX)
		return false;
	swim->stats.incarnations_refused++;
	return true;
}

/* Someone talks about us. Refute unless it is old news, a lie too far
 * ahead (no one who holds us near our incarnation takes it either), or we
 * leave. */
static void
apply_about_self(struct swim *swim, const struct swim_msg *msg,
		 uint64_t now_ms)
{
	if (swim->leaving ||
	    incarnation_jumps(swim, msg->incarnation, swim->self->incarnation))
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

/* An alive at a higher incarnation that would move m, which we hold alive
 * and have heard from where it is: refused, and m checked where we hold
 * it (see the top of the file). Returns whether it was refused. */
static bool
move_refused(struct swim *swim, struct swim_member *m,
	     const struct swim_msg *msg, uint64_t now_ms)
{
	if (!(m->flags & SWIM_MEMBER_DIRECT) ||
	    m->status != SWIM_STATUS_ALIVE ||
	    (m->ip == msg->addr.ip && m->port == msg->addr.port))
		return false;
	swim->stats.moves_refused++;
	swim__suspect(swim, m, now_ms);
	return true;
}

static void
apply_alive(struct swim *swim, const struct swim_msg *msg, uint64_t now_ms)
{
	struct swim_member *m = swim__member_find(swim, msg->name,
						  msg->name_len);
	if (m != NULL && msg->incarnation <= m->incarnation)
		return;
	if (m == NULL && msg->incarnation > SWIM_INCARNATION_NEW_MAX) {
		swim->stats.incarnations_refused++;
		return;
	}
	if (m != NULL && (incarnation_jumps(swim, msg->incarnation,
					    m->incarnation) ||
			  move_refused(swim, m, msg, now_ms)))
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
	if (m->ip != msg->addr.ip || m->port != msg->addr.port)
		m->flags &= (uint8_t)~SWIM_MEMBER_DIRECT;
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
		swim__contact_resumed(swim, now_ms);
	if (old == SWIM_STATUS_ALIVE && moved)
		member_changed(swim, m, SWIM_EVENT_UPDATE);
	else if (old == SWIM_STATUS_ALIVE)
		swim__bcast_queue(swim, m);
}

/* Queue every pending suspicion for gossip again: it was sent its R
 * times, maybe into a cut that has healed since. */
static void
requeue_suspicions(struct swim *swim)
{
	for (uint32_t e = 0; e < swim->extra_cap; e++) {
		const struct swim_extra *x = &swim->extras[e];
		if (x->member != 0 && x->suspicion != NULL)
			swim__bcast_queue(swim,
					  swim__member_ptr(swim, x->member));
	}
}

void
swim__contact_resumed(struct swim *swim, uint64_t now_ms)
{
	swim__pull_soon(swim, now_ms);
	if (!swim->cfg.final_check)
		return;
	swim->evidence_ms = now_ms;
	if (now_ms < swim->requeue_ms)
		return;
	swim->requeue_ms = now_ms + swim->cfg.reconnect_interval_ms;
	requeue_suspicions(swim);
}

/*
 * Arm the suspicion deadline from the current confirmations. With the
 * final check, the timer fires one probe interval early: the check takes
 * the last interval of the timeout. A deadline already armed sooner (a
 * check asked for now) is kept; a check under way owns the timer.
 */
static void
suspicion_arm(struct swim *swim, struct swim_suspicion *sp)
{
	if (sp->check_stage != 0)
		return;
	uint64_t timeout = swim_suspicion_timeout_ms(sp->min_ms, sp->max_ms,
						     sp->k, sp->confirm_count);
	uint64_t due = sp->start_ms + timeout;
	if (swim->cfg.final_check) {
		uint64_t window = swim->cfg.probe_interval_ms;
		due = timeout > window ? due - window : sp->start_ms;
	}
	if (swim_heap_node_armed(&sp->timer) && sp->timer.deadline_ms < due)
		return;
	swim_heap_arm(&swim->timers, &sp->timer, due);
}

/* Run m's final check now, unless one is under way. */
static void
check_now(struct swim *swim, struct swim_member *m, uint64_t now_ms)
{
	struct swim_suspicion *sp = swim__member_suspicion(swim, m);
	if (sp == NULL || sp->check_stage != 0)
		return;
	swim_heap_disarm(&swim->timers, &sp->timer);
	swim__suspicion_expired(swim, m, now_ms);
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
 * hold a verdict this one cannot override (left overrides everything but
 * left; suspect and failed neither failed nor left), or when the verdict
 * jumps too far ahead of what we hold (counted).
 */
static struct swim_member *
verdict_subject(struct swim *swim, const struct swim_msg *msg)
{
	struct swim_member *m = swim__member_find(swim, msg->name,
						  msg->name_len);
	if (m == NULL || msg->incarnation < m->incarnation ||
	    m->status == SWIM_STATUS_LEFT ||
	    incarnation_jumps(swim, msg->incarnation, m->incarnation))
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

/*
 * We declared a member failed. A second within a reconnect interval looks
 * like a partition rather than a crash: its verdicts reach each node of
 * our side by gossip only with high probability (half the sends go to the
 * other side, still held alive or suspect), and a node that missed one
 * would hold an unreachable member alive until it probes it itself, once
 * a pass. A push-pull soon with someone on our side brings every verdict
 * at once. One crash costs no stream.
 */
static void
declared(struct swim *swim, uint64_t now_ms)
{
	if (now_ms >= swim->declared_window_ms) {
		swim->declared_window_ms = now_ms +
					   swim->cfg.reconnect_interval_ms;
		swim->declared_count = 0;
	}
	if (++swim->declared_count != 2 || swim->leaving ||
	    swim->cfg.pushpull_interval_ms == 0)
		return;
	/* Not through swim__pull_soon: its block of a reconnect interval
	 * would delay the pull a heal asks for. */
	uint64_t soon = now_ms + 2 * swim->cfg.probe_interval_ms;
	if (soon < swim->pushpull_ms)
		swim->pushpull_ms = soon;
	swim->pulls_again = 2;
}

/* How long the last ping of a final check waits for its answer: the
 * retransmission timeout of RFC 6298 (srtt + 4 rttvar), at least 2 ms,
 * at most the probe timeout (also before any round trip was measured). */
static uint64_t
check_answer_ms(const struct swim *swim)
{
	uint64_t limit = swim->cfg.probe_timeout_ms;
	if (swim->srtt_us == 0)
		return limit;
	uint64_t ms = (swim->srtt_us + swim->rttvar_us + 999) / 1000;
	return ms < 2 ? 2 : ms > limit ? limit : ms;
}

/*
 * The final check's steps, driven by the suspicion's timer: start it (a
 * ping and ping-reqs), ping again halfway, then judge. Returns true when
 * the check still runs (the timer is armed for its next step), false
 * when the suspicion is to be declared.
 */
static bool
check_step(struct swim *swim, struct swim_member *m,
	   struct swim_suspicion *sp, uint64_t now_ms)
{
	/* Pings at 0, 1/2 and 9/10 of the window, and a last one just an
	 * answer's time before its end (a heal after that ping goes
	 * unnoticed, so it goes as late as an answer allows); then judge. */
	uint64_t w = swim->cfg.probe_interval_ms;
	uint64_t last = w - check_answer_ms(swim);
	uint64_t at[] = {0, w / 2, w * 9 / 10,
			 last > w * 9 / 10 ? last : w * 9 / 10, w};
	uint8_t final = sizeof(at) / sizeof(at[0]) - 1;
	if (sp->check_stage == final &&
	    swim->evidence_ms >= sp->check_start_ms) {
		/* Contact resumed with someone while we waited: this check
		 * may have straddled a heal. Check again. */
		sp->check_stage = 0;
	}
	if (sp->check_stage == final && swim->awareness > 0 &&
	    sp->check_nacks < sp->check_nacks_expected &&
	    sp->check_reruns < swim->cfg.awareness_max) {
		/* Lifeguard, carried to verdicts: our own probes are failing
		 * too (a lossy NIC, an overloaded host), and some helper's
		 * nack never came back, so an unanswered check says as much
		 * about us as about the suspect. Check again, up to
		 * awareness_max times, before a verdict. When every helper
		 * nacked, our links work and the suspect is the one silent
		 * (a partition: no rerun, no extra traffic). */
		sp->check_reruns++;
		sp->check_stage = 0;
	}
	if (sp->check_stage == final)
		return false;
	if (sp->check_stage == 0) {
		if (swim__verify_start(swim, m, &sp->check_seq) != 0) {
			/* Every slot busy: a mass failure is checked at a
			 * bounded rate. */
			swim_heap_arm(&swim->timers, &sp->timer,
				      now_ms + swim->cfg.probe_timeout_ms);
			return true;
		}
		sp->check_start_ms = now_ms;
		sp->check_nacks = 0;
		sp->check_nacks_expected = (uint8_t)swim__verify_relay(
			swim, m, sp->check_seq, now_ms);
	} else {
		swim__verify_ping(swim, m, sp->check_seq);
		/* Halfway, other paths too: a suspect that loses most of
		 * what it receives gets more chances to answer. */
		if (sp->check_stage == 1)
			sp->check_nacks_expected += (uint8_t)swim__verify_relay(
				swim, m, sp->check_seq, now_ms);
	}
	sp->check_stage++;
	swim_heap_arm(&swim->timers, &sp->timer,
		      sp->check_start_ms + at[sp->check_stage]);
	return true;
}

void
swim__suspicion_expired(struct swim *swim, struct swim_member *m,
			uint64_t now_ms)
{
	if (m->status != SWIM_STATUS_SUSPECT)
		return;
	struct swim_suspicion *sp = swim__member_suspicion(swim, m);
	if (swim->cfg.final_check && check_step(swim, m, sp, now_ms))
		return;
	if (swim__event_reserve(swim) != 0) {
		/* Still suspect; its deadline, just taken out of the heap,
		 * goes back a probe period later and fits where it was. */
		swim_heap_arm(&swim->timers, &sp->timer,
			      now_ms + swim->cfg.probe_interval_ms);
		return;
	}
	swim__member_set_status(swim, m, SWIM_STATUS_FAILED, now_ms);
	member_changed(swim, m, SWIM_EVENT_STATUS);
	declared(swim, now_ms);
}

/* Failed or left: the member takes the verdict's status. With the final
 * check, someone else's failed(i) makes us check for ourselves now. */
static void
apply_verdict(struct swim *swim, const struct swim_msg *msg,
	      enum swim_status status, uint64_t now_ms)
{
	struct swim_member *m = verdict_subject(swim, msg);
	if (m == NULL)
		return;
	if (status == SWIM_STATUS_FAILED && swim->cfg.final_check) {
		if (m->status == SWIM_STATUS_ALIVE)
			member_suspect(swim, m, msg->incarnation, msg->from,
				       msg->from_len, now_ms);
		else if (msg->incarnation > m->incarnation)
			m->incarnation = msg->incarnation;
		return;
	}
	if (swim__event_reserve(swim) != 0)
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

/* ---- after a datagram: corrections and resumed contact ---------------- */

/* Another member's stale verdict answered this second? */
static bool
correction_allowed(struct swim *swim, uint64_t now_ms)
{
	if (now_ms >= swim->correct_window_ms) {
		swim->correct_window_ms = now_ms + 1000;
		swim->correct_count = 0;
	}
	if (swim->correct_count >= SWIM_CORRECTIONS_PER_S)
		return false;
	swim->correct_count++;
	return true;
}

/* What we hold about m, alone in a datagram to pkt's sender at `to` (no
 * gossip: it is an answer to one member, not dissemination). */
static void
send_member(struct swim *swim, const struct swim_addr *to,
	    const struct swim_packet *pkt, const struct swim_member *m)
{
	struct swim_encoder enc;
	struct swim_datagram *dg = swim__send_begin(swim, to, pkt->sender,
						    pkt->sender_len, &enc);
	if (dg == NULL)
		return;
	struct swim_msg msg;
	swim__bcast_msg(swim, m, &msg);
	/* An alive with its metadata may not fit a small datagram: the
	 * sender then hears of it through gossip. */
	if (swim_encoder_add(&enc, &msg) != 0) {
		swim__send_cancel(swim);
		return;
	}
	swim__send_finish(swim, dg, &enc, false);
}

void
swim__correct_stale(struct swim *swim, uint64_t now_ms,
		    const struct swim_addr *from,
		    const struct swim_packet *pkt, const struct swim_msg *msg)
{
	if (swim->leaving || msg->type == SWIM_MSG_ALIVE ||
	    !swim__proto_is_status(msg->type))
		return;
	if (swim__is_self_name(swim, msg->name, msg->name_len)) {
		if (msg->incarnation < swim->self->incarnation)
			send_member(swim, from, pkt, swim->self);
		return;
	}
	if (!swim->cfg.final_check)
		return;
	const struct swim_member *m =
		swim__member_find(swim, msg->name, msg->name_len);
	if (m == NULL || m->status != SWIM_STATUS_ALIVE ||
	    msg->incarnation >= m->incarnation ||
	    !correction_allowed(swim, now_ms))
		return;
	swim->stats.corrections++;
	send_member(swim, from, pkt, m);
}

void
swim__sender_contact(struct swim *swim, uint64_t now_ms,
		     const struct swim_addr *from,
		     const struct swim_packet *pkt)
{
	if (!swim->cfg.final_check || swim->leaving)
		return;
	struct swim_member *m =
		swim__member_find(swim, pkt->sender, pkt->sender_len);
	if (m == NULL)
		return;
	if (m->status == SWIM_STATUS_SUSPECT) {
		/* Loss makes suspects talk all the time: only check it (and
		 * let a check under way know, see check_step). */
		swim->evidence_ms = now_ms;
		check_now(swim, m, now_ms);
	} else if (m->status == SWIM_STATUS_FAILED) {
		swim__contact_resumed(swim, now_ms);
		if (correction_allowed(swim, now_ms))
			send_member(swim, from, pkt, m);
	}
}
