/*
 * mpscan: a bounded scan of untrusted msgpack before anything is
 * unpacked or allocated, and the one safe way into msgpack-c for such
 * bytes. No SWIM in here: the core's decoders, the service set codec and
 * the socket protocol all read their input through it.
 */
#ifndef RUMOR_MPSCAN_H
#define RUMOR_MPSCAN_H

#include <msgpack.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rumor/error.h"

/** Deepest nesting of containers accepted: msgpack-c's own limit
 *  (MSGPACK_EMBED_STACK_SIZE), kept for every input so that what decodes
 *  does not depend on which decoder read it. */
#define MPSCAN_DEPTH_MAX 32

/** What a scan found. */
enum mpscan_result {
	MPSCAN_OK = 0,
	MPSCAN_TRUNCATED,	/* ends in the middle of a value */
	MPSCAN_MALFORMED,	/* not msgpack, or bytes after the value */
	MPSCAN_OVER_LIMIT,	/* a count, the value count or the depth */
	mpscan_result_MAX
};

/**
 * Check that data holds exactly one value, whole, no container counting
 * more than container_max items or more than the remaining bytes could
 * hold, at most object_max values in all, containers nested at most
 * MPSCAN_DEPTH_MAX deep.
 */
RUMOR_MUST_CHECK enum mpscan_result
mpscan_check(const uint8_t *data, size_t size, uint64_t container_max,
	     uint64_t object_max);

/**
 * mpscan_check(), then msgpack-c. On MPSCAN_OK release with
 * msgpack_unpacked_destroy(); otherwise nothing needs releasing. Strings
 * and bins point into data.
 */
RUMOR_MUST_CHECK enum mpscan_result
mpscan_unpack(msgpack_unpacked *unpacked, const uint8_t *data, size_t size,
	      uint64_t container_max, uint64_t object_max);

/**
 * The same scan over the first value of data alone: where it ends (*end),
 * for a reader of several values in a row. Bytes after it are not looked
 * at. Returns mpscan_check()'s results, but for the nesting depth, which
 * is the reader's business.
 */
RUMOR_MUST_CHECK enum mpscan_result
mpscan_value_end(const uint8_t *data, size_t size, uint64_t container_max,
		 uint64_t object_max, size_t *end);

/* For readers that walk scanned bytes themselves (swim_proto.c). */

/* Big-endian unsigned of n (1, 2, 4 or 8) bytes. */
static inline uint64_t
mpscan_be(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

/*
 * Describe a msgpack type byte: `len_size` bytes of big-endian length
 * follow it (0 for fixed forms), then `fixed` bytes, then the length's
 * worth of payload bytes (strings, bins, exts) or `items` per counted
 * element (1 for arrays, 2 for maps, 0 otherwise). For fix forms the count
 * or length is in the byte itself, returned in *inline_len.
 * Returns false for the one byte msgpack never uses (0xc1).
 */
struct mpscan_form {
	unsigned len_size;
	unsigned fixed;
	unsigned items;
	uint64_t inline_len;
};

static inline __attribute__((always_inline)) bool
mpscan_form_of(uint8_t b, struct mpscan_form *f)
{
	*f = (struct mpscan_form){0};
	if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3)
		return true;
	if (b <= 0x8f) {
		f->items = 2, f->inline_len = b & 0x0f;
		return true;
	}
	if (b <= 0x9f) {
		f->items = 1, f->inline_len = b & 0x0f;
		return true;
	}
	if (b <= 0xbf) {
		f->inline_len = b & 0x1f;
		return true;
	}
	switch (b) {
	case 0xc4: case 0xd9: f->len_size = 1; return true; /* bin8, str8 */
	case 0xc5: case 0xda: f->len_size = 2; return true;
	case 0xc6: case 0xdb: f->len_size = 4; return true;
	case 0xc7: f->len_size = 1, f->fixed = 1; return true; /* ext8 */
	case 0xc8: f->len_size = 2, f->fixed = 1; return true;
	case 0xc9: f->len_size = 4, f->fixed = 1; return true;
	case 0xca: f->fixed = 4; return true; /* float32 */
	case 0xcb: f->fixed = 8; return true;
	case 0xcc: case 0xd0: f->fixed = 1; return true; /* (u)int8 */
	case 0xcd: case 0xd1: f->fixed = 2; return true;
	case 0xce: case 0xd2: f->fixed = 4; return true;
	case 0xcf: case 0xd3: f->fixed = 8; return true;
	case 0xd4: f->fixed = 2; return true; /* fixext1: type + data */
	case 0xd5: f->fixed = 3; return true;
	case 0xd6: f->fixed = 5; return true;
	case 0xd7: f->fixed = 9; return true;
	case 0xd8: f->fixed = 17; return true;
	case 0xdc: f->len_size = 2, f->items = 1; return true; /* array16 */
	case 0xdd: f->len_size = 4, f->items = 1; return true;
	case 0xde: f->len_size = 2, f->items = 2; return true; /* map16 */
	case 0xdf: f->len_size = 4, f->items = 2; return true;
	}
	return false; /* 0xc1 */
}

#endif /* RUMOR_MPSCAN_H */
