/*
 * A small assert-printing test harness (libuv's task.h, in spirit).
 *
 * A test is `static void test_name(void)`; main() lists them with
 * RUN(test_name) and returns TEST_SUMMARY(), which prints the closing line
 * "N passed, N failed" that CI reads. A failed ASSERT prints file:line, the
 * expression text and both values, marks the test failed and returns from
 * it (the next test still runs).
 */
#ifndef RUMOR_TEST_H
#define RUMOR_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int test_failed_count_;
static int test_passed_count_;
static int test_current_failed_;

#define TEST_FAIL_(fmt, ...)                                                  \
	do {                                                                  \
		fprintf(stderr, "  %s:%d: " fmt "\n", __FILE__, __LINE__,     \
			__VA_ARGS__);                                         \
		test_current_failed_ = 1;                                     \
		return;                                                       \
	} while (0)

#define ASSERT(expr)                                                          \
	do {                                                                  \
		if (!(expr))                                                  \
			TEST_FAIL_("ASSERT(%s) failed", #expr);               \
	} while (0)

#define ASSERT_EQ(a, b)                                                       \
	do {                                                                  \
		int64_t a_ = (int64_t)(a), b_ = (int64_t)(b);                 \
		if (a_ != b_)                                                 \
			TEST_FAIL_("ASSERT_EQ(%s, %s): %" PRId64 " != %" PRId64, \
				   #a, #b, a_, b_);                           \
	} while (0)

#define ASSERT_NE(a, b)                                                       \
	do {                                                                  \
		int64_t a_ = (int64_t)(a), b_ = (int64_t)(b);                 \
		if (a_ == b_)                                                 \
			TEST_FAIL_("ASSERT_NE(%s, %s): both %" PRId64, #a, #b, \
				   a_);                                       \
	} while (0)

/* Ordered through long double, which holds every int64_t and uint64_t
 * exactly, so that UINT64_MAX ("never happened") is not -1 here. */
#define ASSERT_LE(a, b)                                                       \
	do {                                                                  \
		long double a_ = (long double)(a), b_ = (long double)(b);     \
		if (!(a_ <= b_))                                              \
			TEST_FAIL_("ASSERT_LE(%s, %s): %.0Lf > %.0Lf", #a, #b, \
				   a_, b_);                                   \
	} while (0)

#define ASSERT_GE(a, b) ASSERT_LE(b, a)

#define ASSERT_OK(expr)                                                       \
	do {                                                                  \
		int64_t r_ = (int64_t)(expr);                                 \
		if (r_ != 0)                                                  \
			TEST_FAIL_("ASSERT_OK(%s): returned %" PRId64, #expr,  \
				   r_);                                       \
	} while (0)

#define ASSERT_NULL(p) ASSERT((p) == NULL)
#define ASSERT_NOT_NULL(p) ASSERT((p) != NULL)

#define ASSERT_STR_EQ(a, b)                                                   \
	do {                                                                  \
		const char *a_ = (a), *b_ = (b);                              \
		if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0)          \
			TEST_FAIL_("ASSERT_STR_EQ(%s, %s): \"%s\" != \"%s\"",  \
				   #a, #b, a_ ? a_ : "(null)",                \
				   b_ ? b_ : "(null)");                       \
	} while (0)

#define ASSERT_MEM_EQ(a, b, n)                                                \
	do {                                                                  \
		if (memcmp((a), (b), (n)) != 0)                               \
			TEST_FAIL_("ASSERT_MEM_EQ(%s, %s, %s) differ", #a, #b, \
				   #n);                                       \
	} while (0)

#define RUN(test)                                                             \
	do {                                                                  \
		test_current_failed_ = 0;                                     \
		test();                                                       \
		if (test_current_failed_) {                                   \
			test_failed_count_++;                                 \
			fprintf(stderr, "not ok - %s\n", #test);              \
		} else {                                                      \
			test_passed_count_++;                                 \
			printf("ok - %s\n", #test);                           \
		}                                                             \
	} while (0)

#define TEST_SUMMARY()                                                        \
	(printf("%d passed, %d failed\n", test_passed_count_,                 \
		test_failed_count_),                                          \
	 test_failed_count_ != 0)

#endif /* RUMOR_TEST_H */
