/*
 * swim_verify: the final check of a suspicion, before it becomes a
 * failure. See swim_verify.c for why and how.
 */
#ifndef RUMOR_SWIM_VERIFY_H
#define RUMOR_SWIM_VERIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "rumor/error.h"

struct swim;
struct swim_member;

/**
 * Start the final check of suspect m: a ping straight to it (carrying the
 * suspicion, so it can refute at once) and ping-reqs through
 * indirect_checks alive members, all under one new sequence number, which
 * *seq receives. 0, or RUMOR_ENOSPACE when SWIM_VERIFY_MAX checks are
 * already in flight (nothing sent; try again later).
 */
RUMOR_MUST_CHECK int
swim__verify_start(struct swim *swim, struct swim_member *m, uint64_t now_ms,
		   uint64_t *seq);

/** Ping suspect m once more under the check's sequence number. */
void
swim__verify_ping(struct swim *swim, struct swim_member *m, uint64_t seq);

/**
 * An ack for `seq` from the member whose name hashes to sender: if it
 * answers a final check still in flight (and comes from the suspect or a
 * helper the check asked), the suspect is reachable after all and is
 * alive again here (at its incarnation: its own refutation, which the
 * check's ping asked for, outranks the suspicion everywhere else).
 * Returns whether the ack was a check's.
 */
bool
swim__verify_acked(struct swim *swim, uint64_t now_ms, uint64_t sender,
		   uint64_t seq);

#endif /* RUMOR_SWIM_VERIFY_H */
