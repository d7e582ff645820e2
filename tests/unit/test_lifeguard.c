/*
 * Table tests of the pure SWIM/Lifeguard formulas against memberlist's
 * numbers (../shared/REFERENCE.md: suspicion timeout 6 s at N = 32, 12 s at
 * 1,000, 16 s at 10,000; max 6x those).
 *
 * The formulas are integer code now; the expected values at the edges of
 * what the config validator allows were computed by the double versions
 * they replace (glibc 2.36), so a change in any last millisecond shows.
 */
#include "swim/swim_f64.h"
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
test_retransmit_limit_is_a_digit_count_at_the_edges(void)
{
	static const struct {
		size_t n;
		unsigned want;
	} cases[] = {
		{0, 0},	     {1, 3},	  {9, 3},      {10, 6},
		{65535, 15}, {65536, 15}, {99999, 15}, {100000, 18},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ASSERT_EQ(swim_retransmit_limit(3, cases[i].n), cases[i].want);
}

static void
test_suspicion_minimum_at_the_edges_of_the_config(void)
{
	static const struct {
		unsigned mult;
		size_t n;
		uint64_t interval_ms;
		uint64_t want;
	} cases[] = {
		/* log10 n <= 1 up to n = 10, so the scale is 1. */
		{4, 0, 1000, 4000},
		{4, 10, 1000, 4000},
		{1, 2, 10, 10},
		{4, 11, 1000, 4165},
		{1, 11, 10, 10},
		/* log10 100 is exactly 2. */
		{4, 100, 1000, 8000},
		{7, 100, 730, 10220},
		{3, 65536, 1000, 14449},
		/* mult 32, interval 10 min: the validator's maxima. */
		{32, 65536, 600000, 92476414},
		{32, 99999, 599999, 95999756},
		{32, 100000, 600000, 96000000},
		/* glibc's ln is 1 ulp off at these n's mantissas, and so its
		 * log10; the milliseconds agree for every mult and interval. */
		{6, 40164, 5000, 138115},
		{4, 51717, 1000, 18854},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ASSERT_EQ(swim_suspicion_min_ms(cases[i].mult, cases[i].n,
						cases[i].interval_ms),
			  cases[i].want);
}

static void
test_suspicion_maximum_is_the_minimum_times_its_mult(void)
{
	ASSERT_EQ(swim_suspicion_max_ms(4, 6, 32, 1000), 6 * 6020);
	ASSERT_EQ(swim_suspicion_max_ms(4, 6, 5, 1000), 6 * 4000);
	ASSERT_EQ(swim_suspicion_max_ms(32, 100, 65536, 600000),
		  100ull * 92476414);
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
test_suspicion_timeout_at_the_edges_of_the_config(void)
{
	static const struct {
		uint64_t min_ms, max_ms;
		unsigned k, confirmations;
		uint64_t want;
	} cases[] = {
		{12000, 72000, 2, 1, 34144},
		{16000, 96000, 4, 1, 61545},
		{16000, 96000, 4, 3, 27091},
		/* k = 30 (mult 32), as many confirmers as are kept. */
		{92484000, 9248400000ull, 30, 16, 1694305635},
		{92484000, 9248400000ull, 30, 1, 7400286718ull},
		{1000, 1001, 30, 15, 1000},
		{1, 7, 29, 13, 2},
		{0, 100, 16, 8, 22},
		{9, 10, 1, 0, 10},
		{4000, 4000, 2, 1, 4000},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ASSERT_EQ(swim_suspicion_timeout_ms(cases[i].min_ms,
						    cases[i].max_ms, cases[i].k,
						    cases[i].confirmations),
			  cases[i].want);
}

/* The timeout reads ln(C + 1) and ln(K + 1) from a table up to 33; it
 * must agree with swim_f64_ln, here through the whole formula. */
static void
test_suspicion_timeout_table_agrees_with_ln(void)
{
	uint64_t min_ms = 16000, max_ms = 96000;
	for (unsigned k = 1; k <= 40; k++) {
		for (unsigned c = 0; c <= k; c++) {
			struct swim_f64 frac = swim_f64_div(
				swim_f64_ln(swim_f64_from_u64(c + 1)),
				swim_f64_ln(swim_f64_from_u64(k + 1)));
			uint64_t want = swim_f64_trunc(swim_f64_sub(
				swim_f64_from_u64(max_ms),
				swim_f64_mul(frac, swim_f64_from_u64(
							   max_ms - min_ms))));
			if (want < min_ms)
				want = min_ms;
			ASSERT_EQ(swim_suspicion_timeout_ms(min_ms, max_ms, k,
							    c),
				  want);
		}
	}
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
	ASSERT_EQ(swim_pushpull_scale(30000, 65536), 360000);
	ASSERT_EQ(swim_pushpull_scale(30000, 65537), 390000);
	ASSERT_EQ(swim_pushpull_scale(100, 33), 200);
}

static void
test_pushpull_interval_rounds_as_a_double_above_2_to_the_53(void)
{
	ASSERT_EQ(swim_pushpull_scale((1ull << 53) + 1, 33),
		  18014398509481984ull);
	ASSERT_EQ(swim_pushpull_scale((1ull << 53) + 3, 100),
		  27021597764222988ull);
	ASSERT_EQ(swim_pushpull_scale(9007199254740991ull, 1000),
		  54043195528445944ull);
	ASSERT_EQ(swim_pushpull_scale(1ull << 60, 1000),
		  6917529027641081856ull);
	/* Past 2^64 the double version was undefined; this one saturates. */
	ASSERT_EQ(swim_pushpull_scale(UINT64_MAX / 2, 33), UINT64_MAX);
}

int
main(void)
{
	RUN(test_retransmit_limit_grows_with_log10_of_cluster_size);
	RUN(test_retransmit_limit_is_a_digit_count_at_the_edges);
	RUN(test_suspicion_minimum_matches_memberlist);
	RUN(test_suspicion_minimum_at_the_edges_of_the_config);
	RUN(test_suspicion_maximum_is_the_minimum_times_its_mult);
	RUN(test_suspicion_needs_mult_minus_two_confirmations);
	RUN(test_suspicion_timeout_shrinks_logarithmically_with_confirmations);
	RUN(test_suspicion_timeout_at_the_edges_of_the_config);
	RUN(test_suspicion_timeout_table_agrees_with_ln);
	RUN(test_awareness_saturates_between_zero_and_max_minus_one);
	RUN(test_pushpull_interval_scales_above_32_members);
	RUN(test_pushpull_interval_rounds_as_a_double_above_2_to_the_53);
	return TEST_SUMMARY();
}
