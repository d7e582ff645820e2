/*
 * The one PRNG (swim/swim_rand): splitmix64 against its published first
 * outputs, and the edges its users rely on (a bound of 0, a full range,
 * a chance of 0) answered without drawing, so a caller that skips a draw
 * does not shift everything drawn after it.
 */
#include <string.h>

#include "swim/swim_rand.h"
#include "test.h"

static void
test_mix_is_splitmix64(void)
{
	uint64_t state = 0;
	ASSERT_EQ(swim_rand_mix(&state), 0xe220a8397b1dcdafull);
	ASSERT_EQ(swim_rand_mix(&state), 0x6e789e6aa1b965f4ull);
	ASSERT_EQ(swim_rand_mix(&state), 0x06c45d188009454full);
	ASSERT_EQ(state, 3 * 0x9e3779b97f4a7c15ull);
}

static void
test_same_seed_gives_same_draws_and_nearby_seeds_differ(void)
{
	struct swim_rand a, b, c;
	swim_rand_init(&a, 1);
	swim_rand_init(&b, 1);
	swim_rand_init(&c, 2);
	unsigned same = 0;
	for (int i = 0; i < 1000; i++) {
		uint64_t x = swim_rand_next(&a);
		ASSERT_EQ(x, swim_rand_next(&b));
		same += x == swim_rand_next(&c);
	}
	ASSERT_EQ(same, 0);
}

static bool
untouched(const struct swim_rand *r, const struct swim_rand *before)
{
	return memcmp(r, before, sizeof(*r)) == 0;
}

static void
test_degenerate_draws_answer_without_drawing(void)
{
	struct swim_rand r, before;
	swim_rand_init(&r, 42);
	before = r;
	ASSERT_EQ(swim_rand_below(&r, 0), 0);
	ASSERT(untouched(&r, &before));
	ASSERT_EQ(swim_rand_range(&r, 0, UINT64_MAX), 0);
	ASSERT(untouched(&r, &before));
	ASSERT(!swim_rand_chance(&r, 0, 10));
	ASSERT(!swim_rand_chance(&r, 3, 0));
	ASSERT(untouched(&r, &before));
	/* Bound 1 is a draw like any other (its answer is known, but its
	 * callers count on the stream moving on as it always did). */
	ASSERT_EQ(swim_rand_below(&r, 1), 0);
	ASSERT(!untouched(&r, &before));
}

static void
test_draws_stay_in_their_ranges(void)
{
	struct swim_rand r;
	swim_rand_init(&r, 7);
	unsigned seen[6] = {0}, hits = 0;
	for (int i = 0; i < 6000; i++) {
		uint64_t x = swim_rand_range(&r, 10, 15);
		ASSERT_GE(x, 10);
		ASSERT_LE(x, 15);
		seen[x - 10]++;
		ASSERT_LE(swim_rand_below(&r, 3), 2);
		hits += swim_rand_chance(&r, 1, 4);
		ASSERT(swim_rand_chance(&r, 5, 5));
	}
	for (int i = 0; i < 6; i++)
		ASSERT_GE(seen[i], 800);
	ASSERT_GE(hits, 1300);
	ASSERT_LE(hits, 1700);
}

int
main(void)
{
	RUN(test_mix_is_splitmix64);
	RUN(test_same_seed_gives_same_draws_and_nearby_seeds_differ);
	RUN(test_degenerate_draws_answer_without_drawing);
	RUN(test_draws_stay_in_their_ranges);
	return TEST_SUMMARY();
}
