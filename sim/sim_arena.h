/*
 * sim_arena: the member records' memory of every simulated node, as one
 * struct swim_allocator. A 10,000-node run holds 10^8 records, about 5 GB:
 * served from malloc's 4 KiB pages, a third of the run went to first-touch
 * page faults. The arena maps large regions, asks for transparent huge
 * pages on them (a fault per 2 MiB rather than per 4 KiB) and cuts blocks
 * from them; freed blocks are kept for reuse, and everything is unmapped
 * when the arena goes.
 */
#ifndef RUMOR_SIM_ARENA_H
#define RUMOR_SIM_ARENA_H

#include <stddef.h>

#include "swim/swim.h"

struct sim_arena_region;

struct sim_arena {
	/** Regions mapped, newest first; blocks are cut from the newest. */
	struct sim_arena_region *regions;
	size_t region_used;
	/** Freed blocks, linked through their first bytes. */
	void *free_list;
	/** Bytes mapped (the next region is as large, up to 1 GiB). */
	size_t mapped;
	/** What swim_config.allocator points at (ctx is the arena). */
	struct swim_allocator allocator;
};

void
sim_arena_create(struct sim_arena *arena);

/** Unmap every region: every node using it must be gone. */
void
sim_arena_destroy(struct sim_arena *arena);

/** size bytes of zeroes on huge pages where the kernel gives them (the
 *  simulator's N x N view matrix, walked by columns); NULL when out of
 *  memory. Free with sim_arena_huge_free(p, size). */
void *
sim_arena_huge_alloc(size_t size);

void
sim_arena_huge_free(void *p, size_t size);

#endif /* RUMOR_SIM_ARENA_H */
