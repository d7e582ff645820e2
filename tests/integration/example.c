/*
 * The README's example: a service registers itself with its local agent
 * and heartbeats, and a client picks an instance. Built as rumor-example;
 * tests/integration/test_client.sh runs it against a real agent.
 *
 *	rumor-example SOCKET
 */
#include <stdio.h>

#include "rumor/rumor.h"

int
main(int argc, char **argv)
{
	struct rumor *r;
	if (argc != 2 || rumor_connect(argv[1], &r) != 0) {
		fprintf(stderr, "usage: rumor-example SOCKET (agent running)\n");
		return 2;
	}
	/* The service: register with a 10 s TTL, then heartbeat. */
	const char *tags[] = {"v2"};
	struct rumor_service web = {.name = "web", .port = 8080,
				    .tags = tags, .tag_count = 1,
				    .ttl_ms = 10000};
	if (rumor_register(r, &web) != 0 || rumor_pass(r, "web") != 0) {
		fprintf(stderr, "register: %s\n", rumor_last_error(r));
		return 1;
	}
	/* A client: one healthy instance, round robin. */
	struct rumor_instance in;
	int rc = rumor_pick(r, "web", "v2", RUMOR_PICK_ROUND_ROBIN, &in);
	if (rc != 0) {
		fprintf(stderr, "pick: %s\n", rumor_strerror(rc));
		return 1;
	}
	printf("web is at %s:%u (node %s)\n", in.address, in.port, in.node);
	rumor_close(r);
	return 0;
}
