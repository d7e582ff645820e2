/*
 * The local socket protocol: requests round-trip, every malformed request
 * gets a reason, responses decode, and frame prefixes are big endian.
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
		req.policy = REGISTRY_PICK_ROUND_ROBIN;
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
			ASSERT_EQ(got.policy, REGISTRY_PICK_ROUND_ROBIN);
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

static void
test_error_response_carries_ok_false_and_the_reason(void)
{
	msgpack_sbuffer sb;
	msgpack_sbuffer_init(&sb);
	ASSERT_OK(ipc_error_encode(&sb, "unknown op"));
	struct ipc_response resp;
	ASSERT_OK(ipc_response_decode(&resp,
				      (const uint8_t *)sb.data + IPC_PREFIX,
				      sb.size - IPC_PREFIX));
	ASSERT(!resp.ok);
	ASSERT_EQ(resp.error_len, 10);
	ASSERT_MEM_EQ(resp.error, "unknown op", 10);
	ipc_response_destroy(&resp);
	msgpack_sbuffer_destroy(&sb);
}

static void
test_response_without_ok_is_malformed(void)
{
	struct ipc_response resp;
	const uint8_t no_ok[] = {0x81, 0xa1, 'x', 0x01};
	ASSERT_EQ(ipc_response_decode(&resp, no_ok, sizeof(no_ok)),
		  RUMOR_EMALFORMED);
	const uint8_t ok_not_bool[] = {0x81, 0xa2, 'o', 'k', 0x01};
	ASSERT_EQ(ipc_response_decode(&resp, ok_not_bool,
				      sizeof(ok_not_bool)),
		  RUMOR_EMALFORMED);
}

int
main(void)
{
	RUN(test_every_op_round_trips_through_a_frame);
	RUN(test_malformed_requests_are_refused_with_a_reason);
	RUN(test_error_response_carries_ok_false_and_the_reason);
	RUN(test_response_without_ok_is_malformed);
	return TEST_SUMMARY();
}
