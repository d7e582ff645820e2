/*
 * Table tests of the pure SWIM/Lifeguard formulas against memberlist's
 * numbers (../shared/REFERENCE.md: suspicion timeout 6 s at N = 32, 12 s at
 * 1,000, 16 s at 10,000; max 6x those).
 */
#include "swim/swim_lifeguard.h"
#include "test.h"

static void
test_retransmit_limit_grows_with_log10_of_cluster_size(void)
{
	static const struct {
		unsigned mult;
		size_t n;
		unsigned want;
	} cases[] = {
		{4, 1, 4},  {4, 9, 4},	   {4, 10, 8},	  {4, 32, 8},
		{4, 99, 8}, {4, 100, 12}, {4, 1000, 16}, {2, 32, 4},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ASSERT_EQ(swim_retransmit_limit(cases[i].mult, cases[i].n),
			  cases[i].want);
}

static void
test_suspicion_minimum_matches_memberlist(void)
{
	ASSERT_EQ(swim_suspicion_min_ms(4, 1, 1000), 4000);
	ASSERT_EQ(swim_suspicion_min_ms(4, 5, 1000), 4000);
	ASSERT_EQ(swim_suspicion_min_ms(4, 32, 1000), 6020);
	ASSERT_EQ(swim_suspicion_min_ms(4, 1000, 1000), 12000);
	ASSERT_EQ(swim_suspicion_min_ms(4, 10000, 1000), 16000);
}

static void
test_suspicion_needs_mult_minus_two_confirmations(void)
{
	ASSERT_EQ(swim_suspicion_k(4, 32), 2);
	ASSERT_EQ(swim_suspicion_k(4, 4), 2);
	/* Too few members to supply two independent confirmations. */
	ASSERT_EQ(swim_suspicion_k(4, 3), 0);
	ASSERT_EQ(swim_suspicion_k(6, 100), 4);
	ASSERT_EQ(swim_suspicion_k(2, 100), 0);
}

static void
test_suspicion_timeout_shrinks_logarithmically_with_confirmations(void)
{
	uint64_t min = 6020, max = 6 * 6020;
	ASSERT_EQ(swim_suspicion_timeout_ms(min, max, 2, 0), max);
	/* max - (max - min) * log(2) / log(3) */
	ASSERT_EQ(swim_suspicion_timeout_ms(min, max, 2, 1), 17129);
	ASSERT_EQ(swim_suspicion_timeout_ms(min, max, 2, 2), min);
	ASSERT_EQ(swim_suspicion_timeout_ms(min, max, 2, 9), min);
	ASSERT_EQ(swim_suspicion_timeout_ms(min, max, 0, 0), min);
}

static void
test_awareness_saturates_between_zero_and_max_minus_one(void)
{
	ASSERT_EQ(swim_awareness_apply(0, -1, 8), 0);
	ASSERT_EQ(swim_awareness_apply(0, 1, 8), 1);
	ASSERT_EQ(swim_awareness_apply(6, 5, 8), 7);
	ASSERT_EQ(swim_awareness_apply(7, -3, 8), 4);
	ASSERT_EQ(swim_awareness_scale(0, 500), 500);
	ASSERT_EQ(swim_awareness_scale(3, 500), 2000);
}

static void
test_pushpull_interval_scales_above_32_members(void)
{
	ASSERT_EQ(swim_pushpull_scale(30000, 10), 30000);
	ASSERT_EQ(swim_pushpull_scale(30000, 32), 30000);
	ASSERT_EQ(swim_pushpull_scale(30000, 33), 60000);
	ASSERT_EQ(swim_pushpull_scale(30000, 64), 60000);
	ASSERT_EQ(swim_pushpull_scale(30000, 65), 90000);
	ASSERT_EQ(swim_pushpull_scale(30000, 1000), 180000);
}

int
main(void)
{
	RUN(test_retransmit_limit_grows_with_log10_of_cluster_size);
	RUN(test_suspicion_minimum_matches_memberlist);
	RUN(test_suspicion_needs_mult_minus_two_confirmations);
	RUN(test_suspicion_timeout_shrinks_logarithmically_with_confirmations);
	RUN(test_awareness_saturates_between_zero_and_max_minus_one);
	RUN(test_pushpull_interval_scales_above_32_members);
	return TEST_SUMMARY();
}
