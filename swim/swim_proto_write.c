/*
 * swim_proto_write: encoding datagrams and push-pull states (the layout is
 * drawn at the top of swim_proto.h; decoding is swim_proto.c).
 *
 * A small bounded writer puts msgpack-c's forms, byte for byte what
 * msgpack_pack_* would write (a unit test compares them), straight into the
 * caller's buffer: no packer and no callback per value, which mattered for
 * states of 10,000 members. Encoding a datagram never passes the caller's
 * capacity: a message that does not fit is simply rolled back and the core
 * can fill a datagram greedily. The message array header is always
 * array16, its count patched when the datagram is done. Encoding validates
 * each message the way decoding does (swim__proto_msg_valid), so whatever
 * we send, we would accept.
 */
#include <string.h>

#include "rumor/error.h"
#include "swim_proto.h"

/*
 * A bounded writer: each put checks the room left and, when short, sets
 * `overflow` and writes nothing; the caller looks once at the end. Forms
 * are msgpack-c's (the smallest that holds the value), so what we write
 * is byte for byte what msgpack_pack_* would.
 */
struct proto_out {
	uint8_t *buf;
	size_t cap;
	size_t size;
	bool overflow;
};

static uint8_t *
out_room(struct proto_out *o, size_t n)
{
	if (o->overflow || o->cap - o->size < n) {
		o->overflow = true;
		return NULL;
	}
	uint8_t *p = o->buf + o->size;
	o->size += n;
	return p;
}

static void
out_be(uint8_t *p, uint64_t v, size_t n)
{
	for (size_t i = n; i > 0; i--, v >>= 8)
		p[i - 1] = (uint8_t)v;
}

/* A type byte, then v in n big-endian bytes. */
static void
out_head(struct proto_out *o, uint8_t type, uint64_t v, size_t n)
{
	uint8_t *p = out_room(o, 1 + n);
	if (p != NULL) {
		p[0] = type;
		out_be(p + 1, v, n);
	}
}

static void
out_uint(struct proto_out *o, uint64_t v)
{
	if (v < 0x80)
		out_head(o, (uint8_t)v, 0, 0);
	else if (v <= UINT8_MAX)
		out_head(o, 0xcc, v, 1);
	else if (v <= UINT16_MAX)
		out_head(o, 0xcd, v, 2);
	else if (v <= UINT32_MAX)
		out_head(o, 0xce, v, 4);
	else
		out_head(o, 0xcf, v, 8);
}

/* A map or array header (fix form base 0x80 or 0x90, then 16/32-bit). */
static void
out_count(struct proto_out *o, uint8_t fix, uint8_t c16, size_t n)
{
	if (n < 16)
		out_head(o, (uint8_t)(fix | n), 0, 0);
	else if (n <= UINT16_MAX)
		out_head(o, c16, n, 2);
	else
		out_head(o, (uint8_t)(c16 + 1), n, 4);
}

static void
out_bytes(struct proto_out *o, const void *data, size_t len)
{
	uint8_t *p = out_room(o, len);
	if (p != NULL && len > 0)
		memcpy(p, data, len);
}

/* A length-prefixed value, then its bytes: below fix_len the fix form
 * (fix | len; strings only), else the 8, 16 or 32-bit length form at
 * type8, type8 + 1, type8 + 2 (str8 0xd9, bin8 0xc4). */
static void
out_sized(struct proto_out *o, uint8_t fix, size_t fix_len, uint8_t type8,
	  const void *data, size_t len)
{
	if (len < fix_len)
		out_head(o, (uint8_t)(fix | len), 0, 0);
	else if (len <= UINT8_MAX)
		out_head(o, type8, len, 1);
	else if (len <= UINT16_MAX)
		out_head(o, (uint8_t)(type8 + 1), len, 2);
	else
		out_head(o, (uint8_t)(type8 + 2), len, 4);
	out_bytes(o, data, len);
}

static void
out_str(struct proto_out *o, const char *s, size_t len)
{
	out_sized(o, 0xa0, 32, 0xd9, s, len);
}

static void
out_bin(struct proto_out *o, const uint8_t *data, size_t len)
{
	out_sized(o, 0, 0, 0xc4, data, len);
}

static void
out_key_uint(struct proto_out *o, unsigned key, uint64_t v)
{
	out_uint(o, key);
	out_uint(o, v);
}

static void
out_key_str(struct proto_out *o, unsigned key, const char *s, size_t len)
{
	out_uint(o, key);
	out_str(o, s, len);
}

/* One message map; false (and nothing meaningful written) for a message
 * the decoder would refuse. */
static RUMOR_MUST_CHECK bool
proto_msg_write(struct proto_out *o, const struct swim_msg *msg)
{
	if (!swim__proto_msg_valid(msg))
		return false;
	unsigned fields = swim__proto_carried(msg->type);
	/* ALIVE leaves out an empty meta; USER always carries it. */
	if (msg->type == SWIM_MSG_ALIVE && msg->meta_size == 0)
		fields &= ~SWIM_KEY_BIT(SWIM_KEY_META);
	if (msg->round == 0)
		fields &= ~SWIM_KEY_BIT(SWIM_KEY_ROUND);
	out_count(o, 0x80, 0xde, 1 + (size_t)__builtin_popcount(fields));
	out_key_uint(o, SWIM_KEY_TYPE, msg->type);
	if (fields & SWIM_KEY_BIT(SWIM_KEY_SEQ))
		out_key_uint(o, SWIM_KEY_SEQ, msg->seq);
	if (fields & SWIM_KEY_BIT(SWIM_KEY_NAME))
		out_key_str(o, SWIM_KEY_NAME, msg->name, msg->name_len);
	if (fields & SWIM_KEY_BIT(SWIM_KEY_IP))
		out_key_uint(o, SWIM_KEY_IP, msg->addr.ip);
	if (fields & SWIM_KEY_BIT(SWIM_KEY_PORT))
		out_key_uint(o, SWIM_KEY_PORT, msg->addr.port);
	if (fields & SWIM_KEY_BIT(SWIM_KEY_INCARNATION))
		out_key_uint(o, SWIM_KEY_INCARNATION, msg->incarnation);
	if (fields & SWIM_KEY_BIT(SWIM_KEY_FROM))
		out_key_str(o, SWIM_KEY_FROM, msg->from, msg->from_len);
	if (fields & SWIM_KEY_BIT(SWIM_KEY_META)) {
		out_uint(o, SWIM_KEY_META);
		out_bin(o, msg->meta, msg->meta_size);
	}
	if (fields & SWIM_KEY_BIT(SWIM_KEY_ROUND))
		out_key_uint(o, SWIM_KEY_ROUND, msg->round);
	return true;
}

/* The header both kinds share: map(n), version, sender, then key 2. */
static void
proto_header_write(struct proto_out *o, size_t n, const char *sender,
		   size_t sender_len)
{
	out_count(o, 0x80, 0xde, n);
	out_key_uint(o, 0, SWIM_PROTO_VERSION);
	out_key_str(o, 1, sender, sender_len);
	out_uint(o, 2);
}

/* ------------------------------------------------------------------ */
/* Datagram encoder. */

static struct proto_out
enc_out(const struct swim_encoder *enc)
{
	return (struct proto_out){.buf = enc->buf, .cap = enc->cap,
				  .size = enc->size};
}

int
swim_encoder_begin(struct swim_encoder *enc, uint8_t *buf, size_t cap,
		   const char *sender, size_t sender_len)
{
	if (!swim_name_valid(sender, sender_len))
		return RUMOR_EINVAL;
	*enc = (struct swim_encoder){.buf = buf, .cap = cap};
	struct proto_out o = enc_out(enc);
	proto_header_write(&o, 3, sender, sender_len);
	/* Always array16, whatever the count: it is patched at the end. */
	out_head(&o, 0xdc, 0, 2);
	if (o.overflow) {
		enc->cap = 0; /* nothing fits after a header that did not */
		return RUMOR_ENOSPACE;
	}
	enc->size = o.size;
	enc->count_pos = o.size - 2;
	return 0;
}

int
swim_encoder_add(struct swim_encoder *enc, const struct swim_msg *msg)
{
	if (enc->msg_count >= SWIM_PACKET_MSGS_MAX ||
	    enc->msg_count >= UINT16_MAX)
		return RUMOR_ENOSPACE;
	struct proto_out o = enc_out(enc);
	if (!proto_msg_write(&o, msg))
		return RUMOR_EINVAL;
	/* A message that does not fit leaves nothing behind: the size
	 * stays where it was. */
	if (o.overflow)
		return RUMOR_ENOSPACE;
	enc->size = o.size;
	enc->msg_count++;
	return 0;
}

size_t
swim_encoder_finish(struct swim_encoder *enc)
{
	enc->buf[enc->count_pos] = (uint8_t)(enc->msg_count >> 8);
	enc->buf[enc->count_pos + 1] = (uint8_t)enc->msg_count;
	return enc->size;
}

/* ------------------------------------------------------------------ */
/* Push-pull states. */

/* Room one member can take at most: the map header, 8 keys, two names,
 * five integers and a meta. */
#define STATE_MEMBER_BYTES_MAX                                              \
	(1 + 8 + 2 * (2 + SWIM_NAME_MAX) + 5 * 9 + 3 + SWIM_META_MAX)

/* Make room for `need` more bytes, doubling; false when out of memory. */
static RUMOR_MUST_CHECK bool
out_reserve(struct proto_out *o, size_t need,
	    const struct swim_allocator *allocator)
{
	if (o->cap - o->size >= need)
		return true;
	size_t cap = o->cap ? o->cap : 256;
	while (cap - o->size < need)
		cap *= 2;
	uint8_t *grown = swim_mem_realloc(allocator, o->buf, cap);
	if (grown == NULL)
		return false;
	o->buf = grown;
	o->cap = cap;
	return true;
}

int
swim_state_pack(const char *sender, size_t sender_len, bool join,
		size_t count, uint8_t **out, size_t *size,
		const struct swim_allocator *allocator,
		swim_state_member_cb member_cb, void *ctx)
{
	if (!swim_name_valid(sender, sender_len))
		return RUMOR_EINVAL;
	if (count > SWIM_MEMBERS_MAX)
		return RUMOR_ETOOBIG;
	/* A typical member takes 20-30 bytes: start there. */
	struct proto_out o = {0};
	int rc = 0;
	if (!out_reserve(&o, 16 + SWIM_NAME_MAX + 24 * count, allocator))
		return RUMOR_ENOMEM;
	proto_header_write(&o, 4, sender, sender_len);
	out_head(&o, join ? 0xc3 : 0xc2, 0, 0);
	out_uint(&o, 3);
	out_count(&o, 0x90, 0xdc, count);
	for (size_t i = 0; i < count && rc == 0; i++) {
		struct swim_msg msg;
		member_cb(ctx, i, &msg);
		if (!swim__proto_is_status(msg.type))
			rc = RUMOR_EINVAL;
		else if (!out_reserve(&o, STATE_MEMBER_BYTES_MAX, allocator))
			rc = RUMOR_ENOMEM;
		else if (!proto_msg_write(&o, &msg))
			rc = RUMOR_EINVAL;
		/* Stop early rather than build 20 MiB we will throw away. */
		else if (o.size > SWIM_STATE_MAX)
			rc = RUMOR_ETOOBIG;
	}
	/* The reserves above are bounds, so this is never expected. */
	if (rc == 0 && o.overflow)
		rc = RUMOR_ENOMEM;
	if (rc != 0) {
		swim_mem_free(allocator, o.buf);
		return rc;
	}
	*out = o.buf;
	*size = o.size;
	return 0;
}
