/*
 * sim_check: the safety checks and the classification of verdicts, which
 * the loop calls as the nodes' outputs come in (sim_check.c says what is
 * checked; the liveness bound is public, in sim.h).
 */
#ifndef RUMOR_SIM_CHECK_H
#define RUMOR_SIM_CHECK_H

#include "sim_internal.h"

/** After each input to node i, once its events are observed: the safety
 *  scan of its member table and node_check() (opt.check_safety), and
 *  node_check() whenever an allocation was refused since the last check
 *  (opt.alloc_fail_ppm). */
void
sim_check_input(struct sim *sim, uint32_t i);

/** Classify a "failed" verdict by observer about subject. */
void
sim_check_failed_verdict(struct sim *sim, uint32_t observer,
			 uint32_t subject);

#endif /* RUMOR_SIM_CHECK_H */
