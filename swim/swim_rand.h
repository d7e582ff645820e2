/*
 * swim_rand: the core's only source of randomness. xoshiro256** seeded
 * through splitmix64, explicit state, no globals: one seed reproduces a
 * node's every draw.
 */
#ifndef RUMOR_SWIM_RAND_H
#define RUMOR_SWIM_RAND_H

#include <stdint.h>

struct swim_rand {
	uint64_t s[4];
};

void
swim_rand_init(struct swim_rand *r, uint64_t seed);

uint64_t
swim_rand_next(struct swim_rand *r);

/** Uniform in [0, bound); bound > 0. Unbiased (rejection). */
uint64_t
swim_rand_below(struct swim_rand *r, uint64_t bound);

/** True with probability num / den (den > 0). */
int
swim_rand_chance(struct swim_rand *r, uint64_t num, uint64_t den);

#endif /* RUMOR_SWIM_RAND_H */
