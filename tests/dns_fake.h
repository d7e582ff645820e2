/*
 * A fake directory for cli/dns (tests/unit/test_dns.c,
 * tests/fuzz/fuzz_dns.c): tables of instances and members standing in
 * for the agent's registry, matched ignoring case as the real one must.
 */
#ifndef RUMOR_TESTS_DNS_FAKE_H
#define RUMOR_TESTS_DNS_FAKE_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "cli/dns/dns_directory.h"

struct fake_instance {
	const char *service;
	const char *node;
	/** NULL: the node's. */
	const char *address;
	uint16_t port;
	const char *tags[4];
	size_t tag_count;
	bool healthy;
};

struct fake_node {
	const char *name;
	/** IPv4 or IPv6 literal. */
	const char *ip;
	bool alive;
};

struct fake_dir {
	const struct fake_instance *instances;
	size_t count;
	const struct fake_node *nodes;
	size_t node_count;
	/** Calls of each kind, to check what dns_answer asked. */
	unsigned instance_calls, node_calls;
};

static inline void
fake_addr(const char *ip, struct dns_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, ip, out->bytes) == 1)
		out->family = DNS_FAMILY_IPV4;
	else if (inet_pton(AF_INET6, ip, out->bytes) == 1)
		out->family = DNS_FAMILY_IPV6;
}

static inline const struct fake_node *
fake_find_node(const struct fake_dir *d, const char *name)
{
	for (size_t i = 0; i < d->node_count; i++) {
		if (strcasecmp(d->nodes[i].name, name) == 0)
			return &d->nodes[i];
	}
	return NULL;
}

static inline void
fake_instances(void *ctx, const char *name, dns_instance_cb visit,
	       void *arg)
{
	struct fake_dir *d = ctx;
	d->instance_calls++;
	for (size_t i = 0; i < d->count; i++) {
		const struct fake_instance *f = &d->instances[i];
		if (strcasecmp(f->service, name) != 0)
			continue;
		const struct fake_node *n = fake_find_node(d, f->node);
		struct dns_instance in = {
			.node = f->node,
			.address = f->address,
			.port = f->port,
			.tags = f->tags,
			.tag_count = f->tag_count,
			.healthy = f->healthy && n != NULL && n->alive,
		};
		if (n != NULL)
			fake_addr(n->ip, &in.node_addr);
		visit(arg, &in);
	}
}

static inline bool
fake_node(void *ctx, const char *name, struct dns_addr *out)
{
	struct fake_dir *d = ctx;
	d->node_calls++;
	const struct fake_node *n = fake_find_node(d, name);
	if (n == NULL || !n->alive)
		return false;
	fake_addr(n->ip, out);
	return true;
}

static inline struct dns_directory
fake_directory(struct fake_dir *d)
{
	return (struct dns_directory){
		.ctx = d, .instances = fake_instances, .node = fake_node};
}

#endif /* RUMOR_TESTS_DNS_FAKE_H */
