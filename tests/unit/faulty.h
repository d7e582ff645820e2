/*
 * faulty.h: an allocator for unit tests that refuses chosen requests
 * (every n-th, or the n-th) and counts what is not given back; shared by
 * test_swim_faults.c and test_node_faults.c.
 */
#ifndef RUMOR_TESTS_FAULTY_H
#define RUMOR_TESTS_FAULTY_H

#include <stdbool.h>
#include <stdlib.h>

#include "swim/swim.h"
#include "swim/swim_mem.h"

/* ---- an allocator that fails on demand ---------------------------------- */

struct faulty {
	/* Refuse request number n (counted from 1 while armed) when
	 * n % every == 0, or when n == at; 0 turns a rule off. */
	size_t every;
	size_t at;
	bool armed;
	size_t calls;
	size_t refused;
	/* Allocations not given back. */
	long live;
};

static bool
refuse(struct faulty *f)
{
	if (!f->armed)
		return false;
	f->calls++;
	bool no = (f->every != 0 && f->calls % f->every == 0) ||
		  f->calls == f->at;
	f->refused += no;
	return no;
}

static void *
faulty_alloc(void *ctx, size_t size)
{
	struct faulty *f = ctx;
	void *p = refuse(f) ? NULL : malloc(size);
	f->live += p != NULL;
	return p;
}

static void *
faulty_realloc(void *ctx, void *ptr, size_t size)
{
	return refuse(ctx) ? NULL : realloc(ptr, size);
}

static void
faulty_free(void *ctx, void *ptr)
{
	struct faulty *f = ctx;
	f->live--;
	free(ptr);
}

static void *
faulty_block(void *ctx)
{
	struct faulty *f = ctx;
	void *p = refuse(f) ? NULL
			    : aligned_alloc(SWIM_BLOCK_SIZE, SWIM_BLOCK_SIZE);
	f->live += p != NULL;
	return p;
}

static const struct swim_allocator *
faulty_allocator(struct faulty *f, struct swim_allocator *a)
{
	*a = (struct swim_allocator){
		.block_alloc = faulty_block,
		.block_free = faulty_free,
		.ctx = f,
		.mem_alloc = faulty_alloc,
		.mem_realloc = faulty_realloc,
		.mem_free = faulty_free,
	};
	return a;
}

#endif /* RUMOR_TESTS_FAULTY_H */
