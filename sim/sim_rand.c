/*
 * sim_rand: a thin layer over the core's PRNG (swim/swim_rand.h): each
 * stream is its xoshiro256**, and splitmix64 derives the stream seeds.
 * Integer only, so a seed gives the same draws on every platform and
 * compiler.
 */
#include "sim_rand.h"

uint64_t
sim_rand_derive(uint64_t seed, uint64_t stream, uint64_t index)
{
	uint64_t st = seed ^ (stream * 0xd1b54a32d192ed03ull);
	uint64_t a = swim_rand_mix(&st);
	st = a ^ (index * 0x8cb92ba72f3d8dd7ull);
	return swim_rand_mix(&st);
}

void
sim_rand_init(struct sim_rand *r, uint64_t seed)
{
	swim_rand_init(&r->x, seed);
}

uint64_t
sim_rand_next(struct sim_rand *r)
{
	return swim_rand_next(&r->x);
}

uint64_t
sim_rand_below(struct sim_rand *r, uint64_t bound)
{
	return bound == 0 ? 0 : swim_rand_below(&r->x, bound);
}

uint64_t
sim_rand_range(struct sim_rand *r, uint64_t lo, uint64_t hi)
{
	return lo + sim_rand_below(r, hi - lo + 1);
}

bool
sim_rand_ppm(struct sim_rand *r, uint32_t ppm)
{
	if (ppm == 0)
		return false;
	return sim_rand_below(r, 1000000) < ppm;
}
