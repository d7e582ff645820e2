/*
 * Unit tests of membership/registry: versioned sets per node, membership
 * as an input (a down node's services leave healthy lookups and come
 * back), lookups by name and tag in (node, id) order, picks, the service
 * summary and the change events a watch streams.
 */
#include <stdlib.h>
#include <string.h>

#include "membership/registry.h"
#include "rumor/error.h"
#include "test.h"

static const char *const v2[] = {"v2"};

/* A set of count services named name on ports 8000.. (ids name-<i>). */
static struct service_set
make_set(uint64_t version, const char *name, size_t count,
	 enum service_health health)
{
	struct service_set set = {.version = version, .count = count};
	set.services = calloc(count ? count : 1, sizeof(*set.services));
	for (size_t i = 0; i < count; i++) {
		char id[32];
		snprintf(id, sizeof(id), "%s-%zu", name, i);
		struct service s = {.id = id, .name = name,
				    .address = "10.0.0.1",
				    .port = (uint16_t)(8000 + i),
				    .tags = v2, .tag_count = i % 2,
				    .health = health};
		set.services[i] = service_dup(&s);
	}
	return set;
}

static size_t
drain(struct registry *r, enum registry_event_type type)
{
	struct registry_event ev;
	size_t count = 0;
	while (registry_poll_event(r, &ev))
		count += ev.type == type;
	return count;
}

static size_t
healthy_web(struct registry *r)
{
	struct registry_query q = {.name = "web"};
	return registry_lookup(r, &q, NULL, 0);
}

static void
test_a_newer_set_replaces_and_an_older_one_is_stale(void)
{
	struct registry *r = registry_new(NULL);
	struct service_set s = make_set(2, "web", 3, SERVICE_HEALTH_PASSING);
	ASSERT_EQ(registry_apply(r, "n1", &s), 1);
	ASSERT_EQ(s.count, 0); /* taken */
	ASSERT_EQ(drain(r, REGISTRY_EVENT_ADDED), 3);
	struct service_set old = make_set(1, "web", 1, SERVICE_HEALTH_PASSING);
	ASSERT_EQ(registry_apply(r, "n1", &old), 0);
	ASSERT_EQ(old.count, 1); /* untouched: still the caller's */
	service_set_destroy(&old);
	struct service_set same = make_set(2, "web", 1, SERVICE_HEALTH_PASSING);
	ASSERT_EQ(registry_apply(r, "n1", &same), 0);
	service_set_destroy(&same);
	uint64_t version;
	ASSERT(registry_version(r, "n1", &version));
	ASSERT_EQ(version, 2);
	ASSERT(!registry_version(r, "n9", &version));
	/* Version 3 drops web-2 and makes web-0 critical. */
	struct service_set next = make_set(3, "web", 2, SERVICE_HEALTH_PASSING);
	next.services[0]->health = SERVICE_HEALTH_CRITICAL;
	ASSERT_EQ(registry_apply(r, "n1", &next), 1);
	struct registry_event ev;
	ASSERT(registry_poll_event(r, &ev));
	ASSERT_EQ(ev.type, REGISTRY_EVENT_HEALTH);
	ASSERT_STR_EQ(ev.id, "web-0");
	ASSERT(!ev.healthy);
	ASSERT(registry_poll_event(r, &ev));
	ASSERT_EQ(ev.type, REGISTRY_EVENT_REMOVED);
	ASSERT_STR_EQ(ev.id, "web-2");
	ASSERT(!registry_poll_event(r, &ev));
	ASSERT_EQ(healthy_web(r), 1);
	ASSERT_EQ(registry_instance_count(r), 2);
	registry_delete(r);
}

static void
test_a_down_node_leaves_healthy_lookups_and_comes_back(void)
{
	struct registry *r = registry_new(NULL);
	struct service_set a = make_set(1, "web", 2, SERVICE_HEALTH_PASSING);
	struct service_set b = make_set(1, "web", 1, SERVICE_HEALTH_PASSING);
	ASSERT_EQ(registry_apply(r, "n1", &a), 1);
	ASSERT_EQ(registry_apply(r, "n2", &b), 1);
	drain(r, REGISTRY_EVENT_ADDED);
	ASSERT_EQ(healthy_web(r), 3);
	ASSERT_OK(registry_set_node(r, "n1", false, NULL));
	ASSERT_EQ(drain(r, REGISTRY_EVENT_HEALTH), 2);
	ASSERT_EQ(healthy_web(r), 1);
	struct registry_query all = {.name = "web", .include_critical = true};
	struct registry_instance out[4];
	ASSERT_EQ(registry_lookup(r, &all, out, 4), 3);
	ASSERT_STR_EQ(out[0].node, "n1");
	ASSERT(!out[0].healthy);
	ASSERT_OK(registry_set_node(r, "n1", false, NULL)); /* no change */
	ASSERT_EQ(drain(r, REGISTRY_EVENT_HEALTH), 0);
	ASSERT_OK(registry_set_node(r, "n1", true, NULL));
	ASSERT_EQ(drain(r, REGISTRY_EVENT_HEALTH), 2);
	ASSERT_EQ(healthy_web(r), 3);
	/* A node reported down before its set arrives: the set counts as
	 * critical from the start. */
	ASSERT_OK(registry_set_node(r, "n3", false, NULL));
	struct service_set c = make_set(1, "web", 1, SERVICE_HEALTH_PASSING);
	ASSERT_EQ(registry_apply(r, "n3", &c), 1);
	struct registry_event ev;
	ASSERT(registry_poll_event(r, &ev));
	ASSERT_EQ(ev.type, REGISTRY_EVENT_ADDED);
	ASSERT(!ev.healthy);
	ASSERT_EQ(healthy_web(r), 3);
	registry_forget(r, "n1");
	ASSERT_EQ(drain(r, REGISTRY_EVENT_REMOVED), 2);
	ASSERT_EQ(registry_instance_count(r), 2);
	ASSERT_EQ(registry_node_count(r), 2);
	registry_delete(r);
}

static void
test_lookups_filter_by_tag_and_come_in_node_then_id_order(void)
{
	struct registry *r = registry_new(NULL);
	const char *nodes[] = {"n2", "n10", "n1"};
	for (int i = 0; i < 3; i++) {
		struct service_set s = make_set(1, "web", 3,
						SERVICE_HEALTH_PASSING);
		ASSERT_EQ(registry_apply(r, nodes[i], &s), 1);
	}
	struct service_set db = make_set(1, "db", 1, SERVICE_HEALTH_CRITICAL);
	ASSERT_EQ(registry_apply(r, "n0", &db), 1);
	struct registry_instance out[16];
	struct registry_query q = {.name = "web"};
	ASSERT_EQ(registry_lookup(r, &q, out, 16), 9);
	ASSERT_STR_EQ(out[0].node, "n1");
	ASSERT_STR_EQ(out[3].node, "n10");
	ASSERT_STR_EQ(out[6].node, "n2");
	ASSERT_STR_EQ(out[1].service->id, "web-1");
	q.tag = "v2";
	ASSERT_EQ(registry_lookup(r, &q, out, 16), 3);
	ASSERT_STR_EQ(out[0].service->id, "web-1");
	/* A short buffer still reports the full count. */
	q.tag = NULL;
	ASSERT_EQ(registry_lookup(r, &q, out, 2), 9);
	struct registry_query dq = {.name = "db"};
	ASSERT_EQ(registry_lookup(r, &dq, out, 16), 0);
	dq.include_critical = true;
	ASSERT_EQ(registry_lookup(r, &dq, out, 16), 1);
	struct registry_summary sum[4];
	ASSERT_EQ(registry_services(r, sum, 4), 2);
	ASSERT_STR_EQ(sum[0].name, "db");
	ASSERT_EQ(sum[0].healthy, 0);
	ASSERT_EQ(sum[0].total, 1);
	ASSERT_STR_EQ(sum[1].name, "web");
	ASSERT_EQ(sum[1].healthy, 9);
	registry_delete(r);
}

static void
test_picks_only_healthy_instances_round_robin_visits_each(void)
{
	struct registry *r = registry_new(NULL);
	struct service_set s = make_set(1, "web", 4, SERVICE_HEALTH_PASSING);
	s.services[2]->health = SERVICE_HEALTH_CRITICAL;
	ASSERT_EQ(registry_apply(r, "n1", &s), 1);
	struct registry_query q = {.name = "web"};
	struct registry_instance in;
	unsigned seen = 0;
	for (int k = 0; k < 6; k++) {
		ASSERT_OK(registry_pick(r, &q, REGISTRY_PICK_ROUND_ROBIN, 0,
					&in));
		ASSERT(in.healthy);
		seen |= 1u << (in.service->port - 8000);
	}
	ASSERT_EQ(seen, 0xb); /* 0, 1 and 3; never the critical 2 */
	for (uint64_t d = 0; d < 3; d++) {
		ASSERT_OK(registry_pick(r, &q, REGISTRY_PICK_RANDOM, d, &in));
		ASSERT(in.service->health == SERVICE_HEALTH_PASSING);
	}
	struct registry_query none = {.name = "nope"};
	ASSERT_EQ(registry_pick(r, &none, REGISTRY_PICK_RANDOM, 1, &in),
		  RUMOR_ENOTFOUND);
	registry_delete(r);
}

static void
test_an_undrained_queue_drops_the_oldest_and_counts(void)
{
	struct registry *r = registry_new(NULL);
	for (uint64_t v = 1; v <= 3; v++) {
		struct service_set s = make_set(v, "web", SERVICE_PER_NODE_MAX,
						SERVICE_HEALTH_PASSING);
		char node[16];
		for (int k = 0; k < 8; k++) {
			snprintf(node, sizeof(node), "n%d", k);
			struct service_set copy = {.version = v,
						   .count = s.count};
			copy.services = calloc(s.count, sizeof(void *));
			for (size_t i = 0; i < s.count; i++)
				copy.services[i] = service_dup(s.services[i]);
			/* Applied each time; only the first changes. */
			ASSERT_EQ(registry_apply(r, node, &copy), 1);
			service_set_destroy(&copy);
		}
		service_set_destroy(&s);
	}
	/* 8 nodes x 256 adds = 2048 events fit; nothing dropped. */
	ASSERT_EQ(registry_events_dropped(r), 0);
	for (int k = 0; k < 8; k++) {
		char node[16];
		snprintf(node, sizeof(node), "n%d", k);
		ASSERT_OK(registry_set_node(r, node, false, NULL));
	}
	/* Another 2048 health events: 4096 queued at most. */
	ASSERT_EQ(registry_events_dropped(r), 0);
	ASSERT_OK(registry_set_node(r, "n0", true, NULL));
	ASSERT_EQ(registry_events_dropped(r), SERVICE_PER_NODE_MAX);
	struct registry_event ev;
	ASSERT(registry_poll_event(r, &ev));
	ASSERT_EQ(ev.type, REGISTRY_EVENT_ADDED); /* oldest kept are adds */
	ASSERT_STR_EQ(ev.node, "n1");
	registry_delete(r);
}

/* ids of the healthy-or-not instances of name, joined "node/id ...". */
static const char *
ids_of(struct registry *r, const char *name)
{
	static char buf[512];
	struct registry_query q = {.name = name, .include_critical = true};
	struct registry_instance out[32];
	size_t n = registry_lookup(r, &q, out, 32);
	buf[0] = '\0';
	for (size_t i = 0; i < n && i < 32; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
			 "%s%s/%s", i ? " " : "", out[i].node,
			 out[i].service->id);
	return buf;
}

/* A set of one service per name in names, ids <name>-<node>. */
static struct service_set
mixed_set(uint64_t version, const char *node, const char *const *names,
	  size_t count)
{
	struct service_set set = {.version = version, .count = count};
	set.services = calloc(count ? count : 1, sizeof(*set.services));
	for (size_t i = 0; i < count; i++) {
		char id[32];
		snprintf(id, sizeof(id), "%s-%s", names[i], node);
		struct service s = {.id = id, .name = names[i], .port = 1};
		set.services[i] = service_dup(&s);
	}
	return set;
}

/* Like ids_of, ignoring case. */
static const char *
ids_nocase(struct registry *r, const char *name)
{
	static char buf[512];
	struct registry_query q = {.name = name, .include_critical = true,
				   .ignore_case = true};
	struct registry_instance out[32];
	size_t n = registry_lookup(r, &q, out, 32);
	buf[0] = '\0';
	for (size_t i = 0; i < n && i < 32; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
			 "%s%s/%s", i ? " " : "", out[i].node,
			 out[i].service->id);
	return buf;
}

static void
test_a_lookup_ignoring_case_finds_every_spelling_and_no_neighbour(void)
{
	struct registry *r = registry_new(NULL);
	const char *const n1[] = {"Web", "wea", "weB_", "web"};
	const char *const n2[] = {"web", "WEB", "wec", "A"};
	struct service_set s = mixed_set(1, "n1", n1, 4);
	ASSERT_EQ(registry_apply(r, "n1", &s), 1);
	s = mixed_set(1, "n2", n2, 4);
	ASSERT_EQ(registry_apply(r, "n2", &s), 1);
	/* Spellings in byte order, each in (node, id) order. */
	ASSERT_STR_EQ(ids_nocase(r, "web"),
		      "n2/WEB-n2 n1/Web-n1 n1/web-n1 n2/web-n2");
	ASSERT_STR_EQ(ids_nocase(r, "WEB"),
		      "n2/WEB-n2 n1/Web-n1 n1/web-n1 n2/web-n2");
	ASSERT_STR_EQ(ids_nocase(r, "web_"), "n1/weB_-n1");
	ASSERT_STR_EQ(ids_nocase(r, "a"), "n2/A-n2");
	ASSERT_STR_EQ(ids_nocase(r, "we"), "");
	/* An exact lookup still sees one spelling. */
	ASSERT_STR_EQ(ids_of(r, "web"), "n1/web-n1 n2/web-n2");
	ASSERT_STR_EQ(ids_of(r, "Web"), "n1/Web-n1");
	ASSERT_STR_EQ(ids_of(r, "WeB"), "");
	/* The summary lists each spelling once, folded order first. */
	struct registry_summary sum[8];
	ASSERT_EQ(registry_services(r, sum, 8), 7);
	ASSERT_STR_EQ(sum[0].name, "A");
	ASSERT_STR_EQ(sum[1].name, "wea");
	ASSERT_STR_EQ(sum[2].name, "WEB");
	ASSERT_STR_EQ(sum[3].name, "Web");
	ASSERT_STR_EQ(sum[4].name, "web");
	ASSERT_EQ(sum[4].total, 2);
	ASSERT_STR_EQ(sum[5].name, "weB_");
	ASSERT_STR_EQ(sum[6].name, "wec");
	registry_delete(r);
}

static void
test_queries_follow_every_change(void)
{
	struct registry *r = registry_new(NULL);
	const char *const abc[] = {"c", "a", "b"}, *const ab[] = {"b", "a"},
			  *const d[] = {"d"};
	struct service_set s = mixed_set(1, "n2", abc, 3);
	ASSERT_EQ(registry_apply(r, "n2", &s), 1);
	s = mixed_set(1, "n1", ab, 2);
	ASSERT_EQ(registry_apply(r, "n1", &s), 1);
	ASSERT_STR_EQ(ids_of(r, "a"), "n1/a-n1 n2/a-n2");
	ASSERT_STR_EQ(ids_of(r, "c"), "n2/c-n2");
	ASSERT_STR_EQ(ids_of(r, "zz"), "");
	ASSERT_STR_EQ(ids_of(r, ""), "");
	/* n2's set changes: its old names go, the new one comes. */
	s = mixed_set(2, "n2", d, 1);
	ASSERT_EQ(registry_apply(r, "n2", &s), 1);
	ASSERT_STR_EQ(ids_of(r, "a"), "n1/a-n1");
	ASSERT_STR_EQ(ids_of(r, "c"), "");
	ASSERT_STR_EQ(ids_of(r, "d"), "n2/d-n2");
	struct registry_summary sum[8];
	ASSERT_EQ(registry_services(r, sum, 8), 3);
	ASSERT_STR_EQ(sum[0].name, "a");
	ASSERT_STR_EQ(sum[2].name, "d");
	/* A name at several nodes, then n1 forgotten. */
	s = mixed_set(1, "n0", ab, 2);
	ASSERT_EQ(registry_apply(r, "n0", &s), 1);
	ASSERT_STR_EQ(ids_of(r, "b"), "n0/b-n0 n1/b-n1");
	registry_forget(r, "n1");
	ASSERT_STR_EQ(ids_of(r, "b"), "n0/b-n0");
	ASSERT_EQ(registry_services(r, sum, 1), 3); /* all counted */
	ASSERT_STR_EQ(sum[0].name, "a");
	ASSERT_EQ(sum[0].total, 1);
	/* The generation moves with every change a query sees, only. */
	uint64_t g = registry_generation(r);
	ASSERT_STR_EQ(ids_of(r, "a"), "n0/a-n0");
	ASSERT_EQ(registry_generation(r), g);
	s = mixed_set(1, "n0", d, 1); /* stale: not applied */
	ASSERT_EQ(registry_apply(r, "n0", &s), 0);
	service_set_destroy(&s);
	ASSERT_EQ(registry_set_node(r, "n0", true, NULL), 0); /* already up */
	ASSERT_EQ(registry_generation(r), g);
	ASSERT_EQ(registry_set_node(r, "n0", false, NULL), 0);
	ASSERT(registry_generation(r) > g);
	/* n0's services have no address: its host is theirs. */
	const struct swim_addr at = {0x0a000007, 7946};
	g = registry_generation(r);
	ASSERT_OK(registry_set_node(r, "n0", false, &at));
	ASSERT(registry_generation(r) > g);
	g = registry_generation(r);
	ASSERT_OK(registry_set_node(r, "n0", false, &at)); /* the same */
	ASSERT_EQ(registry_generation(r), g);
	g = registry_generation(r);
	registry_forget(r, "n0");
	ASSERT(registry_generation(r) > g);
	g = registry_generation(r);
	s = mixed_set(3, "n2", abc, 3);
	ASSERT_EQ(registry_apply(r, "n2", &s), 1);
	ASSERT(registry_generation(r) > g);
	registry_forget(r, "n2");
	ASSERT_STR_EQ(ids_of(r, "d"), "");
	ASSERT_EQ(registry_services(r, sum, 8), 0);
	registry_delete(r);
}

static void
test_answers_give_the_node_host_for_services_without_an_address(void)
{
	struct registry *r = registry_new(NULL);
	const struct swim_addr a1 = {0x0a000105, 7946}, a2 = {0x0a000106, 7946};
	/* Told before its set: a node's entry holds its host. */
	ASSERT_OK(registry_set_node(r, "n1", true, &a1));
	ASSERT_EQ(registry_node_count(r), 0); /* no set yet */
	/* One service with an address of its own, one without. */
	static const char *const names[] = {"web"};
	struct service_set both = mixed_set(1, "n1", names, 1);
	struct service own = {.id = "db", .name = "db", .address = "10.9.9.9",
			      .port = 5432};
	both.services = realloc(both.services, 2 * sizeof(*both.services));
	both.services[both.count++] = service_dup(&own);
	ASSERT_EQ(registry_apply(r, "n1", &both), 1);
	struct registry_event ev;
	ASSERT(registry_poll_event(r, &ev));
	ASSERT_STR_EQ(ev.id, "db");
	ASSERT_STR_EQ(ev.address, "10.9.9.9");
	ASSERT(registry_poll_event(r, &ev));
	ASSERT_STR_EQ(ev.id, "web-n1");
	ASSERT_STR_EQ(ev.address, "10.0.1.5");
	struct registry_query q = {.name = "web"};
	struct registry_instance in;
	ASSERT_EQ(registry_lookup(r, &q, &in, 1), 1);
	ASSERT_STR_EQ(in.address, "10.0.1.5");
	ASSERT_STR_EQ(in.service->address, "");
	q.name = "db";
	ASSERT_EQ(registry_lookup(r, &q, &in, 1), 1);
	ASSERT_STR_EQ(in.address, "10.9.9.9");
	/* The node moves: its address-less service is UPDATED, the other
	 * not; the port alone is no move. */
	ASSERT_OK(registry_set_node(r, "n1", true, &a2));
	ASSERT(registry_poll_event(r, &ev));
	ASSERT_EQ(ev.type, REGISTRY_EVENT_UPDATED);
	ASSERT_STR_EQ(ev.id, "web-n1");
	ASSERT_STR_EQ(ev.address, "10.0.1.6");
	ASSERT(!registry_poll_event(r, &ev));
	uint64_t g = registry_generation(r);
	ASSERT_OK(registry_set_node(r, "n1", true,
				    &(struct swim_addr){a2.ip, 7947}));
	ASSERT(!registry_poll_event(r, &ev));
	ASSERT_EQ(registry_generation(r), g);
	/* NULL keeps the host; a node never told has none. */
	ASSERT_OK(registry_set_node(r, "n1", false, NULL));
	q.name = "web";
	q.include_critical = true;
	ASSERT_EQ(registry_lookup(r, &q, &in, 1), 1);
	ASSERT_STR_EQ(in.address, "10.0.1.6");
	struct service_set t = mixed_set(1, "n2", names, 1);
	ASSERT_EQ(registry_apply(r, "n2", &t), 1);
	struct registry_instance two[2];
	ASSERT_EQ(registry_lookup(r, &q, two, 2), 2);
	ASSERT_STR_EQ(two[1].node, "n2");
	ASSERT_STR_EQ(two[1].address, "");
	/* A forgotten node's removals still say where it was. */
	while (registry_poll_event(r, &ev))
		;
	registry_forget(r, "n1");
	ASSERT(registry_poll_event(r, &ev));
	ASSERT_EQ(ev.type, REGISTRY_EVENT_REMOVED);
	ASSERT(registry_poll_event(r, &ev));
	ASSERT_EQ(ev.type, REGISTRY_EVENT_REMOVED);
	ASSERT_STR_EQ(ev.id, "web-n1");
	ASSERT_STR_EQ(ev.address, "10.0.1.6");
	registry_delete(r);
}

static void
test_registry_check_holds_through_every_change(void)
{
	struct registry *r = registry_new(NULL);
	ASSERT_NOT_NULL(r);
	const char *why = NULL;
	ASSERT_OK(registry_check(r, &why));
	const struct swim_addr at = {0x0a000001, 7946};
	ASSERT_OK(registry_set_node(r, "n2", true, &at));
	struct registry_node_state st;
	ASSERT_OK(registry_node_find(r, "n2", &st));
	ASSERT(st.up && !st.has_set && strcmp(st.host, "10.0.0.1") == 0);
	ASSERT_EQ(registry_node_find(r, "n9", &st), RUMOR_ENOTFOUND);
	const char *names[] = {"n3", "n1", "n2", "n0"};
	for (size_t i = 0; i < 4; i++) {
		struct service_set s = make_set(1 + i, i % 2 ? "web" : "db",
						1 + i, SERVICE_HEALTH_PASSING);
		ASSERT_EQ(registry_apply(r, names[i], &s), 1);
		service_set_destroy(&s);
		ASSERT_OK(registry_check(r, &why));
	}
	ASSERT_EQ(registry_node_total(r), 4);
	ASSERT_EQ(healthy_web(r), 2 + 4);
	ASSERT_OK(registry_check(r, &why)); /* the index, built */
	ASSERT_OK(registry_set_node(r, "n1", false, NULL));
	registry_forget(r, "n0");
	ASSERT_EQ(registry_node_total(r), 3);
	ASSERT_EQ(healthy_web(r), 0);
	ASSERT_OK(registry_check(r, &why));
	ASSERT_NULL(why);
	registry_delete(r);
}

int
main(void)
{
	RUN(test_a_newer_set_replaces_and_an_older_one_is_stale);
	RUN(test_a_down_node_leaves_healthy_lookups_and_comes_back);
	RUN(test_lookups_filter_by_tag_and_come_in_node_then_id_order);
	RUN(test_queries_follow_every_change);
	RUN(test_a_lookup_ignoring_case_finds_every_spelling_and_no_neighbour);
	RUN(test_picks_only_healthy_instances_round_robin_visits_each);
	RUN(test_an_undrained_queue_drops_the_oldest_and_counts);
	RUN(test_answers_give_the_node_host_for_services_without_an_address);
	RUN(test_registry_check_holds_through_every_change);
	return TEST_SUMMARY();
}
