/*
 * http_consul: the JSON answers of the HTTP API, in the shapes Consul's
 * agent returns, so tools written for Consul's API read them unchanged
 * (docs/http.md shows each). Pure: structs in, bytes into an http_buf.
 *
 * rumor has no datacenters, no Raft and no node checks besides
 * membership, so: "Datacenter" is always HTTP_CONSUL_DC (Consul's
 * default name); the Raft indexes (CreateIndex, ModifyIndex) are left
 * out; every health entry has Consul's "serfHealth" check (passing while
 * the node is alive or suspect) and one "service:<id>" check carrying the
 * service's health (type "ttl" for a TTL service).
 */
#ifndef RUMOR_HTTP_CONSUL_H
#define RUMOR_HTTP_CONSUL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http_buf.h"
#include "membership/service.h"
#include "swim/swim_addr.h"
#include "swim/swim_types.h"

/** The datacenter every answer names. */
#define HTTP_CONSUL_DC "dc1"

/** A member, for /v1/agent/members and /v1/agent/self. */
struct http_member {
	const char *name;
	struct swim_addr addr;
	enum swim_status status;
	uint64_t incarnation;
};

/** One instance, for /v1/health/service/<name>. */
struct http_entry {
	/** The node it is registered on, and that node's host ("" when
	 *  unknown). */
	const char *node;
	const char *node_address;
	/** The node is alive or suspect (Consul's serfHealth check). */
	bool node_up;
	/** Its own address is Service.Address ("" when it has none, as
	 *  in Consul: the client then uses Node.Address). */
	const struct service *service;
};

/** The i-th element of a JSON array is about to be written: "[" before
 *  the first, "," before the others. (An empty array: http_buf_puts
 *  "[]".) */
void
http_consul_next(struct http_buf *b, size_t i, char open);

/** {"Name", "Addr", "Port", "Tags", "Status", ...}: Status is Serf's
 *  number (1 alive, also for suspect; 3 left; 4 failed), Tags carry our
 *  own status and incarnation. */
void
http_consul_member(struct http_buf *b, const struct http_member *m);

/** {"Config": {"Datacenter", "NodeName", ...}, "Member": member}. */
void
http_consul_self(struct http_buf *b, const struct http_member *self,
		 const char *version);

/** "name": [tag, ...] of /v1/catalog/services (the i-th of them:
 *  http_consul_next with '{' first, then "}" after the last). */
void
http_consul_service_tags(struct http_buf *b, const char *name,
			 const char *const *tags, size_t tag_count);

/** {"Node": {...}, "Service": {...}, "Checks": [...]}. */
void
http_consul_entry(struct http_buf *b, const struct http_entry *e);

/** {"error": why} and a newline: every error answer's body. */
void
http_consul_error(struct http_buf *b, const char *why);

#endif /* RUMOR_HTTP_CONSUL_H */
