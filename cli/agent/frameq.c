/*
 * frameq: a slow reader's frames (see frameq.h).
 */
#include <stdlib.h>
#include <string.h>

#include "cli/ipc/ipc_proto.h"
#include "frameq.h"

/* The first allocation. */
#define FRAMEQ_CAP_MIN 4096

size_t
frameq_allocated(const struct frameq *q)
{
	return q->cap + q->out_cap;
}

bool
frameq_push(struct frameq *q, const uint8_t *frame, size_t size,
	    size_t limit)
{
	if (q->off > 0) { /* what went out makes room at the front */
		memmove(q->buf, q->buf + q->off, q->size - q->off);
		q->size -= q->off;
		q->off = 0;
	}
	size_t need = q->size + size;
	if (need > q->cap) {
		size_t cap = q->cap != 0 ? q->cap : FRAMEQ_CAP_MIN;
		while (cap < need)
			cap *= 2;
		size_t room = limit > q->out_cap ? limit - q->out_cap : 0;
		if (cap > room)
			cap = room;
		if (cap < need)
			return false;
		uint8_t *grown = realloc(q->buf, cap);
		if (grown == NULL)
			return false;
		q->buf = grown;
		q->cap = cap;
	}
	memcpy(q->buf + q->size, frame, size);
	q->size += size;
	return true;
}

size_t
frameq_piece(const struct frameq *q, size_t max)
{
	const uint8_t *p = q->buf + q->off;
	size_t avail = q->size - q->off, n = 0;
	while (avail - n >= IPC_PREFIX) {
		size_t next = IPC_PREFIX + ipc_frame_len(p + n);
		if (next > avail - n || (n > 0 && n + next > max))
			break;
		n += next;
	}
	return n;
}

const uint8_t *
frameq_head(const struct frameq *q)
{
	return q->buf + q->off;
}

bool
frameq_stage(struct frameq *q, const uint8_t *data, size_t n)
{
	if (n > q->out_cap) {
		free(q->out);
		q->out = malloc(n);
		q->out_cap = q->out != NULL ? n : 0;
		if (q->out == NULL)
			return false;
	}
	memcpy(q->out, data, n);
	return true;
}

void
frameq_take(struct frameq *q, size_t n, size_t keep)
{
	q->off += n;
	if (q->off < q->size)
		return;
	q->off = q->size = 0;
	if (q->cap > keep) { /* a burst is over: give its memory back */
		free(q->buf);
		q->buf = NULL;
		q->cap = 0;
	}
}

void
frameq_clear(struct frameq *q)
{
	q->off = q->size = 0;
}

void
frameq_free(struct frameq *q)
{
	free(q->buf);
	free(q->out);
	*q = (struct frameq){0};
}
