/*
 * swim_mem: where the core's memory comes from. Every allocation in swim/
 * goes through these calls, so a caller can supply its own allocator: the
 * simulator serves member records from huge pages, and a test (or a
 * fault-injecting simulator) can fail any allocation it likes to check
 * that a failed call changes nothing. Without one, libc.
 */
#ifndef RUMOR_SWIM_MEM_H
#define RUMOR_SWIM_MEM_H

#include <stddef.h>

#include "rumor/error.h"

/** Size of the blocks a struct swim_allocator hands out. */
#define SWIM_BLOCK_SIZE 16384u

/**
 * A caller's allocator, given in swim_config.allocator; it must outlive
 * every node using it. Two independent parts, each all or nothing:
 *
 * - Member record blocks: SWIM_BLOCK_SIZE bytes, aligned to
 *   SWIM_BLOCK_SIZE (a record finds its block by its address). The
 *   records of a large cluster are most of a node's memory; the
 *   simulator, which holds 10^8 of them, serves the blocks from huge
 *   pages. Without block_alloc and block_free, aligned_alloc.
 * - Everything else (tables, queues, metadata, suspicions, decoded and
 *   encoded states): malloc, realloc and free with a context. Without
 *   them, libc's. swim_state_encode()'s buffer comes from here too.
 *
 * Any call may return NULL at any time; the core then fails the call that
 * needed the memory and leaves its state as it was (see each call).
 */
struct swim_allocator {
	/** A block, or NULL when out of memory. */
	void *(*block_alloc)(void *ctx);
	void (*block_free)(void *ctx, void *block);
	/** Passed to every hook. */
	void *ctx;
	/** size > 0; NULL when out of memory. */
	void *(*mem_alloc)(void *ctx, size_t size);
	/** ptr from mem_alloc or mem_realloc, size > 0; NULL when out of
	 *  memory, ptr then untouched. */
	void *(*mem_realloc)(void *ctx, void *ptr, size_t size);
	/** ptr from mem_alloc or mem_realloc, never NULL. */
	void (*mem_free)(void *ctx, void *ptr);
};

/** 0 when each of a's parts is all or nothing (NULL is libc's), else
 *  RUMOR_EINVAL. */
RUMOR_MUST_CHECK int
swim_mem_check(const struct swim_allocator *a);

/** size bytes (size > 0); NULL when out of memory. */
RUMOR_MUST_CHECK void *
swim_mem_alloc(const struct swim_allocator *a, size_t size);
/** count * size zeroed bytes; NULL when out of memory or on overflow. */
RUMOR_MUST_CHECK void *
swim_mem_calloc(const struct swim_allocator *a, size_t count, size_t size);
/** ptr (NULL or from these calls) grown or shrunk to size > 0; NULL when
 *  out of memory, ptr then untouched. */
RUMOR_MUST_CHECK void *
swim_mem_realloc(const struct swim_allocator *a, void *ptr, size_t size);
/** NULL is a no-op. */
void
swim_mem_free(const struct swim_allocator *a, void *ptr);

/** One SWIM_BLOCK_SIZE block, aligned to its size; NULL when out of
 *  memory or when the allocator's block is not aligned. */
RUMOR_MUST_CHECK void *
swim_mem_block_alloc(const struct swim_allocator *a);
void
swim_mem_block_free(const struct swim_allocator *a, void *block);

#endif /* RUMOR_SWIM_MEM_H */
