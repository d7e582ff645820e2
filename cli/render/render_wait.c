/*
 * The --wait state machine and the retry backoff (see render_wait.h).
 */
#include <string.h>

#include "render_wait.h"
#include "rumor/error.h"
#include "swim/swim_duration.h"

void
render_wait_create(struct render_wait *w, uint64_t min_ms, uint64_t max_ms)
{
	*w = (struct render_wait){.min_ms = min_ms,
				  .max_ms = max_ms > min_ms ? max_ms : min_ms};
}

void
render_wait_change(struct render_wait *w, uint64_t now_ms)
{
	if (!w->pending) {
		w->pending = true;
		w->first_ms = w->last_ms = now_ms;
	} else if (now_ms > w->last_ms) {
		/* A "now" read before a blocking call may trail one read
		 * after it: the latest stays. */
		w->last_ms = now_ms;
	}
}

uint64_t
render_wait_deadline(const struct render_wait *w)
{
	if (!w->pending)
		return UINT64_MAX;
	/* Durations are at most SWIM_DURATION_MAX_MS (UINT64_MAX / 4), a
	 * monotonic clock in ms far less: no overflow. */
	uint64_t quiet = w->last_ms + w->min_ms;
	uint64_t cap = w->first_ms + w->max_ms;
	return quiet < cap ? quiet : cap;
}

bool
render_wait_take(struct render_wait *w, uint64_t now_ms)
{
	if (!w->pending || now_ms < render_wait_deadline(w))
		return false;
	render_wait_clear(w);
	return true;
}

void
render_wait_clear(struct render_wait *w)
{
	w->pending = false;
	w->first_ms = w->last_ms = 0;
}

int
render_wait_parse(const char *text, uint64_t *min_ms, uint64_t *max_ms,
		  const char **why)
{
	char first[32];
	const char *colon = strchr(text, ':');
	size_t len = colon != NULL ? (size_t)(colon - text) : strlen(text);
	if (len >= sizeof(first)) {
		*why = "MIN is too long";
		return RUMOR_EINVAL;
	}
	memcpy(first, text, len);
	first[len] = '\0';
	uint64_t lo, hi;
	if (swim_duration_parse(first, &lo, why) != 0)
		return RUMOR_EINVAL;
	if (colon == NULL) {
		hi = lo * RENDER_WAIT_MAX_FACTOR; /* lo <= UINT64_MAX / 4 */
	} else if (swim_duration_parse(colon + 1, &hi, why) != 0) {
		return RUMOR_EINVAL;
	} else if (hi < lo) {
		*why = "MAX is less than MIN";
		return RUMOR_EINVAL;
	}
	*min_ms = lo;
	*max_ms = hi;
	return 0;
}

uint64_t
render_retry_ms(unsigned attempt)
{
	uint64_t ms = RENDER_RETRY_MS_FIRST;
	for (unsigned i = 0; i < attempt && ms < RENDER_RETRY_MS_MAX; i++)
		ms *= 2;
	return ms < RENDER_RETRY_MS_MAX ? ms : RENDER_RETRY_MS_MAX;
}
