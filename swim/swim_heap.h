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
};

void
swim_heap_create(struct swim_heap *heap);
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

/** Arm (or re-arm) a node at deadline_ms. Returns 0 or RUMOR_ENOMEM. */
int
swim_heap_arm(struct swim_heap *heap, struct swim_heap_node *node,
	      uint64_t deadline_ms);

/** Disarm a node; no-op when unarmed. */
void
swim_heap_disarm(struct swim_heap *heap, struct swim_heap_node *node);

/** Earliest node, or NULL. */
struct swim_heap_node *
swim_heap_top(const struct swim_heap *heap);

#endif /* RUMOR_SWIM_HEAP_H */
