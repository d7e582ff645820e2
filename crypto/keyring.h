/*
 * keyring: the cluster keys a node accepts, each named by a key id.
 *
 * The primary key seals everything we send; any key in the ring opens what
 * we receive, picked by the key id in the sealed header (never by trying
 * every key). Rotation is install (add), use (make primary), remove.
 * Key material lives in sodium_malloc'd memory and is zeroed on removal.
 */
#ifndef RUMOR_KEYRING_H
#define RUMOR_KEYRING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rumor/error.h"

/** A cluster key: 32 bytes (XChaCha20-Poly1305). */
#define KEYRING_KEY_SIZE 32
/** Base64 (standard alphabet, padded) of a key, without NUL. */
#define KEYRING_KEY_B64_LEN 44
/** Most keys one ring holds. */
#define KEYRING_KEYS_MAX 16
/** Largest key file we parse. */
#define KEYRING_FILE_MAX 4096
/** Longest cluster label (memberlist's label), bound as associated data. */
#define KEYRING_LABEL_MAX 64

struct keyring;

/** Empty ring. Requires sodium_init() done by the program. NULL on OOM. */
RUMOR_MUST_CHECK struct keyring *
keyring_new(void);

/** Zero and free all keys. NULL is a no-op. */
void
keyring_delete(struct keyring *kr);

/** The id of a key: the first 4 bytes of BLAKE2b-256(key), little endian,
 *  so every node derives the same id without configuration. */
uint32_t
keyring_key_id(const uint8_t key[KEYRING_KEY_SIZE]);

/** Add a key (copied). The first key added becomes primary. Returns 0,
 *  RUMOR_EEXIST (the same key, or another key with the same id: ids must
 *  be unique for seal_open), RUMOR_ELIMIT (KEYRING_KEYS_MAX keys) or
 *  RUMOR_ENOMEM (reserved; the current ring preallocates its slots). */
RUMOR_MUST_CHECK int
keyring_add(struct keyring *kr, const uint8_t key[KEYRING_KEY_SIZE]);

/** Make the key with this id primary. RUMOR_ENOTFOUND if absent. */
RUMOR_MUST_CHECK int
keyring_use(struct keyring *kr, uint32_t key_id);

/** Remove a key; the primary cannot be removed (RUMOR_ESTATE). */
RUMOR_MUST_CHECK int
keyring_remove(struct keyring *kr, uint32_t key_id);

/** The primary key (KEYRING_KEY_SIZE bytes) and, if key_id is not NULL,
 *  its id; NULL when the ring is empty. The pointer is valid until the
 *  next call that changes the ring (add, remove, parse, delete). */
RUMOR_MUST_CHECK const uint8_t *
keyring_primary(const struct keyring *kr, uint32_t *key_id);

/** The key with this id, or NULL. Valid as long as keyring_primary's. */
RUMOR_MUST_CHECK const uint8_t *
keyring_find(const struct keyring *kr, uint32_t key_id);

/** Number of keys; key ids by index (0 <= i < count, asserted), in the
 *  order they were added. */
size_t
keyring_count(const struct keyring *kr);
uint32_t
keyring_id_at(const struct keyring *kr, size_t i);

/** Set the cluster label (0..KEYRING_LABEL_MAX bytes, copied; label may be
 *  NULL when len is 0). Returns 0 or RUMOR_ETOOBIG (label unchanged). */
RUMOR_MUST_CHECK int
keyring_set_label(struct keyring *kr, const char *label, size_t len);
/** The label and, if len is not NULL, its length. Always NUL-terminated
 *  after len bytes; "" until set. */
const char *
keyring_label(const struct keyring *kr, size_t *len);

/**
 * Parse a key file's bytes (read by cli/; need not be NUL-terminated):
 * one standard padded base64 key of KEYRING_KEY_SIZE bytes per line;
 * blank lines and lines starting with '#' are skipped; trailing
 * whitespace (and so CRLF) is allowed, leading whitespace is not. The
 * keys are added after those already in the ring and the file's first
 * key becomes primary.
 *
 * Returns 0 (then *line = 0, *why = NULL) or, adding nothing:
 * RUMOR_EMALFORMED ("not valid base64", "key must be 32 bytes",
 * "duplicate key" -- also of a key already in the ring --, "no key in
 * file"), RUMOR_ELIMIT ("too many keys": ring + file > KEYRING_KEYS_MAX)
 * or RUMOR_ETOOBIG ("key file too big": len > KEYRING_FILE_MAX). *line is
 * the 1-based line, or 0 when the error is about the whole file; *why is
 * a static sentence. line and why may be NULL.
 */
RUMOR_MUST_CHECK int
keyring_parse(struct keyring *kr, const char *text, size_t len, int *line,
	      const char **why);

/** Write the base64 text of key into out (KEYRING_KEY_B64_LEN + 1 bytes,
 *  NUL-terminated): the format keyring_parse reads. */
void
keyring_key_b64(char out[KEYRING_KEY_B64_LEN + 1],
		const uint8_t key[KEYRING_KEY_SIZE]);

#endif /* RUMOR_KEYRING_H */
