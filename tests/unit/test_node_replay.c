/*
 * Replay protection (membership/node_replay.c and its use in node.c): the
 * window of each sender life, the clock and the floor, the table's bounds;
 * then real nodes: a datagram or a push-pull stream recorded on the wire
 * and sent again is dropped and counted, whether a moment or an hour
 * later, at its receiver, at another node or at its receiver's next life;
 * and the attack that found it: a dead member's recorded acks replayed
 * every 100 ms to the two others do not keep it alive.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "membership/node.h"
#include "membership/node_replay.h"
#include "rumor/error.h"
#include "test.h"

#define T0 1700000000000ull
#define SKEW NODE_REPLAY_SKEW_MS

/* ---- the table ------------------------------------------------------- */

static struct seal_stamp
stamp(uint64_t life, uint64_t ms, uint64_t counter)
{
	return (struct seal_stamp){.life = life, .time_ms = ms,
				   .counter = counter};
}

/* Check, and take when fresh, as node.c does; a broken table after it
 * is a verdict of its own (no such verdict, so every ASSERT_EQ fails). */
static int
admit(struct node_replay *r, struct seal_stamp s, uint64_t now)
{
	enum node_replay_verdict v = node__replay_check(r, &s, now);
	if (v == NODE_REPLAY_FRESH)
		node__replay_take(r, &s, now);
	return node__replay_check_table(r) == NULL ? (int)v : -1;
}

static void
test_a_frame_is_taken_once_and_the_window_holds_256_places(void)
{
	struct node_replay r;
	ASSERT_OK(node__replay_create(&r, NULL, 99, SKEW, T0));
	ASSERT_EQ(admit(&r, stamp(1, T0, 10), T0), NODE_REPLAY_FRESH);
	ASSERT_EQ(admit(&r, stamp(1, T0, 10), T0), NODE_REPLAY_SEEN);
	/* Out of order within the window: each once. */
	ASSERT_EQ(admit(&r, stamp(1, T0, 300), T0), NODE_REPLAY_FRESH);
	ASSERT_EQ(admit(&r, stamp(1, T0, 100), T0), NODE_REPLAY_FRESH);
	ASSERT_EQ(admit(&r, stamp(1, T0, 100), T0), NODE_REPLAY_SEEN);
	/* 300 - 255 = 45 is the window's last place; 44 is below it:
	 * refused though never taken, and so is 10. */
	ASSERT_EQ(admit(&r, stamp(1, T0, 45), T0), NODE_REPLAY_FRESH);
	ASSERT_EQ(admit(&r, stamp(1, T0, 44), T0), NODE_REPLAY_SEEN);
	ASSERT_EQ(admit(&r, stamp(1, T0, 10), T0), NODE_REPLAY_SEEN);
	/* Slides across the words keep every bit: up by 65, then by 130. */
	ASSERT_EQ(admit(&r, stamp(1, T0, 365), T0), NODE_REPLAY_FRESH);
	ASSERT_EQ(admit(&r, stamp(1, T0, 300), T0), NODE_REPLAY_SEEN);
	ASSERT_EQ(admit(&r, stamp(1, T0, 110), T0), NODE_REPLAY_FRESH);
	ASSERT_EQ(admit(&r, stamp(1, T0, 109), T0), NODE_REPLAY_SEEN);
	ASSERT_EQ(admit(&r, stamp(1, T0, 495), T0), NODE_REPLAY_FRESH);
	ASSERT_EQ(admit(&r, stamp(1, T0, 365), T0), NODE_REPLAY_SEEN);
	ASSERT_EQ(admit(&r, stamp(1, T0, 300), T0), NODE_REPLAY_SEEN);
	ASSERT_EQ(admit(&r, stamp(1, T0, 301), T0), NODE_REPLAY_FRESH);
	ASSERT_EQ(admit(&r, stamp(1, T0, 240), T0), NODE_REPLAY_FRESH);
	ASSERT_EQ(admit(&r, stamp(1, T0, 239), T0), NODE_REPLAY_SEEN);
	/* A jump past the window clears it. */
	ASSERT_EQ(admit(&r, stamp(1, T0, 10000), T0), NODE_REPLAY_FRESH);
	ASSERT_EQ(admit(&r, stamp(1, T0, 9999), T0), NODE_REPLAY_FRESH);
	ASSERT_EQ(admit(&r, stamp(1, T0, 9745), T0), NODE_REPLAY_FRESH);
	ASSERT_EQ(admit(&r, stamp(1, T0, 495), T0), NODE_REPLAY_SEEN);
	/* Another life has its own places. */
	ASSERT_EQ(admit(&r, stamp(2, T0, 10), T0), NODE_REPLAY_FRESH);
	ASSERT_EQ(r.count, 2);
	node__replay_destroy(&r);
}

static void
test_the_clock_and_the_floor_refuse_what_the_table_forgot(void)
{
	struct node_replay r;
	ASSERT_OK(node__replay_create(&r, NULL, 99, SKEW, T0));
	/* Sent to our previous life (before our start, less the slack). */
	ASSERT_EQ(admit(&r, stamp(1, T0 - 2000, 0), T0), NODE_REPLAY_STALE);
	ASSERT_EQ(admit(&r, stamp(1, T0 - 500, 0), T0), NODE_REPLAY_FRESH);
	/* Too far ahead: a sender's clock is off. */
	ASSERT_EQ(admit(&r, stamp(3, T0 + SKEW + 1, 0), T0),
		  NODE_REPLAY_AHEAD);
	ASSERT_EQ(admit(&r, stamp(3, T0 + SKEW, 0), T0), NODE_REPLAY_FRESH);
	/* An hour later the life is forgotten by the sweep, and its frames
	 * are refused by the clock. */
	uint64_t later = T0 + 3600 * 1000;
	node__replay_sweep(&r, later);
	ASSERT_EQ(r.count, 0);
	ASSERT_EQ(admit(&r, stamp(1, T0 - 500, 0), later), NODE_REPLAY_STALE);
	ASSERT_EQ(admit(&r, stamp(1, T0 - 500, 1), later), NODE_REPLAY_STALE);
	ASSERT_EQ(admit(&r, stamp(1, later, 2), later), NODE_REPLAY_FRESH);
	node__replay_destroy(&r);
}

static void
test_a_full_table_forgets_the_quietest_life_and_raises_the_floor(void)
{
	struct node_replay r;
	ASSERT_OK(node__replay_create(&r, NULL, 7, SKEW, T0));
	/* Lives invented by the thousand within one skew: the table stops
	 * at NODE_REPLAY_LIVES_MAX, each life beyond evicts the quietest. */
	size_t n = NODE_REPLAY_LIVES_MAX + 100;
	for (size_t i = 0; i < n; i++) {
		uint64_t ms = T0 + i / 16;
		struct seal_stamp s = stamp(1000 + i, ms, 0);
		ASSERT_EQ(node__replay_check(&r, &s, T0 + n / 16),
			  NODE_REPLAY_FRESH);
		node__replay_take(&r, &s, T0 + n / 16);
	}
	ASSERT_NULL(node__replay_check_table(&r));
	ASSERT_LE(r.count, NODE_REPLAY_LIVES_MAX);
	ASSERT_EQ(r.peak, r.count);
	ASSERT(r.evictions >= 100);
	/* The first lives were forgotten, yet their frames stay refused:
	 * the floor rose past them. */
	ASSERT_EQ(admit(&r, stamp(1000, T0, 0), T0 + n / 16),
		  NODE_REPLAY_STALE);
	ASSERT(r.floor_ms > T0);
	/* Memory: 56 bytes a life in a table at most twice as large. */
	ASSERT_EQ(sizeof(struct node_replay_life), 56);
	ASSERT_LE(r.cap, 2 * (size_t)NODE_REPLAY_LIVES_MAX);
	/* Once the skew passed they are stale, and the sweep shrinks the
	 * table to its start. */
	node__replay_sweep(&r, T0 + n / 16 + SKEW + 1000);
	ASSERT_EQ(r.count, 0);
	ASSERT_EQ(r.cap, NODE_REPLAY_SLOTS_MIN);
	node__replay_destroy(&r);
}

/* ---- nodes on a recorded network --------------------------------------- */

#define NODES 4

struct wire {
	size_t from, to;
	size_t size;
	uint8_t data[NODE_DATAGRAM_MAX];
};

struct lab {
	struct keyring *kr;
	struct node *n[NODES];
	struct swim_addr addr[NODES];
	bool down[NODES];
	size_t count;
	uint64_t now;
	/* Every datagram delivered, in order. */
	struct wire *tape;
	size_t taped, tape_cap;
	/* Replay every 100 ms what `replay_from` sent, to the others. */
	bool replaying;
	size_t replay_from;
	uint64_t replay_at;
	uint64_t replayed, replay_accepted;
};

static struct node *
lab_node(struct lab *lab, size_t i, uint64_t seed)
{
	char name[8];
	snprintf(name, sizeof(name), "n%zu", i);
	struct node_config cfg = {
		.self = {.name = name, .addr = lab->addr[i]},
		.keyring = lab->kr,
		.rand_seed = seed,
	};
	swim_config_lan(&cfg.swim);
	memset(cfg.nonce_prefix, (int)seed, sizeof(cfg.nonce_prefix));
	return node_new(&cfg, lab->now);
}

static void
lab_init(struct lab *lab, size_t count)
{
	*lab = (struct lab){.count = count, .now = T0};
	uint8_t key[KEYRING_KEY_SIZE];
	memset(key, 0x5a, sizeof(key));
	lab->kr = keyring_new();
	ASSERT_OK(keyring_add(lab->kr, key));
	for (size_t i = 0; i < count; i++) {
		lab->addr[i] = (struct swim_addr){0x7f000001, 7000 + (uint16_t)i};
		lab->n[i] = lab_node(lab, i, 1 + i);
		ASSERT_NOT_NULL(lab->n[i]);
	}
}

static void
lab_free(struct lab *lab)
{
	for (size_t i = 0; i < lab->count; i++)
		node_delete(lab->n[i]);
	keyring_delete(lab->kr);
	free(lab->tape);
}

static int
lab_index(const struct lab *lab, const struct swim_addr *a)
{
	for (size_t i = 0; i < lab->count; i++) {
		if (lab->addr[i].ip == a->ip && lab->addr[i].port == a->port)
			return (int)i;
	}
	return -1;
}

static void
lab_tape(struct lab *lab, size_t from, size_t to, const struct node_datagram *dg)
{
	if (lab->taped == lab->tape_cap) {
		lab->tape_cap = lab->tape_cap ? 2 * lab->tape_cap : 256;
		lab->tape = realloc(lab->tape, lab->tape_cap * sizeof(*lab->tape));
		ASSERT_NOT_NULL(lab->tape);
	}
	struct wire *w = &lab->tape[lab->taped++];
	*w = (struct wire){.from = from, .to = to, .size = dg->size};
	memcpy(w->data, dg->data, dg->size);
}

/* A push-pull from i to the member it asked for, both ways. */
static void
lab_exchange(struct lab *lab, size_t i, const struct swim_stream_req *req)
{
	int j = lab_index(lab, &req->to);
	if (j < 0 || lab->down[j])
		return;
	uint8_t *frame;
	size_t size;
	if (node_stream_encode(lab->n[i], req->join, &frame, &size) != 0)
		return;
	(void)node_stream_handle(lab->n[j], lab->now, &lab->addr[i], frame,
				 size);
	free(frame);
	if (node_stream_encode(lab->n[j], false, &frame, &size) != 0)
		return;
	(void)node_stream_handle(lab->n[i], lab->now, &lab->addr[j], frame,
				 size);
	free(frame);
}

static void
lab_flush(struct lab *lab)
{
	bool any = true;
	while (any) {
		any = false;
		for (size_t i = 0; i < lab->count; i++) {
			struct node_datagram dg;
			struct swim_stream_req req;
			struct swim_event ev;
			while (node_poll_datagram(lab->n[i], &dg)) {
				any = true;
				int j = lab_index(lab, &dg.to);
				if (j < 0 || lab->down[i] || lab->down[j])
					continue;
				lab_tape(lab, i, (size_t)j, &dg);
				(void)node_handle_datagram(lab->n[j], lab->now,
							   &lab->addr[i],
							   dg.data, dg.size);
			}
			while (node_poll_stream(lab->n[i], &req)) {
				any = true;
				if (!lab->down[i])
					lab_exchange(lab, i, &req);
			}
			while (node_poll_event(lab->n[i], &ev))
				;
		}
	}
}

/* Send again every datagram `from` ever sent, each to every live node
 * but its sender (to its receiver and to the others). */
static void
lab_replay(struct lab *lab)
{
	size_t taped = lab->taped;
	for (size_t k = 0; k < taped; k++) {
		const struct wire *w = &lab->tape[k];
		if (w->from != lab->replay_from)
			continue;
		for (size_t j = 0; j < lab->count; j++) {
			if (j == w->from || lab->down[j])
				continue;
			lab->replayed++;
			lab->replay_accepted +=
				node_handle_datagram(lab->n[j], lab->now,
						     &lab->addr[w->from],
						     w->data, w->size) ==
				NODE_DROP_NONE;
		}
	}
}

static void
lab_run(struct lab *lab, uint64_t duration_ms)
{
	uint64_t end = lab->now + duration_ms;
	lab_flush(lab);
	for (;;) {
		uint64_t next = lab->replaying ? lab->replay_at : UINT64_MAX;
		for (size_t i = 0; i < lab->count; i++) {
			uint64_t d = node_next_deadline_ms(lab->n[i]);
			if (!lab->down[i] && d < next)
				next = d;
		}
		if (next > end)
			break;
		lab->now = next;
		for (size_t i = 0; i < lab->count; i++) {
			if (!lab->down[i] &&
			    node_next_deadline_ms(lab->n[i]) <= lab->now)
				node_handle_timeout(lab->n[i], lab->now);
		}
		if (lab->replaying && lab->now >= lab->replay_at) {
			lab_replay(lab);
			lab->replay_at = lab->now + 100;
		}
		lab_flush(lab);
		for (size_t i = 0; i < lab->count; i++)
			ASSERT_OK(node_check(lab->n[i], NULL));
	}
	lab->now = end;
}

static void
lab_join_all(struct lab *lab)
{
	for (size_t i = 1; i < lab->count; i++)
		ASSERT_OK(node_join(lab->n[i], lab->now, &lab->addr[0], 1));
	lab_run(lab, 10000);
	for (size_t i = 0; i < lab->count; i++)
		ASSERT_EQ(swim_member_count(node_swim(lab->n[i])), lab->count);
}

static enum swim_status
lab_status(const struct lab *lab, size_t observer, size_t subject)
{
	char name[8];
	snprintf(name, sizeof(name), "n%zu", subject);
	struct swim_member_info info;
	if (swim_member_find(node_swim(lab->n[observer]), name, &info) != 0)
		return swim_status_MAX;
	return info.status;
}

static uint64_t
drops(const struct node *n, enum node_drop why)
{
	struct node_stats st;
	node_stats(n, &st);
	return st.drop_count[why];
}

/* The first datagram on the tape from `from` to `to`. */
static const struct wire *
taped(const struct lab *lab, size_t from, size_t to)
{
	for (size_t k = 0; k < lab->taped; k++) {
		if (lab->tape[k].from == from && lab->tape[k].to == to)
			return &lab->tape[k];
	}
	return NULL;
}

static void
test_a_recorded_datagram_is_refused_by_every_rule(void)
{
	struct lab lab;
	lab_init(&lab, 3);
	lab_join_all(&lab);
	const struct wire *taken = taped(&lab, 1, 0);
	ASSERT_NOT_NULL(taken);
	/* A copy: lab_run below grows (reallocates) the tape. */
	struct wire recorded = *taken;
	const struct wire *w = &recorded;
	struct node *n0 = lab.n[0], *n2 = lab.n[2];
	/* At its receiver, a moment later: taken before. */
	ASSERT_EQ(node_handle_datagram(n0, lab.now, &lab.addr[1], w->data,
				       w->size),
		  NODE_DROP_REPLAYED);
	/* At another node: sealed for n0, it does not open there. */
	ASSERT_EQ(node_handle_datagram(n2, lab.now, &lab.addr[1], w->data,
				       w->size),
		  NODE_DROP_AUTH);
	/* An hour later, when n0 forgot n1's life: too old. */
	lab_run(&lab, 3600 * 1000);
	ASSERT_EQ(node_handle_datagram(n0, lab.now, &lab.addr[1], w->data,
				       w->size),
		  NODE_DROP_STALE);
	/* At n0's next life (a restart, two seconds later): sent to the
	 * previous one, whatever its age. */
	const struct wire *fresh = &lab.tape[lab.taped - 1];
	while (fresh > lab.tape && !(fresh->from != 0 && fresh->to == 0))
		fresh--;
	ASSERT_EQ(fresh->to, 0);
	struct wire copy = *fresh;
	node_delete(lab.n[0]);
	lab.now += 2000;
	lab.n[0] = lab_node(&lab, 0, 77);
	ASSERT_EQ(node_handle_datagram(lab.n[0], lab.now,
				       &lab.addr[copy.from], copy.data,
				       copy.size),
		  NODE_DROP_STALE);
	/* Every refusal was counted under its reason. */
	ASSERT_EQ(drops(n2, NODE_DROP_AUTH), 1);
	ASSERT_EQ(drops(lab.n[0], NODE_DROP_STALE), 1);
	lab_free(&lab);
}

static void
test_a_sender_whose_clock_runs_ahead_is_refused_by_the_clock(void)
{
	struct lab lab;
	lab_init(&lab, 2);
	/* n1's wall clock is a minute ahead: its frames are refused. */
	node_set_wall_clock(lab.n[1], lab.now, lab.now + 60000);
	ASSERT_OK(node_join(lab.n[1], lab.now, &lab.addr[0], 1));
	lab_run(&lab, 5000);
	ASSERT_EQ(swim_member_count(node_swim(lab.n[0])), 1);
	ASSERT(drops(lab.n[0], NODE_DROP_CLOCK) > 0);
	/* Within the skew, they talk. */
	node_set_wall_clock(lab.n[1], lab.now, lab.now + SKEW - 1000);
	lab_run(&lab, 10000);
	ASSERT_EQ(swim_member_count(node_swim(lab.n[0])), 2);
	lab_free(&lab);
}

static void
test_a_recorded_push_pull_stream_changes_nothing(void)
{
	struct lab lab;
	lab_init(&lab, 2);
	ASSERT_OK(node_join(lab.n[1], lab.now, &lab.addr[0], 1));
	uint8_t *frame;
	size_t size;
	ASSERT_OK(node_stream_encode(lab.n[1], true, &frame, &size));
	ASSERT_EQ(node_stream_handle(lab.n[0], lab.now, &lab.addr[1], frame,
				     size),
		  NODE_DROP_NONE);
	ASSERT_EQ(swim_member_count(node_swim(lab.n[0])), 2);
	/* Sent again: refused before it is applied, a moment or a minute
	 * later, and no answer is due. */
	ASSERT_EQ(node_stream_handle(lab.n[0], lab.now, &lab.addr[1], frame,
				     size),
		  NODE_DROP_REPLAYED);
	lab_run(&lab, 60000);
	ASSERT_EQ(node_stream_handle(lab.n[0], lab.now, &lab.addr[1], frame,
				     size),
		  NODE_DROP_STALE);
	free(frame);
	lab_free(&lab);
}

/* The attack of issue 14: n3 dies; every datagram it ever sent (acks
 * among them) is replayed every 100 ms to the other three for 45 s.
 * Returns when (ms after the crash) every live node held n3 failed, or
 * UINT64_MAX (never), or UINT64_MAX - 1 (it came back). */
static uint64_t
fail_time(bool replay, uint64_t *replayed, uint64_t *accepted,
	  uint64_t *refused_out)
{
	struct lab lab;
	lab_init(&lab, 4);
	lab_join_all(&lab);
	lab_run(&lab, 20000);
	uint64_t crash = lab.now;
	lab.down[3] = true;
	lab.replaying = replay;
	lab.replay_from = 3;
	lab.replay_at = lab.now;
	uint64_t failed_at = UINT64_MAX;
	while (lab.now < crash + 45000) {
		lab_run(&lab, 100);
		bool all = true;
		for (size_t i = 0; i < 3; i++)
			all = all &&
			      lab_status(&lab, i, 3) == SWIM_STATUS_FAILED;
		if (all && failed_at == UINT64_MAX)
			failed_at = lab.now - crash;
		/* And it stays failed for the whole replay. */
		if (!all && failed_at != UINT64_MAX)
			failed_at = UINT64_MAX - 1;
	}
	*replayed = lab.replayed;
	*accepted = lab.replay_accepted;
	uint64_t refused = 0;
	for (size_t i = 0; i < 3; i++)
		refused += drops(lab.n[i], NODE_DROP_REPLAYED) +
			   drops(lab.n[i], NODE_DROP_STALE) +
			   drops(lab.n[i], NODE_DROP_AUTH);
	*refused_out = refused;
	lab_free(&lab);
	return failed_at;
}

static void
test_replayed_acks_do_not_hide_a_dead_member(void)
{
	uint64_t replayed = 0, accepted = 0, refused = 0;
	uint64_t quiet = fail_time(false, &replayed, &accepted, &refused);
	uint64_t attacked = fail_time(true, &replayed, &accepted, &refused);
	fprintf(stderr, "  failed after %llu ms quiet, %llu ms under replay "
		"(%llu datagrams replayed, %llu taken)\n",
		(unsigned long long)quiet, (unsigned long long)attacked,
		(unsigned long long)replayed, (unsigned long long)accepted);
	ASSERT(quiet < 15000);
	ASSERT(replayed > 10000);
	ASSERT_EQ(accepted, 0);
	ASSERT_EQ(refused, replayed);
	/* The same verdict at the same time: the replays change nothing. */
	ASSERT_EQ(attacked, quiet);
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	RUN(test_a_frame_is_taken_once_and_the_window_holds_256_places);
	RUN(test_the_clock_and_the_floor_refuse_what_the_table_forgot);
	RUN(test_a_full_table_forgets_the_quietest_life_and_raises_the_floor);
	RUN(test_a_recorded_datagram_is_refused_by_every_rule);
	RUN(test_a_sender_whose_clock_runs_ahead_is_refused_by_the_clock);
	RUN(test_a_recorded_push_pull_stream_changes_nothing);
	RUN(test_replayed_acks_do_not_hide_a_dead_member);
	return TEST_SUMMARY();
}
