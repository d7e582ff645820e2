/*
 * Lookups per second and their latency, over each system's local API,
 * one client, one connection, one request at a time:
 *
 *	bench-lookup rumor SOCKET NAME SECONDS [COUNT]
 *	    the client library's rumor_lookup(NAME) on the agent's Unix
 *	    socket; with COUNT, the names NAME-0 .. NAME-<COUNT-1> in turn
 *	bench-lookup serf HOST:PORT TAG=VALUE SECONDS
 *	    Serf's RPC "members-filtered" with that tag (what
 *	    `serf members -tag` sends), msgpack over TCP
 *
 *	bench-lookup rumor-pipelined SOCKET NAME SECONDS COUNT DEPTH
 *	bench-lookup serf-pipelined HOST:PORT TAG=VALUE SECONDS DEPTH
 *	    the same requests DEPTH at a time: one write of DEPTH
 *	    requests, then their DEPTH answers (both protocols answer a
 *	    connection's requests in order); latency is per batch
 *
 * Prints one JSON line: lookups, per second, p50/p99/max latency in
 * microseconds, and how many instances (members) each answer held.
 * Every answer is decoded and counted, so a wrong one stops the run.
 */
#include <arpa/inet.h>
#include <msgpack.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cli/ipc/ipc_proto.h"
#include "rumor/rumor.h"

#define SAMPLES_MAX (8u << 20)

static uint64_t
now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* lat: one sample per batch of `depth` lookups (1: per lookup). */
static void
report(const char *system, uint64_t *lat, size_t batches, unsigned depth,
       double seconds, size_t instances)
{
	size_t n = batches * depth;
	qsort(lat, batches, sizeof(*lat), cmp_u64);
	printf("{\"system\": \"%s\", \"lookups\": %zu, \"per_s\": %.0f, "
	       "\"depth\": %u, \"p50_us\": %.1f, \"p99_us\": %.1f, "
	       "\"max_us\": %.1f, \"instances\": %zu}\n", system, n,
	       n / seconds, depth, batches ? lat[batches / 2] / 1000.0 : 0,
	       batches ? lat[batches * 99 / 100] / 1000.0 : 0,
	       batches ? lat[batches - 1] / 1000.0 : 0, instances);
}

static int
bench_rumor(const char *sock, const char *prefix, double seconds,
	    unsigned names)
{
	char name[128];
	snprintf(name, sizeof(name), "%s", prefix);
	struct rumor *r;
	if (rumor_connect(sock, &r) != 0) {
		fprintf(stderr, "bench-lookup: cannot connect to %s\n", sock);
		return 1;
	}
	uint64_t *lat = malloc(SAMPLES_MAX * sizeof(*lat));
	struct rumor_instance *out = malloc(4096 * sizeof(*out));
	size_t n = 0, count = 0;
	uint64_t end = now_ns() + (uint64_t)(seconds * 1e9);
	while (n < SAMPLES_MAX && lat && out) {
		uint64_t t0 = now_ns();
		if (t0 >= end)
			break;
		if (names > 0)
			snprintf(name, sizeof(name), "%s-%zu", prefix,
				 n % names);
		if (rumor_lookup(r, name, NULL, false, out, 4096, &count) != 0) {
			fprintf(stderr, "bench-lookup: %s\n", rumor_last_error(r));
			return 1;
		}
		lat[n++] = now_ns() - t0;
	}
	report("rumor", lat, n, 1, seconds, count);
	rumor_close(r);
	free(out);
	free(lat);
	return 0;
}

/* ---- Serf RPC: msgpack header map then body map, both ways ---------- */

static void
pack_cstr(msgpack_packer *pk, const char *s)
{
	size_t len = strlen(s);
	msgpack_pack_str(pk, len);
	msgpack_pack_str_body(pk, s, len);
}

static int
send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* Read the next msgpack value from fd into *out. */
static int
next_value(int fd, msgpack_unpacker *u, msgpack_unpacked *out)
{
	for (;;) {
		if (msgpack_unpacker_next(u, out) == MSGPACK_UNPACK_SUCCESS)
			return 0;
		if (msgpack_unpacker_buffer_capacity(u) < 65536 &&
		    !msgpack_unpacker_reserve_buffer(u, 65536))
			return -1;
		ssize_t k = recv(fd, msgpack_unpacker_buffer(u),
				 msgpack_unpacker_buffer_capacity(u), 0);
		if (k <= 0)
			return -1;
		msgpack_unpacker_buffer_consumed(u, (size_t)k);
	}
}

/* Append {Command, Seq} and its body (tag NULL: the handshake's). */
static void
rpc_pack(msgpack_sbuffer *sb, const char *command, uint64_t seq,
	 const char *tag, const char *value)
{
	msgpack_packer pk;
	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 2);
	pack_cstr(&pk, "Command");
	pack_cstr(&pk, command);
	pack_cstr(&pk, "Seq");
	msgpack_pack_uint64(&pk, seq);
	msgpack_pack_map(&pk, 1);
	if (tag == NULL) {
		pack_cstr(&pk, "Version");
		msgpack_pack_int(&pk, 1);
	} else {
		pack_cstr(&pk, "Tags");
		msgpack_pack_map(&pk, 1);
		pack_cstr(&pk, tag);
		pack_cstr(&pk, value);
	}
}

/* Read one reply: its header, and its body if want_body; returns the
 * body's "Members" count or -1. */
static long
rpc_reply(int fd, msgpack_unpacker *u, int want_body)
{
	msgpack_unpacked v;
	msgpack_unpacked_init(&v);
	long members = 0;
	if (next_value(fd, u, &v) != 0)
		members = -1;
	if (members == 0 && want_body) {
		if (next_value(fd, u, &v) != 0 ||
		    v.data.type != MSGPACK_OBJECT_MAP)
			members = -1;
		for (uint32_t i = 0; members >= 0 && i < v.data.via.map.size;
		     i++) {
			msgpack_object_kv *kv = &v.data.via.map.ptr[i];
			if (kv->val.type == MSGPACK_OBJECT_ARRAY)
				members = kv->val.via.array.size;
		}
	}
	msgpack_unpacked_destroy(&v);
	return members;
}

/* Send {Command, Seq} and body; read the reply (see rpc_reply). */
static long
rpc(int fd, msgpack_unpacker *u, const char *command, uint64_t seq,
    const char *tag, const char *value, int want_body)
{
	msgpack_sbuffer sb;
	msgpack_sbuffer_init(&sb);
	rpc_pack(&sb, command, seq, tag, value);
	int rc = send_all(fd, sb.data, sb.size);
	msgpack_sbuffer_destroy(&sb);
	return rc != 0 ? -1 : rpc_reply(fd, u, want_body);
}

static int
bench_serf(const char *addr, const char *tagval, double seconds,
	   unsigned depth)
{
	char host[64], tag[128];
	int port;
	const char *eq = strchr(tagval, '=');
	if (sscanf(addr, "%63[^:]:%d", host, &port) != 2 || eq == NULL)
		return 2;
	snprintf(tag, sizeof(tag), "%.*s", (int)(eq - tagval), tagval);
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port)};
	inet_pton(AF_INET, host, &sa.sin_addr);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		fprintf(stderr, "bench-lookup: cannot connect to %s\n", addr);
		return 1;
	}
	msgpack_unpacker u;
	msgpack_unpacker_init(&u, 65536);
	if (rpc(fd, &u, "handshake", 0, NULL, NULL, 0) < 0) {
		fprintf(stderr, "bench-lookup: serf handshake failed\n");
		return 1;
	}
	uint64_t *lat = malloc(SAMPLES_MAX * sizeof(*lat));
	size_t n = 0, batches = 0;
	long count = 0;
	msgpack_sbuffer batch;
	msgpack_sbuffer_init(&batch);
	uint64_t end = now_ns() + (uint64_t)(seconds * 1e9);
	while (batches < SAMPLES_MAX && lat) {
		uint64_t t0 = now_ns();
		if (t0 >= end)
			break;
		batch.size = 0;
		for (unsigned d = 0; d < depth; d++)
			rpc_pack(&batch, "members-filtered", n + d + 1, tag,
				 eq + 1);
		if (send_all(fd, batch.data, batch.size) != 0)
			count = -1;
		for (unsigned d = 0; count >= 0 && d < depth; d++)
			count = rpc_reply(fd, &u, 1);
		if (count < 0) {
			fprintf(stderr, "bench-lookup: serf RPC failed\n");
			return 1;
		}
		n += depth;
		lat[batches++] = now_ns() - t0;
	}
	msgpack_sbuffer_destroy(&batch);
	report("serf", lat, batches, depth, seconds, (size_t)count);
	msgpack_unpacker_destroy(&u);
	close(fd);
	free(lat);
	return 0;
}

/* ---- pipelined ---------------------------------------------------------- */

/* The next answer frame's payload from in[at, have), receiving as much
 * as the socket has when more is needed (one recv for many answers). */
static int
next_frame(int fd, uint8_t *in, size_t *have, size_t *at,
	   const uint8_t **frame, uint32_t *len)
{
	for (;;) {
		size_t avail = *have - *at;
		if (avail >= IPC_PREFIX) {
			*len = ipc_frame_len(in + *at);
			if (*len > IPC_RESPONSE_MAX - IPC_PREFIX)
				return -1;
			if (avail - IPC_PREFIX >= *len) {
				*frame = in + *at + IPC_PREFIX;
				*at += IPC_PREFIX + *len;
				return 0;
			}
		}
		memmove(in, in + *at, avail);
		*have = avail;
		*at = 0;
		ssize_t k = recv(fd, in + *have, IPC_RESPONSE_MAX - *have, 0);
		if (k <= 0)
			return -1;
		*have += (size_t)k;
	}
}

static int
bench_rumor_pipelined(const char *sock, const char *prefix, double seconds,
		      unsigned names, unsigned depth)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sock);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		fprintf(stderr, "bench-lookup: cannot connect to %s\n", sock);
		return 1;
	}
	/* Every name's request frame, once. */
	msgpack_sbuffer *frames = calloc(names, sizeof(*frames));
	for (unsigned k = 0; k < names; k++) {
		struct ipc_request req = {.op = IPC_OP_LOOKUP};
		snprintf(req.name, sizeof(req.name), "%s-%u", prefix, k);
		msgpack_sbuffer_init(&frames[k]);
		if (ipc_request_encode(&frames[k], &req) != 0)
			return 1;
	}
	msgpack_sbuffer batch;
	msgpack_sbuffer_init(&batch);
	uint64_t *lat = malloc(SAMPLES_MAX * sizeof(*lat));
	uint8_t *in = malloc(IPC_RESPONSE_MAX);
	size_t n = 0, batches = 0, count = 0, have = 0, at = 0;
	uint64_t end = now_ns() + (uint64_t)(seconds * 1e9);
	while (batches < SAMPLES_MAX && lat && in) {
		uint64_t t0 = now_ns();
		if (t0 >= end)
			break;
		batch.size = 0;
		for (unsigned d = 0; d < depth; d++) {
			const msgpack_sbuffer *f = &frames[(n + d) % names];
			msgpack_sbuffer_write(&batch, f->data, f->size);
		}
		if (send_all(fd, batch.data, batch.size) != 0)
			return 1;
		for (unsigned d = 0; d < depth; d++) {
			const uint8_t *frame;
			uint32_t len;
			struct ipc_response resp;
			if (next_frame(fd, in, &have, &at, &frame, &len) != 0 ||
			    ipc_response_decode(&resp, IPC_BODY_INSTANCES,
						frame, len) != 0)
				return 1;
			if (!resp.ok) {
				fprintf(stderr, "bench-lookup: bad answer\n");
				return 1;
			}
			count = resp.count;
			ipc_response_destroy(&resp);
		}
		n += depth;
		lat[batches++] = now_ns() - t0;
	}
	report("rumor", lat, batches, depth, seconds, count);
	close(fd);
	return 0;
}

int
main(int argc, char **argv)
{
	if ((argc == 5 || argc == 6) && strcmp(argv[1], "rumor") == 0)
		return bench_rumor(argv[2], argv[3], atof(argv[4]),
				   argc == 6 ? (unsigned)atoi(argv[5]) : 0);
	if (argc == 5 && strcmp(argv[1], "serf") == 0)
		return bench_serf(argv[2], argv[3], atof(argv[4]), 1);
	if (argc == 7 && strcmp(argv[1], "rumor-pipelined") == 0)
		return bench_rumor_pipelined(argv[2], argv[3], atof(argv[4]),
					     (unsigned)atoi(argv[5]),
					     (unsigned)atoi(argv[6]));
	if (argc == 6 && strcmp(argv[1], "serf-pipelined") == 0)
		return bench_serf(argv[2], argv[3], atof(argv[4]),
				  (unsigned)atoi(argv[5]));
	fprintf(stderr, "usage: bench-lookup rumor SOCKET NAME SECONDS [COUNT]\n"
			"       bench-lookup rumor-pipelined SOCKET NAME SECONDS "
			"COUNT DEPTH\n"
			"       bench-lookup serf-pipelined HOST:PORT TAG=VALUE "
			"SECONDS DEPTH\n"
			"       bench-lookup serf HOST:PORT TAG=VALUE SECONDS\n");
	return 2;
}
