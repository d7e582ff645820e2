/*
 * swim_proto: msgpack encoding and validating decoding of datagrams and
 * push-pull states (the layout is drawn at the top of swim_proto.h).
 *
 * Decoding trusts nothing. Before msgpack-c sees a byte, proto_scan() walks
 * the input once without allocating: it checks that the bytes hold exactly
 * one complete msgpack value and that every array and map count fits in the
 * bytes that remain (each element needs at least one byte). Only then does
 * msgpack_unpack_next() build the object tree, so a hostile count can never
 * make msgpack-c allocate more than a small multiple of the input size.
 * The tree is then read field by field: every key must be an integer,
 * every known field is type- and range-checked, unknown keys and unknown
 * message types are skipped so that newer peers can add them.
 *
 * msgpack_unpack_next() does not copy strings and bins: their pointers
 * point into the caller's input buffer, and the object tree lives in the
 * unpacked zone. So a decoded message is valid while both the packet (or
 * state) and the input bytes are alive.
 *
 * Encoding writes through a msgpack_packer whose write callback refuses to
 * pass the caller's capacity, so a message that does not fit is simply
 * rolled back and the core can fill a datagram greedily. The message array
 * header is always array16, its count patched when the datagram is done.
 * Encoding validates each message the way decoding does, so whatever we
 * send, we would accept.
 */
#include <stdlib.h>
#include <string.h>

#include "rumor/error.h"
#include "swim_proto.h"

/* Field bits, indexed by enum swim_key. */
#define KEY_BIT(key) (1u << (key))
#define KEY_COUNT (SWIM_KEY_META + 1)

/* Which fields each message type carries, and which of them it must. */
static const unsigned proto_carried[swim_msg_type_MAX] = {
	[SWIM_MSG_PING] = KEY_BIT(SWIM_KEY_SEQ) | KEY_BIT(SWIM_KEY_NAME),
	[SWIM_MSG_PING_REQ] = KEY_BIT(SWIM_KEY_SEQ) | KEY_BIT(SWIM_KEY_NAME) |
			      KEY_BIT(SWIM_KEY_IP) | KEY_BIT(SWIM_KEY_PORT),
	[SWIM_MSG_ACK] = KEY_BIT(SWIM_KEY_SEQ),
	[SWIM_MSG_NACK] = KEY_BIT(SWIM_KEY_SEQ),
	[SWIM_MSG_ALIVE] = KEY_BIT(SWIM_KEY_NAME) | KEY_BIT(SWIM_KEY_IP) |
			   KEY_BIT(SWIM_KEY_PORT) |
			   KEY_BIT(SWIM_KEY_INCARNATION) |
			   KEY_BIT(SWIM_KEY_META),
	[SWIM_MSG_SUSPECT] = KEY_BIT(SWIM_KEY_NAME) |
			     KEY_BIT(SWIM_KEY_INCARNATION) |
			     KEY_BIT(SWIM_KEY_FROM),
	[SWIM_MSG_FAILED] = KEY_BIT(SWIM_KEY_NAME) |
			    KEY_BIT(SWIM_KEY_INCARNATION) |
			    KEY_BIT(SWIM_KEY_FROM),
	[SWIM_MSG_LEFT] = KEY_BIT(SWIM_KEY_NAME) |
			  KEY_BIT(SWIM_KEY_INCARNATION),
	[SWIM_MSG_USER] = KEY_BIT(SWIM_KEY_META),
};

/* Only ALIVE's meta is optional, so required = carried minus that. */
static unsigned
proto_required(enum swim_msg_type type)
{
	unsigned mask = proto_carried[type];
	if (type == SWIM_MSG_ALIVE)
		mask &= ~KEY_BIT(SWIM_KEY_META);
	return mask;
}

static bool
proto_type_known(uint64_t type)
{
	return type >= SWIM_MSG_PING && type < swim_msg_type_MAX;
}

static bool
proto_type_is_status(enum swim_msg_type type)
{
	return type >= SWIM_MSG_ALIVE && type <= SWIM_MSG_LEFT;
}

/*
 * The one validity rule for a message, used by both directions: a message
 * we would refuse to decode is refused at encoding too.
 */
static bool
proto_msg_valid(const struct swim_msg *msg)
{
	if (!proto_type_known(msg->type))
		return false;
	unsigned carried = proto_carried[msg->type];
	if ((carried & KEY_BIT(SWIM_KEY_NAME)) &&
	    !swim_name_valid(msg->name, msg->name_len))
		return false;
	if ((carried & KEY_BIT(SWIM_KEY_FROM)) &&
	    !swim_name_valid(msg->from, msg->from_len))
		return false;
	if (carried & KEY_BIT(SWIM_KEY_META)) {
		size_t max = msg->type == SWIM_MSG_USER ? SWIM_USER_MAX
							: SWIM_META_MAX;
		if (msg->meta_size > max ||
		    (msg->meta_size > 0 && msg->meta == NULL))
			return false;
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* Pre-scan: bound every count by the bytes before msgpack-c allocates. */

/* Big-endian unsigned of n (1, 2, 4 or 8) bytes. */
static uint64_t
proto_be(const uint8_t *p, size_t n)
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
struct proto_form {
	unsigned len_size;
	unsigned fixed;
	unsigned items;
	uint64_t inline_len;
};

static bool
proto_form_of(uint8_t b, struct proto_form *f)
{
	memset(f, 0, sizeof(*f));
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

/*
 * One pass over the value at the start of data[0, size), ending at *end:
 * complete, no container longer than container_max, at most object_max
 * values in all. Because msgpack is written prefix first, one counter of values
 * still owed is enough; no recursion and no stack.
 */
static enum swim_drop
proto_scan_one(const uint8_t *data, size_t size, uint64_t container_max,
	       uint64_t object_max, size_t *end)
{
	size_t pos = 0;
	uint64_t pending = 1, objects = 0;
	while (pending > 0) {
		struct proto_form f;
		if (pos == size)
			return SWIM_DROP_TRUNCATED;
		if (!proto_form_of(data[pos++], &f))
			return SWIM_DROP_MALFORMED;
		pending--;
		if (++objects > object_max)
			return SWIM_DROP_OVER_LIMIT;
		uint64_t len = f.inline_len;
		if (f.len_size > 0) {
			if (size - pos < f.len_size)
				return SWIM_DROP_TRUNCATED;
			len = proto_be(data + pos, f.len_size);
			pos += f.len_size;
		}
		if (size - pos < f.fixed)
			return SWIM_DROP_TRUNCATED;
		pos += f.fixed;
		if (f.items == 0) {
			if (size - pos < len)
				return SWIM_DROP_TRUNCATED;
			pos += (size_t)len;
			continue;
		}
		if (len > container_max)
			return SWIM_DROP_OVER_LIMIT;
		/* Every owed value takes at least one byte. */
		pending += len * f.items;
		if (pending > size - pos)
			return SWIM_DROP_TRUNCATED;
	}
	*end = pos;
	return SWIM_DROP_NONE;
}

static enum swim_drop
proto_scan(const uint8_t *data, size_t size, uint64_t container_max,
	   uint64_t object_max)
{
	size_t end;
	enum swim_drop drop = proto_scan_one(data, size, container_max,
					     object_max, &end);
	if (drop != SWIM_DROP_NONE)
		return drop;
	return end == size ? SWIM_DROP_NONE : SWIM_DROP_MALFORMED;
}

enum swim_drop
swim_proto_value_end(const uint8_t *data, size_t size,
		     uint64_t container_max, uint64_t object_max, size_t *end)
{
	return proto_scan_one(data, size, container_max, object_max, end);
}

enum swim_drop
swim_proto_unpack(msgpack_unpacked *unpacked, const uint8_t *data,
		  size_t size, uint64_t container_max, uint64_t object_max)
{
	msgpack_unpacked_init(unpacked);
	enum swim_drop drop = proto_scan(data, size, container_max,
					 object_max);
	if (drop != SWIM_DROP_NONE)
		return drop;
	size_t off = 0;
	msgpack_unpack_return ret = msgpack_unpack_next(
		unpacked, (const char *)data, size, &off);
	switch (ret) {
	case MSGPACK_UNPACK_SUCCESS:
		/* The scan already ruled trailing bytes out; stay defensive. */
		drop = off == size ? SWIM_DROP_NONE : SWIM_DROP_MALFORMED;
		break;
	case MSGPACK_UNPACK_CONTINUE:
		drop = SWIM_DROP_TRUNCATED;
		break;
	case MSGPACK_UNPACK_NOMEM_ERROR:
		/* Also what msgpack-c says for nesting deeper than 32. */
		drop = SWIM_DROP_OVER_LIMIT;
		break;
	default:
		drop = SWIM_DROP_MALFORMED;
		break;
	}
	if (drop != SWIM_DROP_NONE)
		msgpack_unpacked_destroy(unpacked);
	return drop;
}

/* ------------------------------------------------------------------ */
/* Reading the object tree. */

/*
 * Index a map's values by integer key: vals[k] for k < count. Keys at or
 * past count, and negative keys, are unknown and skipped; a key that is not
 * an integer or a known key given twice makes the map malformed, so no
 * value is ever ambiguous.
 */
static enum swim_drop
proto_map_index(const msgpack_object *obj, const msgpack_object **vals,
		size_t count)
{
	for (size_t i = 0; i < count; i++)
		vals[i] = NULL;
	if (obj->type != MSGPACK_OBJECT_MAP)
		return SWIM_DROP_MALFORMED;
	const msgpack_object_map *map = &obj->via.map;
	for (uint32_t i = 0; i < map->size; i++) {
		const msgpack_object *key = &map->ptr[i].key;
		if (key->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
			continue;
		if (key->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
			return SWIM_DROP_MALFORMED;
		if (key->via.u64 >= count)
			continue;
		if (vals[key->via.u64] != NULL)
			return SWIM_DROP_MALFORMED;
		vals[key->via.u64] = &map->ptr[i].val;
	}
	return SWIM_DROP_NONE;
}

static bool
proto_get_uint(const msgpack_object *obj, uint64_t max, uint64_t *out)
{
	if (obj->type != MSGPACK_OBJECT_POSITIVE_INTEGER || obj->via.u64 > max)
		return false;
	*out = obj->via.u64;
	return true;
}

static bool
proto_get_str(const msgpack_object *obj, const char **ptr, size_t *len)
{
	if (obj->type != MSGPACK_OBJECT_STR)
		return false;
	*ptr = obj->via.str.ptr;
	*len = obj->via.str.size;
	return true;
}

/* Copy the fields left in vals into msg, checking types and ranges. */
static bool
proto_msg_fields(const msgpack_object **vals, struct swim_msg *msg)
{
	uint64_t v;
	const msgpack_object *o;
	if ((o = vals[SWIM_KEY_SEQ]) != NULL &&
	    !proto_get_uint(o, UINT64_MAX, &msg->seq))
		return false;
	if ((o = vals[SWIM_KEY_NAME]) != NULL &&
	    !proto_get_str(o, &msg->name, &msg->name_len))
		return false;
	if ((o = vals[SWIM_KEY_IP]) != NULL) {
		if (!proto_get_uint(o, UINT32_MAX, &v))
			return false;
		msg->addr.ip = (uint32_t)v;
	}
	if ((o = vals[SWIM_KEY_PORT]) != NULL) {
		if (!proto_get_uint(o, UINT16_MAX, &v))
			return false;
		msg->addr.port = (uint16_t)v;
	}
	if ((o = vals[SWIM_KEY_INCARNATION]) != NULL &&
	    !proto_get_uint(o, UINT64_MAX, &msg->incarnation))
		return false;
	if ((o = vals[SWIM_KEY_FROM]) != NULL &&
	    !proto_get_str(o, &msg->from, &msg->from_len))
		return false;
	if ((o = vals[SWIM_KEY_META]) != NULL) {
		if (o->type != MSGPACK_OBJECT_BIN)
			return false;
		msg->meta = (const uint8_t *)o->via.bin.ptr;
		msg->meta_size = o->via.bin.size;
	}
	return true;
}

/*
 * Decode one message map. *known is false for a type this version does not
 * know: such a message is skipped, not an error, so only its map shape and
 * type field are checked.
 */
static enum swim_drop
proto_msg_decode(const msgpack_object *obj, struct swim_msg *msg, bool *known)
{
	const msgpack_object *vals[KEY_COUNT];
	enum swim_drop drop = proto_map_index(obj, vals, KEY_COUNT);
	*known = false;
	if (drop != SWIM_DROP_NONE)
		return drop;
	uint64_t type;
	if (vals[SWIM_KEY_TYPE] == NULL ||
	    !proto_get_uint(vals[SWIM_KEY_TYPE], UINT64_MAX, &type))
		return SWIM_DROP_MALFORMED;
	if (!proto_type_known(type))
		return SWIM_DROP_NONE;
	*known = true;
	unsigned carried = proto_carried[type];
	unsigned present = 0;
	/* Keys this type does not carry are unknown to it: skip them. */
	for (unsigned k = SWIM_KEY_SEQ; k < KEY_COUNT; k++) {
		if (!(carried & KEY_BIT(k)))
			vals[k] = NULL;
		else if (vals[k] != NULL)
			present |= KEY_BIT(k);
	}
	unsigned required = proto_required((enum swim_msg_type)type);
	if ((present & required) != required)
		return SWIM_DROP_MALFORMED;
	memset(msg, 0, sizeof(*msg));
	msg->type = (enum swim_msg_type)type;
	if (!proto_msg_fields(vals, msg) || !proto_msg_valid(msg))
		return SWIM_DROP_MALFORMED;
	return SWIM_DROP_NONE;
}

/*
 * Read the header shared by datagrams and states: version first (a peer
 * speaking another version may lay the rest out differently), then the
 * sender. vals must have been indexed with at least 2 slots.
 */
static enum swim_drop
proto_header(const msgpack_object **vals, uint32_t *version,
	     const char **sender, size_t *sender_len)
{
	uint64_t v;
	if (vals[0] == NULL || !proto_get_uint(vals[0], UINT64_MAX, &v))
		return SWIM_DROP_MALFORMED;
	if (v != SWIM_PROTO_VERSION)
		return SWIM_DROP_VERSION;
	*version = (uint32_t)v;
	if (vals[1] == NULL || !proto_get_str(vals[1], sender, sender_len) ||
	    !swim_name_valid(*sender, *sender_len))
		return SWIM_DROP_MALFORMED;
	return SWIM_DROP_NONE;
}

/* ------------------------------------------------------------------ */
/* Datagrams. */

static enum swim_drop
proto_packet_body(struct swim_packet *pkt)
{
	const msgpack_object *vals[3];
	enum swim_drop drop = proto_map_index(&pkt->unpacked.data, vals, 3);
	if (drop != SWIM_DROP_NONE)
		return drop;
	drop = proto_header(vals, &pkt->version, &pkt->sender,
			    &pkt->sender_len);
	if (drop != SWIM_DROP_NONE)
		return drop;
	if (vals[2] == NULL || vals[2]->type != MSGPACK_OBJECT_ARRAY)
		return SWIM_DROP_MALFORMED;
	const msgpack_object_array *arr = &vals[2]->via.array;
	for (uint32_t i = 0; i < arr->size; i++) {
		struct swim_msg msg;
		bool known;
		drop = proto_msg_decode(&arr->ptr[i], &msg, &known);
		if (drop != SWIM_DROP_NONE)
			return drop;
		if (!known)
			continue;
		if (pkt->msg_count == SWIM_PACKET_MSGS_MAX)
			return SWIM_DROP_OVER_LIMIT;
		pkt->msgs[pkt->msg_count++] = msg;
	}
	return SWIM_DROP_NONE;
}

enum swim_drop
swim_packet_decode(struct swim_packet *pkt, const uint8_t *data, size_t size)
{
	/* Not the messages: 10 KiB of memset per datagram buys nothing. */
	pkt->version = 0;
	pkt->sender = NULL;
	pkt->sender_len = 0;
	pkt->msg_count = 0;
	msgpack_unpacked_init(&pkt->unpacked);
	if (size > SWIM_DATAGRAM_MAX)
		return SWIM_DROP_OVER_LIMIT;
	enum swim_drop drop = swim_proto_unpack(&pkt->unpacked, data, size,
					   SWIM_DATAGRAM_MAX,
					   SWIM_DATAGRAM_MAX);
	if (drop != SWIM_DROP_NONE)
		return drop;
	drop = proto_packet_body(pkt);
	if (drop != SWIM_DROP_NONE) {
		msgpack_unpacked_destroy(&pkt->unpacked);
		pkt->msg_count = 0;
	}
	return drop;
}

void
swim_packet_destroy(struct swim_packet *pkt)
{
	msgpack_unpacked_destroy(&pkt->unpacked);
	pkt->msg_count = 0;
}

/* ------------------------------------------------------------------ */
/* Encoding. */

static int
proto_pack_name(msgpack_packer *pk, unsigned key, const char *s, size_t len)
{
	if (msgpack_pack_uint8(pk, (uint8_t)key) != 0 ||
	    msgpack_pack_str(pk, len) != 0)
		return -1;
	return len > 0 ? msgpack_pack_str_body(pk, s, len) : 0;
}

static int
proto_pack_uint(msgpack_packer *pk, unsigned key, uint64_t v)
{
	if (msgpack_pack_uint8(pk, (uint8_t)key) != 0)
		return -1;
	return msgpack_pack_uint64(pk, v);
}

int
swim_msg_pack(msgpack_packer *pk, const struct swim_msg *msg)
{
	if (!proto_msg_valid(msg))
		return RUMOR_EINVAL;
	unsigned fields = proto_carried[msg->type];
	/* ALIVE leaves out an empty meta; USER always carries it. */
	if (msg->type == SWIM_MSG_ALIVE && msg->meta_size == 0)
		fields &= ~KEY_BIT(SWIM_KEY_META);
	size_t n = 1;
	for (unsigned k = SWIM_KEY_SEQ; k < KEY_COUNT; k++)
		n += (fields & KEY_BIT(k)) != 0;
	int rc = msgpack_pack_map(pk, n) ||
		 proto_pack_uint(pk, SWIM_KEY_TYPE, msg->type);
	if (!rc && (fields & KEY_BIT(SWIM_KEY_SEQ)))
		rc = proto_pack_uint(pk, SWIM_KEY_SEQ, msg->seq);
	if (!rc && (fields & KEY_BIT(SWIM_KEY_NAME)))
		rc = proto_pack_name(pk, SWIM_KEY_NAME, msg->name,
				     msg->name_len);
	if (!rc && (fields & KEY_BIT(SWIM_KEY_IP)))
		rc = proto_pack_uint(pk, SWIM_KEY_IP, msg->addr.ip);
	if (!rc && (fields & KEY_BIT(SWIM_KEY_PORT)))
		rc = proto_pack_uint(pk, SWIM_KEY_PORT, msg->addr.port);
	if (!rc && (fields & KEY_BIT(SWIM_KEY_INCARNATION)))
		rc = proto_pack_uint(pk, SWIM_KEY_INCARNATION,
				     msg->incarnation);
	if (!rc && (fields & KEY_BIT(SWIM_KEY_FROM)))
		rc = proto_pack_name(pk, SWIM_KEY_FROM, msg->from,
				     msg->from_len);
	if (!rc && (fields & KEY_BIT(SWIM_KEY_META))) {
		rc = msgpack_pack_uint8(pk, SWIM_KEY_META) ||
		     msgpack_pack_bin(pk, msg->meta_size);
		if (!rc && msg->meta_size > 0)
			rc = msgpack_pack_bin_body(pk, msg->meta,
						   msg->meta_size);
	}
	return rc ? RUMOR_ENOSPACE : 0;
}

/* Packer sink for the encoder: refuse, never pass the capacity. */
static int
proto_write(void *data, const char *buf, size_t len)
{
	struct swim_encoder *enc = data;
	if (enc->overflow || len > enc->cap - enc->size) {
		enc->overflow = true;
		return -1;
	}
	if (len > 0)
		memcpy(enc->buf + enc->size, buf, len);
	enc->size += len;
	return 0;
}

int
swim_encoder_begin(struct swim_encoder *enc, uint8_t *buf, size_t cap,
		   const char *sender, size_t sender_len)
{
	if (!swim_name_valid(sender, sender_len))
		return RUMOR_EINVAL;
	enc->buf = buf;
	enc->cap = cap;
	enc->size = 0;
	enc->msg_count = 0;
	enc->overflow = false;
	msgpack_packer_init(&enc->pk, enc, proto_write);
	/* array16 forced by hand: msgpack-c would pick the smallest form. */
	static const char array16[3] = {(char)0xdc, 0, 0};
	int rc = msgpack_pack_map(&enc->pk, 3) ||
		 proto_pack_uint(&enc->pk, 0, SWIM_PROTO_VERSION) ||
		 proto_pack_name(&enc->pk, 1, sender, sender_len) ||
		 msgpack_pack_uint8(&enc->pk, 2) ||
		 proto_write(enc, array16, sizeof(array16));
	if (rc)
		return RUMOR_ENOSPACE;
	enc->count_pos = enc->size - 2;
	return 0;
}

int
swim_encoder_add(struct swim_encoder *enc, const struct swim_msg *msg)
{
	if (enc->msg_count >= SWIM_PACKET_MSGS_MAX ||
	    enc->msg_count >= UINT16_MAX)
		return RUMOR_ENOSPACE;
	size_t saved = enc->size;
	int rc = swim_msg_pack(&enc->pk, msg);
	if (rc != 0) {
		/* Bytes past `saved` are garbage now; forget them. */
		enc->size = saved;
		enc->overflow = false;
		return rc;
	}
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

static int
proto_state_members(msgpack_packer *pk, msgpack_sbuffer *sbuf, size_t start,
		    const struct swim_msg *members, size_t count)
{
	if (msgpack_pack_array(pk, count) != 0)
		return RUMOR_ENOMEM;
	for (size_t i = 0; i < count; i++) {
		if (!proto_type_is_status(members[i].type))
			return RUMOR_EINVAL;
		int rc = swim_msg_pack(pk, &members[i]);
		if (rc != 0)
			return rc == RUMOR_ENOSPACE ? RUMOR_ENOMEM : rc;
		/* Stop early rather than build 20 MiB we will throw away. */
		if (sbuf->size - start > SWIM_STATE_MAX)
			return RUMOR_ETOOBIG;
	}
	return 0;
}

int
swim_state_pack(msgpack_sbuffer *sbuf, const char *sender, size_t sender_len,
		bool join, const struct swim_msg *members, size_t count)
{
	if (!swim_name_valid(sender, sender_len))
		return RUMOR_EINVAL;
	if (count > SWIM_MEMBERS_MAX)
		return RUMOR_ETOOBIG;
	size_t start = sbuf->size;
	msgpack_packer pk;
	msgpack_packer_init(&pk, sbuf, msgpack_sbuffer_write);
	int rc = 0;
	if (msgpack_pack_map(&pk, 4) ||
	    proto_pack_uint(&pk, 0, SWIM_PROTO_VERSION) ||
	    proto_pack_name(&pk, 1, sender, sender_len) ||
	    msgpack_pack_uint8(&pk, 2) ||
	    (join ? msgpack_pack_true(&pk) : msgpack_pack_false(&pk)) ||
	    msgpack_pack_uint8(&pk, 3))
		rc = RUMOR_ENOMEM;
	if (rc == 0)
		rc = proto_state_members(&pk, sbuf, start, members, count);
	if (rc == 0 && sbuf->size - start > SWIM_STATE_MAX)
		rc = RUMOR_ETOOBIG;
	if (rc != 0)
		sbuf->size = start; /* what was there before is untouched */
	return rc;
}

static enum swim_drop
proto_state_body(struct swim_state_def *st)
{
	const msgpack_object *vals[4];
	enum swim_drop drop = proto_map_index(&st->unpacked.data, vals, 4);
	if (drop != SWIM_DROP_NONE)
		return drop;
	drop = proto_header(vals, &st->version, &st->sender, &st->sender_len);
	if (drop != SWIM_DROP_NONE)
		return drop;
	if (vals[2] == NULL || vals[2]->type != MSGPACK_OBJECT_BOOLEAN ||
	    vals[3] == NULL || vals[3]->type != MSGPACK_OBJECT_ARRAY)
		return SWIM_DROP_MALFORMED;
	st->join = vals[2]->via.boolean;
	const msgpack_object_array *arr = &vals[3]->via.array;
	if (arr->size > SWIM_MEMBERS_MAX)
		return SWIM_DROP_OVER_LIMIT;
	if (arr->size == 0)
		return SWIM_DROP_NONE;
	st->members = malloc(arr->size * sizeof(*st->members));
	if (st->members == NULL)
		return SWIM_DROP_OVER_LIMIT;
	for (uint32_t i = 0; i < arr->size; i++) {
		struct swim_msg *msg = &st->members[st->member_count];
		bool known;
		drop = proto_msg_decode(&arr->ptr[i], msg, &known);
		if (drop != SWIM_DROP_NONE)
			return drop;
		if (!known)
			continue;
		if (!proto_type_is_status(msg->type))
			return SWIM_DROP_MALFORMED;
		st->member_count++;
	}
	return SWIM_DROP_NONE;
}

/*
 * A legitimate member is one map of at most 8 pairs (17 values); allow
 * twice that for fields added later. This bounds msgpack-c's zone to a few
 * tens of MiB however the 20 MiB are shaped.
 */
#define STATE_OBJECTS_MAX (32u * SWIM_MEMBERS_MAX + 64)

enum swim_drop
swim_state_decode(struct swim_state_def *st, const uint8_t *data,
		  size_t size)
{
	memset(st, 0, sizeof(*st));
	msgpack_unpacked_init(&st->unpacked);
	if (size > SWIM_STATE_MAX)
		return SWIM_DROP_OVER_LIMIT;
	enum swim_drop drop = swim_proto_unpack(&st->unpacked, data, size,
					   SWIM_MEMBERS_MAX,
					   STATE_OBJECTS_MAX);
	if (drop != SWIM_DROP_NONE)
		return drop;
	drop = proto_state_body(st);
	if (drop != SWIM_DROP_NONE)
		swim_state_destroy(st);
	return drop;
}

void
swim_state_destroy(struct swim_state_def *st)
{
	free(st->members);
	st->members = NULL;
	st->member_count = 0;
	msgpack_unpacked_destroy(&st->unpacked);
}
