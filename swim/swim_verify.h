/*
 * swim_verify: the final check of a suspicion, before it becomes a
 * failure. See swim_verify.c for why and how.
 */
#ifndef RUMOR_SWIM_VERIFY_H
#define RUMOR_SWIM_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rumor/error.h"

struct swim;
struct swim_member;

/**
 * Start the final check of suspect m: a ping straight to it (carrying the
 * suspicion, so it can refute at once) under a new sequence number, which
 * *seq receives; the ping-reqs follow with swim__verify_relay. 0, or RUMOR_ENOSPACE when SWIM_VERIFY_MAX checks are
 * already in flight (nothing sent; try again later).
 */
RUMOR_MUST_CHECK int
swim__verify_start(struct swim *swim, struct swim_member *m,
		   uint64_t *seq);

/** Ask indirect_checks fresh random alive members to ping m for the
 *  check (ping-reqs under its sequence number). Returns how many were
 *  asked (each one nacks if m does not answer it). */
size_t
swim__verify_relay(struct swim *swim, struct swim_member *m, uint64_t seq,
		   uint64_t now_ms);

/** A nack for `seq` from the member whose name hashes to sender:
 *  counted by the check in flight under it, if any, when it comes from a
 *  helper the check asked. */
void
swim__verify_nacked(struct swim *swim, uint64_t sender, uint64_t seq);

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
