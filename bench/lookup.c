/*
 * Lookups per second and their latency, over each system's local API,
 * one client, one connection, one request at a time:
 *
 *	bench-lookup rumor SOCKET NAME SECONDS
 *	    librumor rumor_lookup(NAME) on the agent's Unix socket
 *	bench-lookup serf HOST:PORT TAG=VALUE SECONDS
 *	    Serf's RPC "members-filtered" with that tag (what
 *	    `serf members -tag` sends), msgpack over TCP
 *
 * Prints one JSON line: lookups, per second, p50/p99/max latency in
 * microseconds, and how many instances (members) each answer held.
 */
#include <arpa/inet.h>
#include <msgpack.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

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

static void
report(const char *system, uint64_t *lat, size_t n, double seconds,
       size_t instances)
{
	qsort(lat, n, sizeof(*lat), cmp_u64);
	printf("{\"system\": \"%s\", \"lookups\": %zu, \"per_s\": %.0f, "
	       "\"p50_us\": %.1f, \"p99_us\": %.1f, \"max_us\": %.1f, "
	       "\"instances\": %zu}\n", system, n, n / seconds,
	       n ? lat[n / 2] / 1000.0 : 0, n ? lat[n * 99 / 100] / 1000.0 : 0,
	       n ? lat[n - 1] / 1000.0 : 0, instances);
}

static int
bench_rumor(const char *sock, const char *name, double seconds)
{
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
		if (rumor_lookup(r, name, NULL, false, out, 4096, &count) != 0) {
			fprintf(stderr, "bench-lookup: %s\n", rumor_last_error(r));
			return 1;
		}
		lat[n++] = now_ns() - t0;
	}
	report("rumor", lat, n, seconds, count);
	rumor_close(r);
	free(out);
	free(lat);
	return 0;
}

/* ---- Serf RPC: msgpack header map then body map, both ways ---------- */

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

static void
pack_str(msgpack_packer *pk, const char *s)
{
	msgpack_pack_str(pk, strlen(s));
	msgpack_pack_str_body(pk, s, strlen(s));
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

/* Send {Command, Seq} and body (NULL: none); read the reply header (and
 * body if want_body); returns the body's "Members" count or -1. */
static long
rpc(int fd, msgpack_unpacker *u, const char *command, uint64_t seq,
    const char *tag, const char *value, int want_body)
{
	msgpack_sbuffer sb;
	msgpack_sbuffer_init(&sb);
	msgpack_packer pk;
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 2);
	pack_str(&pk, "Command");
	pack_str(&pk, command);
	pack_str(&pk, "Seq");
	msgpack_pack_uint64(&pk, seq);
	msgpack_pack_map(&pk, 1);
	if (tag == NULL) {
		pack_str(&pk, "Version");
		msgpack_pack_int(&pk, 1);
	} else {
		pack_str(&pk, "Tags");
		msgpack_pack_map(&pk, 1);
		pack_str(&pk, tag);
		pack_str(&pk, value);
	}
	int rc = send_all(fd, sb.data, sb.size);
	msgpack_sbuffer_destroy(&sb);
	if (rc != 0)
		return -1;
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

static int
bench_serf(const char *addr, const char *tagval, double seconds)
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
	size_t n = 0;
	long count = 0;
	uint64_t end = now_ns() + (uint64_t)(seconds * 1e9);
	while (n < SAMPLES_MAX && lat) {
		uint64_t t0 = now_ns();
		if (t0 >= end)
			break;
		count = rpc(fd, &u, "members-filtered", n + 1, tag, eq + 1, 1);
		if (count < 0) {
			fprintf(stderr, "bench-lookup: serf RPC failed\n");
			return 1;
		}
		lat[n++] = now_ns() - t0;
	}
	report("serf", lat, n, seconds, (size_t)count);
	msgpack_unpacker_destroy(&u);
	close(fd);
	free(lat);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "rumor") == 0)
		return bench_rumor(argv[2], argv[3], atof(argv[4]));
	if (argc == 5 && strcmp(argv[1], "serf") == 0)
		return bench_serf(argv[2], argv[3], atof(argv[4]));
	fprintf(stderr, "usage: bench-lookup rumor SOCKET NAME SECONDS\n"
			"       bench-lookup serf HOST:PORT TAG=VALUE SECONDS\n");
	return 2;
}
