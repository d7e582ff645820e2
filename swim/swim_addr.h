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

/** Is `name` acceptable as a node name? */
bool
swim_name_valid(const char *name, size_t len);

#endif /* RUMOR_SWIM_ADDR_H */
