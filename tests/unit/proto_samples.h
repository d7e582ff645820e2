/*
 * What both halves of the wire codec tests share (test_proto_encode.c,
 * test_proto_decode.c): a valid sample of every message type, a datagram
 * encoder for a list of messages, and msgpack-c packers for hand-built
 * input and for the bytes msgpack-c itself would write.
 */
#ifndef RUMOR_TESTS_PROTO_SAMPLES_H
#define RUMOR_TESTS_PROTO_SAMPLES_H

#include <msgpack.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "swim/swim_proto.h"

#define ALL_KEYS 0xffu
#define SENDER "node-1"

static const uint8_t sample_meta[] = {'r', 'e', 'g', 0, 1, 2, 0xff};

static inline bool
bytes_eq(const void *a, size_t alen, const void *b, size_t blen)
{
	return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

/* One valid message of `type`, only the fields it carries set. */
static inline struct swim_msg
sample_msg(enum swim_msg_type type, uint64_t n)
{
	struct swim_msg m;
	memset(&m, 0, sizeof(m));
	m.type = type;
	switch (type) {
	case SWIM_MSG_PING_REQ:
		m.addr.ip = 0x0a000001u + (uint32_t)n;
		m.addr.port = 7946;
		/* fallthrough */
	case SWIM_MSG_PING:
		m.name = "target-node", m.name_len = 11;
		/* fallthrough */
	case SWIM_MSG_ACK:
	case SWIM_MSG_NACK:
		m.seq = 1000000007u * (n + 1);
		break;
	case SWIM_MSG_ALIVE:
		m.addr.ip = UINT32_MAX - (uint32_t)n;
		m.addr.port = UINT16_MAX;
		m.meta = sample_meta, m.meta_size = sizeof(sample_meta);
		/* fallthrough */
	case SWIM_MSG_LEFT:
		m.name = "member-a", m.name_len = 8;
		m.incarnation = UINT64_MAX - n;
		break;
	case SWIM_MSG_SUSPECT:
	case SWIM_MSG_FAILED:
		m.name = "member-b", m.name_len = 8;
		m.incarnation = n;
		m.from = "accuser", m.from_len = 7;
		break;
	case SWIM_MSG_USER:
		m.meta = sample_meta, m.meta_size = sizeof(sample_meta);
		break;
	default:
		break;
	}
	return m;
}

static inline size_t
encode_msgs(uint8_t *buf, size_t cap, const struct swim_msg *msgs, size_t n)
{
	struct swim_encoder enc;
	if (swim_encoder_begin(&enc, buf, cap, SENDER, strlen(SENDER)) != 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (swim_encoder_add(&enc, &msgs[i]) != 0)
			return 0;
	return swim_encoder_finish(&enc);
}

static inline void
pack_str(msgpack_packer *pk, const char *s, size_t len)
{
	msgpack_pack_str(pk, len);
	if (len > 0)
		msgpack_pack_str_body(pk, s, len);
}

static inline void
pack_field(msgpack_packer *pk, const struct swim_msg *m, unsigned k)
{
	msgpack_pack_uint8(pk, (uint8_t)k);
	switch (k) {
	case SWIM_KEY_TYPE: msgpack_pack_uint64(pk, m->type); break;
	case SWIM_KEY_SEQ: msgpack_pack_uint64(pk, m->seq); break;
	case SWIM_KEY_NAME: pack_str(pk, m->name, m->name_len); break;
	case SWIM_KEY_IP: msgpack_pack_uint64(pk, m->addr.ip); break;
	case SWIM_KEY_PORT: msgpack_pack_uint64(pk, m->addr.port); break;
	case SWIM_KEY_INCARNATION:
		msgpack_pack_uint64(pk, m->incarnation);
		break;
	case SWIM_KEY_FROM: pack_str(pk, m->from, m->from_len); break;
	case SWIM_KEY_META:
		msgpack_pack_bin(pk, m->meta_size);
		if (m->meta_size > 0)
			msgpack_pack_bin_body(pk, m->meta, m->meta_size);
		break;
	}
}

/* Hand-pack the keys of `mask` (bit k = key k) from m. */
static inline void
pack_fields(msgpack_packer *pk, const struct swim_msg *m, unsigned mask)
{
	msgpack_pack_map(pk, (size_t)__builtin_popcount(mask));
	for (unsigned k = 0; k <= SWIM_KEY_META; k++)
		if (mask & (1u << k))
			pack_field(pk, m, k);
}

static inline void
pack_header(msgpack_packer *pk, uint64_t version, const char *sender,
	    size_t n)
{
	msgpack_pack_map(pk, 3);
	msgpack_pack_uint8(pk, 0);
	msgpack_pack_uint64(pk, version);
	msgpack_pack_uint8(pk, 1);
	pack_str(pk, sender, strlen(sender));
	msgpack_pack_uint8(pk, 2);
	msgpack_pack_array(pk, n);
}

/* A state header from SENDER, then the array head of n members. */
static inline void
pack_state_header(msgpack_packer *pk, bool join, size_t n)
{
	msgpack_pack_map(pk, 4);
	msgpack_pack_uint8(pk, 0);
	msgpack_pack_uint64(pk, SWIM_PROTO_VERSION);
	msgpack_pack_uint8(pk, 1);
	pack_str(pk, SENDER, 6);
	msgpack_pack_uint8(pk, 2);
	if (join)
		msgpack_pack_true(pk);
	else
		msgpack_pack_false(pk);
	msgpack_pack_uint8(pk, 3);
	msgpack_pack_array(pk, n);
}

/* Whether m carries key k: the table in swim_proto.h, restated. */
static inline bool
carries(const struct swim_msg *m, unsigned k)
{
	enum { SEQ = 1u << SWIM_KEY_SEQ, NAME = 1u << SWIM_KEY_NAME,
	       ADDR = 3u << SWIM_KEY_IP, INC = 1u << SWIM_KEY_INCARNATION,
	       FROM = 1u << SWIM_KEY_FROM, META = 1u << SWIM_KEY_META };
	static const unsigned keys[swim_msg_type_MAX] = {
		[SWIM_MSG_PING] = SEQ | NAME,
		[SWIM_MSG_PING_REQ] = SEQ | NAME | ADDR,
		[SWIM_MSG_ACK] = SEQ,
		[SWIM_MSG_NACK] = SEQ,
		[SWIM_MSG_ALIVE] = NAME | ADDR | INC | META,
		[SWIM_MSG_SUSPECT] = NAME | INC | FROM,
		[SWIM_MSG_FAILED] = NAME | INC | FROM,
		[SWIM_MSG_LEFT] = NAME | INC,
		[SWIM_MSG_USER] = META,
	};
	if (m->type == SWIM_MSG_ALIVE && k == SWIM_KEY_META)
		return m->meta_size > 0;
	return (keys[m->type] & (1u << k)) != 0;
}

#endif /* RUMOR_TESTS_PROTO_SAMPLES_H */
