/*
 * sim_internal: struct sim and struct sim_node, shared by the sim_*.c
 * files, with the small inline helpers every one of them uses. It includes
 * only headers below the simulator's files (the public sim.h for the
 * types, and the arena, network and queue), so that using struct sim
 * imports no .c file. Each file's cross-file functions are declared in
 * that file's own header: sim_world.h, sim_check.h. Not for tests; they
 * use sim.h.
 */
#ifndef RUMOR_SIM_INTERNAL_H
#define RUMOR_SIM_INTERNAL_H

#include "sim.h"
#include "sim_arena.h"
#include "sim_faults.h"
#include "sim_net.h"
#include "sim_queue.h"

/** A view entry no event has set (unknown member). */
#define SIM_VIEW_NONE 0xff

struct sim_node {
	struct node *node;
	struct swim_addr addr;
	enum sim_node_state state;
	uint32_t generation;
	/** The pending timer event (time and queue seq), or none. */
	uint64_t armed_ms;
	uint64_t armed_seq;
	/** A timer came due while paused. */
	bool timer_due;
	bool leaving;
	/** Events held while paused. */
	struct sim_ev *backlog;
	size_t backlog_count;
	size_t backlog_cap;
	size_t backlog_bytes;
	/** Members seen alive (self included); live ones among them. */
	uint32_t alive_count;
	uint32_t good;
	/** Pending resume time of a pause. */
	uint64_t resume_ms;
	/** Last resume or restart, for sim_fp.recent_fault. */
	uint64_t fault_end_ms;
	/** Index of the open sim_failure, or SIZE_MAX. */
	size_t failure;
	/** In sim->drain_list: a fault call left outputs to drain. */
	bool drain_marked;
	/** Under a node loss ("loss P% to/from N"): verdicts about it are
	 *  counted apart from false positives. */
	bool flaky;
	/** The generation's allocator (swim_config.allocator), and how
	 *  many refusals and lost events the checks have seen of it. */
	struct sim_faults faults;
	uint64_t faults_seen;
	uint64_t events_lost;
	/** When node_check() last ran on the node without a refusal (the
	 *  sampled check, see sim_check.c). */
	uint64_t checked_ms;
};

struct sim {
	struct sim_options opt;
	size_t node_max;
	struct keyring *keyring;
	struct sim_queue queue;
	/** Every node's member records (swim_config.allocator). */
	struct sim_arena arena;
	struct sim_net net;
	struct sim_node *nodes;
	/** Absolute virtual time (SIM_EPOCH_MS at start). */
	uint64_t now;
	/** node_max * node_max statuses (SIM_VIEW_NONE when unknown). */
	uint8_t *view;
	/** Safety: last incarnation each observer saw of each subject. */
	uint64_t *inc_seen;
	size_t live_count;
	/** Live observers whose good != live_count. */
	size_t not_good;
	size_t suspects;
	size_t failed_views;
	size_t initial_started;
	uint64_t last_heal_ms;
	uint64_t grace_ms;
	/** Datagram counters at the previous sample. */
	uint64_t sample_messages;
	uint64_t sample_bytes;
	uint32_t *scratch;
	/** Warm start: every initial node's name and address. */
	struct swim_self *warm;
	char *warm_names;
	const struct sim_action *actions;
	size_t action_count;
	/** Nodes the fault API started or made leave, in call order; the
	 *  loop drains them before the next event (node_max entries, as a
	 *  node is listed once). */
	uint32_t *drain_list;
	size_t drain_count;
	struct sim_results res;
	size_t failure_cap, fp_cap, heal_cap, sample_cap, mark_cap;
};

/** Running or paused: a process that exists. */
static inline bool
sim_is_live(enum sim_node_state st)
{
	return st == SIM_NODE_RUNNING || st == SIM_NODE_PAUSED;
}

/** The clock as ms since start. */
static inline uint64_t
sim_rel_ms(const struct sim *sim)
{
	return sim->now - SIM_EPOCH_MS;
}

#endif /* RUMOR_SIM_INTERNAL_H */
