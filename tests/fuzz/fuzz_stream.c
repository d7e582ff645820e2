/*
 * Fuzz the push-pull stream receiver (crypto/stream.h) on untrusted
 * bytes. The first input byte picks the mode (sealed with a fixed key,
 * bytes 0..31, or plaintext) and the size of the pieces the rest is fed
 * in; the receiver's limit is small so chunks come into play. Besides "no
 * crash": what the receiver holds is always what it charged to the
 * budget, stays within the total it authenticated plus two frames, and
 * goes back whole; a stream that completes re-encodes to one that
 * completes with the same data.
 */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/stream.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_TOTAL_MAX (3 * STREAM_CHUNK_MAX)

static struct keyring *
fuzz_ring(void)
{
	/* Test code: built once and kept. */
	static struct keyring *kr;
	if (kr != NULL)
		return kr;
	if (sodium_init() < 0)
		abort();
	kr = keyring_new();
	uint8_t key[KEYRING_KEY_SIZE];
	for (int i = 0; i < KEYRING_KEY_SIZE; i++)
		key[i] = (uint8_t)i;
	if (kr == NULL || keyring_add(kr, key) != 0)
		abort();
	return kr;
}

/* Feed data in pieces of step; 0 or the error; *done as it ended. */
static int
feed(struct stream_rx *rx, struct stream_budget *b, const uint8_t *data,
     size_t size, size_t step, const struct keyring *kr, bool *done)
{
	int rc = 0;
	*done = false;
	for (size_t off = 0; rc == 0 && off < size; off += step) {
		size_t n = size - off < step ? size - off : step;
		rc = stream_rx_feed(rx, b, data + off, n, kr, done);
		if (b->used != rx->held ||
		    rx->held > (size_t)rx->total + 2 * STREAM_FRAME_MAX +
				       STREAM_CHUNK_BIND)
			abort();
	}
	return rc;
}

static void
round_trip(const uint8_t *plain, size_t size, const struct keyring *kr)
{
	struct seal_nonce nonce = {{9}, 0, 0};
	uint8_t *s;
	size_t s_size;
	struct stream_budget b = {.max = SIZE_MAX};
	struct stream_rx rx;
	bool done;
	if (stream_encode(&s, &s_size, plain, size, &nonce, kr) != 0)
		abort();
	stream_rx_init(&rx, FUZZ_TOTAL_MAX);
	size_t got;
	if (feed(&rx, &b, s, s_size, s_size, kr, &done) != 0 || !done ||
	    memcmp(stream_rx_data(&rx, &got), plain, size) != 0 ||
	    got != size)
		abort();
	stream_rx_destroy(&rx, &b);
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	const struct keyring *kr = (data[0] & 1) ? fuzz_ring() : NULL;
	size_t step = (size_t)(data[0] >> 1) * 37 + 1;
	struct stream_budget b = {.max = (data[0] & 0x80) ? 100000 : SIZE_MAX};
	struct stream_rx rx;
	bool done;
	stream_rx_init(&rx, FUZZ_TOTAL_MAX);
	int rc = feed(&rx, &b, data + 1, size - 1, step, kr, &done);
	if (rc == 0 && done) {
		size_t got;
		const uint8_t *p = stream_rx_data(&rx, &got);
		if (got == 0 || got > FUZZ_TOTAL_MAX)
			abort();
		uint8_t *copy = malloc(got);
		memcpy(copy, p, got);
		round_trip(copy, got, kr);
		free(copy);
	}
	stream_rx_destroy(&rx, &b);
	if (b.used != 0)
		abort();
	return 0;
}
