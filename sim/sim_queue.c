/*
 * sim_queue: an array-backed binary heap. Events are small (pointers to
 * their payload), so sifting copies little; the heap grows by doubling and
 * never shrinks during a run.
 */
#include <stdlib.h>

#include "sim_queue.h"

void
sim_queue_create(struct sim_queue *q)
{
	*q = (struct sim_queue){.next_seq = 1};
}

void
sim_queue_destroy(struct sim_queue *q)
{
	for (size_t i = 0; i < q->count; i++)
		free(q->items[i].data);
	free(q->items);
	*q = (struct sim_queue){0};
}

static bool
before(const struct sim_ev *a, const struct sim_ev *b)
{
	if (a->time_ms != b->time_ms)
		return a->time_ms < b->time_ms;
	return a->seq < b->seq;
}

int
sim_queue_push(struct sim_queue *q, const struct sim_ev *ev)
{
	if (q->count == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 1024;
		struct sim_ev *items = realloc(q->items, cap * sizeof(*items));
		if (items == NULL)
			return -1;
		q->items = items;
		q->cap = cap;
	}
	struct sim_ev e = *ev;
	e.seq = q->next_seq++;
	size_t i = q->count++;
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!before(&e, &q->items[parent]))
			break;
		q->items[i] = q->items[parent];
		i = parent;
	}
	q->items[i] = e;
	return 0;
}

bool
sim_queue_pop(struct sim_queue *q, struct sim_ev *out)
{
	if (q->count == 0)
		return false;
	*out = q->items[0];
	struct sim_ev last = q->items[--q->count];
	size_t i = 0;
	for (;;) {
		size_t child = 2 * i + 1;
		if (child >= q->count)
			break;
		if (child + 1 < q->count &&
		    before(&q->items[child + 1], &q->items[child]))
			child++;
		if (!before(&q->items[child], &last))
			break;
		q->items[i] = q->items[child];
		i = child;
	}
	if (q->count > 0)
		q->items[i] = last;
	return true;
}

uint64_t
sim_queue_peek_ms(const struct sim_queue *q)
{
	return q->count ? q->items[0].time_ms : UINT64_MAX;
}
