/*
 * sim_loop: the scheduler's inner loop. Pop the earliest event, set the
 * clock to it, hand it to its node as one input, then drain that node the
 * way the agent does: datagrams onto the network, stream requests into
 * push-pull exchanges, events into the views and the trace, and re-arm its
 * one timer at node_next_deadline_ms().
 *
 * Timers carry the queue seq they were armed with; a node re-arms only
 * when its deadline moves earlier, and a popped timer whose seq is not the
 * armed one is stale and ignored. So the heap holds at most a few entries
 * per node and no timer ever fires twice.
 */
#include <stdlib.h>
#include <string.h>

#include "sim_check.h"
#include "sim_world.h"

static long
addr_index(const struct sim *sim, const struct swim_addr *a)
{
	if (a->port != SIM_PORT || a->ip <= SIM_IP_BASE)
		return -1;
	uint32_t i = a->ip - SIM_IP_BASE - 1;
	return i < sim->node_max ? (long)i : -1;
}

static void
arm(struct sim *sim, uint32_t i)
{
	struct sim_node *n = &sim->nodes[i];
	uint64_t d = node_next_deadline_ms(n->node);
	if (d == UINT64_MAX)
		return;
	if (d <= sim->now)
		d = sim->now + 1;
	if (n->armed_seq != 0 && d >= n->armed_ms)
		return;
	struct sim_ev ev = {.time_ms = d, .type = SIM_EV_TIMER, .to = i,
			    .gen = n->generation};
	if (sim_queue_push(&sim->queue, &ev) != 0)
		return;
	n->armed_ms = d;
	n->armed_seq = sim->queue.next_seq - 1;
}

/* FNV-1a 64. */
static uint64_t
hash_bytes(uint64_t h, const char *p, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		h ^= (uint8_t)p[k];
		h *= 0x100000001b3ull;
	}
	return h;
}

static void
trace(struct sim *sim, uint32_t o, uint32_t s, const char *what)
{
	char line[96];
	int len = snprintf(line, sizeof(line), "%llu n%u n%u %s\n",
			   (unsigned long long)sim_rel_ms(sim), o, s, what);
	if (sim->res.trace_lines == 0)
		sim->res.trace_hash = 0xcbf29ce484222325ull;
	sim->res.trace_hash = hash_bytes(sim->res.trace_hash, line,
					 (size_t)len);
	sim->res.trace_lines++;
	if (sim->opt.trace != NULL)
		fwrite(line, 1, (size_t)len, sim->opt.trace);
}

static void
observe(struct sim *sim, uint32_t o, const struct swim_event *ev)
{
	long s = sim_name_index(ev->name, sim->node_max);
	if (s < 0) {
		sim_violation(sim, "n%u reports unknown member \"%s\"", o,
			      ev->name);
		return;
	}
	uint8_t st = ev->status;
	const char *what = swim_status_strs[ev->status];
	if (ev->type == SWIM_EVENT_REMOVED) {
		st = SIM_VIEW_NONE;
		what = "removed";
	} else if (ev->type == SWIM_EVENT_UPDATE) {
		what = "updated";
	}
	trace(sim, o, (uint32_t)s, what);
	sim_set_view(sim, o, (uint32_t)s, st);
	if (st == SWIM_STATUS_FAILED)
		sim_check_failed_verdict(sim, o, (uint32_t)s);
}

static void
send_datagram(struct sim *sim, uint32_t i, const struct node_datagram *dg)
{
	struct sim_results *res = &sim->res;
	res->datagrams++;
	res->datagram_bytes += dg->size;
	if (dg->size > res->max_datagram)
		res->max_datagram = dg->size;
	long j = addr_index(sim, &dg->to);
	uint64_t delay;
	if (j < 0 || !sim_net_send(&sim->net, i, (size_t)j, false, &delay)) {
		res->datagrams_dropped++;
		return;
	}
	uint8_t *copy = malloc(dg->size);
	if (copy == NULL)
		return;
	memcpy(copy, dg->data, dg->size);
	struct sim_ev ev = {.time_ms = sim->now + delay,
			    .type = SIM_EV_DATAGRAM, .to = (uint32_t)j,
			    .from = i, .data = copy,
			    .size = (uint32_t)dg->size};
	if (sim_queue_push(&sim->queue, &ev) != 0)
		free(copy);
}

/* Encode node i's state and put it on the wire to j as `type`. */
static void
send_state(struct sim *sim, uint32_t i, uint32_t j, enum sim_ev_type type,
	   bool join, uint32_t gen)
{
	uint64_t delay;
	if (!sim_net_reachable(&sim->net, i, j) ||
	    !sim_net_send(&sim->net, i, j, true, &delay))
		return;
	uint8_t *buf;
	size_t size;
	if (node_stream_encode(sim->nodes[i].node, join, &buf, &size) != 0)
		return;
	sim->res.streams++;
	sim->res.stream_bytes += size;
	struct sim_ev ev = {.time_ms = sim->now + delay, .type = type,
			    .to = j, .from = i, .gen = gen, .data = buf,
			    .size = (uint32_t)size, .join = join};
	if (sim_queue_push(&sim->queue, &ev) != 0)
		free(buf);
}

/* Node i's outputs after an input: datagrams, stream requests, events,
 * the checks, then its timer. */
static void
drain(struct sim *sim, uint32_t i)
{
	struct sim_node *n = &sim->nodes[i];
	struct node_datagram dg;
	while (node_poll_datagram(n->node, &dg))
		send_datagram(sim, i, &dg);
	struct swim_stream_req req;
	while (node_poll_stream(n->node, &req)) {
		long j = addr_index(sim, &req.to);
		if (j >= 0 && (uint32_t)j != i)
			send_state(sim, i, (uint32_t)j, SIM_EV_STREAM_REQ,
				   req.join, n->generation);
	}
	struct swim_event ev;
	while (node_poll_event(n->node, &ev))
		observe(sim, i, &ev);
	sim_check_input(sim, i);
	if (n->leaving && node_leave_done(n->node, sim->now)) {
		sim_kill(sim, i, SIM_NODE_LEFT);
		return;
	}
	arm(sim, i);
}

/* Hand one input to a running node. */
static void
deliver(struct sim *sim, const struct sim_ev *ev)
{
	uint32_t i = ev->to;
	struct node *node = sim->nodes[i].node;
	const struct swim_addr *from = &sim->nodes[ev->from].addr;
	if (ev->type == SIM_EV_DATAGRAM) {
		node_handle_datagram(node, sim->now, from, ev->data, ev->size);
		drain(sim, i);
		return;
	}
	node_stream_handle(node, sim->now, from, ev->data, ev->size);
	drain(sim, i);
	if (ev->type == SIM_EV_STREAM_REQ &&
	    sim->nodes[i].state == SIM_NODE_RUNNING)
		send_state(sim, i, ev->from, SIM_EV_STREAM_REPLY, false,
			   ev->gen);
}

/* Keep an input for a paused node; the event's data moves. */
static void
backlog_add(struct sim *sim, struct sim_node *n, struct sim_ev *ev)
{
	if (ev->type == SIM_EV_DATAGRAM &&
	    n->backlog_bytes + ev->size > SIM_BACKLOG_BYTES) {
		sim->res.datagrams_dropped++;
		free(ev->data);
		return;
	}
	if (sim_grow((void **)&n->backlog, &n->backlog_cap,
		     n->backlog_count, sizeof(*n->backlog)) != 0) {
		free(ev->data);
		return;
	}
	if (ev->type == SIM_EV_DATAGRAM)
		n->backlog_bytes += ev->size;
	n->backlog[n->backlog_count++] = *ev;
}

static void
on_input(struct sim *sim, struct sim_ev *ev)
{
	struct sim_node *n = &sim->nodes[ev->to];
	if (ev->type == SIM_EV_STREAM_REPLY && ev->gen != n->generation) {
		free(ev->data);
		return;
	}
	if (n->state == SIM_NODE_PAUSED) {
		backlog_add(sim, n, ev);
		return;
	}
	if (n->state == SIM_NODE_RUNNING)
		deliver(sim, ev);
	free(ev->data);
}

static void
on_timer(struct sim *sim, const struct sim_ev *ev)
{
	struct sim_node *n = &sim->nodes[ev->to];
	if (ev->gen != n->generation || ev->seq != n->armed_seq)
		return;
	n->armed_seq = 0;
	n->armed_ms = UINT64_MAX;
	if (n->state == SIM_NODE_PAUSED) {
		n->timer_due = true;
		return;
	}
	if (n->state != SIM_NODE_RUNNING)
		return;
	node_handle_timeout(n->node, sim->now);
	drain(sim, ev->to);
}

static void
on_resume(struct sim *sim, const struct sim_ev *ev)
{
	uint32_t i = ev->to;
	struct sim_node *n = &sim->nodes[i];
	if (n->state != SIM_NODE_PAUSED || ev->gen != n->generation ||
	    ev->time_ms != n->resume_ms)
		return;
	n->state = SIM_NODE_RUNNING;
	n->fault_end_ms = sim->now;
	struct sim_ev *backlog = n->backlog;
	size_t count = n->backlog_count;
	n->backlog = NULL;
	n->backlog_count = n->backlog_cap = n->backlog_bytes = 0;
	for (size_t k = 0; k < count; k++) {
		if (n->state == SIM_NODE_RUNNING &&
		    (backlog[k].type != SIM_EV_STREAM_REPLY ||
		     backlog[k].gen == n->generation))
			deliver(sim, &backlog[k]);
		free(backlog[k].data);
	}
	free(backlog);
	if (n->state != SIM_NODE_RUNNING)
		return;
	n->timer_due = false;
	node_handle_timeout(n->node, sim->now);
	drain(sim, i);
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

static void
on_sample(struct sim *sim)
{
	struct sim_results *res = &sim->res;
	size_t live = 0;
	for (uint32_t i = 0; i < sim->node_max; i++) {
		if (sim_is_live(sim->nodes[i].state))
			sim->scratch[live++] = sim->nodes[i].alive_count;
	}
	qsort(sim->scratch, live, sizeof(*sim->scratch), cmp_u32);
	if (sim_grow((void **)&res->samples, &sim->sample_cap,
		     res->sample_count, sizeof(*res->samples)) == 0) {
		res->samples[res->sample_count++] = (struct sim_sample){
			.t_ms = sim_rel_ms(sim), .live = (uint32_t)live,
			.alive_min = live ? sim->scratch[0] : 0,
			.alive_median = live ? sim->scratch[live / 2] : 0,
			.alive_max = live ? sim->scratch[live - 1] : 0,
			.suspects = (uint32_t)sim->suspects,
			.failed = (uint32_t)sim->failed_views,
			.messages = res->datagrams - sim->sample_messages,
			.bytes = res->datagram_bytes - sim->sample_bytes};
	}
	if (sim->opt.catalog && res->sample_count > 0) {
		struct sim_sample *smp = &res->samples[res->sample_count - 1];
		struct registry_query q = {.name = "svc"};
		uint32_t lo = UINT32_MAX, hi = 0;
		for (uint32_t i = 0; i < sim->node_max; i++) {
			struct node *n = sim_node(sim, i);
			if (n == NULL)
				continue;
			uint32_t k = (uint32_t)registry_lookup(
				node_registry(n), &q, NULL, 0);
			lo = k < lo ? k : lo;
			hi = k > hi ? k : hi;
		}
		smp->services_min = lo == UINT32_MAX ? 0 : lo;
		smp->services_max = hi;
	}
	sim->sample_messages = res->datagrams;
	sim->sample_bytes = res->datagram_bytes;
	for (size_t f = 0; f < res->failure_count; f++)
		sim_failure_all_detect(sim, f);
	struct sim_ev ev = {.time_ms = sim->now + SIM_SAMPLE_MS,
			    .type = SIM_EV_SAMPLE};
	sim_queue_push(&sim->queue, &ev);
}

static void
dispatch(struct sim *sim, struct sim_ev *ev)
{
	switch (ev->type) {
	case SIM_EV_TIMER:
		on_timer(sim, ev);
		break;
	case SIM_EV_DATAGRAM:
	case SIM_EV_STREAM_REQ:
	case SIM_EV_STREAM_REPLY:
		on_input(sim, ev);
		break;
	case SIM_EV_START:
		if (sim_spawn(sim, ev->to, sim->opt.warm ? -1
					   : ev->to == 0 ? 0 : 1) == 0)
			sim->initial_started++;
		break;
	case SIM_EV_RESUME:
		on_resume(sim, ev);
		break;
	case SIM_EV_ACTION:
		if (ev->to < sim->action_count)
			sim_apply(sim, &sim->actions[ev->to]);
		break;
	case SIM_EV_SAMPLE:
		on_sample(sim);
		break;
	}
}

static void
note_converged(struct sim *sim)
{
	struct sim_results *res = &sim->res;
	uint64_t t = sim_rel_ms(sim);
	if (res->converged_ms == UINT64_MAX)
		res->converged_ms = t;
	for (size_t k = res->heal_count; k > 0; k--) {
		if (res->heals[k - 1].converged_ms != UINT64_MAX)
			break;
		res->heals[k - 1].converged_ms = t;
	}
}

/* The nodes the fault API marked (started, leaving), in the order they
 * were marked; a node crashed since has nothing left to drain. */
static void
drain_marked(struct sim *sim)
{
	for (size_t k = 0; k < sim->drain_count; k++) {
		struct sim_node *n = &sim->nodes[sim->drain_list[k]];
		n->drain_marked = false;
		if (n->node != NULL)
			drain(sim, sim->drain_list[k]);
	}
	sim->drain_count = 0;
}

/* Process events up to the absolute time `until`; with stop_converged,
 * return true at the first converged moment. */
static bool
loop_run(struct sim *sim, uint64_t until, bool stop_converged)
{
	struct sim_ev ev;
	drain_marked(sim);
	while (sim_queue_peek_ms(&sim->queue) <= until) {
		sim_queue_pop(&sim->queue, &ev);
		sim->now = ev.time_ms;
		sim->res.events++;
		dispatch(sim, &ev);
		drain_marked(sim);
		if (!sim_converged(sim))
			continue;
		note_converged(sim);
		if (stop_converged)
			return true;
	}
	if (sim->now < until)
		sim->now = until;
	return false;
}

void
sim_run_until(struct sim *sim, uint64_t t_ms)
{
	loop_run(sim, SIM_EPOCH_MS + t_ms, false);
}

uint64_t
sim_run_until_converged(struct sim *sim, uint64_t t_ms)
{
	drain_marked(sim);
	if (sim_converged(sim))
		return sim_rel_ms(sim);
	if (loop_run(sim, SIM_EPOCH_MS + t_ms, true))
		return sim_rel_ms(sim);
	return UINT64_MAX;
}
