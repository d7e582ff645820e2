/*
 * dns_arena: the scratch memory of one dns_answer call. A bump allocator
 * over one block allocated when the server is made: every call starts
 * it empty, so nothing carries from one answer to the next, and no
 * answer touches malloc. libknot allocates through it (dns_arena_mm);
 * its frees are no-ops, the whole block is reused by the next call.
 */
#ifndef RUMOR_DNS_ARENA_H
#define RUMOR_DNS_ARENA_H

#include <stddef.h>
#include <stdint.h>

#include <libknot/mm_ctx.h>

struct dns_arena {
	/** The block, and its size in bytes. */
	uint8_t *base;
	size_t size;
	/** Bytes handed out since the last reset. */
	size_t used;
};

/** Empty the arena (the memory is reused, not freed). */
static inline void
dns_arena_reset(struct dns_arena *a)
{
	a->used = 0;
}

/** size bytes aligned for any type, or NULL when the arena is full. */
void *
dns_arena_alloc(struct dns_arena *a, size_t size);

/** A libknot memory context allocating from a (freeing nothing). */
knot_mm_t
dns_arena_mm(struct dns_arena *a);

#endif /* RUMOR_DNS_ARENA_H */
