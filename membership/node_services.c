/*
 * node_services: our announcement. A set is validated and encoded before
 * anything changes; it travels as our SWIM metadata, or past
 * NODE_SERVICES_GOSSIP_MAX as the stub of a large set (node_largeset.c),
 * versioned by the incarnation the announcement raises. Everything that
 * can fail comes before swim_set_meta, so a refused announcement leaves
 * the node as it was.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "node_follow.h"
#include "node_internal.h"
#include "node_largeset.h"
#include "node_services.h"
#include "rumor/error.h"
#include "service_digest.h"

/*
 * Validate and encode a set for announcing at `version`; nothing changes.
 * *meta is what the announcement carries: the set itself when it fits,
 * else its stub, and then *full is the set (NULL otherwise) and digest
 * its digest.
 */
static int
services_encode(const struct node *node,
		const struct service *const *services, size_t count,
		uint64_t version, uint8_t **meta, size_t *meta_size,
		uint8_t **full, size_t *full_size,
		uint8_t digest[SERVICE_SET_DIGEST_SIZE], const char **why)
{
	*full = NULL;
	*full_size = 0;
	if (swim_is_leaving(node->swim)) {
		if (why != NULL)
			*why = "the agent is leaving";
		return RUMOR_ESTATE;
	}
	if (count > SERVICE_PER_NODE_MAX) {
		if (why != NULL)
			*why = "too many services on one node";
		return RUMOR_ETOOBIG;
	}
	for (size_t i = 0; i < count; i++) {
		int rc = service_validate(services[i], why);
		if (rc != 0)
			return rc;
		for (size_t j = 0; j < i; j++) {
			if (strcmp(services[i]->id, services[j]->id) == 0) {
				if (why != NULL)
					*why = "two services have the same id";
				return RUMOR_EINVAL;
			}
		}
	}
	int rc = service_set_encode(version, services, count, meta,
				    meta_size);
	if (rc == 0 && *meta_size > NODE_SERVICES_GOSSIP_MAX) {
		*full = *meta;
		*full_size = *meta_size;
		service_digest(digest, *full, *full_size);
		rc = service_set_encode_stub(version, *full_size, digest, meta,
					     meta_size);
		if (rc != 0) {
			free(*full);
			*full = NULL;
		}
	}
	if (rc != 0) {
		if (why != NULL)
			*why = rc == RUMOR_ENOMEM
				       ? "out of memory"
				       : "the services are too big for one node";
		return rc;
	}
	return 0;
}

int
node_check_services(const struct node *node,
		    const struct service *const *services, size_t count,
		    const char **why)
{
	uint8_t *meta, *full, digest[SERVICE_SET_DIGEST_SIZE];
	size_t meta_size, full_size;
	int rc = services_encode(node, services, count,
				 swim_self_incarnation(node->swim) + 1, &meta,
				 &meta_size, &full, &full_size, digest, why);
	if (rc == 0) {
		free(meta);
		free(full);
	}
	return rc;
}

int
node_set_services(struct node *node, uint64_t now_ms,
		  const struct service *const *services, size_t count,
		  const char **why)
{
	node->now_ms = now_ms;
	/* The announcement raises our incarnation by one: the set's
	 * version. */
	uint64_t version = swim_self_incarnation(node->swim) + 1;
	uint8_t *meta, *full, digest[SERVICE_SET_DIGEST_SIZE];
	size_t meta_size, full_size;
	int rc = services_encode(node, services, count, version, &meta,
				 &meta_size, &full, &full_size, digest, why);
	if (rc != 0)
		return rc;
	/* Everything that can fail comes before the announcement. */
	struct service_set set = {.count = count};
	set.services = calloc(count ? count : 1, sizeof(*set.services));
	for (size_t i = 0; set.services != NULL && i < count; i++) {
		set.services[i] = service_dup(services[i]);
		if (set.services[i] == NULL) {
			service_set_destroy(&set);
			set.services = NULL;
		}
	}
	if (set.services == NULL || node__largeset_reserve(node) != 0) {
		service_set_destroy(&set);
		free(meta);
		free(full);
		if (why != NULL)
			*why = "out of memory";
		return RUMOR_ENOMEM;
	}
	rc = swim_set_meta(node->swim, now_ms, count ? meta : NULL,
			   count ? meta_size : 0);
	free(meta);
	if (rc == 0) {
		const char *self = swim_self_name(node->swim);
		if (full != NULL)
			node__largeset_put(node, self, digest, full, full_size);
		else
			node__largeset_drop(node, self);
		full = NULL;
		/* Our own entry exists since node_new and the version is
		 * new, so this cannot fail. */
		set.version = version;
		int applied = registry_apply(node->registry, self, &set);
		assert(applied == 1);
		(void)applied;
	} else if (why != NULL) {
		*why = rc == RUMOR_ENOMEM ? "out of memory"
					  : "the agent is leaving";
	}
	free(full);
	service_set_destroy(&set);
	node__follow(node);
	return rc;
}
