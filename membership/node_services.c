/*
 * node_services: our announcement, the services and the tags. A set is
 * validated and encoded before anything changes; it travels as our SWIM
 * metadata with the tags (node_tags.h), or past NODE_SERVICES_GOSSIP_MAX
 * as the stub of a large set (node_largeset.c) with the tags, versioned
 * by the incarnation the announcement raises. Everything that can fail
 * comes before swim_set_meta, so a refused announcement leaves the node
 * as it was. The node keeps what it announced (node->own, node->tags) so
 * that either part can change alone.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node_follow.h"
#include "node_internal.h"
#include "node_largeset.h"
#include "node_services.h"
#include "node_tags.h"
#include "rumor/error.h"
#include "service_digest.h"

/* The largest stub (service.c's set_encode with full_size): a fixmap,
 * 1: version (uint64, 9 bytes), 2: [] (fixarray), 3: full size (uint32,
 * 5 bytes), 4: digest (bin8 of 16); then key 5 and the tags. */
#define NODE_STUB_MAX (1 + (1 + 9) + (1 + 1) + (1 + 5) + (1 + 2 + 16))
_Static_assert(NODE_STUB_MAX + 1 + NODE_TAGS_SIZE_MAX <=
		       NODE_SERVICES_GOSSIP_MAX,
	       "the largest tags fit beside the largest stub");

/*
 * Validate and encode a set for announcing at `version`; nothing changes.
 * *meta is what the announcement carries: the set itself when it fits,
 * else its stub, and then *full is the set (NULL otherwise) and digest
 * its digest.
 */
static int
services_encode(const struct node *node,
		const struct service *const *services, size_t count,
		const uint8_t *tags, size_t tags_size,
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
	if (rc == 0 &&
	    *meta_size + (tags_size ? 1 + tags_size : 0) >
		    NODE_SERVICES_GOSSIP_MAX) {
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
	if (rc == 0 && tags_size > 0) {
		uint8_t *set = *meta;
		rc = node_tags_append(set, *meta_size, tags, tags_size, meta,
				      meta_size);
		free(set);
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
	int rc = services_encode(node, services, count, node->tags,
				 node->tags_size,
				 swim_self_incarnation(node->swim) + 1, &meta,
				 &meta_size, &full, &full_size, digest, why);
	if (rc == 0) {
		free(meta);
		free(full);
	}
	return rc;
}

/* A copy of services (each dup'd), for node->own; NULL on OOM. */
static struct service **
services_dup(const struct service *const *services, size_t count)
{
	struct service **list = calloc(count ? count : 1, sizeof(*list));
	for (size_t i = 0; list != NULL && i < count; i++) {
		list[i] = service_dup(services[i]);
		if (list[i] == NULL) {
			for (size_t j = 0; j < i; j++)
				free(list[j]);
			free(list);
			list = NULL;
		}
	}
	return list;
}

static void
services_free(struct service **list, size_t count)
{
	for (size_t i = 0; list != NULL && i < count; i++)
		free(list[i]);
	free(list);
}

/* Announce services and tags (encoded; tags_size 0 for none) as one,
 * keeping both as ours; on error nothing changed. */
static int
announce(struct node *node, uint64_t now_ms,
	 const struct service *const *services, size_t count,
	 const uint8_t *tags, size_t tags_size, const char **why)
{
	node->now_ms = now_ms;
	/* The announcement raises our incarnation by one: the set's
	 * version. */
	uint64_t version = swim_self_incarnation(node->swim) + 1;
	uint8_t *meta, *full, digest[SERVICE_SET_DIGEST_SIZE];
	size_t meta_size, full_size;
	int rc = services_encode(node, services, count, tags, tags_size,
				 version, &meta, &meta_size, &full,
				 &full_size, digest, why);
	if (rc != 0)
		return rc;
	/* Everything that can fail comes before the announcement. */
	struct service_set set = {.count = count};
	set.services = services_dup(services, count);
	struct service **own = services_dup(services, count);
	uint8_t *tags_copy = tags_size ? malloc(tags_size) : NULL;
	if (set.services == NULL || own == NULL ||
	    (tags_size && tags_copy == NULL) ||
	    node__largeset_reserve(node) != 0) {
		if (set.services == NULL)
			set.count = 0;
		service_set_destroy(&set);
		services_free(own, count);
		free(tags_copy);
		free(meta);
		free(full);
		if (why != NULL)
			*why = "out of memory";
		return RUMOR_ENOMEM;
	}
	if (tags_size)
		memcpy(tags_copy, tags, tags_size);
	bool any = count > 0 || tags_size > 0;
	rc = swim_set_meta(node->swim, now_ms, any ? meta : NULL,
			   any ? meta_size : 0);
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
		services_free(node->own, node->own_count);
		node->own = own;
		node->own_count = count;
		free(node->tags);
		node->tags = tags_copy;
		node->tags_size = tags_size;
	} else {
		services_free(own, count);
		free(tags_copy);
		if (why != NULL)
			*why = rc == RUMOR_ENOMEM ? "out of memory"
						  : "the agent is leaving";
	}
	free(full);
	service_set_destroy(&set);
	node__follow(node);
	return rc;
}

int
node_set_services(struct node *node, uint64_t now_ms,
		  const struct service *const *services, size_t count,
		  const char **why)
{
	return announce(node, now_ms, services, count, node->tags,
			node->tags_size, why);
}

int
node_set_tags(struct node *node, uint64_t now_ms,
	      const struct service_kv *tags, size_t count, char *why_buf,
	      size_t why_size)
{
	size_t size;
	int rc = node_tags_check(tags, count, &size, why_buf, why_size);
	uint8_t enc[NODE_TAGS_SIZE_MAX];
	if (rc == 0 && count > 0)
		rc = node_tags_encode(tags, count, enc, sizeof(enc), &size);
	if (rc != 0)
		return rc;
	size_t enc_size = count > 0 ? size : 0;
	if (enc_size == node->tags_size &&
	    (enc_size == 0 || memcmp(enc, node->tags, enc_size) == 0))
		return 0; /* the same tags: nothing to announce */
	const char *why = "refused";
	rc = announce(node, now_ms, (const struct service *const *)node->own,
		      node->own_count, enc, enc_size, &why);
	if (rc != 0)
		snprintf(why_buf, why_size, "%s", why);
	return rc;
}

int
node_tags_of(const struct node *node, const char *name,
	     struct node_tags *out)
{
	struct swim_member_info m;
	out->count = 0;
	if (swim_member_find(node->swim, name, &m) != 0)
		return RUMOR_ENOTFOUND;
	return node_tags_decode(m.meta, m.meta_size, out);
}
