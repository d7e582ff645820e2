/*
 * Cluster tests of the service catalog's spreading, through the simulator:
 * a registration reaches every node's registry, a crash takes its services
 * out of healthy lookups everywhere, a health change spreads, and a node
 * that restarts without them makes them vanish.
 */
#include "cluster.h"
#include "rumor/error.h"
#include "test.h"

#define SEED 4242
#define NODES 60

static const char *const v2[] = {"v2"};

/* Live nodes whose registry finds `want` instances of web. */
static size_t
nodes_seeing(struct sim *sim, bool include_critical, size_t want)
{
	struct registry_query q = {.name = "web",
				   .include_critical = include_critical};
	return sim_nodes_seeing(sim, &q, want);
}

/* Run in 100 ms steps until every live node sees `want`; the time. */
static uint64_t
run_until_seen(struct sim *sim, bool include_critical, size_t want,
	       uint64_t until_ms)
{
	while (sim_now_ms(sim) < until_ms) {
		if (nodes_seeing(sim, include_critical, want) ==
		    sim_live_count(sim))
			return sim_now_ms(sim);
		sim_run_until(sim, sim_now_ms(sim) + 100);
	}
	return UINT64_MAX;
}

static int
register_web(struct sim *sim, uint32_t i, enum service_health health)
{
	struct service a = {.id = "web-1", .name = "web", .address = "10.0.0.9",
			    .port = 8080, .tags = v2, .tag_count = 1,
			    .health = health};
	struct service b = {.id = "web-2", .name = "web", .port = 8081,
			    .health = health};
	const struct service *list[] = {&a, &b};
	return node_set_services(sim_node(sim, i), sim_now_ms(sim), list, 2,
				 NULL);
}

static void
test_a_registration_reaches_every_node_and_follows_its_node(void)
{
	struct sim *sim = cluster_new(NODES, SEED);
	ASSERT_NOT_NULL(sim);
	ASSERT(sim_run_until_converged(sim, 20000) != UINT64_MAX);
	sim_run_until(sim, 20000);
	ASSERT_OK(register_web(sim, 7, SERVICE_HEALTH_PASSING));
	uint64_t t = run_until_seen(sim, false, 2, 40000);
	printf("  registration seen healthy by all %d nodes after %.1f s\n",
	       NODES, (t - 20000) / 1000.0);
	ASSERT_LE(t, 25000);

	/* Its health turns critical: gone from healthy lookups. */
	uint64_t t0 = sim_now_ms(sim);
	ASSERT_OK(register_web(sim, 7, SERVICE_HEALTH_CRITICAL));
	t = run_until_seen(sim, false, 0, t0 + 20000);
	printf("  critical seen by all after %.1f s\n", (t - t0) / 1000.0);
	ASSERT_LE(t, t0 + 5000);
	ASSERT_EQ(nodes_seeing(sim, true, 2), NODES);
	ASSERT_OK(register_web(sim, 7, SERVICE_HEALTH_PASSING));
	ASSERT(run_until_seen(sim, false, 2, t0 + 30000) != UINT64_MAX);

	/* Its node crashes: out of healthy lookups once declared failed,
	 * still listed with --all. */
	t0 = sim_now_ms(sim);
	ASSERT_OK(sim_crash(sim, 7));
	t = run_until_seen(sim, false, 0, t0 + 60000);
	printf("  crash took them out everywhere after %.1f s\n",
	       (t - t0) / 1000.0);
	ASSERT(t != UINT64_MAX);
	ASSERT_EQ(nodes_seeing(sim, true, 2), NODES - 1);

	/* It restarts without them: they vanish, even from --all. */
	t0 = sim_now_ms(sim);
	ASSERT_OK(sim_restart(sim, 7));
	t = run_until_seen(sim, true, 0, t0 + 60000);
	printf("  restart without services cleared them after %.1f s\n",
	       (t - t0) / 1000.0);
	ASSERT(t != UINT64_MAX);
	ASSERT(!sim_results(sim)->violated);
	sim_delete(sim);
}

static void
test_a_set_too_big_to_announce_is_refused_and_nothing_changes(void)
{
	struct sim *sim = cluster_new(3, SEED + 1);
	ASSERT_NOT_NULL(sim);
	sim_run_until(sim, 5000);
	struct service many[40];
	const struct service *list[40];
	char ids[40][16];
	for (int i = 0; i < 40; i++) {
		snprintf(ids[i], sizeof(ids[i]), "svc-%d", i);
		many[i] = (struct service){.id = ids[i], .name = "web",
					   .port = (uint16_t)(9000 + i)};
		list[i] = &many[i];
	}
	const char *why = NULL;
	ASSERT_EQ(node_set_services(sim_node(sim, 0), sim_now_ms(sim), list,
				    40, &why), RUMOR_ETOOBIG);
	ASSERT_NOT_NULL(why);
	ASSERT_EQ(registry_instance_count(node_registry(sim_node(sim, 0))), 0);
	list[1] = &many[0]; /* the same id twice */
	ASSERT_EQ(node_set_services(sim_node(sim, 0), sim_now_ms(sim), list,
				    2, &why), RUMOR_EINVAL);
	sim_delete(sim);
}

int
main(void)
{
	if (cluster_init() != 0)
		return 1;
	RUN(test_a_registration_reaches_every_node_and_follows_its_node);
	RUN(test_a_set_too_big_to_announce_is_refused_and_nothing_changes);
	return TEST_SUMMARY();
}
