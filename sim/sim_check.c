/*
 * sim_check: what must hold, checked while the simulation runs.
 *
 * Safety, after every input to a node (with check_safety; it keeps an
 * incarnation per (observer, subject), so it is for small clusters):
 *   - a node never sees itself failed;
 *   - the incarnation an observer holds for a subject never goes down.
 *     A restarted subject starts lower (the agent's data-dir counter), but
 *     its old life's incarnation is still what others hold, and the core
 *     must refute above it, so observers' values stay monotonic; only the
 *     restarted node's own row starts over;
 *   - the node's own invariants hold (node_check: the core's tables, the
 *     registry, and the registry following membership), checked once per
 *     node per 10 s of virtual time (SIM_NODE_CHECK_EVERY_MS: it walks
 *     every member and the registry; after every input it made checked
 *     runs of 500 nodes 4x slower), and after every input that had an
 *     allocation refused.
 *
 * Refused allocations (opt.alloc_fail_ppm): after any input during which
 * the node's allocator refused a request, node_check runs too, with or
 * without check_safety. STYLE 4 says a failed call changes nothing, so a
 * refusal must never leave the node incoherent.
 *
 * Verdicts. Every "failed" event is classified: about a crashed node it
 * feeds that crash's detection times; about a paused or left node, or one
 * cut off from the observer by a partition or one-way cut, it is
 * legitimate; otherwise it is a false positive. The all-detect time of a
 * crash is when every live node that can reach it (both ways) has it
 * failed or has forgotten it (sim_failure_all_detect, kept with the crash
 * records in sim_world.c).
 *
 * Bounds. The liveness bound (formula in sim.h) is computed here from
 * the config, with the core's own Lifeguard formulas.
 */
#include <inttypes.h>
#include <stdio.h>

#include "sim_check.h"
#include "sim_world.h"
#include "swim/swim_lifeguard.h"

/* How often, in virtual time, a node's own invariants are checked when
 * nothing was refused (with check_safety). */
#define SIM_NODE_CHECK_EVERY_MS 10000

static void
check_views(struct sim *sim, uint32_t i)
{
	const struct swim *sw = node_swim(sim->nodes[i].node);
	size_t count = swim_member_count(sw);
	for (size_t k = 0; k < count; k++) {
		struct swim_member_info m;
		swim_member_at(sw, k, &m);
		if (m.is_self && m.status == SWIM_STATUS_FAILED)
			sim_violation(sim, "n%u sees itself failed", i);
		long s = sim_name_index(m.name, sim->node_max);
		if (s < 0)
			continue;
		uint64_t *seen = &sim->inc_seen[(size_t)i * sim->node_max +
						(size_t)s];
		if (m.incarnation < *seen)
			sim_violation(sim,
				      "n%u saw n%ld's incarnation go back "
				      "from %" PRIu64 " to %" PRIu64,
				      i, s, *seen, m.incarnation);
		*seen = m.incarnation;
	}
}

/* The node dropped member events it had no memory to keep (node.h,
 * node_poll_event): its row of the views is read again from its table. */
static void
views_reread(struct sim *sim, uint32_t i)
{
	const struct swim *sw = node_swim(sim->nodes[i].node);
	for (uint32_t s = 0; s < sim->node_max; s++) {
		char name[24];
		struct swim_member_info m;
		snprintf(name, sizeof(name), "n%u", s);
		sim_set_view(sim, i, s,
			     swim_member_find(sw, name, &m) == 0
				     ? (uint8_t)m.status
				     : SIM_VIEW_NONE);
	}
}

void
sim_check_input(struct sim *sim, uint32_t i)
{
	struct sim_node *n = &sim->nodes[i];
	bool refused = n->faults.injected != n->faults_seen;
	sim->res.allocs_refused += n->faults.injected - n->faults_seen;
	sim->res.refused_inputs += refused;
	n->faults_seen = n->faults.injected;
	if (refused) {
		struct node_stats st;
		node_stats(n->node, &st);
		if (st.events_dropped != n->events_lost) {
			n->events_lost = st.events_dropped;
			views_reread(sim, i);
		}
	}
	if (sim->opt.check_safety)
		check_views(sim, i);
	if (!refused) {
		/* Sampled: see the top of this file. */
		if (!sim->opt.check_safety ||
		    (n->checked_ms != 0 &&
		     sim->now < n->checked_ms + SIM_NODE_CHECK_EVERY_MS))
			return;
		n->checked_ms = sim->now ? sim->now : 1;
	}
	const char *why = "";
	if (node_check(n->node, &why) != 0)
		sim_violation(sim, "n%u: %s%s", i, why,
			      refused ? " (after a refused allocation)" : "");
}

static uint64_t
max3(uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t m = a > b ? a : b;
	return m > c ? m : c;
}

void
sim_check_failed_verdict(struct sim *sim, uint32_t o, uint32_t s)
{
	if (o == s) {
		sim_violation(sim, "n%u sees itself failed", o);
		return;
	}
	const struct sim_node *sn = &sim->nodes[s];
	if (sn->state != SIM_NODE_RUNNING) {
		if (sn->failure == SIZE_MAX)
			return;
		struct sim_failure *f = &sim->res.failures[sn->failure];
		if (f->first_detect_ms == UINT64_MAX)
			f->first_detect_ms = sim_rel_ms(sim);
		sim_failure_all_detect(sim, sn->failure);
		return;
	}
	if (!sim_net_reachable(&sim->net, o, s))
		return;
	struct sim_results *res = &sim->res;
	if (sn->flaky) {
		res->flaky_verdicts++;
		return;
	}
	if (sim_grow((void **)&res->fps, &sim->fp_cap, res->fp_count,
		     sizeof(*res->fps)) != 0)
		return;
	uint64_t fault = max3(sn->fault_end_ms, sim->nodes[o].fault_end_ms,
			      sim->last_heal_ms);
	bool recent = fault != 0 && sim->now < fault + sim->grace_ms;
	bool straddle = sim->last_heal_ms != 0 &&
			sim->now < sim->last_heal_ms +
					   sim->opt.swim.probe_interval_ms;
	res->fps[res->fp_count++] = (struct sim_fp){
		.t_ms = sim_rel_ms(sim), .observer = o, .subject = s,
		.recent_fault = recent, .straddle = straddle};
	res->fp_recent_count += recent;
	res->fp_straddle_count += straddle;
}

uint64_t
sim_liveness_bound_ms(const struct swim_config *cfg, size_t n)
{
	uint64_t suspicion_max_ms = swim_suspicion_max_ms(
		cfg->suspicion_mult, cfg->suspicion_max_timeout_mult, n,
		cfg->probe_interval_ms);
	return 2 * suspicion_max_ms + 3 * cfg->reconnect_interval_ms +
	       3 * swim_pushpull_scale(cfg->pushpull_interval_ms, n) +
	       cfg->join_retry_max_ms + 10 * cfg->probe_interval_ms;
}
