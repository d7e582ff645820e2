/*
 * The client library (include/rumor/rumor.h) against a scripted agent: a
 * Unix socket in this process whose answers are written before the call
 * that reads them (they wait in the socket buffer), so one thread plays
 * both sides. Each call must send the request the protocol says and hand
 * back what the answer carries, the agent's own error code included.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli/ipc/ipc_proto.h"
#include "rumor/rumor.h"
#include "test.h"

struct scripted {
	char path[108];
	int listener;
	/** The agent's end of the one connection. */
	int fd;
	struct rumor *r;
};

/* A listener at a fresh path, the client connected, the connection
 * accepted: 0 or -1. */
static int
scripted_open(struct scripted *s)
{
	snprintf(s->path, sizeof(s->path), "/tmp/rumor-test-client-%d.sock",
		 (int)getpid());
	unlink(s->path);
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	strcpy(sun.sun_path, s->path);
	s->listener = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s->listener < 0 ||
	    bind(s->listener, (struct sockaddr *)&sun, sizeof(sun)) != 0 ||
	    listen(s->listener, 1) != 0 || rumor_connect(s->path, &s->r) != 0)
		return -1;
	s->fd = accept(s->listener, NULL, NULL);
	return s->fd < 0 ? -1 : 0;
}

static void
scripted_close(struct scripted *s)
{
	rumor_close(s->r);
	close(s->fd);
	close(s->listener);
	unlink(s->path);
}

/* Queue the frames in sb for the client to read. */
static int
answer(struct scripted *s, const msgpack_sbuffer *sb)
{
	return write(s->fd, sb->data, sb->size) == (ssize_t)sb->size ? 0 : -1;
}

/* The request the client sent, decoded. */
static int
request(struct scripted *s, struct ipc_request *req)
{
	uint8_t buf[IPC_REQUEST_MAX];
	if (read(s->fd, buf, IPC_PREFIX) != IPC_PREFIX)
		return -1;
	uint32_t len = ipc_frame_len(buf);
	if (len > sizeof(buf) || read(s->fd, buf, len) != (ssize_t)len)
		return -1;
	const char *why;
	return ipc_request_decode(req, buf, len, &why);
}

static const char *const tags[] = {"v2", "blue"};
static const struct service_kv meta[] = {{"zone", "a"}, {"k", "v=w"}};

static void
test_a_refused_pick_returns_the_agents_code(void)
{
	struct scripted s;
	ASSERT_OK(scripted_open(&s));
	msgpack_sbuffer sb;
	msgpack_sbuffer_init(&sb);
	ASSERT_OK(ipc_error_encode(&sb, RUMOR_ENOTFOUND,
				   "no healthy instance"));
	ASSERT_OK(answer(&s, &sb));
	struct rumor_instance in;
	ASSERT_EQ(rumor_pick(s.r, "web", "v2", RUMOR_PICK_ROUND_ROBIN, &in),
		  RUMOR_ENOTFOUND);
	ASSERT(rumor_last_refused(s.r));
	ASSERT_STR_EQ(rumor_last_error(s.r), "no healthy instance");
	struct ipc_request req;
	ASSERT_OK(request(&s, &req));
	ASSERT_EQ(req.op, IPC_OP_PICK);
	ASSERT_STR_EQ(req.name, "web");
	ASSERT_STR_EQ(req.tag, "v2");
	ASSERT_EQ(req.policy, IPC_POLICY_ROUND_ROBIN);
	msgpack_sbuffer_destroy(&sb);
	scripted_close(&s);
}

static void
test_a_lookup_hands_back_tags_and_meta(void)
{
	struct scripted s;
	ASSERT_OK(scripted_open(&s));
	struct ipc_instance list[] = {
		{"n1", "web-1", "web", "10.0.0.5", 8080, tags, 2, meta, 2,
		 true},
		{"n2", "web-2", "web", "127.0.0.1", 0, NULL, 0, NULL, 0,
		 false},
	};
	msgpack_sbuffer sb;
	msgpack_sbuffer_init(&sb);
	for (int k = 0; k < 2; k++) {
		struct ipc_writer w;
		ipc_writer_begin(&w, &sb, IPC_BODY_INSTANCES, 2);
		ipc_write_instance(&w, &list[0]);
		ipc_write_instance(&w, &list[1]);
		ASSERT_OK(ipc_writer_end(&w));
	}
	ASSERT_OK(answer(&s, &sb));
	const struct rumor_instance *got;
	size_t n;
	ASSERT_OK(rumor_lookup_all(s.r, "web", NULL, true, &got, &n));
	ASSERT_EQ(n, 2);
	ASSERT_STR_EQ(got[0].node, "n1");
	ASSERT_STR_EQ(got[0].address, "10.0.0.5");
	ASSERT_EQ(got[0].port, 8080);
	ASSERT(got[0].healthy && !got[1].healthy);
	ASSERT_EQ(got[0].tag_count, 2);
	ASSERT_STR_EQ(got[0].tags[1], "blue");
	ASSERT_EQ(got[0].meta_count, 2);
	ASSERT_STR_EQ(got[0].meta[1].key, "k");
	ASSERT_STR_EQ(got[0].meta[1].value, "v=w");
	ASSERT_EQ(got[1].tag_count + got[1].meta_count, 0);
	/* The old call: what fits, and how many there are. */
	struct rumor_instance one;
	ASSERT_OK(rumor_lookup(s.r, "web", NULL, false, &one, 1, &n));
	ASSERT_EQ(n, 2);
	ASSERT_STR_EQ(one.id, "web-1");
	ASSERT_STR_EQ(one.meta[0].value, "a");
	struct ipc_request req;
	ASSERT_OK(request(&s, &req));
	ASSERT(req.op == IPC_OP_LOOKUP && req.all && req.tag[0] == '\0');
	msgpack_sbuffer_destroy(&sb);
	scripted_close(&s);
}

static void
test_members_stats_and_services_come_back_typed(void)
{
	struct scripted s;
	ASSERT_OK(scripted_open(&s));
	msgpack_sbuffer sb;
	msgpack_sbuffer_init(&sb);
	struct ipc_writer w;
	ipc_writer_begin(&w, &sb, IPC_BODY_MEMBERS, 1);
	ipc_write_member(&w, &(struct ipc_member){"n1", "127.0.0.1:7946",
						  IPC_STATUS_SUSPECT, 4, NULL,
						  0});
	ASSERT_OK(ipc_writer_end(&w));
	ipc_writer_begin(&w, &sb, IPC_BODY_STATS, 1);
	ipc_write_stat(&w, &(struct ipc_stat){"members", 1});
	ASSERT_OK(ipc_writer_end(&w));
	ipc_writer_begin(&w, &sb, IPC_BODY_SERVICES, 1);
	ipc_write_summary(&w, &(struct ipc_summary){"web", 1, 2});
	ASSERT_OK(ipc_writer_end(&w));
	ASSERT_OK(answer(&s, &sb));
	const struct rumor_member *m;
	const struct rumor_stat *st;
	const struct rumor_summary *sv;
	size_t n;
	ASSERT_OK(rumor_members(s.r, &m, &n));
	ASSERT(n == 1 && m[0].status == RUMOR_STATUS_SUSPECT &&
	       m[0].incarnation == 4);
	ASSERT_STR_EQ(rumor_status_str(m[0].status), "suspect");
	ASSERT_STR_EQ(m[0].address, "127.0.0.1:7946");
	ASSERT_OK(rumor_stats(s.r, &st, &n));
	ASSERT(n == 1 && st[0].value == 1);
	ASSERT_STR_EQ(st[0].name, "members");
	ASSERT_OK(rumor_services(s.r, &sv, &n));
	ASSERT(n == 1 && sv[0].healthy == 1 && sv[0].total == 2);
	ASSERT_STR_EQ(sv[0].name, "web");
	msgpack_sbuffer_destroy(&sb);
	scripted_close(&s);
}

static void
test_a_watch_streams_events_until_the_agent_closes(void)
{
	struct scripted s;
	ASSERT_OK(scripted_open(&s));
	msgpack_sbuffer sb;
	msgpack_sbuffer_init(&sb);
	ASSERT_OK(ipc_ok_encode(&sb));
	ASSERT_OK(ipc_event_encode(&sb, &(struct ipc_event){
		IPC_EVENT_ADDED, "n1", "web-1", "web", "10.0.0.5", 8080,
		true}));
	ASSERT_OK(ipc_event_encode(&sb, &(struct ipc_event){
		IPC_EVENT_HEALTH, "n1", "web-1", "web", "10.0.0.5", 8080,
		false}));
	ASSERT_OK(answer(&s, &sb));
	shutdown(s.fd, SHUT_WR);
	ASSERT_OK(rumor_watch(s.r, "web"));
	struct rumor_event ev;
	ASSERT_OK(rumor_watch_next(s.r, &ev));
	ASSERT(ev.type == RUMOR_EVENT_ADDED && ev.healthy);
	ASSERT_STR_EQ(ev.id, "web-1");
	ASSERT_OK(rumor_watch_next(s.r, &ev));
	ASSERT(ev.type == RUMOR_EVENT_HEALTH && !ev.healthy);
	ASSERT_STR_EQ(rumor_event_type_str(ev.type), "health");
	ASSERT_EQ(rumor_watch_next(s.r, &ev), RUMOR_EIO);
	ASSERT(!rumor_last_refused(s.r));
	msgpack_sbuffer_destroy(&sb);
	scripted_close(&s);
}

static void
test_a_bad_service_is_refused_before_anything_is_sent(void)
{
	struct rumor_service bad = {.name = "bad name"};
	const char *why = NULL;
	ASSERT_EQ(rumor_service_validate(&bad, &why), RUMOR_EINVAL);
	ASSERT_NOT_NULL(why);
	struct rumor_service ok = {.name = "web", .tags = tags,
				   .tag_count = 2, .check = {
					   .kind = RUMOR_CHECK_TCP,
					   .target = "127.0.0.1:80",
					   .interval_ms = 1000,
					   .timeout_ms = 500}};
	ASSERT_OK(rumor_service_validate(&ok, &why));
}

int
main(void)
{
	RUN(test_a_refused_pick_returns_the_agents_code);
	RUN(test_a_lookup_hands_back_tags_and_meta);
	RUN(test_members_stats_and_services_come_back_typed);
	RUN(test_a_watch_streams_events_until_the_agent_closes);
	RUN(test_a_bad_service_is_refused_before_anything_is_sent);
	return TEST_SUMMARY();
}
