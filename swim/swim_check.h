/*
 * swim_check: the core's own invariants, checked from the inside. Included
 * through swim.h.
 */
#ifndef RUMOR_SWIM_CHECK_H
#define RUMOR_SWIM_CHECK_H

#include "rumor/error.h"

struct swim;

/**
 * Verify the invariants that hold between any two calls into the core:
 * the status counts add up to the members (and match their statuses);
 * the name index finds every member and holds nothing else; self is in
 * the table, alive or (once leaving) left; the broadcast queue holds
 * exactly the members with a pending update, each in the bucket of its
 * send count; every suspect has one suspicion with one armed deadline in
 * the heap, and nothing else is in the heap; the extras table holds
 * exactly the members flagged for it, each with metadata or a suspicion;
 * the output queues are within their bounds.
 *
 * Returns 0, or RUMOR_ESTATE with *why (when why is not NULL) set to a
 * static sentence naming the first broken invariant. O(members); meant
 * for tests and the simulator's safety checks, not for every production
 * input. A failed check is a bug in the core.
 */
RUMOR_MUST_CHECK int
swim_check(const struct swim *swim, const char **why);

#endif /* RUMOR_SWIM_CHECK_H */
