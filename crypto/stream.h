/*
 * stream: the framing of a push-pull stream (version 2). A node's state is
 * cut into chunks, each sealed on its own (seal.h, SEAL_KIND_STREAM), after
 * a small sealed header that states the total length. A receiver checks
 * the header before it keeps more than the header's few bytes, and keeps
 * a chunk only once it has opened it: memory grows with authenticated
 * bytes, not with what a peer announces.
 *
 *	stream = header frame, then chunk frames until `total` bytes came
 *	frame  = length (4 bytes, big endian) | sealed bytes (that long)
 *
 *	header plaintext (STREAM_HEADER_PLAIN bytes):
 *	+------------+----------+-----------+----------------------------+
 *	| version 1B | flags 1B | zero 2B   | total, u32 big endian      |
 *	+------------+----------+-----------+----------------------------+
 *	chunk plaintext:
 *	+-------------------------+---------------+----------------------+
 *	| the header's nonce 24B  | index u32 BE  | data, 1 to           |
 *	| (zero in plaintext mode)| (0, 1, ...)   | STREAM_CHUNK_MAX     |
 *	+-------------------------+---------------+----------------------+
 *
 * The header's nonce and the index bind every chunk to its stream and its
 * place, so chunks of other streams (or the same chunks in another order)
 * are refused. The header frame has a fixed size, so a frame of the first
 * version (one sealed frame of up to 20 MiB, any length) is refused after
 * its 4-byte length, as RUMOR_EVERSION: agents before version 2 cannot
 * push-pull with this one (docs/protocol.md).
 *
 * In plaintext mode (no keyring) frames are seal_plain_wrap()'d and
 * nothing is authenticated; the budget below is then all that bounds a
 * peer.
 *
 * The receiver takes bytes as they arrive (stream_rx_feed) and charges
 * every buffer it holds to a struct stream_budget its caller may share
 * among all its streams, so the total is bounded, not only each stream.
 * Before the header is authenticated a stream holds no allocation at all.
 * Pure computation over caller memory and malloc; no clock, no I/O.
 */
#ifndef RUMOR_STREAM_H
#define RUMOR_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keyring.h"
#include "rumor/error.h"
#include "seal.h"

/** Length prefix of every frame. */
#define STREAM_PREFIX 4
/** The framing version in the header. Append only. */
#define STREAM_VERSION 2
/** Header plaintext. */
#define STREAM_HEADER_PLAIN 8
/** Chunk plaintext before its data: the header's nonce and the index. */
#define STREAM_CHUNK_BIND (SEAL_NONCE_SIZE + 4)
/** Data bytes in a chunk at most. */
#define STREAM_CHUNK_MAX (64 * 1024)
/** A sealed chunk frame (after its prefix) at most. */
#define STREAM_FRAME_MAX (STREAM_CHUNK_BIND + STREAM_CHUNK_MAX + SEAL_OVERHEAD)

/** Bytes a receiver may hold for its streams, shared by all of them. */
struct stream_budget {
	/** Charged now. */
	size_t used;
	/** At most. */
	size_t max;
	/** Charges refused (the stream then failed with RUMOR_ELIMIT). */
	uint64_t refused;
};

/** One incoming stream. Zeroed by stream_rx_init; nothing to free until
 *  the header has been authenticated. */
struct stream_rx {
	/** Largest total accepted (the receiver's state limit). */
	size_t total_max;
	/** The frame under way: its prefix, its length, its bytes. */
	uint8_t prefix[STREAM_PREFIX];
	uint8_t prefix_got;
	uint32_t frame_len;
	size_t frame_got;
	/** The header frame, kept in place (no allocation before it is
	 *  authenticated). */
	uint8_t head[SEAL_OVERHEAD + STREAM_HEADER_PLAIN];
	/** A chunk frame, frame_cap bytes allocated. */
	uint8_t *frame;
	size_t frame_cap;
	/** The header was opened: total and id are known. */
	bool authenticated;
	uint32_t total;
	uint8_t id[SEAL_NONCE_SIZE];
	/** The next chunk's index. */
	uint32_t index;
	/** The data so far: plain_size bytes of plain_cap. */
	uint8_t *plain;
	size_t plain_size;
	size_t plain_cap;
	/** Charged to the budget: frame_cap + plain_cap. */
	size_t held;
};

/**
 * The stream for plain[0, size) (1 to STREAM_BYTES_MAX bytes): a header
 * and its chunks in one malloc'd buffer (*out, *out_size) the caller
 * frees. Sealed under the ring's primary key, or wrapped in plaintext
 * when kr is NULL. Returns 0, RUMOR_EINVAL (empty), RUMOR_ETOOBIG,
 * RUMOR_ENOMEM or seal_close()'s error.
 */
RUMOR_MUST_CHECK int
stream_encode(uint8_t **out, size_t *out_size, const uint8_t *plain,
	      size_t size, struct seal_nonce *nonce, const struct keyring *kr);

/** Largest total the encoder writes (the length field is 32 bits). */
#define STREAM_BYTES_MAX ((size_t)UINT32_MAX)

/** Start receiving a stream of at most total_max data bytes. */
void
stream_rx_init(struct stream_rx *rx, size_t total_max);

/**
 * Take the next received bytes. Returns 0 (more needed, or *done), or
 * why the stream is refused, after which the rx takes nothing more:
 * RUMOR_EVERSION (a first frame that is no version-2 header, or another
 * version), RUMOR_ETRUNCATED / RUMOR_ETOOBIG (a frame length out of range,
 * a total of 0 or over total_max), RUMOR_EPLAINTEXT (a header of the
 * other mode: one peer is plaintext, the other not), RUMOR_EUNKNOWNKEY,
 * RUMOR_EAUTH (seal_open), RUMOR_EPROTO (a chunk of another stream, out of
 * order, past the total, or bytes after the end), RUMOR_ELIMIT (the
 * budget is spent), RUMOR_ENOMEM. *done is set once the whole stream is
 * in (stream_rx_data then gives it).
 */
RUMOR_MUST_CHECK int
stream_rx_feed(struct stream_rx *rx, struct stream_budget *budget,
	       const uint8_t *data, size_t size, const struct keyring *kr,
	       bool *done);

/** The received data (complete once stream_rx_feed set *done). */
const uint8_t *
stream_rx_data(const struct stream_rx *rx, size_t *size);

/** Free what rx holds and give it back to the budget. */
void
stream_rx_destroy(struct stream_rx *rx, struct stream_budget *budget);

#endif /* RUMOR_STREAM_H */
