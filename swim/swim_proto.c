/*
 * swim_proto: validating decoding of datagrams and push-pull states (the
 * layout is drawn at the top of swim_proto.h), and the message rules both
 * directions share; swim_proto_write.c encodes.
 *
 * Decoding trusts nothing. mpscan_check() first walks the input once
 * without allocating: it checks that the bytes hold exactly one complete
 * msgpack value, that every array and map count fits in the bytes that
 * remain (each element needs at least one byte) and that containers nest
 * no deeper than msgpack-c allows. The fields are then read straight from the
 * bytes, which the scan has proved whole: every key must be an integer,
 * every known field is type- and range-checked, unknown keys and unknown
 * message types are skipped so that newer peers can add them. Strings and
 * bins are not copied: a decoded message points into the input.
 *
 * A push-pull state of a 10,000-member cluster is 10,000 maps: reading
 * them from the bytes rather than through msgpack-c's object tree (and
 * writing them without a msgpack_packer, see swim_proto_write.c) took the
 * simulator's time in push-pulls from about 45 % of a warm 10,000-node run
 * to about a fifth of a much shorter one. Decoding accepts exactly what
 * msgpack-c's tree did, with the same verdicts and fields (an empty meta
 * now points just past its header rather than at it; nothing reads it).
 */
#include <string.h>

#include "mpscan.h"
#include "rumor/error.h"
#include "swim_proto.h"

#define KEY_BIT SWIM_KEY_BIT
#define KEY_COUNT (SWIM_KEY_ROUND + 1)

/* Which fields each message type carries, and which of them it must. */
static const unsigned proto_carried[swim_msg_type_MAX] = {
	[SWIM_MSG_PING] = KEY_BIT(SWIM_KEY_SEQ) | KEY_BIT(SWIM_KEY_NAME) |
			  KEY_BIT(SWIM_KEY_ROUND),
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

/* ALIVE's meta and PING's round are optional: required = carried minus
 * those. */
static unsigned
proto_required(enum swim_msg_type type)
{
	unsigned mask = proto_carried[type] & ~KEY_BIT(SWIM_KEY_ROUND);
	if (type == SWIM_MSG_ALIVE)
		mask &= ~KEY_BIT(SWIM_KEY_META);
	return mask;
}

static bool
proto_type_known(uint64_t type)
{
	return type >= SWIM_MSG_PING && type < swim_msg_type_MAX;
}

unsigned
swim__proto_carried(enum swim_msg_type type)
{
	return proto_carried[type];
}

bool
swim__proto_is_status(enum swim_msg_type type)
{
	return type >= SWIM_MSG_ALIVE && type <= SWIM_MSG_LEFT;
}

bool
swim__proto_msg_valid(const struct swim_msg *msg)
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


static bool
bytes_equal(const void *a, size_t a_len, const void *b, size_t b_len)
{
	return a_len == b_len && (a_len == 0 || memcmp(a, b, a_len) == 0);
}

bool
swim_proto_msg_equal(const struct swim_msg *a, const struct swim_msg *b)
{
	return a->type == b->type && a->seq == b->seq &&
	       bytes_equal(a->name, a->name_len, b->name, b->name_len) &&
	       a->addr.ip == b->addr.ip && a->addr.port == b->addr.port &&
	       a->incarnation == b->incarnation &&
	       bytes_equal(a->from, a->from_len, b->from, b->from_len) &&
	       bytes_equal(a->meta, a->meta_size, b->meta, b->meta_size) &&
	       a->round == b->round;
}

/* ------------------------------------------------------------------ */
/* Scanning, then reading scanned bytes. */

/* The scan's verdict as a reason to drop the input. */
static RUMOR_MUST_CHECK enum swim_drop
proto_scan(const uint8_t *data, size_t size, uint64_t container_max,
	   uint64_t object_max)
{
	static const enum swim_drop drops[mpscan_result_MAX] = {
		[MPSCAN_OK] = SWIM_DROP_NONE,
		[MPSCAN_TRUNCATED] = SWIM_DROP_TRUNCATED,
		[MPSCAN_MALFORMED] = SWIM_DROP_MALFORMED,
		[MPSCAN_OVER_LIMIT] = SWIM_DROP_OVER_LIMIT,
	};
	return drops[mpscan_check(data, size, container_max, object_max)];
}

/*
 * Datagrams and states are read straight from their bytes, after the scan
 * has proved them one whole value: a value is named by where it starts,
 * and no read below can pass the end. Types are those msgpack-c would
 * give: a signed form holding a value >= 0 is a positive integer.
 */
enum proto_kind {
	PROTO_NONE = 0, /* no value (a key absent from a map) */
	PROTO_UINT,
	PROTO_NEG,
	PROTO_STR,
	PROTO_BIN,
	PROTO_BOOL,
	PROTO_ARRAY,
	PROTO_MAP,
	PROTO_OTHER, /* nil, float, ext */
};

struct proto_val {
	enum proto_kind kind;
	/** Integers and booleans. */
	uint64_t u;
	/** Strings and bins: the bytes; arrays and maps: the first item.
	 *  len is the byte length or the item count (pairs for maps). */
	const uint8_t *ptr;
	uint64_t len;
};

/* Read the value at p; returns where it ends (for a container: where its
 * first item starts). */
static inline __attribute__((always_inline)) const uint8_t *
proto_read(const uint8_t *p, struct proto_val *v)
{
	uint8_t b = *p++;
	*v = (struct proto_val){.kind = PROTO_OTHER};
	/* What a member is made of first: small integers, short strings,
	 * small maps. */
	if (b <= 0x7f) {
		v->kind = PROTO_UINT, v->u = b;
		return p;
	}
	if (b >= 0xa0 && b <= 0xbf) {
		v->kind = PROTO_STR, v->ptr = p, v->len = b & 0x1f;
		return p + v->len;
	}
	if (b <= 0x9f) {
		v->kind = b <= 0x8f ? PROTO_MAP : PROTO_ARRAY;
		v->ptr = p, v->len = b & 0x0f;
		return p;
	}
	if (b >= 0xe0) {
		v->kind = PROTO_NEG;
		return p;
	}
	struct mpscan_form f;
	mpscan_form_of(b, &f);
	uint64_t len = f.inline_len;
	if (f.len_size > 0) {
		len = mpscan_be(p, f.len_size);
		p += f.len_size;
	}
	if (b >= 0xcc && b <= 0xcf) {
		v->kind = PROTO_UINT, v->u = mpscan_be(p, f.fixed);
	} else if (b >= 0xd0 && b <= 0xd3) {
		/* Sign-extend from the top bit of the first byte. */
		uint64_t u = mpscan_be(p, f.fixed);
		if (p[0] & 0x80)
			v->kind = PROTO_NEG;
		else
			v->kind = PROTO_UINT, v->u = u;
	} else if (b == 0xc2 || b == 0xc3) {
		v->kind = PROTO_BOOL, v->u = b == 0xc3;
	} else if ((b >= 0xa0 && b <= 0xbf) || (b >= 0xd9 && b <= 0xdb)) {
		v->kind = PROTO_STR;
	} else if (b >= 0xc4 && b <= 0xc6) {
		v->kind = PROTO_BIN;
	} else if (f.items == 1) {
		v->kind = PROTO_ARRAY;
	} else if (f.items == 2) {
		v->kind = PROTO_MAP;
	}
	p += f.fixed;
	v->ptr = p;
	v->len = len;
	if (f.items == 0)
		p += len;
	return p;
}

/* Where the items of the container v, whose head ends at p, end (p
 * itself for anything else). */
static const uint8_t *
proto_skip_items(const uint8_t *p, const struct proto_val *v)
{
	uint64_t pending = v->kind == PROTO_ARRAY ? v->len
			   : v->kind == PROTO_MAP ? 2 * v->len
						  : 0;
	while (pending > 0) {
		struct proto_val item;
		p = proto_read(p, &item);
		pending--;
		if (item.kind == PROTO_ARRAY)
			pending += item.len;
		else if (item.kind == PROTO_MAP)
			pending += 2 * item.len;
	}
	return p;
}

/*
 * Index a map's values by integer key: vals[k] for k < count is the value
 * of key k, PROTO_NONE when absent. Keys at or past count, and negative
 * keys, are unknown and skipped; a key that is not an integer or a known
 * key given twice makes the map malformed, so no value is ever ambiguous.
 * *after is where the map ends.
 */
static RUMOR_MUST_CHECK enum swim_drop
proto_map_index(const uint8_t *p, struct proto_val *vals, size_t count,
		const uint8_t **after)
{
	for (size_t i = 0; i < count; i++)
		vals[i].kind = PROTO_NONE;
	struct proto_val map;
	p = proto_read(p, &map);
	if (map.kind != PROTO_MAP)
		return SWIM_DROP_MALFORMED;
	for (uint64_t i = 0; i < map.len; i++) {
		struct proto_val key, unknown;
		p = proto_read(p, &key);
		/* Read a known key's value in place: a struct copied out of
		 * a just-written one stalls on store forwarding. */
		struct proto_val *val = &unknown;
		if (key.kind == PROTO_UINT && key.u < count) {
			val = &vals[key.u];
			if (val->kind != PROTO_NONE)
				return SWIM_DROP_MALFORMED;
		} else if (key.kind != PROTO_UINT && key.kind != PROTO_NEG) {
			return SWIM_DROP_MALFORMED;
		}
		p = proto_read(p, val);
		p = proto_skip_items(p, val);
	}
	*after = p;
	return SWIM_DROP_NONE;
}

static bool
proto_get_uint(const struct proto_val *v, uint64_t max, uint64_t *out)
{
	if (v->kind != PROTO_UINT || v->u > max)
		return false;
	*out = v->u;
	return true;
}

static bool
proto_get_bytes(const struct proto_val *v, enum proto_kind kind,
		const uint8_t **ptr, size_t *len)
{
	if (v->kind != kind)
		return false;
	*ptr = v->ptr;
	*len = (size_t)v->len;
	return true;
}

static bool
proto_get_str(const struct proto_val *v, const char **ptr, size_t *len)
{
	const uint8_t *bytes;
	if (!proto_get_bytes(v, PROTO_STR, &bytes, len))
		return false;
	*ptr = (const char *)bytes;
	return true;
}

/* Copy the fields present in vals into msg, checking types and ranges. */
static bool
proto_msg_fields(const struct proto_val *vals, struct swim_msg *msg)
{
	uint64_t v;
	const struct proto_val *o;
	if ((o = &vals[SWIM_KEY_SEQ])->kind != PROTO_NONE &&
	    !proto_get_uint(o, UINT64_MAX, &msg->seq))
		return false;
	if ((o = &vals[SWIM_KEY_NAME])->kind != PROTO_NONE &&
	    !proto_get_str(o, &msg->name, &msg->name_len))
		return false;
	if ((o = &vals[SWIM_KEY_IP])->kind != PROTO_NONE) {
		if (!proto_get_uint(o, UINT32_MAX, &v))
			return false;
		msg->addr.ip = (uint32_t)v;
	}
	if ((o = &vals[SWIM_KEY_PORT])->kind != PROTO_NONE) {
		if (!proto_get_uint(o, UINT16_MAX, &v))
			return false;
		msg->addr.port = (uint16_t)v;
	}
	if ((o = &vals[SWIM_KEY_INCARNATION])->kind != PROTO_NONE &&
	    !proto_get_uint(o, UINT64_MAX, &msg->incarnation))
		return false;
	if ((o = &vals[SWIM_KEY_FROM])->kind != PROTO_NONE &&
	    !proto_get_str(o, &msg->from, &msg->from_len))
		return false;
	if ((o = &vals[SWIM_KEY_META])->kind != PROTO_NONE &&
	    !proto_get_bytes(o, PROTO_BIN, &msg->meta, &msg->meta_size))
		return false;
	if ((o = &vals[SWIM_KEY_ROUND])->kind != PROTO_NONE &&
	    !proto_get_uint(o, UINT64_MAX, &msg->round))
		return false;
	return true;
}

/*
 * Decode the message map at p, ending at *after. *known is false for a
 * type this version does not know: such a message is skipped, not an
 * error, so only its map shape and type field are checked.
 */
static RUMOR_MUST_CHECK enum swim_drop
proto_msg_decode(const uint8_t *p, struct swim_msg *msg, bool *known,
		 const uint8_t **after)
{
	struct proto_val vals[KEY_COUNT];
	enum swim_drop drop = proto_map_index(p, vals, KEY_COUNT, after);
	*known = false;
	if (drop != SWIM_DROP_NONE)
		return drop;
	uint64_t type;
	if (!proto_get_uint(&vals[SWIM_KEY_TYPE], UINT64_MAX, &type))
		return SWIM_DROP_MALFORMED;
	if (!proto_type_known(type))
		return SWIM_DROP_NONE;
	*known = true;
	unsigned carried = proto_carried[type];
	unsigned present = 0;
	/* Keys this type does not carry are unknown to it: skip them. */
	for (unsigned k = SWIM_KEY_SEQ; k < KEY_COUNT; k++) {
		if (!(carried & KEY_BIT(k)))
			vals[k].kind = PROTO_NONE;
		else if (vals[k].kind != PROTO_NONE)
			present |= KEY_BIT(k);
	}
	unsigned required = proto_required((enum swim_msg_type)type);
	if ((present & required) != required)
		return SWIM_DROP_MALFORMED;
	memset(msg, 0, sizeof(*msg));
	msg->type = (enum swim_msg_type)type;
	if (!proto_msg_fields(vals, msg) || !swim__proto_msg_valid(msg))
		return SWIM_DROP_MALFORMED;
	return SWIM_DROP_NONE;
}

/*
 * Read the header shared by datagrams and states: version first (a peer
 * speaking another version may lay the rest out differently), then the
 * sender. vals must have been indexed with at least 2 slots.
 */
static RUMOR_MUST_CHECK enum swim_drop
proto_header(const struct proto_val *vals, uint32_t *version,
	     const char **sender, size_t *sender_len)
{
	uint64_t v;
	if (!proto_get_uint(&vals[0], UINT64_MAX, &v))
		return SWIM_DROP_MALFORMED;
	if (v != SWIM_PROTO_VERSION)
		return SWIM_DROP_VERSION;
	*version = (uint32_t)v;
	if (!proto_get_str(&vals[1], sender, sender_len) ||
	    !swim_name_valid(*sender, *sender_len))
		return SWIM_DROP_MALFORMED;
	return SWIM_DROP_NONE;
}

/* An array: its count and where its first item starts. */
static bool
proto_get_array(const struct proto_val *v, uint64_t *count,
		const uint8_t **first)
{
	if (v->kind != PROTO_ARRAY)
		return false;
	*first = v->ptr;
	*count = v->len;
	return true;
}

/* ------------------------------------------------------------------ */
/* Datagrams. */

static RUMOR_MUST_CHECK enum swim_drop
proto_packet_body(struct swim_packet *pkt, const uint8_t *data)
{
	struct proto_val vals[3];
	const uint8_t *p;
	enum swim_drop drop = proto_map_index(data, vals, 3, &p);
	if (drop != SWIM_DROP_NONE)
		return drop;
	drop = proto_header(vals, &pkt->version, &pkt->sender,
			    &pkt->sender_len);
	if (drop != SWIM_DROP_NONE)
		return drop;
	uint64_t count;
	if (!proto_get_array(&vals[2], &count, &p))
		return SWIM_DROP_MALFORMED;
	for (uint64_t i = 0; i < count; i++) {
		struct swim_msg msg;
		bool known;
		drop = proto_msg_decode(p, &msg, &known, &p);
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
	if (size > SWIM_DATAGRAM_MAX)
		return SWIM_DROP_OVER_LIMIT;
	enum swim_drop drop = proto_scan(data, size, SWIM_DATAGRAM_MAX,
					 SWIM_DATAGRAM_MAX);
	if (drop == SWIM_DROP_NONE)
		drop = proto_packet_body(pkt, data);
	if (drop != SWIM_DROP_NONE)
		pkt->msg_count = 0;
	return drop;
}

void
swim_packet_destroy(struct swim_packet *pkt)
{
	pkt->msg_count = 0;
}

/* ------------------------------------------------------------------ */
/* Push-pull states. */

static RUMOR_MUST_CHECK enum swim_drop
proto_state_body(struct swim_state_def *st, const uint8_t *data)
{
	struct proto_val vals[4];
	const uint8_t *p;
	enum swim_drop drop = proto_map_index(data, vals, 4, &p);
	if (drop != SWIM_DROP_NONE)
		return drop;
	drop = proto_header(vals, &st->version, &st->sender, &st->sender_len);
	if (drop != SWIM_DROP_NONE)
		return drop;
	uint64_t count;
	if (vals[2].kind != PROTO_BOOL ||
	    !proto_get_array(&vals[3], &count, &p))
		return SWIM_DROP_MALFORMED;
	st->join = vals[2].u != 0;
	if (count > SWIM_MEMBERS_MAX)
		return SWIM_DROP_OVER_LIMIT;
	if (count == 0)
		return SWIM_DROP_NONE;
	st->members = swim_mem_alloc(st->allocator,
				     count * sizeof(*st->members));
	if (st->members == NULL)
		return SWIM_DROP_OVER_LIMIT;
	for (uint64_t i = 0; i < count; i++) {
		struct swim_msg *msg = &st->members[st->member_count];
		bool known;
		drop = proto_msg_decode(p, msg, &known, &p);
		if (drop != SWIM_DROP_NONE)
			return drop;
		if (!known)
			continue;
		if (!swim__proto_is_status(msg->type))
			return SWIM_DROP_MALFORMED;
		st->member_count++;
	}
	return SWIM_DROP_NONE;
}

/*
 * A legitimate member is one map of at most 8 pairs (17 values); allow
 * twice that for fields added later.
 */
#define STATE_OBJECTS_MAX (32u * SWIM_MEMBERS_MAX + 64)

enum swim_drop
swim_state_decode(struct swim_state_def *st, const uint8_t *data,
		  size_t size, const struct swim_allocator *allocator)
{
	*st = (struct swim_state_def){.allocator = allocator};
	if (size > SWIM_STATE_MAX)
		return SWIM_DROP_OVER_LIMIT;
	enum swim_drop drop = proto_scan(data, size, SWIM_MEMBERS_MAX,
					 STATE_OBJECTS_MAX);
	if (drop == SWIM_DROP_NONE)
		drop = proto_state_body(st, data);
	if (drop != SWIM_DROP_NONE)
		swim_state_destroy(st);
	return drop;
}

void
swim_state_destroy(struct swim_state_def *st)
{
	swim_mem_free(st->allocator, st->members);
	st->members = NULL;
	st->member_count = 0;
}
