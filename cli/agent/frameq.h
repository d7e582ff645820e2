/*
 * frameq: the frames waiting for one slow reader (a socket watcher), as
 * one byte queue of whole length-prefixed frames (cli/ipc framing) and
 * one buffer for the piece being written. What it costs is what it has
 * allocated, both buffers together, so a cap on it is a cap on memory
 * (a uv_write request and a copy per frame cost more than the frames).
 */
#ifndef RUMOR_FRAMEQ_H
#define RUMOR_FRAMEQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Zero it to start; frameq_free() at the end. */
struct frameq {
	/** Queued frames: buf[off, size) of cap allocated. */
	uint8_t *buf;
	size_t off;
	size_t size;
	size_t cap;
	/** The piece being written (frameq_stage), out_cap allocated. */
	uint8_t *out;
	size_t out_cap;
};

/** Bytes allocated, both buffers. */
size_t
frameq_allocated(const struct frameq *q);

/** Queue a whole frame; false (nothing queued) when the queue would
 *  have to grow past `limit` bytes allocated with the staged piece, or
 *  on out of memory. So frameq_allocated() stays within limit plus one
 *  staged piece (staged after the queue grew). */
bool
frameq_push(struct frameq *q, const uint8_t *frame, size_t size,
	    size_t limit);

/** The whole frames at the head that fit in max bytes (the first frame
 *  whatever its size): their bytes from frameq_head(). 0 when empty. */
size_t
frameq_piece(const struct frameq *q, size_t max);

/** The first queued byte. */
const uint8_t *
frameq_head(const struct frameq *q);

/** Copy the n bytes at data (the part of a piece the socket did not take
 *  at once) into the write buffer; false on out of memory. */
bool
frameq_stage(struct frameq *q, const uint8_t *data, size_t n);

/** The first n queued bytes are gone (written or staged); an emptied
 *  queue gives back a buffer grown past `keep` bytes. */
void
frameq_take(struct frameq *q, size_t n, size_t keep);

/** Drop every queued frame (not the staged piece). */
void
frameq_clear(struct frameq *q);

/** Free both buffers. */
void
frameq_free(struct frameq *q);

#endif /* RUMOR_FRAMEQ_H */
