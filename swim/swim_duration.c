/*
 * The duration grammar (swim_duration.h). Before it there were two: the
 * agent's (whole numbers only, so `--probe-interval 1.5s` was refused)
 * and the simulator's (fractions, silently rounded down to a millisecond,
 * and an overflow past 5 million hours). Now one, exact: a decimal number
 * is turned into milliseconds with integer arithmetic only, and anything
 * that would lose a digit is refused with the reason.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "rumor/error.h"
#include "swim_duration.h"

/* Significant fraction digits kept. More can never be a whole number of
 * milliseconds: 10^d must divide digits * unit, and an hour (2^7 3^2 5^5
 * ms) has at most seven factors of 2 or 5. */
#define FRACTION_DIGITS_MAX 9

static const struct {
	const char *name;
	uint64_t ms;
} units[] = {{"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}};

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
fail(int rc, const char *reason, const char **why)
{
	if (why != NULL)
		*why = reason;
	return rc;
}

/* The unit at p (the whole rest of the text), or NULL with the reason. */
static const uint64_t *
unit_of(const char *p, const char **reason)
{
	if (*p == '\0') {
		*reason = "missing unit (ms, s, m or h)";
		return NULL;
	}
	/* "ms" before "m", so the longest name that starts p wins. */
	for (size_t u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
		size_t len = strlen(units[u].name);
		if (strncmp(p, units[u].name, len) != 0)
			continue;
		if (p[len] == '\0')
			return &units[u].ms;
		*reason = "unexpected characters after the unit";
		return NULL;
	}
	*reason = "unknown unit (want ms, s, m or h)";
	return NULL;
}

/* The fraction after the '.' at *p: its digits as frac / scale (scale a
 * power of ten), trailing zeros left out; *p moves past it. */
static int
fraction(const char **p, uint64_t *frac, uint64_t *scale,
	 const char **reason)
{
	const char *s = *p + 1;
	if (!is_digit(*s)) {
		*reason = "a decimal point needs digits after it";
		return RUMOR_EINVAL;
	}
	size_t places = 0, zeros = 0;
	for (; is_digit(*s); s++, places++) {
		if (*s == '0') {
			zeros++;
			continue;
		}
		if (places + 1 > FRACTION_DIGITS_MAX) {
			*reason = "finer than a millisecond";
			return RUMOR_ERANGE;
		}
		for (; zeros > 0; zeros--) {
			*frac *= 10;
			*scale *= 10;
		}
		*frac = *frac * 10 + (uint64_t)(*s - '0');
		*scale *= 10;
	}
	*p = s;
	return 0;
}

int
swim_duration_parse(const char *text, uint64_t *out_ms, const char **why)
{
	const char *p = text;
	int rc;
	if (p == NULL || *p == '\0')
		return fail(RUMOR_EINVAL, "empty duration", why);
	if (*p == '-')
		return fail(RUMOR_ERANGE, "negative duration", why);
	if (!is_digit(*p))
		return fail(RUMOR_EINVAL, "a duration starts with a digit "
			    "(e.g. 500ms, 2s, 1.5m)", why);
	/* Whole part, saturating: anything past the maximum is refused
	 * below, whatever the unit. */
	uint64_t whole = 0;
	for (; is_digit(*p); p++) {
		uint64_t d = (uint64_t)(*p - '0');
		whole = whole > (SWIM_DURATION_MAX_MS - d) / 10
				? SWIM_DURATION_MAX_MS + 1
				: whole * 10 + d;
	}
	uint64_t frac = 0, scale = 1;
	const char *reason;
	if (*p == '.' && (rc = fraction(&p, &frac, &scale, &reason)) != 0)
		return fail(rc, reason, why);
	const uint64_t *unit_ms = unit_of(p, &reason);
	if (unit_ms == NULL)
		return fail(RUMOR_EINVAL, reason, why);
	/* frac < 10^9 and a unit < 2^22 ms: no overflow. */
	if (frac * *unit_ms % scale != 0)
		return fail(RUMOR_ERANGE, "finer than a millisecond", why);
	uint64_t frac_ms = frac * *unit_ms / scale;
	if (whole > (SWIM_DURATION_MAX_MS - frac_ms) / *unit_ms)
		return fail(RUMOR_ERANGE, "too large", why);
	*out_ms = whole * *unit_ms + frac_ms;
	return 0;
}
