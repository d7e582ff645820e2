/*
 * The SWIM core under failing allocations. One node (the victim) takes its
 * memory from an allocator that refuses every k-th request, for many k;
 * the others have all they want. The victim joins, restores a cluster,
 * hears suspicions, verdicts, newcomers and talk about itself, probes,
 * pulls, reaps and leaves. After every call into it:
 *
 *	swim_check() passes (the core is coherent whatever failed);
 *	a call that reports RUMOR_ENOMEM changed nothing at all (members,
 *	order, deadlines, counters, queues, PRNG);
 *	the events drained so far describe its table exactly: a change
 *	the driver must hear of is never made without its event;
 *
 * and once it is deleted, every allocation was given back.
 */
#include <stdlib.h>

#include "rumor/error.h"
#include "swim/internal.h"
#include "swim/swim.h"
#include "swim/swim_proto.h"
#include "faulty.h"
#include "test.h"

#define PEERS 5
#define RESTORED 300
#define SEED 7
#define T0 10000

/* ---- what the victim looks like ----------------------------------------- */

static uint64_t
mix(uint64_t h, const void *data, size_t size)
{
	const uint8_t *p = data;
	for (size_t i = 0; i < size; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

#define MIX(h, v) ((h) = mix((h), &(v), sizeof(v)))

/* Everything a failed call must leave as it was, as one number. */
static uint64_t
digest(const struct swim *swim)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < swim_member_count(swim); i++) {
		struct swim_member_info m;
		swim_member_at(swim, i, &m);
		h = mix(h, m.name, strlen(m.name) + 1);
		h = mix(h, m.meta, m.meta_size);
		MIX(h, m.status);
		MIX(h, m.incarnation);
		MIX(h, m.addr.ip);
		MIX(h, m.addr.port);
		MIX(h, swim__member_at(swim, i)->transmits);
	}
	struct swim_stats st;
	swim_stats(swim, &st);
	h = mix(h, st.drop_count, sizeof(st.drop_count));
	uint64_t counters[] = {
		st.datagrams_sent, st.bytes_sent, st.probes_sent,
		st.suspicions, st.refutations, st.pushpulls, st.reconnects,
		st.awareness, st.broadcast_queue,
		swim_next_deadline_ms(swim), swim_self_incarnation(swim),
		swim_is_leaving(swim), swim->outbox.count, swim->events.count,
		swim->streams.count, swim->timers.count, swim->pushpull_ms,
	};
	h = mix(h, counters, sizeof(counters));
	return mix(h, swim->rand.s, sizeof(swim->rand.s));
}

/* The victim's table as its events tell it: names by hash, linear
 * probing; a removed name keeps its slot, marked absent. */
#define SHADOW_SLOTS 1024

struct shadow {
	size_t count; /* names present */
	struct {
		bool used;
		bool present;
		enum swim_status status;
		char name[SWIM_NAME_MAX + 1];
	} m[SHADOW_SLOTS];
};

static size_t
shadow_slot(struct shadow *sh, const char *name)
{
	size_t i = mix(0xcbf29ce484222325ull, name, strlen(name)) &
		   (SHADOW_SLOTS - 1);
	while (sh->m[i].used && strcmp(sh->m[i].name, name) != 0)
		i = (i + 1) & (SHADOW_SLOTS - 1);
	return i;
}

static void
shadow_set(struct shadow *sh, const char *name, enum swim_status status)
{
	size_t i = shadow_slot(sh, name);
	if (!sh->m[i].used) {
		sh->m[i].used = true;
		snprintf(sh->m[i].name, sizeof(sh->m[i].name), "%s", name);
	}
	sh->count += !sh->m[i].present;
	sh->m[i].present = true;
	sh->m[i].status = status;
}

static void
shadow_apply(struct shadow *sh, const struct swim_event *ev)
{
	if (ev->type != SWIM_EVENT_REMOVED) {
		shadow_set(sh, ev->name, ev->status);
		return;
	}
	size_t i = shadow_slot(sh, ev->name);
	sh->count -= sh->m[i].present;
	sh->m[i].present = false;
}

static bool
shadow_matches(struct shadow *sh, const struct swim *swim)
{
	if (sh->count != swim_member_count(swim))
		return false;
	for (size_t i = 0; i < swim_member_count(swim); i++) {
		struct swim_member_info m;
		swim_member_at(swim, i, &m);
		size_t j = shadow_slot(sh, m.name);
		if (!sh->m[j].present || sh->m[j].status != m.status)
			return false;
	}
	return true;
}

/* ---- a victim among healthy peers --------------------------------------- */

struct net {
	struct swim *n[PEERS];
	struct swim_addr addr[PEERS];
	bool down[PEERS];
	uint64_t now;
	struct shadow shadow;
	struct faulty *faulty;
	/* Calls that reported RUMOR_ENOMEM. */
	size_t enomem;
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

/* After every call into the victim: coherent, and its events say what
 * its table holds. */
static void
victim_ok(struct net *net)
{
	struct swim_event ev;
	while (swim_poll_event(net->n[0], &ev))
		shadow_apply(&net->shadow, &ev);
	const char *why = NULL;
	if (swim_check(net->n[0], &why) != 0)
		fprintf(stderr, "  every %zu: %s\n", net->faulty->every, why);
	ASSERT_OK(swim_check(net->n[0], NULL));
	ASSERT(shadow_matches(&net->shadow, net->n[0]));
}

/* A call that failed for memory changed nothing. */
#define ASSERT_FAILED_CLEAN(net, rc, before, swim)                            \
	do {                                                                  \
		if ((rc) == RUMOR_ENOMEM) {                                   \
			(net)->enomem++;                                      \
			ASSERT_EQ(digest(swim), (before));                    \
		}                                                             \
	} while (0)

static void
net_exchange(struct net *net, int i, const struct swim_stream_req *req)
{
	int j = net_index(net, &req->to);
	if (j < 0 || net->down[j])
		return;
	int from[2] = {i, j}, to[2] = {j, i};
	for (int k = 0; k < 2; k++) {
		struct swim *a = net->n[from[k]];
		uint64_t before = digest(a);
		uint8_t *buf;
		size_t size;
		int rc = swim_state_encode(a, k == 0 && req->join, &buf,
					   &size);
		ASSERT_FAILED_CLEAN(net, rc, before, a);
		if (rc != 0)
			return;
		(void)swim_handle_state(net->n[to[k]], net->now,
					&net->addr[from[k]], buf, size);
		swim_state_free(a, buf);
		victim_ok(net);
	}
}

static void
net_flush(struct net *net)
{
	for (bool any = true; any;) {
		any = false;
		for (int i = 0; i < PEERS; i++) {
			struct swim_datagram dg;
			struct swim_stream_req req;
			struct swim_event ev;
			while (swim_poll_datagram(net->n[i], &dg)) {
				any = true;
				int j = net_index(net, &dg.to);
				if (j < 0 || net->down[i] || net->down[j])
					continue;
				(void)swim_handle_datagram(net->n[j], net->now,
							   &net->addr[i],
							   dg.data, dg.size);
				victim_ok(net);
			}
			while (swim_poll_stream(net->n[i], &req)) {
				any = true;
				if (!net->down[i])
					net_exchange(net, i, &req);
			}
			while (i != 0 && swim_poll_event(net->n[i], &ev))
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
			uint64_t d = swim_next_deadline_ms(net->n[i]);
			if (!net->down[i] && d < next)
				next = d;
		}
		if (next > end)
			break;
		net->now = next;
		for (int i = 0; i < PEERS; i++) {
			if (!net->down[i] &&
			    swim_next_deadline_ms(net->n[i]) <= net->now)
				swim_handle_timeout(net->n[i], net->now);
		}
		victim_ok(net);
		net_flush(net);
	}
	net->now = end;
}

static void
cfg_short(struct swim_config *cfg, const struct swim_allocator *a)
{
	swim_config_lan(cfg);
	/* Reaping within the run, too. */
	cfg->reconnect_timeout_ms = 20000;
	cfg->tombstone_timeout_ms = 20000;
	cfg->allocator = a;
}

/* The victim n0 (its allocator armed only once it stands) and PEERS - 1
 * healthy members, all joined through n1. */
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
		struct swim_config cfg;
		cfg_short(&cfg, i == 0 ? a : NULL);
		struct swim_self self = {.name = name, .addr = net->addr[i]};
		net->n[i] = swim_new(&cfg, &self, SEED + (uint64_t)i,
				     net->now);
		if (net->n[i] == NULL)
			return false;
	}
	shadow_set(&net->shadow, "n0", SWIM_STATUS_ALIVE);
	f->armed = true;
	for (int i = 0; i < PEERS; i++) {
		if (i != 1 &&
		    swim_join(net->n[i], net->now, &net->addr[1], 1) != 0)
			return false;
	}
	return true;
}

static void
net_free(struct net *net)
{
	for (int i = 0; i < PEERS; i++)
		swim_delete(net->n[i]);
}

/* One datagram from n2 to the victim holding msgs: many changes in one
 * call, so the event queue grows inside it. */
static void
inject(struct net *net, const struct swim_msg *msgs, size_t count)
{
	uint8_t buf[SWIM_DATAGRAM_MAX];
	struct swim_encoder enc;
	ASSERT_OK(swim_encoder_begin(&enc, buf, sizeof(buf), "n2", 2));
	for (size_t i = 0; i < count; i++)
		ASSERT_OK(swim_encoder_add(&enc, &msgs[i]));
	size_t size = swim_encoder_finish(&enc);
	ASSERT_EQ(swim_handle_datagram(net->n[0], net->now, &net->addr[2], buf,
				       size),
		  SWIM_DROP_NONE);
	victim_ok(net);
	net_flush(net);
}

static const uint8_t meta[] = {'s', 'v', 'c', 1, 2, 3};

static void
restore_cluster(struct net *net)
{
	static char names[RESTORED][8];
	struct swim_self all[RESTORED];
	for (size_t i = 0; i < RESTORED; i++) {
		snprintf(names[i], sizeof(names[i]), "r%zu", i);
		all[i] = (struct swim_self){
			.name = names[i],
			.addr = {0x0b000000 + (uint32_t)i, 7946},
			.incarnation = i % 3,
			.meta = i % 7 == 0 ? meta : NULL,
			.meta_size = i % 7 == 0 ? sizeof(meta) : 0,
		};
	}
	/* A few tries: the refusals move on with every request. */
	for (int attempt = 0; attempt < 4; attempt++) {
		uint64_t before = digest(net->n[0]);
		int rc = swim_restore(net->n[0], net->now, all, RESTORED);
		ASSERT_FAILED_CLEAN(net, rc, before, net->n[0]);
		if (rc == 0) {
			for (size_t i = 0; i < RESTORED; i++)
				shadow_set(&net->shadow, names[i],
					   SWIM_STATUS_ALIVE);
			break;
		}
		ASSERT_EQ(rc, RUMOR_ENOMEM);
	}
	victim_ok(net);
}

static struct swim_msg
about(enum swim_msg_type type, const char *name, uint64_t inc)
{
	return (struct swim_msg){
		.type = type,
		.name = name,
		.name_len = strlen(name),
		.addr = {0x0c000001, 7946},
		.incarnation = inc,
		.from = "n2",
		.from_len = 2,
		.meta = type == SWIM_MSG_ALIVE ? meta : NULL,
		.meta_size = type == SWIM_MSG_ALIVE ? sizeof(meta) : 0,
	};
}

/* What the victim lives through; every call checked. */
static void
scenario(struct net *net)
{
	net_run(net, 5000);
	restore_cluster(net);
	/* Verdicts, suspicions, news of members old and new, and a
	 * suspicion of the victim itself, which it refutes: batches of 12,
	 * 24 and 40 changes, so the event queue (drained after every call,
	 * 8 slots after the join) grows inside each kind of change. */
	static const struct {
		enum swim_msg_type type;
		int first, count;
	} batches[] = {
		{SWIM_MSG_FAILED, 40, 12},  {SWIM_MSG_SUSPECT, 0, 24},
		{SWIM_MSG_ALIVE, 60, 40},   {SWIM_MSG_LEFT, 100, 10},
		{SWIM_MSG_SUSPECT, -1, 1},
	};
	static char names[40][16];
	struct swim_msg batch[40];
	for (size_t b = 0; b < sizeof(batches) / sizeof(batches[0]); b++) {
		for (int i = 0; i < batches[b].count; i++) {
			int n = batches[b].first + i;
			/* r60..r69 were restored; x70..x99 are new. */
			if (n < 0)
				snprintf(names[i], sizeof(names[i]), "n0");
			else
				snprintf(names[i], sizeof(names[i]), "%c%d",
					 n < 70 || n >= 100 ? 'r' : 'x', n);
			batch[i] = about(batches[b].type, names[i],
					 n < 0 ? 0 : 5);
		}
		inject(net, batch, (size_t)batches[b].count);
	}
	uint64_t before = digest(net->n[0]);
	int rc = swim_set_meta(net->n[0], net->now, meta, sizeof(meta));
	ASSERT_FAILED_CLEAN(net, rc, before, net->n[0]);
	victim_ok(net);
	net_run(net, 30000);
	net->down[4] = true;
	net_run(net, 30000);
	for (int attempt = 0; attempt < 8 && !swim_is_leaving(net->n[0]);
	     attempt++) {
		before = digest(net->n[0]);
		rc = swim_leave(net->n[0], net->now);
		ASSERT_FAILED_CLEAN(net, rc, before, net->n[0]);
		victim_ok(net);
	}
	net_run(net, 3000);
}

/* Run the scenario with f's refusals (a failed check marks the test). */
static void
run_with(struct faulty *f, size_t *enomem)
{
	struct swim_allocator a;
	struct net net;
	ASSERT(net_init(&net, f, faulty_allocator(f, &a)));
	scenario(&net);
	net_free(&net);
	*enomem += net.enomem;
	ASSERT_EQ(f->live, 0);
}

/* How many requests the scenario makes with memory to spare. */
static size_t scenario_requests;

static void
test_the_scenario_holds_with_memory_to_spare(void)
{
	struct faulty f = {0};
	struct swim_allocator a;
	struct net net;
	ASSERT(net_init(&net, &f, faulty_allocator(&f, &a)));
	scenario(&net);
	struct swim_stats st;
	swim_stats(net.n[0], &st);
	ASSERT_GE(st.suspicions, 1);
	ASSERT_GE(st.refutations, 1);
	ASSERT_GE(st.pushpulls, 1);
	ASSERT(swim_is_leaving(net.n[0]));
	net_free(&net);
	ASSERT_EQ(f.live, 0);
	ASSERT_EQ(net.enomem, 0);
	scenario_requests = f.calls;
	ASSERT_GE(scenario_requests, 100);
}

static void
test_every_kth_allocation_failing_leaves_the_core_coherent(void)
{
	size_t enomem = 0;
	for (size_t k = 1; k <= 80; k++) {
		struct faulty f = {.every = k};
		run_with(&f, &enomem);
		if (test_current_failed_) {
			fprintf(stderr, "  every %zu-th request refused\n", k);
			return;
		}
		ASSERT_GE(f.refused, 1);
	}
	/* And calls did report it. */
	ASSERT_GE(enomem, 10);
}

static void
test_each_allocation_failing_alone_leaves_the_core_coherent(void)
{
	size_t enomem = 0;
	for (size_t n = 1; n <= scenario_requests; n++) {
		struct faulty f = {.at = n};
		run_with(&f, &enomem);
		if (test_current_failed_) {
			fprintf(stderr, "  request %zu refused\n", n);
			return;
		}
		ASSERT_EQ(f.refused, 1);
	}
	ASSERT_GE(enomem, 1);
}

static void
test_swim_new_fails_whole_whichever_allocation_fails(void)
{
	for (size_t at = 1; at <= 40; at++) {
		struct faulty f = {.at = at, .armed = true};
		struct swim_allocator a;
		struct swim_config cfg;
		cfg_short(&cfg, faulty_allocator(&f, &a));
		struct swim_self self = {.name = "n0",
					 .addr = {0x0a000001, 7946},
					 .meta = meta,
					 .meta_size = sizeof(meta)};
		struct swim *swim = swim_new(&cfg, &self, SEED, T0);
		if (swim != NULL)
			ASSERT_OK(swim_check(swim, NULL));
		swim_delete(swim);
		ASSERT_EQ(f.live, 0);
	}
}

static void
test_swim_check_names_what_is_broken(void)
{
	struct swim_config cfg;
	cfg_short(&cfg, NULL);
	struct swim_self self = {.name = "n0", .addr = {1, 1}};
	struct swim *swim = swim_new(&cfg, &self, SEED, T0);
	ASSERT_NOT_NULL(swim);
	const char *why = NULL;
	ASSERT_OK(swim_check(swim, &why));
	ASSERT_NULL(why);
	swim->live_count++;
	ASSERT_EQ(swim_check(swim, &why), RUMOR_ESTATE);
	ASSERT_NOT_NULL(why);
	swim->live_count--;
	swim->bcast_count++;
	ASSERT_EQ(swim_check(swim, &why), RUMOR_ESTATE);
	swim->bcast_count--;
	ASSERT_OK(swim_check(swim, NULL));
	swim_delete(swim);
}

int
main(void)
{
	RUN(test_swim_check_names_what_is_broken);
	RUN(test_swim_new_fails_whole_whichever_allocation_fails);
	RUN(test_the_scenario_holds_with_memory_to_spare);
	RUN(test_every_kth_allocation_failing_leaves_the_core_coherent);
	RUN(test_each_allocation_failing_alone_leaves_the_core_coherent);
	return TEST_SUMMARY();
}
