/*
 * sim_world: the cluster. Node slots and their lifecycle (start, crash,
 * restart with a new generation, pause, leave), the fault API, and the
 * views: a node_max x node_max status matrix fed by every node's events.
 *
 * The matrix is the simulator's own copy of "who sees whom how"; it lets
 * the convergence question be answered in O(1): for each live observer we
 * keep `good`, the number of live nodes it sees alive, and `not_good`, how
 * many live observers have good != live_count. Both change only when an
 * event changes a view entry or a node's liveness changes (the latter is
 * rare and recounts in O(N)). It costs one byte per (observer, subject),
 * about 1% of what the cores themselves hold per member.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sim_announce.h"
#include "sim_world.h"
#include "swim/swim_lifeguard.h"

const char *const sim_verb_strs[sim_verb_MAX] = {
	"crash", "restart", "pause", "partition", "partition",
	"heal",	 "loss",    "delay", "join",      "leave",
};

void
sim_options_default(struct sim_options *opt, size_t node_count,
		    uint64_t seed)
{
	*opt = (struct sim_options){.node_count = node_count, .seed = seed};
	swim_config_lan(&opt->swim);
}

int
sim_grow(void **items, size_t *cap, size_t count, size_t item_size)
{
	if (count < *cap)
		return 0;
	size_t n = *cap ? *cap * 2 : 16;
	void *p = realloc(*items, n * item_size);
	if (p == NULL)
		return -1;
	*items = p;
	*cap = n;
	return 0;
}

void
sim_violation(struct sim *sim, const char *fmt, ...)
{
	if (sim->res.violated)
		return;
	sim->res.violated = true;
	sim->res.violation_ms = sim_rel_ms(sim);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(sim->res.violation, sizeof(sim->res.violation), fmt, ap);
	va_end(ap);
}

long
sim_name_index(const char *name, size_t node_max)
{
	if (name[0] != 'n' || name[1] < '0' || name[1] > '9')
		return -1;
	long v = 0;
	for (const char *p = name + 1; *p; p++) {
		if (*p < '0' || *p > '9' || v > 100000000)
			return -1;
		v = v * 10 + (*p - '0');
	}
	return (size_t)v < node_max ? v : -1;
}

/* ---- views and counters ---------------------------------------------- */

static void
good_add(struct sim *sim, uint32_t o, int delta)
{
	struct sim_node *n = &sim->nodes[o];
	bool live = sim_is_live(n->state);
	bool was = live && n->good != sim->live_count;
	n->good += delta;
	bool now = live && n->good != sim->live_count;
	sim->not_good += (size_t)now - (size_t)was;
}

void
sim_set_view(struct sim *sim, uint32_t o, uint32_t s, uint8_t status)
{
	uint8_t *v = &sim->view[(size_t)o * sim->node_max + s];
	uint8_t old = *v;
	if (old == status)
		return;
	*v = status;
	bool s_live = sim_is_live(sim->nodes[s].state);
	if (old == SWIM_STATUS_ALIVE) {
		sim->nodes[o].alive_count--;
		if (s_live)
			good_add(sim, o, -1);
	}
	if (status == SWIM_STATUS_ALIVE) {
		sim->nodes[o].alive_count++;
		if (s_live)
			good_add(sim, o, 1);
	}
	/* Back in view after being out of it, while it ran: a flap. */
	bool was_in = old == SWIM_STATUS_ALIVE || old == SWIM_STATUS_SUSPECT;
	bool is_in = status == SWIM_STATUS_ALIVE ||
		     status == SWIM_STATUS_SUSPECT;
	if (!was_in && is_in && old != SIM_VIEW_NONE && s_live &&
	    sim->res.flaps != NULL) {
		sim->res.flap_count++;
		sim->res.flaps[s]++;
	}
	sim->suspects -= old == SWIM_STATUS_SUSPECT;
	sim->suspects += status == SWIM_STATUS_SUSPECT;
	sim->failed_views -= old == SWIM_STATUS_FAILED;
	sim->failed_views += status == SWIM_STATUS_FAILED;
}

/* Subject s became live (delta 1) or stopped being live (-1). Only live
 * observers can see s alive (sim_kill clears a row before the node stops
 * being live), so the column walk, one cache miss per row, skips the rest:
 * a warm start spawns node i with i nodes live. */
static void
subject_liveness(struct sim *sim, uint32_t s, int delta)
{
	sim->live_count += delta;
	sim->not_good = 0;
	for (size_t o = 0; o < sim->node_max; o++) {
		struct sim_node *n = &sim->nodes[o];
		if (!sim_is_live(n->state))
			continue;
		if (sim->view[o * sim->node_max + s] == SWIM_STATUS_ALIVE)
			n->good += delta;
		if (n->good != sim->live_count)
			sim->not_good++;
	}
}

/* ---- lifecycle ------------------------------------------------------- */

/* Node i's config for its current generation, and its allocator
 * (disarmed: the start is set up whole). */
static void
node_config_fill(struct sim *sim, uint32_t i, const char *name,
		 struct node_config *cfg)
{
	struct sim_node *n = &sim->nodes[i];
	uint64_t item = ((uint64_t)n->generation << 32) | i;
	*cfg = (struct node_config){
		.swim = sim->opt.swim,
		.self = {.name = name, .addr = n->addr,
			 .incarnation = n->generation},
		.keyring = sim->keyring,
		.rand_seed = sim_rand_derive(sim->opt.seed, SIM_STREAM_NODE,
					     item),
	};
	sim_faults_create(&n->faults, &sim->arena, sim->opt.alloc_fail_ppm,
			  sim_rand_derive(sim->opt.seed, SIM_STREAM_ALLOC,
					  item));
	n->faults_seen = 0;
	n->events_lost = 0;
	cfg->swim.allocator = &n->faults.allocator;
	/* The node's life (node_config: only its first 8 bytes are used). */
	uint64_t st = sim_rand_derive(sim->opt.seed, SIM_STREAM_NONCE, item);
	uint64_t life = swim_rand_mix(&st);
	memcpy(cfg->nonce_prefix, &life, sizeof(life));
}

/*
 * The seeds of a start: n0 for the initial joins (join_via 1); otherwise
 * up to SIM_SEEDS_MAX nodes that are up now, lowest index first, as an
 * operator (or a cloud auto-join lookup) would name running agents. A
 * seed that is down is still tried when fewer are up.
 */
static void
join_seeds(struct sim *sim, uint32_t i, int join_via)
{
	struct swim_addr addrs[SIM_SEEDS_MAX];
	size_t count = 0;
	for (int pass = 0; pass < 2 && count < SIM_SEEDS_MAX; pass++) {
		for (uint32_t k = 0; k < sim->node_max &&
				     count < SIM_SEEDS_MAX; k++) {
			bool up = sim_is_live(sim->nodes[k].state);
			if (k == i || (join_via != 1 && up != (pass == 0)))
				continue;
			addrs[count++] = sim->nodes[k].addr;
			if (join_via == 1)
				break;
		}
		if (join_via == 1)
			break;
	}
	if (count > 0)
		node_join(sim->nodes[i].node, sim->now, addrs, count);
}

/* Warm start: node i already knows every initial node alive. */
static int
warm_restore(struct sim *sim, uint32_t i)
{
	if (node_restore(sim->nodes[i].node, sim->now, sim->warm,
			 sim->opt.node_count) != 0) {
		sim_violation(sim, "swim_restore failed for n%u", i);
		return -1;
	}
	for (uint32_t s = 0; s < sim->opt.node_count; s++)
		sim_set_view(sim, i, s, SWIM_STATUS_ALIVE);
	return 0;
}

/* The names and addresses warm_restore installs. */
static int
warm_alloc(struct sim *sim)
{
	size_t n = sim->opt.node_count;
	sim->warm = calloc(n, sizeof(*sim->warm));
	sim->warm_names = malloc(n * 12);
	if (sim->warm == NULL || sim->warm_names == NULL)
		return -1;
	for (uint32_t k = 0; k < n; k++) {
		char *name = sim->warm_names + (size_t)k * 12;
		snprintf(name, 12, "n%u", k);
		sim->warm[k] = (struct swim_self){
			.name = name, .addr = sim->nodes[k].addr};
	}
	return 0;
}

/*
 * Node i has outputs to drain (a start's join, a leave's broadcast). The
 * fault API does not drive I/O: the loop drains the marked nodes, in the
 * order they were marked, before it takes the next event, at the same
 * virtual time (an action run by the loop is drained right after it).
 */
static void
mark_drain(struct sim *sim, uint32_t i)
{
	if (sim->nodes[i].drain_marked)
		return;
	sim->nodes[i].drain_marked = true;
	sim->drain_list[sim->drain_count++] = i;
}

int
sim_spawn(struct sim *sim, uint32_t i, int join_via)
{
	struct sim_node *n = &sim->nodes[i];
	if (sim_is_live(n->state))
		return -1;
	if (n->state != SIM_NODE_UNSTARTED) {
		n->generation++;
		n->fault_end_ms = sim->now;
	}
	char name[24];
	snprintf(name, sizeof(name), "n%u", i);
	struct node_config cfg;
	node_config_fill(sim, i, name, &cfg);
	n->node = node_new(&cfg, sim->now);
	if (n->node == NULL) {
		sim_violation(sim, "node_new failed for %s", name);
		return -1;
	}
	n->state = SIM_NODE_RUNNING;
	n->armed_seq = 0;
	n->armed_ms = UINT64_MAX;
	n->timer_due = false;
	n->leaving = false;
	n->failure = SIZE_MAX;
	sim->res.starts++;
	if (sim->inc_seen != NULL)
		memset(sim->inc_seen + (size_t)i * sim->node_max, 0,
		       sim->node_max * sizeof(*sim->inc_seen));
	subject_liveness(sim, i, 1);
	sim_set_view(sim, i, i, SWIM_STATUS_ALIVE);
	const char *why;
	if (sim_announce(sim, i, &why) != 0) {
		sim_violation(sim, "%s %s", name, why);
		return -1;
	}
	if (join_via < 0 && warm_restore(sim, i) != 0)
		return -1;
	sim_faults_arm(&n->faults, true);
	if (join_via > 0)
		join_seeds(sim, i, join_via);
	mark_drain(sim, i);
	return 0;
}

static void
backlog_clear(struct sim_node *n)
{
	for (size_t k = 0; k < n->backlog_count; k++)
		free(n->backlog[k].data);
	free(n->backlog);
	n->backlog = NULL;
	n->backlog_count = n->backlog_cap = n->backlog_bytes = 0;
}

void
sim_kill(struct sim *sim, uint32_t i, enum sim_node_state state)
{
	struct sim_node *n = &sim->nodes[i];
	node_delete(n->node);
	n->node = NULL;
	sim->res.allocs_refused += n->faults.injected - n->faults_seen;
	n->faults_seen = n->faults.injected;
	backlog_clear(n);
	for (uint32_t s = 0; s < sim->node_max; s++)
		sim_set_view(sim, i, s, SIM_VIEW_NONE);
	n->state = state;
	n->armed_seq = 0;
	n->leaving = false;
	subject_liveness(sim, i, -1);
}

/* ---- construction ---------------------------------------------------- */

static int
make_keyring(struct sim *sim)
{
	if (sim->opt.no_encrypt)
		return 0;
	sim->keyring = keyring_new();
	if (sim->keyring == NULL)
		return -1;
	uint8_t key[KEYRING_KEY_SIZE];
	uint64_t st = sim_rand_derive(sim->opt.seed, SIM_STREAM_KEY, 0);
	for (size_t k = 0; k < sizeof(key); k += 8) {
		uint64_t v = swim_rand_mix(&st);
		memcpy(key + k, &v, 8);
	}
	return keyring_add(sim->keyring, key);
}

static int
schedule_starts(struct sim *sim)
{
	struct sim_rand r;
	sim_rand_init(&r, sim_rand_derive(sim->opt.seed, SIM_STREAM_STAGGER,
					  0));
	for (uint32_t i = 0; i < sim->opt.node_count; i++) {
		uint64_t at = i == 0 || sim->opt.warm ? 0 : sim_rand_below(
			&r, sim->opt.join_stagger_ms);
		struct sim_ev ev = {.time_ms = SIM_EPOCH_MS + at,
				    .type = SIM_EV_START, .to = i};
		if (sim_queue_push(&sim->queue, &ev) != 0)
			return -1;
	}
	struct sim_ev sample = {.time_ms = SIM_EPOCH_MS,
				.type = SIM_EV_SAMPLE};
	return sim_queue_push(&sim->queue, &sample);
}

static int
sim_alloc(struct sim *sim)
{
	size_t m = sim->node_max;
	sim->nodes = calloc(m, sizeof(*sim->nodes));
	sim->view = sim_arena_huge_alloc(m * m);
	sim->scratch = malloc(m * sizeof(*sim->scratch));
	sim->drain_list = malloc(m * sizeof(*sim->drain_list));
	sim->res.flaps = calloc(m, sizeof(*sim->res.flaps));
	if (sim->opt.check_safety)
		sim->inc_seen = calloc(m * m, sizeof(*sim->inc_seen));
	if (sim->nodes == NULL || sim->view == NULL || sim->scratch == NULL ||
	    sim->res.flaps == NULL ||
	    sim->drain_list == NULL ||
	    (sim->opt.check_safety && sim->inc_seen == NULL))
		return -1;
	memset(sim->view, SIM_VIEW_NONE, m * m);
	for (uint32_t i = 0; i < m; i++) {
		sim->nodes[i] = (struct sim_node){
			.addr = {.ip = SIM_IP_BASE + i + 1, .port = SIM_PORT},
			.armed_ms = UINT64_MAX,
			.failure = SIZE_MAX,
		};
	}
	return 0;
}

struct sim *
sim_new(const struct sim_options *opt)
{
	if (opt->node_count == 0 || opt->node_count > 1000000 ||
	    swim_config_check(&opt->swim, NULL) != 0)
		return NULL;
	struct sim *sim = calloc(1, sizeof(*sim));
	if (sim == NULL)
		return NULL;
	sim->opt = *opt;
	if (sim->opt.join_stagger_ms == 0)
		sim->opt.join_stagger_ms = SIM_JOIN_STAGGER_MS;
	sim->node_max = opt->node_max > opt->node_count ? opt->node_max
							 : opt->node_count;
	sim->now = SIM_EPOCH_MS;
	sim->res.converged_ms = UINT64_MAX;
	const struct swim_config *cfg = &opt->swim;
	sim->grace_ms = swim_suspicion_max_ms(cfg->suspicion_mult,
					      cfg->suspicion_max_timeout_mult,
					      sim->node_max,
					      cfg->probe_interval_ms) +
			2 * cfg->probe_interval_ms;
	sim_queue_create(&sim->queue);
	sim_arena_create(&sim->arena);
	sim_net_create(&sim->net,
		       sim_rand_derive(opt->seed, SIM_STREAM_NET, 0),
		       sim->node_max);
	sim->net.loss_ppm = opt->loss_ppm;
	sim->net.delay_min_ms = opt->delay_min_ms;
	sim->net.delay_max_ms = opt->delay_max_ms;
	if (sim_alloc(sim) != 0 || make_keyring(sim) != 0 ||
	    (opt->warm && warm_alloc(sim) != 0) || schedule_starts(sim) != 0) {
		sim_delete(sim);
		return NULL;
	}
	return sim;
}

void
sim_delete(struct sim *sim)
{
	if (sim == NULL)
		return;
	for (size_t i = 0; sim->nodes != NULL && i < sim->node_max; i++) {
		node_delete(sim->nodes[i].node);
		backlog_clear(&sim->nodes[i]);
	}
	sim_arena_destroy(&sim->arena);
	free(sim->nodes);
	sim_arena_huge_free(sim->view, sim->node_max * sim->node_max);
	free(sim->inc_seen);
	free(sim->res.flaps);
	free(sim->scratch);
	free(sim->drain_list);
	free(sim->warm);
	free(sim->warm_names);
	sim_queue_destroy(&sim->queue);
	sim_net_destroy(&sim->net);
	keyring_delete(sim->keyring);
	free(sim->res.failures);
	free(sim->res.fps);
	free(sim->res.heals);
	free(sim->res.samples);
	free(sim->res.marks);
	free(sim);
}

int
sim_schedule(struct sim *sim, const struct sim_action *actions,
	     size_t count)
{
	sim->actions = actions;
	sim->action_count = count;
	for (size_t k = 0; k < count; k++) {
		struct sim_ev ev = {
			.time_ms = SIM_EPOCH_MS + actions[k].at_ms,
			.type = SIM_EV_ACTION, .to = (uint32_t)k};
		if (sim_queue_push(&sim->queue, &ev) != 0)
			return -1;
	}
	return 0;
}

/* ---- crashes and their detection ------------------------------------ */

/*
 * A crash's record is kept here, with the fault that opens it: sim_crash
 * must see at once whether every live node already had the node failed
 * (after a long pause), before a restart in the same action brings it
 * back.
 */
void
sim_failure_all_detect(struct sim *sim, size_t fi)
{
	struct sim_failure *f = &sim->res.failures[fi];
	const struct sim_node *sn = &sim->nodes[f->node];
	if (f->all_detect_ms != UINT64_MAX || sn->generation != f->generation ||
	    sn->state != SIM_NODE_CRASHED)
		return;
	size_t m = sim->node_max;
	for (size_t o = 0; o < m; o++) {
		if (!sim_is_live(sim->nodes[o].state) ||
		    !sim_net_reachable(&sim->net, o, f->node))
			continue;
		uint8_t v = sim->view[o * m + f->node];
		if (v != SWIM_STATUS_FAILED && v != SIM_VIEW_NONE)
			return;
	}
	f->all_detect_ms = sim_rel_ms(sim);
	if (f->first_detect_ms == UINT64_MAX)
		f->first_detect_ms = f->all_detect_ms;
}

/* ---- faults ---------------------------------------------------------- */

int
sim_crash(struct sim *sim, uint32_t i)
{
	if (i >= sim->node_max || !sim_is_live(sim->nodes[i].state))
		return -1;
	struct sim_results *res = &sim->res;
	if (sim_grow((void **)&res->failures, &sim->failure_cap,
		     res->failure_count, sizeof(*res->failures)) != 0)
		return -1;
	sim_kill(sim, i, SIM_NODE_CRASHED);
	struct sim_node *n = &sim->nodes[i];
	size_t fi = res->failure_count++;
	res->failures[fi] = (struct sim_failure){
		.node = i, .generation = n->generation,
		.crashed_ms = sim_rel_ms(sim),
		.first_detect_ms = UINT64_MAX, .all_detect_ms = UINT64_MAX};
	n->failure = fi;
	/* Someone may have had it failed already (after a pause). */
	for (size_t o = 0; o < sim->node_max; o++) {
		if (sim_is_live(sim->nodes[o].state) &&
		    sim->view[o * sim->node_max + i] == SWIM_STATUS_FAILED) {
			res->failures[fi].first_detect_ms = sim_rel_ms(sim);
			break;
		}
	}
	sim_failure_all_detect(sim, fi);
	return 0;
}

int
sim_restart(struct sim *sim, uint32_t i)
{
	if (i >= sim->node_max)
		return -1;
	if (sim_is_live(sim->nodes[i].state))
		sim_crash(sim, i);
	return sim_spawn(sim, i, 2);
}

int
sim_join(struct sim *sim, uint32_t i)
{
	if (i >= sim->node_max || sim->nodes[i].state != SIM_NODE_UNSTARTED)
		return -1;
	return sim_spawn(sim, i, 2);
}

int
sim_pause(struct sim *sim, uint32_t i, uint64_t dur_ms)
{
	if (i >= sim->node_max || !sim_is_live(sim->nodes[i].state))
		return -1;
	struct sim_node *n = &sim->nodes[i];
	uint64_t until = sim->now + dur_ms;
	if (n->state == SIM_NODE_PAUSED && n->resume_ms >= until)
		return 0;
	n->state = SIM_NODE_PAUSED;
	n->resume_ms = until;
	struct sim_ev ev = {.time_ms = until, .type = SIM_EV_RESUME,
			    .to = i, .gen = n->generation};
	return sim_queue_push(&sim->queue, &ev);
}

int
sim_leave(struct sim *sim, uint32_t i)
{
	if (i >= sim->node_max || sim->nodes[i].state != SIM_NODE_RUNNING)
		return -1;
	struct sim_node *n = &sim->nodes[i];
	/* Refused (out of memory) or not, the call is an input: the loop
	 * drains and checks the node after it. */
	mark_drain(sim, i);
	if (node_leave(n->node, sim->now) != 0)
		return -1;
	n->leaving = true;
	return 0;
}

int
sim_partition(struct sim *sim, const uint16_t *group, bool one_way)
{
	return sim_net_cut(&sim->net, group, one_way);
}

void
sim_heal(struct sim *sim)
{
	sim_net_heal(&sim->net);
	sim->last_heal_ms = sim->now;
	struct sim_results *res = &sim->res;
	if (sim_grow((void **)&res->heals, &sim->heal_cap, res->heal_count,
		     sizeof(*res->heals)) != 0)
		return;
	res->heals[res->heal_count++] = (struct sim_heal){
		.healed_ms = sim_rel_ms(sim), .converged_ms = UINT64_MAX};
}

void
sim_set_loss(struct sim *sim, uint32_t loss_ppm)
{
	sim->net.loss_ppm = loss_ppm;
}

int
sim_set_node_loss(struct sim *sim, const uint16_t *group, bool egress,
		  uint32_t loss_ppm)
{
	if (sim_net_node_loss(&sim->net, group, egress, loss_ppm) != 0)
		return -1;
	for (size_t i = 0; i < sim->node_max; i++) {
		if (group[i] == 0)
			continue;
		sim->nodes[i].flaky = loss_ppm != 0;
		if (loss_ppm == 0)
			sim->nodes[i].fault_end_ms = sim->now;
	}
	return 0;
}

void
sim_set_delay(struct sim *sim, uint64_t min_ms, uint64_t max_ms)
{
	sim->net.delay_min_ms = min_ms;
	sim->net.delay_max_ms = max_ms < min_ms ? min_ms : max_ms;
}

void
sim_set_alloc_fail(struct sim *sim, uint32_t ppm)
{
	sim->opt.alloc_fail_ppm = ppm;
	for (size_t i = 0; i < sim->node_max; i++)
		sim->nodes[i].faults.ppm = ppm;
}

void
sim_mark(struct sim *sim, const char *label)
{
	struct sim_results *res = &sim->res;
	if (sim_grow((void **)&res->marks, &sim->mark_cap, res->mark_count,
		     sizeof(*res->marks)) != 0)
		return;
	struct sim_mark *m = &res->marks[res->mark_count++];
	m->t_ms = sim_rel_ms(sim);
	snprintf(m->label, sizeof(m->label), "%s", label);
}

/* ---- scenario actions ----------------------------------------------- */

/* The group of each of node_max nodes in a partition action (0: none). */
static uint16_t *
action_groups(const struct sim_action *a, size_t node_max)
{
	uint16_t *g = calloc(node_max, sizeof(*g));
	if (g == NULL)
		return NULL;
	for (size_t r = 0; r < a->range_count; r++) {
		for (uint64_t i = a->ranges[r].lo;
		     i <= a->ranges[r].hi && i < node_max; i++)
			g[i] = a->ranges[r].group;
	}
	return g;
}

/* A scenario line, run by the loop at its time (its outputs are drained
 * by the loop right after). */
int
sim_apply(struct sim *sim, const struct sim_action *a)
{
	int rc = 0;
	sim_mark(sim, a->label[0] ? a->label : sim_verb_strs[a->verb]);
	switch (a->verb) {
	case SIM_VERB_CRASH:
		return sim_crash(sim, a->node);
	case SIM_VERB_RESTART:
		return sim_restart(sim, a->node);
	case SIM_VERB_PAUSE:
		return sim_pause(sim, a->node, a->dur_ms);
	case SIM_VERB_JOIN:
		return sim_join(sim, a->node);
	case SIM_VERB_LEAVE:
		return sim_leave(sim, a->node);
	case SIM_VERB_PARTITION:
	case SIM_VERB_CUT: {
		uint16_t *g = action_groups(a, sim->node_max);
		rc = g ? sim_partition(sim, g, a->verb == SIM_VERB_CUT) : -1;
		free(g);
		return rc;
	}
	case SIM_VERB_HEAL:
		sim_heal(sim);
		break;
	case SIM_VERB_LOSS:
		if (a->loss_dir == 0) {
			sim_set_loss(sim, a->loss_ppm);
			break;
		}
		uint16_t *g = action_groups(a, sim->node_max);
		rc = g ? sim_set_node_loss(sim, g, a->loss_dir == 2,
					   a->loss_ppm)
		       : -1;
		free(g);
		return rc;
	case SIM_VERB_DELAY:
		sim_set_delay(sim, a->delay_min_ms, a->delay_max_ms);
		break;
	case sim_verb_MAX:
		return -1;
	}
	return rc;
}

/* ---- queries --------------------------------------------------------- */

uint64_t
sim_now_ms(const struct sim *sim)
{
	return sim_rel_ms(sim);
}

size_t
sim_node_max(const struct sim *sim)
{
	return sim->node_max;
}

enum sim_node_state
sim_node_state(const struct sim *sim, uint32_t i)
{
	return sim->nodes[i].state;
}

size_t
sim_live_count(const struct sim *sim)
{
	return sim->live_count;
}

bool
sim_converged(const struct sim *sim)
{
	return sim->initial_started == sim->opt.node_count &&
	       sim->live_count > 0 && sim->not_good == 0;
}

int
sim_view(const struct sim *sim, uint32_t observer, uint32_t subject)
{
	uint8_t v = sim->view[(size_t)observer * sim->node_max + subject];
	return v == SIM_VIEW_NONE ? -1 : v;
}

uint32_t
sim_alive_seen(const struct sim *sim, uint32_t observer)
{
	return sim->nodes[observer].alive_count;
}

struct node *
sim_node(struct sim *sim, uint32_t i)
{
	return sim->nodes[i].node;
}

const struct sim_options *
sim_options(const struct sim *sim)
{
	return &sim->opt;
}

const struct sim_results *
sim_results(const struct sim *sim)
{
	return &sim->res;
}

size_t
sim_nodes_seeing(struct sim *sim, const struct registry_query *q,
		 size_t want)
{
	size_t count = 0;
	for (uint32_t i = 0; i < sim->node_max; i++) {
		struct node *n = sim_node(sim, i);
		if (n != NULL)
			count += registry_lookup(node_registry(n), q, NULL,
						 0) == want;
	}
	return count;
}
