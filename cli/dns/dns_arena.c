/*
 * dns_arena: bump allocation (see dns_arena.h).
 */
#include <stdalign.h>
#include <stddef.h>

#include "dns_arena.h"

void *
dns_arena_alloc(struct dns_arena *a, size_t size)
{
	const size_t align = alignof(max_align_t);
	size_t at = (a->used + align - 1) & ~(align - 1);
	if (at > a->size || size > a->size - at)
		return NULL;
	a->used = at + size;
	return a->base + at;
}

static void *
arena_knot_alloc(void *ctx, size_t size)
{
	return dns_arena_alloc(ctx, size);
}

knot_mm_t
dns_arena_mm(struct dns_arena *a)
{
	return (knot_mm_t){.ctx = a, .alloc = arena_knot_alloc, .free = NULL};
}
