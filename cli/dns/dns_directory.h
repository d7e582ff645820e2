/*
 * dns_directory: what the DNS interface asks of the agent's registry.
 *
 * dns_answer() is pure: it reads the cluster only through these two
 * calls, which the agent implements over its registry and member table.
 * Both are read-only and synchronous; they may not call back into
 * dns_answer, and everything they hand out (names, tags, addresses) must
 * stay valid until dns_answer returns (the registry does not change
 * during the call: the agent runs one thread).
 *
 * Names arrive in lowercase, as DNS compares them: the directory matches
 * service and node names ignoring ASCII case. Registry names are case
 * sensitive, so "Web" and "web" are two services to the registry and one
 * name to DNS; the directory lists the instances of both.
 */
#ifndef RUMOR_DNS_DIRECTORY_H
#define RUMOR_DNS_DIRECTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Address families of struct dns_addr. */
enum dns_family {
	DNS_FAMILY_NONE = 0,
	DNS_FAMILY_IPV4 = 4,
	DNS_FAMILY_IPV6 = 6,
};

/** An IP address in network byte order (IPv4 in bytes[0..3]). */
struct dns_addr {
	/** DNS_FAMILY_IPV4, DNS_FAMILY_IPV6, or NONE for no address. */
	uint8_t family;
	uint8_t bytes[16];
};

/** An IPv4 address given in host byte order (struct swim_addr's ip). */
static inline struct dns_addr
dns_addr_ipv4(uint32_t ip)
{
	return (struct dns_addr){
		.family = DNS_FAMILY_IPV4,
		.bytes = {(uint8_t)(ip >> 24), (uint8_t)(ip >> 16),
			  (uint8_t)(ip >> 8), (uint8_t)ip},
	};
}

/** One service instance as the directory shows it. */
struct dns_instance {
	/** Its node's name (swim_name_valid: printable, no spaces). */
	const char *node;
	/** Its node's address (the gossip address without its port). */
	struct dns_addr node_addr;
	/** Its own address as registered (struct service's address): NULL
	 *  or "" for its node's, else an IPv4 or IPv6 literal or a host
	 *  name. */
	const char *address;
	/** The port SRV records give. */
	uint16_t port;
	/** Its tags (tag_count strings). */
	const char *const *tags;
	size_t tag_count;
	/** Passing, and its node alive (registry_instance.healthy). */
	bool healthy;
};

/** dns_answer's visitor: called once per instance, inside
 *  dns_instances_cb. */
typedef void (*dns_instance_cb)(void *arg, const struct dns_instance *in);

/**
 * Call visit(arg, instance) once for every instance, healthy or not, of
 * every service whose name equals `name` ignoring ASCII case. `name` is
 * 1..SERVICE_NAME_MAX bytes of [a-z0-9._-]. The order should be stable
 * (e.g. the registry's (node, id) order): dns_answer shuffles with its
 * own random input, so the same input gives the same answer.
 */
typedef void (*dns_instances_cb)(void *ctx, const char *name,
				 dns_instance_cb visit, void *arg);

/**
 * The address of the member whose name equals `name` ignoring ASCII
 * case, if it is alive (the agent's notion: the registry's node-up flag);
 * false when there is none. `name` is 1..SWIM_NAME_MAX printable bytes
 * without spaces.
 */
typedef bool (*dns_node_cb)(void *ctx, const char *name,
			    struct dns_addr *out);

/** The directory: the agent's context and its two calls. */
struct dns_directory {
	void *ctx;
	dns_instances_cb instances;
	dns_node_cb node;
};

#endif /* RUMOR_DNS_DIRECTORY_H */
