/*
 * swim_addr: how a member is known and reached. Its name is its identity
 * (a node restarted elsewhere is the same member); its address is where it
 * is now.
 */
#ifndef RUMOR_SWIM_ADDR_H
#define RUMOR_SWIM_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rumor/error.h"

/** Longest node name in bytes (no NUL inside; printable ASCII). */
#define SWIM_NAME_MAX 64

/** An IPv4 endpoint, host byte order. The simulator invents its own. */
struct swim_addr {
	uint32_t ip;
	uint16_t port;
};

/** Write "a.b.c.d:port" into buf (at least 22 bytes). Returns buf. */
char *
swim_addr_str(const struct swim_addr *addr, char *buf, size_t size);

/** Parse "a.b.c.d:port". Returns 0 or RUMOR_EINVAL. */
RUMOR_MUST_CHECK int
swim_addr_parse(const char *text, struct swim_addr *out);

/** Whether text is an IPv6 endpoint, "[::1]:7946" or
 *  "[fe80::1%eth0]:7946" (hex digits and colons, an optional embedded
 *  IPv4 and zone, a port 0-65535): what swim_addr_parse() refuses
 *  because the core carries IPv4 only (docs/protocol.md, "IPv6"), so
 *  that callers can say so rather than "bad address". */
bool
swim_addr_is_ipv6(const char *text);

/** Is `name` acceptable as a node name? */
bool
swim_name_valid(const char *name, size_t len);

#endif /* RUMOR_SWIM_ADDR_H */
