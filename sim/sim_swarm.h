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
	/** Converged at (ms since start), UINT64_MAX if not. */
	uint64_t converged_ms;
	uint64_t trace_hash;
	uint64_t events;
};

/** Run seed's swarm case. `log` (or NULL) gets the drawn config and
 *  faults. Returns 0 when it passed, 1 when a check failed, -1 on OOM. */
int
sim_swarm_run(uint64_t seed, FILE *log, struct sim_swarm_result *out);

#endif /* RUMOR_SIM_SWARM_H */
