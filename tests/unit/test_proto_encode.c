/*
 * Wire codec tests, encoding: every message type through encoder and
 * decoder, the encoder's greedy filling against its capacity, push-pull
 * states, and our writer's bytes against msgpack-c's.
 */
#include <msgpack.h>
#include <stdlib.h>
#include <string.h>

#include "proto_samples.h"
#include "rumor/error.h"
#include "swim/swim_proto.h"
#include "test.h"

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
	return swim_state_pack(SENDER, 6, join, n, out, size, NULL,
			       member_of_array, (void *)members);
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
		bool same = swim_proto_msg_equal(&pkt.msgs[0], &m);
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
		same += swim_proto_msg_equal(&pkt.msgs[i], &msgs[i]);
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
	bool same = swim_proto_msg_equal(&pkt.msgs[0], &alive) &&
		    swim_proto_msg_equal(&pkt.msgs[added], &ack);
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
	enum swim_drop drop = rc == 0 ? swim_state_decode(&st, blob, size, NULL)
				      : swim_drop_MAX;
	size_t same = 0;
	bool header = false;
	if (drop == SWIM_DROP_NONE) {
		header = st.version == SWIM_PROTO_VERSION && st.join &&
			 st.member_count == N &&
			 bytes_eq(st.sender, st.sender_len, SENDER, 6);
		for (size_t i = 0; header && i < N; i++)
			same += swim_proto_msg_equal(&st.members[i],
						     &members[i]);
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
	enum swim_drop drop = swim_state_decode(&st, blob, size, NULL);
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
	return TEST_SUMMARY();
}
