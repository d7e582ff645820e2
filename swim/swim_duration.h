/*
 * swim_duration: the one grammar for a duration a person writes, shared by
 * the agent's flags and config file and the simulator's flags and
 * scenarios (swim/ is the lowest module all of them use).
 *
 *	duration = digits [ "." digits ] unit
 *	unit     = "ms" | "s" | "m" | "h"
 *
 * "500ms", "2s", "1.5s", "0.25h", "90m". The value must be a whole number
 * of milliseconds ("1.5ms" is refused, not rounded) and at most
 * SWIM_DURATION_MAX_MS. There is no sign, no space, no exponent and no
 * bare number: "30" is refused with "missing unit". (Where a caller gives
 * a bare number a meaning, it says so: a JSON integer in the agent's
 * config file is milliseconds, rumor-sim's --duration N is seconds.)
 */
#ifndef RUMOR_SWIM_DURATION_H
#define RUMOR_SWIM_DURATION_H

#include <stdint.h>

/** The longest duration accepted, about 53 million years: far beyond any
 *  sane timing, and four of them still add up without overflow. */
#define SWIM_DURATION_MAX_MS (UINT64_MAX / 4)

/**
 * Parse `text` (NUL-terminated) into milliseconds. Returns 0; or
 * RUMOR_EINVAL (not the grammar) or RUMOR_ERANGE (negative, too large or
 * finer than a millisecond) with *out_ms unchanged and, if why is not
 * NULL, *why set to a static sentence such as "missing unit (ms, s, m or
 * h)".
 */
int
swim_duration_parse(const char *text, uint64_t *out_ms, const char **why);

#endif /* RUMOR_SWIM_DURATION_H */
