/*
 * dns_config: the DNS interface's settings, their defaults and checks.
 */
#ifndef RUMOR_DNS_CONFIG_H
#define RUMOR_DNS_CONFIG_H

#include <stdint.h>

/** Bytes in a domain name in wire form (RFC 1035 2.3.4). */
#define DNS_NAME_MAX 255

/** Bytes the domain may take in wire form: short enough that every name
 *  under it the agent writes (HEX.addr.D, with 32 hex digits, and
 *  NODE.node.D for a 64-byte node name) stays within DNS_NAME_MAX. */
#define DNS_DOMAIN_MAX 128

/** Where the agent listens by default (Consul's DNS port); "off" for
 *  no DNS interface is the agent's to parse. */
#define DNS_LISTEN_DEFAULT "127.0.0.1:8600"

/** The default domain: names are web.service.rumor. and so on. */
#define DNS_DOMAIN_DEFAULT "rumor."

/* TTLs: 0 as Consul's defaults (dns_config.service_ttl, node_ttl,
 * soa.min_ttl), so a resolver asks again and sees health changes at
 * once. */
#define DNS_SERVICE_TTL_S_DEFAULT 0
#define DNS_NODE_TTL_S_DEFAULT 0
#define DNS_NEGATIVE_TTL_S_DEFAULT 0

/** Largest UDP answer to an EDNS client: 1232 bytes, the DNS Flag Day
 *  2020 value, which fits an IPv6 packet in a 1280-byte MTU unfragmented.
 *  A client that offers less gets what it offers (at least 512). */
#define DNS_UDP_PAYLOAD_DEFAULT 1232

/** Longest TTL a setting may hold: RFC 2181 8 (2^31 - 1 seconds). */
#define DNS_TTL_S_MAX 2147483647u

struct dns_config {
	/** The domain in wire form, lowercase (dns_config_set_domain). */
	uint8_t domain[DNS_NAME_MAX];
	/** TTL of service answers (A, AAAA, SRV and their additionals). */
	uint32_t service_ttl_s;
	/** TTL of node answers (<node>.node.<domain>). */
	uint32_t node_ttl_s;
	/** How long a resolver may remember "no such name" or "no such
	 *  record": the SOA's TTL and its MINIMUM (RFC 2308 5). */
	uint32_t negative_ttl_s;
	/** Largest UDP answer to an EDNS client, 512..65535. */
	uint16_t udp_payload_max;
	/** The SOA's serial, fixed at dns_new. The zone has no versions
	 *  and nothing transfers it: 1 will do. */
	uint32_t soa_serial;
};

/** The defaults above, domain "rumor.". */
void
dns_config_default(struct dns_config *cfg);

/**
 * Set the domain from text ("rumor", "rumor.", "sd.example."): one or
 * more labels of letters, digits, '-' and '_', each 1..63 bytes, at most
 * DNS_DOMAIN_MAX bytes in wire form (126 characters), stored lowercase.
 * Returns 0, or RUMOR_EINVAL (cfg unchanged): the root alone is refused,
 * since the agent would then claim every name.
 */
int
dns_config_set_domain(struct dns_config *cfg, const char *text);

/** 0 when cfg is usable by dns_new, RUMOR_EINVAL when not (a TTL over
 *  DNS_TTL_S_MAX, a UDP payload under 512, no domain). */
int
dns_config_check(const struct dns_config *cfg);

#endif /* RUMOR_DNS_CONFIG_H */
