/*
 * sim_faults: a refusal is one draw, taken only while armed with a
 * non-zero probability; granted requests go to libc and to the arena,
 * exactly where they went before the allocator existed.
 */
#include <stdlib.h>

#include "sim_faults.h"

static bool
refuse(struct sim_faults *f)
{
	if (!f->armed || f->ppm == 0 || !sim_rand_ppm(&f->rand, f->ppm))
		return false;
	f->injected++;
	return true;
}

static void *
faults_alloc(void *ctx, size_t size)
{
	return refuse(ctx) ? NULL : malloc(size);
}

static void *
faults_realloc(void *ctx, void *ptr, size_t size)
{
	return refuse(ctx) ? NULL : realloc(ptr, size);
}

static void
faults_free(void *ctx, void *ptr)
{
	(void)ctx;
	free(ptr);
}

static void *
faults_block_alloc(void *ctx)
{
	struct sim_faults *f = ctx;
	const struct swim_allocator *a = &f->arena->allocator;
	return refuse(f) ? NULL : a->block_alloc(a->ctx);
}

static void
faults_block_free(void *ctx, void *block)
{
	struct sim_faults *f = ctx;
	const struct swim_allocator *a = &f->arena->allocator;
	a->block_free(a->ctx, block);
}

void
sim_faults_create(struct sim_faults *f, struct sim_arena *arena,
		  uint32_t ppm, uint64_t rand_seed)
{
	*f = (struct sim_faults){
		.allocator = {
			.block_alloc = faults_block_alloc,
			.block_free = faults_block_free,
			.ctx = f,
			.mem_alloc = faults_alloc,
			.mem_realloc = faults_realloc,
			.mem_free = faults_free,
		},
		.arena = arena,
		.ppm = ppm,
	};
	sim_rand_init(&f->rand, rand_seed);
}

void
sim_faults_arm(struct sim_faults *f, bool armed)
{
	f->armed = armed;
}
