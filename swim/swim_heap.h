/*
 * swim_heap: an intrusive binary min-heap of deadlines ordered by
 * (deadline_ms, seq). The sequence number makes equal deadlines fire in
 * the order they were armed, so runs are reproducible.
 */
#ifndef RUMOR_SWIM_HEAP_H
#define RUMOR_SWIM_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rumor/error.h"
#include "swim_mem.h"

/** Embedded in whatever owns a deadline. pos is SIZE_MAX when unarmed. */
struct swim_heap_node {
	uint64_t deadline_ms;
	uint64_t seq;
	size_t pos;
};

struct swim_heap {
	struct swim_heap_node **items;
	size_t count;
	size_t cap;
	uint64_t next_seq;
	/** Where items comes from (NULL: libc). */
	const struct swim_allocator *allocator;
};

void
swim_heap_create(struct swim_heap *heap,
		 const struct swim_allocator *allocator);
void
swim_heap_destroy(struct swim_heap *heap);

/** Initialise a node as unarmed. */
void
swim_heap_node_init(struct swim_heap_node *node);

static inline bool
swim_heap_node_armed(const struct swim_heap_node *node)
{
	return node->pos != SIZE_MAX;
}

/** Room for `count` more armed nodes, so that arming them cannot fail.
 *  Returns 0 or RUMOR_ENOMEM (the heap unchanged then). */
RUMOR_MUST_CHECK int
swim_heap_reserve(struct swim_heap *heap, size_t count);

/** Arm (or re-arm) a node at deadline_ms. An unarmed node needs room
 *  reserved first (swim_heap_reserve), so arming never fails. */
void
swim_heap_arm(struct swim_heap *heap, struct swim_heap_node *node,
	      uint64_t deadline_ms);

/** Disarm a node; no-op when unarmed. */
void
swim_heap_disarm(struct swim_heap *heap, struct swim_heap_node *node);

/** Earliest node, or NULL. */
struct swim_heap_node *
swim_heap_top(const struct swim_heap *heap);

#endif /* RUMOR_SWIM_HEAP_H */
