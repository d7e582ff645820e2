/*
 * The local socket protocol: requests round-trip, every malformed request
 * gets a reason, every response type round-trips through its encoder and
 * its decoder, a writer that fails leaves no half frame, and frame
 * prefixes are big endian.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/ipc/ipc_proto.h"
#include "rumor/error.h"
#include "test.h"

static void
test_every_op_round_trips_through_a_frame(void)
{
	static const char *const tags[] = {"v2"};
	struct service web = {.id = "web-1", .name = "web", .port = 8080,
			      .tags = tags, .tag_count = 1};
	struct service *list[] = {&web};
	for (int op = 0; op < ipc_op_MAX; op++) {
		msgpack_sbuffer sb;
		msgpack_sbuffer_init(&sb);
		struct ipc_request req = {.op = (enum ipc_op)op}, got;
		if (op == IPC_OP_REGISTER)
			req.reg = (struct service_set){.services = list,
						       .count = 1};
		strcpy(req.name, "web");
		if (op == IPC_OP_LOOKUP || op == IPC_OP_PICK)
			strcpy(req.tag, "v2");
		req.all = op == IPC_OP_LOOKUP;
		req.policy = IPC_POLICY_ROUND_ROBIN;
		if (op == IPC_OP_JOIN) {
			req.admin.addrs[0] = "seed.example.internal:7946";
			req.admin.addr_count = 1;
		}
		if (op == IPC_OP_TAGS) {
			req.admin.set[0] = (struct service_kv){"role", "db"};
			req.admin.set_count = 1;
			req.admin.del[0] = "zone";
			req.admin.del_count = 1;
		}
		ASSERT_OK(ipc_request_encode(&sb, &req));
		uint32_t len = ipc_frame_len((const uint8_t *)sb.data);
		ASSERT_EQ(len, sb.size - IPC_PREFIX);
		const char *why = NULL;
		ASSERT_OK(ipc_request_decode(&got,
					     (const uint8_t *)sb.data +
						     IPC_PREFIX,
					     len, &why));
		ASSERT_EQ(got.op, op);
		if (op == IPC_OP_REGISTER) {
			ASSERT_EQ(got.reg.count, 1);
			ASSERT(service_equal(got.reg.services[0], &web));
		}
		if (op == IPC_OP_DEREGISTER || op == IPC_OP_LOOKUP ||
		    op == IPC_OP_PICK)
			ASSERT_STR_EQ(got.name, "web");
		if (op == IPC_OP_LOOKUP) {
			ASSERT_STR_EQ(got.tag, "v2");
			ASSERT(got.all);
		}
		if (op == IPC_OP_PICK)
			ASSERT_EQ(got.policy, IPC_POLICY_ROUND_ROBIN);
		if (op == IPC_OP_JOIN) {
			ASSERT_EQ(got.admin.addr_count, 1);
			ASSERT_STR_EQ(got.admin.addrs[0],
				      "seed.example.internal:7946");
		}
		if (op == IPC_OP_FORCE_LEAVE)
			ASSERT_STR_EQ(got.name, "web");
		if (op == IPC_OP_TAGS) {
			ASSERT_EQ(got.admin.set_count, 1);
			ASSERT_STR_EQ(got.admin.set[0].key, "role");
			ASSERT_STR_EQ(got.admin.set[0].value, "db");
			ASSERT_EQ(got.admin.del_count, 1);
			ASSERT_STR_EQ(got.admin.del[0], "zone");
		}
		ipc_request_destroy(&got);
		msgpack_sbuffer_destroy(&sb);
	}
}

static void
test_malformed_requests_are_refused_with_a_reason(void)
{
	static const struct {
		const char *bytes;
		size_t size;
		const char *why;
	} cases[] = {
		{"", 0, "request is not a valid msgpack value"},
		{"\xc1", 1, "request is not a valid msgpack value"},
		{"\x93\x01\x02\x03", 4, "request must be a map"},
		{"\x80", 1, "request needs an \"op\" string"},
		{"\x81\xa2op\x07", 5, "request needs an \"op\" string"},
		{"\x81\xa2op\xa5" "dance", 10, "unknown op"},
		{"\xdd\xff\xff\xff\xff", 5,
		 "request is not a valid msgpack value"},
		{"\x81\xa2op\xa7members\x00", 13,
		 "request is not a valid msgpack value"},
		{"\x81\xa2op\xa8register", 13,
		 "register needs a \"service\" (bin)"},
		{"\x82\xa2op\xa8register\xa7service\xc4\x01\x90", 24,
		 "the set is not a map"},
		{"\x81\xa2op\xa6" "lookup", 11,
		 "a \"name\" (1-64 bytes) is needed"},
		{"\x82\xa2op\xa6" "lookup\xa4name\xa0", 17,
		 "a \"name\" (1-64 bytes) is needed"},
		{"\x83\xa2op\xa4pick\xa4name\xa1w\xa6policy\xa4" "best", 28,
		 "\"policy\" must be random or round-robin"},
		{"\x82\xa2op\xaa" "deregister\xa2id\x05", 19,
		 "an \"id\" (1-64 bytes) is needed"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ipc_request req;
		const char *why = NULL;
		ASSERT_EQ(ipc_request_decode(&req,
					     (const uint8_t *)cases[i].bytes,
					     cases[i].size, &why),
			  RUMOR_EMALFORMED);
		ASSERT_STR_EQ(why, cases[i].why);
	}
}

/* Decode the one whole frame in sb as an answer carrying body: 0, or
 * the decoder's error (-1: sb is not one whole frame). */
static int
decode_frame(const msgpack_sbuffer *sb, enum ipc_body body,
	     struct ipc_response *resp)
{
	if (sb->size < IPC_PREFIX ||
	    ipc_frame_len((const uint8_t *)sb->data) != sb->size - IPC_PREFIX)
		return -1;
	return ipc_response_decode(resp, body,
				   (const uint8_t *)sb->data + IPC_PREFIX,
				   sb->size - IPC_PREFIX);
}

static void
test_error_response_carries_its_code_and_reason(void)
{
	msgpack_sbuffer sb;
	msgpack_sbuffer_init(&sb);
	ASSERT_OK(ipc_error_encode(&sb, RUMOR_ENOTFOUND, "no healthy "
				   "instance"));
	/* An error answers whatever was asked. */
	for (int body = 0; body < IPC_BODY_EVENT; body++) {
		struct ipc_response resp;
		ASSERT_OK(decode_frame(&sb, (enum ipc_body)body, &resp));
		ASSERT(!resp.ok);
		ASSERT_EQ(resp.code, RUMOR_ENOTFOUND);
		ASSERT_STR_EQ(resp.error, "no healthy instance");
		ASSERT_EQ(resp.count, 0);
		ipc_response_destroy(&resp);
	}
	msgpack_sbuffer_destroy(&sb);
}

static void
test_error_without_a_code_reads_as_a_refusal(void)
{
	/* {"ok": false, "error": "no"}, as an older agent sends it. */
	const uint8_t old[] = {0x82, 0xa2, 'o', 'k', 0xc2, 0xa5, 'e', 'r',
			       'r', 'o', 'r', 0xa2, 'n', 'o'};
	struct ipc_response resp;
	ASSERT_OK(ipc_response_decode(&resp, IPC_BODY_NONE, old,
				      sizeof(old)));
	ASSERT(!resp.ok);
	ASSERT_EQ(resp.code, RUMOR_ESTATE);
	ASSERT_STR_EQ(resp.error, "no");
	ipc_response_destroy(&resp);
}

static void
test_ok_response_round_trips(void)
{
	msgpack_sbuffer sb;
	msgpack_sbuffer_init(&sb);
	ASSERT_OK(ipc_ok_encode(&sb));
	struct ipc_response resp;
	ASSERT_OK(decode_frame(&sb, IPC_BODY_NONE, &resp));
	ASSERT(resp.ok);
	ASSERT_EQ(resp.body, IPC_BODY_NONE);
	ipc_response_destroy(&resp);
	msgpack_sbuffer_destroy(&sb);
}

static void
test_members_round_trip(void)
{
	static const struct service_kv tags[] = {{"role", "db"},
						 {"zone", ""}};
	static const struct ipc_member members[] = {
		{"n1", "127.0.0.1:7946", IPC_STATUS_ALIVE, 0, NULL, 0},
		{"n2", "10.0.0.2:7946", IPC_STATUS_LEFT, UINT64_MAX, NULL, 0},
		{"n3", "10.0.0.3:1", IPC_STATUS_SUSPECT, 7, tags, 2},
	};
	msgpack_sbuffer sb;
	msgpack_sbuffer_init(&sb);
	struct ipc_writer w;
	ipc_writer_begin(&w, &sb, IPC_BODY_MEMBERS, 3);
	for (int i = 0; i < 3; i++)
		ipc_write_member(&w, &members[i]);
	ASSERT_OK(ipc_writer_end(&w));
	struct ipc_response resp;
	ASSERT_OK(decode_frame(&sb, IPC_BODY_MEMBERS, &resp));
	ASSERT(resp.ok);
	ASSERT_EQ(resp.count, 3);
	for (int i = 0; i < 3; i++) {
		ASSERT_STR_EQ(resp.members[i].name, members[i].name);
		ASSERT_STR_EQ(resp.members[i].addr, members[i].addr);
		ASSERT_EQ(resp.members[i].status, members[i].status);
		ASSERT_EQ(resp.members[i].incarnation,
			  members[i].incarnation);
		ASSERT_EQ(resp.members[i].tag_count, members[i].tag_count);
		for (size_t t = 0; t < members[i].tag_count; t++) {
			ASSERT_STR_EQ(resp.members[i].tags[t].key,
				      members[i].tags[t].key);
			ASSERT_STR_EQ(resp.members[i].tags[t].value,
				      members[i].tags[t].value);
		}
	}
	ipc_response_destroy(&resp);
	msgpack_sbuffer_destroy(&sb);
}

static void
test_stats_round_trip_in_order(void)
{
	static const struct ipc_stat stats[] = {
		{"members", 3}, {"incarnation", 0}, {"drop_auth", 1u << 20},
	};
	msgpack_sbuffer sb;
	msgpack_sbuffer_init(&sb);
	struct ipc_writer w;
	ipc_writer_begin(&w, &sb, IPC_BODY_STATS, 3);
	for (int i = 0; i < 3; i++)
		ipc_write_stat(&w, &stats[i]);
	ASSERT_OK(ipc_writer_end(&w));
	struct ipc_response resp;
	ASSERT_OK(decode_frame(&sb, IPC_BODY_STATS, &resp));
	ASSERT_EQ(resp.count, 3);
	for (int i = 0; i < 3; i++) {
		ASSERT_STR_EQ(resp.stats[i].name, stats[i].name);
		ASSERT_EQ(resp.stats[i].value, stats[i].value);
	}
	ipc_response_destroy(&resp);
	msgpack_sbuffer_destroy(&sb);
}

static const char *const web_tags[] = {"v2", "blue"};
static const struct service_kv web_meta[] = {{"zone", "a"},
					     {"q", "say \"hi\""}};
static const struct ipc_instance instances[] = {
	{.node = "n1", .id = "web-1", .service = "web",
	 .address = "10.0.0.5", .port = 8080, .tags = web_tags,
	 .tag_count = 2, .meta = web_meta, .meta_count = 2, .healthy = true},
	{.node = "n2", .id = "web-2", .service = "web",
	 .address = "127.0.0.1", .port = 0, .healthy = false},
};

static void
assert_instance_eq(const struct ipc_instance *got,
		   const struct ipc_instance *want)
{
	ASSERT_STR_EQ(got->node, want->node);
	ASSERT_STR_EQ(got->id, want->id);
	ASSERT_STR_EQ(got->service, want->service);
	ASSERT_STR_EQ(got->address, want->address);
	ASSERT_EQ(got->port, want->port);
	ASSERT_EQ(got->healthy, want->healthy);
	ASSERT_EQ(got->tag_count, want->tag_count);
	for (size_t i = 0; i < want->tag_count; i++)
		ASSERT_STR_EQ(got->tags[i], want->tags[i]);
	ASSERT_EQ(got->meta_count, want->meta_count);
	for (size_t i = 0; i < want->meta_count; i++) {
		ASSERT_STR_EQ(got->meta[i].key, want->meta[i].key);
		ASSERT_STR_EQ(got->meta[i].value, want->meta[i].value);
	}
}

static void
test_instances_round_trip_with_tags_and_meta(void)
{
	msgpack_sbuffer sb;
	msgpack_sbuffer_init(&sb);
	struct ipc_writer w;
	ipc_writer_begin(&w, &sb, IPC_BODY_INSTANCES, 2);
	for (int i = 0; i < 2; i++)
		ipc_write_instance(&w, &instances[i]);
	ASSERT_OK(ipc_writer_end(&w));
	struct ipc_response resp;
	ASSERT_OK(decode_frame(&sb, IPC_BODY_INSTANCES, &resp));
	ASSERT_EQ(resp.count, 2);
	for (int i = 0; i < 2; i++)
		assert_instance_eq(&resp.instances[i], &instances[i]);
	ipc_response_destroy(&resp);
	msgpack_sbuffer_destroy(&sb);
}

static void
test_one_instance_round_trips(void)
{
	msgpack_sbuffer sb;
	msgpack_sbuffer_init(&sb);
	struct ipc_writer w;
	ipc_writer_begin(&w, &sb, IPC_BODY_INSTANCE, 1);
	ipc_write_instance(&w, &instances[0]);
	ASSERT_OK(ipc_writer_end(&w));
	struct ipc_response resp;
	ASSERT_OK(decode_frame(&sb, IPC_BODY_INSTANCE, &resp));
	ASSERT_EQ(resp.count, 1);
	assert_instance_eq(&resp.instances[0], &instances[0]);
	ipc_response_destroy(&resp);
	/* A list is not one instance. */
	ASSERT_EQ(ipc_response_decode(&resp, IPC_BODY_INSTANCES,
				      (const uint8_t *)sb.data + IPC_PREFIX,
				      sb.size - IPC_PREFIX),
		  RUMOR_EMALFORMED);
	msgpack_sbuffer_destroy(&sb);
}

static void
test_services_summary_round_trips(void)
{
	static const struct ipc_summary services[] = {
		{"cron", 0, 1}, {"web", 2, 2},
	};
	msgpack_sbuffer sb;
	msgpack_sbuffer_init(&sb);
	struct ipc_writer w;
	ipc_writer_begin(&w, &sb, IPC_BODY_SERVICES, 2);
	for (int i = 0; i < 2; i++)
		ipc_write_summary(&w, &services[i]);
	ASSERT_OK(ipc_writer_end(&w));
	struct ipc_response resp;
	ASSERT_OK(decode_frame(&sb, IPC_BODY_SERVICES, &resp));
	ASSERT_EQ(resp.count, 2);
	for (int i = 0; i < 2; i++) {
		ASSERT_STR_EQ(resp.services[i].name, services[i].name);
		ASSERT_EQ(resp.services[i].healthy, services[i].healthy);
		ASSERT_EQ(resp.services[i].total, services[i].total);
	}
	ipc_response_destroy(&resp);
	msgpack_sbuffer_destroy(&sb);
}

static void
test_watch_events_round_trip_one_frame_each(void)
{
	static const struct ipc_event events[] = {
		{IPC_EVENT_ADDED, "n1", "web-1", "web", "10.0.0.5", 8080,
		 true},
		{IPC_EVENT_REMOVED, "n2", "web-2", "web", "127.0.0.1", 1,
		 false},
	};
	msgpack_sbuffer sb;
	msgpack_sbuffer_init(&sb);
	for (int i = 0; i < 2; i++)
		ASSERT_OK(ipc_event_encode(&sb, &events[i]));
	size_t at = 0;
	for (int i = 0; i < 2; i++) {
		const uint8_t *p = (const uint8_t *)sb.data + at;
		uint32_t len = ipc_frame_len(p);
		struct ipc_response resp;
		ASSERT_OK(ipc_response_decode(&resp, IPC_BODY_EVENT,
					      p + IPC_PREFIX, len));
		ASSERT(resp.ok);
		const struct ipc_event *ev = resp.event;
		ASSERT_EQ(ev->type, events[i].type);
		ASSERT_STR_EQ(ev->node, events[i].node);
		ASSERT_STR_EQ(ev->id, events[i].id);
		ASSERT_STR_EQ(ev->service, events[i].service);
		ASSERT_STR_EQ(ev->address, events[i].address);
		ASSERT_EQ(ev->port, events[i].port);
		ASSERT_EQ(ev->healthy, events[i].healthy);
		ipc_response_destroy(&resp);
		at += IPC_PREFIX + len;
	}
	ASSERT_EQ(at, sb.size);
	msgpack_sbuffer_destroy(&sb);
}

static void
test_a_writer_that_fails_leaves_no_half_frame(void)
{
	msgpack_sbuffer sb;
	msgpack_sbuffer_init(&sb);
	ASSERT_OK(ipc_ok_encode(&sb));
	size_t before = sb.size;
	struct ipc_writer w;
	/* One item short. */
	ipc_writer_begin(&w, &sb, IPC_BODY_SERVICES, 2);
	ipc_write_summary(&w, &(struct ipc_summary){"web", 1, 1});
	ASSERT_EQ(ipc_writer_end(&w), RUMOR_EINVAL);
	ASSERT_EQ(sb.size, before);
	/* An item of another body. */
	ipc_writer_begin(&w, &sb, IPC_BODY_MEMBERS, 1);
	ipc_write_stat(&w, &(struct ipc_stat){"members", 1});
	ASSERT_EQ(ipc_writer_end(&w), RUMOR_EINVAL);
	ASSERT_EQ(sb.size, before);
	/* What was there before still decodes. */
	struct ipc_response resp;
	ASSERT_OK(decode_frame(&sb, IPC_BODY_NONE, &resp));
	ASSERT(resp.ok);
	ipc_response_destroy(&resp);
	msgpack_sbuffer_destroy(&sb);
}

static void
test_response_without_ok_is_malformed(void)
{
	struct ipc_response resp;
	const uint8_t no_ok[] = {0x81, 0xa1, 'x', 0x01};
	ASSERT_EQ(ipc_response_decode(&resp, IPC_BODY_NONE, no_ok,
				      sizeof(no_ok)),
		  RUMOR_EMALFORMED);
	const uint8_t ok_not_bool[] = {0x81, 0xa2, 'o', 'k', 0x01};
	ASSERT_EQ(ipc_response_decode(&resp, IPC_BODY_NONE, ok_not_bool,
				      sizeof(ok_not_bool)),
		  RUMOR_EMALFORMED);
	/* {"ok": true} without the members it should carry. */
	const uint8_t bare[] = {0x81, 0xa2, 'o', 'k', 0xc3};
	ASSERT_EQ(ipc_response_decode(&resp, IPC_BODY_MEMBERS, bare,
				      sizeof(bare)),
		  RUMOR_EMALFORMED);
}

int
main(void)
{
	RUN(test_every_op_round_trips_through_a_frame);
	RUN(test_malformed_requests_are_refused_with_a_reason);
	RUN(test_error_response_carries_its_code_and_reason);
	RUN(test_error_without_a_code_reads_as_a_refusal);
	RUN(test_ok_response_round_trips);
	RUN(test_members_round_trip);
	RUN(test_stats_round_trip_in_order);
	RUN(test_instances_round_trip_with_tags_and_meta);
	RUN(test_one_instance_round_trips);
	RUN(test_services_summary_round_trips);
	RUN(test_watch_events_round_trip_one_frame_each);
	RUN(test_a_writer_that_fails_leaves_no_half_frame);
	RUN(test_response_without_ok_is_malformed);
	return TEST_SUMMARY();
}
