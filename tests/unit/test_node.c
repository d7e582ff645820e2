/*
 * node: the core behind the seal layer. Two nodes exchange sealed
 * datagrams and stream frames; other keys, plaintext peers and tampered
 * frames are dropped and counted under their own reasons.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "membership/node.h"
#include "rumor/error.h"
#include "swim/mpscan.h"
#include "test.h"

#define T0 10000

static struct keyring *
ring_with(uint8_t fill)
{
	uint8_t key[KEYRING_KEY_SIZE];
	memset(key, fill, sizeof(key));
	struct keyring *kr = keyring_new();
	if (kr != NULL && keyring_add(kr, key) != 0) {
		keyring_delete(kr);
		return NULL;
	}
	return kr;
}

static struct node *
node_make(const char *name, uint32_t ip, const struct keyring *kr,
	  uint64_t seed)
{
	struct node_config cfg = {
		.self = {.name = name, .addr = {ip, 7946}},
		.keyring = kr,
		.rand_seed = seed,
	};
	swim_config_lan(&cfg.swim);
	memset(cfg.nonce_prefix, (int)seed, sizeof(cfg.nonce_prefix));
	return node_new(&cfg, T0);
}

/* Run a push-pull from a to b through sealed stream frames. */
static enum node_drop
exchange(struct node *a, struct node *b)
{
	struct swim_stream_req req;
	if (!node_poll_stream(a, &req))
		return node_drop_MAX;
	uint8_t *frame;
	size_t size;
	if (node_stream_encode(a, req.join, &frame, &size) != 0)
		return node_drop_MAX;
	const struct swim_addr from = {1, 1};
	enum node_drop drop = node_stream_handle(b, T0, &from, frame, size);
	free(frame);
	if (drop != NODE_DROP_NONE)
		return drop;
	if (node_stream_encode(b, false, &frame, &size) != 0)
		return node_drop_MAX;
	drop = node_stream_handle(a, T0, &from, frame, size);
	free(frame);
	return drop;
}

static void
test_sealed_push_pull_joins_two_nodes(void)
{
	struct keyring *kr = ring_with(7);
	struct node *a = node_make("a", 1, kr, 1);
	struct node *b = node_make("b", 2, kr, 2);
	ASSERT_NOT_NULL(a);
	ASSERT_NOT_NULL(b);
	const struct swim_addr seed = {2, 7946};
	ASSERT_OK(node_join(a, T0, &seed, 1));
	ASSERT_EQ(exchange(a, b), NODE_DROP_NONE);
	ASSERT_EQ(swim_member_count(node_swim(a)), 2);
	ASSERT_EQ(swim_member_count(node_swim(b)), 2);
	node_delete(a);
	node_delete(b);
	keyring_delete(kr);
}

static void
test_sealed_datagrams_fit_the_mtu_and_open_at_the_peer(void)
{
	struct keyring *kr = ring_with(7);
	struct node *a = node_make("a", 1, kr, 1);
	struct node *b = node_make("b", 2, kr, 2);
	const struct swim_addr seed = {2, 7946};
	ASSERT_OK(node_join(a, T0, &seed, 1));
	exchange(a, b);
	/* Run a's timers until it probes b. */
	uint64_t now = T0;
	struct node_datagram dg;
	bool sent = false;
	for (int i = 0; i < 50 && !sent; i++) {
		now = node_next_deadline_ms(a);
		node_handle_timeout(a, now);
		while (node_poll_datagram(a, &dg)) {
			sent = true;
			ASSERT_LE(dg.size, NODE_DATAGRAM_MAX);
			const struct swim_addr from = {1, 7946};
			ASSERT_EQ(node_handle_datagram(b, now, &from, dg.data,
						       dg.size),
				  NODE_DROP_NONE);
		}
	}
	ASSERT(sent);
	node_delete(a);
	node_delete(b);
	keyring_delete(kr);
}

static void
test_other_key_plaintext_and_tampering_are_dropped_by_reason(void)
{
	struct keyring *k1 = ring_with(1), *k2 = ring_with(2);
	struct node *a = node_make("a", 1, k1, 1);
	struct node *other = node_make("o", 3, k2, 3);
	struct node *plain = node_make("p", 4, NULL, 4);
	ASSERT_NOT_NULL(plain);
	const struct swim_addr seed = {1, 7946};
	/* Another key: the key id is unknown to a. */
	ASSERT_OK(node_join(other, T0, &seed, 1));
	ASSERT_EQ(exchange(other, a), NODE_DROP_UNKNOWN_KEY);
	/* A plaintext peer at an encrypted node, and the reverse. */
	ASSERT_OK(node_join(plain, T0, &seed, 1));
	ASSERT_EQ(exchange(plain, a), NODE_DROP_PLAINTEXT);
	ASSERT_OK(node_join(a, T0, &(struct swim_addr){4, 7946}, 1));
	ASSERT_EQ(exchange(a, plain), NODE_DROP_ENCRYPTED);
	ASSERT_EQ(swim_member_count(node_swim(a)), 1);
	ASSERT_EQ(swim_member_count(node_swim(plain)), 1);
	/* A flipped bit in a sealed frame fails authentication. */
	uint8_t *frame;
	size_t size;
	ASSERT_OK(node_stream_encode(other, false, &frame, &size));
	frame[size - 3] ^= 0x10;
	struct node *twin = node_make("t", 5, k2, 5);
	ASSERT_EQ(node_stream_handle(twin, T0, &seed, frame, size),
		  NODE_DROP_AUTH);
	/* A stream frame replayed as a datagram has the wrong kind. */
	frame[size - 3] ^= 0x10;
	ASSERT_EQ(node_handle_datagram(twin, T0, &seed, frame + STREAM_PREFIX,
				       size - STREAM_PREFIX),
		  NODE_DROP_VERSION);
	free(frame);
	struct node_stats st;
	node_stats(a, &st);
	ASSERT_EQ(st.drop_count[NODE_DROP_UNKNOWN_KEY], 1);
	ASSERT_EQ(st.drop_count[NODE_DROP_PLAINTEXT], 1);
	node_delete(a);
	node_delete(other);
	node_delete(plain);
	node_delete(twin);
	keyring_delete(k1);
	keyring_delete(k2);
}

static void
test_oversized_and_empty_frames_are_dropped(void)
{
	struct keyring *kr = ring_with(7);
	struct node *a = node_make("a", 1, kr, 1);
	const struct swim_addr from = {9, 9};
	static uint8_t big[NODE_DATAGRAM_MAX + 1];
	ASSERT_EQ(node_handle_datagram(a, T0, &from, big, sizeof(big)),
		  NODE_DROP_OVERSIZE);
	ASSERT_EQ(node_handle_datagram(a, T0, &from, big, 0),
		  NODE_DROP_TRUNCATED);
	ASSERT_EQ(node_stream_handle(a, T0, &from, big, 0),
		  NODE_DROP_TRUNCATED);
	node_delete(a);
	keyring_delete(kr);
}

/* n services of 40 bytes or so each: past one announcement from 13 on. */
static int
offer(struct node *n, size_t count)
{
	static struct service svc[64];
	static const struct service *list[64];
	static char ids[64][16];
	for (size_t k = 0; k < count; k++) {
		snprintf(ids[k], sizeof(ids[k]), "api-%zu", k);
		svc[k] = (struct service){.id = ids[k], .name = "api",
					  .address = "10.1.2.3",
					  .port = (uint16_t)(8000 + k)};
		list[k] = &svc[k];
	}
	return node_set_services(n, T0, list, count, NULL);
}

static size_t
api_instances(struct node *n)
{
	struct registry_query q = {.name = "api", .include_critical = true};
	struct registry_instance out[64];
	return registry_lookup(node_registry(n), &q, out, 64);
}

static void
drain(struct node *n)
{
	struct swim_event ev;
	while (node_poll_event(n, &ev))
		;
}

static void
test_a_large_set_rides_in_the_push_pull_and_is_served_onward(void)
{
	struct keyring *kr = ring_with(7);
	struct node *a = node_make("a", 1, kr, 1);
	struct node *b = node_make("b", 2, kr, 2);
	struct node *c = node_make("c", 3, kr, 3);
	ASSERT_OK(offer(b, 50));
	struct node_stats st;
	node_stats(b, &st);
	ASSERT_EQ(st.large_sets_held, 1);
	/* a joins through b: b's reply carries the set. */
	const struct swim_addr at_b = {2, 7946};
	ASSERT_OK(node_join(a, T0, &at_b, 1));
	ASSERT_EQ(exchange(a, b), NODE_DROP_NONE);
	drain(a);
	ASSERT_EQ(api_instances(a), 50);
	node_stats(a, &st);
	ASSERT_EQ(st.large_sets_held, 1);
	ASSERT_EQ(st.sets_received, 1);
	/* c joins through a, which serves b's set onward. */
	const struct swim_addr at_a = {1, 7946};
	ASSERT_OK(node_join(c, T0, &at_a, 1));
	ASSERT_EQ(exchange(c, a), NODE_DROP_NONE);
	drain(c);
	ASSERT_EQ(api_instances(c), 50);
	node_delete(a);
	node_delete(b);
	node_delete(c);
	keyring_delete(kr);
}

/* A node holds other members' large sets up to its total: past it a set
 * is refused, counted and not pulled for again. */
static void
test_large_sets_are_bounded_in_total(void)
{
	struct keyring *kr = ring_with(7);
	struct node *b = node_make("b", 2, kr, 2);
	struct node *c = node_make("c", 3, kr, 3);
	ASSERT_OK(offer(b, 50));
	ASSERT_OK(offer(c, 50));
	struct node_stats st;
	node_stats(b, &st);
	ASSERT_EQ(st.large_sets_held, 1);
	/* a holds room for one set of this size, not two. */
	struct node_config cfg = {
		.self = {.name = "a", .addr = {1, 7946}},
		.keyring = kr,
		.rand_seed = 1,
		.largesets_bytes_max = 3000,
	};
	swim_config_lan(&cfg.swim);
	struct node *a = node_new(&cfg, T0);
	ASSERT_NOT_NULL(a);
	const struct swim_addr at_b = {2, 7946}, at_a = {1, 7946};
	ASSERT_OK(node_join(a, T0, &at_b, 1));
	ASSERT_EQ(exchange(a, b), NODE_DROP_NONE);
	drain(a);
	ASSERT_EQ(api_instances(a), 50);
	ASSERT_OK(node_join(c, T0, &at_a, 1));
	ASSERT_EQ(exchange(c, a), NODE_DROP_NONE);
	drain(a);
	node_stats(a, &st);
	ASSERT_EQ(st.large_sets_held, 1);
	ASSERT(st.large_sets_refused >= 1);
	ASSERT_EQ(st.large_sets_missing, 0);
	ASSERT_EQ(api_instances(a), 50);
	ASSERT_OK(node_check(a, NULL));
	node_delete(a);
	node_delete(b);
	node_delete(c);
	keyring_delete(kr);
}

/* The plaintext of a stream of a plaintext node (malloc'd), or NULL. */
static uint8_t *
plain_of(const uint8_t *stream, size_t size, size_t *plain_size)
{
	struct stream_rx rx;
	struct stream_budget budget = {.max = SIZE_MAX};
	bool done = false;
	stream_rx_init(&rx, SIZE_MAX);
	uint8_t *copy = NULL;
	if (stream_rx_feed(&rx, &budget, stream, size, NULL, &done) == 0 &&
	    done) {
		const uint8_t *p = stream_rx_data(&rx, plain_size);
		copy = malloc(*plain_size);
		memcpy(copy, p, *plain_size);
	}
	stream_rx_destroy(&rx, &budget);
	return copy;
}

/* A plaintext node's stream of plain[0, size). */
static void
stream_of(const uint8_t *plain, size_t size, uint8_t **out, size_t *out_size)
{
	struct seal_nonce nonce = {{0}, 0, 0};
	if (stream_encode(out, out_size, plain, size, &nonce, NULL) != 0)
		*out = NULL;
}

/* A plaintext stream of a's state (a holds no large set, so its stream
 * is the bare state) followed by `tail`. */
static enum node_drop
state_then(struct node *a, struct node *b, const uint8_t *tail, size_t len)
{
	uint8_t *frame;
	size_t size;
	if (node_stream_encode(a, false, &frame, &size) != 0)
		return node_drop_MAX;
	size_t state_size, end;
	uint8_t *state = plain_of(frame, size, &state_size);
	uint8_t *bytes = malloc(state_size + len);
	memcpy(bytes, state, state_size);
	if (len > 0)
		memcpy(bytes + state_size, tail, len);
	uint8_t *out;
	size_t out_size;
	stream_of(bytes, state_size + len, &out, &out_size);
	const struct swim_addr from = {1, 1};
	enum node_drop drop = node_drop_MAX;
	if (out != NULL &&
	    mpscan_value_end(state, state_size, UINT64_MAX, UINT64_MAX,
			     &end) == MPSCAN_OK &&
	    end == state_size)
		drop = node_stream_handle(b, T0, &from, out, out_size);
	free(frame);
	free(state);
	free(bytes);
	free(out);
	return drop;
}

static void
test_a_malformed_sets_attachment_drops_the_frame(void)
{
	struct node *a = node_make("a", 1, NULL, 1);
	struct node *b = node_make("b", 2, NULL, 2);
	struct node *c = node_make("c", 3, NULL, 3);
	ASSERT_OK(offer(c, 50));
	const uint8_t none[] = {0x90};      /* [] */
	const uint8_t not_array[] = {0x01}; /* 1 */
	const uint8_t short_entry[] = {0x91, 0x91, 0xa1, 'c'};
	const uint8_t three[] = {0x91, 0x93, 0xa1, 'c', 0x01, 0xc4, 0x00};
	const uint8_t nul_name[] = {0x91, 0x92, 0xa3, 'c', 0, 'x', 0xc4, 0x00};
	const uint8_t truncated[] = {0x91, 0x92, 0xa1};
	ASSERT_EQ(state_then(a, b, none, 0), NODE_DROP_NONE);
	ASSERT_EQ(state_then(a, b, none, sizeof(none)), NODE_DROP_NONE);
	ASSERT_EQ(state_then(a, b, not_array, sizeof(not_array)),
		  NODE_DROP_SERVICES);
	ASSERT_EQ(state_then(a, b, short_entry, sizeof(short_entry)),
		  NODE_DROP_SERVICES);
	ASSERT_EQ(state_then(a, b, three, sizeof(three)), NODE_DROP_SERVICES);
	ASSERT_EQ(state_then(a, b, nul_name, sizeof(nul_name)),
		  NODE_DROP_SERVICES);
	ASSERT_EQ(state_then(a, b, truncated, sizeof(truncated)),
		  NODE_DROP_SERVICES);
	struct node_stats st;
	node_stats(b, &st);
	ASSERT_EQ(st.drop_count[NODE_DROP_SERVICES], 5);

	/* b learns c's stub; a well-formed set that is not the one the
	 * stub names (an empty set) is ignored and c's stays wanted. */
	uint8_t *frame;
	size_t size, plain_size;
	ASSERT_OK(node_stream_encode(c, false, &frame, &size));
	uint8_t *fr = plain_of(frame, size, &plain_size);
	ASSERT(fr != NULL);
	size_t end;
	ASSERT_EQ(mpscan_value_end(fr, plain_size, UINT64_MAX, UINT64_MAX,
				   &end), MPSCAN_OK);
	ASSERT(end < plain_size); /* c's frame carries its set */
	ASSERT_EQ(state_then(c, b, NULL, 0), node_drop_MAX); /* not bare */
	const uint8_t wrong[] = {0x91, 0x92, 0xa1, 'c', 0xc4, 0x05,
				 0x82, 0x01, 0x01, 0x02, 0x90};
	uint8_t *plain = malloc(end + sizeof(wrong));
	memcpy(plain, fr, end);
	memcpy(plain + end, wrong, sizeof(wrong));
	uint8_t *mixed;
	size_t mixed_size;
	stream_of(plain, end + sizeof(wrong), &mixed, &mixed_size);
	ASSERT(mixed != NULL);
	const struct swim_addr from = {3, 7946};
	ASSERT_EQ(node_stream_handle(b, T0, &from, mixed, mixed_size),
		  NODE_DROP_NONE);
	drain(b);
	node_stats(b, &st);
	ASSERT_EQ(st.large_sets_held, 0);
	ASSERT_EQ(st.large_sets_missing, 1);
	ASSERT_EQ(st.bad_service_sets, 0);
	ASSERT_EQ(api_instances(b), 0);
	/* The frame as c sends it: taken. */
	ASSERT_EQ(node_stream_handle(b, T0, &from, frame, size),
		  NODE_DROP_NONE);
	drain(b);
	node_stats(b, &st);
	ASSERT_EQ(st.large_sets_held, 1);
	ASSERT_EQ(st.large_sets_missing, 0);
	ASSERT_EQ(api_instances(b), 50);
	free(frame);
	free(fr);
	free(mixed);
	free(plain);
	node_delete(a);
	node_delete(b);
	node_delete(c);
}

static void
test_the_registry_is_current_before_events_are_drained(void)
{
	struct node *a = node_make("a", 1, NULL, 1);
	struct node *b = node_make("b", 2, NULL, 2);
	struct service web = {.id = "web", .name = "web", .port = 80};
	const struct service *list[] = {&web};
	ASSERT_OK(node_set_services(b, T0, list, 1, NULL));
	const struct swim_addr at_b = {2, 7946};
	ASSERT_OK(node_join(a, T0, &at_b, 1));
	ASSERT_EQ(exchange(a, b), NODE_DROP_NONE);
	/* Nothing drained yet: a's registry already has b's service, at
	 * b's host since it has no address of its own. */
	struct registry_query q = {.name = "web"};
	struct registry_instance in;
	ASSERT_EQ(registry_lookup(node_registry(a), &q, &in, 1), 1);
	ASSERT_STR_EQ(in.node, "b");
	ASSERT_STR_EQ(in.address, "0.0.0.2");
	struct registry_event rev;
	ASSERT(registry_poll_event(node_registry(a), &rev));
	ASSERT_EQ(rev.type, REGISTRY_EVENT_ADDED);
	ASSERT_STR_EQ(rev.address, "0.0.0.2");
	/* The events wait for the driver, in order, b's among them. */
	struct swim_event ev;
	bool saw_b = false;
	while (node_poll_event(a, &ev))
		saw_b = saw_b || strcmp(ev.name, "b") == 0;
	ASSERT(saw_b);
	ASSERT(!node_poll_event(a, &ev));
	struct node_stats st;
	node_stats(a, &st);
	ASSERT_EQ(st.events_dropped, 0);
	ASSERT_EQ(st.registry_resyncs, 0);
	node_delete(a);
	node_delete(b);
}

static void
test_a_restore_brings_the_members_services(void)
{
	struct node *a = node_make("a", 1, NULL, 1);
	ASSERT_NOT_NULL(a);
	struct service web = {.id = "web", .name = "web", .port = 80};
	const struct service *list[] = {&web};
	uint8_t *meta;
	size_t meta_size;
	ASSERT_OK(service_set_encode(3, list, 1, &meta, &meta_size));
	const struct swim_self members[] = {
		{.name = "b", .addr = {2, 7946}, .incarnation = 3,
		 .meta = meta, .meta_size = meta_size},
		{.name = "c", .addr = {3, 7946}},
	};
	ASSERT_OK(node_restore(a, T0, members, 2));
	free(meta);
	/* A restore is silent (no events), yet the registry has b's
	 * service, at b's host. */
	struct swim_event ev;
	ASSERT(!node_poll_event(a, &ev));
	struct registry_query q = {.name = "web"};
	struct registry_instance in;
	ASSERT_EQ(registry_lookup(node_registry(a), &q, &in, 1), 1);
	ASSERT_STR_EQ(in.node, "b");
	ASSERT_STR_EQ(in.address, "0.0.0.2");
	const char *why = NULL;
	if (node_check(a, &why) != 0)
		fprintf(stderr, "  %s\n", why);
	ASSERT_OK(node_check(a, NULL));
	node_delete(a);
}

static void
test_empty_keyring_is_refused(void)
{
	struct keyring *kr = keyring_new();
	ASSERT_NULL(node_make("a", 1, kr, 1));
	keyring_delete(kr);
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	RUN(test_sealed_push_pull_joins_two_nodes);
	RUN(test_sealed_datagrams_fit_the_mtu_and_open_at_the_peer);
	RUN(test_other_key_plaintext_and_tampering_are_dropped_by_reason);
	RUN(test_oversized_and_empty_frames_are_dropped);
	RUN(test_empty_keyring_is_refused);
	RUN(test_a_large_set_rides_in_the_push_pull_and_is_served_onward);
	RUN(test_large_sets_are_bounded_in_total);
	RUN(test_a_malformed_sets_attachment_drops_the_frame);
	RUN(test_the_registry_is_current_before_events_are_drained);
	RUN(test_a_restore_brings_the_members_services);
	return TEST_SUMMARY();
}
