/*
 * sim_net: the fake network between simulated nodes. Nodes are indexes;
 * the network decides, per packet, whether it arrives and after how long.
 *
 * Faults: random loss (parts per million) on every path, and per node on
 * what it receives (ingress) or sends (egress), a flaky NIC or host;
 * per-packet latency (uniform in
 * MIN..MAX, or the default model: 1 ms plus a geometric tail of mean 1 ms,
 * capped at 20 ms, which reorders packets now and then), and cut rules. A
 * rule is a group number per node: a symmetric partition drops packets
 * between two nodes in different non-zero groups (group 0 = not named,
 * connected to all); a one-way rule drops packets from group 1 to group 2
 * only. Rules accumulate until sim_net_heal().
 *
 * All draws come from the network's own PRNG stream, and only for packets
 * that are not cut, so the fault schedule depends on the seed and on the
 * traffic alone.
 */
#ifndef RUMOR_SIM_NET_H
#define RUMOR_SIM_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_rand.h"

/** Default latency model (see above). */
#define SIM_NET_DELAY_BASE_MS 1
#define SIM_NET_DELAY_CAP_MS 20
/** Most cut rules at once. */
#define SIM_NET_RULES_MAX 64

struct sim_net_rule {
	/** node_count group numbers. */
	uint16_t *group;
	bool one_way;
};

struct sim_net {
	struct sim_rand rand;
	size_t node_count;
	uint32_t loss_ppm;
	/** Per-node loss of what the node receives / sends (NULL until a
	 *  scenario sets one; node_count entries). */
	uint32_t *in_loss_ppm;
	uint32_t *out_loss_ppm;
	/** Both zero: the default model. */
	uint64_t delay_min_ms;
	uint64_t delay_max_ms;
	struct sim_net_rule rules[SIM_NET_RULES_MAX];
	size_t rule_count;
};

void
sim_net_create(struct sim_net *net, uint64_t rand_seed, size_t node_count);

void
sim_net_destroy(struct sim_net *net);

/** Add a rule; group (node_count entries) is copied. 0 or -1 when out of
 *  memory or out of rule slots. */
int
sim_net_cut(struct sim_net *net, const uint16_t *group, bool one_way);

/** Loss on what the nodes with group[i] != 0 receive (egress false) or
 *  send (egress true). 0, or -1 when out of memory. */
int
sim_net_node_loss(struct sim_net *net, const uint16_t *group, bool egress,
		  uint32_t loss_ppm);

/** Remove every rule. */
void
sim_net_heal(struct sim_net *net);

/** Are packets from a to b dropped by a rule? */
bool
sim_net_blocked(const struct sim_net *net, size_t a, size_t b);

/** Can a and b talk both ways (what a TCP stream needs)? */
bool
sim_net_reachable(const struct sim_net *net, size_t a, size_t b);

/** Decide one datagram: false when dropped, else *delay_ms is set. */
bool
sim_net_send(struct sim_net *net, size_t a, size_t b, bool reliable,
	     uint64_t *delay_ms);

#endif /* RUMOR_SIM_NET_H */
