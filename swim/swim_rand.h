/*
 * swim_rand: the project's one PRNG. xoshiro256** seeded through
 * splitmix64, explicit state, no globals, integers only: one seed
 * reproduces every draw on every platform. The core draws from it; so do
 * the node (membership/), the simulator (sim/sim_rand, which derives its
 * streams with swim_rand_mix) and the agent's lookup picks
 * (swim_rand_mix over a counter).
 */
#ifndef RUMOR_SWIM_RAND_H
#define RUMOR_SWIM_RAND_H

#include <stdbool.h>
#include <stdint.h>

struct swim_rand {
	uint64_t s[4];
};

/** One splitmix64 step: advances *state by the golden gamma and returns a
 *  well-mixed value of it. Enough alone for a stream of independent
 *  draws or for deriving seeds; swim_rand_init() seeds from it. */
uint64_t
swim_rand_mix(uint64_t *state);

/** Seed the generator: nearby seeds (1, 2, 3, ...) give unrelated
 *  streams. */
void
swim_rand_init(struct swim_rand *r, uint64_t seed);

uint64_t
swim_rand_next(struct swim_rand *r);

/** Uniform in [0, bound), unbiased (rejection); 0 for bound 0, without
 *  drawing. */
uint64_t
swim_rand_below(struct swim_rand *r, uint64_t bound);

/** Uniform in [lo, hi] (lo <= hi); lo for the whole range [0,
 *  UINT64_MAX], whose size does not fit, without drawing. */
uint64_t
swim_rand_range(struct swim_rand *r, uint64_t lo, uint64_t hi);

/** True with probability num / den; false without drawing when num or
 *  den is 0. */
bool
swim_rand_chance(struct swim_rand *r, uint64_t num, uint64_t den);

#endif /* RUMOR_SWIM_RAND_H */
