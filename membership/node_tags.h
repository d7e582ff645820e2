/*
 * node_tags: a node's tags (key=value pairs, as Serf's), their limits
 * and their place on the wire. They travel in the same announcement as
 * the node's services (node_services.c): a member's SWIM metadata is the
 * service set map of membership/service.h with one key more,
 *
 *	5: tags   map { key (str): value (str), ... }   only when there are
 *	                                                tags, keys sorted
 *
 * which agents that predate tags skip (a set's unknown keys are
 * skipped), so they still read the services. When the services are too
 * big to go inline and the metadata is a stub (node_largeset.c), the
 * tags go in the stub: a member's tags are always in its metadata, and
 * spread with every alive message about it, as its status does.
 *
 * Limits: NODE_TAGS_MAX pairs; a key is 1..NODE_TAG_KEY_MAX bytes, no
 * control character, no space and no '='; a value 0..NODE_TAG_VALUE_MAX
 * bytes without control characters; and the encoded map at most
 * NODE_TAGS_SIZE_MAX bytes, which is each key and value plus 1 or 2
 * bytes of framing each (2 from 32 bytes on), plus 1 for the map (3
 * from 16 pairs on): what SWIM_META_MAX leaves beside the largest stub.
 */
#ifndef RUMOR_NODE_TAGS_H
#define RUMOR_NODE_TAGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "service.h"
#include "swim/swim.h"

/** Pairs at most. */
#define NODE_TAGS_MAX 64
/** Bytes in a key, and in a value. */
#define NODE_TAG_KEY_MAX 64
#define NODE_TAG_VALUE_MAX 255
/** Bytes of the encoded tags (see above). */
#define NODE_TAGS_SIZE_MAX 448
/** The metadata key under which the tags travel (protocol). */
#define NODE_TAGS_META_KEY 5

/** Tags as decoded: pairs sorted by key, strings in buf. */
struct node_tags {
	size_t count;
	struct service_kv tags[NODE_TAGS_MAX];
	/** Every string with its NUL: no more than their encoding takes. */
	char buf[NODE_TAGS_SIZE_MAX];
};

/**
 * Check tags against the limits (a key given twice is an error too) and
 * give the size of their encoding in *size. Returns 0, RUMOR_EINVAL or
 * RUMOR_ETOOBIG with *why a sentence in why_buf (of why_size bytes)
 * naming the tag and the limit.
 */
RUMOR_MUST_CHECK int
node_tags_check(const struct service_kv *tags, size_t count, size_t *size,
		char *why_buf, size_t why_size);

/** Encode checked tags, sorted by key, into out (cap >= the size
 *  node_tags_check gave); *size gets the bytes written. 0, or
 *  RUMOR_ETOOBIG when cap is too small. */
RUMOR_MUST_CHECK int
node_tags_encode(const struct service_kv *tags, size_t count, uint8_t *out,
		 size_t cap, size_t *size);

/**
 * The tags in a member's metadata (any msgpack map; a map without key
 * NODE_TAGS_META_KEY, or no metadata, has none). Returns 0 with *out
 * filled (count 0 for none), or RUMOR_EINVAL for metadata whose tags
 * are malformed or over a limit (*out then holds none). Pure: no
 * allocation but msgpack-c's zone while it reads.
 */
int
node_tags_decode(const uint8_t *meta, size_t meta_size,
		 struct node_tags *out);

/**
 * An announcement: a set map as service.c encodes it (a fixmap of 1..14
 * keys) with the encoded tags added under NODE_TAGS_META_KEY, into a
 * malloc'd buffer. 0, RUMOR_EINVAL (not such a map) or RUMOR_ENOMEM.
 */
RUMOR_MUST_CHECK int
node_tags_append(const uint8_t *set, size_t set_size, const uint8_t *tags,
		 size_t tags_size, uint8_t **out, size_t *out_size);

/** Whether a and b hold the same pairs. */
bool
node_tags_equal(const struct node_tags *a, const struct node_tags *b);

#endif /* RUMOR_NODE_TAGS_H */
