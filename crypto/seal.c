/*
 * seal: the framing of every byte a node puts on the wire.
 *
 * Design. A sealed frame is self-describing: the kind byte says what it
 * is, the key id says which key of the receiver's ring opens it (looked up
 * directly, never by trying every key, so a forged frame costs one
 * Poly1305 check however many keys are installed), and the nonce travels
 * with it. Everything in the header is also bound as associated data, so
 * flipping any header bit, relabelling a datagram as a stream frame, or
 * replaying a frame into another cluster (other label) fails
 * authentication instead of decrypting to garbage. A datagram's associated
 * data also names the node it is for, so a datagram recorded on its way
 * to one node does not open at another; the lengths of label and name end
 * it, so no two (label, name) pairs give the same bytes.
 *
 * The nonce doubles as the frame's stamp (life, time, counter): unique
 * by life and counter alone, and authenticated like the rest of the
 * header, so the receiver can refuse a frame it has seen before (its
 * replay window lives with the node, membership/node_replay.c).
 *
 * seal_open checks in order of cost and of usefulness of the reason:
 * plaintext marker, kind, length, key id, space, then the AEAD. Every
 * failure zeroes the part of `out` a success would have written, so a
 * caller that ignores the return value still never reads stale or
 * unauthenticated bytes.
 *
 * No randomness, clock, globals or I/O here: nonces come from the
 * caller's struct seal_nonce, which is what makes simulation reproducible.
 */
#include "crypto/seal.h"

#include <string.h>

#include <sodium.h>

#include "rumor/error.h"

/* The wire sizes in seal.h must match the primitive. */
_Static_assert(SEAL_NONCE_SIZE == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
	       "nonce size");
_Static_assert(SEAL_TAG_SIZE == crypto_aead_xchacha20poly1305_ietf_ABYTES,
	       "tag size");
_Static_assert(KEYRING_KEY_SIZE == crypto_aead_xchacha20poly1305_ietf_KEYBYTES,
	       "key size");

/** Offsets inside the header. */
enum {
	SEAL_OFF_KIND = 0,
	SEAL_OFF_KEY_ID = 1,
	SEAL_OFF_NONCE = SEAL_NONCE_OFFSET,
};
_Static_assert(SEAL_LIFE_SIZE + 16 == SEAL_NONCE_SIZE, "nonce layout");

static void
seal_put_u64le(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t
seal_get_u64le(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

void
seal_nonce_init(struct seal_nonce *gen, const uint8_t life[SEAL_LIFE_SIZE])
{
	memcpy(gen->life, life, sizeof(gen->life));
	gen->time_ms = 0;
	gen->counter = 0;
}

void
seal_nonce_set_time(struct seal_nonce *gen, uint64_t time_ms)
{
	gen->time_ms = time_ms;
}

void
seal_nonce_next(struct seal_nonce *gen, uint8_t out[SEAL_NONCE_SIZE])
{
	memcpy(out, gen->life, SEAL_LIFE_SIZE);
	seal_put_u64le(out + SEAL_LIFE_SIZE, gen->time_ms);
	seal_put_u64le(out + SEAL_LIFE_SIZE + 8, gen->counter);
	/* 2^64 frames from one process will not happen; a wrap would repeat
	 * nonces, so the counter is 64 bits rather than 32. */
	gen->counter++;
}

void
seal_stamp_read(struct seal_stamp *out, const uint8_t *nonce)
{
	out->life = seal_get_u64le(nonce);
	out->time_ms = seal_get_u64le(nonce + SEAL_LIFE_SIZE);
	out->counter = seal_get_u64le(nonce + SEAL_LIFE_SIZE + 8);
}

static bool
seal_kind_is_sealed(int kind)
{
	return kind == SEAL_KIND_DATAGRAM || kind == SEAL_KIND_STREAM;
}

/* Whether `to` may go with kind: a name up to SEAL_TO_MAX for datagrams,
 * none for streams. */
static bool
seal_to_valid(int kind, size_t to_len)
{
	return kind == SEAL_KIND_DATAGRAM ? to_len <= SEAL_TO_MAX
					  : to_len == 0;
}

static void
seal_put_u32le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t
seal_get_u32le(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/** Room for the longest associated data. */
#define SEAL_AD_MAX (SEAL_HEADER_SIZE + KEYRING_LABEL_MAX + SEAL_TO_MAX + 2)
_Static_assert(KEYRING_LABEL_MAX <= 255, "the label's length is one byte");

/** Associated data: the header, then the ring's label; for a datagram,
 *  then the name it is for and the two lengths. Returns its length. */
static size_t
seal_ad(uint8_t ad[SEAL_AD_MAX], const uint8_t header[SEAL_HEADER_SIZE],
	const char *to, size_t to_len, const struct keyring *kr)
{
	size_t label_len = 0;
	const char *label = keyring_label(kr, &label_len);
	memcpy(ad, header, SEAL_HEADER_SIZE);
	size_t n = SEAL_HEADER_SIZE;
	memcpy(ad + n, label, label_len);
	n += label_len;
	if (header[SEAL_OFF_KIND] != SEAL_KIND_DATAGRAM)
		return n;
	if (to_len > 0)
		memcpy(ad + n, to, to_len);
	n += to_len;
	ad[n++] = (uint8_t)label_len;
	ad[n++] = (uint8_t)to_len;
	return n;
}

int
seal_close(uint8_t *out, size_t out_cap, size_t *out_size,
	   const uint8_t *plain, size_t size, enum seal_kind kind,
	   struct seal_nonce *nonce, const struct keyring *kr)
{
	return seal_close_to(out, out_cap, out_size, plain, size, kind, NULL,
			     0, nonce, kr);
}

int
seal_close_to(uint8_t *out, size_t out_cap, size_t *out_size,
	      const uint8_t *plain, size_t size, enum seal_kind kind,
	      const char *to, size_t to_len, struct seal_nonce *nonce,
	      const struct keyring *kr)
{
	*out_size = 0;
	if (!seal_kind_is_sealed((int)kind) ||
	    !seal_to_valid((int)kind, to_len))
		return RUMOR_EINVAL;
	uint32_t key_id = 0;
	const uint8_t *key = keyring_primary(kr, &key_id);
	if (key == NULL)
		return RUMOR_ESTATE;
	if (size > SIZE_MAX - SEAL_OVERHEAD ||
	    size > crypto_aead_xchacha20poly1305_ietf_MESSAGEBYTES_MAX ||
	    out_cap < size + SEAL_OVERHEAD)
		return RUMOR_ENOSPACE;

	out[SEAL_OFF_KIND] = (uint8_t)kind;
	seal_put_u32le(out + SEAL_OFF_KEY_ID, key_id);
	/* Drawn only now that nothing can fail: a failed call leaves the
	 * generator as it was. */
	seal_nonce_next(nonce, out + SEAL_OFF_NONCE);

	uint8_t ad[SEAL_AD_MAX];
	size_t ad_len = seal_ad(ad, out, to, to_len, kr);
	unsigned long long c_len = 0;
	crypto_aead_xchacha20poly1305_ietf_encrypt(
		out + SEAL_HEADER_SIZE, &c_len, plain, size, ad, ad_len, NULL,
		out + SEAL_OFF_NONCE, key);
	*out_size = SEAL_HEADER_SIZE + (size_t)c_len;
	return 0;
}

/** The checks of seal_open before any cryptography; returns the key or
 *  NULL with *err set. */
static const uint8_t *
seal_open_check(const uint8_t *sealed, size_t size, enum seal_kind kind,
		size_t to_len, const struct keyring *kr, size_t out_cap,
		int *err)
{
	if (!seal_kind_is_sealed((int)kind) ||
	    !seal_to_valid((int)kind, to_len)) {
		*err = RUMOR_EINVAL;
		return NULL;
	}
	if (size == 0) {
		*err = RUMOR_ETRUNCATED;
		return NULL;
	}
	/* Before the length check: a plaintext frame may be short, and the
	 * caller wants to know it met a --no-encrypt peer. */
	if (sealed[SEAL_OFF_KIND] == SEAL_KIND_PLAIN) {
		*err = RUMOR_EPLAINTEXT;
		return NULL;
	}
	if (sealed[SEAL_OFF_KIND] != (uint8_t)kind) {
		*err = RUMOR_EVERSION;
		return NULL;
	}
	if (size < SEAL_OVERHEAD) {
		*err = RUMOR_ETRUNCATED;
		return NULL;
	}
	const uint8_t *key =
		keyring_find(kr, seal_get_u32le(sealed + SEAL_OFF_KEY_ID));
	if (key == NULL) {
		*err = RUMOR_EUNKNOWNKEY;
		return NULL;
	}
	if (out_cap < size - SEAL_OVERHEAD) {
		*err = RUMOR_ENOSPACE;
		return NULL;
	}
	*err = 0;
	return key;
}

int
seal_open(uint8_t *out, size_t out_cap, size_t *out_size,
	  const uint8_t *sealed, size_t size, enum seal_kind kind,
	  const struct keyring *kr)
{
	return seal_open_to(out, out_cap, out_size, sealed, size, kind, NULL,
			    0, kr);
}

int
seal_open_to(uint8_t *out, size_t out_cap, size_t *out_size,
	     const uint8_t *sealed, size_t size, enum seal_kind kind,
	     const char *to, size_t to_len, const struct keyring *kr)
{
	*out_size = 0;
	/* What a success would write; zeroed on every failure. */
	size_t plain_len = size >= SEAL_OVERHEAD ? size - SEAL_OVERHEAD : 0;
	size_t zero_len = plain_len < out_cap ? plain_len : out_cap;

	int err = 0;
	const uint8_t *key = seal_open_check(sealed, size, kind, to_len, kr,
					     out_cap, &err);
	if (key == NULL) {
		if (zero_len > 0)
			sodium_memzero(out, zero_len);
		return err;
	}

	uint8_t ad[SEAL_AD_MAX];
	size_t ad_len = seal_ad(ad, sealed, to, to_len, kr);
	unsigned long long m_len = 0;
	int rc = crypto_aead_xchacha20poly1305_ietf_decrypt(
		out, &m_len, NULL, sealed + SEAL_HEADER_SIZE,
		size - SEAL_HEADER_SIZE, ad, ad_len, sealed + SEAL_OFF_NONCE,
		key);
	if (rc != 0) {
		if (zero_len > 0)
			sodium_memzero(out, zero_len);
		return RUMOR_EAUTH;
	}
	*out_size = (size_t)m_len;
	return 0;
}

int
seal_plain_wrap(uint8_t *out, size_t out_cap, size_t *out_size,
		const uint8_t *plain, size_t size)
{
	*out_size = 0;
	if (size > SIZE_MAX - SEAL_PLAIN_OVERHEAD ||
	    out_cap < size + SEAL_PLAIN_OVERHEAD)
		return RUMOR_ENOSPACE;
	out[0] = SEAL_KIND_PLAIN;
	if (size > 0)
		memcpy(out + SEAL_PLAIN_OVERHEAD, plain, size);
	*out_size = size + SEAL_PLAIN_OVERHEAD;
	return 0;
}

const uint8_t *
seal_plain_unwrap(const uint8_t *frame, size_t frame_size, size_t *size)
{
	*size = 0;
	/* An empty frame is not a plaintext frame either; it is dropped
	 * like a sealed one. */
	if (frame_size < SEAL_PLAIN_OVERHEAD || frame[0] != SEAL_KIND_PLAIN)
		return NULL;
	*size = frame_size - SEAL_PLAIN_OVERHEAD;
	return frame + SEAL_PLAIN_OVERHEAD;
}
