/*
 * swim_f64: IEEE-754 binary64 arithmetic on integers, for the Lifeguard
 * formulas (swim_lifeguard.c). Each operation gives exactly the double
 * that the hardware gives (round to nearest, ties to even), so a formula
 * written with these functions computes what its `double` version
 * computed, but without the FPU's flags and modes or libm: the same seed
 * gives the same timeouts on every platform.
 *
 * Only what the formulas need: non-negative finite normal numbers and
 * zero (no sign, subnormals, infinities or NaN), +, -, *, / and a
 * correctly rounded natural logarithm.
 */
#ifndef RUMOR_SWIM_F64_H
#define RUMOR_SWIM_F64_H

#include <stdint.h>

/** The value m * 2^e: zero is m = 0, e = 0; otherwise 2^52 <= m < 2^53. */
struct swim_f64 {
	/** Significand with its leading bit. */
	uint64_t m;
	/** Binary exponent of its last bit. */
	int e;
};

/** The double nearest to v, as (double)v. */
struct swim_f64
swim_f64_from_u64(uint64_t v);

/** A positive normal double (or +0.0) from its IEEE-754 bit pattern. */
struct swim_f64
swim_f64_from_bits(uint64_t bits);

/** The IEEE-754 bit pattern of a, for tests. */
uint64_t
swim_f64_bits(struct swim_f64 a);

/** a + b. */
struct swim_f64
swim_f64_add(struct swim_f64 a, struct swim_f64 b);

/** a - b, for a >= b (the formulas never go negative). */
struct swim_f64
swim_f64_sub(struct swim_f64 a, struct swim_f64 b);

/** a * b. */
struct swim_f64
swim_f64_mul(struct swim_f64 a, struct swim_f64 b);

/** a / b, for b > 0. */
struct swim_f64
swim_f64_div(struct swim_f64 a, struct swim_f64 b);

/**
 * ln a for 1 <= a < 2^256, correctly rounded: computed to about 2^-119
 * and then rounded once. (glibc 2.36's log() is one ulp off for about one
 * argument in 2,000, e.g. 9170.)
 */
struct swim_f64
swim_f64_ln(struct swim_f64 a);

/** a rounded toward zero, as (uint64_t)a; UINT64_MAX when a >= 2^64
 *  (where C's conversion is undefined). */
uint64_t
swim_f64_trunc(struct swim_f64 a);

#endif /* RUMOR_SWIM_F64_H */
