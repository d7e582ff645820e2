/*
 * The node under failing allocations. The node and its registry take
 * their memory from the allocator in its swim_config, as the core does,
 * so a test (and rumor-sim --alloc-fail) can refuse any request and check
 * what the node makes of it: node_new fails whole, and every allocation
 * is given back by node_delete.
 */
#include <stdlib.h>
#include <string.h>

#include "membership/node.h"
#include "rumor/error.h"
#include "test.h"

#define T0 10000

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

static void
node_cfg(struct node_config *cfg, const char *name, uint32_t ip,
	 const struct swim_allocator *a)
{
	*cfg = (struct node_config){
		.self = {.name = name, .addr = {ip, 7946}},
		.rand_seed = ip,
	};
	swim_config_lan(&cfg->swim);
	/* Reaping within the run, too. */
	cfg->swim.reconnect_timeout_ms = 20000;
	cfg->swim.tombstone_timeout_ms = 20000;
	cfg->swim.allocator = a;
	memset(cfg->nonce_prefix, (int)ip, sizeof(cfg->nonce_prefix));
}

/* ---- node_new ----------------------------------------------------------- */

static void
test_the_node_and_its_registry_use_the_allocator(void)
{
	struct faulty f = {.armed = true};
	struct swim_allocator a;
	struct node_config cfg;
	node_cfg(&cfg, "n0", 1, faulty_allocator(&f, &a));
	struct swim *swim = swim_new(&cfg.swim, &cfg.self, 1, T0);
	ASSERT_NOT_NULL(swim);
	size_t core = f.calls;
	swim_delete(swim);
	ASSERT_EQ(f.live, 0);
	f.calls = 0;
	struct node *node = node_new(&cfg, T0);
	ASSERT_NOT_NULL(node);
	/* The node itself, its registry and our own entry in it. */
	ASSERT_GE(f.calls, core + 3);
	ASSERT_GE(f.live, 3);
	node_delete(node);
	ASSERT_EQ(f.live, 0);
}

static void
test_node_new_fails_whole_whichever_allocation_fails(void)
{
	struct faulty count = {.armed = true};
	struct swim_allocator a;
	struct node_config cfg;
	node_cfg(&cfg, "n0", 1, faulty_allocator(&count, &a));
	node_delete(node_new(&cfg, T0));
	ASSERT_GE(count.calls, 4);
	for (size_t at = 1; at <= count.calls + 1; at++) {
		struct faulty f = {.at = at, .armed = true};
		node_cfg(&cfg, "n0", 1, faulty_allocator(&f, &a));
		struct node *node = node_new(&cfg, T0);
		/* Every request node_new makes is needed. */
		ASSERT_EQ(node == NULL, at <= count.calls);
		node_delete(node);
		ASSERT_EQ(f.live, 0);
	}
}

static void
test_a_half_given_allocator_is_refused(void)
{
	struct faulty f = {0};
	struct swim_allocator a;
	struct node_config cfg;
	node_cfg(&cfg, "n0", 1, faulty_allocator(&f, &a));
	a.mem_free = NULL;
	ASSERT_NULL(node_new(&cfg, T0));
}

int
main(void)
{
	RUN(test_the_node_and_its_registry_use_the_allocator);
	RUN(test_node_new_fails_whole_whichever_allocation_fails);
	RUN(test_a_half_given_allocator_is_refused);
	return TEST_SUMMARY();
}
