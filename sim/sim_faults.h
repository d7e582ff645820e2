/*
 * sim_faults: one simulated node's allocator, which fails requests on
 * purpose (rumor-sim --alloc-fail P%). The core and the node route every
 * allocation of their own through struct swim_allocator; the simulator
 * gives each node one of these, so any request may come back NULL and the
 * checks after the input (node_check) show whether the node came out of
 * it whole. STYLE 4: "A failed call leaves state unchanged".
 *
 * Each refusal is a draw from the node generation's own stream
 * (SIM_STREAM_ALLOC), taken only while a probability is set: a run without
 * the option draws nothing from it, and its trace is the same as before
 * the option existed. Member record blocks come from the simulator's
 * shared arena (sim_arena.h), other memory from libc.
 */
#ifndef RUMOR_SIM_FAULTS_H
#define RUMOR_SIM_FAULTS_H

#include <stdbool.h>
#include <stdint.h>

#include "sim_arena.h"
#include "sim_rand.h"
#include "swim/swim.h"

struct sim_faults {
	/** What swim_config.allocator points at (ctx is this struct). */
	struct swim_allocator allocator;
	/** Where member record blocks come from. */
	struct sim_arena *arena;
	/** Refuse a request with probability ppm / 1,000,000 while armed. */
	uint32_t ppm;
	bool armed;
	struct sim_rand rand;
	/** Requests refused so far. */
	uint64_t injected;
};

/** An allocator for one node generation; disarmed (refuses nothing) until
 *  sim_faults_arm. */
void
sim_faults_create(struct sim_faults *f, struct sim_arena *arena,
		  uint32_t ppm, uint64_t rand_seed);

/** Start (or, with false, stop) refusing requests. */
void
sim_faults_arm(struct sim_faults *f, bool armed);

#endif /* RUMOR_SIM_FAULTS_H */
