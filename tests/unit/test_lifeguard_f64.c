/*
 * swim_f64, the integer binary64 under the Lifeguard formulas: each
 * operation must give the hardware's double bit for bit (the C compiler's
 * +, -, *, / and (double) on this machine are the reference; no libm), and
 * ln must give the correctly rounded double (expected bits from mpmath at
 * 300 bits).
 */
#include <string.h>

#include "swim/swim_f64.h"
#include "test.h"

/* A fixed seed: the same draws on every run. */
#define SEED 0x5eed1ea5u

static uint64_t
bits_of(double d)
{
	uint64_t b;
	memcpy(&b, &d, sizeof(b));
	return b;
}

static double
double_of(uint64_t b)
{
	double d;
	memcpy(&d, &b, sizeof(d));
	return d;
}

static uint64_t
xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* A positive normal double with its biased exponent in [lo, lo + span],
 * often with runs of zeros or ones at the end (where ties live). */
static uint64_t
draw(uint64_t *s, unsigned lo, unsigned span)
{
	uint64_t r = xorshift(s);
	uint64_t m = r & ((1ull << 52) - 1);
	if ((r >> 52) % 4 == 0)
		m &= ~0xffffffull;
	else if ((r >> 52) % 4 == 1)
		m |= 0xffffff;
	uint64_t e = lo + (xorshift(s) % (span + 1));
	return (e << 52) | m;
}

/* a op b through swim_f64 and through the FPU. */
static int
check_pair(double a, double b)
{
	struct swim_f64 fa = swim_f64_from_bits(bits_of(a));
	struct swim_f64 fb = swim_f64_from_bits(bits_of(b));
	double hi = a > b ? a : b, lo = a > b ? b : a;
	struct swim_f64 fhi = a > b ? fa : fb, flo = a > b ? fb : fa;
	return swim_f64_bits(swim_f64_add(fa, fb)) == bits_of(a + b) &&
	       swim_f64_bits(swim_f64_sub(fhi, flo)) == bits_of(hi - lo) &&
	       swim_f64_bits(swim_f64_mul(fa, fb)) == bits_of(a * b) &&
	       swim_f64_bits(swim_f64_div(fa, fb)) == bits_of(a / b);
}

static void
test_operations_round_ties_to_even_like_the_hardware(void)
{
	static const double cases[][2] = {
		{1.0, 1.0},
		{1.0, 0x1p-53},		/* a tie: stays at 1 */
		{1.0, 0x1.8p-53},	/* above the tie: up */
		{0x1.0000000000001p0, 0x1p-53}, /* a tie, odd: up */
		{0x1.fffffffffffffp0, 0x1p-53},	/* carries into 2 */
		{3.0, 0x1p-200},	/* far below: only sticky */
		{0x1.fffffffffffffp0, 0x1.fffffffffffffp0},
		{4165.0, 1000.0},
		{1e15, 3.0},
		{0x1p-60, 0x1.ffffp70},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ASSERT(check_pair(cases[i][0], cases[i][1]));
	/* Subtraction that cancels to nothing. */
	struct swim_f64 x = swim_f64_from_u64(12345);
	ASSERT_EQ(swim_f64_bits(swim_f64_sub(x, x)), 0);
	ASSERT_EQ(swim_f64_bits(swim_f64_mul(x, swim_f64_from_u64(0))), 0);
	ASSERT_EQ(swim_f64_bits(swim_f64_div(swim_f64_from_u64(0), x)), 0);
}

static void
test_random_operations_match_the_hardware(void)
{
	uint64_t s = SEED;
	for (int i = 0; i < 200000; i++) {
		/* Close exponents (cancellation, carries) and far ones (b
		 * shifted out, sticky). */
		unsigned span = i % 3 == 0 ? 150 : 3;
		unsigned base = 1023 - 60 + (unsigned)(xorshift(&s) % 120);
		double a = double_of(draw(&s, base, span));
		double b = double_of(draw(&s, base - span, span));
		ASSERT(check_pair(a, b));
		ASSERT(check_pair(b, a));
	}
}

static void
test_conversions_match_c(void)
{
	static const uint64_t ints[] = {
		0, 1, 2, 1000, (1ull << 53) - 1, 1ull << 53, (1ull << 53) + 1,
		(1ull << 53) + 3, (1ull << 54) + 2, (1ull << 54) + 6,
		UINT64_MAX / 3, UINT64_MAX - 1024, UINT64_MAX,
	};
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		struct swim_f64 f = swim_f64_from_u64(ints[i]);
		ASSERT_EQ(swim_f64_bits(f), bits_of((double)ints[i]));
		double d = (double)ints[i];
		if (d < 0x1p64)
			ASSERT_EQ(swim_f64_trunc(f), (uint64_t)d);
		else
			ASSERT_EQ(swim_f64_trunc(f), UINT64_MAX);
	}
	static const double reals[] = {0.0, 0.25, 0.999, 1.5, 4164.999,
				       0x1.fffffffffffffp52, 0x1p63};
	for (size_t i = 0; i < sizeof(reals) / sizeof(reals[0]); i++)
		ASSERT_EQ(swim_f64_trunc(swim_f64_from_bits(bits_of(reals[i]))),
			  (uint64_t)reals[i]);
}

static void
test_ln_is_correctly_rounded(void)
{
	static const struct {
		uint64_t arg, want;
	} cases[] = {
		{0x3ff0000000000000ull, 0},			/* 1 */
		{0x4000000000000000ull, 0x3fe62e42fefa39efull}, /* 2 */
		{0x4008000000000000ull, 0x3ff193ea7aad030bull}, /* 3 */
		{0x4031000000000000ull, 0x4006aa6bc1fa7f7aull}, /* 17 */
		{0x403f000000000000ull, 0x400b78ce48912b5aull}, /* 31 */
		/* glibc 2.36's log is one ulp off at these two. */
		{0x3ff9e90000000000ull, 0x3fded9d8bc6d771cull}, /* 6633/4096 */
		{0x40c1e90000000000ull, 0x40223f54a1c504c1ull}, /* 9170 */
		{0x43e0000000000000ull, 0x4045d589f2fe5107ull}, /* 2^63 */
		{0x3ff0000000000001ull, 0x3cafffffffffffffull}, /* 1 + ulp */
		{0x3fffffffffffffffull, 0x3fe62e42fefa39eeull}, /* 2 - ulp */
		{0x43efffffffffffffull, 0x40462e42fefa39efull}, /* 2^64 - */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ASSERT_EQ(swim_f64_bits(swim_f64_ln(
				  swim_f64_from_bits(cases[i].arg))),
			  cases[i].want);
}

int
main(void)
{
	RUN(test_operations_round_ties_to_even_like_the_hardware);
	RUN(test_random_operations_match_the_hardware);
	RUN(test_conversions_match_c);
	RUN(test_ln_is_correctly_rounded);
	return TEST_SUMMARY();
}
