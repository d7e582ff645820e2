/*
 * Fuzz swim_state_decode(). Whatever decodes is packed again with
 * swim_state_pack() and decoded again: header and members must survive
 * unchanged, and the second packing must give the same bytes as the first.
 * Any mismatch aborts, so libFuzzer reports it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "swim/swim_proto.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
bytes_eq(const void *a, size_t alen, const void *b, size_t blen)
{
	return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

static int
state_eq(const struct swim_state_def *a, const struct swim_state_def *b)
{
	if (a->version != b->version || a->join != b->join ||
	    a->member_count != b->member_count ||
	    !bytes_eq(a->sender, a->sender_len, b->sender, b->sender_len))
		return 0;
	for (size_t i = 0; i < a->member_count; i++)
		if (!swim_proto_msg_equal(&a->members[i], &b->members[i]))
			return 0;
	return 1;
}

static void
member_of(void *ctx, size_t i, struct swim_msg *msg)
{
	*msg = ((const struct swim_state_def *)ctx)->members[i];
}

struct blob {
	uint8_t *data;
	size_t size;
};

static void
repack(const struct swim_state_def *st, struct blob *b)
{
	if (swim_state_pack(st->sender, st->sender_len, st->join,
			    st->member_count, &b->data, &b->size, NULL,
			    member_of, (void *)st) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct swim_state_def first, second;
	if (swim_state_decode(&first, data, size, NULL) != SWIM_DROP_NONE)
		return 0;
	struct blob b1, b2;
	repack(&first, &b1);
	if (swim_state_decode(&second, b1.data, b1.size, NULL) !=
	    SWIM_DROP_NONE)
		abort();
	if (!state_eq(&first, &second))
		abort();
	repack(&second, &b2);
	if (!bytes_eq(b1.data, b1.size, b2.data, b2.size))
		abort();
	free(b2.data);
	swim_state_destroy(&second);
	free(b1.data);
	swim_state_destroy(&first);
	return 0;
}
