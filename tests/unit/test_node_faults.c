/*
 * The node under failing allocations. The node and its registry take
 * their memory from the allocator in its swim_config, as the core does,
 * so a test (and rumor-sim --alloc-fail) can refuse any request and check
 * what the node makes of it: node_new fails whole; a node among healthy
 * peers, refused every k-th request through joins, announcements (large
 * sets among them), push-pulls, suspicions, reaping and a leave, passes
 * node_check() after every
 * input (its registry rebuilt when it fell behind); and every allocation
 * is given back by node_delete.
 */
#include <stdlib.h>
#include <string.h>

#include "membership/node.h"
#include "rumor/error.h"
#include "faulty.h"
#include "test.h"

#define T0 10000

static void
node_cfg(struct node_config *cfg, const char *name, uint32_t ip,
	 const struct swim_allocator *a)
{
	*cfg = (struct node_config){
		.self = {.name = name, .addr = {ip, 7946}},
		.rand_seed = ip,
	};
	swim_config_lan(&cfg->swim);
	/* Reaping within the run, too. */
	cfg->swim.reconnect_timeout_ms = 20000;
	cfg->swim.tombstone_timeout_ms = 20000;
	cfg->swim.allocator = a;
	memset(cfg->nonce_prefix, (int)ip, sizeof(cfg->nonce_prefix));
}

/* ---- node_new ----------------------------------------------------------- */

static void
test_the_node_and_its_registry_use_the_allocator(void)
{
	struct faulty f = {.armed = true};
	struct swim_allocator a;
	struct node_config cfg;
	node_cfg(&cfg, "n0", 1, faulty_allocator(&f, &a));
	struct swim *swim = swim_new(&cfg.swim, &cfg.self, 1, T0);
	ASSERT_NOT_NULL(swim);
	size_t core = f.calls;
	swim_delete(swim);
	ASSERT_EQ(f.live, 0);
	f.calls = 0;
	struct node *node = node_new(&cfg, T0);
	ASSERT_NOT_NULL(node);
	/* The node itself, its registry and our own entry in it. */
	ASSERT_GE(f.calls, core + 3);
	ASSERT_GE(f.live, 3);
	node_delete(node);
	ASSERT_EQ(f.live, 0);
}

static void
test_node_new_fails_whole_whichever_allocation_fails(void)
{
	struct faulty count = {.armed = true};
	struct swim_allocator a;
	struct node_config cfg;
	node_cfg(&cfg, "n0", 1, faulty_allocator(&count, &a));
	node_delete(node_new(&cfg, T0));
	ASSERT_GE(count.calls, 4);
	for (size_t at = 1; at <= count.calls + 1; at++) {
		struct faulty f = {.at = at, .armed = true};
		node_cfg(&cfg, "n0", 1, faulty_allocator(&f, &a));
		struct node *node = node_new(&cfg, T0);
		/* Every request node_new makes is needed. */
		ASSERT_EQ(node == NULL, at <= count.calls);
		if (node != NULL)
			ASSERT_OK(node_check(node, NULL));
		node_delete(node);
		ASSERT_EQ(f.live, 0);
	}
}

static void
test_a_half_given_allocator_is_refused(void)
{
	struct faulty f = {0};
	struct swim_allocator a;
	struct node_config cfg;
	node_cfg(&cfg, "n0", 1, faulty_allocator(&f, &a));
	a.mem_free = NULL;
	ASSERT_NULL(node_new(&cfg, T0));
}

/* ---- node_check -------------------------------------------------------- */

static void
test_node_check_names_what_is_broken(void)
{
	struct node_config cfg;
	node_cfg(&cfg, "n0", 1, NULL);
	struct node *node = node_new(&cfg, T0);
	ASSERT_NOT_NULL(node);
	const char *why = NULL;
	ASSERT_OK(node_check(node, &why));
	ASSERT_NULL(why);
	/* A registry that thinks we are somewhere else. */
	const struct swim_addr elsewhere = {99, 7946};
	ASSERT_OK(registry_set_node(node_registry(node), "n0", true,
				    &elsewhere));
	ASSERT_OK(node_check(node, NULL)); /* self: as it was given */
	/* A node membership never heard of. */
	ASSERT_OK(registry_set_node(node_registry(node), "ghost", false,
				    &elsewhere));
	ASSERT_EQ(node_check(node, &why), RUMOR_ESTATE);
	ASSERT_NOT_NULL(why);
	printf("  %s\n", why);
	node_delete(node);
}

/* ---- a victim among healthy peers --------------------------------------- */

#define PEERS 5

struct net {
	struct node *n[PEERS];
	struct swim_addr addr[PEERS];
	bool down[PEERS];
	uint64_t now;
	struct faulty *faulty;
	/* Inputs to the victim, and those that had a request refused. */
	size_t inputs;
	size_t refused_inputs;
};

static int
net_index(const struct net *net, const struct swim_addr *a)
{
	for (int i = 0; i < PEERS; i++) {
		if (net->addr[i].ip == a->ip && net->addr[i].port == a->port)
			return i;
	}
	return -1;
}

/* After every input to the victim (n0): coherent. */
static void
victim_ok(struct net *net, size_t refused_before)
{
	net->inputs++;
	net->refused_inputs += net->faulty->refused != refused_before;
	const char *why = NULL;
	if (node_check(net->n[0], &why) != 0)
		fprintf(stderr, "  every %zu: %s\n", net->faulty->every, why);
	ASSERT_OK(node_check(net->n[0], NULL));
}

/* One push-pull from i to the peer req names, both frames delivered. */
static void
net_exchange(struct net *net, int i, const struct swim_stream_req *req)
{
	int j = net_index(net, &req->to);
	if (j < 0 || net->down[j])
		return;
	int from[2] = {i, j}, to[2] = {j, i};
	for (int k = 0; k < 2; k++) {
		uint8_t *frame;
		size_t size;
		if (node_stream_encode(net->n[from[k]], k == 0 && req->join,
				       &frame, &size) != 0)
			return;
		size_t before = net->faulty->refused;
		(void)node_stream_handle(net->n[to[k]], net->now,
					 &net->addr[from[k]], frame, size);
		free(frame);
		if (to[k] == 0)
			victim_ok(net, before);
	}
}

static void
net_flush(struct net *net)
{
	for (bool any = true; any;) {
		any = false;
		for (int i = 0; i < PEERS; i++) {
			struct node_datagram dg;
			struct swim_stream_req req;
			struct swim_event ev;
			while (node_poll_datagram(net->n[i], &dg)) {
				any = true;
				int j = net_index(net, &dg.to);
				if (j < 0 || net->down[i] || net->down[j])
					continue;
				size_t before = net->faulty->refused;
				(void)node_handle_datagram(net->n[j], net->now,
							   &net->addr[i],
							   dg.data, dg.size);
				if (j == 0)
					victim_ok(net, before);
			}
			while (node_poll_stream(net->n[i], &req)) {
				any = true;
				if (!net->down[i])
					net_exchange(net, i, &req);
			}
			while (node_poll_event(net->n[i], &ev))
				;
		}
	}
}

static void
net_run(struct net *net, uint64_t duration_ms)
{
	uint64_t end = net->now + duration_ms;
	net_flush(net);
	for (;;) {
		uint64_t next = UINT64_MAX;
		for (int i = 0; i < PEERS; i++) {
			uint64_t d = node_next_deadline_ms(net->n[i]);
			if (!net->down[i] && d < next)
				next = d;
		}
		if (next > end)
			break;
		net->now = next;
		for (int i = 0; i < PEERS; i++) {
			if (net->down[i] ||
			    node_next_deadline_ms(net->n[i]) > net->now)
				continue;
			size_t before = net->faulty->refused;
			node_handle_timeout(net->n[i], net->now);
			if (i == 0)
				victim_ok(net, before);
		}
		net_flush(net);
	}
	net->now = end;
}

/* Services one node offers at most here: past a few, the set is too
 * large to gossip and travels in push-pulls (node_largeset.c). */
#define OFFER_MAX 50

/* Node i offers `count` services named "svc" (ids s<i>.<k>); refused or
 * not, the call is an input. */
static void
offer(struct net *net, int i, size_t count)
{
	char ids[OFFER_MAX][16];
	struct service svc[OFFER_MAX];
	const struct service *list[OFFER_MAX];
	for (size_t k = 0; k < count && k < OFFER_MAX; k++) {
		snprintf(ids[k], sizeof(ids[k]), "s%d.%zu", i, k);
		svc[k] = (struct service){.id = ids[k], .name = "svc",
					  .address = "",
					  .port = (uint16_t)(1000 + k)};
		list[k] = &svc[k];
	}
	size_t before = net->faulty->refused;
	int rc = node_set_services(net->n[i], net->now, list, count, NULL);
	if (i == 0)
		victim_ok(net, before);
	ASSERT(rc == 0 || (i == 0 && rc == RUMOR_ENOMEM));
}

/* The victim n0 (its allocator armed once it stands) and PEERS - 1
 * healthy nodes offering services, all joined through n1. */
static bool
net_init(struct net *net, struct faulty *f, const struct swim_allocator *a)
{
	memset(net, 0, sizeof(*net));
	net->now = T0;
	net->faulty = f;
	for (int i = 0; i < PEERS; i++) {
		char name[8];
		snprintf(name, sizeof(name), "n%d", i);
		net->addr[i] = (struct swim_addr){0x0a000001 + (uint32_t)i,
						  7946};
		struct node_config cfg;
		node_cfg(&cfg, name, net->addr[i].ip, i == 0 ? a : NULL);
		net->n[i] = node_new(&cfg, net->now);
		if (net->n[i] == NULL)
			return false;
	}
	f->armed = true;
	for (int i = 0; i < PEERS; i++) {
		if (i != 0)
			offer(net, i, 1 + (size_t)i % 3);
		size_t before = f->refused;
		if (i != 1 &&
		    node_join(net->n[i], net->now, &net->addr[1], 1) != 0)
			return false;
		if (i == 0)
			victim_ok(net, before);
	}
	return true;
}

static void
scenario(struct net *net)
{
	net_run(net, 5000);
	offer(net, 0, 2);
	/* n2's set and then the victim's are large sets, pulled by push-pull
	 * and served onward. */
	offer(net, 2, OFFER_MAX);
	net_run(net, 10000);
	offer(net, 0, OFFER_MAX);
	net_run(net, 10000);
	offer(net, 0, 2);
	/* n4 goes quiet: suspected, failed, reaped. */
	net->down[4] = true;
	net_run(net, 40000);
	offer(net, 3, 1);
	for (int attempt = 0; attempt < 8; attempt++) {
		size_t before = net->faulty->refused;
		int rc = node_leave(net->n[0], net->now);
		victim_ok(net, before);
		if (rc == 0)
			break;
		ASSERT_EQ(rc, RUMOR_ENOMEM);
	}
	net_run(net, 3000);
}

static void
net_free(struct net *net)
{
	for (int i = 0; i < PEERS; i++)
		node_delete(net->n[i]);
}

/* How many requests the victim makes with memory to spare. */
static size_t scenario_requests;

static void
test_the_scenario_holds_with_memory_to_spare(void)
{
	struct faulty f = {0};
	struct swim_allocator a;
	struct net net;
	ASSERT(net_init(&net, &f, faulty_allocator(&f, &a)));
	scenario(&net);
	scenario_requests = f.calls;
	/* The victim heard of everyone's services, and they of its. */
	struct registry_query q = {.name = "svc", .include_critical = true};
	ASSERT_EQ(registry_lookup(node_registry(net.n[0]), &q, NULL, 0),
		  2 + 2 + OFFER_MAX + 1);
	ASSERT_EQ(registry_lookup(node_registry(net.n[1]), &q, NULL, 0),
		  2 + 2 + OFFER_MAX + 1);
	struct node_stats st;
	node_stats(net.n[0], &st);
	ASSERT_GE(st.sets_received, 1);
	ASSERT_GE(st.swim.suspicions, 1);
	ASSERT_GE(st.swim.pushpulls, 1);
	ASSERT_EQ(st.registry_resyncs, 0);
	net_free(&net);
	ASSERT_EQ(f.live, 0);
	ASSERT_GE(net.inputs, 100);
	ASSERT_GE(scenario_requests, 20);
}

/* Run the scenario with f's refusals; adds up what reached the node. */
static void
run_with(struct faulty *f, size_t *refused_inputs, size_t *resyncs)
{
	struct swim_allocator a;
	struct net net;
	ASSERT(net_init(&net, f, faulty_allocator(f, &a)));
	scenario(&net);
	struct node_stats st;
	node_stats(net.n[0], &st);
	*resyncs += st.registry_resyncs;
	*refused_inputs += net.refused_inputs;
	net_free(&net);
	ASSERT_EQ(f->live, 0);
}

static void
test_each_allocation_failing_alone_leaves_the_node_coherent(void)
{
	size_t refused_inputs = 0, resyncs = 0;
	for (size_t n = 1; n <= scenario_requests; n++) {
		struct faulty f = {.at = n};
		run_with(&f, &refused_inputs, &resyncs);
		if (test_current_failed_) {
			fprintf(stderr, "  request %zu refused\n", n);
			return;
		}
		ASSERT_EQ(f.refused, 1);
	}
	ASSERT_GE(refused_inputs, scenario_requests / 2);
}

static void
test_every_kth_allocation_failing_leaves_the_node_coherent(void)
{
	size_t refused_inputs = 0, resyncs = 0;
	for (size_t k = 1; k <= scenario_requests; k++) {
		struct faulty f = {.every = k};
		run_with(&f, &refused_inputs, &resyncs);
		if (test_current_failed_) {
			fprintf(stderr, "  every %zu-th request refused\n", k);
			return;
		}
		ASSERT_GE(f.refused, 1);
	}
	/* The refusals did reach the node's inputs, and its registry's
	 * recovery. */
	printf("  %zu inputs had a request refused, %zu registry rebuilds\n",
	       refused_inputs, resyncs);
	ASSERT_GE(refused_inputs, scenario_requests);
	ASSERT_GE(resyncs, 1);
}

int
main(void)
{
	RUN(test_the_node_and_its_registry_use_the_allocator);
	RUN(test_node_new_fails_whole_whichever_allocation_fails);
	RUN(test_a_half_given_allocator_is_refused);
	RUN(test_node_check_names_what_is_broken);
	RUN(test_the_scenario_holds_with_memory_to_spare);
	RUN(test_each_allocation_failing_alone_leaves_the_node_coherent);
	RUN(test_every_kth_allocation_failing_leaves_the_node_coherent);
	return TEST_SUMMARY();
}
