/*
 * The duration grammar (swim/swim_duration.h): what it accepts, to the
 * millisecond, and what it refuses, with the reason.
 */
#include "rumor/error.h"
#include "swim/swim_duration.h"
#include "test.h"

static void
test_whole_and_decimal_numbers_with_a_unit_are_milliseconds(void)
{
	static const struct {
		const char *text;
		uint64_t want_ms;
	} cases[] = {
		{"0ms", 0},
		{"0s", 0},
		{"500ms", 500},
		{"0500ms", 500},
		{"2s", 2000},
		{"1.5s", 1500},
		{"1.500000000000s", 1500},
		{"0.001s", 1},
		{"1.5m", 90000},
		{"90m", 5400000},
		{"0.25h", 900000},
		{"1h", 3600000},
		/* A millisecond is 1/3,600,000 h: 7 fraction digits. */
		{"0.0000025h", 9},
		{"0.000000000s", 0},
		{"1.0ms", 1},
		/* The largest accepted: SWIM_DURATION_MAX_MS. */
		{"4611686018427387903ms", 4611686018427387903ull},
		{"4611686018427387.903s", 4611686018427387903ull},
		{"1281023894007h", 1281023894007ull * 3600000},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t ms = 12345;
		const char *why = NULL;
		ASSERT_OK(swim_duration_parse(cases[i].text, &ms, &why));
		ASSERT_EQ(ms, cases[i].want_ms);
		ASSERT_NULL(why);
	}
	ASSERT_EQ(SWIM_DURATION_MAX_MS, 4611686018427387903ull);
}

static void
test_everything_else_is_refused_with_a_reason(void)
{
	static const struct {
		const char *text;
		int rc;
		const char *why;
	} cases[] = {
		{"", RUMOR_EINVAL, "empty duration"},
		{"30", RUMOR_EINVAL, "missing unit (ms, s, m or h)"},
		{"1.5", RUMOR_EINVAL, "missing unit (ms, s, m or h)"},
		{"-1s", RUMOR_ERANGE, "negative duration"},
		{"+1s", RUMOR_EINVAL,
		 "a duration starts with a digit (e.g. 500ms, 2s, 1.5m)"},
		{" 1s", RUMOR_EINVAL,
		 "a duration starts with a digit (e.g. 500ms, 2s, 1.5m)"},
		{".5s", RUMOR_EINVAL,
		 "a duration starts with a digit (e.g. 500ms, 2s, 1.5m)"},
		{"s", RUMOR_EINVAL,
		 "a duration starts with a digit (e.g. 500ms, 2s, 1.5m)"},
		{"1.s", RUMOR_EINVAL, "a decimal point needs digits after it"},
		{"1..5s", RUMOR_EINVAL,
		 "a decimal point needs digits after it"},
		{"1.5.2s", RUMOR_EINVAL, "unknown unit (want ms, s, m or h)"},
		{"10sec", RUMOR_EINVAL, "unexpected characters after the unit"},
		{"10s ", RUMOR_EINVAL, "unexpected characters after the unit"},
		{"10mss", RUMOR_EINVAL, "unexpected characters after the unit"},
		{"10S", RUMOR_EINVAL, "unknown unit (want ms, s, m or h)"},
		{"10 s", RUMOR_EINVAL, "unknown unit (want ms, s, m or h)"},
		{"10d", RUMOR_EINVAL, "unknown unit (want ms, s, m or h)"},
		{"1e3ms", RUMOR_EINVAL, "unknown unit (want ms, s, m or h)"},
		{"1.5ms", RUMOR_ERANGE, "finer than a millisecond"},
		{"0.0001s", RUMOR_ERANGE, "finer than a millisecond"},
		{"0.00000001h", RUMOR_ERANGE, "finer than a millisecond"},
		{"1.0000000001s", RUMOR_ERANGE, "finer than a millisecond"},
		{"4611686018427387904ms", RUMOR_ERANGE, "too large"},
		{"4611686018427387.904s", RUMOR_ERANGE, "too large"},
		{"1281023894008h", RUMOR_ERANGE, "too large"},
		{"99999999999999999999999999s", RUMOR_ERANGE, "too large"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t ms = 12345;
		const char *why = NULL;
		ASSERT_EQ(swim_duration_parse(cases[i].text, &ms, &why),
			  cases[i].rc);
		ASSERT_STR_EQ(why, cases[i].why);
		/* On error nothing changed. */
		ASSERT_EQ(ms, 12345);
	}
	uint64_t ms = 7;
	ASSERT_EQ(swim_duration_parse(NULL, &ms, NULL), RUMOR_EINVAL);
	ASSERT_EQ(swim_duration_parse("x", &ms, NULL), RUMOR_EINVAL);
	ASSERT_EQ(ms, 7);
}

int
main(void)
{
	RUN(test_whole_and_decimal_numbers_with_a_unit_are_milliseconds);
	RUN(test_everything_else_is_refused_with_a_reason);
	return TEST_SUMMARY();
}
