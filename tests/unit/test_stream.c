/*
 * stream: the push-pull framing. A stream opens whole however its bytes
 * are cut; nothing is kept before the header authenticates; chunks of
 * other streams, reordered or trailing bytes are refused; the budget
 * bounds what all streams hold and gets every byte back.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/stream.h"
#include "test.h"

static struct keyring *
ring_with(uint8_t fill)
{
	uint8_t key[KEYRING_KEY_SIZE];
	memset(key, fill, sizeof(key));
	struct keyring *kr = keyring_new();
	if (kr != NULL && keyring_add(kr, key) != 0) {
		keyring_delete(kr);
		return NULL;
	}
	return kr;
}

/* size bytes of a fixed pattern. */
static uint8_t *
pattern(size_t size)
{
	uint8_t *p = malloc(size);
	for (size_t i = 0; i < size; i++)
		p[i] = (uint8_t)(i * 7 + i / 251);
	return p;
}

/* Feed s[0, size) in pieces of `step` bytes; the result of the last
 * feed. */
static int
feed_by(struct stream_rx *rx, struct stream_budget *b, const uint8_t *s,
	size_t size, size_t step, const struct keyring *kr, bool *done)
{
	int rc = 0;
	*done = false;
	for (size_t off = 0; rc == 0 && off < size; off += step) {
		size_t n = size - off < step ? size - off : step;
		rc = stream_rx_feed(rx, b, s + off, n, kr, done);
	}
	return rc;
}

static void
test_a_stream_opens_whole_however_it_is_cut(void)
{
	struct keyring *kr = ring_with(1);
	struct seal_nonce nonce = {{7}, 0, 0};
	const size_t sizes[] = {1, 100, STREAM_CHUNK_MAX,
				STREAM_CHUNK_MAX + 1, 3 * STREAM_CHUNK_MAX + 5};
	const size_t steps[] = {1, 3, 4096, 65536, SIZE_MAX};
	for (int plain = 0; plain < 2; plain++) {
		const struct keyring *k = plain ? NULL : kr;
		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			uint8_t *data = pattern(sizes[i]);
			uint8_t *s;
			size_t size;
			ASSERT_OK(stream_encode(&s, &size, data, sizes[i],
						&nonce, k));
			for (size_t j = 0; j < sizeof(steps) / sizeof(steps[0]);
			     j++) {
				if (steps[j] == 1 && sizes[i] > 100000)
					continue;
				struct stream_rx rx;
				struct stream_budget b = {.max = SIZE_MAX};
				stream_rx_init(&rx, 1 << 20);
				bool done;
				ASSERT_OK(feed_by(&rx, &b, s, size, steps[j], k,
						  &done));
				ASSERT(done);
				size_t got;
				const uint8_t *p = stream_rx_data(&rx, &got);
				ASSERT_EQ(got, sizes[i]);
				ASSERT_MEM_EQ(p, data, got);
				/* What it holds stays near what it got. */
				ASSERT_LE(rx.held, got + 2 * STREAM_FRAME_MAX);
				ASSERT_EQ(b.used, rx.held);
				stream_rx_destroy(&rx, &b);
				ASSERT_EQ(b.used, 0);
			}
			free(s);
			free(data);
		}
	}
	keyring_delete(kr);
}

static void
test_nothing_is_kept_before_the_header_authenticates(void)
{
	struct keyring *kr = ring_with(1);
	struct stream_budget b = {.max = SIZE_MAX};
	struct stream_rx rx;
	bool done;
	/* The old framing: one frame of 20 MiB. Refused at its length. */
	const uint8_t old[] = {0x01, 0x40, 0x00, 0x00, SEAL_KIND_STREAM};
	stream_rx_init(&rx, 20 << 20);
	ASSERT_EQ(stream_rx_feed(&rx, &b, old, sizeof(old), kr, &done),
		  RUMOR_EVERSION);
	ASSERT_EQ(b.used, 0);
	/* A header of the right size, forged: refused, nothing held. */
	uint8_t forged[STREAM_PREFIX + SEAL_OVERHEAD + STREAM_HEADER_PLAIN];
	memset(forged, 0x5a, sizeof(forged));
	forged[0] = forged[1] = forged[2] = 0;
	forged[3] = SEAL_OVERHEAD + STREAM_HEADER_PLAIN;
	forged[4] = SEAL_KIND_STREAM;
	uint32_t id = keyring_key_id((const uint8_t[KEYRING_KEY_SIZE]){
		1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
		1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1});
	memcpy(forged + 5, &id, 4); /* little endian, as on the wire */
	stream_rx_init(&rx, 20 << 20);
	ASSERT_EQ(stream_rx_feed(&rx, &b, forged, sizeof(forged), kr, &done),
		  RUMOR_EAUTH);
	ASSERT_EQ(b.used, 0);
	ASSERT_EQ(rx.held, 0);
	/* Another key's header: unknown key. */
	struct keyring *other = ring_with(2);
	struct seal_nonce nonce = {{1}, 0, 0};
	uint8_t *s;
	size_t size;
	ASSERT_OK(stream_encode(&s, &size, (const uint8_t *)"state", 5,
				&nonce, other));
	stream_rx_init(&rx, 20 << 20);
	ASSERT_EQ(stream_rx_feed(&rx, &b, s, size, kr, &done),
		  RUMOR_EUNKNOWNKEY);
	ASSERT_EQ(b.used, 0);
	free(s);
	/* A plaintext peer's header, and the other way round. */
	ASSERT_OK(stream_encode(&s, &size, (const uint8_t *)"state", 5,
				&nonce, NULL));
	stream_rx_init(&rx, 20 << 20);
	ASSERT_EQ(stream_rx_feed(&rx, &b, s, size, kr, &done),
		  RUMOR_EPLAINTEXT);
	free(s);
	ASSERT_OK(stream_encode(&s, &size, (const uint8_t *)"state", 5,
				&nonce, kr));
	stream_rx_init(&rx, 20 << 20);
	ASSERT_EQ(stream_rx_feed(&rx, &b, s, size, NULL, &done),
		  RUMOR_EPLAINTEXT);
	free(s);
	keyring_delete(other);
	keyring_delete(kr);
}

/* The header frame of an encoded stream, and where its chunks start. */
static size_t
header_end(const struct keyring *kr)
{
	return STREAM_PREFIX + STREAM_HEADER_PLAIN +
	       (kr ? SEAL_OVERHEAD : SEAL_PLAIN_OVERHEAD);
}

static void
test_chunks_of_another_stream_or_out_of_order_are_refused(void)
{
	struct keyring *kr = ring_with(1);
	struct seal_nonce nonce = {{3}, 0, 0};
	size_t n = 2 * STREAM_CHUNK_MAX;
	uint8_t *data = pattern(n);
	uint8_t *s1, *s2;
	size_t z1, z2;
	ASSERT_OK(stream_encode(&s1, &z1, data, n, &nonce, kr));
	ASSERT_OK(stream_encode(&s2, &z2, data, n, &nonce, kr));
	ASSERT_EQ(z1, z2);
	size_t h = header_end(kr);
	size_t chunk = (z1 - h) / 2;
	struct stream_budget b = {.max = SIZE_MAX};
	struct stream_rx rx;
	bool done;
	/* s1's header, s2's chunks: every chunk names its stream. */
	uint8_t *mix = malloc(z1);
	memcpy(mix, s1, h);
	memcpy(mix + h, s2 + h, z1 - h);
	stream_rx_init(&rx, n);
	ASSERT_EQ(stream_rx_feed(&rx, &b, mix, z1, kr, &done), RUMOR_EPROTO);
	stream_rx_destroy(&rx, &b);
	/* s1's chunks swapped. */
	memcpy(mix + h, s1 + h + chunk, chunk);
	memcpy(mix + h + chunk, s1 + h, chunk);
	stream_rx_init(&rx, n);
	ASSERT_EQ(stream_rx_feed(&rx, &b, mix, z1, kr, &done), RUMOR_EPROTO);
	stream_rx_destroy(&rx, &b);
	/* A byte after the end. */
	uint8_t *more = malloc(z1 + 1);
	memcpy(more, s1, z1);
	more[z1] = 0;
	stream_rx_init(&rx, n);
	ASSERT_EQ(stream_rx_feed(&rx, &b, more, z1 + 1, kr, &done),
		  RUMOR_EPROTO);
	stream_rx_destroy(&rx, &b);
	/* A flipped bit in a chunk. */
	s1[h + 100] ^= 1;
	stream_rx_init(&rx, n);
	ASSERT_EQ(stream_rx_feed(&rx, &b, s1, z1, kr, &done), RUMOR_EAUTH);
	stream_rx_destroy(&rx, &b);
	ASSERT_EQ(b.used, 0);
	/* A total over the receiver's limit. */
	stream_rx_init(&rx, n - 1);
	ASSERT_EQ(stream_rx_feed(&rx, &b, s2, h, kr, &done), RUMOR_ETOOBIG);
	stream_rx_destroy(&rx, &b);
	free(mix);
	free(more);
	free(s1);
	free(s2);
	free(data);
	keyring_delete(kr);
}

static void
test_chunk_lengths_out_of_range_are_refused(void)
{
	struct seal_nonce nonce = {{4}, 0, 0};
	uint8_t *s;
	size_t size;
	ASSERT_OK(stream_encode(&s, &size, (const uint8_t *)"abc", 3, &nonce,
				NULL));
	size_t h = header_end(NULL);
	const uint8_t lens[][4] = {{0, 0, 0, 0}, {0, 0, 0, 5},
				   {0, 2, 0, 0}, {0xff, 0xff, 0xff, 0xff}};
	const int want[] = {RUMOR_ETRUNCATED, RUMOR_ETRUNCATED, RUMOR_ETOOBIG,
			    RUMOR_ETOOBIG};
	for (int i = 0; i < 4; i++) {
		struct stream_budget b = {.max = SIZE_MAX};
		struct stream_rx rx;
		bool done;
		stream_rx_init(&rx, 100);
		ASSERT_OK(stream_rx_feed(&rx, &b, s, h, NULL, &done));
		ASSERT(!done);
		ASSERT_EQ(stream_rx_feed(&rx, &b, lens[i], 4, NULL, &done),
			  want[i]);
		ASSERT_EQ(b.used, 0);
		stream_rx_destroy(&rx, &b);
	}
	free(s);
}

static void
test_the_budget_is_shared_and_given_back(void)
{
	struct keyring *kr = ring_with(1);
	struct seal_nonce nonce = {{5}, 0, 0};
	size_t n = 4 * STREAM_CHUNK_MAX;
	uint8_t *data = pattern(n);
	uint8_t *s;
	size_t size;
	ASSERT_OK(stream_encode(&s, &size, data, n, &nonce, kr));
	/* Room for one stream's worth, not two. */
	struct stream_budget b = {.max = n + 2 * STREAM_FRAME_MAX};
	struct stream_rx r1, r2;
	bool done;
	stream_rx_init(&r1, n);
	stream_rx_init(&r2, n);
	ASSERT_OK(stream_rx_feed(&r1, &b, s, size, kr, &done));
	ASSERT(done);
	ASSERT_EQ(stream_rx_feed(&r2, &b, s, size, kr, &done), RUMOR_ELIMIT);
	ASSERT_EQ(b.refused, 1);
	ASSERT_EQ(b.used, r1.held + r2.held);
	stream_rx_destroy(&r2, &b);
	stream_rx_destroy(&r1, &b);
	ASSERT_EQ(b.used, 0);
	/* With r1's bytes back, r2 fits. */
	stream_rx_init(&r2, n);
	ASSERT_OK(stream_rx_feed(&r2, &b, s, size, kr, &done));
	ASSERT(done);
	stream_rx_destroy(&r2, &b);
	ASSERT_EQ(b.used, 0);
	free(s);
	free(data);
	keyring_delete(kr);
}

static void
test_an_empty_state_is_not_encoded(void)
{
	struct seal_nonce nonce = {{6}, 0, 0};
	uint8_t *s = (uint8_t *)"x";
	size_t size = 1;
	ASSERT_EQ(stream_encode(&s, &size, NULL, 0, &nonce, NULL),
		  RUMOR_EINVAL);
	ASSERT_NULL(s);
	ASSERT_EQ(size, 0);
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	RUN(test_a_stream_opens_whole_however_it_is_cut);
	RUN(test_nothing_is_kept_before_the_header_authenticates);
	RUN(test_chunks_of_another_stream_or_out_of_order_are_refused);
	RUN(test_chunk_lengths_out_of_range_are_refused);
	RUN(test_the_budget_is_shared_and_given_back);
	RUN(test_an_empty_state_is_not_encoded);
	return TEST_SUMMARY();
}
