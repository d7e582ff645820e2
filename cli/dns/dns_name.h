/*
 * dns_name: the names the agent answers for, under its domain D
 * ("rumor." by default), and the names it writes as SRV targets.
 *
 *	D                          the apex: SOA
 *	service.D node.D addr.D    exist, hold nothing (NOERROR, no data)
 *	NAME.service.D             the healthy instances of service NAME
 *	TAG.NAME.service.D         ... that carry TAG
 *	_NAME._TAG.service.D       RFC 2782 form; _tcp means any tag
 *	NODE.node.D                a live member's address
 *	HEX.addr.D                 an address spelled in hex (8 digits for
 *	                           IPv4, 32 for IPv6): SRV targets for
 *	                           addresses that are not their node's
 *	anything else under D      NXDOMAIN; names outside D are refused
 *
 * NAME is a registry service name ([A-Za-z0-9._-], membership/service.h)
 * in one label, so a name longer than 63 bytes cannot be asked for, and
 * a dotted name "a.b" only as the single label a\.b. TAG is one label of
 * printable characters. NODE may take several labels: they are joined
 * with dots, so the member "db1.example" is db1.example.node.D.
 *
 * Node names come from swim_name_valid (printable ASCII, no spaces, up to
 * 64 bytes), which allows names no DNS name can spell: an empty label
 * ("a..b", ".a", "a.") or a label over 63 bytes (a 64-byte name without a
 * dot). Such a member has no NODE.node.D name; SRV records of its
 * services point at HEX.addr.D instead, which always resolves. The same
 * fallback serves an instance with an address of its own, so that
 * NODE.node.D keeps meaning the node's address alone.
 *
 * All names here are compared in lowercase (libknot lowers the question);
 * the directory matches service and node names ignoring case. Targets
 * keep the node's own spelling.
 */
#ifndef RUMOR_DNS_NAME_H
#define RUMOR_DNS_NAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns_directory.h"
#include "membership/service.h"
#include "swim/swim.h"

enum dns_route_kind {
	/** Not under the domain: REFUSED. */
	DNS_ROUTE_OUTSIDE = 0,
	/** Under the domain, names nothing: NXDOMAIN. */
	DNS_ROUTE_NXDOMAIN,
	/** Exists without records of its own (service.D, node.D, addr.D). */
	DNS_ROUTE_EMPTY,
	/** The domain itself. */
	DNS_ROUTE_APEX,
	/** A service, maybe with a tag. */
	DNS_ROUTE_SERVICE,
	/** A member. */
	DNS_ROUTE_NODE,
	/** An address in hex. */
	DNS_ROUTE_ADDR,
};

/** What a question's name asks for. */
struct dns_route {
	enum dns_route_kind kind;
	/** SERVICE: the service name, NUL-terminated, lowercase. */
	char service[SERVICE_NAME_MAX + 1];
	/** SERVICE: the tag, or "" for any. */
	char tag[SERVICE_NAME_MAX + 1];
	/** NODE: the member's name, lowercase. */
	char node[SWIM_NAME_MAX + 1];
	/** ADDR: the address. */
	struct dns_addr addr;
};

/**
 * Route a question. qname is a valid, uncompressed wire name in
 * lowercase (knot_pkt_qname), domain is the config's. Never fails: a
 * name that fits no rule is NXDOMAIN (or OUTSIDE).
 */
void
dns_name_route(struct dns_route *out, const uint8_t *qname,
	       const uint8_t *domain);

/**
 * Write NODE.node.<domain> in wire form into out[0..cap); returns its
 * size, or 0 when the node name has no DNS spelling (see above) or it
 * does not fit.
 */
size_t
dns_name_node_target(uint8_t *out, size_t cap, const char *node,
		     const uint8_t *domain);

/** Write HEX.addr.<domain> for addr (IPv4 or IPv6); returns its size, or
 *  0 when it does not fit or addr has no family. */
size_t
dns_name_addr_target(uint8_t *out, size_t cap, const struct dns_addr *addr,
		     const uint8_t *domain);

/**
 * Write a host name ("db.example.com", a trailing dot optional) as an
 * absolute wire name; returns its size, or 0 unless it is 1..127 labels
 * of letters, digits, '-' and '_', each 1..63 bytes, that fit.
 */
size_t
dns_name_host(uint8_t *out, size_t cap, const char *host);

#endif /* RUMOR_DNS_NAME_H */
