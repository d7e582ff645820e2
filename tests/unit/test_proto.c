/*
 * Wire codec tests: every message type through encoder and decoder, the
 * encoder's greedy filling against its capacity, push-pull states, and the
 * decoder's refusals of hand-built hostile msgpack.
 */
#include <msgpack.h>
#include <stdlib.h>
#include <string.h>

#include "rumor/error.h"
#include "swim/swim_proto.h"
#include "test.h"

#define ALL_KEYS 0xffu
#define SENDER "node-1"

static const uint8_t sample_meta[] = {'r', 'e', 'g', 0, 1, 2, 0xff};

static bool
bytes_eq(const void *a, size_t alen, const void *b, size_t blen)
{
	return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

static bool
msg_eq(const struct swim_msg *a, const struct swim_msg *b)
{
	return a->type == b->type && a->seq == b->seq &&
	       bytes_eq(a->name, a->name_len, b->name, b->name_len) &&
	       a->addr.ip == b->addr.ip && a->addr.port == b->addr.port &&
	       a->incarnation == b->incarnation &&
	       bytes_eq(a->from, a->from_len, b->from, b->from_len) &&
	       bytes_eq(a->meta, a->meta_size, b->meta, b->meta_size);
}

/* One valid message of `type`, only the fields it carries set. */
static struct swim_msg
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

static size_t
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

/* swim_state_member_cb over an array of messages. */
static void
member_of_array(void *ctx, size_t i, struct swim_msg *msg)
{
	*msg = ((const struct swim_msg *)ctx)[i];
}

static int
state_pack(bool join, const struct swim_msg *members, size_t n,
	   uint8_t **out, size_t *size)
{
	return swim_state_pack(SENDER, 6, join, n, out, size,
			       member_of_array, (void *)members);
}

/* Decode and release; for tests that only care about the verdict. */
static enum swim_drop
decode_verdict(const void *data, size_t size)
{
	struct swim_packet pkt;
	enum swim_drop drop = swim_packet_decode(&pkt, data, size);
	if (drop == SWIM_DROP_NONE)
		swim_packet_destroy(&pkt);
	return drop;
}

static void
pack_str(msgpack_packer *pk, const char *s, size_t len)
{
	msgpack_pack_str(pk, len);
	if (len > 0)
		msgpack_pack_str_body(pk, s, len);
}

static void
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
static void
pack_fields(msgpack_packer *pk, const struct swim_msg *m, unsigned mask)
{
	msgpack_pack_map(pk, (size_t)__builtin_popcount(mask));
	for (unsigned k = 0; k <= SWIM_KEY_META; k++)
		if (mask & (1u << k))
			pack_field(pk, m, k);
}

static void
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
static void
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

/* A datagram of one message with exactly the keys of `mask`. */
static enum swim_drop
decode_one_with_keys(const struct swim_msg *m, unsigned mask)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	pack_header(&pk, SWIM_PROTO_VERSION, SENDER, 1);
	pack_fields(&pk, m, mask);
	enum swim_drop drop = decode_verdict(sb.data, sb.size);
	msgpack_sbuffer_destroy(&sb);
	return drop;
}

static void
test_every_message_type_round_trips_with_all_fields(void)
{
	for (int t = SWIM_MSG_PING; t < swim_msg_type_MAX; t++) {
		struct swim_msg m = sample_msg((enum swim_msg_type)t, 3);
		uint8_t buf[SWIM_DATAGRAM_MAX];
		size_t size = encode_msgs(buf, sizeof(buf), &m, 1);
		ASSERT_NE(size, 0);
		struct swim_packet pkt;
		ASSERT_EQ(swim_packet_decode(&pkt, buf, size), SWIM_DROP_NONE);
		ASSERT_EQ(pkt.version, SWIM_PROTO_VERSION);
		ASSERT(bytes_eq(pkt.sender, pkt.sender_len, SENDER, 6));
		ASSERT_EQ(pkt.msg_count, 1);
		bool same = msg_eq(&pkt.msgs[0], &m);
		swim_packet_destroy(&pkt);
		ASSERT(same);
	}
}

static void
test_alive_without_meta_round_trips_without_meta(void)
{
	struct swim_msg m = sample_msg(SWIM_MSG_ALIVE, 0);
	m.meta = NULL, m.meta_size = 0;
	uint8_t buf[256];
	size_t size = encode_msgs(buf, sizeof(buf), &m, 1);
	struct swim_packet pkt;
	ASSERT_EQ(swim_packet_decode(&pkt, buf, size), SWIM_DROP_NONE);
	ASSERT_EQ(pkt.msgs[0].meta_size, 0);
	ASSERT_NULL(pkt.msgs[0].meta);
	swim_packet_destroy(&pkt);
}

static void
test_compound_datagram_keeps_every_message_in_order(void)
{
	struct swim_msg msgs[SWIM_PACKET_MSGS_MAX];
	size_t n = 0;
	uint8_t buf[SWIM_DATAGRAM_MAX];
	struct swim_encoder enc;
	ASSERT_OK(swim_encoder_begin(&enc, buf, sizeof(buf), SENDER, 6));
	for (uint64_t i = 0; n < SWIM_PACKET_MSGS_MAX; i++) {
		msgs[n] = sample_msg((enum swim_msg_type)(1 + i % 9), i);
		if (swim_encoder_add(&enc, &msgs[n]) != 0)
			break;
		n++;
	}
	ASSERT_GE(n, 20);
	size_t size = swim_encoder_finish(&enc);
	struct swim_packet pkt;
	ASSERT_EQ(swim_packet_decode(&pkt, buf, size), SWIM_DROP_NONE);
	ASSERT_EQ(pkt.msg_count, n);
	size_t same = 0;
	for (size_t i = 0; i < n; i++)
		same += msg_eq(&pkt.msgs[i], &msgs[i]);
	swim_packet_destroy(&pkt);
	ASSERT_EQ(same, n);
}

static void
test_encoder_refuses_what_does_not_fit_and_keeps_earlier_bytes(void)
{
	uint8_t buf[200];
	struct swim_encoder enc;
	ASSERT_OK(swim_encoder_begin(&enc, buf, sizeof(buf), SENDER, 6));
	struct swim_msg alive = sample_msg(SWIM_MSG_ALIVE, 1);
	size_t added = 0;
	while (swim_encoder_add(&enc, &alive) == 0)
		added++;
	ASSERT_GE(added, 2);
	size_t before = enc.size;
	ASSERT_EQ(swim_encoder_add(&enc, &alive), RUMOR_ENOSPACE);
	ASSERT_EQ(enc.size, before);
	ASSERT_EQ(enc.msg_count, added);
	/* A smaller message still fits in what is left. */
	struct swim_msg ack = sample_msg(SWIM_MSG_ACK, 0);
	ack.seq = 1;
	ASSERT_OK(swim_encoder_add(&enc, &ack));
	size_t size = swim_encoder_finish(&enc);
	ASSERT_LE(size, sizeof(buf));
	struct swim_packet pkt;
	ASSERT_EQ(swim_packet_decode(&pkt, buf, size), SWIM_DROP_NONE);
	ASSERT_EQ(pkt.msg_count, added + 1);
	bool same = msg_eq(&pkt.msgs[0], &alive) &&
		    msg_eq(&pkt.msgs[added], &ack);
	swim_packet_destroy(&pkt);
	ASSERT(same);
}

static void
test_encoded_size_never_exceeds_capacity(void)
{
	static uint8_t buf[SWIM_DATAGRAM_MAX + 64];
	for (size_t cap = 16; cap <= SWIM_DATAGRAM_MAX; cap++) {
		memset(buf, 0xee, sizeof(buf));
		struct swim_encoder enc;
		ASSERT_OK(swim_encoder_begin(&enc, buf, cap, SENDER, 6));
		size_t misses = 0;
		for (uint64_t i = 0; misses < 9; i++) {
			struct swim_msg m = sample_msg(
				(enum swim_msg_type)(1 + i % 9), i);
			misses = swim_encoder_add(&enc, &m) ? misses + 1 : 0;
		}
		size_t size = swim_encoder_finish(&enc);
		ASSERT_LE(size, cap);
		ASSERT_EQ(buf[cap], 0xee);
		struct swim_packet pkt;
		ASSERT_EQ(swim_packet_decode(&pkt, buf, size), SWIM_DROP_NONE);
		size_t count = pkt.msg_count;
		swim_packet_destroy(&pkt);
		ASSERT_EQ(count, enc.msg_count);
	}
}

static void
test_encoder_refuses_a_header_that_does_not_fit(void)
{
	uint8_t buf[8];
	struct swim_encoder enc;
	ASSERT_EQ(swim_encoder_begin(&enc, buf, sizeof(buf), SENDER, 6),
		  RUMOR_ENOSPACE);
	ASSERT_EQ(swim_encoder_begin(&enc, buf, sizeof(buf), "a b", 3),
		  RUMOR_EINVAL);
}

static void
test_encoder_stops_at_packet_msgs_max(void)
{
	uint8_t buf[4096];
	struct swim_encoder enc;
	ASSERT_OK(swim_encoder_begin(&enc, buf, sizeof(buf), SENDER, 6));
	struct swim_msg ack = sample_msg(SWIM_MSG_ACK, 0);
	for (int i = 0; i < SWIM_PACKET_MSGS_MAX; i++)
		ASSERT_OK(swim_encoder_add(&enc, &ack));
	ASSERT_EQ(swim_encoder_add(&enc, &ack), RUMOR_ENOSPACE);
	ASSERT_EQ(enc.msg_count, SWIM_PACKET_MSGS_MAX);
}

static void
test_encoder_refuses_invalid_messages_unchanged(void)
{
	uint8_t buf[512];
	struct swim_encoder enc;
	ASSERT_OK(swim_encoder_begin(&enc, buf, sizeof(buf), SENDER, 6));
	size_t before = enc.size;
	struct swim_msg m = sample_msg(SWIM_MSG_PING, 0);
	m.name_len = 0;
	ASSERT_EQ(swim_encoder_add(&enc, &m), RUMOR_EINVAL);
	m = sample_msg(SWIM_MSG_ALIVE, 0);
	m.meta_size = SWIM_META_MAX + 1;
	ASSERT_EQ(swim_encoder_add(&enc, &m), RUMOR_EINVAL);
	m.type = (enum swim_msg_type)42;
	ASSERT_EQ(swim_encoder_add(&enc, &m), RUMOR_EINVAL);
	ASSERT_EQ(enc.size, before);
	ASSERT_EQ(enc.msg_count, 0);
}

static struct swim_msg *
make_members(size_t n, char (*names)[16])
{
	struct swim_msg *members = calloc(n, sizeof(*members));
	for (size_t i = 0; members != NULL && i < n; i++) {
		enum swim_msg_type t = (enum swim_msg_type)(SWIM_MSG_ALIVE +
							    i % 4);
		members[i] = sample_msg(t, i);
		int len = snprintf(names[i], 16, "m-%zu", i);
		members[i].name = names[i];
		members[i].name_len = (size_t)len;
	}
	return members;
}

static void
test_state_round_trips_with_1000_members(void)
{
	enum { N = 1000 };
	static char names[N][16];
	struct swim_msg *members = make_members(N, names);
	ASSERT_NOT_NULL(members);
	uint8_t *blob = NULL;
	size_t size = 0;
	int rc = state_pack(true, members, N, &blob, &size);
	struct swim_state_def st;
	enum swim_drop drop = rc == 0 ? swim_state_decode(&st, blob, size)
				      : swim_drop_MAX;
	size_t same = 0;
	bool header = false;
	if (drop == SWIM_DROP_NONE) {
		header = st.version == SWIM_PROTO_VERSION && st.join &&
			 st.member_count == N &&
			 bytes_eq(st.sender, st.sender_len, SENDER, 6);
		for (size_t i = 0; header && i < N; i++)
			same += msg_eq(&st.members[i], &members[i]);
		swim_state_destroy(&st);
	}
	free(blob);
	free(members);
	ASSERT_OK(rc);
	ASSERT_EQ(drop, SWIM_DROP_NONE);
	ASSERT(header);
	ASSERT_EQ(same, N);
}

static void
test_empty_state_round_trips(void)
{
	uint8_t *blob;
	size_t size;
	ASSERT_OK(state_pack(false, NULL, 0, &blob, &size));
	struct swim_state_def st;
	enum swim_drop drop = swim_state_decode(&st, blob, size);
	free(blob);
	ASSERT_EQ(drop, SWIM_DROP_NONE);
	ASSERT(!st.join);
	ASSERT_EQ(st.member_count, 0);
	swim_state_destroy(&st);
}

static void
test_state_pack_refuses_past_state_max_and_non_status_members(void)
{
	enum { N = SWIM_MEMBERS_MAX };
	static char names[N][16];
	static uint8_t meta[SWIM_META_MAX];
	struct swim_msg *members = make_members(N, names);
	ASSERT_NOT_NULL(members);
	for (size_t i = 0; i < N; i++) {
		members[i].type = SWIM_MSG_ALIVE;
		members[i].meta = meta, members[i].meta_size = sizeof(meta);
	}
	/* Nothing is handed out on failure: the outputs stay as they were. */
	static uint8_t sentinel[2];
	uint8_t *blob = &sentinel[0];
	size_t size = 7;
	int rc = state_pack(false, members, N, &blob, &size);
	bool untouched = blob == &sentinel[0] && size == 7;
	struct swim_msg ping = sample_msg(SWIM_MSG_PING, 0);
	blob = &sentinel[1];
	int rc_kind = state_pack(false, &ping, 1, &blob, &size);
	untouched = untouched && blob == &sentinel[1] && size == 7;
	free(members);
	ASSERT_EQ(rc, RUMOR_ETOOBIG);
	ASSERT_EQ(rc_kind, RUMOR_EINVAL);
	ASSERT(untouched);
}

static void
test_every_truncated_prefix_is_dropped(void)
{
	struct swim_msg msgs[9];
	for (int i = 0; i < 9; i++)
		msgs[i] = sample_msg((enum swim_msg_type)(i + 1), (uint64_t)i);
	uint8_t buf[SWIM_DATAGRAM_MAX];
	size_t size = encode_msgs(buf, sizeof(buf), msgs, 9);
	ASSERT_NE(size, 0);
	for (size_t len = 0; len < size; len++) {
		/* A heap copy of exactly len bytes lets ASan see overreads. */
		uint8_t *copy = malloc(len ? len : 1);
		ASSERT_NOT_NULL(copy);
		memcpy(copy, buf, len);
		enum swim_drop drop = decode_verdict(copy, len);
		free(copy);
		ASSERT(drop == SWIM_DROP_TRUNCATED ||
		       drop == SWIM_DROP_MALFORMED);
	}
	ASSERT_EQ(decode_verdict(buf, size), SWIM_DROP_NONE);
}

static void
test_other_versions_are_dropped_as_version(void)
{
	struct swim_msg m = sample_msg(SWIM_MSG_ACK, 0);
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	pack_header(&pk, 2, SENDER, 1);
	pack_fields(&pk, &m, 0x03);
	enum swim_drop v2 = decode_verdict(sb.data, sb.size);
	sb.size = 0;
	pack_header(&pk, 0, SENDER, 1);
	pack_fields(&pk, &m, 0x03);
	enum swim_drop v0 = decode_verdict(sb.data, sb.size);
	msgpack_sbuffer_destroy(&sb);
	ASSERT_EQ(v2, SWIM_DROP_VERSION);
	ASSERT_EQ(v0, SWIM_DROP_VERSION);
}

static void
test_non_integer_keys_are_malformed(void)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	/* In the header. */
	msgpack_pack_map(&pk, 4);
	pack_str(&pk, "v", 1);
	msgpack_pack_uint8(&pk, 1);
	msgpack_pack_uint8(&pk, 0);
	msgpack_pack_uint8(&pk, 1);
	msgpack_pack_uint8(&pk, 1);
	pack_str(&pk, SENDER, 6);
	msgpack_pack_uint8(&pk, 2);
	msgpack_pack_array(&pk, 0);
	enum swim_drop in_header = decode_verdict(sb.data, sb.size);
	/* In a message. */
	sb.size = 0;
	pack_header(&pk, 1, SENDER, 1);
	msgpack_pack_map(&pk, 3);
	msgpack_pack_uint8(&pk, 0);
	msgpack_pack_uint8(&pk, SWIM_MSG_ACK);
	msgpack_pack_uint8(&pk, 1);
	msgpack_pack_uint8(&pk, 9);
	msgpack_pack_nil(&pk);
	msgpack_pack_uint8(&pk, 9);
	enum swim_drop in_msg = decode_verdict(sb.data, sb.size);
	msgpack_sbuffer_destroy(&sb);
	ASSERT_EQ(in_header, SWIM_DROP_MALFORMED);
	ASSERT_EQ(in_msg, SWIM_DROP_MALFORMED);
}

static void
test_missing_required_field_is_malformed_for_each_type(void)
{
	for (int t = SWIM_MSG_PING; t < swim_msg_type_MAX; t++) {
		struct swim_msg m = sample_msg((enum swim_msg_type)t, 1);
		unsigned mask = 1u << SWIM_KEY_TYPE;
		/* The carried keys are exactly the sample's set fields. */
		mask |= (m.seq ? 1u : 0) << SWIM_KEY_SEQ;
		mask |= (m.name ? 1u : 0) << SWIM_KEY_NAME;
		mask |= (m.addr.port ? 3u : 0) << SWIM_KEY_IP;
		mask |= (t >= SWIM_MSG_ALIVE && t <= SWIM_MSG_LEFT)
			<< SWIM_KEY_INCARNATION;
		mask |= (m.from ? 1u : 0) << SWIM_KEY_FROM;
		mask |= (m.meta ? 1u : 0) << SWIM_KEY_META;
		ASSERT_EQ(decode_one_with_keys(&m, mask), SWIM_DROP_NONE);
		for (unsigned k = 0; k <= SWIM_KEY_META; k++) {
			bool optional = t == SWIM_MSG_ALIVE &&
					k == SWIM_KEY_META;
			if (!(mask & (1u << k)) || optional)
				continue;
			ASSERT_EQ(decode_one_with_keys(&m, mask & ~(1u << k)),
				  SWIM_DROP_MALFORMED);
		}
	}
}

static void
test_bad_names_are_malformed(void)
{
	char long_name[SWIM_NAME_MAX + 1];
	memset(long_name, 'x', sizeof(long_name));
	const char *bad[] = {"", long_name, "a b", "tab\t"};
	size_t bad_len[] = {0, sizeof(long_name), 3, 4};
	for (size_t i = 0; i < 4; i++) {
		struct swim_msg m = sample_msg(SWIM_MSG_SUSPECT, 1);
		m.name = bad[i], m.name_len = bad_len[i];
		ASSERT_EQ(decode_one_with_keys(&m, ALL_KEYS),
			  SWIM_DROP_MALFORMED);
		m = sample_msg(SWIM_MSG_SUSPECT, 1);
		m.from = bad[i], m.from_len = bad_len[i];
		ASSERT_EQ(decode_one_with_keys(&m, ALL_KEYS),
			  SWIM_DROP_MALFORMED);
	}
	/* 64 bytes is still a name. */
	struct swim_msg m = sample_msg(SWIM_MSG_LEFT, 1);
	m.name = long_name, m.name_len = SWIM_NAME_MAX;
	ASSERT_EQ(decode_one_with_keys(&m, ALL_KEYS), SWIM_DROP_NONE);
	/* The sender too. */
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	pack_header(&pk, 1, "bad sender", 0);
	enum swim_drop drop = decode_verdict(sb.data, sb.size);
	msgpack_sbuffer_destroy(&sb);
	ASSERT_EQ(drop, SWIM_DROP_MALFORMED);
}

static void
test_meta_over_limit_or_not_bin_is_malformed(void)
{
	static uint8_t big[SWIM_USER_MAX + 1];
	struct swim_msg m = sample_msg(SWIM_MSG_ALIVE, 1);
	m.meta = big, m.meta_size = SWIM_META_MAX;
	ASSERT_EQ(decode_one_with_keys(&m, ALL_KEYS), SWIM_DROP_NONE);
	m.meta_size = SWIM_META_MAX + 1;
	ASSERT_EQ(decode_one_with_keys(&m, ALL_KEYS), SWIM_DROP_MALFORMED);
	m = sample_msg(SWIM_MSG_USER, 1);
	m.meta = big, m.meta_size = SWIM_USER_MAX;
	ASSERT_EQ(decode_one_with_keys(&m, ALL_KEYS), SWIM_DROP_NONE);
	m.meta_size = SWIM_USER_MAX + 1;
	ASSERT_EQ(decode_one_with_keys(&m, ALL_KEYS), SWIM_DROP_MALFORMED);
	/* meta as a str instead of a bin. */
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	pack_header(&pk, 1, SENDER, 1);
	msgpack_pack_map(&pk, 2);
	msgpack_pack_uint8(&pk, SWIM_KEY_TYPE);
	msgpack_pack_uint8(&pk, SWIM_MSG_USER);
	msgpack_pack_uint8(&pk, SWIM_KEY_META);
	pack_str(&pk, "data", 4);
	enum swim_drop drop = decode_verdict(sb.data, sb.size);
	msgpack_sbuffer_destroy(&sb);
	ASSERT_EQ(drop, SWIM_DROP_MALFORMED);
}

/* An ALIVE whose field `key` holds what pack_val packs. */
static enum swim_drop
decode_alive_with(unsigned key, void (*pack_val)(msgpack_packer *))
{
	static const unsigned keys[] = {SWIM_KEY_TYPE, SWIM_KEY_NAME,
		SWIM_KEY_IP, SWIM_KEY_PORT, SWIM_KEY_INCARNATION};
	struct swim_msg m = sample_msg(SWIM_MSG_ALIVE, 1);
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	pack_header(&pk, 1, SENDER, 1);
	msgpack_pack_map(&pk, 5);
	for (size_t i = 0; i < 5; i++)
		if (keys[i] != key)
			pack_field(&pk, &m, keys[i]);
	msgpack_pack_uint8(&pk, (uint8_t)key);
	pack_val(&pk);
	enum swim_drop drop = decode_verdict(sb.data, sb.size);
	msgpack_sbuffer_destroy(&sb);
	return drop;
}

static void
pack_65536(msgpack_packer *pk)
{
	msgpack_pack_uint32(pk, 65536);
}

static void
pack_2_pow_32(msgpack_packer *pk)
{
	msgpack_pack_uint64(pk, UINT64_C(1) << 32);
}

static void
pack_minus_one(msgpack_packer *pk)
{
	msgpack_pack_int8(pk, -1);
}

static void
pack_float(msgpack_packer *pk)
{
	msgpack_pack_double(pk, 1.0);
}

static void
pack_65535(msgpack_packer *pk)
{
	msgpack_pack_uint32(pk, 65535);
}

static void
test_numbers_out_of_range_are_malformed(void)
{
	ASSERT_EQ(decode_alive_with(SWIM_KEY_PORT, pack_65535),
		  SWIM_DROP_NONE);
	ASSERT_EQ(decode_alive_with(SWIM_KEY_PORT, pack_65536),
		  SWIM_DROP_MALFORMED);
	ASSERT_EQ(decode_alive_with(SWIM_KEY_IP, pack_2_pow_32),
		  SWIM_DROP_MALFORMED);
	ASSERT_EQ(decode_alive_with(SWIM_KEY_INCARNATION, pack_minus_one),
		  SWIM_DROP_MALFORMED);
	ASSERT_EQ(decode_alive_with(SWIM_KEY_INCARNATION, pack_float),
		  SWIM_DROP_MALFORMED);
}

static void
test_trailing_garbage_is_malformed(void)
{
	struct swim_msg m = sample_msg(SWIM_MSG_PING, 1);
	uint8_t buf[256];
	size_t size = encode_msgs(buf, sizeof(buf) - 1, &m, 1);
	ASSERT_NE(size, 0);
	buf[size] = 0xc0;
	ASSERT_EQ(decode_verdict(buf, size + 1), SWIM_DROP_MALFORMED);
}

static void
test_oversized_inputs_are_over_limit(void)
{
	uint8_t *big = calloc(1, SWIM_STATE_MAX + 1);
	ASSERT_NOT_NULL(big);
	enum swim_drop packet = decode_verdict(big, SWIM_DATAGRAM_MAX + 1);
	struct swim_state_def st;
	enum swim_drop state = swim_state_decode(&st, big,
						 SWIM_STATE_MAX + 1);
	swim_state_destroy(&st); /* harmless after a failed decode */
	free(big);
	ASSERT_EQ(packet, SWIM_DROP_OVER_LIMIT);
	ASSERT_EQ(state, SWIM_DROP_OVER_LIMIT);
}

static void
test_counts_beyond_the_bytes_are_refused_before_unpacking(void)
{
	/* {0:1, 1:"node-1", 2:[<count>]} with no elements after it. */
	uint8_t dgram[] = {0x83, 0, 1, 1, 0xa6, 'n', 'o', 'd', 'e', '-', '1',
			   2, 0xdd, 0xff, 0xff, 0xff, 0xff};
	ASSERT_EQ(decode_verdict(dgram, sizeof(dgram)), SWIM_DROP_OVER_LIMIT);
	dgram[13] = dgram[14] = dgram[15] = 0; /* 255 messages, no bytes */
	ASSERT_EQ(decode_verdict(dgram, sizeof(dgram)), SWIM_DROP_TRUNCATED);
	uint8_t state[] = {0x84, 0, 1, 1, 0xa6, 'n', 'o', 'd', 'e', '-', '1',
			   2, 0xc3, 3, 0xdd, 0, 0, 0x03, 0xe8, 0x80, 0x80};
	struct swim_state_def st;
	ASSERT_EQ(swim_state_decode(&st, state, sizeof(state)),
		  SWIM_DROP_TRUNCATED);
	state[15] = 0x7f; /* 0x7f0003e8 members: past SWIM_MEMBERS_MAX */
	ASSERT_EQ(swim_state_decode(&st, state, sizeof(state)),
		  SWIM_DROP_OVER_LIMIT);
	/* A map count that the bytes cannot hold, and one past any limit. */
	uint8_t map[] = {0xde, 0x01, 0, 0, 0, 0, 0};
	ASSERT_EQ(decode_verdict(map, sizeof(map)), SWIM_DROP_TRUNCATED);
	map[0] = 0xdf;
	ASSERT_EQ(decode_verdict(map, sizeof(map)), SWIM_DROP_OVER_LIMIT);
	/* And a str length. */
	uint8_t str[] = {0xdb, 0xff, 0xff, 0xff, 0xff, 'a'};
	ASSERT_EQ(decode_verdict(str, sizeof(str)), SWIM_DROP_TRUNCATED);
}

static void
test_unknown_message_types_are_skipped_and_known_kept(void)
{
	struct swim_msg ack = sample_msg(SWIM_MSG_ACK, 5);
	struct swim_msg alive = sample_msg(SWIM_MSG_ALIVE, 5);
	struct swim_msg odd = sample_msg(SWIM_MSG_USER, 5);
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	pack_header(&pk, 1, SENDER, 5);
	pack_fields(&pk, &ack, 0x03);
	odd.type = (enum swim_msg_type)99;
	pack_fields(&pk, &odd, ALL_KEYS); /* type 99 with any fields */
	pack_fields(&pk, &alive, 0xbd);
	odd.type = SWIM_MSG_PING - 1;
	pack_fields(&pk, &odd, 0x81);
	/* A known message with an unknown key 200 and a negative key. */
	msgpack_pack_map(&pk, 4);
	msgpack_pack_uint8(&pk, 0);
	msgpack_pack_uint8(&pk, SWIM_MSG_ACK);
	msgpack_pack_uint8(&pk, 1);
	msgpack_pack_uint64(&pk, ack.seq);
	msgpack_pack_uint8(&pk, 200);
	pack_str(&pk, "future", 6);
	msgpack_pack_int8(&pk, -3);
	msgpack_pack_array(&pk, 0);
	struct swim_packet pkt;
	enum swim_drop drop = swim_packet_decode(&pkt, (uint8_t *)sb.data,
						 sb.size);
	bool same = false;
	if (drop == SWIM_DROP_NONE) {
		/* Compare before freeing sb: decoded bytes point into it. */
		same = pkt.msg_count == 3 && msg_eq(&pkt.msgs[0], &ack) &&
		       msg_eq(&pkt.msgs[1], &alive) &&
		       msg_eq(&pkt.msgs[2], &ack);
		swim_packet_destroy(&pkt);
	}
	msgpack_sbuffer_destroy(&sb);
	ASSERT_EQ(drop, SWIM_DROP_NONE);
	ASSERT(same);
}

static void
test_states_skip_unknown_types_and_refuse_non_status_ones(void)
{
	struct swim_msg left = sample_msg(SWIM_MSG_LEFT, 5);
	struct swim_msg ping = sample_msg(SWIM_MSG_PING, 5);
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	pack_state_header(&pk, false, 2);
	pack_fields(&pk, &left, ALL_KEYS);
	ping.type = (enum swim_msg_type)77;
	pack_fields(&pk, &ping, 0x07);
	struct swim_state_def st;
	enum swim_drop skipped = swim_state_decode(&st, (uint8_t *)sb.data,
						   sb.size);
	bool same = skipped == SWIM_DROP_NONE && st.member_count == 1 &&
		    msg_eq(&st.members[0], &left);
	swim_state_destroy(&st);
	/* Patch 77 back to PING: a known type that is not a status. */
	uint8_t *p = memchr(sb.data, 77, sb.size);
	ASSERT_NOT_NULL(p);
	*p = SWIM_MSG_PING;
	enum swim_drop refused = swim_state_decode(&st, (uint8_t *)sb.data,
						   sb.size);
	msgpack_sbuffer_destroy(&sb);
	ASSERT_EQ(skipped, SWIM_DROP_NONE);
	ASSERT(same);
	ASSERT_EQ(refused, SWIM_DROP_MALFORMED);
}

static void
test_more_known_messages_than_max_are_over_limit(void)
{
	struct swim_msg ack = sample_msg(SWIM_MSG_ACK, 0);
	ack.seq = 1;
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	pack_header(&pk, 1, SENDER, SWIM_PACKET_MSGS_MAX + 1);
	for (int i = 0; i <= SWIM_PACKET_MSGS_MAX; i++)
		pack_fields(&pk, &ack, 0x03);
	enum swim_drop over = decode_verdict(sb.data, sb.size);
	/* Exactly the maximum is fine. */
	sb.size = 0;
	pack_header(&pk, 1, SENDER, SWIM_PACKET_MSGS_MAX);
	for (int i = 0; i < SWIM_PACKET_MSGS_MAX; i++)
		pack_fields(&pk, &ack, 0x03);
	enum swim_drop at = decode_verdict(sb.data, sb.size);
	msgpack_sbuffer_destroy(&sb);
	ASSERT_EQ(over, SWIM_DROP_OVER_LIMIT);
	ASSERT_EQ(at, SWIM_DROP_NONE);
}

static void
test_deep_nesting_is_dropped_without_crashing(void)
{
	uint8_t buf[200];
	memset(buf, 0x91, sizeof(buf)); /* [[[[...]]]] */
	buf[sizeof(buf) - 1] = 0xc0;
	ASSERT_NE(decode_verdict(buf, sizeof(buf)), SWIM_DROP_NONE);
	struct swim_state_def st;
	ASSERT_NE(swim_state_decode(&st, buf, sizeof(buf)), SWIM_DROP_NONE);
}

/* Whether m carries key k: the table in swim_proto.h, restated. */
static bool
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

/* What msgpack_pack_* writes for a message: the reference for ours. */
static void
msgpack_c_msg(msgpack_packer *pk, const struct swim_msg *m)
{
	unsigned mask = 0;
	for (unsigned k = SWIM_KEY_SEQ; k <= SWIM_KEY_META; k++)
		mask |= carries(m, k) ? 1u << k : 0;
	pack_fields(pk, m, mask | 1u << SWIM_KEY_TYPE);
}

static void
test_writer_gives_msgpack_c_bytes(void)
{
	/* Every form boundary of every integer, strings of 31/32 bytes. */
	static const uint64_t ints[] = {0, 127, 128, 255, 256, 65535, 65536,
					UINT32_MAX, (uint64_t)UINT32_MAX + 1,
					UINT64_MAX};
	char name[SWIM_NAME_MAX];
	memset(name, 'x', sizeof(name));
	struct swim_msg msgs[4 * 10];
	size_t n = 0;
	for (size_t i = 0; i < 10; i++) {
		for (int t = SWIM_MSG_ALIVE; t <= SWIM_MSG_LEFT; t++) {
			struct swim_msg m = sample_msg((enum swim_msg_type)t,
						       0);
			m.incarnation = ints[i];
			m.addr.ip = (uint32_t)ints[i];
			m.addr.port = (uint16_t)ints[i];
			m.name = name, m.name_len = 1 + i * 7; /* 1..64 */
			if (t == SWIM_MSG_ALIVE && i % 2)
				m.meta = sample_meta,
				m.meta_size = sizeof(sample_meta);
			msgs[n++] = m;
		}
	}
	uint8_t *blob;
	size_t size;
	ASSERT_OK(state_pack(true, msgs, n, &blob, &size));
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	pack_state_header(&pk, true, n);
	for (size_t i = 0; i < n; i++)
		msgpack_c_msg(&pk, &msgs[i]);
	bool same = bytes_eq(blob, size, sb.data, sb.size);
	msgpack_sbuffer_destroy(&sb);
	free(blob);
	ASSERT(same);
	/* And a datagram of every type. */
	struct swim_msg all[9];
	for (int i = 0; i < 9; i++)
		all[i] = sample_msg((enum swim_msg_type)(i + 1), 300);
	uint8_t buf[SWIM_DATAGRAM_MAX];
	size = encode_msgs(buf, sizeof(buf), all, 9);
	msgpack_sbuffer_init(&sb);
	pack_header(&pk, SWIM_PROTO_VERSION, SENDER, 0);
	size_t head = sb.size - 1; /* ours is array16, whatever the count */
	bool head_same = size > head && memcmp(buf, sb.data, head) == 0 &&
			 buf[head] == 0xdc && buf[head + 2] == 9;
	msgpack_sbuffer_clear(&sb);
	for (int i = 0; i < 9; i++)
		msgpack_c_msg(&pk, &all[i]);
	bool body_same = bytes_eq(buf + head + 3, size - head - 3, sb.data,
				  sb.size);
	msgpack_sbuffer_destroy(&sb);
	ASSERT(head_same);
	ASSERT(body_same);
}

/* A state whose one member carries an unknown key (9) whose value is
 * `depth` nested one-item arrays around nil. */
static size_t
nested_state(uint8_t *buf, size_t cap, unsigned depth)
{
	struct swim_msg m = sample_msg(SWIM_MSG_LEFT, 0);
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	pack_state_header(&pk, false, 1);
	msgpack_pack_map(&pk, 4);
	for (unsigned k = SWIM_KEY_TYPE; k <= SWIM_KEY_INCARNATION; k++)
		if (k == SWIM_KEY_TYPE || carries(&m, k))
			pack_field(&pk, &m, k);
	msgpack_pack_uint8(&pk, 9);
	for (unsigned i = 0; i < depth; i++)
		msgpack_pack_array(&pk, 1);
	msgpack_pack_nil(&pk);
	size_t size = sb.size <= cap ? sb.size : 0;
	memcpy(buf, sb.data, size);
	msgpack_sbuffer_destroy(&sb);
	return size;
}

static void
test_nesting_limit_is_msgpack_c_s(void)
{
	/* The state map, the members array and the member map are 3 open
	 * containers: msgpack-c takes 29 more, not 30. */
	uint8_t buf[256];
	enum swim_drop verdict[2];
	for (unsigned d = 29; d <= 30; d++) {
		size_t size = nested_state(buf, sizeof(buf), d);
		ASSERT_NE(size, 0);
		msgpack_unpacked u;
		msgpack_unpacked_init(&u);
		size_t off = 0;
		msgpack_unpack_return ret = msgpack_unpack_next(
			&u, (const char *)buf, size, &off);
		msgpack_unpacked_destroy(&u);
		ASSERT_EQ(ret, d == 29 ? MSGPACK_UNPACK_SUCCESS
				       : MSGPACK_UNPACK_NOMEM_ERROR);
		struct swim_state_def st;
		verdict[d - 29] = swim_state_decode(&st, buf, size);
		if (verdict[d - 29] == SWIM_DROP_NONE) {
			ASSERT_EQ(st.member_count, 1);
			swim_state_destroy(&st);
		}
	}
	ASSERT_EQ(verdict[0], SWIM_DROP_NONE);
	ASSERT_EQ(verdict[1], SWIM_DROP_OVER_LIMIT);
}

static void
test_decoded_strings_point_into_the_input_bytes(void)
{
	struct swim_msg m = sample_msg(SWIM_MSG_USER, 0);
	uint8_t buf[128];
	size_t size = encode_msgs(buf, sizeof(buf), &m, 1);
	struct swim_packet pkt;
	ASSERT_EQ(swim_packet_decode(&pkt, buf, size), SWIM_DROP_NONE);
	const uint8_t *s = (const uint8_t *)pkt.sender;
	const uint8_t *meta = pkt.msgs[0].meta;
	swim_packet_destroy(&pkt);
	/* So the caller must keep the datagram bytes alive as well. */
	ASSERT(s > buf && s < buf + size);
	ASSERT(meta > buf && meta < buf + size);
}

int
main(void)
{
	RUN(test_every_message_type_round_trips_with_all_fields);
	RUN(test_alive_without_meta_round_trips_without_meta);
	RUN(test_compound_datagram_keeps_every_message_in_order);
	RUN(test_encoder_refuses_what_does_not_fit_and_keeps_earlier_bytes);
	RUN(test_encoded_size_never_exceeds_capacity);
	RUN(test_encoder_refuses_a_header_that_does_not_fit);
	RUN(test_encoder_stops_at_packet_msgs_max);
	RUN(test_encoder_refuses_invalid_messages_unchanged);
	RUN(test_state_round_trips_with_1000_members);
	RUN(test_empty_state_round_trips);
	RUN(test_state_pack_refuses_past_state_max_and_non_status_members);
	RUN(test_writer_gives_msgpack_c_bytes);
	RUN(test_nesting_limit_is_msgpack_c_s);
	RUN(test_every_truncated_prefix_is_dropped);
	RUN(test_other_versions_are_dropped_as_version);
	RUN(test_non_integer_keys_are_malformed);
	RUN(test_missing_required_field_is_malformed_for_each_type);
	RUN(test_bad_names_are_malformed);
	RUN(test_meta_over_limit_or_not_bin_is_malformed);
	RUN(test_numbers_out_of_range_are_malformed);
	RUN(test_trailing_garbage_is_malformed);
	RUN(test_oversized_inputs_are_over_limit);
	RUN(test_counts_beyond_the_bytes_are_refused_before_unpacking);
	RUN(test_unknown_message_types_are_skipped_and_known_kept);
	RUN(test_states_skip_unknown_types_and_refuse_non_status_ones);
	RUN(test_more_known_messages_than_max_are_over_limit);
	RUN(test_deep_nesting_is_dropped_without_crashing);
	RUN(test_decoded_strings_point_into_the_input_bytes);
	return TEST_SUMMARY();
}
