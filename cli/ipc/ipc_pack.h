/*
 * ipc_pack: the msgpack mechanics under the socket protocol's schema
 * (ipc_proto.c says which fields go where; this says how).
 *
 * Writing: a packer appends one frame to an sbuffer. Its first failure
 * sticks (every later call does nothing) and ipc_pack_close() reports
 * it, cutting the buffer back to where the frame began, so a frame is
 * whole or not there; the callers never check msgpack_pack_* results
 * one by one, and none is ignored.
 *
 * Reading: a reader takes fields out of an unpacked tree, checking type
 * and size, and copies what it keeps (NUL-terminated) into the unpacked
 * zone. Its first failure sticks as well.
 */
#ifndef RUMOR_IPC_PACK_H
#define RUMOR_IPC_PACK_H

#include <msgpack.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Length prefix of every frame: 4 bytes, big endian. */
#define IPC_PREFIX 4

struct ipc_packer {
	msgpack_sbuffer *sb;
	msgpack_packer pk;
	/** Where the frame began in sb. */
	size_t start;
	/** The first failure (RUMOR_E*), or 0. */
	int err;
};

/** Start a frame at the end of sb (its prefix to be patched). */
void
ipc_pack_open(struct ipc_packer *p, msgpack_sbuffer *sb);

/** Patch the prefix: 0, or the first failure (RUMOR_ETOOBIG past max
 *  payload bytes) with sb cut back to where the frame began. */
int
ipc_pack_close(struct ipc_packer *p, size_t max);

/** Record a failure (the first one sticks). */
void
ipc_pack_fail(struct ipc_packer *p, int err);

void
ipc_pack_map(struct ipc_packer *p, size_t n);

void
ipc_pack_array(struct ipc_packer *p, size_t n);

/** A NUL-terminated string. */
void
ipc_pack_str(struct ipc_packer *p, const char *s);

void
ipc_pack_uint(struct ipc_packer *p, uint64_t v);

void
ipc_pack_int(struct ipc_packer *p, int64_t v);

void
ipc_pack_bool(struct ipc_packer *p, bool v);

void
ipc_pack_bin(struct ipc_packer *p, const uint8_t *data, size_t size);

/** A "key": value pair of a map. */
void
ipc_pack_kstr(struct ipc_packer *p, const char *key, const char *value);

void
ipc_pack_kuint(struct ipc_packer *p, const char *key, uint64_t value);

/** The value under a string key of a map object, or NULL. */
const msgpack_object *
ipc_pack_get(const msgpack_object *map, const char *key);

/** A key a reader looks for, with its length (IPC_PACK_KEY("name")). */
struct ipc_pack_key {
	const char *name;
	size_t len;
};

#define IPC_PACK_KEY(s) {(s), sizeof(s) - 1}

/** The values under keys[0, n) of a map object into vals[] (NULL where
 *  missing; the first of a key given twice), in one pass over the map:
 *  what a record's reader does instead of n lookups. */
void
ipc_pack_fields(const msgpack_object *map, const struct ipc_pack_key *keys,
		size_t n, const msgpack_object **vals);

/** The index of a string object in strs[0, n), or -1. */
int
ipc_pack_index(const msgpack_object *o, const char *const *strs, int n);

struct ipc_pack_reader {
	/** Where copies go (the unpacked tree's own zone). */
	msgpack_zone *zone;
	/** The first failure (RUMOR_EMALFORMED, RUMOR_ENOMEM), or 0. */
	int err;
};

/** Record a failure (the first one sticks). */
void
ipc_pack_bad(struct ipc_pack_reader *r, int err);

/** count items of size bytes in the zone; NULL for none or on failure. */
void *
ipc_pack_alloc(struct ipc_pack_reader *r, size_t count, size_t size);

/** A string object of at most max bytes and no NUL, copied and
 *  terminated ("" on failure). */
const char *
ipc_pack_take_str(struct ipc_pack_reader *r, const msgpack_object *o,
		  size_t max);

/** A non-negative integer object up to max (0 on failure). */
uint64_t
ipc_pack_take_uint(struct ipc_pack_reader *r, const msgpack_object *o,
		   uint64_t max);

/** The map or array object o, checked for its type (NULL on failure). */
const msgpack_object *
ipc_pack_take(struct ipc_pack_reader *r, const msgpack_object *o,
	      msgpack_object_type type);

#endif /* RUMOR_IPC_PACK_H */
