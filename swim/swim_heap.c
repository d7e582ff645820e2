/*
 * Array-backed binary heap of pointers; each node remembers its slot so it
 * can be re-armed or disarmed in O(log n) (libuv's timer heap, flattened).
 */
#include <assert.h>

#include "rumor/error.h"
#include "swim_heap.h"

static bool
heap_less(const struct swim_heap_node *a, const struct swim_heap_node *b)
{
	if (a->deadline_ms != b->deadline_ms)
		return a->deadline_ms < b->deadline_ms;
	return a->seq < b->seq;
}

static void
heap_place(struct swim_heap *heap, struct swim_heap_node *node, size_t pos)
{
	heap->items[pos] = node;
	node->pos = pos;
}

static void
heap_sift_up(struct swim_heap *heap, size_t pos)
{
	struct swim_heap_node *node = heap->items[pos];
	while (pos > 0) {
		size_t parent = (pos - 1) / 2;
		if (!heap_less(node, heap->items[parent]))
			break;
		heap_place(heap, heap->items[parent], pos);
		pos = parent;
	}
	heap_place(heap, node, pos);
}

static void
heap_sift_down(struct swim_heap *heap, size_t pos)
{
	struct swim_heap_node *node = heap->items[pos];
	for (;;) {
		size_t child = 2 * pos + 1;
		if (child >= heap->count)
			break;
		if (child + 1 < heap->count &&
		    heap_less(heap->items[child + 1], heap->items[child]))
			child++;
		if (!heap_less(heap->items[child], node))
			break;
		heap_place(heap, heap->items[child], pos);
		pos = child;
	}
	heap_place(heap, node, pos);
}

void
swim_heap_create(struct swim_heap *heap,
		 const struct swim_allocator *allocator)
{
	*heap = (struct swim_heap){.allocator = allocator};
}

void
swim_heap_destroy(struct swim_heap *heap)
{
	for (size_t i = 0; i < heap->count; i++)
		heap->items[i]->pos = SIZE_MAX;
	swim_mem_free(heap->allocator, heap->items);
	swim_heap_create(heap, heap->allocator);
}

void
swim_heap_node_init(struct swim_heap_node *node)
{
	node->deadline_ms = 0;
	node->seq = 0;
	node->pos = SIZE_MAX;
}

int
swim_heap_reserve(struct swim_heap *heap, size_t count)
{
	if (heap->cap - heap->count >= count)
		return 0;
	size_t cap = heap->cap ? heap->cap * 2 : 16;
	while (cap - heap->count < count)
		cap *= 2;
	void *items = swim_mem_realloc(heap->allocator, heap->items,
				       cap * sizeof(*heap->items));
	if (items == NULL)
		return RUMOR_ENOMEM;
	heap->items = items;
	heap->cap = cap;
	return 0;
}

void
swim_heap_arm(struct swim_heap *heap, struct swim_heap_node *node,
	      uint64_t deadline_ms)
{
	bool room = swim_heap_node_armed(node) || heap->count < heap->cap;
	assert(room && "swim_heap_reserve() before arming");
	if (!room)
		return;
	swim_heap_disarm(heap, node);
	node->deadline_ms = deadline_ms;
	node->seq = heap->next_seq++;
	heap_place(heap, node, heap->count++);
	heap_sift_up(heap, node->pos);
}

void
swim_heap_disarm(struct swim_heap *heap, struct swim_heap_node *node)
{
	if (!swim_heap_node_armed(node))
		return;
	size_t pos = node->pos;
	node->pos = SIZE_MAX;
	struct swim_heap_node *last = heap->items[--heap->count];
	if (last == node)
		return;
	heap_place(heap, last, pos);
	if (pos > 0 && heap_less(last, heap->items[(pos - 1) / 2]))
		heap_sift_up(heap, pos);
	else
		heap_sift_down(heap, pos);
}

struct swim_heap_node *
swim_heap_top(const struct swim_heap *heap)
{
	return heap->count ? heap->items[0] : NULL;
}
