/*
 * sim_world: the functions of sim_world.c that the loop and the checks
 * use (its public ones, the fault API among them, are in sim.h).
 */
#ifndef RUMOR_SIM_WORLD_H
#define RUMOR_SIM_WORLD_H

#include "sim_internal.h"

/** Grow *items (of item_size) so that count + 1 fit. 0 or -1. */
int
sim_grow(void **items, size_t *cap, size_t count, size_t item_size);

/** Record the first safety violation (printf-style). */
void
sim_violation(struct sim *sim, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** Node index of a member name "n<i>", or -1. */
long
sim_name_index(const char *name, size_t node_max);

/** Set observer o's view of s, keeping the counters. */
void
sim_set_view(struct sim *sim, uint32_t o, uint32_t s, uint8_t status);

/** Start node i (a new generation unless never started); join_via: 0
 *  none, 1 through n0, 2 through the seeds, -1 warm start (swim_restore
 *  of every initial node). Its first outputs wait in sim->drain_list. */
int
sim_spawn(struct sim *sim, uint32_t i, int join_via);

/** Stop node i's process (crash or left). */
void
sim_kill(struct sim *sim, uint32_t i, enum sim_node_state state);

/** Close the all-detect time of crash `failure` if every live node that
 *  can reach the crashed node now has it failed or has forgotten it. */
void
sim_failure_all_detect(struct sim *sim, size_t failure);

#endif /* RUMOR_SIM_WORLD_H */
