/*
 * Lifeguard's formulas. Kept apart from the state machine so each can be
 * checked against memberlist's numbers in a table test.
 */
#include <math.h>
#include <stddef.h>

#include "swim_lifeguard.h"

unsigned
swim_retransmit_limit(unsigned mult, size_t n)
{
	double scale = ceil(log10((double)n + 1.0));
	return mult * (unsigned)scale;
}

uint64_t
swim_suspicion_min_ms(unsigned mult, size_t n, uint64_t probe_interval_ms)
{
	double scale = n > 1 ? log10((double)n) : 0.0;
	if (scale < 1.0)
		scale = 1.0;
	/* memberlist rounds the scaled seconds to milliseconds. */
	return (uint64_t)((double)mult * scale * (double)probe_interval_ms);
}

unsigned
swim_suspicion_k(unsigned mult, size_t n)
{
	unsigned k = mult > 2 ? mult - 2 : 0;
	if (n < 2 || n - 2 < k)
		return 0;
	return k;
}

uint64_t
swim_suspicion_timeout_ms(uint64_t min_ms, uint64_t max_ms, unsigned k,
			  unsigned confirmations)
{
	if (k == 0 || max_ms <= min_ms)
		return min_ms;
	if (confirmations > k)
		confirmations = k;
	double frac = log((double)confirmations + 1.0) / log((double)k + 1.0);
	double raw = (double)max_ms - frac * (double)(max_ms - min_ms);
	uint64_t timeout = (uint64_t)floor(raw);
	return timeout < min_ms ? min_ms : timeout;
}

unsigned
swim_awareness_apply(unsigned score, int delta, unsigned max)
{
	long next = (long)score + delta;
	if (next < 0)
		next = 0;
	if (max > 0 && next > (long)max - 1)
		next = (long)max - 1;
	return (unsigned)next;
}

uint64_t
swim_awareness_scale(unsigned score, uint64_t timeout_ms)
{
	return timeout_ms * ((uint64_t)score + 1);
}

uint64_t
swim_pushpull_scale(uint64_t interval_ms, size_t n)
{
	if (n <= 32)
		return interval_ms;
	double mult = ceil(log2((double)n) - log2(32.0)) + 1.0;
	return (uint64_t)(mult * (double)interval_ms);
}
