/*
 * binary64 on integers. Every operation forms its exact result (or enough
 * of it, plus a "sticky" bit saying whether anything nonzero was cut off)
 * as a 128-bit integer times a power of two, and rounds it once to 53 bits
 * in round_pack(), to nearest with ties to even. That is the whole of
 * IEEE-754's rule for +, -, * and /, so the results are the hardware's.
 *
 * The logarithm is not an IEEE operation: libms differ in their last bit,
 * and that bit is what this file exists to pin down. ln() is computed by
 * shift-and-add (multiply the argument by factors 1 + 2^-k while it stays
 * below 2, and add up their logarithms from a table) in 128-bit fixed
 * point, to about 2^-119, and rounded to the nearest double.
 */
#include <stdbool.h>

#include "swim_f64.h"

#define F64_HIDDEN (1ull << 52)

/* An unsigned 128-bit integer; plain C, no compiler extension. */
struct u128 {
	uint64_t hi;
	uint64_t lo;
};

static struct u128
u128_add(struct u128 a, struct u128 b)
{
	uint64_t lo = a.lo + b.lo;
	return (struct u128){a.hi + b.hi + (lo < a.lo), lo};
}

static struct u128
u128_sub(struct u128 a, struct u128 b)
{
	return (struct u128){a.hi - b.hi - (a.lo < b.lo), a.lo - b.lo};
}

static struct u128
u128_shr(struct u128 a, unsigned s)
{
	if (s == 0)
		return a;
	if (s >= 128)
		return (struct u128){0, 0};
	if (s >= 64)
		return (struct u128){0, a.hi >> (s - 64)};
	return (struct u128){a.hi >> s, (a.lo >> s) | (a.hi << (64 - s))};
}

static struct u128
u128_shl(struct u128 a, unsigned s)
{
	if (s == 0)
		return a;
	if (s >= 128)
		return (struct u128){0, 0};
	if (s >= 64)
		return (struct u128){a.lo << (s - 64), 0};
	return (struct u128){(a.hi << s) | (a.lo >> (64 - s)), a.lo << s};
}

static int
u128_cmp(struct u128 a, struct u128 b)
{
	if (a.hi != b.hi)
		return a.hi < b.hi ? -1 : 1;
	return (a.lo > b.lo) - (a.lo < b.lo);
}

static int
bitlen64(uint64_t v)
{
	return v == 0 ? 0 : 64 - __builtin_clzll(v);
}

static int
u128_bitlen(struct u128 a)
{
	return a.hi != 0 ? 64 + bitlen64(a.hi) : bitlen64(a.lo);
}

/* The exact 128-bit product. */
static struct u128
mul64(uint64_t a, uint64_t b)
{
	uint64_t a0 = (uint32_t)a, a1 = a >> 32;
	uint64_t b0 = (uint32_t)b, b1 = b >> 32;
	uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
	uint64_t mid = (p00 >> 32) + (uint32_t)p01 + (uint32_t)p10;
	return (struct u128){p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32),
			     (mid << 32) | (uint32_t)p00};
}

/*
 * v * 2^e rounded to 53 bits, to nearest, ties to even. `sticky` says the
 * true value is a little above v (bits below v's last were nonzero); the
 * callers pass it only with v longer than 53 bits, so it can only break a
 * tie.
 */
static struct swim_f64
round_pack(struct u128 v, int e, bool sticky)
{
	int len = u128_bitlen(v);
	if (len == 0)
		return (struct swim_f64){0, 0};
	if (len <= 53)
		return (struct swim_f64){u128_shl(v, (unsigned)(53 - len)).lo,
					 e - (53 - len)};
	unsigned s = (unsigned)(len - 53);
	struct u128 keep = u128_shr(v, s);
	struct u128 rest = u128_sub(v, u128_shl(keep, s));
	int c = u128_cmp(rest, u128_shl((struct u128){0, 1}, s - 1));
	uint64_t m = keep.lo;
	if (c > 0 || (c == 0 && (sticky || (m & 1) != 0)))
		m++;
	e += (int)s;
	if (m == F64_HIDDEN << 1) {
		m >>= 1;
		e++;
	}
	return (struct swim_f64){m, e};
}

struct swim_f64
swim_f64_from_u64(uint64_t v)
{
	return round_pack((struct u128){0, v}, 0, false);
}

struct swim_f64
swim_f64_from_bits(uint64_t bits)
{
	if (bits == 0)
		return (struct swim_f64){0, 0};
	return (struct swim_f64){(bits & (F64_HIDDEN - 1)) | F64_HIDDEN,
				 (int)((bits >> 52) & 0x7ff) - 1075};
}

uint64_t
swim_f64_bits(struct swim_f64 a)
{
	if (a.m == 0)
		return 0;
	return ((uint64_t)(a.e + 1075) << 52) | (a.m & (F64_HIDDEN - 1));
}

/*
 * Line b up under a (a.e >= b.e), both scaled by 2^64 so that a has 117
 * bits: what falls off b's end is far below a's rounding bit and only
 * sets *sticky.
 */
static struct u128
align(struct swim_f64 a, struct swim_f64 b, bool *sticky)
{
	unsigned d = (unsigned)(a.e - b.e);
	*sticky = false;
	if (d <= 64)
		return u128_shl((struct u128){0, b.m}, 64 - d);
	if (d - 64 >= 64) {
		*sticky = true;
		return (struct u128){0, 0};
	}
	*sticky = (b.m & ((1ull << (d - 64)) - 1)) != 0;
	return (struct u128){0, b.m >> (d - 64)};
}

struct swim_f64
swim_f64_add(struct swim_f64 a, struct swim_f64 b)
{
	if (a.m == 0)
		return b;
	if (b.m == 0)
		return a;
	if (a.e < b.e) {
		struct swim_f64 t = a;
		a = b;
		b = t;
	}
	bool sticky;
	struct u128 lower = align(a, b, &sticky);
	return round_pack(u128_add((struct u128){a.m, 0}, lower), a.e - 64,
			  sticky);
}

struct swim_f64
swim_f64_sub(struct swim_f64 a, struct swim_f64 b)
{
	if (b.m == 0)
		return a;
	/* a >= b, both normalized, so a.e >= b.e. */
	bool sticky;
	struct u128 diff = u128_sub((struct u128){a.m, 0}, align(a, b,
								&sticky));
	/* b was a little more than what is left of it: borrow one unit and
	 * let sticky stand for the rest. */
	if (sticky)
		diff = u128_sub(diff, (struct u128){0, 1});
	return round_pack(diff, a.e - 64, sticky);
}

struct swim_f64
swim_f64_mul(struct swim_f64 a, struct swim_f64 b)
{
	if (a.m == 0 || b.m == 0)
		return (struct swim_f64){0, 0};
	return round_pack(mul64(a.m, b.m), a.e + b.e, false);
}

struct swim_f64
swim_f64_div(struct swim_f64 a, struct swim_f64 b)
{
	if (a.m == 0)
		return (struct swim_f64){0, 0};
	/* Long division, one quotient bit per step: 56 bits of
	 * a.m * 2^55 / b.m (a.m / b.m is in (1/2, 2)) and the remainder. */
	uint64_t r = a.m, q = 0;
	for (int i = 0; i < 56; i++) {
		q <<= 1;
		if (r >= b.m) {
			r -= b.m;
			q |= 1;
		}
		r <<= 1;
	}
	return round_pack((struct u128){0, q}, a.e - b.e - 55, r != 0);
}

uint64_t
swim_f64_trunc(struct swim_f64 a)
{
	if (a.m == 0 || a.e <= -64)
		return 0;
	if (a.e < 0)
		return a.m >> -a.e;
	return a.e > 11 ? UINT64_MAX : a.m << a.e;
}

/* ln 2 and ln(1 + 2^-k) for k = 1..64, in units of 2^-128, rounded to
 * nearest (mpmath at 300 bits: nint(log(1 + 2**-k) * 2**128)). */
static const struct u128 LN2 = {0xb17217f7d1cf79abull,
				0xc9e3b39803f2f6afull};
static const struct u128 LN1P[64] = {
	{0x67cc8fb2fe612fcaull, 0xda35d9bd01488606ull},
	{0x391fef8f35344358ull, 0x4bb03de5ff734496ull},
	{0x1e27076e2af2e5e9ull, 0xea87ffe1fe9e155eull},
	{0x0f85186008b15330ull, 0xbe64b8b775997899ull},
	{0x07e0a6c39e0cc013ull, 0x3e3f04f1ef229fafull},
	{0x03f815161f807c79ull, 0xf3db4e9a6f57aadcull},
	{0x01fe02a6b106788full, 0xc37690391dc282d3ull},
	{0x00ff805515885e02ull, 0x50435ab4da6a5bb5ull},
	{0x007fe00aa6ac4399ull, 0xe29e3a153e3b1ab2ull},
	{0x003ff8015515621full, 0x7809a0a32499268full},
	{0x001ffe002aa6ab11ull, 0x06678ad8b318cb38ull},
	{0x000fff8005551558ull, 0x885de026e271ee05ull},
	{0x0007ffe000aaa6aaull, 0xc443999e2bc2bf0full},
	{0x0003fff800155515ull, 0x56221f77809be9c1ull},
	{0x0001fffe0002aaa6ull, 0xaab111066678af6bull},
	{0x0000ffff80005555ull, 0x155588885dde0270ull},
	{0x00007fffe0000aaaull, 0xa6aaac44439999e3ull},
	{0x00003ffff8000155ull, 0x55155562221f7778ull},
	{0x00001ffffe00002aull, 0xaaa6aaab11110666ull},
	{0x00000fffff800005ull, 0x555515555888885eull},
	{0x000007ffffe00000ull, 0xaaaaa6aaaac44444ull},
	{0x000003fffff80000ull, 0x1555551555562222ull},
	{0x000001fffffe0000ull, 0x02aaaaa6aaaab111ull},
	{0x000000ffffff8000ull, 0x0055555515555589ull},
	{0x0000007fffffe000ull, 0x000aaaaaa6aaaaacull},
	{0x0000003ffffff800ull, 0x0001555555155555ull},
	{0x0000001ffffffe00ull, 0x00002aaaaaa6aaabull},
	{0x0000000fffffff80ull, 0x0000055555551555ull},
	{0x00000007ffffffe0ull, 0x000000aaaaaaa6abull},
	{0x00000003fffffff8ull, 0x0000001555555515ull},
	{0x00000001fffffffeull, 0x00000002aaaaaaa7ull},
	{0x00000000ffffffffull, 0x8000000055555555ull},
	{0x000000007fffffffull, 0xe00000000aaaaaabull},
	{0x000000003fffffffull, 0xf800000001555555ull},
	{0x000000001fffffffull, 0xfe000000002aaaabull},
	{0x000000000fffffffull, 0xff80000000055555ull},
	{0x0000000007ffffffull, 0xffe000000000aaabull},
	{0x0000000003ffffffull, 0xfff8000000001555ull},
	{0x0000000001ffffffull, 0xfffe0000000002abull},
	{0x0000000000ffffffull, 0xffff800000000055ull},
	{0x00000000007fffffull, 0xffffe0000000000bull},
	{0x00000000003fffffull, 0xfffff80000000001ull},
	{0x00000000001fffffull, 0xfffffe0000000000ull},
	{0x00000000000fffffull, 0xffffff8000000000ull},
	{0x000000000007ffffull, 0xffffffe000000000ull},
	{0x000000000003ffffull, 0xfffffff800000000ull},
	{0x000000000001ffffull, 0xfffffffe00000000ull},
	{0x000000000000ffffull, 0xffffffff80000000ull},
	{0x0000000000007fffull, 0xffffffffe0000000ull},
	{0x0000000000003fffull, 0xfffffffff8000000ull},
	{0x0000000000001fffull, 0xfffffffffe000000ull},
	{0x0000000000000fffull, 0xffffffffff800000ull},
	{0x00000000000007ffull, 0xffffffffffe00000ull},
	{0x00000000000003ffull, 0xfffffffffff80000ull},
	{0x00000000000001ffull, 0xfffffffffffe0000ull},
	{0x00000000000000ffull, 0xffffffffffff8000ull},
	{0x000000000000007full, 0xffffffffffffe000ull},
	{0x000000000000003full, 0xfffffffffffff800ull},
	{0x000000000000001full, 0xfffffffffffffe00ull},
	{0x000000000000000full, 0xffffffffffffff80ull},
	{0x0000000000000007ull, 0xffffffffffffffe0ull},
	{0x0000000000000003ull, 0xfffffffffffffff8ull},
	{0x0000000000000001ull, 0xfffffffffffffffeull},
	{0x0000000000000001ull, 0x0000000000000000ull},
};

/* ln f for f = x * 2^-126 in [1, 2), in units of 2^-128. */
static struct u128
ln_mantissa(struct u128 x)
{
	const struct u128 two = {1ull << 63, 0};
	struct u128 sum = {0, 0};
	for (unsigned k = 1; k <= 64; k++) {
		struct u128 next = u128_add(x, u128_shr(x, k));
		if (u128_cmp(next, two) <= 0) {
			x = next;
			sum = u128_add(sum, LN1P[k - 1]);
		}
	}
	/* Now 2 / x = 1 / (1 - u) with u = (2 - x) / 2 < 2^-63, whose
	 * logarithm is u + u^2/2 + ...; u^2/2 is below the last unit. */
	struct u128 u = u128_shl(u128_sub(two, x), 1);
	return u128_sub(u128_sub(LN2, sum), u);
}

struct swim_f64
swim_f64_ln(struct swim_f64 a)
{
	/* a = f * 2^t with f in [1, 2): ln a = t ln 2 + ln f. */
	unsigned t = (unsigned)(a.e + 52);
	if (t == 0 && a.m == F64_HIDDEN)
		return (struct swim_f64){0, 0};
	struct u128 lnf = {0, 0};
	if (a.m != F64_HIDDEN)
		lnf = ln_mantissa(u128_shl((struct u128){0, a.m}, 74));
	/* The sum in units of 2^-120 (8 bits of room for t < 256). */
	struct u128 ln2 = u128_shr(LN2, 8);
	struct u128 tln2 = mul64(ln2.lo, t);
	tln2.hi += ln2.hi * t;
	/* ln a is irrational here, never a tie: sticky. */
	return round_pack(u128_add(u128_shr(lnf, 8), tln2), -120, true);
}
