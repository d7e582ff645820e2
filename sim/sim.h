/*
 * sim: a whole rumor cluster in one process. N real `struct node`s (the
 * same object the agent drives: SWIM core, Lifeguard, seal) run on a
 * discrete-event scheduler with virtual time over a faulty fake network.
 * Nothing here reads a clock, opens a socket or sleeps; one master seed
 * determines every draw, so a seed reproduces a run byte for byte.
 *
 * Time. Every time in this API is virtual milliseconds since the start of
 * the run; internally the nodes see SIM_EPOCH_MS + that (a non-zero epoch,
 * as fakeev's 10000, catches code that treats 0 as "unset").
 *
 * Nodes. Slot i is node "n<i>" at 10.x.y.z:SIM_PORT (x.y.z = i + 1). Slots
 * 0..node_count-1 start at the beginning: n0 at once, the others at a time
 * drawn uniformly in [0, join_stagger_ms), each joining through n0. Slots
 * node_count..node_max-1 exist but start only when sim_join() asks. Later
 * starts (sim_join, sim_restart) join through up to SIM_SEEDS_MAX nodes
 * that are up at that moment, lowest index first (down ones only to fill
 * up), so a crashed or departed n0 does not strand them.
 * A restart is a new node object with the same name and address and the
 * next generation as its starting incarnation (what the agent's data-dir
 * counter gives: 0, 1, 2, ...); the core outranks its old self by refuting.
 *
 * A paused node neither sends, reads nor fires timers. Datagrams for it
 * queue up to SIM_BACKLOG_BYTES (a kernel receive buffer; the rest is
 * dropped), streams queue without limit (TCP backlog); on resume they are
 * handed over in arrival order at the resume time and its timer fires
 * late.
 *
 * Push-pull streams are reliable (no loss), take one latency draw each way
 * and need both directions open (TCP), at request and at reply time.
 *
 * Faults (sim_crash ... sim_set_delay) change the world at once, but send
 * nothing themselves: what a start or a leave has to send goes out when
 * the simulation next runs (sim_run_until*), at the same virtual time,
 * before any event. An action the loop runs is drained right after it.
 *
 * Refused allocations (opt.alloc_fail_ppm, sim_set_alloc_fail). Each node
 * takes its memory from its own allocator (sim_faults.h), which refuses
 * requests at random once the node has started (its creation, its
 * service and a warm start's members are set up whole; a join, a leave
 * and every later input may be refused). Safety and node_check() must
 * hold whatever is refused; liveness only once the refusals stop. A node
 * that had to drop member events for want of memory (node_stats) has its
 * row of the views read again from its member table.
 */
#ifndef RUMOR_SIM_H
#define RUMOR_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "membership/node.h"

/** Every node's UDP port (the agent's default, memberlist's 7946). */
#define SIM_PORT 7946
/** Node i's IPv4 address is SIM_IP_BASE + i + 1 (10.0.0.1 for n0). */
#define SIM_IP_BASE 0x0a000000u
/** Virtual clock value at the start of a run (fakeev's epoch). */
#define SIM_EPOCH_MS 10000
/** Later joins go through this many seeds. */
#define SIM_SEEDS_MAX 3
/** Datagram bytes queued for a paused node (Linux default rmem). */
#define SIM_BACKLOG_BYTES 212992
/** Metrics sample period (CSV rows, SVG points). */
#define SIM_SAMPLE_MS 1000
/** Default spread of the initial joins. */
#define SIM_JOIN_STAGGER_MS 1000
/** Longest violation text. */
#define SIM_VIOLATION_MAX 256

enum sim_node_state {
	SIM_NODE_UNSTARTED = 0,
	SIM_NODE_RUNNING,
	SIM_NODE_PAUSED,
	SIM_NODE_CRASHED,
	SIM_NODE_LEFT,
};

struct sim_options {
	/** Nodes started at the beginning. */
	size_t node_count;
	/** Slots in all (>= node_count); 0 means node_count. */
	size_t node_max;
	/** The master seed. */
	uint64_t seed;
	/** Protocol timings, the agent's struct. */
	struct swim_config swim;
	/** Plaintext frames instead of sealed ones. */
	bool no_encrypt;
	/** Initial datagram loss in parts per million. */
	uint32_t loss_ppm;
	/** Initial latency range; both 0 for the default model. */
	uint64_t delay_min_ms;
	uint64_t delay_max_ms;
	/** Spread of the initial joins (0 for SIM_JOIN_STAGGER_MS). */
	uint64_t join_stagger_ms;
	/** Start warm: the initial nodes all start at 0 as a cluster that
	 *  has been up a while, each knowing every initial node alive
	 *  (swim_restore), with no join storm; convergence is at 0. */
	bool warm;
	/** Run the O(N^2)-memory safety checks, and node_check(), after
	 *  every input. */
	bool check_safety;
	/** Refuse each allocation of a node with this probability, in parts
	 *  per million (--alloc-fail), once the node has started; node_check()
	 *  then runs after every input that had one refused. */
	uint32_t alloc_fail_ppm;
	/** Every node offers one service, "svc" with id "s<i>", from its
	 *  start (a restart offers it again, as an agent reloading its data
	 *  dir does). */
	bool catalog;
	/** Every node carries two tags, zone=z<i mod 3> and node=n<i>, from
	 *  its start (sim_announce.h). */
	bool tags;
	/** Write every membership change here, or NULL. */
	FILE *trace;
};

/** LAN timings, no faults. */
void
sim_options_default(struct sim_options *opt, size_t node_count,
		    uint64_t seed);

/** One crashed node (times in ms since start, UINT64_MAX = never). */
struct sim_failure {
	uint32_t node;
	uint32_t generation;
	uint64_t crashed_ms;
	/** Some live node first marked it failed. */
	uint64_t first_detect_ms;
	/** Every live node that can reach it has it failed. */
	uint64_t all_detect_ms;
};

/** A failed verdict about a node that was running and reachable. */
struct sim_fp {
	uint64_t t_ms;
	uint32_t observer;
	uint32_t subject;
	/** The subject or the observer resumed/restarted, or a partition
	 *  healed, less than a suspicion max timeout ago. */
	bool recent_fault;
	/** A partition healed less than a probe interval ago. */
	bool straddle;
};

struct sim_heal {
	uint64_t healed_ms;
	/** Every live node again sees every live node alive. */
	uint64_t converged_ms;
};

/** Per-second sample over live nodes. */
struct sim_sample {
	uint64_t t_ms;
	uint32_t live;
	/** Members each live node sees alive (self included). */
	uint32_t alive_min;
	uint32_t alive_median;
	uint32_t alive_max;
	/** Suspect entries summed over all live views. */
	uint32_t suspects;
	/** Failed entries summed over all live views. */
	uint32_t failed;
	/** Datagrams and their bytes sent during the last period. */
	uint64_t messages;
	uint64_t bytes;
	/** With opt.catalog: the fewest and most healthy services a live
	 *  node sees. */
	uint32_t services_min;
	uint32_t services_max;
	/** With opt.tags: the fewest and most live members whose tags a
	 *  live node holds as they were set. */
	uint32_t tags_min;
	uint32_t tags_max;
};

/** A scenario event, for plots. */
struct sim_mark {
	uint64_t t_ms;
	char label[48];
};

struct sim_results {
	/** All initial nodes started and everyone sees everyone alive. */
	uint64_t converged_ms;
	struct sim_failure *failures;
	size_t failure_count;
	struct sim_fp *fps;
	size_t fp_count;
	size_t fp_recent_count;
	/** Of those, verdicts given less than a probe interval after a heal:
	 *  the final check's last ping went out before it (see
	 *  docs/protocol.md, "Accuracy"). */
	size_t fp_straddle_count;
	/** "failed" verdicts about a running node under a node loss (not
	 *  false positives: it is flaky, not healthy). */
	uint64_t flaky_verdicts;
	/** View flaps: times an observer's view of a running node went
	 *  from failed (or forgotten) back to alive or suspect; in all and
	 *  per subject (node_max entries). */
	uint64_t flap_count;
	uint32_t *flaps;
	struct sim_heal *heals;
	size_t heal_count;
	struct sim_sample *samples;
	size_t sample_count;
	struct sim_mark *marks;
	size_t mark_count;
	uint64_t datagrams;
	uint64_t datagram_bytes;
	uint64_t datagrams_dropped;
	uint64_t max_datagram;
	uint64_t streams;
	uint64_t stream_bytes;
	/** Scheduler events processed. */
	uint64_t events;
	/** Node generations started (initial starts, joins, restarts). */
	uint64_t starts;
	/** Allocations refused (opt.alloc_fail_ppm), and the inputs after
	 *  which node_check() ran because one had been. */
	uint64_t allocs_refused;
	uint64_t refused_inputs;
	/** FNV-1a 64 of the trace text (computed with or without a file). */
	uint64_t trace_hash;
	uint64_t trace_lines;
	/** The first safety violation. */
	bool violated;
	uint64_t violation_ms;
	char violation[SIM_VIOLATION_MAX];
};

/** Scenario verbs. */
enum sim_verb {
	SIM_VERB_CRASH = 0,
	SIM_VERB_RESTART,
	SIM_VERB_PAUSE,
	SIM_VERB_PARTITION,
	SIM_VERB_CUT,		/* one-way partition A -> B */
	SIM_VERB_HEAL,
	SIM_VERB_LOSS,
	SIM_VERB_DELAY,
	SIM_VERB_JOIN,
	SIM_VERB_LEAVE,
	sim_verb_MAX
};

extern const char *const sim_verb_strs[sim_verb_MAX];

/** Nodes lo..hi (inclusive) belong to group (1..). */
struct sim_range {
	uint32_t lo;
	uint32_t hi;
	uint16_t group;
};

/** One scenario line. */
struct sim_action {
	uint64_t at_ms;
	enum sim_verb verb;
	uint32_t node;
	uint64_t dur_ms;
	uint32_t loss_ppm;
	/** loss: 0 every path, 1 "to" the nodes in ranges (what they
	 *  receive), 2 "from" them (what they send). */
	uint8_t loss_dir;
	uint64_t delay_min_ms;
	uint64_t delay_max_ms;
	/** Partitions, cuts and node loss (malloc'd). */
	struct sim_range *ranges;
	size_t range_count;
	int line;
	char label[48];
};

struct sim;

/** NULL on out-of-memory or invalid options (bad config, no nodes). */
struct sim *
sim_new(const struct sim_options *opt);

void
sim_delete(struct sim *sim);

/** Schedule actions (borrowed: they must outlive the run). */
int
sim_schedule(struct sim *sim, const struct sim_action *actions,
	     size_t count);

/** Process every event due up to t_ms, then set the clock to t_ms. */
void
sim_run_until(struct sim *sim, uint64_t t_ms);

/** Like sim_run_until, but stop at the first moment everyone sees
 *  everyone alive; returns that time or UINT64_MAX. */
uint64_t
sim_run_until_converged(struct sim *sim, uint64_t t_ms);

/** Apply one action now. 0, or -1 when it does not apply. */
int
sim_apply(struct sim *sim, const struct sim_action *a);

int
sim_crash(struct sim *sim, uint32_t i);
int
sim_restart(struct sim *sim, uint32_t i);
int
sim_pause(struct sim *sim, uint32_t i, uint64_t dur_ms);
int
sim_join(struct sim *sim, uint32_t i);
int
sim_leave(struct sim *sim, uint32_t i);
/** group: node_max entries; see sim_net.h. */
int
sim_partition(struct sim *sim, const uint16_t *group, bool one_way);
void
sim_heal(struct sim *sim);
void
sim_set_loss(struct sim *sim, uint32_t loss_ppm);
/** Loss on what the nodes with group[i] != 0 receive (egress false) or
 *  send (true): a flaky node. Its verdicts count apart (sim_check.c). */
int
sim_set_node_loss(struct sim *sim, const uint16_t *group, bool egress,
		  uint32_t loss_ppm);
void
sim_set_delay(struct sim *sim, uint64_t min_ms, uint64_t max_ms);
/** Allocations refused from now on, in parts per million (every node,
 *  and those started later). */
void
sim_set_alloc_fail(struct sim *sim, uint32_t ppm);
/** Add a labeled marker for plots. */
void
sim_mark(struct sim *sim, const char *label);

uint64_t
sim_now_ms(const struct sim *sim);
size_t
sim_node_max(const struct sim *sim);
enum sim_node_state
sim_node_state(const struct sim *sim, uint32_t i);
/** Nodes running or paused. */
size_t
sim_live_count(const struct sim *sim);
/** Everyone live sees everyone live alive. */
bool
sim_converged(const struct sim *sim);
/** How observer sees subject: a swim_status, or -1 when unknown. */
int
sim_view(const struct sim *sim, uint32_t observer, uint32_t subject);
/** Members observer sees alive, self included. */
uint32_t
sim_alive_seen(const struct sim *sim, uint32_t observer);
/** Live nodes whose registry answers q with exactly `want` instances. */
size_t
sim_nodes_seeing(struct sim *sim, const struct registry_query *q,
		 size_t want);

/** The node object (NULL unless running or paused). */
struct node *
sim_node(struct sim *sim, uint32_t i);
const struct sim_options *
sim_options(const struct sim *sim);
const struct sim_results *
sim_results(const struct sim *sim);

/**
 * Liveness bound after the last fault, for n members:
 *   2 * suspicion_max + 3 * reconnect_interval + 3 * pushpull(n)
 *   + join_retry_max + 10 * probe_interval
 * (a wrong verdict can only be in flight for a suspicion max; a split
 * cluster finds itself again through a reconnect attempt or a join retry;
 * the push-pull that follows merges both views; a few probe periods let
 * refutations spread).
 */
uint64_t
sim_liveness_bound_ms(const struct swim_config *cfg, size_t n);

#endif /* RUMOR_SIM_H */
