/*
 * sim_world: struct sim and the helpers the sim_*.c files share. Not for
 * tests; they use sim.h.
 */
#ifndef RUMOR_SIM_WORLD_H
#define RUMOR_SIM_WORLD_H

#include "sim.h"
#include "sim_arena.h"
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
	struct sim_results res;
	size_t failure_cap, fp_cap, heal_cap, sample_cap, mark_cap;
};

/** Grow *items (of item_size) so that count + 1 fit. 0 or -1. */
int
sim_grow(void **items, size_t *cap, size_t count, size_t item_size);

/** Record the first safety violation (printf-style). */
void
sim_violation(struct sim *sim, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** sim_check.c: per-input safety scan of node i's member table. */
void
sim_check_node(struct sim *sim, uint32_t i);

/** sim_check.c: classify a "failed" verdict by observer about subject. */
void
sim_check_failed_verdict(struct sim *sim, uint32_t observer,
			 uint32_t subject);

/** sim_check.c: try to close the all-detect time of open failures. */
void
sim_check_all_detect(struct sim *sim, size_t failure);

/** sim_loop.c: drain node i's outputs after an input, re-arm its timer. */
void
sim_drain(struct sim *sim, uint32_t i);

/** sim_loop.c: process events up to the absolute time `until`; with
 *  stop_converged, return true at the first converged moment. */
bool
sim_loop_run(struct sim *sim, uint64_t until, bool stop_converged);

/** sim_world.c: set observer o's view of s, keeping the counters. */
void
sim_set_view(struct sim *sim, uint32_t o, uint32_t s, uint8_t status);

/** sim_world.c: start node i (a new generation unless never started);
 *  join_via: 0 none, 1 through n0, 2 through the seeds, -1 warm start
 *  (swim_restore of every initial node). */
int
sim_spawn(struct sim *sim, uint32_t i, int join_via);

/** sim_world.c: stop node i's process (crash or left). */
void
sim_kill(struct sim *sim, uint32_t i, enum sim_node_state state);

/** sim_world.c: the clock as ms since start. */
uint64_t
sim_rel_ms(const struct sim *sim);

/** Node index of a member name "n<i>", or -1. */
long
sim_name_index(const char *name, size_t node_max);

/** sim_scenario.c: node group array (node_max entries) of an action. */
uint16_t *
sim_action_groups(const struct sim_action *a, size_t node_max);

#endif /* RUMOR_SIM_WORLD_H */
