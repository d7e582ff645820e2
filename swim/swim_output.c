/*
 * swim_output: everything the core wants done, queued for the driver to
 * drain after each input (datagrams, stream requests, events), in FIFOs of
 * fixed-size items; and the datagram builder every sender uses, which
 * piggybacks queued gossip on what it sends.
 *
 * Out of memory, a datagram or a stream request that cannot be queued is
 * lost, as the network may lose it, and the protocol recovers the same
 * way. An event cannot be lost: the driver's view (the registry, watchers)
 * follows the events alone. So a change the driver must hear of reserves
 * its event first (swim__event_reserve) and is not made without it.
 */
#include <string.h>

#include "internal.h"
#include "rumor/error.h"
#include "swim_broadcast.h"
#include "swim_output.h"
#include "swim_proto.h"

/* ---- FIFOs ------------------------------------------------------------ */

static void
fifo_create(struct swim_fifo *q, size_t item_size, size_t max)
{
	*q = (struct swim_fifo){.item_size = item_size, .max = max};
}

static void
fifo_destroy(struct swim_fifo *q, const struct swim_allocator *a)
{
	swim_mem_free(a, q->items);
	q->items = NULL;
}

/* Room for one more push without allocating (a full FIFO, at `max`,
 * drops its oldest item instead). 0 or RUMOR_ENOMEM, q unchanged then. */
static RUMOR_MUST_CHECK int
fifo_reserve(struct swim_fifo *q, const struct swim_allocator *a)
{
	if (q->count < q->cap || q->count == q->max)
		return 0;
	size_t cap = q->cap ? q->cap * 2 : 8;
	if (cap > q->max)
		cap = q->max;
	uint8_t *items = swim_mem_alloc(a, cap * q->item_size);
	if (items == NULL)
		return RUMOR_ENOMEM;
	for (size_t i = 0; i < q->count; i++)
		memcpy(items + i * q->item_size,
		       q->items + ((q->head + i) % q->cap) * q->item_size,
		       q->item_size);
	swim_mem_free(a, q->items);
	q->items = items;
	q->cap = cap;
	q->head = 0;
	return 0;
}

/* A slot at the tail; when full past `max`, the oldest item is dropped
 * (and counted) rather than failing the newest. NULL on OOM only. */
static RUMOR_MUST_CHECK void *
fifo_push(struct swim_fifo *q, const struct swim_allocator *a)
{
	if (fifo_reserve(q, a) != 0)
		return NULL;
	if (q->count == q->max) {
		q->head = (q->head + 1) % q->cap;
		q->count--;
		q->overflow_count++;
	}
	void *slot = q->items + ((q->head + q->count) % q->cap) * q->item_size;
	q->count++;
	return slot;
}

/* Undo the last push (a datagram that turned out empty). */
static void
fifo_unpush(struct swim_fifo *q)
{
	q->count--;
}

static bool
fifo_pop(struct swim_fifo *q, void *out)
{
	if (q->count == 0)
		return false;
	memcpy(out, q->items + q->head * q->item_size, q->item_size);
	q->head = (q->head + 1) % q->cap;
	q->count--;
	return true;
}

/* ---- outputs ---------------------------------------------------------- */

static RUMOR_MUST_CHECK void *
output_push(struct swim *swim, struct swim_fifo *q)
{
	return fifo_push(q, swim->cfg.allocator);
}

int
swim__event_reserve(struct swim *swim)
{
	return fifo_reserve(&swim->events, swim->cfg.allocator);
}

struct swim_datagram *
swim__send_begin(struct swim *swim, const struct swim_addr *to,
		 const char *to_name, size_t to_name_len,
		 struct swim_encoder *enc)
{
	struct swim_datagram *dg = output_push(swim, &swim->outbox);
	if (dg == NULL)
		return NULL;
	dg->to = *to;
	dg->to_name_len = to_name_len;
	memcpy(dg->to_name, to_name, to_name_len);
	dg->to_name[to_name_len] = '\0';
	const struct swim_member *self = swim->self;
	if (swim_encoder_begin(enc, dg->data, swim->cfg.datagram_size_max,
			       self->name, self->name_len) != 0) {
		fifo_unpush(&swim->outbox);
		return NULL;
	}
	return dg;
}

void
swim__send_cancel(struct swim *swim)
{
	fifo_unpush(&swim->outbox);
}

bool
swim__send_add_optional(struct swim_encoder *enc, const struct swim_msg *msg)
{
	return swim_encoder_add(enc, msg) == 0;
}

void
swim__send_finish(struct swim *swim, struct swim_datagram *dg,
		  struct swim_encoder *enc, bool piggyback)
{
	if (piggyback)
		swim__bcast_fill(swim, enc);
	if (enc->msg_count == 0) {
		fifo_unpush(&swim->outbox);
		return;
	}
	dg->size = swim_encoder_finish(enc);
	swim->stats.datagrams_sent++;
	swim->stats.bytes_sent += dg->size;
}

void
swim__emit_event(struct swim *swim, enum swim_event_type type,
		 const struct swim_member *m)
{
	struct swim_event *ev = output_push(swim, &swim->events);
	if (ev == NULL)
		return;
	ev->type = type;
	memcpy(ev->name, m->name, m->name_len + 1);
	ev->addr = swim__member_addr(m);
	ev->status = m->status;
	ev->incarnation = m->incarnation;
	ev->is_self = swim__member_is_self(swim, m);
}

void
swim__request_stream(struct swim *swim, const struct swim_addr *to,
		     bool join)
{
	struct swim_stream_req *req = output_push(swim, &swim->streams);
	if (req == NULL)
		return;
	req->to = *to;
	req->join = join;
}

bool
swim_poll_datagram(struct swim *swim, struct swim_datagram *out)
{
	return fifo_pop(&swim->outbox, out);
}

bool
swim_poll_stream(struct swim *swim, struct swim_stream_req *out)
{
	return fifo_pop(&swim->streams, out);
}

bool
swim_poll_event(struct swim *swim, struct swim_event *out)
{
	return fifo_pop(&swim->events, out);
}

void
swim__output_create(struct swim *swim)
{
	fifo_create(&swim->outbox, sizeof(struct swim_datagram),
		    SWIM_OUTBOX_MAX);
	fifo_create(&swim->events, sizeof(struct swim_event),
		    SWIM_EVENTS_MAX);
	fifo_create(&swim->streams, sizeof(struct swim_stream_req),
		    SWIM_STREAMS_MAX);
}

void
swim__output_destroy(struct swim *swim)
{
	fifo_destroy(&swim->outbox, swim->cfg.allocator);
	fifo_destroy(&swim->events, swim->cfg.allocator);
	fifo_destroy(&swim->streams, swim->cfg.allocator);
}
