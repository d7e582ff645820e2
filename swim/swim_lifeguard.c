/*
 * Lifeguard's formulas. Kept apart from the state machine so each can be
 * checked against memberlist's numbers in a table test.
 *
 * No floating point. These timeouts decide when a member is declared
 * failed, so a one-millisecond difference changes a simulator trace; with
 * libm in the loop a seed would reproduce a run only on one libm. Where
 * the formula is an integer in disguise it is written as one (a digit
 * count, a bit length). Where it is not (log10 n and a ratio of logs,
 * scaled and truncated to milliseconds), it is the same sequence of
 * IEEE-754 double operations as before, done on integers by swim_f64,
 * with the logarithms correctly rounded. The old double code, on glibc,
 * gave the same results over every input the config validator allows,
 * with the exceptions listed at swim_suspicion_min_ms.
 */
#include "swim_f64.h"
#include "swim_lifeguard.h"

/* fdlibm's log10 (glibc sysdeps/ieee754/dbl-64/e_log10.c): for x = m 2^k,
 * m in [1, 2), log10 x = k lg2lo + ln(m) / ln 10 + k lg2hi, so that k's
 * part is exact. Bit patterns of its constants. */
#define IVLN10_BITS 0x3fdbcb7b1526e50eull	 /* 1 / ln 10 */
#define LOG10_2HI_BITS 0x3fd34413509f6000ull	 /* log10 2, top bits */
#define LOG10_2LO_BITS 0x3d59fef311f12b36ull	 /* log10 2 - hi */

/* ln j for j = 1..33 (every K + 1 a valid suspicion mult gives, and C +
 * 1), correctly rounded; glibc's log() gives these too. The timeout is
 * armed at every suspicion and confirmation, and a table is 30 times
 * cheaper than swim_f64_ln. tests/unit/test_lifeguard.c checks it
 * against swim_f64_ln. */
#define LN_TABLE_MAX 33
static const uint64_t LN_BITS[LN_TABLE_MAX] = {
	0x0000000000000000ull, 0x3fe62e42fefa39efull, 0x3ff193ea7aad030bull,
	0x3ff62e42fefa39efull, 0x3ff9c041f7ed8d33ull, 0x3ffcab0bfa2a2002ull,
	0x3fff2272ae325a57ull, 0x4000a2b23f3bab73ull, 0x400193ea7aad030bull,
	0x40026bb1bbb55516ull, 0x40032ee3b77f374cull, 0x4003e116bcd39e7dull,
	0x400485042b318c51ull, 0x40051cca16d7bba7ull, 0x4005aa16394d481full,
	0x40062e42fefa39efull, 0x4006aa6bc1fa7f7aull, 0x40071f7b3a6b9186ull,
	0x40078e360604b32cull, 0x4007f7427b73e391ull, 0x40085b2e946faeb1ull,
	0x4008ba74773dc5c8ull, 0x4009157dfdd1b3f0ull, 0x40096ca77c922cf9ull,
	0x4009c041f7ed8d33ull, 0x400a1094eaf01acdull, 0x400a5ddfb8038490ull,
	0x400aa85ad6964a23ull, 0x400af038cbcdfe1full, 0x400b35a6f90bd69bull,
	0x400b78ce48912b5aull, 0x400bb9d3beb8c86bull, 0x400bf8d8f4d5b8d1ull,
};

/* ln j, j >= 1. */
static struct swim_f64
ln_of(uint64_t j)
{
	if (j <= LN_TABLE_MAX)
		return swim_f64_from_bits(LN_BITS[j - 1]);
	return swim_f64_ln(swim_f64_from_u64(j));
}

static int
bitlen(uint64_t v)
{
	return v == 0 ? 0 : 64 - __builtin_clzll(v);
}

/* log10 n as glibc's log10((double)n) computes it, over a correctly
 * rounded ln (n >= 1). */
static struct swim_f64
log10_of(uint64_t n)
{
	struct swim_f64 x = swim_f64_from_u64(n);
	int k = x.e + 52;
	struct swim_f64 y = swim_f64_from_u64((uint64_t)k);
	struct swim_f64 m = {x.m, -52};
	struct swim_f64 z = swim_f64_add(
		swim_f64_mul(y, swim_f64_from_bits(LOG10_2LO_BITS)),
		swim_f64_mul(swim_f64_from_bits(IVLN10_BITS), swim_f64_ln(m)));
	return swim_f64_add(z, swim_f64_mul(y, swim_f64_from_bits(
						       LOG10_2HI_BITS)));
}

unsigned
swim_retransmit_limit(unsigned mult, size_t n)
{
	/* ceil(log10(n + 1)) is the number of decimal digits of n. */
	unsigned digits = 0;
	for (size_t v = n; v > 0; v /= 10)
		digits++;
	return mult * digits;
}

uint64_t
swim_suspicion_min_ms(unsigned mult, size_t n, uint64_t probe_interval_ms)
{
	/* scale = max(1, log10 n); log10 n > 1 exactly from n = 11. */
	struct swim_f64 scale = n > 10 ? log10_of(n) : swim_f64_from_u64(1);
	/* memberlist rounds the scaled seconds to milliseconds. */
	return swim_f64_trunc(swim_f64_mul(
		swim_f64_mul(swim_f64_from_u64(mult), scale),
		swim_f64_from_u64(probe_interval_ms)));
}

uint64_t
swim_suspicion_max_ms(unsigned mult, unsigned max_timeout_mult, size_t n,
		      uint64_t probe_interval_ms)
{
	return swim_suspicion_min_ms(mult, n, probe_interval_ms) *
	       max_timeout_mult;
}

unsigned
swim_suspicion_k(unsigned mult, size_t n)
{
	unsigned k = mult > 2 ? mult - 2 : 0;
	if (n < 2 || n - 2 < k)
		return 0;
	return k;
}

uint64_t
swim_suspicion_timeout_ms(uint64_t min_ms, uint64_t max_ms, unsigned k,
			  unsigned confirmations)
{
	if (k == 0 || max_ms <= min_ms)
		return min_ms;
	if (confirmations > k)
		confirmations = k;
	/* frac = ln(C + 1) / ln(K + 1), in [0, 1]. */
	struct swim_f64 frac = swim_f64_div(ln_of((uint64_t)confirmations + 1),
					    ln_of((uint64_t)k + 1));
	struct swim_f64 cut = swim_f64_mul(frac,
					   swim_f64_from_u64(max_ms - min_ms));
	/* max - cut >= 0 and the floor of a non-negative is a truncation. */
	uint64_t timeout = swim_f64_trunc(
		swim_f64_sub(swim_f64_from_u64(max_ms), cut));
	return timeout < min_ms ? min_ms : timeout;
}

unsigned
swim_awareness_apply(unsigned score, int delta, unsigned max)
{
	long next = (long)score + delta;
	if (next < 0)
		next = 0;
	if (max > 0 && next > (long)max - 1)
		next = (long)max - 1;
	return (unsigned)next;
}

uint64_t
swim_awareness_scale(unsigned score, uint64_t timeout_ms)
{
	return timeout_ms * ((uint64_t)score + 1);
}

uint64_t
swim_pushpull_scale(uint64_t interval_ms, size_t n)
{
	if (n <= 32)
		return interval_ms;
	/* ceil(log2 n - log2 32) + 1: ceil(log2 n) is the bit length of
	 * n - 1. The product is the double one: exact below 2^53 ms. */
	uint64_t mult = (uint64_t)bitlen((uint64_t)n - 1) - 4;
	return swim_f64_trunc(swim_f64_mul(swim_f64_from_u64(mult),
					   swim_f64_from_u64(interval_ms)));
}
