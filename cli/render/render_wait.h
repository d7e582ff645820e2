/*
 * render_wait: when `rumor render` renders, as a state machine fed with
 * the time (no clock here, so the unit test drives it without sleeping).
 *
 * --wait MIN:MAX: a change starts a wait; every further change pushes the
 * render back to MIN after it (the catalog has to be quiet for MIN), but
 * never past MAX after the change that started the wait. A service that
 * flaps every second with --wait 2s:10s is rendered every 10 s, not 60
 * times a minute; a single change is rendered MIN after it. --wait 0s
 * renders at once. The same idea as consul-template's -wait, including
 * its default for MAX when only MIN is given (4 x MIN).
 *
 *	change at t=0, 1, 2, ... (never quiet), MIN 2 s, MAX 10 s
 *	  -> render at 10, then at 20, ...
 *	change at t=0, then quiet
 *	  -> render at 2
 *
 * Also here: the backoff between attempts to reach a lost agent.
 */
#ifndef RUMOR_RENDER_WAIT_H
#define RUMOR_RENDER_WAIT_H

#include <stdbool.h>
#include <stdint.h>

/** MAX as a multiple of MIN when --wait gives MIN alone
 * (consul-template's rule). */
#define RENDER_WAIT_MAX_FACTOR 4
/** First and longest pause between attempts to reach the agent. */
#define RENDER_RETRY_MS_FIRST 250
#define RENDER_RETRY_MS_MAX 10000

/** The wait of one run of `rumor render`. */
struct render_wait {
	/** Quiet time wanted before a render, and the longest wait. */
	uint64_t min_ms, max_ms;
	/** A change is waiting to be rendered. */
	bool pending;
	/** When the first and the last change of this wait came. */
	uint64_t first_ms, last_ms;
};

/** Nothing pending; min_ms <= max_ms. */
void
render_wait_create(struct render_wait *w, uint64_t min_ms, uint64_t max_ms);

/** A change the templates use came at now_ms. */
void
render_wait_change(struct render_wait *w, uint64_t now_ms);

/** When to render: UINT64_MAX when nothing is pending, else
 * min(last + MIN, first + MAX). */
uint64_t
render_wait_deadline(const struct render_wait *w);

/** Whether to render at now_ms; when true, the pending change is taken
 *  (the caller renders it now) and a later change starts a new wait. */
bool
render_wait_take(struct render_wait *w, uint64_t now_ms);

/** Forget a pending change (a render happened for another reason: a
 *  SIGHUP, a reconnection). */
void
render_wait_clear(struct render_wait *w);

/**
 * Parse --wait: "MIN" or "MIN:MAX", each in swim_duration's grammar
 * ("2s:10s", "500ms"); MIN alone means MAX = 4 x MIN. 0, or RUMOR_EINVAL
 * with *why a static phrase and the outputs untouched.
 */
int
render_wait_parse(const char *text, uint64_t *min_ms, uint64_t *max_ms,
		  const char **why);

/** The pause before attempt number `attempt` (0 is the first retry) to
 *  reach the agent: 250 ms doubling up to 10 s. */
uint64_t
render_retry_ms(unsigned attempt);

#endif /* RUMOR_RENDER_WAIT_H */
