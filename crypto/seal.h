/*
 * seal: authenticated encryption of datagrams and stream frames.
 *
 *	+---------+-----------+----------------+--------------------------+
 *	| kind 1B | key id 4B | nonce 24B      | ciphertext + tag 16B     |
 *	+---------+-----------+----------------+--------------------------+
 *	nonce:    | life 8B   | time_ms 8B LE  | counter 8B LE            |
 *
 * XChaCha20-Poly1305-IETF (libsodium). Associated data: the 29 header
 * bytes, then the cluster label; for a datagram also the name of the node
 * it is for and one byte each for the lengths of the label and of that
 * name. `kind` is SEAL_KIND_DATAGRAM or SEAL_KIND_STREAM, so a sealed
 * datagram cannot be replayed as a stream frame or the other way round,
 * and a datagram sealed for one node does not open at another. Plaintext
 * mode (--no-encrypt) frames are one SEAL_KIND_PLAIN byte followed by the
 * plaintext; an encrypted node drops them (RUMOR_EPLAINTEXT) and a
 * plaintext node drops sealed frames: the two never mix.
 *
 * The nonce is also the frame's stamp (struct seal_stamp), authenticated
 * with it: which life of which sender sealed it (8 random bytes drawn at
 * its start), the sender's clock at sealing, and its place in that life's
 * sequence. A receiver refuses frames it has taken before by their stamp
 * (membership/node_replay.c); uniqueness needs only the life and the
 * counter, whatever the clock says.
 *
 * Nonces are never drawn here: they come from a struct seal_nonce the
 * caller seeds (its life) and sets the time of, so simulation is
 * reproducible and production never repeats a nonce within a process.
 * Functions are pure computation over caller memory.
 */
#ifndef RUMOR_SEAL_H
#define RUMOR_SEAL_H

#include <stddef.h>
#include <stdint.h>

#include "rumor/error.h"

#include "keyring.h"

/** The first byte of every frame. Wire values: append only. */
enum seal_kind {
	/** Plaintext mode frame: the rest is the payload, unauthenticated. */
	SEAL_KIND_PLAIN = 0x00,
	/** Sealed UDP datagram of rumor before replay protection (no
	 *  stamp, not bound to its receiver): neither sealed nor opened any
	 *  more, so such a frame is RUMOR_EVERSION. */
	SEAL_KIND_DATAGRAM_V1 = 0x01,
	/** Sealed stream frame. */
	SEAL_KIND_STREAM = 0x02,
	/** Sealed UDP datagram, stamped and bound to its receiver's name. */
	SEAL_KIND_DATAGRAM = 0x03,
};

/** XChaCha20-Poly1305-IETF nonce. */
#define SEAL_NONCE_SIZE 24
/** Poly1305 tag. */
#define SEAL_TAG_SIZE 16
/** kind + key id + nonce; also the start of the associated data. */
#define SEAL_HEADER_SIZE (1 + 4 + SEAL_NONCE_SIZE)
/** Bytes a sealed frame adds to its plaintext. */
#define SEAL_OVERHEAD (SEAL_HEADER_SIZE + SEAL_TAG_SIZE)
/** Bytes a plaintext frame adds (the kind byte). */
#define SEAL_PLAIN_OVERHEAD 1

/** Where the nonce sits in a sealed frame. */
#define SEAL_NONCE_OFFSET 5
/** Random bytes that name one life of a sender (the nonce's first 8). */
#define SEAL_LIFE_SIZE 8
/** Longest name a datagram can be bound to. */
#define SEAL_TO_MAX 255

/** Nonce generator: life (random per process) || time_ms || counter, the
 *  two numbers little endian. */
struct seal_nonce {
	/** Drawn once by the caller (randombytes in cli/, the node's PRNG in
	 *  the simulator); never reused across processes. */
	uint8_t life[SEAL_LIFE_SIZE];
	/** The sender's clock (ms since the Unix epoch), set by the caller
	 *  (seal_nonce_set_time); 0 until then. */
	uint64_t time_ms;
	/** Frames sealed so far; the next nonce's last 8 bytes. */
	uint64_t counter;
};

/** What a frame's nonce says of its sealing. */
struct seal_stamp {
	/** The sender's life, as a little-endian number. */
	uint64_t life;
	/** The sender's clock when it sealed the frame. */
	uint64_t time_ms;
	/** The frame's place in that life (0, 1, ...). */
	uint64_t counter;
};

/** Seed a generator with SEAL_LIFE_SIZE bytes the caller drew from its
 *  entropy; time 0, counter 0. */
void
seal_nonce_init(struct seal_nonce *gen, const uint8_t life[SEAL_LIFE_SIZE]);

/** The clock the next nonces carry (ms since the Unix epoch). */
void
seal_nonce_set_time(struct seal_nonce *gen, uint64_t time_ms);

/** Next unique nonce: life || time_ms || counter, then counter++. */
void
seal_nonce_next(struct seal_nonce *gen, uint8_t out[SEAL_NONCE_SIZE]);

/** The stamp a nonce carries (SEAL_NONCE_SIZE bytes). */
void
seal_stamp_read(struct seal_stamp *out, const uint8_t *nonce);

/**
 * Seal plain[0, size) under the ring's primary key into out, which must
 * hold size + SEAL_OVERHEAD bytes and must not overlap plain. kind is
 * SEAL_KIND_DATAGRAM or SEAL_KIND_STREAM. Sets *out_size (0 on error).
 * Returns 0, RUMOR_ENOSPACE, RUMOR_ESTATE when the ring is empty, or
 * RUMOR_EINVAL for another kind. A nonce is drawn only on success. A
 * datagram sealed here is bound to the empty name (seal_close_to).
 */
RUMOR_MUST_CHECK int
seal_close(uint8_t *out, size_t out_cap, size_t *out_size,
	   const uint8_t *plain, size_t size, enum seal_kind kind,
	   struct seal_nonce *nonce, const struct keyring *kr);

/** seal_close() of a datagram for the node named to[0, to_len) (at most
 *  SEAL_TO_MAX bytes, else RUMOR_EINVAL): it opens only where
 *  seal_open_to() is given the same name. For a stream frame `to` must be
 *  empty (RUMOR_EINVAL otherwise). */
RUMOR_MUST_CHECK int
seal_close_to(uint8_t *out, size_t out_cap, size_t *out_size,
	      const uint8_t *plain, size_t size, enum seal_kind kind,
	      const char *to, size_t to_len, struct seal_nonce *nonce,
	      const struct keyring *kr);

/**
 * Open a sealed frame of the expected kind (SEAL_KIND_DATAGRAM or
 * SEAL_KIND_STREAM) into out (at least size - SEAL_OVERHEAD bytes, not
 * overlapping sealed). Sets *out_size. Checked in this order, returning
 * 0 or the first that applies: RUMOR_EINVAL (kind is not a sealed kind:
 * a caller bug), RUMOR_ETRUNCATED (empty), RUMOR_EPLAINTEXT (a plaintext
 * frame, whatever its length), RUMOR_EVERSION (unknown kind byte or the
 * other kind), RUMOR_ETRUNCATED (shorter than the overhead),
 * RUMOR_EUNKNOWNKEY (key id not in the ring), RUMOR_ENOSPACE (out_cap too
 * small), RUMOR_EAUTH (forged, corrupted, other label). On error *out_size
 * is 0 and out[0, min(out_cap, size - SEAL_OVERHEAD)) is zeroed.
 */
RUMOR_MUST_CHECK int
seal_open(uint8_t *out, size_t out_cap, size_t *out_size,
	  const uint8_t *sealed, size_t size, enum seal_kind kind,
	  const struct keyring *kr);

/** seal_open() of a datagram bound to the name to[0, to_len) (ours): one
 *  sealed for another name fails as RUMOR_EAUTH. RUMOR_EINVAL for a name
 *  longer than SEAL_TO_MAX, or a name with a stream frame. */
RUMOR_MUST_CHECK int
seal_open_to(uint8_t *out, size_t out_cap, size_t *out_size,
	     const uint8_t *sealed, size_t size, enum seal_kind kind,
	     const char *to, size_t to_len, const struct keyring *kr);

/** Frame plaintext (no encryption): SEAL_KIND_PLAIN + bytes, into out
 *  (size + SEAL_PLAIN_OVERHEAD bytes). Sets *out_size. Returns 0 or
 *  RUMOR_ENOSPACE. */
RUMOR_MUST_CHECK int
seal_plain_wrap(uint8_t *out, size_t out_cap, size_t *out_size,
		const uint8_t *plain, size_t size);

/** Unwrap a plaintext frame: returns a pointer into frame and sets
 *  *size, or NULL (and *size = 0) when the frame is sealed (encrypted
 *  peer) or empty. */
RUMOR_MUST_CHECK const uint8_t *
seal_plain_unwrap(const uint8_t *frame, size_t frame_size, size_t *size);

#endif /* RUMOR_SEAL_H */
