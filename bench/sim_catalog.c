/*
 * How long a registration takes to be visible on every node, in the
 * simulator (the agent's node code, virtual time): a warm cluster of N
 * nodes, one node registers a service at t = 10 s, and every 10 ms of
 * virtual time we count the nodes whose registry lists it. Also a health
 * change (critical) and a deregistration. Then the same node registers
 * LARGE services at once (default 200, about 9 KiB: a large set, which
 * travels in push-pulls), and deregisters them.
 *
 *	bench-sim-catalog [NODES] [SEED] [LARGE]     (default 1000 1 200)
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include <sodium.h>

#include "sim/sim.h"

static size_t
seeing(struct sim *sim, size_t want, bool all)
{
	struct registry_query q = {.name = "web", .include_critical = all};
	return sim_nodes_seeing(sim, &q, want);
}

/* Virtual ms until every node sees `want` healthy web instances, with the
 * times at which half and 99 % did. */
static uint64_t
spread(struct sim *sim, size_t want, bool all, uint64_t *half,
       uint64_t *p99)
{
	uint64_t t0 = sim_now_ms(sim);
	size_t n = sim_live_count(sim);
	*half = *p99 = UINT64_MAX;
	while (sim_now_ms(sim) < t0 + 60000) {
		size_t k = seeing(sim, want, all);
		if (*half == UINT64_MAX && 2 * k >= n)
			*half = sim_now_ms(sim) - t0;
		if (*p99 == UINT64_MAX && 100 * k >= 99 * n)
			*p99 = sim_now_ms(sim) - t0;
		if (k == n)
			return sim_now_ms(sim) - t0;
		sim_run_until(sim, sim_now_ms(sim) + 10);
	}
	return UINT64_MAX;
}

static int
announce(struct sim *sim, enum service_health health, size_t count)
{
	static const char *const tags[] = {"v2"};
	struct service web = {.id = "web-1", .name = "web", .port = 8080,
			      .tags = tags, .tag_count = 1, .health = health};
	const struct service *list[] = {&web};
	return node_set_services(sim_node(sim, 7), sim_now_ms(sim), list,
				 count, NULL);
}

/* Push-pulls asked for to fetch large sets, over all nodes. */
static uint64_t
pulls(struct sim *sim)
{
	uint64_t sum = 0;
	for (uint32_t i = 0; i < sim_node_max(sim); i++) {
		struct node_stats st;
		if (sim_node(sim, i) == NULL)
			continue;
		node_stats(sim_node(sim, i), &st);
		sum += st.set_pulls;
	}
	return sum;
}

static int
announce_many(struct sim *sim, size_t count)
{
	static struct service svc[SERVICE_PER_NODE_MAX];
	static const struct service *list[SERVICE_PER_NODE_MAX];
	static char ids[SERVICE_PER_NODE_MAX][32];
	for (size_t k = 0; k < count; k++) {
		snprintf(ids[k], sizeof(ids[k]), "web-%zu", k);
		svc[k] = (struct service){.id = ids[k], .name = "web",
					  .port = (uint16_t)(9000 + k)};
		list[k] = &svc[k];
	}
	return node_set_services(sim_node(sim, 7), sim_now_ms(sim), list,
				 count, NULL);
}

int
main(int argc, char **argv)
{
	size_t nodes = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 1;
	size_t large = argc > 3 ? strtoul(argv[3], NULL, 10) : 200;
	if (sodium_init() < 0 || nodes < 8 || large > SERVICE_PER_NODE_MAX)
		return 2;
	struct sim_options opt;
	sim_options_default(&opt, nodes, seed);
	opt.warm = true;
	struct sim *sim = sim_new(&opt);
	if (sim == NULL)
		return 2;
	sim_run_until(sim, 10000);
	static const char *what[] = {"registration", "critical",
				     "deregistration", "large_registration",
				     "large_deregistration"};
	printf("{\"nodes\": %zu, \"seed\": %" PRIu64 ", \"large\": %zu",
	       nodes, seed, large);
	for (int step = 0; step < 5; step++) {
		int rc = step == 0 ? announce(sim, SERVICE_HEALTH_PASSING, 1)
		       : step == 1 ? announce(sim, SERVICE_HEALTH_CRITICAL, 1)
		       : step == 2 ? announce(sim, SERVICE_HEALTH_PASSING, 0)
		       : step == 3 ? announce_many(sim, large)
				   : announce_many(sim, 0);
		if (rc != 0)
			return 1;
		size_t want = step == 0 ? 1 : step == 3 ? large : 0;
		uint64_t pulls0 = pulls(sim);
		uint64_t half, p99;
		uint64_t t = spread(sim, want, step == 2 || step == 4, &half,
				    &p99);
		printf(", \"%s\": {\"half_s\": %.2f, \"p99_s\": %.2f, "
		       "\"all_s\": %.2f, \"set_pulls\": %" PRIu64 "}",
		       what[step], half / 1000.0, p99 / 1000.0, t / 1000.0,
		       pulls(sim) - pulls0);
		sim_run_until(sim, sim_now_ms(sim) + 10000);
	}
	printf("}\n");
	sim_delete(sim);
	return 0;
}
