/*
 * node: a SWIM core behind the seal layer. Ciphertext goes in, is opened
 * (or unwrapped in plaintext mode) and handed to the core; what the core
 * emits is sealed on the way out. The two modes never mix: an encrypted
 * node drops plaintext frames and a plaintext node drops sealed ones, each
 * counted under its own reason so a misconfigured peer is easy to spot.
 */
#include <stdlib.h>
#include <string.h>

#include "node.h"
#include "rumor/error.h"

const char *const node_drop_strs[node_drop_MAX] = {
	"none",	       "truncated", "plaintext", "encrypted", "version",
	"unknown_key", "auth",	    "oversize",	 "core",
};

struct node {
	struct swim *swim;
	const struct keyring *keyring;
	struct seal_nonce nonce;
	uint64_t drop_count[node_drop_MAX];
	struct registry *registry;
	uint64_t bad_service_sets;
};

struct node *
node_new(const struct node_config *cfg, uint64_t now_ms)
{
	struct swim_config swim_cfg = cfg->swim;
	size_t overhead = cfg->keyring ? SEAL_OVERHEAD : SEAL_PLAIN_OVERHEAD;
	if (swim_cfg.datagram_size_max > NODE_DATAGRAM_MAX - overhead)
		swim_cfg.datagram_size_max = NODE_DATAGRAM_MAX - overhead;
	if (cfg->keyring != NULL && keyring_count(cfg->keyring) == 0)
		return NULL;
	struct node *node = calloc(1, sizeof(*node));
	if (node == NULL)
		return NULL;
	node->swim = swim_new(&swim_cfg, &cfg->self, cfg->rand_seed, now_ms);
	if (node->swim == NULL) {
		free(node);
		return NULL;
	}
	node->registry = registry_new();
	/* Our own (empty) entry, so that node_set_services never has to
	 * allocate one after announcing. */
	struct service_set none = {0};
	if (node->registry == NULL ||
	    registry_apply(node->registry, cfg->self.name, &none) < 0) {
		registry_delete(node->registry);
		swim_delete(node->swim);
		free(node);
		return NULL;
	}
	node->keyring = cfg->keyring;
	seal_nonce_init(&node->nonce, cfg->nonce_prefix);
	return node;
}

void
node_delete(struct node *node)
{
	if (node == NULL)
		return;
	swim_delete(node->swim);
	registry_delete(node->registry);
	free(node);
}

static enum node_drop
drop_from_seal(int rc)
{
	switch (rc) {
	case RUMOR_ETRUNCATED:
		return NODE_DROP_TRUNCATED;
	case RUMOR_EPLAINTEXT:
		return NODE_DROP_PLAINTEXT;
	case RUMOR_EUNKNOWNKEY:
		return NODE_DROP_UNKNOWN_KEY;
	case RUMOR_EAUTH:
		return NODE_DROP_AUTH;
	case RUMOR_ENOSPACE:
		return NODE_DROP_OVERSIZE;
	default:
		return NODE_DROP_VERSION;
	}
}

static enum node_drop
count_drop(struct node *node, enum node_drop drop)
{
	node->drop_count[drop]++;
	return drop;
}

/*
 * Open a frame of `kind` into out (capacity at least size). Returns the
 * plaintext (out, or a pointer into data in plaintext mode) or NULL with
 * *drop set.
 */
static const uint8_t *
node_open(struct node *node, const uint8_t *data, size_t size,
	  enum seal_kind kind, uint8_t *out, size_t out_cap,
	  size_t *plain_size, enum node_drop *drop)
{
	if (size == 0) {
		*drop = NODE_DROP_TRUNCATED;
		return NULL;
	}
	if (node->keyring == NULL) {
		const uint8_t *plain = seal_plain_unwrap(data, size,
							 plain_size);
		if (plain == NULL)
			*drop = NODE_DROP_ENCRYPTED;
		return plain;
	}
	int rc = seal_open(out, out_cap, plain_size, data, size, kind,
			   node->keyring);
	if (rc != 0) {
		*drop = drop_from_seal(rc);
		return NULL;
	}
	return out;
}

enum node_drop
node_handle_datagram(struct node *node, uint64_t now_ms,
		     const struct swim_addr *from, const uint8_t *data,
		     size_t size)
{
	if (size > NODE_DATAGRAM_MAX)
		return count_drop(node, NODE_DROP_OVERSIZE);
	uint8_t buf[NODE_DATAGRAM_MAX];
	size_t plain_size;
	enum node_drop drop = NODE_DROP_NONE;
	const uint8_t *plain = node_open(node, data, size,
					 SEAL_KIND_DATAGRAM, buf, sizeof(buf),
					 &plain_size, &drop);
	if (plain == NULL)
		return count_drop(node, drop);
	if (swim_handle_datagram(node->swim, now_ms, from, plain,
				 plain_size) != SWIM_DROP_NONE)
		return count_drop(node, NODE_DROP_CORE);
	return NODE_DROP_NONE;
}

void
node_handle_timeout(struct node *node, uint64_t now_ms)
{
	swim_handle_timeout(node->swim, now_ms);
}

int
node_join(struct node *node, uint64_t now_ms, const struct swim_addr *addrs,
	  size_t count)
{
	return swim_join(node->swim, now_ms, addrs, count);
}

int
node_leave(struct node *node, uint64_t now_ms)
{
	return swim_leave(node->swim, now_ms);
}

bool
node_leave_done(const struct node *node, uint64_t now_ms)
{
	return swim_leave_done(node->swim, now_ms);
}

/* Seal or wrap plain into out; 0 or a negative RUMOR_E*. */
static int
node_close(struct node *node, uint8_t *out, size_t out_cap,
	   size_t *out_size, const uint8_t *plain, size_t size,
	   enum seal_kind kind)
{
	if (node->keyring == NULL)
		return seal_plain_wrap(out, out_cap, out_size, plain, size);
	return seal_close(out, out_cap, out_size, plain, size, kind,
			  &node->nonce, node->keyring);
}

bool
node_poll_datagram(struct node *node, struct node_datagram *out)
{
	struct swim_datagram dg;
	while (swim_poll_datagram(node->swim, &dg)) {
		if (node_close(node, out->data, sizeof(out->data), &out->size,
			       dg.data, dg.size, SEAL_KIND_DATAGRAM) != 0)
			continue;
		out->to = dg.to;
		return true;
	}
	return false;
}

bool
node_poll_stream(struct node *node, struct swim_stream_req *out)
{
	return swim_poll_stream(node->swim, out);
}

int
node_stream_encode(struct node *node, bool join, uint8_t **out,
		   size_t *size)
{
	uint8_t *plain;
	size_t plain_size;
	int rc = swim_state_encode(node->swim, join, &plain, &plain_size);
	if (rc != 0)
		return rc;
	size_t cap = NODE_STREAM_PREFIX + plain_size + SEAL_OVERHEAD;
	uint8_t *frame = malloc(cap);
	if (frame == NULL) {
		free(plain);
		return RUMOR_ENOMEM;
	}
	size_t sealed_size;
	rc = node_close(node, frame + NODE_STREAM_PREFIX,
			cap - NODE_STREAM_PREFIX, &sealed_size, plain,
			plain_size, SEAL_KIND_STREAM);
	free(plain);
	if (rc != 0 || sealed_size > NODE_STREAM_FRAME_MAX) {
		free(frame);
		return rc != 0 ? rc : RUMOR_ETOOBIG;
	}
	frame[0] = (uint8_t)(sealed_size >> 24);
	frame[1] = (uint8_t)(sealed_size >> 16);
	frame[2] = (uint8_t)(sealed_size >> 8);
	frame[3] = (uint8_t)sealed_size;
	*out = frame;
	*size = NODE_STREAM_PREFIX + sealed_size;
	return 0;
}

enum node_drop
node_stream_handle(struct node *node, uint64_t now_ms,
		   const struct swim_addr *from, const uint8_t *data,
		   size_t size)
{
	if (size > NODE_STREAM_FRAME_MAX)
		return count_drop(node, NODE_DROP_OVERSIZE);
	uint8_t *buf = NULL;
	if (node->keyring != NULL) {
		buf = malloc(size ? size : 1);
		if (buf == NULL)
			return count_drop(node, NODE_DROP_OVERSIZE);
	}
	size_t plain_size;
	enum node_drop drop = NODE_DROP_NONE;
	const uint8_t *plain = node_open(node, data, size, SEAL_KIND_STREAM,
					 buf, size, &plain_size, &drop);
	if (plain != NULL &&
	    swim_handle_state(node->swim, now_ms, from, plain, plain_size) !=
		    SWIM_DROP_NONE)
		drop = NODE_DROP_CORE;
	free(buf);
	if (plain == NULL || drop != NODE_DROP_NONE)
		return count_drop(node, drop);
	return NODE_DROP_NONE;
}

/*
 * A member's services, read from its metadata as its events pass: the set
 * is versioned by the member's incarnation (metadata only changes with a
 * higher one), so an older set never replaces a newer.
 */
static void
services_from_meta(struct node *node, const struct swim_event *ev)
{
	struct swim_member_info m;
	if (swim_member_find(node->swim, ev->name, &m) != 0)
		return;
	uint64_t held;
	if (registry_version(node->registry, m.name, &held) &&
	    held >= m.incarnation)
		return;
	struct service_set set = {0};
	if (m.meta_size > 0 &&
	    service_set_decode(&set, m.meta, m.meta_size, NULL) != 0) {
		node->bad_service_sets++;
		return;
	}
	set.version = m.incarnation;
	if (registry_apply(node->registry, m.name, &set) < 0)
		node->bad_service_sets++;
	service_set_destroy(&set);
}

static void
registry_follow(struct node *node, const struct swim_event *ev)
{
	if (ev->type == SWIM_EVENT_REMOVED) {
		registry_forget(node->registry, ev->name);
		return;
	}
	if (ev->is_self)
		return; /* our own set is applied when we set it */
	services_from_meta(node, ev);
	bool up = ev->status == SWIM_STATUS_ALIVE ||
		  ev->status == SWIM_STATUS_SUSPECT;
	registry_set_node_up(node->registry, ev->name, up);
}

bool
node_poll_event(struct node *node, struct swim_event *out)
{
	if (!swim_poll_event(node->swim, out))
		return false;
	registry_follow(node, out);
	return true;
}

/* Validate and encode a set for announcing; nothing changes. */
static int
services_encode(const struct node *node,
		const struct service *const *services, size_t count,
		uint8_t **meta, size_t *meta_size, const char **why)
{
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
	/* The version inside the bytes is informational; receivers use
	 * the incarnation the announcement carries. */
	int rc = service_set_encode(0, (struct service *const *)services,
				    count, meta, meta_size);
	if (rc != 0) {
		if (why != NULL)
			*why = rc == RUMOR_ENOMEM ? "out of memory"
						  : "the services are too big";
		return rc;
	}
	if (*meta_size > NODE_SERVICES_GOSSIP_MAX) {
		free(*meta);
		if (why != NULL)
			*why = "the services do not fit in one announcement";
		return RUMOR_ETOOBIG;
	}
	return 0;
}

int
node_check_services(const struct node *node,
		    const struct service *const *services, size_t count,
		    const char **why)
{
	uint8_t *meta;
	size_t meta_size;
	int rc = services_encode(node, services, count, &meta, &meta_size,
				 why);
	if (rc == 0)
		free(meta);
	return rc;
}

int
node_set_services(struct node *node, uint64_t now_ms,
		  const struct service *const *services, size_t count,
		  const char **why)
{
	uint8_t *meta;
	size_t meta_size;
	int rc = services_encode(node, services, count, &meta, &meta_size,
				 why);
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
	if (set.services == NULL) {
		free(meta);
		if (why != NULL)
			*why = "out of memory";
		return RUMOR_ENOMEM;
	}
	rc = swim_set_meta(node->swim, now_ms, count ? meta : NULL,
			   count ? meta_size : 0);
	free(meta);
	if (rc == 0) {
		/* Our own entry exists since node_new, so this cannot fail. */
		set.version = swim_self_incarnation(node->swim);
		registry_apply(node->registry, swim_self_name(node->swim),
			       &set);
	} else if (why != NULL) {
		*why = rc == RUMOR_ENOMEM ? "out of memory"
					  : "the agent is leaving";
	}
	service_set_destroy(&set);
	return rc;
}

struct registry *
node_registry(struct node *node)
{
	return node->registry;
}

uint64_t
node_next_deadline_ms(const struct node *node)
{
	return swim_next_deadline_ms(node->swim);
}

const struct swim *
node_swim(const struct node *node)
{
	return node->swim;
}

void
node_stats(const struct node *node, struct node_stats *out)
{
	swim_stats(node->swim, &out->swim);
	memcpy(out->drop_count, node->drop_count, sizeof(out->drop_count));
	out->bad_service_sets = node->bad_service_sets;
}

int
node_restore(struct node *node, uint64_t now_ms,
	     const struct swim_self *members, size_t count)
{
	return swim_restore(node->swim, now_ms, members, count);
}
