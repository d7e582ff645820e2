/*
 * sim_check: the safety checks and the classification of verdicts, which
 * the loop calls as the nodes' outputs come in (sim_check.c says what is
 * checked; the liveness bound is public, in sim.h).
 */
#ifndef RUMOR_SIM_CHECK_H
#define RUMOR_SIM_CHECK_H

#include "sim_internal.h"

/** Per-input safety scan of node i's member table (opt.check_safety). */
void
sim_check_node(struct sim *sim, uint32_t i);

/** Classify a "failed" verdict by observer about subject. */
void
sim_check_failed_verdict(struct sim *sim, uint32_t observer,
			 uint32_t subject);

#endif /* RUMOR_SIM_CHECK_H */
