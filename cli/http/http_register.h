/*
 * http_register: PUT /v1/agent/service/register's body, Consul's service
 * definition, into our struct service. Pure (jansson only).
 *
 *	{"Name": "web", "ID": "web-1", "Tags": ["v1"], "Address": "10.0.0.5",
 *	 "Port": 8080, "Meta": {"zone": "a"},
 *	 "Check": {"TTL": "10s"}}                  or {"TCP": "10.0.0.5:8080",
 *	                                           "Interval": "5s",
 *	                                           "Timeout": "1s"}
 *	                                           or {"HTTP": "http://...",
 *	                                           "Interval": "5s"}
 *
 * Field names match without regard to case, as Consul's (Go's) decoder
 * does; null is the same as absent. "Name" is required, "ID" defaults to
 * it. One check at most, as "Check" or a one-element "Checks"; its
 * "Status" ("passing" or "critical") is where it starts, critical when
 * not given (Consul's default); "Interval" is required for TCP and HTTP
 * checks, "Timeout" defaults to 10s (Consul's). "Name", "CheckID",
 * "Notes", "EnableTagOverride", "Weights", "TaggedAddresses",
 * "Namespace" and "Partition" are taken and ignored. Anything else, or a
 * field rumor cannot honour (script checks, "Args": the API can be
 * reachable by others, so it never runs commands, as Consul's
 * enable_script_checks defaults to off; "DeregisterCriticalServiceAfter";
 * Connect), is refused with a reason naming it, never silently dropped.
 * The result then goes through service_validate, the same check every
 * registration gets, whichever way it came.
 */
#ifndef RUMOR_HTTP_REGISTER_H
#define RUMOR_HTTP_REGISTER_H

#include <stddef.h>

#include "membership/service.h"

/** Room for the reason a body was refused. */
#define HTTP_WHY_SIZE 160
/** Consul's default check timeout. */
#define HTTP_CHECK_TIMEOUT_DEFAULT_MS 10000

/**
 * Decode a body of size bytes into *out, one malloc'd block (free() it).
 * Returns 0, RUMOR_ENOMEM, or RUMOR_EINVAL with why (HTTP_WHY_SIZE
 * bytes) holding one line: "body:1:17: ..." for bad JSON, else what is
 * wrong ("\"Port\" must be 0-65535").
 */
int
http_register_decode(struct service **out, const char *body, size_t size,
		     char *why);

#endif /* RUMOR_HTTP_REGISTER_H */
