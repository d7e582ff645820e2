/*
 * The SWIM core driven by hand: a few cores wired by a zero-latency test
 * network (swim_net.h), fixed seeds, virtual time. Each test names the
 * protocol property it checks.
 */
#include "swim_net.h"

static void
test_join_through_seed_gives_everyone_the_full_view(void)
{
	struct net net;
	net_init(&net, 5);
	net_join_all(&net);
	for (size_t i = 0; i < net.count; i++) {
		ASSERT_EQ(swim_member_count(net.n[i]), 5);
		for (size_t j = 0; j < net.count; j++)
			ASSERT_EQ(status_of(&net, i, j), SWIM_STATUS_ALIVE);
	}
	net_free(&net);
}

static void
test_healthy_cluster_raises_no_suspicion(void)
{
	struct net net;
	net_init(&net, 5);
	net_join_all(&net);
	net_run(&net, 60000);
	for (size_t i = 0; i < net.count; i++) {
		struct swim_stats st;
		swim_stats(net.n[i], &st);
		ASSERT_EQ(st.suspicions, 0);
		ASSERT_GE(st.probes_sent, 50);
		ASSERT_EQ(st.probes_failed, 0);
		ASSERT_EQ(st.awareness, 0);
	}
	net_free(&net);
}

static void
test_crashed_member_is_suspected_then_failed_everywhere(void)
{
	struct net net;
	net_init(&net, 5);
	net_join_all(&net);
	net.down[3] = true;
	/* Round robin probes every member within 2n - 1 periods, and the
	 * first verdict anyone reaches is a suspicion, never a failure. */
	enum swim_status first = SWIM_STATUS_ALIVE;
	for (int step = 0; step < 36 && first == SWIM_STATUS_ALIVE; step++) {
		net_run(&net, 250);
		for (size_t i = 0; i < net.count; i++) {
			enum swim_status st = status_of(&net, i, 3);
			if (i != 3 && st != SWIM_STATUS_ALIVE)
				first = st;
		}
	}
	ASSERT_EQ(first, SWIM_STATUS_SUSPECT);
	/* Suspicion min at n = 5 is 4 s, max 24 s. */
	net_run(&net, 24000);
	for (size_t i = 0; i < net.count; i++) {
		if (i != 3)
			ASSERT_EQ(status_of(&net, i, 3), SWIM_STATUS_FAILED);
	}
	net_free(&net);
}

static void
test_confirmations_spread_so_all_detect_before_the_max_timeout(void)
{
	/* n = 20: suspicion min 5.2 s, max 31.2 s. Only if confirmers'
	 * names travel with the gossip do observers other than the first
	 * accuser reach the minimum. */
	struct net net;
	net_init(&net, 20);
	net_join_all(&net);
	net_run(&net, 10000);
	net.down[7] = true;
	uint64_t t0 = net.now, all_ms = 0;
	while (all_ms == 0 && net.now - t0 < 40000) {
		net_run(&net, 250);
		bool all = true;
		for (size_t i = 0; i < net.count && all; i++)
			all = i == 7 ||
			      status_of(&net, i, 7) == SWIM_STATUS_FAILED;
		if (all)
			all_ms = net.now - t0;
	}
	ASSERT_NE(all_ms, 0);
	ASSERT_LE(all_ms, 15000);
	net_free(&net);
}

static void
test_indirect_probe_saves_member_behind_a_broken_link(void)
{
	struct net net;
	net_init(&net, 5);
	net_join_all(&net);
	/* n0 cannot reach n1 directly, but everyone else can. */
	net.cut[0][1] = net.cut[1][0] = true;
	net_run(&net, 60000);
	for (size_t i = 0; i < net.count; i++)
		ASSERT_EQ(status_of(&net, i, 1), SWIM_STATUS_ALIVE);
	struct swim_stats st;
	swim_stats(net.n[0], &st);
	ASSERT_GE(st.indirect_probes, 1);
	net_free(&net);
}

static void
test_suspect_is_refuted_by_higher_incarnation(void)
{
	struct net net;
	net_init(&net, 3);
	net_join_all(&net);
	ASSERT_EQ(incarnation_of(&net, 0, 1), 0);
	struct swim_msg msg = status_msg(SWIM_MSG_SUSPECT, "n1", 0, "n2");
	ASSERT_EQ(inject(&net, 0, "n2", &msg), SWIM_DROP_NONE);
	ASSERT_EQ(status_of(&net, 0, 1), SWIM_STATUS_SUSPECT);
	/* The next probe carries the suspicion to n1 (buddy system) and
	 * gossip carries it everywhere; n1 refutes with incarnation 1. */
	net_run(&net, 3000);
	ASSERT_EQ(swim_self_incarnation(net.n[1]), 1);
	for (size_t i = 0; i < net.count; i++) {
		ASSERT_EQ(status_of(&net, i, 1), SWIM_STATUS_ALIVE);
		ASSERT_EQ(incarnation_of(&net, i, 1), 1);
	}
	struct swim_stats st;
	swim_stats(net.n[1], &st);
	ASSERT_EQ(st.refutations, 1);
	net_free(&net);
}

static void
test_gossip_rules_order_updates_by_incarnation(void)
{
	/* SWIM's rules as memberlist applies them: a failed verdict is
	 * taken on the sender's word (without the final check). */
	struct swim_config cfg;
	swim_config_lan(&cfg);
	cfg.final_check = false;
	struct net net;
	net_init_cfg(&net, 3, &cfg);
	net_join_all(&net);
	/* Isolate n0 so only injected messages change its view of n1. */
	net.down[1] = net.down[2] = true;
	struct swim_msg m;
	m = status_msg(SWIM_MSG_SUSPECT, "n1", 5, "n2");
	inject(&net, 0, "n2", &m);
	ASSERT_EQ(status_of(&net, 0, 1), SWIM_STATUS_SUSPECT);
	/* alive at the same incarnation does not override suspect */
	m = status_msg(SWIM_MSG_ALIVE, "n1", 5, NULL);
	inject(&net, 0, "n2", &m);
	ASSERT_EQ(status_of(&net, 0, 1), SWIM_STATUS_SUSPECT);
	/* alive at a higher incarnation does */
	m = status_msg(SWIM_MSG_ALIVE, "n1", 6, NULL);
	inject(&net, 0, "n2", &m);
	ASSERT_EQ(status_of(&net, 0, 1), SWIM_STATUS_ALIVE);
	/* a stale suspicion is ignored */
	m = status_msg(SWIM_MSG_SUSPECT, "n1", 5, "n2");
	inject(&net, 0, "n2", &m);
	ASSERT_EQ(status_of(&net, 0, 1), SWIM_STATUS_ALIVE);
	/* failed overrides alive at the same incarnation */
	m = status_msg(SWIM_MSG_FAILED, "n1", 6, "n2");
	inject(&net, 0, "n2", &m);
	ASSERT_EQ(status_of(&net, 0, 1), SWIM_STATUS_FAILED);
	/* suspect does not resurrect a failed member */
	m = status_msg(SWIM_MSG_SUSPECT, "n1", 7, "n2");
	inject(&net, 0, "n2", &m);
	ASSERT_EQ(status_of(&net, 0, 1), SWIM_STATUS_FAILED);
	/* left overrides failed */
	m = status_msg(SWIM_MSG_LEFT, "n1", 6, NULL);
	inject(&net, 0, "n2", &m);
	ASSERT_EQ(status_of(&net, 0, 1), SWIM_STATUS_LEFT);
	/* a newer life comes back */
	m = status_msg(SWIM_MSG_ALIVE, "n1", 9, NULL);
	inject(&net, 0, "n2", &m);
	ASSERT_EQ(status_of(&net, 0, 1), SWIM_STATUS_ALIVE);
	ASSERT_EQ(incarnation_of(&net, 0, 1), 9);
	net_free(&net);
}

static void
test_update_is_sent_exactly_retransmit_limit_times(void)
{
	struct net net;
	net_init(&net, 5);
	net_join_all(&net);
	net_run(&net, 10000);
	/* A fresh alive update about n4 originates at n4; count what n4
	 * itself sends (the others relay it too, each as often). */
	net.watch_sender = 4;
	net.watch_type = SWIM_MSG_ALIVE;
	net.watch_name = "n4";
	ASSERT_OK(swim_set_meta(net.n[4], net.now, (const uint8_t *)"x", 1));
	net_run(&net, 30000);
	/* limit = 4 * ceil(log10(5 + 1)) = 4 */
	ASSERT_EQ(net.watch_seen, 4);
	net_free(&net);
}

static void
test_leave_is_seen_as_left_not_failed(void)
{
	struct net net;
	net_init(&net, 4);
	net_join_all(&net);
	ASSERT_OK(swim_leave(net.n[2], net.now));
	ASSERT(!swim_leave_done(net.n[2], net.now));
	net_run(&net, 2500);
	ASSERT(swim_leave_done(net.n[2], net.now));
	net.down[2] = true;
	net_run(&net, 40000);
	for (size_t i = 0; i < net.count; i++) {
		if (i != 2)
			ASSERT_EQ(status_of(&net, i, 2), SWIM_STATUS_LEFT);
	}
	net_free(&net);
}

static void
test_restarted_node_outranks_its_old_incarnation(void)
{
	struct net net;
	net_init(&net, 3);
	net_join_all(&net);
	/* n2 refutes a few times, then crashes and is declared failed. */
	struct swim_msg m = status_msg(SWIM_MSG_SUSPECT, "n2", 0, "n0");
	inject(&net, 2, "n0", &m);
	m = status_msg(SWIM_MSG_SUSPECT, "n2", 1, "n0");
	inject(&net, 2, "n0", &m);
	net_run(&net, 3000);
	ASSERT_EQ(incarnation_of(&net, 0, 2), 2);
	net.down[2] = true;
	net_run(&net, 30000);
	ASSERT_EQ(status_of(&net, 0, 2), SWIM_STATUS_FAILED);
	/* It comes back having lost its counter: incarnation 0. */
	swim_delete(net.n[2]);
	struct swim_self self = {.name = "n2", .addr = net.addr[2]};
	net.n[2] = swim_new(&net.cfg, &self, 777, net.now);
	net.down[2] = false;
	ASSERT_OK(swim_join(net.n[2], net.now, &net.addr[0], 1));
	net_run(&net, 5000);
	ASSERT_GE(swim_self_incarnation(net.n[2]), 3);
	for (size_t i = 0; i < net.count; i++)
		ASSERT_EQ(status_of(&net, i, 2), SWIM_STATUS_ALIVE);
	net_free(&net);
}

static void
test_partition_heals_without_rejoining_by_hand(void)
{
	struct swim_config cfg;
	swim_config_lan(&cfg);
	cfg.reconnect_interval_ms = 5000;
	struct net net;
	net_init_cfg(&net, 6, &cfg);
	net_join_all(&net);
	for (size_t a = 0; a < 3; a++) {
		for (size_t b = 3; b < 6; b++)
			net.cut[a][b] = net.cut[b][a] = true;
	}
	net_run(&net, 90000);
	ASSERT_EQ(status_of(&net, 0, 4), SWIM_STATUS_FAILED);
	ASSERT_EQ(status_of(&net, 4, 0), SWIM_STATUS_FAILED);
	memset(net.cut, 0, sizeof(net.cut));
	net_run(&net, 60000);
	for (size_t i = 0; i < net.count; i++) {
		for (size_t j = 0; j < net.count; j++)
			ASSERT_EQ(status_of(&net, i, j), SWIM_STATUS_ALIVE);
	}
	net_free(&net);
}

static void
test_bad_datagrams_are_dropped_and_counted(void)
{
	struct net net;
	net_init(&net, 2);
	struct swim_addr from = {0x0a0000ff, 1};
	const uint8_t junk[] = {0xc1, 0x00, 0x01};
	ASSERT_NE(swim_handle_datagram(net.n[0], net.now, &from, junk,
				       sizeof(junk)),
		  SWIM_DROP_NONE);
	ASSERT_NE(swim_handle_datagram(net.n[0], net.now, &from, junk, 0),
		  SWIM_DROP_NONE);
	struct swim_msg m = status_msg(SWIM_MSG_ALIVE, "n9", 1, NULL);
	ASSERT_EQ(inject(&net, 0, "n0", &m), SWIM_DROP_FROM_SELF);
	ASSERT_EQ(swim_member_count(net.n[0]), 1);
	struct swim_stats st;
	swim_stats(net.n[0], &st);
	uint64_t drops = 0;
	for (int i = 0; i < swim_drop_MAX; i++)
		drops += st.drop_count[i];
	ASSERT_EQ(drops, 3);
	ASSERT_EQ(st.drop_count[SWIM_DROP_FROM_SELF], 1);
	net_free(&net);
}

static void
test_restore_installs_a_running_cluster_silently(void)
{
	struct net net;
	net_init(&net, 6);
	struct swim_self all[6];
	char names[6][8];
	for (size_t i = 0; i < 6; i++) {
		snprintf(names[i], sizeof(names[i]), "n%zu", i);
		all[i] = (struct swim_self){.name = names[i],
					    .addr = net.addr[i],
					    .incarnation = i == 4 ? 7 : 0};
	}
	for (size_t i = 0; i < 6; i++) {
		ASSERT_OK(swim_restore(net.n[i], net.now, all, 6));
		/* No events, nothing to gossip: the cluster knows. */
		struct swim_event ev;
		ASSERT(!swim_poll_event(net.n[i], &ev));
		ASSERT_EQ(swim_member_count(net.n[i]), 6);
	}
	ASSERT_EQ(status_of(&net, 2, 5), SWIM_STATUS_ALIVE);
	ASSERT_EQ(incarnation_of(&net, 2, 4), 7);
	/* Restoring again changes nothing; a bad name is refused. */
	ASSERT_OK(swim_restore(net.n[0], net.now, all, 6));
	ASSERT_EQ(swim_member_count(net.n[0]), 6);
	struct swim_self bad = {.name = "has space", .addr = net.addr[1]};
	ASSERT_EQ(swim_restore(net.n[0], net.now, &bad, 1), RUMOR_EINVAL);
	/* From there on it is the usual protocol: quiet while all are up,
	 * and a crash is found by the probes. */
	net_run(&net, 20000);
	for (size_t i = 0; i < 6; i++) {
		struct swim_stats st;
		swim_stats(net.n[i], &st);
		ASSERT_EQ(st.suspicions, 0);
	}
	net.down[3] = true;
	net_run(&net, 60000);
	ASSERT_EQ(status_of(&net, 0, 3), SWIM_STATUS_FAILED);
	ASSERT_EQ(status_of(&net, 5, 3), SWIM_STATUS_FAILED);
	net_free(&net);
}

/* A counting allocator: what a simulator's arena would be. */
struct counting {
	size_t live, total;
};

static void *
counting_alloc(void *ctx)
{
	struct counting *c = ctx;
	c->live++;
	c->total++;
	return aligned_alloc(SWIM_BLOCK_SIZE, SWIM_BLOCK_SIZE);
}

static void
counting_free(void *ctx, void *block)
{
	struct counting *c = ctx;
	c->live--;
	free(block);
}

static void
test_member_records_come_from_the_given_allocator(void)
{
	struct counting c = {0};
	struct swim_allocator a = {.block_alloc = counting_alloc,
				   .block_free = counting_free,
				   .ctx = &c};
	struct swim_config cfg;
	swim_config_lan(&cfg);
	cfg.allocator = &a;
	struct net net;
	net_init_cfg(&net, 3, &cfg);
	ASSERT_EQ(c.live, 3); /* each node's first block, for itself */
	/* 2,000 members take several blocks (a record is 36 bytes or
	 * more). */
	enum { MANY = 2000 };
	struct swim_self *many = calloc(MANY, sizeof(*many));
	char (*names)[8] = calloc(MANY, sizeof(*names));
	ASSERT(many != NULL && names != NULL);
	for (size_t i = 0; i < MANY; i++) {
		snprintf(names[i], sizeof(names[i]), "m%zu", i);
		many[i] = (struct swim_self){
			.name = names[i],
			.addr = {0x0b000000 + (uint32_t)i, 7946}};
	}
	ASSERT_OK(swim_restore(net.n[0], net.now, many, MANY));
	ASSERT_EQ(swim_member_count(net.n[0]), MANY + 1);
	ASSERT_LE(MANY * 32 / SWIM_BLOCK_SIZE + 1, c.live - 2);
	net_free(&net);
	ASSERT_EQ(c.live, 0);
	ASSERT_LE(MANY * 32 / SWIM_BLOCK_SIZE + 3, c.total);
	free(many);
	free(names);
	/* Half an allocator is a configuration error. */
	a.block_free = NULL;
	const char *why = NULL;
	ASSERT_EQ(swim_config_check(&cfg, &why), RUMOR_EINVAL);
	ASSERT(why != NULL);
}

/* The name index (open addressing, deletion by shifting back) under a
 * churn of adds and removes: every present name is found, no absent one
 * is. Reaching in: the public API removes members only by reaping. */
static void
test_name_index_survives_churn(void)
{
	struct swim_config cfg;
	swim_config_lan(&cfg);
	struct swim_self self = {.name = "self", .addr = {1, 1}};
	struct swim *swim = swim_new(&cfg, &self, SEED, T0);
	ASSERT_NOT_NULL(swim);
	enum { NAMES = 3000 };
	static bool present[NAMES];
	uint64_t x = 12345;
	size_t count = 1, finds = 0;
	for (int round = 0; round < 20000; round++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		size_t k = (size_t)(x >> 33) % NAMES;
		char name[16];
		int len = snprintf(name, sizeof(name), "m%zu", k * 7919);
		struct swim_member *m = swim__member_find(swim, name,
							  (size_t)len);
		ASSERT_EQ(m != NULL, present[k]);
		if (m == NULL) {
			struct swim_addr a = {(uint32_t)k, 1};
			ASSERT_NOT_NULL(swim__member_add(swim, name,
							 (size_t)len, &a, T0));
			count++;
		} else {
			swim__member_remove(swim, swim__member_slot(swim, m));
			count--;
		}
		present[k] = !present[k];
		ASSERT_EQ(swim_member_count(swim), count);
		if (round % 2000 != 0)
			continue;
		for (size_t i = 0; i < NAMES; i++) {
			len = snprintf(name, sizeof(name), "m%zu", i * 7919);
			finds += (swim__member_find(swim, name, (size_t)len) !=
				  NULL) == present[i];
		}
	}
	ASSERT_EQ(finds, 10 * NAMES);
	ASSERT_NOT_NULL(swim__member_find(swim, "self", 4));
	swim_delete(swim);
}

static void
test_reaped_members_are_forgotten_and_may_return(void)
{
	/* Reaping frees member records, metadata and suspicions; the
	 * records are reused by whoever comes next. */
	struct swim_config cfg;
	swim_config_lan(&cfg);
	cfg.reconnect_timeout_ms = 30000;
	cfg.tombstone_timeout_ms = 30000;
	struct net net;
	net_init_cfg(&net, 6, &cfg);
	net_join_all(&net);
	const uint8_t meta[] = {1, 2, 3};
	ASSERT_OK(swim_set_meta(net.n[4], net.now, meta, sizeof(meta)));
	ASSERT_OK(swim_set_meta(net.n[2], net.now, meta, sizeof(meta)));
	net_run(&net, 5000);
	ASSERT_OK(swim_leave(net.n[2], net.now));
	net_run(&net, 2500);
	net.down[2] = true;
	net.down[3] = true;
	/* Failed after the suspicion timeout, reaped 30 s later at the
	 * next reap tick (every 15 s). */
	net_run(&net, 90000);
	for (size_t i = 0; i < net.count; i++) {
		if (net.down[i])
			continue;
		ASSERT_EQ(swim_member_count(net.n[i]), 4);
		ASSERT_EQ(status_of(&net, i, 2), swim_status_MAX);
		ASSERT_EQ(status_of(&net, i, 3), swim_status_MAX);
		struct swim_member_info info;
		ASSERT_OK(swim_member_find(net.n[i], "n4", &info));
		ASSERT_EQ(info.meta_size, sizeof(meta));
		ASSERT_EQ(memcmp(info.meta, meta, sizeof(meta)), 0);
	}
	/* n3 comes back; a member with a long name is restored. */
	swim_delete(net.n[3]);
	struct swim_self self = {.name = "n3", .addr = net.addr[3],
				 .incarnation = 5};
	net.n[3] = swim_new(&net.cfg, &self, 333, net.now);
	net.down[3] = false;
	ASSERT_OK(swim_join(net.n[3], net.now, &net.addr[0], 1));
	const char *long_name = "a-member-with-a-name-much-longer-than-n3";
	struct swim_self far = {.name = long_name, .addr = net.addr[2]};
	ASSERT_OK(swim_restore(net.n[0], net.now, &far, 1));
	net_run(&net, 10000);
	for (size_t i = 0; i < net.count; i++) {
		if (net.down[i])
			continue;
		ASSERT_EQ(status_of(&net, i, 3), SWIM_STATUS_ALIVE);
		ASSERT_EQ(incarnation_of(&net, i, 3), 5);
	}
	struct swim_member_info info;
	ASSERT_OK(swim_member_find(net.n[0], long_name, &info));
	ASSERT_EQ(strcmp(info.name, long_name), 0);
	ASSERT_OK(swim_member_find(net.n[0], "n3", &info));
	ASSERT_EQ(info.meta_size, 0);
	net_free(&net);
}

static void
test_same_seed_gives_same_run(void)
{
	uint64_t sent[2];
	for (int round = 0; round < 2; round++) {
		struct net net;
		net_init(&net, 5);
		net_join_all(&net);
		net.down[2] = true;
		net_run(&net, 40000);
		struct swim_stats st;
		swim_stats(net.n[0], &st);
		sent[round] = st.bytes_sent * 1000003 + st.probes_sent;
		net_free(&net);
	}
	ASSERT_EQ(sent[0], sent[1]);
}

int
main(void)
{
	RUN(test_join_through_seed_gives_everyone_the_full_view);
	RUN(test_healthy_cluster_raises_no_suspicion);
	RUN(test_crashed_member_is_suspected_then_failed_everywhere);
	RUN(test_confirmations_spread_so_all_detect_before_the_max_timeout);
	RUN(test_indirect_probe_saves_member_behind_a_broken_link);
	RUN(test_suspect_is_refuted_by_higher_incarnation);
	RUN(test_gossip_rules_order_updates_by_incarnation);
	RUN(test_update_is_sent_exactly_retransmit_limit_times);
	RUN(test_leave_is_seen_as_left_not_failed);
	RUN(test_restarted_node_outranks_its_old_incarnation);
	RUN(test_partition_heals_without_rejoining_by_hand);
	RUN(test_bad_datagrams_are_dropped_and_counted);
	RUN(test_restore_installs_a_running_cluster_silently);
	RUN(test_member_records_come_from_the_given_allocator);
	RUN(test_name_index_survives_churn);
	RUN(test_reaped_members_are_forgotten_and_may_return);
	RUN(test_same_seed_gives_same_run);
	return TEST_SUMMARY();
}
