/*
 * sim_rand: the simulator's PRNG. One master seed is split into independent
 * streams with splitmix64 (sim_rand_derive), and each stream runs
 * xoshiro256**. The network, every node generation and the swarm generator
 * draw from their own streams, so adding a draw in one place never shifts
 * another's schedule.
 */
#ifndef RUMOR_SIM_RAND_H
#define RUMOR_SIM_RAND_H

#include <stdbool.h>
#include <stdint.h>

#include "swim/swim_rand.h"

/** Stream tags mixed into the master seed (arbitrary, distinct). */
enum sim_stream {
	SIM_STREAM_NET = 1,	/* loss and delay draws */
	SIM_STREAM_NODE,	/* seed of a node generation's SWIM core */
	SIM_STREAM_NONCE,	/* nonce prefix of a node generation */
	SIM_STREAM_STAGGER,	/* initial join times */
	SIM_STREAM_KEY,		/* the cluster key */
	SIM_STREAM_SWARM,	/* swarm config and faults */
	SIM_STREAM_ALLOC,	/* refused allocations of a node generation */
};

struct sim_rand {
	struct swim_rand x;
};

/** A seed for stream `stream`, item `index`, derived from `seed`. */
uint64_t
sim_rand_derive(uint64_t seed, uint64_t stream, uint64_t index);

void
sim_rand_init(struct sim_rand *r, uint64_t seed);

uint64_t
sim_rand_next(struct sim_rand *r);

/** Uniform in [0, bound); bound 0 gives 0 (swim_rand_below needs bound
 *  > 0, so the guard is here). */
uint64_t
sim_rand_below(struct sim_rand *r, uint64_t bound);

/** Uniform in [lo, hi] (lo <= hi). */
uint64_t
sim_rand_range(struct sim_rand *r, uint64_t lo, uint64_t hi);

/** True with probability ppm / 1,000,000. */
bool
sim_rand_ppm(struct sim_rand *r, uint32_t ppm);

#endif /* RUMOR_SIM_RAND_H */
