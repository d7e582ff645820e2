/*
 * Cluster tests of the service catalog's spreading, through the simulator:
 * a registration reaches every node's registry, a crash takes its services
 * out of healthy lookups everywhere, a health change spreads, and a node
 * that restarts without them makes them vanish; sets too big for one
 * announcement travel in push-pulls.
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

/* count services of web on node i, ids web-<tag>-<k>; each carries a
 * meta value of pad bytes, to make the set as big as wanted. */
static int
register_many(struct sim *sim, uint32_t i, size_t count, const char *tag,
	      size_t pad)
{
	static struct service svc[SERVICE_PER_NODE_MAX + 1];
	static const struct service *list[SERVICE_PER_NODE_MAX + 1];
	static char ids[SERVICE_PER_NODE_MAX + 1][32];
	static char value[SERVICE_META_VALUE_MAX + 1];
	static struct service_kv meta[3] = {
		{"a", value}, {"b", value}, {"c", value}};
	memset(value, 'x', pad < SERVICE_META_VALUE_MAX ? pad
						      : SERVICE_META_VALUE_MAX);
	value[pad < SERVICE_META_VALUE_MAX ? pad : SERVICE_META_VALUE_MAX] =
		'\0';
	size_t pairs = pad <= SERVICE_META_VALUE_MAX ? 1 : 3;
	for (size_t k = 0; k < count; k++) {
		snprintf(ids[k], sizeof(ids[k]), "web-%s-%zu", tag, k);
		svc[k] = (struct service){.id = ids[k], .name = "web",
					  .port = (uint16_t)(9000 + k),
					  .meta = meta,
					  .meta_count = pad ? pairs : 0};
		list[k] = &svc[k];
	}
	return node_set_services(sim_node(sim, i), sim_now_ms(sim), list,
				 count, NULL);
}

static void
test_a_large_set_spreads_through_push_pulls(void)
{
	struct sim_options opt;
	sim_options_default(&opt, NODES, SEED + 2);
	opt.node_max = NODES + 1;
	opt.check_safety = true;
	struct sim *sim = sim_new(&opt);
	ASSERT_NOT_NULL(sim);
	ASSERT(sim_run_until_converged(sim, 20000) != UINT64_MAX);
	sim_run_until(sim, 20000);

	/* 200 services, about 9 KiB: far past one announcement. */
	ASSERT_OK(register_many(sim, 3, 200, "a", 0));
	uint64_t t = run_until_seen(sim, false, 200, 60000);
	printf("  200-service set seen by all %d nodes after %.1f s\n",
	       NODES, (t - 20000) / 1000.0);
	ASSERT_LE(t, 20000 + 10000);
	struct node_stats st;
	node_stats(sim_node(sim, 11), &st);
	ASSERT_EQ(st.large_sets_held, 1);
	ASSERT_EQ(st.large_sets_missing, 0);

	/* A change replaces it everywhere: 150 others, each 100 B bigger. */
	uint64_t t0 = sim_now_ms(sim);
	ASSERT_OK(register_many(sim, 3, 150, "b", 100));
	t = run_until_seen(sim, false, 150, t0 + 60000);
	printf("  replaced by 150 others everywhere after %.1f s\n",
	       (t - t0) / 1000.0);
	ASSERT_LE(t, t0 + 10000);

	/* A node that joins later gets it with its join. */
	t0 = sim_now_ms(sim);
	ASSERT_OK(sim_join(sim, NODES));
	t = run_until_seen(sim, false, 150, t0 + 60000);
	printf("  a new node had it after %.1f s\n", (t - t0) / 1000.0);
	ASSERT(t != UINT64_MAX);

	/* Back to a set that fits one announcement: inline again. */
	t0 = sim_now_ms(sim);
	ASSERT_OK(register_many(sim, 3, 2, "c", 0));
	t = run_until_seen(sim, false, 2, t0 + 60000);
	printf("  shrunk to 2 inline everywhere after %.1f s\n",
	       (t - t0) / 1000.0);
	ASSERT_LE(t, t0 + 5000);
	node_stats(sim_node(sim, 11), &st);
	ASSERT_EQ(st.large_sets_held, 0);

	/* Large again, then its node crashes: out of healthy lookups. */
	ASSERT_OK(register_many(sim, 3, 100, "d", 0));
	ASSERT(run_until_seen(sim, false, 100, sim_now_ms(sim) + 60000) !=
	       UINT64_MAX);
	t0 = sim_now_ms(sim);
	ASSERT_OK(sim_crash(sim, 3));
	ASSERT(run_until_seen(sim, false, 0, t0 + 60000) != UINT64_MAX);
	ASSERT_EQ(nodes_seeing(sim, true, 100), NODES);
	ASSERT(!sim_results(sim)->violated);
	sim_delete(sim);
}

/* A restarted owner starts from a lower incarnation than its last life
 * reached; its new large set must still replace the old one everywhere. */
static void
test_a_restarted_owner_replaces_its_large_set(void)
{
	struct sim_options opt;
	sim_options_default(&opt, 20, SEED + 7);
	opt.check_safety = true;
	/* Reaped a minute after failing rather than a day (Serf's). */
	opt.swim.reconnect_timeout_ms = 60000;
	opt.swim.tombstone_timeout_ms = 60000;
	struct sim *sim = sim_new(&opt);
	ASSERT_NOT_NULL(sim);
	ASSERT(sim_run_until_converged(sim, 20000) != UINT64_MAX);
	sim_run_until(sim, 20000);
	for (int k = 0; k < 5; k++) /* raises its incarnation by 5 */
		ASSERT_OK(register_many(sim, 3, 200, "a", (size_t)k));
	ASSERT(run_until_seen(sim, false, 200, sim_now_ms(sim) + 60000) !=
	       UINT64_MAX);
	uint64_t before = swim_self_incarnation(node_swim(sim_node(sim, 3)));
	ASSERT_OK(sim_restart(sim, 3));
	ASSERT_LE(swim_self_incarnation(node_swim(sim_node(sim, 3))), before);
	ASSERT_OK(register_many(sim, 3, 100, "z", 0));
	uint64_t t0 = sim_now_ms(sim);
	uint64_t t = run_until_seen(sim, false, 100, t0 + 60000);
	printf("  a restarted owner's new set replaced the old everywhere "
	       "after %.1f s\n", (t - t0) / 1000.0);
	ASSERT(t != UINT64_MAX);
	ASSERT_EQ(nodes_seeing(sim, true, 200), 0);
	/* Nobody keeps pulling. */
	sim_run_until(sim, sim_now_ms(sim) + 10000);
	for (uint32_t i = 0; i < 20; i++) {
		struct node_stats st;
		node_stats(sim_node(sim, i), &st);
		ASSERT_EQ(st.large_sets_missing, 0);
	}
	/* It crashes and is reaped: its set goes from every node. */
	ASSERT_OK(sim_crash(sim, 3));
	const struct swim_config *cfg = &sim_options(sim)->swim;
	sim_run_until(sim, sim_now_ms(sim) + cfg->reconnect_timeout_ms +
				   cfg->tombstone_timeout_ms + 60000);
	for (uint32_t i = 0; i < 20; i++) {
		if (i == 3)
			continue;
		struct node_stats st;
		node_stats(sim_node(sim, i), &st);
		ASSERT_EQ(st.large_sets_held, 0);
	}
	ASSERT_EQ(nodes_seeing(sim, true, 0), 19);
	sim_delete(sim);
}

static void
test_a_set_past_the_limits_is_refused_and_nothing_changes(void)
{
	struct sim *sim = cluster_new(3, SEED + 1);
	ASSERT_NOT_NULL(sim);
	sim_run_until(sim, 5000);
	/* 256 services of 1.5 KiB of meta each: past SERVICE_SET_BYTES_MAX. */
	ASSERT_EQ(register_many(sim, 0, SERVICE_PER_NODE_MAX, "a", 1500),
		  RUMOR_ETOOBIG);
	ASSERT_EQ(register_many(sim, 0, SERVICE_PER_NODE_MAX + 1, "a", 0),
		  RUMOR_ETOOBIG);
	ASSERT_EQ(registry_instance_count(node_registry(sim_node(sim, 0))), 0);
	/* The limit itself is fine. */
	ASSERT_OK(register_many(sim, 0, SERVICE_PER_NODE_MAX, "a", 0));
	ASSERT_EQ(registry_instance_count(node_registry(sim_node(sim, 0))),
		  SERVICE_PER_NODE_MAX);

	struct service one = {.id = "x", .name = "web", .port = 1};
	const struct service *list[] = {&one, &one}; /* the same id twice */
	const char *why = NULL;
	ASSERT_EQ(node_set_services(sim_node(sim, 0), sim_now_ms(sim), list,
				    2, &why), RUMOR_EINVAL);
	ASSERT_NOT_NULL(why);
	sim_delete(sim);
}

int
main(void)
{
	if (cluster_init() != 0)
		return 1;
	RUN(test_a_registration_reaches_every_node_and_follows_its_node);
	RUN(test_a_large_set_spreads_through_push_pulls);
	RUN(test_a_restarted_owner_replaces_its_large_set);
	RUN(test_a_set_past_the_limits_is_refused_and_nothing_changes);
	return TEST_SUMMARY();
}
