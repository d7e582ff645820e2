/*
 * swim_mem: the caller's hooks when it gave them, libc otherwise. The
 * core never calls malloc, realloc, calloc or free directly.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "swim_mem.h"

int
swim_mem_check(const struct swim_allocator *a)
{
	if (a == NULL)
		return 0;
	int blocks = (a->block_alloc != NULL) + (a->block_free != NULL);
	int mem = (a->mem_alloc != NULL) + (a->mem_realloc != NULL) +
		  (a->mem_free != NULL);
	return (blocks == 0 || blocks == 2) && (mem == 0 || mem == 3)
		       ? 0
		       : RUMOR_EINVAL;
}

static int
has_mem(const struct swim_allocator *a)
{
	return a != NULL && a->mem_alloc != NULL;
}

void *
swim_mem_alloc(const struct swim_allocator *a, size_t size)
{
	return has_mem(a) ? a->mem_alloc(a->ctx, size) : malloc(size);
}

void *
swim_mem_calloc(const struct swim_allocator *a, size_t count, size_t size)
{
	if (size != 0 && count > SIZE_MAX / size)
		return NULL;
	if (!has_mem(a))
		return calloc(count, size);
	size_t bytes = count * size;
	void *p = a->mem_alloc(a->ctx, bytes ? bytes : 1);
	if (p != NULL)
		memset(p, 0, bytes);
	return p;
}

void *
swim_mem_realloc(const struct swim_allocator *a, void *ptr, size_t size)
{
	if (!has_mem(a))
		return realloc(ptr, size);
	if (ptr == NULL)
		return a->mem_alloc(a->ctx, size);
	return a->mem_realloc(a->ctx, ptr, size);
}

void
swim_mem_free(const struct swim_allocator *a, void *ptr)
{
	if (ptr == NULL)
		return;
	if (has_mem(a))
		a->mem_free(a->ctx, ptr);
	else
		free(ptr);
}

void *
swim_mem_block_alloc(const struct swim_allocator *a)
{
	if (a == NULL || a->block_alloc == NULL)
		return aligned_alloc(SWIM_BLOCK_SIZE, SWIM_BLOCK_SIZE);
	void *block = a->block_alloc(a->ctx);
	/* A block off its alignment would give its records wrong
	 * references: refused, as if memory ran out. */
	if (block != NULL &&
	    ((uintptr_t)block & (SWIM_BLOCK_SIZE - 1)) != 0) {
		a->block_free(a->ctx, block);
		return NULL;
	}
	return block;
}

void
swim_mem_block_free(const struct swim_allocator *a, void *block)
{
	if (a == NULL || a->block_free == NULL)
		free(block);
	else
		a->block_free(a->ctx, block);
}
