/*
 * Wire codec tests, decoding: the decoder's refusals of hand-built hostile
 * msgpack (truncated, other versions, wrong keys and types, missing or
 * invalid fields, counts past the bytes, nesting), what it skips, and
 * where decoded strings point.
 */
#include <msgpack.h>
#include <stdlib.h>
#include <string.h>

#include "proto_samples.h"
#include "rumor/error.h"
#include "swim/swim_proto.h"
#include "test.h"

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
						 SWIM_STATE_MAX + 1, NULL);
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
	ASSERT_EQ(swim_state_decode(&st, state, sizeof(state), NULL),
		  SWIM_DROP_TRUNCATED);
	state[15] = 0x7f; /* 0x7f0003e8 members: past SWIM_MEMBERS_MAX */
	ASSERT_EQ(swim_state_decode(&st, state, sizeof(state), NULL),
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
		same = pkt.msg_count == 3 &&
		       swim_proto_msg_equal(&pkt.msgs[0], &ack) &&
		       swim_proto_msg_equal(&pkt.msgs[1], &alive) &&
		       swim_proto_msg_equal(&pkt.msgs[2], &ack);
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
						   sb.size, NULL);
	bool same = skipped == SWIM_DROP_NONE && st.member_count == 1 &&
		    swim_proto_msg_equal(&st.members[0], &left);
	swim_state_destroy(&st);
	/* Patch 77 back to PING: a known type that is not a status. */
	uint8_t *p = memchr(sb.data, 77, sb.size);
	ASSERT_NOT_NULL(p);
	*p = SWIM_MSG_PING;
	enum swim_drop refused = swim_state_decode(&st, (uint8_t *)sb.data,
						   sb.size, NULL);
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
	ASSERT_NE(swim_state_decode(&st, buf, sizeof(buf), NULL),
		  SWIM_DROP_NONE);
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
		verdict[d - 29] = swim_state_decode(&st, buf, size, NULL);
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
