/*
 * sim_rand: splitmix64 to derive stream seeds, xoshiro256** per stream
 * (Blackman and Vigna). Integer only, so a seed gives the same draws on
 * every platform and compiler.
 */
#include "sim_rand.h"

uint64_t
sim_rand_mix(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t
sim_rand_derive(uint64_t seed, uint64_t stream, uint64_t index)
{
	uint64_t st = seed ^ (stream * 0xd1b54a32d192ed03ull);
	uint64_t a = sim_rand_mix(&st);
	st = a ^ (index * 0x8cb92ba72f3d8dd7ull);
	return sim_rand_mix(&st);
}

void
sim_rand_init(struct sim_rand *r, uint64_t seed)
{
	uint64_t st = seed;
	for (int i = 0; i < 4; i++)
		r->s[i] = sim_rand_mix(&st);
}

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t
sim_rand_next(struct sim_rand *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint64_t
sim_rand_below(struct sim_rand *r, uint64_t bound)
{
	if (bound == 0)
		return 0;
	uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
	uint64_t x;
	do
		x = sim_rand_next(r);
	while (x >= limit);
	return x % bound;
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
