/*
 * node_sets: large service sets (node_sets.c explains them): the sets
 * held, the stubs still missing their set, the pulls that fetch them and
 * the attachment that carries them in push-pull frames.
 */
#ifndef RUMOR_NODE_SETS_H
#define RUMOR_NODE_SETS_H

#include <msgpack.h>

#include "node_internal.h"

/* The set held for name (and its position), or NULL and where it would
 * go. */
struct bigset *
node__bigset_find(const struct node *node, const char *name, size_t *pos);

/* Room for one more entry, so that a later node__bigset_put cannot
 * fail. */
int
node__bigset_reserve(struct node *node);

/* Keep bytes (taken over) as name's set; room reserved. */
void
node__bigset_put(struct node *node, const char *name,
		 const uint8_t digest[SERVICE_SET_DIGEST_SIZE], uint8_t *bytes,
		 size_t size);

void
node__bigset_drop(struct node *node, const char *name);

/* Apply the large set b as m's services, at m's incarnation; whether it
 * was taken. */
bool
node__bigset_apply(struct node *node, const struct bigset *b,
		   const struct swim_member_info *m);

/* Remember that name's set of this digest is missing; plan a pull. */
void
node__want_add(struct node *node, const char *name,
	       const uint8_t digest[SERVICE_SET_DIGEST_SIZE]);

/* name's set arrived: no more pulling for it. */
void
node__want_filled(struct node *node, const char *name);

/* The pull timer fired. */
void
node__pull_fire(struct node *node, uint64_t now_ms);

/* The sets attachment of a frame, decoded; NODE_DROP_SERVICES if bad. */
enum node_drop
node__sets_unpack(msgpack_unpacked *unpacked, const uint8_t *data,
		  size_t size);

/* Take the sets of a decoded attachment. */
void
node__sets_apply(struct node *node, const msgpack_object *root);

/* Append the sets attachment to a frame's plaintext. */
int
node__sets_pack(struct node *node, msgpack_sbuffer *sbuf);

#endif /* RUMOR_NODE_SETS_H */
