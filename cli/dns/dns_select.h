/*
 * dns_select: which instances a service question answers with, and in
 * what order. It visits the directory once, keeps the healthy instances
 * that carry the tag and have the kind of address the question type
 * wants, samples at most `cap` of them uniformly (reservoir sampling)
 * and shuffles those, all with a PRNG seeded by the caller's draw: the
 * same directory, question and draw give the same answer, and a service
 * with many instances costs one pass and `cap` slots of memory.
 */
#ifndef RUMOR_DNS_SELECT_H
#define RUMOR_DNS_SELECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns_directory.h"

/** What a question type wants of an instance (a mask). */
enum dns_want {
	/** An IPv4 address (A). */
	DNS_WANT_IPV4 = 1 << 0,
	/** An IPv6 address (AAAA). */
	DNS_WANT_IPV6 = 1 << 1,
	/** Anything an SRV record can point at: an address or a host. */
	DNS_WANT_TARGET = 1 << 2,
};

/** One chosen instance. */
struct dns_pick {
	/** Its node's name (the directory's string). */
	const char *node;
	/** Its address: its own, or its node's. NONE with a host. */
	struct dns_addr addr;
	/** Its own address when that is a host name, else NULL. */
	const char *host;
	/** addr is its own address, other than its node's. */
	bool own;
	/** Its port. */
	uint16_t port;
};

/** The outcome of one selection. */
struct dns_selection {
	/** Instances of the service with the tag, in any health. */
	size_t known;
	/** Of those, the ones the question could be answered with. */
	size_t matched;
	/** Picks kept in picks[0..count), count = min(matched, cap). */
	size_t count;
};

/**
 * Visit the instances of `service` through dir and choose. tag is "" for
 * any, else matched ignoring ASCII case; want is a mask of enum dns_want
 * (0 chooses nothing but still counts `known`); picks has room for cap
 * (at least 1).
 */
void
dns_select(struct dns_selection *out, const struct dns_directory *dir,
	   const char *service, const char *tag, unsigned want,
	   uint64_t rand_draw, struct dns_pick *picks, size_t cap);

/** Parse an IPv4 or IPv6 literal; false (out untouched) for anything
 *  else. */
bool
dns_select_parse_addr(const char *text, struct dns_addr *out);

#endif /* RUMOR_DNS_SELECT_H */
