/*
 * node_largeset: large service sets (node_largeset.c explains them): the
 * large sets held, the stubs whose set is still missing, the pulls that
 * fetch them and the attachment that carries them in push-pull frames.
 * Internal to membership/node*.c.
 */
#ifndef RUMOR_NODE_LARGESET_H
#define RUMOR_NODE_LARGESET_H

#include <msgpack.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "node_internal.h"

/*
 * A set too big for one announcement, as its owner encoded it, known by
 * its digest (the one its owner's stub announces): what we serve onward
 * in push-pulls.
 */
struct node_largeset {
	char name[SWIM_NAME_MAX + 1];
	uint8_t digest[SERVICE_SET_DIGEST_SIZE];
	uint8_t *bytes;
	size_t size;
};

/* A stub we saw for a set we do not hold yet. */
struct node_missing {
	char name[SWIM_NAME_MAX + 1];
	uint8_t digest[SERVICE_SET_DIGEST_SIZE];
};

/* The large set held for name, with its position in node->largesets
 * when pos is not NULL; else NULL, and *pos where it would go. */
struct node_largeset *
node__largeset_find(const struct node *node, const char *name, size_t *pos);

/* Room for one more large set, so that a later node__largeset_put cannot
 * fail: 0 or RUMOR_ENOMEM. */
RUMOR_MUST_CHECK int
node__largeset_reserve(struct node *node);

/* Keep bytes (taken over) as name's large set of this digest, replacing
 * the one held; room reserved. */
void
node__largeset_put(struct node *node, const char *name,
		   const uint8_t digest[SERVICE_SET_DIGEST_SIZE],
		   uint8_t *bytes, size_t size);

/* Forget name's large set, if one is held. */
void
node__largeset_drop(struct node *node, const char *name);

/* Apply the large set b as m's services, at m's incarnation: 1 when
 * taken, 0 when not (stale, or a set we cannot read, counted), or
 * RUMOR_ENOMEM (nothing changed). */
RUMOR_MUST_CHECK int
node__largeset_apply(struct node *node, const struct node_largeset *b,
		     const struct swim_member_info *m);

/* Remember that name's large set of this digest (size bytes, as its stub
 * says) is missing; plan a pull. A set that would not fit under the
 * total is refused (counted) and not pulled for. 0 or RUMOR_ENOMEM
 * (nothing changed). */
RUMOR_MUST_CHECK int
node__largeset_missing(struct node *node, const char *name,
		       const uint8_t digest[SERVICE_SET_DIGEST_SIZE],
		       size_t size);

/* name's large set arrived: no more pulling for it. */
void
node__largeset_filled(struct node *node, const char *name);

/* The pull timer (node->pull_at_ms) fired: forget the missing sets that
 * were filled, superseded or whose owner is gone, and ask the owner of
 * the next for a push-pull (node->pull_due). */
void
node__largeset_pull(struct node *node, uint64_t now_ms);

/* The attachment of a frame (what follows the state), decoded into
 * *unpacked; NODE_DROP_SERVICES (and nothing to destroy) if malformed. */
enum node_drop
node__largeset_unpack(msgpack_unpacked *unpacked, const uint8_t *data,
		      size_t size);

/* Take what a decoded attachment carries: each set that fills a stub. */
void
node__largeset_take(struct node *node, const msgpack_object *root);

/*
 * Append the attachment to a frame's plaintext (which holds the state):
 * every large set held, those that fit under SWIM_STATE_MAX in all,
 * starting one further each frame when not all fit. Nothing at all when
 * there is none, so such a frame is the bare state. 0 or RUMOR_ENOMEM
 * (and the next frame starts where this one would have).
 */
RUMOR_MUST_CHECK int
node__largeset_pack(struct node *node, msgpack_sbuffer *sbuf);

#endif /* RUMOR_NODE_LARGESET_H */
