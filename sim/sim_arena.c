/*
 * sim_arena: aligned blocks of SWIM_BLOCK_SIZE cut from mmap'd regions with
 * MADV_HUGEPAGE (sim_arena_huge_alloc, also the view matrix's memory). Regions
 * double in size from 64 MiB up to 1 GiB, so a small run maps little and
 * a large one few regions. Pages are only backed when first written, so a
 * region costs nothing until used.
 */
#include <stdint.h>
#include <sys/mman.h>

#include "sim_arena.h"

#define REGION_MIN ((size_t)64 << 20)
#define REGION_MAX ((size_t)1 << 30)

/* Sits at the start of its region; blocks follow from the first
 * SWIM_BLOCK_SIZE boundary after it. */
struct sim_arena_region {
	struct sim_arena_region *next;
	size_t size;
};

void *
sim_arena_huge_alloc(size_t size)
{
	void *p = mmap(NULL, size ? size : 1, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
#ifdef MADV_HUGEPAGE
	/* Advice only: without transparent huge pages this is 4 KiB pages,
	 * as from malloc. */
	(void)madvise(p, size, MADV_HUGEPAGE);
#endif
	return p;
}

void
sim_arena_huge_free(void *p, size_t size)
{
	if (p != NULL)
		munmap(p, size ? size : 1);
}

static void *
region_map(struct sim_arena *arena)
{
	size_t size = arena->mapped < REGION_MIN ? REGION_MIN : arena->mapped;
	if (size > REGION_MAX)
		size = REGION_MAX;
	struct sim_arena_region *r = sim_arena_huge_alloc(size);
	if (r == NULL)
		return NULL;
	r->next = arena->regions;
	r->size = size;
	arena->regions = r;
	uintptr_t first = ((uintptr_t)(r + 1) + SWIM_BLOCK_SIZE - 1) &
			  ~(uintptr_t)(SWIM_BLOCK_SIZE - 1);
	arena->region_used = first - (uintptr_t)r;
	arena->mapped += size;
	return r;
}

static void *
block_alloc(void *ctx)
{
	struct sim_arena *arena = ctx;
	void *block = arena->free_list;
	if (block != NULL) {
		arena->free_list = *(void **)block;
	} else {
		if ((arena->regions == NULL ||
		     arena->region_used + SWIM_BLOCK_SIZE >
			     arena->regions->size) &&
		    region_map(arena) == NULL)
			return NULL;
		block = (uint8_t *)arena->regions + arena->region_used;
		arena->region_used += SWIM_BLOCK_SIZE;
	}
	return block;
}

static void
block_free(void *ctx, void *block)
{
	struct sim_arena *arena = ctx;
	*(void **)block = arena->free_list;
	arena->free_list = block;
}

void
sim_arena_create(struct sim_arena *arena)
{
	*arena = (struct sim_arena){0};
	arena->allocator = (struct swim_allocator){
		.block_alloc = block_alloc,
		.block_free = block_free,
		.ctx = arena,
	};
}

void
sim_arena_destroy(struct sim_arena *arena)
{
	struct sim_arena_region *r = arena->regions;
	while (r != NULL) {
		struct sim_arena_region *next = r->next;
		sim_arena_huge_free(r, r->size);
		r = next;
	}
	*arena = (struct sim_arena){0};
}
