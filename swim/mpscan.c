/*
 * mpscan: the bounded scan that stands between untrusted bytes and
 * msgpack-c.
 *
 * msgpack-c trusts the counts it reads: an array header claiming 2^32
 * items makes it allocate for them before it finds out the bytes are not
 * there. So every untrusted blob is walked once first, without
 * allocating: the bytes must hold one complete value, every array and map
 * count must fit in the bytes that remain (each element takes at least
 * one byte), no container may count more than the caller's limit, there
 * may be no more values in all than the caller allows, and containers may
 * nest no deeper than msgpack-c itself would. Only then is msgpack-c let
 * near the bytes (mpscan_unpack), or a reader of its own walks them
 * (swim_proto.c, with mpscan_form_of).
 *
 * Pure computation over the caller's bytes; no state, no allocation of
 * its own. Its own library (rumor_mpscan), so that the socket protocol and
 * the client library link it without the SWIM core.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpscan.h"

/*
 * One pass over the value at the start of data[0, size), ending at *end:
 * complete, no container longer than container_max, at most object_max
 * values in all. Because msgpack is written prefix first, one counter of
 * values still owed is enough for that. *deep (when asked) says whether a
 * container starts while MPSCAN_DEPTH_MAX non-empty ones are open,
 * msgpack-c's rule, which takes a stack of what each open container still
 * owes; it is reported only for a value that scans whole, as msgpack-c,
 * running after the scan, would.
 */
static RUMOR_MUST_CHECK enum mpscan_result
scan_one(const uint8_t *data, size_t size, uint64_t container_max,
	 uint64_t object_max, size_t *end, bool *deep)
{
	size_t pos = 0;
	uint64_t pending = 1, objects = 0;
	uint64_t owed[MPSCAN_DEPTH_MAX];
	unsigned open = 0;
	bool too_deep = false;
	while (pending > 0) {
		struct mpscan_form f;
		if (pos == size)
			return MPSCAN_TRUNCATED;
		if (!mpscan_form_of(data[pos++], &f))
			return MPSCAN_MALFORMED;
		pending--;
		if (++objects > object_max)
			return MPSCAN_OVER_LIMIT;
		uint64_t len = f.inline_len;
		if (f.len_size > 0) {
			if (size - pos < f.len_size)
				return MPSCAN_TRUNCATED;
			len = mpscan_be(data + pos, f.len_size);
			pos += f.len_size;
		}
		if (size - pos < f.fixed)
			return MPSCAN_TRUNCATED;
		pos += f.fixed;
		if (f.items == 0) {
			if (size - pos < len)
				return MPSCAN_TRUNCATED;
			pos += (size_t)len;
		} else {
			if (len > container_max)
				return MPSCAN_OVER_LIMIT;
			/* Every owed value takes at least one byte. */
			pending += len * f.items;
			if (pending > size - pos)
				return MPSCAN_TRUNCATED;
		}
		if (too_deep)
			continue;
		/* The depth, counted as msgpack-c counts it: the parent is
		 * still open when its last item starts. */
		if (f.items > 0 && open == MPSCAN_DEPTH_MAX) {
			too_deep = true;
			continue;
		}
		if (open > 0)
			owed[open - 1]--;
		if (f.items > 0 && len > 0)
			owed[open++] = len * f.items;
		while (open > 0 && owed[open - 1] == 0)
			open--;
	}
	*end = pos;
	if (deep != NULL)
		*deep = too_deep;
	return MPSCAN_OK;
}

enum mpscan_result
mpscan_check(const uint8_t *data, size_t size, uint64_t container_max,
	     uint64_t object_max)
{
	size_t end;
	bool deep;
	enum mpscan_result res = scan_one(data, size, container_max,
					  object_max, &end, &deep);
	if (res != MPSCAN_OK)
		return res;
	if (end != size)
		return MPSCAN_MALFORMED;
	return deep ? MPSCAN_OVER_LIMIT : MPSCAN_OK;
}

enum mpscan_result
mpscan_value_end(const uint8_t *data, size_t size, uint64_t container_max,
		 uint64_t object_max, size_t *end)
{
	return scan_one(data, size, container_max, object_max, end, NULL);
}

enum mpscan_result
mpscan_unpack(msgpack_unpacked *unpacked, const uint8_t *data, size_t size,
	      uint64_t container_max, uint64_t object_max)
{
	msgpack_unpacked_init(unpacked);
	enum mpscan_result res = mpscan_check(data, size, container_max,
					      object_max);
	if (res != MPSCAN_OK)
		return res;
	size_t off = 0;
	msgpack_unpack_return ret = msgpack_unpack_next(
		unpacked, (const char *)data, size, &off);
	switch (ret) {
	case MSGPACK_UNPACK_SUCCESS:
		/* The scan already ruled trailing bytes out; stay defensive. */
		res = off == size ? MPSCAN_OK : MPSCAN_MALFORMED;
		break;
	case MSGPACK_UNPACK_CONTINUE:
		res = MPSCAN_TRUNCATED;
		break;
	case MSGPACK_UNPACK_NOMEM_ERROR:
		res = MPSCAN_OVER_LIMIT;
		break;
	default:
		res = MPSCAN_MALFORMED;
		break;
	}
	if (res != MPSCAN_OK)
		msgpack_unpacked_destroy(unpacked);
	return res;
}
