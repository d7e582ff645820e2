/*
 * Cluster tests of the basic life of a cluster, through the simulator in
 * virtual time: joining, crash detection within Lifeguard's bound, no
 * false failures under loss, and determinism of the whole run.
 */
#include "cluster.h"
#include "swim/swim_lifeguard.h"
#include "test.h"

#define SEED 20240601

static void
test_fifty_nodes_joining_through_one_seed_converge_in_ten_s(void)
{
	struct sim *sim = cluster_new(50, SEED);
	ASSERT_NOT_NULL(sim);
	uint64_t t = sim_run_until_converged(sim, 10000);
	printf("  50 nodes converged at %.3f s\n", t / 1000.0);
	ASSERT_LE(t, 10000);
	sim_run_until(sim, 30000);
	ASSERT(sim_converged(sim));
	ASSERT_EQ(sim_results(sim)->fp_count, 0);
	ASSERT(!sim_results(sim)->violated);
	sim_delete(sim);
}

static void
test_a_crash_is_detected_everywhere_within_suspicion_max(void)
{
	struct sim *sim = cluster_new(32, SEED + 1);
	ASSERT_NOT_NULL(sim);
	sim_run_until(sim, 20000);
	ASSERT(sim_converged(sim));
	ASSERT_OK(sim_crash(sim, 7));
	sim_run_until(sim, 120000);
	const struct sim_results *res = sim_results(sim);
	ASSERT_EQ(res->failure_count, 1);
	const struct sim_failure *f = &res->failures[0];
	struct swim_config cfg;
	swim_config_lan(&cfg);
	uint64_t max_ms = swim_suspicion_max_ms(
		cfg.suspicion_mult, cfg.suspicion_max_timeout_mult, 32,
		cfg.probe_interval_ms);
	uint64_t bound = max_ms + 2 * cfg.probe_interval_ms;
	printf("  first detect +%.3f s, all detect +%.3f s (bound %.3f s)\n",
	       (f->first_detect_ms - f->crashed_ms) / 1000.0,
	       (f->all_detect_ms - f->crashed_ms) / 1000.0, bound / 1000.0);
	ASSERT_LE(f->first_detect_ms - f->crashed_ms, bound);
	ASSERT_LE(f->all_detect_ms - f->crashed_ms, bound);
	ASSERT_EQ(cluster_count_view(sim, 7, SWIM_STATUS_FAILED), 31);
	ASSERT(sim_converged(sim));
	ASSERT(!res->violated);
	sim_delete(sim);
}

static void
test_under_ten_percent_loss_suspicions_are_refuted_not_failed(void)
{
	struct sim_options opt;
	sim_options_default(&opt, 20, SEED + 2);
	opt.check_safety = true;
	opt.loss_ppm = 100000;
	struct sim *sim = sim_new(&opt);
	ASSERT_NOT_NULL(sim);
	sim_run_until(sim, 120000);
	const struct sim_results *res = sim_results(sim);
	uint64_t suspects = 0;
	for (size_t k = 0; k < res->sample_count; k++)
		suspects += res->samples[k].suspects;
	uint64_t suspicions = 0, refutations = 0;
	for (uint32_t i = 0; i < 20; i++) {
		struct node_stats st;
		node_stats(sim_node(sim, i), &st);
		suspicions += st.swim.suspicions;
		refutations += st.swim.refutations;
	}
	printf("  false failures %zu in 20 nodes x 120 s at 10%% loss "
	       "(suspect entry-seconds %llu, suspicions %llu, refutations "
	       "%llu)\n", res->fp_count, (unsigned long long)suspects,
	       (unsigned long long)suspicions,
	       (unsigned long long)refutations);
	/* The loss does raise suspicions, and their subjects refute them. */
	ASSERT(suspicions > 0);
	ASSERT(refutations > 0);
	/* Lifeguard refutes every suspicion at this loss rate: measured 0
	 * here and over seeds 1..20 (see the report); hold it at 0. */
	ASSERT_EQ(res->fp_count, 0);
	ASSERT(!res->violated);
	sim_delete(sim);
}

static void
test_same_seed_same_trace_and_another_seed_another_trace(void)
{
	uint64_t hash[3];
	uint64_t seeds[3] = {SEED + 3, SEED + 3, SEED + 4};
	for (int k = 0; k < 3; k++) {
		struct sim_options opt;
		sim_options_default(&opt, 24, seeds[k]);
		opt.loss_ppm = 50000;
		struct sim *sim = sim_new(&opt);
		ASSERT_NOT_NULL(sim);
		sim_run_until(sim, 15000);
		sim_crash(sim, 3);
		sim_pause(sim, 5, 8000);
		sim_run_until(sim, 40000);
		sim_restart(sim, 3);
		sim_run_until(sim, 60000);
		hash[k] = sim_results(sim)->trace_hash;
		ASSERT(sim_results(sim)->trace_lines > 24 * 24);
		sim_delete(sim);
	}
	ASSERT_EQ(hash[0], hash[1]);
	ASSERT_NE(hash[0], hash[2]);
}

int
main(void)
{
	if (cluster_init() != 0)
		return 1;
	RUN(test_fifty_nodes_joining_through_one_seed_converge_in_ten_s);
	RUN(test_a_crash_is_detected_everywhere_within_suspicion_max);
	RUN(test_under_ten_percent_loss_suspicions_are_refuted_not_failed);
	RUN(test_same_seed_same_trace_and_another_seed_another_trace);
	return TEST_SUMMARY();
}
