/*
 * Fuzz swim_packet_decode(). Whatever decodes is re-encoded and decoded
 * again: the messages must survive unchanged, and encoding the second
 * decode must give the same bytes as the first (the encoding is
 * canonical). Any mismatch aborts, so libFuzzer reports it.
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

/* Re-encode a decoded packet; a valid decode must always re-encode. */
static size_t
reencode(const struct swim_packet *pkt, uint8_t *buf, size_t cap)
{
	struct swim_encoder enc;
	if (swim_encoder_begin(&enc, buf, cap, pkt->sender,
			       pkt->sender_len) != 0)
		abort();
	for (size_t i = 0; i < pkt->msg_count; i++)
		if (swim_encoder_add(&enc, &pkt->msgs[i]) != 0)
			abort();
	return swim_encoder_finish(&enc);
}

static int
packet_eq(const struct swim_packet *a, const struct swim_packet *b)
{
	if (a->version != b->version || a->msg_count != b->msg_count ||
	    !bytes_eq(a->sender, a->sender_len, b->sender, b->sender_len))
		return 0;
	for (size_t i = 0; i < a->msg_count; i++)
		if (!swim_proto_msg_equal(&a->msgs[i], &b->msgs[i]))
			return 0;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct swim_packet first, second;
	uint8_t buf1[2 * SWIM_DATAGRAM_MAX], buf2[2 * SWIM_DATAGRAM_MAX];
	if (swim_packet_decode(&first, data, size) != SWIM_DROP_NONE)
		return 0;
	/* Compact re-encoding can still outgrow a loose input by the few
	 * bytes of the forced array16, hence the larger buffers. */
	size_t size1 = reencode(&first, buf1, sizeof(buf1));
	if (size1 > SWIM_DATAGRAM_MAX) {
		swim_packet_destroy(&first);
		return 0;
	}
	if (swim_packet_decode(&second, buf1, size1) != SWIM_DROP_NONE)
		abort();
	if (!packet_eq(&first, &second))
		abort();
	size_t size2 = reencode(&second, buf2, sizeof(buf2));
	if (!bytes_eq(buf1, size1, buf2, size2))
		abort();
	swim_packet_destroy(&second);
	swim_packet_destroy(&first);
	return 0;
}
