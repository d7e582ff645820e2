/*
 * sim_queue: the discrete-event queue, a binary min-heap of events ordered
 * by (time_ms, seq). seq is assigned at push and grows forever, so events
 * due at the same millisecond run in the order they were scheduled (fakeev
 * event_id, libuv start_id): the run is a pure function of the seed.
 */
#ifndef RUMOR_SIM_QUEUE_H
#define RUMOR_SIM_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sim_ev_type {
	SIM_EV_TIMER = 0,	/* a node's one timer */
	SIM_EV_DATAGRAM,	/* a datagram arrives at `to` */
	SIM_EV_STREAM_REQ,	/* a push-pull request arrives at `to` */
	SIM_EV_STREAM_REPLY,	/* the answer arrives back at `to` */
	SIM_EV_START,		/* initial start of node `to` */
	SIM_EV_RESUME,		/* a paused node `to` resumes */
	SIM_EV_ACTION,		/* scheduled scenario action number `to` */
	SIM_EV_SAMPLE,		/* per-second metrics sample */
};

/** One scheduled event. data is malloc'd and owned by the event. */
struct sim_ev {
	uint64_t time_ms;
	uint64_t seq;
	uint8_t *data;
	uint32_t size;
	uint32_t to;
	uint32_t from;
	/** Generation of `to` the event belongs to (timers, replies). */
	uint32_t gen;
	uint8_t type;
	/** Stream requests: the join flag. */
	bool join;
};

struct sim_queue {
	struct sim_ev *items;
	size_t count;
	size_t cap;
	uint64_t next_seq;
};

void
sim_queue_create(struct sim_queue *q);

/** Free the heap and every pending event's data. */
void
sim_queue_destroy(struct sim_queue *q);

/** Copy ev in with a fresh seq. 0, or -1 on out-of-memory (ev->data is
 *  then still the caller's). */
int
sim_queue_push(struct sim_queue *q, const struct sim_ev *ev);

/** Move the earliest event into *out; false when empty. */
bool
sim_queue_pop(struct sim_queue *q, struct sim_ev *out);

/** Time of the earliest event, UINT64_MAX when empty. */
uint64_t
sim_queue_peek_ms(const struct sim_queue *q);

#endif /* RUMOR_SIM_QUEUE_H */
