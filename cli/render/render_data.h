/*
 * render_data: the catalog as the data of a `rumor render` template (the
 * jansson tree mustache_render walks), and which parts of the catalog a
 * set of templates needs. Pure: the command fetches the lists through
 * the client library and hands them in; nothing here does I/O.
 *
 * The data model (docs/render.md says it for users):
 *
 *	{
 *	  "web":      [{"id": "web-1", "address": "10.0.0.5", "port": 8080,
 *	                "node": "n1", "tags": ["v2"],
 *	                "meta": {"zone": "a"}}, ...],
 *	  "api.v2":   [...],
 *	  "api_v2":   [...the same list...],
 *	  "services": [{"name": "web", "healthy": 1, "total": 2,
 *	                "instances": [...web's list...]}, ...],
 *	  "nodes":    [{"name": "n1", "address": "10.0.0.5", "port": 7946,
 *	                "status": "alive", "alive": true}, ...]
 *	}
 *
 * - One key per service name, holding its healthy instances (passing,
 *   on a node that is up) in (node, id) order; [] when none is healthy
 *   (falsey, like a missing name).
 * - "services": every service name in the cluster, in name order, with
 *   its counts and the same healthy list under "instances", so a
 *   template can write one block per service whatever the names are.
 * - "nodes": every member the agent knows, in name order; address and
 *   port are its gossip address, status one of alive, suspect, failed,
 *   left; alive is true when status is alive (Mustache cannot compare).
 * - Names: a service called "services" or "nodes" is reachable only
 *   through the services list. A name with a dot cannot be reached by
 *   itself ({{#api.v2}} reads "v2" inside "api"), so it is also under
 *   the name with each '.' replaced by '_', unless a service has that
 *   name (a real name wins; between dotted names that turn into the same
 *   one, the first in name order).
 */
#ifndef RUMOR_RENDER_DATA_H
#define RUMOR_RENDER_DATA_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "cli/render/mustache.h"
#include "rumor/rumor.h"

/** The root key of the services list. */
#define RENDER_DATA_SERVICES "services"
/** The root key of the node list. */
#define RENDER_DATA_NODES "nodes"

/** A new root: {"services": [], "nodes": []}; NULL when out of memory.
 *  The caller json_decref()s it. */
json_t *
render_data_new(void);

/**
 * Add service s with its healthy instances list[0..count): under its
 * name (not "services" or "nodes"), under its '_' alias when the name
 * has a dot and the alias is free, and as {name, healthy, total,
 * instances} at the end of root.services (so add services in name order).
 * A real name replaces an alias added before it. 0, or RUMOR_ENOMEM with
 * root possibly half changed (throw it away).
 */
int
render_data_add_service(json_t *root, const struct rumor_summary *s,
			const struct rumor_instance *list, size_t count);

/** Set root.nodes to the members list[0..count), sorted by name. 0 or
 *  RUMOR_ENOMEM. */
int
render_data_set_nodes(json_t *root, const struct rumor_member *list,
		      size_t count);

/** root.nodes alone, as render_data_set_nodes() builds it: what a
 *  caller polling the member list compares; NULL when out of memory. */
json_t *
render_data_nodes(const struct rumor_member *list, size_t count);

/** Whether name has a dot; if so, its alias (each '.' a '_') into out,
 *  size bytes (truncated to fit). */
bool
render_data_alias(char *out, size_t size, const char *name);

/** What the templates use of the catalog: the root names of their tags
 *  (mustache_name), sorted out. */
struct render_needs {
	/** "services" is used: every service is needed. */
	bool all;
	/** "nodes" is used: the member list is needed. */
	bool nodes;
	/** Every other root name, copied, sorted, without duplicates. */
	char **names;
	/** Entries of names, and room for them. */
	size_t count, cap;
};

/** An empty set (needs nothing). */
void
render_needs_create(struct render_needs *n);

/** Free what n holds; it is empty again. */
void
render_needs_destroy(struct render_needs *n);

/** Add the root names t uses. 0, or RUMOR_ENOMEM with n as it was. */
int
render_needs_add(struct render_needs *n, const struct mustache *t);

/** Whether the templates use service `name`: by its name or its alias,
 *  or through the services list. */
bool
render_needs_service(const struct render_needs *n, const char *name);

#endif /* RUMOR_RENDER_DATA_H */
