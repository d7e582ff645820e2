/*
 * sim_swarm: randomized runs. One seed draws a small cluster (5-24 nodes,
 * up to 2 more slots for late joins), a protocol config within the valid
 * ranges, and a fault schedule (loss, latency, partitions, one-way cuts,
 * crashes, restarts, pauses, joins, leaves) that stops at a drawn time F.
 * At F the network is healed, loss and latency return to normal and every
 * crashed node restarts. Safety is checked after every input; liveness
 * requires every live node to see every live node alive before
 * F + sim_liveness_bound_ms(config, slots), and then the catalog to agree
 * with membership (every node offers a service: opt.catalog).
 *
 * With refused allocations (rumor-sim --swarm K --alloc-fail P%), each
 * node's allocator refuses requests with probability P until F, and
 * node_check() runs after every input. Safety and the catalog agreeing
 * with each node's own membership are required; liveness is reported but
 * not required (a lost join can strand a node: sim_swarm.c, check_run).
 */
#ifndef RUMOR_SIM_SWARM_H
#define RUMOR_SIM_SWARM_H

#include <stdio.h>

#include "sim.h"

struct sim_swarm_result {
	bool ok;
	char why[512];
	size_t nodes;
	uint64_t faults_end_ms;
	uint64_t bound_ms;
	/** Converged at (ms since start), UINT64_MAX if not (a failure
	 *  unless allocations were refused). */
	uint64_t converged_ms;
	uint64_t trace_hash;
	uint64_t events;
	/** Allocations refused, and inputs checked after one. */
	uint64_t allocs_refused;
	uint64_t refused_inputs;
};

/** Run seed's swarm case, with alloc_fail_ppm of every node's
 *  allocations refused until the faults stop (0: none; the case drawn is
 *  the same). `log` (or NULL) gets the drawn config and faults. Returns 0
 *  when it passed, 1 when a check failed, -1 on OOM. */
int
sim_swarm_run(uint64_t seed, uint32_t alloc_fail_ppm, FILE *log,
	      struct sim_swarm_result *out);

#endif /* RUMOR_SIM_SWARM_H */
