/*
 * frameq: a slow reader's frames. Pieces end on frame boundaries, the
 * cap counts what is allocated (past it by the staged piece at most), an
 * emptied queue gives a large buffer back.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/agent/frameq.h"
#include "test.h"

/* A frame of n payload bytes, all `fill`. */
static size_t
frame_of(uint8_t *out, uint32_t n, uint8_t fill)
{
	out[0] = (uint8_t)(n >> 24);
	out[1] = (uint8_t)(n >> 16);
	out[2] = (uint8_t)(n >> 8);
	out[3] = (uint8_t)n;
	memset(out + 4, fill, n);
	return 4 + (size_t)n;
}

static void
test_pieces_end_on_frame_boundaries(void)
{
	struct frameq q = {0};
	uint8_t f[200];
	for (int i = 0; i < 10; i++) {
		size_t n = frame_of(f, 96, (uint8_t)i);
		ASSERT(frameq_push(&q, f, n, 1 << 20));
	}
	ASSERT_EQ(frameq_piece(&q, 250), 200);  /* two frames of 100 */
	ASSERT_EQ(frameq_piece(&q, 50), 100);   /* one at least */
	ASSERT_EQ(frameq_head(&q)[4], 0);
	frameq_take(&q, 200, 1 << 20);
	ASSERT_EQ(frameq_head(&q)[4], 2);
	ASSERT_EQ(frameq_piece(&q, SIZE_MAX), 800);
	frameq_take(&q, 800, 1 << 20);
	ASSERT_EQ(frameq_piece(&q, SIZE_MAX), 0);
	frameq_free(&q);
}

static void
test_the_cap_counts_both_buffers_as_allocated(void)
{
	struct frameq q = {0};
	uint8_t f[1100];
	size_t n = frame_of(f, 1000, 7);
	size_t pushed = 0;
	while (frameq_push(&q, f, n, 64 * 1024))
		pushed++;
	ASSERT_LE(frameq_allocated(&q), 64 * 1024);
	ASSERT_GE(pushed, 32); /* at least half the cap is frames */
	/* A staged piece counts: the queue may then hold less. */
	size_t piece = frameq_piece(&q, 16 * 1024);
	ASSERT(frameq_stage(&q, frameq_head(&q), piece));
	frameq_take(&q, piece, SIZE_MAX);
	ASSERT_LE(frameq_allocated(&q), 64 * 1024 + piece);
	while (frameq_push(&q, f, n, 64 * 1024))
		;
	ASSERT_LE(frameq_allocated(&q), 64 * 1024 + piece);
	/* Past the cap only what the caller allows (an error frame). */
	ASSERT(frameq_push(&q, f, n, SIZE_MAX));
	frameq_free(&q);
}

static void
test_an_emptied_queue_gives_a_large_buffer_back(void)
{
	struct frameq q = {0};
	uint8_t f[1100];
	size_t n = frame_of(f, 1000, 1);
	for (int i = 0; i < 100; i++)
		ASSERT(frameq_push(&q, f, n, 1 << 20));
	ASSERT_GE(q.cap, 100 * n);
	frameq_take(&q, frameq_piece(&q, SIZE_MAX), 64 * 1024);
	ASSERT_EQ(q.cap, 0);
	ASSERT_NULL(q.buf);
	ASSERT(frameq_push(&q, f, n, 1 << 20)); /* and starts again */
	frameq_clear(&q);
	ASSERT_EQ(frameq_piece(&q, SIZE_MAX), 0);
	frameq_free(&q);
}

int
main(void)
{
	RUN(test_pieces_end_on_frame_boundaries);
	RUN(test_the_cap_counts_both_buffers_as_allocated);
	RUN(test_an_emptied_queue_gives_a_large_buffer_back);
	return TEST_SUMMARY();
}
