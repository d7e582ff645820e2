/*
 * xoshiro256** (Blackman & Vigna), seeded by splitmix64 so that nearby
 * seeds (1, 2, 3, ... in the simulator) give unrelated streams.
 */
#include "swim_rand.h"

uint64_t
swim_rand_mix(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

void
swim_rand_init(struct swim_rand *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = swim_rand_mix(&seed);
}

uint64_t
swim_rand_next(struct swim_rand *r)
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
swim_rand_below(struct swim_rand *r, uint64_t bound)
{
	if (bound == 0)
		return 0;
	/* Reject the top partial range so every value is equally likely. */
	uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
	uint64_t x;
	do {
		x = swim_rand_next(r);
	} while (x >= limit);
	return x % bound;
}

uint64_t
swim_rand_range(struct swim_rand *r, uint64_t lo, uint64_t hi)
{
	return lo + swim_rand_below(r, hi - lo + 1);
}

bool
swim_rand_chance(struct swim_rand *r, uint64_t num, uint64_t den)
{
	if (num == 0 || den == 0)
		return false;
	return swim_rand_below(r, den) < num;
}
