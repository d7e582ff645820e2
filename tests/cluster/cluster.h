/*
 * Helpers shared by the cluster tests: a cluster through sim/ in virtual
 * time (Tarantool's cluster_new / cluster_wait_* in spirit). Everything is
 * static inline so each test uses what it needs; nothing sleeps.
 */
#ifndef RUMOR_TEST_CLUSTER_H
#define RUMOR_TEST_CLUSTER_H

#include <sodium.h>
#include <stdlib.h>

#include "sim/sim.h"

/** A LAN cluster of n nodes (safety checks on), seed fixed per test. */
static inline struct sim *
cluster_new(size_t n, uint64_t seed)
{
	struct sim_options opt;
	sim_options_default(&opt, n, seed);
	opt.check_safety = true;
	return sim_new(&opt);
}

/** Nodes lo..hi in group g of a node_max-sized array. */
static inline void
cluster_group(uint16_t *group, uint32_t lo, uint32_t hi, uint16_t g)
{
	for (uint32_t i = lo; i <= hi; i++)
		group[i] = g;
}

/** How many live observers have subject in `status`. */
static inline size_t
cluster_count_view(const struct sim *sim, uint32_t subject, int status)
{
	size_t count = 0;
	for (uint32_t o = 0; o < sim_node_max(sim); o++) {
		enum sim_node_state st = sim_node_state(sim, o);
		if ((st == SIM_NODE_RUNNING || st == SIM_NODE_PAUSED) &&
		    o != subject && sim_view(sim, o, subject) == status)
			count++;
	}
	return count;
}

/** Failed verdicts about `subject` among the false positives. */
static inline size_t
cluster_fp_about(const struct sim *sim, uint32_t subject)
{
	const struct sim_results *res = sim_results(sim);
	size_t count = 0;
	for (size_t k = 0; k < res->fp_count; k++)
		count += res->fps[k].subject == subject;
	return count;
}

/** Call once in main. */
static inline int
cluster_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

#endif /* RUMOR_TEST_CLUSTER_H */
