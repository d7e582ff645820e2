/*
 * sim_swarm: draw a case from a seed, run it, check it (see sim_swarm.h).
 * Every draw comes from the SIM_STREAM_SWARM stream of the seed, so
 * `rumor-sim --swarm 1 --seed N` replays case N exactly.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sim_scenario.h"
#include "sim_rand.h"
#include "sim_swarm.h"

#define SWARM_NODES_MIN 5
#define SWARM_NODES_MAX 24
#define SWARM_EXTRA_SLOTS 2

static void
draw_config(struct sim_rand *r, struct swim_config *c)
{
	swim_config_lan(c);
	c->probe_interval_ms = sim_rand_range(r, 200, 2000);
	c->probe_timeout_ms = sim_rand_range(r, c->probe_interval_ms / 5,
					     c->probe_interval_ms * 4 / 5);
	c->indirect_checks = (unsigned)sim_rand_range(r, 1, 4);
	c->gossip_interval_ms = sim_rand_range(r, 50, 500);
	c->gossip_nodes = (unsigned)sim_rand_range(r, 2, 4);
	c->retransmit_mult = (unsigned)sim_rand_range(r, 2, 4);
	c->suspicion_mult = (unsigned)sim_rand_range(r, 2, 6);
	c->pushpull_interval_ms = sim_rand_range(r, 2000, 30000);
	c->reconnect_interval_ms = sim_rand_range(r, 1000, 15000);
	c->join_retry_min_ms = sim_rand_range(r, 200, 1000);
	c->join_retry_max_ms = sim_rand_range(r, 2000, 30000);
}

static void
draw_groups(struct sim_rand *r, struct sim_action *a, size_t slots)
{
	uint16_t groups = a->verb == SIM_VERB_CUT ? 2
			: (uint16_t)sim_rand_range(r, 2, 3);
	for (uint32_t i = 0; i < slots; i++) {
		/* A fifth of the nodes stay connected to everyone. */
		uint16_t g = sim_rand_below(r, 5) == 0 ? 0
			   : (uint16_t)sim_rand_range(r, 1, groups);
		if (g == 0)
			continue;
		struct sim_range *rr = realloc(
			a->ranges, (a->range_count + 1) * sizeof(*rr));
		if (rr == NULL)
			return;
		a->ranges = rr;
		rr[a->range_count++] = (struct sim_range){i, i, g};
	}
}

static void
draw_fault(struct sim_rand *r, struct sim_action *a, size_t n,
	   size_t slots, uint64_t end_ms)
{
	static const enum sim_verb verbs[] = {
		SIM_VERB_LOSS,	SIM_VERB_DELAY,	  SIM_VERB_PARTITION,
		SIM_VERB_CUT,	SIM_VERB_CRASH,	  SIM_VERB_RESTART,
		SIM_VERB_PAUSE, SIM_VERB_PAUSE,	  SIM_VERB_HEAL,
		SIM_VERB_JOIN,	SIM_VERB_LEAVE,	  SIM_VERB_CRASH,
	};
	a->verb = verbs[sim_rand_below(r, sizeof(verbs) / sizeof(verbs[0]))];
	a->node = (uint32_t)sim_rand_below(r, n);
	switch (a->verb) {
	case SIM_VERB_LOSS:
		a->loss_ppm = (uint32_t)sim_rand_range(r, 10000, 500000);
		break;
	case SIM_VERB_DELAY:
		a->delay_min_ms = sim_rand_range(r, 1, 50);
		a->delay_max_ms = a->delay_min_ms + sim_rand_range(r, 0, 400);
		break;
	case SIM_VERB_PARTITION:
	case SIM_VERB_CUT:
		draw_groups(r, a, slots);
		break;
	case SIM_VERB_PAUSE:
		a->dur_ms = sim_rand_range(r, 100, 30000);
		if (a->at_ms + a->dur_ms > end_ms)
			a->dur_ms = end_ms - a->at_ms;
		break;
	case SIM_VERB_JOIN:
		a->node = (uint32_t)sim_rand_range(r, n, slots - 1);
		break;
	default:
		break;
	}
}

static void
label(struct sim_action *a)
{
	switch (a->verb) {
	case SIM_VERB_LOSS:
		snprintf(a->label, sizeof(a->label), "loss %.1f%%",
			 a->loss_ppm / 10000.0);
		break;
	case SIM_VERB_DELAY:
		snprintf(a->label, sizeof(a->label), "delay %" PRIu64 "ms..%"
			 PRIu64 "ms", a->delay_min_ms, a->delay_max_ms);
		break;
	case SIM_VERB_PAUSE:
		snprintf(a->label, sizeof(a->label), "pause %u for %" PRIu64
			 "ms", a->node, a->dur_ms);
		break;
	case SIM_VERB_PARTITION:
	case SIM_VERB_CUT:
	case SIM_VERB_HEAL:
		snprintf(a->label, sizeof(a->label), "%s%s",
			 sim_verb_strs[a->verb],
			 a->verb == SIM_VERB_CUT ? " (one-way)" : "");
		break;
	default:
		snprintf(a->label, sizeof(a->label), "%s %u",
			 sim_verb_strs[a->verb], a->node);
	}
}

static int
draw_case(uint64_t seed, struct sim_options *opt, struct sim_scenario *sc,
	  uint64_t *end_ms)
{
	struct sim_rand r;
	sim_rand_init(&r, sim_rand_derive(seed, SIM_STREAM_SWARM, 0));
	size_t n = sim_rand_range(&r, SWARM_NODES_MIN, SWARM_NODES_MAX);
	sim_options_default(opt, n, seed);
	opt->node_max = n + SWARM_EXTRA_SLOTS;
	opt->check_safety = true;
	opt->catalog = true;
	opt->no_encrypt = sim_rand_below(&r, 4) == 0;
	draw_config(&r, &opt->swim);
	uint64_t start = sim_rand_range(&r, 3000, 10000);
	*end_ms = start + sim_rand_range(&r, 15000, 80000);
	size_t faults = sim_rand_range(&r, 3, 30);
	for (size_t k = 0; k < faults; k++) {
		struct sim_action a = {.line = (int)k + 1};
		a.at_ms = sim_rand_range(&r, start, *end_ms - 1);
		draw_fault(&r, &a, n, opt->node_max, *end_ms);
		label(&a);
		if (sim_scenario_add(sc, &a) != 0) {
			free(a.ranges);
			return -1;
		}
	}
	return 0;
}

static void
describe(FILE *log, const struct sim_options *opt,
	 const struct sim_scenario *sc, uint64_t end_ms, uint64_t bound_ms)
{
	const struct swim_config *c = &opt->swim;
	fprintf(log, "  %zu nodes (+%zu slots), %s, probe %" PRIu64 "/%" PRIu64
		" ms, indirect %u, gossip %" PRIu64 " ms x%u, retransmit %u, "
		"suspicion %u, push-pull %" PRIu64 " ms, reconnect %" PRIu64
		" ms, join retry %" PRIu64 "..%" PRIu64 " ms\n",
		opt->node_count, opt->node_max - opt->node_count,
		opt->no_encrypt ? "plaintext" : "encrypted",
		c->probe_interval_ms, c->probe_timeout_ms, c->indirect_checks,
		c->gossip_interval_ms, c->gossip_nodes, c->retransmit_mult,
		c->suspicion_mult, c->pushpull_interval_ms,
		c->reconnect_interval_ms, c->join_retry_min_ms,
		c->join_retry_max_ms);
	for (size_t k = 0; k < sc->count; k++)
		fprintf(log, "  at %.3fs %s\n", sc->actions[k].at_ms / 1000.0,
			sc->actions[k].label);
	if (opt->alloc_fail_ppm > 0)
		fprintf(log, "  allocations refused: %.4g%%\n",
			opt->alloc_fail_ppm / 10000.0);
	fprintf(log, "  faults stop at %.3fs; liveness bound %.3fs\n",
		end_ms / 1000.0, bound_ms / 1000.0);
}

/* Name a few (observer, subject) pairs that are not converged. */
static void
explain(struct sim *sim, char *why, size_t size)
{
	size_t len = strlen(why), shown = 0;
	size_t m = sim_node_max(sim);
	for (uint32_t o = 0; o < m && shown < 4; o++) {
		enum sim_node_state so = sim_node_state(sim, o);
		if (so != SIM_NODE_RUNNING && so != SIM_NODE_PAUSED)
			continue;
		for (uint32_t s = 0; s < m && shown < 4; s++) {
			enum sim_node_state ss = sim_node_state(sim, s);
			int v = sim_view(sim, o, s);
			if ((ss != SIM_NODE_RUNNING && ss != SIM_NODE_PAUSED) ||
			    v == SWIM_STATUS_ALIVE || len >= size)
				continue;
			len += (size_t)snprintf(why + len, size - len,
						"; n%u sees n%u %s", o, s,
						v < 0 ? "unknown"
						      : swim_status_strs[v]);
			shown++;
		}
	}
}

/*
 * The catalog agrees with membership: each live node sees, healthy,
 * exactly the services of the members it holds alive or suspect (itself
 * included), so (when converged) every live node's service.
 */
static bool
catalog_whole(struct sim *sim, bool converged, char *why, size_t size)
{
	struct registry_query q = {.name = "svc"};
	for (uint32_t o = 0; o < sim_node_max(sim); o++) {
		struct node *n = sim_node(sim, o);
		if (n == NULL)
			continue;
		const struct swim *sw = node_swim(n);
		size_t up = 0;
		for (size_t k = 0; k < swim_member_count(sw); k++) {
			struct swim_member_info m;
			swim_member_at(sw, k, &m);
			up += m.status == SWIM_STATUS_ALIVE ||
			      m.status == SWIM_STATUS_SUSPECT;
		}
		size_t seen = registry_lookup(node_registry(n), &q, NULL, 0);
		if (seen != up || (converged && up < sim_live_count(sim))) {
			snprintf(why, size, "catalog at %.3fs: n%u sees %zu "
				 "healthy services, %zu members up, %zu live "
				 "nodes", sim_now_ms(sim) / 1000.0, o, seen,
				 up, sim_live_count(sim));
			return false;
		}
	}
	return true;
}

static void
stop_faults(struct sim *sim)
{
	sim_heal(sim);
	sim_mark(sim, "faults stop");
	sim_set_loss(sim, 0);
	sim_set_delay(sim, 0, 0);
	sim_set_alloc_fail(sim, 0);
	for (uint32_t i = 0; i < sim_node_max(sim); i++) {
		if (sim_node_state(sim, i) == SIM_NODE_CRASHED)
			sim_restart(sim, i);
	}
}

/*
 * Refused allocations lose push-pulls, and a lost join can leave a node
 * stranded (its only seed gone since) or a few nodes joined only to one
 * another, an island nobody outside knows of: the core does not look for
 * the rest of the cluster once it knows someone. So with them liveness is
 * reported, not required; safety and each node's own coherence are.
 */
static void
check_run(struct sim *sim, uint64_t end_ms, struct sim_swarm_result *out)
{
	bool live_required = sim_options(sim)->alloc_fail_ppm == 0;
	sim_run_until(sim, end_ms);
	stop_faults(sim);
	out->converged_ms = sim_run_until_converged(sim,
						    end_ms + out->bound_ms);
	const struct sim_results *res = sim_results(sim);
	if (res->violated) {
		snprintf(out->why, sizeof(out->why), "safety at %.3fs: %s",
			 res->violation_ms / 1000.0, res->violation);
	} else if (out->converged_ms == UINT64_MAX && live_required) {
		snprintf(out->why, sizeof(out->why), "liveness: not converged "
			 "%.3fs after faults stopped at %.3fs",
			 out->bound_ms / 1000.0, end_ms / 1000.0);
		explain(sim, out->why, sizeof(out->why));
	} else if (!catalog_whole(sim, out->converged_ms != UINT64_MAX,
				  out->why, sizeof(out->why))) {
		/* Membership agrees; the services must too. */
	} else {
		out->ok = true;
	}
	out->trace_hash = res->trace_hash;
	out->events = res->events;
	out->allocs_refused = res->allocs_refused;
	out->refused_inputs = res->refused_inputs;
}

int
sim_swarm_run(uint64_t seed, uint32_t alloc_fail_ppm, FILE *log,
	      struct sim_swarm_result *out)
{
	struct sim_options opt;
	struct sim_scenario sc = {0};
	*out = (struct sim_swarm_result){.converged_ms = UINT64_MAX};
	uint64_t end_ms;
	if (draw_case(seed, &opt, &sc, &end_ms) != 0) {
		sim_scenario_destroy(&sc);
		return -1;
	}
	opt.alloc_fail_ppm = alloc_fail_ppm;
	out->nodes = opt.node_count;
	out->faults_end_ms = end_ms;
	out->bound_ms = sim_liveness_bound_ms(&opt.swim, opt.node_max);
	if (log != NULL)
		describe(log, &opt, &sc, end_ms, out->bound_ms);
	struct sim *sim = sim_new(&opt);
	if (sim == NULL || sim_schedule(sim, sc.actions, sc.count) != 0) {
		sim_delete(sim);
		sim_scenario_destroy(&sc);
		return -1;
	}
	check_run(sim, end_ms, out);
	sim_delete(sim);
	sim_scenario_destroy(&sc);
	return out->ok ? 0 : 1;
}
