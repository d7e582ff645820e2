/*
 * stream: push-pull stream framing (see stream.h).
 *
 * Design. The first version sealed a whole state (up to 20 MiB) as one
 * frame, so a receiver had to keep every byte a peer sent before it could
 * tell whether the peer held the key: 128 connections each announcing
 * 20 MiB pinned gigabytes. Here the only thing kept before authentication
 * is the header frame, of a fixed small size, in the receiver's own
 * struct. A chunk frame (at most STREAM_FRAME_MAX bytes) is buffered only
 * after the header opened, and its data joins the stream only once the
 * chunk itself opened; the data buffer grows toward the authenticated
 * total, never past it. Every byte held is charged to a budget the caller
 * shares among its streams.
 *
 * Chunks are sealed separately with seal.h, so nothing new is needed in
 * the cryptography: the binding of a chunk to its stream (the header's
 * nonce, unique per sealed frame) and its index ride in the plaintext,
 * under the chunk's own tag.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/stream.h"

/* Where a sealed frame's nonce is (after the kind and the key id). */
#define STREAM_NONCE_AT (SEAL_HEADER_SIZE - SEAL_NONCE_SIZE)

/* The sealed size of a plaintext of n bytes. */
static size_t
framed(size_t n, const struct keyring *kr)
{
	return n + (kr != NULL ? SEAL_OVERHEAD : SEAL_PLAIN_OVERHEAD);
}

static void
put_u32be(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t
get_u32be(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* Seal (or wrap) plain into out + STREAM_PREFIX and write the prefix;
 * returns the frame's whole size through *used. */
static int
frame_put(uint8_t *out, size_t cap, size_t *used, const uint8_t *plain,
	  size_t size, struct seal_nonce *nonce, const struct keyring *kr)
{
	size_t sealed = 0;
	int rc = kr != NULL
		? seal_close(out + STREAM_PREFIX, cap - STREAM_PREFIX, &sealed,
			     plain, size, SEAL_KIND_STREAM, nonce, kr)
		: seal_plain_wrap(out + STREAM_PREFIX, cap - STREAM_PREFIX,
				  &sealed, plain, size);
	if (rc != 0)
		return rc;
	put_u32be(out, (uint32_t)sealed);
	*used = STREAM_PREFIX + sealed;
	return 0;
}

int
stream_encode(uint8_t **out, size_t *out_size, const uint8_t *plain,
	      size_t size, struct seal_nonce *nonce, const struct keyring *kr)
{
	*out = NULL;
	*out_size = 0;
	if (size == 0)
		return RUMOR_EINVAL;
	if (size > STREAM_BYTES_MAX)
		return RUMOR_ETOOBIG;
	size_t chunks = (size + STREAM_CHUNK_MAX - 1) / STREAM_CHUNK_MAX;
	size_t cap = STREAM_PREFIX + framed(STREAM_HEADER_PLAIN, kr) +
		     chunks * (STREAM_PREFIX + framed(STREAM_CHUNK_BIND, kr)) +
		     size;
	uint8_t *buf = malloc(cap);
	uint8_t *chunk = malloc(STREAM_CHUNK_BIND + STREAM_CHUNK_MAX);
	int rc = buf == NULL || chunk == NULL ? RUMOR_ENOMEM : 0;
	uint8_t head[STREAM_HEADER_PLAIN] = {STREAM_VERSION, 0, 0, 0};
	put_u32be(head + 4, (uint32_t)size);
	size_t at = 0, used = 0;
	if (rc == 0)
		rc = frame_put(buf, cap, &used, head, sizeof(head), nonce, kr);
	at += used;
	/* The chunks name the header's nonce (zero in plaintext mode). */
	if (rc == 0 && kr != NULL)
		memcpy(chunk, buf + STREAM_PREFIX + STREAM_NONCE_AT,
		       SEAL_NONCE_SIZE);
	else if (rc == 0)
		memset(chunk, 0, SEAL_NONCE_SIZE);
	for (size_t i = 0, off = 0; rc == 0 && i < chunks; i++) {
		size_t n = size - off < STREAM_CHUNK_MAX ? size - off
							  : STREAM_CHUNK_MAX;
		put_u32be(chunk + SEAL_NONCE_SIZE, (uint32_t)i);
		memcpy(chunk + STREAM_CHUNK_BIND, plain + off, n);
		rc = frame_put(buf + at, cap - at, &used, chunk,
			       STREAM_CHUNK_BIND + n, nonce, kr);
		at += used;
		off += n;
	}
	free(chunk);
	if (rc != 0) {
		free(buf);
		return rc;
	}
	*out = buf;
	*out_size = at;
	return 0;
}

void
stream_rx_init(struct stream_rx *rx, size_t total_max)
{
	*rx = (struct stream_rx){.total_max = total_max};
}

/* Charge `more` bytes; RUMOR_ELIMIT when the budget has no room. */
static int
charge(struct stream_rx *rx, struct stream_budget *b, size_t more)
{
	if (more > b->max - b->used) {
		b->refused++;
		return RUMOR_ELIMIT;
	}
	b->used += more;
	rx->held += more;
	return 0;
}

/* Open (or unwrap) the frame in buf into out; 0 or seal_open's error. */
static int
frame_open(uint8_t *out, size_t cap, size_t *n, const uint8_t *buf,
	   size_t size, const struct keyring *kr)
{
	if (kr != NULL)
		return seal_open(out, cap, n, buf, size, SEAL_KIND_STREAM, kr);
	size_t got = 0;
	const uint8_t *p = seal_plain_unwrap(buf, size, &got);
	if (p == NULL)
		return size == 0 ? RUMOR_ETRUNCATED : RUMOR_EVERSION;
	if (got > cap)
		return RUMOR_ENOSPACE;
	memcpy(out, p, got);
	*n = got;
	return 0;
}

/* The header frame is in rx->head: open it. */
static int
header_take(struct stream_rx *rx, const struct keyring *kr)
{
	uint8_t plain[STREAM_HEADER_PLAIN];
	size_t n = 0;
	int rc = frame_open(plain, sizeof(plain), &n, rx->head,
			    rx->frame_len, kr);
	if (rc != 0)
		return rc == RUMOR_ENOSPACE ? RUMOR_EVERSION : rc;
	if (n != STREAM_HEADER_PLAIN || plain[0] != STREAM_VERSION)
		return RUMOR_EVERSION;
	rx->total = get_u32be(plain + 4);
	if (rx->total == 0)
		return RUMOR_ETRUNCATED;
	if (rx->total > rx->total_max)
		return RUMOR_ETOOBIG;
	if (kr != NULL)
		memcpy(rx->id, rx->head + STREAM_NONCE_AT, SEAL_NONCE_SIZE);
	rx->authenticated = true;
	return 0;
}

/* Room for n more data bytes (the chunk's whole plaintext is opened in
 * place, its binding then moved out of the way). */
static int
plain_reserve(struct stream_rx *rx, struct stream_budget *b, size_t n)
{
	size_t need = rx->plain_size + n;
	if (need <= rx->plain_cap)
		return 0;
	size_t cap = rx->plain_cap * 2;
	size_t limit = (size_t)rx->total + STREAM_CHUNK_BIND;
	if (cap > limit)
		cap = limit;
	if (cap < need)
		cap = need;
	int rc = charge(rx, b, cap - rx->plain_cap);
	if (rc != 0)
		return rc;
	uint8_t *grown = realloc(rx->plain, cap);
	if (grown == NULL) {
		b->used -= cap - rx->plain_cap;
		rx->held -= cap - rx->plain_cap;
		return RUMOR_ENOMEM;
	}
	rx->plain = grown;
	rx->plain_cap = cap;
	return 0;
}

/* A whole chunk frame is in rx->frame: open it behind the data. */
static int
chunk_take(struct stream_rx *rx, struct stream_budget *b,
	   const struct keyring *kr)
{
	size_t room = rx->frame_len; /* more than its plaintext */
	int rc = plain_reserve(rx, b, room);
	if (rc != 0)
		return rc;
	uint8_t *at = rx->plain + rx->plain_size;
	size_t n = 0;
	rc = frame_open(at, room, &n, rx->frame, rx->frame_len, kr);
	if (rc != 0)
		return rc;
	size_t data = n - STREAM_CHUNK_BIND;
	if (n <= STREAM_CHUNK_BIND || data > STREAM_CHUNK_MAX ||
	    memcmp(at, rx->id, SEAL_NONCE_SIZE) != 0 ||
	    get_u32be(at + SEAL_NONCE_SIZE) != rx->index ||
	    data > rx->total - rx->plain_size)
		return RUMOR_EPROTO;
	memmove(at, at + STREAM_CHUNK_BIND, data);
	rx->plain_size += data;
	rx->index++;
	return 0;
}

/* A frame's length is known: check it, and make room for a chunk. */
static int
frame_begin(struct stream_rx *rx, struct stream_budget *b,
	    const struct keyring *kr)
{
	uint32_t len = get_u32be(rx->prefix);
	rx->frame_len = len;
	rx->frame_got = 0;
	if (!rx->authenticated) {
		/* The other mode's header (one side runs --no-encrypt):
		 * RUMOR_EPLAINTEXT says so whichever side it is. */
		size_t other = STREAM_HEADER_PLAIN +
			       (kr != NULL ? SEAL_PLAIN_OVERHEAD : SEAL_OVERHEAD);
		if (len == framed(STREAM_HEADER_PLAIN, kr))
			return 0;
		return len == other ? RUMOR_EPLAINTEXT : RUMOR_EVERSION;
	}
	if (len <= framed(STREAM_CHUNK_BIND, kr))
		return RUMOR_ETRUNCATED;
	if (len > STREAM_FRAME_MAX)
		return RUMOR_ETOOBIG;
	if (len <= rx->frame_cap)
		return 0;
	int rc = charge(rx, b, len - rx->frame_cap);
	if (rc != 0)
		return rc;
	uint8_t *grown = realloc(rx->frame, len);
	if (grown == NULL) {
		b->used -= len - rx->frame_cap;
		rx->held -= len - rx->frame_cap;
		return RUMOR_ENOMEM;
	}
	rx->frame = grown;
	rx->frame_cap = len;
	return 0;
}

int
stream_rx_feed(struct stream_rx *rx, struct stream_budget *budget,
	       const uint8_t *data, size_t size, const struct keyring *kr,
	       bool *done)
{
	*done = rx->authenticated && rx->plain_size == rx->total;
	while (size > 0) {
		if (*done)
			return RUMOR_EPROTO; /* one stream per direction */
		if (rx->prefix_got < STREAM_PREFIX) {
			rx->prefix[rx->prefix_got++] = *data++;
			size--;
			int rc = rx->prefix_got == STREAM_PREFIX
				? frame_begin(rx, budget, kr) : 0;
			if (rc != 0)
				return rc;
			continue;
		}
		uint8_t *buf = rx->authenticated ? rx->frame : rx->head;
		size_t n = rx->frame_len - rx->frame_got;
		if (n > size)
			n = size;
		memcpy(buf + rx->frame_got, data, n);
		rx->frame_got += n;
		data += n;
		size -= n;
		if (rx->frame_got < rx->frame_len)
			break;
		int rc = rx->authenticated ? chunk_take(rx, budget, kr)
					   : header_take(rx, kr);
		if (rc != 0)
			return rc;
		rx->prefix_got = 0;
		*done = rx->authenticated && rx->plain_size == rx->total;
	}
	return 0;
}

const uint8_t *
stream_rx_data(const struct stream_rx *rx, size_t *size)
{
	*size = rx->plain_size;
	return rx->plain;
}

void
stream_rx_destroy(struct stream_rx *rx, struct stream_budget *budget)
{
	free(rx->frame);
	free(rx->plain);
	budget->used -= rx->held;
	size_t total_max = rx->total_max;
	stream_rx_init(rx, total_max);
}
